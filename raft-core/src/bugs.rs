//! Planted bugs: known Raft mistakes that can be switched on to prove the invariant checker can fail.
//! Each is a "break Raft" switch; the chaos test asserts every one is caught.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlantedBug {
    /// Figure 8: commit an entry of an earlier term by counting its replicas (and, as in the paper's figure, no
    /// no-op at the start of a term, which would otherwise commit those entries safely soon after).
    Figure8Commit,
    /// Grant a vote without making it durable: after a restart the node may vote again in the same term.
    VoteNotPersisted,
    /// Count a duplicated RequestVote reply as a second vote.
    DoubleCountVote,
    /// Truncate the log after prevLogIndex even when the incoming entries match (reordered/duplicated RPCs).
    TruncateOnMatch,
    /// Keep the volatile commit index across a crash and restart (RaftScope issue 12).
    CommitKeptOnRestart,
    /// Process replies that carry an older term (stale votes and stale matchIndex updates).
    StaleTermReply,
    /// A single voter leads as soon as it votes for itself, before its new term and vote are durable.
    SingleVoterEarlyLead,
    /// PreVote: a pre-candidate that wins the pre-vote takes the pre-votes as real votes and leads at once
    /// (pre-votes are not exclusive, so two nodes can lead the same term).
    PrevoteCountsAsVote,
    /// CheckQuorum: the leader never forgets a follower it once heard from, so a leader cut off from its
    /// majority keeps leading.
    CheckQuorumStickyContact,
    /// Leadership transfer: the target campaigns in the current term instead of a new one (replacing the vote
    /// it gave the old leader).
    TransferSameTerm,
    /// Log compaction: a snapshot covers the whole log, entries not yet applied (or committed) included.
    SnapshotUnappliedEntries,
}

impl PlantedBug {
    pub const ALL: [PlantedBug; 11] = [
        PlantedBug::Figure8Commit,
        PlantedBug::VoteNotPersisted,
        PlantedBug::DoubleCountVote,
        PlantedBug::TruncateOnMatch,
        PlantedBug::CommitKeptOnRestart,
        PlantedBug::StaleTermReply,
        PlantedBug::SingleVoterEarlyLead,
        PlantedBug::PrevoteCountsAsVote,
        PlantedBug::CheckQuorumStickyContact,
        PlantedBug::TransferSameTerm,
        PlantedBug::SnapshotUnappliedEntries,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PlantedBug::Figure8Commit => "figure8-commit",
            PlantedBug::VoteNotPersisted => "vote-not-persisted",
            PlantedBug::DoubleCountVote => "double-count-vote",
            PlantedBug::TruncateOnMatch => "truncate-on-match",
            PlantedBug::CommitKeptOnRestart => "commit-kept-on-restart",
            PlantedBug::StaleTermReply => "stale-term-reply",
            PlantedBug::SingleVoterEarlyLead => "single-voter-early-lead",
            PlantedBug::PrevoteCountsAsVote => "prevote-counts-as-vote",
            PlantedBug::CheckQuorumStickyContact => "check-quorum-sticky-contact",
            PlantedBug::TransferSameTerm => "transfer-same-term",
            PlantedBug::SnapshotUnappliedEntries => "snapshot-unapplied-entries",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            PlantedBug::Figure8Commit => "a leader commits an entry of an earlier term by counting its replicas",
            PlantedBug::VoteNotPersisted => "a vote is granted without being made durable",
            PlantedBug::DoubleCountVote => "a candidate counts a duplicated vote reply twice",
            PlantedBug::TruncateOnMatch => "a follower truncates its log even when the incoming entries match",
            PlantedBug::CommitKeptOnRestart => "a restarted node keeps its volatile commit index",
            PlantedBug::StaleTermReply => "replies from an older term are counted",
            PlantedBug::SingleVoterEarlyLead => "a single voter leads before its vote for itself is durable",
            PlantedBug::PrevoteCountsAsVote => "a pre-candidate counts its pre-votes as real votes",
            PlantedBug::CheckQuorumStickyContact => "a leader never forgets a follower it once heard from",
            PlantedBug::TransferSameTerm => "a leadership transfer target campaigns without a new term",
            PlantedBug::SnapshotUnappliedEntries => "a snapshot covers entries not yet applied, and drops them",
        }
    }

    /// What this bug's code needs switched on to run at all, in words; `enable` switches it on.
    pub fn needs(self) -> Option<&'static str> {
        match self {
            PlantedBug::PrevoteCountsAsVote => Some("PreVote"),
            PlantedBug::CheckQuorumStickyContact => Some("CheckQuorum"),
            PlantedBug::SnapshotUnappliedEntries => Some("snapshots"),
            _ => None,
        }
    }

    /// Switches on what the bug needs (chaos does this for a bug it is asked to catch).
    pub fn enable(self, cfg: &mut crate::config::RaftConfig) {
        match self {
            PlantedBug::PrevoteCountsAsVote => cfg.protocol.prevote = true,
            PlantedBug::CheckQuorumStickyContact => cfg.protocol.check_quorum = true,
            PlantedBug::SnapshotUnappliedEntries if cfg.snapshot_after_entries == 0 => cfg.snapshot_after_entries = 8,
            _ => {}
        }
    }

    pub fn from_name(name: &str) -> Option<PlantedBug> {
        PlantedBug::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// The set of planted bugs switched on; a bit set so the hot path checks one AND.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bugs(u16);

impl Bugs {
    pub fn none() -> Self {
        Bugs(0)
    }
    pub fn has(self, bug: PlantedBug) -> bool {
        self.0 & (1 << bug as u8) != 0
    }
    pub fn with(self, bug: PlantedBug) -> Self {
        Bugs(self.0 | (1 << bug as u8))
    }
    pub fn iter(self) -> impl Iterator<Item = PlantedBug> {
        PlantedBug::ALL.into_iter().filter(move |b| self.has(*b))
    }
}

impl FromIterator<PlantedBug> for Bugs {
    fn from_iter<I: IntoIterator<Item = PlantedBug>>(iter: I) -> Self {
        iter.into_iter().fold(Bugs::none(), Bugs::with)
    }
}

impl Serialize for Bugs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Bugs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<PlantedBug>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bug_names_round_trip() {
        for bug in PlantedBug::ALL {
            assert_eq!(PlantedBug::from_name(bug.name()), Some(bug));
            let json = serde_json::to_string(&bug).unwrap();
            assert_eq!(json, format!("\"{}\"", bug.name()));
        }
        let set: Bugs = [PlantedBug::Figure8Commit, PlantedBug::StaleTermReply].into_iter().collect();
        assert!(set.has(PlantedBug::Figure8Commit) && !set.has(PlantedBug::DoubleCountVote));
        let back: Bugs = serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
        assert_eq!(back, set);
    }
}
