//! The discrete-event cluster: servers, the bus, clients and disks driven by one event queue in virtual time.
//! Ties in time are broken by insertion order, so a run depends only on the seed, the config and the commands.

use super::bus::{Bus, Envelope, IN_FLIGHT_MAX};
use super::client::{Clients, RequestRecord};
use super::command::Timed;
use super::config::{SimConfig, TimingUs};
use super::history::History;
use super::journal::{message_summary, DropWhy, Happening, JournalEvent};
use super::queue::EventQueue;
use super::server::{PendingWrite, Server, Servers, Status};
use crate::check::Checker;
use crate::hash::TraceHasher;
use crate::machine::op::{EntryData, Membership, Op, RequestId};
use crate::machine::{Applied, Machines};
use crate::message::{ClientResult, Message};
use crate::node::{DurableState, Node, Summary};
use crate::types::{ClientId, Endpoint, MsgId, NodeId, Role, TimeUs};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Event {
    Deliver(MsgId),
    Timer(NodeId, u64),
    Sync(NodeId),
    ClientTimer(ClientId, u64),
}

/// A membership change waiting for a leader able to propose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MembershipTask {
    Add(NodeId),
    Remove(NodeId),
}

/// Clone is a checkpoint: log payloads are shared (`Payload` is an Arc), the rest is copied.
#[derive(Clone)]
pub struct Cluster {
    /// The config the run started with (with `recorded`, all that is needed to replay it).
    pub(super) initial_cfg: SimConfig,
    /// The config in effect now (commands can change timing and the network): set with `set_config`.
    pub(super) cfg: SimConfig,
    /// `cfg`'s network and disk numbers, converted once (`set_config` keeps them in step).
    pub(super) timing: TimingUs,
    pub(super) now_us: TimeUs,
    pub(super) rng: ChaCha8Rng,
    pub(super) servers: Servers,
    pub(super) next_node_id: NodeId,
    queue: EventQueue<Event>,
    seq: u64,
    pub(super) bus: Bus,
    pub(super) history: History,
    pub(super) checker: Checker,
    pub(super) recorded: Vec<Timed>,
    pub(super) clients: Clients,
    pub(super) requests: VecDeque<RequestRecord>,
    /// Serial of the next request.
    pub(super) next_request_serial: u64,
    pub(super) membership_tasks: VecDeque<MembershipTask>,
    events: u64,
    pub(super) trace: TraceHasher,
    /// The virtual instant of the last event, and how many events ran at it (the spin guard).
    instant_us: TimeUs,
    events_at_instant: u64,
    events_at_instant_max: u64,
    /// Why the simulator stopped, if it did (virtual time stopped advancing).
    halted: Option<String>,
    pub(super) fault_stats: FaultStats,
    /// Journal events not yet taken by the recording (None: the journal is off), and the last sequence number.
    journal: Option<Vec<JournalEvent>>,
    journal_seq: u64,
    /// Emptied vectors of messages held for a write, handed back to nodes (`recycle_send_after_persist_buffer`).
    held_buffers: Vec<Vec<(NodeId, Message)>>,
}

/// Emptied held-message vectors kept for reuse (more than the writes pending at once at 51 nodes).
const HELD_BUFFERS_KEPT: usize = 64;

/// How often the fault model's sharpest edges were hit: chaos reports these so that a run can say it tested
/// lost and torn writes and slow disks, not only that it crashed nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FaultStats {
    pub crashes: u64,
    /// Crashes that lost at least one write not yet synced.
    pub crashes_losing_writes: u64,
    /// Crashes that kept only part of a write of several entries (a torn write).
    pub torn_multi_entry_writes: u64,
    pub disk_stalls: u64,
    /// Messages dropped because their link already held `LINK_IN_FLIGHT_MAX` in flight.
    pub dropped_link_full: u64,
    /// Snapshots a follower installed from its leader (log compaction at work).
    pub snapshots_installed: u64,
    /// Leadership transfers that ended with the target leading / were given up.
    pub transfers_sent: u64,
}

/// A run that processes more events than this at one virtual instant is spinning (a livelock in the protocol
/// or the simulator): it halts with a reported failure instead of hanging the page or the test.
pub const EVENTS_AT_ONE_INSTANT_MAX: u64 = 1_000_000;

