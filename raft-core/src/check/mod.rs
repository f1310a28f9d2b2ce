//! The safety invariants of docs/RAFT.md, checked after every simulated event. A violation is a value the
//! UI can show and the CLI can report, never a panic.
//!
//! The checker keeps global history beside the nodes: the leader of every term, the chain hash of every
//! (index, term) ever written, of every committed index and of every applied index. Each check costs O(1) per
//! new entry (the rolling chain hash stands for the whole log prefix).

pub mod liveness;
mod quorum_contact;

use crate::log::Entry;
use crate::node::{DurableState, Node, Note, Summary};
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Invariant {
    ElectionSafety,
    LeaderAppendOnly,
    LogMatching,
    LeaderCompleteness,
    StateMachineSafety,
    CommittedOnQuorum,
    Monotonic,
    Ordering,
    /// With CheckQuorum on: a leader cut off from its majority steps down.
    CheckQuorum,
    Liveness,
}

impl Invariant {
    pub const ALL: [Invariant; 10] = [
        Invariant::ElectionSafety,
        Invariant::LeaderAppendOnly,
        Invariant::LogMatching,
        Invariant::LeaderCompleteness,
        Invariant::StateMachineSafety,
        Invariant::CommittedOnQuorum,
        Invariant::Monotonic,
        Invariant::Ordering,
        Invariant::CheckQuorum,
        Invariant::Liveness,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Invariant::ElectionSafety => "Election Safety",
            Invariant::LeaderAppendOnly => "Leader Append-Only",
            Invariant::LogMatching => "Log Matching",
            Invariant::LeaderCompleteness => "Leader Completeness",
            Invariant::StateMachineSafety => "State Machine Safety",
            Invariant::CommittedOnQuorum => "Committed on a quorum",
            Invariant::Monotonic => "Monotonic",
            Invariant::Ordering => "Ordering",
            Invariant::CheckQuorum => "CheckQuorum",
            Invariant::Liveness => "Liveness",
        }
    }

    pub fn from_name(s: &str) -> Option<Invariant> {
        let norm = |x: &str| x.to_ascii_lowercase().replace([' ', '-', '_'], "");
        Invariant::ALL.into_iter().find(|i| norm(i.name()) == norm(s))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub invariant: Invariant,
    pub at_us: TimeUs,
    pub nodes: Vec<NodeId>,
    /// A sentence explaining what went wrong.
    pub message: String,
}

/// Violations kept in full (a broken run keeps counting beyond this).
pub const VIOLATIONS_KEPT_MAX: usize = 100;

#[derive(Clone, Debug, Default)]
pub struct Checker {
    /// Who became leader of each term, with the incarnation (restart count) it did so in.
    leaders: BTreeMap<Term, (NodeId, u64)>,
    /// Chain hash of every (index, term) any node ever wrote.
    written: Written,
    /// Chain hash at each committed index (index i at i-1), with the term in which it was first known committed.
    committed: Vec<(u64, Term)>,
    /// (term, chain) of the entry first applied at each index.
    applied: Vec<u64>,
    /// The vote each node gave in each term, as seen by candidates (a reply that left the node).
    votes: HashMap<(NodeId, Term), NodeId>,
    violations: Vec<Violation>,
    violation_count: u64,
    /// The state hash of the first snapshot ending at each index, and who took it.
    snapshots: HashMap<LogIndex, (u64, NodeId)>,
    /// What each leader heard from its voters in its term (the CheckQuorum property).
    contact: BTreeMap<NodeId, quorum_contact::Contact>,
}

/// The chain hash of every (index, term) ever written, for Log Matching. Nearly every index is only ever
/// written in one term: that one sits in a vector by index (a hash map lookup per entry written on every node
/// was 1 % of the simulator's instructions at 51 nodes), the others in a map.
#[derive(Clone, Debug, Default)]
struct Written {
    /// `first[i - 1]`: the first (term, chain) written at index i; term 0 where none was seen yet.
    first: Vec<(Term, u64)>,
    other: HashMap<(LogIndex, Term), u64>,
}

