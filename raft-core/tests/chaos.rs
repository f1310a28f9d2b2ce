//! Swarm testing at scale: thousands of seeds with every fault kind, invariants after every event, and the
//! proof that the checker can fail: every planted bug must be caught.
#![cfg(not(target_arch = "wasm32"))]

use raft_core::bugs::Bugs;
use raft_core::chaos::run_seed;
use raft_core::PlantedBug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

const SEEDS: u64 = 2_000;
const EVENTS: u64 = 20_000;
/// A broken build fails many seeds: report the first ones rather than run all 2,000 of them.
const FAILURES_SHOWN_MAX: usize = 10;

/// Runs seeds `0..seeds` on all cores; returns (seed, first violation) of failing seeds, or stops early at the
/// first failure when `stop_at_first`.
fn run_many(seeds: u64, bugs: Bugs, stop_at_first: bool) -> (u64, Vec<(u64, String)>) {
    let next = AtomicU64::new(0);
    let events = AtomicU64::new(0);
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let failed = failures.lock().unwrap().len();
                if (stop_at_first && failed > 0) || failed >= FAILURES_SHOWN_MAX {
                    break;
                }
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= seeds {
                    break;
                }
                let r = run_seed(seed, EVENTS, None, bugs);
                events.fetch_add(r.events, Ordering::Relaxed);
                if let Some(v) = r.violations.first() {
                    failures.lock().unwrap().push((seed, format!("{}: {}", v.invariant.name(), v.message)));
                }
            });
        }
    });
    let mut f = failures.into_inner().unwrap();
    f.sort();
    (events.into_inner(), f)
}

#[test]
fn chaos_2000_seeds_of_20000_events_keep_every_invariant() {
    let (events, failures) = run_many(SEEDS, Bugs::none(), false);
    println!("seeds={SEEDS} events={events} violations={}", failures.len());
    assert!(failures.is_empty(), "violations (reproduce with raft-sim chaos --seeds 1 --from SEED): {failures:#?}");
    assert!(events >= SEEDS * EVENTS, "every seed ran its events ({events})");
}

#[test]
fn every_planted_bug_is_caught_by_a_default_chaos_run() {
    for bug in PlantedBug::ALL {
        let (_, failures) = run_many(SEEDS, Bugs::none().with(bug), true);
        let first = failures.first().unwrap_or_else(|| panic!("{} was not caught in {SEEDS} seeds", bug.name()));
        println!("{} caught at seed {}: {}", bug.name(), first.0, first.1);
    }
}

/// The seeds the hardening issue reported with one-node clusters: a single voter leading one term twice (Log
/// Matching at 4755 and 5556) and a false liveness alarm (a removal committed while the heal resumed a node).
#[test]
fn one_node_seeds_from_the_issue_keep_every_invariant() {
    for seed in [4755, 5556, 1514] {
        let r = run_seed(seed, EVENTS, Some(1), Bugs::none());
        assert!(r.violations.is_empty(), "seed {seed}: {:?}", r.violations.first());
    }
}

#[test]
fn chaos_reaches_the_sharp_edges_of_the_fault_model() {
    let (mut crashes, mut lost, mut torn, mut stalls, mut snapshots, mut transfers) = (0, 0, 0, 0, 0, 0);
    let mut sizes = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let r = run_seed(seed, 5_000, None, Bugs::none());
        crashes += r.faults.crashes;
        lost += r.faults.crashes_losing_writes;
        torn += r.faults.torn_multi_entry_writes;
        stalls += r.faults.disk_stalls;
        snapshots += r.faults.snapshots_installed;
        transfers += r.faults.transfers_sent;
        sizes.insert(r.nodes);
    }
    println!(
        "crashes={crashes} losing_writes={lost} torn_multi_entry={torn} stalls={stalls} snapshots={snapshots} \
         transfers={transfers} sizes={sizes:?}"
    );
    assert!(snapshots >= 50, "followers install snapshots ({snapshots})");
    assert!(transfers >= 50, "leaders hand over with TimeoutNow ({transfers})");
    assert!(lost * 10 >= crashes, "at least a tenth of the crashes lose unsynced writes ({lost} of {crashes})");
    assert!(torn >= 10 && stalls >= 100, "torn writes ({torn}) and disk stalls ({stalls}) happen");
    assert!(sizes.contains(&1) && sizes.contains(&2), "one- and two-node clusters are drawn: {sizes:?}");
}
