//! raft-sim: the native command-line runner. One subcommand per file.

mod bench;
mod chaos;
mod course;
mod journal_out;
mod replay;
mod run;
mod trace;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "raft-sim", version, about = "Run Raft Escort clusters headless")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Swarm-test many seeds under random faults, checking every invariant after every event.
    Chaos(chaos::Args),
    /// List the planted bugs, one name a line.
    Bugs,
    /// Print the hash of a seed's full event trace (same seed ⇒ same hash, natively and in wasm).
    Trace(trace::Args),
    /// Measure simulation speed under a steady client load.
    Bench(bench::Args),
    /// Run a scenario file and print a JSON report.
    Run(run::Args),
    /// Replay a run file (or a shared link) and print its status and trace hash.
    Replay(replay::Args),
    /// Play the learn mode's course against the simulator: every step, question, exercise and misconception.
    Course(course::Args),
}

/// Reads a file a user named, at most `run_file::RUN_TEXT_BYTES_MAX` bytes; None after saying why not.
pub(crate) fn read_input(path: &std::path::Path) -> Option<String> {
    let max = raft_core::run_file::RUN_TEXT_BYTES_MAX as u64;
    let result = std::fs::metadata(path).and_then(|m| {
        if m.len() > max {
            Err(std::io::Error::other(format!("it has {} bytes, the limit is {max}", m.len())))
        } else {
            std::fs::read_to_string(path)
        }
    });
    result.map_err(|e| eprintln!("{}: cannot read: {e}", path.display())).ok()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Chaos(args) => chaos::run(args),
        Cmd::Bugs => {
            // The name first (what --bug takes), then what it breaks and the switch its code needs.
            for bug in raft_core::PlantedBug::ALL {
                let needs =
                    bug.needs().map_or(String::new(), |what| format!(" (only with {what} on; chaos switches it on)"));
                println!("{}\t{}{needs}", bug.name(), bug.describe());
            }
            ExitCode::SUCCESS
        }
        Cmd::Trace(args) => trace::run(args),
        Cmd::Bench(args) => bench::run(args),
        Cmd::Run(args) => run::run(args),
        Cmd::Replay(args) => replay::run(args),
        Cmd::Course(args) => course::run(args),
    }
}
