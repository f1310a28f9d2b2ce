//! The scenario files of `scenarios/`, built into the app: loading one runs it headlessly (to resolve
//! "the leader" and friends into concrete nodes), then replays its commands from time 0 as the user watches.

use crate::sim::Sim;
use leptos::prelude::*;
use raft_core::run_file::RunFile;
use raft_core::scenario::{parse, run_scenario};

pub const BUILT_IN: [(&str, &str); 14] = [
    ("election-at-start", include_str!("../../scenarios/election-at-start.json")),
    ("leader-crash", include_str!("../../scenarios/leader-crash.json")),
    ("split-vote", include_str!("../../scenarios/split-vote.json")),
    ("escort-march", include_str!("../../scenarios/escort-march.json")),
    ("minority-partition", include_str!("../../scenarios/minority-partition.json")),
    ("redirect", include_str!("../../scenarios/redirect.json")),
    ("array-follower-down", include_str!("../../scenarios/array-follower-down.json")),
    ("add-then-remove-leader", include_str!("../../scenarios/add-then-remove-leader.json")),
    ("figure7", include_str!("../../scenarios/figure7.json")),
    ("figure8-safe", include_str!("../../scenarios/figure8-safe.json")),
    ("figure8-bug", include_str!("../../scenarios/figure8-bug.json")),
    ("single-node", include_str!("../../scenarios/single-node.json")),
    ("single-voter-sync-window", include_str!("../../scenarios/single-voter-sync-window.json")),
    ("single-voter-early-lead-bug", include_str!("../../scenarios/single-voter-early-lead-bug.json")),
];

/// The title and description of a built-in scenario.
pub fn describe(text: &str) -> (String, String) {
    parse(text).map(|s| (s.name, s.description)).unwrap_or_else(|e| ("(unreadable)".into(), e))
}

/// Loads scenario text into the page and plays it from its first message. Errors (a malformed file) leave the page as it was.
pub fn load(sim: Sim, text: &str) -> Result<String, String> {
    let scenario = parse(text)?;
    let outcome = run_scenario(&scenario)?;
    let cluster = outcome.cluster.ok_or("the scenario did not run")?;
    let run = RunFile { config: scenario.config.clone(), commands: cluster.recorded().to_vec(), at_us: 0 };
    // At time 0 the replay is done in its first slice: the result is known when `load` returns.
    let result = std::rc::Rc::new(std::cell::RefCell::new(None));
    let slot = result.clone();
    sim.load(run, move |r| *slot.borrow_mut() = Some(r));
    let outcome = result.borrow_mut().take();
    outcome.unwrap_or(Ok(()))?;
    // Play at once, from the first message: a scenario should show something happening in its first second.
    sim.skip_quiet_start();
    sim.playing.set(true);
    Ok(scenario.description)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The picker offers every file of scenarios/, so a new scenario cannot be forgotten here.
    #[test]
    fn every_scenario_file_is_built_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(String::from))
            .collect();
        files.sort();
        let mut built_in: Vec<String> = super::BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
        built_in.sort();
        assert_eq!(files, built_in);
    }
}
