//! The painted timeline under the toolbar: the whole recorded run from 0 to the furthest time reached, with
//! leaderships as bands in their term's colour, elections (started, won), crashes and restarts, network
//! changes and invariant violations marked. Hovering a mark says what happened; a click jumps there. Drawn from
//! the journal's milestones, so after a scrub back the recorded future is on it too (greyed).

use crate::geometry::term_color;
use crate::sim::Sim;
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::sim::journal::Happening;
use raft_core::sim::Command;
use raft_core::types::{NodeId, Role, TimeUs};

/// Positions of the cursor across the strip (about its width in pixels at 1280).
const CURSOR_STEPS: u64 = 800;

/// The strip's step for a run of `end_ms`: a power of two of milliseconds, 1/800th to 1/1600th of the run.
fn strip_step_ms(end_ms: u64) -> u64 {
    let step = (end_ms / CURSOR_STEPS).max(1);
    if step.is_power_of_two() {
        step
    } else {
        step.next_power_of_two() / 2
    }
}
/// Marks kept at most (the oldest go first): a day-long run must not draw a million elements.
const MARKS_MAX: usize = 2_000;

#[derive(Clone, Debug, PartialEq)]
enum Mark {
    Leader { node: NodeId, term: u64, from_us: TimeUs, to_us: Option<TimeUs> },
    Election { node: NodeId, term: u64, at_us: TimeUs },
    Crash { node: NodeId, at_us: TimeUs },
    Restart { node: NodeId, at_us: TimeUs },
    Network { what: String, at_us: TimeUs },
    Violation { what: String, at_us: TimeUs },
}

fn marks(sim: Sim) -> Vec<Mark> {
    sim.peek_recording(|r| {
        let mut out: Vec<Mark> = Vec::new();
        let mut leading: Vec<(NodeId, usize)> = Vec::new();
        let end_leadership = |out: &mut Vec<Mark>, leading: &mut Vec<(NodeId, usize)>, node: NodeId, at: TimeUs| {
            if let Some(p) = leading.iter().position(|(n, _)| *n == node) {
                let (_, i) = leading.remove(p);
                if let Some(Mark::Leader { to_us, .. }) = out.get_mut(i) {
                    *to_us = Some(at);
                }
            }
        };
        for e in r.journal().events() {
            match &e.what {
                Happening::RoleChanged { node, to: Role::Leader, term, .. } => {
                    leading.push((*node, out.len()));
                    out.push(Mark::Leader { node: *node, term: *term, from_us: e.at_us, to_us: None });
                }
                Happening::RoleChanged { node, from: Role::Leader, .. } => {
                    end_leadership(&mut out, &mut leading, *node, e.at_us)
                }
                Happening::RoleChanged { node, to: Role::Candidate, term, .. } => {
                    out.push(Mark::Election { node: *node, term: *term, at_us: e.at_us })
                }
                Happening::Crashed { node, .. } => {
                    end_leadership(&mut out, &mut leading, *node, e.at_us);
                    out.push(Mark::Crash { node: *node, at_us: e.at_us });
                }
                Happening::Restarted { node } => out.push(Mark::Restart { node: *node, at_us: e.at_us }),
                Happening::Command { command } => {
                    if matches!(**command, Command::Partition { .. } | Command::Cut { .. } | Command::Heal) {
                        out.push(Mark::Network { what: command.describe(), at_us: e.at_us });
                    }
                }
                Happening::Violation { invariant, message } => {
                    out.push(Mark::Violation { what: format!("{invariant}: {message}"), at_us: e.at_us })
                }
                _ => {}
            }
        }
        let drop = out.len().saturating_sub(MARKS_MAX);
        out.drain(..drop);
        out
    })
}

/// A mark at one instant: a vertical line from `y.0` to `y.1`, its title saying when and what.
fn tick(class: &'static str, at_us: TimeUs, y: (u32, u32), what: String) -> AnyView {
    let x = (at_us / 1000).to_string();
    view! {
        <line class=format!("mark {class}") x1=x.clone() x2=x y1=y.0.to_string() y2=y.1.to_string()>
            <title>{format!("{}: {what}", secs(at_us))}</title>
        </line>
    }
    .into_any()
}

fn secs(us: TimeUs) -> String {
    format!("{:.2} s", us as f64 / 1e6)
}

