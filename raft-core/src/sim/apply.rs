//! Applying a `Command` to a running cluster. Every change goes through here and is recorded, so that
//! seed + config + the recorded commands replay the same run.

use super::cluster::{Cluster, MembershipTask};
use super::command::{Command, Settings, Timed};
use super::config::ms_to_us;
use super::journal::{DropWhy, Happening};
use super::server::Status;
use crate::machine::op::Membership;
use crate::node::Node;
use crate::types::{NodeId, Role, TimeUs, NODES_MAX};
use rand::Rng;
use std::collections::BTreeSet;

/// Longest disk stall a command may ask for.
pub const STALL_MS_MAX: u64 = 60_000;

/// Client id used when a command names none.
pub const DEFAULT_CLIENT: u32 = 1;

impl Cluster {
    /// Applies a command now. On error nothing changed and nothing is recorded; the message says why.
    pub fn apply(&mut self, command: Command) -> Result<(), String> {
        // A command at time t comes after every event at t, so that replaying (run_until(t), then apply) is
        // the same run whatever way the original reached t.
        self.run_until(self.now_us);
        let violations_before = self.checker.violation_count();
        // The command comes first in the journal, before what it causes; a refused one is taken back.
        let seq = self.journal_seq();
        if self.journaling() {
            self.note(Happening::Command { command: Box::new(command.clone()) });
        }
        if let Err(e) = self.apply_inner(&command) {
            self.journal_rollback(seq);
            return Err(e);
        }
        self.journal_violations(violations_before);
        self.trace_command();
        self.recorded.push(Timed { at_us: self.now_us, command });
        Ok(())
    }

    /// Every command applied so far, with its virtual time.
    pub fn recorded(&self) -> &[Timed] {
        &self.recorded
    }

    fn server_status(&self, node: NodeId) -> Result<Status, String> {
        self.servers.get(&node).map(|s| s.status).ok_or_else(|| {
            let ids: Vec<String> = self.servers.keys().map(|i| format!("S{i}")).collect();
            format!("there is no node S{node} (nodes: {})", ids.join(", "))
        })
    }

