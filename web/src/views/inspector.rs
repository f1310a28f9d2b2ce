//! Everything about the selected node or message, and the actions that apply to it.

use super::actions::{apply_or_error, error_line};
use super::cluster::endpoint_name;
use crate::geometry::fmt_time_ms;
use crate::sim::{Selection, Sim};
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::sim::server::Status;
use raft_core::types::Role;
use raft_core::Command;

/// How long the inspector's "Stall disk" button stalls a node's disk: longer than the default election timeout.
const STALL_BUTTON_MS: u64 = 1_000;

#[component]
pub fn Inspector(sim: Sim) -> impl IntoView {
    view! {
        {move || match sim.selection.get() {
            Selection::None => view! {
                <p class="hint">"Click a node or a message to see everything about it and act on it."</p>
                <super::feed::Feed sim=sim />
            }.into_any(),
            Selection::Node(id) => view! { <NodeInspector sim=sim id=id /> }.into_any(),
            Selection::Message(id) => view! { <MessageInspector sim=sim id=id /> }.into_any(),
        }}
    }
}

fn row(k: &'static str, v: String) -> impl IntoView {
    view! { <tr><th scope="row">{k}</th><td>{v}</td></tr> }
}

#[component]
fn NodeInspector(sim: Sim, id: u32) -> impl IntoView {
    // A refused action (a hand-over with no leader, say) is said under the buttons.
    let err = RwSignal::new(None);
    let act = move |cmd: Command| apply_or_error(sim, cmd, err);
    // The buttons depend on the status (and whether this node leads) alone: they are built again only when
    // that changes, never per frame, so a click while the run plays lands on the button it aimed at.
    let status = Memo::new(move |_| sim.read(Aspect::Node(id), |c| c.server(id).map(|s| s.status)));
    let leads =
        Memo::new(move |_| sim.read(Aspect::Node(id), |c| c.node(id).is_some_and(|n| n.role() == Role::Leader)));
    let timer = move || {
        sim.with(|c| {
            let n = c.node(id).filter(|n| n.role() != raft_core::types::Role::Leader)?;
            let left = n.election_deadline_us().saturating_sub(c.now_us()) as f64 / 1000.0;
            Some(format!("{} left of {}", fmt_time_ms(left), fmt_time_ms(n.election_timeout_us() as f64 / 1000.0)))
        })
    };
    view! {
        <div class="inspect">
            <h3>{format!("Server S{id}")}</h3>
            <div class="buttons" role="group" aria-label=format!("Actions on S{id}")>
                {move || match status.get() {
                    Some(Status::Up) => view! {
                        <button class="danger" on:click=move |_| act(Command::Crash { node: id })>"Kill (k)"</button>
                        <button on:click=move |_| act(Command::Pause { node: id })>"Pause (p)"</button>
                        <button on:click=move |_| act(Command::Timeout { node: id })>"Time out (t)"</button>
                        <button on:click=move |_| act(Command::StallDisk { node: id, stall_ms: STALL_BUTTON_MS })
                            title="No write of this node reaches its disk for one second: its votes and acknowledgements wait">
                            "Stall disk 1 s"</button>
                        <button on:click=move |_| act(Command::RemoveNode { node: id })>"Remove from cluster"</button>
                        {move || (!leads.get()).then(|| view! {
                            <button id="transfer-here" on:click=move |_| act(Command::TransferLeader { to: id })
                                title="Leadership transfer (dissertation §3.10): the leader brings this node up to date and tells it to start an election now">
                                "Make leader (hand over)"</button>
                        })}
                    }.into_any(),
                    Some(Status::Paused) => view! {
                        <button class="danger" on:click=move |_| act(Command::Crash { node: id })>"Kill (k)"</button>
                        <button class="primary" on:click=move |_| act(Command::Resume { node: id })>"Resume (p)"</button>
                    }.into_any(),
                    Some(Status::Crashed) => view! {
                        <button class="primary" on:click=move |_| act(Command::Restart { node: id })>"Restart (r)"</button>
                        <button on:click=move |_| act(Command::RemoveNode { node: id })>"Remove from cluster"</button>
                    }.into_any(),
                    _ => view! { <span class="hint">"Removed from the cluster."</span> }.into_any(),
                }}
            </div>
            {error_line(err, "inspector-error")}
            <table class="kv"><tbody>
                {move || sim.read(Aspect::Node(id), |c| {
                    let Some(s) = c.server(id) else { return vec![row("status", "gone".into()).into_any()] };
                    let now = c.now_us();
                    let mut rows = vec![row("status", format!("{:?}", s.status).to_lowercase()).into_any()];
                    match s.node.as_ref() {
                        Some(n) => {
                            rows.push(row("role", n.role().name().to_string()).into_any());
                            rows.push(row("term", n.term().to_string()).into_any());
                            rows.push(row("voted for", n.voted_for().map_or("nobody".into(), |v| format!("S{v}"))).into_any());
                            let log = n.log();
                            let held = log_held(log.start().index > 0, log.first_index(), log.last_index());
                            rows.push(row("log", format!("{held}, last term {}", log.last_term())).into_any());
                            rows.push(row("commit index", n.commit_index().to_string()).into_any());
                            rows.push(row("applied index", n.applied_index().to_string()).into_any());
                            rows.push(row("durable up to", n.stable_index().to_string()).into_any());
                            let disk = match (s.pending.len(), s.disk_stalled_until_us > now) {
                                (w, true) => format!("stalled until {}, {w} writes waiting", fmt_time_ms(s.disk_stalled_until_us as f64 / 1000.0)),
                                (0, false) => "idle".to_string(),
                                (w, false) => format!("{w} writes syncing"),
                            };
                            rows.push(row("disk", disk).into_any());
                            rows.push(row("knows leader", n.leader_id().map_or("none".into(), |l| format!("S{l}"))).into_any());
                            rows.push(row("configuration", n.membership().describe()).into_any());
                            if !n.votes().is_empty() {
                                // In id order, of how many voters: the majority shows.
                                let votes = crate::summary::in_id_order(n.votes());
                                let of = n.membership().voters.len();
                                rows.push(row("votes held", format!("{} of {of}: {}", votes.len(), crate::summary::node_runs(&votes))).into_any());
                            }
                            if let Some(snap) = n.snapshot() {
                                rows.push(row("snapshot", format!("entries 1–{} (last term {}), {} bytes, state {:016x}", snap.last.index, snap.last.term, snap.data.len(), snap.state_hash)).into_any());
                            }
                            if let Some((last, bytes)) = n.incoming_snapshot() {
                                rows.push(row("receiving", format!("a snapshot of entries 1–{last}: {bytes} bytes so far")).into_any());
                            }
                            if let Some(t) = n.transfer() {
                                let state = if t.timeout_now_sent { "TimeoutNow sent" } else { "bringing it up to date" };
                                rows.push(row("handing over to", format!("S{} ({state}; given up at {})", t.to, fmt_time_ms(t.deadline_us as f64 / 1000.0))).into_any());
                            }
                            for (peer, p) in n.progress() {
                                rows.push(row("follower", format!("S{peer}: next {} · match {}", p.next_index, p.match_index)).into_any());
                            }
                        }
                        None => {
                            rows.push(row("durable term", s.disk.term.to_string()).into_any());
                            rows.push(row("durable log", format!("{} entries", s.disk.log.last_index())).into_any());
                        }
                    }
                    rows.push(row("position", format!("[{},{}]", s.machines.escort.pos.x, s.machines.escort.pos.y)).into_any());
                    rows.push(row("array", format!("{:?}", s.machines.array.values)).into_any());
                    rows
                })}
                {move || timer().map(|t| view! { <tr><th scope="row">"election timer"</th><td id="inspector-timer">{t}</td></tr> })}
            </tbody></table>
        </div>
    }
}

