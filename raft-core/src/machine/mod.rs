//! The replicated state machines every node runs: the escort, the array and the message log, behind one
//! `StateMachine` trait, plus the client session table that makes retried requests apply at most once.

pub mod array;
pub mod escort;
pub mod messages;
pub mod op;

use crate::log::Entry;
use crate::types::{ClientId, LogIndex};
use op::{EntryData, Op, Pos};
use serde::{Deserialize, Serialize};
use std::collections::{btree_map, BTreeMap};

/// One replicated state machine: validates an operation before it is proposed, applies it once committed.
pub trait StateMachine {
    /// Whether this machine handles `op`.
    fn accepts(&self, op: &Op) -> bool;
    /// Refuses an operation that can never succeed (checked at the leader, before it enters the log).
    fn validate(&self, op: &Op) -> Result<(), String>;
    /// Applies a committed operation. Must be deterministic.
    fn apply(&mut self, op: &Op) -> Result<(), String>;
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MachineConfig {
    /// The escort marches toward this point, one step per heartbeat while there is a leader.
    pub target: Pos,
    pub step_size: i64,
    /// Whether the leader marches the escort by itself.
    pub march: bool,
    pub array_len: u32,
    pub message_chars_max: usize,
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig { target: Pos { x: 100, y: 0 }, step_size: 1, march: true, array_len: 5, message_chars_max: 280 }
    }
}

pub const COORD_ABS_MAX: i64 = 1_000_000;

/// Whether a coordinate or a move lies within ±COORD_ABS_MAX (no `abs()`: it overflows on i64::MIN).
pub fn coord_ok(v: i64) -> bool {
    (-COORD_ABS_MAX..=COORD_ABS_MAX).contains(&v)
}

impl MachineConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.step_size < 1 || self.step_size > 1000 {
            return Err("escort step size must be between 1 and 1000".into());
        }
        if !coord_ok(self.target.x) || !coord_ok(self.target.y) {
            return Err(format!(
                "escort target [{}, {}] must lie within ±{COORD_ABS_MAX} on each axis",
                self.target.x, self.target.y
            ));
        }
        if self.array_len == 0 || self.array_len > 1000 {
            return Err("array length must be between 1 and 1000".into());
        }
        if self.message_chars_max == 0 || self.message_chars_max > 10_000 {
            return Err("message length limit must be between 1 and 10000".into());
        }
        Ok(())
    }
}

/// What one node's state machines hold: the result of applying its committed log in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machines {
    pub escort: escort::Escort,
    pub array: array::ArrayMachine,
    pub messages: messages::MessageLog,
    /// Last applied request per client (dissertation §6.3): a retried request is applied at most once.
    pub sessions: BTreeMap<ClientId, Session>,
    pub applied_index: LogIndex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub seq: u64,
    pub index: LogIndex,
}

/// The outcome of applying one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Not a client request (no-op, configuration, the leader's own march step).
    Internal,
    /// A client request, applied now or earlier (a duplicate), at `index`.
    Request { client: ClientId, seq: u64, index: LogIndex, result: Result<(), String> },
}

impl Machines {
    pub fn new(cfg: &MachineConfig) -> Self {
        Machines {
            escort: escort::Escort::new(cfg),
            array: array::ArrayMachine::new(cfg.array_len),
            messages: messages::MessageLog::new(cfg.message_chars_max),
            sessions: BTreeMap::new(),
            applied_index: 0,
        }
    }

    fn machine_for(&mut self, op: &Op) -> &mut dyn StateMachine {
        if self.escort.accepts(op) {
            &mut self.escort
        } else if self.array.accepts(op) {
            &mut self.array
        } else {
            &mut self.messages
        }
    }

    pub fn validate(&mut self, op: &Op) -> Result<(), String> {
        self.machine_for(op).validate(op)
    }

    /// Applies committed entries strictly in log order. An entry at or below the applied index is ignored; a
    /// gap (only a planted bug makes one: a snapshot that dropped entries before they were applied) is applied
    /// over, and the state then differs from the other nodes', which the checker reports.
    pub fn apply(&mut self, entry: &Entry) -> Applied {
        if entry.index <= self.applied_index {
            return Applied::Internal;
        }
        self.applied_index = entry.index;
        let EntryData::Op { op, request } = &*entry.data else { return Applied::Internal };
        let Some(req) = request else {
            let _ = self.machine_for(op).apply(op);
            return Applied::Internal;
        };
        // One lookup of the session per applied request (every node applies every request). The session is
        // recorded before the machine applies the operation, which reads no session.
        let session = Session { seq: req.seq, index: entry.index };
        match self.sessions.entry(req.client) {
            btree_map::Entry::Occupied(last) if req.seq <= last.get().seq => {
                // Already applied: answer with the first outcome, apply nothing.
                let index = last.get().index;
                return Applied::Request { client: req.client, seq: req.seq, index, result: Ok(()) };
            }
            btree_map::Entry::Occupied(mut last) => {
                last.insert(session);
            }
            btree_map::Entry::Vacant(first) => {
                first.insert(session);
            }
        }
        let result = self.machine_for(op).apply(op);
        Applied::Request { client: req.client, seq: req.seq, index: entry.index, result }
    }
}
