//! Logs: one row per node, entries coloured by term with their command readable, committed entries solid and
//! uncommitted ones dashed, and the leader's nextIndex/matchIndex for each follower. Rows scroll.

use crate::geometry::{term_color, term_fill};
use crate::sim::{Selection, Sim};
use leptos::prelude::*;
use raft_core::sim::server::Status;
use raft_core::types::Role;

/// Entries drawn per row; older ones are summarised.
const ENTRIES_SHOWN_MAX: usize = 60;

#[component]
pub fn LogsView(sim: Sim) -> impl IntoView {
    let ids = Memo::new(move |_| {
        sim.with(|c| c.servers().filter(|s| s.status != Status::Removed).map(|s| s.id).collect::<Vec<_>>())
    });
    view! {
        <h2>"Logs" <span class="sub">"solid: committed · dashed: not yet committed · colour: term"</span></h2>
        <div class="logs" role="table" aria-label="Logs of every node">
            <For each=move || ids.get() key=|id| *id children=move |id| view! { <LogRow sim=sim id=id /> } />
        </div>
    }
}

#[component]
fn LogRow(sim: Sim, id: u32) -> impl IntoView {
    // Two memos: a cheap fingerprint read every frame, and the row's entries rebuilt only when it changes.
    let fingerprint = Memo::new(move |_| {
        sim.with(|c| {
            let s = c.server(id)?;
            let (last, chain, commit, role) = match s.node.as_ref() {
                Some(n) => {
                    (n.log().last_index(), n.log().chain_at(n.log().last_index()), n.commit_index(), Some(n.role()))
                }
                None => (s.disk.log.last_index(), s.disk.log.chain_at(s.disk.log.last_index()), 0, None),
            };
            let progress = c.leader().and_then(|l| l.progress().get(&id).copied());
            Some((s.status, role, last, chain, commit, progress))
        })
    });
    let row = Memo::new(move |_| {
        let (status, role, total, _, commit, progress) = fingerprint.get()?;
        let entries = sim.peek(|c| c.log_view(id, ENTRIES_SHOWN_MAX));
        Some((status, role, entries, total, progress, commit))
    });
    view! {
        <div class="log-row" role="row">
            {move || row.get().map(|(status, role, entries, total, progress, commit)| {
                let label = match (status, role) {
                    (Status::Crashed, _) => "down",
                    (_, Some(Role::Leader)) => "leader",
                    (_, Some(Role::Candidate)) => "candidate",
                    _ => "follower",
                };
                let hidden = total as usize - entries.len();
                view! {
                    <div class=format!("log-head {label}") role="rowheader">
                        <button class="link" on:click=move |_| sim.selection.set(Selection::Node(id))>{format!("S{id}")}</button>
                        <span class="role">{label}</span>
                        <span class="meta">{format!("commit {commit}")}</span>
                        {progress.map(|p| view! { <span class="meta progress" title="the leader's nextIndex / matchIndex for this follower">{format!("next {} · match {}", p.next_index, p.match_index)}</span> })}
                    </div>
                    // Newest first in the DOM with row-reverse: reads oldest→newest left to right, and the
                    // scroll starts at the newest end.
                    <div class="log-entries" role="cell">
                        {entries.into_iter().rev().map(|e| {
                            let style = format!("border-color: {}; background: {}", term_color(e.term), if e.committed { term_fill(e.term) } else { "transparent".into() });
                            let next = progress.is_some_and(|p| p.next_index == e.index);
                            view! {
                                <span class=if e.committed { "entry committed" } else { "entry uncommitted" } class:next=next style=style
                                    title=format!("index {} · term {} · {}", e.index, e.term, if e.committed { "committed" } else { "not committed" })>
                                    <span class="idx">{e.index}</span>
                                    <span class="txt">{e.text}</span>
                                </span>
                            }
                        }).collect_view()}
                        {(hidden > 0).then(|| view! { <span class="more">{format!("… {hidden} earlier")}</span> })}
                    </div>
                }
            })}
        </div>
    }
}
