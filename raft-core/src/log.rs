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

pub use crate::entries::Entries;

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

/// Entries per chunk of a log's storage.
const CHUNK: usize = 256;

/// The log's storage is a list of chunks of `CHUNK` entries behind Arcs: cloning a log (a checkpoint of the
/// cluster for time travel) copies one pointer per chunk, not every entry, and a chunk is copied only when a
/// log that shares it changes it (the last one, as entries are appended). Entries are read by index.
#[derive(Clone, Debug)]
pub struct Log {
    /// Entries up to and including `start.index` were compacted into a snapshot (index 0: none were).
    start: Start,
    /// The index of the first slot of the first chunk. Slots before `start.index + 1` are compacted entries
    /// still in a chunk that also holds live ones; with no chunks, `start.index + 1`.
    base: LogIndex,
    /// Full chunks, then the last one (never empty).
    chunks: Vec<Arc<Vec<Entry>>>,
    /// The last index (kept, not counted: it is read on every step).
    last: LogIndex,
    /// The term and chain hash at `last` (the snapshot's when the log is empty). Kept because every call into a
    /// node reads them for its summary, and reading the last entry of a cold log was a cache miss: 4 % of the
    /// simulator's time at 51 nodes.
    last_term: Term,
    last_chain: u64,
}

/// How a log is written and read as data: its start and its entries.
#[derive(Serialize, Deserialize)]
struct LogData {
    #[serde(default)]
    start: Start,
    entries: Vec<Entry>,
}

impl Serialize for Log {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        LogData { start: self.start, entries: self.entries().cloned().collect() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Log {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let data = LogData::deserialize(d)?;
        let mut log = Log::starting_after(data.start);
        for e in data.entries {
            log.push(e);
        }
        Ok(log)
    }
}

impl Default for Log {
    fn default() -> Self {
        Log::new()
    }
}

impl PartialEq for Log {
    fn eq(&self, other: &Self) -> bool {
        self.start == other.start && self.last_index() == other.last_index() && self.entries().eq(other.entries())
    }
}
impl Eq for Log {}

impl Log {
    pub fn new() -> Self {
        Log::starting_after(Start::default())
    }

    /// An empty log that continues after a snapshot.
    pub fn starting_after(start: Start) -> Self {
        Log {
            start,
            base: start.index + 1,
            chunks: Vec::new(),
            last: start.index,
            last_term: start.term,
            last_chain: start.chain,
        }
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

    /// Estimated memory this log holds of its own: a pointer per chunk, and the last chunk, which the next
    /// append copies if a checkpoint shares it (payloads are shared and not counted).
    pub fn footprint_bytes(&self) -> u64 {
        let last = self.chunks.last().map_or(0, |c| c.len());
        (self.chunks.len() * std::mem::size_of::<usize>() + last * std::mem::size_of::<Entry>()) as u64
    }

    pub fn last_index(&self) -> LogIndex {
        self.last
    }

    /// Recounts `last` from the chunks (after a truncation or a compaction).
    fn recount(&mut self) {
        let slots = match self.chunks.last() {
            Some(last) => ((self.chunks.len() - 1) * CHUNK + last.len()) as u64,
            None => 0,
        };
        self.last = (self.base + slots).saturating_sub(1).max(self.start.index);
        let (term, chain) = match self.get(self.last) {
            Some(e) => (e.term, e.chain),
            None => (self.start.term, self.start.chain),
        };
        (self.last_term, self.last_chain) = (term, chain);
    }

    pub fn last_term(&self) -> Term {
        self.last_term
    }

    /// Term at index; 0 for index 0, past the end, or inside the compacted prefix (callers that may reach
    /// below `first_index` check it first).
    pub fn term_at(&self, index: LogIndex) -> Term {
        if index == self.last {
            return self.last_term;
        }
        if index == self.start.index {
            return self.start.term;
        }
        self.get(index).map_or(0, |e| e.term)
    }

    /// Chain hash at index (the snapshot's at `start`); 0 where unknown.
    pub fn chain_at(&self, index: LogIndex) -> u64 {
        if index == self.last {
            return self.last_chain;
        }
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
        if index <= self.start.index || index > self.last {
            return None;
        }
        let slot = (index - self.base) as usize;
        self.chunks.get(slot / CHUNK).and_then(|c| c.get(slot % CHUNK))
    }

    /// Every entry still in the log, in order.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> + ExactSizeIterator + '_ {
        self.slice(self.first_index(), usize::MAX)
    }

