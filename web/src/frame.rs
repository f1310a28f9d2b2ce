//! The animation loop: while playing and visible, each animation frame advances virtual time by the real time
//! elapsed times the speed. Paused or hidden: no frame is scheduled at all.

use crate::sim::Sim;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The per-frame closure, shared between the scheduler and itself.
type FrameCallback = Closure<dyn FnMut()>;

/// A long gap between frames (a hidden tab, a debugger) is not replayed as a burst of simulation.
const FRAME_GAP_MS_MAX: f64 = 100.0;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Starts the loop and restarts it whenever play is pressed or the tab becomes visible.
pub fn start(sim: Sim) {
    let running = Rc::new(Cell::new(false));
    let last_ms = Rc::new(Cell::new(0.0));
    let tick: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));

    let schedule = {
        let tick = tick.clone();
        move || {
            if let (Some(w), Some(cb)) = (web_sys::window(), tick.borrow().as_ref()) {
                let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
            }
        }
    };

    {
        let (running, last_ms, schedule) = (running.clone(), last_ms.clone(), schedule.clone());
        *tick.borrow_mut() = Some(Closure::new(move || {
            if !sim.playing.get_untracked() || !visible() {
                running.set(false);
                return;
            }
            let now = now_ms();
            let dt = (now - last_ms.get()).clamp(0.0, FRAME_GAP_MS_MAX);
            last_ms.set(now);
            sim.advance_real_ms(dt);
            schedule();
        }));
    }

    let kick = {
        let (running, last_ms) = (running.clone(), last_ms.clone());
        move || {
            if sim.playing.get_untracked() && visible() && !running.get() {
                running.set(true);
                last_ms.set(now_ms());
                schedule();
            }
        }
    };

    // Play pressed (or the page loads playing): start the loop.
    let kick_on_play = kick.clone();
    Effect::new(move |_| {
        if sim.playing.get() {
            kick_on_play();
        }
    });

    // Back from a hidden tab: start again.
    let on_visible = Closure::<dyn FnMut()>::new(kick);
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let _ = doc.add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
    }
    on_visible.forget();
    // The frame closure lives as long as the page.
    std::mem::forget(tick);
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
