//! The header: play/pause, single step, speed, virtual time, who leads, the invariant alarm, presenter mode,
//! and the last refused action. Each part follows only the aspect it shows.

use crate::geometry::fmt_time_ms;
use crate::sim::{Sim, SPEEDS};
use crate::views::side::Tab;
use crate::watch::Aspect;
use leptos::prelude::*;

/// The clock's step while the run plays, in virtual milliseconds.
const CLOCK_STEP_PLAYING_MS: f64 = 10.0;

/// The time slider's step, in virtual milliseconds.
const SLIDER_STEP_MS: u64 = 100;

#[component]
pub fn Toolbar(sim: Sim, learn: crate::learn::Learn) -> impl IntoView {
    // While the run plays the clock moves in CLOCK_STEP_PLAYING_MS steps: a text that changes every frame
    // costs a layout of the header every frame. Paused (or stepping) it shows the exact time.
    // The memo holds the number shown, so a frame that leaves it unchanged formats nothing.
    let time_ms = Memo::new(move |_| {
        let now_ms = sim.with(|c| c.now_us()) as f64 / 1000.0;
        if sim.playing.get() {
            (now_ms / CLOCK_STEP_PLAYING_MS).floor() * CLOCK_STEP_PLAYING_MS
        } else {
            now_ms
        }
    });
    let leader = Memo::new(move |_| sim.read(Aspect::Nodes, crate::summary::leader_line));
    // The slider in steps of SLIDER_STEP_MS: a range input repaints whenever its value or max is set, and a
    // step of 1/10 s is finer than its pixels on any run longer than a few seconds.
    let slider = Memo::new(move |_| {
        let now_ms = sim.with(|c| c.now_us()) / 1000;
        let max_ms = sim.horizon_us.get() / 1000;
        (now_ms / SLIDER_STEP_MS * SLIDER_STEP_MS, max_ms / SLIDER_STEP_MS * SLIDER_STEP_MS)
    });
    let shared = RwSignal::new(false);
    // A new command after sharing makes the link in the address bar stale. Only a real flip writes the
    // signal, so a playing run does not notify the button every frame.
    Effect::new(move |_| {
        sim.watch.track(Aspect::Commands);
        if shared.get_untracked() {
            shared.set(false);
        }
    });
    let toggle = move |_| sim.toggle_play();
    let step = move |_| {
        sim.pause();
        sim.step();
    };
    let on_speed = move |ev| {
        let v: f64 = event_target_value(&ev).parse().unwrap_or(crate::sim::SPEED_DEFAULT);
        sim.speed.set(v);
    };
    view! {
        <header class="toolbar">
            <h1 class="brand"><span class="logo" aria-hidden="true"></span><span class="brand-name">"Raft Escort"</span></h1>
            <div class="transport" role="group" aria-label="Time controls">
                <button class="primary" id="play" on:click=toggle
                    aria-label=move || if sim.playing.get() { "Pause (space)" } else { "Play (space)" }
                    title="Space">
                    {move || if sim.playing.get() { "❚❚ Pause" } else { "▶ Play" }}
                </button>
                <button id="step" on:click=step aria-label="Step to the next event (n)" title="n">"Step ›"</button>
                <label class="speed">
                    <span>"Speed"</span>
                    <select id="speed" aria-label="Simulation speed" on:change=on_speed
                        prop:value=move || sim.speed.get().to_string()>
                        {SPEEDS.iter().map(|(v, label)| view! { <option value=v.to_string()>{*label}</option> }).collect_view()}
                    </select>
                </label>
                <span class="clock" aria-label="Virtual time" id="clock">{move || fmt_time_ms(time_ms.get())}</span>
                <input type="range" id="scrub" class="scrub" min="0" aria-label="Scrub through time"
                    prop:max=move || slider.get().1.to_string()
                    prop:value=move || slider.get().0.to_string()
                    on:input=move |ev| {
                        sim.playing.set(false);
                        if let Ok(ms) = event_target_value(&ev).parse::<u64>() { sim.scrub_soon(ms * 1000) }
                    } />
                <button id="share" title="Put a link to this run in the address bar" on:click=move |_| {
                    if crate::permalink::write(sim).is_some() {
                        sim.notice.set(None);
                        shared.set(true);
                    }
                }>{move || if shared.get() { "Link in address bar ✓" } else { "Share link" }}</button>
            </div>
            <div class="status-line" id="status-line" title=move || leader.get()>{move || super::ranges::keep_ranges_whole(&leader.get())}</div>
            <Alarm sim=sim />
            {move || sim.loading.get().map(|done| {
                let pct = (done * 100.0).floor();
                view! {
                    <div class="loading" role="status" id="loading">
                        <span>{format!("Replaying the run… {pct}%")}</span>
                        <progress max="100" prop:value=pct aria-label="Replay progress"></progress>
                        <button id="cancel-load" on:click=move |_| sim.cancel_load()>"Cancel"</button>
                    </div>
                }
            })}
            <div class="notice" role="status" aria-live="polite">
                {move || sim.notice.get().map(|n| view! { <span class="error" id="notice">{n}</span> })}
            </div>
            <button id="learn-open" class="learn-button" aria-pressed=move || learn.open.get().to_string()
                title="A guided course on this live cluster: chapters, questions, exercises"
                on:click=move |_| if learn.open.get_untracked() { learn.leave(sim) } else { learn.open_course(sim) }>
                {move || if learn.open.get() { "Learning ✓" } else { "Learn Raft" }}</button>
            <button id="presenter" class="presenter-button" aria-pressed=move || sim.presenter.get().to_string()
                title="Presenter mode: big type for the back row (f)" on:click=move |_| sim.presenter.update(|p| *p = !*p)>
                "Presenter"</button>
            <button class="help-button" aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" on:click=move |_| sim.help_open.set(true)>"?"</button>
            <Fork sim=sim />
        </header>
    }
}

