//! The page's one simulator. Views read the cluster through `read(aspect, ..)`, which re-runs them when that
//! aspect of the simulation changes (see `watch`); every change goes through `apply` as a recorded `Command`.

use crate::views::side::Tab;
use crate::watch::{Aspect, Watch};
use leptos::prelude::*;
use raft_core::run_file::{Replay, RunFile};
use raft_core::sim::server::Status;
use raft_core::sim::view::StatusView;
use raft_core::sim::Recording;
use raft_core::types::NodeId;
use raft_core::{Cluster, Command, SimConfig};
use std::time::Duration;

/// Simulated events one animation frame may cost (estimated), about 10–20 ms of work.
const FRAME_EVENTS_MAX: u64 = 20_000;
/// Events replayed per slice while a run loads (about 20–50 ms of work in the browser), between which the page
/// paints the progress and handles Cancel.
const LOAD_SLICE_EVENTS: u64 = 40_000;

/// A gap longer than this between two advances (a debugger, a stalled tab) is not replayed as a burst of
/// simulation: beyond the longest planned sleep, time stops while the page could not run.
const ADVANCE_GAP_MS_MAX: f64 = SLEEP_MAX_MS + 100.0;

/// While what moves on the ring moves by itself (`ring_motion`), the page sleeps until the next event rather
/// than waking every frame: never longer than this, so the clock and the timeline still move.
pub const SLEEP_MAX_MS: f64 = 250.0;
/// A sleep shorter than this is not worth a timer: the loop wakes every frame instead.
const SLEEP_MIN_MS: f64 = 24.0;

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
    /// The run: the cluster now, the tape of commands (the recorded future after a scrub back) and checkpoints
    /// for time travel.
    rec: StoredValue<Recording, LocalStorage>,
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
    /// The wide card shows the space-time diagram instead of the logs.
    pub diagram: RwSignal<bool>,
    /// The built-in scenario on screen (its name and description), until the user starts over.
    pub scenario: RwSignal<Option<(String, String)>>,
    /// An action asked for in the past, waiting for the user to agree to drop the later actions (how many).
    pub fork: RwSignal<Option<(Command, usize)>>,
    /// The furthest virtual time reached (the recording's, as a signal for the scrubber).
    pub horizon_us: RwSignal<u64>,
    /// Playing stops when the run reaches this time (a course step plays to its end, a question to its reveal).
    pub stop_at_us: RwSignal<Option<u64>>,
    /// While a run loads: how far along it is (0 to 1). The current run stays on screen until it is done.
    pub loading: RwSignal<Option<f64>>,
    /// Scrubbing: whether a jump was made in this animation frame, and the latest time asked for since.
    /// Dragging the slider fires many input events per frame; the first jumps at once, the last of the rest
    /// at the next frame, so there is at most one jump per frame and no lag behind the pointer.
    scrub_pending: StoredValue<(bool, Option<u64>), LocalStorage>,
    /// The expectations of the built-in scenario this run was loaded from (its name), kept by "Save this run".
    pub kept: StoredValue<Option<(String, Vec<raft_core::scenario::KeptExpectation>)>, LocalStorage>,
    /// Bumped to cancel a load in progress (a slice that sees another generation stops).
    load_generation: StoredValue<u64, LocalStorage>,
    /// Bumped by every change that is not time flowing at the set speed (a command, a step, a jump, a load, a
    /// reset, an advance that fell behind the real time): what the compositor moves by itself (`ring_motion`)
    /// is set again from the simulator then, and the animation loop plans its next wake again.
    pub motion: RwSignal<u64>,
    /// The real time (ms, `frame::frame_ms`) virtual time was last advanced to, while the animation loop runs
    /// (None: it does not, and virtual time stands).
    tick_ms: StoredValue<Option<f64>, LocalStorage>,
}

