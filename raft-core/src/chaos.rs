//! Swarm testing: every fault probability and timing is drawn from the seed (so each seed explores a different
//! mix), faults are injected as ordinary recorded `Command`s, invariants are checked after every event, and a
//! heal phase at the end checks liveness.

use crate::bugs::Bugs;
use crate::check::{liveness, Invariant, Violation};
use crate::config::RaftConfig;
use crate::hash::StableHasher;
use crate::machine::op::Op;
use crate::machine::MachineConfig;
use crate::protocol::{Protocol, OPTIONS};
use crate::sim::server::Status;
use crate::sim::{Cluster, Command, DiskConfig, NetworkConfig, SimConfig};
use crate::types::NodeId;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Nodes in a chaos cluster when not given: 1 to this many (so one- and two-node clusters are in every run)...
const DRAWN_NODES_MAX: usize = 9;
/// ...and now and then the largest cluster the UI offers.
const LARGE_NODES_PCT: f64 = 2.0;
/// Membership churn never grows a chaos cluster beyond this.
const CHAOS_NODES_MAX: usize = 9;
/// Virtual time the heal phase gives the cluster to converge.
pub const SETTLE_MS: u64 = 20_000;
/// A seed whose cluster goes so quiet that its events take longer than this stops with a reported failure
/// instead of drawing faults forever (a correct one-node cluster does 20,000 events in under half an hour).
const CHAOS_VIRTUAL_US_MAX: u64 = 2 * 3_600_000_000;

#[derive(Clone, Debug, Serialize)]
pub struct ChaosReport {
    pub seed: u64,
    pub nodes: usize,
    pub events: u64,
    pub commands: usize,
    pub virtual_ms: u64,
    pub max_term: u64,
    pub committed: u64,
    pub violations: Vec<Violation>,
    pub violation_count: u64,
    pub faults: crate::sim::FaultStats,
}

/// Relative weights of each fault kind, drawn per seed.
struct Weights {
    crash: u32,
    restart: u32,
    pause: u32,
    timeout: u32,
    partition: u32,
    cut: u32,
    heal: u32,
    request: u32,
    message: u32,
    network: u32,
    churn: u32,
    stall: u32,
    transfer: u32,
}

impl Weights {
    fn draw(rng: &mut ChaCha8Rng) -> Self {
        let mut w = |max: u32| if rng.random_bool(0.2) { 0 } else { rng.random_range(1..=max) };
        Weights {
            crash: w(10),
            restart: 12,
            pause: w(4),
            timeout: w(6),
            partition: w(8),
            cut: w(6),
            heal: 8,
            // Some seeds are nearly quiet: a new leader that appends nothing of its own term is where Figure 8
            // lives (no client entry commits the older ones for it).
            request: if w(10) <= 2 { w(2) } else { w(30) + 5 },
            message: w(10),
            network: w(3),
            churn: w(2),
            stall: w(3),
            transfer: w(4),
        }
    }
}

