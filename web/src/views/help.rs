//! The `?` overlay listing keyboard shortcuts.

use crate::sim::Sim;
use leptos::prelude::*;

pub const SHORTCUTS: [(&str, &str); 14] = [
    ("Space", "play / pause"),
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
    ("? / Esc", "this help / close, deselect"),
];

#[component]
pub fn Help(sim: Sim) -> impl IntoView {
    view! {
        <Show when=move || sim.help_open.get()>
            <div class="overlay" on:click=move |_| sim.help_open.set(false)>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title"
                    on:click=|ev| ev.stop_propagation()>
                    <h2 id="help-title">"Keyboard shortcuts"</h2>
                    <table class="shortcuts">
                        <tbody>
                            {SHORTCUTS.iter().map(|(k, what)| view! { <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                    <p class="hint">"Everything is also reachable with the mouse, touch, and Tab / Enter."</p>
                    <button class="primary" on:click=move |_| sim.help_open.set(false) autofocus>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
