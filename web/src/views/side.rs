//! The side column: one tab list for acting (inspector, clients, network, timing, cluster) and looking (the
//! formation, the replicated state, history, invariants). A view that only shows state is built when its tab
//! opens, so a hidden one costs nothing while the run plays; forms stay (hidden) so that what was typed
//! survives a tab switch. Clicking a node opens the inspector; the alarm opens the invariants.

use crate::sim::Sim;
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Inspector,
    Clients,
    Network,
    Timing,
    Cluster,
    Formation,
    State,
    History,
    Invariants,
}

impl Tab {
    pub const ALL: [Tab; 9] = [
        Tab::Inspector,
        Tab::Formation,
        Tab::Clients,
        Tab::Network,
        Tab::Timing,
        Tab::Cluster,
        Tab::State,
        Tab::History,
        Tab::Invariants,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Inspector => "Inspector",
            Tab::Clients => "Clients",
            Tab::Network => "Network",
            Tab::Timing => "Timing",
            Tab::Cluster => "Cluster",
            Tab::Formation => "Formation",
            Tab::State => "State",
            Tab::History => "History",
            Tab::Invariants => "Invariants",
        }
    }

    /// The element id of the tab button, from its label: "tab-inspector".
    pub fn id(self) -> String {
        format!("tab-{}", self.label().to_lowercase())
    }

    /// The element id of the tab's panel: "panel-inspector".
    pub fn panel_id(self) -> String {
        format!("panel-{}", self.label().to_lowercase())
    }
}

#[component]
pub fn Side(sim: Sim) -> impl IntoView {
    let tab = sim.tab;
    // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab leaves the list.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let i = Tab::ALL.iter().position(|t| *t == tab.get_untracked()).unwrap_or(0);
        let n = Tab::ALL.len();
        let j = match ev.key().as_str() {
            "ArrowRight" => (i + 1) % n,
            "ArrowLeft" => (i + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        tab.set(Tab::ALL[j]);
        if let Some(el) =
            web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&Tab::ALL[j].id()))
        {
            use wasm_bindgen::JsCast;
            let _ = el.dyn_into::<web_sys::HtmlElement>().map(|e| e.focus());
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label="Panels" on:keydown=on_key>
            {Tab::ALL.into_iter().map(|t| view! {
                <button role="tab" id=t.id() class="tab"
                    class:tab-alarm=move || t == Tab::Invariants && sim.read(crate::watch::Aspect::Violations, |c| !c.violations().is_empty())
                    aria-selected=move || (tab.get() == t).to_string()
                    aria-controls=t.panel_id()
                    tabindex=move || if tab.get() == t { "0" } else { "-1" }
                    on:click=move |_| tab.set(t)>{t.label()}</button>
            }).collect_view()}
        </div>
        // Forms stay in the page while hidden, so what was typed survives a tab switch; views that only show
        // state are built when their tab opens.
        <Panel sim=sim t=Tab::Inspector keep=false><super::inspector::Inspector sim=sim /></Panel>
        <Panel sim=sim t=Tab::Formation keep=false><super::formation::FormationView sim=sim /></Panel>
        <Panel sim=sim t=Tab::Clients keep=true><super::actions::ClientActions sim=sim /></Panel>
        <Panel sim=sim t=Tab::Network keep=true><super::actions::NetworkActions sim=sim /></Panel>
        <Panel sim=sim t=Tab::Timing keep=true><super::tuning::Tuning sim=sim /></Panel>
        <Panel sim=sim t=Tab::Cluster keep=true><super::actions::ClusterActions sim=sim /></Panel>
        <Panel sim=sim t=Tab::State keep=false><super::panels::StatePanels sim=sim /></Panel>
        <Panel sim=sim t=Tab::History keep=false><super::panels::HistoryPanels sim=sim /></Panel>
        <Panel sim=sim t=Tab::Invariants keep=false><super::panels::Violations sim=sim /></Panel>
    }
}

/// One tab's panel: hidden unless its tab is open. `keep` keeps the content in the page while hidden.
#[component]
fn Panel(sim: Sim, t: Tab, keep: bool, children: ChildrenFn) -> impl IntoView {
    let open = move || sim.tab.get() == t;
    view! {
        <div class="tab-panel" id=t.panel_id() role="tabpanel" aria-labelledby=t.id() hidden=move || !open()>
            {move || (keep || open()).then(|| children())}
        </div>
    }
}
