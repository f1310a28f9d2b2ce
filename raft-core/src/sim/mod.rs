//! The cluster simulator: virtual time, seeded randomness, a lossy bus, disks that lose unsynced writes.

pub mod apply;
pub mod bus;
pub mod client;
pub mod cluster;
pub mod command;
pub mod config;
pub mod disk;
pub mod history;
pub mod journal;
pub mod keys;
pub mod observe;
pub mod queue;
pub mod recording;
pub mod server;
pub mod view;

pub use cluster::{Cluster, FaultStats};
pub use command::{Command, Settings, Timed};
pub use config::{DiskConfig, NetworkConfig, SimConfig};
pub use recording::Recording;