impl Cluster {
    pub fn new(cfg: SimConfig) -> Result<Cluster, String> {
        cfg.validate()?;
        let mut c = Cluster {
            rng: ChaCha8Rng::seed_from_u64(cfg.seed),
            now_us: 0,
            servers: Servers::default(),
            next_node_id: 1,
            queue: EventQueue::default(),
            seq: 0,
            bus: Bus::default(),
            history: History::default(),
            checker: Checker::default(),
            recorded: Vec::new(),
            clients: Clients::default(),
            requests: VecDeque::new(),
            next_request_serial: 0,
            membership_tasks: VecDeque::new(),
            events: 0,
            trace: TraceHasher::default(),
            instant_us: 0,
            events_at_instant: 0,
            events_at_instant_max: EVENTS_AT_ONE_INSTANT_MAX,
            halted: None,
            fault_stats: FaultStats::default(),
            journal: None,
            journal_seq: 0,
            held_buffers: Vec::new(),
            initial_cfg: cfg.clone(),
            timing: cfg.timing_us(),
            cfg,
        };
        let bootstrap = Membership::of_voters(1..=c.cfg.nodes as NodeId);
        for _ in 0..c.cfg.nodes {
            c.start_server(bootstrap.clone());
        }
        Ok(c)
    }

    /// Creates and starts a server with the next free id.
    pub(super) fn start_server(&mut self, bootstrap: Membership) -> NodeId {
        let id = self.next_node_id;
        self.next_node_id += 1;
        let mut disk = DurableState::default();
        if let Some(init) = self.cfg.initial_disks.iter().find(|d| d.node == id) {
            disk.term = init.term;
            for t in &init.log_terms {
                disk.log.append(*t, EntryData::Noop);
            }
        }
        let node = Node::restart(id, self.cfg.raft.clone(), bootstrap, &disk, self.cfg.seed, 0, self.now_us, 0);
        self.servers.push(Server {
            id,
            node: Some(node),
            status: Status::Up,
            disk,
            pending: VecDeque::new(),
            machines: Machines::new(&self.cfg.machine),
            incarnation: 0,
            commit_before_crash: 0,
            inbox: VecDeque::new(),
            synced_while_paused: VecDeque::new(),
            disk_stalled_until_us: 0,
            timer_gen: 0,
            timer_at_us: TimeUs::MAX,
            timer_queued_us: TimeUs::MAX,
            awaiting_apply: Default::default(),
            app_due_us: TimeUs::MAX,
        });
        self.reschedule_timer(id);
        id
    }

    // ---- time -----------------------------------------------------------------------------------------------

    /// Puts a validated config in effect.
    pub(super) fn set_config(&mut self, cfg: SimConfig) {
        self.timing = cfg.timing_us();
        self.cfg = cfg;
    }

    pub fn now_us(&self) -> TimeUs {
        self.now_us
    }

    /// Events processed so far (deliveries, timers, disk syncs, client timers), stale ones not counted.
    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn next_event_us(&self) -> Option<TimeUs> {
        self.queue.peek_time()
    }

    /// Processes every event up to and including `t_us`, then sets the clock to `t_us`.
    pub fn run_until(&mut self, t_us: TimeUs) {
        while self.process_next(t_us) {}
        self.now_us = self.now_us.max(t_us);
    }

    /// Processes the next event that does something; false if there is none.
    pub fn step_event(&mut self) -> bool {
        self.process_next(TimeUs::MAX)
    }

    /// Processes the next event that does something, if it is due by `limit_us`. Stale events (an old timer, a
    /// dropped message) are skipped without counting.
    pub fn step_event_until(&mut self, limit_us: TimeUs) -> bool {
        self.process_next(limit_us)
    }

    fn process_next(&mut self, limit_us: TimeUs) -> bool {
        if self.halted.is_some() {
            return false;
        }
        while let Some((t, ev)) = self.queue.pop_due(limit_us) {
            debug_assert!(t >= self.now_us, "virtual time never goes back");
            self.now_us = t;
            let violations_before = self.checker.violation_count();
            if self.process(ev) {
                if self.checker.violation_count() != violations_before {
                    self.journal_violations(violations_before);
                }
                self.events += 1;
                self.trace.u64(t);
                self.guard_instant(t);
                return true;
            }
        }
        false
    }

