//! What users can do: client requests, the network, timing, the cluster itself, and "break Raft" switches.
//! Every form checks its input first and says what is wrong next to it; what it sends is a `Command`.

use crate::input::int_field;
use crate::scenarios::Exposure;
use crate::sim::Sim;
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::machine::op::Op;
use raft_core::sim::Settings;
use raft_core::{Command, PlantedBug, SimConfig};
use wasm_bindgen::JsCast;

pub fn apply_or_error(sim: Sim, cmd: Command, err: RwSignal<Option<String>>) {
    match sim.apply(cmd) {
        Ok(()) => err.set(None),
        Err(e) => err.set(Some(e)),
    }
}

pub fn error_line(err: RwSignal<Option<String>>, id: &'static str) -> impl IntoView {
    move || err.get().map(|e| view! { <p class="field-error" role="alert" id=id>{e}</p> })
}

#[component]
pub fn ClientActions(sim: Sim) -> impl IntoView {
    let (dx, dy) = (RwSignal::new("5".to_string()), RwSignal::new("0".to_string()));
    let (idx, val) = (RwSignal::new("0".to_string()), RwSignal::new("7".to_string()));
    let text = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let (move_err, set_err, send_err) = (RwSignal::new(None), RwSignal::new(None), RwSignal::new(None));
    let nodes = sim.ring;

    let do_move = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = int_field("x", &dx.get_untracked(), -1000, 1000)
            .and_then(|x| int_field("y", &dy.get_untracked(), -1000, 1000).map(|y| (x, y)));
        match parsed {
            Ok((x, y)) => apply_or_error(
                sim,
                Command::Request { client: None, to: None, op: Op::Move { dx: x, dy: y } },
                move_err,
            ),
            Err(e) => move_err.set(Some(e)),
        }
    };
    let do_set = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let len = sim.peek(|c| c.config().machine.array_len) as i64;
        let parsed = int_field("index", &idx.get_untracked(), 0, len - 1)
            .and_then(|i| int_field("value", &val.get_untracked(), i64::MIN + 1, i64::MAX).map(|v| (i, v)));
        match parsed {
            Ok((i, v)) => apply_or_error(
                sim,
                Command::Request { client: None, to: None, op: Op::Set { index: i as u32, value: v } },
                set_err,
            ),
            Err(e) => set_err.set(Some(e)),
        }
    };
    let do_send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = text.get_untracked();
        let max = sim.peek(|c| c.config().machine.message_chars_max);
        if t.trim().is_empty() {
            return send_err.set(Some("write a message first".into()));
        }
        if t.chars().count() > max {
            return send_err
                .set(Some(format!("a message has at most {max} characters; this one has {}", t.chars().count())));
        }
        let target = to.get_untracked().parse::<u32>().ok();
        apply_or_error(sim, Command::Request { client: None, to: target, op: Op::Message { text: t } }, send_err);
        if send_err.get_untracked().is_none() {
            text.set(String::new());
        }
    };
    view! {
        <fieldset class="group">
            <legend>"Clients"</legend>
            <form on:submit=do_move aria-label="Move the formation">
                <span class="label">"Move formation by"</span>
                <input aria-label="dx" id="move-dx" inputmode="numeric" size="4" prop:value=dx on:input=move |ev| dx.set(event_target_value(&ev)) />
                <input aria-label="dy" id="move-dy" inputmode="numeric" size="4" prop:value=dy on:input=move |ev| dy.set(event_target_value(&ev)) />
                <button type="submit" id="move-submit">"Move"</button>
                {error_line(move_err, "move-error")}
            </form>
            <form on:submit=do_set aria-label="Set an array element">
                <span class="label">"Set a["</span>
                <input aria-label="index" id="set-index" inputmode="numeric" size="3" prop:value=idx on:input=move |ev| idx.set(event_target_value(&ev)) />
                <span class="label">"] ="</span>
                <input aria-label="value" id="set-value" inputmode="numeric" size="5" prop:value=val on:input=move |ev| val.set(event_target_value(&ev)) />
                <button type="submit" id="set-submit">"Set"</button>
                {error_line(set_err, "set-error")}
            </form>
            <form on:submit=do_send aria-label="Send a message">
                <input aria-label="message text" id="send-text" placeholder="a message…" prop:value=text on:input=move |ev| text.set(event_target_value(&ev)) />
                <select aria-label="send to node" id="send-to" on:change=move |ev| to.set(event_target_value(&ev))>
                    <option value="">"any node"</option>
                    {move || nodes.get().into_iter().map(|n| view! { <option value=n.to_string()>{format!("to S{n}")}</option> }).collect_view()}
                </select>
                <button type="submit" id="send-submit">"Send"</button>
                {error_line(send_err, "send-error")}
            </form>
        </fieldset>
    }
}

