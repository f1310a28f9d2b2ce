//! raft-rs's `RawNode` with `MemStorage`, driven the way its five_mem_node example does, with instant delivery.

use crate::{Run, PAYLOAD_BYTES};
use raft::eraftpb::{ConfState, Message};
use raft::storage::MemStorage;
use raft::{Config, RawNode, StateRole};
use std::collections::VecDeque;
use std::time::Instant;

struct Cluster {
    nodes: Vec<RawNode<MemStorage>>,
    queue: VecDeque<Message>,
    messages: u64,
    applied: Vec<u64>,
}

impl Cluster {
    fn pump(&mut self) {
        loop {
            let mut moved = false;
            for i in 0..self.nodes.len() {
                let node = &mut self.nodes[i];
                if !node.has_ready() {
                    continue;
                }
                moved = true;
                let store = node.raft.raft_log.store.clone();
                let mut ready = node.ready();
                self.queue.extend(ready.take_messages());
                let count = |es: &[raft::eraftpb::Entry]| es.iter().filter(|e| !e.data.is_empty()).count() as u64;
                self.applied[i] += count(&ready.take_committed_entries());
                store.wl().append(ready.entries()).expect("append");
                if let Some(hs) = ready.hs() {
                    store.wl().set_hardstate(hs.clone());
                }
                self.queue.extend(ready.take_persisted_messages());
                let mut light = node.advance(ready);
                if let Some(commit) = light.commit_index() {
                    store.wl().mut_hard_state().set_commit(commit);
                }
                self.queue.extend(light.take_messages());
                self.applied[i] += count(&light.take_committed_entries());
                node.advance_apply();
            }
            while let Some(m) = self.queue.pop_front() {
                moved = true;
                self.messages += 1;
                let to = m.to as usize - 1;
                let _ = self.nodes[to].step(m);
            }
            if !moved {
                return;
            }
        }
    }
}

pub fn run(voters: usize, batch: usize, entries: usize) -> Run {
    let logger = slog::Logger::root(slog::Discard, slog::o!());
    let ids: Vec<u64> = (1..=voters as u64).collect();
    let nodes = ids
        .iter()
        .map(|id| {
            let storage = MemStorage::new_with_conf_state(ConfState::from((ids.clone(), vec![])));
            // raft-rs's defaults, with the in-flight window raft-core uses by default.
            let cfg = Config { id: *id, max_inflight_msgs: 4, max_size_per_msg: 1024 * 1024, ..Config::default() };
            RawNode::new(&cfg, storage, &logger).expect("valid config")
        })
        .collect();
    let mut c = Cluster { nodes, queue: VecDeque::new(), messages: 0, applied: vec![0; voters] };
    c.nodes[0].campaign().expect("campaign");
    c.pump();
    assert_eq!(c.nodes[0].raft.state, StateRole::Leader, "node 1 wins the first election");
    let base = c.applied.clone();
    c.messages = 0;
    let data = vec![b'x'; PAYLOAD_BYTES];
    let started = Instant::now();
    let mut proposed = 0;
    while proposed < entries {
        for _ in 0..batch.min(entries - proposed) {
            c.nodes[0].propose(vec![], data.clone()).expect("the leader takes proposals");
            proposed += 1;
        }
        c.pump();
    }
    let elapsed = started.elapsed();
    for (i, a) in c.applied.iter().enumerate() {
        assert_eq!(a - base[i], entries as u64, "node {} applied every entry", i + 1);
    }
    Run { elapsed, entries, messages: c.messages }
}
