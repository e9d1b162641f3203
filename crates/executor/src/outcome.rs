//! What an operation produced: OCF result code, execution status and the agent's output.

use std::fmt;
use std::time::Duration;

/// An OCF result code, as Pacemaker records it for every class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OcfCode {
    /// 0: success (or, for monitor, running).
    Success,
    /// 1: generic error.
    ErrGeneric,
    /// 2: invalid arguments.
    ErrArgs,
    /// 3: action not implemented.
    ErrUnimplemented,
    /// 4: insufficient privileges.
    ErrPerm,
    /// 5: required software not installed.
    ErrInstalled,
    /// 6: configuration invalid.
    ErrConfigured,
    /// 7: cleanly not running.
    NotRunning,
    /// 8: running in the promoted role.
    RunningPromoted,
    /// 9: failed in the promoted role.
    FailedPromoted,
    /// 190: running but degraded.
    Degraded,
    /// 191: promoted but degraded.
    DegradedPromoted,
}

impl OcfCode {
    /// The code for an OCF agent's exit status; unknown statuses are generic errors.
    pub fn from_exit(status: i32) -> OcfCode {
        match status {
            0 => OcfCode::Success,
            2 => OcfCode::ErrArgs,
            3 => OcfCode::ErrUnimplemented,
            4 => OcfCode::ErrPerm,
            5 => OcfCode::ErrInstalled,
            6 => OcfCode::ErrConfigured,
            7 => OcfCode::NotRunning,
            8 => OcfCode::RunningPromoted,
            9 => OcfCode::FailedPromoted,
            190 => OcfCode::Degraded,
            191 => OcfCode::DegradedPromoted,
            _ => OcfCode::ErrGeneric,
        }
    }

    /// The numeric code.
    pub fn code(self) -> i32 {
        match self {
            OcfCode::Success => 0,
            OcfCode::ErrGeneric => 1,
            OcfCode::ErrArgs => 2,
            OcfCode::ErrUnimplemented => 3,
            OcfCode::ErrPerm => 4,
            OcfCode::ErrInstalled => 5,
            OcfCode::ErrConfigured => 6,
            OcfCode::NotRunning => 7,
            OcfCode::RunningPromoted => 8,
            OcfCode::FailedPromoted => 9,
            OcfCode::Degraded => 190,
            OcfCode::DegradedPromoted => 191,
        }
    }

    /// The OCF alias (`OCF_SUCCESS`, ...).
    pub fn name(self) -> &'static str {
        match self {
            OcfCode::Success => "OCF_SUCCESS",
            OcfCode::ErrGeneric => "OCF_ERR_GENERIC",
            OcfCode::ErrArgs => "OCF_ERR_ARGS",
            OcfCode::ErrUnimplemented => "OCF_ERR_UNIMPLEMENTED",
            OcfCode::ErrPerm => "OCF_ERR_PERM",
            OcfCode::ErrInstalled => "OCF_ERR_INSTALLED",
            OcfCode::ErrConfigured => "OCF_ERR_CONFIGURED",
            OcfCode::NotRunning => "OCF_NOT_RUNNING",
            OcfCode::RunningPromoted => "OCF_RUNNING_PROMOTED",
            OcfCode::FailedPromoted => "OCF_FAILED_PROMOTED",
            OcfCode::Degraded => "OCF_DEGRADED",
            OcfCode::DegradedPromoted => "OCF_DEGRADED_PROMOTED",
        }
    }

    /// The LSB mapping for the `status` action: 0 running, 1–3 not running, anything else an error.
    pub fn from_lsb_status(status: i32) -> OcfCode {
        match status {
            0 => OcfCode::Success,
            1..=3 => OcfCode::NotRunning,
            _ => OcfCode::ErrGeneric,
        }
    }

    /// The LSB mapping for actions other than `status`: 0–7 as in OCF, anything else an error.
    pub fn from_lsb_action(status: i32) -> OcfCode {
        match status {
            0..=7 => OcfCode::from_exit(status),
            _ => OcfCode::ErrGeneric,
        }
    }
}

impl fmt::Display for OcfCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.name())
    }
}

/// How the execution itself went, apart from the agent's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecStatus {
    /// The agent ran and exited; its answer is the result code.
    Done,
    /// The operation was cancelled before it finished.
    Cancelled,
    /// The agent did not finish within its timeout and was killed.
    Timeout,
    /// The agent or the class cannot do this (e.g. systemd not running).
    NotSupported,
    /// The agent could not run properly (killed by a signal, exec failure, ...).
    Error,
    /// The agent is not installed.
    NotInstalled,
    /// The request was invalid for this agent (bad parameters per meta-data).
    Invalid,
}

