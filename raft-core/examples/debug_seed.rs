//! Explains one chaos seed: the commands, leaderships and elections up to its first violation, and where every
//! node ended. `cargo run --release -p raft-core --example debug_seed SEED [BUG]`.

use raft_core::bugs::Bugs;
use raft_core::chaos::run_seed_cluster;

fn main() {
    let Some(seed) = std::env::args().nth(1).and_then(|s| s.parse::<u64>().ok()) else {
        eprintln!("usage: debug_seed SEED [BUG]");
        std::process::exit(2);
    };
    let bug = std::env::args().nth(2).and_then(|b| raft_core::PlantedBug::from_name(&b));
    let (c, r) = run_seed_cluster(seed, 20000, None, bug.into_iter().collect::<Bugs>());
    let until = r.violations.first().map_or(u64::MAX, |v| v.at_us);
    for t in c.recorded() {
        if t.at_us <= until {
            println!("{:>9} {}", t.at_us, t.command.describe());
        }
    }
    for l in &c.history().leaders {
        if l.since_us <= until {
            println!("leader {:?}", l);
        }
    }
    for e in &c.history().elections {
        if e.started_us <= until {
            println!("election {:?}", e);
        }
    }
    for v in &r.violations {
        println!("{:?}", v);
    }
    for s in c.servers() {
        match &s.node {
            Some(n) => println!(
                "S{} {:?} {:?} term {} last {} commit {} {:?} leader {:?}",
                s.id,
                s.status,
                n.role(),
                n.term(),
                n.log().last_index(),
                n.commit_index(),
                n.membership(),
                n.leader_id()
            ),
            None => println!("S{} {:?}", s.id, s.status),
        }
    }
}
