//! Layout and colour rules shared by the views.

use std::f64::consts::PI;

/// The ring's viewBox height (and a circle's width; see `ring_layout`).
pub const RING_SIZE: f64 = 600.0;
/// The radius of a circle ring, and of a racetrack's half circles.
pub const RING_RADIUS: f64 = 220.0;

/// Hues for terms: distinct neighbours, and none of them the leader's green or the candidate's amber, so a
/// term colour is never mistaken for a role.
const TERM_HUES: [f64; 8] = [212.0, 330.0, 265.0, 185.0, 12.0, 290.0, 198.0, 350.0];

pub fn term_hue(term: u64) -> f64 {
    TERM_HUES[(term as usize).wrapping_sub(1) % TERM_HUES.len()]
}

pub fn term_color(term: u64) -> String {
    if term == 0 {
        "hsl(210, 10%, 42%)".into()
    } else {
        format!("hsl({:.0}, 60%, 48%)", term_hue(term))
    }
}

pub fn term_fill(term: u64) -> String {
    if term == 0 {
        "hsl(210, 10%, 94%)".into()
    } else {
        format!("hsl({:.0}, 75%, 92%)", term_hue(term))
    }
}

/// SVG path of an arc of a circle from the top, clockwise, covering `fraction` of the circle.
pub fn arc_path(cx: f64, cy: f64, r: f64, fraction: f64) -> String {
    let f = fraction.clamp(0.0, 0.9999);
    if f <= 0.0 {
        return String::new();
    }
    let end = -PI / 2.0 + 2.0 * PI * f;
    let (x0, y0) = (cx, cy - r);
    let (x1, y1) = (cx + r * end.cos(), cy + r * end.sin());
    let large = if f > 0.5 { 1 } else { 0 };
    format!("M {x0:.2} {y0:.2} A {r:.2} {r:.2} 0 {large} 1 {x1:.2} {y1:.2}")
}

/// Where along its trip a message is, 0 at the sender and 1 at the receiver.
pub fn trip_fraction(now_us: u64, sent_us: u64, deliver_us: u64) -> f64 {
    if deliver_us <= sent_us {
        return 1.0;
    }
    ((now_us.saturating_sub(sent_us)) as f64 / (deliver_us - sent_us) as f64).clamp(0.0, 1.0)
}

/// A point from `a` toward `b`, stopping `inset` short of each end.
pub fn along(a: (f64, f64), b: (f64, f64), inset_a: f64, inset_b: f64, t: f64) -> (f64, f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let start = (a.0 + ux * inset_a, a.1 + uy * inset_a);
    let travel = (len - inset_a - inset_b).max(0.0);
    (start.0 + ux * travel * t, start.1 + uy * travel * t)
}

/// Readable virtual time: "1.234 s".
pub fn fmt_time_ms(ms: f64) -> String {
    if ms < 10_000.0 {
        format!("{:.0} ms", ms)
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}
