//! What moves on the ring of a large cluster, on a canvas: the messages in flight and the election-timer arcs.
//! At 51 nodes a thousand messages a second come and go; as SVG elements each one is created, restyled every
//! frame and removed (measured: most of a 27 ms frame at 1×), and 51 arcs are 51 path attributes rewritten and
//! re-laid out every frame. On a canvas they are a few path calls per frame and no DOM at all. The canvas lies
//! over the ring and lets clicks through to the nodes; a click on the ring's background picks the nearest
//! message.

use super::cluster::{message_look, message_pos, message_size, timer_steps_left, Look, TIMER_STEPS};
use crate::ring_layout::RingLayout;
use crate::sim::{Selection, Sim};
use leptos::html::Canvas;
use leptos::prelude::*;
use raft_core::types::NodeId;
use raft_core::Cluster;
use std::f64::consts::PI;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// From this many nodes on the ring, messages and timer arcs are drawn on the canvas.
pub const CANVAS_NODES_MIN: usize = 12;

fn context(el: &web_sys::HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
    el.get_context("2d").ok()??.dyn_into().ok()
}

fn draw_shape(ctx: &web_sys::CanvasRenderingContext2d, look: Look, x: f64, y: f64, size: f64) {
    ctx.begin_path();
    match look.kind {
        "circle" | "circle-small" => {
            let r = if look.kind == "circle" { size } else { size * 0.7 };
            let _ = ctx.arc(x, y, r, 0.0, 2.0 * PI);
        }
        "square" | "square-small" => {
            let s = if look.kind == "square" { size * 1.7 } else { size * 1.2 };
            ctx.rect(x - s / 2.0, y - s / 2.0, s, s);
        }
        _ => {
            let s = if look.kind == "diamond" { size * 1.3 } else { size * 0.95 };
            ctx.move_to(x, y - s);
            ctx.line_to(x + s, y);
            ctx.line_to(x, y + s);
            ctx.line_to(x - s, y);
            ctx.close_path();
        }
    }
    ctx.set_fill_style_str(look.fill);
    ctx.fill();
    ctx.set_stroke_style_str(look.stroke);
    ctx.stroke();
}

/// The canvas's size in CSS pixels, as the last resize reported it: reading `clientWidth` while drawing forced
/// a layout in the middle of every frame.
type CssSize = (f64, f64);

fn draw(
    el: &web_sys::HtmlCanvasElement,
    css: CssSize,
    ids: &[NodeId],
    ring: RingLayout,
    c: &Cluster,
    selected: Option<u64>,
) {
    let Some(ctx) = context(el) else { return };
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (w, h) = (css.0 * dpr, css.1 * dpr);
    let (pw, ph) = (w.round().max(1.0) as u32, h.round().max(1.0) as u32);
    if el.width() != pw || el.height() != ph {
        el.set_width(pw);
        el.set_height(ph);
    }
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, w, h);
    let (s, ox, oy) = ring.fit(w, h);
    let _ = ctx.set_transform(s, 0.0, 0.0, s, ox, oy);
    // Election timers, as the SVG draws them on a small ring (`.node .timer` in style/main.css): from the top,
    // clockwise, the part of the timeout still left.
    ctx.set_line_width(2.5);
    ctx.set_line_cap("round");
    ctx.set_stroke_style_str("#6e7781");
    let r = ring.node_radius() + 5.0;
    for (i, id) in ids.iter().enumerate() {
        let Some(steps) = timer_steps_left(c, *id) else { continue };
        if steps == 0 {
            continue;
        }
        let (x, y) = ring.pos(i);
        let start = -PI / 2.0;
        ctx.begin_path();
        let _ = ctx.arc(x, y, r, start, start + 2.0 * PI * (steps as f64 / TIMER_STEPS).min(0.9999));
        ctx.stroke();
    }
    ctx.set_line_cap("butt");
    ctx.set_line_width(1.0);
    let size = message_size(ring);
    for e in c.in_flight() {
        let (x, y) = message_pos(ids, ring, c.now_us(), e);
        draw_shape(&ctx, message_look(&e.msg), x, y, size);
        if selected == Some(e.id) {
            ctx.begin_path();
            let _ = ctx.arc(x, y, size * 2.0, 0.0, 2.0 * PI);
            ctx.set_stroke_style_str("#0969da");
            ctx.set_line_width(3.0);
            ctx.stroke();
            ctx.set_line_width(1.0);
        }
    }
}

/// Calls `on_size` with the element's size in CSS pixels now and whenever it is resized (window, side column,
/// presenter mode), until the reactive owner it is called in is cleaned up. Call it in an effect.
pub fn follow_size(el: &web_sys::Element, on_size: impl Fn(f64, f64) + 'static) {
    on_size(el.client_width() as f64, el.client_height() as f64);
    let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let Some(entry) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>().ok() else { return };
        let rect = entry.content_rect();
        on_size(rect.width(), rect.height());
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(el);
        // The observer and its callback live as long as the owner (a thread-local store: a JS callback is never
        // sent across threads, and a cleanup must be Send).
        let kept = StoredValue::new_local((observer, on_resize));
        on_cleanup(move || {
            let _ = kept.try_with_value(|(observer, _)| observer.disconnect());
        });
    }
}

/// The message nearest to a point of the ring (in its coordinates) at virtual time `now_us`, if one is within
/// reach.
pub fn hit(ids: &[NodeId], ring: RingLayout, c: &Cluster, now_us: u64, x: f64, y: f64) -> Option<u64> {
    let reach = message_size(ring) * 2.5;
    c.in_flight()
        .map(|e| {
            let (mx, my) = message_pos(ids, ring, now_us, e);
            (e.id, (mx - x).hypot(my - y))
        })
        .filter(|(_, d)| *d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id)
}

#[component]
pub fn RingCanvas(sim: Sim, ids: Memo<Vec<NodeId>>, ring: Memo<RingLayout>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let size = RwSignal::new((0.0, 0.0));
    // Measured when the canvas is mounted and whenever it is resized (window, side column, presenter mode).
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        follow_size(&el, move |w, h| size.set((w, h)));
    });
    Effect::new(move |_| {
        let ids = ids.get();
        let ring = ring.get();
        let selected = match sim.selection.get() {
            Selection::Message(m) => Some(m),
            _ => None,
        };
        let css = size.get();
        if let Some(el) = canvas.get() {
            sim.with(|c| draw(&el, css, &ids, ring, c, selected));
        }
    });
    view! { <canvas class="ring-canvas" node_ref=canvas aria-hidden="true"></canvas> }
}
