//! Log replication (§5.3) and commitment (§5.4.2): AppendEntries on both sides, proposals, membership changes.

use super::{Node, ProposeError};
use crate::bugs::PlantedBug;
use crate::log::Entries;
use crate::machine::op::{EntryData, Membership};
use crate::message::Message;
use crate::types::{LogIndex, NodeId, Role, Term};

impl Node {
    /// Appends a client or application entry at the leader and starts replicating it.
    pub fn propose(&mut self, now_us: u64, data: EntryData) -> Result<LogIndex, ProposeError> {
        self.now_us = now_us;
        if self.role != Role::Leader {
            return Err(ProposeError::NotLeader { leader: self.leader_id });
        }
        self.check_not_transferring()?;
        if let EntryData::Config { membership } = &data {
            self.check_membership_change(membership)?;
        }
        let term = self.term;
        let index = self.append_entry(term, data);
        self.broadcast_append(false);
        Ok(index)
    }

    /// Single-server changes (dissertation §4.1, and its 2015 erratum): one change pending at a time, only once
    /// this leader has committed an entry of its own term, and the new configuration differs by one server.
    fn check_membership_change(&self, next: &Membership) -> Result<(), ProposeError> {
        if self.membership_index > self.commit_index {
            return Err(ProposeError::ConfigChangePending);
        }
        if self.log.term_at(self.commit_index) != self.term {
            return Err(ProposeError::LeaderNotReady);
        }
        let cur = &self.membership;
        let voter_changes: Vec<NodeId> = cur.voters.symmetric_difference(&next.voters).copied().collect();
        let learner_changes: Vec<NodeId> = cur.learners.symmetric_difference(&next.learners).copied().collect();
        // One server changes: a voter or a learner added or removed, or one server moving between voters and
        // learners (a caught-up learner promoted, or a voter demoted).
        let one_server_moves = voter_changes.len() == 1 && learner_changes == voter_changes;
        let one_change = voter_changes.len() + learner_changes.len() <= 1;
        if !one_change && !one_server_moves {
            return Err(ProposeError::InvalidChange { reason: "only one server may change at a time".into() });
        }
        if next.voters.is_empty() {
            return Err(ProposeError::InvalidChange { reason: "a cluster needs at least one voter".into() });
        }
        if next.voters.intersection(&next.learners).next().is_some() {
            return Err(ProposeError::InvalidChange { reason: "a server cannot be voter and learner".into() });
        }
        Ok(())
    }

    /// Sends AppendEntries to every member: on a heartbeat to all those owed one (heartbeats.rs), else to those
    /// with entries to send and room in their in-flight window (a full window waits for an acknowledgement: no
    /// empty append per proposal).
    pub(super) fn broadcast_append(&mut self, heartbeat: bool) {
        // Who gets what, decided in one walk over the progress into a kept vector (this runs for every
        // proposal, for every peer); sending to one peer changes only that peer's progress.
        let mut peers = std::mem::take(&mut self.peer_scratch);
        peers.clear();
        let (last, start) = (self.log.last_index(), self.log.start().index);
        let max_in_flight = self.cfg.appends_in_flight_max;
        peers.extend(self.progress.iter().filter_map(|(peer, p)| {
            let can_send_entries = p.next_index <= last && p.in_flight() < max_in_flight;
            let needs_snapshot = p.next_index <= start;
            let beat = heartbeat && self.heartbeat_owed(p.heartbeat_due_us);
            (beat || can_send_entries).then_some((*peer, beat && needs_snapshot))
        }));
        for &(peer, snapshot) in &peers {
            if snapshot {
                // What was sent and not acknowledged may be lost: from the acknowledged offset again.
                self.send_snapshot_chunks(peer, true);
            } else {
                self.send_append(peer);
            }
        }
        self.peer_scratch = peers;
        if heartbeat {
            self.heartbeat_due_us = self.now_us + self.cfg.heartbeat_us();
            self.drop_overtaken_heartbeats();
            // Everyone owed a heartbeat got one: the next is due later (or the tick would come again at once).
            debug_assert!(
                !self.cfg.idle_heartbeats
                    || self.heartbeat_queue.front().is_none_or(|(due_us, _)| !self.heartbeat_owed(*due_us))
            );
        }
        // A leader alone in its configuration commits by itself (with others, their acknowledgements do: no
        // count of every voter per proposal and per heartbeat).
        if self.membership.voters.len() <= 1 {
            self.maybe_commit();
        }
    }

