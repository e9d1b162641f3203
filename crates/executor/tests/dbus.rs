//! The D-Bus client against a private dbus-daemon (the bus systemd is reached through).
//! Gated by TANDEM_SLOW_TESTS=1 and needs /usr/bin/dbus-daemon.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use executor::dbus::{Arg, Connection, DbusError, Value};

/// A private session bus on a socket of its own; killed on drop.
struct Bus {
    child: Child,
    socket: std::path::PathBuf,
}

impl Bus {
    fn start() -> Option<Bus> {
        let daemon = std::path::Path::new("/usr/bin/dbus-daemon");
        let config = std::path::Path::new("/usr/share/dbus-1/session.conf");
        if !daemon.exists() || !config.exists() {
            eprintln!("dbus test: skipped (dbus-daemon is not installed)");
            return None;
        }
        let socket = std::env::temp_dir().join(common::unique("tandem-dbus"));
        let child = Command::new(daemon)
            .arg(format!("--config-file={}", config.display()))
            .arg("--nofork")
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let bus = Bus { child, socket };
        let until = Instant::now() + Duration::from_secs(5);
        while !bus.socket.exists() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        Some(bus)
    }

    fn address(&self) -> String {
        format!("unix:path={}", self.socket.display())
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

#[test]
fn calls_methods_and_reads_errors_on_a_real_bus() {
    if !common::slow_tests_enabled("calls_methods_and_reads_errors_on_a_real_bus") {
        return;
    }
    let Some(bus) = Bus::start() else { return };
    let mut connection =
        Connection::open(&bus.address(), Duration::from_secs(5)).expect("connect and Hello");
    const DBUS: &str = "org.freedesktop.DBus";
    const PATH: &str = "/org/freedesktop/DBus";
    let id = connection
        .call(DBUS, PATH, DBUS, "GetId", &[])
        .expect("GetId");
    let id = id
        .first()
        .and_then(Value::as_str)
        .expect("a string")
        .to_string();
    assert_eq!(id.len(), 32, "bus id {id}");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    // A string argument and a boolean reply.
    let has = connection
        .call(DBUS, PATH, DBUS, "NameHasOwner", &[Arg::Str(DBUS)])
        .expect("NameHasOwner");
    assert_eq!(has, vec![Value::Bool(true)]);
    let has = connection
        .call(
            DBUS,
            PATH,
            DBUS,
            "NameHasOwner",
            &[Arg::Str("org.example.Nobody")],
        )
        .expect("NameHasOwner");
    assert_eq!(has, vec![Value::Bool(false)]);
    // A variant holding an array is beyond this client: a clear error, and the connection
    // stays usable.
    let features = connection.call(
        DBUS,
        PATH,
        "org.freedesktop.DBus.Properties",
        "Get",
        &[Arg::Str(DBUS), Arg::Str("Features")],
    );
    match features {
        Err(DbusError::Protocol(message)) => {
            assert!(message.contains("unsupported type 'as'"), "{message}")
        }
        other => panic!("expected an unsupported-type error, got {other:?}"),
    }
    // Errors come back with their name.
    match connection.call(DBUS, PATH, DBUS, "NoSuchMethod", &[]) {
        Err(DbusError::Remote { name, .. }) => {
            assert_eq!(name, "org.freedesktop.DBus.Error.UnknownMethod")
        }
        other => panic!("expected an UnknownMethod error, got {other:?}"),
    }
    match connection.call(
        "org.freedesktop.systemd1",
        "/org/freedesktop/systemd1",
        "org.freedesktop.systemd1.Manager",
        "LoadUnit",
        &[Arg::Str("x.service")],
    ) {
        Err(DbusError::Remote { name, .. }) => {
            assert!(name.starts_with("org.freedesktop.DBus.Error."), "{name}")
        }
        other => panic!("no systemd on a private bus, got {other:?}"),
    }
}

#[test]
fn systemd_class_reports_clearly_without_systemd() {
    // This host's init is not systemd (CI containers): the request is refused, not hung.
    let paths = executor::AgentPaths {
        systemd_marker: std::path::PathBuf::from("/nonexistent/tandem"),
        ..executor::AgentPaths::default()
    };
    let spec = executor::AgentSpec::parse("systemd:nginx").expect("spec");
    let request = executor::OpRequest::new("web", spec, executor::Action::Monitor);
    let result =
        executor::run_blocking(&request, &paths, &executor::MetadataCache::new()).expect("runs");
    assert_eq!(result.status, executor::ExecStatus::NotSupported);
    assert!(result
        .exit_reason
        .unwrap_or_default()
        .contains("systemd is not running"));
    // service: falls back to LSB when systemd is not running.
    let service = executor::AgentSpec::parse("service:tandem-no-such-script").expect("spec");
    let request = executor::OpRequest::new("svc", service, executor::Action::Monitor);
    let result =
        executor::run_blocking(&request, &paths, &executor::MetadataCache::new()).expect("runs");
    assert_eq!(
        result.status,
        executor::ExecStatus::NotInstalled,
        "{}",
        result.summary()
    );
    assert!(result
        .exit_reason
        .unwrap_or_default()
        .contains("/etc/init.d/tandem-no-such-script"));
}
