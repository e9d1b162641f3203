//! The table of tools this binary answers to: one entry per tool, with its summary.

use std::process::ExitCode;

/// One tool: the name it answers to, a one-line summary, and its entry point.
pub struct Tool {
    /// Name as typed after `tandem`, or as the name of a symlink to the binary.
    pub name: &'static str,
    /// One line for `tandem --help`.
    pub summary: &'static str,
    /// Runs the tool on its arguments (without the tool name).
    pub run: fn(&[String]) -> anyhow::Result<ExitCode>,
}

/// Every tool, in the order `tandem --help` lists them.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "demo",
        summary: "start a local 3-node cluster, fail a node, watch the failover",
        run: crate::demo::run,
    },
    Tool {
        name: "status",
        summary: "show the cluster's state (crm_mon layout)",
        run: crate::status::run,
    },
    Tool {
        name: "crm_mon",
        summary: "same as status",
        run: crate::status::run,
    },
    Tool {
        name: "configure",
        summary: "show and change the configuration in crm shell syntax",
        run: crate::configure::run,
    },
    Tool {
        name: "resource",
        summary: "move, ban, clear, cleanup, restart, enable, disable resources",
        run: crate::resource::run,
    },
    Tool {
        name: "crm_resource",
        summary: "Pacemaker's crm_resource flags over the same operations",
        run: crate::resource::run,
    },
    Tool {
        name: "node",
        summary: "standby, online, maintenance and attributes of nodes",
        run: crate::node::run,
    },
    Tool {
        name: "crm_node",
        summary: "Pacemaker's crm_node flags",
        run: crate::node::run,
    },
    Tool {
        name: "property",
        summary: "cluster properties",
        run: crate::property::run,
    },
    Tool {
        name: "crm_attribute",
        summary: "Pacemaker's crm_attribute flags (properties and node attributes)",
        run: crate::property::run,
    },
    Tool {
        name: "cibadmin",
        summary: "query, replace, modify, create and delete CIB sections",
        run: crate::cibadmin::run,
    },
    Tool {
        name: "crm_shadow",
        summary: "shadow copies of the CIB: change a sandbox, diff, then commit",
        run: crate::crm_shadow::run,
    },
    Tool {
        name: "stonith_admin",
        summary: "list fence devices, fence a node, show the fencing history",
        run: crate::stonith_admin::run,
    },
    Tool {
        name: "agent",
        summary: "list, describe, run and test resource and fence agents",
        run: crate::agent::run,
    },
    Tool {
        name: "crm_simulate",
        summary: "run the scheduler on a CIB and simulate the transition",
        run: crate::crm_simulate::run,
    },
    Tool {
        name: "crm_verify",
        summary: "check a CIB's configuration for errors",
        run: crate::crm_verify::run,
    },
    Tool {
        name: "verify",
        summary: "same as crm_verify",
        run: crate::crm_verify::run,
    },
    Tool {
        name: "cluster",
        summary: "cluster setup: write corosync.conf and an authkey for new nodes",
        run: crate::cluster::run,
    },
    Tool {
        name: "keygen",
        summary: "write a random cluster authkey",
        run: crate::keygen::run,
    },
    Tool {
        name: "corosync-keygen",
        summary: "same as keygen",
        run: crate::keygen::run,
    },
    Tool {
        name: "cfgtool",
        summary: "show the local node id and each ring's status",
        run: crate::cfgtool::run,
    },
    Tool {
        name: "corosync-cfgtool",
        summary: "same as cfgtool",
        run: crate::cfgtool::run,
    },
    Tool {
        name: "quorumtool",
        summary: "show quorum status, votes and members",
        run: crate::quorumtool::run,
    },
    Tool {
        name: "corosync-quorumtool",
        summary: "same as quorumtool",
        run: crate::quorumtool::run,
    },
    Tool {
        name: "cmapctl",
        summary: "show runtime keys (members, rings)",
        run: crate::cmapctl::run,
    },
    Tool {
        name: "corosync-cmapctl",
        summary: "same as cmapctl",
        run: crate::cmapctl::run,
    },
    Tool {
        name: "cpg",
        summary: "send to or watch a closed process group",
        run: crate::cpg::run,
    },
];

/// The tool answering to `name`, if any.
pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|tool| tool.name == name)
}

/// The help text listing every tool.
pub fn usage() -> String {
    let mut text = String::from(
        "Usage: tandem COMMAND [ARGS...]\n\nA high-availability cluster stack compatible with Pacemaker and Corosync.\n\nCommands:\n",
    );
    for tool in TOOLS {
        text.push_str(&format!("  {:<20} {}\n", tool.name, tool.summary));
    }
    text.push_str(
        "\nEnvironment: CIB_file=FILE makes the CIB tools (status, configure, resource, node,\n\
         property, cibadmin, crm_* ...) read and write FILE instead of the live cluster's CIB;\n\
         CIB_shadow=NAME makes them use a shadow copy (see 'tandem crm_shadow --help').\n",
    );
    text.push_str("\nRun 'tandem COMMAND --help' for a command's options.\n");
    text
}
