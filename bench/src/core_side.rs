//! raft-core's `Node` driven directly: instant delivery, instant durability.

use crate::{Run, PAYLOAD_BYTES};
use raft_core::config::RaftConfig;
use raft_core::machine::op::{EntryData, Membership, Op};
use raft_core::message::Message;
use raft_core::node::Node;
use raft_core::types::{NodeId, Role};
use std::collections::VecDeque;
use std::time::Instant;

struct Cluster {
    nodes: Vec<Node>,
    queue: VecDeque<(NodeId, NodeId, Message)>,
    messages: u64,
    applied: Vec<u64>,
    now_us: u64,
}

impl Cluster {
    fn node(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id as usize - 1]
    }

    /// Drains every node's output and delivers every message until nothing moves.
    fn pump(&mut self) {
        self.deliver();
        // Followers learn the new commit index with the leader's next AppendEntries (Figure 2): if a round
        // ended with entries committed but not yet known committed everywhere, the heartbeat carries it.
        let commit = self.nodes[0].commit_index();
        if self.nodes.iter().any(|n| n.commit_index() < commit) {
            let due = self.nodes[0].next_deadline_us();
            self.now_us = self.now_us.max(due);
            let now = self.now_us;
            self.nodes[0].tick(now);
            self.deliver();
        }
    }

    fn deliver(&mut self) {
        let now = self.now_us;
        loop {
            let mut moved = false;
            for i in 0..self.nodes.len() {
                let id = i as NodeId + 1;
                loop {
                    let r = self.nodes[i].take_ready();
                    let idle = r.persist.is_none()
                        && r.send.is_empty()
                        && r.send_after_persist.is_empty()
                        && r.apply.is_empty();
                    if idle {
                        break;
                    }
                    moved = true;
                    self.applied[i] += r.apply.end - r.apply.start;
                    for (to, m) in r.send {
                        self.queue.push_back((id, to, m));
                    }
                    if let Some(op) = r.persist {
                        // The disk is instant: durable now, then what waited for it leaves.
                        self.nodes[i].on_persisted(now, op.term, op.last_index, op.last_term);
                    }
                    for (to, m) in r.send_after_persist {
                        self.queue.push_back((id, to, m));
                    }
                }
            }
            while let Some((from, to, m)) = self.queue.pop_front() {
                moved = true;
                self.messages += 1;
                self.node(to).step(now, from, m);
            }
            if !moved {
                return;
            }
        }
    }
}

pub fn run(voters: usize, batch: usize, entries: usize) -> Run {
    let members = Membership::of_voters(1..=voters as NodeId);
    // Time moves only to the leader's next heartbeat, when a round needs it to spread the commit index.
    let cfg = RaftConfig::default();
    let nodes = (1..=voters as NodeId).map(|id| Node::new(id, cfg.clone(), members.clone(), 7, 0)).collect();
    let mut c = Cluster { nodes, queue: VecDeque::new(), messages: 0, applied: vec![0; voters], now_us: 0 };
    c.node(1).force_timeout(0);
    c.pump();
    assert_eq!(c.node(1).role(), Role::Leader, "S1 wins the first election");
    let base: Vec<u64> = c.applied.clone();
    c.messages = 0;
    let text: String = "x".repeat(PAYLOAD_BYTES);
    let started = Instant::now();
    let mut proposed = 0;
    while proposed < entries {
        for _ in 0..batch.min(entries - proposed) {
            let data = EntryData::Op { op: Op::Message { text: text.clone() }, request: None };
            let now = c.now_us;
            c.node(1).propose(now, data).expect("the leader takes proposals");
            proposed += 1;
        }
        c.pump();
    }
    let elapsed = started.elapsed();
    for (i, a) in c.applied.iter().enumerate() {
        assert_eq!(a - base[i], entries as u64, "S{} applied every entry", i + 1);
    }
    Run { elapsed, entries, messages: c.messages }
}
