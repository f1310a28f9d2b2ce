//! The one way to change a running cluster. A user's click, a scenario line, the JS API, the CLI and the chaos
//! generator all produce these; each applied command is recorded with its virtual time, so a run is
//! seed + config + timed commands.

use crate::machine::op::Op;
use crate::types::{ClientId, MsgId, NodeId, TimeUs};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Crash a node: volatile state is lost, and so are writes not yet synced.
    Crash {
        node: NodeId,
    },
    /// Restart a crashed node from its durable state.
    Restart {
        node: NodeId,
    },
    /// Freeze a node's clock and message handling (a long GC pause); `resume` continues it.
    Pause {
        node: NodeId,
    },
    Resume {
        node: NodeId,
    },
    /// A slow disk: none of the node's writes (pending or new) completes for `stall_ms`, so the votes and
    /// acknowledgements that wait for them wait too.
    StallDisk {
        node: NodeId,
        stall_ms: u64,
    },
    /// Make a node's election timer fire now.
    Timeout {
        node: NodeId,
    },
    /// Ask the leader to hand leadership to `to` (dissertation §3.10): it brings `to` up to date and sends
    /// TimeoutNow; given up after an election timeout.
    TransferLeader {
        to: NodeId,
    },
    /// Start a new, empty node and add it to the cluster (as a learner, then as a voter once caught up).
    AddNode,
    /// Remove a node from the configuration through a configuration entry.
    RemoveNode {
        node: NodeId,
    },
    /// Split the network: nodes talk only within their group.
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    /// Cut the link from one node to another, one way.
    Cut {
        from: NodeId,
        to: NodeId,
    },
    /// Remove every partition and cut.
    Heal,
    DropMessage {
        id: MsgId,
    },
    DuplicateMessage {
        id: MsgId,
    },
    DelayMessage {
        id: MsgId,
        delay_ms: f64,
    },
    /// Change timing, network or planted bugs live; absent fields keep their value.
    Configure {
        settings: Settings,
    },
    /// A client request: sent by `client` (default 1) to node `to` (default: any), redirected to the leader.
    Request {
        #[serde(default)]
        client: Option<ClientId>,
        #[serde(default)]
        to: Option<NodeId>,
        op: Op,
    },
}

/// Live-tunable settings; every field optional.
/// (Unknown keys are refused by `unknown_keys`: serde's deny_unknown_fields does not work with a flatten.)
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election_timeout_min_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election_timeout_max_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_min_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_max_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_pct: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_pct: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bugs: Option<crate::bugs::Bugs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub march: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_after_entries: Option<u64>,
    /// Heartbeats only to idle followers, or to every follower every interval (`RaftConfig::idle_heartbeats`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_heartbeats: Option<bool>,
    /// Protocol switches (`"prevote": true`, ...), as in a config.
    #[serde(flatten)]
    pub protocol: crate::protocol::ProtocolSettings,
    #[serde(flatten, skip_serializing)]
    pub unknown_keys: super::keys::NoUnknownKeys<Settings>,
}

impl super::keys::KnownKeys for Settings {
    /// Every field present: a new one must be added here (the struct literal lists them all) to be named.
    fn full() -> serde_json::Value {
        let full = Settings {
            heartbeat_ms: Some(0),
            election_timeout_min_ms: Some(0),
            election_timeout_max_ms: Some(0),
            latency_min_ms: Some(0.0),
            latency_max_ms: Some(0.0),
            loss_pct: Some(0.0),
            duplicate_pct: Some(0.0),
            bugs: Some(crate::bugs::Bugs::none()),
            march: Some(false),
            snapshot_after_entries: Some(0),
            idle_heartbeats: Some(true),
            protocol: crate::protocol::Protocol::default().into(),
            unknown_keys: Default::default(),
        };
        serde_json::to_value(full).expect("settings serialize")
    }
}

/// A command with the virtual time it was applied at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timed {
    pub at_us: TimeUs,
    pub command: Command,
}

