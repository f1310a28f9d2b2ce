//! The journal: every event of a run, in order, with its virtual time and a sequence number. A delivery names
//! the send it came from (`cause`, the causal edge of a space-time diagram). The cluster writes events into a
//! small buffer while the journal is on (`Cluster::enable_journal`); a `Recording` moves them into its
//! `Journal`, which keeps the furthest run and is bounded (`JOURNAL_EVENTS_MAX`, rule in `Journal::trim`).
//! Off (chaos, benchmarks), it costs one branch per event.

use crate::machine::op::Op;
use crate::message::{ClientResult, Message, MessageKind};
use crate::sim::Command;
use crate::types::{ClientId, Endpoint, LogIndex, MsgId, NodeId, Role, Term, TimeUs};
use serde::{Serialize, Serializer};
use std::collections::VecDeque;

/// Events a journal keeps (about 130 bytes each with a message's summary: some 65 MB). Beyond it, the oldest
/// detail (messages, timers, disk syncs, appends) goes first; milestones (roles, terms, commits, crashes,
/// commands, violations, clients) are kept longer.
pub const JOURNAL_EVENTS_MAX: usize = 500_000;

/// Every `kind` an event can have (`Happening::kind`), for filters.
pub const KINDS: [&str; 26] = [
    "sent",
    "lost",
    "delivered",
    "dropped",
    "duplicated",
    "delayed",
    "election_timeout",
    "heartbeat_due",
    "role_changed",
    "term_changed",
    "vote_granted",
    "appended",
    "truncated",
    "synced",
    "committed",
    "applied",
    "crashed",
    "restarted",
    "paused",
    "resumed",
    "client_sent",
    "client_answered",
    "client_retried",
    "client_gave_up",
    "command",
    "violation",
];

/// Why a message did not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropWhy {
    /// The network's random loss.
    Loss,
    /// A partition or a one-way cut between sender and receiver.
    Partition,
    /// The link held its maximum of messages in flight (`bus::LINK_IN_FLIGHT_MAX`).
    LinkFull,
    /// The network held its maximum (`bus::IN_FLIGHT_MAX`).
    NetworkFull,
    /// The receiver was down or removed when it arrived.
    NodeDown,
    /// A user dropped it.
    User,
}

/// What happened. Serialized with `kind` naming the variant, the fields beside it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Happening {
    Sent {
        msg: MsgId,
        message: MessageKind,
        from: Endpoint,
        to: Endpoint,
        summary: String,
    },
    /// Dropped as it was sent: it never was in flight (and has no id).
    Lost {
        message: MessageKind,
        from: Endpoint,
        to: Endpoint,
        why: DropWhy,
    },
    Delivered {
        msg: MsgId,
        cause: u64,
        from: Endpoint,
        to: Endpoint,
    },
    Dropped {
        msg: MsgId,
        cause: u64,
        why: DropWhy,
    },
    /// A second copy of `msg` travels as `copy` (the network's duplication, or a user's).
    Duplicated {
        msg: MsgId,
        copy: MsgId,
        cause: u64,
    },
    Delayed {
        msg: MsgId,
        by_ms: f64,
    },
    ElectionTimeout {
        node: NodeId,
    },
    HeartbeatDue {
        node: NodeId,
    },
    RoleChanged {
        node: NodeId,
        from: Role,
        to: Role,
        term: Term,
    },
    TermChanged {
        node: NodeId,
        from: Term,
        to: Term,
    },
    VoteGranted {
        node: NodeId,
        to: NodeId,
        term: Term,
    },
    Appended {
        node: NodeId,
        from_index: LogIndex,
        to_index: LogIndex,
    },
    /// Entries from `from_index` on were removed (a conflicting suffix, before new ones are appended).
    Truncated {
        node: NodeId,
        from_index: LogIndex,
    },
    Synced {
        node: NodeId,
        last_index: LogIndex,
    },
    Committed {
        node: NodeId,
        from_index: LogIndex,
        to_index: LogIndex,
    },
    Applied {
        node: NodeId,
        from_index: LogIndex,
        to_index: LogIndex,
    },
    Crashed {
        node: NodeId,
        writes_lost: usize,
    },
    Restarted {
        node: NodeId,
    },
    Paused {
        node: NodeId,
    },
    Resumed {
        node: NodeId,
    },
    ClientSent {
        client: ClientId,
        seq: u64,
        to: NodeId,
        attempt: u32,
    },
    ClientAnswered {
        client: ClientId,
        seq: u64,
        outcome: String,
    },
    ClientRetried {
        client: ClientId,
        seq: u64,
    },
    ClientGaveUp {
        client: ClientId,
        seq: u64,
        reason: String,
    },
    /// Boxed: a command (a `configure` with every setting) is ten times the size of the other events.
    Command {
        command: Box<Command>,
    },
    Violation {
        invariant: String,
        message: String,
    },
}

