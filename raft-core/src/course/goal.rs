//! Exercises graded by the run: what a student must make the cluster do, checked from its state now and its
//! history since the exercise started, with feedback that says what is missing or what went wrong.

use crate::machine::op::EntryData;
use crate::sim::history::Outcome;
use crate::sim::journal::{Happening, Journal};
use crate::sim::server::Status;
use crate::sim::{Cluster, Command, Recording};
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Goal {
    /// This node leads.
    LeaderIs { node: NodeId },
    /// An election since the start ended without a winner (a split vote).
    SplitVote,
    /// A client write since the start is applied on every running member.
    CommittedEverywhere,
    /// A client's entry sits in some log where a different entry is already committed at its index, so it can
    /// never be committed.
    NeverCommittable,
    /// No running voter can reach a majority of the voters both ways: no leader can be elected.
    NoLeaderPossible,
    /// A node dropped entries that conflicted with the leader's and its log now matches the leader's.
    LogRepaired,
    /// The leader's configuration has at least this many voters.
    VotersAtLeast { count: usize },
    /// A node was cut off for at least `isolated_ms` and rejoined, and the leader of the start still leads
    /// the same term (PreVote).
    TermKept { isolated_ms: f64 },
    /// The leader of the start stepped down by itself, without a higher term (CheckQuorum).
    LeaderSteppedDown,
    /// A follower installed a snapshot from its leader.
    SnapshotInstalled,
}

/// What the grader needs to remember of the exercise's start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Since {
    pub at_us: TimeUs,
    pub journal_seq: u64,
    pub commands: usize,
    pub leader: Option<NodeId>,
    pub term: Term,
    pub snapshots_installed: u64,
}

