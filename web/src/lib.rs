//! Raft Escort in the browser. The app drives the real raft-core simulator; views render from its state and
//! never hold protocol state of their own. `main.rs` only mounts `App`.

pub mod api;
pub mod frame;
pub mod geometry;
pub mod input;
pub mod keys;
pub mod permalink;
pub mod scenarios;
pub mod sim;
pub mod views;

use leptos::prelude::*;
use raft_core::SimConfig;
use sim::Sim;

/// The config a visitor starts with: five nodes, the escort marching, a calm network.
pub fn default_config() -> SimConfig {
    SimConfig { nodes: 5, seed: 1, ..SimConfig::default() }
}

#[component]
pub fn App() -> impl IntoView {
    let sim = Sim::new(default_config());
    provide_context(sim);
    permalink::load_from_location(sim);
    api::install(sim);
    keys::install(sim);
    frame::start(sim);
    view! {
        <views::toolbar::Toolbar sim=sim />
        <main class="layout">
            <section class="card cluster-card" aria-label="Cluster">
                <views::cluster::ClusterView sim=sim />
            </section>
            <section class="card formation-card" aria-label="Formation">
                <views::formation::FormationView sim=sim />
            </section>
            <section class="card inspector-card" aria-label="Inspector">
                <views::inspector::Inspector sim=sim />
            </section>
            <section class="card logs-card" aria-label="Logs">
                <views::logs::LogsView sim=sim />
            </section>
            <section class="card actions-card" aria-label="Actions">
                <views::actions::Actions sim=sim />
            </section>
            <section class="panels" aria-label="Panels">
                <views::panels::Panels sim=sim />
            </section>
        </main>
        <views::help::Help sim=sim />
    }
}
