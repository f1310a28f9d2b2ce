//! The wide card under the ring: the logs (column per index) or the space-time diagram (lane per node), one at
//! a time, switched by two tabs (or the `s` key).

use crate::sim::Sim;
use leptos::prelude::*;

#[component]
pub fn Bottom(sim: Sim) -> impl IntoView {
    let diagram = sim.diagram;
    let tab = move |on: bool, id: &'static str, label: &'static str| {
        view! {
            <button role="tab" id=id class="tab" aria-selected=move || (diagram.get() == on).to_string()
                on:click=move |_| diagram.set(on)>{label}</button>
        }
    };
    view! {
        <div class="tabs bottom-tabs" role="tablist" aria-label="Logs or space-time diagram">
            {tab(false, "tab-logs", "Logs")}
            {tab(true, "tab-spacetime", "Space-time diagram (s)")}
        </div>
        <Show when=move || !diagram.get() fallback=move || view! { <super::spacetime::SpaceTime sim=sim /> }>
            <super::logs::LogsView sim=sim />
        </Show>
    }
}