#[component]
pub fn NetworkActions(sim: Sim) -> impl IntoView {
    // Group per node for the partition builder: 0 = A, 1 = B, 2 = C.
    let groups = RwSignal::new(std::collections::BTreeMap::<u32, usize>::new());
    let (cut_from, cut_to) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let err = RwSignal::new(None);
    let nodes = sim.ring;
    // The chips show the network's split as it is (with the ring's group letters) whenever it changes: made
    // here, by "Isolate leader", a scenario or the JS API, or healed. A split of more than three groups is
    // left to the banner; the chips keep their draft.
    let split = Memo::new(move |_| nodes.with(|ids| sim.read(Aspect::Network, |c| super::cuts::group_letters(c, ids))));
    Effect::new(move |_| {
        let letters = split.get();
        if letters.iter().all(|(_, l)| *l <= 'C') {
            // Inserted one by one: collecting into a map sorts, and a sort's code costs the page kilobytes.
            let mut chips = std::collections::BTreeMap::new();
            for (n, l) in letters {
                chips.insert(n, (l as u8 - b'A') as usize);
            }
            groups.set(chips);
        }
    });
    let apply_partition = move |_| {
        let g = groups.get_untracked();
        let mut out: Vec<Vec<u32>> = vec![Vec::new(); 3];
        for n in nodes.get_untracked() {
            out[*g.get(&n).unwrap_or(&0)].push(n);
        }
        out.retain(|g| !g.is_empty());
        if out.len() < 2 {
            return err.set(Some("put at least one node in group B to split the network".into()));
        }
        apply_or_error(sim, Command::Partition { groups: out }, err);
    };
    let isolate_leader = move |_| {
        let Some(l) = sim.peek(|c| c.leader().map(|l| l.id())) else {
            return err.set(Some("there is no leader to isolate".into()));
        };
        let rest: Vec<u32> = nodes.get().into_iter().filter(|n| *n != l).collect();
        apply_or_error(sim, Command::Partition { groups: vec![vec![l], rest] }, err);
    };
    let do_cut = move |_| match (cut_from.get_untracked().parse::<u32>(), cut_to.get_untracked().parse::<u32>()) {
        (Ok(from), Ok(to)) => apply_or_error(sim, Command::Cut { from, to }, err),
        _ => err.set(Some("choose both ends of the link to cut".into())),
    };
    let heal = move |_| {
        groups.set(Default::default());
        apply_or_error(sim, Command::Heal, err);
    };
    view! {
        <fieldset class="group">
            <legend>"Network"</legend>
            <div class="partition-builder" role="group" aria-label="Partition groups">
                {move || nodes.get().into_iter().map(|n| {
                    let g = move || *groups.get().get(&n).unwrap_or(&0);
                    view! {
                        <button class=move || format!("group-chip g{}", g()) aria-label=move || format!("S{n} in group {}", ["A", "B", "C"][g()])
                            data-node=n on:click=move |_| groups.update(|m| { let e = m.entry(n).or_insert(0); *e = (*e + 1) % 3; })>
                            {format!("S{n}")}<small>{move || ["A", "B", "C"][g()]}</small>
                        </button>
                    }
                }).collect_view()}
            </div>
            <p class="hint">"Click a node to move it between groups A, B and C, then split."</p>
            <div class="buttons">
                <button id="partition-apply" on:click=apply_partition>"Split network"</button>
                <button id="isolate-leader" on:click=isolate_leader>"Isolate leader"</button>
                <button class="primary" id="heal" on:click=heal>"Heal all (h)"</button>
            </div>
            <div class="cut-row">
                <span class="label">"Cut one way"</span>
                <select aria-label="cut from" id="cut-from" on:change=move |ev| cut_from.set(event_target_value(&ev))>
                    <option value="">"from…"</option>
                    {move || nodes.get().into_iter().map(|n| view! { <option value=n.to_string()>{format!("S{n}")}</option> }).collect_view()}
                </select>
                "→"
                <select aria-label="cut to" id="cut-to" on:change=move |ev| cut_to.set(event_target_value(&ev))>
                    <option value="">"to…"</option>
                    {move || nodes.get().into_iter().map(|n| view! { <option value=n.to_string()>{format!("S{n}")}</option> }).collect_view()}
                </select>
                <button id="cut-apply" on:click=do_cut>"Cut"</button>
            </div>
            {error_line(err, "network-error")}
        </fieldset>
    }
}

