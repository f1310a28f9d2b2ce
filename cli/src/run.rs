//! `raft-sim run FILE`: runs a scenario file and prints a JSON report; exit non-zero naming what failed.

use raft_core::scenario::{parse, run_scenario, run_scenario_journaled};
use raft_core::sim::journal::{Journal, JOURNAL_EVENTS_MAX};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Scenario file (JSON).
    file: PathBuf,
    /// Also write the run's journal here, one JSON event per line (at most 500,000 events: older detail
    /// goes first, as in the page).
    #[arg(long, value_name = "OUT.jsonl")]
    journal: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let name = args.file.display();
    let Some(text) = crate::read_input(&args.file) else { return ExitCode::from(2) };
    let scenario = match parse(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::from(2);
        }
    };
    let run = if args.journal.is_some() { run_scenario_journaled(&scenario) } else { run_scenario(&scenario) };
    let mut outcome = match run {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::from(2);
        }
    };
    if let (Some(out), Some(cluster)) = (&args.journal, outcome.cluster.as_mut()) {
        let mut journal = Journal::new(JOURNAL_EVENTS_MAX);
        journal.extend(cluster.take_journal());
        match crate::journal_out::write(out, journal.events()) {
            Ok(n) => eprintln!("{name}: {n} journal events written to {}", out.display()),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    println!("{}", serde_json::to_string_pretty(&outcome).expect("reports serialize"));
    if outcome.passed {
        ExitCode::SUCCESS
    } else {
        for f in &outcome.failures {
            eprintln!("{name}: FAILED {f}");
        }
        ExitCode::FAILURE
    }
}
