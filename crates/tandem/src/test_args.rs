//! Argument vectors for the command-line parsers' unit tests.

/// The words as the owned argument list a parser receives.
pub fn s(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}
