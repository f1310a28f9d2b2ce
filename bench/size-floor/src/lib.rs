//! A page that reads a config, runs the simulator for a virtual second and shows the trace hash: everything the
//! app needs from raft-core and Leptos, and none of its UI.

use leptos::prelude::*;
use raft_core::{Cluster, SimConfig};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    let hash = RwSignal::new(0u64);
    let config = RwSignal::new(String::from("{}"));
    let run = move |_| {
        let Ok(cfg) = serde_json::from_str::<SimConfig>(&config.get()) else { return };
        let Ok(mut cluster) = Cluster::new(cfg) else { return };
        cluster.run_until(1_000_000);
        hash.set(cluster.trace_hash());
    };
    mount_to_body(move || {
        view! {
            <input on:input=move |e| config.set(event_target_value(&e)) />
            <button on:click=run>"run"</button>
            <p>{move || hash.get()}</p>
        }
    });
}
