//! A simulated server: a Raft node (absent while crashed), its disk with writes not yet synced, and its state
//! machines.

use crate::machine::Machines;
use crate::message::Message;
use crate::node::{DurableState, Node, PersistOp};
use crate::types::{ClientId, Endpoint, LogIndex, NodeId, TimeUs};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};

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
#[derive(Debug)]
pub struct PendingWrite {
    pub op: PersistOp,
    pub sync_at_us: TimeUs,
    pub held: Vec<(NodeId, Message)>,
}

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
    pub timer_at_us: TimeUs,
    /// Client requests this server proposed and must answer once applied.
    pub awaiting_apply: BTreeSet<(ClientId, u64)>,
}

impl Server {
    pub fn is_up(&self) -> bool {
        self.status == Status::Up
    }
}
