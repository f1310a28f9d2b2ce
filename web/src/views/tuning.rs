//! Timing and network tuning. The fields always show what the run uses: loading a scenario or a link, or
//! starting over, puts that run's values in them. Next to them, a live verdict on whether this timing can
//! elect a stable leader (see `advice`), for the values typed before Apply as well as for the run's own.

use super::actions::{apply_or_error, error_line};
use crate::advice::{advise, Stability, Timing};
use crate::input::{int_field, num_field};
use crate::sim::Sim;
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::sim::Settings;
use raft_core::{Command, SimConfig};

/// The fields: key, label, and how to read the value from a config.
type Field = (&'static str, &'static str, fn(&SimConfig) -> String);

const FIELDS: [Field; 7] = [
    ("heartbeat_ms", "heartbeat (ms)", |c| c.raft.heartbeat_ms.to_string()),
    ("election_timeout_min_ms", "election timeout min (ms)", |c| c.raft.election_timeout_min_ms.to_string()),
    ("election_timeout_max_ms", "election timeout max (ms)", |c| c.raft.election_timeout_max_ms.to_string()),
    ("latency_min_ms", "latency min (ms)", |c| c.network.latency_min_ms.to_string()),
    ("latency_max_ms", "latency max (ms)", |c| c.network.latency_max_ms.to_string()),
    ("loss_pct", "loss (%)", |c| c.network.loss_pct.to_string()),
    ("duplicate_pct", "duplication (%)", |c| c.network.duplicate_pct.to_string()),
];

#[component]
pub fn Tuning(sim: Sim) -> impl IntoView {
    // The run's values, as strings; a memo, so the fields are reset only when the run's timing changes.
    let run_values = Memo::new(move |_| sim.read(Aspect::Commands, |c| FIELDS.map(|(_, _, get)| get(c.config()))));
    let values: [RwSignal<String>; 7] = std::array::from_fn(|i| RwSignal::new(run_values.get_untracked()[i].clone()));
    let err = RwSignal::new(None);
    let ok = RwSignal::new(false);
    Effect::new(move |_| {
        let v = run_values.get();
        for (sig, val) in values.iter().zip(v) {
            sig.set(val);
        }
    });
    let get = move |k: &str| {
        let i = FIELDS.iter().position(|(key, ..)| *key == k).expect("a known field");
        (FIELDS[i].1, values[i].get_untracked())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let int = |k: &str| {
            let (l, v) = get(k);
            int_field(l, &v, 1, 600_000).map(|v| v as u64)
        };
        let num = |k: &str, max: f64| {
            let (l, v) = get(k);
            num_field(l, &v, 0.0, max)
        };
        let settings = (|| -> Result<Settings, String> {
            Ok(Settings {
                heartbeat_ms: Some(int("heartbeat_ms")?),
                election_timeout_min_ms: Some(int("election_timeout_min_ms")?),
                election_timeout_max_ms: Some(int("election_timeout_max_ms")?),
                latency_min_ms: Some(num("latency_min_ms", 60_000.0)?),
                latency_max_ms: Some(num("latency_max_ms", 60_000.0)?),
                loss_pct: Some(num("loss_pct", 100.0)?),
                duplicate_pct: Some(num("duplicate_pct", 100.0)?),
                ..Default::default()
            })
        })();
        match settings {
            Ok(s) => {
                apply_or_error(sim, Command::Configure { settings: s }, err);
                ok.set(err.get_untracked().is_none());
            }
            Err(e) => {
                ok.set(false);
                err.set(Some(e));
            }
        }
    };
    // The verdict on the typed values (falling back to the run's for a field that does not parse).
    let verdict = Memo::new(move |_| {
        let typed = |i: usize| values[i].get().trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let run = run_values.get();
        let pick = |i: usize| typed(i).unwrap_or_else(|| run[i].parse().unwrap_or(0.0));
        let sync_max_ms = sim.peek(|c| c.config().disk.sync_max_ms);
        advise(Timing {
            heartbeat_ms: pick(0),
            election_min_ms: pick(1),
            election_max_ms: pick(2),
            latency_max_ms: pick(4),
            sync_max_ms,
            loss_pct: pick(5),
        })
    });
    view! {
        <form on:submit=submit class="tuning" aria-label="Tune timing and network">
            {FIELDS.iter().enumerate().map(|(i, (key, label, _))| {
                let v = values[i];
                view! {
                    <label><span>{*label}</span>
                        <input id=format!("tune-{key}") inputmode="decimal" prop:value=v on:input=move |ev| { ok.set(false); v.set(event_target_value(&ev)) } />
                    </label>
                }
            }).collect_view()}
            <div class="tune-actions">
                <button type="submit" id="tune-apply">"Apply"</button>
                {move || ok.get().then(|| view! { <span class="ok-note">"applied ✓"</span> })}
            </div>
            {error_line(err, "tune-error")}
        </form>
        <div class=move || format!("stability {}", match verdict.get().0 { Stability::Stable => "stable", Stability::Shaky => "shaky", Stability::Broken => "broken" })
            id="stability" role="status">
            <p><strong>{move || format!("Timing: {}", verdict.get().0.label())}</strong>
                " · Raft needs broadcast time ≪ election timeout ≪ time between failures."</p>
            <ul>{move || verdict.get().1.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
        </div>
    }
}
