//! A Raft node as a pure state machine, in the style of raft-rs and etcd: no IO, no clock, no OS randomness.
//! The harness calls `tick`, `step` and `propose` with the current virtual time and then drains `take_ready()`,
//! which says what to persist, what to send (and which messages may only leave once that persist is durable),
//! and which committed entries to apply.

mod compaction;
mod election;
mod extensions;
mod heartbeats;
mod progress_table;
mod replication;

pub use progress_table::ProgressTable;

use crate::bugs::PlantedBug;
use crate::config::RaftConfig;
use crate::hash::StableHasher;
use crate::log::Log;
use crate::machine::op::{EntryData, Membership};
use crate::machine::Machines;
use crate::message::Message;
use crate::snapshot::Snapshot;
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What a leader knows of one follower (Figure 2, "volatile state on leaders").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub next_index: LogIndex,
    pub match_index: LogIndex,
    /// The last index of each AppendEntries with entries sent and not yet acknowledged, oldest first (at most
    /// `appends_in_flight_max`). An acknowledgement up to index m frees those ending at or before m, so a
    /// heartbeat's reply or a duplicate frees nothing it did not cover.
    #[serde(default)]
    pub inflights: std::collections::VecDeque<LogIndex>,
    /// Heard from in this term since the leader's last CheckQuorum round (dissertation §6.2).
    #[serde(default)]
    pub recent_active: bool,
    /// Sending this follower a snapshot (it needs entries compacted away).
    #[serde(default)]
    pub snapshot_sending: Option<SnapshotSending>,
    /// When this follower is owed a heartbeat (with `idle_heartbeats`: an interval after it was last sent
    /// anything).
    #[serde(default)]
    pub heartbeat_due_us: TimeUs,
    /// A voter of the leader's configuration (not a learner): its matchIndex counts toward commitment.
    #[serde(default)]
    pub voter: bool,
}

/// A snapshot on its way to one follower, a few chunks ahead of what it acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotSending {
    /// The last index of the snapshot being sent.
    pub last_index: LogIndex,
    /// Bytes the follower acknowledged, and bytes sent so far.
    pub acked: u64,
    pub sent: u64,
}

/// The state that survives a crash, as last synced to the node's disk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurableState {
    pub term: Term,
    pub voted_for: Option<NodeId>,
    /// The latest snapshot; the log continues after it.
    #[serde(default)]
    pub snapshot: Option<Snapshot>,
    pub log: Log,
}

/// One write to the node's disk: a snapshot (written whole, as a file renamed into place), the hard state, then
/// the log from `log_from` on replaced by `entries`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersistOp {
    /// Boxed: a write moves through the node's output and the disk's queue, and nearly none holds a snapshot.
    pub snapshot: Option<Box<Snapshot>>,
    pub term: Term,
    pub voted_for: Option<NodeId>,
    pub log_from: Option<LogIndex>,
    /// Inline when there is one (a follower writes each AppendEntries' entries as they come).
    pub entries: crate::log::Entries,
    pub last_index: LogIndex,
    pub last_term: Term,
}

impl PersistOp {
    /// Applies this write, or only the first `entries_kept` of its entries (a torn write at a crash).
    pub fn apply_to(&self, disk: &mut DurableState, entries_kept: usize) {
        let start = self.write_state(disk);
        let kept = &self.entries[..entries_kept.min(self.entries.len())];
        disk.log.extend_matching(&kept[kept.partition_point(|e| e.index <= start)..]);
    }

    /// Writes the snapshot and the hard state, and cuts the log where the entries go; the index the disk's
    /// snapshot reaches (entries it covers are not written again).
    fn write_state(&self, disk: &mut DurableState) -> LogIndex {
        if let Some(snap) = &self.snapshot {
            // Newer than what the disk holds (writes are in order, so it always is).
            if snap.last.index > disk.log.start().index {
                disk.log.install(snap.last);
                disk.snapshot = Some(Snapshot::clone(snap));
            }
        }
        disk.term = self.term;
        disk.voted_for = self.voted_for;
        let start = disk.log.start().index;
        if let Some(from) = self.log_from {
            disk.log.truncate_from(from.max(start + 1));
        }
        start
    }
}

