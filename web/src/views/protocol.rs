//! The "Protocol" switches: the dissertation's extensions to Figure 2, listed from `raft_core::protocol::OPTIONS`
//! (so a new switch appears here without touching this file). Each change is a recorded `Configure` command.

use super::actions::{apply_or_error, error_line};
use crate::input::int_field;
use crate::sim::Sim;
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::protocol::OPTIONS;
use raft_core::sim::Settings;
use raft_core::Command;

#[component]
pub fn ProtocolSwitches(sim: Sim) -> impl IntoView {
    let err = RwSignal::new(None);
    view! {
        <section class="protocol" aria-labelledby="protocol-title">
            <h3 id="protocol-title">"Protocol"</h3>
            <p class="hint">"All off is the paper's Figure 2, exactly. Each switch adds one of the dissertation's extensions, live."</p>
            <ul class="bug-list">
            {OPTIONS.iter().map(|o| {
                let on = move || sim.read(Aspect::Commands, |c| (o.get)(&c.config().raft.protocol));
                view! {
                    <li>
                        <label class="check">
                            <input type="checkbox" id=format!("protocol-{}", o.key) prop:checked=on on:change=move |ev| {
                                let mut p = sim.peek(|c| c.config().raft.protocol);
                                (o.set)(&mut p, event_target_checked(&ev));
                                apply_or_error(sim, Command::Configure { settings: Settings { protocol: p.into(), ..Default::default() } }, err);
                            } />
                            <span><strong>{o.title}</strong>{format!(" ({}) — {}", o.section, o.why)}</span>
                        </label>
                    </li>
                }
            }).collect_view()}
            </ul>
            <label class="check idle-heartbeats">
                <input type="checkbox" id="idle-heartbeats"
                    prop:checked=move || sim.read(Aspect::Commands, |c| c.config().raft.idle_heartbeats)
                    on:change=move |ev| {
                        let settings = Settings { idle_heartbeats: Some(event_target_checked(&ev)), ..Default::default() };
                        apply_or_error(sim, Command::Configure { settings }, err);
                    } />
                <span><strong>"Heartbeats only to idle followers"</strong>
                    " (Figure 2: \"repeat during idle periods\") — a follower sent entries within the interval gets no empty AppendEntries. Off: every follower gets one every interval, as etcd and raft-rs do."</span>
            </label>
            <label class="snapshot-after"><span>"Log compaction (dissertation ch. 5): snapshot after"</span>
                <input id="snapshot-after" inputmode="numeric" size="5"
                    prop:value=move || sim.read(Aspect::Commands, |c| c.config().raft.snapshot_after_entries.to_string())
                    on:change=move |ev| {
                        let max = raft_core::config::SNAPSHOT_AFTER_ENTRIES_MAX as i64;
                        match int_field("snapshot after", &event_target_value(&ev), 0, max) {
                            Ok(n) => apply_or_error(sim, Command::Configure { settings: Settings { snapshot_after_entries: Some(n as u64), ..Default::default() } }, err),
                            Err(e) => err.set(Some(e)),
                        }
                    } />
                <span>"applied entries (0: never). A follower that needs compacted entries gets the snapshot in chunks."</span>
            </label>
            {error_line(err, "protocol-error")}
        </section>
    }
}
