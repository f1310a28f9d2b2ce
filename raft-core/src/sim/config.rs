//! Configuration of a simulated cluster: a run is this config (with its seed) plus timed commands.

use super::keys::{KnownKeys, NoUnknownKeys};
use crate::config::RaftConfig;
use crate::machine::MachineConfig;
use crate::types::{TimeUs, NODES_MAX};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    pub latency_min_ms: f64,
    pub latency_max_ms: f64,
    /// Probability in percent that a message is lost.
    pub loss_pct: f64,
    /// Probability in percent that a message is delivered twice.
    pub duplicate_pct: f64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig { latency_min_ms: 10.0, latency_max_ms: 30.0, loss_pct: 0.0, duplicate_pct: 0.0 }
    }
}

pub const LATENCY_MS_MAX: f64 = 60_000.0;

impl NetworkConfig {
    pub fn validate(&self) -> Result<(), String> {
        let finite = [self.latency_min_ms, self.latency_max_ms, self.loss_pct, self.duplicate_pct];
        if finite.iter().any(|v| !v.is_finite()) {
            return Err("network settings must be numbers".into());
        }
        if self.latency_min_ms < 0.0 || self.latency_max_ms > LATENCY_MS_MAX {
            return Err(format!("latency must be between 0 and {LATENCY_MS_MAX} ms"));
        }
        if self.latency_min_ms > self.latency_max_ms {
            return Err(format!(
                "latency min ({} ms) is above its max ({} ms)",
                self.latency_min_ms, self.latency_max_ms
            ));
        }
        if !(0.0..=100.0).contains(&self.loss_pct) || !(0.0..=100.0).contains(&self.duplicate_pct) {
            return Err("loss and duplication are percentages between 0 and 100".into());
        }
        check_resolution("latency min", self.latency_min_ms)?;
        check_resolution("latency max", self.latency_max_ms)?;
        Ok(())
    }
}

