//! raft-core compiled to wasm gives the same trace hash as natively (see tests/determinism.rs).
#![cfg(target_arch = "wasm32")]

use raft_core::bugs::Bugs;
use raft_core::trace::trace_hash;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn wasm_trace_matches_the_native_golden_hash() {
    let golden = include_str!("golden/trace.txt").trim();
    assert_eq!(format!("hash={:016x}", trace_hash(7, 5_000, Bugs::none())), golden);
}
