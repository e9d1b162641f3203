//! Location constraints naming their resources by `rsc-pattern`: an extended regular
//! expression over resource ids, or with a leading `!`, the ids it does not match.

use crate::cluster::Cluster;
use regex_automata::meta::Regex;

/// The ids of the top-level resources `pattern` selects, in configuration order; none when the
/// expression does not compile.
pub(crate) fn matching(c: &Cluster, pattern: &str) -> Vec<String> {
    let (invert, expr) = match pattern.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let Ok(re) = Regex::new(expr) else {
        return Vec::new();
    };
    c.rscs
        .iter()
        .filter(|r| r.parent.is_none())
        .filter(|r| re.is_match(r.id.as_str()) != invert)
        .map(|r| r.id.clone())
        .collect()
}
