//! The network's cuts on the ring, and the banner that names them. A few cut links are drawn one by one: a
//! dashed line for a pair cut both ways, an arrow for a pair cut one way. A split of a large cluster cuts
//! hundreds of links (26 × 25 for 51 nodes in halves), which drew a red mesh over every message; then each
//! node wears its group's letter instead, and the banner says which letter is which group.

use crate::geometry::along;
use crate::ring_layout::RingLayout;
use crate::summary::node_list;
use leptos::prelude::*;
use raft_core::types::{Endpoint, NodeId};
use raft_core::Cluster;

/// Cut lines drawn one by one at most (7 nodes split 3 | 4 is 12 lines; 11 nodes split 5 | 6, 30 lines, hid
/// the messages); a split with more is shown by group letters.
pub const CUT_LINES_DRAWN_MAX: usize = 12;

/// A group letter's circle, in ring units (its text is 13 units high, style/main.css).
const TAG_RADIUS: f64 = 10.0;

/// Group letters, A to Z.
const LETTERS: usize = 26;

/// One-way cuts the banner names before it counts the rest.
const CUTS_NAMED_MAX: usize = 3;

/// What the ring shows of the network: the cut links to draw, `(from, to, one_way)`, and, for a crowded split,
/// each node's group letter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CutView {
    pub lines: Vec<(NodeId, NodeId, bool)>,
    pub letters: Vec<(NodeId, char)>,
}

/// The letter of each partition group, in the bus's order; nodes in no group form one more group together.
pub fn group_letters(c: &Cluster, ids: &[NodeId]) -> Vec<(NodeId, char)> {
    let groups = c.partition_groups();
    let letter = |i: usize| char::from(b'A' + (i % LETTERS) as u8);
    ids.iter().map(|n| (*n, letter(groups.iter().position(|g| g.contains(n)).unwrap_or(groups.len())))).collect()
}

/// The cut links among `ids`, with the bus's own rule (`link_up`), and the group letters when they are more
/// than `CUT_LINES_DRAWN_MAX`: then only the links cut inside a group (one-way cuts) are drawn.
pub fn cut_view(c: &Cluster, ids: &[NodeId]) -> CutView {
    let mut lines = Vec::new();
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            match (c.link_up(*a, *b), c.link_up(*b, *a)) {
                (false, false) => lines.push((*a, *b, false)),
                (false, true) => lines.push((*a, *b, true)),
                (true, false) => lines.push((*b, *a, true)),
                (true, true) => {}
            }
        }
    }
    // One letter per group, A to Z, the nodes in no group included: a split into more groups (the JS API or a
    // scenario can make one per node) keeps its lines rather than give two groups one letter.
    let groups = c.partition_groups().len();
    if lines.len() <= CUT_LINES_DRAWN_MAX || groups == 0 || groups >= LETTERS {
        return CutView { lines, letters: Vec::new() };
    }
    let letters = group_letters(c, ids);
    let letter_of = |n: NodeId| letters.iter().find(|(m, _)| *m == n).map(|(_, l)| *l);
    lines.retain(|(a, b, _)| letter_of(*a) == letter_of(*b));
    CutView { lines, letters }
}

/// The banner: the partition's groups (with their letters when the ring shows letters) and the one-way cuts,
/// each list short enough for one line.
pub fn banner(c: &Cluster, ids: &[NodeId], lettered: bool) -> Option<String> {
    let groups = c.partition_groups();
    let cuts = c.cuts();
    if groups.is_empty() && cuts.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    if lettered {
        let letters = group_letters(c, ids);
        // Letters in order, each with its members (no sort: a sort's code costs the page kilobytes).
        for l in (b'A'..=b'Z').map(char::from) {
            let members: Vec<NodeId> = letters.iter().filter(|(_, m)| *m == l).map(|(n, _)| *n).collect();
            if !members.is_empty() {
                parts.push(format!("{l} {{{}}}", node_list(&members)));
            }
        }
    } else {
        parts.extend(groups.iter().map(|g| format!("{{{}}}", node_list(&g.iter().copied().collect::<Vec<_>>()))));
    }
    if !cuts.is_empty() {
        let mut list: Vec<String> = cuts.iter().take(CUTS_NAMED_MAX).map(|(a, b)| format!("S{a} → S{b}")).collect();
        if cuts.len() > CUTS_NAMED_MAX {
            list.push(format!("{} more", cuts.len() - CUTS_NAMED_MAX));
        }
        parts.push(format!("cut one way: {}", list.join(", ")));
    }
    Some(format!("Network split: {}", parts.join(" | ")))
}

#[component]
pub fn Cuts(ids: Memo<Vec<NodeId>>, ring: Memo<RingLayout>, cuts: Memo<CutView>) -> impl IntoView {
    view! {
        <defs>
            <marker id="cut-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" class="cut-arrow" />
            </marker>
        </defs>
        <g class="cuts" aria-hidden="true">
            {move || {
                let ids = ids.get();
                let ring = ring.get();
                let r = ring.node_radius();
                let pos = |n: NodeId| super::cluster::endpoint_pos(&ids, ring, Endpoint::Node(n));
                let lines = cuts.with(|v| v.lines.clone());
                lines.into_iter().map(|(a, b, one_way)| {
                    let (pa, pb) = (pos(a), pos(b));
                    let s = along(pa, pb, r + 4.0, r + 10.0, 0.0);
                    let e = along(pa, pb, r + 4.0, r + 10.0, 1.0);
                    let m = along(pa, pb, r, r, if one_way { 0.3 } else { 0.5 });
                    view! {
                        <g class=if one_way { "cut one-way" } else { "cut" } data-from=a data-to=b>
                            <line x1=s.0 y1=s.1 x2=e.0 y2=e.1 marker-end=one_way.then_some("url(#cut-arrow)") />
                            <text x=m.0 y=m.1 + 5.0 text-anchor="middle">"✂"</text>
                        </g>
                    }
                }).collect_view()
            }}
        </g>
    }
}

