//! What moves on the ring of a small cluster, moved by the browser's compositor: the messages in flight and
//! the election-timer arcs. Each is an element with a Web Animation of its `transform` (composited: it moves
//! without the page's main thread), set from the simulator when it appears and again whenever time stops
//! flowing at the set speed (`Sim::motion`: a command, a jump, play, pause, a new speed). In between, the
//! page's main thread wakes only for the simulator's next event (see `frame`). Measured in headless Chromium
//! with software rendering: a dozen composited animations cost about 2 ms of main-thread time per second,
//! and each frame the main thread draws costs 1.3–2 ms, so moving them every frame from the main thread (as
//! SVG attributes) cost more than the whole rest of the page.
//!
//! The layer lies under the ring's SVG (messages pass under the nodes, and every click lands on the SVG,
//! which picks the nearest message on the ring's background). Its stage is the ring's viewBox, scaled as the
//! SVG scales it (`RingLayout::fit`).

use super::cluster::{message_look, message_pos, message_size, shape};
use super::ring_canvas::follow_size;
use crate::geometry::RING_SIZE;
use crate::ring_layout::RingLayout;
use crate::sim::{Selection, Sim};
use crate::watch::Aspect;
use leptos::html::Div;
use leptos::prelude::*;
use raft_core::types::{NodeId, Role};
use wasm_bindgen::prelude::*;

// An animation that finishes costs the main thread a frame of its own (its end state becomes a style), so each
// runs `HOLD` times as long as its motion, holding the end, and the wake that ends it (the delivery, the
// timeout) removes or sets it again. Keyframe offsets are fractions of the whole, so they do not depend on the
// duration, and an arc set again keeps its animations (only their timing changes).
#[wasm_bindgen(inline_js = "
const HOLD = 1000;
export function motion_fly(el, from, to) {
  const frames = [{ transform: from }, { transform: to, offset: 1 / HOLD }, { transform: to }];
  return el.animate(frames, { duration: 1, fill: 'both', easing: 'linear' });
}
export function motion_turn(el, first_half) {
  const turn = (deg, offset, opacity = 1) => ({ transform: `rotate(${deg}deg)`, offset, opacity });
  const [half, end] = [0.5 / HOLD, 1 / HOLD];
  // Emptied, the first half ring is hidden: at rest against its window's edge a sliver of it would show.
  const frames = first_half
    ? [turn(180, 0), turn(0, half), turn(0, half, 0), turn(0, 1, 0)]
    : [turn(180, 0), turn(180, half), turn(0, end), turn(0, 1)];
  return el.animate(frames, { duration: 1, fill: 'both', easing: 'linear' });
}
export function motion_set(animation, motion_ms, current_ms, rate) {
  animation.effect.updateTiming({ duration: Math.max(motion_ms, 0.001) * HOLD });
  animation.playbackRate = rate;
  const now = document.timeline.currentTime;
  if (rate > 0 && now !== null) {
    // Anchored to the timeline: a new animation would otherwise wait, pending, for the compositor, hold
    // `current_ms` until then and run that late ever after (a frame, several on a busy machine).
    animation.startTime = now - current_ms / rate;
  } else {
    animation.currentTime = current_ms;
  }
}")]
extern "C" {
    /// A straight move from one transform to the other (its timing set by `motion_set`).
    fn motion_fly(el: &web_sys::Element, from: &str, to: &str) -> web_sys::Animation;
    /// Half of a timer arc's turn: the half that empties first (the left), or the second.
    fn motion_turn(el: &web_sys::Element, first_half: bool) -> web_sys::Animation;
    /// How long the motion lasts and where it is (virtual ms), and the playback rate (virtual ms per real ms;
    /// 0 stops it).
    fn motion_set(animation: &web_sys::Animation, motion_ms: f64, current_ms: f64, rate: f64);
}

/// What a timer arc was last set from: deadline and timeout (virtual µs), the motion generation, and where it
/// is drawn (centre and radius).
type ArcKey = (u64, u64, u64, (f64, f64), f64);

/// The animations an element owns, cancelled with it.
type Owned = StoredValue<Vec<web_sys::Animation>, LocalStorage>;

fn cancel_all(owned: Owned) {
    let _ = owned.try_update_value(|a| a.drain(..).for_each(|a| a.cancel()));
}

