//! Configuration of a simulated cluster: a run is this config (with its seed) plus timed commands.

use crate::config::RaftConfig;
use crate::machine::MachineConfig;
use crate::types::NODES_MAX;
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
        Ok(())
    }
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
#[serde(default, deny_unknown_fields)]
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
        }
    }
}

impl SimConfig {
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
        if self.client_retry_ms == 0 || self.client_retry_ms > 600_000 {
            return Err("client retry must be between 1 and 600000 ms".into());
        }
        for d in &self.initial_disks {
            if d.node == 0 || d.node as usize > self.nodes {
                return Err(format!("initial disk for S{}: there are only nodes S1 to S{}", d.node, self.nodes));
            }
            if d.log_terms.windows(2).any(|w| w[0] > w[1]) || d.log_terms.last().is_some_and(|t| *t > d.term) {
                return Err(format!(
                    "initial disk for S{}: log terms must not decrease and not exceed the node's term",
                    d.node
                ));
            }
            if d.log_terms.len() > 10_000 {
                return Err("an initial log has at most 10000 entries".into());
            }
        }
        self.machine.validate()
    }
}

/// Converts milliseconds (possibly fractional) to whole microseconds.
pub fn ms_to_us(ms: f64) -> u64 {
    (ms * 1000.0).round().max(0.0) as u64
}