impl Written {
    /// The chain first seen at (index, term), recording `chain` if this is the first.
    fn chain(&mut self, index: LogIndex, term: Term, chain: u64) -> u64 {
        debug_assert!(term > 0, "entries have terms from 1 (config refuses 0)");
        let i = (index as usize).checked_sub(1).expect("log indexes start at 1");
        if i >= self.first.len() {
            // Entries a scenario put on a disk before the run may leave gaps below a later write.
            self.first.resize(i + 1, (0, 0));
        }
        match self.first[i] {
            (0, _) => {
                self.first[i] = (term, chain);
                chain
            }
            (t, c) if t == term => c,
            _ => *self.other.entry((index, term)).or_insert(chain),
        }
    }

    fn len(&self) -> usize {
        self.first.len() + self.other.len()
    }
}

impl Checker {
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    pub fn violation_count(&self) -> u64 {
        self.violation_count
    }

    /// Estimated memory of the checker's tables (for the checkpoint limit of a recording).
    pub fn footprint_bytes(&self) -> u64 {
        let rows = 40 * (self.written.len() + self.votes.len() + self.snapshots.len() + self.leaders.len())
            + 16 * (self.committed.len() + self.applied.len())
            + 160 * self.violations.len();
        rows as u64
    }

    pub fn committed_index(&self) -> LogIndex {
        self.committed.len() as LogIndex
    }

    pub fn report(&mut self, invariant: Invariant, at_us: TimeUs, nodes: Vec<NodeId>, message: String) {
        self.violation_count += 1;
        if self.violations.len() < VIOLATIONS_KEPT_MAX {
            self.violations.push(Violation { invariant, at_us, nodes, message });
        }
    }

