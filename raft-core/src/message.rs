//! Messages on the bus: Raft's two RPCs (Figure 2) with their replies, and client requests and replies.

use crate::log::Entry;
use crate::machine::op::Op;
use crate::types::{ClientId, LogIndex, NodeId, Term};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Message {
    RequestVote {
        term: Term,
        candidate: NodeId,
        last_log_index: LogIndex,
        last_log_term: Term,
    },
    RequestVoteReply {
        term: Term,
        granted: bool,
    },
    AppendEntries {
        term: Term,
        leader: NodeId,
        prev_log_index: LogIndex,
        prev_log_term: Term,
        entries: Vec<Entry>,
        leader_commit: LogIndex,
    },
    /// On success `match_index` is the last index known to agree with the leader. On failure
    /// `conflict_index` is where the leader should retry from (the follower's fast back-off hint).
    AppendEntriesReply {
        term: Term,
        success: bool,
        match_index: LogIndex,
        conflict_index: LogIndex,
    },
    ClientRequest {
        client: ClientId,
        seq: u64,
        op: Op,
    },
    ClientReply {
        seq: u64,
        result: ClientResult,
    },
}

/// What a server answers a client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ClientResult {
    /// Applied at this log index.
    Applied { index: LogIndex },
    /// Not the leader: try this one (None: no leader known yet).
    Redirect { leader: Option<NodeId> },
    /// Refused: the request can never succeed (index out of range, text too long...).
    Refused { reason: String },
}

impl Message {
    pub fn term(&self) -> Option<Term> {
        match self {
            Message::RequestVote { term, .. }
            | Message::RequestVoteReply { term, .. }
            | Message::AppendEntries { term, .. }
            | Message::AppendEntriesReply { term, .. } => Some(*term),
            _ => None,
        }
    }

    /// Short kind name, used by the UI legend and the trace.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::RequestVote { .. } => "RequestVote",
            Message::RequestVoteReply { .. } => "RequestVoteReply",
            Message::AppendEntries { .. } => "AppendEntries",
            Message::AppendEntriesReply { .. } => "AppendEntriesReply",
            Message::ClientRequest { .. } => "ClientRequest",
            Message::ClientReply { .. } => "ClientReply",
        }
    }
}
