//! The replicated log. Each entry carries a rolling hash of the whole log up to it, computed by the node that
//! holds it (never trusted from the sender), so two logs agree up to index i exactly when their hashes at i agree:
//! this makes the Log Matching check O(1) per entry.
//!
//! With log compaction (dissertation ch. 5) the log starts after a snapshot: entries up to `start` are gone, and
//! only the last one's index, term and chain hash remain (the snapshot carries them).

use crate::hash::StableHasher;
use crate::machine::op::EntryData;
use crate::types::{LogIndex, Term};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

/// An entry's data, shared rather than copied by the logs, messages and disks that hold it (a payload is
/// written once and never changes), with its digest computed once, when it is made or read.
#[derive(Clone)]
pub struct Payload(Arc<(EntryData, u64)>);

impl Payload {
    pub fn new(data: EntryData) -> Payload {
        let digest = data.digest();
        Payload(Arc::new((data, digest)))
    }

    /// `EntryData::digest` of the data.
    pub fn digest(&self) -> u64 {
        self.0 .1
    }
}

impl std::ops::Deref for Payload {
    type Target = EntryData;
    fn deref(&self) -> &EntryData {
        &self.0 .0
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 .0 == other.0 .0
    }
}
impl Eq for Payload {}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0 .0.fmt(f)
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0 .0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EntryData::deserialize(d).map(Payload::new)
    }
}

impl From<EntryData> for Payload {
    fn from(data: EntryData) -> Payload {
        Payload::new(data)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub term: Term,
    pub index: LogIndex,
    pub data: Payload,
    /// Rolling hash of this entry and all before it in the holder's log.
    #[serde(default)]
    pub chain: u64,
}

/// Hash chaining this entry onto the previous one.
pub fn chain_hash(prev_chain: u64, term: Term, index: LogIndex, data: &Payload) -> u64 {
    StableHasher::new().u64(prev_chain).u64(term).u64(index).u64(data.digest()).finish()
}

/// The last entry a snapshot covers: what is left of the compacted prefix.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Start {
    pub index: LogIndex,
    pub term: Term,
    pub chain: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Log {
    /// Entries up to and including `start.index` were compacted into a snapshot (index 0: none were).
    #[serde(default)]
    start: Start,
    entries: Vec<Entry>,
}

impl Log {
    pub fn new() -> Self {
        Log { start: Start::default(), entries: Vec::new() }
    }

    /// An empty log that continues after a snapshot.
    pub fn starting_after(start: Start) -> Self {
        Log { start, entries: Vec::new() }
    }

    /// The last compacted entry (index 0 if nothing was compacted).
    pub fn start(&self) -> Start {
        self.start
    }

    /// The index of the first entry still in the log.
    pub fn first_index(&self) -> LogIndex {
        self.start.index + 1
    }

    pub fn from_entries(entries: Vec<Entry>) -> Self {
        let mut log = Log::new();
        for e in entries {
            log.append(e.term, e.data);
        }
        log
    }

    /// Estimated memory this log holds of its own (payloads are shared and not counted).
    pub fn footprint_bytes(&self) -> u64 {
        (self.entries.len() * std::mem::size_of::<Entry>()) as u64
    }

    pub fn last_index(&self) -> LogIndex {
        self.start.index + self.entries.len() as LogIndex
    }

    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(self.start.term, |e| e.term)
    }

    /// Term at index; 0 for index 0, past the end, or inside the compacted prefix (callers that may reach
    /// below `first_index` check it first).
    pub fn term_at(&self, index: LogIndex) -> Term {
        if index == self.start.index {
            return self.start.term;
        }
        self.get(index).map_or(0, |e| e.term)
    }

    /// Chain hash at index (the snapshot's at `start`); 0 where unknown.
    pub fn chain_at(&self, index: LogIndex) -> u64 {
        if index == self.start.index {
            return self.start.chain;
        }
        self.get(index).map_or(0, |e| e.chain)
    }

    /// Whether the log knows `index`'s term: the snapshot's last entry or an entry still held.
    pub fn knows(&self, index: LogIndex) -> bool {
        index >= self.start.index && index <= self.last_index()
    }

