//! The simulated network: per-message latency (so reordering), loss, duplication, partitions and one-way cuts.
//! Every message in flight is kept by id so a UI can draw it and a user can drop, duplicate or delay it.

use crate::message::Message;
use crate::types::{Endpoint, MsgId, NodeId, TimeUs};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: MsgId,
    pub from: Endpoint,
    pub to: Endpoint,
    pub sent_us: TimeUs,
    pub deliver_us: TimeUs,
    pub msg: Message,
    /// The journal's sequence number of the send (0 while the journal is off): a delivery's cause.
    #[serde(default)]
    pub sent_seq: u64,
}

/// Bound on messages in flight at once; beyond it new messages are dropped (a full network queue).
pub const IN_FLIGHT_MAX: usize = 100_000;
/// Bound on messages in flight on one directed link (a socket's send buffer): a protocol bug that multiplies
/// messages (the planted truncate-on-match) fills one link's queue and has its excess dropped, counted in
/// `FaultStats::dropped_link_full`, instead of flooding the page with tens of thousands of messages.
pub const LINK_IN_FLIGHT_MAX: u32 = 256;

/// The messages in flight, by id. Ids only grow, so a deque indexed by `id - base` keeps them in id order with
/// O(1) insertion, lookup and removal (a BTreeMap moved envelopes around on every delivery, a tenth of the
/// simulator's time). Slots are boxed: a message delayed for long keeps the deque from shrinking at the front,
/// and then each later slot costs 8 bytes, not a whole envelope.
#[derive(Clone, Debug, Default)]
pub struct InFlight {
    base: MsgId,
    slots: VecDeque<Option<Box<Envelope>>>,
    len: usize,
}

impl InFlight {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    fn slot(&self, id: MsgId) -> Option<usize> {
        id.checked_sub(self.base).map(|i| i as usize).filter(|i| *i < self.slots.len())
    }
    pub fn get(&self, id: &MsgId) -> Option<&Envelope> {
        self.slot(*id).and_then(|i| self.slots[i].as_deref())
    }
    pub fn get_mut(&mut self, id: &MsgId) -> Option<&mut Envelope> {
        self.slot(*id).and_then(|i| self.slots[i].as_deref_mut())
    }
    /// In id order (the order they were sent).
    pub fn values(&self) -> impl Iterator<Item = &Envelope> {
        self.slots.iter().flatten().map(|b| &**b)
    }
    fn insert(&mut self, env: Envelope) {
        if self.slots.is_empty() {
            self.base = env.id;
        }
        debug_assert!(env.id >= self.base + self.slots.len() as MsgId, "message ids only grow");
        while self.base + (self.slots.len() as MsgId) < env.id {
            self.slots.push_back(None);
        }
        self.slots.push_back(Some(Box::new(env)));
        self.len += 1;
    }
    fn remove(&mut self, id: &MsgId) -> Option<Envelope> {
        let i = self.slot(*id)?;
        let env = self.slots[i].take()?;
        self.len -= 1;
        while self.slots.front().is_some_and(|s| s.is_none()) {
            self.slots.pop_front();
            self.base += 1;
        }
        Some(*env)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Bus {
    /// Read freely; change only through `insert` and `remove`, which keep `per_link` in step.
    pub in_flight: InFlight,
    /// Messages in flight per directed link (looked up, never iterated: a HashMap keeps runs deterministic).
    per_link: FxHashMap<(Endpoint, Endpoint), u32>,
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
        self.in_flight.insert(env);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(id: MsgId) -> Envelope {
        let msg = Message::TimeoutNow { term: id };
        Envelope { id, from: Endpoint::Node(1), to: Endpoint::Node(2), sent_us: 0, deliver_us: 0, msg, sent_seq: 0 }
    }

    #[test]
    fn messages_in_flight_keep_id_order_through_removals_and_gaps() {
        let mut f = InFlight::default();
        for id in [3, 4, 5, 8] {
            f.insert(env(id));
        }
        assert_eq!(f.len(), 4);
        assert!(f.get(&6).is_none() && f.get(&2).is_none() && f.get(&9).is_none());
        assert_eq!(f.remove(&4).map(|e| e.id), Some(4));
        assert!(f.remove(&4).is_none(), "removed once");
        assert_eq!(f.remove(&3).map(|e| e.id), Some(3), "the front goes, and the slots before 5 with it");
        f.get_mut(&8).expect("in flight").deliver_us = 7;
        assert_eq!(f.values().map(|e| (e.id, e.deliver_us)).collect::<Vec<_>>(), vec![(5, 0), (8, 7)]);
        assert_eq!(f.len(), 2);
        f.remove(&5);
        f.remove(&8);
        assert!(f.is_empty() && f.values().next().is_none());
        f.insert(env(20));
        assert_eq!(f.get(&20).map(|e| e.id), Some(20), "an empty deque starts again at the next id");
    }
}
