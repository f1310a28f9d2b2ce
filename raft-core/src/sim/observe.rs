//! Read-only access for views, scenario expectations and the checker's liveness pass.

use super::bus::Envelope;
use super::client::RequestRecord;
use super::cluster::Cluster;
use super::config::SimConfig;
use super::history::History;
use super::server::{Server, Status};
use crate::check::Violation;
use crate::node::Node;
use crate::types::{Endpoint, NodeId, Role};
use std::collections::BTreeSet;

impl Cluster {
    /// The config in effect now.
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }
    /// The config the run started with: with `recorded()`, everything needed to replay the run.
    pub fn initial_config(&self) -> &SimConfig {
        &self.initial_cfg
    }
    /// Estimated memory of the cluster's state: what a checkpoint of it costs (payloads shared between logs and
    /// checkpoints are not counted). An estimate for a limit, not an exact count.
    pub fn footprint_bytes(&self) -> u64 {
        const MESSAGE: u64 = 192;
        const SERVER: u64 = 2048;
        let servers: u64 =
            self.servers
                .values()
                .map(|s| {
                    let node = s.node.as_ref().map_or(0, |n| {
                        n.log().footprint_bytes() + n.snapshot().map_or(0, |snap| snap.data.len() as u64)
                    });
                    let disk = s.disk.log.footprint_bytes()
                        + s.disk.snapshot.as_ref().map_or(0, |snap| snap.data.len() as u64);
                    SERVER + node + disk + MESSAGE * (s.inbox.len() + s.pending.len()) as u64
                })
                .sum();
        servers
            + MESSAGE * self.bus.in_flight.len() as u64
            + 128 * self.requests.len() as u64
            + self.clients.footprint_bytes()
            + self.bus.links_footprint_bytes()
            + self.checker.footprint_bytes()
            + self.history.footprint_bytes()
    }

    pub fn servers(&self) -> impl Iterator<Item = &Server> {
        self.servers.values()
    }
    pub fn server(&self, id: NodeId) -> Option<&Server> {
        self.servers.get(&id)
    }
    /// The running node with this id (None if down, paused nodes included).
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.servers.get(&id).and_then(|s| s.node.as_ref())
    }
    pub fn history(&self) -> &History {
        &self.history
    }
    pub fn violations(&self) -> &[Violation] {
        self.checker.violations()
    }
    pub fn violation_count(&self) -> u64 {
        self.checker.violation_count()
    }
    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope> {
        self.bus.in_flight.values()
    }
    /// One message in flight, by id.
    pub fn message(&self, id: u64) -> Option<&Envelope> {
        self.bus.in_flight.get(&id)
    }
    pub fn partition_groups(&self) -> &[BTreeSet<NodeId>] {
        self.bus.groups()
    }
    pub fn cuts(&self) -> &BTreeSet<(NodeId, NodeId)> {
        self.bus.cuts()
    }
    /// Whether a message from `from` to `to` gets through the partitions and cuts now.
    pub fn link_up(&self, from: NodeId, to: NodeId) -> bool {
        self.bus.link_up(Endpoint::Node(from), Endpoint::Node(to))
    }
    pub fn requests(&self) -> &std::collections::VecDeque<RequestRecord> {
        &self.requests
    }
    pub fn membership_changes_pending(&self) -> usize {
        self.membership_tasks.len()
    }

    /// The leader with the highest term among running nodes, if any.
    pub fn leader(&self) -> Option<&Node> {
        self.servers
            .values()
            .filter(|s| s.status == Status::Up)
            .filter_map(|s| s.node.as_ref())
            .filter(|n| n.role() == Role::Leader)
            .max_by_key(|n| n.term())
    }

    pub fn max_term(&self) -> u64 {
        self.servers.values().filter_map(|s| s.node.as_ref()).map(|n| n.term()).max().unwrap_or(0)
    }
}
