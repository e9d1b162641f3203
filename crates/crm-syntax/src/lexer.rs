//! Splits a configuration text into statements of words, with crmsh's quoting rules.
//!
//! A statement ends at an unquoted newline; a backslash before the newline continues it.
//! Lines whose first word starts with `#` are comments. Words are separated by blanks;
//! double quotes keep blanks and honour `\"` and `\\`; single quotes keep everything;
//! quotes may appear inside a word (`name="a b"` is the one word `name=a b`).

use crate::error::ParseError;
use crate::limits;

/// One word of a statement and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes removed.
    pub text: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// The words of one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawStatement {
    /// Line of the first word.
    pub line: usize,
    /// The words, in order (never empty).
    pub words: Vec<Word>,
}

/// Splits `text` into statements.
pub fn split(text: &str, source_name: &str) -> Result<Vec<RawStatement>, ParseError> {
    let err = |line: usize, column: usize, word: &str, message: &str| ParseError {
        source_name: source_name.to_string(),
        line,
        column,
        word: word.to_string(),
        message: message.to_string(),
    };
    if text.len() > limits::MAX_TEXT_BYTES {
        return Err(err(
            1,
            1,
            "",
            &format!("text is larger than {} bytes", limits::MAX_TEXT_BYTES),
        ));
    }
    let mut out: Vec<RawStatement> = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut chars = text.chars().peekable();
    let (mut line, mut col) = (1usize, 1usize);
    // Advances one character, tracking the position.
    macro_rules! bump {
        () => {{
            let c = chars.next();
            if c == Some('\n') {
                line += 1;
                col = 1;
            } else if c.is_some() {
                col += 1;
            }
            c
        }};
    }
    loop {
        // Skip blanks and continuations between words.
        loop {
            match chars.peek() {
                Some(' ') | Some('\t') | Some('\r') => {
                    bump!();
                }
                Some('\\') => {
                    let mut look = chars.clone();
                    look.next();
                    let rest = look.clone();
                    // A backslash followed by optional blanks then a newline continues.
                    let mut cont = false;
                    for c in rest {
                        match c {
                            ' ' | '\t' | '\r' => continue,
                            '\n' => cont = true,
                            _ => {}
                        }
                        break;
                    }
                    if look.peek().is_none() {
                        cont = true;
                    }
                    if !cont {
                        break;
                    }
                    while let Some(c) = bump!() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                _ => break,
            }
        }
        match chars.peek() {
            None => {
                finish(&mut out, &mut words);
                break;
            }
            Some('\n') => {
                bump!();
                finish(&mut out, &mut words);
                if out.len() > limits::MAX_STATEMENTS {
                    return Err(err(line, 1, "", "too many statements"));
                }
                continue;
            }
            Some('#') if words.is_empty() => {
                // A comment line.
                while let Some(c) = chars.peek() {
                    if *c == '\n' {
                        break;
                    }
                    bump!();
                }
                continue;
            }
            _ => {}
        }
        // Read one word.
        let (wline, wcol) = (line, col);
        let mut text_word = String::new();
        loop {
            match chars.peek().copied() {
                None | Some(' ') | Some('\t') | Some('\r') | Some('\n') => break,
                Some('"') => {
                    bump!();
                    loop {
                        match bump!() {
                            None => {
                                return Err(err(
                                    wline,
                                    wcol,
                                    &text_word,
                                    "unterminated double quote",
                                ))
                            }
                            Some('"') => break,
                            Some('\\') => match chars.peek().copied() {
                                Some(c @ ('"' | '\\')) => {
                                    bump!();
                                    text_word.push(c);
                                }
                                Some('\n') => {
                                    bump!();
                                }
                                _ => text_word.push('\\'),
                            },
                            Some(c) => text_word.push(c),
                        }
                    }
                }
                Some('\'') => {
                    bump!();
                    loop {
                        match bump!() {
                            None => {
                                return Err(err(
                                    wline,
                                    wcol,
                                    &text_word,
                                    "unterminated single quote",
                                ))
                            }
                            Some('\'') => break,
                            Some(c) => text_word.push(c),
                        }
                    }
                }
                Some('\\') => {
                    bump!();
                    match chars.peek().copied() {
                        None => break,
                        Some('\n') => {
                            bump!();
                            break;
                        }
                        Some(c) => {
                            bump!();
                            text_word.push(c);
                        }
                    }
                }
                Some(c) => {
                    bump!();
                    text_word.push(c);
                }
            }
            if text_word.len() > limits::MAX_WORD_BYTES {
                return Err(err(wline, wcol, "", "word is too long"));
            }
        }
        words.push(Word {
            text: text_word,
            line: wline,
            column: wcol,
        });
        if words.len() > limits::MAX_WORDS_PER_STATEMENT {
            return Err(err(wline, wcol, "", "statement has too many words"));
        }
    }
    Ok(out)
}

fn finish(out: &mut Vec<RawStatement>, words: &mut Vec<Word>) {
    if let Some(first) = words.first() {
        out.push(RawStatement {
            line: first.line,
            words: std::mem::take(words),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<Vec<String>> {
        split(s, "t")
            .unwrap()
            .into_iter()
            .map(|st| st.words.into_iter().map(|w| w.text).collect())
            .collect()
    }

    #[test]
    fn continuation_quotes_and_comments() {
        let t =
            "# c\nprimitive p \\\n  params a=\"x y\" b='q \"r' c=\"s\\\"t\"\n\n  # x\ngroup g p\n";
        assert_eq!(
            texts(t),
            vec![
                vec!["primitive", "p", "params", "a=x y", "b=q \"r", "c=s\"t"],
                vec!["group", "g", "p"],
            ]
        );
    }

    #[test]
    fn hash_inside_statement_is_a_word() {
        assert_eq!(
            texts("location l r rule 1: #uname eq n"),
            vec![vec![
                "location", "l", "r", "rule", "1:", "#uname", "eq", "n"
            ]]
        );
    }

    #[test]
    fn unterminated_quote_names_place() {
        let e = split("\nproperty a=\"b\n", "f.crm").unwrap_err();
        assert_eq!((e.line, e.column), (2, 10));
        assert!(e.message.contains("unterminated"));
    }
}