    /// Journals the violations reported since there were `before`.
    pub(super) fn journal_violations(&mut self, before: u64) {
        if !self.journaling() {
            return;
        }
        let kept = self.checker.violations().len() as u64;
        let new: Vec<Happening> = self.checker.violations()[before.min(kept) as usize..]
            .iter()
            .map(|v| Happening::Violation { invariant: v.invariant.name().into(), message: v.message.clone() })
            .collect();
        for h in new {
            self.note(h);
        }
    }

    /// Counts events at one virtual instant and halts a run that spins without time advancing.
    fn guard_instant(&mut self, t: TimeUs) {
        if t != self.instant_us {
            self.instant_us = t;
            self.events_at_instant = 0;
        }
        self.events_at_instant += 1;
        if self.events_at_instant > self.events_at_instant_max {
            let why = format!(
                "virtual time stopped advancing: more than {} events at {} ms; the simulation halted",
                self.events_at_instant_max,
                t / 1000
            );
            self.checker.report(crate::check::Invariant::Liveness, t, Vec::new(), why.clone());
            self.halted = Some(why);
        }
    }

    /// Lowers the spin guard (tests prove it with a cluster that does a lot at one instant).
    pub fn set_events_at_instant_max(&mut self, events: u64) {
        self.events_at_instant_max = events.max(1);
    }

    pub fn fault_stats(&self) -> FaultStats {
        self.fault_stats
    }

    /// Why the simulation halted, if it did (see `EVENTS_AT_ONE_INSTANT_MAX`).
    pub fn halted(&self) -> Option<&str> {
        self.halted.as_deref()
    }

    /// Turns the journal on: from now on every event is written for `take_journal`.
    pub fn enable_journal(&mut self) {
        self.journal.get_or_insert_with(Vec::new);
    }

