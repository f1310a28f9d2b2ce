//! Leader election (§5.2): timeouts, RequestVote, counting votes, becoming leader, stepping down.

use super::{Node, Note, Progress};
use crate::bugs::PlantedBug;
use crate::machine::op::EntryData;
use crate::message::Message;
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};

impl Node {
    /// "On conversion to candidate, start election: increment currentTerm, vote for self, reset election timer,
    /// send RequestVote RPCs to all other servers" (Figure 2).
    /// With PreVote on, only after a majority said it would vote (see `pre_campaign`); `transfer` marks an
    /// election the leader asked for (TimeoutNow), which skips the pre-vote.
    pub(super) fn campaign(&mut self, transfer: bool) {
        if !self.membership.is_voter(self.id) {
            // Learners and removed servers never campaign.
            self.reset_election_timer();
            return;
        }
        let term = if transfer && self.cfg.bugs.has(PlantedBug::TransferSameTerm) { self.term } else { self.term + 1 };
        self.set_term(term);
        self.voted_for = Some(self.id);
        self.hard_dirty = true;
        self.role = Role::Candidate;
        self.leader_id = None;
        self.votes = vec![self.id];
        self.progress.clear();
        self.reset_election_timer();
        self.notes.push(Note::ElectionStarted { term });
        // A single voter is its own quorum, but its vote for itself is not durable yet: it becomes leader in
        // `on_persisted`, once it is (docs/RAFT.md: a single voter must not act as leader before then).
        if self.cfg.bugs.has(PlantedBug::SingleVoterEarlyLead) && self.has_vote_quorum() {
            self.become_leader();
            return;
        }
        let request = Message::RequestVote {
            term,
            candidate: self.id,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
            transfer,
        };
        for peer in self.other_voters() {
            // The vote for self must be durable before anyone can count on this candidacy.
            self.send_after_persist.push((peer, request.clone()));
        }
    }

    /// RequestVote receiver implementation (Figure 2): grant if the term is current, no other vote was given in
    /// it, and the candidate's log is at least as up-to-date as ours (§5.4.1, Election restriction).
    pub(super) fn handle_request_vote(
        &mut self,
        from: NodeId,
        term: Term,
        candidate: NodeId,
        last_log_index: LogIndex,
        last_log_term: Term,
    ) {
        debug_assert_eq!(from, candidate);
        let up_to_date = self.is_up_to_date(last_log_index, last_log_term);
        let free = self.voted_for.is_none() || self.voted_for == Some(candidate);
        // A pre-candidate is still a follower of its term as far as votes go (it asked no one for a real vote).
        let voter = matches!(self.role, Role::Follower | Role::Precandidate);
        let granted = term == self.term && free && up_to_date && voter;
        if granted {
            if self.role == Role::Precandidate {
                self.become_follower(term, None);
            }
            self.voted_for = Some(candidate);
            self.hard_dirty = true;
            // Granting a vote resets the election timer (Figure 2, Followers).
            self.reset_election_timer();
        }
        // The reply leaves only once the vote is durable: a vote forgotten in a crash is a vote given twice.
        self.send_after_persist.push((from, Message::RequestVoteReply { term: self.term, granted }));
    }

    /// "The candidate's log is at least as up-to-date as receiver's log" (§5.4.1).
    pub(super) fn is_up_to_date(&self, last_log_index: LogIndex, last_log_term: Term) -> bool {
        last_log_term > self.log.last_term()
            || (last_log_term == self.log.last_term() && last_log_index >= self.log.last_index())
    }

    /// Counts a vote: each voter of the current configuration once, replies from the current term only.
    pub(super) fn handle_vote_reply(&mut self, from: NodeId, term: Term, granted: bool) {
        if self.role != Role::Candidate {
            return;
        }
        let stale_accepted = self.cfg.bugs.has(PlantedBug::StaleTermReply) && term < self.term;
        if term != self.term && !stale_accepted {
            return;
        }
        if !granted || !self.membership.is_voter(from) {
            return;
        }
        if self.votes.contains(&from) && !self.cfg.bugs.has(PlantedBug::DoubleCountVote) {
            return;
        }
        self.votes.push(from);
        self.notes.push(Note::VoteCounted { term: self.term, from });
        // The candidate's own vote counts once it is durable (always so here in a multi-voter cluster: the
        // RequestVotes only left after that write).
        if self.durable_term == self.term && self.has_vote_quorum() {
            self.become_leader();
        }
    }

    /// "Votes received from majority of servers" (Figure 2, Candidates).
    pub(super) fn has_vote_quorum(&self) -> bool {
        self.votes.len() >= self.membership.quorum()
    }

    /// Wins the election: initialise nextIndex/matchIndex, append a no-op of this term (so that earlier entries
    /// become committed through it, §5.4.2) and assert leadership with AppendEntries at once.
    pub(super) fn become_leader(&mut self) {
        debug_assert_eq!(self.role, Role::Candidate);
        self.role = Role::Leader;
        self.leader_id = Some(self.id);
        self.progress.clear();
        self.heartbeat_queue.clear();
        self.sync_progress();
        self.commit_acks_missing = 0;
        self.transfer = None;
        self.check_quorum_due_us = self.now_us + self.cfg.election_timeout_min_ms * 1000;
        self.notes.push(Note::BecameLeader { term: self.term });
        let term = self.term;
        // The planted Figure 8 bug is the paper's Figure 8 setting: no no-op, earlier entries committed by
        // counting replicas.
        if !self.cfg.bugs.has(PlantedBug::Figure8Commit) {
            self.append_entry(term, EntryData::Noop);
        }
        self.broadcast_append(true);
    }

    /// Becomes a follower, in a higher term if one was seen (votes and progress are forgotten).
    pub(super) fn become_follower(&mut self, term: Term, leader: Option<NodeId>) {
        let higher = term > self.term;
        let was = self.role;
        self.set_term(term);
        self.role = Role::Follower;
        self.leader_id = leader;
        self.votes.clear();
        self.progress.clear();
        self.transfer = None;
        if was != Role::Follower {
            self.notes.push(Note::SteppedDown { term: self.term, higher_term_seen: higher });
        }
        if was == Role::Leader {
            // A leader has no election timer running; a follower needs one.
            self.heartbeat_due_us = TimeUs::MAX;
            self.reset_election_timer();
        }
    }

    /// Keeps one Progress per member other than this leader (members change with configuration entries).
    pub(super) fn sync_progress(&mut self) {
        let members: Vec<NodeId> = self.membership.members().filter(|m| *m != self.id).collect();
        self.progress.retain(|id, _| members.contains(id));
        self.drop_overtaken_heartbeats();
        for (id, p) in self.progress.iter_mut() {
            p.voter = self.membership.is_voter(*id);
        }
        let next_index = self.log.last_index() + 1;
        for m in members {
            if !self.progress.contains_key(&m) {
                let fresh = Progress {
                    next_index,
                    match_index: 0,
                    inflights: Default::default(),
                    recent_active: false,
                    snapshot_sending: None,
                    heartbeat_due_us: 0,
                    voter: self.membership.is_voter(m),
                };
                self.progress.insert(m, fresh);
                if self.role == Role::Leader {
                    self.heartbeat_due_now(m);
                }
            }
        }
    }
}
