//! `raft-sim run FILE`: runs a scenario file and prints a JSON report; exit non-zero naming what failed.

use raft_core::scenario::{parse, run_scenario};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Scenario file (JSON).
    file: PathBuf,
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
    let outcome = match run_scenario(&scenario) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::from(2);
        }
    };
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
