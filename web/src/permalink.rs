//! Permalinks: a run (start config + timed commands + the time shown) in the URL's fragment, so a link
//! replays the same run anywhere. Reading and writing the text is raft-core's `RunFile` (tested and fuzzed
//! natively); this file only talks to the address bar. A damaged link gets a clear message and a fresh cluster.

use crate::sim::Sim;
use leptos::prelude::*;
use raft_core::run_file::{RunFile, LINK_PREFIX};
use wasm_bindgen::JsValue;

/// The run in the page's address, if there is one.
pub fn from_location() -> Option<Result<RunFile, String>> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let data = hash.strip_prefix(LINK_PREFIX)?;
    Some(RunFile::parse_link(data))
}

/// Puts the current run in the address bar and returns the link.
pub fn write(sim: Sim) -> Option<String> {
    set_fragment(&format!("{LINK_PREFIX}{}", sim.run_file().to_link()))
}

/// Replaces what follows `#` in the address (without a new history entry); "" clears it. Returns the address.
pub fn set_fragment(fragment: &str) -> Option<String> {
    let w = web_sys::window()?;
    let href = w.location().href().ok()?;
    let url = format!("{}{fragment}", href.split('#').next().unwrap_or(""));
    w.history().ok()?.replace_state_with_url(&JsValue::NULL, "", Some(&url)).ok()?;
    Some(url)
}

/// On start: replay the link in the address (in slices, with progress), or explain why it cannot be.
pub fn load_from_location(sim: Sim) {
    match from_location() {
        None => {}
        Some(Ok(run)) => sim.load(run, move |result| {
            if let Err(e) = result {
                sim.notice.set(Some(format!("This link could not be replayed ({e}); showing a fresh cluster.")));
            }
        }),
        Some(Err(e)) => sim.notice.set(Some(format!("This link could not be read ({e}); showing a fresh cluster."))),
    }
}
