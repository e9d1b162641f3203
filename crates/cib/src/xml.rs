//! A small owned XML element tree: parsed with line numbers, written back out.

use crate::error::CibError;
use crate::limits;

/// One XML element with its attributes (in document order) and child elements.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Element {
    /// Tag name.
    pub name: String,
    /// Attributes in document order.
    pub attrs: Vec<(String, String)>,
    /// Child elements (text and comments are dropped).
    pub children: Vec<Element>,
    /// 1-based source line (0 for elements built in memory).
    pub line: u32,
}

impl Element {
    /// A new element with no attributes or children.
    pub fn new(name: &str) -> Element {
        Element {
            name: name.to_string(),
            ..Element::default()
        }
    }

    /// The value of attribute `key`.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or replaces) attribute `key`.
    pub fn set_attr(&mut self, key: &str, value: &str) {
        if let Some(slot) = self.attrs.iter_mut().find(|(k, _)| k == key) {
            slot.1 = value.to_string();
        } else {
            self.attrs.push((key.to_string(), value.to_string()));
        }
    }

    /// The element's `id` attribute, or "" when it has none.
    pub fn id(&self) -> &str {
        self.attr("id").unwrap_or("")
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The first child element named `name`, mutably.
    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.children.iter_mut().find(|c| c.name == name)
    }

    /// All child elements named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// A short description for error messages: `name[@id='x']`.
    pub fn describe(&self) -> String {
        match self.attr("id") {
            Some(id) => format!("{}[@id='{id}']", self.name),
            None => self.name.clone(),
        }
    }

    /// Writes the element as indented XML.
    pub fn write(&self, out: &mut String, indent: usize) {
        for _ in 0..indent {
            out.push_str("  ");
        }
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            escape_into(v, out);
            out.push('"');
        }
        if self.children.is_empty() {
            out.push_str("/>\n");
            return;
        }
        out.push_str(">\n");
        for c in &self.children {
            c.write(out, indent + 1);
        }
        for _ in 0..indent {
            out.push_str("  ");
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push_str(">\n");
    }

    /// The element as an XML document string.
    pub fn to_xml(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, 0);
        s
    }
}

/// Appends `v` escaped as [`Element::write`] writes attribute values.
pub fn escape_into(v: &str, out: &mut String) {
    if !v.contains(['&', '<', '>', '"', '\n']) {
        out.push_str(v);
        return;
    }
    for ch in v.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
}

/// Parses an XML document into its root element.
pub fn parse(text: &str) -> Result<Element, CibError> {
    if text.len() > limits::MAX_DOCUMENT_BYTES {
        return Err(CibError::TooLarge(text.len()));
    }
    // Documents Tandem wrote itself (the live CIB, replies, stored copies) take the fast
    // path; anything the scanner does not read goes to the general parser.
    if let Some(root) = crate::xml_scan::scan_with(text, limits::MAX_DEPTH - 1, &mut Owned) {
        return Ok(root);
    }
    parse_general(text)
}

/// Parses an XML document into its root element with the general parser only (what
/// [`parse`] does with any document outside the scanner's grammar).
pub fn parse_general(text: &str) -> Result<Element, CibError> {
    if text.len() > limits::MAX_DOCUMENT_BYTES {
        return Err(CibError::TooLarge(text.len()));
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: u32::MAX,
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        let pos = e.pos();
        CibError::Xml {
            line: pos.row,
            column: pos.col,
            message: e.to_string(),
        }
    })?;
    let mut lines = LineCounter {
        text,
        pos: 0,
        line: 1,
    };
    convert(&mut lines, doc.root_element(), 0)
}

/// Builds owned [`Element`]s from the scanner's output.
struct Owned;

impl<'a> crate::xml_scan::Build<'a> for Owned {
    type Node = Element;
    fn node(
        &mut self,
        name: &'a str,
        attrs: std::vec::Drain<'_, (&'a str, std::borrow::Cow<'a, str>)>,
        children: Vec<Element>,
        line: u32,
    ) -> Element {
        Element {
            name: name.to_string(),
            attrs: attrs
                .map(|(k, v)| (k.to_string(), v.into_owned()))
                .collect(),
            children,
            line,
        }
    }
}

/// Line numbers of increasing byte offsets, counted incrementally (elements are visited in
/// document order, so the whole parse counts each newline once).
struct LineCounter<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
}

impl LineCounter<'_> {
    /// The 1-based line of byte offset `at` (not before the previous offset asked for).
    fn line_at(&mut self, at: usize) -> u32 {
        let at = at.min(self.text.len());
        if at > self.pos {
            let newlines = self.text.as_bytes()[self.pos..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line = self
                .line
                .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
            self.pos = at;
        }
        self.line
    }
}

fn convert(
    lines: &mut LineCounter<'_>,
    node: roxmltree::Node<'_, '_>,
    depth: usize,
) -> Result<Element, CibError> {
    let line = lines.line_at(node.range().start);
    if depth >= limits::MAX_DEPTH {
        return Err(CibError::TooDeep {
            line,
            path: path_of(node),
        });
    }
    let mut el = Element {
        name: node.tag_name().name().to_string(),
        attrs: node
            .attributes()
            .map(|a| (a.name().to_string(), a.value().to_string()))
            .collect(),
        children: Vec::new(),
        line,
    };
    let mut elements = node.children().filter(|c| c.is_element()).peekable();
    if elements.peek().is_some() {
        el.children
            .reserve(node.children().filter(|c| c.is_element()).count());
        for child in elements {
            el.children.push(convert(lines, child, depth + 1)?);
        }
    }
    Ok(el)
}

/// `/a[@id='x']/b/...` from the root down to `node`, for error messages.
fn path_of(node: roxmltree::Node<'_, '_>) -> String {
    let mut parts: Vec<String> = node
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| match n.attribute("id") {
            Some(id) => format!("{}[@id='{id}']", n.tag_name().name()),
            None => n.tag_name().name().to_string(),
        })
        .collect();
    parts.reverse();
    let mut out = String::new();
    for p in parts {
        out.push('/');
        out.push_str(&p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reports_lines() {
        let el = parse("<a x=\"1\">\n  <b id=\"q&amp;\"/>\n</a>").expect("well-formed");
        assert_eq!(el.attr("x"), Some("1"));
        assert_eq!(el.children[0].line, 2);
        assert_eq!(el.children[0].id(), "q&");
        let again = parse(&el.to_xml()).expect("written XML parses");
        assert_eq!(again.children[0].id(), "q&");
    }

    #[test]
    fn malformed_xml_names_line() {
        match parse("<a>\n<b></a>") {
            Err(CibError::Xml { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected an XML error, got {other:?}"),
        }
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(matches!(parse(&text), Err(CibError::TooDeep { .. })));
    }
}