    /// Checks one node after it handled an event. `before` and `after` are its summaries from before and after
    /// the event; `disk` reads any node's durable state (for the quorum check).
    #[allow(clippy::too_many_arguments)]
    pub fn after_step<'a>(
        &mut self,
        now_us: TimeUs,
        before: &Summary,
        after: &Summary,
        node: &Node,
        written_from: Option<LogIndex>,
        notes: &[Note],
        disk: impl Fn(NodeId) -> Option<&'a DurableState>,
    ) {
        debug_assert_eq!(*after, node.summary(), "the summary after the event is the node's");
        let id = node.id();
        let log = node.log();

        // Monotonic: within one run of a node, term and commit index never go down.
        if after.term < before.term {
            self.report(
                Invariant::Monotonic,
                now_us,
                vec![id],
                format!("S{id}'s term went down from {} to {}", before.term, after.term),
            );
        }
        if after.commit_index < before.commit_index {
            self.report(
                Invariant::Monotonic,
                now_us,
                vec![id],
                format!("S{id}'s commit index went down from {} to {}", before.commit_index, after.commit_index),
            );
        }

        // Ordering: applied ≤ commit ≤ last log index.
        if after.commit_index > after.last_index {
            self.report(
                Invariant::Ordering,
                now_us,
                vec![id],
                format!(
                    "S{id}'s commit index {} is beyond its last log index {}",
                    after.commit_index, after.last_index
                ),
            );
        }
        if after.snapshot_index > after.applied_index {
            self.report(
                Invariant::Ordering,
                now_us,
                vec![id],
                format!(
                    "S{id}'s snapshot covers entries up to {} but only {} are applied",
                    after.snapshot_index, after.applied_index
                ),
            );
        }
        if after.applied_index > after.commit_index {
            self.report(
                Invariant::Ordering,
                now_us,
                vec![id],
                format!("S{id} applied {} entries but only {} are committed", after.applied_index, after.commit_index),
            );
        }

        // Leader Append-Only: a leader never overwrites or deletes entries in its own log during its term.
        if before.role == Role::Leader
            && after.role == Role::Leader
            && before.term == after.term
            && (after.last_index < before.last_index || log.chain_at(before.last_index) != before.last_chain)
        {
            self.report(
                Invariant::LeaderAppendOnly,
                now_us,
                vec![id],
                format!(
                    "leader S{id} of term {} rewrote its own log at or before index {}",
                    after.term, before.last_index
                ),
            );
        }

        // Log Matching: same index and term ⇒ identical prefixes (chain hashes equal).
        if let Some(from) = written_from {
            for i in from..=log.last_index() {
                let e = log.get(i).expect("index within log");
                let seen = self.written.chain(i, e.term, e.chain);
                if seen != e.chain {
                    self.report(
                        Invariant::LogMatching,
                        now_us,
                        vec![id],
                        format!(
                            "S{id} holds an entry at index {i} in term {} whose log prefix differs from another node's",
                            e.term
                        ),
                    );
                    break;
                }
            }
        }

        for note in notes {
            match note {
                Note::BecameLeader { term } => {
                    self.check_new_leader(now_us, node, *term);
                    self.on_became_leader(id, *term, now_us);
                }
                Note::SnapshotTaken { last_index, state_hash } | Note::SnapshotInstalled { last_index, state_hash } => {
                    self.check_snapshot(now_us, id, *last_index, *state_hash)
                }
                _ => {}
            }
        }

        // Committed entries must agree everywhere, and the commit index may only move over a durable quorum.
        let rewrote_committed = written_from.is_some_and(|w| w <= before.commit_index);
        if after.commit_index > before.commit_index || rewrote_committed {
            self.check_commit(now_us, node);
        }
        if after.role == Role::Leader && after.commit_index > before.commit_index {
            self.check_quorum(now_us, node, disk);
        }
    }

    fn check_new_leader(&mut self, now_us: TimeUs, node: &Node, term: Term) {
        let id = node.id();
        // Election Safety: at most one leader per term, ever. The same node winning a term twice (before and
        // after a restart) is two leaderships too: the second may hold a different log.
        let incarnation = node.incarnation();
        if let Some((other, other_incarnation)) = self.leaders.insert(term, (id, incarnation)) {
            if other != id {
                self.report(
                    Invariant::ElectionSafety,
                    now_us,
                    vec![other, id],
                    format!("S{other} and S{id} were both elected leader of term {term}"),
                );
            } else if other_incarnation != incarnation {
                self.report(
                    Invariant::ElectionSafety,
                    now_us,
                    vec![id],
                    format!("S{id} was elected leader of term {term} twice, before and after a restart"),
                );
            }
        }
        // Leader Completeness: the new leader holds every entry committed in an earlier term. (A stale candidate
        // may still win a lower term after later commits; it owes nothing to commits of higher terms.)
        let c = self.committed.iter().rposition(|(_, t)| *t < term).map_or(0, |i| i as LogIndex + 1);
        // Through the snapshot: a leader whose snapshot covers index c holds it if the snapshot's last entry is
        // the committed one there (snapshots hold committed entries only).
        let c = c.max(node.log().start().index.min(self.committed_index()));
        if c > 0 {
            let log = node.log();
            // The no-op of the new term may already be appended; it is after every committed index.
            let differs = log.knows(c) && log.chain_at(c) != self.committed[(c - 1) as usize].0;
            if log.last_index() < c || differs {
                self.report(
                    Invariant::LeaderCompleteness,
                    now_us,
                    vec![id],
                    format!("S{id} became leader of term {term} without entries committed up to index {c}"),
                );
            }
        }
    }

    fn check_commit(&mut self, now_us: TimeUs, node: &Node) {
        let id = node.id();
        let log = node.log();
        let c = node.commit_index().min(log.last_index());
        let known = self.committed_index();
        // Compare where this log still knows the chain: at most what is known committed, at least its snapshot.
        let check_at = c.min(known).max(log.start().index.min(known));
        if check_at > 0 && log.knows(check_at) && log.chain_at(check_at) != self.committed[(check_at - 1) as usize].0 {
            self.report(
                Invariant::StateMachineSafety,
                now_us,
                vec![id],
                format!("S{id}'s committed entries up to index {check_at} differ from entries committed earlier"),
            );
            return;
        }
        for i in (known + 1)..=c {
            if !log.knows(i) {
                break; // inside this node's snapshot: a node that still holds the entries records them
            }
            self.committed.push((log.chain_at(i), node.term()));
        }
    }

    /// Committed on a quorum: the index a leader calls committed is in the durable log of a majority of voters.
    fn check_quorum<'a>(&mut self, now_us: TimeUs, node: &Node, disk: impl Fn(NodeId) -> Option<&'a DurableState>) {
        let c = node.commit_index();
        let chain = node.log().chain_at(c);
        let membership = node.membership();
        // A voter whose durable snapshot reaches c holds it (a snapshot holds committed entries only; that they
        // are the same ones is State Machine Safety's business).
        let holders = membership
            .voters
            .iter()
            .filter(|v| disk(**v).is_some_and(|d| d.log.start().index >= c || d.log.chain_at(c) == chain))
            .count();
        if holders < membership.quorum() {
            self.report(
                Invariant::CommittedOnQuorum,
                now_us,
                vec![node.id()],
                format!(
                    "leader S{} committed index {c} while only {holders} of {} voters hold it on disk (quorum {})",
                    node.id(),
                    membership.voters.len(),
                    membership.quorum()
                ),
            );
        }
    }

    /// State Machine Safety through snapshots: two snapshots ending at one index hold the same state.
    fn check_snapshot(&mut self, now_us: TimeUs, node: NodeId, last_index: LogIndex, state_hash: u64) {
        let seen = *self.snapshots.entry(last_index).or_insert((state_hash, node));
        if seen.0 != state_hash {
            self.report(
                Invariant::StateMachineSafety,
                now_us,
                vec![seen.1, node],
                format!("S{node}'s snapshot up to index {last_index} holds a different state than S{}'s", seen.1),
            );
        }
    }

    /// State Machine Safety: no two nodes apply different entries at the same index.
    pub fn on_apply(&mut self, now_us: TimeUs, node: NodeId, entry: &Entry) {
        let i = entry.index as usize;
        if i <= self.applied.len() {
            if self.applied[i - 1] != entry.chain {
                self.report(
                    Invariant::StateMachineSafety,
                    now_us,
                    vec![node],
                    format!("S{node} applied a different entry at index {i} than another node did"),
                );
            }
        } else if i == self.applied.len() + 1 {
            self.applied.push(entry.chain);
        }
    }

    /// Monotonic votes: a vote given in term T never changes in T, across restarts too.
    pub fn on_vote_sent(&mut self, now_us: TimeUs, voter: NodeId, term: Term, candidate: NodeId) {
        if let Some(prev) = self.votes.insert((voter, term), candidate) {
            if prev != candidate {
                self.report(
                    Invariant::Monotonic,
                    now_us,
                    vec![voter, prev, candidate],
                    format!("S{voter} voted for S{prev} and then for S{candidate} in term {term}"),
                );
            }
        }
    }

    /// Monotonic: the durable term never goes down.
    pub fn on_disk_write(&mut self, now_us: TimeUs, node: NodeId, term_before: Term, term_after: Term) {
        if term_after < term_before {
            self.report(
                Invariant::Monotonic,
                now_us,
                vec![node],
                format!("S{node}'s durable term went down from {term_before} to {term_after}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Written;

    #[test]
    fn written_keeps_the_first_chain_of_every_index_and_term() {
        let mut w = Written::default();
        assert_eq!(w.chain(1, 1, 11), 11);
        assert_eq!(w.chain(1, 1, 99), 11, "a later write of (1, 1) is compared with the first");
        assert_eq!(w.chain(1, 2, 12), 12, "another term at the same index is its own");
        assert_eq!(w.chain(1, 2, 98), 12);
        assert_eq!(w.chain(1, 1, 97), 11, "the first term is still there");
        assert_eq!(w.chain(5, 3, 53), 53, "a gap below is fine");
        assert_eq!(w.chain(3, 2, 32), 32, "and filled later");
        assert_eq!(w.chain(5, 3, 0), 53);
        assert_eq!(w.len(), 5 + 1);
    }
}
