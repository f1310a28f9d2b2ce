//! The cluster view: nodes on a ring, coloured by role and term, with election-timer arcs, votes, and the
//! messages flying between them. Down nodes, paused nodes and cut links are drawn unmistakably.

use super::ring_canvas::{follow_size, hit, RingCanvas, CANVAS_NODES_MIN};
use super::ring_motion::RingMotion;
use crate::geometry::*;
use crate::ring_layout::RingLayout;
use crate::sim::{Selection, Sim};
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::message::{ClientResult, Message, MessageKind};
use raft_core::sim::server::Status;
use raft_core::types::{Endpoint, NodeId, Role};
use wasm_bindgen::JsCast;

/// Centre of an endpoint: a node on the ring, or the clients' spot in the middle.
pub(super) fn endpoint_pos(ids: &[NodeId], ring: RingLayout, e: Endpoint) -> (f64, f64) {
    match e {
        Endpoint::Node(n) => match ids.iter().position(|i| *i == n) {
            Some(i) => ring.pos(i),
            None => ring.center(),
        },
        Endpoint::Client(_) => ring.center(),
    }
}

/// Above this width the page lays its cards side by side (style/main.css) and the ring's box has a height of
/// its own; below it the ring's height follows its width, so it stays a circle.
const SIDE_BY_SIDE_MIN_PX: f64 = 1101.0;

/// Steps of an election-timer arc (3.6° each): finer than the eye follows at a glance, coarse enough that at
/// 1/20× an arc changes about every other frame rather than every frame.
pub const TIMER_STEPS: f64 = 100.0;

/// How much of a node's election timeout is left, in `TIMER_STEPS` (none for a leader or a node that is not
/// up): what its timer arc shows.
pub fn timer_steps_left(c: &raft_core::Cluster, id: NodeId) -> Option<u32> {
    let n = c.node(id).filter(|n| n.role() != Role::Leader && c.server(id).is_some_and(|s| s.is_up()))?;
    let left = n.election_deadline_us().saturating_sub(c.now_us()) as f64;
    Some((TIMER_STEPS * left / n.election_timeout_us().max(1) as f64).round() as u32)
}

