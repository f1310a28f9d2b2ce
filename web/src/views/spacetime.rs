//! The space-time diagram (a Lamport diagram, as ShiViz and Maelstrom draw them): one lane per node, time to the
//! right, each message an arrow from its send to its delivery, drawn from the run's journal. Dropped messages
//! end in ×, leaderships are bands in the term's colour, crashes and restarts are marked, commits are ticks.
//! The cursor is now; what lies right of it is the recorded future (after a scrub back). A click on an arrow
//! picks that message and lights up its causal past and future (happens-before); the rest fades.
//!
//! Drawn on a canvas: at 51 nodes a second holds ten thousand messages. The canvas carries what it drew
//! (`data-from-ms`, `data-to-ms`, `data-arrows`) so tests can check it against `window.raft.journal()`.

use super::cluster::kind_looks;
use crate::geometry::term_color;
use crate::sim::Sim;
use crate::watch::Aspect;
use leptos::html::Canvas;
use leptos::prelude::*;
use raft_core::message::MessageKind;
use raft_core::sim::journal::{Happening, JournalEvent};
use raft_core::types::{Endpoint, NodeId, TimeUs};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// Window spans a user can zoom through (virtual time shown across the diagram).
const SPANS_US: [TimeUs; 10] =
    [50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 30_000_000, 60_000_000];
const SPAN_DEFAULT: usize = 4;
/// The cursor (now) sits this far across the window while following the run.
const CURSOR_AT: f64 = 0.8;
/// Left margin for the lane labels, and the axis height, in CSS pixels.
const LABEL_PX: f64 = 40.0;
const AXIS_PX: f64 = 18.0;
/// Lines stroked as one path (see `draw`).
const PATH_LINES_MAX: usize = 32;
/// A click this close to an arrow picks it.
const PICK_PX: f64 = 7.0;

/// One message as drawn: from its send to its delivery (or its drop).
#[derive(Clone, Debug, PartialEq)]
struct Arrow {
    msg: u64,
    kind: MessageKind,
    from: Endpoint,
    to: Endpoint,
    sent_us: TimeUs,
    /// Delivery or drop time; None while in flight.
    end_us: Option<TimeUs>,
    dropped: bool,
    /// The journal's send event (its summary is read from there when the arrow is picked).
    send_seq: u64,
}

/// A line on the canvas: x0, y0, x1, y1.
type Line = (f64, f64, f64, f64);

/// Arrows drawn with one path: the same colour, fading, dash and head.
#[derive(Clone, Copy, PartialEq)]
struct Batch {
    stroke: &'static str,
    faded: bool,
    in_flight: bool,
    head: bool,
    picked: bool,
}

/// Marks on a lane.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mark {
    Crash,
    Restart,
    Commit,
    Violation,
}

struct Model {
    /// Nodes down now, and since when as far as the window tells (its start if the crash is older).
    down: Vec<(NodeId, TimeUs)>,
    arrows: Vec<Arrow>,
    marks: Vec<(NodeId, TimeUs, Mark)>,
    /// Leaderships overlapping the window: (node, term, since, until).
    leaders: Vec<(NodeId, u64, TimeUs, TimeUs)>,
}

fn build<'a>(
    events: impl Iterator<Item = &'a JournalEvent>,
    leaders: Vec<(NodeId, u64, TimeUs, TimeUs)>,
    down_now: &[NodeId],
    from_us: TimeUs,
) -> Model {
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut by_msg: HashMap<u64, usize> = HashMap::new();
    let mut marks = Vec::new();
    for e in events {
        match &e.what {
            Happening::Sent { msg, message, from, to, .. } => {
                by_msg.insert(*msg, arrows.len());
                arrows.push(Arrow {
                    msg: *msg,
                    kind: *message,
                    from: *from,
                    to: *to,
                    sent_us: e.at_us,
                    end_us: None,
                    dropped: false,
                    send_seq: e.seq,
                });
            }
            Happening::Duplicated { msg, copy, .. } => {
                if let Some(a) = by_msg.get(msg).map(|i| arrows[*i].clone()) {
                    by_msg.insert(*copy, arrows.len());
                    arrows.push(Arrow { msg: *copy, ..a });
                }
            }
            Happening::Delivered { msg, .. } | Happening::Dropped { msg, .. } => {
                let dropped = matches!(e.what, Happening::Dropped { .. });
                if let Some(a) = by_msg.get(msg).and_then(|i| arrows.get_mut(*i)) {
                    a.end_us = Some(e.at_us);
                    a.dropped = dropped;
                }
            }
            Happening::Crashed { node, .. } => marks.push((*node, e.at_us, Mark::Crash)),
            Happening::Restarted { node } => marks.push((*node, e.at_us, Mark::Restart)),
            Happening::Committed { node, .. } => marks.push((*node, e.at_us, Mark::Commit)),
            Happening::Violation { .. } => marks.push((0, e.at_us, Mark::Violation)),
            _ => {}
        }
    }
    let down = down_now
        .iter()
        .map(|n| {
            let crashed =
                marks.iter().rev().find(|(m, _, k)| m == n && *k == Mark::Crash).map_or(from_us, |(_, t, _)| *t);
            (*n, crashed)
        })
        .collect();
    Model { down, arrows, marks, leaders }
}

