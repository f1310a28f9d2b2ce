//! The animation loop: while playing and visible, virtual time follows real time times the speed. On a large
//! ring (drawn on a canvas every frame) or with the space-time diagram open it advances every animation frame.
//! Otherwise the compositor moves the messages and timer arcs by itself (`ring_motion`) and the loop sleeps
//! until the next event (`Sim::sleep_real_ms`): a few wakes a second instead of sixty frames. Paused or hidden:
//! nothing is scheduled at all.

use crate::sim::Sim;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// The real time the page's animations are at: `document.timeline.currentTime`, the current frame's time (the
/// clock of the Web Animations in `ring_motion`, a few ms behind `performance.now()`). Virtual time follows
/// this clock, so the simulator and what the compositor moves agree exactly.
pub fn frame_ms() -> f64 {
    web_sys::window().and_then(|w| w.document()).and_then(|d| d.timeline().current_time()).unwrap_or_else(now_ms)
}

fn visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// The loop's state: whether a wake is scheduled, and the generation of the current plan (a wake planned
/// before a later change finds another generation and does nothing).
#[derive(Clone)]
struct Loop {
    sim: Sim,
    running: Rc<Cell<bool>>,
    generation: Rc<Cell<u64>>,
}

impl Loop {
    /// Whether a wake planned in `generation` goes on: not if the plan changed since, nor (and the loop stops)
    /// if the run paused or the tab hid meanwhile (a hidden tab schedules no frame at all).
    fn goes_on(&self, generation: u64) -> bool {
        if generation != self.generation.get() {
            return false;
        }
        if !self.sim.playing.get_untracked() || !visible() {
            self.stop();
            return false;
        }
        true
    }

    fn tick(&self, generation: u64) {
        if !self.goes_on(generation) {
            return;
        }
        self.sim.advance_to_real_ms(frame_ms());
        self.plan(generation);
    }

    /// The end of a sleep: on to the next frame.
    fn wake(&self, generation: u64) {
        if !self.goes_on(generation) {
            return;
        }
        let next = self.clone();
        request_animation_frame(move || next.tick(generation));
    }

    fn stop(&self) {
        self.running.set(false);
        self.sim.stop_clock();
    }

    /// The next wake: the next animation frame, or a sleep and then a frame.
    fn plan(&self, generation: u64) {
        let next = self.clone();
        match self.sim.sleep_real_ms() {
            None => request_animation_frame(move || next.tick(generation)),
            // The sleep counts from this frame's time, and this tick ran some ms into the frame. The wake asks
            // for a frame once the next event is due, not before: the frame it gets starts after the request,
            // so it is the first frame that shows the event. (Waking 8 ms early landed one frame early about
            // every other time, and that frame did nothing but cost a frame: 22 frames a second for 13 events.)
            Some(ms) => {
                let into_frame_ms = (now_ms() - frame_ms()).max(0.0);
                let sleep_ms = (ms - into_frame_ms).max(0.0).ceil() as u64;
                set_timeout(move || next.wake(generation), Duration::from_millis(sleep_ms))
            }
        }
    }

    /// Plans again from now: play pressed, the tab visible again, or a change that may bring the next event
    /// closer than the planned wake.
    fn kick(&self) {
        // Whatever was planned is dropped: a quick pause and play must not find an old wake still pending.
        self.generation.set(self.generation.get() + 1);
        if !self.sim.playing.get_untracked() || !visible() {
            self.stop();
            return;
        }
        if !self.running.get() {
            self.running.set(true);
            self.sim.start_clock(frame_ms());
        }
        let (next, generation) = (self.clone(), self.generation.get());
        request_animation_frame(move || next.tick(generation));
    }
}

/// Starts the loop and restarts it whenever play is pressed, the run changes, or the tab becomes visible.
pub fn start(sim: Sim) {
    let lp = Loop { sim, running: Rc::new(Cell::new(false)), generation: Rc::new(Cell::new(0)) };

    let on_change = lp.clone();
    Effect::new(move |_| {
        sim.track_motion();
        sim.diagram.track();
        sim.ring.track();
        on_change.kick();
    });

    // Back from a hidden tab: start again.
    let on_visible = Closure::<dyn FnMut()>::new(move || lp.kick());
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let _ = doc.add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
    }
    on_visible.forget();
}

/// Below this width the side column sits under the ring (style/main.css, `max-width: 1100px`).
const NARROW_PX: f64 = 1100.0;

/// Scrolls the element into view after the next paint, if the screen is narrow (a phone).
pub fn reveal_on_narrow_screen(id: &'static str) {
    let Some(w) = web_sys::window() else { return };
    if w.inner_width().ok().and_then(|v| v.as_f64()).is_none_or(|px| px > NARROW_PX) {
        return;
    }
    leptos::prelude::request_animation_frame(move || {
        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
            el.scroll_into_view();
        }
    });
}
