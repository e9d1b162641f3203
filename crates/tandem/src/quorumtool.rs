//! `tandem quorumtool`: show quorum status, votes and members, as corosync-quorumtool.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use messaging::ipc::{socket_path, Client, ClientError, ErrorCode, Event, QuorumStatus};

use crate::exit_code;

const USAGE: &str = "usage: tandem quorumtool [--socket PATH] [-s | -l | -m] [-p] [-i] | -e EXPECTED | -v VOTES [-n NODEID]
  -s            show quorum status (exit 0 quorate, 2 not quorate, 1 error)
  -l            list the members
  -m            show the status, then again at every quorum change (until interrupted)
  -p            with -s, -l or -m: machine parsable (adds the Qdevice column)
  -i            show addresses instead of names (same data here: names fall back to addresses)
  -e EXPECTED   change expected votes for the cluster
  -v VOTES      change the number of votes of a node (the local node unless -n)
  -n NODEID     the node for -v
";

/// Exit status when the partition is not quorate.
const NOT_QUORATE: u8 = 2;

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Status,
    List,
    Monitor,
    SetExpected(u32),
    SetVotes { votes: u32, nodeid: u32 },
}

fn number(args: &[String], index: usize, flag: &str, what: &str) -> anyhow::Result<u32> {
    let value = args
        .get(index)
        .with_context(|| format!("{flag} needs {what}"))?;
    value
        .parse::<u32>()
        .with_context(|| format!("{flag}: '{value}' is not {what}"))
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut socket = None;
    let mut mode = Mode::Status;
    let mut parsable = false;
    let mut votes = None;
    let mut nodeid = 0;
    let mut index = 0;
    while index < args.len() {
        let arg = args[index].as_str();
        match arg {
            "-s" => mode = Mode::Status,
            "-l" => mode = Mode::List,
            "-m" => mode = Mode::Monitor,
            "-p" => parsable = true,
            "-i" => {}
            "-e" => {
                index += 1;
                mode = Mode::SetExpected(number(args, index, "-e", "a number of votes")?);
            }
            "-v" => {
                index += 1;
                votes = Some(number(args, index, "-v", "a number of votes")?);
            }
            "-n" => {
                index += 1;
                nodeid = number(args, index, "-n", "a node id")?;
            }
            "--socket" => {
                index += 1;
                socket = Some(args.get(index).context("--socket needs a path")?.clone());
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => {
                if let Some(path) = other.strip_prefix("--socket=") {
                    socket = Some(path.to_string());
                } else {
                    eprint!("quorumtool: unknown option '{other}'\n{USAGE}");
                    return Ok(ExitCode::from(exit_code::USAGE));
                }
            }
        }
        index += 1;
    }
    if let Some(votes) = votes {
        mode = Mode::SetVotes { votes, nodeid };
    }
    let mut client = Client::connect(&socket_path(socket.as_deref()))?;
    let mut out = std::io::stdout().lock();
    match mode {
        Mode::SetExpected(expected) => {
            if let Err(error) = client.quorum_set_expected(expected) {
                eprintln!("Unable to set expected votes: {}", refusal(&error));
                return Ok(ExitCode::from(exit_code::ERROR));
            }
            Ok(ExitCode::SUCCESS)
        }
        Mode::SetVotes { votes, nodeid } => {
            if let Err(error) = client.quorum_set_votes(nodeid, votes) {
                eprintln!(
                    "Unable to set votes {votes} for nodeid: {nodeid}: {}",
                    refusal(&error)
                );
                return Ok(ExitCode::from(exit_code::ERROR));
            }
            Ok(ExitCode::SUCCESS)
        }
        Mode::List => {
            let status = client.quorum()?;
            write!(out, "\n{}", render_members(&status, parsable))?;
            Ok(ExitCode::SUCCESS)
        }
        Mode::Status => {
            let status = client.quorum()?;
            write!(
                out,
                "{}",
                render_status(&status, &messaging::local_time::ctime_now(), parsable)
            )?;
            Ok(if status.quorate {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(NOT_QUORATE)
            })
        }
        Mode::Monitor => {
            client.quorum_track(true)?;
            loop {
                if let Some(Event::Quorum(status)) = client.next_event(None)? {
                    writeln!(
                        out,
                        "{}",
                        render_status(&status, &messaging::local_time::ctime_now(), parsable)
                    )?;
                    out.flush()?;
                }
            }
        }
    }
}

/// The daemon's refusal as corosync-quorumtool words it (its error code's CS_ERR_ name).
fn refusal(error: &ClientError) -> String {
    match error {
        ClientError::Refused { code, message } => {
            let name = match code {
                ErrorCode::InvalidParam => "CS_ERR_INVALID_PARAM",
                ErrorCode::BadHandle => "CS_ERR_BAD_HANDLE",
                ErrorCode::TryAgain => "CS_ERR_TRY_AGAIN",
                ErrorCode::Exist => "CS_ERR_EXIST",
                ErrorCode::TooBig => "CS_ERR_TOO_BIG",
                ErrorCode::Version => "CS_ERR_VERSION",
            };
            format!("{name} ({message})")
        }
        other => other.to_string(),
    }
}

/// The "Membership information" block; `parsable` (`-p`) adds the Qdevice column (always
/// "NR": no quorum device is registered).
pub fn render_members(status: &QuorumStatus, parsable: bool) -> String {
    let qdevice = if parsable { "    Qdevice" } else { "" };
    let mut text = format!(
        "Membership information\n----------------------\n    Nodeid      Votes{qdevice} Name\n"
    );
    for member in &status.members {
        let local = if member.nodeid == status.nodeid {
            " (local)"
        } else {
            ""
        };
        let qdevice = if parsable {
            format!(" {:>10}", "NR")
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{:>10} {:>10}{qdevice} {}{local}\n",
            member.nodeid, member.votes, member.name
        ));
    }
    text
}

