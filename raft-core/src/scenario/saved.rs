//! A saved run that keeps the expectations of the scenario it came from: each expectation with its remembered
//! names ("old") replaced by the node they named in the run, placed among the run's commands where the
//! scenario had it, so that `raft-sim run` checks them on the saved run.

use super::refs::Memory;
use super::{Expectation, Scenario, Step};
use serde_json::Value;

/// An expectation of a scenario, made concrete: its time, how many of the scenario's commands at that same
/// time came before it, and the expectation with remembered names replaced by node ids.
#[derive(Clone, Debug)]
pub struct KeptExpectation {
    pub at_ms: f64,
    pub commands_before: usize,
    pub expect: Expectation,
}

/// The scenario's expectations with remembered names made concrete. An expectation that needs a remembered
/// term ("term_above") cannot be, and is left out: the count of those is returned too.
pub fn concrete_expectations(scenario: &Scenario, memory: &Memory) -> (Vec<KeptExpectation>, usize) {
    let mut kept = Vec::new();
    let mut dropped = 0;
    for (i, step) in scenario.steps.iter().enumerate() {
        let Some(expect) = &step.expect else { continue };
        let commands_before = scenario.steps[..i]
            .iter()
            .filter(|s| s.at_ms == step.at_ms && s.action.is_some() && s.refused.is_none())
            .count();
        let mut value = serde_json::to_value(expect).expect("expectations serialize");
        if !replace_names(&mut value, memory) {
            dropped += 1;
            continue;
        }
        match serde_json::from_value(value) {
            Ok(expect) => kept.push(KeptExpectation { at_ms: step.at_ms, commands_before, expect }),
            Err(_) => dropped += 1,
        }
    }
    (kept, dropped)
}

/// Replaces remembered names by node ids in place; false if the expectation refers to a remembered term.
fn replace_names(v: &mut Value, memory: &Memory) -> bool {
    match v {
        Value::Object(map) => {
            if map.contains_key("term_above") {
                return false;
            }
            map.values_mut().all(|x| replace_names(x, memory))
        }
        Value::Array(items) => items.iter_mut().all(|x| replace_names(x, memory)),
        Value::String(s) => {
            if let Some((id, _)) = memory.get(s.as_str()) {
                *v = Value::from(*id);
            }
            true
        }
        _ => true,
    }
}

impl Scenario {
    /// Adds kept expectations at or before the saved moment to a saved run's steps: at equal times, after as
    /// many commands as the scenario had before them.
    pub fn with_expectations(mut self, kept: &[KeptExpectation], source: &str) -> Scenario {
        let until_ms = self.at_ms.unwrap_or(f64::INFINITY);
        let mut added = 0;
        for k in kept.iter().filter(|k| k.at_ms <= until_ms) {
            let same_time = |s: &Step| s.at_ms == k.at_ms && s.action.is_some();
            let first = self.steps.iter().position(|s| s.at_ms >= k.at_ms).unwrap_or(self.steps.len());
            let mut at = first;
            let mut commands = 0;
            while at < self.steps.len() && self.steps[at].at_ms == k.at_ms && commands < k.commands_before {
                commands += usize::from(same_time(&self.steps[at]));
                at += 1;
            }
            let step = Step {
                at_ms: k.at_ms,
                action: None,
                remember: None,
                refused: None,
                expect: Some(k.expect.clone()),
                note: Some(format!("from the scenario \"{source}\"")),
            };
            self.steps.insert(at, step);
            added += 1;
        }
        if added > 0 {
            self.description.push_str(&format!(" It checks {added} expectations of the scenario \"{source}\"."));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{parse, run_scenario, SAVED_RUN_FORMAT};

    fn built_in() -> Vec<(String, Scenario)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let mut all: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.display().to_string(), parse(&std::fs::read_to_string(&p).unwrap()).unwrap()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Every built-in scenario saved at its end with its expectations replays to the same trace hash and
    /// passes them; with a command taken out, a kept expectation fails.
    #[test]
    fn a_saved_run_keeps_the_scenarios_expectations_and_passes_them() {
        let mut checked = 0;
        for (path, scenario) in built_in() {
            let outcome = run_scenario(&scenario).unwrap();
            let cluster = outcome.cluster.as_ref().unwrap();
            let (kept, dropped) = concrete_expectations(&scenario, &outcome.memory);
            let saved = Scenario::saved_run("saved", cluster.initial_config(), cluster.recorded(), cluster.now_us())
                .unwrap()
                .with_expectations(&kept, &scenario.name);
            let expects = saved.steps.iter().filter(|s| s.expect.is_some()).count();
            assert_eq!(expects, kept.len(), "{path}: every kept expectation is in the saved run");
            let expected_total = scenario.steps.iter().filter(|s| s.expect.is_some()).count();
            assert_eq!(kept.len() + dropped, expected_total, "{path}");
            let back = parse(&saved.to_json()).unwrap();
            assert_eq!(back.format, Some(SAVED_RUN_FORMAT));
            let replay = run_scenario(&back).unwrap();
            assert!(replay.passed, "{path}: {:?}", replay.failures);
            assert_eq!(replay.trace_hash, outcome.trace_hash, "{path}");
            checked += expects;
        }
        assert!(checked >= 40, "{checked} expectations checked");
        // The minority partition's run without its heal: the kept expectations after it fail.
        let (_, scenario) = built_in().into_iter().find(|(p, _)| p.ends_with("minority-partition.json")).unwrap();
        let outcome = run_scenario(&scenario).unwrap();
        let cluster = outcome.cluster.as_ref().unwrap();
        let (kept, _) = concrete_expectations(&scenario, &outcome.memory);
        let commands: Vec<_> =
            cluster.recorded().iter().filter(|t| !matches!(t.command, crate::Command::Heal)).cloned().collect();
        let saved = Scenario::saved_run("saved", cluster.initial_config(), &commands, cluster.now_us())
            .unwrap()
            .with_expectations(&kept, &scenario.name);
        let replay = run_scenario(&parse(&saved.to_json()).unwrap()).unwrap();
        assert!(!replay.passed, "without the heal the expectations at 6 s must fail");
    }

    #[test]
    fn remembered_names_become_node_ids_and_remembered_terms_are_left_out() {
        let mut memory = Memory::new();
        memory.insert("old".into(), (3, 1));
        let scenario = parse(
            r#"{"name": "x", "steps": [
                {"at_ms": 5, "expect": {"leader_not": "old", "role": {"node": "old", "is": "follower"}}},
                {"at_ms": 6, "expect": {"log": {"node": "old", "contains": "a", "term_above": "old"}}},
                {"at_ms": 7, "expect": {"leader_is": "leader"}}]}"#,
        )
        .unwrap();
        let (kept, dropped) = concrete_expectations(&scenario, &memory);
        assert_eq!((kept.len(), dropped), (2, 1));
        let first = serde_json::to_value(&kept[0].expect).unwrap();
        assert_eq!(first["leader_not"], 3);
        assert_eq!(first["role"]["node"], 3);
        assert_eq!(serde_json::to_value(&kept[1].expect).unwrap()["leader_is"], "leader");
    }
}
