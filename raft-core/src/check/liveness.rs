//! Liveness once faults stop: heal everything, restart every crashed node, then the cluster must elect one
//! leader, commit a new proposal, and bring every live node to the same log and state.

use crate::machine::op::{EntryData, Op};
use crate::sim::server::Status;
use crate::sim::{Cluster, Command, Settings};
use crate::types::{NodeId, Role};

/// Heals the cluster, waits `settle_ms` of virtual time, and returns what failed to converge, if anything.
pub fn heal_and_check(cluster: &mut Cluster, settle_ms: u64) -> Result<(), String> {
    let calm = Settings { loss_pct: Some(0.0), duplicate_pct: Some(0.0), ..Default::default() };
    cluster.apply(Command::Configure { settings: calm }).map_err(|e| format!("heal failed: {e}"))?;
    cluster.apply(Command::Heal).map_err(|e| format!("heal failed: {e}"))?;
    let ids: Vec<NodeId> = cluster.servers().map(|s| s.id).collect();
    for id in ids {
        // Read the status now, not before the loop: resuming one node can commit a queued removal that stops
        // another.
        let Some(status) = cluster.server(id).map(|s| s.status) else { continue };
        let cmd = match status {
            Status::Crashed => Command::Restart { node: id },
            Status::Paused => Command::Resume { node: id },
            _ => continue,
        };
        cluster.apply(cmd).map_err(|e| format!("heal failed: {e}"))?;
    }
    let step_ms = settle_ms / 2;
    cluster.run_until(cluster.now_us() + step_ms * 1000);
    // A fresh proposal must commit everywhere.
    let probe = Op::Message { text: format!("probe@{}", cluster.now_us()) };
    cluster.apply(Command::Request { client: Some(999), to: None, op: probe.clone() })?;
    cluster.run_until(cluster.now_us() + step_ms * 1000);

    let up: Vec<_> = cluster.servers().filter(|s| s.status == Status::Up).collect();
    let leaders: Vec<NodeId> =
        up.iter().filter(|s| s.node.as_ref().is_some_and(|n| n.role() == Role::Leader)).map(|s| s.id).collect();
    let max_term = cluster.max_term();
    let current: Vec<NodeId> =
        leaders.iter().copied().filter(|l| cluster.node(*l).is_some_and(|n| n.term() == max_term)).collect();
    if current.len() != 1 {
        return Err(format!("expected one leader of term {max_term} after healing, found {current:?}"));
    }
    let leader_id = current[0];
    let leader = cluster.node(leader_id).expect("leader");
    // Committed: in the log up to the commit index, or already in the leader's snapshot, hence applied there.
    let in_log = leader
        .log()
        .entries()
        .take_while(|e| e.index <= leader.commit_index())
        .any(|e| matches!(&*e.data, EntryData::Op { op, .. } if *op == probe));
    let Op::Message { text } = &probe else { unreachable!("the probe is a message") };
    let applied = cluster.server(leader_id).is_some_and(|s| s.machines.messages.messages.contains(text));
    let committed_probe = in_log || applied;
    if !committed_probe {
        return Err(format!("a proposal to leader S{leader_id} did not commit after healing"));
    }
    // Followers learn the commit index with the next heartbeats; the leader keeps committing (the escort
    // marches), so compare everyone against the commit index of now, a while later.
    let want = (leader.commit_index(), leader.log().chain_at(leader.commit_index()));
    cluster.run_until(cluster.now_us() + 2_000_000);
    let members = cluster.node(leader_id).map(|l| l.membership().clone()).unwrap_or_default();
    for s in cluster.servers().filter(|s| s.status == Status::Up) {
        let n = s.node.as_ref().expect("up");
        if !members.contains(n.id()) {
            continue;
        }
        // A node whose snapshot has passed that index agrees through it (State Machine Safety compares the
        // snapshots' states).
        let differs = n.log().knows(want.0) && n.log().chain_at(want.0) != want.1;
        if n.commit_index() < want.0 || differs {
            return Err(format!(
                "S{} did not converge: commit {} vs leader S{leader_id}'s {}",
                n.id(),
                n.commit_index(),
                want.0
            ));
        }
    }
    Ok(())
}
