//! The header's one-line answer to "who leads?", honest when the cluster is split: a leader is named with its
//! term, and nodes that have moved on to a newer term (where that leader's word no longer counts) are named
//! too, so the page never shows "leader S2" while the rest of the cluster is three terms ahead.

use raft_core::sim::server::Status;
use raft_core::types::{NodeId, Role};
use raft_core::Cluster;

/// Names a list shows before it counts the rest: the header's line stays one line at 51 nodes, where an
/// election can leave 30 scattered nodes in a term.
const NAMES_SHOWN_MAX: usize = 4;

/// "S1, S3" for short lists, "S3–S7" for a run of three or more consecutive ids, and "S1, S3, S6 and 27 more"
/// beyond `NAMES_SHOWN_MAX` names.
pub fn node_list(ids: &[NodeId]) -> String {
    let names = run_names(ids);
    let join = |names: &[(String, usize)]| names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
    if names.len() <= NAMES_SHOWN_MAX {
        return join(&names);
    }
    let shown = &names[..NAMES_SHOWN_MAX - 1];
    let more = ids.len() - shown.iter().map(|(_, ids)| ids).sum::<usize>();
    format!("{} and {more} more", join(shown))
}

/// `ids` in ascending order, each once. Inserted into a set one by one: a sort (or collecting into a set) brings
/// std's sort code into the page, kilobytes of it.
pub fn in_id_order(ids: &[NodeId]) -> Vec<NodeId> {
    let mut set = std::collections::BTreeSet::new();
    for id in ids {
        set.insert(*id);
    }
    set.into_iter().collect()
}

/// Every id, exactly, with runs of three or more as ranges: "S1–S20, S23, S25" (the inspector's detail).
pub fn node_runs(ids: &[NodeId]) -> String {
    run_names(ids).into_iter().map(|(name, _)| name).collect::<Vec<_>>().join(", ")
}

/// Each name with how many ids it stands for (a run of two is two names: "S2, S3" reads better than "S2–S3").
fn run_names(ids: &[NodeId]) -> Vec<(String, usize)> {
    raft_core::types::id_runs(ids.iter().copied())
        .into_iter()
        .flat_map(|(lo, hi)| match hi - lo {
            0 => vec![(format!("S{lo}"), 1)],
            1 => vec![(format!("S{lo}"), 1), (format!("S{hi}"), 1)],
            d => vec![(format!("S{lo}–S{hi}"), d as usize + 1)],
        })
        .collect()
}

