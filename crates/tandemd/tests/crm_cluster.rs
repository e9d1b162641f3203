//! Real 3-node clusters (tandemd + resource manager per node, `tandemd`) in network
//! namespaces `tdr-*` (10.204.7.0/24, the [`e2e`] harness). Run only with
//! TANDEM_SLOW_TESTS=1, as root.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use resource_manager::admin;

mod e2e;
use e2e::{enabled, number, placement, Cluster, Lab};

const LAB: Lab = Lab {
    prefix: "tdr",
    octet: 7,
};

fn configured(c: &Cluster) -> String {
    c.configure(&c.config(&[("stonith-enabled", "false")], "", ""));
    c.wait("group and clone started", Duration::from_secs(60), || {
        let cib = c.query(1);
        let a = placement(&cib, "a");
        let b = placement(&cib, "b");
        (a.len() == 1 && a == b && placement(&cib, "c").len() == 3).then(|| a[0].clone())
    })
}

#[test]
fn sigkill_of_the_group_holder_moves_the_group() {
    if !enabled("sigkill_of_the_group_holder_moves_the_group") {
        return;
    }
    let mut c = Cluster::start_in(LAB, 3);
    c.wait_joined(&[1, 2, 3]);
    let holder = configured(&c);
    let victim = number(&holder);
    let survivor = (1..=3).find(|&i| i != victim).expect("a survivor");
    let t = Instant::now();
    c.kill(victim);
    let to = c.wait("the group on a survivor", Duration::from_secs(30), || {
        let cib = c.query(survivor);
        let a = placement(&cib, "a");
        let b = placement(&cib, "b");
        (a.len() == 1 && a == b && a[0] != holder).then(|| a[0].clone())
    });
    eprintln!(
        "group moved {holder} -> {to} in {} ms after SIGKILL",
        t.elapsed().as_millis()
    );
    // Nothing runs twice among the survivors.
    let cib = c.query(survivor);
    assert_eq!(placement(&cib, "c").len(), 2, "clone on both survivors");
}

#[test]
fn monitor_failure_restarts_the_resource() {
    if !enabled("monitor_failure_restarts_the_resource") {
        return;
    }
    let c = Cluster::start_in(LAB, 3);
    c.wait_joined(&[1, 2, 3]);
    let holder = configured(&c);
    let i = number(&holder);
    let state = c.node_dir(i).join("rsctmp/Dummy-b.state");
    assert!(
        state.exists(),
        "{} should exist while b runs",
        state.display()
    );
    std::fs::remove_file(&state).expect("remove b's state file");
    // The monitor (1s) sees it stopped, the failure is recorded, b is restarted.
    c.wait("a recorded failure of b", Duration::from_secs(20), || {
        let cib = c.query(1);
        cib.contains("b_last_failure_0").then_some(())
    });
    c.wait("b running again", Duration::from_secs(30), || {
        let cib = c.query(1);
        (state.exists() && placement(&cib, "b").len() == 1).then_some(())
    });
    let cib = c.query(1);
    assert!(cib.contains("fail-count-b"), "fail count recorded:\n{cib}");
    // cleanup forgets it
    admin::call(&c.crm(1), "cleanup", &["b"], "").expect("cleanup");
    c.wait("failure forgotten", Duration::from_secs(20), || {
        let cib = c.query(1);
        (!cib.contains("b_last_failure_0") && !cib.contains("fail-count-b")).then_some(())
    });
}

fn crm_simulate_accepts(path: &Path) -> Option<(bool, String)> {
    let out = Command::new("crm_simulate")
        .arg("-x")
        .arg(path)
        .arg("-S")
        .output()
        .ok()?;
    Some((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

#[test]
fn live_cib_is_accepted_by_pacemaker_crm_simulate() {
    if !enabled("live_cib_is_accepted_by_pacemaker_crm_simulate") {
        return;
    }
    let c = Cluster::start_in(LAB, 3);
    c.wait_joined(&[1, 2, 3]);
    let holder = configured(&c);
    let live = c.dir.join("live.xml");
    std::fs::write(&live, c.query(1)).expect("write live.xml");
    let Some((ok, text)) = crm_simulate_accepts(&live) else {
        eprintln!("crm_simulate is not installed; skipping the Pacemaker check");
        return;
    };
    assert!(ok, "crm_simulate refused the live CIB:\n{text}");
    // Pacemaker reads the same placement: the group where we run it, nothing to do.
    assert!(
        text.contains(&format!("Started {holder}")),
        "crm_simulate output:\n{text}"
    );
    assert!(text.contains("Transition Summary:"), "{text}");
}