impl Happening {
    /// The `kind` as serialized (the filter names of `window.raft.journal`).
    pub fn kind(&self) -> &'static str {
        match self {
            Happening::Sent { .. } => "sent",
            Happening::Lost { .. } => "lost",
            Happening::Delivered { .. } => "delivered",
            Happening::Dropped { .. } => "dropped",
            Happening::Duplicated { .. } => "duplicated",
            Happening::Delayed { .. } => "delayed",
            Happening::ElectionTimeout { .. } => "election_timeout",
            Happening::HeartbeatDue { .. } => "heartbeat_due",
            Happening::RoleChanged { .. } => "role_changed",
            Happening::TermChanged { .. } => "term_changed",
            Happening::VoteGranted { .. } => "vote_granted",
            Happening::Appended { .. } => "appended",
            Happening::Truncated { .. } => "truncated",
            Happening::Synced { .. } => "synced",
            Happening::Committed { .. } => "committed",
            Happening::Applied { .. } => "applied",
            Happening::Crashed { .. } => "crashed",
            Happening::Restarted { .. } => "restarted",
            Happening::Paused { .. } => "paused",
            Happening::Resumed { .. } => "resumed",
            Happening::ClientSent { .. } => "client_sent",
            Happening::ClientAnswered { .. } => "client_answered",
            Happening::ClientRetried { .. } => "client_retried",
            Happening::ClientGaveUp { .. } => "client_gave_up",
            Happening::Command { .. } => "command",
            Happening::Violation { .. } => "violation",
        }
    }

    /// Detail is what goes first when the journal is full: the traffic, not the story.
    pub fn is_detail(&self) -> bool {
        matches!(
            self,
            Happening::Sent { .. }
                | Happening::Lost { .. }
                | Happening::Delivered { .. }
                | Happening::Dropped { .. }
                | Happening::Duplicated { .. }
                | Happening::Delayed { .. }
                | Happening::ElectionTimeout { .. }
                | Happening::HeartbeatDue { .. }
                | Happening::Appended { .. }
                | Happening::Synced { .. }
                | Happening::Applied { .. }
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JournalEvent {
    pub seq: u64,
    #[serde(rename = "at_ms", serialize_with = "us_as_ms")]
    pub at_us: TimeUs,
    #[serde(flatten)]
    pub what: Happening,
}

fn us_as_ms<S: Serializer>(us: &TimeUs, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(*us as f64 / 1000.0)
}

/// A one-line summary of a message, for the journal and the diagram's labels.
pub fn message_summary(msg: &Message) -> String {
    match msg {
        Message::RequestVote { term, last_log_index, last_log_term, transfer, .. } => {
            let why = if *transfer { ", transfer" } else { "" };
            format!("RequestVote term {term}, last log {last_log_index}/t{last_log_term}{why}")
        }
        Message::RequestVoteReply { term, granted } => {
            format!("vote {} in term {term}", if *granted { "granted" } else { "refused" })
        }
        Message::PreVote { term, last_log_index, last_log_term, .. } => {
            format!("PreVote for term {term}, last log {last_log_index}/t{last_log_term}")
        }
        Message::PreVoteReply { term, granted } => {
            format!("pre-vote {} for term {term}", if *granted { "granted" } else { "refused" })
        }
        Message::TimeoutNow { term } => format!("TimeoutNow in term {term}"),
        Message::InstallSnapshot { term, chunk, .. } => format!(
            "InstallSnapshot term {term}, up to {}, bytes {}+{}{}",
            chunk.last.index,
            chunk.offset,
            chunk.data.len(),
            if chunk.done { ", last chunk" } else { "" }
        ),
        Message::InstallSnapshotReply { term, last_index, next_offset, done } => {
            if *done {
                format!("snapshot up to {last_index} installed (term {term})")
            } else {
                format!("snapshot bytes received: {next_offset} (term {term})")
            }
        }
        Message::AppendEntries { term, prev_log_index, prev_log_term, entries, leader_commit, .. } => {
            let what = match entries.len() {
                0 => "heartbeat".to_string(),
                1 => format!("entry {}", prev_log_index + 1),
                n => format!("entries {}–{}", prev_log_index + 1, prev_log_index + n as u64),
            };
            format!("AppendEntries term {term}: {what} after {prev_log_index}/t{prev_log_term}, commit {leader_commit}")
        }
        Message::AppendEntriesReply { term, success, match_index, conflict_index } => {
            if *success {
                format!("ok up to {match_index} (term {term})")
            } else {
                format!("mismatch, retry from {conflict_index} (term {term})")
            }
        }
        Message::ClientRequest { seq, op, .. } => format!("request #{seq}: {}", op_words(op)),
        Message::ClientReply { seq, result } => format!("reply #{seq}: {}", result_words(result)),
    }
}

fn op_words(op: &Op) -> String {
    match op {
        Op::Step { to, .. } => format!("step to {},{}", to.x, to.y),
        Op::Move { dx, dy } => format!("move {dx},{dy}"),
        Op::Set { index, value } => format!("a[{index}] = {value}"),
        Op::Message { text } => format!("message of {} characters", text.chars().count()),
    }
}

/// How a client's request was answered, in words.
pub fn result_words(result: &ClientResult) -> String {
    match result {
        ClientResult::Applied { index } => format!("applied at index {index}"),
        ClientResult::Redirect { leader: Some(l) } => format!("redirect to S{l}"),
        ClientResult::Redirect { leader: None } => "redirect: no leader known".into(),
        ClientResult::Refused { reason } => format!("refused: {reason}"),
    }
}

/// The journal of a recording: the events of the furthest run, oldest first, bounded.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    events: VecDeque<JournalEvent>,
    /// Detail (see `Happening::is_detail`) before this time was dropped to keep within the limit.
    detail_dropped_before_us: TimeUs,
    /// Events dropped altogether (milestones too), and the time before which that happened.
    dropped_before_us: TimeUs,
    limit: usize,
}

impl Journal {
    pub fn new(limit: usize) -> Journal {
        Journal { limit: limit.max(16), ..Journal::default() }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn last_seq(&self) -> u64 {
        self.events.back().map_or(0, |e| e.seq)
    }

    /// Detail older than this was dropped (0: none was).
    pub fn detail_dropped_before_us(&self) -> TimeUs {
        self.detail_dropped_before_us
    }

    /// Every event older than this was dropped (0: none was).
    pub fn dropped_before_us(&self) -> TimeUs {
        self.dropped_before_us
    }

    /// Adds events in order; those the journal holds already (a replay after a jump back) are skipped.
    pub fn extend(&mut self, events: impl IntoIterator<Item = JournalEvent>) {
        let mut last = self.last_seq();
        for e in events {
            if e.seq > last {
                last = e.seq;
                self.events.push_back(e);
            }
        }
        if self.events.len() > self.limit {
            self.trim();
        }
    }

    /// The recorded future after `seq` no longer happens.
    pub fn truncate_after(&mut self, seq: u64) {
        let keep = self.events.partition_point(|e| e.seq <= seq);
        self.events.truncate(keep);
    }

    /// The limit's rule: the oldest half of the journal loses its detail; if milestones alone still fill
    /// three quarters of it, the oldest of them go too.
    fn trim(&mut self) {
        let half = self.events.len() / 2;
        let cut_us = self.events[half].at_us;
        let old: Vec<JournalEvent> = self.events.drain(..half).filter(|e| !e.what.is_detail()).collect();
        self.detail_dropped_before_us = self.detail_dropped_before_us.max(cut_us);
        for e in old.into_iter().rev() {
            self.events.push_front(e);
        }
        let most = self.limit / 4 * 3;
        if self.events.len() > most {
            let extra = self.events.len() - most;
            let cut_us = self.events[extra].at_us;
            self.events.drain(..extra);
            self.dropped_before_us = self.dropped_before_us.max(cut_us);
        }
    }

    /// Events with `from_us <= at_us <= to_us`, in order, optionally only of the given kinds.
    pub fn between<'a>(
        &'a self,
        from_us: TimeUs,
        to_us: TimeUs,
        kinds: &'a [String],
    ) -> impl Iterator<Item = &'a JournalEvent> + 'a {
        let start = self.events.partition_point(|e| e.at_us < from_us);
        self.events
            .range(start..)
            .take_while(move |e| e.at_us <= to_us)
            .filter(move |e| kinds.is_empty() || kinds.iter().any(|k| k == e.what.kind()))
    }

    /// The event with this sequence number, if the journal still holds it.
    pub fn get(&self, seq: u64) -> Option<&JournalEvent> {
        let i = self.events.partition_point(|e| e.seq < seq);
        self.events.get(i).filter(|e| e.seq == seq)
    }

    /// The events after sequence number `seq`, in order (found by a binary search, not a scan).
    pub fn after(&self, seq: u64) -> impl Iterator<Item = &JournalEvent> {
        let start = self.events.partition_point(|e| e.seq <= seq);
        self.events.range(start..)
    }

    pub fn events(&self) -> impl Iterator<Item = &JournalEvent> {
        self.events.iter()
    }

    /// Estimated memory (events and their text).
    pub fn footprint_bytes(&self) -> u64 {
        let text: usize = self
            .events
            .iter()
            .map(|e| match &e.what {
                Happening::Sent { summary, .. } => summary.len(),
                Happening::ClientAnswered { outcome, .. } => outcome.len(),
                Happening::ClientGaveUp { reason, .. } => reason.len(),
                Happening::Violation { message, .. } => message.len(),
                Happening::Command { .. } => 64,
                _ => 0,
            })
            .sum();
        (self.events.len() * std::mem::size_of::<JournalEvent>() + text) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: u64, at_us: TimeUs, detail: bool) -> JournalEvent {
        let what = if detail { Happening::HeartbeatDue { node: 1 } } else { Happening::Restarted { node: 1 } };
        JournalEvent { seq, at_us, what }
    }

    #[test]
    fn an_event_is_small() {
        // Memory per event (README states the journal's limit in events): keep the largest variant small.
        assert!(std::mem::size_of::<JournalEvent>() <= 72, "{} bytes", std::mem::size_of::<JournalEvent>());
    }

    #[test]
    fn a_full_journal_drops_old_detail_first_and_says_so() {
        let mut j = Journal::new(100);
        j.extend((1..=100).map(|i| ev(i, i * 10, i % 10 != 0)));
        assert_eq!(j.len(), 100, "at the limit, nothing dropped");
        j.extend([ev(101, 1010, true)]);
        assert!(j.len() <= 100);
        assert_eq!(j.detail_dropped_before_us(), 510);
        let old: Vec<_> = j.events().filter(|e| e.at_us < 510).collect();
        assert_eq!(old.len(), 5, "the milestones of the old half stay");
        assert!(old.iter().all(|e| !e.what.is_detail()));
        assert_eq!(j.dropped_before_us(), 0);
        // Only milestones: the oldest go too, and the journal says from when it is complete.
        let mut m = Journal::new(100);
        m.extend((1..=101).map(|i| ev(i, i, false)));
        assert!(m.len() <= 75 && m.dropped_before_us() > 0);
        assert!(m.events().all(|e| e.at_us >= m.dropped_before_us()));
    }

    #[test]
    fn a_replay_adds_nothing_twice_and_a_new_future_replaces_the_old() {
        let mut j = Journal::new(1000);
        j.extend((1..=10).map(|i| ev(i, i, true)));
        j.extend((5..=12).map(|i| ev(i, i, true)));
        assert_eq!(j.events().map(|e| e.seq).collect::<Vec<_>>(), (1..=12).collect::<Vec<_>>());
        j.truncate_after(7);
        assert_eq!(j.last_seq(), 7);
        let kinds = vec!["heartbeat_due".to_string()];
        assert_eq!(j.between(3, 5, &kinds).count(), 3);
        assert_eq!(j.between(3, 5, &["restarted".to_string()]).count(), 0);
    }
}