/// Happens-before around one arrow: for each lane, the latest time in the arrow's causal past and the earliest
/// in its future (Lamport's relation over the window's messages: a lane's own order, and send before delivery).
fn causality(
    arrows: &[Arrow],
    picked: &Arrow,
    lane: &dyn Fn(Endpoint) -> Option<usize>,
    lanes: usize,
) -> (Vec<i64>, Vec<i64>) {
    let mut past = vec![-1i64; lanes];
    let mut future = vec![i64::MAX; lanes];
    if let Some(l) = lane(picked.from) {
        past[l] = picked.sent_us as i64;
    }
    if let (Some(l), Some(end)) = (lane(picked.to), picked.end_us) {
        future[l] = end as i64;
    }
    // Fixed points: a delivery in the past brings its send into the past; a send in the future brings its
    // delivery into the future. Each pass only moves frontiers one way, so this ends.
    loop {
        let mut moved = false;
        for a in arrows.iter().filter(|a| !a.dropped) {
            let (Some(s), Some(r), Some(end)) = (lane(a.from), lane(a.to), a.end_us) else { continue };
            if (end as i64) <= past[r] && (a.sent_us as i64) > past[s] {
                past[s] = a.sent_us as i64;
                moved = true;
            }
            if (a.sent_us as i64) >= future[s] && (end as i64) < future[r] {
                future[r] = end as i64;
                moved = true;
            }
        }
        if !moved {
            return (past, future);
        }
    }
}

fn context(el: &web_sys::HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
    el.get_context("2d").ok()??.dyn_into().ok()
}

/// A tick step for the axis: about eight labels across.
fn tick_us(span_us: TimeUs) -> TimeUs {
    [
        1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
        10_000_000,
    ]
    .into_iter()
    .find(|t| span_us / t <= 8)
    .unwrap_or(10_000_000)
}

struct Frame {
    from_us: TimeUs,
    to_us: TimeUs,
    now_us: TimeUs,
    lanes: Vec<NodeId>,
    has_clients: bool,
}

impl Frame {
    fn lane_count(&self) -> usize {
        self.lanes.len() + usize::from(self.has_clients)
    }
    fn lane(&self, e: Endpoint) -> Option<usize> {
        match e {
            Endpoint::Client(_) => self.has_clients.then_some(0),
            Endpoint::Node(n) => self.lanes.iter().position(|x| *x == n).map(|i| i + usize::from(self.has_clients)),
        }
    }
    fn x(&self, t: TimeUs, w: f64) -> f64 {
        let span = (self.to_us - self.from_us).max(1) as f64;
        LABEL_PX + (t as f64 - self.from_us as f64) / span * (w - LABEL_PX - 8.0)
    }
    fn y(&self, lane: usize, h: f64) -> f64 {
        let lane_h = (h - AXIS_PX - 4.0) / self.lane_count().max(1) as f64;
        AXIS_PX + lane_h * (lane as f64 + 0.5)
    }
}

thread_local! {
    /// The frame and model last drawn, and the message picked: what a click picks from and what an SVG export
    /// draws again.
    static SHOWN: RefCell<Option<(Frame, Model, Option<u64>)>> = const { RefCell::new(None) };
}

