//! Same seed and same commands ⇒ the same run. The golden hash is shared with the wasm test
//! (tests/wasm_trace.rs), so native and wasm must agree with each other through it.
//! After a deliberate change of behaviour, update tests/golden/trace.txt with `raft-sim trace --seed 7
//! --events 5000`, and tests/golden/journal.txt with the hash this test prints when it fails.
#![cfg(not(target_arch = "wasm32"))]

use raft_core::bugs::Bugs;
use raft_core::trace::{journal_hash, trace_hash};

#[test]
fn same_seed_gives_the_same_trace_twice() {
    let a = trace_hash(7, 5_000, Bugs::none());
    let b = trace_hash(7, 5_000, Bugs::none());
    assert_eq!(a, b);
    assert_ne!(a, trace_hash(8, 5_000, Bugs::none()), "a different seed is a different run");
}

#[test]
fn native_trace_matches_the_golden_hash_the_wasm_test_checks() {
    let golden = include_str!("golden/trace.txt").trim();
    assert_eq!(format!("hash={:016x}", trace_hash(7, 5_000, Bugs::none())), golden);
}

#[test]
fn the_journal_is_deterministic_matches_the_wasm_golden_and_changes_nothing_in_the_run() {
    let (journal, trace) = journal_hash(7, 5_000, Bugs::none());
    assert_eq!(trace, trace_hash(7, 5_000, Bugs::none()), "journaling does not change the run");
    assert_eq!(journal_hash(7, 5_000, Bugs::none()).0, journal, "same run, same journal");
    let golden = include_str!("golden/journal.txt").trim();
    assert_eq!(format!("journal={journal:016x}"), golden);
}

#[test]
fn replaying_recorded_commands_gives_the_same_run() {
    let (original, _) = raft_core::chaos::run_seed_cluster(11, 5_000, None, Bugs::none());
    let mut replay = raft_core::Cluster::new(original.initial_config().clone()).unwrap();
    for t in original.recorded() {
        replay.run_until(t.at_us);
        replay.apply(t.command.clone()).unwrap();
    }
    replay.run_until(original.now_us());
    assert_eq!(replay.trace_hash(), original.trace_hash());
    assert_eq!(replay.events(), original.events());
}

/// The trace hash takes in the commands' content (at the end) and where each came among the events (as it
/// was applied): a run that differs in one command's value or time has another hash.
#[test]
fn the_trace_hash_tells_apart_runs_that_differ_only_in_a_command() {
    use raft_core::machine::op::Op;
    use raft_core::{Cluster, Command, SimConfig};
    let run = |value: i64, at_us: u64| {
        let mut c = Cluster::new(SimConfig { nodes: 3, seed: 5, ..SimConfig::default() }).unwrap();
        c.run_until(at_us);
        c.apply(Command::Request { client: Some(1), to: None, op: Op::Set { index: 0, value } }).unwrap();
        c.run_until(2_000_000);
        c.trace_hash()
    };
    let base = run(1, 1_000_000);
    assert_eq!(base, run(1, 1_000_000));
    assert_ne!(base, run(2, 1_000_000), "another value");
    assert_ne!(base, run(1, 1_000_001), "another time");
}
