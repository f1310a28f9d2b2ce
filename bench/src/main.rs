//! The same in-memory workload through raft-core's `Node` and raft-rs's `RawNode`: one process, every message
//! delivered at once, every write durable at once, 64-byte payloads, proposals in batches, and a round ends
//! when every node has applied every entry. Prints entries per second, messages per entry and the ratio.

mod core_side;
mod rs_side;

use clap::Parser;
use std::time::Duration;

#[derive(Parser)]
struct Args {
    /// Entries per workload (each is proposed, committed and applied on every node).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(4..=10_000_000))]
    entries: u64,
    /// Runs of each side per workload, interleaved; the median is printed (one run swings by ±30 % on a
    /// shared machine).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=100))]
    repeats: u64,
}

pub const PAYLOAD_BYTES: usize = 64;

/// What one run measured.
pub struct Run {
    pub elapsed: Duration,
    pub entries: usize,
    pub messages: u64,
}

impl Run {
    fn per_s(&self) -> f64 {
        self.entries as f64 / self.elapsed.as_secs_f64()
    }
    fn msgs_per_entry(&self) -> f64 {
        self.messages as f64 / self.entries as f64
    }
}

fn main() {
    let args = Args::parse();
    println!(
        "workload: {} entries of {PAYLOAD_BYTES} bytes, committed and applied on every node; median of {} \
         interleaved runs per side",
        args.entries, args.repeats
    );
    for voters in [5usize, 51] {
        for batch in [1usize, 64] {
            // Fewer entries at 51 voters one at a time: each costs a round of 50 followers.
            let entries = if voters > 5 && batch == 1 { args.entries / 4 } else { args.entries } as usize;
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            for _ in 0..args.repeats {
                ours.push(core_side::run(voters, batch, entries));
                theirs.push(rs_side::run(voters, batch, entries));
            }
            let (ours, theirs) = (median(ours), median(theirs));
            println!(
                "voters={voters:>2} batch={batch:>2}: raft-core {:>9.0} entries/s ({:>5.1} msgs/entry) | raft-rs {:>9.0} entries/s ({:>5.1} msgs/entry) | ratio {:.2}x",
                ours.per_s(),
                ours.msgs_per_entry(),
                theirs.per_s(),
                theirs.msgs_per_entry(),
                ours.per_s() / theirs.per_s()
            );
        }
    }
}

/// The run with the median speed.
fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.per_s().total_cmp(&b.per_s()));
    let mid = runs.len() / 2;
    runs.swap_remove(mid)
}