fn draw(el: &web_sys::HtmlCanvasElement, f: &Frame, m: &Model, picked: Option<u64>) -> usize {
    let Some(ctx) = context(el) else { return 0 };
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (w, h) = (el.client_width() as f64, el.client_height() as f64);
    let (pw, ph) = ((w * dpr).round().max(1.0) as u32, (h * dpr).round().max(1.0) as u32);
    if el.width() != pw || el.height() != ph {
        el.set_width(pw);
        el.set_height(ph);
    }
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, w, h);
    paint(&ctx, w, h, f, m, picked)
}

/// Draws the diagram shown last onto another 2D context of `w` × `h` (an SVG-recording one, for pictures).
pub fn paint_shown(ctx: &web_sys::CanvasRenderingContext2d, w: f64, h: f64) -> Result<(), String> {
    SHOWN.with(|s| match s.borrow().as_ref() {
        Some((f, m, p)) => {
            paint(ctx, w, h, f, m, *p);
            Ok(())
        }
        None => Err("the space-time diagram has not been drawn yet (open its tab first)".into()),
    })
}

/// The diagram: the recorded future greyed, leaderships, down nodes, lanes, the time axis, message arrows,
/// marks, the cursor. The number of arrows drawn.
fn paint(ctx: &web_sys::CanvasRenderingContext2d, w: f64, h: f64, f: &Frame, m: &Model, picked: Option<u64>) -> usize {
    let lanes = f.lane_count();
    let lane_h = (h - AXIS_PX - 4.0) / lanes.max(1) as f64;
    let lane_of = |e: Endpoint| f.lane(e);
    // The recorded future, right of the cursor, on a grey ground.
    let now_x = f.x(f.now_us, w);
    ctx.set_fill_style_str("#f3f4f6");
    ctx.fill_rect(now_x, AXIS_PX, (w - now_x).max(0.0), h - AXIS_PX);
    // Leaderships: a band in the term's colour along the leader's lane.
    for (node, term, since, until) in &m.leaders {
        let Some(l) = lane_of(Endpoint::Node(*node)) else { continue };
        let (x0, x1) = (f.x((*since).max(f.from_us), w), f.x((*until).min(f.to_us), w));
        ctx.set_fill_style_str(&term_color(*term));
        ctx.set_global_alpha(0.28);
        ctx.fill_rect(x0, f.y(l, h) - lane_h * 0.35, (x1 - x0).max(1.0), lane_h * 0.7);
        ctx.set_global_alpha(1.0);
    }
    // A node that is down now: its lane is greyed from its crash (or the window's start).
    for (node, since) in &m.down {
        let Some(l) = lane_of(Endpoint::Node(*node)) else { continue };
        let x0 = f.x((*since).max(f.from_us), w);
        ctx.set_fill_style_str("#d0d7de");
        ctx.fill_rect(x0, f.y(l, h) - lane_h * 0.2, (now_x - x0).max(0.0), lane_h * 0.4);
    }
    // Lanes and their labels; at 51 nodes only every few labels fit.
    let label_every = ((12.0 / lane_h).ceil() as usize).max(1);
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_text_baseline("middle");
    for i in 0..lanes {
        let y = f.y(i, h);
        ctx.set_stroke_style_str("#d0d7de");
        ctx.set_line_width(1.0);
        ctx.begin_path();
        ctx.move_to(LABEL_PX, y);
        ctx.line_to(w - 8.0, y);
        ctx.stroke();
        if i % label_every == 0 {
            let label = if f.has_clients && i == 0 {
                "clients".to_string()
            } else {
                format!("S{}", f.lanes[i - usize::from(f.has_clients)])
            };
            ctx.set_fill_style_str("#24292f");
            let _ = ctx.fill_text(&label, 4.0, y);
        }
    }
    // Time axis.
    let step = tick_us(f.to_us - f.from_us);
    ctx.set_fill_style_str("#57606a");
    ctx.set_text_baseline("top");
    let mut t = f.from_us.div_ceil(step) * step;
    while t <= f.to_us {
        let x = f.x(t, w);
        ctx.set_stroke_style_str("#eaeef2");
        ctx.begin_path();
        ctx.move_to(x, AXIS_PX);
        ctx.line_to(x, h);
        ctx.stroke();
        let _ = ctx.fill_text(&format!("{:.3} s", t as f64 / 1e6), x + 2.0, 2.0);
        t += step;
    }
    // Causality of the picked arrow.
    let picked_arrow = picked.and_then(|p| m.arrows.iter().find(|a| a.msg == p));
    let frontiers = picked_arrow.map(|p| causality(&m.arrows, p, &lane_of, lanes));
    let related = |a: &Arrow| -> bool {
        let Some((past, future)) = &frontiers else { return true };
        let (Some(s), Some(r)) = (lane_of(a.from), lane_of(a.to)) else { return false };
        let end = a.end_us.map_or(i64::MAX, |e| e as i64);
        let in_past = end <= past[r] || (a.sent_us as i64) <= past[s] && a.end_us.is_none();
        let in_future = (a.sent_us as i64) >= future[s];
        in_past || in_future || Some(a.msg) == picked
    };
    // Arrows, batched: one path per colour, fading and dash (at 51 nodes a window holds thousands, and a
    // stroke per arrow cost more than the rest of the frame).
    let mut drawn = 0;
    let mut batches: Vec<(Batch, Vec<Line>)> = Vec::new();
    let mut drops: Vec<(f64, f64)> = Vec::new();
    for a in &m.arrows {
        let (Some(s), Some(r)) = (lane_of(a.from), lane_of(a.to)) else { continue };
        let end_us = a.end_us.unwrap_or(f.now_us.max(a.sent_us));
        if end_us < f.from_us || a.sent_us > f.to_us {
            continue;
        }
        if a.end_us.is_some() && !a.dropped {
            drawn += 1;
        }
        let (x0, y0, x1, y1) = (f.x(a.sent_us, w), f.y(s, h), f.x(end_us, w), f.y(r, h));
        let y1 = if a.dropped { y0 + (y1 - y0) * 0.6 } else { y1 };
        let key = Batch {
            stroke: kind_looks(a.kind)[0].0.stroke,
            faded: !related(a),
            in_flight: a.end_us.is_none(),
            head: a.end_us.is_some() && !a.dropped,
            picked: Some(a.msg) == picked,
        };
        match batches.iter_mut().find(|(k, _)| *k == key) {
            Some((_, lines)) => lines.push((x0, y0, x1, y1)),
            None => batches.push((key, vec![(x0, y0, x1, y1)])),
        }
        if a.dropped {
            drops.push((x1, y1));
        }
    }
    let dash = js_sys::Array::of2(&4.0.into(), &3.0.into());
    let solid = js_sys::Array::new();
    for (k, lines) in &batches {
        ctx.set_global_alpha(if k.faded { 0.12 } else { 1.0 });
        ctx.set_stroke_style_str(k.stroke);
        ctx.set_fill_style_str(k.stroke);
        ctx.set_line_width(if k.picked { 3.0 } else { 1.0 });
        let _ = ctx.set_line_dash(if k.in_flight { &dash } else { &solid });
        // Hairlines in short paths: in software rendering a wider line or one path of thousands of crossing
        // lines costs several times more (measured at 51 nodes: 17 ms a frame against 9).
        for chunk in lines.chunks(PATH_LINES_MAX) {
            ctx.begin_path();
            for (x0, y0, x1, y1) in chunk {
                ctx.move_to(*x0, *y0);
                ctx.line_to(*x1, *y1);
            }
            ctx.stroke();
            if k.head {
                // Arrowheads at the deliveries.
                ctx.begin_path();
                for (x0, y0, x1, y1) in chunk {
                    let ang = (y1 - y0).atan2(x1 - x0);
                    ctx.move_to(*x1, *y1);
                    ctx.line_to(x1 - 6.0 * (ang - 0.45).cos(), y1 - 6.0 * (ang - 0.45).sin());
                    ctx.line_to(x1 - 6.0 * (ang + 0.45).cos(), y1 - 6.0 * (ang + 0.45).sin());
                    ctx.close_path();
                }
                ctx.fill();
            }
        }
    }
    let _ = ctx.set_line_dash(&solid);
    ctx.set_global_alpha(1.0);
    ctx.set_stroke_style_str("#cf222e");
    ctx.set_line_width(1.5);
    ctx.begin_path();
    for (x1, y1) in drops {
        ctx.move_to(x1 - 4.0, y1 - 4.0);
        ctx.line_to(x1 + 4.0, y1 + 4.0);
        ctx.move_to(x1 + 4.0, y1 - 4.0);
        ctx.line_to(x1 - 4.0, y1 + 4.0);
    }
    ctx.stroke();
    ctx.set_global_alpha(1.0);
    ctx.set_line_width(1.5);
    // Marks: crashes, restarts, commits; violations across every lane.
    for (node, t, mark) in &m.marks {
        if *t < f.from_us || *t > f.to_us {
            continue;
        }
        let x = f.x(*t, w);
        if *mark == Mark::Violation {
            ctx.set_stroke_style_str("#cf222e");
            ctx.set_line_width(2.0);
            ctx.begin_path();
            ctx.move_to(x, AXIS_PX);
            ctx.line_to(x, h);
            ctx.stroke();
            continue;
        }
        let Some(l) = lane_of(Endpoint::Node(*node)) else { continue };
        let y = f.y(l, h);
        let r = (lane_h * 0.35).clamp(2.0, 6.0);
        match mark {
            Mark::Crash => {
                ctx.set_stroke_style_str("#cf222e");
                ctx.set_line_width(2.5);
                ctx.begin_path();
                ctx.move_to(x - r, y - r);
                ctx.line_to(x + r, y + r);
                ctx.move_to(x + r, y - r);
                ctx.line_to(x - r, y + r);
                ctx.stroke();
            }
            Mark::Restart => {
                ctx.set_fill_style_str("#1a7f37");
                ctx.begin_path();
                let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
                ctx.fill();
            }
            Mark::Commit => {
                ctx.set_stroke_style_str("#1a7f37");
                ctx.set_line_width(1.5);
                ctx.begin_path();
                ctx.move_to(x, y - r);
                ctx.line_to(x, y + r);
                ctx.stroke();
            }
            Mark::Violation => {}
        }
    }
    // The cursor: now.
    ctx.set_stroke_style_str("#0969da");
    ctx.set_line_width(2.0);
    ctx.begin_path();
    ctx.move_to(now_x, AXIS_PX - 4.0);
    ctx.line_to(now_x, h);
    ctx.stroke();
    drawn
}