/// Things that happened inside the node during a step, for the simulator's election history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    ElectionStarted {
        term: Term,
    },
    VoteCounted {
        term: Term,
        from: NodeId,
    },
    BecameLeader {
        term: Term,
    },
    /// A leader or candidate became a follower.
    SteppedDown {
        term: Term,
        higher_term_seen: bool,
    },
    /// PreVote: asking whether an election for `term` could be won (no term changes yet).
    PreVoteStarted {
        term: Term,
    },
    /// CheckQuorum: a leader that heard from `heard` of the `needed` voters in an election timeout steps down.
    LostQuorum {
        term: Term,
        heard: usize,
        needed: usize,
    },
    /// Leadership transfer to `to` started, handed over (TimeoutNow sent) or given up after an election timeout.
    TransferStarted {
        to: NodeId,
    },
    TimeoutNowSent {
        to: NodeId,
    },
    TransferAbandoned {
        to: NodeId,
    },
    /// Log compaction: a snapshot up to `last_index` was taken here, or installed from the leader.
    SnapshotTaken {
        last_index: LogIndex,
        state_hash: u64,
    },
    SnapshotInstalled {
        last_index: LogIndex,
        state_hash: u64,
    },
}

/// Everything the harness must act on after calling into the node.
#[derive(Debug, Default)]
pub struct Ready {
    pub persist: Option<PersistOp>,
    /// May leave at once.
    pub send: Vec<(NodeId, Message)>,
    /// May only leave once `persist` (and every earlier write) is durable: votes and acknowledgements.
    pub send_after_persist: Vec<(NodeId, Message)>,
    /// A snapshot installed from the leader: the state machines to restore before applying `apply`.
    pub restore: Option<Box<Machines>>,
    /// The indexes of newly committed entries to apply to the state machine, in order. They are in the log
    /// (`log().get`) until the next call into the node: no copy of each entry per apply.
    pub apply: std::ops::Range<LogIndex>,
    /// Lowest log index written in this step (entries from here to the end are new).
    pub written_from: Option<LogIndex>,
    pub notes: Vec<Note>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ProposeError {
    NotLeader {
        leader: Option<NodeId>,
    },
    /// Single-server changes: only one at a time.
    ConfigChangePending,
    /// A new leader must first commit an entry of its own term before changing the configuration.
    LeaderNotReady,
    InvalidChange {
        reason: String,
    },
    /// Leadership transfer (§3.10): the leader takes no proposals while it hands over.
    TransferInProgress {
        to: NodeId,
    },
}

/// A leadership transfer the leader is carrying out (dissertation §3.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub to: NodeId,
    pub deadline_us: TimeUs,
    pub timeout_now_sent: bool,
}

#[derive(Clone)]
pub struct Node {
    id: NodeId,
    /// How many times this node restarted (0 for its first run); the checker tells incarnations apart.
    incarnation: u64,
    cfg: RaftConfig,
    rng: ChaCha8Rng,
    /// The configuration before any configuration entry (the initial cluster; empty for a node added later).
    bootstrap: Membership,

    // Persistent state on all servers (in memory; durable once synced by the harness).
    term: Term,
    voted_for: Option<NodeId>,
    log: Log,

