//! The scenario files of `scenarios/` and the planted bugs' runs of `runs/`, offered in the page and fetched
//! when chosen (Trunk copies both folders into dist/). A scenario is run headlessly first (to resolve "the
//! leader" and friends into concrete nodes), then replayed as the user watches; a run file is replayed as is.

use crate::sim::Sim;
use leptos::prelude::*;
use raft_core::run_file::RunFile;
use raft_core::scenario::{concrete_expectations, parse, run_scenario, Scenario};
use raft_core::sim::Timed;
use raft_core::PlantedBug;

/// Every file of scenarios/ (name without `.json`) and its title, in the picker's order. A test keeps this in
/// step with the folder and the files' own names.
pub const BUILT_IN: [(&str, &str); 19] = [
    ("election-at-start", "election at start"),
    ("leader-crash", "leader crash and re-election"),
    ("split-vote", "split vote with aligned timers"),
    ("escort-march", "escort march with two leader crashes"),
    ("minority-partition", "minority partition holding the old leader"),
    ("redirect", "message sent to a follower is redirected"),
    ("array-follower-down", "array writes with a follower down"),
    ("add-then-remove-leader", "add a node, then remove the leader"),
    ("figure7", "Figure 7: follower logs brought into line"),
    ("figure8-safe", "Figure 8, correct Raft"),
    ("figure8-bug", "Figure 8 with the planted bug"),
    ("single-node", "a single node, then a second one"),
    ("single-voter-sync-window", "a single voter crashes before its vote is on disk"),
    ("single-voter-early-lead-bug", "planted bug: a single voter leads before its vote is on disk"),
    ("rejoin-without-prevote", "a rejoining node disrupts the cluster (Figure 2, no PreVote)"),
    ("prevote-rejoin", "PreVote: a rejoining node asks before it disrupts"),
    ("check-quorum", "CheckQuorum: a leader cut off on the minority side steps down"),
    ("leader-transfer", "leadership transfer: the leader hands over to S2"),
    ("snapshot-catch-up", "log compaction: a new node catches up by snapshot"),
];

/// What shows a planted bug at work: a scenario written to expose it, or a run file saved from the first
/// chaos seed that caught it (`raft-sim chaos --bug NAME --save-run runs/NAME.json --lead-ms 200`), which
/// starts a moment before the violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    Scenario(&'static str),
    Run(&'static str),
}

pub fn exposure(bug: PlantedBug) -> Exposure {
    match bug {
        PlantedBug::Figure8Commit => Exposure::Scenario("figure8-bug"),
        PlantedBug::SingleVoterEarlyLead => Exposure::Scenario("single-voter-early-lead-bug"),
        PlantedBug::VoteNotPersisted => Exposure::Run("vote-not-persisted"),
        PlantedBug::DoubleCountVote => Exposure::Run("double-count-vote"),
        PlantedBug::TruncateOnMatch => Exposure::Run("truncate-on-match"),
        PlantedBug::CommitKeptOnRestart => Exposure::Run("commit-kept-on-restart"),
        PlantedBug::StaleTermReply => Exposure::Run("stale-term-reply"),
        PlantedBug::PrevoteCountsAsVote => Exposure::Run("prevote-counts-as-vote"),
        PlantedBug::CheckQuorumStickyContact => Exposure::Run("check-quorum-sticky-contact"),
        PlantedBug::TransferSameTerm => Exposure::Run("transfer-same-term"),
        PlantedBug::SnapshotUnappliedEntries => Exposure::Run("snapshot-unapplied-entries"),
    }
}

/// Where the page fetches a file, relative to itself.
pub fn url(e: Exposure) -> String {
    match e {
        Exposure::Scenario(name) => format!("scenarios/{name}.json"),
        Exposure::Run(name) => format!("runs/{name}.json"),
    }
}

/// How long before a planted bug's first violation "show me" starts the run (4 s on screen at 1/20×).
const SHOW_LEAD_US: u64 = 200_000;

/// Loads scenario text into the page and plays it from its first message, or, with `to_violation`, from
/// just before its first invariant violation. Errors (a malformed file) leave the page as it was.
pub fn load(sim: Sim, text: &str, to_violation: bool) -> Result<String, String> {
    let scenario = parse(text)?;
    if scenario.format.is_some() {
        return load_saved(sim, scenario);
    }
    let outcome = run_scenario(&scenario)?;
    let (kept, _) = concrete_expectations(&scenario, &outcome.memory);
    let cluster = outcome.cluster.ok_or("the scenario did not run")?;
    let first_violation = cluster.violations().first().map(|v| v.at_us).filter(|_| to_violation);
    let at_us = first_violation.map_or(0, |t| t.saturating_sub(SHOW_LEAD_US));
    let run = RunFile { config: scenario.config.clone(), commands: cluster.recorded().to_vec(), at_us };
    // At time 0 the replay is done in its first slice: the result is known when `load` returns.
    load_run(sim, run)?;
    // "Save this run" keeps the scenario's expectations (those up to the moment saved).
    sim.kept.set_value(Some((scenario.name.clone(), kept)));
    // Play at once, from the first message: a scenario should show something happening in its first second.
    if first_violation.is_none() {
        sim.skip_quiet_start();
    }
    sim.playing.set(true);
    Ok(scenario.description)
}