impl Sim {
    pub fn new(cfg: SimConfig) -> Self {
        let rec = StoredValue::new_local(Recording::new(cfg).expect("the default config is valid"));
        let watch = Watch::new();
        let ring = Memo::new(move |_| {
            watch.track(Aspect::Ring);
            rec.with_value(|r| r.cluster().servers().filter(|s| s.status != Status::Removed).map(|s| s.id).collect())
        });
        Sim {
            rec,
            watch,
            ring,
            playing: RwSignal::new(true),
            speed: RwSignal::new(SPEED_DEFAULT),
            selection: RwSignal::new(Selection::None),
            notice: RwSignal::new(None),
            help_open: RwSignal::new(false),
            tab: RwSignal::new(Tab::Inspector),
            presenter: RwSignal::new(false),
            diagram: RwSignal::new(false),
            fork: RwSignal::new(None),
            scenario: RwSignal::new(None),
            horizon_us: RwSignal::new(0),
            loading: RwSignal::new(None),
            stop_at_us: RwSignal::new(None),
            scrub_pending: StoredValue::new_local((false, None)),
            load_generation: StoredValue::new_local(0),
            kept: StoredValue::new_local(None),
            motion: RwSignal::new(0),
            tick_ms: StoredValue::new_local(None),
        }
    }

    /// Subscribes the caller to everything that sets the ring's motion again: a discrete change, play or
    /// pause, a new speed. Returns the playback rate (virtual ms per real ms, 0 when paused).
    pub fn track_motion(&self) -> f64 {
        self.motion.track();
        if self.playing.get() {
            self.speed.get()
        } else {
            0.0
        }
    }

    /// Virtual "now" between two advances: the simulator's time plus the real time since, at the set speed.
    /// What the compositor moves is set to this, so it agrees with the simulator at its next advance.
    pub fn motion_now_us(&self) -> u64 {
        let now = self.peek(|c| c.now_us());
        let Some(tick_ms) = self.tick_ms.get_value().filter(|_| self.playing.get_untracked()) else { return now };
        let since_ms = (crate::frame::frame_ms() - tick_ms).clamp(0.0, SLEEP_MAX_MS);
        now + (since_ms * self.speed.get_untracked() * 1000.0).round() as u64
    }

    /// Pauses where the run is on screen: virtual time first catches up with the real time since the last
    /// advance (between two wakes of a sleeping loop the ring already shows it moving on), so nothing jumps
    /// back.
    pub fn pause(&self) {
        if self.playing.get_untracked() {
            if self.tick_ms.get_value().is_some() {
                self.advance_to_real_ms(crate::frame::frame_ms());
            }
            self.playing.set(false);
        }
    }

    pub fn toggle_play(&self) {
        if self.playing.get_untracked() {
            self.pause();
        } else {
            self.playing.set(true);
        }
    }

    /// Playing starts (or goes on after a hidden tab): real time counts from now.
    pub fn start_clock(&self, now_ms: f64) {
        self.tick_ms.set_value(Some(now_ms));
        self.motion.update(|m| *m += 1);
    }

    /// The animation loop stopped (paused, or the tab hidden): virtual time stands until `start_clock`.
    pub fn stop_clock(&self) {
        self.tick_ms.set_value(None);
    }

    /// How long the animation loop may sleep before it must advance again, in real ms; None to wake every
    /// frame. It may sleep while nothing on screen moves but by the compositor (a small ring, no space-time
    /// diagram): until the next event, the next recorded command or the stop, at most `SLEEP_MAX_MS`.
    pub fn sleep_real_ms(&self) -> Option<f64> {
        let per_frame = self.diagram.get_untracked()
            || self.ring.with_untracked(|r| r.len() >= crate::views::ring_canvas::CANVAS_NODES_MIN);
        if per_frame {
            return None;
        }
        let (now, next) = self.rec.with_value(|r| {
            let c = r.cluster();
            let command = r.tape().get(c.recorded().len()).map(|t| t.at_us);
            (c.now_us(), [c.next_event_us(), command, self.stop_at_us.get_untracked()].into_iter().flatten().min())
        });
        sleep_ms(now, next, self.speed.get_untracked())
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
        self.rec.with_value(|r| f(r.cluster()))
    }