#[component]
pub fn ClusterView(sim: Sim) -> impl IntoView {
    let ids = sim.ring;
    // The cut links and the banner, derived only when the network or the ring's nodes change.
    let cuts = Memo::new(move |_| ids.with(|ids| sim.read(Aspect::Network, |c| super::cuts::cut_view(c, ids))));
    let partition_banner = Memo::new(move |_| {
        let lettered = cuts.with(|v| !v.letters.is_empty());
        ids.with(|ids| sim.read(Aspect::Network, |c| super::cuts::banner(c, ids, lettered)))
    });
    // Messages and timer arcs lie under the ring's SVG: moved by the compositor on a small ring (see
    // ring_motion), drawn on a canvas on a large one (see ring_canvas). A click on the ring's background picks
    // the nearest message.
    let big = Memo::new(move |_| ids.with(|i| i.len() >= CANVAS_NODES_MIN));
    // The ring's box, width over height, as last measured (1: a circle).
    let box_aspect = RwSignal::new(1.0);
    let ring_box = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let Some(el) = ring_box.get() else { return };
        follow_size(&el, move |w, h| {
            let side_by_side = web_sys::window()
                .and_then(|w| w.inner_width().ok())
                .and_then(|w| w.as_f64())
                .is_some_and(|w| w >= SIDE_BY_SIDE_MIN_PX);
            let aspect = if side_by_side && h > 0.0 { w / h } else { 1.0 };
            // Whole hundredths: a box that grows by a pixel does not move every node.
            let aspect = (aspect * 100.0).floor() / 100.0;
            if box_aspect.get_untracked() != aspect {
                box_aspect.set(aspect);
            }
        });
    });
    let ring = Memo::new(move |_| RingLayout::fitted(ids.with(Vec::len), box_aspect.get()));
    let ring_svg = NodeRef::<leptos::svg::Svg>::new();
    let on_ring_click = move |ev: leptos::ev::MouseEvent| {
        // Not the event's currentTarget: Leptos delegates clicks to the document.
        let Some(svg) = ring_svg.get_untracked() else { return };
        let on_node = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("g.node").ok().flatten())
            .is_some();
        if on_node {
            return;
        }
        let rect = svg.get_bounding_client_rect();
        let ring = ring.get_untracked();
        let (s, ox, oy) = ring.fit(rect.width(), rect.height());
        let x = (ev.client_x() as f64 - rect.left() - ox) / s;
        let y = (ev.client_y() as f64 - rect.top() - oy) / s;
        let ids = ids.get_untracked();
        // Where the messages are drawn now: between two wakes, ahead of the simulator's clock (ring_motion).
        let now_us = sim.motion_now_us();
        if let Some(m) = sim.peek(|c| hit(&ids, ring, c, now_us, x, y)) {
            sim.select(Selection::Message(m));
        }
    };
    view! {
        <p class="intro">
            "Real Raft servers elect a leader (★), which replicates its log and marches the formation to the flag. "
            "Click a server to crash it, or split the network below, and watch Raft recover."
            <span class="picture-buttons">
                <super::pictures::PictureButtons sim=sim view="ring" />
            </span>
        </p>
        // A circle needs only a square: in a wide card its legend goes beside it (style/main.css).
        <div class="cluster-wrap" class:round=move || !RingLayout::stretches(ids.with(Vec::len))>
            // Above the ring, not over it: a racetrack's top row reaches the top of its box.
            {move || partition_banner.get().map(|b| view! { <div class="banner partition" role="status">{super::ranges::keep_ranges_whole(&b)}</div> })}
            <div class="ring-box" node_ref=ring_box>
            {move || if big.get() {
                view! { <RingCanvas sim=sim ids=ids ring=ring /> }.into_any()
            } else {
                view! { <RingMotion sim=sim ids=ids ring=ring /> }.into_any()
            }}
            <svg class="cluster" viewBox=move || format!("0 0 {:.2} {RING_SIZE}", ring.get().width()) role="group"
                aria-label="Raft cluster: nodes on a ring and the messages between them"
                node_ref=ring_svg on:click=on_ring_click>
                <path class="ring" d=move || ring.get().outline_path() />
                <g class="clients" aria-hidden="true">
                    {move || {
                        let (cx, cy) = ring.get().center();
                        view! {
                            <rect x=cx - 34.0 y=cy - 14.0 width="68" height="28" rx="14" />
                            <text x=cx y=cy + 5.0 text-anchor="middle">"clients"</text>
                        }
                    }}
                </g>
                <super::cuts::Cuts ids=ids ring=ring cuts=cuts />
                <For each=move || ids.get() key=|id| *id children=move |id| view! { <NodeGlyph sim=sim id=id ids=ids ring=ring /> } />
                <super::cuts::GroupTags ids=ids ring=ring cuts=cuts />
            </svg>
            </div>
            <Legend sim=sim />
        </div>
    }
}