/// The leader line: every node that believes it leads (newest term first), then the running nodes in a term
/// newer than the newest leader's.
pub fn leader_line(c: &Cluster) -> String {
    let up: Vec<(NodeId, u64, Role)> = c
        .servers()
        .filter(|s| s.status == Status::Up || s.status == Status::Paused)
        .filter_map(|s| s.node.as_ref().map(|n| (s.id, n.term(), n.role())))
        .collect();
    let mut leaders: Vec<(NodeId, u64)> =
        up.iter().filter(|(_, _, r)| *r == Role::Leader).map(|(id, t, _)| (*id, *t)).collect();
    leaders.sort_by_key(|(id, t)| (std::cmp::Reverse(*t), *id));
    let newest = leaders.first().map_or(0, |(_, t)| *t);
    let mut ahead: Vec<(NodeId, u64)> = up.iter().filter(|(_, t, _)| *t > newest).map(|(id, t, _)| (*id, *t)).collect();
    ahead.sort();
    let mut parts: Vec<String> = leaders.iter().map(|(id, t)| format!("S{id} leads term {t}")).collect();
    if parts.is_empty() {
        parts.push("no leader".into());
    }
    if !ahead.is_empty() {
        let ids: Vec<NodeId> = ahead.iter().map(|(id, _)| *id).collect();
        let (lo, hi) = ahead.iter().fold((u64::MAX, 0), |(lo, hi), (_, t)| (lo.min(*t), hi.max(*t)));
        let terms = if lo == hi { format!("term {lo}") } else { format!("terms {lo}–{hi}") };
        let verb = if ids.len() == 1 { "is" } else { "are" };
        let without = if leaders.is_empty() { "" } else { " without that leader" };
        parts.push(format!("{} {verb} in {terms}{without}", node_list(&ids)));
    } else if leaders.is_empty() {
        parts[0] = format!("no leader · term {}", c.max_term());
    }
    parts.join(" · ")
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use raft_core::{Command, SimConfig};

    fn elected(nodes: usize) -> Cluster {
        let mut c = Cluster::new(SimConfig { nodes, seed: 1, ..SimConfig::default() }).unwrap();
        c.run_until(3_000_000);
        c
    }

    #[test]
    fn one_leader_is_named_with_its_term() {
        let c = elected(5);
        let l = c.leader().unwrap();
        assert_eq!(leader_line(&c), format!("S{} leads term {}", l.id(), l.term()));
    }

    #[test]
    fn an_isolated_old_leader_is_shown_behind_the_rest() {
        let mut c = elected(5);
        let old = c.leader().unwrap().id();
        let rest: Vec<u32> = (1..=5).filter(|n| *n != old).collect();
        c.apply(Command::Partition { groups: vec![vec![old], rest] }).unwrap();
        c.run_until(c.now_us() + 3_000_000);
        let line = leader_line(&c);
        let new = c.leader().unwrap();
        assert_ne!(new.id(), old);
        // The newest leader comes first, then the old one in its old term.
        assert!(line.starts_with(&format!("S{} leads term {}", new.id(), new.term())), "{line}");
        assert!(line.contains(&format!("S{old} leads term")), "{line}");
    }

    #[test]
    fn nodes_ahead_of_every_leader_are_named() {
        let mut c = elected(5);
        c.apply(Command::Partition { groups: vec![vec![1], vec![2], vec![3], vec![4, 5]] }).unwrap();
        c.run_until(c.now_us() + 5_000_000);
        let line = leader_line(&c);
        assert!(line.contains(" in term") || line.contains(" in terms"), "{line}");
    }

    #[test]
    fn runs_of_ids_are_shortened() {
        assert_eq!(node_list(&[3, 4, 5]), "S3–S5");
        assert_eq!(node_list(&[1, 3]), "S1, S3");
        assert_eq!(node_list(&[2, 3]), "S2, S3");
        assert_eq!(node_list(&[1, 2, 3, 5]), "S1–S3, S5");
        assert_eq!(node_list(&[1, 3, 5, 7]), "S1, S3, S5, S7");
    }

    #[test]
    fn long_lists_name_a_few_and_count_the_rest() {
        let scattered: Vec<NodeId> = (1..=51).filter(|n| n % 3 != 0).collect(); // 34 ids in runs of two
        assert_eq!(node_list(&scattered), "S1, S2, S4 and 31 more");
        assert_eq!(node_list(&[1, 2, 3, 5, 7, 9, 10, 11]), "S1–S3, S5, S7, S9–S11");
        assert_eq!(node_list(&[1, 2, 3, 5, 7, 9, 10, 11, 13]), "S1–S3, S5, S7 and 4 more");
        assert_eq!(node_list(&(1..=51).collect::<Vec<_>>()), "S1–S51");
    }

    #[test]
    fn ids_come_in_order_once() {
        assert_eq!(in_id_order(&[5, 2, 9, 2, 1]), vec![1, 2, 5, 9]);
    }

    #[test]
    fn the_exact_list_names_every_id() {
        let scattered: Vec<NodeId> = (1..=51).filter(|n| n % 3 != 0).collect();
        let exact = node_runs(&scattered);
        assert_eq!(exact.split(", ").count(), 34, "{exact}");
        assert!(exact.starts_with("S1, S2, S4, S5, S7") && exact.ends_with("S49, S50"), "{exact}");
        assert_eq!(node_runs(&[1, 2, 3, 5, 7, 9, 10, 11, 13]), "S1–S3, S5, S7, S9–S11, S13");
    }

    #[test]
    fn the_line_stays_short_through_elections_at_51_nodes() {
        // The first second at 51 nodes (elections where up to 30 scattered nodes share a term): the line stays
        // short enough for one toolbar line.
        let mut c = Cluster::new(SimConfig { nodes: 51, seed: 1, ..SimConfig::default() }).unwrap();
        for t_ms in (0..1_000).step_by(10) {
            c.run_until(t_ms * 1_000);
            let line = leader_line(&c);
            assert!(line.chars().count() <= 60, "at {t_ms} ms: {line}");
        }
    }
}
