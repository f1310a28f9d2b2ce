//! `raft-sim trace`: the hash of one seed's full event trace.

use raft_core::bugs::Bugs;
use raft_core::trace::trace_hash;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 20_000)]
    events: u64,
}

pub fn run(args: Args) -> ExitCode {
    let hash = trace_hash(args.seed, args.events, Bugs::none());
    println!("hash={hash:016x}");
    ExitCode::SUCCESS
}