#[component]
fn NodeGlyph(sim: Sim, id: NodeId, ids: Memo<Vec<NodeId>>, ring: Memo<RingLayout>) -> impl IntoView {
    let pos = move || {
        let i = ids.with(|ids| ids.iter().position(|x| *x == id).unwrap_or(0));
        let ring = ring.get();
        (ring.pos(i), ring.node_radius())
    };
    // What the glyph shows, as a memo: its DOM is rebuilt only when one of these changes. Its timer arc moves
    // on the layer under the ring (ring_motion, ring_canvas).
    let state = Memo::new(move |_| {
        sim.read(Aspect::Node(id), |c| {
            let s = c.server(id)?;
            let n = s.node.as_ref();
            let quorum = n.map_or(0, |n| n.membership().quorum());
            Some((
                s.status,
                n.map(|n| n.role()),
                n.map_or(s.disk.term, |n| n.term()),
                n.and_then(|n| n.voted_for()),
                n.map_or(0, |n| n.votes().len()),
                quorum,
                n.is_some_and(|n| n.membership().contains(id)),
            ))
        })
    });
    let selected = move || sim.selection.get() == Selection::Node(id);
    let class = move || {
        let Some((status, role, ..)) = state.get() else { return "node".to_string() };
        let role = match (status, role) {
            (Status::Crashed, _) => "down",
            (_, Some(r)) => r.name(),
            _ => "follower",
        };
        let paused = if status == Status::Paused { " paused" } else { "" };
        let sel = if selected() { " selected" } else { "" };
        format!("node {role}{paused}{sel}")
    };
    // The name starts with the text drawn on the node, in order (so a voice user can say what they see),
    // then says what the drawing shows by colour and shape.
    let label = move || {
        let ((_, _), r) = pos();
        let Some((status, role, term, vote, votes, quorum, member)) = state.get() else { return format!("S{id}") };
        let roomy = r >= 16.0 && ring.with(RingLayout::labels_fit);
        let mut seen = vec![format!("S{id}")];
        if roomy {
            seen.push(format!("term {term}"));
            match (status, role, vote) {
                (_, Some(Role::Candidate), _) => seen.push(format!("{votes} of {quorum} votes")),
                (_, Some(Role::Precandidate), _) => seen.push(format!("{votes} of {quorum} pre-votes")),
                (Status::Up | Status::Paused, Some(Role::Follower), Some(v)) => seen.push(format!("voted S{v}")),
                _ => {}
            }
            if !member && status == Status::Up && role.is_some() {
                seen.push("joining".into());
            }
        }
        let what = match (status, role) {
            (Status::Crashed, _) => "down".to_string(),
            (Status::Paused, _) => "paused".to_string(),
            (_, Some(r)) => r.name().to_string(),
            _ => String::new(),
        };
        let term = if roomy { String::new() } else { format!(" in term {term}") };
        format!("{}, {what}{term}", seen.join(" "))
    };
    let select = move || sim.select(Selection::Node(id));
    view! {
        <g class=class role="button" tabindex="0" aria-label=label data-node=id
            on:click=move |_| select()
            on:keydown=move |ev| if ev.key() == "Enter" || ev.key() == " " { ev.prevent_default(); select() }>
            {move || {
                let ((x, y), r) = pos();
                let (status, role, term, vote, votes, quorum, member) =
                    state.get().unwrap_or((Status::Crashed, None, 0, None, 0, 0, false));
                let term_ink = term_color(term);
                // The term inside the node and a line under it (a vote, a vote count, "joining"), where they fit.
                // A crowded ring (51 nodes) shows names only, its terms by colour: 51 more texts to lay out made
                // a jump at 51 nodes slower (medians of 9–12 runs: 84 ms with them, 56 without; the round ring 48).
                let roomy = r >= 16.0 && ring.with(RingLayout::labels_fit);
                view! {
                    <circle class="halo" cx=x cy=y r=r + 7.0 />
                    <circle class="body" cx=x cy=y r=r />
                    <text class="name" x=x y=y - r * 0.12 text-anchor="middle" font-size=(r * 0.55).max(9.0)>{format!("S{id} ")}</text>
                    {roomy.then(|| view! {
                        <text class="term" x=x y=y + r * 0.45 text-anchor="middle" font-size=(r * 0.34).max(8.0) fill=term_ink>{format!("term {term} ")}</text>
                    })}
                    {(role == Some(Role::Leader)).then(|| view! { <text class="crown" aria-hidden="true" x=x y=y - r - 8.0 text-anchor="middle" font-size=(r * 0.6).clamp(12.0, 20.0)>"★"</text> })}
                    {(roomy && role == Some(Role::Candidate)).then(|| view! {
                        <text class="votes" x=x y=y + r + 18.0 text-anchor="middle">{format!("{votes} of {quorum} votes")}</text>
                    })}
                    {(roomy && role == Some(Role::Precandidate)).then(|| view! {
                        <text class="votes" x=x y=y + r + 18.0 text-anchor="middle">{format!("{votes} of {quorum} pre-votes")}</text>
                    })}
                    {(roomy && role == Some(Role::Follower) && status != Status::Crashed).then(|| vote.map(|v| view! {
                        <text class="vote" x=x y=y + r + 18.0 text-anchor="middle">{format!("voted S{v}")}</text>
                    })).flatten()}
                    {(status == Status::Crashed).then(|| view! { <text class="cross" aria-hidden="true" x=x y=y + r * 0.35 text-anchor="middle" font-size=r * 1.2>"✕"</text> })}
                    {(status == Status::Paused).then(|| view! { <text class="pause-mark" aria-hidden="true" x=x + r * 0.8 y=y - r * 0.7 text-anchor="middle">"❚❚"</text> })}
                    {(roomy && !member && status == Status::Up && role.is_some()).then(|| view! {
                        <text class="learner" x=x y=y + r + 32.0 text-anchor="middle">"joining"</text>
                    })}
                }
            }}
        </g>
    }
}

