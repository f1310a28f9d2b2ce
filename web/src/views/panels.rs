//! The panels behind the side tabs: the replicated state (positions, arrays, committed messages, requests),
//! the history (status, nodes, elections per term, leaders per term), and the invariants. Each reads only the
//! aspects it shows, so a panel's DOM changes only when its data does.

use crate::geometry::fmt_time_ms;
use crate::sim::Sim;
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::sim::client::RequestStatus;

/// Rows shown in the history panels (newest first).
const HISTORY_ROWS_MAX: usize = 12;

#[component]
pub fn HistoryPanels(sim: Sim) -> impl IntoView {
    let nodes = Memo::new(move |_| sim.read(Aspect::Nodes, |c| c.node_views()));
    let elections = Memo::new(move |_| {
        sim.read(Aspect::History, |c| {
            c.history().elections.iter().rev().take(HISTORY_ROWS_MAX).cloned().collect::<Vec<_>>()
        })
    });
    let leaders = Memo::new(move |_| {
        sim.read(Aspect::History, |c| {
            c.history().leaders.iter().rev().take(HISTORY_ROWS_MAX).cloned().collect::<Vec<_>>()
        })
    });
    view! {
        <div class="panel">
            <h2>"Status"</h2>
            {move || { let s = sim.status(); view! {
                <table class="kv" id="status-panel"><tbody>
                    <tr><th>"time"</th><td>{fmt_time_ms(s.time_ms)}</td></tr>
                    <tr><th>"leader"</th><td>{s.leader.map_or("none".into(), |l| format!("S{l}"))}</td></tr>
                    <tr><th>"term"</th><td>{s.term}</td></tr>
                    <tr><th>"nodes up"</th><td>{format!("{} of {}", s.up, s.nodes)}</td></tr>
                    <tr><th>"commit index"</th><td>{s.commit_index}</td></tr>
                    <tr><th>"messages in flight"</th><td>{s.messages_in_flight}</td></tr>
                    <tr><th>"dropped: link full"</th><td title="a link holds at most 256 messages in flight">{s.dropped_link_full}</td></tr>
                    <tr><th>"events"</th><td>{s.events}</td></tr>
                </tbody></table>
            }}}
        </div>
        <div class="panel">
            <h2>"Nodes"</h2>
            <table class="grid"><thead><tr><th>"node"</th><th>"state"</th><th>"term"</th><th>"vote"</th><th>"commit"</th><th>"last"</th></tr></thead>
            <tbody>
                {move || nodes.get().into_iter().map(|n| {
                    let state = match n.role { Some(r) if n.status == raft_core::sim::server::Status::Up => r.name().to_string(), _ => format!("{:?}", n.status).to_lowercase() };
                    view! { <tr><td>{format!("S{}", n.id)}</td><td>{state}</td><td>{n.term}</td><td>{n.vote.map_or("–".into(), |v| format!("S{v}"))}</td><td>{n.commit}</td><td>{n.last_index}</td></tr> }
                }).collect_view()}
            </tbody></table>
        </div>
        <div class="panel">
            <h2>"Elections"</h2>
            <table class="grid" id="elections"><thead><tr><th>"term"</th><th>"candidate"</th><th>"votes"</th><th>"outcome"</th></tr></thead>
            <tbody>
                {move || elections.get().into_iter().map(|e| {
                    let outcome = format!("{:?}", e.outcome).to_lowercase();
                    let class = format!("outcome-{outcome}");
                    view! { <tr class=class><td>{e.term}</td><td>{format!("S{}", e.candidate)}</td>
                        <td>{e.votes.iter().map(|v| format!("S{v}")).collect::<Vec<_>>().join(" ")}</td><td>{outcome}</td></tr> }
                }).collect_view()}
            </tbody></table>
        </div>
        <div class="panel">
            <h2>"Leaders"</h2>
            <table class="grid" id="leaders"><thead><tr><th>"term"</th><th>"leader"</th><th>"from"</th><th>"until"</th></tr></thead>
            <tbody>
                {move || leaders.get().into_iter().map(|l| view! {
                    <tr><td>{l.term}</td><td>{format!("S{}", l.leader)}</td><td>{fmt_time_ms(l.since_us as f64 / 1000.0)}</td>
                    <td>{l.until_us.map_or("now".into(), |u| fmt_time_ms(u as f64 / 1000.0))}</td></tr>
                }).collect_view()}
            </tbody></table>
        </div>
    }
}

