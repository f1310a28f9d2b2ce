//! The trace hash of a chaos seed: the determinism check shared by the CLI and the native and wasm tests.

use crate::bugs::Bugs;
use crate::chaos::chaos_config;
use crate::machine::op::Op;
use crate::sim::{Cluster, Command};

/// Runs `seed` for `events` events with a client load and a crash and a partition on the way, and returns the
/// hash of everything that happened.
pub fn trace_hash(seed: u64, events: u64, bugs: Bugs) -> u64 {
    run(seed, events, bugs, false).trace_hash()
}

/// The same run with the journal on: the hash of its journal (every event serialized), and the trace hash,
/// which the journal must not change.
pub fn journal_hash(seed: u64, events: u64, bugs: Bugs) -> (u64, u64) {
    let mut c = run(seed, events, bugs, true);
    let mut h = crate::hash::StableHasher::new();
    let mut count = 0u64;
    for e in c.take_journal() {
        h.bytes(serde_json::to_string(&e).expect("journal events serialize").as_bytes());
        count += 1;
    }
    assert!(count > events, "every event and more is journaled ({count} for {events} events)");
    (h.finish(), c.trace_hash())
}

fn run(seed: u64, events: u64, bugs: Bugs, journal: bool) -> Cluster {
    let mut c = Cluster::new(chaos_config(seed, Some(5), bugs)).expect("valid config");
    if journal {
        c.enable_journal();
    }
    let mut i: u64 = 0;
    while c.events() < events {
        let t = c.now_us() + 20_000;
        c.run_until(t);
        i += 1;
        let op = match i % 3 {
            0 => Op::Set { index: (i % 5) as u32, value: i as i64 },
            1 => Op::Message { text: format!("t{i}") },
            _ => Op::Move { dx: 1, dy: -1 },
        };
        c.apply(Command::Request { client: Some(1 + (i % 3) as u32), to: None, op }).expect("valid");
        match i % 100 {
            30 => {
                if let Some(l) = c.leader().map(|l| l.id()) {
                    c.apply(Command::Crash { node: l }).expect("leader is up");
                }
            }
            60 => c.apply(Command::Partition { groups: vec![vec![1, 2], vec![3, 4, 5]] }).expect("valid"),
            80 => {
                c.apply(Command::Heal).expect("valid");
                let down: Vec<u32> = c.servers().filter(|s| s.node.is_none()).map(|s| s.id).collect();
                for d in down {
                    let _ = c.apply(Command::Restart { node: d });
                }
            }
            _ => {}
        }
    }
    c
}
