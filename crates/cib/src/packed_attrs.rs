//! An element's attributes packed into one string: one allocation instead of two per
//! attribute, for the many history records of large status sections.

/// Name/value pairs in document order, stored as `name NUL value NUL ...` (XML text
/// cannot contain NUL).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackedAttrs {
    text: String,
}

impl PackedAttrs {
    /// Packs `pairs`; a NUL inside a name or value (impossible in parsed XML) is dropped.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> PackedAttrs {
        let mut text = String::new();
        for (k, v) in pairs {
            for part in [k, v] {
                if part.contains('\0') {
                    text.extend(part.chars().filter(|&c| c != '\0'));
                } else {
                    text.push_str(part);
                }
                text.push('\0');
            }
        }
        text.shrink_to_fit();
        PackedAttrs { text }
    }

    /// The pairs in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let mut parts = self.text.split('\0');
        std::iter::from_fn(move || {
            let k = parts.next()?;
            let v = parts.next()?;
            Some((k, v))
        })
    }

    /// The value of the first attribute named `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        let b = self.text.as_bytes();
        let want = key.as_bytes();
        let nul = |from: usize| {
            b.get(from..)?
                .iter()
                .position(|&x| x == 0)
                .map(|i| from + i)
        };
        let mut pos = 0;
        while pos < b.len() {
            let key_end = nul(pos)?;
            let value_end = nul(key_end + 1)?;
            if b.get(pos..key_end) == Some(want) {
                return self.text.get(key_end + 1..value_end);
            }
            pos = value_end + 1;
        }
        None
    }

    /// The values of the first attributes named like each of `keys`, in one pass.
    pub fn get_all<const N: usize>(&self, keys: [&str; N]) -> [Option<&str>; N] {
        let mut out = [None; N];
        let mut missing = N;
        let mut pairs = self.iter();
        while missing > 0 {
            let Some((k, v)) = pairs.next() else { break };
            for (slot, want) in out.iter_mut().zip(keys) {
                if slot.is_none() && k == want {
                    *slot = Some(v);
                    missing -= 1;
                }
            }
        }
        out
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_finds_pairs_in_order() {
        let p = PackedAttrs::new([("id", "x"), ("empty", ""), ("op-digest", "abc")]);
        assert_eq!(p.get("id"), Some("x"));
        assert_eq!(p.get("empty"), Some(""));
        assert_eq!(p.get("op-digest"), Some("abc"));
        assert_eq!(p.get("missing"), None);
        let all: Vec<_> = p.iter().collect();
        assert_eq!(all, vec![("id", "x"), ("empty", ""), ("op-digest", "abc")]);
        assert_eq!(
            p.get_all(["op-digest", "nope", "id"]),
            [Some("abc"), None, Some("x")]
        );
        assert!(PackedAttrs::new([]).is_empty());
        assert_eq!(PackedAttrs::default().iter().count(), 0);
    }
}
