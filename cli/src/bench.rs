//! `raft-sim bench`: simulated seconds per wall second and events per second under a steady client load.

use raft_core::machine::op::Op;
use raft_core::{Cluster, Command, SimConfig};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Virtual seconds to simulate per cluster size.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Client requests per virtual second.
    #[arg(long, default_value_t = 50)]
    rate: u64,
}

pub fn run(args: Args) -> ExitCode {
    for nodes in [5usize, 51] {
        let cfg = SimConfig { nodes, seed: 42, ..SimConfig::default() };
        let mut c = Cluster::new(cfg).expect("default config is valid");
        let gap_us = 1_000_000 / args.rate.max(1);
        let started = Instant::now();
        let mut t = 0;
        let mut i: u64 = 0;
        while t < args.seconds * 1_000_000 {
            t += gap_us;
            c.run_until(t);
            i += 1;
            let op = Op::Set { index: (i % 5) as u32, value: i as i64 };
            c.apply(Command::Request { client: Some((i % 8 + 1) as u32), to: None, op }).expect("valid request");
        }
        let wall_s = started.elapsed().as_secs_f64();
        let committed = c.leader().map_or(0, |l| l.commit_index());
        println!(
            "nodes={nodes} virtual_s={} wall_s={wall_s:.3} sim_s_per_wall_s={:.1} events={} events_per_s={:.0} committed={committed} violations={}",
            args.seconds,
            args.seconds as f64 / wall_s,
            c.events(),
            c.events() as f64 / wall_s,
            c.violation_count()
        );
    }
    ExitCode::SUCCESS
}
