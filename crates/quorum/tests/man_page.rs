//! Every worked example of votequorum(5) and of the totem brief §5.3, plus the
//! formula lines of §5.2.

use quorum::{NodeReport, Output, Settings, Status, TieBreaker, Timer, Votequorum};

fn ids(range: std::ops::RangeInclusive<u32>) -> Vec<u32> {
    range.collect()
}

/// Brings a node up with `members` (all reporting `expected` with 1 vote).
fn up(settings: Settings, members: &[u32]) -> Votequorum {
    let mut vq = Votequorum::new(settings);
    vq.membership(0, members);
    vq
}

fn summary(s: &Status) -> (u32, u32, u32, bool) {
    (s.expected_votes, s.total_votes, s.quorum, s.quorate)
}

fn lms_deadline(out: &[Output]) -> Option<u64> {
    out.iter().find_map(|o| match o {
        Output::SetTimer {
            timer: Timer::LastManStanding,
            deadline_ms,
        } => Some(*deadline_ms),
        _ => None,
    })
}

/// §5.2: Q = floor(E/2)+1: E=2→2, 3→2, 4→3, 5→3, 6→4.
#[test]
fn quorum_is_half_expected_plus_one() {
    for (e, q) in [(2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (8, 5)] {
        let vq = Votequorum::new(Settings::new(1, e));
        let s = vq.status();
        assert_eq!(
            (s.expected_votes, s.quorum, s.total_votes),
            (e, q, 1),
            "E={e}"
        );
        assert_eq!(s.quorate, q <= 1);
    }
}

/// votequorum(5) overview: 8 nodes with 1 vote, E=8, Q=5: 5 visible nodes are quorate.
#[test]
fn eight_node_cluster_needs_five() {
    let mut vq = up(Settings::new(1, 8), &ids(1..=4));
    assert_eq!(summary(&vq.status()), (8, 4, 5, false));
    let out = vq.membership(10, &ids(1..=5));
    assert!(matches!(&out[0], Output::Changed(s) if s.quorate && s.quorum == 5));
}

/// §5.3: 3 nodes × 1 vote: lose 1 → quorate, lose 2 → "Activity blocked".
#[test]
fn three_nodes_lose_one_then_two() {
    let mut vq = up(Settings::new(1, 3), &[1, 2, 3]);
    assert_eq!(summary(&vq.status()), (3, 3, 2, true));
    vq.membership(1, &[1, 2]);
    assert_eq!(summary(&vq.status()), (3, 2, 2, true));
    vq.membership(2, &[1]);
    let s = vq.status();
    assert_eq!(summary(&s), (3, 1, 2, false));
    assert!(s.activity_blocked());
    assert_eq!(s.flags.to_string(), "");
}

/// §5.3 / votequorum(5) two_node: quorum is 1; implies wait_for_all.
#[test]
fn two_node_cluster() {
    let mut settings = Settings::new(1, 2);
    settings.two_node = true;
    settings.wait_for_all = true; // what corosync-conf derives from two_node: 1
    let mut vq = Votequorum::new(settings);
    let s = vq.status();
    assert_eq!(
        summary(&s),
        (2, 1, 1, false),
        "one node started: WFA blocks"
    );
    assert_eq!(s.flags.to_string(), "2Node WaitForAll ");
    vq.membership(1, &[1, 2]);
    let s = vq.status();
    assert_eq!(summary(&s), (2, 2, 1, true));
    assert_eq!(s.flags.to_string(), "2Node Quorate WaitForAll ");
    vq.membership(2, &[1]);
    assert_eq!(
        summary(&vq.status()),
        (2, 1, 1, true),
        "peer killed: still quorate"
    );
}

/// votequorum(5): "If more than 2 nodes join the cluster, the two_node option is
/// automatically disabled."
#[test]
fn two_node_turns_off_with_a_third_node() {
    let mut settings = Settings::new(1, 2);
    settings.two_node = true;
    let mut vq = up(settings, &[1, 2, 3]);
    let s = vq.status();
    assert!(!s.flags.two_node);
    assert_eq!(summary(&s), (3, 3, 2, true));
    vq.membership(1, &[1]);
    assert_eq!(summary(&vq.status()), (3, 1, 2, false));
}

/// votequorum(5) wait_for_all: 8 nodes, 5 visible is not enough until all 8
/// have been seen together once; after that 5 suffice.
#[test]
fn wait_for_all_needs_everyone_once() {
    let mut settings = Settings::new(1, 8);
    settings.wait_for_all = true;
    let mut vq = up(settings, &ids(1..=5));
    let s = vq.status();
    assert_eq!(summary(&s), (8, 5, 5, false));
    assert!(s.wait_for_all_waiting);
    vq.membership(1, &ids(1..=8));
    assert!(vq.status().quorate);
    vq.membership(2, &ids(1..=5));
    let s = vq.status();
    assert_eq!(summary(&s), (8, 5, 5, true));
    assert!(!s.wait_for_all_waiting);
    assert_eq!(s.flags.to_string(), "Quorate WaitForAll ");
}

/// A restarted node joining a partition whose members are already quorate
/// (and past wait_for_all) stops waiting.
#[test]
fn wait_for_all_released_by_quorate_peer() {
    let mut settings = Settings::new(3, 3);
    settings.wait_for_all = true;
    let mut vq = up(settings, &[1, 3]);
    assert!(!vq.status().quorate);
    vq.report(
        1,
        NodeReport {
            node: 1,
            votes: 1,
            expected_votes: 3,
            quorate: true,
            wait_for_all_waiting: false,
        },
    );
    assert_eq!(summary(&vq.status()), (3, 2, 2, true));
}

/// votequorum(5) last_man_standing chain of events, 8 nodes, window 10 s.
#[test]
fn last_man_standing_eight_node_chain() {
    let mut settings = Settings::new(1, 8);
    settings.last_man_standing = true;
    let mut vq = up(settings, &ids(1..=8));
    assert_eq!(summary(&vq.status()), (8, 8, 5, true)); // 1)
    let out = vq.membership(1_000, &ids(1..=5)); // 2) 3 nodes die
    assert_eq!(summary(&vq.status()), (8, 5, 5, true));
    assert_eq!(lms_deadline(&out), Some(11_000));
    vq.timer_expired(11_000, Timer::LastManStanding); // 3)
    assert_eq!(summary(&vq.status()), (5, 5, 3, true));
    let out = vq.membership(20_000, &ids(1..=3)); // 4) 2 more die
    assert_eq!(summary(&vq.status()), (5, 3, 3, true));
    let deadline = lms_deadline(&out).expect("window armed");
    vq.timer_expired(deadline, Timer::LastManStanding); // 5)
    assert_eq!(summary(&vq.status()), (3, 3, 2, true));
    let out = vq.membership(40_000, &[1, 2]); // 6) 1 more dies
    assert_eq!(summary(&vq.status()), (3, 2, 2, true));
    let deadline = lms_deadline(&out).expect("window armed");
    vq.timer_expired(deadline, Timer::LastManStanding); // 7)
    assert_eq!(summary(&vq.status()), (2, 2, 2, true));
    // NOTES: without auto_tie_breaker one more failure leaves the node inquorate.
    let out = vq.membership(60_000, &[1]);
    assert_eq!(summary(&vq.status()), (2, 1, 2, false));
    assert_eq!(lms_deadline(&out), None, "no window while inquorate");
}

/// §5.3 LMS with 5 nodes, wait_for_all, window 3000 and ATB (lowest id).
#[test]
fn last_man_standing_five_nodes_with_tie_breaker() {
    let mut settings = Settings::new(1, 5);
    settings.wait_for_all = true;
    settings.last_man_standing = true;
    settings.last_man_standing_window_ms = 3000;
    settings.auto_tie_breaker = true;
    let mut vq = up(settings, &ids(1..=5));
    let mut now = 0;
    let mut rows = vec![(5, summary(&vq.status()))];
    for survivors in [vec![1, 2, 3], vec![1, 2], vec![1]] {
        now += 10_000;
        let out = vq.membership(now, &survivors);
        rows.push((survivors.len(), summary(&vq.status())));
        let deadline = lms_deadline(&out).expect("window armed");
        assert_eq!(deadline, now + 3000);
        vq.timer_expired(deadline, Timer::LastManStanding);
        rows.push((survivors.len(), summary(&vq.status())));
    }
    assert_eq!(
        rows,
        [
            (5, (5, 5, 3, true)),
            (3, (5, 3, 3, true)),
            (3, (3, 3, 2, true)),
            (2, (3, 2, 2, true)),
            (2, (2, 2, 2, true)),
            (1, (2, 1, 2, true)), // ATB: node 1 holds the lowest id
            (1, (1, 1, 1, true)),
        ]
    );
    assert_eq!(
        vq.status().flags.to_string(),
        "Quorate WaitForAll LastManStanding AutoTieBreaker "
    );
}

/// A membership change inside the window restarts it; an early expiry is ignored.
#[test]
fn last_man_standing_window_restarts_on_change() {
    let mut settings = Settings::new(1, 5);
    settings.last_man_standing = true;
    settings.last_man_standing_window_ms = 3000;
    let mut vq = up(settings, &ids(1..=5));
    let out = vq.membership(1000, &ids(1..=4));
    assert_eq!(lms_deadline(&out), Some(4000));
    let out = vq.membership(2000, &ids(1..=3));
    assert_eq!(lms_deadline(&out), Some(5000));
    vq.timer_expired(4000, Timer::LastManStanding);
    assert_eq!(vq.status().expected_votes, 5, "stale deadline ignored");
    vq.timer_expired(5000, Timer::LastManStanding);
    assert_eq!(vq.status().expected_votes, 3);
    // Back to full strength: no window needed, none armed.
    let out = vq.membership(6000, &ids(1..=5));
    assert_eq!(lms_deadline(&out), None);
    assert_eq!(summary(&vq.status()), (5, 5, 3, true));
}

/// votequorum(5) ATB: a 4|4 split of 8 keeps the half with the lowest node id.
#[test]
fn auto_tie_breaker_lowest_highest_and_list() {
    let split = |tb: TieBreaker, me: u32, half: &[u32]| {
        let mut settings = Settings::new(me, 8);
        settings.auto_tie_breaker = true;
        settings.tie_breaker = tb;
        let mut vq = up(settings, &ids(1..=8));
        vq.membership(1, half);
        let s = vq.status();
        assert_eq!(
            (s.expected_votes, s.total_votes, s.quorum),
            (8, half.len() as u32, 5)
        );
        s.quorate
    };
    assert!(split(TieBreaker::Lowest, 1, &[1, 2, 3, 4]));
    assert!(!split(TieBreaker::Lowest, 5, &[5, 6, 7, 8]));
    assert!(!split(TieBreaker::Highest, 1, &[1, 2, 3, 4]));
    assert!(split(TieBreaker::Highest, 8, &[5, 6, 7, 8]));
    assert!(split(TieBreaker::List(vec![1, 3, 5]), 1, &[1, 2, 7, 8]));
    assert!(!split(TieBreaker::List(vec![1, 3, 5]), 3, &[3, 4, 5, 6]));
    // Node 9 was never in the cluster: the next id in the list decides.
    assert!(split(TieBreaker::List(vec![9, 5]), 5, &[3, 4, 5, 6]));
    // ATB only breaks exact halves: 3 of 8 stays inquorate.
    assert!(!split(TieBreaker::Lowest, 1, &[1, 2, 3]));
}

/// §5.2 [OBS] 2|2 split: {1,2} shows Quorum 3, Total 2, "Quorate AutoTieBreaker".
#[test]
fn auto_tie_breaker_two_two_split_output() {
    let mut settings = Settings::new(1, 4);
    settings.auto_tie_breaker = true;
    let mut vq = up(settings, &[1, 2, 3, 4]);
    vq.membership(1, &[1, 2]);
    let s = vq.status();
    assert_eq!((s.quorum, s.total_votes, s.quorate), (3, 2, true));
    assert_eq!(s.flags.to_string(), "Quorate AutoTieBreaker ");
}

/// §5.3 weighted votes: node1 has 3 votes, E=5, Q=3; losing node1 → inquorate.
#[test]
fn weighted_votes() {
    let mut settings = Settings::new(2, 5);
    settings.node_votes = [(1, 3), (2, 1), (3, 1)].into_iter().collect();
    let mut vq = up(settings, &[1, 2, 3]);
    assert_eq!(summary(&vq.status()), (5, 5, 3, true));
    vq.membership(1, &[2, 3]);
    assert_eq!(summary(&vq.status()), (5, 2, 3, false));
}

/// §5.2 [OBS]: expected_votes: 2 with 3 members shows "Expected votes: 3";
/// a member reporting a higher expected raises E ("Highest expected").
#[test]
fn expected_is_max_of_config_reports_and_total() {
    let mut vq = up(Settings::new(1, 2), &[1, 2, 3]);
    assert_eq!(summary(&vq.status()), (3, 3, 2, true));
    vq.report(
        1,
        NodeReport {
            node: 2,
            votes: 1,
            expected_votes: 7,
            quorate: true,
            wait_for_all_waiting: false,
        },
    );
    let s = vq.status();
    assert_eq!(
        (s.highest_expected, s.expected_votes, s.quorum, s.quorate),
        (7, 7, 4, false)
    );
}

/// §5.2 [OBS]: `-e 1` with T = 2 is refused; `-e 6` is accepted (Q = 4).
#[test]
fn set_expected_runtime() {
    let mut vq = up(Settings::new(1, 4), &[1, 2]);
    assert!(vq.set_expected(1, 1).is_err());
    vq.set_expected(2, 6).expect("accepted");
    let s = vq.status();
    assert_eq!((s.expected_votes, s.quorum), (6, 4));
    vq.set_votes(3, 2, 3).expect("member");
    assert_eq!(vq.status().total_votes, 4);
    assert!(vq.set_votes(4, 9, 1).is_err());
}

/// Changes are notified once; a repeated identical membership emits nothing.
#[test]
fn notifications_only_on_change() {
    let mut vq = Votequorum::new(Settings::new(1, 3));
    let out = vq.membership(0, &[1, 2]);
    assert!(matches!(&out[..], [Output::Changed(s)] if s.quorate));
    assert!(vq.membership(1, &[1, 2]).is_empty());
    assert!(
        vq.report(
            2,
            NodeReport {
                node: 5,
                votes: 9,
                expected_votes: 9,
                quorate: true,
                wait_for_all_waiting: false
            }
        )
        .is_empty(),
        "non-member report ignored"
    );
}

/// Settings come from corosync.conf: the OpenStack unicast example.
#[test]
fn settings_from_openstack_config() {
    let text = "totem {\n version: 2\n transport: udpu\n}\nquorum {\n provider: corosync_votequorum\n expected_votes: 7\n wait_for_all: 1\n last_man_standing: 1\n last_man_standing_window: 10000\n}\nnodelist {\n node {\n  ring0_addr: controller1\n  nodeid: 1\n }\n node {\n  ring0_addr: controller2\n  nodeid: 2\n }\n node {\n  ring0_addr: controller3\n  nodeid: 3\n }\n}\n";
    let config = corosync_conf::parse(text, "t").expect("valid").config;
    let settings = Settings::from_config(&config, 2).expect("votequorum on");
    assert_eq!(settings.expected_votes, 7);
    assert!(settings.wait_for_all && settings.last_man_standing);
    assert_eq!(settings.last_man_standing_window_ms, 10_000);
    let vq = up(settings, &[1, 2, 3]);
    assert_eq!(summary(&vq.status()), (7, 3, 4, false));
    let no_provider = corosync_conf::parse(
        "totem {\n version: 2\n}\nnodelist {\n node {\n  ring0_addr: a\n }\n}\n",
        "t",
    )
    .expect("valid")
    .config;
    assert!(Settings::from_config(&no_provider, 1).is_none());
}

/// votequorum(5) allow_downscale: expected 3 configured, 13 nodes join
/// (expected becomes 13), then an ordered shutdown brings it back to 3, not below.
#[test]
fn allow_downscale_follows_clean_leaves_down_to_configured() {
    let mut settings = Settings::new(1, 3);
    settings.allow_downscale = true;
    let mut vq = up(settings, &ids(1..=13));
    assert_eq!(summary(&vq.status()), (13, 13, 7, true));
    assert_eq!(vq.status().flags.to_string(), "Quorate AllowDownscale ");
    let mut now = 0;
    for leaving in (2..=13).rev() {
        now += 1000;
        vq.node_leaving(now, leaving);
        vq.membership(now, &ids(1..=leaving - 1));
        let s = vq.status();
        let expected = (leaving - 1).max(3);
        assert_eq!(s.expected_votes, expected, "after node {leaving} left");
        let remaining = leaving - 1;
        assert_eq!(s.quorate, remaining > expected / 2);
    }
    // Only node 1 remains: expected stays at the configured 3.
    assert_eq!(summary(&vq.status()), (3, 1, 2, false));
    // A failure (no clean leave) never lowers expected votes.
    let mut vq = up(
        {
            let mut s = Settings::new(1, 3);
            s.allow_downscale = true;
            s
        },
        &ids(1..=5),
    );
    vq.membership(1, &ids(1..=4));
    assert_eq!(vq.status().expected_votes, 5);
}
