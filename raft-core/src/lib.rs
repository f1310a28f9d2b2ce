//! raft-core: a deterministic, IO-free Raft implementation and a discrete-event simulator of a cluster.
//!
//! Architecture invariant: nothing here reads a clock, the OS's randomness or does IO. Time and the seed are
//! inputs, so the same seed and the same commands give the same run natively and in wasm.

pub mod bugs;
pub mod chaos;
pub mod check;
pub mod config;
pub mod course;
pub mod entries;
pub mod hash;
pub mod log;
pub mod machine;
pub mod message;
pub mod node;
pub mod protocol;
pub mod run_file;
pub mod scenario;
pub mod sim;
pub mod snapshot;
pub mod trace;
pub mod types;

pub use bugs::PlantedBug;
pub use sim::{Cluster, Command, SimConfig};
