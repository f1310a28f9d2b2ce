//! The simulated network: per-message latency (so reordering), loss, duplication, partitions and one-way cuts.
//! Every message in flight is kept by id so a UI can draw it and a user can drop, duplicate or delay it.

use crate::message::Message;
use crate::types::{Endpoint, MsgId, NodeId, TimeUs, CLIENT_ID_MAX};
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
/// simulator's time). The deque holds a 4-byte slot number per id and the envelopes live in a slab whose free
/// slots are reused: a message delayed for long keeps the deque from shrinking at the front, and then each
/// later id costs 4 bytes, not a whole envelope; and no message costs an allocation (a box each, with the
/// hash map `LinkCounts` replaced, was 6 % of the simulator's instructions).
#[derive(Clone, Debug, Default)]
pub struct InFlight {
    base: MsgId,
    /// Slot in `slab` of id `base + i`, or `NONE`.
    slots: VecDeque<u32>,
    slab: Vec<Option<Envelope>>,
    /// Slots of `slab` that are empty.
    free: Vec<u32>,
    len: usize,
}

const NONE: u32 = u32::MAX;

impl InFlight {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    fn slot(&self, id: MsgId) -> Option<usize> {
        let i = id.checked_sub(self.base)? as usize;
        self.slots.get(i).filter(|s| **s != NONE).map(|s| *s as usize)
    }
    pub fn get(&self, id: &MsgId) -> Option<&Envelope> {
        self.slot(*id).and_then(|s| self.slab[s].as_ref())
    }
    pub fn get_mut(&mut self, id: &MsgId) -> Option<&mut Envelope> {
        self.slot(*id).and_then(|s| self.slab[s].as_mut())
    }
    /// In id order (the order they were sent).
    pub fn values(&self) -> impl Iterator<Item = &Envelope> {
        self.slots.iter().filter(|s| **s != NONE).filter_map(|s| self.slab[*s as usize].as_ref())
    }
    fn insert(&mut self, env: Envelope) {
        if self.slots.is_empty() {
            self.base = env.id;
        }
        debug_assert!(env.id >= self.base + self.slots.len() as MsgId, "message ids only grow");
        while self.base + (self.slots.len() as MsgId) < env.id {
            self.slots.push_back(NONE);
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(env);
                slot
            }
            None => {
                // At most IN_FLIGHT_MAX envelopes are in flight, so slot numbers fit in a u32.
                self.slab.push(Some(env));
                (self.slab.len() - 1) as u32
            }
        };
        self.slots.push_back(slot);
        self.len += 1;
    }
    fn remove(&mut self, id: &MsgId) -> Option<Envelope> {
        self.remove_if(id, |_| true)
    }
    /// Removes the envelope of `id` if `take` says so, with one lookup.
    fn remove_if(&mut self, id: &MsgId, take: impl FnOnce(&Envelope) -> bool) -> Option<Envelope> {
        let i = id.checked_sub(self.base)? as usize;
        let slot = *self.slots.get(i)?;
        if slot == NONE || !take(self.slab[slot as usize].as_ref().expect("a slot in use holds an envelope")) {
            return None;
        }
        self.slots[i] = NONE;
        let env = self.slab[slot as usize].take().expect("a slot in use holds an envelope");
        self.free.push(slot);
        self.len -= 1;
        while self.slots.front() == Some(&NONE) {
            self.slots.pop_front();
            self.base += 1;
        }
        Some(env)
    }
}

/// Messages in flight per directed link, in tables by id (the bus reads and writes them three times per message,
/// so no hashing: a hash map for the links with a client was 1.5 % of `raft-sim bench` at 5 nodes).
#[derive(Clone, Debug, Default)]
struct LinkCounts {
    /// `nodes[from][to]`, grown as ids appear.
    nodes: Vec<Vec<u32>>,
    /// `clients[client][node]`: [client to node, node to client], grown as ids appear. Client ids are at most
    /// `CLIENT_ID_MAX` (requests are refused beyond it); a link with a larger one would go uncounted.
    clients: Vec<Vec<[u32; 2]>>,
}

/// Where a link's count is kept: `nodes[a][b]`, or `clients[c][n][direction]`; `None` for a link between two
/// clients, which nothing sends on, or a client id beyond `CLIENT_ID_MAX`.
#[derive(Clone, Copy)]
enum LinkSlot {
    Nodes(usize, usize),
    Clients(usize, usize, usize),
}

fn link_slot(from: Endpoint, to: Endpoint) -> Option<LinkSlot> {
    let client = |c: u32| (c <= CLIENT_ID_MAX).then_some(c as usize);
    match (from, to) {
        (Endpoint::Node(a), Endpoint::Node(b)) => Some(LinkSlot::Nodes(a as usize, b as usize)),
        (Endpoint::Client(c), Endpoint::Node(n)) => Some(LinkSlot::Clients(client(c)?, n as usize, 0)),
        (Endpoint::Node(n), Endpoint::Client(c)) => Some(LinkSlot::Clients(client(c)?, n as usize, 1)),
        (Endpoint::Client(_), Endpoint::Client(_)) => None,
    }
}

impl LinkCounts {
    fn get(&self, from: Endpoint, to: Endpoint) -> u32 {
        match link_slot(from, to) {
            Some(LinkSlot::Nodes(a, b)) => self.nodes.get(a).and_then(|row| row.get(b)).copied().unwrap_or(0),
            Some(LinkSlot::Clients(c, n, d)) => self.clients.get(c).and_then(|row| row.get(n)).map_or(0, |l| l[d]),
            None => 0,
        }
    }