/// How a message kind is drawn: its shape, class (for tests and selection) and colours. The one table the
/// SVG messages, the canvas messages and the legend all read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub kind: &'static str,
    pub class: &'static str,
    pub fill: &'static str,
    pub stroke: &'static str,
}

const fn look(kind: &'static str, class: &'static str, fill: &'static str, stroke: &'static str) -> Look {
    Look { kind, class, fill, stroke }
}

pub const LOOK_RV: Look = look("circle", "msg rv", "#d4a72c", "#9a6700");
pub const LOOK_VOTE_GRANTED: Look = look("circle-small", "msg rv-reply granted", "#d4a72c", "#9a6700");
pub const LOOK_VOTE_DENIED: Look = look("circle-small", "msg rv-reply denied", "#ffffff", "#9a6700");
pub const LOOK_ENTRIES: Look = look("square", "msg ae entries", "#0969da", "#033d8b");
pub const LOOK_HEARTBEAT: Look = look("square", "msg ae heartbeat", "#b6d7ff", "#0969da");
pub const LOOK_APPEND_OK: Look = look("square-small", "msg ae-reply ok", "#2da44e", "#116329");
pub const LOOK_APPEND_REJECTED: Look = look("square-small", "msg ae-reply rejected", "#ffffff", "#cf222e");
pub const LOOK_PREVOTE: Look = look("circle", "msg prevote", "#fff3c4", "#9a6700");
pub const LOOK_PREVOTE_GRANTED: Look = look("circle-small", "msg prevote-reply granted", "#fff3c4", "#9a6700");
pub const LOOK_PREVOTE_DENIED: Look = look("circle-small", "msg prevote-reply denied", "#ffffff", "#6e7781");
pub const LOOK_TIMEOUT_NOW: Look = look("square", "msg timeout-now", "#cf222e", "#82071e");
pub const LOOK_SNAPSHOT: Look = look("square", "msg snapshot", "#0e8a8a", "#075e5e");
pub const LOOK_SNAPSHOT_ACK: Look = look("square-small", "msg snapshot-reply", "#9fe0e0", "#075e5e");
pub const LOOK_CLIENT: Look = look("diamond", "msg client", "#8250df", "#512a97");
pub const LOOK_REPLY_OK: Look = look("diamond-small", "msg client-reply ok", "#c297ff", "#512a97");
pub const LOOK_REDIRECT: Look = look("diamond-small", "msg client-reply redirect", "#fb8f44", "#bc4c00");
pub const LOOK_REFUSED: Look = look("diamond-small", "msg client-reply refused", "#ffffff", "#cf222e");

pub fn message_look(m: &Message) -> Look {
    match m {
        Message::RequestVote { .. } => LOOK_RV,
        Message::RequestVoteReply { granted: true, .. } => LOOK_VOTE_GRANTED,
        Message::RequestVoteReply { granted: false, .. } => LOOK_VOTE_DENIED,
        Message::PreVote { .. } => LOOK_PREVOTE,
        Message::PreVoteReply { granted: true, .. } => LOOK_PREVOTE_GRANTED,
        Message::PreVoteReply { granted: false, .. } => LOOK_PREVOTE_DENIED,
        Message::TimeoutNow { .. } => LOOK_TIMEOUT_NOW,
        Message::InstallSnapshot { .. } => LOOK_SNAPSHOT,
        Message::InstallSnapshotReply { .. } => LOOK_SNAPSHOT_ACK,
        Message::AppendEntries { entries, .. } if entries.is_empty() => LOOK_HEARTBEAT,
        Message::AppendEntries { .. } => LOOK_ENTRIES,
        Message::AppendEntriesReply { success: true, .. } => LOOK_APPEND_OK,
        Message::AppendEntriesReply { success: false, .. } => LOOK_APPEND_REJECTED,
        Message::ClientRequest { .. } => LOOK_CLIENT,
        Message::ClientReply { result, .. } => match result {
            ClientResult::Applied { .. } => LOOK_REPLY_OK,
            ClientResult::Redirect { .. } => LOOK_REDIRECT,
            ClientResult::Refused { .. } => LOOK_REFUSED,
        },
    }
}

