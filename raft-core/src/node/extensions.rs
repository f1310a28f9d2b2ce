//! The dissertation's extensions to Figure 2, each behind a `protocol` switch (leadership transfer is a
//! command): PreVote (§9.6), CheckQuorum (§6.2) and leadership transfer (§3.10).

use super::{Node, Note, ProposeError, Transfer};
use crate::bugs::PlantedBug;
use crate::message::Message;
use crate::types::{LogIndex, NodeId, Role, Term};

/// Why a leadership transfer could not start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransferError {
    NotLeader,
    ToSelf,
    NotVoter,
    AlreadyTransferring { to: NodeId },
}

impl std::fmt::Display for TransferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransferError::NotLeader => write!(f, "only the leader can hand over leadership"),
            TransferError::ToSelf => write!(f, "this node already leads"),
            TransferError::NotVoter => write!(f, "only a voter can become leader"),
            TransferError::AlreadyTransferring { to } => write!(f, "a transfer to S{to} is already under way"),
        }
    }
}

impl Node {
    /// The election timer fired (or a user forced it): with PreVote, ask first; else campaign (Figure 2).
    pub(super) fn start_election(&mut self) {
        if self.cfg.protocol.prevote {
            self.pre_campaign();
        } else {
            self.campaign(false);
        }
    }

    // ---- PreVote (§9.6) ---------------------------------------------------------------------------------------

    /// "A candidate would first ask other servers whether its log was up-to-date enough to get their vote":
    /// no term change and no vote of its own yet, so a node that cannot win disturbs nobody.
    fn pre_campaign(&mut self) {
        if !self.membership.is_voter(self.id) {
            self.reset_election_timer();
            return;
        }
        debug_assert_ne!(self.role, Role::Leader, "a leader has no election timer");
        self.role = Role::Precandidate;
        // Forget the leader: a pre-candidate that still believed in one would refuse pre-votes to others
        // and, with CheckQuorum, keep the cluster leaderless (docs/RAFT.md).
        self.leader_id = None;
        self.votes = vec![self.id];
        self.progress.clear();
        self.reset_election_timer();
        let term = self.term + 1;
        self.notes.push(Note::PreVoteStarted { term });
        if self.has_vote_quorum() {
            self.campaign(false);
            return;
        }
        let request = Message::PreVote {
            term,
            candidate: self.id,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        };
        for peer in self.other_voters() {
            // Nothing was written: the request may leave at once.
            self.send.push((peer, request.clone()));
        }
    }

    /// Grants a pre-vote if an election for `term` could get this node's vote: the term is ahead of ours,
    /// the log is up to date, and no leader was heard from within the minimum election timeout (§9.6).
    /// Nothing changes here: not our term, not our vote.
    pub(super) fn handle_pre_vote(
        &mut self,
        from: NodeId,
        term: Term,
        candidate: NodeId,
        last_log_index: LogIndex,
        last_log_term: Term,
    ) {
        debug_assert_eq!(from, candidate);
        let granted =
            term > self.term && self.is_up_to_date(last_log_index, last_log_term) && !self.leader_recently_heard();
        let reply_term = if granted { term } else { self.term };
        self.send.push((from, Message::PreVoteReply { term: reply_term, granted }));
    }

    /// Counts a granted pre-vote for the election this pre-candidate asked about; a majority starts it.
    pub(super) fn handle_pre_vote_reply(&mut self, from: NodeId, term: Term) {
        if self.role != Role::Precandidate || term != self.term + 1 {
            return;
        }
        if !self.membership.is_voter(from) || self.votes.contains(&from) {
            return;
        }
        self.votes.push(from);
        if !self.has_vote_quorum() {
            return;
        }
        if self.cfg.bugs.has(PlantedBug::PrevoteCountsAsVote) {
            // The planted bug: the pre-votes are taken as the real election's votes.
            let prevotes = std::mem::take(&mut self.votes);
            self.campaign(false);
            self.votes = prevotes;
            self.become_leader();
            return;
        }
        self.campaign(false);
    }

    // ---- CheckQuorum (§6.2) -------------------------------------------------------------------------------

    /// "If an election timeout elapses without a successful round of heartbeats to a majority of its cluster,
    /// the leader steps down."
    pub(super) fn check_quorum(&mut self) {
        let voters: Vec<NodeId> = self.membership.voters.iter().copied().collect();
        let heard =
            voters.iter().filter(|v| **v == self.id || self.progress.get(v).is_some_and(|p| p.recent_active)).count();
        let needed = self.membership.quorum();
        if !self.cfg.bugs.has(PlantedBug::CheckQuorumStickyContact) {
            for p in self.progress.values_mut() {
                p.recent_active = false;
            }
        }
        self.check_quorum_due_us = self.now_us + self.cfg.election_timeout_min_ms * 1000;
        if heard < needed {
            let term = self.term;
            self.notes.push(Note::LostQuorum { term, heard, needed });
            self.become_follower(term, None);
        }
    }

    // ---- Leadership transfer (§3.10) ------------------------------------------------------------------------

    /// Starts handing leadership to `to`: no more proposals, bring `to` up to date, then TimeoutNow. Given up
    /// if it has not happened within the maximum election timeout.
    pub fn transfer_leadership(&mut self, now_us: u64, to: NodeId) -> Result<(), TransferError> {
        self.now_us = now_us;
        if self.role != Role::Leader {
            return Err(TransferError::NotLeader);
        }
        if to == self.id {
            return Err(TransferError::ToSelf);
        }
        if !self.membership.is_voter(to) {
            return Err(TransferError::NotVoter);
        }
        if let Some(t) = self.transfer {
            return Err(TransferError::AlreadyTransferring { to: t.to });
        }
        let deadline_us = now_us + self.cfg.election_timeout_max_ms * 1000;
        self.transfer = Some(Transfer { to, deadline_us, timeout_now_sent: false });
        self.notes.push(Note::TransferStarted { to });
        self.continue_transfer();
        Ok(())
    }

    /// Sends TimeoutNow once the target holds the whole log; until then, entries.
    pub(super) fn continue_transfer(&mut self) {
        let Some(t) = self.transfer.filter(|t| !t.timeout_now_sent) else { return };
        let caught_up = self.progress.get(&t.to).is_some_and(|p| p.match_index == self.log.last_index());
        if caught_up {
            self.send.push((t.to, Message::TimeoutNow { term: self.term }));
            self.transfer = Some(Transfer { timeout_now_sent: true, ..t });
            self.notes.push(Note::TimeoutNowSent { to: t.to });
        } else {
            self.send_append(t.to);
        }
    }

    pub(super) fn abandon_transfer(&mut self) {
        if let Some(t) = self.transfer.take() {
            self.notes.push(Note::TransferAbandoned { to: t.to });
        }
    }

    /// Proposals wait while leadership is handed over (the new leader would not have them).
    pub(super) fn check_not_transferring(&self) -> Result<(), ProposeError> {
        match self.transfer {
            Some(t) => Err(ProposeError::TransferInProgress { to: t.to }),
            None => Ok(()),
        }
    }

    /// The leader of our term asks us to campaign now: a real election at once, no pre-vote, and voters
    /// that still hear from that leader vote anyway (the request says it is a transfer).
    pub(super) fn handle_timeout_now(&mut self, from: NodeId, term: Term) {
        if term != self.term || self.role == Role::Leader || self.leader_id != Some(from) {
            return;
        }
        self.campaign(true);
    }
}
