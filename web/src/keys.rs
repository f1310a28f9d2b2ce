//! Keyboard shortcuts (listed in the `?` overlay). Ignored while typing in a form field.

use crate::sim::{Selection, Sim};
use leptos::prelude::*;
use raft_core::sim::server::Status;
use raft_core::Command;
use wasm_bindgen::JsCast;

fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

fn selected_node(sim: Sim) -> Option<u32> {
    match sim.selection.get_untracked() {
        Selection::Node(n) => Some(n),
        _ => None,
    }
}

fn faster(sim: Sim, up: bool) {
    let speeds: Vec<f64> = crate::sim::SPEEDS.iter().map(|(v, _)| *v).collect();
    let cur = sim.speed.get_untracked();
    let i = speeds.iter().position(|v| (*v - cur).abs() < 1e-12).unwrap_or(4);
    let j = if up { (i + 1).min(speeds.len() - 1) } else { i.saturating_sub(1) };
    sim.speed.set(speeds[j]);
}

/// In the course: → / Page Down / Space for the next page, ← / Page Up for the previous one (presenter remotes
/// send Page Up / Down). Arrows inside a tab list move between tabs; Space on a button presses it.
fn course_key(ev: &web_sys::KeyboardEvent, key: &str, sim: Sim, learn: crate::learn::Learn) -> bool {
    let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let in_tabs = target.as_ref().is_some_and(|el| el.closest("[role=tablist]").ok().flatten().is_some());
    let on_button = target.as_ref().is_some_and(|el| matches!(el.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY"));
    match key {
        "ArrowRight" if !in_tabs => learn.next(sim),
        "PageDown" => learn.next(sim),
        " " if !on_button => learn.next(sim),
        "ArrowLeft" if !in_tabs => learn.back(sim),
        "PageUp" => learn.back(sim),
        _ => return false,
    }
    true
}

pub fn install(sim: Sim, learn: crate::learn::Learn) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if typing(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let key = ev.key();
        if learn.open.get_untracked() && course_key(&ev, &key, sim, learn) {
            ev.prevent_default();
            return;
        }
        let mut handled = true;
        let on_node = |f: fn(u32, Status) -> Option<Command>| {
            if let Some(n) = selected_node(sim) {
                let status = sim.peek(|c| c.server(n).map(|s| s.status));
                if let Some(cmd) = status.and_then(|s| f(n, s)) {
                    let _ = sim.apply(cmd);
                }
            } else {
                sim.notice.set(Some("select a node first (click it, or press 1–9)".into()));
            }
        };
        match key.as_str() {
            " " => sim.toggle_play(),
            "n" | "." => {
                sim.pause();
                sim.step();
            }
            "+" | "=" => faster(sim, true),
            "-" | "_" => faster(sim, false),
            "?" => sim.help_open.update(|h| *h = !*h),
            "f" => sim.presenter.update(|p| *p = !*p),
            "s" => sim.diagram.update(|d| *d = !*d),
            "Escape" => {
                sim.help_open.set(false);
                sim.selection.set(Selection::None);
            }
            "l" => {
                if let Some(l) = sim.peek(|c| c.leader().map(|l| l.id())) {
                    sim.select(Selection::Node(l));
                }
            }
            "k" => on_node(|n, s| matches!(s, Status::Up | Status::Paused).then_some(Command::Crash { node: n })),
            "r" => on_node(|n, s| (s == Status::Crashed).then_some(Command::Restart { node: n })),
            "p" => on_node(|n, s| match s {
                Status::Up => Some(Command::Pause { node: n }),
                Status::Paused => Some(Command::Resume { node: n }),
                _ => None,
            }),
            "t" => on_node(|n, s| (s == Status::Up).then_some(Command::Timeout { node: n })),
            "a" => {
                let _ = sim.apply(Command::AddNode);
            }
            "h" => {
                let _ = sim.apply(Command::Heal);
            }
            "d" => {
                if let Selection::Message(id) = sim.selection.get_untracked() {
                    let _ = sim.apply(Command::DropMessage { id });
                }
            }
            k if k.len() == 1 && k.as_bytes()[0].is_ascii_digit() && k != "0" => {
                let n = (k.as_bytes()[0] - b'0') as u32;
                if sim.peek(|c| c.server(n).is_some()) {
                    sim.select(Selection::Node(n));
                }
            }
            _ => handled = false,
        }
        if handled {
            ev.prevent_default();
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
}
