//! Loading a fixture the way `tests/fixtures/regen.sh` feeds it to crmsh.

use cib::xml::Element;

/// Elements in a canonical form: attributes sorted (their order carries no meaning).
pub fn canonical(e: &Element) -> Element {
    let mut attrs = e.attrs.clone();
    attrs.sort();
    Element {
        name: e.name.clone(),
        attrs,
        children: e.children.iter().map(canonical).collect(),
        line: 0,
    }
}

/// Our `<configuration>` for a fixture text, starting from an empty CIB: a first line
/// `# mode: interactive` applies statements one by one; otherwise parts separated by
/// `# --- next load` / `# --- next load replace` go through `load_update`/`load_replace`.
pub fn ours(text: &str, name: &str) -> Result<Element, String> {
    let mut cib = cib::xml::parse(crm_syntax::EMPTY_CIB).map_err(|e| e.to_string())?;
    if text
        .lines()
        .next()
        .is_some_and(|l| l.contains("mode: interactive"))
    {
        let statements = crm_syntax::parse(text, name).map_err(|e| e.to_string())?;
        for st in &statements {
            crm_syntax::apply(&mut cib, st).map_err(|e| format!("{name}: {e}"))?;
        }
    } else {
        let mut parts: Vec<(bool, String)> = vec![(false, String::new())];
        for line in text.split_inclusive('\n') {
            if line.starts_with("# --- next load") {
                parts.push((line.contains("replace"), String::new()));
            } else if let Some(last) = parts.last_mut() {
                last.1.push_str(line);
            }
        }
        for (replace, part) in parts {
            let statements = crm_syntax::parse(&part, name).map_err(|e| e.to_string())?;
            let r = if replace {
                crm_syntax::load_replace(&mut cib, &statements)
            } else {
                crm_syntax::load_update(&mut cib, &statements)
            };
            r.map_err(|e| format!("{name}: {e}"))?;
        }
    }
    cib.child("configuration")
        .cloned()
        .ok_or_else(|| "no configuration".to_string())
}
