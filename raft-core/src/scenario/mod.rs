//! Scenario files: tests as data, and what the UI loads. A scenario is a cluster config, commands at virtual
//! times, and expectations at virtual times. See README.md ("Scenario files") for the format.

mod expect;
mod refs;
mod run;

pub use expect::Expectation;
pub use run::{run_scenario, run_scenario_bounded, run_scenario_journaled, Outcome, StepReport};

use crate::sim::SimConfig;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub config: SimConfig,
    pub steps: Vec<Step>,
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
    let last_ms = scenario.steps.iter().map(|s| s.at_ms).fold(0.0, f64::max);
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
