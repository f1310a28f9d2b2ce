//! What changed in the simulation since the last frame, aspect by aspect, so that each view re-renders only
//! when what it shows has changed. After every change the page calls `refresh`: it fingerprints each aspect
//! of the cluster (a few hashes, cheap even at 51 nodes) and writes an aspect's signal only when its
//! fingerprint differs. A view tracks the aspects it draws (`Sim::read`) and peeks at the cluster for the rest.
//! Only the clock moves every frame; the views that follow it (timer arcs, flying messages, the time) are small.

use leptos::prelude::*;
use raft_core::sim::client::RequestStatus;
use raft_core::sim::server::Status;
use raft_core::types::NodeId;
use raft_core::Cluster;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// One part of the simulation a view can follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    /// Virtual time: changes every frame while playing.
    Clock,
    /// Which nodes are on the ring (a node added or removed).
    Ring,
    /// Everything about one node: status, role, term, vote, log, commit, disk, and what it knows as a leader.
    Node(NodeId),
    /// Any node's state (the union of every `Node`).
    Nodes,
    /// Any node's state, at most every `LOGS_INTERVAL_MS` of real time: for the logs, whose cells are the
    /// page's largest DOM. At 51 nodes and 1× the nodes change every frame; the eye does not need the logs
    /// redrawn sixty times a second, and the last change is always drawn.
    Logs,
    /// The set of messages in flight.
    Messages,
    /// Elections and leaders.
    History,
    /// The replicated state machines (escort, array, message log) on every node.
    Machines,
    /// Invariant violations.
    Violations,
    /// Partitions and one-way cuts.
    Network,
    /// Commands applied and the config (a new run, a reset, a configure).
    Commands,
    /// Client requests and their outcomes.
    Requests,
}

/// The shortest real time between two redraws of the logs.
pub const LOGS_INTERVAL_MS: f64 = 100.0;

#[derive(Clone, Copy)]
pub struct Watch {
    clock: RwSignal<u64>,
    ring: RwSignal<u64>,
    nodes: RwSignal<u64>,
    logs: RwSignal<u64>,
    /// When `logs` was last written (real ms), and a newer value waiting for the interval to pass.
    logs_written_ms: StoredValue<f64, LocalStorage>,
    logs_waiting: StoredValue<Option<u64>, LocalStorage>,
    logs_timer_pending: StoredValue<bool, LocalStorage>,
    messages: RwSignal<u64>,
    history: RwSignal<u64>,
    machines: RwSignal<u64>,
    violations: RwSignal<u64>,
    network: RwSignal<u64>,
    commands: RwSignal<u64>,
    requests: RwSignal<u64>,
    /// One signal per node id ever seen; a removed node keeps its signal (its views are gone). Reference
    /// counted rather than owned: the first view to ask for a node creates it, and must not take it along
    /// when it is disposed.
    per_node: StoredValue<BTreeMap<NodeId, ArcRwSignal<u64>>, LocalStorage>,
    /// Bumped when a whole new run replaces the cluster, so `Commands` changes even if the count is equal.
    generation: StoredValue<u64, LocalStorage>,
}

impl Default for Watch {
    fn default() -> Self {
        Self::new()
    }
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn hash_of(f: impl FnOnce(&mut DefaultHasher)) -> u64 {
    let mut h = DefaultHasher::new();
    f(&mut h);
    h.finish()
}

/// Writes the signal only when the fingerprint differs: an unchanged aspect notifies nobody.
fn put(sig: impl Get<Value = u64> + GetUntracked<Value = u64> + Set<Value = u64>, value: u64) {
    if sig.get_untracked() != value {
        sig.set(value);
    }
}

fn node_fingerprint(c: &Cluster, id: NodeId) -> u64 {
    hash_of(|h| {
        let Some(s) = c.server(id) else { return };
        std::mem::discriminant(&s.status).hash(h);
        s.pending.len().hash(h);
        (s.disk_stalled_until_us > c.now_us()).hash(h);
        match s.node.as_ref() {
            Some(n) => {
                std::mem::discriminant(&n.role()).hash(h);
                n.term().hash(h);
                n.voted_for().hash(h);
                n.votes().len().hash(h);
                n.commit_index().hash(h);
                n.applied_index().hash(h);
                n.stable_index().hash(h);
                n.log().last_index().hash(h);
                n.log().chain_at(n.log().last_index()).hash(h);
                n.leader_id().hash(h);
                n.membership().voters.hash(h);
                n.membership().learners.hash(h);
                for (peer, p) in n.progress() {
                    (peer, p.next_index, p.match_index).hash(h);
                }
            }
            None => {
                s.disk.term.hash(h);
                s.disk.log.last_index().hash(h);
                s.disk.log.chain_at(s.disk.log.last_index()).hash(h);
            }
        }
    })
}

impl Watch {
    pub fn new() -> Self {
        Watch {
            clock: RwSignal::new(0),
            ring: RwSignal::new(0),
            nodes: RwSignal::new(0),
            logs: RwSignal::new(0),
            logs_written_ms: StoredValue::new_local(f64::NEG_INFINITY),
            logs_waiting: StoredValue::new_local(None),
            logs_timer_pending: StoredValue::new_local(false),
            messages: RwSignal::new(0),
            history: RwSignal::new(0),
            machines: RwSignal::new(0),
            violations: RwSignal::new(0),
            network: RwSignal::new(0),
            commands: RwSignal::new(0),
            requests: RwSignal::new(0),
            per_node: StoredValue::new_local(BTreeMap::new()),
            generation: StoredValue::new_local(0),
        }
    }