    /// Reads the cluster, re-running the caller every frame (for what moves with time).
    pub fn with<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.read(Aspect::Clock, f)
    }

    /// Reads without tracking (for event handlers).
    pub fn peek<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        self.rec.with_value(|r| f(r.cluster()))
    }

    /// After any change: the views hear what changed, the scrubber how far the run reached, and a command the
    /// replay refused is said (and the run paused), never skipped.
    fn changed(&self, outcome: Result<(), String>) {
        if let Err(e) = outcome {
            self.playing.set(false);
            self.notice.set(Some(format!("The recorded run cannot go on: {e}")));
        }
        let horizon = self.rec.with_value(|r| r.horizon_us());
        if horizon != self.horizon_us.get_untracked() {
            self.horizon_us.set(horizon);
        }
        let playing = self.playing.get_untracked();
        self.rec.with_value(|r| self.watch.refresh(r.cluster(), playing));
    }

    /// After a change that is not time flowing at the set speed.
    fn changed_at_once(&self, outcome: Result<(), String>) {
        self.changed(outcome);
        self.motion.update(|m| *m += 1);
    }

    /// The one way the UI changes the cluster. An action in the past that would drop actions recorded after
    /// it waits for the user's word (`fork`); the run is paused meanwhile.
    pub fn apply(&self, cmd: Command) -> Result<(), String> {
        let later = self.rec.with_value(|r| r.future_commands());
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
        if self.peek(|c| c.now_us()) < horizon {
            self.scrub_to(horizon);
        }
    }

    /// Applies at once, dropping any actions recorded after now (what `window.raft` does: a script says
    /// what it means).
    pub fn apply_now(&self, cmd: Command) -> Result<(), String> {
        let result = self.rec.try_update_value(|r| r.apply(cmd)).unwrap_or(Err("the simulator is gone".into()));
        self.notice.set(result.as_ref().err().cloned());
        self.changed_at_once(Ok(()));
        result
    }

    /// Advances virtual time to the real time `now_ms` at the current speed, but by no more than one frame's
    /// budget of simulated events allows: an expensive configuration at a high speed runs slower than asked
    /// rather than freezing the page. Falling behind the real time resets what the compositor moves.
    pub fn advance_to_real_ms(&self, now_ms: f64) {
        let gap_ms = self.tick_ms.get_value().map_or(0.0, |t| now_ms - t);
        self.tick_ms.set_value(Some(now_ms));
        let real_ms = gap_ms.clamp(0.0, ADVANCE_GAP_MS_MAX);
        let rate = self.peek(|c| c.config().events_per_virtual_s_estimate()).max(1);
        let budget_us = FRAME_EVENTS_MAX * 1_000_000 / rate;
        let asked_us = (real_ms * self.speed.get_untracked() * 1000.0).round() as u64;
        let mut virtual_us = asked_us.min(budget_us);
        let behind = virtual_us < asked_us || real_ms < gap_ms;
        if let Some(stop) = self.stop_at_us.get_untracked() {
            let now = self.peek(|c| c.now_us());
            virtual_us = virtual_us.min(stop.saturating_sub(now));
            if now + virtual_us >= stop {
                self.stop_at_us.set(None);
                self.playing.set(false);
            }
        }
        if virtual_us > 0 {
            let outcome = self.run_forward(virtual_us);
            self.changed(outcome);
        }
        if behind {
            self.motion.update(|m| *m += 1);
        }
    }

    /// Runs forward at once (a script, a test), re-applying the tape's commands that fall in this stretch
    /// (after a scrub back).
    pub fn advance_us(&self, virtual_us: u64) {
        let outcome = self.run_forward(virtual_us);
        self.changed_at_once(outcome);
    }

    fn run_forward(&self, virtual_us: u64) -> Result<(), String> {
        self.rec.try_update_value(|r| r.advance_to(r.cluster().now_us().saturating_add(virtual_us))).unwrap_or(Ok(()))
    }

    /// Single step: to the next event (or the next command on the tape, if it comes first).
    pub fn step(&self) -> bool {
        let outcome = self.rec.try_update_value(|r| r.step()).unwrap_or(Ok(false));
        let moved = outcome.as_ref().is_ok_and(|m| *m);
        self.changed_at_once(outcome.map(|_| ()));
        moved
    }

    /// Runs through the quiet start of a run (nothing in flight yet, no command due) so that the first seconds
    /// on screen already show something happening; stops at the first message, or after `QUIET_SKIP_US_MAX`.
    pub fn skip_quiet_start(&self) {
        let outcome = self
            .rec
            .try_update_value(|r| {
                let first_cmd = r.tape().get(r.cluster().recorded().len()).map(|t| t.at_us);
                let limit = r.cluster().now_us() + QUIET_SKIP_US_MAX;
                let stop = first_cmd.map_or(limit, |t| t.min(limit));
                while r.cluster().in_flight().next().is_none() && r.cluster().next_event_us().is_some_and(|t| t < stop)
                {
                    r.step()?;
                }
                Ok(())
            })
            .unwrap_or(Ok(()));
        self.changed_at_once(outcome);
    }

    /// Time travel: the nearest checkpoint at or before `t_us`, then forward to it.
    pub fn scrub_to(&self, t_us: u64) {
        let outcome = self.rec.try_update_value(|r| r.jump_to(t_us)).unwrap_or(Ok(()));
        self.changed_at_once(outcome);
    }

    /// Scrubs now if no jump was made in this frame, else at the next frame to the latest time asked for.
    pub fn scrub_soon(&self, t_us: u64) {
        let (jumped, _) = self.scrub_pending.get_value();
        if jumped {
            self.scrub_pending.set_value((true, Some(t_us)));
        } else {
            self.scrub_in_frame(t_us);
        }
    }

    fn scrub_in_frame(&self, t_us: u64) {
        self.scrub_pending.set_value((true, None));
        self.scrub_to(t_us);
        let sim = *self;
        request_animation_frame(move || match sim.scrub_pending.get_value() {
            (_, Some(t)) => sim.scrub_in_frame(t),
            _ => sim.scrub_pending.set_value((false, None)),
        });
    }

    /// Reads the recording (the journal, the tape), without tracking.
    pub fn peek_recording<R>(&self, f: impl FnOnce(&Recording) -> R) -> R {
        self.rec.with_value(f)
    }

    /// The run so far (config, commands up to now, and now): what a link or a run file carries.
    pub fn run_file(&self) -> RunFile {
        self.peek(RunFile::of)
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
        self.kept.set_value(None);
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
                self.rec.set_value(replay.finish());
                self.selection.set(Selection::None);
                self.watch.new_run();
                self.changed_at_once(Ok(()));
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
        self.rec.set_value(Recording::new(cfg)?);
        self.kept.set_value(None);
        self.watch.new_run();
        self.selection.set(Selection::None);
        self.notice.set(None);
        self.changed_at_once(Ok(()));
        Ok(())
    }

    pub fn status(&self) -> StatusView {
        self.with(|c| c.status_view())
    }
}

