//! Where the nodes sit: on a circle, or, when many nodes would be small on it and the box is wide, on a
//! racetrack (two half circles joined by straight sides) stretched into the box's width. At 51 nodes in a
//! 1920×1080 window the circle gave each node a radius of 11 of the ring's 600 units (8 px on a projector,
//! its name unreadable); the racetrack gives them room up to the same size a small ring's nodes have.
//!
//! Coordinates are the ring's SVG viewBox: `width` × `RING_SIZE`, the centre in the middle. A circle is the
//! racetrack with no straight side, and its positions are the circle's (the first node at the top, then
//! clockwise, evenly spaced along the outline).

use crate::geometry::{RING_RADIUS, RING_SIZE};
use std::f64::consts::PI;

/// The largest node radius (a small ring's), in the ring's units.
const NODE_RADIUS_MAX: f64 = 40.0;
/// The smallest one: below it a node's name no longer fits.
const NODE_RADIUS_MIN: f64 = 9.0;
/// A node's radius as a share of half the chord to its neighbour on a half circle: the rest is the gap.
const RADIUS_OF_HALF_CHORD: f64 = 0.8;
/// Room a line of text under a node takes beyond the node's own circle, in the ring's units.
const LABEL_ROOM: f64 = 16.0;
/// The widest the ring gets, as width over height: beyond it the ends of a long racetrack sit far apart on a
/// screen and the messages across it are long, thin lines.
const ASPECT_MAX: f64 = 3.0;

/// The ring's layout for `n` nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RingLayout {
    n: usize,
    /// Half the length of each straight side (0: a circle).
    half_side: f64,
}

impl RingLayout {
    /// A circle: what a narrow box (a phone, the stacked layout) and a ring of a few nodes get.
    pub fn circle(n: usize) -> RingLayout {
        RingLayout { n, half_side: 0.0 }
    }

    /// The layout for `n` nodes in a box of this width over height: straight sides only as long as the nodes
    /// need to reach `NODE_RADIUS_MAX`, and no longer than the box (and `ASPECT_MAX`) allows.
    pub fn fitted(n: usize, box_aspect: f64) -> RingLayout {
        let aspect = if box_aspect.is_finite() { box_aspect.clamp(1.0, ASPECT_MAX) } else { 1.0 };
        let room = RING_SIZE * (aspect - 1.0) / 2.0;
        RingLayout { n, half_side: Self::half_side_wanted(n).clamp(0.0, room) }
    }

    /// Whether `n` nodes would use a wider box (a racetrack); a circle of fewer uses only a square.
    pub fn stretches(n: usize) -> bool {
        Self::half_side_wanted(n) > 0.0
    }

    /// The straight sides' half length `n` nodes need to reach the largest radius (negative: a circle has room).
    fn half_side_wanted(n: usize) -> f64 {
        // The spacing along the outline at which a node on the half circles reaches the largest radius
        // (`node_radius`'s rule solved for the spacing).
        let spacing = 2.0 * RING_RADIUS * (NODE_RADIUS_MAX / (RADIUS_OF_HALF_CHORD * RING_RADIUS)).min(1.0).asin();
        (n as f64 * spacing - 2.0 * PI * RING_RADIUS) / 4.0
    }

    /// The viewBox's width (its height is `RING_SIZE`).
    pub fn width(&self) -> f64 {
        RING_SIZE + 2.0 * self.half_side
    }

    pub fn center(&self) -> (f64, f64) {
        (self.width() / 2.0, RING_SIZE / 2.0)
    }

    /// The point of the ring's spine (its centre, or the segment between its half circles' centres) nearest
    /// to `p`: from a node on the outline, the way straight inside.
    pub fn spine_point(&self, p: (f64, f64)) -> (f64, f64) {
        let (cx, cy) = self.center();
        (p.0.clamp(cx - self.half_side, cx + self.half_side), cy)
    }

    fn perimeter(&self) -> f64 {
        4.0 * self.half_side + 2.0 * PI * RING_RADIUS
    }

    /// The distance between neighbours along the outline.
    fn spacing(&self) -> f64 {
        self.perimeter() / self.n.max(2) as f64
    }

    /// Position of the i-th node: from the top centre, clockwise, evenly spaced along the outline.
    pub fn pos(&self, i: usize) -> (f64, f64) {
        let (cx, cy) = self.center();
        let (h, r) = (self.half_side, RING_RADIUS);
        let s = self.perimeter() * i as f64 / self.n.max(1) as f64;
        // The outline's five pieces, in order: the right half of the top side, the right half circle, the
        // bottom side, the left half circle, the left half of the top side.
        let arc = |centre_x: f64, from: f64, along: f64| {
            let a = from + along / r;
            (centre_x + r * a.cos(), cy + r * a.sin())
        };
        if s < h {
            (cx + s, cy - r)
        } else if s < h + PI * r {
            arc(cx + h, -PI / 2.0, s - h)
        } else if s < 3.0 * h + PI * r {
            (cx + h - (s - h - PI * r), cy + r)
        } else if s < 3.0 * h + 2.0 * PI * r {
            arc(cx - h, PI / 2.0, s - 3.0 * h - PI * r)
        } else {
            (cx - h + (s - 3.0 * h - 2.0 * PI * r), cy - r)
        }
    }

    /// Node circle radius: large for a few nodes, shrinking so that neighbours on a half circle (where they
    /// are closest) keep a gap.
    pub fn node_radius(&self) -> f64 {
        let half_chord = RING_RADIUS * (self.spacing() / (2.0 * RING_RADIUS)).min(PI / 2.0).sin();
        (half_chord * RADIUS_OF_HALF_CHORD).clamp(NODE_RADIUS_MIN, NODE_RADIUS_MAX)
    }

