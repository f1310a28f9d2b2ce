//! Each server's disk: writes become durable in order after a sync delay, a stalled disk completes nothing
//! until the stall ends, and a paused node's completed writes release their held messages only at resume.

use super::cluster::{Cluster, Event};
use super::journal::Happening;
use super::server::{PendingWrite, Status};
use crate::types::{NodeId, TimeUs};

impl Cluster {
    /// A disk sync is due: the oldest pending write becomes durable, and the messages that waited for it
    /// leave (unless the node is paused). False if the write was lost in a crash since.
    pub(super) fn sync(&mut self, id: NodeId) -> bool {
        let now = self.now_us;
        let Some(s) = self.servers.get_mut(&id) else { return false };
        match s.pending.front() {
            Some(w) if w.sync_at_us <= now => {}
            _ => return false, // crashed since: the write was lost
        }
        let w = s.pending.pop_front().expect("checked above");
        let term_before = s.disk.term;
        w.op.apply_to(&mut s.disk, usize::MAX);
        if let (Some(from), Some(node)) = (w.op.log_from, s.node.as_ref()) {
            // A write fills at most the chunks at its two ends; full ones the node holds too are shared.
            for index in [from, s.disk.log.last_index()] {
                s.disk.log.share_full_chunk(node.log(), index);
            }
        }
        let term_after = s.disk.term;
        self.checker.on_disk_write(now, id, term_before, term_after);
        self.trace.u64(3).u64(id as u64);
        self.note(Happening::Synced { node: id, last_index: w.op.last_index });
        let s = self.servers.get_mut(&id).expect("server exists");
        if s.status == Status::Paused {
            // The disk finished the write, but the frozen process hears of it only when it resumes.
            s.synced_while_paused.push_back(w);
            return true;
        }
        if let Some(node) = s.node.as_mut() {
            let before = node.summary();
            node.on_persisted(now, w.op.term, w.op.last_index, w.op.last_term);
            let mut held = w.held;
            for (to, msg) in held.drain(..) {
                self.send_from_node(id, to, msg);
            }
            self.keep_held_buffer(held);
            self.after_node_call(id, before);
        }
        true
    }

    /// At resume: the node learns of the writes its disk completed while it was paused, and the messages that
    /// waited for them leave now.
    pub(super) fn release_synced_while_paused(&mut self, id: NodeId) {
        let now = self.now_us;
        let Some(s) = self.servers.get_mut(&id) else { return };
        let writes: Vec<PendingWrite> = s.synced_while_paused.drain(..).collect();
        for w in writes {
            let Some(node) = self.servers.get_mut(&id).and_then(|s| s.node.as_mut()) else { return };
            let before = node.summary();
            node.on_persisted(now, w.op.term, w.op.last_index, w.op.last_term);
            for (to, msg) in w.held {
                self.send_from_node(id, to, msg);
            }
            self.after_node_call(id, before);
        }
    }

    /// A slow disk: no write of `id` completes before `until_us` (writes already pending wait too).
    pub(super) fn stall_disk(&mut self, id: NodeId, until_us: TimeUs) {
        let Some(s) = self.servers.get_mut(&id) else { return };
        self.fault_stats.disk_stalls += 1;
        s.disk_stalled_until_us = s.disk_stalled_until_us.max(until_us);
        let mut delayed = 0;
        for w in s.pending.iter_mut().filter(|w| w.sync_at_us < until_us) {
            w.sync_at_us = until_us;
            delayed += 1;
        }
        // Each delayed write needs its own sync event (its earlier one now finds it not yet due).
        for _ in 0..delayed {
            self.schedule(until_us, Event::Sync(id));
        }
    }
}
