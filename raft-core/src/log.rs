//! The replicated log. Each entry carries a rolling hash of the whole log up to it, computed by the node that
//! holds it (never trusted from the sender), so two logs agree up to index i exactly when their hashes at i agree:
//! this makes the Log Matching check O(1) per entry.

use crate::hash::StableHasher;
use crate::machine::op::EntryData;
use crate::types::{LogIndex, Term};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub term: Term,
    pub index: LogIndex,
    pub data: EntryData,
    /// Rolling hash of this entry and all before it in the holder's log.
    #[serde(default)]
    pub chain: u64,
}

/// Hash chaining this entry onto the previous one.
pub fn chain_hash(prev_chain: u64, term: Term, index: LogIndex, data: &EntryData) -> u64 {
    StableHasher::new().u64(prev_chain).u64(term).u64(index).u64(data.digest()).finish()
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Log {
    entries: Vec<Entry>,
}

impl Log {
    pub fn new() -> Self {
        Log { entries: Vec::new() }
    }

    pub fn from_entries(entries: Vec<Entry>) -> Self {
        let mut log = Log::new();
        for e in entries {
            log.append(e.term, e.data);
        }
        log
    }

    pub fn last_index(&self) -> LogIndex {
        self.entries.len() as LogIndex
    }

    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(0, |e| e.term)
    }

    /// Term at index; 0 for index 0 or past the end.
    pub fn term_at(&self, index: LogIndex) -> Term {
        self.get(index).map_or(0, |e| e.term)
    }

    pub fn chain_at(&self, index: LogIndex) -> u64 {
        self.get(index).map_or(0, |e| e.chain)
    }

    pub fn get(&self, index: LogIndex) -> Option<&Entry> {
        if index == 0 {
            return None;
        }
        self.entries.get((index - 1) as usize)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entries from `from` (inclusive), at most `max` of them.
    pub fn slice(&self, from: LogIndex, max: usize) -> &[Entry] {
        let start = (from.max(1) - 1) as usize;
        if start >= self.entries.len() {
            return &[];
        }
        let end = start.saturating_add(max).min(self.entries.len());
        &self.entries[start..end]
    }

    /// Appends at the end, computing the chain hash locally.
    pub fn append(&mut self, term: Term, data: EntryData) -> LogIndex {
        let index = self.last_index() + 1;
        let chain = chain_hash(self.chain_at(index - 1), term, index, &data);
        self.entries.push(Entry { term, index, data, chain });
        index
    }

    /// Removes every entry at `from` and after.
    pub fn truncate_from(&mut self, from: LogIndex) {
        let keep = (from.max(1) - 1) as usize;
        self.entries.truncate(keep);
    }

    /// First index of the run of entries that share the term at `index` (the follower's conflict hint).
    pub fn first_index_of_term_at(&self, index: LogIndex, floor: LogIndex) -> LogIndex {
        let term = self.term_at(index);
        let mut i = index;
        while i > floor + 1 && self.term_at(i - 1) == term {
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
    fn truncate_then_slice() {
        let mut log = noop_log(&[1, 1, 2, 2, 3]);
        assert_eq!(log.slice(2, 2).len(), 2);
        log.truncate_from(3);
        assert_eq!(log.last_index(), 2);
        assert!(log.slice(3, 10).is_empty());
    }
}
