//! The CheckQuorum property (dissertation §6.2), checked when the switch is on: a leader that has not heard
//! from a majority of its voters (itself included) steps down within two election timeouts. The checker keeps
//! its own record of what each leader received, from the bus, rather than trusting the node's bookkeeping.

use super::{Checker, Invariant};
use crate::node::Node;
use crate::types::{NodeId, Term, TimeUs};

/// What one leader heard in its term.
#[derive(Clone, Debug, Default)]
pub(super) struct Contact {
    term: Term,
    since_us: TimeUs,
    /// By node id (a map was 2 % of the simulator's time: the leader hears a message per event or so).
    last_heard_us: Vec<Option<TimeUs>>,
    reported: bool,
    /// While the leader is paused its clock stands still, and so does its CheckQuorum round.
    paused_at_us: Option<TimeUs>,
    /// The configuration the voters are counted in, and since when (a new one counts from then on: voters
    /// that did not matter before may be needed now).
    membership_index: u64,
    membership_since_us: TimeUs,
}

impl Checker {
    /// A message of `term` from `from` reached `leader`, the leader of that term.
    pub fn on_leader_heard(&mut self, leader: NodeId, term: Term, from: NodeId, now_us: TimeUs) {
        if let Some(c) = self.contact.get_mut(&leader).filter(|c| c.term == term) {
            let i = from as usize;
            if c.last_heard_us.len() <= i {
                c.last_heard_us.resize(i + 1, None);
            }
            c.last_heard_us[i] = Some(now_us);
        }
    }

    pub fn on_node_paused(&mut self, node: NodeId, now_us: TimeUs) {
        if let Some(c) = self.contact.get_mut(&node) {
            c.paused_at_us = Some(now_us);
        }
    }

    /// Time spent paused does not count: a leader frozen mid-round finishes that round when it resumes (as a
    /// real process after a long GC pause does), so what it heard before the pause moves forward by the pause.
    pub fn on_node_resumed(&mut self, node: NodeId, now_us: TimeUs) {
        if let Some(c) = self.contact.get_mut(&node) {
            if let Some(at) = c.paused_at_us.take() {
                let paused_us = now_us.saturating_sub(at);
                c.since_us += paused_us;
                for t in c.last_heard_us.iter_mut().flatten() {
                    *t += paused_us;
                }
            }
        }
    }

    pub(super) fn on_became_leader(&mut self, leader: NodeId, term: Term, now_us: TimeUs) {
        self.contact
            .insert(leader, Contact { term, since_us: now_us, membership_since_us: now_us, ..Contact::default() });
    }

    /// After a leader's timer fired (its CheckQuorum round, if due, has run): is it still leading without a
    /// majority heard from for two election timeouts? The bound leaves the node one full round of slack.
    pub fn after_leader_tick(&mut self, now_us: TimeUs, node: &Node) {
        let cfg = node.config();
        if !cfg.protocol.check_quorum {
            return;
        }
        let id = node.id();
        let Some(c) = self.contact.get_mut(&id).filter(|c| c.term == node.term() && !c.reported) else { return };
        if c.membership_index != node.membership_index() {
            c.membership_index = node.membership_index();
            c.membership_since_us = now_us;
        }
        let membership = node.membership();
        let mut heard: Vec<TimeUs> = membership
            .voters
            .iter()
            .map(|v| {
                if *v == id {
                    now_us
                } else {
                    c.last_heard_us.get(*v as usize).copied().flatten().unwrap_or(c.since_us)
                }
            })
            .collect();
        heard.sort_unstable_by(|a, b| b.cmp(a));
        let Some(&majority_heard_us) = heard.get(membership.quorum().saturating_sub(1)) else { return };
        let majority_heard_us = majority_heard_us.max(c.membership_since_us);
        let bound_us = 2 * cfg.election_timeout_max_ms * 1000;
        if now_us > majority_heard_us + bound_us {
            let term = c.term;
            self.contact.get_mut(&id).expect("present").reported = true;
            self.report(
                Invariant::CheckQuorum,
                now_us,
                vec![id],
                format!(
                    "S{id} still leads term {term} {} ms after it last heard from a majority (CheckQuorum steps \
                     down within two election timeouts, {} ms)",
                    (now_us - majority_heard_us) / 1000,
                    bound_us / 1000
                ),
            );
        }
    }
}
