//! A run with a memory: the cluster now, the tape of every command of the furthest run, and checkpoints of the
//! cluster every few virtual seconds. Jumping to any time restores the nearest checkpoint at or before it and
//! replays less than one interval; playing forward after a jump back re-applies the tape, so time travel shows
//! the same run. The page, the CLI and the tests all move through a run with this type (no replay loop of their
//! own), and a command that fails on replay is an error naming it, never skipped.
//!
//! Limits: checkpoints start `CHECKPOINT_INTERVAL_US` apart; once together they hold more than
//! `CHECKPOINT_BYTES_MAX` (estimated, see `Cluster::footprint_bytes`), every other one is dropped and the
//! interval doubles, so memory stays bounded and a jump replays at most one (longer) interval.

use super::journal::{Journal, JOURNAL_EVENTS_MAX};
use super::{Cluster, Command, SimConfig, Timed};
use crate::types::TimeUs;

/// Virtual time between checkpoints to start with.
pub const CHECKPOINT_INTERVAL_US: TimeUs = 2_000_000;
/// Estimated memory all checkpoints of a run may hold together.
pub const CHECKPOINT_BYTES_MAX: u64 = 128 << 20;

#[derive(Clone)]
pub struct Recording {
    cluster: Cluster,
    /// Every command of the furthest run, in order; the cluster has applied a prefix of it
    /// (`cluster.recorded()`), the rest is the recorded future.
    tape: Vec<Timed>,
    /// Cluster states at multiples of `interval_us`, taken before the commands of that instant; the first is
    /// the run's start.
    checkpoints: Vec<Cluster>,
    /// `Cluster::footprint_bytes` of each checkpoint, taken once when it is kept.
    checkpoint_sizes: Vec<u64>,
    interval_us: TimeUs,
    /// The furthest virtual time reached.
    horizon_us: TimeUs,
    /// Every event of the furthest run (bounded; see `journal.rs`).
    journal: Journal,
}

impl Recording {
    pub fn new(cfg: SimConfig) -> Result<Recording, String> {
        Ok(Recording::with_tape(Cluster::new(cfg)?, Vec::new()))
    }

    /// A run at its start, with `tape` as its recorded future (a run file being loaded).
    pub fn with_tape(mut start: Cluster, tape: Vec<Timed>) -> Recording {
        debug_assert!(start.recorded().is_empty(), "a tape starts at the start of the run");
        start.enable_journal();
        Recording {
            journal: Journal::new(JOURNAL_EVENTS_MAX),
            checkpoint_sizes: vec![start.footprint_bytes()],
            checkpoints: vec![start.clone()],
            cluster: start,
            tape,
            interval_us: CHECKPOINT_INTERVAL_US,
            horizon_us: 0,
        }
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Changes that are not commands of the run (the spin guard in tests).
    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Moves the cluster's new journal events into the journal (a replay's repeats are skipped there).
    fn take_journal(&mut self) {
        let events = self.cluster.take_journal();
        self.journal.extend(events);
    }

    pub fn tape(&self) -> &[Timed] {
        &self.tape
    }

    pub fn horizon_us(&self) -> TimeUs {
        self.horizon_us.max(self.cluster.now_us())
    }

    /// Commands recorded after now: what a new command now would throw away.
    pub fn future_commands(&self) -> usize {
        self.tape.len().saturating_sub(self.cluster.recorded().len())
    }

    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    pub fn checkpoint_interval_us(&self) -> TimeUs {
        self.interval_us
    }

    /// Estimated memory held by the checkpoints.
    pub fn checkpoint_bytes(&self) -> u64 {
        self.checkpoint_sizes.iter().sum()
    }

    /// Applies a command now. The recorded future after now no longer happens: the tape is cut here (a refused
    /// command cuts nothing), and so are the checkpoints after now.
    pub fn apply(&mut self, cmd: Command) -> Result<(), String> {
        let now = self.cluster.now_us();
        let applied = self.cluster.recorded().len();
        let seq = self.cluster.journal_seq();
        self.cluster.apply(cmd.clone())?;
        self.journal.truncate_after(seq);
        self.take_journal();
        self.tape.truncate(applied);
        self.tape.push(Timed { at_us: now, command: cmd });
        self.keep_checkpoints(|c| c.now_us() <= now);
        self.horizon_us = now;
        Ok(())
    }