/// The cluster configuration of a chaos seed: timings, network and disk all drawn from it.
pub fn chaos_config(seed: u64, nodes: Option<usize>, bugs: Bugs) -> SimConfig {
    let mut rng = ChaCha8Rng::seed_from_u64(StableHasher::new().u64(seed).u64(0xC4A0).finish());
    // Raft's timing requirement (§5.6): broadcast time ≪ election timeout ≪ time between failures. Seeds vary
    // everything, but keep a round trip well inside the shortest election timeout, or no election can finish.
    let heartbeat_ms: u64 = rng.random_range(20..=60);
    let latency_min_ms: u64 = rng.random_range(1..=10);
    let latency_max_ms = latency_min_ms + rng.random_range(0..=heartbeat_ms / 2);
    // Whole microseconds, as every time in a config (the simulator rounds to them anyway).
    let sync_max_ms: f64 = (rng.random_range(1.0..8.0) * 1000.0_f64).round() / 1000.0;
    let round_trip_ms = 2 * latency_max_ms + 2 * sync_max_ms.ceil() as u64;
    let election_timeout_min_ms = (heartbeat_ms * rng.random_range(3..=6)).max(2 * round_trip_ms);
    let election_timeout_max_ms = election_timeout_min_ms + rng.random_range(heartbeat_ms..=election_timeout_min_ms);
    let mut cfg = SimConfig {
        nodes: nodes.unwrap_or_else(|| {
            if rng.random_bool(LARGE_NODES_PCT / 100.0) {
                crate::types::NODES_MAX
            } else {
                rng.random_range(1..=DRAWN_NODES_MAX)
            }
        }),
        seed,
        raft: RaftConfig {
            heartbeat_ms,
            election_timeout_min_ms,
            election_timeout_max_ms,
            entries_per_append_max: [1, 2, 3, 8, 64][rng.random_range(0..5)],
            appends_in_flight_max: rng.random_range(1..=4),
            idle_heartbeats: true,
            snapshot_after_entries: 0,
            protocol: Protocol::default(),
            bugs,
        },
        network: NetworkConfig {
            latency_min_ms: latency_min_ms as f64,
            latency_max_ms: latency_max_ms as f64,
            loss_pct: if rng.random_bool(0.7) { rng.random_range(0.0..15.0) } else { 0.0 },
            duplicate_pct: if rng.random_bool(0.7) { rng.random_range(0.0..15.0) } else { 0.0 },
        },
        // Torn writes on most seeds: a crash inside a multi-entry write keeps a prefix of it.
        disk: DiskConfig { sync_min_ms: 0.5, sync_max_ms, torn_writes: rng.random_bool(0.85) },
        // The march proposes an entry every heartbeat, which hides some bugs (it acts like a no-op): half the
        // seeds run without it.
        machine: MachineConfig { march: rng.random_bool(0.5), ..MachineConfig::default() },
        ..SimConfig::default()
    };
    draw_extensions(seed, &mut cfg.raft);
    // A planted bug that lives in an extension's code gets that extension.
    for bug in bugs.iter() {
        bug.enable(&mut cfg.raft);
    }
    cfg
}

/// The dissertation's extensions drawn from the seed (a stream of their own, so the other draws stay as they
/// were): every protocol switch, log compaction on half the seeds, often enough to send snapshots, and
/// heartbeats to idle followers only or to all on half the seeds each.
fn draw_extensions(seed: u64, raft: &mut RaftConfig) {
    let mut rng = ChaCha8Rng::seed_from_u64(StableHasher::new().u64(seed).u64(0x9A0C).finish());
    for o in OPTIONS {
        (o.set)(&mut raft.protocol, rng.random_bool(0.5));
    }
    raft.snapshot_after_entries = if rng.random_bool(0.5) { rng.random_range(3..=64) } else { 0 };
    // Drawn last, so the draws above stay as they were before it existed.
    raft.idle_heartbeats = rng.random_bool(0.5);
}

/// Runs one seed for `events` events under faults, then heals and checks liveness.
pub fn run_seed(seed: u64, events: u64, nodes: Option<usize>, bugs: Bugs) -> ChaosReport {
    run_seed_cluster(seed, events, nodes, bugs).1
}

