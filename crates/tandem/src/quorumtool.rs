//! `tandem quorumtool`: show quorum status, votes and members, as corosync-quorumtool.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use messaging::ipc::{socket_path, Client, QuorumStatus};

use crate::exit_code;

const USAGE: &str = "usage: tandem quorumtool [--socket PATH] [-s | -l] [-i]
  -s    show quorum status (exit 0 quorate, 2 not quorate, 1 error)
  -l    list the members
  -i    show addresses instead of names (same data here: names fall back to addresses)
";

/// Exit status when the partition is not quorate.
const NOT_QUORATE: u8 = 2;

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut socket = None;
    let mut list = false;
    let mut index = 0;
    while index < args.len() {
        let arg = args[index].as_str();
        match arg {
            "-s" => list = false,
            "-l" => list = true,
            "-i" => {}
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
    let mut client = Client::connect(&socket_path(socket.as_deref()))?;
    let status = client.quorum()?;
    let mut out = std::io::stdout().lock();
    if list {
        write!(out, "\n{}", render_members(&status))?;
        return Ok(ExitCode::SUCCESS);
    }
    write!(
        out,
        "{}",
        render_status(&status, &messaging::local_time::ctime_now())
    )?;
    Ok(if status.quorate {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NOT_QUORATE)
    })
}

/// The "Membership information" block.
pub fn render_members(status: &QuorumStatus) -> String {
    let mut text = String::from(
        "Membership information\n----------------------\n    Nodeid      Votes Name\n",
    );
    for member in &status.members {
        let local = if member.nodeid == status.nodeid {
            " (local)"
        } else {
            ""
        };
        text.push_str(&format!(
            "{:>10} {:>10} {}{local}\n",
            member.nodeid, member.votes, member.name
        ));
    }
    text
}

/// The whole `-s` text, with `date` on the Date line.
pub fn render_status(status: &QuorumStatus, date: &str) -> String {
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
    text.push_str(&render_members(status));
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
            render_status(&status(true), "Wed Nov 25 23:43:53 2026"),
            expected
        );
        let inquorate = render_status(&status(false), "d");
        assert!(inquorate.contains("Quorate:          No\n"));
        assert!(inquorate.contains("Quorum:           2 Activity blocked\n"));
        assert!(inquorate.contains("Flags:            \n"));
    }
}
