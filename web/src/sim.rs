//! The page's one simulator. Views read the cluster through `read(aspect, ..)`, which re-runs them when that
//! aspect of the simulation changes (see `watch`); every change goes through `apply` as a recorded `Command`.

use crate::views::side::Tab;
use crate::watch::{Aspect, Watch};
use leptos::prelude::*;
use raft_core::run_file::{Replay, RunFile};
use raft_core::sim::server::Status;
use raft_core::sim::view::StatusView;
use raft_core::sim::Timed;
use raft_core::types::NodeId;
use raft_core::{Cluster, Command, SimConfig};
use std::time::Duration;

/// Simulated events one animation frame may cost (estimated), about 10–20 ms of work.
const FRAME_EVENTS_MAX: u64 = 20_000;
/// Events replayed per slice while a run loads (about 20–50 ms of work in the browser), between which the page
/// paints the progress and handles Cancel.
const LOAD_SLICE_EVENTS: u64 = 40_000;

/// The longest quiet start `skip_quiet_start` runs through: 2 virtual seconds.
const QUIET_SKIP_US_MAX: u64 = 2_000_000;

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
    /// What changed since the last frame, aspect by aspect.
    pub watch: Watch,
    /// The ids of the nodes on the ring (removed nodes leave it), in order: what every view of the nodes
    /// iterates over.
    pub ring: Memo<Vec<NodeId>>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub selection: RwSignal<Selection>,
    /// The last refused action, shown in the toolbar.
    pub notice: RwSignal<Option<String>>,
    pub help_open: RwSignal<bool>,
    /// The side column's open tab.
    pub tab: RwSignal<Tab>,
    /// Presenter mode: big type for the back row, fewer controls.
    pub presenter: RwSignal<bool>,
    /// The built-in scenario on screen (its name and description), until the user starts over.
    pub scenario: RwSignal<Option<(String, String)>>,
    /// An action asked for in the past, waiting for the user to agree to drop the later actions (how many).
    pub fork: RwSignal<Option<(Command, usize)>>,
    /// The tape: every command of the furthest run so far. Scrubbing back replays it; playing forward from
    /// an earlier time re-applies it, so time travel shows the same run. A new command in the past cuts the
    /// tape there.
    tape: StoredValue<Vec<Timed>, LocalStorage>,
    /// The furthest virtual time reached.
    pub horizon_us: RwSignal<u64>,
    /// While a run loads: how far along it is (0 to 1). The current run stays on screen until it is done.
    pub loading: RwSignal<Option<f64>>,
    /// Bumped to cancel a load in progress (a slice that sees another generation stops).
    load_generation: StoredValue<u64, LocalStorage>,
}

impl Sim {
    pub fn new(cfg: SimConfig) -> Self {
        let cluster = StoredValue::new_local(Cluster::new(cfg).expect("the default config is valid"));
        let watch = Watch::new();
        let ring = Memo::new(move |_| {
            watch.track(Aspect::Ring);
            cluster.with_value(|c| c.servers().filter(|s| s.status != Status::Removed).map(|s| s.id).collect())
        });
        Sim {
            cluster,
            watch,
            ring,
            playing: RwSignal::new(true),
            speed: RwSignal::new(SPEED_DEFAULT),
            selection: RwSignal::new(Selection::None),
            notice: RwSignal::new(None),
            help_open: RwSignal::new(false),
            tab: RwSignal::new(Tab::Inspector),
            presenter: RwSignal::new(false),
            fork: RwSignal::new(None),
            scenario: RwSignal::new(None),
            tape: StoredValue::new_local(Vec::new()),
            horizon_us: RwSignal::new(0),
            loading: RwSignal::new(None),
            load_generation: StoredValue::new_local(0),
        }
    }

    /// Shows a node or a message in the inspector (and opens its tab). On a narrow screen, where the
    /// inspector sits below the ring, it is scrolled into view.
    pub fn select(&self, what: Selection) {
        self.selection.set(what);
        if what != Selection::None {
            self.tab.set(Tab::Inspector);
            crate::frame::reveal_on_narrow_screen("panel-inspector");
        }
    }

    /// Reads the cluster, re-running the caller whenever `aspect` changes.
    pub fn read<R>(&self, aspect: Aspect, f: impl FnOnce(&Cluster) -> R) -> R {
        self.watch.track(aspect);
        self.cluster.with_value(f)
    }

