//! Heartbeats to idle followers only (heartbeats.rs): who gets one, and that nobody goes an interval without an
//! AppendEntries from its leader, whatever the load.

use super::tests_membership::leader_of;
use super::*;
use crate::sim::{Cluster, Command, SimConfig};
use rand::Rng;

/// The AppendEntries in a Ready, by follower: (to, number of entries).
fn appends(r: &Ready) -> Vec<(NodeId, usize)> {
    r.send
        .iter()
        .filter_map(|(to, m)| match m {
            Message::AppendEntries { entries, .. } => Some((*to, entries.len())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_follower_sent_entries_within_the_interval_gets_no_heartbeat_and_an_idle_one_does() {
    // Leader S1 of {1,2,3} sent its no-op to both at 10_000_001; S2 acknowledged it, S3 did not.
    let mut n = leader_of(Membership::of_voters([1, 2, 3]), true);
    let hb = n.config().heartbeat_us();
    let mut old = n.clone();
    old.set_config(RaftConfig { idle_heartbeats: false, ..n.config().clone() });
    // At +30 ms a proposal goes to S2 only (S3's window of one is full).
    n.propose(10_030_000, EntryData::Noop).unwrap();
    assert_eq!(appends(&n.take_ready()), vec![(2, 1)]);
    assert_eq!(n.next_deadline_us(), 10_000_001 + hb, "S3 is due first");
    n.tick(10_000_001 + hb);
    assert_eq!(appends(&n.take_ready()), vec![(3, 0)], "S2 heard from the leader 20 ms ago: no heartbeat");
    assert_eq!(n.next_deadline_us(), 10_030_000 + hb, "then S2");
    n.tick(10_030_000 + hb);
    assert_eq!(appends(&n.take_ready()), vec![(2, 0)]);
    // Every follower every interval without the switch.
    old.propose(10_030_000, EntryData::Noop).unwrap();
    old.take_ready();
    old.tick(10_000_001 + hb);
    assert_eq!(appends(&old.take_ready()), vec![(2, 0), (3, 0)]);
}

/// Drives a leader of {1,2,3} for `intervals` heartbeat intervals through random proposals, acknowledgements
/// (some lost) and its own ticks, flipping `idle_heartbeats` live at random moments with probability `flip_p`,
/// and checks at every step that no follower has waited more than an interval for an AppendEntries. Returns the
/// heartbeats sent, the heartbeats a leader without the switch would have sent (two per tick), and the flips.
fn drive(seed: u64, intervals: u64, flip_p: f64) -> (usize, usize, usize) {
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
    let mut n = leader_of(Membership::of_voters([1, 2, 3]), true);
    let hb = n.config().heartbeat_us();
    let mut last_sent: Vec<TimeUs> = vec![10_000_001; 4];
    let (mut now, mut heartbeats, mut beats_without, mut flips) = (10_000_010, 0, 0, 0);
    let end = now + intervals * hb;
    while now < end {
        let deadline = n.next_deadline_us();
        assert!(deadline >= now, "seed {seed}: a deadline in the past");
        now = deadline.min(now + rng.random_range(0..hb / 2));
        for (f, sent) in last_sent.iter().enumerate().skip(2) {
            assert!(now - sent <= hb, "seed {seed}: S{f} waited {} µs after {flips} flips", now - sent);
        }
        if now == deadline {
            n.tick(now);
            beats_without += 2;
        } else if flip_p > 0.0 && rng.random_bool(flip_p) {
            let idle = !n.config().idle_heartbeats;
            n.set_config(RaftConfig { idle_heartbeats: idle, ..n.config().clone() });
            flips += 1;
        } else if rng.random_bool(0.4) {
            n.propose(now, EntryData::Noop).unwrap();
        } else {
            // Some follower acknowledges what it was sent (or fails to, as if the reply were lost).
            let f: NodeId = rng.random_range(2..=3);
            let m = n.progress()[&f].next_index - 1;
            if rng.random_bool(0.8) {
                let reply = Message::AppendEntriesReply { term: 1, success: true, match_index: m, conflict_index: 0 };
                n.step(now, f, reply);
            }
        }
        for (to, entries) in appends(&n.take_ready()) {
            last_sent[to as usize] = now;
            heartbeats += usize::from(entries == 0);
        }
    }
    (heartbeats, beats_without, flips)
}

#[test]
fn no_follower_goes_an_interval_without_an_append_whatever_the_load() {
    for seed in 0..30 {
        let (heartbeats, beats_without, _) = drive(seed, 20, 0.0);
        assert!(heartbeats < beats_without, "seed {seed}: {heartbeats} heartbeats, {beats_without} without the switch");
    }
}

/// The switch flipped live while leading, at random moments under a random load: in either mode and across
/// each change, no follower waits more than an interval.
#[test]
fn flipping_the_switch_while_leading_keeps_every_follower_within_an_interval() {
    for seed in 0..30 {
        let (_, _, flips) = drive(seed, 40, 0.15);
        assert!(flips > 5, "seed {seed}: the switch was flipped ({flips})");
    }
}

/// With the heartbeat close to the election timeout, a leader under a client load keeps every follower from
/// timing out. The load is a request every 200 ms: a leader that counted from the last entries sent to a
/// follower, and not from the last message, would let it wait up to 200 ms plus the trip (more than 150).
#[test]
fn a_cluster_with_a_slow_heartbeat_and_a_light_load_keeps_its_leader() {
    for seed in 0..5 {
        let mut cfg = SimConfig { nodes: 5, seed, ..SimConfig::default() };
        cfg.raft.heartbeat_ms = 110;
        (cfg.raft.election_timeout_min_ms, cfg.raft.election_timeout_max_ms) = (150, 300);
        let mut c = Cluster::new(cfg).unwrap();
        c.run_until(2_000_000);
        let term = c.leader().expect("a leader after 2 s").term();
        for i in 0..150u64 {
            c.run_until(2_000_000 + i * 200_000);
            let op = crate::machine::op::Op::Set { index: (i % 5) as u32, value: i as i64 };
            c.apply(Command::Request { client: Some((i % 4 + 1) as u32), to: None, op }).unwrap();
        }
        assert_eq!(c.leader().map(|l| l.term()), Some(term), "seed {seed}: no election under load");
        assert!(c.leader().unwrap().commit_index() > 100, "seed {seed}: the load was served");
    }
}

/// Through the page's Protocol panel: a `configure` turns the switch off and on in a running cluster. The
/// leader keeps its term, the escort keeps marching (its round moves between the heartbeat tick and its own
/// timer), and with the switch off every follower gets a heartbeat every interval again.
#[test]
fn a_live_configure_switches_heartbeats_without_an_election() {
    use crate::sim::Settings;
    let idle = |on| Command::Configure { settings: Settings { idle_heartbeats: Some(on), ..Default::default() } };
    let mut cfg = SimConfig { nodes: 5, seed: 3, ..SimConfig::default() };
    cfg.machine.march = true;
    let mut c = Cluster::new(cfg).unwrap();
    c.run_until(1_000_000);
    let term = c.leader().expect("a leader after 1 s").term();
    let hb_ms = c.config().raft.heartbeat_ms;
    // The escort's 100 steps take 5 s at the default 50 ms: four rounds of 1 s stay within them.
    for (i, on) in [false, true, false, true].into_iter().enumerate() {
        c.apply(idle(on)).unwrap();
        assert_eq!(c.config().raft.idle_heartbeats, on);
        let at = c.leader().unwrap().commit_index();
        let from_us = c.now_us();
        c.run_until(from_us + 1_000_000);
        let leader = c.leader().expect("still a leader");
        assert_eq!(leader.term(), term, "round {i}: no election after switching to {on}");
        // The escort marches one step per interval: 1 s holds about 1000 / hb_ms of them.
        let marched = leader.commit_index() - at;
        assert!(marched * hb_ms >= 700, "round {i} ({on}): only {marched} entries committed in 1 s");
    }
    let text = serde_json::to_string(&idle(false)).unwrap();
    assert_eq!(text, r#"{"cmd":"configure","settings":{"idle_heartbeats":false}}"#);
}
