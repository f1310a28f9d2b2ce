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
