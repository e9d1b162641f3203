//! The Tandem daemon: one per node, wiring messaging, quorum, CIB, controller and executor.

fn main() -> std::process::ExitCode {
    eprintln!("tandemd: the daemon is not built yet (see issue 5)");
    std::process::ExitCode::from(2)
}
