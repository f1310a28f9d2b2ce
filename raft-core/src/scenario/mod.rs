//! Scenario files: tests as data, and what the UI loads. A scenario is a cluster config, commands at virtual
//! times, and expectations at virtual times. See README.md ("Scenario files") for the format.

mod expect;
mod refs;
mod run;
mod saved;

pub use expect::Expectation;
pub use refs::Memory;
pub use run::{resolved_commands, run_scenario, run_scenario_bounded, run_scenario_journaled, Outcome, StepReport};
pub use saved::{concrete_expectations, KeptExpectation};

use crate::sim::SimConfig;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The file format's version (`SAVED_RUN_FORMAT`); a saved run carries it, a hand-written scenario may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u32>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub config: SimConfig,
    pub steps: Vec<Step>,
    /// The moment to show (a saved run: when it was saved). The run goes on to it after the last step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<f64>,
}

/// The version of the scenario format that saved runs are written in.
pub const SAVED_RUN_FORMAT: u32 = 1;

impl Scenario {
    /// A run as a scenario file: its config and every command of its tape as steps, shown at `at_us`. The page's
    /// "Save run" writes this; `raft-sim run` replays it to the same trace hash.
    pub fn saved_run(
        name: &str,
        config: &SimConfig,
        commands: &[crate::sim::Timed],
        at_us: u64,
    ) -> Result<Scenario, String> {
        if commands.len() > STEPS_MAX {
            return Err(format!(
                "a saved run holds at most {STEPS_MAX} commands; this one has {} (share it as a link instead)",
                commands.len()
            ));
        }
        let steps = commands
            .iter()
            .map(|t| Step {
                at_ms: t.at_us as f64 / 1000.0,
                action: Some(serde_json::to_value(&t.command).expect("commands serialize")),
                remember: None,
                refused: None,
                expect: None,
                note: None,
            })
            .collect();
        Ok(Scenario {
            format: Some(SAVED_RUN_FORMAT),
            name: name.to_string(),
            description: format!(
                "A run saved at {:.3} s: every command of it, replayed from the same seed.",
                at_us as f64 / 1e6
            ),
            config: config.clone(),
            steps,
            at_ms: Some(at_us as f64 / 1000.0),
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("scenarios serialize")
    }
}

/// One line of a scenario: at a virtual time, do a command and/or check expectations.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub at_ms: f64,
    /// A command, as JSON; "node", "from" and "to" may name "leader", "follower" or a remembered name, and a
    /// partition group may be "rest" (every node not in another group).
    #[serde(default, rename = "do", skip_serializing_if = "Option::is_none")]
    pub action: Option<serde_json::Value>,
    /// Remember the node this step's command targets (and its term now) under a name.
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub remember: Option<String>,
    /// The command must be refused, with a message containing this text (a transfer to a down node, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expectation>,
    /// Why this step is here, for readers and reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Most steps a scenario may have.
pub const STEPS_MAX: usize = 10_000;

/// Parses a scenario; a malformed file gets a message with line and column.
pub fn parse(text: &str) -> Result<Scenario, String> {
    let scenario: Scenario = serde_json::from_str(text)
        .map_err(|e| format!("line {}, column {}: {}", e.line(), e.column(), strip_position(&e.to_string())))?;
    if let Some(f) = scenario.format.filter(|f| *f != SAVED_RUN_FORMAT) {
        return Err(format!("this file is in format {f}; this version reads format {SAVED_RUN_FORMAT}"));
    }
    if scenario.at_ms.is_some_and(|t| !t.is_finite() || !(0.0..=86_400_000.0).contains(&t)) {
        return Err("at_ms (the moment to show) must be between 0 and 86400000".into());
    }
    scenario.config.validate().map_err(|e| format!("invalid config: {e}"))?;
    for (i, step) in scenario.steps.iter().enumerate() {
        if !step.at_ms.is_finite() || step.at_ms < 0.0 || step.at_ms > 86_400_000.0 {
            return Err(format!("step {}: at_ms must be between 0 and 86400000", i + 1));
        }
        if step.action.is_none() && step.expect.is_none() {
            return Err(format!("step {}: a step needs \"do\" or \"expect\"", i + 1));
        }
        if step.refused.is_some() && step.action.is_none() {
            return Err(format!("step {}: \"refused\" needs a \"do\" command to refuse", i + 1));
        }
        if step.refused.as_deref().is_some_and(|r| r.trim().is_empty()) {
            return Err(format!("step {}: \"refused\" needs the words the refusal must contain", i + 1));
        }
        if let Some(e) = &step.expect {
            e.validate().map_err(|e| format!("step {}: {e}", i + 1))?;
        }
    }
    if scenario.steps.len() > STEPS_MAX {
        return Err(format!("a scenario has at most {STEPS_MAX} steps, this one has {}", scenario.steps.len()));
    }
    let last_ms = scenario.steps.iter().map(|s| s.at_ms).fold(scenario.at_ms.unwrap_or(0.0), f64::max);
    scenario.config.check_run_length((last_ms * 1000.0).round() as u64)?;
    Ok(scenario)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_run_is_a_scenario_that_replays_to_the_same_trace_hash() {
        for seed in [3, 8, 21] {
            let (original, _) = crate::chaos::run_seed_cluster(seed, 4_000, None, crate::bugs::Bugs::none());
            let saved = Scenario::saved_run("saved", original.initial_config(), original.recorded(), original.now_us())
                .unwrap()
                .to_json();
            let back = parse(&saved).unwrap();
            assert_eq!(back.format, Some(SAVED_RUN_FORMAT));
            let outcome = run_scenario(&back).unwrap();
            assert_eq!(
                outcome.trace_hash,
                format!("{:016x}", original.trace_hash()),
                "seed {seed}: the saved run replays to the same trace hash"
            );
        }
        let e = parse(r#"{"format": 2, "name": "x", "steps": []}"#).unwrap_err();
        assert!(e.contains("format 2") && e.contains("reads format 1"), "{e}");
        let e = parse(r#"{"name": "x", "steps": [], "at_ms": -1}"#).unwrap_err();
        assert!(e.contains("at_ms"), "{e}");
    }

    #[test]
    fn malformed_scenario_reports_line_and_column() {
        let err = parse("{\n  \"name\": \"x\",\n  \"steps\": [ {\"at_ms\": } ]\n}").unwrap_err();
        assert!(err.starts_with("line 3, column"), "{err}");
        let err = parse(r#"{"name": "x", "steps": [], "config": {"nodes": 99}}"#).unwrap_err();
        assert!(err.contains("1 to 51 nodes"), "{err}");
        let err = parse(r#"{"name": "x", "steps": [{"at_ms": 5}]}"#).unwrap_err();
        assert!(err.contains("needs"), "{err}");
        let err = parse(r#"{"name": "x", "stepz": []}"#).unwrap_err();
        assert!(err.contains("unknown field"), "{err}");
        let err = parse(r#"{"name": "x", "steps": [{"at_ms": 5, "expect": {"leader": true}, "refused": "down"}]}"#);
        assert!(err.unwrap_err().contains("needs a \"do\""));
        let err = parse(r#"{"name": "x", "steps": [{"at_ms": 5, "do": {"cmd": "heal"}, "refused": " "}]}"#);
        assert!(err.unwrap_err().contains("words"));
    }
}