    /// Entries from `from` (inclusive, at least `first_index`), at most `max` of them.
    pub fn slice(
        &self,
        from: LogIndex,
        max: usize,
    ) -> impl DoubleEndedIterator<Item = &Entry> + ExactSizeIterator + '_ {
        debug_assert!(from >= self.first_index(), "slice from {from} inside the snapshot (up to {})", self.start.index);
        let from = from.max(self.first_index());
        let to = self.last_index().min(from.saturating_add(max as u64).saturating_sub(1));
        let count = if to >= from { (to - from + 1) as usize } else { 0 };
        (0..count).map(move |i| self.get(from + i as u64).expect("within the log"))
    }

    /// The entries `slice` gives, for an AppendEntries or a write: one inline, more in one shared allocation
    /// (made from the chunks' runs directly: an index lookup per entry was 4 % of the simulator's instructions
    /// at 51 nodes).
    pub fn clone_slice(&self, from: LogIndex, max: usize) -> Entries {
        debug_assert!(from >= self.first_index(), "slice from {from} inside the snapshot (up to {})", self.start.index);
        let from = from.max(self.first_index());
        let to = self.last_index().min(from.saturating_add(max as u64).saturating_sub(1));
        if to < from {
            return Entries::new();
        }
        let (start, end) = ((from - self.base) as usize, (to - self.base) as usize + 1);
        let (k, at) = (start / CHUNK, start % CHUNK);
        let first = &self.chunks[k][at..(at + end - start).min(CHUNK)];
        let rest = end - start - first.len();
        if rest <= CHUNK {
            let second = if rest == 0 { &[][..] } else { &self.chunks[k + 1][..rest] };
            return Entries::from_runs(first, second);
        }
        self.slice(from, max).cloned().collect()
    }

