//! The escort plane: each node drawn where its own applied state puts the formation (so a lagging or crashed
//! node visibly falls behind), the leader marked, the target flag, and the trail of committed steps.

use crate::sim::{Selection, Sim};
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::sim::server::Status;

/// Each node keeps its place in a V behind the formation's point; slot 0 is the point. Spacing shrinks for
/// big clusters so the formation stays compact.
fn slot_offset(slot: usize, n: usize) -> (f64, f64) {
    if slot == 0 {
        return (0.0, 0.0);
    }
    let ranks = n.div_ceil(2).max(1) as f64;
    let spacing = 2.2 * (6.0 / ranks).min(1.0);
    let rank = slot.div_ceil(2) as f64;
    let side = if slot % 2 == 1 { -1.0 } else { 1.0 };
    (-spacing * rank, side * spacing * rank)
}

#[component]
pub fn FormationView(sim: Sim) -> impl IntoView {
    // A memo: the plane is redrawn only when a position, the target or the trail changes.
    let data = Memo::new(move |_| {
        sim.watch.track(Aspect::Commands);
        sim.read(Aspect::Machines, |c| {
            let positions = c.positions();
            let target = c.escort_target();
            let trail: Vec<(i64, i64)> = c.trail().iter().map(|p| (p.x, p.y)).collect();
            (positions, (target.x, target.y), trail)
        })
    });
    // World bounds: the origin, the target, every node and the trail, with a margin.
    let view_box = move || {
        let (positions, target, trail) = data.get();
        let xs = positions.iter().map(|p| p.x).chain([0, target.0]).chain(trail.iter().map(|t| t.0));
        let ys = positions.iter().map(|p| p.y).chain([0, target.1]).chain(trail.iter().map(|t| t.1));
        let (min_x, max_x) = xs.fold((i64::MAX, i64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        let ys: Vec<i64> = ys.collect();
        let (min_y, max_y) = (*ys.iter().min().unwrap_or(&0), *ys.iter().max().unwrap_or(&0));
        // Room for the formation behind its point (left) and the target's label (right).
        let w = ((max_x - min_x) as f64 + 40.0).max(60.0);
        let h = ((max_y - min_y) as f64 + 24.0).max(w * 0.3);
        let cx = (max_x + min_x) as f64 / 2.0 + 4.0;
        let cy = (max_y + min_y) as f64 / 2.0;
        (cx - w / 2.0, cy - h / 2.0, w, h)
    };
    view! {
        <div class="formation-wrap">
            <h2>"Formation" <span class="sub">"each node where its own state machine says"</span></h2>
            <svg class="formation" role="img" aria-label="The escort formation on its plane"
                viewBox=move || { let (x, y, w, h) = view_box(); format!("{x:.1} {y:.1} {w:.1} {h:.1}") }
                preserveAspectRatio="xMidYMid meet">
                {move || {
                    let (x, y, w, h) = view_box();
                    let unit = w / 100.0;
                    let (positions, target, trail) = data.get();
                    let pts = trail.iter().map(|(x, y)| format!("{x},{y}")).collect::<Vec<_>>().join(" ");
                    // The leader takes the point of the V; the others keep their places behind it in id order.
                    let mut ids: Vec<u32> = positions.iter().filter(|p| p.leader).map(|p| p.node).collect();
                    ids.extend(positions.iter().filter(|p| !p.leader).map(|p| p.node));
                    view! {
                        <line class="axis" x1=x y1="0" x2=x + w y2="0" stroke-width=unit * 0.15 />
                        <line class="axis" x1="0" y1=y x2="0" y2=y + h stroke-width=unit * 0.15 />
                        <text class="coord" x=unit * 0.5 y=y + h - unit * 1.5 font-size=unit * 2.2>"x = 0"</text>
                        <polyline class="trail" points=pts stroke-width=unit * 0.5 />
                        <g class="target">
                            <line x1=target.0 y1=target.1 x2=target.0 y2=target.1 as f64 - unit * 7.0 stroke-width=unit * 0.35 />
                            <path d=format!("M {} {} l {} {} l {} {} z", target.0, target.1 as f64 - unit * 7.0, unit * 4.5, unit * 1.6, -unit * 4.5, unit * 1.6) />
                            <text x=target.0 as f64 + unit y=target.1 as f64 + unit * 3.5 font-size=unit * 2.2>{format!("target [{},{}]", target.0, target.1)}</text>
                        </g>
                        {positions.into_iter().map(|p| {
                            let slot = ids.iter().position(|i| *i == p.node).unwrap_or(0);
                            let (ox, oy) = slot_offset(slot, ids.len());
                            let (cx, cy) = (p.x as f64 + ox * unit, p.y as f64 + oy * unit);
                            let class = match (p.status, p.leader) {
                                (Status::Crashed, _) => "escort down",
                                (_, true) => "escort leader",
                                _ => "escort follower",
                            };
                            let id = p.node;
                            let k = (6.0 / ids.len().div_ceil(2).max(1) as f64).min(1.0);
                            let sel = sim.selection.get_untracked() == Selection::Node(id);
                            view! {
                                <g class=class class:selected=sel on:click=move |_| sim.select(Selection::Node(id))
                                    aria-label=format!("S{id} at [{},{}]", p.x, p.y) role="img">
                                    <circle cx=cx cy=cy r=unit * 1.6 * k />
                                    <text x=cx y=cy + unit * 0.7 * k text-anchor="middle" font-size=unit * 1.6 * k>{format!("{id}")}</text>
                                    {p.leader.then(|| view! { <text x=cx y=cy - unit * 2.2 text-anchor="middle" font-size=unit * 2.2 class="crown">"★"</text> })}
                                </g>
                            }
                        }).collect_view()}
                    }
                }}
            </svg>
            <p class="caption">{move || {
                let (positions, target, _) = data.get();
                let lead = positions.iter().find(|p| p.leader).map(|p| format!("leader at [{},{}]", p.x, p.y));
                format!("{} · target [{},{}]", lead.unwrap_or_else(|| "no leader: the formation waits".into()), target.0, target.1)
            }}</p>
        </div>
    }
}
