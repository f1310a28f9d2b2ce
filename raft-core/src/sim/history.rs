//! Election and leadership history: what the "elections" and "leaders" views show.

use crate::node::Note;
use crate::types::{LogIndex, NodeId, Term, TimeUs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Still counting votes.
    Pending,
    /// Became leader of the term.
    Won,
    /// Heard from another leader of the same term.
    Lost,
    /// Timed out without a majority and started a new election (a split vote).
    Split,
    /// Saw a higher term and stepped down.
    Superseded,
    /// Crashed or was stopped while a candidate.
    Abandoned,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Election {
    pub term: Term,
    pub candidate: NodeId,
    pub started_us: TimeUs,
    pub ended_us: Option<TimeUs>,
    /// Voters whose grants the candidate counted, itself first.
    pub votes: Vec<NodeId>,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leadership {
    pub term: Term,
    pub leader: NodeId,
    pub since_us: TimeUs,
    pub until_us: Option<TimeUs>,
}

/// What the dissertation's extensions did (an election or a leadership is recorded as such).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Happening {
    /// CheckQuorum: the leader heard from `heard` voters of the `needed` and stepped down.
    LostQuorum {
        node: NodeId,
        term: Term,
        heard: usize,
        needed: usize,
    },
    TransferStarted {
        from: NodeId,
        to: NodeId,
    },
    TimeoutNowSent {
        from: NodeId,
        to: NodeId,
    },
    TransferAbandoned {
        from: NodeId,
        to: NodeId,
    },
    /// Log compaction: a follower took the leader's snapshot instead of entries it no longer has.
    SnapshotInstalled {
        node: NodeId,
        last_index: LogIndex,
    },
}

impl Happening {
    pub fn describe(&self) -> String {
        match *self {
            Happening::LostQuorum { node, term, heard, needed } => format!(
                "S{node} heard from only {heard} of the {needed} voters it needs and stepped down from term {term} \
                 (CheckQuorum)"
            ),
            Happening::TransferStarted { from, to } => format!("S{from} hands leadership over to S{to}"),
            Happening::TimeoutNowSent { from, to } => format!("S{from} sent TimeoutNow: S{to} holds the whole log"),
            Happening::TransferAbandoned { from, to } => {
                format!("S{from} gave up handing over to S{to} after an election timeout")
            }
            Happening::SnapshotInstalled { node, last_index } => {
                format!("S{node} installed the leader's snapshot of entries 1–{last_index}")
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timed {
    pub at_us: TimeUs,
    #[serde(flatten)]
    pub happening: Happening,
}

/// Bound on remembered elections and leaderships (the oldest are forgotten first).
pub const HISTORY_LEN_MAX: usize = 5_000;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct History {
    pub elections: Vec<Election>,
    pub leaders: Vec<Leadership>,
    /// PreVote, CheckQuorum and transfer events, bounded like the rest.
    pub happenings: Vec<Timed>,
    #[serde(skip)]
    open_election: BTreeMap<NodeId, Term>,
}

impl History {
    /// Estimated memory (for the checkpoint limit of a recording).
    pub fn footprint_bytes(&self) -> u64 {
        (96 * (self.elections.len() + self.leaders.len() + self.happenings.len())) as u64
    }

    pub fn record(&mut self, node: NodeId, note: &Note, now_us: TimeUs) {
        match *note {
            Note::ElectionStarted { term } => {
                self.close_election(node, Outcome::Split, now_us);
                self.elections.push(Election {
                    term,
                    candidate: node,
                    started_us: now_us,
                    ended_us: None,
                    votes: vec![node],
                    outcome: Outcome::Pending,
                });
                self.open_election.insert(node, term);
                if self.elections.len() > HISTORY_LEN_MAX {
                    self.elections.remove(0);
                }
            }
            Note::VoteCounted { term, from } => {
                if let Some(e) = self.find_open(node, term) {
                    e.votes.push(from);
                }
            }
            Note::BecameLeader { term } => {
                self.close_election(node, Outcome::Won, now_us);
                for l in self.leaders.iter_mut().filter(|l| l.until_us.is_none()) {
                    // A newer term's leader ends older leaderships as far as the cluster is concerned.
                    if l.term < term {
                        l.until_us = Some(now_us);
                    }
                }
                self.leaders.push(Leadership { term, leader: node, since_us: now_us, until_us: None });
                if self.leaders.len() > HISTORY_LEN_MAX {
                    self.leaders.remove(0);
                }
            }
            Note::SteppedDown { higher_term_seen, .. } => {
                let outcome = if higher_term_seen { Outcome::Superseded } else { Outcome::Lost };
                self.close_election(node, outcome, now_us);
                self.end_leadership(node, now_us);
            }
            // A candidate that times out and asks for pre-votes again lost its election to a split vote.
            Note::PreVoteStarted { .. } => self.close_election(node, Outcome::Split, now_us),
            // Ending a leadership is told by the SteppedDown that follows; these say why.
            Note::LostQuorum { term, heard, needed } => {
                self.happened(now_us, Happening::LostQuorum { node, term, heard, needed })
            }
            Note::TransferStarted { to } => self.happened(now_us, Happening::TransferStarted { from: node, to }),
            Note::TimeoutNowSent { to } => self.happened(now_us, Happening::TimeoutNowSent { from: node, to }),
            Note::TransferAbandoned { to } => self.happened(now_us, Happening::TransferAbandoned { from: node, to }),
            Note::SnapshotInstalled { last_index, .. } => {
                self.happened(now_us, Happening::SnapshotInstalled { node, last_index })
            }
            // Every node compacts its own log now and then: not news.
            Note::SnapshotTaken { .. } => {}
        }
    }

    fn happened(&mut self, at_us: TimeUs, happening: Happening) {
        self.happenings.push(Timed { at_us, happening });
        if self.happenings.len() > HISTORY_LEN_MAX {
            self.happenings.remove(0);
        }
    }

    /// The node crashed or was removed.
    pub fn node_stopped(&mut self, node: NodeId, now_us: TimeUs) {
        self.close_election(node, Outcome::Abandoned, now_us);
        self.end_leadership(node, now_us);
    }

    fn end_leadership(&mut self, node: NodeId, now_us: TimeUs) {
        for l in self.leaders.iter_mut().filter(|l| l.leader == node && l.until_us.is_none()) {
            l.until_us = Some(now_us);
        }
    }

    fn find_open(&mut self, node: NodeId, term: Term) -> Option<&mut Election> {
        if self.open_election.get(&node) != Some(&term) {
            return None;
        }
        self.elections.iter_mut().rev().find(|e| e.candidate == node && e.term == term)
    }

    fn close_election(&mut self, node: NodeId, outcome: Outcome, now_us: TimeUs) {
        if let Some(term) = self.open_election.remove(&node) {
            if let Some(e) = self.elections.iter_mut().rev().find(|e| e.candidate == node && e.term == term) {
                e.outcome = outcome;
                e.ended_us = Some(now_us);
            }
        }
    }

    pub fn current_leader(&self) -> Option<&Leadership> {
        self.leaders.iter().rev().find(|l| l.until_us.is_none())
    }
}
