//! raft-core compiled to wasm gives the same trace hash and journal as natively (see tests/determinism.rs).
#![cfg(target_arch = "wasm32")]

use raft_core::bugs::Bugs;
use raft_core::trace::{journal_hash, trace_hash};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn wasm_trace_matches_the_native_golden_hash() {
    let golden = include_str!("golden/trace.txt").trim();
    assert_eq!(format!("hash={:016x}", trace_hash(7, 5_000, Bugs::none())), golden);
}

#[wasm_bindgen_test]
fn wasm_journal_matches_the_native_golden_hash() {
    let golden = include_str!("golden/journal.txt").trim();
    assert_eq!(format!("journal={:016x}", journal_hash(7, 5_000, Bugs::none()).0), golden);
}