    /// Runs forward to `to_us`, re-applying the tape's commands on the way and taking checkpoints.
    pub fn advance_to(&mut self, to_us: TimeUs) -> Result<(), String> {
        while !self.advance(to_us, u64::MAX)? {}
        Ok(())
    }

    /// Does about `events_max` events of work towards `to_us` (a page replays a long run in slices); true once
    /// the run stands at `to_us`.
    pub fn advance(&mut self, to_us: TimeUs, events_max: u64) -> Result<bool, String> {
        let done = self.advance_inner(to_us, events_max);
        self.take_journal();
        done
    }

    fn advance_inner(&mut self, to_us: TimeUs, events_max: u64) -> Result<bool, String> {
        let start = self.cluster.events();
        loop {
            let now = self.cluster.now_us();
            let boundary = (now / self.interval_us + 1) * self.interval_us;
            let next_cmd = self.tape.get(self.cluster.recorded().len()).map(|t| t.at_us).filter(|t| *t <= to_us);
            let stop = next_cmd.unwrap_or(to_us).min(boundary).max(now);
            while self.cluster.step_event_until(stop) {
                if self.cluster.events() - start >= events_max {
                    self.horizon_us = self.horizon_us.max(self.cluster.now_us());
                    return Ok(false);
                }
            }
            self.cluster.run_until(stop);
            self.horizon_us = self.horizon_us.max(stop);
            if stop == boundary && stop <= to_us {
                self.checkpoint();
            }
            if next_cmd == Some(stop) {
                let i = self.cluster.recorded().len();
                let t = self.tape[i].clone();
                self.cluster.apply(t.command.clone()).map_err(|e| {
                    format!("command {} at {} ms ({}): {e}", i + 1, t.at_us / 1000, t.command.describe())
                })?;
                continue;
            }
            if stop >= to_us {
                return Ok(true);
            }
        }
    }

    /// One event forward, or the next command of the tape if it comes first. False if nothing is left.
    pub fn step(&mut self) -> Result<bool, String> {
        let next_cmd = self
            .tape
            .get(self.cluster.recorded().len())
            .filter(|t| self.cluster.next_event_us().is_none_or(|e| t.at_us <= e))
            .map(|t| t.at_us);
        let moved = match next_cmd {
            Some(at_us) => {
                let before = self.cluster.recorded().len();
                self.advance_to(at_us)?;
                // `advance_to` applies every command due at that instant; one is enough to count as a step.
                self.cluster.recorded().len() > before
            }
            None => self.cluster.step_event(),
        };
        self.take_journal();
        self.horizon_us = self.horizon_us.max(self.cluster.now_us());
        Ok(moved)
    }

    /// Time travel: restores the latest checkpoint at or before `t_us` (or stays, if now is closer), then runs
    /// forward to `t_us`.
    pub fn jump_to(&mut self, t_us: TimeUs) -> Result<(), String> {
        let now = self.cluster.now_us();
        let i = self.checkpoints.partition_point(|c| c.now_us() <= t_us);
        if let Some(cp) = i.checked_sub(1).map(|i| &self.checkpoints[i]) {
            if t_us < now || cp.now_us() > now {
                self.cluster = cp.clone();
            }
        }
        self.advance_to(t_us)
    }

    /// Keeps a copy of the cluster at this boundary, unless one is kept already (after a jump back, the
    /// recorded future's checkpoints are still valid).
    fn checkpoint(&mut self) {
        self.take_journal();
        let now = self.cluster.now_us();
        let i = self.checkpoints.partition_point(|c| c.now_us() < now);
        if self.checkpoints.get(i).is_some_and(|c| c.now_us() == now) {
            return;
        }
        self.checkpoint_sizes.insert(i, self.cluster.footprint_bytes());
        self.checkpoints.insert(i, self.cluster.clone());
        while self.checkpoints.len() > 2 && self.checkpoint_bytes() > CHECKPOINT_BYTES_MAX {
            self.thin();
        }
    }