    /// One AppendEntries to `peer` from its nextIndex; entries only while the in-flight bound allows. A peer
    /// that needs entries this leader compacted away gets the snapshot instead (dissertation ch. 5).
    pub(super) fn send_append(&mut self, peer: NodeId) {
        let last = self.log.last_index();
        let max_entries = self.cfg.entries_per_append_max;
        let max_in_flight = self.cfg.appends_in_flight_max;
        let Some(p) = self.progress.get_mut(&peer) else { return };
        if p.next_index <= self.log.start().index {
            // Acknowledgements drive a snapshot under way; this only starts one.
            if p.snapshot_sending.is_none() {
                self.send_snapshot_chunks(peer, false);
            }
            return;
        }
        let (next_index, room) = (p.next_index, p.in_flight() < max_in_flight);
        let prev_log_index = next_index - 1;
        let entries = if room && next_index <= last { self.run_from(next_index, max_entries) } else { Entries::new() };
        let p = self.progress.get_mut(&peer).expect("looked up above");
        if let Some(e) = entries.last() {
            // Pipelining: assume success; a rejection resets nextIndex.
            p.next_index = e.index + 1;
            p.inflights.push_back(e.index);
        }
        let msg = Message::AppendEntries {
            term: self.term,
            leader: self.id,
            prev_log_index,
            prev_log_term: self.log.term_at(prev_log_index),
            entries,
            leader_commit: self.commit_index,
        };
        self.send.push((peer, msg));
        self.heartbeat_reset(peer);
    }

    /// The entries from `from` for an AppendEntries: the run built for the follower before when this one needs
    /// the same (followers in step share one allocation). Same first index and same chain hash at the last
    /// entry: the same entries.
    fn run_from(&mut self, from: LogIndex, max: usize) -> Entries {
        let to = self.log.last_index().min(from.saturating_add(max as u64).saturating_sub(1));
        if let (Some(first), Some(last)) = (self.sent_run.first(), self.sent_run.last()) {
            if first.index == from && last.index == to && last.chain == self.log.chain_at(to) {
                return self.sent_run.clone();
            }
        }
        let run = self.log.clone_slice(from, max);
        if run.len() > 1 {
            self.sent_run = run.clone();
        }
        run
    }

