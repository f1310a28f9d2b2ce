//! The page's one simulator. Views read the cluster through `with` (which tracks the version signal, so they
//! re-render when the simulation moves); every change goes through `apply` as a recorded `Command`.

use leptos::prelude::*;
use raft_core::sim::view::StatusView;
use raft_core::{Cluster, Command, SimConfig};

/// Virtual time per real time. 1/20: a 50 ms heartbeat takes a second on screen, a message is seen flying.
pub const SPEED_DEFAULT: f64 = 0.05;
pub const SPEEDS: [(f64, &str); 11] = [
    (0.001, "1/1000×"),
    (0.003, "1/300×"),
    (0.01, "1/100×"),
    (0.02, "1/50×"),
    (0.05, "1/20×"),
    (0.1, "1/10×"),
    (0.3, "1/3×"),
    (1.0, "1×"),
    (3.0, "3×"),
    (10.0, "10×"),
    (100.0, "100×"),
];

/// What the inspector shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    None,
    Node(u32),
    Message(u64),
}

#[derive(Clone, Copy)]
pub struct Sim {
    cluster: StoredValue<Cluster, LocalStorage>,
    /// Bumped after every change; views track it.
    pub version: RwSignal<u64>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub selection: RwSignal<Selection>,
    /// The last refused action, shown in the toolbar.
    pub notice: RwSignal<Option<String>>,
    pub help_open: RwSignal<bool>,
}

impl Sim {
    pub fn new(cfg: SimConfig) -> Self {
        let cluster = Cluster::new(cfg).expect("the default config is valid");
        Sim {
            cluster: StoredValue::new_local(cluster),
            version: RwSignal::new(0),
            playing: RwSignal::new(true),
            speed: RwSignal::new(SPEED_DEFAULT),
            selection: RwSignal::new(Selection::None),
            notice: RwSignal::new(None),
            help_open: RwSignal::new(false),
        }
    }

    /// Reads the cluster, re-running the caller whenever the simulation changes.
    pub fn with<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.version.track();
        self.cluster.with_value(f)
    }

    /// Reads without tracking (for event handlers).
    pub fn peek<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.cluster.with_value(f)
    }

    fn changed(&self) {
        self.version.update(|v| *v += 1);
    }

    /// The one way the UI changes the cluster.
    pub fn apply(&self, cmd: Command) -> Result<(), String> {
        let result = self.cluster.try_update_value(|c| c.apply(cmd)).unwrap_or(Err("the simulator is gone".into()));
        match &result {
            Ok(()) => self.notice.set(None),
            Err(e) => self.notice.set(Some(e.clone())),
        }
        self.changed();
        result
    }

    /// Advances virtual time by `real_ms` of wall time at the current speed.
    pub fn advance_real_ms(&self, real_ms: f64) {
        let virtual_us = (real_ms * self.speed.get_untracked() * 1000.0).round() as u64;
        if virtual_us > 0 {
            self.advance_us(virtual_us);
        }
    }

    pub fn advance_us(&self, virtual_us: u64) {
        self.cluster.update_value(|c| {
            let t = c.now_us() + virtual_us;
            c.run_until(t);
        });
        self.changed();
    }

    /// Single step: to the next event.
    pub fn step(&self) -> bool {
        let moved = self.cluster.try_update_value(|c| c.step_event()).unwrap_or(false);
        self.changed();
        moved
    }

    /// Starts over with a new config (cluster size, seed, bugs).
    pub fn reset(&self, cfg: SimConfig) -> Result<(), String> {
        let cluster = Cluster::new(cfg)?;
        self.cluster.set_value(cluster);
        self.selection.set(Selection::None);
        self.notice.set(None);
        self.changed();
        Ok(())
    }

    pub fn status(&self) -> StatusView {
        self.with(|c| c.status_view())
    }
}
