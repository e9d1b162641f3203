//! Fencing topology over the simulated group: a lost node is fenced by the first level whose
//! devices all succeed, every replica's fencing history names that level, and its resources
//! are recovered only after it; when every level fails nothing is recovered.

mod harness;

use harness::Sim;

fn config(levels: &str) -> String {
    let dev = |id: &str| {
        format!(
            "<primitive id=\"{id}\" class=\"stonith\" type=\"fence_dummy\">\
             <operations><op id=\"{id}-monitor\" name=\"monitor\" interval=\"60s\"/></operations></primitive>"
        )
    };
    harness::cib_with(
        &[("stonith-enabled", "true")],
        &format!(
            "{}{}{}",
            dev("fence-bad"),
            dev("fence-ok"),
            harness::dummy_primitive("d1")
        ),
        &format!("<fencing-topology>{levels}</fencing-topology>"),
    )
}

const LEVELS: &str =
    "<fencing-level id=\"l1\" target-pattern=\"^node\" index=\"1\" devices=\"fence-bad\"/>\
     <fencing-level id=\"l2\" target-pattern=\"^node\" index=\"2\" devices=\"fence-ok\"/>";

/// Three nodes running `cib`, then node holding `d1` cut off; returns the sim, the
/// victim's id and name.
fn lose_d1_holder(cib: &str, fail: &[&str], always: bool) -> (Sim, u32, String) {
    let mut sim = Sim::three_running(cib);
    let victim = sim.only_node_of("d1");
    let victim_name = sim.name(victim);
    for n in sim.nodes.iter_mut() {
        for dev in fail {
            let key = (dev.to_string(), "reboot".to_string());
            if always {
                n.exec.fail_always.insert(key);
            } else {
                n.exec.fail_next.insert(key);
            }
        }
    }
    let others: Vec<u32> = (1..=3).filter(|&i| i != victim).collect();
    sim.set_parts(vec![others, vec![victim]]);
    (sim, victim, victim_name)
}

#[test]
fn a_failing_first_level_falls_through_to_the_second() {
    let (mut sim, victim, victim_name) = lose_d1_holder(&config(LEVELS), &["fence-bad"], false);
    sim.settle(120_000);
    assert_eq!(sim.fenced.len(), 1, "fenced once: {:?}", sim.fenced);
    assert_eq!(sim.fenced[0].1, victim_name);
    // The runner tried level 1's device before level 2's.
    let runner = sim
        .nodes
        .iter()
        .find(|n| n.name == sim.fenced[0].0)
        .expect("runner");
    let tried: Vec<&str> = runner
        .exec
        .log
        .iter()
        .filter(|(_, a, _)| a == "reboot")
        .map(|(r, _, _)| r.as_str())
        .collect();
    assert_eq!(tried, vec!["fence-bad", "fence-ok"]);
    let survivor = (1..=3).find(|&i| i != victim).expect("survivor");
    let h = sim.ctrl(survivor).fence_history();
    let last = h.back().expect("a fencing in the history");
    assert!(last.succeeded && last.target == victim_name, "{last:?}");
    assert!(last.detail.contains("level 2 (fence-ok)"), "{last:?}");
    assert!(
        last.detail.contains("fence-bad"),
        "level 1's failure kept: {last:?}"
    );
    let on = sim.running_on("d1");
    assert_eq!(on.len(), 1, "d1 recovered once: {on:?}");
    assert_ne!(on[0], victim_name);
}

#[test]
fn when_every_level_fails_the_node_is_not_taken_as_fenced() {
    // Both devices always fail (the DC keeps retrying, as Pacemaker does).
    let (mut sim, victim, victim_name) =
        lose_d1_holder(&config(LEVELS), &["fence-bad", "fence-ok"], true);
    sim.run_for(20_000);
    assert!(sim.fenced.is_empty(), "{:?}", sim.fenced);
    let survivor = (1..=3).find(|&i| i != victim).expect("survivor");
    let h = sim.ctrl(survivor).fence_history();
    let first = h.front().expect("failed fencings in the history");
    assert!(!first.succeeded && first.target == victim_name, "{first:?}");
    assert!(
        first.detail.contains("level 1 fence-bad") && first.detail.contains("level 2 fence-ok"),
        "{first:?}"
    );
    // Retried at once only stonith-max-attempts (10) times, then left for the recheck.
    let failed = h.iter().filter(|e| !e.succeeded).count();
    assert_eq!(failed, 10, "{h:?}");
    // The survivors never start d1 without the fencing (the victim, alone without quorum,
    // stops it itself).
    let on = sim.running_on("d1");
    assert!(on.iter().all(|n| *n == victim_name), "d1 on {on:?}");
}

