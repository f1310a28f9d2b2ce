//! Raft Escort in the browser. The app drives the real raft-core simulator; views render from its state and
//! never hold protocol state of their own. `main.rs` only mounts `App`.

pub mod advice;
pub mod api;
pub mod fetch;
pub mod files;
pub mod frame;
pub mod geometry;
pub mod input;
pub mod keys;
pub mod learn;
pub mod permalink;
pub mod picture;
pub mod ring_layout;
pub mod scenarios;
pub mod sim;
pub mod summary;
pub mod views;
pub mod watch;

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
    let learn = learn::Learn::new();
    provide_context(learn);
    permalink::load_from_location(sim);
    api::install(sim, learn);
    keys::install(sim, learn);
    learn.watch_run(sim);
    if learn::in_address() {
        learn.open_course(sim);
    }
    files::install_drop(sim);
    frame::start(sim);
    // Presenter mode scales the whole page (every size is in rem).
    Effect::new(move |_| {
        let on = sim.presenter.get();
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.class_list().toggle_with_force("presenter", on);
        }
    });
    // The logs row is as tall as its rows need, up to 38 % of the screen.
    // In the course the logs give up some height to the course card (30 % of the screen at most).
    let logs_height = move || {
        let vh = if learn.open.get() { 30 } else { 38 };
        format!("--logs-h: min({vh}vh, calc(5.6rem + 30px + {} * 3.1rem))", sim.ring.with(|r| r.len()))
    };
    view! {
        <views::toolbar::Toolbar sim=sim learn=learn />
        <views::timeline::Timeline sim=sim />
        <main class="layout" class:learning=move || learn.open.get() style=logs_height>
            <Show when=move || learn.open.get()>
                <views::learn::LearnCard sim=sim learn=learn />
            </Show>
            <section class="card cluster-card" aria-label="Cluster">
                <views::cluster::ClusterView sim=sim />
            </section>
            <section class="card side-card" aria-label="Inspector and controls">
                <views::side::Side sim=sim />
            </section>
            <section class="card logs-card" aria-label="Logs and space-time diagram">
                <views::bottom::Bottom sim=sim />
            </section>
        </main>
        <views::help::Help sim=sim />
    }
}
