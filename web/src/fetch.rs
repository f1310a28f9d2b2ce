//! Files the page loads when a user asks for them (a scenario, a planted bug's run), fetched relative to the
//! page so that dist/ works under any path. A missing or oversized file is an error with a sentence, never a
//! panic; the page keeps the run it has.

use raft_core::run_file::RUN_TEXT_BYTES_MAX;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The text at `url` (relative to the page), at most `RUN_TEXT_BYTES_MAX` bytes.
pub async fn text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url} could not be fetched (offline, or the file is missing)"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| format!("{url}: not a response"))?;
    if !response.ok() {
        return Err(format!("{url} could not be fetched (HTTP {})", response.status()));
    }
    let body = response.text().map_err(|_| format!("{url}: no body"))?;
    let text = JsFuture::from(body).await.map_err(|_| format!("{url}: the body could not be read"))?;
    let text = text.as_string().ok_or(format!("{url}: not text"))?;
    if text.len() > RUN_TEXT_BYTES_MAX {
        return Err(format!("{url} has {} bytes; a file may have at most {RUN_TEXT_BYTES_MAX}", text.len()));
    }
    Ok(text)
}
