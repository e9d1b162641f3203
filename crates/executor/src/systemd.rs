//! systemd units through systemd's D-Bus API (org.freedesktop.systemd1): start, stop,
//! reload and status of one unit, waiting for the unit to settle within the timeout.

use std::time::{Duration, Instant};

use crate::dbus::{Arg, Connection, DbusError, Value};
use crate::outcome::{ExecStatus, OcfCode, OpResult};
use crate::spec::Action;

const DEST: &str = "org.freedesktop.systemd1";
const MANAGER_PATH: &str = "/org/freedesktop/systemd1";
const MANAGER: &str = "org.freedesktop.systemd1.Manager";
const UNIT: &str = "org.freedesktop.systemd1.Unit";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";
/// Time between two looks at a unit that is still changing state.
const POLL: Duration = Duration::from_millis(100);

/// The OCF code for a unit's `ActiveState` when asked for its status.
pub fn status_code(active_state: &str) -> OcfCode {
    match active_state {
        "active" | "reloading" | "activating" => OcfCode::Success,
        "inactive" | "deactivating" | "failed" => OcfCode::NotRunning,
        _ => OcfCode::ErrGeneric,
    }
}

/// True while a unit is between states.
fn settling(active_state: &str) -> bool {
    matches!(active_state, "activating" | "deactivating" | "reloading")
}

fn property(connection: &mut Connection, unit_path: &str, name: &str) -> Result<String, DbusError> {
    let values = connection.call(
        DEST,
        unit_path,
        PROPERTIES,
        "Get",
        &[Arg::Str(UNIT), Arg::Str(name)],
    )?;
    Ok(values
        .first()
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string())
}

fn result(code: OcfCode, status: ExecStatus, reason: Option<String>, started: Instant) -> OpResult {
    let mut result = OpResult::not_run(code, status, "");
    result.exit_reason = reason;
    result.exit_status = (status == ExecStatus::Done).then(|| code.code());
    result.elapsed = started.elapsed();
    result
}

/// Runs `action` on `unit` within `timeout`.
pub fn run(unit: &str, action: Action, timeout: Duration) -> OpResult {
    let started = Instant::now();
    match run_inner(unit, action, timeout, started) {
        Ok(result) => result,
        Err(DbusError::Io(error))
            if matches!(
                error.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            result(
                OcfCode::ErrGeneric,
                ExecStatus::Timeout,
                Some(format!(
                    "systemd did not answer for {unit} within {}ms",
                    timeout.as_millis()
                )),
                started,
            )
        }
        Err(error) => result(
            OcfCode::ErrGeneric,
            ExecStatus::Error,
            Some(format!("systemd {action} {unit}: {error}")),
            started,
        ),
    }
}

fn run_inner(
    unit: &str,
    action: Action,
    timeout: Duration,
    started: Instant,
) -> Result<OpResult, DbusError> {
    let deadline = started + timeout;
    let mut connection = Connection::system(timeout)?;
    let loaded = connection.call(DEST, MANAGER_PATH, MANAGER, "LoadUnit", &[Arg::Str(unit)])?;
    let unit_path = loaded
        .first()
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if property(&mut connection, &unit_path, "LoadState")? == "not-found" {
        return Ok(result(
            OcfCode::ErrInstalled,
            ExecStatus::NotInstalled,
            Some(format!("systemd unit {unit} not found")),
            started,
        ));
    }
    let method = match action {
        Action::Start => Some("StartUnit"),
        Action::Stop => Some("StopUnit"),
        Action::Reload => Some("ReloadOrRestartUnit"),
        _ => None,
    };
    if let Some(method) = method {
        connection.call(
            DEST,
            MANAGER_PATH,
            MANAGER,
            method,
            &[Arg::Str(unit), Arg::Str("replace")],
        )?;
    }
    loop {
        let state = property(&mut connection, &unit_path, "ActiveState")?;
        if !settling(&state) || method.is_none() {
            let code = match action {
                Action::Stop if matches!(state.as_str(), "inactive" | "failed") => OcfCode::Success,
                Action::Stop => OcfCode::ErrGeneric,
                Action::Start | Action::Reload if state == "active" => OcfCode::Success,
                Action::Start | Action::Reload => OcfCode::ErrGeneric,
                _ => status_code(&state),
            };
            let reason = (code != OcfCode::Success && code != OcfCode::NotRunning)
                .then(|| format!("unit {unit} is {state}"));
            return Ok(result(code, ExecStatus::Done, reason, started));
        }
        if Instant::now() + POLL >= deadline {
            return Ok(result(
                OcfCode::ErrGeneric,
                ExecStatus::Timeout,
                Some(format!(
                    "unit {unit} still {state} after {}ms",
                    timeout.as_millis()
                )),
                started,
            ));
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_states_map_to_ocf_codes() {
        assert_eq!(status_code("active"), OcfCode::Success);
        assert_eq!(status_code("inactive"), OcfCode::NotRunning);
        assert_eq!(status_code("failed"), OcfCode::NotRunning);
        assert_eq!(status_code("maintenance"), OcfCode::ErrGeneric);
        assert!(settling("activating") && !settling("active"));
    }
}
