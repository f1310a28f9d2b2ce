//! Timing and limits of a Raft node. Validated once, so the node itself can rely on sane values.

use crate::bugs::Bugs;
use crate::protocol::Protocol;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// No deny_unknown_fields here or in Protocol: serde cannot combine it with flatten. SimConfig, which flattens
// this, refuses unknown keys for all three.
#[serde(default)]
pub struct RaftConfig {
    pub heartbeat_ms: u64,
    pub election_timeout_min_ms: u64,
    pub election_timeout_max_ms: u64,
    /// Bound on entries carried by one AppendEntries.
    pub entries_per_append_max: usize,
    /// Bound on AppendEntries carrying entries that a leader keeps unacknowledged per follower. 1 by default:
    /// Figure 2's one AppendEntries call at a time, the entries proposed meanwhile going together in the next
    /// (under `raft-sim bench`'s load, 54–62 % of the simulator events of a window of 4). More is pipelining
    /// (dissertation §10.2.2).
    pub appends_in_flight_max: u32,
    /// Heartbeats only to idle followers (Figure 2: "repeat during idle periods"): a follower sent an
    /// AppendEntries within the last interval gets no heartbeat (under `raft-sim bench`'s load, 24 % fewer
    /// simulator events at 51 nodes). False: every follower every interval, as etcd and raft-rs do. Runs and
    /// links made before this key existed replay with false (run_file.rs).
    pub idle_heartbeats: bool,
    /// Log compaction (dissertation ch. 5): a node snapshots its state machines once this many applied entries
    /// follow its last snapshot; 0 = never.
    pub snapshot_after_entries: u64,
    /// The dissertation's extensions switched on (none: the paper's Figure 2).
    #[serde(flatten)]
    pub protocol: Protocol,
    /// Planted bugs switched on (empty in a correct cluster).
    pub bugs: Bugs,
}

impl Default for RaftConfig {
    fn default() -> Self {
        RaftConfig {
            heartbeat_ms: 50,
            election_timeout_min_ms: 150,
            election_timeout_max_ms: 300,
            entries_per_append_max: 64,
            appends_in_flight_max: 1,
            idle_heartbeats: true,
            snapshot_after_entries: 0,
            protocol: Protocol::default(),
            bugs: Bugs::none(),
        }
    }
}

pub const HEARTBEAT_MS_MIN: u64 = 1;
pub const TIMEOUT_MS_MAX: u64 = 600_000;
pub const SNAPSHOT_AFTER_ENTRIES_MAX: u64 = 1_000_000;

impl RaftConfig {
    /// Refuses combinations Raft cannot work with, with a sentence a user can act on.
    pub fn validate(&self) -> Result<(), String> {
        if self.heartbeat_ms < HEARTBEAT_MS_MIN || self.heartbeat_ms > TIMEOUT_MS_MAX {
            return Err(format!("heartbeat must be between {HEARTBEAT_MS_MIN} and {TIMEOUT_MS_MAX} ms"));
        }
        if self.election_timeout_max_ms > TIMEOUT_MS_MAX {
            return Err(format!("election timeout must be at most {TIMEOUT_MS_MAX} ms"));
        }
        if self.election_timeout_min_ms > self.election_timeout_max_ms {
            return Err(format!(
                "election timeout min ({} ms) is above its max ({} ms)",
                self.election_timeout_min_ms, self.election_timeout_max_ms
            ));
        }
        if self.election_timeout_min_ms <= self.heartbeat_ms {
            return Err(format!(
                "election timeout min ({} ms) must be longer than the heartbeat ({} ms), or followers time out \
                 while the leader is healthy",
                self.election_timeout_min_ms, self.heartbeat_ms
            ));
        }
        if self.entries_per_append_max == 0 || self.entries_per_append_max > 10_000 {
            return Err("entries per AppendEntries must be between 1 and 10000".into());
        }
        if self.appends_in_flight_max == 0 || self.appends_in_flight_max > 1_000 {
            return Err("AppendEntries in flight per follower must be between 1 and 1000".into());
        }
        if self.snapshot_after_entries > SNAPSHOT_AFTER_ENTRIES_MAX {
            return Err(format!(
                "snapshot_after_entries is 0 (never) to {SNAPSHOT_AFTER_ENTRIES_MAX}, not {}",
                self.snapshot_after_entries
            ));
        }
        Ok(())
    }

    pub fn heartbeat_us(&self) -> u64 {
        self.heartbeat_ms * 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_timing_is_refused_with_a_reason() {
        assert!(RaftConfig::default().validate().is_ok());
        let c = RaftConfig { election_timeout_min_ms: 400, election_timeout_max_ms: 300, ..Default::default() };
        assert!(c.validate().unwrap_err().contains("above its max"));
        let c = RaftConfig { heartbeat_ms: 200, ..Default::default() };
        assert!(c.validate().unwrap_err().contains("longer than the heartbeat"));
    }

    #[test]
    fn protocol_switches_are_top_level_keys() {
        let c: RaftConfig = serde_json::from_str(r#"{"prevote": true, "heartbeat_ms": 40}"#).unwrap();
        assert!(c.protocol.prevote && !c.protocol.check_quorum && c.heartbeat_ms == 40);
        let sim: crate::sim::SimConfig = serde_json::from_str(r#"{"nodes": 3, "check_quorum": true}"#).unwrap();
        assert!(sim.raft.protocol.check_quorum);
        let bad = serde_json::from_str::<crate::sim::SimConfig>(r#"{"nodes": 3, "check_quorom": true}"#);
        assert!(bad.unwrap_err().to_string().contains("check_quorom"));
    }
}
