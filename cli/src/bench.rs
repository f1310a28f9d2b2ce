//! `raft-sim bench`: simulated seconds per wall second and events per second under a steady client load (the
//! median of a few runs: every run is the same, only the wall time differs).

use raft_core::machine::op::Op;
use raft_core::sim::Recording;
use raft_core::{Cluster, Command, SimConfig};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Virtual seconds to simulate per cluster size.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=SECONDS_MAX))]
    seconds: u64,
    /// Client requests per virtual second.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    rate: u64,
    /// Runs per cluster size; the median is printed. A 60-second run at 5 nodes takes 20–30 ms of wall time,
    /// and single runs of it swung by ±40 % on a shared machine.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=100))]
    repeats: u64,
    /// Cluster sizes to run, in order (the targets are given at 5 and 51).
    #[arg(long, value_delimiter = ',', default_values_t = [5usize, 51], value_parser = clap::value_parser!(usize))]
    nodes: Vec<usize>,
    /// Virtual seconds of the recording benchmark (journal and checkpoints at 51 nodes; 0 skips it).
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(0..=SECONDS_MAX))]
    recording_seconds: u64,
}

/// Longest run the bench takes, in virtual seconds (a day).
const SECONDS_MAX: u64 = 86_400;

/// One timed run: the cluster at its end and the wall time it took.
fn timed_run(nodes: usize, seconds: u64, rate: u64) -> Result<(Cluster, f64), String> {
    let cfg = SimConfig { nodes, seed: 42, ..SimConfig::default() };
    let mut c = Cluster::new(cfg)?;
    let started = Instant::now();
    for (t_us, request) in load(seconds, rate) {
        c.run_until(t_us);
        c.apply(request).expect("valid request");
    }
    Ok((c, started.elapsed().as_secs_f64()))
}

/// The steady client load: `rate` requests per virtual second for `seconds`, each with its virtual time, spread
/// over 8 clients and 5 array cells.
fn load(seconds: u64, rate: u64) -> impl Iterator<Item = (u64, Command)> {
    let gap_us = 1_000_000 / rate;
    (1..=(seconds * 1_000_000).div_ceil(gap_us)).map(move |i| {
        let op = Op::Set { index: (i % 5) as u32, value: i as i64 };
        (i * gap_us, Command::Request { client: Some((i % 8 + 1) as u32), to: None, op })
    })
}

pub fn run(args: Args) -> ExitCode {
    for &nodes in &args.nodes {
        let mut walls_s = Vec::new();
        let mut last = None;
        for _ in 0..args.repeats {
            match timed_run(nodes, args.seconds, args.rate) {
                Ok((c, wall_s)) => {
                    walls_s.push(wall_s);
                    last = Some(c);
                }
                Err(e) => {
                    eprintln!("raft-sim bench: {nodes} nodes: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        let c = last.expect("at least one run");
        walls_s.sort_by(f64::total_cmp);
        let wall_s = walls_s[walls_s.len() / 2];
        let sim_per_wall = |wall_s: f64| args.seconds as f64 / wall_s;
        let committed = c.leader().map_or(0, |l| l.commit_index());
        println!(
            "nodes={nodes} virtual_s={} wall_s={wall_s:.3} sim_s_per_wall_s={:.1} events={} events_per_s={:.0} committed={committed} violations={} runs={} slowest={:.1} fastest={:.1}",
            args.seconds,
            sim_per_wall(wall_s),
            c.events(),
            c.events() as f64 / wall_s,
            c.violation_count(),
            walls_s.len(),
            sim_per_wall(walls_s[walls_s.len() - 1]),
            sim_per_wall(walls_s[0]),
        );
    }
    if args.recording_seconds > 0 {
        recording(args.recording_seconds, args.rate);
    }
    ExitCode::SUCCESS
}

/// The page's memory of a run: 51 nodes under the same load, recorded (journal on, checkpoints), then a jump
/// back to its middle.
fn recording(seconds: u64, rate: u64) {
    let cfg = SimConfig { nodes: 51, seed: 42, ..SimConfig::default() };
    let mut rec = Recording::new(cfg).expect("default config is valid");
    let started = Instant::now();
    for (t_us, request) in load(seconds, rate) {
        rec.advance_to(t_us).expect("nothing to replay");
        rec.apply(request).expect("valid request");
    }
    let wall_s = started.elapsed().as_secs_f64();
    let jump = Instant::now();
    rec.jump_to(seconds * 1_000_000 / 2).expect("a recorded run replays");
    let jump_ms = jump.elapsed().as_secs_f64() * 1000.0;
    let j = rec.journal();
    println!(
        "recording nodes=51 virtual_s={seconds} wall_s={wall_s:.2} sim_s_per_wall_s={:.1} journal_events_seen={} \
         journal_events_kept={} journal_mb={:.1} detail_dropped_before_s={:.1} checkpoints={} checkpoint_interval_s={} \
         checkpoint_mb={:.1} jump_to_middle_ms={jump_ms:.1}",
        seconds as f64 / wall_s,
        j.last_seq(),
        j.len(),
        j.footprint_bytes() as f64 / 1e6,
        j.detail_dropped_before_us() as f64 / 1e6,
        rec.checkpoint_count(),
        rec.checkpoint_interval_us() / 1_000_000,
        rec.checkpoint_bytes() as f64 / 1e6,
    );
}
