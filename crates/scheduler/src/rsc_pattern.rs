//! Location constraints naming their resources by `rsc-pattern`: an extended regular
//! expression over resource ids, or with a leading `!`, the ids it does not match.

use crate::cluster::Cluster;
use regex_automata::meta::Regex;

/// The compiled expression of `pattern` and whether it is inverted (leading `!`), or why it
/// does not compile.
fn compile(pattern: &str) -> Result<(Regex, bool), String> {
    let (invert, expr) = match pattern.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    Regex::new(expr)
        .map(|re| (re, invert))
        .map_err(|e| e.to_string())
}

/// Why `pattern` is not a valid `rsc-pattern`, or `None` when it is.
pub fn invalid(pattern: &str) -> Option<String> {
    compile(pattern).err()
}

/// The ids of the top-level resources `pattern` selects, in configuration order; none when the
/// expression does not compile (`crm_verify` reports that, see [`invalid`]).
pub(crate) fn matching(c: &Cluster, pattern: &str) -> Vec<String> {
    let Ok((re, invert)) = compile(pattern) else {
        return Vec::new();
    };
    c.rscs
        .iter()
        .filter(|r| r.parent.is_none())
        .filter(|r| re.is_match(r.id.as_str()) != invert)
        .map(|r| r.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_patterns_are_named_valid_ones_pass() {
        assert!(invalid("^web-[0-9]+$").is_none());
        assert!(invalid("!^db").is_none());
        assert!(invalid("web-(").is_some());
        assert!(invalid("![").is_some());
    }
}