    fn add(&mut self, from: Endpoint, to: Endpoint) {
        match link_slot(from, to) {
            Some(LinkSlot::Nodes(a, b)) => *grown(&mut self.nodes, a, b) += 1,
            Some(LinkSlot::Clients(c, n, d)) => grown(&mut self.clients, c, n)[d] += 1,
            None => {}
        }
    }

    fn sub(&mut self, from: Endpoint, to: Endpoint) {
        let n = match link_slot(from, to) {
            Some(LinkSlot::Nodes(a, b)) => self.nodes.get_mut(a).and_then(|row| row.get_mut(b)),
            Some(LinkSlot::Clients(c, n, d)) => {
                self.clients.get_mut(c).and_then(|row| row.get_mut(n)).map(|l| &mut l[d])
            }
            None => None,
        };
        if let Some(n) = n {
            *n = n.saturating_sub(1);
        }
    }

    /// The tables' memory (a checkpoint copies them).
    fn footprint_bytes(&self) -> u64 {
        fn table<T>(t: &[Vec<T>]) -> u64 {
            (std::mem::size_of_val(t) + t.iter().map(|row| row.capacity() * std::mem::size_of::<T>()).sum::<usize>())
                as u64
        }
        table(&self.nodes) + table(&self.clients)
    }

    /// Whether no message is counted on any link.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.nodes.iter().flatten().all(|n| *n == 0) && self.clients.iter().flatten().all(|l| *l == [0, 0])
    }
}

/// `table[i][j]`, the table grown with zeros to hold it.
fn grown<T: Default + Clone>(table: &mut Vec<Vec<T>>, i: usize, j: usize) -> &mut T {
    if table.len() <= i {
        table.resize_with(i + 1, Vec::new);
    }
    let row = &mut table[i];
    if row.len() <= j {
        row.resize(j + 1, T::default());
    }
    &mut row[j]
}

#[derive(Clone, Debug, Default)]
pub struct Bus {
    /// Read freely; change only through `insert` and `remove`, which keep `per_link` in step.
    pub in_flight: InFlight,
    per_link: LinkCounts,
    next_id: MsgId,
    /// Partition groups: nodes talk only within their group. Nodes in no group form one more group together.
    groups: Vec<BTreeSet<NodeId>>,
    /// Directed links cut one way: (from, to).
    cuts: BTreeSet<(NodeId, NodeId)>,
}

impl Bus {
    /// Whether the link from `from` to `to` holds its maximum of messages in flight.
    pub fn link_full(&self, from: Endpoint, to: Endpoint) -> bool {
        self.per_link.get(from, to) >= LINK_IN_FLIGHT_MAX
    }

    /// Memory of the per-link counts (the messages themselves are counted by the caller).
    pub fn links_footprint_bytes(&self) -> u64 {
        self.per_link.footprint_bytes()
    }

    pub fn insert(&mut self, env: Envelope) {
        self.per_link.add(env.from, env.to);
        self.in_flight.insert(env);
    }

    pub fn remove(&mut self, id: MsgId) -> Option<Envelope> {
        let env = self.in_flight.remove(&id)?;
        self.per_link.sub(env.from, env.to);
        Some(env)
    }

    /// Removes the message if it is in flight and due by `now_us` (a delayed one is not yet).
    pub fn remove_due(&mut self, id: MsgId, now_us: TimeUs) -> Option<Envelope> {
        let env = self.in_flight.remove_if(&id, |env| env.deliver_us <= now_us)?;
        self.per_link.sub(env.from, env.to);
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
    fn a_link_is_full_at_its_bound_and_empties_again_for_nodes_and_clients() {
        let mut bus = Bus::default();
        let (s1, s7, c3) = (Endpoint::Node(1), Endpoint::Node(7), Endpoint::Client(3));
        for (from, to) in [(s1, s7), (c3, s1), (s1, c3)] {
            let first = bus.next_id + 1;
            for _ in 0..LINK_IN_FLIGHT_MAX {
                assert!(!bus.link_full(from, to));
                let id = bus.new_id();
                bus.insert(Envelope { from, to, ..env(id) });
            }
            assert!(bus.link_full(from, to), "{from:?} to {to:?} holds its maximum");
            assert!(!bus.link_full(to, from), "the other direction is another link");
            assert!(!bus.link_full(s7, Endpoint::Node(2)) && !bus.link_full(Endpoint::Node(200), s1));
            assert_eq!(bus.remove(first).map(|e| e.id), Some(first));
            assert!(!bus.link_full(from, to), "one delivered frees a place");
            for id in first + 1..bus.next_id + 1 {
                bus.remove(id);
            }
            assert!(bus.in_flight.is_empty());
            assert_eq!(bus.per_link.get(from, to), 0);
        }
        assert!(bus.per_link.is_empty(), "every link is back to zero");
        // A client id beyond the bound (refused where requests enter) is not counted and grows no table.
        let far = Endpoint::Client(CLIENT_ID_MAX + 1);
        let id = bus.new_id();
        bus.insert(Envelope { from: far, to: s1, ..env(id) });
        assert_eq!(bus.per_link.get(far, s1), 0);
        assert!(bus.per_link.clients.len() <= 4, "the client table holds client 3, not {}", CLIENT_ID_MAX + 1);
        assert!(bus.remove(id).is_some() && bus.per_link.is_empty());
        assert!(bus.in_flight.slab.len() <= LINK_IN_FLIGHT_MAX as usize, "slab slots are reused");
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
