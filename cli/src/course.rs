//! `raft-sim course [FILE]`: plays the whole course against the simulator (every step's expectation, every
//! question, every exercise's solution and wrong attempt, every misconception, the rules' coverage) and prints
//! what each step shows; exit non-zero naming each failure. `--show` prints the cluster at every step (for
//! writing one).

use raft_core::course::{self, verify};
use raft_core::scenario::{parse, Scenario};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Course file (JSON).
    #[arg(default_value = "course/course.json")]
    file: PathBuf,
    /// Folder of the scenario files the course names.
    #[arg(long, default_value = "scenarios")]
    scenarios: PathBuf,
    /// Print the leader, terms and roles at each step's moments.
    #[arg(long)]
    show: bool,
}

fn load(dir: &Path, name: &str) -> Result<Scenario, String> {
    let path = dir.join(format!("{name}.json"));
    let text = crate::read_input(&path).ok_or_else(|| format!("cannot read {}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: Args) -> ExitCode {
    let Some(text) = crate::read_input(&args.file) else { return ExitCode::from(2) };
    let dir = args.scenarios.clone();
    let course = match course::parse(&text, |n| dir.join(format!("{n}.json")).is_file()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    if args.show {
        show(&course, &dir);
    }
    let fails = verify::verify(&course, |n| load(&dir, n));
    let pages: usize = course.chapters.iter().map(|c| c.pages()).sum();
    for f in &fails {
        eprintln!("FAIL {f}");
    }
    let covered = course.coverage().values().filter(|v| !v.is_empty()).count();
    println!(
        "course: {} chapters, {pages} pages, {} questions, {} exercises, {} misconceptions; {covered} of {} rules \
         and properties taught; {} failures",
        course.chapters.len(),
        course.chapters.iter().flat_map(|c| &c.steps).filter(|s| s.question.is_some()).count(),
        course.chapters.iter().map(|c| c.exercises.len()).sum::<usize>(),
        course.misconceptions.len(),
        course::rules::all().count(),
        fails.len()
    );
    if fails.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn show(course: &course::Course, dir: &Path) {
    for c in &course.chapters {
        for (i, s) in c.steps.iter().enumerate() {
            let Ok(scenario) = load(dir, &s.scenario) else { continue };
            let Ok(mut rec) = verify::setup(&scenario, None) else { continue };
            let mut times = vec![s.at_ms];
            times.extend(s.until_ms);
            times.extend(s.question.as_ref().map(|q| q.reveal_ms));
            for t in times {
                if rec.jump_to((t * 1000.0) as u64).is_err() {
                    continue;
                }
                let cl = rec.cluster();
                let nodes: Vec<String> = cl
                    .servers()
                    .map(|sv| match &sv.node {
                        Some(n) => format!(
                            "S{}:{:?}/t{}/c{}/l{}",
                            sv.id,
                            n.role(),
                            n.term(),
                            n.commit_index(),
                            n.log().last_index()
                        ),
                        None => format!("S{}:{:?}", sv.id, sv.status),
                    })
                    .collect();
                println!(
                    "{}/{} {} @{t}ms leader={:?} {}",
                    c.id,
                    i + 1,
                    s.scenario,
                    cl.leader().map(|l| l.id()),
                    nodes.join(" ")
                );
            }
        }
    }
}