#[component]
pub fn ClusterActions(sim: Sim) -> impl IntoView {
    // The size and seed fields show the run's own (after a scenario, a link or a reset), like the timing fields.
    let run = Memo::new(move |_| {
        sim.read(Aspect::Commands, |c| (c.initial_config().nodes, c.config().seed, c.config().raft.bugs))
    });
    let size = RwSignal::new(run.get_untracked().0.to_string());
    let seed = RwSignal::new(run.get_untracked().1.to_string());
    Effect::new(move |_| {
        let (n, s, _) = run.get();
        size.set(n.to_string());
        seed.set(s.to_string());
    });
    let err = RwSignal::new(None);
    let add = move |_| apply_or_error(sim, Command::AddNode, err);
    let reset = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = int_field("cluster size", &size.get_untracked(), 1, 51)
            .and_then(|n| int_field("seed", &seed.get_untracked(), 0, i64::MAX).map(|s| (n, s)));
        match parsed {
            Ok((n, s)) => {
                let raft = sim.peek(|c| c.config().raft.clone());
                let mut cfg = SimConfig { nodes: n as usize, seed: s as u64, ..crate::default_config() };
                // What the Protocol section and the bug switches say stays as they say it.
                cfg.raft.bugs = raft.bugs;
                cfg.raft.protocol = raft.protocol;
                cfg.raft.snapshot_after_entries = raft.snapshot_after_entries;
                match sim.reset(cfg) {
                    Ok(()) => {
                        err.set(None);
                        sim.scenario.set(None);
                    }
                    Err(e) => err.set(Some(e)),
                }
            }
            Err(e) => err.set(Some(e)),
        }
    };
    let march = move || sim.read(Aspect::Commands, |c| c.config().machine.march);
    let about = sim.scenario;
    let fetching = RwSignal::new(false);
    // Loads a scenario or a planted bug's run; the page keeps its run until the new one is ready.
    let show = move |what: Exposure, to_violation: bool| {
        fetching.set(true);
        crate::scenarios::fetch_and_show(sim, what, to_violation, move |result| {
            fetching.set(false);
            match result {
                Ok(description) => {
                    err.set(None);
                    let name = match what {
                        Exposure::Scenario(n) => n.to_string(),
                        Exposure::Run(_) => String::new(),
                    };
                    about.set(Some((name, description)));
                }
                Err(e) => err.set(Some(e)),
            }
        });
    };
    let clear_bugs = move |_| {
        apply_or_error(
            sim,
            Command::Configure {
                settings: Settings { bugs: Some(raft_core::bugs::Bugs::none()), ..Default::default() },
            },
            err,
        )
    };
    // What Start over keeps, said next to it: a planted bug must never stay on unnoticed.
    let keeps = move || {
        let (_, _, bugs) = run.get();
        let names: Vec<&str> = bugs.iter().map(|b| b.name()).collect();
        (!names.is_empty()).then(|| view! {
            <p class="keeps" id="reset-keeps">
                <span>{format!("Start over keeps the planted bug{}: {}.", if names.len() == 1 { "" } else { "s" }, names.join(", "))}</span>
                <button id="clear-bugs" on:click=clear_bugs>"Switch them off"</button>
            </p>
        })
    };
    view! {
        <fieldset class="group">
            <legend>"Cluster"</legend>
            <div class="buttons">
                <button id="add-node" on:click=add>"Add a node (a)"</button>
                <label class="check"><input type="checkbox" id="march" prop:checked=march
                    on:change=move |ev| { let on = event_target_checked(&ev); apply_or_error(sim, Command::Configure { settings: Settings { march: Some(on), ..Default::default() } }, err) } />
                    "leader marches the escort"</label>
            </div>
            <form on:submit=reset class="reset" aria-label="Start over">
                <label><span>"nodes"</span><input id="reset-size" inputmode="numeric" size="3" prop:value=size on:input=move |ev| size.set(event_target_value(&ev)) /></label>
                <label><span>"seed"</span><input id="reset-seed" inputmode="numeric" size="6" prop:value=seed on:input=move |ev| seed.set(event_target_value(&ev)) /></label>
                <button type="submit" id="reset">"Start over"</button>
            </form>
            <p class="hint">"Start over: a new cluster of this size and seed, with the default timing; the protocol switches and log compaction stay as they are."</p>
            {keeps}
            <label class="scenario-pick"><span>"Scenario"</span>
                <select id="scenario" on:change=move |ev| {
                    let name = event_target_value(&ev);
                    if let Some((name, _)) = crate::scenarios::BUILT_IN.iter().find(|(n, _)| *n == name) {
                        show(Exposure::Scenario(name), false);
                    }
                } prop:value=move || about.get().map(|(n, _)| n).unwrap_or_default()>
                    <option value="">"choose one to watch…"</option>
                    {crate::scenarios::BUILT_IN.iter().map(|(name, title)| view! { <option value=*name>{*title}</option> }).collect_view()}
                </select>
            </label>
            <div class="buttons run-files">
                <button id="save-run" on:click=move |_| if let Err(e) = crate::files::save(sim) { err.set(Some(e)) }>"Save this run"</button>
                <label class="file-button">"Open a run or scenario file…"
                    <input type="file" id="open-run" accept=".json,application/json" on:change=move |ev| {
                        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
                        let Some(input) = input else { return };
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            fetching.set(true);
                            crate::files::open_file(sim, file, move |r| {
                                fetching.set(false);
                                match r {
                                    Ok(d) => { err.set(None); about.set(Some((String::new(), d))); }
                                    Err(e) => err.set(Some(e)),
                                }
                            });
                        }
                        input.set_value("");
                    } />
                </label>
            </div>
            <p class="hint">"A saved run is a scenario file: it opens here (or dropped on the page) at the moment it was saved, and "<code>"raft-sim run"</code>" replays it to the same trace hash."</p>
            {move || fetching.get().then(|| view! { <p class="hint" role="status">"Fetching…"</p> })}
            {move || about.get().map(|(n, d)| view! { <p class="scenario-about" id="scenario-about" data-scenario=n>{d}</p> })}
            <super::protocol::ProtocolSwitches sim=sim />
            <section class="bugs" aria-labelledby="bugs-title">
                <h3 id="bugs-title">"Break Raft (planted bugs)"</h3>
                <p class="hint">"Each switch plants a known Raft mistake; the checker must catch it. \"Show me\" plays a run where it does."</p>
                <ul class="bug-list">
                {PlantedBug::ALL.into_iter().map(|bug| {
                    let on = move || sim.read(Aspect::Commands, |c| c.config().raft.bugs.has(bug));
                    view! {
                        <li>
                            <label class="check">
                                <input type="checkbox" prop:checked=on on:change=move |ev| {
                                    let want = event_target_checked(&ev);
                                    let cur = sim.peek(|c| c.config().raft.bugs);
                                    let next: raft_core::bugs::Bugs = cur.iter().filter(|b| *b != bug).chain(want.then_some(bug)).collect();
                                    apply_or_error(sim, Command::Configure { settings: Settings { bugs: Some(next), ..Default::default() } }, err);
                                } />
                                <span><strong>{bug.name()}</strong>" — "{bug.describe()}
                                    {bug.needs().map(|what| format!(" (only with {what} on; Show me switches it on)"))}</span>
                            </label>
                            <button class="show-me" id=format!("show-{}", bug.name()) on:click=move |_| show(crate::scenarios::exposure(bug), true)>
                                "Show me"</button>
                        </li>
                    }
                }).collect_view()}
                </ul>
            </section>
            {error_line(err, "cluster-error")}
        </fieldset>
    }
}