/// The arrow nearest to a point of the canvas (CSS pixels), within `PICK_PX`.
fn pick(f: &Frame, m: &Model, w: f64, h: f64, px: f64, py: f64) -> Option<u64> {
    m.arrows
        .iter()
        .filter_map(|a| {
            let (s, r) = (f.lane(a.from)?, f.lane(a.to)?);
            let end = a.end_us.unwrap_or(f.now_us.max(a.sent_us));
            let (x0, y0, x1, y1) = (f.x(a.sent_us, w), f.y(s, h), f.x(end, w), f.y(r, h));
            let (dx, dy) = (x1 - x0, y1 - y0);
            let len2 = (dx * dx + dy * dy).max(1e-9);
            let t = (((px - x0) * dx + (py - y0) * dy) / len2).clamp(0.0, 1.0);
            let d = (px - (x0 + t * dx)).hypot(py - (y0 + t * dy));
            (d <= PICK_PX).then_some((a.msg, d))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(m, _)| m)
}

/// Nodes named in a filter like "1-3, 7" (or "S1, S4"); None for an empty filter, Err for one it cannot read.
fn parse_nodes(text: &str) -> Result<Option<Vec<NodeId>>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let num =
            |s: &str| s.trim().trim_start_matches(['S', 's']).parse::<NodeId>().ok().filter(|n| (1..=99).contains(n));
        match part.split_once('-') {
            Some((a, b)) => match (num(a), num(b)) {
                (Some(a), Some(b)) if a <= b => out.extend(a..=b),
                _ => return Err(format!("\"{part}\" is not a range of node ids like 2-5")),
            },
            None => out.push(num(part).ok_or(format!("\"{part}\" is not a node id (1 to 99)"))?),
        }
    }
    Ok(Some(out))
}