/// The whole `-s` text, with `date` on the Date line (`parsable`: see [`render_members`]).
pub fn render_status(status: &QuorumStatus, date: &str, parsable: bool) -> String {
    let provider = if status.provider_enabled {
        "corosync_votequorum"
    } else {
        "Not configured"
    };
    let mut text = format!(
        "Quorum information\n------------------\nDate:             {date}\nQuorum provider:  {provider}\n\
         Nodes:            {}\nNode ID:          {}\nRing ID:          {}\nQuorate:          {}\n\n",
        status.members.len(),
        status.nodeid,
        status.ring_id,
        if status.quorate { "Yes" } else { "No" },
    );
    if status.provider_enabled {
        let blocked = if status.quorate {
            " "
        } else {
            "Activity blocked"
        };
        let flags: String = status.flags.iter().map(|flag| format!("{flag} ")).collect();
        text.push_str(&format!(
            "Votequorum information\n----------------------\nExpected votes:   {}\nHighest expected: {}\n\
             Total votes:      {}\nQuorum:           {} {blocked}\nFlags:            {flags}\n\n",
            status.expected_votes, status.highest_expected, status.total_votes, status.quorum,
        ));
    }
    text.push_str(&render_members(status, parsable));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use messaging::ipc::{QuorumMember, RingId};

    fn status(quorate: bool) -> QuorumStatus {
        QuorumStatus {
            provider_enabled: true,
            nodeid: 1,
            ring_id: RingId { rep: 1, seq: 9 },
            quorate,
            expected_votes: 3,
            highest_expected: 3,
            total_votes: 3,
            quorum: 2,
            flags: if quorate {
                vec!["Quorate".to_string()]
            } else {
                Vec::new()
            },
            members: (1..=3)
                .map(|n| QuorumMember {
                    nodeid: n,
                    votes: 1,
                    name: format!("node{n}"),
                })
                .collect(),
        }
    }

    #[test]
    fn status_matches_corosync_text() {
        let expected = [
            "Quorum information",
            "------------------",
            "Date:             Wed Nov 25 23:43:53 2026",
            "Quorum provider:  corosync_votequorum",
            "Nodes:            3",
            "Node ID:          1",
            "Ring ID:          1.9",
            "Quorate:          Yes",
            "",
            "Votequorum information",
            "----------------------",
            "Expected votes:   3",
            "Highest expected: 3",
            "Total votes:      3",
            "Quorum:           2  ",
            "Flags:            Quorate ",
            "",
            "Membership information",
            "----------------------",
            "    Nodeid      Votes Name",
            "         1          1 node1 (local)",
            "         2          1 node2",
            "         3          1 node3",
            "",
        ]
        .join("\n");
        assert_eq!(
            render_status(&status(true), "Wed Nov 25 23:43:53 2026", false),
            expected
        );
        let inquorate = render_status(&status(false), "d", false);
        assert!(inquorate.contains("Quorate:          No\n"));
        assert!(inquorate.contains("Quorum:           2 Activity blocked\n"));
        assert!(inquorate.contains("Flags:            \n"));
    }

    #[test]
    fn parsable_members_carry_the_qdevice_column_as_corosync() {
        let text = render_members(&status(true), true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "    Nodeid      Votes    Qdevice Name");
        assert_eq!(lines[3], "         1          1         NR node1 (local)");
        assert_eq!(lines[5], "         3          1         NR node3");
    }

    #[test]
    fn bad_numbers_are_named() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let error = number(&args(&["-e", "x"]), 1, "-e", "a number of votes").unwrap_err();
        assert_eq!(error.to_string(), "-e: 'x' is not a number of votes");
        let error = number(&args(&["-n"]), 1, "-n", "a node id").unwrap_err();
        assert_eq!(error.to_string(), "-n needs a node id");
    }
}
