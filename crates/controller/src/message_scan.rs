//! A scanner for the XML the message encoder writes: flat elements (a batch, its messages,
//! their parameters) whose attribute values are printable ASCII with the encoder's escapes.
//!
//! Every node decodes every group message, results and actions by the hundred in a bulk
//! start; a general parser (a document tree, then owned strings for every attribute) cost
//! most of that. The scanner borrows what it can from the text, and answers `None` for
//! anything outside its narrow grammar (comments, text, other quoting or escapes, names with
//! prefixes, non-ASCII values, deeper nesting), which then goes to the general parser, so it
//! never accepts a document the general parser would read differently.

use std::borrow::Cow;

/// Deepest element scanned: a batch (0), its messages (1), their parameters (2).
const MAX_DEPTH: usize = 2;

/// One scanned element: name, attributes (values unescaped) and child elements.
#[derive(Debug)]
pub(crate) struct ScanElement<'a> {
    pub(crate) name: &'a str,
    pub(crate) attrs: Vec<(&'a str, Cow<'a, str>)>,
    pub(crate) children: Vec<ScanElement<'a>>,
}

impl ScanElement<'_> {
    /// The value of attribute `key`.
    pub(crate) fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_ref())
    }
}

/// Scans `text` (one root element, surrounding whitespace allowed); `None` when the text is
/// not in the scanner's grammar.
pub(crate) fn scan(text: &str) -> Option<ScanElement<'_>> {
    let mut s = Scanner { text, pos: 0 };
    s.skip_ws();
    let root = s.element(0)?;
    s.skip_ws();
    (s.pos == text.len()).then_some(root)
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Skips XML whitespace; true when there was some.
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.pos += 1;
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
                // normalised to spaces by XML parsers) and non-ASCII go to the general parser.
                b'<' | 0..=0x1f | 0x7f..=0xff => return None,
                _ => self.pos += 1,
            }
        }
    }

    fn element(&mut self, depth: usize) -> Option<ScanElement<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.eat(b'<')?;
        let name = self.name()?;
        let mut attrs: Vec<(&'a str, Cow<'a, str>)> = Vec::new();
        loop {
            let spaced = self.skip_ws();
            match self.peek()? {
                b'/' => {
                    self.pos += 1;
                    self.eat(b'>')?;
                    return Some(ScanElement {
                        name,
                        attrs,
                        children: Vec::new(),
                    });
                }
                b'>' => {
                    self.pos += 1;
                    break;
                }
                _ if !spaced => return None,
                _ => {
                    let key = self.name()?;
                    self.eat(b'=')?;
                    self.eat(b'"')?;
                    let value = self.value()?;
                    if attrs.iter().any(|(k, _)| *k == key) {
                        return None;
                    }
                    attrs.push((key, value));
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
                return Some(ScanElement {
                    name,
                    attrs,
                    children,
                });
            }
            if self.peek()? != b'<' {
                return None;
            }
            children.push(self.element(depth + 1)?);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_encoder_writes() {
        let text = "<tandem-msg v=\"1\" kind=\"batch\">\n  <tandem-msg kind=\"exec\" why=\"a&amp;b &lt;&gt; &quot;q&quot;&#10;x\">\n    <param name=\"n\" value=\"\"/>\n  </tandem-msg>\n</tandem-msg>\n";
        let root = scan(text).expect("in the grammar");
        assert_eq!(root.name, "tandem-msg");
        assert_eq!(root.attr("kind"), Some("batch"));
        let exec = &root.children[0];
        assert_eq!(exec.attr("why"), Some("a&b <> \"q\"\nx"));
        assert_eq!(exec.children[0].attr("name"), Some("n"));
        assert_eq!(exec.children[0].attr("value"), Some(""));
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
            "<a b=\"caf\u{e9}\"/>",
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
        ] {
            assert!(scan(text).is_none(), "{text:?} was scanned");
        }
    }
}