/// How long a loop may sleep, in real ms, from now until the next thing due (virtual µs) at `speed`: at most
/// `SLEEP_MAX_MS`, and None when it is due too soon for a timer (wake at the next frame).
fn sleep_ms(now_us: u64, next_us: Option<u64>, speed: f64) -> Option<f64> {
    let wait_ms = next_us.map_or(f64::INFINITY, |t| t.saturating_sub(now_us) as f64 / 1000.0 / speed.max(1e-6));
    let wait_ms = wait_ms.min(SLEEP_MAX_MS);
    (wait_ms >= SLEEP_MIN_MS).then_some(wait_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loop_sleeps_until_the_next_thing_due_at_most_a_quarter_second_and_not_for_a_frame() {
        assert_eq!(sleep_ms(1_000, Some(3_000), 0.05), Some(40.0), "2 virtual ms at 1/20×");
        assert_eq!(sleep_ms(1_000, Some(200_000), 0.05), Some(SLEEP_MAX_MS), "seconds away");
        assert_eq!(sleep_ms(1_000, None, 0.05), Some(SLEEP_MAX_MS), "nothing due: the clock still moves");
        assert_eq!(sleep_ms(1_000, Some(1_500), 0.05), None, "10 real ms away: the next frame");
        assert_eq!(sleep_ms(1_000, Some(500), 0.05), None, "already due");
        assert_eq!(sleep_ms(0, Some(20_000), 1.0), None, "20 ms at 1×");
        assert_eq!(sleep_ms(0, Some(30_000), 1.0), Some(30.0));
    }
}