/// Virtual time is kept in whole microseconds: a time in ms has at most three decimals (0.001 ms).
pub fn check_resolution(name: &str, ms: f64) -> Result<(), String> {
    let us = ms * 1000.0;
    if (us - us.round()).abs() > 1e-6 || (us.round() == 0.0 && ms != 0.0) {
        return Err(format!("{name}: times have a resolution of 0.001 ms (1 µs); use at most three decimals"));
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiskConfig {
    /// Time for a write to become durable.
    pub sync_min_ms: f64,
    pub sync_max_ms: f64,
    /// At a crash, the last pending append may survive only in part (a torn write).
    pub torn_writes: bool,
}

impl Default for DiskConfig {
    fn default() -> Self {
        DiskConfig { sync_min_ms: 1.0, sync_max_ms: 3.0, torn_writes: true }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimConfig {
    pub nodes: usize,
    pub seed: u64,
    #[serde(flatten)]
    pub raft: RaftConfig,
    pub network: NetworkConfig,
    pub disk: DiskConfig,
    pub machine: MachineConfig,
    /// Client retry timeout when no reply arrives.
    pub client_retry_ms: u64,
    /// Durable state some nodes start from instead of an empty disk (to set up the paper's figures).
    pub initial_disks: Vec<InitialDisk>,
    /// Refuses keys no part of the config knows (a misspelt switch must not be silently ignored).
    #[serde(flatten, skip_serializing)]
    pub unknown_keys: NoUnknownKeys<SimConfig>,
}

impl KnownKeys for SimConfig {
    fn full() -> serde_json::Value {
        serde_json::to_value(SimConfig::default()).expect("the config serializes")
    }
    /// RaftConfig, flattened with its own flattened switches, is read as a map that leaves its keys behind.
    fn also_allowed() -> Vec<String> {
        match serde_json::to_value(RaftConfig::default()) {
            Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }
}

/// A node's disk at the start of a run: its term and the terms of its log entries (no-op entries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialDisk {
    pub node: crate::types::NodeId,
    pub term: u64,
    #[serde(default)]
    pub log_terms: Vec<u64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            nodes: 5,
            seed: 1,
            raft: RaftConfig::default(),
            network: NetworkConfig::default(),
            disk: DiskConfig::default(),
            machine: MachineConfig::default(),
            client_retry_ms: 400,
            initial_disks: Vec::new(),
            unknown_keys: NoUnknownKeys::default(),
        }
    }
}

/// The network's and the disk's numbers as the simulator uses them on every message and write: whole
/// microseconds and probabilities, converted once per config instead of once per message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimingUs {
    pub latency_min_us: TimeUs,
    pub latency_max_us: TimeUs,
    pub sync_min_us: TimeUs,
    pub sync_max_us: TimeUs,
    /// Probabilities (0..=1) that a message is lost / duplicated.
    pub loss_p: f64,
    pub duplicate_p: f64,
}

impl SimConfig {
    pub fn timing_us(&self) -> TimingUs {
        let (net, disk) = (&self.network, &self.disk);
        TimingUs {
            latency_min_us: ms_to_us(net.latency_min_ms),
            latency_max_us: ms_to_us(net.latency_max_ms),
            sync_min_us: ms_to_us(disk.sync_min_ms),
            sync_max_us: ms_to_us(disk.sync_max_ms),
            loss_p: net.loss_pct / 100.0,
            duplicate_p: net.duplicate_pct / 100.0,
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.nodes == 0 || self.nodes > NODES_MAX {
            return Err(format!("a cluster has 1 to {NODES_MAX} nodes, not {}", self.nodes));
        }
        self.raft.validate()?;
        self.network.validate()?;
        if !(self.disk.sync_min_ms >= 0.0 && self.disk.sync_min_ms <= self.disk.sync_max_ms)
            || self.disk.sync_max_ms > LATENCY_MS_MAX
        {
            return Err("disk sync time needs 0 ≤ min ≤ max ≤ 60000 ms".into());
        }
        check_resolution("disk sync min", self.disk.sync_min_ms)?;
        check_resolution("disk sync max", self.disk.sync_max_ms)?;
        if self.client_retry_ms == 0 || self.client_retry_ms > 600_000 {
            return Err("client retry must be between 1 and 600000 ms".into());
        }
        validate_initial_disks(&self.initial_disks, self.nodes)?;
        self.machine.validate()?;
        let rate = self.events_per_virtual_s_estimate();
        if rate > EVENTS_PER_VIRTUAL_S_MAX {
            return Err(format!(
                "this configuration would cost about {rate} simulated events per virtual second (limit \
                 {EVENTS_PER_VIRTUAL_S_MAX}): use fewer nodes, a longer heartbeat, or election timeouts well above \
                 the network's round trip"
            ));
        }
        Ok(())
    }

    /// A rough cost of the run in events per virtual second: every heartbeat is a timer, an AppendEntries and
    /// a reply per follower; when elections cannot finish (an election timeout shorter than a round trip with
    /// its disk writes), every node campaigns every timeout, with a vote request, a reply and a write per node.
    pub fn events_per_virtual_s_estimate(&self) -> u64 {
        let n = self.nodes as u64;
        let heartbeat_ms = self.raft.heartbeat_ms.max(1);
        let heartbeats = 2 * n * 1000 / heartbeat_ms;
        let round_trip_ms = 2.0 * (self.network.latency_max_ms + self.disk.sync_max_ms);
        let churn = if (self.raft.election_timeout_min_ms as f64) < round_trip_ms {
            n * 3 * n * 1000 / self.raft.election_timeout_min_ms.max(1)
        } else {
            0
        };
        heartbeats + churn
    }

    /// Refuses a run (a link, a run file, a scenario) that asks for more simulated work than `RUN_EVENTS_MAX`.
    pub fn check_run_length(&self, virtual_us: u64) -> Result<(), String> {
        let estimate = (self.events_per_virtual_s_estimate() as u128 * virtual_us as u128 / 1_000_000) as u64;
        if estimate > RUN_EVENTS_MAX {
            let rate = self.events_per_virtual_s_estimate().max(1);
            let max_s = RUN_EVENTS_MAX / rate;
            return Err(format!(
                "this run asks for {} s of virtual time, about {estimate} simulated events; a link, file or scenario \
                 may ask for at most {RUN_EVENTS_MAX} (about {max_s} s with {} nodes and these timings)",
                virtual_us / 1_000_000,
                self.nodes
            ));
        }
        Ok(())
    }
}

/// Most simulated events per virtual second a configuration may cost (see `events_per_virtual_s_estimate`):
/// 51 nodes with a 1 ms heartbeat pass, 51 nodes in endless 2 ms elections do not.
pub const EVENTS_PER_VIRTUAL_S_MAX: u64 = 200_000;
/// Most simulated events (estimated) a link, run file or scenario may ask to replay: 24 hours of a quiet
/// five-node cluster, about 3 hours of 51 nodes.
pub const RUN_EVENTS_MAX: u64 = 25_000_000;
/// Largest term a starting disk may hold (terms grow by one per election; this leaves room to run).
pub const INITIAL_TERM_MAX: u64 = 1_000_000;
/// Largest initial log.
pub const INITIAL_LOG_MAX: usize = 10_000;

/// Refuses starting disks that no Raft run can reach, naming the rule they break.
fn validate_initial_disks(disks: &[InitialDisk], nodes: usize) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for d in disks {
        let who = format!("initial disk for S{}", d.node);
        if d.node == 0 || d.node as usize > nodes {
            return Err(format!("{who}: there are only nodes S1 to S{nodes}"));
        }
        if !seen.insert(d.node) {
            return Err(format!("{who}: S{} has two initial disks", d.node));
        }
        if d.term > INITIAL_TERM_MAX {
            return Err(format!("{who}: term {} is above the limit of {INITIAL_TERM_MAX}", d.term));
        }
        if d.log_terms.len() > INITIAL_LOG_MAX {
            return Err(format!("{who}: an initial log has at most {INITIAL_LOG_MAX} entries"));
        }
        if let Some(i) = d.log_terms.iter().position(|t| *t == 0) {
            return Err(format!(
                "{who}: entry {} has term 0, but every entry is written by a leader of term 1 or later",
                i + 1
            ));
        }
        if let Some(i) = d.log_terms.windows(2).position(|w| w[0] > w[1]) {
            return Err(format!(
                "{who}: entry {} has term {} after term {}; terms never go down along a log (a leader appends only \
                 in its own term, after entries of earlier terms)",
                i + 2,
                d.log_terms[i + 1],
                d.log_terms[i]
            ));
        }
        if let Some(t) = d.log_terms.last().filter(|t| **t > d.term) {
            return Err(format!(
                "{who}: its log holds an entry of term {t} but its current term is only {} (a node adopts the term \
                 of every entry it stores)",
                d.term
            ));
        }
    }
    // Log Matching: if two logs hold an entry with the same index and term, they are identical up to it. With
    // no-op entries, the logs are identical up to i exactly when their terms are.
    for (a_i, a) in disks.iter().enumerate() {
        for b in &disks[a_i + 1..] {
            let common = a.log_terms.len().min(b.log_terms.len());
            let first_difference = (0..common).find(|i| a.log_terms[*i] != b.log_terms[*i]);
            if let Some(d) = first_difference {
                if let Some(i) = (d + 1..common).find(|i| a.log_terms[*i] == b.log_terms[*i]) {
                    return Err(format!(
                        "initial disks of S{} and S{} break Log Matching: both hold an entry of term {} at index {}, \
                         but their logs differ at index {}",
                        a.node,
                        b.node,
                        a.log_terms[i],
                        i + 1,
                        d + 1
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Converts milliseconds (possibly fractional) to whole microseconds, rounding half away from zero; negative
/// and NaN give 0, too large saturates. The simulator converts latencies for every message it sends: this is
/// `(ms * 1000.0).round()` without the call into libm's `round` (2 % of its time), and exactly equal to it.
pub fn ms_to_us(ms: f64) -> u64 {
    let us = ms * 1000.0;
    if us.is_nan() || us <= 0.0 {
        return 0;
    }
    let whole = us as u64; // truncates, saturating
                           // Exact: `whole as f64` is `us` truncated, so their difference is `us`'s fraction, computed without error.
    if us - whole as f64 >= 0.5 {
        whole.saturating_add(1)
    } else {
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_to_us_rounds_exactly_as_f64_round_does() {
        use rand::{Rng, SeedableRng};
        let reference = |ms: f64| (ms * 1000.0).round().max(0.0) as u64;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut cases = vec![0.0, -0.0, -1.0, 0.0005, 0.0004999, 0.0015, 0.0025, 1.0, 29.9995, 1e15, 1e300];
        cases.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE, f64::MAX, f64::EPSILON]);
        // Halves and their neighbours, where rounding can go wrong.
        for us in [0u64, 1, 2, 3, 1_000, 29_999, 1 << 52, 1 << 53] {
            let half = us as f64 + 0.5;
            cases.extend([half, half.next_down(), half.next_up()].map(|v| v / 1000.0));
        }
        cases.extend((0..100_000).map(|_| rng.random_range(0.0..60_000.0)));
        cases.extend((0..10_000).map(|_| rng.random_range(0..60_000_000) as f64 / 1000.0));
        for ms in cases {
            assert_eq!(ms_to_us(ms), reference(ms), "{ms} ms");
        }
    }

    fn with_disks(disks: Vec<InitialDisk>) -> Result<(), String> {
        SimConfig { nodes: 3, initial_disks: disks, ..SimConfig::default() }.validate()
    }

    fn disk(node: u32, term: u64, log_terms: &[u64]) -> InitialDisk {
        InitialDisk { node, term, log_terms: log_terms.to_vec() }
    }

    #[test]
    fn starting_disks_no_raft_run_can_reach_are_refused_with_the_rule() {
        assert!(with_disks(vec![disk(1, 3, &[1, 1, 3]), disk(2, 2, &[1, 2])]).is_ok());
        let e = with_disks(vec![disk(1, 3, &[1, 0])]).unwrap_err();
        assert!(e.contains("entry 2 has term 0"), "{e}");
        let e = with_disks(vec![disk(1, 2, &[1, 3])]).unwrap_err();
        assert!(e.contains("current term is only 2"), "{e}");
        let e = with_disks(vec![disk(1, 3, &[2, 1])]).unwrap_err();
        assert!(e.contains("terms never go down"), "{e}");
        let e = with_disks(vec![disk(1, u64::MAX, &[1])]).unwrap_err();
        assert!(e.contains("above the limit of 1000000"), "{e}");
        let e = with_disks(vec![disk(1, 3, &[1]), disk(1, 3, &[1])]).unwrap_err();
        assert!(e.contains("two initial disks"), "{e}");
        // Same index and term (3 at index 3), different prefixes: Log Matching is broken before any run.
        let e = with_disks(vec![disk(1, 3, &[1, 1, 3]), disk(2, 3, &[1, 2, 3])]).unwrap_err();
        assert!(e.contains("break Log Matching") && e.contains("index 3") && e.contains("differ at index 2"), "{e}");
        // Diverging logs that never meet again are fine (the paper's Figure 7).
        assert!(with_disks(vec![disk(1, 3, &[1, 1, 2]), disk(2, 3, &[1, 3, 3])]).is_ok());
    }

    #[test]
    fn configurations_that_cost_too_much_are_refused_with_the_figure() {
        assert!(SimConfig { nodes: 51, ..SimConfig::default() }.validate().is_ok());
        let mut fast = SimConfig { nodes: 51, ..SimConfig::default() };
        fast.raft.heartbeat_ms = 1;
        fast.raft.election_timeout_min_ms = 150;
        assert!(fast.validate().is_ok(), "51 nodes with a 1 ms heartbeat is expensive but allowed");
        fast.raft.election_timeout_min_ms = 2;
        fast.raft.election_timeout_max_ms = 3;
        let e = fast.validate().unwrap_err();
        assert!(e.contains("events per virtual second") && e.contains("limit 200000"), "{e}");
    }

    #[test]
    fn long_runs_are_bounded_by_their_estimated_events() {
        let five = SimConfig::default();
        assert!(five.check_run_length(86_400_000_000).is_ok(), "24 h of five quiet nodes is allowed");
        let big = SimConfig { nodes: 51, ..SimConfig::default() };
        let e = big.check_run_length(86_400_000_000).unwrap_err();
        assert!(e.contains("at most 25000000") && e.contains("51 nodes"), "{e}");
        assert!(big.check_run_length(3_600_000_000).is_ok(), "an hour of 51 nodes is allowed");
    }

    #[test]
    fn times_finer_than_a_microsecond_are_refused() {
        let mut c = SimConfig::default();
        c.network.latency_min_ms = 1e-300;
        assert!(c.validate().unwrap_err().contains("resolution of 0.001 ms"));
        c.network.latency_min_ms = 0.0005;
        assert!(c.validate().is_err());
        c.network.latency_min_ms = 0.1;
        assert!(c.validate().is_ok());
    }
}
