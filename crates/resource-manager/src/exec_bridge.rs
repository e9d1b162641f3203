//! Translation between the controller's operation requests/results and the executor's.

use std::time::Duration;

use controller::{ExecRequest, ExecResult};
use executor::{Action, AgentSpec, EventKind, ExecStatus, OpEvent, OpRequest};

/// The executor request for a controller request, or the result to report at once when it
/// cannot be expressed (unknown agent class or action).
pub fn to_op_request(req: &ExecRequest) -> Result<OpRequest, ExecResult> {
    let fail = |reason: String| ExecResult {
        handle: req.handle,
        rc: 2,
        op_status: 4,
        exit_reason: reason,
        exec_ms: 0,
        queue_ms: 0,
    };
    let spec_text = match &req.provider {
        Some(p) => format!("{}:{}:{}", req.class, p, req.kind),
        None => format!("{}:{}", req.class, req.kind),
    };
    let spec = AgentSpec::parse(&spec_text).map_err(|e| fail(format!("{spec_text}: {e}")))?;
    let action = Action::parse(&req.action).map_err(|e| fail(e.to_string()))?;
    let mut op = OpRequest::new(req.rsc.clone(), spec, action);
    for (name, value) in &req.params {
        match name.strip_prefix("CRM_meta_") {
            Some("timeout") | Some("interval") => {}
            Some(meta) => {
                op.meta.insert(meta.to_string(), value.clone());
            }
            None => {
                op.params.insert(name.clone(), value.clone());
            }
        }
    }
    if req.timeout_ms > 0 {
        op.timeout = Some(Duration::from_millis(req.timeout_ms));
    }
    op.interval = Duration::from_millis(req.interval_ms);
    op.target = req.fence_target.clone();
    Ok(op)
}

/// The op-status number Pacemaker records for an execution status.
pub fn op_status(status: ExecStatus) -> i32 {
    match status {
        ExecStatus::Done => 0,
        ExecStatus::Cancelled => 1,
        ExecStatus::Timeout => 2,
        ExecStatus::NotSupported => 3,
        ExecStatus::Error | ExecStatus::Invalid => 4,
        ExecStatus::NotInstalled => 7,
    }
}

/// The controller result for an executor event, or `None` for events the controller does
/// not need (unchanged recurring results, cancellations).
pub fn to_result(handle: u64, event: &OpEvent) -> Option<ExecResult> {
    match event.kind {
        EventKind::Completed | EventKind::FirstResult | EventKind::Changed => {}
        EventKind::Refresh | EventKind::Cancelled => return None,
    }
    let r = &event.result;
    Some(ExecResult {
        handle,
        rc: r.code.code(),
        op_status: op_status(r.status),
        exit_reason: r.exit_reason.clone().unwrap_or_default(),
        exec_ms: u64::try_from(r.elapsed.as_millis()).unwrap_or(u64::MAX),
        queue_ms: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_parameters_are_split_from_instance_parameters() {
        let req = ExecRequest {
            handle: 7,
            rsc: "d1".into(),
            class: "ocf".into(),
            provider: Some("heartbeat".into()),
            kind: "Dummy".into(),
            action: "monitor".into(),
            interval_ms: 10_000,
            timeout_ms: 20_000,
            params: vec![
                ("state".into(), "/tmp/x".into()),
                ("CRM_meta_clone_max".into(), "3".into()),
                ("CRM_meta_timeout".into(), "20000".into()),
            ],
            fence_target: None,
        };
        let op = to_op_request(&req).expect("valid");
        assert_eq!(op.params.get("state").map(String::as_str), Some("/tmp/x"));
        assert_eq!(op.meta.get("clone_max").map(String::as_str), Some("3"));
        assert!(!op.meta.contains_key("timeout"));
        assert_eq!(op.interval, Duration::from_secs(10));
        assert_eq!(op.timeout, Some(Duration::from_secs(20)));
    }

    #[test]
    fn unknown_class_is_a_failed_result() {
        let req = ExecRequest {
            handle: 1,
            rsc: "x".into(),
            class: "nonsense".into(),
            provider: None,
            kind: "y".into(),
            action: "start".into(),
            interval_ms: 0,
            timeout_ms: 0,
            params: vec![],
            fence_target: None,
        };
        let r = to_op_request(&req).expect_err("unknown class");
        assert_eq!((r.handle, r.op_status), (1, 4));
    }
}