    fn push(&mut self, entry: Entry) {
        debug_assert_eq!(entry.index, self.last + 1, "entries are pushed in order");
        (self.last, self.last_term, self.last_chain) = (entry.index, entry.term, entry.chain);
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => Arc::make_mut(last).push(entry),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(entry);
                self.chunks.push(Arc::new(chunk));
            }
        }
    }

    /// Appends at the end, computing the chain hash locally.
    pub fn append(&mut self, term: Term, data: impl Into<Payload>) -> LogIndex {
        let data = data.into();
        let index = self.last_index() + 1;
        let chain = chain_hash(self.chain_at(index - 1), term, index, &data);
        self.push(Entry { term, index, data, chain });
        index
    }

    /// Appends copies of `entries` (the next indexes, in order) with the chain hashes they carry: the caller
    /// knows this log's prefix is the one they were chained onto (a disk taking its node's write, a follower
    /// taking the leader's entries after one whose chain matched), so no hash is computed again; debug
    /// assertions compute them anyway and compare. The last chunk is made writable once per run, not once per
    /// entry (a writability check per entry was 2 % of the simulator's instructions at 51 nodes).
    pub fn extend_matching(&mut self, entries: &[Entry]) {
        let Some(last) = entries.last() else { return };
        debug_assert!(
            entries.iter().zip(self.last + 1..).all(|(e, i)| e.index == i),
            "entries continue the log in order"
        );
        #[cfg(debug_assertions)]
        {
            let mut prev = self.chain_at(self.last);
            for e in entries {
                assert_eq!(
                    e.chain,
                    chain_hash(prev, e.term, e.index, &e.data),
                    "entry {} is copied onto a different prefix",
                    e.index
                );
                prev = e.chain;
            }
        }
        let mut rest = entries;
        while !rest.is_empty() {
            match self.chunks.last_mut() {
                Some(chunk) if chunk.len() < CHUNK => {
                    let (now, later) = rest.split_at((CHUNK - chunk.len()).min(rest.len()));
                    Arc::make_mut(chunk).extend_from_slice(now);
                    rest = later;
                }
                _ => self.chunks.push(Arc::new(Vec::with_capacity(CHUNK))),
            }
        }
        (self.last, self.last_term, self.last_chain) = (last.index, last.term, last.chain);
    }

    /// Shares `other`'s chunk of storage around `index` instead of this log's copy, when both chunks are full
    /// and hold the same entries. A disk calls this after a write with its node's log: its full chunks then
    /// cost nothing of their own (the disks' copies were half the simulator's memory, and the page faults to
    /// fill it a tenth of its time at 51 nodes). False if nothing changed.
    ///
    /// The same entries: the same chain hash at the chunk's last entry, which covers every entry up to it (as
    /// Log Matching is checked). Comparing the 256 entries instead was 1.3 % of `raft-sim bench` at 5 nodes.
    pub fn share_full_chunk(&mut self, other: &Log, index: LogIndex) -> bool {
        if self.base != other.base || index < self.base {
            return false;
        }
        let k = ((index - self.base) as usize) / CHUNK;
        let (Some(mine), Some(theirs)) = (self.chunks.get(k), other.chunks.get(k)) else { return false };
        if mine.len() < CHUNK || theirs.len() < CHUNK || Arc::ptr_eq(mine, theirs) {
            return false;
        }
        let (last, their_last) = (&mine[CHUNK - 1], &theirs[CHUNK - 1]);
        if (last.index, last.chain) != (their_last.index, their_last.chain) {
            return false;
        }
        debug_assert!(mine == theirs, "chunks with the same chain hash at their end hold the same entries");
        self.chunks[k] = Arc::clone(theirs);
        true
    }

    /// Removes every entry at `from` and after (never the snapshot's: those are committed).
    pub fn truncate_from(&mut self, from: LogIndex) {
        debug_assert!(from > self.start.index, "truncating at {from} inside the snapshot (up to {})", self.start.index);
        let from = from.max(self.first_index());
        if from > self.last_index() {
            return;
        }
        let keep = (from - self.base) as usize;
        self.chunks.truncate(keep.div_ceil(CHUNK));
        let in_last = keep - (self.chunks.len().saturating_sub(1)) * CHUNK;
        if let Some(last) = self.chunks.last_mut() {
            if last.len() > in_last {
                Arc::make_mut(last).truncate(in_last);
            }
        }
        if self.chunks.last().is_some_and(|c| c.is_empty()) {
            self.chunks.pop();
        }
        if self.chunks.is_empty() {
            self.base = self.start.index + 1;
        }
        self.recount();
    }

    /// Drops the entries up to and including `index` (they are in a snapshot now).
    pub fn compact_to(&mut self, index: LogIndex) {
        if index <= self.start.index {
            return;
        }
        debug_assert!(index <= self.last_index(), "compacting past the end of the log");
        let last = self.last_index();
        self.start = Start { index, term: self.term_at(index), chain: self.chain_at(index) };
        if index >= last {
            self.chunks.clear();
            self.base = index + 1;
        } else {
            // Whole chunks before the new start go; a chunk that also holds live entries stays.
            let dead_chunks = ((index + 1 - self.base) as usize) / CHUNK;
            self.chunks.drain(..dead_chunks);
            self.base += (dead_chunks * CHUNK) as u64;
        }
        self.recount();
    }

    /// Takes a snapshot that ends at `start` from a leader. The entries after it are kept only if the log
    /// holds that very entry (same index and term): "if existing log entry has same index and term as
    /// snapshot's last included entry, retain log entries following it" (dissertation Figure 5.3).
    pub fn install(&mut self, start: Start) {
        if self.knows(start.index) && self.term_at(start.index) == start.term {
            self.compact_to(start.index);
            self.start.chain = start.chain;
            self.recount();
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
    fn a_disk_shares_full_chunks_with_its_node_only_when_they_hold_the_same_entries() {
        let mut node = noop_log(&[1; 600]);
        let mut disk = Log::new();
        disk.extend_matching(&node.slice(1, 300).cloned().collect::<Vec<_>>());
        let other = noop_log(&[2; 300]);
        assert!(!disk.share_full_chunk(&other, 1), "different entries");
        assert!(!disk.share_full_chunk(&node, 300), "the disk's second chunk is not full");
        assert!(disk.share_full_chunk(&node, 1));
        assert!(!disk.share_full_chunk(&node, 256), "already shared");
        assert!(Arc::ptr_eq(&disk.chunks[0], &node.chunks[0]));
        // Copy on write: the node rewriting its log leaves the disk's entries as they were.
        node.truncate_from(100);
        node.append(3, EntryData::Noop);
        assert_eq!(disk.term_at(100), 1);
        assert_eq!(disk.entries().map(|e| e.term).collect::<Vec<_>>(), vec![1; 300]);
        assert_eq!(node.term_at(100), 3);
    }

    /// The chunked storage against a plain vector, through random appends, truncations and compactions, with
    /// clones taken on the way that must not change when the log they came from does.
    #[test]
    fn chunked_storage_behaves_like_a_vector_and_clones_stay_put() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut log = Log::new();
        // The model: the compacted start and the live entries' terms.
        let (mut start, mut terms): (LogIndex, Vec<Term>) = (0, Vec::new());
        let mut clones: Vec<(Log, Vec<(LogIndex, Term)>)> = Vec::new();
        for step in 0..20_000u32 {
            match rng.random_range(0..10) {
                0..=6 => {
                    let t = 1 + (step / 500) as Term;
                    log.append(t, EntryData::Noop);
                    terms.push(t);
                }
                7 if !terms.is_empty() => {
                    let from = start + 1 + rng.random_range(0..terms.len() as LogIndex);
                    log.truncate_from(from);
                    terms.truncate((from - start - 1) as usize);
                }
                8 if !terms.is_empty() => {
                    let to = start + 1 + rng.random_range(0..terms.len() as LogIndex);
                    log.compact_to(to);
                    terms.drain(..(to - start) as usize);
                    start = to;
                }
                _ => {
                    let snapshot: Vec<(LogIndex, Term)> = log.entries().map(|e| (e.index, e.term)).collect();
                    clones.push((log.clone(), snapshot));
                }
            }
            assert_eq!(log.last_index(), start + terms.len() as LogIndex, "step {step}");
            assert_eq!(log.first_index(), start + 1);
            if let Some(t) = terms.last() {
                assert_eq!(log.last_term(), *t);
            }
            // The kept last term and chain agree with the last entry (or the start, when empty).
            let last = log.get(log.last_index());
            assert_eq!(log.last_term(), last.map_or(log.start().term, |e| e.term), "step {step}");
            assert_eq!(log.chain_at(log.last_index()), last.map_or(log.start().chain, |e| e.chain), "step {step}");
            let i = start + 1 + rng.random_range(0..=terms.len() as LogIndex);
            assert_eq!(log.get(i).map(|e| (e.index, e.term)), terms.get((i - start - 1) as usize).map(|t| (i, *t)));
            // A copied slice (across chunk boundaries too) is the model's run from i.
            let max = rng.random_range(0..600usize);
            let copied: Vec<(LogIndex, Term)> = log.clone_slice(i, max).iter().map(|e| (e.index, e.term)).collect();
            let skip = (i - start - 1) as usize;
            let want: Vec<(LogIndex, Term)> = (i..).zip(terms.iter().skip(skip).take(max).copied()).collect();
            assert_eq!(copied, want, "step {step}: clone_slice({i}, {max})");
        }
        assert!(clones.len() > 100);
        for (clone, snapshot) in &clones {
            let now: Vec<(LogIndex, Term)> = clone.entries().map(|e| (e.index, e.term)).collect();
            assert_eq!(&now, snapshot, "a clone is not changed by the log it was taken from");
        }
        let expected: Vec<Term> = log.entries().map(|e| e.term).collect();
        assert_eq!(expected, terms);
        // Copied in runs of random lengths (across chunk boundaries), a log is the same log.
        let all: Vec<Entry> = log.entries().cloned().collect();
        let mut copy = Log::starting_after(log.start());
        let mut at = 0;
        while at < all.len() {
            let run = rng.random_range(0..600).min(all.len() - at);
            copy.extend_matching(&all[at..at + run]);
            at += run;
        }
        assert_eq!(copy, log);
        assert_eq!(
            (copy.last_term(), copy.chain_at(copy.last_index())),
            (log.last_term(), log.chain_at(log.last_index()))
        );
        let back: Log = serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
        assert_eq!(back, log, "a log reads back as it was written");
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
        assert_eq!(log.slice(3, 10).len(), 0);
    }
}