#[component]
fn MessageInspector(sim: Sim, id: u64) -> impl IntoView {
    // A message does not change in flight: read it when the set of messages changes (it may be delivered).
    let env = Memo::new(move |_| sim.read(Aspect::Messages, |c| c.in_flight().find(|e| e.id == id).cloned()));
    let act = move |cmd: Command| {
        let _ = sim.apply(cmd);
    };
    view! {
        <div class="inspect">
            {move || match env.get() {
                None => view! { <p class="hint">{format!("Message #{id} is no longer in flight (delivered or dropped).")}</p> }.into_any(),
                Some(e) => {
                    let payload = serde_json::to_string_pretty(&e.msg).unwrap_or_default();
                    view! {
                        <h3>{format!("{} #{id}", e.msg.kind())}</h3>
                        <table class="kv"><tbody>
                            {row("from", endpoint_name(e.from))}
                            {row("to", endpoint_name(e.to))}
                            {row("sent at", fmt_time_ms(e.sent_us as f64 / 1000.0))}
                            {row("arrives at", fmt_time_ms(e.deliver_us as f64 / 1000.0))}
                        </tbody></table>
                        <pre class="payload">{payload}</pre>
                        <div class="buttons" role="group" aria-label="Actions on this message">
                            <button class="danger" on:click=move |_| act(Command::DropMessage { id })>"Drop (d)"</button>
                            <button on:click=move |_| act(Command::DuplicateMessage { id })>"Duplicate"</button>
                            <button on:click=move |_| act(Command::DelayMessage { id, delay_ms: 100.0 })>"Delay 100 ms"</button>
                        </div>
                    }.into_any()
                }
            }}
        </div>
    }
}

/// What a log holds, in words: "1 entry", "3 entries", or after a snapshot "entries 101–102 (before them, the
/// snapshot)" ("nothing after the snapshot" when it covers the whole log).
fn log_held(snapshotted: bool, first: u64, last: u64) -> String {
    match (snapshotted, last.checked_sub(first)) {
        (false, _) if last == 1 => "1 entry".into(),
        (false, _) => format!("{last} entries"),
        (true, None) => "nothing after the snapshot".into(),
        (true, Some(0)) => format!("entry {first} (before it, the snapshot)"),
        (true, Some(_)) => format!("entries {first}–{last} (before them, the snapshot)"),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::log_held;

    #[test]
    fn a_log_is_described_in_words_that_agree_with_its_count() {
        assert_eq!(log_held(false, 1, 0), "0 entries");
        assert_eq!(log_held(false, 1, 1), "1 entry");
        assert_eq!(log_held(false, 1, 7), "7 entries");
        assert_eq!(log_held(true, 101, 100), "nothing after the snapshot");
        assert_eq!(log_held(true, 101, 101), "entry 101 (before it, the snapshot)");
        assert_eq!(log_held(true, 101, 102), "entries 101–102 (before them, the snapshot)");
    }
}