    fn apply_inner(&mut self, command: &Command) -> Result<(), String> {
        let now = self.now_us;
        match command {
            Command::Crash { node } => match self.server_status(*node)? {
                Status::Up | Status::Paused => self.crash(*node),
                Status::Crashed => return Err(format!("S{node} is already down")),
                Status::Removed => return Err(format!("S{node} was removed from the cluster")),
            },
            Command::Restart { node } => match self.server_status(*node)? {
                Status::Crashed => self.restart(*node),
                Status::Removed => return Err(format!("S{node} was removed from the cluster")),
                _ => return Err(format!("S{node} is not down")),
            },
            Command::Pause { node } => match self.server_status(*node)? {
                Status::Up => {
                    self.servers.get_mut(node).expect("exists").status = Status::Paused;
                    self.checker.on_node_paused(*node, now);
                    self.note(Happening::Paused { node: *node });
                }
                _ => return Err(format!("S{node} is not running")),
            },
            Command::Resume { node } => match self.server_status(*node)? {
                Status::Paused => self.resume(*node),
                _ => return Err(format!("S{node} is not paused")),
            },
            Command::StallDisk { node, stall_ms } => {
                match self.server_status(*node)? {
                    Status::Up | Status::Paused => {}
                    _ => return Err(format!("S{node} is not running")),
                }
                if *stall_ms == 0 || *stall_ms > STALL_MS_MAX {
                    return Err(format!("a disk stall lasts 1 to {STALL_MS_MAX} ms, not {stall_ms}"));
                }
                self.stall_disk(*node, now + stall_ms * 1000);
            }
            Command::Timeout { node } => match self.server_status(*node)? {
                Status::Up => {
                    let n = self.servers.get_mut(node).and_then(|s| s.node.as_mut()).expect("up");
                    let before = n.summary();
                    n.force_timeout(now);
                    self.after_node_call(*node, before);
                }
                _ => return Err(format!("S{node} is not running")),
            },
            Command::TransferLeader { to } => {
                match self.server_status(*to)? {
                    Status::Up => {}
                    Status::Crashed => return Err(format!("S{to} is down: leadership can only go to a running node")),
                    Status::Paused => return Err(format!("S{to} is paused: it could not take over")),
                    Status::Removed => return Err(format!("S{to} was removed from the cluster")),
                }
                let leader = self.leader().map(|l| l.id()).ok_or("there is no leader to hand over from")?;
                let n = self.servers.get_mut(&leader).and_then(|s| s.node.as_mut()).expect("the leader is up");
                let before = n.summary();
                n.transfer_leadership(now, *to).map_err(|e| format!("S{leader} cannot hand over to S{to}: {e}"))?;
                self.after_node_call(leader, before);
            }
            Command::AddNode => {
                let live = self.servers.values().filter(|s| s.status != Status::Removed).count();
                if live >= NODES_MAX {
                    return Err(format!("a cluster has at most {NODES_MAX} nodes"));
                }
                let id = self.start_server(Membership::default());
                self.membership_tasks.push_back(MembershipTask::Add(id));
            }
            Command::RemoveNode { node } => {
                if self.server_status(*node)? == Status::Removed {
                    return Err(format!("S{node} was already removed"));
                }
                let voters = self.servers.values().filter(|s| s.status != Status::Removed).count();
                if voters <= 1 {
                    return Err("the last node of a cluster cannot be removed".into());
                }
                if self.membership_tasks.contains(&MembershipTask::Remove(*node)) {
                    return Err(format!("S{node} is already being removed"));
                }
                self.membership_tasks.push_back(MembershipTask::Remove(*node));
            }
            Command::Partition { groups } => {
                let mut seen = BTreeSet::new();
                for g in groups {
                    for n in g {
                        self.server_status(*n)?;
                        if !seen.insert(*n) {
                            return Err(format!("S{n} appears in two groups"));
                        }
                    }
                }
                self.bus.partition(groups.iter().map(|g| g.iter().copied().collect()).collect());
            }
            Command::Cut { from, to } => {
                self.server_status(*from)?;
                self.server_status(*to)?;
                if from == to {
                    return Err("a node cannot be cut from itself".into());
                }
                self.bus.cut(*from, *to);
            }
            Command::Heal => self.bus.heal(),
            Command::DropMessage { id } => {
                let Some(env) = self.bus.remove(*id) else {
                    return Err(format!("message #{id} is not in flight"));
                };
                self.note(Happening::Dropped { msg: *id, cause: env.sent_seq, why: DropWhy::User });
            }
            Command::DuplicateMessage { id } => {
                let env = self.bus.in_flight.get(id).ok_or(format!("message #{id} is not in flight"))?.clone();
                let (lo, hi) = (self.timing.latency_min_us, self.timing.latency_max_us);
                let latency_us = self.rng.random_range(lo..=hi);
                let copy = self.put_in_flight(env.from, env.to, env.msg, latency_us);
                if let Some(c) = self.bus.in_flight.get_mut(&copy) {
                    c.sent_seq = env.sent_seq;
                }
                self.note(Happening::Duplicated { msg: *id, copy, cause: env.sent_seq });
            }
            Command::DelayMessage { id, delay_ms } => {
                if !delay_ms.is_finite() || *delay_ms < 0.0 || *delay_ms > 60_000.0 {
                    return Err("a delay is between 0 and 60000 ms".into());
                }
                let deliver_us = {
                    let env = self.bus.in_flight.get_mut(id).ok_or(format!("message #{id} is not in flight"))?;
                    env.deliver_us += ms_to_us(*delay_ms);
                    env.deliver_us
                };
                self.schedule(deliver_us, super::cluster::Event::Deliver(*id));
                self.note(Happening::Delayed { msg: *id, by_ms: *delay_ms });
            }
            Command::Configure { settings } => self.configure(settings)?,
            Command::Request { client, to, op } => {
                if let Some(n) = to {
                    if self.server_status(*n)? == Status::Removed {
                        return Err(format!("S{n} was removed from the cluster"));
                    }
                }
                self.client_enqueue(client.unwrap_or(DEFAULT_CLIENT), *to, op.clone())?;
            }
        }
        Ok(())
    }

    fn configure(&mut self, s: &Settings) -> Result<(), String> {
        let mut cfg = self.cfg.clone();
        let r = &mut cfg.raft;
        r.heartbeat_ms = s.heartbeat_ms.unwrap_or(r.heartbeat_ms);
        r.election_timeout_min_ms = s.election_timeout_min_ms.unwrap_or(r.election_timeout_min_ms);
        r.election_timeout_max_ms = s.election_timeout_max_ms.unwrap_or(r.election_timeout_max_ms);
        r.bugs = s.bugs.unwrap_or(r.bugs);
        r.snapshot_after_entries = s.snapshot_after_entries.unwrap_or(r.snapshot_after_entries);
        r.idle_heartbeats = s.idle_heartbeats.unwrap_or(r.idle_heartbeats);
        let n = &mut cfg.network;
        n.latency_min_ms = s.latency_min_ms.unwrap_or(n.latency_min_ms);
        n.latency_max_ms = s.latency_max_ms.unwrap_or(n.latency_max_ms);
        n.loss_pct = s.loss_pct.unwrap_or(n.loss_pct);
        n.duplicate_pct = s.duplicate_pct.unwrap_or(n.duplicate_pct);
        cfg.machine.march = s.march.unwrap_or(cfg.machine.march);
        s.protocol.apply_to(&mut cfg.raft.protocol);
        cfg.validate()?;
        let idle_changed = cfg.raft.idle_heartbeats != self.cfg.raft.idle_heartbeats;
        for srv in self.servers.values_mut() {
            if let Some(node) = srv.node.as_mut() {
                node.set_config(cfg.raft.clone());
            }
        }
        self.set_config(cfg);
        if idle_changed {
            self.heartbeat_mode_changed();
        }
        Ok(())
    }

