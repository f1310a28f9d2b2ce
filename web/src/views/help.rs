//! The `?` overlay listing keyboard shortcuts.

use crate::sim::Sim;
use leptos::prelude::*;

pub const SHORTCUTS: [(&str, &str); 17] = [
    ("Space", "play / pause (in the course: next page)"),
    ("n or .", "step to the next event"),
    ("+ / −", "faster / slower"),
    ("1 … 9", "select node S1 … S9"),
    ("l", "select the leader"),
    ("k", "kill (crash) the selected node"),
    ("r", "restart the selected node"),
    ("p", "pause / resume the selected node"),
    ("t", "force the selected node's election timeout"),
    ("a", "add a node"),
    ("h", "heal the network"),
    ("d", "drop the selected message"),
    ("f", "presenter mode: big type for the room"),
    ("s", "logs / space-time diagram"),
    ("→ / Page Down", "in the course: next page (a presenter remote works)"),
    ("← / Page Up", "in the course: previous page"),
    ("? / Esc", "this help / close, deselect"),
];

/// The element that had focus before the dialog opened, to give it back on close.
fn active_element() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    web_sys::window()?.document()?.active_element()?.dyn_into().ok()
}

#[component]
pub fn Help(sim: Sim) -> impl IntoView {
    let close_button = NodeRef::<leptos::html::Button>::new();
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    // A modal dialog takes the focus when it opens and gives it back when it closes.
    Effect::new(move |was_open: Option<bool>| {
        let open = sim.help_open.get();
        if open && was_open != Some(true) {
            opener.set_value(active_element());
            request_animation_frame(move || {
                if let Some(b) = close_button.get_untracked() {
                    let _ = b.focus();
                }
            });
        } else if !open && was_open == Some(true) {
            if let Some(el) = opener.get_value() {
                let _ = el.focus();
            }
        }
        open
    });
    // Tab stays inside the dialog: its one control is the Close button.
    let trap = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Tab" {
            ev.prevent_default();
            if let Some(b) = close_button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    view! {
        <Show when=move || sim.help_open.get()>
            <div class="overlay" on:click=move |_| sim.help_open.set(false)>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title"
                    on:click=|ev| ev.stop_propagation() on:keydown=trap>
                    <h2 id="help-title">"Keyboard shortcuts"</h2>
                    <table class="shortcuts">
                        <tbody>
                            {SHORTCUTS.iter().map(|(k, what)| view! { <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                    <p class="hint">"Everything is also reachable with the mouse, touch, and Tab / Enter."</p>
                    <button class="primary" id="help-close" node_ref=close_button on:click=move |_| sim.help_open.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
