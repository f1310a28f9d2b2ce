//! When a leader's heartbeats are due. Figure 2 (Rules for Servers, Leaders): "send initial empty
//! AppendEntries RPCs (heartbeat) to each server; repeat during idle periods to prevent election timeouts".
//!
//! With `idle_heartbeats` (the default) "idle" is per follower: a follower gets a heartbeat only when the
//! leader sent it no AppendEntries and no snapshot chunk for a heartbeat interval. A follower kept busy with
//! entries gets none, and none goes longer than an interval without a message from its leader (the bound the
//! election timeout is checked against). Without it, every follower gets one every interval whatever else it
//! was sent, as etcd and raft-rs do and as every run made before the switch existed did.
//!
//! Every send makes that follower due one interval later, which is later than any other follower can be due;
//! so in the order of the sends the due times never decrease, and the follower sent to longest ago is the next
//! one due. The queue keeps them in that order (one entry per send, those overtaken by a later send to the
//! same follower dropped as they reach the front): the next deadline is its front, with no walk over the
//! followers after every message.

use super::Node;
use crate::types::{NodeId, TimeUs};

/// A tick also sends to the followers due within this part of an interval (an eighth), so that a leader's
/// timer fires at most eight times per interval, not once per follower when their due times are spread out.
/// Under `raft-sim bench`'s load at 51 nodes a quarter gave 6 % more events in all (heartbeats sent early to
/// followers about to get entries); an eighth, a sixteenth and none were within 1 % of each other.
const EARLY_PARTS: u64 = 8;

impl Node {
    /// Whether a heartbeat tick sends to a follower due at `due_us`.
    pub(super) fn heartbeat_owed(&self, due_us: TimeUs) -> bool {
        !self.cfg.idle_heartbeats || due_us <= self.now_us + self.cfg.heartbeat_us() / EARLY_PARTS
    }

    /// The leader's next heartbeat tick.
    pub(super) fn heartbeat_due_us(&self) -> TimeUs {
        if self.cfg.idle_heartbeats {
            self.heartbeat_queue.front().map_or(TimeUs::MAX, |(due_us, _)| *due_us)
        } else {
            self.heartbeat_due_us
        }
    }

    /// `peer` was sent an AppendEntries or a snapshot chunk now: its next heartbeat is one interval away.
    pub(super) fn heartbeat_reset(&mut self, peer: NodeId) {
        if !self.cfg.idle_heartbeats {
            return;
        }
        let due_us = self.now_us + self.cfg.heartbeat_us();
        let Some(p) = self.progress.get_mut(&peer) else { return };
        p.heartbeat_due_us = due_us;
        debug_assert!(self.heartbeat_queue.back().is_none_or(|(last, _)| *last <= due_us), "due times never decrease");
        self.heartbeat_queue.push_back((due_us, peer));
        self.drop_overtaken_heartbeats();
    }

    /// A follower that became a member of this leader's configuration is due at once (it has been sent
    /// nothing). Ahead of the others: nobody is due before now.
    pub(super) fn heartbeat_due_now(&mut self, peer: NodeId) {
        if !self.cfg.idle_heartbeats {
            return;
        }
        let now_us = self.now_us;
        if let Some(p) = self.progress.get_mut(&peer) {
            p.heartbeat_due_us = now_us;
            self.heartbeat_queue.push_front((now_us, peer));
        }
    }

    /// The interval changed (a live setting). Nobody stays due later than one new interval from now, and the
    /// queue stays in order: those due later move to its back, due then.
    pub(super) fn heartbeat_interval_changed(&mut self) {
        if !self.cfg.idle_heartbeats {
            return;
        }
        let latest_us = self.now_us + self.cfg.heartbeat_us();
        let mut queue = std::mem::take(&mut self.heartbeat_queue);
        queue.retain(|(due_us, peer)| {
            *due_us <= latest_us && self.progress.get(peer).is_some_and(|p| p.heartbeat_due_us == *due_us)
        });
        for (peer, p) in self.progress.iter_mut() {
            if p.heartbeat_due_us > latest_us {
                p.heartbeat_due_us = latest_us;
                queue.push_back((latest_us, *peer));
            }
        }
        self.heartbeat_queue = queue;
    }

    /// The switch changed while leading (a live setting). Nobody waits longer for a heartbeat than one new
    /// interval from now, nor longer than they were going to.
    pub(super) fn heartbeat_mode_changed(&mut self) {
        let latest_us = self.now_us + self.cfg.heartbeat_us();
        if self.cfg.idle_heartbeats {
            // From one round for all to each follower's own time: all are due when the round was.
            let due_us = self.heartbeat_due_us.min(latest_us);
            self.heartbeat_queue.clear();
            for (peer, p) in self.progress.iter_mut() {
                p.heartbeat_due_us = due_us;
                self.heartbeat_queue.push_back((due_us, *peer));
            }
        } else {
            // To one round for all: when the first follower was due.
            self.drop_overtaken_heartbeats();
            let first_us = self.heartbeat_queue.front().map_or(self.now_us, |(due_us, _)| *due_us);
            self.heartbeat_due_us = first_us.min(latest_us);
            self.heartbeat_queue.clear();
        }
    }

    /// Drops the entries at the front that a later send overtook (or whose follower left the configuration),
    /// so that the front is the next follower due.
    pub(super) fn drop_overtaken_heartbeats(&mut self) {
        while let Some(&(due_us, peer)) = self.heartbeat_queue.front() {
            if self.progress.get(&peer).is_some_and(|p| p.heartbeat_due_us == due_us) {
                break;
            }
            self.heartbeat_queue.pop_front();
        }
    }
}
