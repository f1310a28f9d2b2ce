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
/// Bound on messages in flight on one directed link (a socket's send buffer): a protocol bug that multiplies
/// messages (the planted truncate-on-match) fills one link's queue and has its excess dropped, counted in
/// `FaultStats::dropped_link_full`, instead of flooding the page with tens of thousands of messages.
pub const LINK_IN_FLIGHT_MAX: u32 = 256;

#[derive(Clone, Debug, Default)]
pub struct Bus {
    /// Read freely; change only through `insert` and `remove`, which keep `per_link` in step.
    pub in_flight: BTreeMap<MsgId, Envelope>,
    /// Messages in flight per directed link.
    per_link: BTreeMap<(Endpoint, Endpoint), u32>,
    next_id: MsgId,
    /// Partition groups: nodes talk only within their group. Nodes in no group form one more group together.
    groups: Vec<BTreeSet<NodeId>>,
    /// Directed links cut one way: (from, to).
    cuts: BTreeSet<(NodeId, NodeId)>,
}

impl Bus {
    /// Whether the link from `from` to `to` holds its maximum of messages in flight.
    pub fn link_full(&self, from: Endpoint, to: Endpoint) -> bool {
        self.per_link.get(&(from, to)).is_some_and(|n| *n >= LINK_IN_FLIGHT_MAX)
    }

    pub fn insert(&mut self, env: Envelope) {
        *self.per_link.entry((env.from, env.to)).or_insert(0) += 1;
        self.in_flight.insert(env.id, env);
    }

    pub fn remove(&mut self, id: MsgId) -> Option<Envelope> {
        let env = self.in_flight.remove(&id)?;
        let key = (env.from, env.to);
        match self.per_link.get_mut(&key) {
            Some(n) if *n > 1 => *n -= 1,
            _ => {
                self.per_link.remove(&key);
            }
        }
        Some(env)
    }

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