impl ExecStatus {
    /// Short lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecStatus::Done => "done",
            ExecStatus::Cancelled => "cancelled",
            ExecStatus::Timeout => "timeout",
            ExecStatus::NotSupported => "not supported",
            ExecStatus::Error => "error",
            ExecStatus::NotInstalled => "not installed",
            ExecStatus::Invalid => "invalid",
        }
    }
}

impl fmt::Display for ExecStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bounded capture of one output stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    /// The first bytes the agent wrote, up to the capture bound.
    pub bytes: Vec<u8>,
    /// Bytes written beyond the bound and dropped.
    pub dropped: u64,
}

impl Captured {
    /// True when output was dropped.
    pub fn truncated(&self) -> bool {
        self.dropped > 0
    }

    /// The kept output as text, with a marker when output was dropped.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.bytes).into_owned();
        if self.truncated() {
            if !text.ends_with('\n') && !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&format!("[... {} more bytes dropped]\n", self.dropped));
        }
        text
    }
}

/// The full result of one operation run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpResult {
    /// The agent's answer, mapped to OCF.
    pub code: OcfCode,
    /// How the execution went.
    pub status: ExecStatus,
    /// The raw exit status, when the agent exited normally.
    pub exit_status: Option<i32>,
    /// The signal that ended the agent, when one did.
    pub signal: Option<i32>,
    /// A one-line reason: the agent's `ocf-exit-reason:` or the executor's explanation.
    pub exit_reason: Option<String>,
    /// Captured stdout.
    pub stdout: Captured,
    /// Captured stderr.
    pub stderr: Captured,
    /// Wall time from spawn to the end of the run.
    pub elapsed: Duration,
}

impl OpResult {
    /// A result for an operation that never ran.
    pub fn not_run(code: OcfCode, status: ExecStatus, reason: impl Into<String>) -> OpResult {
        OpResult {
            code,
            status,
            exit_status: None,
            signal: None,
            exit_reason: Some(reason.into()),
            stdout: Captured::default(),
            stderr: Captured::default(),
            elapsed: Duration::ZERO,
        }
    }

    /// True when the operation ran and the agent answered `expected`.
    pub fn is(&self, expected: OcfCode) -> bool {
        self.status == ExecStatus::Done && self.code == expected
    }

    /// A one-line summary: code, status and reason.
    pub fn summary(&self) -> String {
        let mut line = format!("rc={} status={}", self.code, self.status);
        if let Some(signal) = self.signal {
            line.push_str(&format!(" signal={signal}"));
        }
        if let Some(reason) = &self.exit_reason {
            line.push_str(&format!(" reason=\"{reason}\""));
        }
        line.push_str(&format!(" elapsed={}ms", self.elapsed.as_millis()));
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocf_codes_round_trip_and_unknown_is_generic() {
        for code in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191] {
            assert_eq!(OcfCode::from_exit(code).code(), code);
        }
        assert_eq!(OcfCode::from_exit(42), OcfCode::ErrGeneric);
        assert_eq!(OcfCode::from_exit(-1), OcfCode::ErrGeneric);
    }

    #[test]
    fn lsb_status_maps_as_pacemaker_documents() {
        assert_eq!(OcfCode::from_lsb_status(0), OcfCode::Success);
        assert_eq!(OcfCode::from_lsb_status(1), OcfCode::NotRunning);
        assert_eq!(OcfCode::from_lsb_status(2), OcfCode::NotRunning);
        assert_eq!(OcfCode::from_lsb_status(3), OcfCode::NotRunning);
        assert_eq!(OcfCode::from_lsb_status(4), OcfCode::ErrGeneric);
        assert_eq!(OcfCode::from_lsb_action(5), OcfCode::ErrInstalled);
        assert_eq!(OcfCode::from_lsb_action(150), OcfCode::ErrGeneric);
    }

    #[test]
    fn truncated_capture_carries_a_marker() {
        let captured = Captured {
            bytes: b"abc".to_vec(),
            dropped: 10,
        };
        assert_eq!(captured.text(), "abc\n[... 10 more bytes dropped]\n");
        assert_eq!(
            Captured {
                bytes: b"x\n".to_vec(),
                dropped: 0
            }
            .text(),
            "x\n"
        );
    }
}