    /// Doubles the interval: keeps the checkpoints at its multiples (and the start).
    fn thin(&mut self) {
        self.interval_us = self.interval_us.saturating_mul(2);
        let interval = self.interval_us;
        self.keep_checkpoints(|c| c.now_us() % interval == 0);
    }

    /// Keeps the checkpoints `keep` says yes to (and their sizes).
    fn keep_checkpoints(&mut self, keep: impl Fn(&Cluster) -> bool) {
        let kept: Vec<bool> = self.checkpoints.iter().map(keep).collect();
        let (mut sizes, mut clusters) = (kept.iter(), kept.iter());
        self.checkpoint_sizes.retain(|_| *sizes.next().expect("one size per checkpoint"));
        self.checkpoints.retain(|_| *clusters.next().expect("one flag per checkpoint"));
        debug_assert_eq!(self.checkpoints.len(), self.checkpoint_sizes.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bugs::Bugs;
    use crate::chaos::run_seed_cluster;

    fn recording_of(seed: u64) -> (Recording, Cluster) {
        let (original, _) = run_seed_cluster(seed, 8_000, None, Bugs::none());
        let mut rec = Recording::with_tape(
            Cluster::new(original.initial_config().clone()).unwrap(),
            original.recorded().to_vec(),
        );
        rec.advance_to(original.now_us()).unwrap();
        (rec, original)
    }

    #[test]
    fn a_jump_anywhere_shows_what_a_replay_from_the_start_shows() {
        for seed in [1, 4, 11] {
            let (mut rec, original) = recording_of(seed);
            assert_eq!(rec.cluster().trace_hash(), original.trace_hash(), "seed {seed}: the tape replays the run");
            assert!(rec.checkpoint_count() > 2, "seed {seed}: checkpoints were taken");
            let end = original.now_us();
            for t in [end / 3, end / 7, 0, end / 2 + 12_345, end, end / 5] {
                rec.jump_to(t).unwrap();
                let mut fresh = Recording::with_tape(
                    Cluster::new(original.initial_config().clone()).unwrap(),
                    original.recorded().to_vec(),
                );
                fresh.advance_to(t).unwrap();
                assert_eq!(rec.cluster().now_us(), t);
                assert_eq!(rec.cluster().trace_hash(), fresh.cluster().trace_hash(), "seed {seed}: jump to {t} µs");
            }
            rec.jump_to(end).unwrap();
            assert_eq!(rec.cluster().trace_hash(), original.trace_hash(), "seed {seed}: back at the end");
        }
    }

    #[test]
    fn a_command_in_the_past_rewrites_the_future_and_its_checkpoints() {
        let (mut rec, original) = recording_of(2);
        let end = original.now_us();
        rec.jump_to(end / 2).unwrap();
        assert!(rec.future_commands() > 0 || original.recorded().is_empty());
        rec.apply(Command::Heal).unwrap();
        assert_eq!(rec.future_commands(), 0, "the recorded future is gone");
        assert_eq!(rec.horizon_us(), end / 2);
        assert!(rec.checkpoints.iter().all(|c| c.now_us() <= end / 2), "no checkpoint of the old future is kept");
        rec.advance_to(end).unwrap();
        let mut again = rec.clone();
        again.jump_to(end / 2 + 1).unwrap();
        again.jump_to(end).unwrap();
        assert_eq!(again.cluster().trace_hash(), rec.cluster().trace_hash(), "the new future replays the same");
    }

    #[test]
    fn every_delivery_names_its_send_and_time_travel_keeps_the_journal_whole() {
        use crate::sim::journal::Happening;
        use std::collections::HashMap;
        let (mut rec, original) = recording_of(6);
        let j = rec.journal();
        assert!(j.len() > 1000, "a journal of the run ({} events)", j.len());
        let sends: HashMap<u64, (u64, u64)> = j
            .events()
            .filter_map(|e| match e.what {
                Happening::Sent { msg, .. } => Some((e.seq, (msg, e.at_us))),
                _ => None,
            })
            .collect();
        let mut delivered = 0;
        for e in j.events() {
            if let Happening::Delivered { msg, cause, .. } | Happening::Dropped { msg, cause, .. } = e.what {
                let (sent_msg, sent_us) = sends.get(&cause).copied().unwrap_or_else(|| panic!("no send {cause}"));
                assert!(sent_us <= e.at_us, "a delivery comes after its send");
                // A copy travels under its own id with the cause of the original.
                let copy = || {
                    j.events().any(|d| matches!(d.what, Happening::Duplicated { copy, msg: m, .. } if copy == msg && m == sent_msg))
                };
                assert!(sent_msg == msg || copy(), "delivery of #{msg} names the send of #{sent_msg}");
                delivered += 1;
            }
        }
        assert!(delivered > 500);
        let kinds: std::collections::BTreeSet<&str> = j.events().map(|e| e.what.kind()).collect();
        assert!(kinds.iter().all(|k| crate::sim::journal::KINDS.contains(k)), "KINDS names every kind: {kinds:?}");
        let expected = "sent delivered election_timeout heartbeat_due role_changed term_changed vote_granted appended \
                        synced committed applied command client_sent client_answered";
        for k in expected.split_whitespace() {
            assert!(kinds.contains(k), "the journal has {k} events: {kinds:?}");
        }
        let (len, last) = (j.len(), j.last_seq());
        rec.jump_to(original.now_us() / 3).unwrap();
        rec.jump_to(original.now_us()).unwrap();
        assert_eq!((rec.journal().len(), rec.journal().last_seq()), (len, last), "a replay journals nothing twice");
        rec.jump_to(original.now_us() / 2).unwrap();
        rec.apply(Command::Heal).unwrap();
        let j = rec.journal();
        assert!(j.last_seq() < last, "the old future's events are gone");
        assert!(matches!(j.events().last().map(|e| &e.what), Some(Happening::Command { .. })));
        assert!(j.events().all(|e| e.at_us <= original.now_us() / 2));
    }

    #[test]
    fn a_command_the_replay_refuses_is_an_error_that_names_it() {
        let tape = vec![Timed { at_us: 9_000, command: Command::Restart { node: 1 } }];
        let mut rec = Recording::with_tape(Cluster::new(SimConfig::default()).unwrap(), tape);
        let e = rec.advance_to(20_000).unwrap_err();
        assert!(e.contains("command 1 at 9 ms") && e.contains("not down"), "{e}");
    }

    #[test]
    fn checkpoints_stay_within_their_memory_limit() {
        let mut rec = Recording::new(SimConfig { nodes: 3, ..SimConfig::default() }).unwrap();
        rec.advance_to(60_000_000).unwrap();
        assert_eq!(rec.checkpoint_count(), 31, "one every 2 s and the start");
        // Force thinning by pretending the checkpoints are heavy: the interval doubles, the start stays.
        rec.thin();
        assert_eq!(rec.checkpoint_interval_us(), 2 * CHECKPOINT_INTERVAL_US);
        assert_eq!(rec.checkpoint_count(), 16);
        assert!(rec.checkpoints.iter().all(|c| c.now_us() % (2 * CHECKPOINT_INTERVAL_US) == 0));
        assert!(rec.checkpoint_bytes() < CHECKPOINT_BYTES_MAX);
        rec.jump_to(33_000_000).unwrap();
        assert_eq!(rec.cluster().now_us(), 33_000_000);
    }

    #[test]
    fn slices_of_work_reach_the_same_place() {
        let (_, original) = recording_of(5);
        let mut rec = Recording::with_tape(
            Cluster::new(original.initial_config().clone()).unwrap(),
            original.recorded().to_vec(),
        );
        let mut slices = 0;
        while !rec.advance(original.now_us(), 50).unwrap() {
            slices += 1;
        }
        assert!(slices > 10, "cut in slices ({slices})");
        assert_eq!(rec.cluster().trace_hash(), original.trace_hash());
    }
}
