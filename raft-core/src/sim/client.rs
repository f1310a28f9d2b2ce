//! Simulated clients: actors on the bus. A client sends to a node of its choice; a follower answers with a
//! redirect naming the leader it knows, and the client follows it, retrying with back-off (transparent
//! re-routing). Requests carry (client, seq) so a retry is applied at most once.

use crate::machine::op::Op;
use crate::types::{ClientId, LogIndex, NodeId, TimeUs};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// A client gives up on a request after this many attempts (each a send to some node).
pub const ATTEMPTS_MAX: u32 = 40;
/// Requests remembered for the UI's request list.
pub const RECORDS_MAX: usize = 2_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Applied { index: LogIndex },
    Refused { reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub client: ClientId,
    pub seq: u64,
    pub op: Op,
    pub first_to: Option<NodeId>,
    pub status: RequestStatus,
    pub attempts: u32,
    pub redirects: u32,
    /// Nodes the request was sent to, in order (shows the redirect path).
    pub path: Vec<NodeId>,
    pub started_us: TimeUs,
    pub ended_us: Option<TimeUs>,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub id: ClientId,
    pub next_seq: u64,
    pub queue: VecDeque<(Op, Option<NodeId>)>,
    /// Index into the records of the request in progress.
    pub current: Option<usize>,
    pub leader_guess: Option<NodeId>,
    pub timer_gen: u64,
    pub backoff_us: TimeUs,
}

impl Client {
    pub fn new(id: ClientId) -> Self {
        Client { id, next_seq: 1, queue: VecDeque::new(), current: None, leader_guess: None, timer_gen: 0, backoff_us: 0 }
    }
}