    pub fn get(&self, index: LogIndex) -> Option<&Entry> {
        if index <= self.start.index {
            return None;
        }
        self.entries.get((index - self.start.index - 1) as usize)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entries from `from` (inclusive, at least `first_index`), at most `max` of them.
    pub fn slice(&self, from: LogIndex, max: usize) -> &[Entry] {
        debug_assert!(from >= self.first_index(), "slice from {from} inside the snapshot (up to {})", self.start.index);
        let start = (from.max(self.first_index()) - self.first_index()) as usize;
        if start >= self.entries.len() {
            return &[];
        }
        let end = start.saturating_add(max).min(self.entries.len());
        &self.entries[start..end]
    }

    /// Appends at the end, computing the chain hash locally.
    pub fn append(&mut self, term: Term, data: impl Into<Payload>) -> LogIndex {
        let data = data.into();
        let index = self.last_index() + 1;
        let chain = chain_hash(self.chain_at(index - 1), term, index, &data);
        self.entries.push(Entry { term, index, data, chain });
        index
    }

    /// Removes every entry at `from` and after (never the snapshot's: those are committed).
    pub fn truncate_from(&mut self, from: LogIndex) {
        debug_assert!(from > self.start.index, "truncating at {from} inside the snapshot (up to {})", self.start.index);
        let keep = (from.max(self.first_index()) - self.first_index()) as usize;
        self.entries.truncate(keep);
    }

    /// Drops the entries up to and including `index` (they are in a snapshot now).
    pub fn compact_to(&mut self, index: LogIndex) {
        if index <= self.start.index {
            return;
        }
        debug_assert!(index <= self.last_index(), "compacting past the end of the log");
        let start = Start { index, term: self.term_at(index), chain: self.chain_at(index) };
        let drop = ((index - self.start.index) as usize).min(self.entries.len());
        self.entries.drain(..drop);
        self.start = start;
    }

    /// Takes a snapshot that ends at `start` from a leader. The entries after it are kept only if the log
    /// holds that very entry (same index and term): "if existing log entry has same index and term as
    /// snapshot's last included entry, retain log entries following it" (dissertation Figure 5.3).
    pub fn install(&mut self, start: Start) {
        if self.knows(start.index) && self.term_at(start.index) == start.term {
            self.compact_to(start.index);
            self.start.chain = start.chain;
        } else {
            *self = Log::starting_after(start);
        }
    }

    /// First index of the run of entries that share the term at `index` (the follower's conflict hint).
    pub fn first_index_of_term_at(&self, index: LogIndex, floor: LogIndex) -> LogIndex {
        let term = self.term_at(index);
        let mut i = index;
        while i > floor.max(self.start.index) + 1 && self.term_at(i - 1) == term {
            i -= 1;
        }
        i.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop_log(terms: &[Term]) -> Log {
        let mut log = Log::new();
        for t in terms {
            log.append(*t, EntryData::Noop);
        }
        log
    }

    #[test]
    fn log_matching_chain_hash_equal_exactly_when_prefixes_equal() {
        let a = noop_log(&[1, 1, 2, 3]);
        let b = noop_log(&[1, 1, 2, 2]);
        assert_eq!(a.chain_at(3), b.chain_at(3));
        assert_ne!(a.chain_at(4), b.chain_at(4));
        let c = noop_log(&[1, 2, 2]);
        // Same index and term at 3, different prefix: the chain differs.
        assert_eq!(c.term_at(3), b.term_at(3));
        assert_ne!(c.chain_at(3), b.chain_at(3));
    }

    #[test]
    fn conflict_hint_is_first_index_of_the_conflicting_term() {
        let log = noop_log(&[1, 1, 4, 4, 4, 5]);
        assert_eq!(log.first_index_of_term_at(5, 0), 3);
        assert_eq!(log.first_index_of_term_at(5, 3), 4, "never below the floor");
        assert_eq!(log.first_index_of_term_at(2, 0), 1);
    }

    #[test]
    fn a_compacted_log_keeps_indexes_terms_and_chains() {
        let full = noop_log(&[1, 1, 2, 2, 3]);
        let mut log = full.clone();
        log.compact_to(3);
        assert_eq!((log.first_index(), log.last_index(), log.last_term()), (4, 5, 3));
        assert_eq!(log.term_at(3), 2, "the snapshot's last term is kept");
        assert_eq!(log.term_at(2), 0, "compacted");
        assert_eq!(log.chain_at(5), full.chain_at(5));
        assert_eq!(log.slice(4, 10).len(), 2);
        log.append(3, EntryData::Noop);
        let mut longer = full.clone();
        longer.append(3, EntryData::Noop);
        assert_eq!(log.chain_at(6), longer.chain_at(6), "appending after a snapshot chains on as before");
        log.truncate_from(5);
        assert_eq!(log.last_index(), 4);
        // Installing a snapshot the log agrees with keeps what follows; one it does not, replaces it.
        let mut follower = full.clone();
        follower.install(Start { index: 4, term: 2, chain: full.chain_at(4) });
        assert_eq!((follower.first_index(), follower.last_index()), (5, 5));
        let mut other = noop_log(&[1, 1, 1, 1, 1, 1]);
        other.install(Start { index: 4, term: 2, chain: full.chain_at(4) });
        assert_eq!((other.first_index(), other.last_index(), other.last_term()), (5, 4, 2));
    }

    #[test]
    fn truncate_then_slice() {
        let mut log = noop_log(&[1, 1, 2, 2, 3]);
        assert_eq!(log.slice(2, 2).len(), 2);
        log.truncate_from(3);
        assert_eq!(log.last_index(), 2);
        assert!(log.slice(3, 10).is_empty());
    }
}
