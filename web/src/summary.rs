//! The header's one-line answer to "who leads?", honest when the cluster is split: a leader is named with its
//! term, and nodes that have moved on to a newer term (where that leader's word no longer counts) are named
//! too, so the page never shows "leader S2" while the rest of the cluster is three terms ahead.

use raft_core::sim::server::Status;
use raft_core::types::{NodeId, Role};
use raft_core::Cluster;

/// "S1, S2, S3" for short lists, "S3–S7" for a run of consecutive ids.
pub fn node_list(ids: &[NodeId]) -> String {
    let consecutive = ids.len() >= 3 && ids.windows(2).all(|w| w[1] == w[0] + 1);
    if consecutive {
        return format!("S{}–S{}", ids[0], ids[ids.len() - 1]);
    }
    ids.iter().map(|n| format!("S{n}")).collect::<Vec<_>>().join(", ")
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
    }
}