/// The group letters, drawn over the nodes (a letter at a node's corner would hide under its circle).
#[component]
pub fn GroupTags(ids: Memo<Vec<NodeId>>, ring: Memo<RingLayout>, cuts: Memo<CutView>) -> impl IntoView {
    view! {
        <g class="group-tags" aria-hidden="true">
            {move || {
                let ids = ids.get();
                let ring = ring.get();
                let r = ring.node_radius();
                let pos = |n: NodeId| super::cluster::endpoint_pos(&ids, ring, Endpoint::Node(n));
                let letters = cuts.with(|v| v.letters.clone());
                // A group letter at its node: on a crowded ring just inside it, and where the line under each node
                // is drawn ("voted S2"), which inside would cover on the top row, at the node's upper left. On the
                // bottom row inside is above the node, where a leader's star is: there the letter goes below.
                let labels = ring.labels_fit();
                let gap = r + TAG_RADIUS + 1.0;
                letters.into_iter().map(|(n, l)| {
                    let p = pos(n);
                    let spine = ring.spine_point(p);
                    let inside_is_up = spine.1 - p.1 < -0.7 * (spine.0 - p.0).hypot(spine.1 - p.1);
                    let at = if labels {
                        let d = (r + TAG_RADIUS * 0.5) * std::f64::consts::FRAC_1_SQRT_2;
                        (p.0 - d, p.1 - d)
                    } else if inside_is_up {
                        (p.0, p.1 + gap)
                    } else {
                        along(p, spine, gap, 0.0, 0.0)
                    };
                    view! {
                        <g class="group-tag" data-node=n>
                            <circle cx=at.0 cy=at.1 r=TAG_RADIUS />
                            <text x=at.0 y=at.1 + 4.5 text-anchor="middle">{l.to_string()}</text>
                        </g>
                    }
                }).collect_view()
            }}
        </g>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use raft_core::{Command, SimConfig};

    fn split(nodes: u32, groups: Vec<Vec<NodeId>>) -> (Cluster, Vec<NodeId>) {
        let mut c = Cluster::new(SimConfig { nodes: nodes as usize, seed: 1, ..SimConfig::default() }).unwrap();
        c.apply(Command::Partition { groups }).unwrap();
        (c, (1..=nodes).collect())
    }

    #[test]
    fn a_small_split_draws_every_cut_link() {
        let (c, ids) = split(5, vec![vec![5]]);
        let v = cut_view(&c, &ids);
        assert_eq!(v.lines, vec![(1, 5, false), (2, 5, false), (3, 5, false), (4, 5, false)]);
        assert!(v.letters.is_empty());
        assert_eq!(banner(&c, &ids, false).unwrap(), "Network split: {S5}");
    }

    #[test]
    fn a_large_split_letters_its_groups_instead_of_hundreds_of_lines() {
        let odd: Vec<NodeId> = (1..=51).filter(|n| n % 2 == 1).collect();
        let even: Vec<NodeId> = (1..=51).filter(|n| n % 2 == 0).collect();
        let (mut c, ids) = split(51, vec![odd, even]);
        let v = cut_view(&c, &ids);
        assert!(v.lines.is_empty(), "no line across groups: {}", v.lines.len());
        assert_eq!(v.letters.len(), 51);
        assert!(v.letters.iter().all(|(n, l)| *l == if n % 2 == 1 { 'A' } else { 'B' }));
        let b = banner(&c, &ids, true).unwrap();
        assert_eq!(b, "Network split: A {S1, S3, S5 and 23 more} | B {S2, S4, S6 and 22 more}");
        // A one-way cut inside a group is still drawn, and named.
        c.apply(Command::Cut { from: 1, to: 3 }).unwrap();
        let v = cut_view(&c, &ids);
        assert_eq!(v.lines, vec![(1, 3, true)]);
        assert!(banner(&c, &ids, true).unwrap().ends_with(" | cut one way: S1 → S3"));
    }

    #[test]
    fn nodes_in_no_group_share_the_next_letter() {
        let (c, ids) = split(15, vec![(1..=7).collect()]);
        let v = cut_view(&c, &ids);
        assert_eq!(v.lines.len(), 0, "7 × 8 = 56 cut links are more than {CUT_LINES_DRAWN_MAX}");
        assert!(v.letters.iter().all(|(n, l)| *l == if *n <= 7 { 'A' } else { 'B' }));
        assert_eq!(banner(&c, &ids, true).unwrap(), "Network split: A {S1–S7} | B {S8–S15}");
        // 51 nodes each alone: more groups than letters, so lines.
        let (c, ids) = split(51, (1..=51).map(|n| vec![n]).collect());
        assert_eq!((cut_view(&c, &ids).lines.len(), cut_view(&c, &ids).letters.len()), (51 * 50 / 2, 0));
        // 7 nodes split 3 | 4: 12 lines, still drawn one by one.
        let (c, ids) = split(7, vec![vec![1, 2, 3]]);
        assert_eq!((cut_view(&c, &ids).lines.len(), cut_view(&c, &ids).letters.len()), (12, 0));
    }
}
