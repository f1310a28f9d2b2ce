//! Serializable snapshots of a cluster: what the UI panels, the JS API, the CLI report and scripts read.
//! Times are in (fractional) milliseconds of virtual time; node ids are numbers (shown as S1..SN).

use super::cluster::Cluster;
use super::server::Status;
use crate::check::Violation;
use crate::machine::op::Pos;
use crate::node::Progress;
use crate::types::{LogIndex, NodeId, Role, Term};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct StatusView {
    pub time_ms: f64,
    pub leader: Option<NodeId>,
    pub term: Term,
    pub nodes: usize,
    pub up: usize,
    pub commit_index: LogIndex,
    pub messages_in_flight: usize,
    /// Messages dropped because their link was full (`bus::LINK_IN_FLIGHT_MAX`).
    pub dropped_link_full: u64,
    pub violations: u64,
    pub events: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeView {
    pub id: NodeId,
    pub status: Status,
    pub role: Option<Role>,
    pub term: Term,
    pub vote: Option<NodeId>,
    pub commit: LogIndex,
    pub applied: LogIndex,
    pub last_index: LogIndex,
    pub last_term: Term,
    pub voter: bool,
    pub leader_known: Option<NodeId>,
    /// Votes a candidate holds, or pre-votes a pre-candidate holds (itself included).
    pub votes: Vec<NodeId>,
    /// For a leader handing over leadership: the node it hands over to.
    pub transfer_to: Option<NodeId>,
    /// The last index and term its snapshot covers (0, 0: no snapshot; the log starts at index 1).
    pub snapshot_index: LogIndex,
    pub snapshot_term: Term,
    pub election_deadline_ms: Option<f64>,
    pub election_timeout_ms: Option<f64>,
    /// For a leader: each follower's nextIndex/matchIndex.
    pub progress: Vec<ProgressView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProgressView {
    pub node: NodeId,
    pub next_index: LogIndex,
    pub match_index: LogIndex,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryView {
    pub index: LogIndex,
    pub term: Term,
    pub text: String,
    pub committed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PositionView {
    pub node: NodeId,
    pub status: Status,
    pub x: i64,
    pub y: i64,
    pub steps: u64,
    pub leader: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValuesView<T: Serialize> {
    pub node: NodeId,
    pub status: Status,
    pub values: T,
}

/// Every view at once: what `raft-sim run` reports and scripts can diff.
#[derive(Clone, Debug, Serialize)]
pub struct AllViews {
    pub status: StatusView,
    pub nodes: Vec<NodeView>,
    pub elections: Vec<crate::sim::history::Election>,
    pub leaders: Vec<crate::sim::history::Leadership>,
    pub positions: Vec<PositionView>,
    pub arrays: Vec<ValuesView<Vec<i64>>>,
    pub messages: Vec<ValuesView<Vec<String>>>,
    pub violations: Vec<Violation>,
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl Cluster {
    pub fn all_views(&self) -> AllViews {
        AllViews {
            status: self.status_view(),
            nodes: self.node_views(),
            elections: self.history.elections.clone(),
            leaders: self.history.leaders.clone(),
            positions: self.positions(),
            arrays: self.arrays(),
            messages: self.message_logs(),
            violations: self.checker.violations().to_vec(),
        }
    }

    pub fn status_view(&self) -> StatusView {
        let leader = self.leader();
        StatusView {
            time_ms: ms(self.now_us),
            leader: leader.map(|l| l.id()),
            term: self.max_term(),
            nodes: self.servers.values().filter(|s| s.status != Status::Removed).count(),
            up: self.servers.values().filter(|s| s.status == Status::Up).count(),
            commit_index: leader.map_or(0, |l| l.commit_index()),
            messages_in_flight: self.bus.in_flight.len(),
            dropped_link_full: self.fault_stats.dropped_link_full,
            violations: self.checker.violation_count(),
            events: self.events(),
        }
    }

    pub fn node_views(&self) -> Vec<NodeView> {
        self.servers
            .values()
            .map(|s| match s.node.as_ref() {
                Some(n) => NodeView {
                    id: s.id,
                    status: s.status,
                    role: Some(n.role()),
                    term: n.term(),
                    vote: n.voted_for(),
                    commit: n.commit_index(),
                    applied: n.applied_index(),
                    last_index: n.log().last_index(),
                    last_term: n.log().last_term(),
                    voter: n.membership().is_voter(s.id),
                    leader_known: n.leader_id(),
                    votes: if matches!(n.role(), Role::Candidate | Role::Precandidate) {
                        n.votes().to_vec()
                    } else {
                        Vec::new()
                    },
                    transfer_to: n.transfer().map(|t| t.to),
                    snapshot_index: n.log().start().index,
                    snapshot_term: n.log().start().term,
                    election_deadline_ms: (n.role() != Role::Leader).then(|| ms(n.election_deadline_us())),
                    election_timeout_ms: (n.role() != Role::Leader).then(|| ms(n.election_timeout_us())),
                    progress: n
                        .progress()
                        .iter()
                        .map(|(id, p): (&NodeId, &Progress)| ProgressView {
                            node: *id,
                            next_index: p.next_index,
                            match_index: p.match_index,
                        })
                        .collect(),
                },
                None => NodeView {
                    id: s.id,
                    status: s.status,
                    role: None,
                    term: s.disk.term,
                    vote: s.disk.voted_for,
                    commit: 0,
                    applied: 0,
                    last_index: s.disk.log.last_index(),
                    last_term: s.disk.log.last_term(),
                    voter: false,
                    leader_known: None,
                    votes: Vec::new(),
                    transfer_to: None,
                    snapshot_index: s.disk.log.start().index,
                    snapshot_term: s.disk.log.start().term,
                    election_deadline_ms: None,
                    election_timeout_ms: None,
                    progress: Vec::new(),
                },
            })
            .collect()
    }

    /// A node's log (the in-memory log if running, the disk if down), the last `max` entries.
    pub fn log_view(&self, id: NodeId, max: usize) -> Vec<EntryView> {
        let Some(s) = self.servers.get(&id) else { return Vec::new() };
        let (log, commit) = match s.node.as_ref() {
            Some(n) => (n.log(), n.commit_index()),
            None => (&s.disk.log, 0),
        };
        let skip = log.entries().len().saturating_sub(max);
        log.entries()
            .skip(skip)
            .map(|e| EntryView { index: e.index, term: e.term, text: e.data.describe(), committed: e.index <= commit })
            .collect()
    }

    /// Each node's escort position as its own applied state says.
    pub fn positions(&self) -> Vec<PositionView> {
        let leader = self.leader().map(|l| l.id());
        self.servers
            .values()
            .filter(|s| s.status != Status::Removed)
            .map(|s| PositionView {
                node: s.id,
                status: s.status,
                x: s.machines.escort.pos.x,
                y: s.machines.escort.pos.y,
                steps: s.machines.escort.steps,
                leader: Some(s.id) == leader,
            })
            .collect()
    }

    pub fn arrays(&self) -> Vec<ValuesView<Vec<i64>>> {
        self.live_values(|s| s.machines.array.values.clone())
    }

    pub fn message_logs(&self) -> Vec<ValuesView<Vec<String>>> {
        self.live_values(|s| s.machines.messages.messages.clone())
    }

    fn live_values<T: Serialize>(&self, f: impl Fn(&super::server::Server) -> T) -> Vec<ValuesView<T>> {
        self.servers
            .values()
            .filter(|s| s.status != Status::Removed)
            .map(|s| ValuesView { node: s.id, status: s.status, values: f(s) })
            .collect()
    }

    pub fn escort_target(&self) -> Pos {
        self.cfg.machine.target
    }

    /// The server whose applied state the cluster-wide views show: the leader, or else the running server
    /// that has applied the most.
    pub fn most_current(&self) -> Option<&super::server::Server> {
        self.leader()
            .map(|l| l.id())
            .and_then(|id| self.servers.get(&id))
            .or_else(|| self.servers.values().filter(|s| s.node.is_some()).max_by_key(|s| s.machines.applied_index))
    }

    /// The trail of committed positions, as the most current server applied them.
    pub fn trail(&self) -> &[Pos] {
        self.most_current().map_or(&[], |s| &s.machines.escort.trail)
    }
}