    // Volatile state.
    role: Role,
    leader_id: Option<NodeId>,
    commit_index: LogIndex,
    applied_index: LogIndex,
    /// The prefix of the log known durable on this node's own disk.
    stable_index: LogIndex,
    /// The term (with the vote given in it) known durable on this node's own disk. A candidate acts on its
    /// own vote only once it is durable: a single voter is its own quorum, and a leadership won before the
    /// write could be won again in the same term after a crash.
    durable_term: Term,
    election_deadline_us: TimeUs,
    election_timeout_us: TimeUs,
    last_heard_from_leader_us: TimeUs,
    /// Without `idle_heartbeats`: the next heartbeat to every follower.
    heartbeat_due_us: TimeUs,
    /// With `idle_heartbeats`: the followers in the order they are due (see heartbeats.rs).
    heartbeat_queue: std::collections::VecDeque<(TimeUs, NodeId)>,
    /// Votes counted by a candidate, or pre-votes by a pre-candidate (itself first).
    votes: Vec<NodeId>,
    progress: ProgressTable,
    /// Reused by `maybe_commit` (no allocation per acknowledgement).
    match_scratch: Vec<LogIndex>,
    /// Reused by `broadcast_append`: the peers to send to, and whether each gets the snapshot.
    peer_scratch: Vec<(NodeId, bool)>,
    /// Leader only: how many more voters' matchIndex must pass the commit index before counting can commit
    /// anything (0: count at the next acknowledgement). Recomputed by every count, so an acknowledgement that
    /// cannot change the quorum's matchIndex skips the count (at 51 voters, 1 count per entry instead of 26).
    commit_acks_missing: usize,
    /// CheckQuorum: when the leader next counts who it heard from.
    check_quorum_due_us: TimeUs,
    /// Leadership transfer in progress: the target, when it is given up, and whether TimeoutNow was sent.
    transfer: Option<Transfer>,
    membership: Membership,
    membership_index: LogIndex,
    now_us: TimeUs,
    /// The latest snapshot (taken here or installed), and whether it still has to be written to disk.
    snapshot: Option<Snapshot>,
    snapshot_dirty: bool,
    /// A snapshot being received in chunks.
    incoming: Option<compaction::Incoming>,
    restore: Option<Box<Machines>>,

    // The Ready being built.
    hard_dirty: bool,
    written_from: Option<LogIndex>,
    /// The entries of an AppendEntries, all appended as they came: this step's write, which then needs no copy
    /// of them from the log (a copy and an allocation per follower write were 3 % of the simulator's
    /// instructions at 51 nodes). Used only while the log still ends with them (`written_entries`).
    received_write: Option<crate::log::Entries>,
    /// The last run of several entries sent, for the next follower that needs the same (`run_from`).
    sent_run: crate::log::Entries,
    send: Vec<(NodeId, Message)>,
    send_after_persist: Vec<(NodeId, Message)>,
    notes: Vec<Note>,
}

/// A read-only summary, cheap to copy every event (the invariant checker compares two of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub role: Role,
    pub term: Term,
    pub voted_for: Option<NodeId>,
    pub commit_index: LogIndex,
    pub applied_index: LogIndex,
    pub last_index: LogIndex,
    pub last_chain: u64,
    /// The last index the node's snapshot covers (0: none).
    pub snapshot_index: LogIndex,
}

impl Progress {
    /// AppendEntries with entries in flight to this follower.
    pub fn in_flight(&self) -> u32 {
        self.inflights.len() as u32
    }
}

impl Node {
    pub fn new(id: NodeId, cfg: RaftConfig, bootstrap: Membership, seed: u64, now_us: TimeUs) -> Node {
        Node::restart(id, cfg, bootstrap, &DurableState::default(), seed, 0, now_us, 0)
    }

