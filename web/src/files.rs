//! Runs as files: "Save this run" downloads the run as a scenario file (format 1: config, every command so far
//! as a step, the moment shown, and the expectations of the scenario it was loaded from), and a scenario file or a saved run opens from the file picker or dropped
//! on the page. `raft-sim run` replays a saved run to the same trace hash. A file that cannot be read gets a
//! message (with line and column for bad JSON) and the run on screen stays.

use crate::sim::Sim;
use leptos::prelude::*;
use raft_core::run_file::RUN_TEXT_BYTES_MAX;
use raft_core::scenario::Scenario;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The run on screen as the text of a saved-run file.
/// A run loaded from a scenario keeps that scenario's expectations up to the moment saved (names it remembered
/// made node ids), so `raft-sim run` checks them on the saved run.
pub fn run_text(sim: Sim) -> Result<String, String> {
    let kept = sim.kept.get_value();
    sim.peek(|c| {
        let name = format!("Raft Escort run, seed {}, {} nodes", c.initial_config().seed, c.initial_config().nodes);
        let saved = Scenario::saved_run(&name, c.initial_config(), c.recorded(), c.now_us())?;
        Ok(match &kept {
            Some((source, kept)) => saved.with_expectations(kept, source),
            None => saved,
        }
        .to_json())
    })
}

/// A file name for the run on screen: `raft-run-seed-7-at-12.3s.json`.
fn file_name(sim: Sim) -> String {
    sim.peek(|c| format!("raft-run-seed-{}-at-{:.1}s.json", c.initial_config().seed, c.now_us() as f64 / 1e6))
}

/// Downloads the run on screen.
pub fn save(sim: Sim) -> Result<(), String> {
    let text = run_text(sim)?;
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|_| "the file could not be made")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "the file could not be made")?;
    let done = download(&file_name(sim), &url);
    let _ = web_sys::Url::revoke_object_url(&url);
    done
}

/// Makes the browser download `href` (a data or object URL) as a file named `name`.
pub fn download(name: &str, href: &str) -> Result<(), String> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement =
        doc.create_element("a").map_err(|_| "no link")?.dyn_into().map_err(|_| "no link")?;
    a.set_href(href);
    a.set_download(name);
    a.click();
    Ok(())
}

/// Opens a file's text: a scenario plays from its start, a saved run shows the moment it was saved (paused).
pub fn open_text(sim: Sim, text: &str) -> Result<String, String> {
    if text.len() > RUN_TEXT_BYTES_MAX {
        return Err(format!(
            "a run or scenario file has at most {RUN_TEXT_BYTES_MAX} bytes; this one has {}",
            text.len()
        ));
    }
    crate::scenarios::load(sim, text, false)
}

/// Reads a chosen or dropped file and opens it; `done` hears the description or what went wrong.
pub fn open_file(sim: Sim, file: web_sys::File, done: impl FnOnce(Result<String, String>) + 'static) {
    let name = file.name();
    if file.size() > RUN_TEXT_BYTES_MAX as f64 {
        return done(Err(format!(
            "{name} has {} bytes; a run or scenario file may have at most {RUN_TEXT_BYTES_MAX}",
            file.size()
        )));
    }
    leptos::task::spawn_local(async move {
        let text = match JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string()) {
            Some(t) => t,
            None => return done(Err(format!("{name} could not be read as text"))),
        };
        done(open_text(sim, &text).map_err(|e| format!("{name}: {e}")));
    });
}

/// Files dropped anywhere on the page open like a picked one; what happened is said in the toolbar.
pub fn install_drop(sim: Sim) {
    let over = window_event_listener(leptos::ev::dragover, |ev| ev.prevent_default());
    let drop = window_event_listener(leptos::ev::drop, move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) else { return };
        open_file(sim, file, move |r| {
            sim.notice.set(Some(match r {
                Ok(_) => "Opened the dropped file.".into(),
                Err(e) => format!("Could not open the dropped file, the run on screen stays: {e}"),
            }))
        });
    });
    // For the life of the page.
    std::mem::forget((over, drop));
}
