//! `tandem cpg`: send to and watch a closed process group, one line per delivery.
//!
//! Line formats (one event per line, stable for tests):
//! `deliver ring=<ring id> node=<nodeid> pid=<pid> seq=<n> text=<escaped payload>` and
//! `confchg ring=<ring id> members=<n/pid,...> left=<n/pid:reason,...> joined=<n/pid:reason,...>`.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use messaging::ipc::{socket_path, Client, CpgChange, CpgProcess, Event};

use crate::exit_code;

const USAGE: &str = "usage: tandem cpg [--socket PATH] send GROUP TEXT [--count N] [--timeout S]
       tandem cpg [--socket PATH] watch GROUP [--count N] [--timeout S]
  send    join GROUP, multicast TEXT (N times, numbered ' 1'..' N' when N > 1), wait until the
          messages are delivered back in order, leave
  watch   join GROUP and print one line per delivered message and membership change; stop
          after N messages or S seconds (exit 1 if --count was not reached in time)
";

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut socket = None;
    let mut count: Option<u64> = None;
    let mut timeout: Option<f64> = None;
    let mut positional = Vec::new();
    let mut index = 0;
    while index < args.len() {
        let arg = args[index].as_str();
        match arg {
            "--socket" => {
                index += 1;
                socket = Some(args.get(index).context("--socket needs a path")?.clone());
            }
            "--count" => {
                index += 1;
                let value = args.get(index).context("--count needs a number")?;
                count = Some(
                    value
                        .parse()
                        .with_context(|| format!("--count: '{value}' is not a number"))?,
                );
            }
            "--timeout" => {
                index += 1;
                let value = args.get(index).context("--timeout needs seconds")?;
                let seconds: f64 = value
                    .parse()
                    .with_context(|| format!("--timeout: '{value}' is not a number"))?;
                if !(seconds.is_finite() && seconds >= 0.0) {
                    anyhow::bail!("--timeout: '{value}' must be a non-negative number");
                }
                timeout = Some(seconds);
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => {
                if let Some(path) = other.strip_prefix("--socket=") {
                    socket = Some(path.to_string());
                } else if other.starts_with("--") {
                    eprint!("cpg: unknown option '{other}'\n{USAGE}");
                    return Ok(ExitCode::from(exit_code::USAGE));
                } else {
                    positional.push(other.to_string());
                }
            }
        }
        index += 1;
    }
    let timeout = timeout.map(Duration::from_secs_f64);
    let path = socket_path(socket.as_deref());
    match positional.as_slice() {
        [command, group, text] if command == "send" => {
            send(&path, group, text, count.unwrap_or(1), timeout)
        }
        [command, group] if command == "watch" => watch(&path, group, count, timeout),
        _ => {
            eprint!("{USAGE}");
            Ok(ExitCode::from(exit_code::USAGE))
        }
    }
}

fn send(
    path: &std::path::Path,
    group: &str,
    text: &str,
    count: u64,
    timeout: Option<Duration>,
) -> anyhow::Result<ExitCode> {
    let mut client = Client::connect(path)?;
    client.cpg_join(group.as_bytes())?;
    let me = client.process();
    for number in 1..=count {
        let payload = if count > 1 {
            format!("{text} {number}")
        } else {
            text.to_string()
        };
        client.cpg_mcast(payload.as_bytes())?;
    }
    // Wait for our own messages to come back: they are then ordered cluster-wide.
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut delivered = 0;
    while delivered < count {
        let wait = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if wait == Some(Duration::ZERO) {
            eprintln!("cpg: only {delivered} of {count} messages delivered before the timeout");
            return Ok(ExitCode::from(exit_code::ERROR));
        }
        match client.next_event(wait)? {
            Some(Event::CpgDeliver { sender, .. }) if sender == me => delivered += 1,
            Some(_) => {}
            None => {}
        }
    }
    client.cpg_leave()?;
    Ok(ExitCode::SUCCESS)
}

fn watch(
    path: &std::path::Path,
    group: &str,
    count: Option<u64>,
    timeout: Option<Duration>,
) -> anyhow::Result<ExitCode> {
    let mut client = Client::connect(path)?;
    client.cpg_join(group.as_bytes())?;
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut out = std::io::stdout().lock();
    let mut delivered = 0u64;
    loop {
        if count.is_some_and(|count| delivered >= count) {
            return Ok(ExitCode::SUCCESS);
        }
        let wait = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if wait == Some(Duration::ZERO) {
            return Ok(if count.is_some() {
                ExitCode::from(exit_code::ERROR)
            } else {
                ExitCode::SUCCESS
            });
        }
        let Some(event) = client.next_event(wait)? else {
            continue;
        };
        if let Some(line) = render_event(&event) {
            writeln!(out, "{line}")?;
            out.flush()?;
        }
        if matches!(event, Event::CpgDeliver { .. }) {
            delivered += 1;
        }
    }
}

fn processes(list: &[CpgProcess]) -> String {
    list.iter()
        .map(|p| format!("{}/{}", p.nodeid, p.pid))
        .collect::<Vec<_>>()
        .join(",")
}

fn changes(list: &[CpgChange]) -> String {
    list.iter()
        .map(|c| format!("{}/{}:{}", c.process.nodeid, c.process.pid, c.reason.word()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The output line for one event (None for events `watch` does not print).
pub fn render_event(event: &Event) -> Option<String> {
    match event {
        Event::CpgDeliver {
            ring_id,
            sender,
            sequence,
            data,
            ..
        } => Some(format!(
            "deliver ring={ring_id} node={} pid={} seq={sequence} text={}",
            sender.nodeid,
            sender.pid,
            String::from_utf8_lossy(data).escape_default()
        )),
        Event::CpgConfchg {
            ring_id,
            members,
            left,
            joined,
            ..
        } => Some(format!(
            "confchg ring={ring_id} members={} left={} joined={}",
            processes(members),
            changes(left),
            changes(joined)
        )),
        // A CPG client never asks for quorum or ring events.
        Event::Quorum(_) | Event::Ring(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use messaging::ipc::{ConfchgReason, RingId};

    #[test]
    fn lines_are_stable() {
        let ring_id = RingId { rep: 1, seq: 9 };
        let p = CpgProcess { nodeid: 2, pid: 77 };
        assert_eq!(
            render_event(&Event::CpgDeliver {
                group: b"g".to_vec(),
                ring_id,
                sender: p,
                sequence: 3,
                data: b"hi\nthere".to_vec(),
            })
            .as_deref(),
            Some("deliver ring=1.9 node=2 pid=77 seq=3 text=hi\\nthere")
        );
        assert_eq!(
            render_event(&Event::CpgConfchg {
                group: b"g".to_vec(),
                ring_id,
                members: vec![p],
                left: vec![CpgChange {
                    process: CpgProcess { nodeid: 3, pid: 5 },
                    reason: ConfchgReason::NodeDown
                }],
                joined: Vec::new(),
            })
            .as_deref(),
            Some("confchg ring=1.9 members=2/77 left=3/5:nodedown joined=")
        );
        // Ring events are the resource manager's, not printed by `watch`.
        assert_eq!(
            render_event(&Event::Ring(messaging::ipc::RingState {
                change: messaging::ipc::RingChange::Broken,
                rings_formed: 1,
                breaks: 1,
                cut_off: 0,
                break_age_ms: Some(0),
                consensus_ms: 1980,
            })),
            None
        );
    }
}
