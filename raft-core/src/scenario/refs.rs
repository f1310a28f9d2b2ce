//! Resolving node references in scenario commands: a number, "leader", "follower", or a remembered name.

use crate::sim::server::Status;
use crate::sim::Cluster;
use crate::types::{NodeId, Role, Term};
use serde_json::Value;
use std::collections::BTreeMap;

/// Names remembered with "as": the node and its term at that moment.
pub type Memory = BTreeMap<String, (NodeId, Term)>;

pub fn resolve(cluster: &Cluster, memory: &Memory, v: &Value) -> Result<NodeId, String> {
    match v {
        Value::Number(n) => {
            n.as_u64().and_then(|n| NodeId::try_from(n).ok()).ok_or_else(|| format!("{n} is not a node id"))
        }
        Value::String(s) => resolve_name(cluster, memory, s),
        other => Err(format!("{other} is not a node (use a number, \"leader\", \"follower\" or a remembered name)")),
    }
}

pub fn resolve_name(cluster: &Cluster, memory: &Memory, name: &str) -> Result<NodeId, String> {
    match name {
        "leader" => cluster.leader().map(|l| l.id()).ok_or_else(|| "there is no leader now".to_string()),
        "follower" => {
            let leader = cluster.leader().ok_or("\"follower\" needs a leader to follow")?;
            cluster
                .servers()
                .filter(|s| s.status == Status::Up && s.id != leader.id())
                .filter(|s| leader.membership().contains(s.id))
                .find(|s| s.node.as_ref().is_some_and(|n| n.role() == Role::Follower))
                .map(|s| s.id)
                .ok_or_else(|| "there is no running follower".to_string())
        }
        other => memory.get(other).map(|(n, _)| *n).ok_or_else(|| format!("no node was remembered as \"{other}\"")),
    }
}

/// Replaces node references in a command's JSON with numbers. Returns the command and the node it targets.
pub fn resolve_command(cluster: &Cluster, memory: &Memory, action: &Value) -> Result<(Value, Option<NodeId>), String> {
    let mut v = action.clone();
    let obj = v.as_object_mut().ok_or("\"do\" must be an object like {\"cmd\": \"crash\", \"node\": 1}")?;
    let mut target = None;
    for key in ["node", "to", "from"] {
        if let Some(r) = obj.get(key) {
            if r.is_null() {
                continue;
            }
            let id = resolve(cluster, memory, r)?;
            obj.insert(key.to_string(), Value::from(id));
            target = target.or(Some(id));
        }
    }
    if let Some(groups) = obj.get("groups").cloned() {
        let groups = groups.as_array().ok_or("\"groups\" must be a list of groups")?;
        let mut named: Vec<Vec<NodeId>> = Vec::new();
        let mut rest_at = None;
        for g in groups {
            match g {
                Value::String(s) if s == "rest" => {
                    rest_at = Some(named.len());
                    named.push(Vec::new());
                }
                Value::Array(items) => {
                    named.push(items.iter().map(|i| resolve(cluster, memory, i)).collect::<Result<_, _>>()?)
                }
                other => return Err(format!("a partition group is a list of nodes or \"rest\", not {other}")),
            }
        }
        if let Some(i) = rest_at {
            let taken: Vec<NodeId> = named.iter().flatten().copied().collect();
            named[i] = cluster
                .servers()
                .filter(|s| s.status != Status::Removed && !taken.contains(&s.id))
                .map(|s| s.id)
                .collect();
        }
        // For a partition, "as" remembers the first node of the first group.
        target = target.or(named.first().and_then(|g| g.first().copied()));
        obj.insert("groups".into(), serde_json::to_value(&named).expect("ids serialize"));
    }
    Ok((v, target))
}
