//! A scanner for the XML that [`crate::xml::Element::write`] and Tandem's message encoder
//! produce: elements, double-quoted attribute values with the writer's five escapes, and
//! whitespace between elements.
//!
//! Every node reads every group message, and the tools read CIBs of megabytes (crm_mon at a
//! thousand resources reads 2.4 MB per refresh); a general parser builds a document tree
//! first and costs most of that. The scanner reads the narrow grammar in one pass, builds
//! the caller's nodes directly, and answers `None` for anything outside it (declarations,
//! comments, text, single quotes, other entities, names with prefixes, raw control
//! characters in values, too deep nesting, trailing content), which then goes to the general
//! parser. So it never accepts a document that the general parser reads differently; the
//! differential tests in `tests/xml_scan.rs` hold it to that.

use std::borrow::Cow;

/// What the scanner builds from each element, children first (the element's own node is
/// made once its end tag is read).
pub trait Build<'a> {
    /// One element's node.
    type Node;
    /// The node for element `name` on 1-based `line`, with its attributes in document order
    /// (values unescaped) and its children's nodes.
    fn node(
        &mut self,
        name: &'a str,
        attrs: std::vec::Drain<'_, (&'a str, Cow<'a, str>)>,
        children: Vec<Self::Node>,
        line: u32,
    ) -> Self::Node;
}

/// One scanned element that borrows from the text where it can.
#[derive(Debug)]
pub struct ScanElement<'a> {
    /// Tag name.
    pub name: &'a str,
    /// Attributes in document order, values unescaped.
    pub attrs: Vec<(&'a str, Cow<'a, str>)>,
    /// Child elements.
    pub children: Vec<ScanElement<'a>>,
    /// 1-based line of the element's `<`.
    pub line: u32,
}

impl ScanElement<'_> {
    /// The value of attribute `key`.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_ref())
    }
}

/// Builds [`ScanElement`]s.
struct Borrowed;

impl<'a> Build<'a> for Borrowed {
    type Node = ScanElement<'a>;
    fn node(
        &mut self,
        name: &'a str,
        attrs: std::vec::Drain<'_, (&'a str, Cow<'a, str>)>,
        children: Vec<ScanElement<'a>>,
        line: u32,
    ) -> ScanElement<'a> {
        ScanElement {
            name,
            attrs: attrs.collect(),
            children,
            line,
        }
    }
}

/// Scans `text` (one root element, surrounding whitespace allowed) into borrowed elements,
/// `max_depth` levels below the root at most; `None` when the text is outside the grammar.
pub fn scan(text: &str, max_depth: usize) -> Option<ScanElement<'_>> {
    scan_with(text, max_depth, &mut Borrowed)
}

