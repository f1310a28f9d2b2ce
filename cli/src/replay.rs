//! `raft-sim replay FILE`: replays a run file (what the page's "Share link" carries, as JSON) and prints its
//! status at the run's time and the trace hash: the same file gives the same hash on every machine.

use raft_core::run_file::{Replay, RunFile};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Run file (JSON: config, commands, at_us), or a link's text after "#run=" with --link.
    file: PathBuf,
    /// The file holds a link's encoded fragment rather than JSON.
    #[arg(long)]
    link: bool,
    /// Also write the run's journal here, one JSON event per line.
    #[arg(long, value_name = "OUT.jsonl")]
    journal: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let name = args.file.display();
    let Some(text) = crate::read_input(&args.file) else { return ExitCode::from(2) };
    let text = text.trim();
    let parsed = if args.link {
        RunFile::parse_link(text.strip_prefix(raft_core::run_file::LINK_PREFIX).unwrap_or(text))
    } else {
        RunFile::parse_json(text)
    };
    let replayed = parsed.and_then(Replay::new).and_then(Replay::run_to_end);
    match replayed {
        Ok(recording) => {
            if let Some(out) = &args.journal {
                if let Err(e) = crate::journal_out::write(out, recording.journal().events()) {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            }
            let cluster = recording.cluster();
            println!("{}", serde_json::to_string_pretty(&cluster.status_view()).expect("views serialize"));
            println!("hash={:016x}", cluster.trace_hash());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::from(2)
        }
    }
}
