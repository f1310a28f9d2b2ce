//! Stable hashing. SipHash-1-3 with fixed keys, fed only fixed-width integers and bytes, so the same input
//! gives the same hash natively and in wasm32 (no `usize`, no `Hash` impls whose output depends on the platform).

use siphasher::sip::SipHasher13;
use std::hash::Hasher;

#[derive(Clone)]
pub struct StableHasher(SipHasher13);

impl StableHasher {
    pub fn new() -> Self {
        StableHasher(SipHasher13::new_with_keys(0x5241_4654, 0x4553_434f_5254))
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.write_u64(v);
        self
    }
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.write_u64(b.len() as u64);
        self.0.write(b);
        self
    }
    pub fn finish(&self) -> u64 {
        self.0.finish()
    }
}

impl Default for StableHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// A run's fingerprint (the trace hash): the simulator folds a few words into it at every event, so it must
/// be cheap. SipHash there took 5 % of the simulator's time; this is three instructions a word. Each word goes
/// in as FxHash's step does (rotate, xor, multiply by an odd constant): for a fixed word that is a bijection
/// of the state, so two runs that first differ in one word end in different states unless later words differ
/// too. `finish` mixes the state with splitmix64's finalizer. Only fixed-width words go in: the same run gives
/// the same hash natively and in wasm32. Not for anything that needs collision resistance (the log's chain
/// hashes stay SipHash).
#[derive(Clone)]
pub struct TraceHasher(u64);

impl Default for TraceHasher {
    /// Not zero: from zero, zero words would leave the state at zero.
    fn default() -> Self {
        TraceHasher(0x243f_6a88_85a3_08d3)
    }
}

impl TraceHasher {
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
        self
    }
    /// The length, then the bytes eight at a time (the last word zero-padded).
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u64(b.len() as u64);
        for chunk in b.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.u64(u64::from_le_bytes(word));
        }
        self
    }
    pub fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_hash_tells_apart_runs_that_differ_in_one_word_and_is_fixed() {
        let run = |words: &[u64]| {
            let mut h = TraceHasher::default();
            for w in words {
                h.u64(*w);
            }
            h.finish()
        };
        let base: Vec<u64> = (0..200).map(|i| i * 7919).collect();
        let mut seen = std::collections::HashSet::new();
        assert!(seen.insert(run(&base)));
        for i in 0..base.len() {
            for delta in [1u64, 1 << 63, 0xffff_ffff] {
                let mut other = base.clone();
                other[i] ^= delta;
                assert!(seen.insert(run(&other)), "word {i} changed by {delta:#x} gives a hash already seen");
            }
        }
        assert_ne!(run(&[1, 2]), run(&[2, 1]), "order matters");
        assert_ne!(run(&[]), run(&[0]), "an added zero word matters");
        let mut a = TraceHasher::default();
        a.bytes(b"abc");
        let mut b = TraceHasher::default();
        b.bytes(b"abc\0");
        assert_ne!(a.finish(), b.finish(), "the length goes in");
        // Fixed across platforms and versions: the wasm test and the native one share golden hashes.
        assert_eq!(run(&[1, 2, 3]), 0x448c_5509_334c_dc59);
    }
}
