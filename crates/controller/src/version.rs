//! CIB versions: (admin_epoch, epoch, num_updates), compared in that order.

use cib::xml::Element;

/// A CIB version; the newest copy of the CIB is the one with the largest version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CibVersion {
    /// Bumped only by administrators.
    pub admin_epoch: u64,
    /// Bumped on every configuration change.
    pub epoch: u64,
    /// Bumped on every status change; reset when epoch moves.
    pub num_updates: u64,
}

impl CibVersion {
    /// The version recorded on a `<cib>` element (missing or malformed numbers read as 0).
    pub fn of(root: &Element) -> CibVersion {
        let n = |k: &str| {
            root.attr(k)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        CibVersion {
            admin_epoch: n("admin_epoch"),
            epoch: n("epoch"),
            num_updates: n("num_updates"),
        }
    }

    /// Writes this version onto a `<cib>` element.
    pub fn write(self, root: &mut Element) {
        root.set_attr("admin_epoch", &self.admin_epoch.to_string());
        root.set_attr("epoch", &self.epoch.to_string());
        root.set_attr("num_updates", &self.num_updates.to_string());
    }

    /// `admin_epoch.epoch.num_updates`, as Pacemaker logs it.
    pub fn dotted(self) -> String {
        format!("{}.{}.{}", self.admin_epoch, self.epoch, self.num_updates)
    }

    /// Parses the dotted form.
    pub fn parse(text: &str) -> Option<CibVersion> {
        let mut it = text.split('.').map(|p| p.parse::<u64>().ok());
        let v = CibVersion {
            admin_epoch: it.next()??,
            epoch: it.next()??,
            num_updates: it.next()??,
        };
        it.next().is_none().then_some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_epoch_dominates_then_epoch_then_updates() {
        let v = |a, e, n| CibVersion {
            admin_epoch: a,
            epoch: e,
            num_updates: n,
        };
        assert!(v(1, 0, 0) > v(0, 99, 99));
        assert!(v(0, 2, 0) > v(0, 1, 50));
        assert!(v(0, 2, 3) > v(0, 2, 2));
        assert_eq!(CibVersion::parse("0.2.3"), Some(v(0, 2, 3)));
        assert_eq!(CibVersion::parse("0.2"), None);
        assert_eq!(CibVersion::parse(&v(4, 5, 6).dotted()), Some(v(4, 5, 6)));
    }
}