impl Since {
    pub fn capture(rec: &Recording) -> Since {
        let c = rec.cluster();
        Since {
            at_us: c.now_us(),
            journal_seq: rec.journal().last_seq(),
            commands: c.recorded().len(),
            leader: c.leader().map(|l| l.id()),
            term: c.leader().map_or(0, |l| l.term()),
            snapshots_installed: c.fault_stats().snapshots_installed,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grade {
    pub done: bool,
    /// The attempt cannot succeed any more (a forbidden command, a term already lost): start again. The page
    /// then shows a hint.
    pub failed: bool,
    /// Said to the student either way: what was achieved, or what is missing and why.
    pub feedback: String,
}

fn done(feedback: String) -> Grade {
    Grade { done: true, failed: false, feedback }
}

fn not_yet(feedback: String) -> Grade {
    Grade { done: false, failed: false, feedback }
}

fn failed(feedback: String) -> Grade {
    Grade { done: false, failed: true, feedback }
}

impl Goal {
    /// Grades the run as it stands. `forbid` lists command names the task rules out.
    pub fn grade(&self, rec: &Recording, since: &Since, forbid: &[String]) -> Grade {
        let c = rec.cluster();
        let done_since = c.recorded().get(since.commands..).unwrap_or(&[]);
        if let Some(t) = done_since.iter().find(|t| forbid.iter().any(|f| f == t.command.name())) {
            return failed(format!(
                "You used \"{}\" at {:.1} s, and this task rules it out ({}). Press Retry and find another way.",
                t.command.describe(),
                t.at_us as f64 / 1e6,
                forbid.join(", ")
            ));
        }
        let journal = rec.journal();
        match self {
            Goal::LeaderIs { node } => leader_is(c, *node),
            Goal::SplitVote => split_vote(c, since),
            Goal::CommittedEverywhere => committed_everywhere(c, since),
            Goal::NeverCommittable => never_committable(c),
            Goal::NoLeaderPossible => no_leader_possible(c),
            Goal::LogRepaired => log_repaired(c, journal, since),
            Goal::VotersAtLeast { count } => {
                let voters = c.leader().map_or(0, |l| l.membership().voters.len());
                if voters >= *count {
                    done(format!("The configuration has {voters} voters."))
                } else {
                    not_yet(format!(
                        "The leader's configuration has {voters} voters; {count} are needed. A new node joins as a \
                         learner and becomes a voter once it has caught up."
                    ))
                }
            }
            Goal::TermKept { isolated_ms } => term_kept(c, since, *isolated_ms),
            Goal::LeaderSteppedDown => stepped_down(c, journal, since),
            Goal::SnapshotInstalled => {
                if c.fault_stats().snapshots_installed > since.snapshots_installed {
                    done(
                        "A follower installed the leader's snapshot instead of entries the leader no longer has."
                            .into(),
                    )
                } else {
                    not_yet(
                        "No snapshot has been installed yet: a follower gets one only when the entries it needs \
                             are gone from the leader's log."
                            .into(),
                    )
                }
            }
        }
    }
}

fn leader_is(c: &Cluster, node: NodeId) -> Grade {
    match c.leader() {
        Some(l) if l.id() == node => done(format!("S{node} leads term {}.", l.term())),
        Some(l) => not_yet(format!("S{} leads term {}, not S{node}.", l.id(), l.term())),
        None => not_yet(format!("No one leads right now; S{node} must win an election.")),
    }
}

/// A term since the start in which two or more candidates campaigned, nobody won, and the run has moved on to a
/// higher term: the votes were split.
fn split_vote(c: &Cluster, since: &Since) -> Grade {
    let recent: Vec<_> = c.history().elections.iter().filter(|e| e.started_us >= since.at_us).collect();
    let later = |t: Term| c.max_term() > t || recent.iter().any(|e| e.term > t);
    let mut terms: Vec<Term> = recent.iter().map(|e| e.term).collect();
    terms.sort_unstable();
    terms.dedup();
    for t in terms {
        let candidates: Vec<_> = recent.iter().filter(|e| e.term == t).collect();
        let won = candidates.iter().any(|e| e.outcome == Outcome::Won);
        if candidates.len() >= 2 && !won && later(t) {
            return done(format!(
                "Term {t} was split: {} all campaigned, each got fewer votes than a majority, and a new election \
                 followed in a higher term.",
                candidates.iter().map(|e| format!("S{}", e.candidate)).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    match recent.iter().rev().find(|e| e.outcome == Outcome::Won) {
        Some(e) => not_yet(format!(
            "S{} won term {} with the votes of {}: the votes were not split. Two candidates must ask in the same \
             term, before either has a majority.",
            e.candidate,
            e.term,
            e.votes.iter().map(|v| format!("S{v}")).collect::<Vec<_>>().join(", ")
        )),
        None => not_yet("No election has ended since the exercise started.".into()),
    }
}

fn committed_everywhere(c: &Cluster, since: &Since) -> Grade {
    let applied = c
        .requests()
        .iter()
        .filter(|r| r.started_us >= since.at_us)
        .filter_map(|r| match r.status {
            crate::sim::client::RequestStatus::Applied { index } => Some(index),
            _ => None,
        })
        .max();
    let Some(index) = applied else {
        return not_yet("No client write has been applied since the exercise started: send one (Clients tab).".into());
    };
    let behind: Vec<String> = c
        .servers()
        .filter(|s| s.status == Status::Up)
        .filter(|s| s.node.as_ref().is_some_and(|n| n.applied_index() < index))
        .map(|s| format!("S{}", s.id))
        .collect();
    if behind.is_empty() {
        done(format!("Entry {index} is committed and applied on every running node."))
    } else {
        not_yet(format!(
            "Entry {index} is committed (the leader answered the client), but {} not applied it yet: followers \
             learn the commit index with the leader's next AppendEntries.",
            if behind.len() == 1 { format!("{} has", behind[0]) } else { format!("{} have", behind.join(", ")) }
        ))
    }
}

/// A client's entry at an index where another node has committed an entry of a different term.
fn never_committable(c: &Cluster) -> Grade {
    let up: Vec<_> = c.servers().filter(|s| s.status == Status::Up).filter_map(|s| s.node.as_ref()).collect();
    let mut pending: Option<(NodeId, LogIndex, Term)> = None;
    for n in &up {
        let first = n.commit_index() + 1;
        for e in n.log().slice(first, usize::MAX) {
            if !matches!(&*e.data, EntryData::Op { request: Some(_), .. }) {
                continue;
            }
            if let Some(other) = up
                .iter()
                .find(|o| o.commit_index() >= e.index && o.log().knows(e.index) && o.log().term_at(e.index) != e.term)
            {
                return done(format!(
                    "S{}'s entry {} ({}, term {}) can never be committed: S{} has already committed an entry of \
                     term {} at index {}, and committed entries are never overwritten.",
                    n.id(),
                    e.index,
                    e.data.describe(),
                    e.term,
                    other.id(),
                    other.log().term_at(e.index),
                    e.index
                ));
            }
            pending.get_or_insert((n.id(), e.index, e.term));
        }
    }
    match pending {
        Some((n, i, t)) => not_yet(format!(
            "S{n}'s entry {i} (term {t}) is not committed yet, but nothing rules it out: it may still reach a \
             majority. It is lost for good only once another leader commits a different entry at index {i}."
        )),
        None => not_yet(
            "Every client entry in the logs is committed or can still be. A leader that cannot reach a \
                         majority can still take a write…"
                .into(),
        ),
    }
}

/// Can some running voter exchange messages both ways with a majority of the voters (itself included)?
fn no_leader_possible(c: &Cluster) -> Grade {
    let Some(membership) =
        c.servers().filter_map(|s| s.node.as_ref()).max_by_key(|n| n.term()).map(|n| n.membership().clone())
    else {
        return not_yet("No node is running.".into());
    };
    let quorum = membership.quorum();
    let up = |id: NodeId| c.server(id).is_some_and(|s| s.status == Status::Up);
    let best = membership
        .voters
        .iter()
        .copied()
        .filter(|v| up(*v))
        .map(|v| {
            let reach: Vec<NodeId> = membership
                .voters
                .iter()
                .copied()
                .filter(|w| up(*w) && (*w == v || (c.link_up(v, *w) && c.link_up(*w, v))))
                .collect();
            (v, reach)
        })
        .max_by_key(|(_, reach)| reach.len());
    match best {
        Some((v, reach)) if reach.len() >= quorum => not_yet(format!(
            "S{v} can still exchange messages with {}: {} of {} voters is a majority, so S{v} can still be elected.",
            reach.iter().map(|r| format!("S{r}")).collect::<Vec<_>>().join(", "),
            reach.len(),
            membership.voters.len()
        )),
        _ => done(format!(
            "No running node can reach a majority ({quorum} of {}) both ways: no one can collect the votes, so no \
             leader can be elected until the network heals.",
            membership.voters.len()
        )),
    }
}

fn log_repaired(c: &Cluster, journal: &Journal, since: &Since) -> Grade {
    let truncated: Vec<(NodeId, LogIndex)> = journal
        .after(since.journal_seq)
        .filter_map(|e| match e.what {
            Happening::Truncated { node, from_index } => Some((node, from_index)),
            _ => None,
        })
        .collect();
    let Some(leader) = c.leader() else {
        return if truncated.is_empty() {
            not_yet("No log has diverged yet, and there is no leader to repair one.".into())
        } else {
            not_yet("A log was repaired in part; a leader must finish the repair.".into())
        };
    };
    for (n, from) in truncated.iter().rev() {
        let Some(node) = c.node(*n).filter(|_| *n != leader.id()) else { continue };
        let last = node.log().last_index();
        if last >= *from && leader.log().knows(last) && leader.log().chain_at(last) == node.log().chain_at(last) {
            return done(format!(
                "S{n} dropped its conflicting entries from index {from} and took S{}'s: its log now matches the \
                 leader's up to index {last}.",
                leader.id()
            ));
        }
        return not_yet(format!(
            "S{n} dropped its entries from index {from}; it is catching up with S{}.",
            leader.id()
        ));
    }
    not_yet(
        "No follower's log has diverged from the leader's yet: a log diverges when it holds entries that \
             were never committed and a new leader wrote others at the same indexes."
            .into(),
    )
}

fn term_kept(c: &Cluster, since: &Since, isolated_ms: f64) -> Grade {
    let Some(leader) = since.leader else {
        return not_yet("There was no leader when the exercise started; press Retry.".into());
    };
    let max_term = c.max_term();
    if max_term > since.term {
        return failed(format!(
            "The term went from {} to {max_term}: a node that came back forced an election. Without PreVote, a node \
             cut off keeps timing out and raising its term.",
            since.term
        ));
    }
    let cmds = c.recorded().get(since.commands..).unwrap_or(&[]);
    let cut =
        cmds.iter().find(|t| matches!(t.command, Command::Partition { .. } | Command::Cut { .. })).map(|t| t.at_us);
    let healed = cut.and_then(|cut| {
        cmds.iter().find(|t| t.at_us >= cut && matches!(t.command, Command::Heal)).map(|t| (cut, t.at_us))
    });
    let settle_us = c.config().raft.election_timeout_max_ms * 1000 * 2;
    match healed {
        None => {
            not_yet(format!("Cut a follower off (Network tab) for at least {:.0} s, then heal.", isolated_ms / 1000.0))
        }
        Some((cut, heal)) if ((heal - cut) as f64) < isolated_ms * 1000.0 => not_yet(format!(
            "The node was cut off for {:.1} s; keep it apart for at least {:.0} s so that it times out.",
            (heal - cut) as f64 / 1e6,
            isolated_ms / 1000.0
        )),
        Some((_, heal)) if c.now_us() < heal + settle_us => {
            not_yet("Healed: wait a moment to see whether the node that came back disrupts the leader.".into())
        }
        Some(_) => match c.leader() {
            Some(l) if l.id() == leader && l.term() == since.term => done(format!(
                "S{leader} still leads term {}: the node that came back asked for pre-votes first, and no one \
                 granted them while the leader was heard from.",
                since.term
            )),
            _ => not_yet(format!("S{leader} no longer leads term {}.", since.term)),
        },
    }
}

fn stepped_down(c: &Cluster, journal: &Journal, since: &Since) -> Grade {
    let Some(leader) = since.leader else {
        return not_yet("There was no leader when the exercise started; press Retry.".into());
    };
    let own = journal.after(since.journal_seq).find(|e| {
        matches!(e.what, Happening::RoleChanged { node, from: Role::Leader, to: Role::Follower, term }
            if node == leader && term == since.term)
    });
    if let Some(e) = own {
        return done(format!(
            "S{leader} stepped down at {:.1} s, still in term {}: it had not heard from a majority for an election \
             timeout (CheckQuorum), so its clients are redirected.",
            e.at_us as f64 / 1e6,
            since.term
        ));
    }
    match c.node(leader) {
        Some(n) if n.role() == Role::Leader => {
            not_yet(format!("S{leader} still leads term {}. Cut it off from the majority and wait.", n.term()))
        }
        Some(n) => failed(format!(
            "S{leader} stepped down only when it heard of term {}: a higher term, not its own check. Is CheckQuorum on?",
            n.term()
        )),
        None => not_yet(format!("S{leader} is not running.")),
    }
}
