//! The differences between two CIBs in the layout `crm_shadow --diff` prints (Pacemaker's
//! version-2 patch set): removed elements (`--`), changed attributes (`+ `), added elements
//! (`++`), each at its XML path.

use cib::xml::Element;
use controller::CibVersion;

/// The patch text from `old` to `new`; empty when they are the same.
pub fn diff(old: &Element, new: &Element) -> String {
    let mut changes = Changes::default();
    walk(old, new, "/cib", &mut changes, 0);
    if changes.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "Diff: --- {} 2\nDiff: +++ {} (null)\n",
        CibVersion::of(old).dotted(),
        CibVersion::of(new).dotted()
    );
    for path in &changes.removed {
        out.push_str(&format!("-- {path}\n"));
    }
    for line in &changes.modified {
        out.push_str(line);
        out.push('\n');
    }
    for (parent, el) in &changes.added {
        let head = format!("++ {parent}:  ");
        let pad = " ".repeat(head.len() - 3);
        for (i, line) in el.to_xml().lines().enumerate() {
            if i == 0 {
                out.push_str(&format!("{head}{line}\n"));
            } else {
                out.push_str(&format!("++ {pad}{line}\n"));
            }
        }
    }
    out
}

#[derive(Default)]
struct Changes {
    removed: Vec<String>,
    /// `+  PATH:  @a=v, ...` (attributes set) and `-- PATH:  @b, ...` (removed) lines.
    modified: Vec<String>,
    added: Vec<(String, Element)>,
}

impl Changes {
    fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.modified.is_empty() && self.added.is_empty()
    }
}

fn step(el: &Element) -> String {
    match el.attr("id") {
        Some(id) => format!("{}[@id='{id}']", el.name),
        None => el.name.clone(),
    }
}

/// The child of `parent` that stands for `child` of the other tree: same name and id, or
/// (without an id) the same name at the same rank among its namesakes.
fn counterpart<'a>(
    parent: &'a Element,
    other_parent: &Element,
    child: &Element,
) -> Option<&'a Element> {
    match child.attr("id") {
        Some(id) => parent
            .children
            .iter()
            .find(|c| c.name == child.name && c.attr("id") == Some(id)),
        None => {
            let rank = other_parent
                .children
                .iter()
                .filter(|c| c.name == child.name && c.attr("id").is_none())
                .position(|c| std::ptr::eq(c, child))?;
            parent
                .children
                .iter()
                .filter(|c| c.name == child.name && c.attr("id").is_none())
                .nth(rank)
        }
    }
}

fn walk(old: &Element, new: &Element, path: &str, out: &mut Changes, depth: usize) {
    if depth > cib::limits::MAX_DEPTH {
        return;
    }
    let set: Vec<String> = new
        .attrs
        .iter()
        .filter(|(k, v)| old.attr(k) != Some(v.as_str()))
        .map(|(k, v)| format!("@{k}={v}"))
        .collect();
    let unset: Vec<String> = old
        .attrs
        .iter()
        .filter(|(k, _)| new.attr(k).is_none())
        .map(|(k, _)| format!("@{k}"))
        .collect();
    if !set.is_empty() {
        out.modified.push(format!("+  {path}:  {}", set.join(", ")));
    }
    if !unset.is_empty() {
        out.modified
            .push(format!("-- {path}:  {}", unset.join(", ")));
    }
    for c in &old.children {
        if counterpart(new, old, c).is_none() {
            out.removed.push(format!("{path}/{}", step(c)));
        }
    }
    for c in &new.children {
        match counterpart(old, new, c) {
            Some(o) => walk(o, c, &format!("{path}/{}", step(c)), out, depth + 1),
            None => out.added.push((path.to_string(), c.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Element {
        cib::xml::parse(text).expect("test XML")
    }

    #[test]
    fn same_documents_have_no_diff() {
        let a = parse(r#"<cib epoch="1"><configuration><resources/></configuration></cib>"#);
        assert_eq!(diff(&a, &a.clone()), "");
    }

    #[test]
    fn removals_changes_and_additions_in_pacemaker_order() {
        let old = parse(
            r#"<cib admin_epoch="0" epoch="5" num_updates="3"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o-s" name="s" value="false"/></cluster_property_set></crm_config><resources><primitive id="d1" type="Dummy" description="q"/></resources></configuration></cib>"#,
        );
        let new = parse(
            r#"<cib admin_epoch="0" epoch="7" num_updates="0"><configuration><crm_config><cluster_property_set id="o"/></crm_config><resources><primitive id="d1" type="Stateful"/><primitive id="d2" type="Dummy"><meta_attributes id="m"/></primitive></resources></configuration></cib>"#,
        );
        let text = diff(&old, &new);
        assert_eq!(
            text,
            "Diff: --- 0.5.3 2\nDiff: +++ 0.7.0 (null)\n\
             -- /cib/configuration/crm_config/cluster_property_set[@id='o']/nvpair[@id='o-s']\n\
             +  /cib:  @epoch=7, @num_updates=0\n\
             +  /cib/configuration/resources/primitive[@id='d1']:  @type=Stateful\n\
             -- /cib/configuration/resources/primitive[@id='d1']:  @description\n\
             ++ /cib/configuration/resources:  <primitive id=\"d2\" type=\"Dummy\">\n\
             ++                                  <meta_attributes id=\"m\"/>\n\
             ++                                </primitive>\n"
        );
    }
}