    /// Starts a node from its durable state. Commit and applied indexes are volatile and start at 0, unless the
    /// planted bug keeps the commit index from before the crash.
    #[allow(clippy::too_many_arguments)]
    pub fn restart(
        id: NodeId,
        cfg: RaftConfig,
        bootstrap: Membership,
        disk: &DurableState,
        seed: u64,
        incarnation: u64,
        now_us: TimeUs,
        commit_before_crash: LogIndex,
    ) -> Node {
        let rng_seed = StableHasher::new().u64(seed).u64(id as u64).u64(incarnation).finish();
        // Entries in the snapshot are committed and applied (the server restores its machines from it).
        let snapshot_index = disk.snapshot.as_ref().map_or(0, |s| s.last.index);
        let commit_index =
            if cfg.bugs.has(PlantedBug::CommitKeptOnRestart) { commit_before_crash } else { 0 }.max(snapshot_index);
        let mut node = Node {
            id,
            incarnation,
            rng: ChaCha8Rng::seed_from_u64(rng_seed),
            membership: bootstrap.clone(),
            bootstrap,
            cfg,
            term: disk.term,
            voted_for: disk.voted_for,
            log: disk.log.clone(),
            role: Role::Follower,
            leader_id: None,
            commit_index,
            applied_index: snapshot_index,
            stable_index: disk.log.last_index(),
            durable_term: disk.term,
            election_deadline_us: 0,
            election_timeout_us: 0,
            last_heard_from_leader_us: 0,
            heartbeat_due_us: TimeUs::MAX,
            heartbeat_queue: Default::default(),
            votes: Vec::new(),
            progress: ProgressTable::default(),
            match_scratch: Vec::new(),
            peer_scratch: Vec::new(),
            commit_acks_missing: 0,
            check_quorum_due_us: TimeUs::MAX,
            transfer: None,
            membership_index: 0,
            now_us,
            snapshot: disk.snapshot.clone(),
            snapshot_dirty: false,
            incoming: None,
            restore: None,
            hard_dirty: false,
            written_from: None,
            received_write: None,
            sent_run: Default::default(),
            send: Vec::new(),
            send_after_persist: Vec::new(),
            notes: Vec::new(),
        };
        node.refresh_membership();
        node.reset_election_timer();
        node
    }

    // ---- inputs -------------------------------------------------------------------------------------------

    /// Advances the node's clock: fires the election timeout or the leader's heartbeat when due.
    pub fn tick(&mut self, now_us: TimeUs) {
        self.now_us = now_us;
        match self.role {
            Role::Leader => {
                if self.cfg.protocol.check_quorum && now_us >= self.check_quorum_due_us {
                    self.check_quorum();
                    if self.role != Role::Leader {
                        return;
                    }
                }
                if self.transfer.is_some_and(|t| now_us >= t.deadline_us) {
                    self.abandon_transfer();
                }
                if now_us >= self.heartbeat_due_us() {
                    self.broadcast_append(true);
                }
            }
            Role::Follower | Role::Precandidate | Role::Candidate => {
                if now_us >= self.election_deadline_us {
                    self.start_election();
                }
            }
        }
    }

    /// Makes the election timer fire now (a user's "time out" button).
    pub fn force_timeout(&mut self, now_us: TimeUs) {
        self.now_us = now_us;
        if self.role != Role::Leader {
            self.start_election();
        }
    }

    /// Handles one message from another node.
    pub fn step(&mut self, now_us: TimeUs, from: NodeId, msg: Message) {
        self.now_us = now_us;
        if self.role == Role::Leader && msg.term() == Some(self.term) {
            // CheckQuorum counts any message of this term from a member as contact.
            if let Some(p) = self.progress.get_mut(&from) {
                p.recent_active = true;
            }
        }
        if let Message::RequestVote { transfer: false, .. } | Message::PreVote { .. } = msg {
            // Disruptive servers (§4.2.3), part of CheckQuorum: within the minimum election timeout of hearing
            // from a current leader, a vote request neither bumps the term nor gets a vote. Pure Figure 2 has
            // no such rule: a higher term always wins.
            if self.cfg.protocol.check_quorum && self.leader_recently_heard() {
                return;
            }
        }
        match msg {
            // PreVote never changes anyone's term: the request asks about a term nobody is in yet, and a
            // granted reply carries that term back.
            Message::PreVote { term, candidate, last_log_index, last_log_term } => {
                return self.handle_pre_vote(from, term, candidate, last_log_index, last_log_term);
            }
            Message::PreVoteReply { term, granted: true } => return self.handle_pre_vote_reply(from, term),
            _ => {}
        }
        if let Some(term) = msg.term() {
            // "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to
            // follower" (Figure 2, Rules for Servers).
            if term > self.term {
                self.become_follower(term, None);
            }
        }
        match msg {
            Message::RequestVote { term, candidate, last_log_index, last_log_term, .. } => {
                self.handle_request_vote(from, term, candidate, last_log_index, last_log_term)
            }
            // A refused pre-vote matters only through its term (handled above).
            Message::PreVote { .. } | Message::PreVoteReply { .. } => {}
            Message::TimeoutNow { term } => self.handle_timeout_now(from, term),
            Message::InstallSnapshot { term, leader, chunk } => {
                self.handle_install_snapshot(from, term, leader, *chunk)
            }
            Message::InstallSnapshotReply { term, last_index, next_offset, done } => {
                self.handle_install_snapshot_reply(from, term, last_index, next_offset, done)
            }
            Message::RequestVoteReply { term, granted } => self.handle_vote_reply(from, term, granted),
            Message::AppendEntries { term, leader, prev_log_index, prev_log_term, entries, leader_commit } => {
                self.handle_append_entries(from, term, leader, prev_log_index, prev_log_term, entries, leader_commit)
            }
            Message::AppendEntriesReply { term, success, match_index, conflict_index } => {
                self.handle_append_reply(from, term, success, match_index, conflict_index)
            }
            Message::ClientRequest { .. } | Message::ClientReply { .. } => {
                debug_assert!(false, "client messages are handled by the server around the node");
            }
        }
    }

