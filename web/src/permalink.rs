//! Permalinks: a run (start config + timed commands + the time shown) in the URL's fragment, so a link
//! replays the same run anywhere. A damaged link gets a clear message and a fresh cluster.

use crate::sim::{Permalink, Sim};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

const PREFIX: &str = "#run=";
/// Links longer than this are refused rather than parsed (a hostile or truncated URL).
const LINK_CHARS_MAX: usize = 2_000_000;

/// The permalink in the page's address, if there is one.
pub fn from_location() -> Option<Result<Permalink, String>> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let data = hash.strip_prefix(PREFIX)?;
    Some(parse(data))
}

pub fn parse(data: &str) -> Result<Permalink, String> {
    if data.len() > LINK_CHARS_MAX {
        return Err("the link is too long".into());
    }
    let json = js_sys::decode_uri_component(data)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or("the link is not properly encoded")?;
    serde_json::from_str(&json).map_err(|e| format!("the link's data is damaged at column {}: {e}", e.column()))
}

/// Puts the current run in the address bar and returns the link.
pub fn write(sim: Sim) -> Option<String> {
    let json = serde_json::to_string(&sim.permalink()).ok()?;
    let encoded: String = js_sys::encode_uri_component(&json).into();
    let w = web_sys::window()?;
    let base = w.location().href().ok()?;
    let base = base.split('#').next().unwrap_or("").to_string();
    let url = format!("{base}{PREFIX}{encoded}");
    w.history().ok()?.replace_state_with_url(&JsValue::NULL, "", Some(&url)).ok()?;
    Some(url)
}

/// On start: replay the link in the address, or explain why it cannot be.
pub fn load_from_location(sim: Sim) {
    match from_location() {
        None => {}
        Some(Ok(link)) => match sim.load(link) {
            Ok(()) => sim.playing.set(false),
            Err(e) => sim.notice.set(Some(format!("This link could not be replayed ({e}); showing a fresh cluster."))),
        },
        Some(Err(e)) => sim.notice.set(Some(format!("This link could not be read ({e}); showing a fresh cluster."))),
    }
}