/// Every look a kind of message can have, with the legend's words for it. The match is exhaustive, so a new
/// kind does not compile until it is drawn and named here.
pub fn kind_looks(kind: MessageKind) -> &'static [(Look, &'static str)] {
    match kind {
        MessageKind::RequestVote => &[(LOOK_RV, "RequestVote")],
        MessageKind::RequestVoteReply => &[(LOOK_VOTE_GRANTED, "vote granted"), (LOOK_VOTE_DENIED, "vote denied")],
        MessageKind::PreVote => &[(LOOK_PREVOTE, "PreVote")],
        MessageKind::PreVoteReply => {
            &[(LOOK_PREVOTE_GRANTED, "pre-vote granted"), (LOOK_PREVOTE_DENIED, "pre-vote denied")]
        }
        MessageKind::TimeoutNow => &[(LOOK_TIMEOUT_NOW, "TimeoutNow (hand over)")],
        MessageKind::InstallSnapshot => &[(LOOK_SNAPSHOT, "InstallSnapshot (a chunk)")],
        MessageKind::InstallSnapshotReply => &[(LOOK_SNAPSHOT_ACK, "snapshot chunk ack")],
        MessageKind::AppendEntries => &[(LOOK_ENTRIES, "AppendEntries (entries)"), (LOOK_HEARTBEAT, "heartbeat")],
        MessageKind::AppendEntriesReply => &[(LOOK_APPEND_OK, "append ok"), (LOOK_APPEND_REJECTED, "append rejected")],
        MessageKind::ClientRequest => &[(LOOK_CLIENT, "client request")],
        MessageKind::ClientReply => &[(LOOK_REPLY_OK, "reply"), (LOOK_REDIRECT, "redirect"), (LOOK_REFUSED, "refused")],
    }
}

/// Where a message in flight is now, in the ring's coordinates.
pub fn message_pos(ids: &[NodeId], ring: RingLayout, now_us: u64, e: &raft_core::sim::bus::Envelope) -> (f64, f64) {
    let r = ring.node_radius();
    let t = trip_fraction(now_us, e.sent_us, e.deliver_us);
    let ia = if matches!(e.from, Endpoint::Client(_)) { 36.0 } else { r };
    let ib = if matches!(e.to, Endpoint::Client(_)) { 36.0 } else { r };
    along(endpoint_pos(ids, ring, e.from), endpoint_pos(ids, ring, e.to), ia, ib, t)
}

/// A message's size in the ring's coordinates: smaller when the ring is crowded.
pub fn message_size(ring: RingLayout) -> f64 {
    (ring.node_radius() * 0.22).clamp(4.0, 8.0)
}

pub(super) fn shape(look: Look, x: f64, y: f64, size: f64) -> impl IntoView {
    let (fill, stroke) = (look.fill, look.stroke);
    match look.kind {
        "circle" | "circle-small" => {
            let r = if look.kind == "circle" { size } else { size * 0.7 };
            view! { <circle cx=x cy=y r=r fill=fill stroke=stroke /> }.into_any()
        }
        "square" | "square-small" => {
            let s = if look.kind == "square" { size * 1.7 } else { size * 1.2 };
            view! { <rect x=x - s / 2.0 y=y - s / 2.0 width=s height=s rx="2" fill=fill stroke=stroke /> }.into_any()
        }
        _ => {
            let s = if look.kind == "diamond" { size * 1.3 } else { size * 0.95 };
            let d = format!("M {x} {} L {} {y} L {x} {} L {} {y} Z", y - s, x + s, y + s, x - s);
            view! { <path d=d fill=fill stroke=stroke /> }.into_any()
        }
    }
}
pub fn endpoint_name(e: Endpoint) -> String {
    match e {
        Endpoint::Node(n) => format!("S{n}"),
        Endpoint::Client(c) => format!("client {c}"),
    }
}

