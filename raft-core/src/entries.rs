//! The entries of one AppendEntries or one write. One entry is kept inline (no allocation per message); more
//! are shared behind an `Arc`, so that a leader sending the same run to several followers builds it once, and
//! a follower writing what it was sent copies nothing. Read as a slice; written as a JSON array.

use crate::log::Entry;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct Entries(Repr);

#[derive(Clone, Debug, Default)]
enum Repr {
    #[default]
    Empty,
    One(Entry),
    /// The entries from `skip` on (the ones before were dropped from the front, see `skip_front`).
    Many {
        all: Arc<[Entry]>,
        skip: usize,
    },
}

impl Entries {
    pub fn new() -> Self {
        Entries(Repr::Empty)
    }

    /// Entries made from a run the caller already has as a slice (or two, across a log's chunks).
    pub fn from_runs(first: &[Entry], second: &[Entry]) -> Self {
        match (first, second) {
            ([], []) => Entries(Repr::Empty),
            ([e], []) | ([], [e]) => Entries(Repr::One(e.clone())),
            _ => Entries(Repr::Many { all: first.iter().chain(second).cloned().collect(), skip: 0 }),
        }
    }

    /// Drops the first `k` entries (all, if there are fewer), without copying the rest.
    pub fn skip_front(&mut self, k: usize) {
        let k = k.min(self.len());
        if k == 0 {
            return;
        }
        match &mut self.0 {
            Repr::Many { all, skip } if *skip + k < all.len() => *skip += k,
            _ => self.0 = Repr::Empty,
        }
    }
}

impl std::ops::Deref for Entries {
    type Target = [Entry];
    fn deref(&self) -> &[Entry] {
        match &self.0 {
            Repr::Empty => &[],
            Repr::One(e) => std::slice::from_ref(e),
            Repr::Many { all, skip } => &all[*skip..],
        }
    }
}

impl PartialEq for Entries {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}
impl Eq for Entries {}

impl From<Vec<Entry>> for Entries {
    fn from(mut v: Vec<Entry>) -> Self {
        match v.len() {
            0 => Entries(Repr::Empty),
            1 => Entries(Repr::One(v.pop().expect("one"))),
            _ => Entries(Repr::Many { all: v.into(), skip: 0 }),
        }
    }
}

impl FromIterator<Entry> for Entries {
    fn from_iter<I: IntoIterator<Item = Entry>>(iter: I) -> Self {
        iter.into_iter().collect::<Vec<_>>().into()
    }
}

impl<'a> IntoIterator for &'a Entries {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Serialize for Entries {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Entry>::deserialize(d).map(Entries::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Log;
    use crate::machine::op::EntryData;

    fn three() -> Vec<Entry> {
        let mut log = Log::new();
        for t in [1, 1, 2] {
            log.append(t, EntryData::Noop);
        }
        log.entries().cloned().collect()
    }

    #[test]
    fn entries_read_as_the_slice_they_were_made_from_and_skip_without_copying() {
        let es = three();
        for n in 0..=3 {
            let made: Entries = es[..n].to_vec().into();
            assert_eq!(&*made, &es[..n]);
            assert_eq!(&*Entries::from_runs(&es[..n.min(1)], &es[n.min(1)..n]), &es[..n], "two runs, {n} in all");
            for k in 0..=4 {
                let mut cut = made.clone();
                cut.skip_front(k);
                assert_eq!(&*cut, &es[k.min(n)..n], "{n} entries less {k}");
            }
        }
        let mut shared: Entries = es.clone().into();
        let copy = shared.clone();
        shared.skip_front(1);
        match (&shared.0, &copy.0) {
            (Repr::Many { all: a, .. }, Repr::Many { all: b, .. }) => assert!(Arc::ptr_eq(a, b), "one allocation"),
            _ => panic!("three entries are shared"),
        }
        assert_eq!(copy.len(), 3, "a clone keeps its own front");
    }

    #[test]
    fn entries_are_a_json_array() {
        let es: Entries = three().into();
        let json = serde_json::to_string(&es).unwrap();
        assert_eq!(json, serde_json::to_string(&three()).unwrap());
        assert_eq!(serde_json::from_str::<Entries>(&json).unwrap(), es);
        assert_eq!(serde_json::to_string(&Entries::new()).unwrap(), "[]");
    }
}