    /// The harness reports that a write is durable: the hard state of `term` (and the vote given in it), and
    /// the log up to `last_index` (with that entry's term).
    pub fn on_persisted(&mut self, now_us: TimeUs, term: Term, last_index: LogIndex, last_term: Term) {
        self.now_us = now_us;
        self.durable_term = self.durable_term.max(term);
        if self.role == Role::Candidate && self.durable_term == self.term && self.has_vote_quorum() {
            // A candidate that was its own quorum (a single voter) wins once its vote for itself is durable.
            self.become_leader();
        }
        if self.log.term_at(last_index) == last_term {
            self.stable_index = self.stable_index.max(last_index).min(self.log.last_index());
            if self.role == Role::Leader {
                // The leader counts itself only for what is durable on its own disk.
                self.maybe_commit();
            }
        }
    }

    /// Drains everything the harness must do.
    pub fn take_ready(&mut self) -> Ready {
        let persist = if self.hard_dirty || self.written_from.is_some() || self.snapshot_dirty {
            let entries = match self.written_from {
                Some(from) => self.written_entries(from),
                None => crate::log::Entries::new(),
            };
            let voted_for = if self.cfg.bugs.has(PlantedBug::VoteNotPersisted) { None } else { self.voted_for };
            Some(PersistOp {
                snapshot: if self.snapshot_dirty { self.snapshot.clone().map(Box::new) } else { None },
                term: self.term,
                voted_for,
                log_from: self.written_from,
                entries,
                last_index: self.log.last_index(),
                last_term: self.log.last_term(),
            })
        } else {
            None
        };
        let apply_to = self.commit_index.min(self.log.last_index());
        let apply = if apply_to > self.applied_index {
            // Never below the log's first entry: only a snapshot past what was applied (the planted bug) makes
            // that happen, and the entries it dropped are then never applied here.
            let from = (self.applied_index + 1).max(self.log.first_index());
            self.applied_index = apply_to;
            from..apply_to + 1
        } else {
            0..0
        };
        self.hard_dirty = false;
        self.snapshot_dirty = false;
        Ready {
            persist,
            restore: self.restore.take(),
            send: std::mem::take(&mut self.send),
            send_after_persist: std::mem::take(&mut self.send_after_persist),
            apply,
            written_from: self.written_from.take(),
            notes: std::mem::take(&mut self.notes),
        }
    }

    /// The entries of this step's write, from `from` to the end of the log. The kept ones only if they still
    /// are the log's there: the same first index, and the same chain hash at the last (which covers all before
    /// it), whatever happened to the log since they were kept.
    fn written_entries(&mut self, from: LogIndex) -> crate::log::Entries {
        let (last, last_chain) = (self.log.last_index(), self.log.chain_at(self.log.last_index()));
        match self.received_write.take() {
            Some(entries)
                if entries.first().map(|e| e.index) == Some(from)
                    && entries.last().map(|e| (e.index, e.chain)) == Some((last, last_chain)) =>
            {
                debug_assert!(entries.iter().eq(self.log.slice(from, usize::MAX)), "the kept entries are the log's");
                entries
            }
            _ => self.log.clone_slice(from, usize::MAX),
        }
    }