fn translate((x, y): (f64, f64)) -> String {
    format!("translate({x:.2}px, {y:.2}px)")
}

#[component]
pub fn RingMotion(sim: Sim, ids: Memo<Vec<NodeId>>, ring: Memo<RingLayout>) -> impl IntoView {
    let layer = NodeRef::<Div>::new();
    let size = RwSignal::new((0.0, 0.0));
    // The stage follows the layer's size (window, side column, presenter mode) as the SVG's viewBox does.
    Effect::new(move |_| {
        let Some(el) = layer.get() else { return };
        follow_size(&el, move |w, h| size.set((w, h)));
    });
    let stage = move || {
        let (w, h) = size.get();
        let (s, ox, oy) = ring.get().fit(w, h);
        format!("translate({ox:.2}px, {oy:.2}px) scale({s:.5})")
    };
    let list = move || sim.read(Aspect::Messages, |c| c.in_flight().map(|e| e.id).collect::<Vec<_>>());
    view! {
        <div class="ring-motion" node_ref=layer>
            <div class="ring-stage" style:width=move || format!("{:.2}px", ring.get().width()) style:height=format!("{RING_SIZE}px")
                style:transform=stage>
                <For each=move || ids.get() key=|id| *id children=move |id| view! { <TimerArc sim=sim ids=ids ring=ring id=id /> } />
                <For each=list key=|id| *id children=move |mid| view! { <Flying sim=sim ids=ids ring=ring mid=mid /> } />
            </div>
        </div>
    }
}

/// One message in flight: its shape, fixed when it is sent, moved from its sender to its receiver by the
/// compositor over its trip.
#[component]
fn Flying(sim: Sim, ids: Memo<Vec<NodeId>>, ring: Memo<RingLayout>, mid: u64) -> impl IntoView {
    let Some((look, label)) = sim.peek(|c| {
        c.message(mid).map(|e| {
            let label = format!(
                "{} #{mid} from {} to {}",
                e.msg.kind(),
                super::cluster::endpoint_name(e.from),
                super::cluster::endpoint_name(e.to)
            );
            (message_look(&e.msg), label)
        })
    }) else {
        return ().into_any();
    };
    let el = NodeRef::<Div>::new();
    let owned: Owned = StoredValue::new_local(Vec::new());
    on_cleanup(move || cancel_all(owned));
    Effect::new(move |_| {
        let ids = ids.get();
        let ring = ring.get();
        let rate = sim.track_motion();
        let Some(div) = el.get() else { return };
        let Some(trip) = sim.peek(|c| {
            c.message(mid).map(|e| {
                (
                    message_pos(&ids, ring, e.sent_us, e),
                    message_pos(&ids, ring, e.deliver_us, e),
                    e.sent_us,
                    e.deliver_us,
                )
            })
        }) else {
            return;
        };
        let (from, to, sent_us, deliver_us) = trip;
        cancel_all(owned);
        let trip_ms = deliver_us.saturating_sub(sent_us) as f64 / 1000.0;
        let animation = motion_fly(&div, &translate(from), &translate(to));
        motion_set(&animation, trip_ms, sim.motion_now_us().saturating_sub(sent_us) as f64 / 1000.0, rate);
        owned.update_value(|a| a.push(animation));
    });
    let size = message_size(ring.get_untracked());
    let box_px = size * 4.0;
    let selected = move || sim.selection.get() == Selection::Message(mid);
    view! {
        <div class=format!("flying {}", look.class) class:selected=selected role="img" aria-label=label data-msg=mid
            node_ref=el on:click=move |_| sim.select(Selection::Message(mid))
            style:width=format!("{box_px}px") style:height=format!("{box_px}px")
            style:margin=format!("{0}px 0 0 {0}px", -box_px / 2.0)>
            <svg width=box_px height=box_px viewBox=format!("{} {} {box_px} {box_px}", -box_px / 2.0, -box_px / 2.0)>
                {shape(look, 0.0, 0.0, size)}
            </svg>
        </div>
    }
    .into_any()
}