#[component]
pub fn SpaceTime(sim: Sim) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let span = RwSignal::new(SPAN_DEFAULT);
    // None: follow now; Some(t): the window ends at t.
    let pinned_end = RwSignal::new(None::<TimeUs>);
    let picked = RwSignal::new(None::<u64>);
    let node_filter = RwSignal::new(String::new());
    let hidden_kinds = RwSignal::new(Vec::<MessageKind>::new());
    let drawn = RwSignal::new((0u64, 0u64, 0usize));
    let detail = RwSignal::new(None::<String>);
    let filter_error = Memo::new(move |_| parse_nodes(&node_filter.get()).err());

    let frame_now = move || -> (Frame, Model) {
        let span_us = SPANS_US[span.get()];
        let now = sim.with(|c| c.now_us());
        let to_us = pinned_end.get().unwrap_or(now + (span_us as f64 * (1.0 - CURSOR_AT)) as TimeUs);
        let from_us = to_us.saturating_sub(span_us);
        let ring = sim.ring.get();
        let lanes = match parse_nodes(&node_filter.get()) {
            Ok(Some(keep)) => ring.iter().copied().filter(|n| keep.contains(n)).collect(),
            _ => ring,
        };
        let hidden = hidden_kinds.get();
        let leaders = sim.read(Aspect::History, |c| {
            c.history()
                .leaders
                .iter()
                .filter(|l| l.since_us <= to_us && l.until_us.is_none_or(|u| u >= from_us))
                .map(|l| (l.leader, l.term, l.since_us, l.until_us.unwrap_or(now)))
                .collect()
        });
        let down_now: Vec<NodeId> = sim.read(Aspect::Nodes, |c| {
            c.servers().filter(|s| s.status == raft_core::sim::server::Status::Crashed).map(|s| s.id).collect()
        });
        // Messages sent up to one span before the window can still be arriving in it. Built straight from the
        // journal (nothing is copied but the arrows), every frame the clock moves.
        let model = sim.peek_recording(|r| {
            let events = r.journal().between(from_us.saturating_sub(span_us), to_us, &[]).filter(|e| match &e.what {
                Happening::Sent { message, .. } => !hidden.contains(message),
                _ => true,
            });
            build(events, leaders, &down_now, from_us)
        });
        let has_clients =
            model.arrows.iter().any(|a| matches!(a.from, Endpoint::Client(_)) || matches!(a.to, Endpoint::Client(_)));
        (Frame { from_us, to_us, now_us: now, lanes, has_clients }, model)
    };
    Effect::new(move |_| {
        let fm = frame_now();
        let p = picked.get();
        if let Some(el) = canvas.get() {
            let (f, m) = &fm;
            let n = draw(&el, f, m, p);
            drawn.set((f.from_us, f.to_us, n));
            let d = p.and_then(|p| m.arrows.iter().find(|a| a.msg == p)).map(|a| {
                let end = match (a.end_us, a.dropped) {
                    (Some(t), false) => format!("delivered at {:.3} s", t as f64 / 1e6),
                    (Some(t), true) => format!("dropped at {:.3} s", t as f64 / 1e6),
                    (None, _) => "in flight".into(),
                };
                let summary = sim.peek_recording(|r| match r.journal().get(a.send_seq).map(|e| &e.what) {
                    Some(Happening::Sent { summary, .. }) => summary.clone(),
                    _ => String::new(),
                });
                let sent_s = a.sent_us as f64 / 1e6;
                format!("#{} {} → {}, sent at {sent_s:.3} s, {end}: {summary}", a.msg, who(a.from), who(a.to))
            });
            detail.set(d);
        }
        let (f, m) = fm;
        SHOWN.with(|s| *s.borrow_mut() = Some((f, m, p)));
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = canvas.get_untracked() else { return };
        let rect = el.get_bounding_client_rect();
        let (px, py) = (ev.client_x() as f64 - rect.left(), ev.client_y() as f64 - rect.top());
        let hit =
            SHOWN.with(|s| s.borrow().as_ref().and_then(|(f, m, _)| pick(f, m, rect.width(), rect.height(), px, py)));
        picked.set(hit);
    };
    let zoom = move |by: i32| span.update(|s| *s = (*s as i32 + by).clamp(0, SPANS_US.len() as i32 - 1) as usize);
    let pan = move |halves: i64| {
        let span_us = SPANS_US[span.get_untracked()] as i64;
        let now = sim.peek(|c| c.now_us()) as i64;
        let end = pinned_end.get_untracked().map_or(now + (span_us as f64 * (1.0 - CURSOR_AT)) as i64, |e| e as i64);
        pinned_end.set(Some((end + halves * span_us / 2).max(span_us) as TimeUs));
    };
    let kinds =
        move || sim.peek(|c| MessageKind::ALL.into_iter().filter(|k| k.in_use(&c.config().raft)).collect::<Vec<_>>());
    view! {
        <div class="spacetime-bar" role="group" aria-label="Space-time diagram controls">
            <button id="spacetime-zoom-in" on:click=move |_| zoom(-1) aria-label="Zoom in (less time across)">"+"</button>
            <button id="spacetime-zoom-out" on:click=move |_| zoom(1) aria-label="Zoom out (more time across)">"−"</button>
            <span class="meta" id="spacetime-span">{move || format!("{} across", fmt_span(SPANS_US[span.get()]))}</span>
            <button on:click=move |_| pan(-1) aria-label="Earlier">"◀"</button>
            <button on:click=move |_| pan(1) aria-label="Later">"▶"</button>
            <button id="spacetime-follow" on:click=move |_| pinned_end.set(None) disabled=move || pinned_end.get().is_none()>"Follow now"</button>
            <label class="spacetime-nodes">"Nodes "
                <input id="spacetime-nodes" type="text" placeholder="all (or 1-3, 7)" maxlength="60"
                    on:input=move |ev| node_filter.set(event_target_value(&ev)) prop:value=move || node_filter.get() />
            </label>
            {move || filter_error.get().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
            // Open on a wide screen; on a phone the chips would push the diagram below the fold.
            <super::pictures::PictureButtons sim=sim view="diagram" />
            <details class="spacetime-kinds" open=wide_screen()>
                <summary>"Message kinds"</summary>
                {move || kinds().into_iter().map(|k| {
                    let look = kind_looks(k)[0].0;
                    view! {
                        <label class="kind-chip" style=format!("--chip: {}", look.stroke)>
                            <input type="checkbox" prop:checked=move || !hidden_kinds.get().contains(&k)
                                on:change=move |_| hidden_kinds.update(|h| if let Some(i) = h.iter().position(|x| *x == k) { h.remove(i); } else { h.push(k); }) />
                            {k.name()}
                        </label>
                    }
                }).collect_view()}
            </details>
        </div>
        <canvas class="spacetime" id="spacetime" node_ref=canvas on:click=on_click
            role="img" aria-label="Space-time diagram: one lane per node, each message an arrow from its send to its delivery"
            data-from-ms=move || (drawn.get().0 as f64 / 1000.0).to_string()
            data-to-ms=move || (drawn.get().1 as f64 / 1000.0).to_string()
            data-arrows=move || drawn.get().2.to_string()></canvas>
        <p class="spacetime-detail" aria-live="polite">
            {move || detail.get().unwrap_or_else(|| "Click an arrow to see the message and its causal past and future.".into())}
        </p>
    }
}

fn wide_screen() -> bool {
    web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).is_none_or(|px| px > 700.0)
}

