//! What a log entry can carry, and what clients can ask for.

use crate::hash::StableHasher;
use crate::types::{ClientId, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A point of the escort plane, in integer grid units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Pos {
    pub x: i64,
    pub y: i64,
}

/// An operation on the replicated state machines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Op {
    /// Escort: move the formation from `from` to `to`. Applied only if the formation is at `from`, which makes a
    /// step idempotent: a re-proposed or duplicated step can never move the formation twice.
    Step { from: Pos, to: Pos },
    /// Escort: a user moves the formation by (dx, dy).
    Move { dx: i64, dy: i64 },
    /// Array: set index to value.
    Set { index: u32, value: i64 },
    /// Message log: append a text message.
    Message { text: String },
}

impl Op {
    /// Readable form for logs and the UI: "step → [37,0]", "a[2] = 7", "msg: hello".
    pub fn describe(&self) -> String {
        match self {
            Op::Step { to, .. } => format!("step → [{},{}]", to.x, to.y),
            Op::Move { dx, dy } => format!("move by ({dx},{dy})"),
            Op::Set { index, value } => format!("a[{index}] = {value}"),
            Op::Message { text } => format!("msg: {text}"),
        }
    }

    pub fn digest(&self, h: &mut StableHasher) {
        match self {
            Op::Step { from, to } => {
                h.u64(1).u64(from.x as u64).u64(from.y as u64).u64(to.x as u64).u64(to.y as u64);
            }
            Op::Move { dx, dy } => {
                h.u64(2).u64(*dx as u64).u64(*dy as u64);
            }
            Op::Set { index, value } => {
                h.u64(3).u64(*index as u64).u64(*value as u64);
            }
            Op::Message { text } => {
                h.u64(4).bytes(text.as_bytes());
            }
        }
    }
}

/// Identifies a client request so a retried request is applied at most once (dissertation ch. 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestId {
    pub client: ClientId,
    pub seq: u64,
}

/// The cluster configuration: who votes and who only receives the log (a catching-up new node).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Membership {
    pub voters: BTreeSet<NodeId>,
    #[serde(default)]
    pub learners: BTreeSet<NodeId>,
}

impl Membership {
    pub fn of_voters(ids: impl IntoIterator<Item = NodeId>) -> Self {
        Membership { voters: ids.into_iter().collect(), learners: BTreeSet::new() }
    }
    /// Votes (or acknowledgements) needed: a majority of the voters.
    pub fn quorum(&self) -> usize {
        self.voters.len() / 2 + 1
    }
    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters.contains(&id)
    }
    pub fn contains(&self, id: NodeId) -> bool {
        self.voters.contains(&id) || self.learners.contains(&id)
    }
    /// Everyone the leader replicates to.
    pub fn members(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.voters.iter().chain(self.learners.iter()).copied()
    }
    /// "config {S1–S4,S6}": every member, runs of three or more consecutive ids as a range (51 voters were a
    /// line of 51 names).
    pub fn describe(&self) -> String {
        let ids = |s: &BTreeSet<NodeId>| {
            let name = |(lo, hi): (NodeId, NodeId)| match hi - lo {
                0 => format!("S{lo}"),
                1 => format!("S{lo},S{hi}"),
                _ => format!("S{lo}–S{hi}"),
            };
            crate::types::id_runs(s.iter().copied()).into_iter().map(name).collect::<Vec<_>>().join(",")
        };
        if self.learners.is_empty() {
            format!("config {{{}}}", ids(&self.voters))
        } else {
            format!("config {{{}}} + learners {{{}}}", ids(&self.voters), ids(&self.learners))
        }
    }
    fn digest(&self, h: &mut StableHasher) {
        h.u64(self.voters.len() as u64);
        for v in &self.voters {
            h.u64(*v as u64);
        }
        h.u64(self.learners.len() as u64);
        for l in &self.learners {
            h.u64(*l as u64);
        }
    }
}

/// What a log entry carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryData {
    /// Appended by a new leader so that it can commit an entry of its own term (§5.4.2, Figure 8).
    Noop,
    /// A single-server membership change (dissertation §4.1): takes effect as soon as it is in a log.
    Config { membership: Membership },
    /// A state-machine operation, with the client request it answers if a client asked for it.
    Op { op: Op, request: Option<RequestId> },
}

impl EntryData {
    pub fn describe(&self) -> String {
        match self {
            EntryData::Noop => "no-op".to_string(),
            EntryData::Config { membership } => membership.describe(),
            EntryData::Op { op, .. } => op.describe(),
        }
    }

    pub fn digest(&self) -> u64 {
        let mut h = StableHasher::new();
        match self {
            EntryData::Noop => {
                h.u64(0);
            }
            EntryData::Config { membership } => {
                h.u64(1);
                membership.digest(&mut h);
            }
            EntryData::Op { op, request } => {
                h.u64(2);
                op.digest(&mut h);
                if let Some(r) = request {
                    h.u64(r.client as u64).u64(r.seq);
                }
            }
        }
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_names_every_member_with_runs_as_ranges() {
        assert_eq!(Membership::of_voters(1..=51).describe(), "config {S1–S51}");
        assert_eq!(Membership::of_voters([1, 2, 4, 6, 7, 8]).describe(), "config {S1,S2,S4,S6–S8}");
        let mut m = Membership::of_voters([3]);
        m.learners.insert(9);
        assert_eq!(m.describe(), "config {S3} + learners {S9}");
        assert_eq!(
            Membership::of_voters([u32::MAX - 1, u32::MAX]).describe(),
            format!("config {{S{},S{}}}", u32::MAX - 1, u32::MAX)
        );
    }
}
