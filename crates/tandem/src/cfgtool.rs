//! `tandem cfgtool`: show the local node id and each ring's status, as corosync-cfgtool.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use messaging::ipc::{socket_path, Client, RuntimeStatus};

use crate::exit_code;

const USAGE: &str =
    "usage: tandem cfgtool [--socket PATH] -s [-b] | -n | -a NODEID | -k NODEID | -R | -H [--force]
  -s          show the local node id and each ring's status
  -n          show the other nodes, whether they are reachable, and each link's addresses
  -b          with -s: one status digit per node (n = local, 3 = connected, 1 = not connected)
  -a NODEID   show the addresses of a node
  -k NODEID   make a node leave the cluster and stop its tandemd
  -R          tell every node to reload corosync.conf (totem timers, quorum expected_votes
              and votes apply at once; other changes are logged as needing a restart)
  -H          leave the cluster cleanly and stop the local tandemd
";

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut socket = None;
    let mut show = false;
    let mut nodes = false;
    let mut brief = false;
    let mut address_of = None;
    let mut kill = None;
    let mut shutdown = false;
    let mut reload = false;
    let mut index = 0;
    while index < args.len() {
        let arg = args[index].as_str();
        match arg {
            "-s" => show = true,
            "-b" => brief = true,
            "-sb" | "-bs" => {
                show = true;
                brief = true;
            }
            "-n" => nodes = true,
            "-H" => shutdown = true,
            "-R" => reload = true,
            "--force" => {}
            "-k" => {
                index += 1;
                let value = args.get(index).context("-k needs a node id")?;
                kill = Some(
                    value
                        .parse::<u32>()
                        .with_context(|| format!("-k: '{value}' is not a node id"))?,
                );
            }
            "-a" => {
                index += 1;
                let value = args.get(index).context("-a needs a node id")?;
                address_of = Some(
                    value
                        .parse::<u32>()
                        .with_context(|| format!("-a: '{value}' is not a node id"))?,
                );
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
                    eprint!("cfgtool: unknown option '{other}'\n{USAGE}");
                    return Ok(ExitCode::from(exit_code::USAGE));
                }
            }
        }
        index += 1;
    }
    if !show && !nodes && address_of.is_none() && kill.is_none() && !shutdown && !reload {
        eprint!("{USAGE}");
        return Ok(ExitCode::from(exit_code::USAGE));
    }
    let mut client = Client::connect(&socket_path(socket.as_deref()))?;
    let mut out = std::io::stdout().lock();
    if shutdown {
        client.shutdown()?;
        writeln!(out, "Shutting down corosync")?;
        return Ok(ExitCode::SUCCESS);
    }
    if reload {
        writeln!(out, "Reloading corosync.conf...")?;
        if let Err(error) = client.reload_config() {
            eprintln!("Could not reload configuration. Error {error}");
            return Ok(ExitCode::from(exit_code::ERROR));
        }
        writeln!(out, "Done")?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(nodeid) = kill {
        if let Err(error) = client.kill_node(nodeid) {
            eprintln!("Could not kill node {nodeid}: {error}");
            return Ok(ExitCode::from(exit_code::ERROR));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let status = client.status()?;
    if let Some(nodeid) = address_of {
        let Some(member) = status.members.iter().find(|m| m.nodeid == nodeid) else {
            eprintln!("cfgtool: node {nodeid} is not known");
            return Ok(ExitCode::from(exit_code::ERROR));
        };
        writeln!(out, "{}", member.addresses.join(" "))?;
        return Ok(ExitCode::SUCCESS);
    }
    if nodes {
        write!(out, "{}", render_nodes(&status))?;
    } else {
        write!(out, "{}", render_status(&status, brief))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The `-n` text: every other node, reachable when a ring reaches it, and one line per link
/// (local -> peer address), as corosync-cfgtool -n prints it (without knet's MTU and onwire
/// version, which have no meaning for this transport).
pub fn render_nodes(status: &RuntimeStatus) -> String {
    let mut text = format!(
        "Local node ID {}, transport {}\n",
        status.nodeid, status.transport
    );
    let mut peers: Vec<u32> = status
        .rings
        .iter()
        .flat_map(|ring| ring.peers.iter().map(|(nodeid, _)| *nodeid))
        .filter(|nodeid| *nodeid != status.nodeid)
        .collect();
    peers.sort_unstable();
    peers.dedup();
    for nodeid in peers {
        let connected = |ring: &messaging::ipc::RingStatus| {
            ring.peers.iter().any(|(n, up)| *n == nodeid && *up)
        };
        let reachable = status.rings.iter().any(connected);
        text.push_str(&format!(
            "nodeid: {nodeid} {}\n",
            if reachable {
                "reachable"
            } else {
                "unreachable"
            }
        ));
        let addresses = status
            .members
            .iter()
            .find(|m| m.nodeid == nodeid)
            .map(|m| m.addresses.clone())
            .unwrap_or_default();
        for (index, ring) in status.rings.iter().enumerate() {
            let peer = addresses.get(index).map_or("?", String::as_str);
            let state = if !ring.peers.iter().any(|(n, _)| *n == nodeid) {
                "disabled"
            } else if connected(ring) {
                "enabled connected"
            } else {
                "enabled"
            };
            text.push_str(&format!(
                "   LINK: {} udp ({}->{peer}) {state}\n",
                ring.number, ring.address
            ));
        }
    }
    text
}

/// The `-s` (and `-s -b`) text for a status.
pub fn render_status(status: &RuntimeStatus, brief: bool) -> String {
    let mut text = format!(
        "Local node ID {}, transport {}\n",
        status.nodeid, status.transport
    );
    for ring in &status.rings {
        text.push_str(&format!("LINK ID {} udp\n", ring.number));
        text.push_str(&format!("\taddr\t= {}\n", ring.address));
        if brief {
            let digits: String = ring
                .peers
                .iter()
                .map(|(nodeid, connected)| {
                    if *nodeid == status.nodeid {
                        'n'
                    } else if *connected {
                        '3'
                    } else {
                        '1'
                    }
                })
                .collect();
            text.push_str(&format!("\tstatus\t= {digits}\n"));
        } else {
            text.push_str("\tstatus:\n");
            for (nodeid, connected) in &ring.peers {
                let word = if *nodeid == status.nodeid {
                    "localhost"
                } else if *connected {
                    "connected"
                } else {
                    "disconnected"
                };
                text.push_str(&format!("\t\tnodeid: {nodeid:>10}:\t{word}\n"));
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use messaging::ipc::{RingId, RingStatus};

    fn status() -> RuntimeStatus {
        RuntimeStatus {
            nodeid: 1,
            cluster_name: "c".to_string(),
            transport: "udpu".to_string(),
            ring_id: RingId { rep: 1, seq: 9 },
            ring_members: vec![1, 2, 3],
            rings: vec![RingStatus {
                number: 0,
                address: "10.99.0.1".to_string(),
                faulty: false,
                peers: vec![(1, true), (2, true), (3, false)],
            }],
            members: Vec::new(),
            config: Vec::new(),
            stats: Vec::new(),
        }
    }

    #[test]
    fn status_matches_corosync_layout() {
        assert_eq!(
            render_status(&status(), false),
            "Local node ID 1, transport udpu\nLINK ID 0 udp\n\taddr\t= 10.99.0.1\n\tstatus:\n\
             \t\tnodeid:          1:\tlocalhost\n\t\tnodeid:          2:\tconnected\n\
             \t\tnodeid:          3:\tdisconnected\n"
        );
        assert_eq!(
            render_status(&status(), true),
            "Local node ID 1, transport udpu\nLINK ID 0 udp\n\taddr\t= 10.99.0.1\n\tstatus\t= n31\n"
        );
    }

    #[test]
    fn nodes_list_reachability_and_links() {
        let mut status = status();
        status.members = (2..=3)
            .map(|n| messaging::ipc::MemberStatus {
                nodeid: n,
                addresses: vec![format!("10.99.0.{n}")],
                join_count: 1,
                joined: n == 2,
            })
            .collect();
        assert_eq!(
            render_nodes(&status),
            "Local node ID 1, transport udpu\n\
             nodeid: 2 reachable\n   LINK: 0 udp (10.99.0.1->10.99.0.2) enabled connected\n\
             nodeid: 3 unreachable\n   LINK: 0 udp (10.99.0.1->10.99.0.3) enabled\n"
        );
    }
}
