//! The daemon's log: its level and its file come from `-v` and corosync.conf's
//! `logging {}` (`debug` on/trace raises the level as `-v` does; `to_logfile` + `logfile`
//! append the log to that file, stderr keeps it too), and a configuration reload
//! (`tandem cfgtool -R`) applies changes to both without a restart. `RUST_LOG`, when set,
//! fixes the level (a reload then changes only the file).

use std::fs::File;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

/// What a reload may change, kept from [`init`].
struct Control {
    /// `-v` count given on the command line (the level never goes below it).
    verbosity: u8,
    /// `RUST_LOG` was set: the level is not ours to change.
    env_filter: bool,
    /// The level filter in force.
    filter: reload::Handle<EnvFilter, Registry>,
    /// The log file in force, if any, with its path.
    file: Arc<Mutex<Option<(String, File)>>>,
}

static CONTROL: OnceLock<Control> = OnceLock::new();

/// The level `-v` × `verbosity` and `logging` ask for (the higher of the two).
pub fn level(verbosity: u8, logging: &corosync_conf::Logging) -> &'static str {
    let from_config = match logging.debug {
        corosync_conf::DebugLevel::Off => 0,
        corosync_conf::DebugLevel::On => 1,
        corosync_conf::DebugLevel::Trace => 2,
    };
    match verbosity.max(from_config) {
        0 => "info",
        1 => "debug",
        _ => "trace",
    }
}

/// The log file `logging` asks for, opened for appending: `None` when it asks for none,
/// or why it cannot be opened.
fn open_logfile(logging: &corosync_conf::Logging) -> Result<Option<(String, File)>, String> {
    let Some(path) = logging.logfile.as_deref().filter(|_| logging.to_logfile) else {
        return Ok(None);
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map(|f| Some((path.to_string(), f)))
        .map_err(|e| format!("logging.logfile {path}: {e}; logging to stderr only"))
}

/// Installs the global subscriber for `verbosity` (`-v` count) and `logging` (the
/// configuration file's section, default when it does not load). Problems opening the log
/// file are printed on stderr; the log then goes to stderr only.
pub fn init(verbosity: u8, logging: &corosync_conf::Logging) {
    let env = EnvFilter::try_from_default_env().ok();
    let env_filter = env.is_some();
    let filter = env.unwrap_or_else(|| EnvFilter::new(level(verbosity, logging)));
    let (filter_layer, handle) = reload::Layer::new(filter);
    let file = match open_logfile(logging) {
        Ok(f) => f,
        Err(why) => {
            eprintln!("tandemd: {why}");
            None
        }
    };
    let file = Arc::new(Mutex::new(file));
    let writer = Tee { file: file.clone() };
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(move || writer.clone())
        .with_ansi(false);
    if tracing_subscriber::registry()
        .with(filter_layer)
        .with(fmt)
        .try_init()
        .is_err()
    {
        eprintln!("tandemd: a log subscriber was already installed");
        return;
    }
    let _ = CONTROL.set(Control {
        verbosity,
        env_filter,
        filter: handle,
        file,
    });
}

/// Applies a reloaded `logging {}` section to the log [`init`] installed; returns whether
/// there is one to change.
pub fn apply(logging: &corosync_conf::Logging) -> bool {
    let Some(c) = CONTROL.get() else {
        return false;
    };
    if c.env_filter {
        tracing::info!("logging reload: RUST_LOG is set; the level stays as it says");
    } else {
        let level = level(c.verbosity, logging);
        match c.filter.reload(EnvFilter::new(level)) {
            Ok(()) => tracing::info!("logging reload: level {level}"),
            Err(e) => tracing::warn!("logging reload: level {level} not applied: {e}"),
        }
    }
    let wanted = logging.logfile.as_deref().filter(|_| logging.to_logfile);
    let current = c
        .file
        .lock()
        .map(|f| f.as_ref().map(|(p, _)| p.clone()))
        .unwrap_or(None);
    if current.as_deref() == wanted {
        return true;
    }
    let opened = match open_logfile(logging) {
        Ok(f) => f,
        Err(why) => {
            tracing::error!("logging reload: {why}");
            None
        }
    };
    let now = opened.as_ref().map(|(p, _)| p.clone());
    if let Ok(mut slot) = c.file.lock() {
        *slot = opened;
    }
    match now {
        Some(path) => tracing::info!("logging reload: also logging to {path}"),
        None => tracing::info!("logging reload: logging to stderr only"),
    }
    true
}

/// The reload hook for the messaging daemon ([`messaging::daemon::Daemon::log_hook`]).
pub fn reload_hook() -> messaging::daemon::LogHook {
    Box::new(apply)
}

/// Writes each log record to stderr and to the log file in force.
#[derive(Clone)]
struct Tee {
    file: Arc<Mutex<Option<(String, File)>>>,
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        if let Ok(mut slot) = self.file.lock() {
            if let Some((_, f)) = slot.as_mut() {
                let _ = f.write_all(buf);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_higher_of_flags_and_configuration_wins() {
        let mut l = corosync_conf::Logging::default();
        assert_eq!(level(0, &l), "info");
        assert_eq!(level(1, &l), "debug");
        l.debug = corosync_conf::DebugLevel::On;
        assert_eq!(level(0, &l), "debug");
        l.debug = corosync_conf::DebugLevel::Trace;
        assert_eq!(level(1, &l), "trace");
    }

    #[test]
    fn a_logfile_needs_to_logfile_and_a_bad_path_is_named() {
        let mut l = corosync_conf::Logging {
            logfile: Some("/nonexistent-dir/x.log".into()),
            ..Default::default()
        };
        assert!(matches!(open_logfile(&l), Ok(None)));
        l.to_logfile = true;
        let err = open_logfile(&l).expect_err("no such directory");
        assert!(err.contains("/nonexistent-dir/x.log"), "{err}");
    }
}
