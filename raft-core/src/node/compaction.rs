//! Log compaction and InstallSnapshot (dissertation ch. 5): taking a snapshot of the applied state, sending it in
//! chunks to a follower that needs entries the leader no longer has, and installing it.

use super::{Node, Note, SnapshotSending};
use crate::bugs::PlantedBug;
use crate::log::Start;
use crate::machine::op::{EntryData, Membership};
use crate::machine::Machines;
use crate::message::{Message, SnapshotChunk};
use crate::snapshot::{Snapshot, SNAPSHOT_BYTES_MAX, SNAPSHOT_CHUNK_BYTES};
use crate::types::{LogIndex, NodeId, Role, Term};

/// Chunks a leader sends ahead of the follower's acknowledgement.
pub const SNAPSHOT_CHUNKS_IN_FLIGHT: usize = 4;
/// How much longer a leader waits to compact while it sends a snapshot (see `snapshot_due`).
pub const SNAPSHOT_DEFER_FACTOR: u64 = 8;

/// A snapshot being assembled from chunks.
#[derive(Clone)]
pub(super) struct Incoming {
    pub last: Start,
    pub membership: Membership,
    pub membership_index: LogIndex,
    pub data: Vec<u8>,
}

impl Node {
    /// Whether `snapshot_after_entries` applied entries follow the last snapshot. A leader sending a snapshot
    /// waits longer (up to `SNAPSHOT_DEFER_FACTOR` times as many): compacting again would leave the follower,
    /// once it has installed the one it is getting, needing entries that are gone, and so another snapshot.
    /// Asked after every call into the node: the cheap test comes first, so that a leader does not walk its
    /// followers' progress on every reply (an eighth of the simulator's instructions at 51 nodes).
    pub fn snapshot_due(&self) -> bool {
        let every = self.cfg.snapshot_after_entries;
        let due = |every: u64| every > 0 && self.applied_index >= self.log.start().index.saturating_add(every);
        if !due(every) {
            return false;
        }
        let sending = self.role == Role::Leader && self.progress.values().any(|p| p.snapshot_sending.is_some());
        !sending || due(every.saturating_mul(SNAPSHOT_DEFER_FACTOR))
    }

    /// Takes a snapshot of `machines`, the state after applying up to `applied_index`, and drops the log up to
    /// there. "A snapshot never covers entries that are not applied" (docs/RAFT.md).
    pub fn take_snapshot(&mut self, now_us: u64, machines: &Machines) {
        self.now_us = now_us;
        debug_assert_eq!(machines.applied_index, self.applied_index, "the machines are the applied state");
        let upto = if self.cfg.bugs.has(PlantedBug::SnapshotUnappliedEntries) {
            self.log.last_index()
        } else {
            self.applied_index
        };
        if upto <= self.log.start().index {
            return;
        }
        let last = Start { index: upto, term: self.log.term_at(upto), chain: self.log.chain_at(upto) };
        let (membership, membership_index) = self.membership_at(upto);
        let snapshot = Snapshot::new(last, membership, membership_index, machines);
        self.notes.push(Note::SnapshotTaken { last_index: upto, state_hash: snapshot.state_hash });
        self.log.compact_to(upto);
        self.snapshot = Some(snapshot);
        self.snapshot_dirty = true;
        // Pending log writes below the snapshot are covered by it.
        self.written_from = self.written_from.map(|w| w.max(upto + 1));
    }

    /// The configuration in effect at `index`: the last configuration entry at or before it, else the
    /// snapshot's, else the initial one.
    fn membership_at(&self, index: LogIndex) -> (Membership, LogIndex) {
        let in_log = self.log.entries().rev().filter(|e| e.index <= index).find_map(|e| match &*e.data {
            EntryData::Config { membership } => Some((membership.clone(), e.index)),
            _ => None,
        });
        in_log
            .or_else(|| self.snapshot.as_ref().map(|s| (s.membership.clone(), s.membership_index)))
            .unwrap_or((self.bootstrap.clone(), 0))
    }

    // ---- leader ---------------------------------------------------------------------------------------------

    /// Sends `peer` the snapshot from what it acknowledged, up to `SNAPSHOT_CHUNKS_IN_FLIGHT` chunks ahead. A
    /// heartbeat calls this with `resend`: what was sent but not acknowledged may be lost, so it goes again
    /// from the acknowledged offset.
    pub(super) fn send_snapshot_chunks(&mut self, peer: NodeId, resend: bool) {
        let Some(snap) = self.snapshot.as_ref() else { return };
        let Some(p) = self.progress.get_mut(&peer) else { return };
        let mut s = match p.snapshot_sending {
            Some(s) if s.last_index == snap.last.index => s,
            // A new snapshot (or a newer one than the one being sent): from the start.
            _ => SnapshotSending { last_index: snap.last.index, acked: 0, sent: 0 },
        };
        if resend {
            s.sent = s.acked;
        }
        let len = snap.data.len() as u64;
        let window_end = s.acked + (SNAPSHOT_CHUNKS_IN_FLIGHT * SNAPSHOT_CHUNK_BYTES) as u64;
        let mut msgs = Vec::new();
        // At least one chunk (an empty snapshot is one empty chunk), then as many as the window holds.
        while msgs.is_empty() || (s.sent < len && s.sent < window_end) {
            let from = s.sent.min(len) as usize;
            let to = (from + SNAPSHOT_CHUNK_BYTES).min(snap.data.len());
            let chunk = SnapshotChunk {
                last: snap.last,
                membership: snap.membership.clone(),
                membership_index: snap.membership_index,
                offset: from as u64,
                data: snap.data[from..to].to_vec(),
                done: to == snap.data.len(),
            };
            msgs.push(Message::InstallSnapshot { term: self.term, leader: self.id, chunk: Box::new(chunk) });
            s.sent = to as u64;
            if to == snap.data.len() {
                break;
            }
        }
        p.snapshot_sending = Some(s);
        self.send.extend(msgs.into_iter().map(|m| (peer, m)));
        self.heartbeat_reset(peer);
    }