    /// AppendEntries receiver implementation (Figure 2).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn handle_append_entries(
        &mut self,
        from: NodeId,
        term: Term,
        leader: NodeId,
        prev_log_index: LogIndex,
        prev_log_term: Term,
        entries: Entries,
        leader_commit: LogIndex,
    ) {
        debug_assert_eq!(from, leader);
        let (mut prev_log_index, mut prev_log_term, mut entries) = (prev_log_index, prev_log_term, entries);
        // 1. Reply false if term < currentTerm.
        if term < self.term {
            let reply =
                Message::AppendEntriesReply { term: self.term, success: false, match_index: 0, conflict_index: 0 };
            self.send.push((from, reply));
            return;
        }
        self.heard_from_leader(term, leader);

        // Entries up to our snapshot are committed, so they match the leader's (Leader Completeness): skip
        // them, and go on from the snapshot's last entry.
        let start = self.log.start();
        if prev_log_index < start.index {
            let skip = ((start.index - prev_log_index) as usize).min(entries.len());
            entries.skip_front(skip);
            prev_log_index = start.index;
            prev_log_term = start.term;
        }
        // 2. Reply false if the log doesn't contain an entry at prevLogIndex whose term matches prevLogTerm.
        if prev_log_index > self.log.last_index() || self.log.term_at(prev_log_index) != prev_log_term {
            let conflict_index = if prev_log_index > self.log.last_index() {
                self.log.last_index() + 1
            } else {
                // Fast back-off: skip the whole conflicting term at once (§5.3, "optimization").
                self.log.first_index_of_term_at(prev_log_index, self.commit_index)
            };
            let reply = Message::AppendEntriesReply { term: self.term, success: false, match_index: 0, conflict_index };
            self.send_after_persist.push((from, reply));
            return;
        }

        // 3./4. Truncate only on a real conflict (same index, different term), then append what is new. A
        // reordered or duplicated AppendEntries whose entries match must not cut off later entries.
        let match_index = prev_log_index + entries.len() as LogIndex;
        if self.cfg.bugs.has(PlantedBug::TruncateOnMatch)
            && !entries.is_empty()
            && self.log.last_index() > prev_log_index
        {
            self.truncate_log_from(prev_log_index + 1);
        }
        // Whether this log's chain hash at the index before `e` is the leader's there: then `e` keeps its chain.
        let mut chain_matches = false;
        // Where the new entries start in `entries` (once one is appended, all after it are), and whether each
        // kept the leader's chain hash here: then they are the write as they came.
        let (mut first_new, mut as_sent) = (None, true);
        for (k, e) in entries.iter().enumerate() {
            if e.index <= self.log.last_index() {
                if self.log.term_at(e.index) == e.term {
                    chain_matches = self.log.chain_at(e.index) == e.chain;
                    continue;
                }
                self.truncate_log_from(e.index);
            }
            debug_assert_eq!(e.index, self.log.last_index() + 1);
            first_new.get_or_insert(k);
            if chain_matches {
                // This one and all after it are new, on the leader's prefix: appended in one go.
                self.append_leaders_entries(&entries[k..]);
                break;
            } else {
                self.append_entry(e.term, e.data.clone());
                chain_matches = self.log.chain_at(e.index) == e.chain;
                as_sent &= chain_matches;
            }
        }
        if let Some(k) = first_new.filter(|_| as_sent) {
            entries.skip_front(k);
            self.received_write = Some(entries);
        }

        // 5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry).
        if leader_commit > self.commit_index {
            self.commit_index = self.commit_index.max(leader_commit.min(match_index));
        }
        // The acknowledgement promises durability: it waits for the write.
        let reply = Message::AppendEntriesReply { term: self.term, success: true, match_index, conflict_index: 0 };
        self.send_after_persist.push((from, reply));
    }

    /// Leader side of AppendEntries: advance matchIndex/nextIndex, or back off on a rejection.
    pub(super) fn handle_append_reply(
        &mut self,
        from: NodeId,
        term: Term,
        success: bool,
        match_index: LogIndex,
        conflict_index: LogIndex,
    ) {
        if self.role != Role::Leader {
            return;
        }
        let stale_accepted = self.cfg.bugs.has(PlantedBug::StaleTermReply) && term < self.term;
        if term != self.term && !stale_accepted {
            // A reply from an earlier term says nothing about this term's log.
            return;
        }
        let last = self.log.last_index();
        let max_in_flight = self.cfg.appends_in_flight_max;
        let Some(p) = self.progress.get_mut(&from) else { return };
        if success {
            let m = match_index.min(last);
            let was = p.match_index;
            let advanced = m > p.match_index;
            p.match_index = p.match_index.max(m);
            p.next_index = p.next_index.max(p.match_index + 1);
            // Flow control: only what this acknowledgement covers leaves the window.
            while p.inflights.front().is_some_and(|last_sent| *last_sent <= m) {
                p.inflights.pop_front();
            }
            let more = p.next_index <= last && p.in_flight() < max_in_flight;
            // Only a matchIndex moving past the commit index can commit something, and only once a quorum's
            // have (`commit_acks_missing` counts the voters still short).
            if advanced && m > self.commit_index {
                if was <= self.commit_index && self.membership.is_voter(from) {
                    self.commit_acks_missing = self.commit_acks_missing.saturating_sub(1);
                }
                if self.commit_acks_missing == 0 {
                    self.maybe_commit();
                }
            }
            if self.transfer.is_some_and(|t| t.to == from) {
                self.continue_transfer();
            } else if more && self.role == Role::Leader {
                self.send_append(from);
            }
        } else if conflict_index > 0 {
            p.next_index = conflict_index.max(p.match_index + 1).min(last + 1);
            p.inflights.clear();
            self.send_append(from);
        }
    }

    /// "If there exists an N such that N > commitIndex, a majority of matchIndex[i] ≥ N, and log[N].term ==
    /// currentTerm: set commitIndex = N" (Figure 2). Only entries of the current term are committed by counting
    /// replicas (§5.4.2, Figure 8); the leader counts itself for what its own disk holds.
    pub(super) fn maybe_commit(&mut self) {
        self.commit_acks_missing = 0;
        if self.role != Role::Leader {
            return;
        }
        let mut matches = std::mem::take(&mut self.match_scratch);
        matches.clear();
        // The voters' matchIndex in any order (only the quorum-th largest is wanted): from the progress table,
        // not by looking each voter up in it.
        matches.extend(self.progress.values().filter(|p| p.voter).map(|p| p.match_index));
        if self.membership.is_voter(self.id) {
            matches.push(self.stable_index);
        }
        debug_assert_eq!(matches.len(), self.membership.voters.len(), "every other voter has a progress");
        if matches.is_empty() {
            self.match_scratch = matches;
            return;
        }
        // The quorum-th largest matchIndex is replicated on a majority (a selection, not a sort: O(voters)).
        let k = self.membership.quorum() - 1;
        let n = *matches.select_nth_unstable_by(k, |a, b| b.cmp(a)).1;
        let counts = self.log.term_at(n) == self.term || self.cfg.bugs.has(PlantedBug::Figure8Commit);
        if n > self.commit_index && counts {
            // Followers learn the new commit index with the next AppendEntries (heartbeats carry it).
            self.commit_index = n;
        }
        // A quorum past the commit index that could not commit (an older term's entry) keeps this at 0.
        let past = matches.iter().filter(|m| **m > self.commit_index).count();
        self.commit_acks_missing = (k + 1).saturating_sub(past);
        self.match_scratch = matches;
        // A leader removed from the configuration steps down once the change is committed (dissertation §4.2.2).
        if !self.membership.is_voter(self.id) && self.membership_index <= self.commit_index {
            let term = self.term;
            self.become_follower(term, None);
        }
    }
}
