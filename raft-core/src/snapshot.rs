//! Log compaction (dissertation ch. 5): a snapshot is the state machines after applying the log up to an index,
//! with that entry's index, term and chain hash and the configuration in effect there. A node takes one once
//! `snapshot_after_entries` applied entries follow its last; a follower too far behind the leader's log gets it
//! in chunks (InstallSnapshot).

use crate::hash::StableHasher;
use crate::log::Start;
use crate::machine::op::Membership;
use crate::machine::Machines;
use crate::types::LogIndex;
use serde::{Deserialize, Serialize};

/// Bytes of snapshot data per InstallSnapshot message: small, so that sending one takes several round trips
/// a student can watch.
pub const SNAPSHOT_CHUNK_BYTES: usize = 512;

/// Largest snapshot a follower assembles (the page's state machines are far smaller; a bound on what a
/// message sequence can make a node hold).
pub const SNAPSHOT_BYTES_MAX: usize = 16 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The last entry it covers ("last included index and term", with the chain hash the log goes on from).
    pub last: Start,
    /// The configuration in effect at `last.index`, and the index of the entry that set it (0: the initial one).
    pub membership: Membership,
    pub membership_index: LogIndex,
    /// The state machines after applying up to `last.index`, serialized: what InstallSnapshot carries.
    pub data: Vec<u8>,
    /// A hash of `data`: two snapshots of the same index must agree on it (State Machine Safety).
    pub state_hash: u64,
}

impl Snapshot {
    pub fn new(last: Start, membership: Membership, membership_index: LogIndex, machines: &Machines) -> Snapshot {
        let data = serde_json::to_vec(machines).expect("the state machines serialize");
        Snapshot::from_data(last, membership, membership_index, data)
    }

    /// A snapshot from received bytes; the hash is computed here, never taken from the sender.
    pub fn from_data(last: Start, membership: Membership, membership_index: LogIndex, data: Vec<u8>) -> Snapshot {
        let state_hash = StableHasher::new().bytes(&data).finish();
        Snapshot { last, membership, membership_index, data, state_hash }
    }

    pub fn machines(&self) -> Result<Machines, String> {
        serde_json::from_slice(&self.data).map_err(|e| format!("snapshot data is damaged: {e}"))
    }
}