/// The invariant alarm: red, in the header, from the first violation on; a click opens the invariants tab.
#[component]
fn Alarm(sim: Sim) -> impl IntoView {
    let summary = Memo::new(move |_| {
        sim.read(Aspect::Violations, |c| {
            let vs = c.violations();
            let first = vs.first()?;
            let mut names: Vec<&str> = vs.iter().map(|v| v.invariant.name()).collect();
            names.sort();
            names.dedup();
            Some((vs.len(), names.join(", "), fmt_time_ms(first.at_us as f64 / 1000.0)))
        })
    });
    move || {
        summary.get().map(|(n, names, at)| {
            view! {
                <button class="alarm" id="alarm" role="alert" on:click=move |_| sim.tab.set(Tab::Invariants)
                    title="Open the invariants tab">
                    <span aria-hidden="true">"⚠ "</span>
                    {format!("Raft is broken: {n} invariant violation{} ({names}), first at {at}", if n == 1 { "" } else { "s" })}
                </button>
            }
        })
    }
}

/// Asked before an action in the past throws away the actions recorded after it.
#[component]
fn Fork(sim: Sim) -> impl IntoView {
    move || {
        sim.fork.get().map(|(cmd, later)| {
            let describe = cmd.describe();
            view! {
                <div class="fork" role="alertdialog" aria-labelledby="fork-text" id="fork">
                    <span id="fork-text">{format!(
                        "This run has {later} more recorded action{} after this moment (a scenario's, a link's, or yours before you went back in time). \"{describe}\" here starts a new future without {}.",
                        if later == 1 { "" } else { "s" },
                        if later == 1 { "it" } else { "them" }
                    )}</span>
                    <button class="danger" id="fork-confirm" on:click=move |_| sim.confirm_fork()>"Rewrite the future"</button>
                    <button class="primary" id="fork-keep" on:click=move |_| sim.keep_future()>"Keep the recorded run"</button>
                </div>
            }
        })
    }
}