    /// Reads the cluster, re-running the caller every frame (for what moves with time).
    pub fn with<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.read(Aspect::Clock, f)
    }

    /// Reads without tracking (for event handlers).
    pub fn peek<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.cluster.with_value(f)
    }

    fn changed(&self) {
        self.cluster.with_value(|c| self.watch.refresh(c));
    }

    /// The one way the UI changes the cluster. An action in the past that would drop actions recorded after
    /// it waits for the user's word (`fork`); the run is paused meanwhile.
    pub fn apply(&self, cmd: Command) -> Result<(), String> {
        let applied = self.cluster.with_value(|c| c.recorded().len());
        let later = self.tape.with_value(|t| t.len().saturating_sub(applied));
        if later > 0 {
            self.playing.set(false);
            self.fork.set(Some((cmd, later)));
            return Err("waiting for your answer: rewrite the future, or keep it".into());
        }
        self.apply_now(cmd)
    }

    /// Drops the actions after now and applies the action that was waiting.
    pub fn confirm_fork(&self) {
        if let Some((cmd, _)) = self.fork.get_untracked() {
            self.fork.set(None);
            let _ = self.apply_now(cmd);
        }
    }

    /// Forgets the waiting action and goes on with the recorded run, from the furthest time reached.
    pub fn keep_future(&self) {
        self.fork.set(None);
        self.notice.set(None);
        let horizon = self.horizon_us.get_untracked();
        if self.cluster.with_value(|c| c.now_us()) < horizon {
            self.scrub_to(horizon);
        }
    }

    /// Applies at once, dropping any actions recorded after now (what `window.raft` does: a script says
    /// what it means).
    pub fn apply_now(&self, cmd: Command) -> Result<(), String> {
        let now = self.cluster.with_value(|c| c.now_us());
        let applied = self.cluster.with_value(|c| c.recorded().len());
        let result =
            self.cluster.try_update_value(|c| c.apply(cmd.clone())).unwrap_or(Err("the simulator is gone".into()));
        match &result {
            Ok(()) => {
                // The tape keeps what has happened (the commands applied so far, in order) and this one; the
                // recorded future no longer happens. A refused command drops nothing.
                self.tape.update_value(|t| {
                    t.truncate(applied);
                    t.push(Timed { at_us: now, command: cmd });
                });
                if now < self.horizon_us.get_untracked() {
                    self.horizon_us.set(now);
                }
                self.notice.set(None)
            }
            Err(e) => self.notice.set(Some(e.clone())),
        }
        self.changed();
        result
    }

    /// Advances virtual time by `real_ms` of wall time at the current speed, but by no more than one frame's
    /// budget of simulated events allows: an expensive configuration at a high speed runs slower than asked
    /// rather than freezing the page.
    pub fn advance_real_ms(&self, real_ms: f64) {
        let rate = self.cluster.with_value(|c| c.config().events_per_virtual_s_estimate()).max(1);
        let budget_us = FRAME_EVENTS_MAX * 1_000_000 / rate;
        let virtual_us = ((real_ms * self.speed.get_untracked() * 1000.0).round() as u64).min(budget_us);
        if virtual_us > 0 {
            self.advance_us(virtual_us);
        }
    }

    /// Runs forward, re-applying commands from the tape that fall in this stretch (after a scrub back).
    pub fn advance_us(&self, virtual_us: u64) {
        // Borrow the tape rather than copy it: this runs every animation frame.
        self.tape.with_value(|tape| {
            self.cluster.update_value(|c| {
                let to = c.now_us() + virtual_us;
                let done = c.recorded().len();
                for t in tape.iter().skip(done).take_while(|t| t.at_us <= to) {
                    c.run_until(t.at_us);
                    let _ = c.apply(t.command.clone());
                }
                c.run_until(to);
            })
        });
        self.horizon_us.update(|h| *h = (*h).max(self.cluster.with_value(|c| c.now_us())));
        self.changed();
    }

    /// Single step: to the next event (or the next command on the tape, if it comes first).
    pub fn step(&self) -> bool {
        let moved = self.tape.with_value(|tape| {
            self.cluster
                .try_update_value(|c| {
                    let next_cmd =
                        tape.get(c.recorded().len()).filter(|t| c.next_event_us().is_none_or(|e| t.at_us <= e));
                    match next_cmd {
                        Some(t) => {
                            c.run_until(t.at_us);
                            c.apply(t.command.clone()).is_ok()
                        }
                        None => c.step_event(),
                    }
                })
                .unwrap_or(false)
        });
        self.horizon_us.update(|h| *h = (*h).max(self.cluster.with_value(|c| c.now_us())));
        self.changed();
        moved
    }

    /// Runs through the quiet start of a run (nothing in flight yet, no command due) so that the first seconds
    /// on screen already show something happening; stops at the first message, or after `QUIET_SKIP_US_MAX`.
    pub fn skip_quiet_start(&self) {
        let first_cmd = self.tape.with_value(|t| t.first().map(|c| c.at_us));
        self.cluster.update_value(|c| {
            let limit = c.now_us() + QUIET_SKIP_US_MAX;
            let stop = first_cmd.map_or(limit, |t| t.min(limit));
            while c.in_flight().next().is_none() && c.next_event_us().is_some_and(|t| t < stop) {
                c.step_event();
            }
        });
        self.horizon_us.update(|h| *h = (*h).max(self.cluster.with_value(|c| c.now_us())));
        self.changed();
    }

    /// Time travel: rebuilds the run from its start config and the tape up to `t_us`.
    pub fn scrub_to(&self, t_us: u64) {
        let cfg = self.cluster.with_value(|c| c.initial_config().clone());
        let Ok(mut c) = Cluster::new(cfg) else { return };
        self.tape.with_value(|tape| {
            for t in tape.iter().take_while(|t| t.at_us <= t_us) {
                c.run_until(t.at_us);
                let _ = c.apply(t.command.clone());
            }
        });
        c.run_until(t_us);
        self.cluster.set_value(c);
        self.changed();
    }

    /// The run so far (config, commands up to now, and now): what a link or a run file carries.
    pub fn run_file(&self) -> RunFile {
        self.cluster.with_value(RunFile::of)
    }

    /// Loads a run: its config, its commands on the tape, shown at `at_us` (commands after that time are
    /// applied as the run plays on). A long run replays in slices between frames, with `loading` showing the
    /// progress; `cancel_load` stops it. The current run stays until the new one is ready, so an invalid run or
    /// a cancel loses nothing. `done` hears the outcome (Ok at once for a short run).
    pub fn load(&self, run: RunFile, done: impl FnOnce(Result<(), String>) + 'static) {
        let replay = match Replay::new(run) {
            Ok(r) => r,
            Err(e) => return done(Err(e)),
        };
        self.load_generation.update_value(|g| *g += 1);
        let generation = self.load_generation.get_value();
        self.playing.set(false);
        self.load_slice(replay, generation, Box::new(done));
    }

    fn load_slice(&self, mut replay: Replay, generation: u64, done: Box<dyn FnOnce(Result<(), String>)>) {
        if self.load_generation.get_value() != generation {
            return; // cancelled, or another load started
        }
        match replay.work(LOAD_SLICE_EVENTS) {
            Err(e) => {
                self.loading.set(None);
                done(Err(e));
            }
            Ok(true) => {
                self.loading.set(None);
                let (c, run) = replay.finish();
                self.tape.set_value(run.commands);
                self.horizon_us.set(c.now_us());
                self.cluster.set_value(c);
                self.selection.set(Selection::None);
                self.watch.new_run();
                self.changed();
                done(Ok(()));
            }
            Ok(false) => {
                self.loading.set(Some(replay.progress()));
                let sim = *self;
                set_timeout(move || sim.load_slice(replay, generation, done), Duration::ZERO);
            }
        }
    }

    /// Stops a load in progress; the run on screen stays.
    pub fn cancel_load(&self) {
        if self.loading.get_untracked().is_some() {
            self.load_generation.update_value(|g| *g += 1);
            self.loading.set(None);
            self.notice.set(Some("Loading cancelled: this is the run you had before.".into()));
        }
    }

    /// Starts over with a new config (cluster size, seed, bugs).
    pub fn reset(&self, cfg: SimConfig) -> Result<(), String> {
        let cluster = Cluster::new(cfg)?;
        self.cluster.set_value(cluster);
        self.watch.new_run();
        self.tape.set_value(Vec::new());
        self.horizon_us.set(0);
        self.selection.set(Selection::None);
        self.notice.set(None);
        self.changed();
        Ok(())
    }

    pub fn status(&self) -> StatusView {
        self.with(|c| c.status_view())
    }
}
