//! Small shared types. Ids are plain integers so they serialize as numbers for the UI and JSON API.

use serde::{Deserialize, Serialize};

/// A server id, 1..=N (shown as S1..SN).
pub type NodeId = u32;

/// Ids in ascending order as runs of consecutive ids, `(first, last)`: what "S1–S4" names in a list.
pub fn id_runs(ids: impl IntoIterator<Item = NodeId>) -> Vec<(NodeId, NodeId)> {
    let mut runs: Vec<(NodeId, NodeId)> = Vec::new();
    for id in ids {
        match runs.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(id) => *last = id,
            _ => runs.push((id, id)),
        }
    }
    runs
}
/// A simulated client id (clients are actors on the bus, numbered apart from servers).
pub type ClientId = u32;
/// Client ids are 1 to this (a client's requests are refused with a message beyond it), so the simulator keeps
/// its clients and their links in tables indexed by id.
pub const CLIENT_ID_MAX: ClientId = 1_000;
/// A Raft term.
pub type Term = u64;
/// A 1-based log index; 0 means "before the first entry".
pub type LogIndex = u64;
/// Virtual time in microseconds since the start of the run.
pub type TimeUs = u64;
/// Id of a message on the bus, unique within a run.
pub type MsgId = u64;

/// Largest cluster the simulator and UI support.
pub const NODES_MAX: usize = 51;

/// Who sends or receives a message on the bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Node(NodeId),
    Client(ClientId),
}

/// A running node's role. `name` is the one word every view uses (CSS classes, labels, the legend).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Follower,
    /// Asking for pre-votes before it may start a real election (PreVote, dissertation §9.6).
    Precandidate,
    Candidate,
    Leader,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Leader, Role::Candidate, Role::Precandidate, Role::Follower];

    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Precandidate => "precandidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }

    /// Whether a node of a cluster with this config can take this role (the legend shows only those).
    pub fn in_use(self, cfg: &crate::config::RaftConfig) -> bool {
        match self {
            Role::Precandidate => cfg.protocol.prevote,
            _ => true,
        }
    }
}
