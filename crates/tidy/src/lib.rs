//! Repository hygiene rules checked as tests: the IO ban on pure crates, test attributes.
