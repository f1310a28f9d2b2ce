//! Messages on the bus: Raft's two RPCs (Figure 2) with their replies, the extensions' messages (PreVote,
//! TimeoutNow), and client requests and replies. `MessageKind` lists every kind once, with the words the UI's
//! legend and labels use.

use crate::log::Entries;
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
        /// Sent because the leader asked for it (TimeoutNow): voters that heard from that leader recently vote
        /// anyway (dissertation §4.2.3 and §3.10).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        transfer: bool,
    },
    RequestVoteReply {
        term: Term,
        granted: bool,
    },
    /// "Would you vote for me in `term`?" (dissertation §9.6). `term` is the sender's term + 1; nobody's term
    /// changes and nobody's vote is taken.
    PreVote {
        term: Term,
        candidate: NodeId,
        last_log_index: LogIndex,
        last_log_term: Term,
    },
    /// A granted pre-vote carries the term asked about; a refusal carries the voter's own term.
    PreVoteReply {
        term: Term,
        granted: bool,
    },
    /// Leadership transfer (dissertation §3.10): the leader tells an up-to-date follower to start an election
    /// now.
    TimeoutNow {
        term: Term,
    },
    /// One chunk of the leader's snapshot (dissertation ch. 5), for a follower that needs entries the leader
    /// has compacted away. `offset` is where `data` goes; `done` marks the last chunk.
    InstallSnapshot {
        term: Term,
        leader: NodeId,
        /// Boxed: the rest of the messages stay small (every message in flight is moved around by the bus).
        chunk: Box<SnapshotChunk>,
    },
    /// `done`: the snapshot ending at `last_index` is installed and durable. Else the bytes received so far
    /// (where the next chunk should start).
    InstallSnapshotReply {
        term: Term,
        last_index: LogIndex,
        next_offset: u64,
        done: bool,
    },
    AppendEntries {
        term: Term,
        leader: NodeId,
        prev_log_index: LogIndex,
        prev_log_term: Term,
        entries: Entries,
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

/// One piece of a snapshot, and what the snapshot covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotChunk {
    pub last: crate::log::Start,
    pub membership: crate::machine::op::Membership,
    pub membership_index: LogIndex,
    pub offset: u64,
    pub data: Vec<u8>,
    pub done: bool,
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
            | Message::PreVote { term, .. }
            | Message::PreVoteReply { term, .. }
            | Message::TimeoutNow { term }
            | Message::InstallSnapshot { term, .. }
            | Message::InstallSnapshotReply { term, .. }
            | Message::AppendEntries { term, .. }
            | Message::AppendEntriesReply { term, .. } => Some(*term),
            Message::ClientRequest { .. } | Message::ClientReply { .. } => None,
        }
    }

    pub fn kind(&self) -> MessageKind {
        match self {
            Message::RequestVote { .. } => MessageKind::RequestVote,
            Message::RequestVoteReply { .. } => MessageKind::RequestVoteReply,
            Message::PreVote { .. } => MessageKind::PreVote,
            Message::PreVoteReply { .. } => MessageKind::PreVoteReply,
            Message::TimeoutNow { .. } => MessageKind::TimeoutNow,
            Message::InstallSnapshot { .. } => MessageKind::InstallSnapshot,
            Message::InstallSnapshotReply { .. } => MessageKind::InstallSnapshotReply,
            Message::AppendEntries { .. } => MessageKind::AppendEntries,
            Message::AppendEntriesReply { .. } => MessageKind::AppendEntriesReply,
            Message::ClientRequest { .. } => MessageKind::ClientRequest,
            Message::ClientReply { .. } => MessageKind::ClientReply,
        }
    }
}

/// Every kind of message, once: the legend, the labels and the filters derive from this list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MessageKind {
    RequestVote,
    RequestVoteReply,
    PreVote,
    PreVoteReply,
    TimeoutNow,
    InstallSnapshot,
    InstallSnapshotReply,
    AppendEntries,
    AppendEntriesReply,
    ClientRequest,
    ClientReply,
}

impl MessageKind {
    pub const ALL: [MessageKind; 11] = [
        MessageKind::RequestVote,
        MessageKind::RequestVoteReply,
        MessageKind::PreVote,
        MessageKind::PreVoteReply,
        MessageKind::TimeoutNow,
        MessageKind::InstallSnapshot,
        MessageKind::InstallSnapshotReply,
        MessageKind::AppendEntries,
        MessageKind::AppendEntriesReply,
        MessageKind::ClientRequest,
        MessageKind::ClientReply,
    ];

    /// The name the paper (or the dissertation) gives it.
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::RequestVote => "RequestVote",
            MessageKind::RequestVoteReply => "RequestVoteReply",
            MessageKind::PreVote => "PreVote",
            MessageKind::PreVoteReply => "PreVoteReply",
            MessageKind::TimeoutNow => "TimeoutNow",
            MessageKind::InstallSnapshot => "InstallSnapshot",
            MessageKind::InstallSnapshotReply => "InstallSnapshotReply",
            MessageKind::AppendEntries => "AppendEntries",
            MessageKind::AppendEntriesReply => "AppendEntriesReply",
            MessageKind::ClientRequest => "ClientRequest",
            MessageKind::ClientReply => "ClientReply",
        }
    }

    /// Whether a cluster with this config can send this kind at all (the legend shows only those).
    pub fn in_use(self, cfg: &crate::config::RaftConfig) -> bool {
        match self {
            MessageKind::PreVote | MessageKind::PreVoteReply => cfg.protocol.prevote,
            MessageKind::InstallSnapshot | MessageKind::InstallSnapshotReply => cfg.snapshot_after_entries > 0,
            _ => true,
        }
    }
}

impl std::fmt::Display for MessageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