/// A saved run: its commands are concrete (no "leader" to resolve), so it is replayed straight away, in slices
/// for a long one, and shown paused at the moment it was saved.
fn load_saved(sim: Sim, scenario: Scenario) -> Result<String, String> {
    let mut commands = Vec::with_capacity(scenario.steps.len());
    for (i, step) in scenario.steps.iter().enumerate() {
        let Some(action) = &step.action else { continue };
        let command = serde_json::from_value(action.clone()).map_err(|e| format!("step {}: {e}", i + 1))?;
        commands.push(Timed { at_us: (step.at_ms * 1000.0).round() as u64, command });
    }
    let at_us =
        scenario.at_ms.map_or_else(|| commands.last().map_or(0, |t: &Timed| t.at_us), |t| (t * 1000.0).round() as u64);
    let run = RunFile { config: scenario.config.clone(), commands, at_us };
    run.validate()?;
    sim.playing.set(false);
    load_run(sim, run)?;
    // Saved again, it keeps the expectations it carries.
    let (kept, _) = concrete_expectations(&scenario, &Default::default());
    if !kept.is_empty() {
        sim.kept.set_value(Some((scenario.name.clone(), kept)));
    }
    Ok(scenario.description)
}

/// Starts loading a run: an error known at once (the run is invalid, or a short replay failed) is returned;
/// a long run goes on loading in slices, with the progress bar, and Ok is returned.
fn load_run(sim: Sim, run: RunFile) -> Result<(), String> {
    let result = std::rc::Rc::new(std::cell::RefCell::new(None));
    let slot = result.clone();
    sim.load(run, move |r| *slot.borrow_mut() = Some(r));
    let outcome = result.borrow_mut().take();
    outcome.unwrap_or(Ok(()))
}

/// Fetches and shows a scenario or a bug's run (`to_violation`: a scenario starts just before its first
/// violation); `done` hears the description or what went wrong.
pub fn fetch_and_show(
    sim: Sim,
    what: Exposure,
    to_violation: bool,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    leptos::task::spawn_local(async move {
        let text = match crate::fetch::text(&url(what)).await {
            Ok(t) => t,
            Err(e) => return done(Err(e)),
        };
        match what {
            Exposure::Scenario(_) => done(load(sim, &text, to_violation)),
            Exposure::Run(name) => match RunFile::parse_json(&text) {
                Err(e) => done(Err(e)),
                Ok(run) => sim.load(run, move |r| {
                    if r.is_ok() {
                        sim.playing.set(true);
                    }
                    done(r.map(|()| format!("A chaos run that catches {name}: watch the alarm.")))
                }),
            },
        }
    });
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use raft_core::run_file::Replay;

    fn repo(path: &str) -> String {
        format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))
    }

    /// The picker offers every file of scenarios/ under the file's own name, so none is forgotten or misnamed.
    #[test]
    fn every_scenario_file_is_offered_with_its_name() {
        let mut files: Vec<String> = std::fs::read_dir(repo("scenarios"))
            .unwrap()
            .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(String::from))
            .collect();
        files.sort();
        let mut offered: Vec<String> = BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
        offered.sort();
        assert_eq!(files, offered);
        for (name, title) in BUILT_IN {
            let text = std::fs::read_to_string(repo(&format!("scenarios/{name}.json"))).unwrap();
            assert_eq!(parse(&text).unwrap().name, title, "{name}");
        }
    }

    /// Every planted bug's "show me" starts within 5 virtual seconds of its first violation, with the bug
    /// switched on: a click turns the alarm red within seconds (the simulator changing under a saved run
    /// would break this, and this test says which run to save again).
    #[test]
    fn every_bug_is_shown_within_seconds() {
        for bug in PlantedBug::ALL {
            let e = exposure(bug);
            let text = std::fs::read_to_string(repo(&url(e))).unwrap();
            let (config, cluster, start_us) = match e {
                Exposure::Scenario(_) => {
                    let s = parse(&text).unwrap();
                    let out = run_scenario(&s).unwrap();
                    let cluster = out.cluster.unwrap();
                    let start = cluster.violations().first().map_or(0, |v| v.at_us.saturating_sub(SHOW_LEAD_US));
                    (s.config.clone(), cluster, start)
                }
                Exposure::Run(_) => {
                    let mut run = RunFile::parse_json(&text).unwrap();
                    let start = run.at_us;
                    run.at_us = start + 5_000_000;
                    let recording = Replay::new(run.clone()).unwrap().run_to_end().unwrap();
                    (run.config, recording.cluster().clone(), start)
                }
            };
            assert!(config.raft.bugs.has(bug), "{} runs without its bug", bug.name());
            let first = cluster.violations().first().unwrap_or_else(|| {
                panic!("{} is not caught; save its run again: raft-sim chaos --bug {0} --save-run ...", bug.name())
            });
            assert!(first.at_us >= start_us, "{}: the violation happens before the run is shown", bug.name());
            assert!(
                first.at_us - start_us <= 5_000_000,
                "{}: caught {} µs after the start",
                bug.name(),
                first.at_us - start_us
            );
        }
    }
}