#[component]
pub fn StatePanels(sim: Sim) -> impl IntoView {
    let positions = Memo::new(move |_| sim.read(Aspect::Machines, |c| c.positions()));
    let arrays = Memo::new(move |_| sim.read(Aspect::Machines, |c| c.arrays()));
    let committed = Memo::new(move |_| {
        sim.read(Aspect::Machines, |c| {
            c.most_current().map(|s| s.machines.messages.messages.clone()).unwrap_or_default()
        })
    });
    let requests = Memo::new(move |_| {
        sim.read(Aspect::Requests, |c| c.requests().iter().rev().take(8).cloned().collect::<Vec<_>>())
    });
    view! {
        <div class="panel">
            <h2>"Positions"</h2>
            <table class="grid" id="positions"><thead><tr><th>"node"</th><th>"position"</th><th>"steps"</th></tr></thead>
            <tbody>
                {move || positions.get().into_iter().map(|p| view! {
                    <tr><td>{format!("S{}", p.node)}{p.leader.then_some(" ★")}</td><td>{format!("[{},{}]", p.x, p.y)}</td><td>{p.steps}</td></tr>
                }).collect_view()}
            </tbody></table>
        </div>
        <div class="panel">
            <h2>"Array on every node"</h2>
            <table class="grid" id="arrays">
            <thead><tr><th>"node"</th>{move || {
                let len = arrays.with(|a| a.first().map_or(0, |a| a.values.len()));
                (0..len).map(|i| view! { <th class="num">{format!("a[{i}]")}</th> }).collect_view()
            }}</tr></thead>
            <tbody>
                {move || arrays.get().into_iter().map(|a| view! {
                    <tr><td>{format!("S{}", a.node)}</td>{a.values.iter().map(|v| view! { <td class="num">{*v}</td> }).collect_view()}</tr>
                }).collect_view()}
            </tbody></table>
        </div>
        <div class="panel">
            <h2>"Message log"</h2>
            <ol class="messages-list" id="message-log">
                {move || committed.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ol>
            <h3>"Requests"</h3>
            <ul class="requests" id="requests">
                {move || requests.get().into_iter().map(|r| {
                    let status = match &r.status {
                        RequestStatus::Pending => "pending".to_string(),
                        RequestStatus::Applied { index } => format!("applied at index {index}"),
                        RequestStatus::Refused { reason } => format!("refused: {reason}"),
                    };
                    let path = r.path.iter().map(|n| format!("S{n}")).collect::<Vec<_>>().join(" → ");
                    view! { <li><span class="op">{r.op.describe()}</span>" · "{status}" · via "{path}
                        {(r.redirects > 0).then(|| format!(" ({} redirect{})", r.redirects, if r.redirects == 1 { "" } else { "s" }))}</li> }
                }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
pub fn Violations(sim: Sim) -> impl IntoView {
    view! {
        {move || {
            let vs = sim.read(Aspect::Violations, |c| c.violations().to_vec());
            if vs.is_empty() {
                view! { <div class="panel ok" id="violations"><h2>"Invariants"</h2><p>"✓ All safety invariants hold (checked after every event)."</p></div> }.into_any()
            } else {
                view! {
                    <div class="panel violated" id="violations">
                        <h2>{format!("⚠ {} invariant violation{}", vs.len(), if vs.len() == 1 { "" } else { "s" })}</h2>
                        <ul>{vs.into_iter().take(10).map(|v| view! {
                            <li><strong>{v.invariant.name()}</strong>{format!(" at {}: ", fmt_time_ms(v.at_us as f64 / 1000.0))}{v.message}</li>
                        }).collect_view()}</ul>
                    </div>
                }.into_any()
            }
        }}
    }
}
