//! Walking a Pacemaker-style argument list: `-f VALUE`, `--flag VALUE` and `--flag=VALUE`.

/// A cursor over a tool's arguments that hands out flags and their values.
pub struct FlagWalker<'a> {
    args: &'a [String],
    next: usize,
    inline: Option<String>,
}

impl<'a> FlagWalker<'a> {
    /// A walker positioned before the first argument.
    pub fn new(args: &'a [String]) -> Self {
        FlagWalker {
            args,
            next: 0,
            inline: None,
        }
    }

    /// The next flag or word; a long flag's `=value` is kept for [`FlagWalker::value`].
    pub fn next_flag(&mut self) -> Option<String> {
        let arg = self.args.get(self.next)?;
        self.next += 1;
        match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                self.inline = Some(value.to_string());
                Some(flag.to_string())
            }
            _ => {
                self.inline = None;
                Some(arg.clone())
            }
        }
    }

    /// An optional value of the flag just returned: its `=value`, or else the next argument
    /// when that is not a flag.
    pub fn optional_value(&mut self) -> Option<String> {
        if let Some(value) = self.inline.take() {
            return Some(value);
        }
        let value = self.args.get(self.next).filter(|a| !a.starts_with('-'))?;
        self.next += 1;
        Some(value.clone())
    }

    /// The value of the flag just returned: its `=value`, or else the next argument.
    pub fn value(&mut self, flag: &str) -> Result<String, String> {
        if let Some(value) = self.inline.take() {
            return Ok(value);
        }
        let value = self
            .args
            .get(self.next)
            .cloned()
            .ok_or_else(|| format!("{flag} needs a value"))?;
        self.next += 1;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::FlagWalker;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn short_long_and_inline_values() {
        let args = strings(&["-n", "a", "--name=b", "--node", "c", "-Q"]);
        let mut walker = FlagWalker::new(&args);
        assert_eq!(walker.next_flag().as_deref(), Some("-n"));
        assert_eq!(walker.value("-n"), Ok("a".to_string()));
        assert_eq!(walker.next_flag().as_deref(), Some("--name"));
        assert_eq!(walker.value("--name"), Ok("b".to_string()));
        assert_eq!(walker.next_flag().as_deref(), Some("--node"));
        assert_eq!(walker.value("--node"), Ok("c".to_string()));
        assert_eq!(walker.next_flag().as_deref(), Some("-Q"));
        assert_eq!(walker.next_flag(), None);
    }

    #[test]
    fn missing_value_names_the_flag() {
        let args = strings(&["--scope"]);
        let mut walker = FlagWalker::new(&args);
        let flag = walker.next_flag().expect("one flag");
        assert_eq!(
            walker.value(&flag),
            Err("--scope needs a value".to_string())
        );
    }
}