    /// The journal events since the last call, in order.
    pub fn take_journal(&mut self) -> Vec<JournalEvent> {
        self.journal.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The sequence number of the last journal event.
    pub fn journal_seq(&self) -> u64 {
        self.journal_seq
    }

    /// Takes back the journal events after `seq` (a command refused after it was journaled).
    pub(super) fn journal_rollback(&mut self, seq: u64) {
        if let Some(buf) = self.journal.as_mut() {
            buf.retain(|e| e.seq <= seq);
            self.journal_seq = seq;
        }
    }

    pub(super) fn journaling(&self) -> bool {
        self.journal.is_some()
    }

    /// Writes a journal event now; its sequence number (0 while the journal is off).
    pub(super) fn note(&mut self, what: Happening) -> u64 {
        let Some(buf) = self.journal.as_mut() else { return 0 };
        self.journal_seq += 1;
        buf.push(JournalEvent { seq: self.journal_seq, at_us: self.now_us, what });
        self.journal_seq
    }

    pub(super) fn schedule(&mut self, at_us: TimeUs, ev: Event) {
        self.seq += 1;
        self.queue.push(at_us.max(self.now_us), self.seq, ev);
    }

    /// A hash of everything that happened so far: same seed and commands ⇒ same hash, natively and in wasm.
    /// The commands' text goes in here, once, not as each is applied (serializing every client request was 5 %
    /// of `raft-sim bench` at 5 nodes); where each came among the events went in when it was applied.
    pub fn trace_hash(&self) -> u64 {
        let mut trace = self.trace.clone();
        for timed in &self.recorded {
            let text = serde_json::to_string(timed).expect("commands serialize");
            trace.bytes(text.as_bytes());
        }
        trace.finish()
    }

    /// Marks that the next recorded command was applied here, between the events before and after it.
    pub(super) fn trace_command(&mut self) {
        self.trace.u64(9).u64(self.recorded.len() as u64);
    }

    fn process(&mut self, ev: Event) -> bool {
        match ev {
            Event::Deliver(id) => self.deliver(id),
            Event::Timer(n, gen) => self.fire_timer(n, gen),
            Event::Sync(n) => self.sync(n),
            Event::ClientTimer(c, gen) => self.client_timeout(c, gen),
        }
    }

    // ---- nodes ------------------------------------------------------------------------------------------------

    fn fire_timer(&mut self, id: NodeId, gen: u64) -> bool {
        let Some(s) = self.servers.get_mut(&id) else { return false };
        if s.timer_gen != gen {
            return false;
        }
        s.timer_queued_us = TimeUs::MAX;
        if s.status != Status::Up {
            return false;
        }
        if s.timer_at_us > self.now_us {
            // The deadline moved later after this event was queued: wait for it (not an event of the run).
            self.reschedule_timer(id);
            return false;
        }
        s.timer_at_us = TimeUs::MAX;
        let leading = s.node.as_ref().is_some_and(|n| n.role() == Role::Leader);
        if self.journaling() {
            self.note(if leading {
                Happening::HeartbeatDue { node: id }
            } else {
                Happening::ElectionTimeout { node: id }
            });
        }
        let now = self.now_us;
        let before = self.servers[&id].node.as_ref().expect("an up server has a node").summary();
        let idle_heartbeats = self.cfg.raft.idle_heartbeats;
        if idle_heartbeats && leading && now >= self.servers[&id].app_due_us {
            // Before the tick: the step's AppendEntries make the heartbeats due now unneeded.
            self.servers.get_mut(&id).expect("server exists").app_due_us = now + self.cfg.raft.heartbeat_us();
            self.drive_leader(id);
        }
        let node = self.servers.get_mut(&id).and_then(|s| s.node.as_mut()).expect("an up server has a node");
        node.tick(now);
        self.trace.u64(1).u64(id as u64);
        if node.role() == Role::Leader {
            self.checker.after_leader_tick(now, node);
            if !idle_heartbeats {
                self.drive_leader(id);
            }
        }
        self.after_node_call(id, before);
        true
    }

    /// The application around a leader: march the escort one step per heartbeat, and carry out queued
    /// membership changes.
    fn drive_leader(&mut self, id: NodeId) {
        let now = self.now_us;
        let march = self.cfg.machine.march;
        let s = self.servers.get_mut(&id).expect("server exists");
        let node = s.node.as_mut().expect("leader is up");
        if march {
            let log = node.log();
            let step_pending = log
                .slice(node.applied_index() + 1, usize::MAX)
                .any(|e| matches!(*e.data, EntryData::Op { op: Op::Step { .. }, .. }));
            if !step_pending {
                if let Some(op) = s.machines.escort.next_step() {
                    let _ = node.propose(now, EntryData::Op { op, request: None });
                }
            }
        }
        self.drive_membership(id);
    }

    fn drive_membership(&mut self, id: NodeId) {
        let now = self.now_us;
        let Some(task) = self.membership_tasks.front().copied() else { return };
        let node = self.servers.get_mut(&id).and_then(|s| s.node.as_mut()).expect("leader is up");
        let cur = node.membership().clone();
        let committed = node.membership_index() <= node.commit_index();
        match task {
            MembershipTask::Add(n) => {
                if cur.is_voter(n) {
                    if committed {
                        self.membership_tasks.pop_front();
                    }
                    return;
                }
                let mut next = cur.clone();
                if cur.learners.contains(&n) {
                    // Promote once the learner has caught up with the leader's commit index.
                    let caught_up = node.progress().get(&n).is_some_and(|p| p.match_index >= node.commit_index());
                    if !caught_up {
                        return;
                    }
                    next.learners.remove(&n);
                    next.voters.insert(n);
                } else {
                    next.learners.insert(n);
                }
                let _ = node.propose(now, EntryData::Config { membership: next });
            }
            MembershipTask::Remove(n) => {
                if !cur.contains(n) {
                    if committed {
                        self.membership_tasks.pop_front();
                        self.stop_removed(n);
                    }
                    return;
                }
                let mut next = cur.clone();
                next.voters.remove(&n);
                next.learners.remove(&n);
                let _ = node.propose(now, EntryData::Config { membership: next });
            }
        }
    }

    /// A removed server is stopped once its removal is committed.
    fn stop_removed(&mut self, n: NodeId) {
        if let Some(s) = self.servers.get_mut(&n) {
            if s.status != Status::Removed {
                s.status = Status::Removed;
                s.node = None;
                s.pending.clear();
                s.inbox.clear();
                self.history.node_stopped(n, self.now_us);
            }
        }
    }

    /// Acts on what a node asked for after any call into it, and checks the invariants.
    pub(super) fn after_node_call(&mut self, id: NodeId, before: Summary) {
        let now = self.now_us;
        let s = self.servers.get_mut(&id).expect("server exists");
        let Some(node) = s.node.as_mut() else { return };
        let ready = node.take_ready();
        let after = node.summary();
        if after.role != before.role {
            // The application's round starts with the leadership, one interval after the first heartbeats.
            let leading = after.role == Role::Leader && self.cfg.raft.idle_heartbeats;
            s.app_due_us = if leading { now + self.cfg.raft.heartbeat_us() } else { TimeUs::MAX };
        }
        self.trace.u64(after.term).u64(after.commit_index).u64(after.last_chain).u64(after.role as u64);
        if self.journaling() {
            self.journal_changes(id, &before, &after, ready.written_from);
        }

        for note in &ready.notes {
            self.history.record(id, note, now);
            match note {
                crate::node::Note::SnapshotInstalled { .. } => self.fault_stats.snapshots_installed += 1,
                crate::node::Note::TimeoutNowSent { .. } => self.fault_stats.transfers_sent += 1,
                _ => {}
            }
        }
        {
            let servers = &self.servers;
            let node = servers[&id].node.as_ref().expect("node is up");
            self.checker.after_step(now, &before, &after, node, ready.written_from, &ready.notes, |n| {
                servers.get(&n).map(|s| &s.disk)
            });
        }

        // Disk: writes are durable in order; messages that wait for a write leave when it is synced.
        let s = self.servers.get_mut(&id).expect("server exists");
        if let Some(op) = ready.persist {
            let d_us = self.rng.random_range(self.timing.sync_min_us..=self.timing.sync_max_us);
            let last_sync = s.pending.back().map_or(0, |w| w.sync_at_us);
            let sync_at_us = (now + d_us).max(last_sync).max(s.disk_stalled_until_us);
            s.pending.push_back(PendingWrite { op, sync_at_us, held: ready.send_after_persist });
            self.schedule(sync_at_us, Event::Sync(id));
        } else if !ready.send_after_persist.is_empty() {
            if let Some(last) = s.pending.back_mut() {
                last.held.extend(ready.send_after_persist);
            } else {
                let mut held = ready.send_after_persist;
                for (to, msg) in held.drain(..) {
                    self.send_from_node(id, to, msg);
                }
                self.keep_held_buffer(held);
            }
        }
        let mut send = ready.send;
        for (to, msg) in send.drain(..) {
            self.send_from_node(id, to, msg);
        }
        if let Some(node) = self.servers.get_mut(&id).and_then(|s| s.node.as_mut()) {
            node.recycle_send_buffer(send);
            if let Some(held) = self.held_buffers.pop() {
                node.recycle_send_after_persist_buffer(held);
            }
        }

        // A snapshot from the leader replaces the state machines; entries after it apply on top.
        if let Some(machines) = ready.restore {
            let s = self.servers.get_mut(&id).expect("server exists");
            s.machines = *machines;
        }
        // Apply committed entries to this node's state machines; answer clients waiting on them.
        for index in ready.apply {
            let s = self.servers.get_mut(&id).expect("server exists");
            let entry = s.node.as_ref().and_then(|n| n.log().get(index)).expect("entries to apply are in the log");
            self.checker.on_apply(now, id, entry);
            if let Applied::Request { client, seq, index, result } = s.machines.apply(entry) {
                if s.awaiting_apply.remove(&(client, seq)) {
                    let result = match result {
                        Ok(()) => ClientResult::Applied { index },
                        Err(reason) => ClientResult::Refused { reason },
                    };
                    self.bus_send(Endpoint::Node(id), Endpoint::Client(client), Message::ClientReply { seq, result });
                }
            }
        }
        // Log compaction: once enough applied entries follow the last snapshot, snapshot the machines.
        let s = self.servers.get_mut(&id).expect("server exists");
        if let Some(node) = s.node.as_mut().filter(|n| n.snapshot_due()) {
            let before = node.summary();
            node.take_snapshot(now, &s.machines);
            self.after_node_call(id, before);
            return;
        }
        self.reschedule_timer(id);
    }

    /// Keeps an emptied held-message vector for the next node call that holds a message.
    pub(super) fn keep_held_buffer(&mut self, mut held: Vec<(NodeId, Message)>) {
        if self.held_buffers.len() < HELD_BUFFERS_KEPT && held.capacity() > 0 {
            held.clear();
            self.held_buffers.push(held);
        }
    }

    /// Journals what a call into a node changed: term, role, log (truncated, appended), commit and apply.
    fn journal_changes(&mut self, id: NodeId, before: &Summary, after: &Summary, written_from: Option<u64>) {
        if after.term != before.term {
            self.note(Happening::TermChanged { node: id, from: before.term, to: after.term });
        }
        if after.role != before.role {
            self.note(Happening::RoleChanged { node: id, from: before.role, to: after.role, term: after.term });
        }
        if let Some(from) = written_from {
            if from <= before.last_index {
                self.note(Happening::Truncated { node: id, from_index: from });
            }
            if after.last_index >= from {
                self.note(Happening::Appended { node: id, from_index: from, to_index: after.last_index });
            }
        }
        if after.commit_index > before.commit_index {
            let (from_index, to_index) = (before.commit_index + 1, after.commit_index);
            self.note(Happening::Committed { node: id, from_index, to_index });
        }
        if after.applied_index > before.applied_index {
            let (from_index, to_index) = (before.applied_index + 1, after.applied_index);
            self.note(Happening::Applied { node: id, from_index, to_index });
        }
    }

    pub(super) fn reschedule_timer(&mut self, id: NodeId) {
        let Some(s) = self.servers.get_mut(&id) else { return };
        let Some(node) = s.node.as_ref() else { return };
        let mut deadline = node.next_deadline_us();
        if node.role() == Role::Leader {
            deadline = deadline.min(s.app_due_us);
        }
        s.timer_at_us = deadline;
        // A later deadline keeps the queued event (see `timer_queued_us`); an earlier one needs its own.
        if deadline < s.timer_queued_us {
            s.timer_gen += 1;
            s.timer_queued_us = deadline;
            let gen = s.timer_gen;
            self.schedule(deadline, Event::Timer(id, gen));
        }
    }

    // ---- the bus ----------------------------------------------------------------------------------------------

    pub(super) fn send_from_node(&mut self, id: NodeId, to: NodeId, msg: Message) {
        if let Message::RequestVoteReply { term, granted: true } = msg {
            self.checker.on_vote_sent(self.now_us, id, term, to);
            if self.journaling() {
                self.note(Happening::VoteGranted { node: id, to, term });
            }
        }
        self.bus_send(Endpoint::Node(id), Endpoint::Node(to), msg);
    }

    pub(super) fn bus_send(&mut self, from: Endpoint, to: Endpoint, msg: Message) {
        let lost = |c: &mut Cluster, msg: &Message, why| {
            if c.journaling() {
                c.note(Happening::Lost { message: msg.kind(), from, to, why });
            }
        };
        if !self.bus.link_up(from, to) {
            return lost(self, &msg, DropWhy::Partition);
        }
        if self.bus.in_flight.len() >= IN_FLIGHT_MAX {
            return lost(self, &msg, DropWhy::NetworkFull);
        }
        if self.bus.link_full(from, to) {
            self.fault_stats.dropped_link_full += 1;
            return lost(self, &msg, DropWhy::LinkFull);
        }
        let TimingUs { loss_p: loss, duplicate_p: dup, latency_min_us: lat_min, latency_max_us: lat_max, .. } =
            self.timing;
        if loss > 0.0 && self.rng.random_bool(loss) {
            return lost(self, &msg, DropWhy::Loss);
        }
        let copy = if dup > 0.0 && self.rng.random_bool(dup) {
            let latency_us = self.rng.random_range(lat_min..=lat_max);
            Some(self.put_in_flight(from, to, msg.clone(), latency_us))
        } else {
            None
        };
        let journal = self.journaling().then(|| (msg.kind(), message_summary(&msg)));
        // The message itself travels (no copy of its entries unless it is duplicated).
        let latency_us = self.rng.random_range(lat_min..=lat_max);
        let id = self.put_in_flight(from, to, msg, latency_us);
        if let Some((message, summary)) = journal {
            let cause = self.note(Happening::Sent { msg: id, message, from, to, summary });
            for m in std::iter::once(id).chain(copy) {
                if let Some(env) = self.bus.in_flight.get_mut(&m) {
                    env.sent_seq = cause;
                }
            }
            if let Some(copy) = copy {
                self.note(Happening::Duplicated { msg: id, copy, cause });
            }
        }
    }

    pub(super) fn put_in_flight(&mut self, from: Endpoint, to: Endpoint, msg: Message, latency_us: TimeUs) -> MsgId {
        let id = self.bus.new_id();
        let deliver_us = self.now_us + latency_us;
        self.bus.insert(Envelope { id, from, to, sent_us: self.now_us, deliver_us, msg, sent_seq: 0 });
        self.schedule(deliver_us, Event::Deliver(id));
        id
    }

    fn deliver(&mut self, id: MsgId) -> bool {
        // Not in flight any more (dropped), or delayed by a user: a later event delivers it.
        let Some(env) = self.bus.remove_due(id, self.now_us) else { return false };
        self.trace.u64(2).u64(id);
        if self.journaling() {
            let (cause, from, to) = (env.sent_seq, env.from, env.to);
            let down = matches!(to, Endpoint::Node(n)
                if self.servers.get(&n).is_none_or(|s| matches!(s.status, Status::Crashed | Status::Removed)));
            self.note(if !self.bus.link_up(from, to) {
                Happening::Dropped { msg: id, cause, why: DropWhy::Partition }
            } else if down {
                Happening::Dropped { msg: id, cause, why: DropWhy::NodeDown }
            } else {
                Happening::Delivered { msg: id, cause, from, to }
            });
        }
        if !self.bus.link_up(env.from, env.to) {
            return true;
        }
        match env.to {
            Endpoint::Client(c) => self.client_receive(c, env.from, env.msg),
            Endpoint::Node(n) => {
                let Some(s) = self.servers.get_mut(&n) else { return true };
                match s.status {
                    Status::Up => self.node_receive(n, env.from, env.msg),
                    Status::Paused => s.inbox.push_back((env.from, env.msg)),
                    Status::Crashed | Status::Removed => {} // lost with the node
                }
            }
        }
        true
    }

    pub(super) fn node_receive(&mut self, n: NodeId, from: Endpoint, msg: Message) {
        let now = self.now_us;
        let s = self.servers.get_mut(&n).expect("server exists");
        let node = s.node.as_mut().expect("up server has a node");
        let before = node.summary();
        match (from, msg) {
            (Endpoint::Client(c), Message::ClientRequest { client, seq, op }) => {
                debug_assert_eq!(c, client);
                let reply = if node.role() != Role::Leader {
                    Some(ClientResult::Redirect { leader: node.leader_id().filter(|l| *l != n) })
                } else if let Some(sess) = s.machines.sessions.get(&client).filter(|sess| seq <= sess.seq) {
                    Some(ClientResult::Applied { index: sess.index })
                } else if s.awaiting_apply.contains(&(client, seq)) {
                    None // already in the log; answered when applied
                } else if let Err(reason) = s.machines.validate(&op) {
                    Some(ClientResult::Refused { reason })
                } else {
                    let request = Some(RequestId { client, seq });
                    match node.propose(now, EntryData::Op { op, request }) {
                        Ok(_) => {
                            s.awaiting_apply.insert((client, seq));
                            None
                        }
                        Err(_) => Some(ClientResult::Redirect { leader: None }),
                    }
                };
                if let Some(result) = reply {
                    self.bus_send(Endpoint::Node(n), Endpoint::Client(client), Message::ClientReply { seq, result });
                }
            }
            (Endpoint::Node(from), msg) => {
                if node.role() == Role::Leader && msg.term() == Some(node.term()) {
                    self.checker.on_leader_heard(n, node.term(), from, now);
                }
                node.step(now, from, msg)
            }
            (Endpoint::Client(_), _) => {}
        }
        self.after_node_call(n, before);
    }
}
