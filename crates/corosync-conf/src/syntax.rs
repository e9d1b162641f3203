//! The untyped syntax tree of corosync.conf: sections holding `key: value`
//! pairs and nested sections, each remembering its line.

use crate::error::ConfError;
use crate::limits;

/// One `key: value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// Key, trimmed.
    pub key: String,
    /// Value, trimmed; quotes and trailing `#` text are kept, as corosync does.
    pub value: String,
    /// 1-based line number.
    pub line: usize,
}

/// One `name { ... }` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Section name (`totem`, `interface`, ...); empty for the file's top level.
    pub name: String,
    /// 1-based line of the opening brace (0 for the top level).
    pub line: usize,
    /// Contents in file order.
    pub items: Vec<Item>,
}

/// One entry of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A `key: value` pair.
    Pair(Pair),
    /// A nested section.
    Section(Section),
}

/// Parses corosync.conf text into its top-level section. `file` is used only
/// in error messages.
pub fn parse_tree(text: &str, file: &str) -> Result<Section, ConfError> {
    let err = |line: usize, message: &str| ConfError::Syntax {
        file: file.to_string(),
        line,
        message: message.to_string(),
    };
    if text.len() > limits::MAX_TEXT_BYTES {
        return Err(err(0, "file is larger than the 1 MiB limit"));
    }
    let mut stack = vec![Section {
        name: String::new(),
        line: 0,
        items: Vec::new(),
    }];
    let mut last_line = 0;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        last_line = line_no;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_suffix('{') {
            let name = name.trim();
            if name.is_empty() || name.contains(char::is_whitespace) || name.contains(':') {
                return Err(err(
                    line_no,
                    "Line is not opening or closing section or key value",
                ));
            }
            if stack.len() > limits::MAX_SECTION_DEPTH {
                return Err(err(line_no, "sections are nested too deeply"));
            }
            stack.push(Section {
                name: name.to_string(),
                line: line_no,
                items: Vec::new(),
            });
            continue;
        }
        if line == "}" {
            if stack.len() == 1 {
                return Err(err(line_no, "Unexpected closing brace"));
            }
            if let Some(done) = stack.pop() {
                if let Some(parent) = stack.last_mut() {
                    parent.items.push(Item::Section(done));
                }
            }
            continue;
        }
        match line.split_once(':') {
            Some((key, value))
                if !key.trim().is_empty() && !key.trim().contains(char::is_whitespace) =>
            {
                if let Some(section) = stack.last_mut() {
                    section.items.push(Item::Pair(Pair {
                        key: key.trim().to_string(),
                        value: value.trim().to_string(),
                        line: line_no,
                    }));
                }
            }
            _ => {
                return Err(err(
                    line_no,
                    "Line is not opening or closing section or key value",
                ))
            }
        }
    }
    if stack.len() != 1 {
        return Err(err(last_line, "Missing closing brace"));
    }
    stack
        .pop()
        .ok_or_else(|| err(last_line, "internal: empty section stack"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_sections_and_pairs_keep_lines() {
        let tree = parse_tree(
            "# c\ntotem{\n version:2\n interface {\n  linknumber: 0\n }\n}\n",
            "f",
        )
        .unwrap();
        let Item::Section(totem) = &tree.items[0] else {
            panic!("not a section")
        };
        assert_eq!(totem.name, "totem");
        assert_eq!(totem.line, 2);
        assert_eq!(
            totem.items[0],
            Item::Pair(Pair {
                key: "version".into(),
                value: "2".into(),
                line: 3
            })
        );
        let Item::Section(iface) = &totem.items[1] else {
            panic!("not a section")
        };
        assert_eq!(iface.name, "interface");
        assert_eq!(iface.line, 4);
    }

    #[test]
    fn equals_sign_is_rejected_with_line() {
        let e = parse_tree("totem {\n token = 3000\n}\n", "a.conf").unwrap_err();
        assert_eq!(
            e.to_string(),
            "parser error: a.conf:2: Line is not opening or closing section or key value"
        );
    }

    #[test]
    fn unbalanced_braces_are_reported() {
        let e = parse_tree("totem {\n version: 2\n", "a.conf").unwrap_err();
        assert!(
            e.to_string().contains("a.conf:2: Missing closing brace"),
            "{e}"
        );
        let e = parse_tree("}\n", "a.conf").unwrap_err();
        assert!(
            e.to_string().contains("a.conf:1: Unexpected closing brace"),
            "{e}"
        );
    }

    #[test]
    fn trailing_comment_and_quotes_are_kept_in_value() {
        let tree = parse_tree("a: 2 # c\nb: \"x\"\n", "f").unwrap();
        let values: Vec<_> = tree
            .items
            .iter()
            .map(|i| match i {
                Item::Pair(p) => p.value.clone(),
                Item::Section(_) => String::new(),
            })
            .collect();
        assert_eq!(values, ["2 # c", "\"x\""]);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = "a {\n".repeat(50);
        assert!(parse_tree(&text, "f").is_err());
    }
}
