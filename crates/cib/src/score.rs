//! Pacemaker scores: integers saturating at ±INFINITY (1,000,000).

use std::fmt;

/// A placement score; arithmetic saturates at ±[`Score::INFINITY`], and -INFINITY wins over +INFINITY.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Score(pub i64);

impl Score {
    /// The value Pacemaker calls INFINITY.
    pub const INFINITY: i64 = 1_000_000;
    /// +INFINITY.
    pub const POS_INF: Score = Score(Self::INFINITY);
    /// -INFINITY.
    pub const NEG_INF: Score = Score(-Self::INFINITY);
    /// Zero.
    pub const ZERO: Score = Score(0);

    /// Parses `INFINITY`, `+INFINITY`, `-INFINITY` or an integer (clamped); `None` when not a score.
    pub fn parse(text: &str) -> Option<Score> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "infinity" | "+infinity" => return Some(Self::POS_INF),
            "-infinity" => return Some(Self::NEG_INF),
            _ => {}
        }
        // Pacemaker reads the leading integer and ignores trailing text.
        let bytes = t.as_bytes();
        let mut end = 0;
        if end < bytes.len() && (bytes[end] == b'-' || bytes[end] == b'+') {
            end += 1;
        }
        let digits_start = end;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if end == digits_start {
            return None;
        }
        let v: i128 = t[..end].parse().ok()?;
        Some(Score(
            v.clamp(-(Self::INFINITY as i128), Self::INFINITY as i128) as i64,
        ))
    }

    /// Saturating addition with Pacemaker's rule that -INFINITY dominates.
    pub fn plus(self, other: Score) -> Score {
        if self.0 <= -Self::INFINITY || other.0 <= -Self::INFINITY {
            return Self::NEG_INF;
        }
        if self.0 >= Self::INFINITY || other.0 >= Self::INFINITY {
            return Self::POS_INF;
        }
        Score((self.0 + other.0).clamp(-Self::INFINITY, Self::INFINITY))
    }

    /// True for +INFINITY.
    pub fn is_pos_inf(self) -> bool {
        self.0 >= Self::INFINITY
    }

    /// True for -INFINITY.
    pub fn is_neg_inf(self) -> bool {
        self.0 <= -Self::INFINITY
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_pos_inf() {
            write!(f, "INFINITY")
        } else if self.is_neg_inf() {
            write!(f, "-INFINITY")
        } else {
            write!(f, "{}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_saturates() {
        assert_eq!(Score::parse("INFINITY"), Some(Score::POS_INF));
        assert_eq!(Score::parse("-infinity"), Some(Score::NEG_INF));
        assert_eq!(Score::parse("42"), Some(Score(42)));
        assert_eq!(Score::parse("99999999"), Some(Score::POS_INF));
        assert_eq!(Score::parse("abc"), None);
        assert_eq!(Score::POS_INF.plus(Score::NEG_INF), Score::NEG_INF);
        assert_eq!(Score(5).plus(Score(-7)), Score(-2));
    }
}