    /// Takes back the emptied `Ready::send` so the next call pushes into its memory: most calls send
    /// something, and a fresh vector per call was an allocation per event.
    pub fn recycle_send_buffer(&mut self, mut buffer: Vec<(NodeId, Message)>) {
        if self.send.is_empty() && buffer.capacity() > self.send.capacity() {
            buffer.clear();
            self.send = buffer;
        }
    }

    /// Takes an emptied vector for `Ready::send_after_persist`. That one leaves with its write and comes back
    /// only after the sync, so the harness keeps the emptied ones and hands one back after each call: a fresh
    /// vector per acknowledgement was 2 % of the simulator's time.
    pub fn recycle_send_after_persist_buffer(&mut self, mut buffer: Vec<(NodeId, Message)>) {
        if self.send_after_persist.is_empty() && buffer.capacity() > self.send_after_persist.capacity() {
            buffer.clear();
            self.send_after_persist = buffer;
        }
    }

    // ---- observation ----------------------------------------------------------------------------------------

    pub fn id(&self) -> NodeId {
        self.id
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn term(&self) -> Term {
        self.term
    }
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }
    pub fn log(&self) -> &Log {
        &self.log
    }
    pub fn commit_index(&self) -> LogIndex {
        self.commit_index
    }
    pub fn applied_index(&self) -> LogIndex {
        self.applied_index
    }
    pub fn stable_index(&self) -> LogIndex {
        self.stable_index
    }
    pub fn durable_term(&self) -> Term {
        self.durable_term
    }
    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }
    pub fn leader_id(&self) -> Option<NodeId> {
        self.leader_id
    }
    pub fn election_deadline_us(&self) -> TimeUs {
        self.election_deadline_us
    }
    pub fn election_timeout_us(&self) -> TimeUs {
        self.election_timeout_us
    }
    pub fn votes(&self) -> &[NodeId] {
        &self.votes
    }
    pub fn progress(&self) -> &ProgressTable {
        &self.progress
    }
    pub fn transfer(&self) -> Option<Transfer> {
        self.transfer
    }
    pub fn config(&self) -> &RaftConfig {
        &self.cfg
    }
    pub fn membership(&self) -> &Membership {
        &self.membership
    }
    pub fn membership_index(&self) -> LogIndex {
        self.membership_index
    }
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }
    /// Bytes of a snapshot received so far, and the index it ends at (while chunks arrive).
    pub fn incoming_snapshot(&self) -> Option<(LogIndex, usize)> {
        self.incoming.as_ref().map(|i| (i.last.index, i.data.len()))
    }

    /// The next virtual time at which `tick` has something to do.
    pub fn next_deadline_us(&self) -> TimeUs {
        match self.role {
            Role::Leader => {
                let check = if self.cfg.protocol.check_quorum { self.check_quorum_due_us } else { TimeUs::MAX };
                let transfer = self.transfer.map_or(TimeUs::MAX, |t| t.deadline_us);
                self.heartbeat_due_us().min(check).min(transfer)
            }
            _ => self.election_deadline_us,
        }
    }

    pub fn summary(&self) -> Summary {
        Summary {
            role: self.role,
            term: self.term,
            voted_for: self.voted_for,
            commit_index: self.commit_index,
            applied_index: self.applied_index,
            last_index: self.log.last_index(),
            last_chain: self.log.chain_at(self.log.last_index()),
            snapshot_index: self.snapshot.as_ref().map_or(0, |s| s.last.index),
        }
    }

    /// Changes timing live; the current timers keep running and the new values apply from the next reset.
    pub fn set_config(&mut self, cfg: RaftConfig) {
        let interval_changed = cfg.heartbeat_ms != self.cfg.heartbeat_ms;
        let mode_changed = cfg.idle_heartbeats != self.cfg.idle_heartbeats;
        self.cfg = cfg;
        if mode_changed && self.role == Role::Leader {
            self.heartbeat_mode_changed();
        } else if interval_changed && self.role == Role::Leader {
            self.heartbeat_interval_changed();
        }
    }

    // ---- shared helpers -------------------------------------------------------------------------------------

    /// A message from the leader of our term (AppendEntries, InstallSnapshot): a candidate or pre-candidate
    /// returns to follower (§5.2), and the election timer starts again.
    fn heard_from_leader(&mut self, term: Term, leader: NodeId) {
        if self.role != Role::Follower {
            self.become_follower(term, Some(leader));
        }
        self.leader_id = Some(leader);
        self.last_heard_from_leader_us = self.now_us;
        self.reset_election_timer();
    }

    /// The voters other than this node (whom a candidate or pre-candidate asks).
    fn other_voters(&self) -> Vec<NodeId> {
        self.membership.voters.iter().copied().filter(|v| *v != self.id).collect()
    }

    /// Heard from a leader of the current term within the minimum election timeout (or is that leader).
    fn leader_recently_heard(&self) -> bool {
        let min_us = self.cfg.election_timeout_min_ms * 1000;
        self.role == Role::Leader
            || (self.leader_id.is_some() && self.now_us < self.last_heard_from_leader_us.saturating_add(min_us))
    }

    fn reset_election_timer(&mut self) {
        let min_us = self.cfg.election_timeout_min_ms * 1000;
        let max_us = self.cfg.election_timeout_max_ms * 1000;
        self.election_timeout_us = self.rng.random_range(min_us..=max_us);
        self.election_deadline_us = self.now_us + self.election_timeout_us;
    }

    fn set_term(&mut self, term: Term) {
        debug_assert!(term >= self.term, "Monotonic: currentTerm never decreases");
        if term != self.term {
            self.term = term;
            self.voted_for = None;
            self.hard_dirty = true;
        }
    }

    fn mark_written(&mut self, from: LogIndex) {
        self.written_from = Some(self.written_from.map_or(from, |w| w.min(from)));
        self.stable_index = self.stable_index.min(from - 1);
    }

    fn append_entry(&mut self, term: Term, data: impl Into<crate::log::Payload>) -> LogIndex {
        let data = data.into();
        let is_config = matches!(*data, EntryData::Config { .. });
        let index = self.log.append(term, data);
        self.appended(index, is_config);
        index
    }

    /// Appends the leader's `entries` with the leader's chain hashes, which are this log's too: the entry before
    /// the first has the same chain here as in the leader's log (so the same prefix), and no hash is computed
    /// again.
    fn append_leaders_entries(&mut self, entries: &[crate::log::Entry]) {
        let Some(first) = entries.first() else { return };
        let is_config = entries.iter().any(|e| matches!(*e.data, EntryData::Config { .. }));
        self.log.extend_matching(entries);
        self.appended(first.index, is_config);
    }

    fn appended(&mut self, index: LogIndex, is_config: bool) {
        self.mark_written(index);
        if is_config {
            self.refresh_membership();
        }
    }

    fn truncate_log_from(&mut self, from: LogIndex) {
        self.log.truncate_from(from);
        self.mark_written(from);
        if self.membership_index >= from {
            self.refresh_membership();
        }
    }

    /// The configuration in effect is the latest one in the log, committed or not (dissertation §4.1), or
    /// the snapshot's if the log holds none after it.
    fn refresh_membership(&mut self) {
        let latest = self.log.entries().rev().find_map(|e| match &*e.data {
            EntryData::Config { membership } => Some((e.index, membership.clone())),
            _ => None,
        });
        let (index, membership) = latest
            .or_else(|| self.snapshot.as_ref().map(|s| (s.membership_index, s.membership.clone())))
            .unwrap_or((0, self.bootstrap.clone()));
        self.membership = membership;
        self.membership_index = index;
        if self.role == Role::Leader {
            self.sync_progress();
            // A smaller quorum may already hold entries that were short of the old one.
            self.maybe_commit();
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_heartbeats;
#[cfg(test)]
mod tests_membership;
#[cfg(test)]
mod tests_replication;