impl Command {
    /// Every command's `cmd` name (the file format's own names; an exercise may forbid some).
    pub const NAMES: [&'static str; 17] = [
        "crash",
        "restart",
        "pause",
        "resume",
        "stall_disk",
        "timeout",
        "transfer_leader",
        "add_node",
        "remove_node",
        "partition",
        "cut",
        "heal",
        "drop_message",
        "duplicate_message",
        "delay_message",
        "configure",
        "request",
    ];

    /// The command's `cmd` name, as its JSON says.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Crash { .. } => "crash",
            Command::Restart { .. } => "restart",
            Command::Pause { .. } => "pause",
            Command::Resume { .. } => "resume",
            Command::StallDisk { .. } => "stall_disk",
            Command::Timeout { .. } => "timeout",
            Command::TransferLeader { .. } => "transfer_leader",
            Command::AddNode => "add_node",
            Command::RemoveNode { .. } => "remove_node",
            Command::Partition { .. } => "partition",
            Command::Cut { .. } => "cut",
            Command::Heal => "heal",
            Command::DropMessage { .. } => "drop_message",
            Command::DuplicateMessage { .. } => "duplicate_message",
            Command::DelayMessage { .. } => "delay_message",
            Command::Configure { .. } => "configure",
            Command::Request { .. } => "request",
        }
    }

    /// A short readable form for timelines and reports.
    pub fn describe(&self) -> String {
        match self {
            Command::Crash { node } => format!("crash S{node}"),
            Command::Restart { node } => format!("restart S{node}"),
            Command::Pause { node } => format!("pause S{node}"),
            Command::Resume { node } => format!("resume S{node}"),
            Command::Timeout { node } => format!("time out S{node}"),
            Command::TransferLeader { to } => format!("hand leadership to S{to}"),
            Command::StallDisk { node, stall_ms } => format!("stall S{node}'s disk for {stall_ms} ms"),
            Command::AddNode => "add a node".into(),
            Command::RemoveNode { node } => format!("remove S{node}"),
            Command::Partition { groups } => format!("partition {groups:?}"),
            Command::Cut { from, to } => format!("cut S{from} → S{to}"),
            Command::Heal => "heal the network".into(),
            Command::DropMessage { id } => format!("drop message #{id}"),
            Command::DuplicateMessage { id } => format!("duplicate message #{id}"),
            Command::DelayMessage { id, delay_ms } => format!("delay message #{id} by {delay_ms} ms"),
            Command::Configure { .. } => "configure".into(),
            Command::Request { to, op, .. } => match to {
                Some(n) => format!("client → S{n}: {}", op.describe()),
                None => format!("client: {}", op.describe()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::op::Op;

    /// `name` says what the JSON's "cmd" says, and `NAMES` lists each command once.
    #[test]
    fn names_are_the_formats_own() {
        let examples = [
            Command::Crash { node: 1 },
            Command::Restart { node: 1 },
            Command::Pause { node: 1 },
            Command::Resume { node: 1 },
            Command::StallDisk { node: 1, stall_ms: 5 },
            Command::Timeout { node: 1 },
            Command::TransferLeader { to: 1 },
            Command::AddNode,
            Command::RemoveNode { node: 1 },
            Command::Partition { groups: vec![vec![1]] },
            Command::Cut { from: 1, to: 2 },
            Command::Heal,
            Command::DropMessage { id: 1 },
            Command::DuplicateMessage { id: 1 },
            Command::DelayMessage { id: 1, delay_ms: 1.0 },
            Command::Configure { settings: Settings::default() },
            Command::Request { client: None, to: None, op: Op::Set { index: 0, value: 1 } },
        ];
        assert_eq!(examples.len(), Command::NAMES.len());
        for (c, name) in examples.iter().zip(Command::NAMES) {
            assert_eq!(serde_json::to_value(c).unwrap()["cmd"], c.name());
            assert_eq!(c.name(), name);
        }
    }
}