    /// Subscribes the running view to one aspect.
    pub fn track(&self, aspect: Aspect) {
        match aspect {
            Aspect::Clock => self.clock.track(),
            Aspect::Ring => self.ring.track(),
            Aspect::Node(id) => self.node_signal(id).track(),
            Aspect::Nodes => self.nodes.track(),
            Aspect::Logs => self.logs.track(),
            Aspect::Messages => self.messages.track(),
            Aspect::History => self.history.track(),
            Aspect::Machines => self.machines.track(),
            Aspect::Violations => self.violations.track(),
            Aspect::Network => self.network.track(),
            Aspect::Commands => self.commands.track(),
            Aspect::Requests => self.requests.track(),
        }
    }

    fn node_signal(&self, id: NodeId) -> ArcRwSignal<u64> {
        if let Some(s) = self.per_node.with_value(|m| m.get(&id).cloned()) {
            return s;
        }
        let s = ArcRwSignal::new(u64::MAX);
        self.per_node.update_value(|m| {
            m.insert(id, s.clone());
        });
        s
    }

    /// Writes the logs' fingerprint now if the interval has passed, or else once it has: while the run plays,
    /// at the first refresh after the interval (the animation loop refreshes at least every
    /// `SLEEP_MAX_MS`; a redraw on a timer of its own cost a frame of its own), and in any case on a timer, so
    /// the last change is drawn even if nothing else happens (paused).
    fn put_logs(&self, value: u64, playing: bool) {
        if self.logs.get_untracked() == value {
            self.logs_waiting.set_value(None);
            return;
        }
        let now = now_ms();
        let since = now - self.logs_written_ms.get_value();
        if since >= LOGS_INTERVAL_MS {
            self.logs_written_ms.set_value(now);
            self.logs_waiting.set_value(None);
            self.logs.set(value);
            return;
        }
        self.logs_waiting.set_value(Some(value));
        // One timer at a time. (Asking "is a value waiting?" instead let a second timer start whenever a frame
        // wrote directly while one was pending: two chains of timers, the logs redrawn twice per interval.)
        if !self.logs_timer_pending.get_value() {
            self.logs_timer_pending.set_value(true);
            let mut delay_ms = LOGS_INTERVAL_MS - since;
            if playing {
                delay_ms = delay_ms.max(crate::sim::SLEEP_MAX_MS + LOGS_INTERVAL_MS);
            }
            let watch = *self;
            set_timeout(
                move || {
                    watch.logs_timer_pending.set_value(false);
                    if let Some(v) = watch.logs_waiting.get_value() {
                        watch.logs_waiting.set_value(None);
                        watch.logs_written_ms.set_value(now_ms());
                        put(watch.logs, v);
                    }
                },
                std::time::Duration::from_millis(delay_ms.ceil().max(0.0) as u64),
            );
        }
    }

    /// A whole new run replaced the cluster (reset, load): everything is new.
    pub fn new_run(&self) {
        self.generation.update_value(|g| *g += 1);
    }

    /// Fingerprints every aspect and notifies the ones that changed (`playing`: the animation loop will
    /// refresh again soon).
    pub fn refresh(&self, c: &Cluster, playing: bool) {
        put(self.clock, c.now_us());
        put(
            self.ring,
            hash_of(|h| {
                for s in c.servers().filter(|s| s.status != Status::Removed) {
                    s.id.hash(h);
                }
            }),
        );
        let mut all = DefaultHasher::new();
        for s in c.servers() {
            let fp = node_fingerprint(c, s.id);
            (s.id, fp).hash(&mut all);
            put(self.node_signal(s.id), fp);
        }
        let all = all.finish();
        put(self.nodes, all);
        self.put_logs(all, playing);
        put(
            self.messages,
            hash_of(|h| {
                for e in c.in_flight() {
                    e.id.hash(h);
                }
            }),
        );
        put(
            self.history,
            hash_of(|h| {
                let hist = c.history();
                hist.elections.len().hash(h);
                if let Some(e) = hist.elections.last() {
                    (e.ended_us, e.votes.len(), std::mem::discriminant(&e.outcome)).hash(h);
                }
                hist.leaders.len().hash(h);
                hist.leaders.last().map(|l| l.until_us).hash(h);
                (hist.happenings.len(), hist.happenings.last().map(|t| t.at_us)).hash(h);
            }),
        );
        put(
            self.machines,
            hash_of(|h| {
                for s in c.servers() {
                    (s.id, std::mem::discriminant(&s.status), s.node.as_ref().map(|n| n.applied_index())).hash(h);
                }
                c.trail().len().hash(h);
                c.recorded().len().hash(h);
            }),
        );
        put(self.violations, c.violations().len() as u64);
        put(
            self.network,
            hash_of(|h| {
                c.partition_groups().hash(h);
                c.cuts().hash(h);
            }),
        );
        put(self.commands, hash_of(|h| (c.recorded().len(), self.generation.get_value()).hash(h)));
        put(
            self.requests,
            hash_of(|h| {
                let rs = c.requests();
                rs.len().hash(h);
                for r in rs.iter().rev().take(16) {
                    let status = match &r.status {
                        RequestStatus::Pending => 0,
                        RequestStatus::Applied { index } => index.wrapping_add(2),
                        RequestStatus::Refused { .. } => 1,
                    };
                    (r.redirects, r.path.len(), status).hash(h);
                }
            }),
        );
    }
}