/// A node's election timer: from the top, clockwise, the part of its timeout still left, emptying as the
/// timeout runs. Two half rings, each turning inside a window on one half of the circle (the left window
/// empties in the first half of the timeout, the right one in the second).
#[component]
fn TimerArc(sim: Sim, ids: Memo<Vec<NodeId>>, ring: Memo<RingLayout>, id: NodeId) -> impl IntoView {
    let left_half = NodeRef::<Div>::new();
    let right_half = NodeRef::<Div>::new();
    let shown = RwSignal::new(false);
    let owned: Owned = StoredValue::new_local(Vec::new());
    on_cleanup(move || cancel_all(owned));
    // Where the arc is: around the node, just outside its circle.
    let place = Memo::new(move |_| {
        let ring = ring.get();
        ids.with(|ids| {
            let i = ids.iter().position(|n| *n == id)?;
            Some((ring.pos(i), ring.node_radius() + 5.0))
        })
    });
    // Set again when the deadline or the timeout moves (a heartbeat, a vote), on a discrete change and when
    // the arc is placed; every wake only compares.
    Effect::new(move |last: Option<Option<ArcKey>>| {
        sim.watch.track(Aspect::Clock);
        let rate = sim.track_motion();
        let generation = sim.motion.get_untracked();
        let (Some(place), Some(left_el), Some(right_el)) = (place.get(), left_half.get(), right_half.get()) else {
            return None;
        };
        let timer = sim.peek(|c| {
            let s = c.server(id).filter(|s| s.is_up())?;
            let n = s.node.as_ref().filter(|n| n.role() != Role::Leader)?;
            Some((n.election_deadline_us(), n.election_timeout_us().max(1)))
        });
        let Some((deadline_us, timeout_us)) = timer else {
            shown.set(false);
            cancel_all(owned);
            return None;
        };
        let key = Some((deadline_us, timeout_us, generation, place.0, place.1));
        if last.flatten() == key && owned.with_value(|a| a.len() == 2) {
            return key;
        }
        shown.set(true);
        if owned.with_value(|a| a.len() != 2) {
            cancel_all(owned);
            owned.update_value(|a| a.extend([motion_turn(&left_el, true), motion_turn(&right_el, false)]));
        }
        let start_us = deadline_us.saturating_sub(timeout_us);
        let elapsed_ms = sim.motion_now_us().saturating_sub(start_us) as f64 / 1000.0;
        let timeout_ms = timeout_us as f64 / 1000.0;
        owned.with_value(|turns| turns.iter().for_each(|t| motion_set(t, timeout_ms, elapsed_ms, rate)));
        key
    });
    // The arc's box: the circle of radius r and room for its stroke; its two windows and turning halves are
    // placed by the stylesheet in fractions of it.
    let box_of = Memo::new(move |_| {
        let ((x, y), r) = place.get().unwrap_or(((0.0, 0.0), 10.0));
        let side = 2.0 * r + 6.0;
        let c = side / 2.0;
        let half_ring = |sweep: u8| format!("M {c:.2} {:.2} A {r:.2} {r:.2} 0 0 {sweep} {c:.2} {:.2}", c - r, c + r);
        (
            format!("left:{:.2}px;top:{:.2}px;width:{side:.2}px;height:{side:.2}px", x - c, y - c),
            format!("{x:.2} {y:.2} {r:.2}"),
            format!("0 0 {side:.2} {side:.2}"),
            [half_ring(1), half_ring(0)],
        )
    });
    let style = move || box_of.with(|b| format!("{};display:{}", b.0, if shown.get() { "block" } else { "none" }));
    let view_box = move || box_of.with(|b| b.2.clone());
    view! {
        <div class="timer-arc" data-timer=id data-circle=move || box_of.with(|b| b.1.clone()) style=style>
            // The left window shows the half ring that covers the right half when unturned, turned on into it.
            <div class="arc-window">
                <div class="arc-turn" node_ref=left_half>
                    <svg width="100%" height="100%" viewBox=view_box>
                        <path class="timer" d=move || box_of.with(|b| b.3[0].clone()) />
                    </svg>
                </div>
            </div>
            <div class="arc-window right">
                <div class="arc-turn" node_ref=right_half>
                    <svg width="100%" height="100%" viewBox=view_box>
                        <path class="timer" d=move || box_of.with(|b| b.3[1].clone()) />
                    </svg>
                </div>
            </div>
        </div>
    }
}
