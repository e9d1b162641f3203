//! Exit codes shared by every tool, following Pacemaker's CLI conventions.

/// Generic error (Pacemaker's CRM_EX_ERROR).
pub const ERROR: u8 = 1;
/// Command-line usage error (Pacemaker's CRM_EX_USAGE).
pub const USAGE: u8 = 64;

/// True when the error is a closed stdout (`tandem ... | head`), which is not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
