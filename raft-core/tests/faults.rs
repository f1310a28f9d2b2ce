//! The fault model's corners: a paused node sends nothing, a stalled disk holds what waits for it, and a run
//! that stops advancing virtual time halts with a report instead of hanging.
#![cfg(not(target_arch = "wasm32"))]

use raft_core::machine::op::Op;
use raft_core::sim::{Command, DiskConfig, SimConfig};
use raft_core::types::{Endpoint, NodeId};
use raft_core::Cluster;

fn slow_disk_cluster() -> Cluster {
    let cfg = SimConfig {
        nodes: 3,
        seed: 4,
        disk: DiskConfig { sync_min_ms: 40.0, sync_max_ms: 40.0, torn_writes: false },
        ..SimConfig::default()
    };
    let mut c = Cluster::new(cfg).unwrap();
    c.run_until(2_000_000);
    assert!(c.leader().is_some());
    c
}

/// Messages in flight from `id` that are not in `before` (ids of messages already on their way).
fn sent_by(c: &Cluster, id: NodeId, before: &[u64]) -> usize {
    in_flight_from(c, id).iter().filter(|m| !before.contains(m)).count()
}

/// Ids of the messages in flight from `id` now (sent before a pause, they may still be on their way).
fn in_flight_from(c: &Cluster, id: NodeId) -> Vec<u64> {
    c.in_flight().filter(|e| e.from == Endpoint::Node(id)).map(|e| e.id).collect()
}

/// A request to the leader, run until a follower has its write in flight to disk: (leader, follower).
fn follower_writing(c: &mut Cluster) -> (NodeId, NodeId) {
    let leader = c.leader().unwrap().id();
    let follower = c.servers().map(|s| s.id).find(|id| *id != leader).unwrap();
    c.apply(Command::Request { client: None, to: Some(leader), op: Op::Set { index: 0, value: 1 } }).unwrap();
    until_writing(c, follower);
    (leader, follower)
}

/// Runs events until `id` has a write in flight to its disk.
fn until_writing(c: &mut Cluster, id: NodeId) {
    for _ in 0..10_000 {
        if !c.server(id).unwrap().pending.is_empty() {
            c.run_until(c.now_us());
            return;
        }
        assert!(c.step_event());
    }
    panic!("S{id} never wrote");
}

#[test]
fn a_paused_node_sends_nothing_even_when_its_disk_finishes_a_write() {
    let mut c = slow_disk_cluster();
    let (_, follower) = follower_writing(&mut c);
    c.apply(Command::Pause { node: follower }).unwrap();
    let before = in_flight_from(&c, follower);
    // The write completes within 40 ms; its acknowledgement must wait for the resume.
    let paused_at = c.now_us();
    while c.now_us() < paused_at + 500_000 {
        c.run_until(c.now_us() + 5_000);
        assert_eq!(sent_by(&c, follower, &before), 0, "a paused node sent a message at {} µs", c.now_us());
    }
    let durable = c.server(follower).unwrap().disk.log.last_index();
    assert!(durable > 0, "the disk itself completed the write while the node was paused");
    c.apply(Command::Resume { node: follower }).unwrap();
    assert!(sent_by(&c, follower, &before) > 0, "the held acknowledgement leaves at resume");
}

#[test]
fn a_stalled_disk_holds_acknowledgements_until_it_recovers() {
    let mut c = slow_disk_cluster();
    let (_, follower) = follower_writing(&mut c);
    let last_before = c.server(follower).unwrap().disk.log.last_index();
    c.apply(Command::StallDisk { node: follower, stall_ms: 1_000 }).unwrap();
    c.run_until(c.now_us() + 900_000);
    assert_eq!(c.server(follower).unwrap().disk.log.last_index(), last_before, "nothing synced while stalled");
    c.run_until(c.now_us() + 200_000);
    assert!(c.server(follower).unwrap().disk.log.last_index() > last_before, "the writes complete afterwards");
    assert_eq!(c.violation_count(), 0, "{:?}", c.violations());
    let err = c.apply(Command::StallDisk { node: follower, stall_ms: 0 }).unwrap_err();
    assert!(err.contains("1 to 60000 ms"), "{err}");
}

#[test]
fn a_run_that_stops_advancing_time_halts_with_a_report() {
    // Zero latency and instant disks: a whole cluster's traffic happens at one virtual instant. With the
    // guard lowered, that is a "spin", and it must end the run with a report rather than hang.
    let mut cfg = SimConfig { nodes: 51, ..SimConfig::default() };
    cfg.network.latency_min_ms = 0.0;
    cfg.network.latency_max_ms = 0.0;
    cfg.disk = DiskConfig { sync_min_ms: 0.0, sync_max_ms: 0.0, torn_writes: false };
    let mut c = Cluster::new(cfg).unwrap();
    c.set_events_at_instant_max(50);
    c.run_until(10_000_000);
    let why = c.halted().expect("the run halted");
    assert!(why.contains("virtual time stopped advancing"), "{why}");
    assert!(c.violations().iter().any(|v| v.message == why), "the halt is reported as a violation");
    let events = c.events();
    c.run_until(20_000_000);
    assert_eq!(c.events(), events, "a halted run processes nothing more");
}

/// A link holds at most `LINK_IN_FLIGHT_MAX` messages (a socket's buffer): a leader that sends faster than
/// the network delivers has the excess dropped and counted, and every link stays within the bound.
#[test]
fn a_full_link_drops_and_counts_the_excess() {
    use raft_core::sim::bus::LINK_IN_FLIGHT_MAX;
    use raft_core::sim::Settings;
    let mut c = Cluster::new(SimConfig { nodes: 3, seed: 5, ..SimConfig::default() }).unwrap();
    c.run_until(2_000_000);
    let leader = c.leader().unwrap().id();
    // Heartbeats every millisecond on a 2-second wire: about 1,000 per link in flight without a bound.
    let slow = Settings {
        heartbeat_ms: Some(1),
        election_timeout_min_ms: Some(20_000),
        election_timeout_max_ms: Some(30_000),
        latency_min_ms: Some(2_000.0),
        latency_max_ms: Some(2_000.0),
        ..Default::default()
    };
    c.apply(Command::Configure { settings: slow }).unwrap();
    c.run_until(c.now_us() + 1_500_000);
    let mut per_link = std::collections::BTreeMap::new();
    for e in c.in_flight() {
        *per_link.entry((e.from, e.to)).or_insert(0u32) += 1;
    }
    let fullest = per_link.values().copied().max().unwrap_or(0);
    assert_eq!(fullest, LINK_IN_FLIGHT_MAX, "the leader's links fill up to the bound and no further");
    assert!(per_link.keys().any(|(from, _)| *from == Endpoint::Node(leader)));
    assert!(c.fault_stats().dropped_link_full > 1_000, "dropped: {}", c.fault_stats().dropped_link_full);
    assert_eq!(c.status_view().dropped_link_full, c.fault_stats().dropped_link_full);
    assert!(c.violations().is_empty(), "{:?}", c.violations());
}