#[component]
pub fn Timeline(sim: Sim) -> impl IntoView {
    // Read again when the story changes (an election, a command, a violation) and the journal has grown since:
    // a scrub changes the cluster's history but not the journal, which already holds the whole run.
    let all = Memo::new(move |prev: Option<&(u64, Vec<Mark>)>| {
        sim.watch.track(Aspect::History);
        sim.watch.track(Aspect::Commands);
        sim.watch.track(Aspect::Violations);
        let seq = sim.peek_recording(|r| r.journal().last_seq());
        match prev {
            Some((s, marks)) if *s == seq => (seq, marks.clone()),
            _ => (seq, marks(sim)),
        }
    });
    // Everything on the strip moves in steps of about one of its pixels (a 1/800th to a 1/1600th of the run): a
    // cursor, a scale or a growing band that changes every frame repaints the whole strip. (The scale and the
    // current leadership's band followed the run's end every frame; now they change about one frame in ten.)
    // The run's length (at least one second, so that a fresh run is not one stretched instant) is rounded up
    // to a step, the time and the recorded future down.
    let horizon_ms = Memo::new(move |_| sim.horizon_us.get() / 1000);
    let end_ms = Memo::new(move |_| {
        let raw = horizon_ms.get().max(1000);
        let step = strip_step_ms(raw);
        raw.div_ceil(step) * step
    });
    let step_ms = Memo::new(move |_| strip_step_ms(end_ms.get()));
    let now_ms = Memo::new(move |_| {
        let step = step_ms.get();
        sim.with(|c| c.now_us()) / 1000 / step * step
    });
    let future_ms = Memo::new(move |_| {
        let step = step_ms.get();
        (horizon_ms.get() / step * step).saturating_sub(now_ms.get())
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = ev.current_target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        else {
            return;
        };
        let rect = el.get_bounding_client_rect();
        let frac = ((ev.client_x() as f64 - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0);
        let t_us = (frac * end_ms.get_untracked() as f64 * 1000.0) as u64;
        sim.playing.set(false);
        sim.scrub_soon(t_us.min(sim.horizon_us.get_untracked()));
    };
    view! {
        <div class="timeline" id="timeline" title="The whole run: click to jump there">
            <svg viewBox=move || format!("0 0 {} 20", end_ms.get()) preserveAspectRatio="none" on:click=on_click
                role="img" aria-label="Timeline of the run: leaderships, elections, crashes, network changes, violations">
                // The recorded future (after a scrub back).
                <rect class="future" y="0" height="20" x=move || now_ms.get().to_string()
                    width=move || future_ms.get().to_string() />
                {move || all.get().1.into_iter().map(|m| match m {
                    Mark::Leader { node, term, from_us, to_us } => {
                        // A leadership still going on reaches the end of the run as it grows.
                        let width = move || {
                            let to_ms = to_us.map_or_else(|| end_ms.get(), |t| t / 1000);
                            to_ms.saturating_sub(from_us / 1000).max(1).to_string()
                        };
                        let title = format!("S{node} leads term {term}, {}–{}", secs(from_us), to_us.map_or("now".into(), secs));
                        view! { <rect class="lead" y="4" height="12" x=(from_us / 1000).to_string()
                            width=width fill=term_color(term)><title>{title}</title></rect> }.into_any()
                    }
                    Mark::Election { node, term, at_us } => {
                        tick("election", at_us, (0, 5), format!("S{node} stands for term {term}"))
                    }
                    Mark::Crash { node, at_us } => tick("crash", at_us, (12, 20), format!("S{node} crashed")),
                    Mark::Restart { node, at_us } => tick("restart", at_us, (12, 20), format!("S{node} restarted")),
                    Mark::Network { what, at_us } => tick("network", at_us, (0, 20), what),
                    Mark::Violation { what, at_us } => tick("violation", at_us, (0, 20), format!("violated: {what}")),
                }).collect_view()}
                <line class="cursor" y1="0" y2="20" x1=move || now_ms.get().to_string() x2=move || now_ms.get().to_string() />
            </svg>
        </div>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_strip_moves_in_power_of_two_steps_of_one_to_two_pixels() {
        for end_ms in [1_000u64, 1_600, 5_000, 60_000, 600_000, 86_400_000] {
            let step = strip_step_ms(end_ms);
            assert!(step.is_power_of_two(), "{end_ms}: {step}");
            assert!(step <= (end_ms / CURSOR_STEPS).max(1), "{end_ms}: {step} is more than a pixel");
            assert!(step * 2 * CURSOR_STEPS > end_ms, "{end_ms}: {step} is less than half a pixel");
        }
    }
}