/// Like `run_seed`, and hands back the cluster for a closer look (history, recorded commands).
pub fn run_seed_cluster(seed: u64, events: u64, nodes: Option<usize>, bugs: Bugs) -> (Cluster, ChaosReport) {
    let cfg = chaos_config(seed, nodes, bugs);
    let nodes = cfg.nodes;
    let mut cluster = Cluster::new(cfg).expect("chaos configs are valid");
    let mut rng = ChaCha8Rng::seed_from_u64(StableHasher::new().u64(seed).u64(0xFA17).finish());
    let weights = Weights::draw(&mut rng);
    let fault_gap_ms_mean: u64 = rng.random_range(20..=400);
    let mut next_fault_us = rng.random_range(0..=fault_gap_ms_mean * 2000);
    let mut quiet = None;

    while cluster.events() < events {
        if !cluster.step_event_until(next_fault_us) {
            cluster.run_until(next_fault_us);
            let mut drawn = draw_command(&mut rng, &cluster, &weights);
            if matches!(drawn, Some(Command::Crash { .. })) && rng.random_bool(AIMED_CRASH_PCT / 100.0) {
                // Events ran while aiming: the crash drawn before may no longer apply.
                drawn = aim_at_sync_window(&mut cluster, &mut rng);
            }
            if let Some(cmd) = drawn {
                // Commands drawn here are valid by construction; a refusal would be a simulator bug.
                if let Err(e) = cluster.apply(cmd.clone()) {
                    panic!("seed {seed}: chaos command {cmd:?} refused: {e}");
                }
            }
            next_fault_us = next_fault_us.max(cluster.now_us()) + rng.random_range(1..=fault_gap_ms_mean * 2000);
        }
        if bugs != Bugs::none() && cluster.violation_count() > 0 {
            break; // a planted bug was caught: no need to go on
        }
        if cluster.halted().is_some() {
            break; // reported as a violation
        }
        if cluster.now_us() > CHAOS_VIRTUAL_US_MAX {
            quiet = Some(format!(
                "the cluster went quiet: only {} events in {} virtual seconds",
                cluster.events(),
                cluster.now_us() / 1_000_000
            ));
            break;
        }
    }
    let faulty_events = cluster.events();
    let mut liveness_error = quiet;
    if cluster.violation_count() == 0 && liveness_error.is_none() {
        if let Err(e) = liveness::heal_and_check(&mut cluster, SETTLE_MS) {
            liveness_error = Some(e);
        }
    }
    let mut violations = cluster.violations().to_vec();
    let mut violation_count = cluster.violation_count();
    if let Some(message) = liveness_error {
        violation_count += 1;
        violations.push(Violation { invariant: Invariant::Liveness, at_us: cluster.now_us(), nodes: vec![], message });
    }
    let report = ChaosReport {
        seed,
        nodes,
        events: faulty_events,
        commands: cluster.recorded().len(),
        virtual_ms: cluster.now_us() / 1000,
        max_term: cluster.max_term(),
        committed: cluster.leader().map_or(0, |l| l.commit_index()),
        violations,
        violation_count,
        faults: cluster.fault_stats(),
    };
    (cluster, report)
}

/// Crashes drawn at random rarely land while a write is in flight, where lost and torn writes live: this
/// share of crashes runs the cluster on until some node has a write pending and crashes that node.
const AIMED_CRASH_PCT: f64 = 50.0;
/// Events an aimed crash waits at most for a pending write.
const AIM_EVENTS_MAX: u32 = 500;

