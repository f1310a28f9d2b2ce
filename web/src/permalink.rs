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
    let encoded = sim.run_file().to_link();
    let w = web_sys::window()?;
    let base = w.location().href().ok()?;
    let base = base.split('#').next().unwrap_or("").to_string();
    let url = format!("{base}{LINK_PREFIX}{encoded}");
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
