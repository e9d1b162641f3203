//! The transient attributes in which a node records a resource's failures:
//! `fail-count-RSC[#OP_INTERVAL]` and `last-failure-RSC[#OP_INTERVAL]`.

/// Which failure attribute a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureAttr {
    /// `fail-count-…`: how many times it failed.
    Count,
    /// `last-failure-…`: when it last failed (seconds since the epoch).
    LastFailure,
}

/// The kind of failure attribute `name` is and the resource it is about (the part before
/// any `#OP_INTERVAL`); `None` for any other attribute.
pub fn failure_attr(name: &str) -> Option<(FailureAttr, &str)> {
    let (kind, rest) = if let Some(rest) = name.strip_prefix("fail-count-") {
        (FailureAttr::Count, rest)
    } else {
        (
            FailureAttr::LastFailure,
            name.strip_prefix("last-failure-")?,
        )
    };
    Some((kind, rest.split('#').next().unwrap_or(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_kind_and_the_resource() {
        assert_eq!(
            failure_attr("fail-count-db"),
            Some((FailureAttr::Count, "db"))
        );
        assert_eq!(
            failure_attr("fail-count-db:1#monitor_10000"),
            Some((FailureAttr::Count, "db:1"))
        );
        assert_eq!(
            failure_attr("last-failure-web#start_0"),
            Some((FailureAttr::LastFailure, "web"))
        );
        assert_eq!(failure_attr("master-db"), None);
        assert_eq!(failure_attr("probe_complete"), None);
    }
}