/// The legend: every message kind and role, from `MessageKind::ALL` and `Role::ALL`; those of a protocol
/// switch that is off are left out (a pre-vote cannot happen then).
#[component]
fn Legend(sim: Sim) -> impl IntoView {
    let raft = Memo::new(move |_| sim.read(Aspect::Commands, |c| c.config().raft.clone()));
    view! {
        <ul class="legend" aria-label="Legend">
            {move || MessageKind::ALL.into_iter().filter(|k| raft.with(|r| k.in_use(r))).flat_map(|k| kind_looks(k).iter()).map(|(look, text)| view! {
                <li><svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true"><g class=look.class>{shape(*look, 10.0, 10.0, 5.5)}</g></svg>{*text}</li>
            }).collect_view()}
            <li><svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true"><path class="timer-swatch" d="M 10 3 A 7 7 0 1 1 3 10" /></svg>"election timer (time left)"</li>
            {move || Role::ALL.into_iter().filter(|r| raft.with(|c| r.in_use(c))).map(|r| view! {
                <li><span class=format!("swatch {}", r.name())></span>{r.name()}</li>
            }).collect_view()}
            <li><span class="swatch down"></span>"down"</li>
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::machine::op::Op;

    /// Every way a message can look is in its kind's legend entries, and every kind has a sample here: a new
    /// message kind or look cannot be drawn without the legend saying what it is.
    #[test]
    fn every_message_look_is_in_the_legend_of_its_kind() {
        let samples = [
            Message::RequestVote { term: 1, candidate: 1, last_log_index: 0, last_log_term: 0, transfer: false },
            Message::RequestVoteReply { term: 1, granted: true },
            Message::RequestVoteReply { term: 1, granted: false },
            Message::PreVote { term: 1, candidate: 1, last_log_index: 0, last_log_term: 0 },
            Message::PreVoteReply { term: 1, granted: true },
            Message::PreVoteReply { term: 1, granted: false },
            Message::TimeoutNow { term: 1 },
            Message::InstallSnapshot {
                term: 1,
                leader: 1,
                chunk: Box::new(raft_core::message::SnapshotChunk {
                    last: Default::default(),
                    membership: Default::default(),
                    membership_index: 0,
                    offset: 0,
                    data: vec![],
                    done: true,
                }),
            },
            Message::InstallSnapshotReply { term: 1, last_index: 1, next_offset: 0, done: true },
            Message::AppendEntries {
                term: 1,
                leader: 1,
                prev_log_index: 0,
                prev_log_term: 0,
                entries: Default::default(),
                leader_commit: 0,
            },
            Message::AppendEntriesReply { term: 1, success: true, match_index: 0, conflict_index: 0 },
            Message::AppendEntriesReply { term: 1, success: false, match_index: 0, conflict_index: 1 },
            Message::ClientRequest { client: 1, seq: 1, op: Op::Move { dx: 1, dy: 0 } },
            Message::ClientReply { seq: 1, result: ClientResult::Applied { index: 1 } },
            Message::ClientReply { seq: 1, result: ClientResult::Redirect { leader: None } },
            Message::ClientReply { seq: 1, result: ClientResult::Refused { reason: "no".into() } },
        ];
        for m in &samples {
            let look = message_look(m);
            assert!(
                kind_looks(m.kind()).iter().any(|(l, _)| *l == look),
                "{m:?} is drawn as {look:?}, not in the legend"
            );
        }
        let kinds: std::collections::BTreeSet<MessageKind> = samples.iter().map(|m| m.kind()).collect();
        assert_eq!(kinds.len(), MessageKind::ALL.len(), "a sample of every kind");
        let classes: std::collections::BTreeSet<&str> =
            MessageKind::ALL.iter().flat_map(|k| kind_looks(*k)).map(|(l, _)| l.class).collect();
        assert_eq!(classes.len(), MessageKind::ALL.iter().map(|k| kind_looks(*k).len()).sum::<usize>(), "looks differ");
    }
}