    /// Whether a line of text fits under each node (a vote, a vote count) without running into the next node
    /// or its text: where neighbours are closest, on a half circle, the next node is about `spacing()` away.
    pub fn labels_fit(&self) -> bool {
        self.spacing() >= 2.0 * self.node_radius() + LABEL_ROOM
    }

    /// The outline, drawn dashed under the nodes.
    pub fn outline_path(&self) -> String {
        let (cx, cy) = self.center();
        let (h, r) = (self.half_side, RING_RADIUS);
        format!(
            "M {:.2} {:.2} H {:.2} A {r} {r} 0 0 1 {:.2} {:.2} H {:.2} A {r} {r} 0 0 1 {:.2} {:.2} Z",
            cx - h,
            cy - r,
            cx + h,
            cx + h,
            cy + r,
            cx - h,
            cx - h,
            cy - r
        )
    }

    /// The viewBox fitted into a box of `w`×`h` CSS pixels (SVG's default `xMidYMid meet`): scale and offsets.
    pub fn fit(&self, w: f64, h: f64) -> (f64, f64, f64) {
        let width = self.width();
        let s = (w / width).min(h / RING_SIZE);
        (s, (w - width * s) / 2.0, (h - RING_SIZE * s) / 2.0)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn a_circle_puts_nodes_where_the_round_ring_did() {
        for n in [1, 3, 5, 7, 51] {
            let ring = RingLayout::circle(n);
            for i in 0..n {
                let angle = -PI / 2.0 + 2.0 * PI * i as f64 / n as f64;
                let old = (300.0 + 220.0 * angle.cos(), 300.0 + 220.0 * angle.sin());
                assert!(close(ring.pos(i), old), "{n} nodes, node {i}: {:?} against {old:?}", ring.pos(i));
            }
            let old_radius = (220.0 * (PI / n.max(2) as f64).sin() * 0.8).clamp(9.0, 40.0);
            assert!((ring.node_radius() - old_radius).abs() < 1e-9);
            assert_eq!(ring.width(), RING_SIZE);
        }
    }

    #[test]
    fn a_few_nodes_stay_on_a_circle_in_a_wide_box() {
        for n in 1..=13 {
            assert!(!RingLayout::stretches(n), "{n} nodes");
            assert_eq!(RingLayout::fitted(n, 2.5), RingLayout::circle(n), "{n} nodes");
        }
    }

    #[test]
    fn many_nodes_in_a_wide_box_get_a_racetrack_with_larger_nodes_within_the_box() {
        assert!(RingLayout::stretches(14) && RingLayout::stretches(51), "the page lays them out wide");
        let circle = RingLayout::circle(51);
        let track = RingLayout::fitted(51, 2.6);
        assert!(track.width() > circle.width());
        assert!(track.width() <= RING_SIZE * 2.6 + 1e-9, "no wider than the box");
        assert!(
            track.node_radius() > 2.0 * circle.node_radius(),
            "{} against {}",
            track.node_radius(),
            circle.node_radius()
        );
        // A tall or a narrow box, or nonsense, keeps the circle; a very wide one stops at ASPECT_MAX.
        assert_eq!(RingLayout::fitted(51, 0.5), circle);
        assert_eq!(RingLayout::fitted(51, f64::NAN), circle);
        assert!(RingLayout::fitted(51, 10.0).width() <= RING_SIZE * ASPECT_MAX + 1e-9);
    }

    #[test]
    fn racetrack_nodes_are_evenly_spaced_inside_the_view_and_apart() {
        for (n, aspect) in [(14, 3.0), (30, 1.8), (51, 2.6), (51, 3.0), (100, 3.0)] {
            let ring = RingLayout::fitted(n, aspect);
            let r = ring.node_radius();
            let points: Vec<_> = (0..n).map(|i| ring.pos(i)).collect();
            for (i, p) in points.iter().enumerate() {
                assert!(
                    p.0 >= r && p.0 <= ring.width() - r && p.1 >= r && p.1 <= RING_SIZE - r,
                    "{n}: node {i} at {p:?}"
                );
                let next = points[(i + 1) % n];
                let gap = (next.0 - p.0).hypot(next.1 - p.1);
                assert!(gap >= 2.0 * r, "{n} in {aspect}: nodes {i} and the next overlap ({gap} < {})", 2.0 * r);
            }
        }
    }

    #[test]
    fn labels_under_nodes_only_where_they_fit() {
        assert!(RingLayout::circle(5).labels_fit());
        assert!(RingLayout::fitted(15, 2.6).labels_fit(), "a nearly round ring of 15 has room");
        assert!(!RingLayout::fitted(51, 2.6).labels_fit(), "51 nodes at 1920×1080 do not");
        assert!(!RingLayout::circle(51).labels_fit());
    }

    #[test]
    fn fit_centres_the_view_in_the_box() {
        let ring = RingLayout::fitted(51, 2.0);
        let (s, ox, oy) = ring.fit(1200.0, 600.0);
        assert!((s - 1.0).abs() < 1e-9 && ox.abs() < 1e-9 && oy.abs() < 1e-9);
        let (s, ox, oy) = RingLayout::circle(5).fit(1000.0, 600.0);
        assert!((s - 1.0).abs() < 1e-9 && (ox - 200.0).abs() < 1e-9 && oy.abs() < 1e-9);
    }
}