fn aim_at_sync_window(cluster: &mut Cluster, rng: &mut ChaCha8Rng) -> Option<Command> {
    // Half the aimed crashes first wait a while for a write of several entries, which a crash can tear.
    let patience = if rng.random_bool(0.5) { AIM_EVENTS_MAX / 5 } else { 0 };
    for waited in 0..AIM_EVENTS_MAX {
        let running = || cluster.servers().filter(|s| matches!(s.status, Status::Up | Status::Paused));
        let multi: Vec<NodeId> =
            running().filter(|s| s.pending.iter().any(|w| w.op.entries.len() >= 2)).map(|s| s.id).collect();
        let any: Vec<NodeId> = running().filter(|s| !s.pending.is_empty()).map(|s| s.id).collect();
        let choice = if waited < patience {
            multi
        } else if multi.is_empty() {
            any
        } else {
            multi
        };
        if let Some(node) = pick(rng, &choice) {
            return Some(Command::Crash { node });
        }
        if !cluster.step_event() {
            return None;
        }
        // Finish the instant, so that a command drawn next sees what it will apply to.
        cluster.run_until(cluster.now_us());
    }
    None
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> Option<T> {
    if items.is_empty() {
        None
    } else {
        Some(items[rng.random_range(0..items.len())])
    }
}

fn draw_command(rng: &mut ChaCha8Rng, c: &Cluster, w: &Weights) -> Option<Command> {
    let with = |st: Status| -> Vec<NodeId> { c.servers().filter(|s| s.status == st).map(|s| s.id).collect() };
    let (up, crashed, paused) = (with(Status::Up), with(Status::Crashed), with(Status::Paused));
    let members: Vec<NodeId> = c.servers().filter(|s| s.status != Status::Removed).map(|s| s.id).collect();
    let table = [
        w.crash,
        w.restart,
        w.pause,
        w.timeout,
        w.partition,
        w.cut,
        w.heal,
        w.request,
        w.message,
        w.network,
        w.churn,
        w.stall,
        w.transfer,
    ];
    let total: u32 = table.iter().sum();
    let mut roll = rng.random_range(0..total);
    let mut kind = 0;
    while roll >= table[kind] {
        roll -= table[kind];
        kind += 1;
    }
    match kind {
        0 => {
            // Crash the leader half the time: that is where the interesting bugs live.
            let leader = c.leader().map(|l| l.id()).filter(|_| rng.random_bool(0.5));
            let running: Vec<NodeId> = up.iter().chain(paused.iter()).copied().collect();
            leader.or_else(|| pick(rng, &running)).map(|node| Command::Crash { node })
        }
        1 => pick(rng, &crashed).map(|node| Command::Restart { node }),
        2 => {
            if !paused.is_empty() && rng.random_bool(0.6) {
                pick(rng, &paused).map(|node| Command::Resume { node })
            } else {
                pick(rng, &up).map(|node| Command::Pause { node })
            }
        }
        3 => pick(rng, &up).map(|node| Command::Timeout { node }),
        4 => {
            let mut groups: Vec<Vec<NodeId>> = vec![Vec::new(); rng.random_range(2..=3)];
            let k = groups.len();
            if rng.random_bool(0.3) {
                // Isolate one node (often the leader).
                let lone =
                    c.leader().map(|l| l.id()).filter(|_| rng.random_bool(0.5)).or_else(|| pick(rng, &members))?;
                groups = vec![vec![lone], members.iter().copied().filter(|m| *m != lone).collect()];
            } else {
                for m in &members {
                    groups[rng.random_range(0..k)].push(*m);
                }
            }
            Some(Command::Partition { groups })
        }
        5 => {
            let from = pick(rng, &members)?;
            let to = pick(rng, &members)?;
            (from != to).then_some(Command::Cut { from, to })
        }
        6 => Some(Command::Heal),
        7 => {
            let op = match rng.random_range(0..3) {
                0 => Op::Set { index: rng.random_range(0..5), value: rng.random_range(-99..100) },
                1 => Op::Message { text: format!("m{}", rng.random_range(0..10_000)) },
                _ => Op::Move { dx: rng.random_range(-3..=3), dy: rng.random_range(-3..=3) },
            };
            let to = if rng.random_bool(0.5) { pick(rng, &members) } else { None };
            Some(Command::Request { client: Some(rng.random_range(1..=4)), to, op })
        }
        8 => {
            let ids: Vec<u64> = c.in_flight().map(|e| e.id).collect();
            let id = pick(rng, &ids)?;
            Some(match rng.random_range(0..3) {
                0 => Command::DropMessage { id },
                1 => Command::DuplicateMessage { id },
                _ => Command::DelayMessage { id, delay_ms: rng.random_range(1.0..300.0) },
            })
        }
        9 => {
            let settings = crate::sim::Settings {
                loss_pct: Some(if rng.random_bool(0.5) { 0.0 } else { rng.random_range(0.0..30.0) }),
                duplicate_pct: Some(if rng.random_bool(0.5) { 0.0 } else { rng.random_range(0.0..30.0) }),
                ..Default::default()
            };
            Some(Command::Configure { settings })
        }
        10 => {
            if c.membership_changes_pending() > 0 {
                return None;
            }
            if members.len() < CHAOS_NODES_MAX && (members.len() <= 2 || rng.random_bool(0.5)) {
                Some(Command::AddNode)
            } else {
                pick(rng, &members).filter(|_| members.len() > 1).map(|node| Command::RemoveNode { node })
            }
        }
        12 => {
            // Leadership transfer to a running node (a down one is refused, which the tests check elsewhere).
            let leader = c.leader()?.id();
            let targets: Vec<NodeId> = up.iter().copied().filter(|n| *n != leader).collect();
            let to = pick(rng, &targets)?;
            let voter = c.leader()?.membership().is_voter(to);
            let busy = c.leader()?.transfer().is_some();
            (voter && !busy).then_some(Command::TransferLeader { to })
        }
        _ => {
            // A slow disk, often longer than an election timeout: held votes and acknowledgements wait.
            let running: Vec<NodeId> = up.iter().chain(paused.iter()).copied().collect();
            let timeout_ms = c.config().raft.election_timeout_max_ms;
            let stall_ms = rng.random_range(1..=timeout_ms.saturating_mul(2).max(2));
            pick(rng, &running).map(|node| Command::StallDisk { node, stall_ms })
        }
    }
}
