//! "What just happened": a short narration of recent elections and user actions, newest first, read from the
//! simulator's history and its recorded commands.

use crate::geometry::fmt_time_ms;
use crate::sim::Sim;
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::sim::history::Outcome;
use raft_core::Cluster;

const FEED_LEN_MAX: usize = 8;

/// In id order, short at 51 nodes ("S1–S4, S7 and 21 more").
fn ids(v: &[u32]) -> String {
    crate::summary::node_list(&crate::summary::in_id_order(v))
}

pub fn feed(c: &Cluster) -> Vec<(u64, String, &'static str)> {
    let mut items: Vec<(u64, String, &'static str)> = Vec::new();
    for e in c.history().elections.iter().rev().take(FEED_LEN_MAX) {
        items.push((
            e.started_us,
            format!("S{} timed out and asks for votes in term {}", e.candidate, e.term),
            "election",
        ));
        if let Some(end) = e.ended_us {
            let (text, class) = match e.outcome {
                Outcome::Won => {
                    (format!("S{} won term {} with votes from {}", e.candidate, e.term, ids(&e.votes)), "won")
                }
                Outcome::Split => (
                    format!("S{} got no majority in term {}: split vote, it tries again", e.candidate, e.term),
                    "split",
                ),
                Outcome::Lost => {
                    (format!("S{} heard from the leader of term {} and stood down", e.candidate, e.term), "lost")
                }
                Outcome::Superseded => (format!("S{} saw a newer term and stood down", e.candidate), "lost"),
                Outcome::Abandoned => (format!("S{} stopped while a candidate", e.candidate), "lost"),
                Outcome::Pending => continue,
            };
            items.push((end, text, class));
        }
    }
    for h in c.history().happenings.iter().rev().take(FEED_LEN_MAX) {
        items.push((h.at_us, h.happening.describe(), "protocol"));
    }
    for t in c.recorded().iter().rev().take(FEED_LEN_MAX) {
        items.push((t.at_us, format!("you: {}", t.command.describe()), "command"));
    }
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    items.truncate(FEED_LEN_MAX);
    items
}

#[component]
pub fn Feed(sim: Sim) -> impl IntoView {
    let items = Memo::new(move |_| {
        sim.watch.track(Aspect::Commands);
        sim.read(Aspect::History, feed)
    });
    view! {
        <h3>"What just happened"</h3>
        {move || items.with(|i| i.is_empty()).then(|| view! { <p class="hint">"Nothing yet: every node waits for its election timer (the grey arc) to run out."</p> })}
        <ol class="feed" id="feed">
            {move || items.get().into_iter().map(|(at, text, class)| view! {
                <li class=class><span class="at">{fmt_time_ms(at as f64 / 1000.0)}</span>{text}</li>
            }).collect_view()}
        </ol>
    }
}