    /// `idle_heartbeats` changed: a leader's application round moves to its own timer (on) or back to the
    /// heartbeat tick (off), and every node's next deadline is queued again (a leader's may be sooner now).
    fn heartbeat_mode_changed(&mut self) {
        let (now, idle, interval_us) = (self.now_us, self.cfg.raft.idle_heartbeats, self.cfg.raft.heartbeat_us());
        let ids: Vec<NodeId> = self.servers.keys().collect();
        for id in ids {
            let s = self.servers.get_mut(&id).expect("listed");
            let leading = s.node.as_ref().is_some_and(|n| n.role() == Role::Leader);
            s.app_due_us = if leading && idle { now + interval_us } else { TimeUs::MAX };
            self.reschedule_timer(id);
        }
    }

    /// Crash: the node's volatile state is gone; writes not yet synced are lost, except that with torn writes
    /// a prefix of the pending writes (and of the last one's entries) may have reached the disk.
    fn crash(&mut self, id: NodeId) {
        let now = self.now_us;
        let torn = self.cfg.disk.torn_writes;
        let s = self.servers.get_mut(&id).expect("exists");
        let node = s.node.take().expect("a running server has a node");
        s.commit_before_crash = node.commit_index();
        let pending: Vec<_> = s.pending.drain(..).collect();
        self.fault_stats.crashes += 1;
        let mut lost = !pending.is_empty();
        // Writes that reached the disk whole; the others were lost or torn.
        let mut full = 0;
        if torn && !pending.is_empty() {
            full = self.rng.random_range(0..=pending.len());
            let s = self.servers.get_mut(&id).expect("exists");
            for w in &pending[..full] {
                w.op.apply_to(&mut s.disk, usize::MAX);
            }
            lost = full < pending.len();
            if let Some(w) = pending.get(full) {
                let kept = self.rng.random_range(0..=w.op.entries.len());
                w.op.apply_to(&mut s.disk, kept);
                if kept > 0 && kept < w.op.entries.len() {
                    self.fault_stats.torn_multi_entry_writes += 1;
                }
            }
        }
        if lost {
            self.fault_stats.crashes_losing_writes += 1;
        }
        self.note(Happening::Crashed { node: id, writes_lost: pending.len() - full });
        let s = self.servers.get_mut(&id).expect("exists");
        s.status = Status::Crashed;
        s.inbox.clear();
        // Already on disk; the messages they held die with the process.
        s.synced_while_paused.clear();
        s.awaiting_apply.clear();
        s.timer_at_us = u64::MAX;
        s.timer_queued_us = u64::MAX;
        s.timer_gen += 1;
        self.history.node_stopped(id, now);
    }

    fn restart(&mut self, id: NodeId) {
        let raft = self.cfg.raft.clone();
        let (seed, now) = (self.cfg.seed, self.now_us);
        let fresh = crate::machine::Machines::new(&self.cfg.machine);
        let s = self.servers.get_mut(&id).expect("exists");
        // The state machines restart from the snapshot on disk (the log after it is applied once committed).
        let machines = match s.disk.snapshot.as_ref().map(|snap| snap.machines()) {
            Some(Ok(m)) => m,
            _ => fresh,
        };
        s.incarnation += 1;
        let bootstrap = bootstrap_of(self.cfg.nodes, id);
        s.node = Some(Node::restart(id, raft, bootstrap, &s.disk, seed, s.incarnation, now, s.commit_before_crash));
        s.machines = machines;
        s.status = Status::Up;
        self.note(Happening::Restarted { node: id });
        self.reschedule_timer(id);
    }

    fn resume(&mut self, id: NodeId) {
        let s = self.servers.get_mut(&id).expect("exists");
        s.status = Status::Up;
        self.note(Happening::Resumed { node: id });
        self.checker.on_node_resumed(id, self.now_us);
        self.release_synced_while_paused(id);
        let s = self.servers.get_mut(&id).expect("exists");
        let inbox: Vec<_> = s.inbox.drain(..).collect();
        for (from, msg) in inbox {
            if self.servers[&id].status == Status::Up {
                self.node_receive(id, from, msg);
            }
        }
        // A paused node's timers did not fire (their events were spent); they fire now if overdue.
        self.reschedule_timer(id);
    }
}

/// The configuration a server starts from before any configuration entry: the initial cluster for the
/// first nodes, nothing for a node added later (it learns the configuration from the log).
pub(super) fn bootstrap_of(initial_nodes: usize, id: NodeId) -> Membership {
    if (id as usize) <= initial_nodes {
        Membership::of_voters(1..=initial_nodes as NodeId)
    } else {
        Membership::default()
    }
}