fn who(e: Endpoint) -> String {
    match e {
        Endpoint::Node(n) => format!("S{n}"),
        Endpoint::Client(c) => format!("client {c}"),
    }
}

fn fmt_span(us: TimeUs) -> String {
    if us >= 1_000_000 {
        format!("{} s", us / 1_000_000)
    } else {
        format!("{} ms", us / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_filters_read_ranges_and_refuse_nonsense() {
        assert_eq!(parse_nodes(" "), Ok(None));
        assert_eq!(parse_nodes("1-3, S7"), Ok(Some(vec![1, 2, 3, 7])));
        assert!(parse_nodes("3-1").unwrap_err().contains("range"));
        assert!(parse_nodes("x").unwrap_err().contains("not a node id"));
    }

    fn arrow(msg: u64, from: u32, to: u32, sent: u64, end: u64) -> Arrow {
        Arrow {
            msg,
            kind: MessageKind::AppendEntries,
            from: Endpoint::Node(from),
            to: Endpoint::Node(to),
            sent_us: sent,
            end_us: Some(end),
            dropped: false,
            send_seq: 0,
        }
    }

    #[test]
    fn happens_before_follows_messages_through_other_lanes() {
        // S1 → S2 at 10→20; S2 → S3 at 30→40 (after the first arrived: caused by it); S3 → S1 at 5→8 (before).
        let arrows = vec![arrow(1, 1, 2, 10, 20), arrow(2, 2, 3, 30, 40), arrow(3, 3, 1, 5, 8)];
        let lane = |e: Endpoint| match e {
            Endpoint::Node(n) => Some(n as usize - 1),
            _ => None,
        };
        let (past, future) = causality(&arrows, &arrows[0], &lane, 3);
        assert_eq!(future[2], 40, "S3 hears of it through S2");
        assert_eq!(past[2], 5, "S3's send to S1 at 5 happened before");
        assert_eq!(past[0], 10);
        let (past2, _) = causality(&arrows, &arrows[1], &lane, 3);
        assert_eq!(past2[0], 10, "message 2's past reaches S1's send through S2");
    }
}
