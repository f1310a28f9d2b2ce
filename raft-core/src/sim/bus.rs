//! The simulated network: per-message latency (so reordering), loss, duplication, partitions and one-way cuts.
//! Every message in flight is kept by id so a UI can draw it and a user can drop, duplicate or delay it.

use crate::message::Message;
use crate::types::{Endpoint, MsgId, NodeId, TimeUs};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: MsgId,
    pub from: Endpoint,
    pub to: Endpoint,
    pub sent_us: TimeUs,
    pub deliver_us: TimeUs,
    pub msg: Message,
}

/// Bound on messages in flight at once; beyond it new messages are dropped (a full network queue).
pub const IN_FLIGHT_MAX: usize = 100_000;

#[derive(Clone, Debug, Default)]
pub struct Bus {
    pub in_flight: BTreeMap<MsgId, Envelope>,
    next_id: MsgId,
    /// Partition groups: nodes talk only within their group. Nodes in no group form one more group together.
    groups: Vec<BTreeSet<NodeId>>,
    /// Directed links cut one way: (from, to).
    cuts: BTreeSet<(NodeId, NodeId)>,
}

impl Bus {
    pub fn new_id(&mut self) -> MsgId {
        self.next_id += 1;
        self.next_id
    }

    fn group_of(&self, n: NodeId) -> Option<usize> {
        self.groups.iter().position(|g| g.contains(&n))
    }

    /// Whether a message can currently travel from `from` to `to`. Clients sit outside any partition.
    pub fn link_up(&self, from: Endpoint, to: Endpoint) -> bool {
        let (Endpoint::Node(a), Endpoint::Node(b)) = (from, to) else { return true };
        if self.cuts.contains(&(a, b)) {
            return false;
        }
        self.groups.is_empty() || self.group_of(a) == self.group_of(b)
    }

    pub fn partition(&mut self, groups: Vec<BTreeSet<NodeId>>) {
        self.groups = groups.into_iter().filter(|g| !g.is_empty()).collect();
    }

    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.cuts.insert((from, to));
    }

    pub fn heal(&mut self) {
        self.groups.clear();
        self.cuts.clear();
    }

    pub fn groups(&self) -> &[BTreeSet<NodeId>] {
        &self.groups
    }

    pub fn cuts(&self) -> &BTreeSet<(NodeId, NodeId)> {
        &self.cuts
    }

    pub fn is_partitioned(&self) -> bool {
        !self.groups.is_empty() || !self.cuts.is_empty()
    }
}