#[test]
fn an_administrator_confirming_the_node_down_unblocks_recovery() {
    let (mut sim, victim, victim_name) =
        lose_d1_holder(&config(LEVELS), &["fence-bad", "fence-ok"], true);
    sim.run_for(10_000);
    let on = sim.running_on("d1");
    assert!(
        on.iter().all(|n| *n == victim_name),
        "not recovered yet: {on:?}"
    );
    let survivor = (1..=3).find(|&i| i != victim).expect("survivor");
    sim.input(
        survivor,
        controller::Input::Fence {
            target: victim_name.clone(),
            action: "confirm".into(),
        },
    );
    // The devices still fail, but nothing needs them now.
    sim.run_for(10_000);
    let on = sim.running_on("d1");
    assert!(
        on.len() == 1 && on[0] != victim_name,
        "d1 recovered after the confirmation: {on:?}"
    );
    let h = sim.ctrl(survivor).fence_history();
    assert!(
        h.iter().any(|e| e.succeeded
            && e.target == victim_name
            && e.detail.contains("confirmed down by an administrator")),
        "{h:?}"
    );
}

#[test]
fn pcmk_delay_base_holds_the_device_back() {
    let cib = config("").replace(
        "<primitive id=\"fence-bad\" class=\"stonith\" type=\"fence_dummy\">",
        "<primitive id=\"fence-bad\" class=\"stonith\" type=\"fence_dummy\">\
         <instance_attributes id=\"fb-ia\"><nvpair id=\"fb-delay\" name=\"pcmk_delay_base\" value=\"5s\"/>\
         </instance_attributes>",
    );
    let (mut sim, _, victim_name) = lose_d1_holder(&cib, &[], false);
    // The membership change is seen at once in the simulation: only the delay holds it.
    sim.run_for(4_000);
    assert!(
        sim.fenced.is_empty(),
        "fenced before the delay: {:?}",
        sim.fenced
    );
    sim.run_for(3_000);
    assert_eq!(sim.fenced.len(), 1, "{:?}", sim.fenced);
    assert_eq!(sim.fenced[0].1, victim_name);
}

#[test]
fn every_replica_shows_the_fencing_in_progress_until_its_result() {
    let cib = harness::cib_with(
        &[("stonith-enabled", "true")],
        &format!(
            "<primitive id=\"fence-slow\" class=\"stonith\" type=\"fence_dummy\">\
             <instance_attributes id=\"fs-ia\"><nvpair id=\"fs-d\" name=\"pcmk_delay_base\" value=\"5s\"/>\
             </instance_attributes></primitive>{}",
            harness::dummy_primitive("d1")
        ),
        "",
    );
    let (mut sim, victim, victim_name) = lose_d1_holder(&cib, &[], false);
    let survivors: Vec<u32> = (1..=3).filter(|&i| i != victim).collect();
    let mut waited = 0;
    while sim.ctrl(survivors[0]).pending_fencing().is_empty() {
        sim.run_for(100);
        waited += 100;
        assert!(waited < 10_000, "no fencing in progress after {waited} ms");
    }
    let pending = sim.ctrl(survivors[0]).pending_fencing();
    assert_eq!(pending, sim.ctrl(survivors[1]).pending_fencing());
    assert_eq!(pending.len(), 1, "{pending:?}");
    let p = &pending[0];
    assert_eq!(p.target, victim_name);
    assert_eq!(p.action, "reboot");
    assert_eq!(p.client, "tandem-controller");
    let dc = sim.ctrl(survivors[0]).dc().expect("a DC");
    assert_eq!(p.origin, sim.name(dc));
    assert!(survivors.iter().any(|&s| sim.name(s) == p.executioner));
    sim.settle(120_000);
    assert_eq!(sim.fenced.len(), 1, "{:?}", sim.fenced);
    for &s in &survivors {
        assert!(sim.ctrl(s).pending_fencing().is_empty());
        let last = sim
            .ctrl(s)
            .fence_history()
            .back()
            .cloned()
            .expect("history");
        assert!(last.succeeded, "{last:?}");
        assert_eq!(
            (last.client.as_str(), last.origin.as_str()),
            ("tandem-controller", p.origin.as_str())
        );
    }
}
