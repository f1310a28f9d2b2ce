//! A simulated server: a Raft node (absent while crashed), its disk with writes not yet synced, and its state
//! machines.

use crate::machine::Machines;
use crate::message::Message;
use crate::node::{DurableState, Node, PersistOp};
use crate::types::{ClientId, Endpoint, LogIndex, NodeId, TimeUs};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Up,
    Crashed,
    Paused,
    /// Removed from the configuration and stopped.
    Removed,
}

/// A write handed to the disk, not yet durable, with the messages that wait for it.
#[derive(Clone, Debug)]
pub struct PendingWrite {
    pub op: PersistOp,
    pub sync_at_us: TimeUs,
    pub held: Vec<(NodeId, Message)>,
}

#[derive(Clone)]
pub struct Server {
    pub id: NodeId,
    pub node: Option<Node>,
    pub status: Status,
    pub disk: DurableState,
    pub pending: VecDeque<PendingWrite>,
    pub machines: Machines,
    pub incarnation: u64,
    /// Commit index when it last crashed (only the planted bug reads it).
    pub commit_before_crash: LogIndex,
    /// Messages that arrived while paused, handled at resume.
    pub inbox: VecDeque<(Endpoint, Message)>,
    /// Writes the disk completed while the node was paused: durable, but the paused process has not seen it
    /// yet, so the votes and acknowledgements they hold leave only at resume (a paused node sends nothing).
    pub synced_while_paused: VecDeque<PendingWrite>,
    /// A stalled disk completes no write before this time.
    pub disk_stalled_until_us: TimeUs,
    /// Timer event generation: a timer event with an older generation is stale.
    pub timer_gen: u64,
    /// The node's next deadline (election timeout or heartbeat), `TimeUs::MAX` for none.
    pub timer_at_us: TimeUs,
    /// When the queued timer event of generation `timer_gen` fires, `TimeUs::MAX` if none is queued. It may be
    /// earlier than `timer_at_us`: a deadline that moves later (every heartbeat resets a follower's election
    /// timer) keeps its event, which queues itself again when it fires early. Queueing an event per reset left
    /// a stale event per message in the queue.
    pub timer_queued_us: TimeUs,
    /// Client requests this server proposed and must answer once applied. Looked up, never iterated, so a
    /// hash set keeps runs deterministic (a BTreeSet search was 0.6 % of `raft-sim bench` at 5 nodes).
    pub awaiting_apply: FxHashSet<(ClientId, u64)>,
    /// While leading with `idle_heartbeats`: when the application next marches the escort and carries out a
    /// membership change (every heartbeat interval, as the heartbeat round did before heartbeats went only to
    /// idle followers). `TimeUs::MAX` otherwise.
    pub app_due_us: TimeUs,
}

impl Server {
    pub fn is_up(&self) -> bool {
        self.status == Status::Up
    }
}

/// The servers of a cluster by id. Ids are handed out in order from 1 and never reused (a removed server keeps
/// its slot), so a vector indexed by `id - 1` replaces a map: the simulator looks a server up several times per
/// event, and a BTreeMap search was a fifth of its time at 51 nodes.
#[derive(Clone, Default)]
pub struct Servers(Vec<Server>);

impl Servers {
    fn slot(id: NodeId) -> Option<usize> {
        (id as usize).checked_sub(1)
    }
    pub fn get(&self, id: &NodeId) -> Option<&Server> {
        Self::slot(*id).and_then(|i| self.0.get(i))
    }
    pub fn get_mut(&mut self, id: &NodeId) -> Option<&mut Server> {
        Self::slot(*id).and_then(|i| self.0.get_mut(i))
    }
    /// Adds the server with the next id (`len + 1`).
    pub fn push(&mut self, s: Server) {
        assert_eq!(s.id as usize, self.0.len() + 1, "server ids are handed out in order from 1");
        self.0.push(s);
    }
    pub fn keys(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.0.iter().map(|s| s.id)
    }
    /// In id order.
    pub fn values(&self) -> std::slice::Iter<'_, Server> {
        self.0.iter()
    }
    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, Server> {
        self.0.iter_mut()
    }
}

impl std::ops::Index<&NodeId> for Servers {
    type Output = Server;
    fn index(&self, id: &NodeId) -> &Server {
        self.get(id).expect("no server with this id")
    }
}
