//! `raft-sim chaos`: many seeds in parallel threads, a progress bar, and a one-line summary on stdout.

use indicatif::{ProgressBar, ProgressStyle};
use raft_core::bugs::Bugs;
use raft_core::chaos::{run_seed, run_seed_cluster, ChaosReport};
use raft_core::run_file::RunFile;
use raft_core::PlantedBug;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(clap::Args)]
pub struct Args {
    /// Number of seeds to run.
    #[arg(long, default_value_t = 2000)]
    seeds: u64,
    /// Events per seed (deliveries, timers, disk syncs) while faults are injected.
    #[arg(long, default_value_t = 20_000)]
    events: u64,
    /// First seed.
    #[arg(long, default_value_t = 0)]
    from: u64,
    /// Cluster size (default: drawn from each seed among 3, 5 and 7).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=51))]
    nodes: Option<u64>,
    /// Switch on a planted bug (see `raft-sim bugs`); the run stops at the first seed that catches it.
    #[arg(long, value_parser = parse_bug)]
    bug: Option<PlantedBug>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Write the first failing seed's run as a run file (for `raft-sim replay` or the page's "show me"),
    /// starting `--lead-ms` before its first violation.
    #[arg(long)]
    save_run: Option<std::path::PathBuf>,
    /// How much of the run before the first violation the saved run shows, in virtual milliseconds.
    #[arg(long, default_value_t = 300)]
    lead_ms: u64,
}

fn parse_bug(s: &str) -> Result<PlantedBug, String> {
    PlantedBug::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = PlantedBug::ALL.iter().map(|b| b.name()).collect();
        format!("unknown bug '{s}'; known bugs: {}", names.join(", "))
    })
}

pub fn run(args: Args) -> ExitCode {
    let bugs: Bugs = args.bug.into_iter().collect();
    let nodes = args.nodes.map(|n| n as usize);
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let bar = ProgressBar::new(args.seeds);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} seeds {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let next = AtomicU64::new(0);
    let results: Mutex<Vec<ChaosReport>> = Mutex::new(Vec::new());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= args.seeds {
                    break;
                }
                let report = run_seed(args.from + i, args.events, nodes, bugs);
                if report.violation_count > 0 && args.bug.is_some() {
                    stop.store(true, Ordering::Relaxed);
                }
                if report.violation_count > 0 {
                    bar.set_message(format!("violation at seed {}", report.seed));
                }
                results.lock().expect("no poisoned lock").push(report);
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    let mut results = results.into_inner().expect("no poisoned lock");
    results.sort_by_key(|r| r.seed);
    let events: u64 = results.iter().map(|r| r.events).sum();
    let violations: u64 = results.iter().map(|r| r.violation_count).sum();
    let failed: Vec<&ChaosReport> = results.iter().filter(|r| r.violation_count > 0).collect();
    for r in failed.iter().take(10) {
        let v = &r.violations[0];
        println!("seed {} violated {} at {:.3} s: {}", r.seed, v.invariant.name(), v.at_us as f64 / 1e6, v.message);
        let mut repro = format!("raft-sim chaos --seeds 1 --from {} --events {}", r.seed, args.events);
        if let Some(n) = args.nodes {
            repro += &format!(" --nodes {n}");
        }
        if let Some(b) = args.bug {
            repro += &format!(" --bug {}", b.name());
        }
        println!("  reproduce: {repro}");
    }
    let secs = started.elapsed().as_secs_f64();
    let virtual_s: f64 = results.iter().map(|r| r.virtual_ms as f64 / 1000.0).sum();
    let first = failed.first().map_or("none".to_string(), |r| r.seed.to_string());
    let sum = |f: fn(&ChaosReport) -> u64| results.iter().map(f).sum::<u64>();
    println!(
        "crashes={} losing_unsynced_writes={} torn_multi_entry_writes={} disk_stalls={} snapshots_installed={} \
         transfers={} single_node_seeds={} two_node_seeds={} large_seeds={}",
        sum(|r| r.faults.crashes),
        sum(|r| r.faults.crashes_losing_writes),
        sum(|r| r.faults.torn_multi_entry_writes),
        sum(|r| r.faults.disk_stalls),
        sum(|r| r.faults.snapshots_installed),
        sum(|r| r.faults.transfers_sent),
        results.iter().filter(|r| r.nodes == 1).count(),
        results.iter().filter(|r| r.nodes == 2).count(),
        results.iter().filter(|r| r.nodes > 9).count(),
    );
    println!(
        "seeds={} events={} violations={} failed_seeds={} first_failing_seed={} virtual_s={:.0} wall_s={:.1}",
        results.len(),
        events,
        violations,
        failed.len(),
        first,
        virtual_s,
        secs
    );
    if let (Some(path), Some(r)) = (&args.save_run, failed.first()) {
        let (cluster, _) = run_seed_cluster(r.seed, args.events, nodes, bugs);
        let Some(v) = cluster.violations().first() else {
            eprintln!("seed {} did not fail again: not saved", r.seed);
            return ExitCode::FAILURE;
        };
        let run = RunFile {
            config: cluster.initial_config().clone(),
            commands: cluster.recorded().iter().filter(|c| c.at_us <= v.at_us).cloned().collect(),
            at_us: v.at_us.saturating_sub(args.lead_ms.saturating_mul(1000)),
        };
        if let Err(e) = std::fs::write(path, run.to_json() + "\n") {
            eprintln!("{}: cannot write: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!(
            "saved seed {} to {} ({} commands, first violation at {:.3} s)",
            r.seed,
            path.display(),
            run.commands.len(),
            v.at_us as f64 / 1e6
        );
    }
    if violations == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