/// Scans `text` as [`scan`] does, building nodes with `build`.
pub fn scan_with<'a, B: Build<'a>>(
    text: &'a str,
    max_depth: usize,
    build: &mut B,
) -> Option<B::Node> {
    let mut s = Scanner {
        text,
        pos: 0,
        line: 1,
        max_depth,
        scratch: Vec::new(),
    };
    s.skip_ws();
    let root = s.element(0, build)?;
    s.skip_ws();
    (s.pos == text.len()).then_some(root)
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    /// 1-based line at `pos` (line breaks only occur in the whitespace between markup).
    line: u32,
    max_depth: usize,
    /// Attributes of the elements still open, innermost last.
    scratch: Vec<(&'a str, Cow<'a, str>)>,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Skips XML whitespace, counting line breaks; true when there was some.
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b'\n') => {
                    self.line = self.line.saturating_add(1);
                    self.pos += 1;
                }
                Some(b' ' | b'\t') => self.pos += 1,
                // A lone CR is a line break to XML parsers; CR LF counts once, at the LF.
                Some(b'\r') if self.text.as_bytes().get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 1
                }
                _ => break,
            }
        }
        self.pos > start
    }

    /// A name of ASCII letters, digits, `-`, `_` and `.`, starting with a letter or `_`, and
    /// not starting with `xml` (reserved; namespace declarations).
    fn name(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        while bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            self.pos += 1;
        }
        let name = &self.text[start..self.pos];
        let first = name.bytes().next()?;
        if !(first.is_ascii_alphabetic() || first == b'_')
            || name.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("xml"))
        {
            return None;
        }
        Some(name)
    }

    /// An attribute value after its opening `"`, through the closing one.
    fn value(&mut self) -> Option<Cow<'a, str>> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut copied = start;
        loop {
            let b = *bytes.get(self.pos)?;
            match b {
                b'"' => {
                    let tail = &self.text[copied..self.pos];
                    self.pos += 1;
                    return Some(match owned {
                        None => Cow::Borrowed(&self.text[start..self.pos - 1]),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                b'&' => {
                    let rest = &bytes[self.pos..];
                    let (ch, len) = [
                        ("&amp;", '&'),
                        ("&lt;", '<'),
                        ("&gt;", '>'),
                        ("&quot;", '"'),
                        ("&apos;", '\''),
                        ("&#10;", '\n'),
                    ]
                    .iter()
                    .find(|(entity, _)| rest.starts_with(entity.as_bytes()))
                    .map(|(entity, ch)| (*ch, entity.len()))?;
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[copied..self.pos]);
                    s.push(ch);
                    self.pos += len;
                    copied = self.pos;
                }
                // `<` is not allowed in a value; control characters (tabs and line breaks are
                // normalised to spaces by XML parsers) and DEL go to the general parser.
                // Other UTF-8 (the text is a `str`) is kept as it is, as parsers do.
                b'<' | 0..=0x1f | 0x7f => return None,
                _ => self.pos += 1,
            }
        }
    }

    fn element<B: Build<'a>>(&mut self, depth: usize, build: &mut B) -> Option<B::Node> {
        if depth > self.max_depth {
            return None;
        }
        let line = self.line;
        self.eat(b'<')?;
        let name = self.name()?;
        let mark = self.scratch.len();
        loop {
            let spaced = self.skip_ws();
            match self.peek()? {
                b'/' => {
                    self.pos += 1;
                    self.eat(b'>')?;
                    return Some(build.node(name, self.scratch.drain(mark..), Vec::new(), line));
                }
                b'>' => {
                    self.pos += 1;
                    break;
                }
                _ if !spaced => return None,
                _ => {
                    let key = self.name()?;
                    self.skip_ws();
                    self.eat(b'=')?;
                    self.skip_ws();
                    self.eat(b'"')?;
                    let value = self.value()?;
                    if self.scratch[mark..].iter().any(|(k, _)| *k == key) {
                        return None;
                    }
                    self.scratch.push((key, value));
                }
            }
        }
        let mut children = Vec::new();
        loop {
            self.skip_ws();
            if self.text.as_bytes()[self.pos..].starts_with(b"</") {
                self.pos += 2;
                if self.name()? != name {
                    return None;
                }
                self.skip_ws();
                self.eat(b'>')?;
                return Some(build.node(name, self.scratch.drain(mark..), children, line));
            }
            if self.peek()? != b'<' {
                return None;
            }
            children.push(self.element(depth + 1, build)?);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_writers_write() {
        let text = "<tandem-msg v=\"1\" kind=\"batch\">\n  <tandem-msg kind=\"exec\" why=\"a&amp;b &lt;&gt; &quot;q&quot;&#10;x\">\n    <param name=\"n\" value=\"caf\u{e9}\"/>\n  </tandem-msg>\n</tandem-msg>\n";
        let root = scan(text, 2).expect("in the grammar");
        assert_eq!(root.name, "tandem-msg");
        assert_eq!(root.attr("kind"), Some("batch"));
        assert_eq!(root.line, 1);
        let exec = &root.children[0];
        assert_eq!(exec.attr("why"), Some("a&b <> \"q\"\nx"));
        assert_eq!(exec.line, 2);
        assert_eq!(exec.children[0].attr("name"), Some("n"));
        assert_eq!(exec.children[0].attr("value"), Some("caf\u{e9}"));
        assert_eq!(exec.children[0].line, 3);
        assert!(scan(text, 1).is_none(), "deeper than allowed");
    }

    #[test]
    fn anything_else_is_left_to_the_general_parser() {
        for text in [
            "",
            "<a>text</a>",
            "<a><!-- c --></a>",
            "<?xml version=\"1.0\"?><a/>",
            "<a b='1'/>",
            "<a b=\"1\"c=\"2\"/>",
            "<a b=\"1\" b=\"2\"/>",
            "<a b=\"&foo;\"/>",
            "<a b=\"&#x41;\"/>",
            "<a b=\"tab\there\"/>",
            "<a b=\"del\u{7f}\"/>",
            "<a b=\"<\"/>",
            "<a:b/>",
            "<a xmlns=\"u\"/>",
            "<a><b></c></a>",
            "<a><b><c><d/></c></b></a>",
            "<a/><b/>",
            "<a",
            "<a b=\"1",
            "<1a/>",
            "<a></a",
            "<a>\r</a>",
        ] {
            assert!(scan(text, 2).is_none(), "{text:?} was scanned");
        }
    }
}