    pub(super) fn handle_install_snapshot_reply(
        &mut self,
        from: NodeId,
        term: Term,
        last_index: LogIndex,
        next_offset: u64,
        done: bool,
    ) {
        if self.role != Role::Leader || term != self.term {
            return;
        }
        let last = self.log.last_index();
        let Some(p) = self.progress.get_mut(&from) else { return };
        if done {
            // The follower's log now agrees with ours up to the snapshot's last entry.
            p.match_index = p.match_index.max(last_index.min(last));
            p.next_index = p.next_index.max(p.match_index + 1);
            p.snapshot_sending = None;
            p.inflights.clear();
            self.maybe_commit();
            if self.transfer.is_some_and(|t| t.to == from) {
                self.continue_transfer();
            } else if self.role == Role::Leader && self.progress.get(&from).is_some_and(|p| p.next_index <= last) {
                self.send_append(from);
            }
        } else if let Some(mut s) = p.snapshot_sending.filter(|s| s.last_index == last_index) {
            // Only an acknowledgement that moves the offset sends more: a duplicated or stale one must not, or
            // each would start its own chain of chunks and replies.
            if next_offset > s.acked {
                s.acked = next_offset;
                s.sent = s.sent.max(next_offset);
                p.snapshot_sending = Some(s);
                self.send_snapshot_chunks(from, false);
            } else if next_offset < s.acked {
                // The follower lost what it had (a restart, another leader's chunks): go back to where it is.
                s.acked = next_offset;
                s.sent = next_offset;
                p.snapshot_sending = Some(s);
            }
        }
    }

    // ---- follower -------------------------------------------------------------------------------------------

    /// InstallSnapshot receiver (dissertation Figure 5.3): assemble the chunks; with the last one, keep the log
    /// after the snapshot if it agrees with it, else discard the log; restore the state machines from it.
    pub(super) fn handle_install_snapshot(&mut self, from: NodeId, term: Term, leader: NodeId, chunk: SnapshotChunk) {
        debug_assert_eq!(from, leader);
        let reply = |node: &Node, next_offset: u64, done: bool| Message::InstallSnapshotReply {
            term: node.term,
            last_index: chunk.last.index,
            next_offset,
            done,
        };
        // 1. Reply immediately if term < currentTerm.
        if term < self.term {
            let r = reply(self, 0, false);
            self.send.push((from, r));
            return;
        }
        self.heard_from_leader(term, leader);
        if chunk.last.index <= self.commit_index {
            // Already committed here, so our log agrees up to there: nothing to install.
            self.incoming = None;
            let r = reply(self, 0, true);
            self.send.push((from, r));
            return;
        }
        // 2.–4. A first chunk starts a new snapshot; a later one must continue the one being assembled.
        if chunk.offset == 0 {
            self.incoming = Some(Incoming {
                last: chunk.last,
                membership: chunk.membership,
                membership_index: chunk.membership_index,
                data: Vec::new(),
            });
        }
        let expected = match self.incoming.as_ref() {
            Some(i) if i.last == chunk.last => i.data.len() as u64,
            _ => 0,
        };
        if chunk.offset != expected || expected as usize + chunk.data.len() > SNAPSHOT_BYTES_MAX {
            if expected == 0 {
                self.incoming = None;
            }
            let r = reply(self, expected, false);
            self.send.push((from, r));
            return;
        }
        let incoming = self.incoming.as_mut().expect("set above");
        incoming.data.extend_from_slice(&chunk.data);
        let received = incoming.data.len() as u64;
        if !chunk.done {
            let r = reply(self, received, false);
            self.send.push((from, r));
            return;
        }
        // 5.–8. The last chunk: the snapshot is complete.
        let incoming = self.incoming.take().expect("set above");
        let snapshot =
            Snapshot::from_data(incoming.last, incoming.membership, incoming.membership_index, incoming.data);
        let Ok(machines) = snapshot.machines() else {
            // Damaged: start over from the first chunk.
            let r = reply(self, 0, false);
            self.send.push((from, r));
            return;
        };
        self.install_snapshot(snapshot, machines);
        // The acknowledgement promises durability: it waits for the write.
        let r = reply(self, chunk.offset + chunk.data.len() as u64, true);
        self.send_after_persist.push((from, r));
    }

    fn install_snapshot(&mut self, snapshot: Snapshot, machines: Machines) {
        let last = snapshot.last;
        self.notes.push(Note::SnapshotInstalled { last_index: last.index, state_hash: snapshot.state_hash });
        self.log.install(last);
        self.stable_index = self.stable_index.min(last.index).min(self.log.last_index());
        self.written_from = self.written_from.filter(|w| *w > last.index);
        self.commit_index = self.commit_index.max(last.index);
        if self.applied_index < last.index {
            self.applied_index = last.index;
            self.restore = Some(Box::new(machines));
        }
        self.snapshot = Some(snapshot);
        self.snapshot_dirty = true;
        self.refresh_membership();
    }
}
