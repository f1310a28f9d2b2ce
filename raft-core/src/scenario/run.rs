//! Runs a scenario and reports every step.

use super::refs::{resolve_command, Memory};
use super::Scenario;
use crate::sim::view::AllViews;
use crate::sim::{Cluster, Command};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    pub at_ms: f64,
    pub what: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
}

#[derive(Serialize)]
pub struct Outcome {
    pub scenario: String,
    pub passed: bool,
    pub failures: Vec<String>,
    pub steps: Vec<StepReport>,
    /// The trace hash at the end (hex): a saved run replays to the hash of the run it was saved from.
    pub trace_hash: String,
    /// Every view of the cluster at the end of the scenario.
    pub views: AllViews,
    #[serde(skip)]
    pub cluster: Option<Cluster>,
    /// The names remembered with "as" (a saved run turns them into node ids).
    #[serde(skip)]
    pub memory: Memory,
}

/// A scenario's commands as it applied them ("leader" and remembered names made node ids): a run to replay.
pub fn resolved_commands(scenario: &Scenario) -> Result<Vec<crate::sim::Timed>, String> {
    let outcome = run_scenario(scenario)?;
    Ok(outcome.cluster.map(|c| c.recorded().to_vec()).unwrap_or_default())
}

pub fn run_scenario(scenario: &Scenario) -> Result<Outcome, String> {
    run_scenario_bounded(scenario, u64::MAX)
}

/// Runs a scenario with the journal on: the events are in the outcome's cluster (`take_journal`).
pub fn run_scenario_journaled(scenario: &Scenario) -> Result<Outcome, String> {
    run_scenario_inner(scenario, u64::MAX, true)
}

/// Runs a scenario, but stops once `events_max` events have run (the fuzzer's bound): the outcome then fails
/// with a sentence saying so.
pub fn run_scenario_bounded(scenario: &Scenario, events_max: u64) -> Result<Outcome, String> {
    run_scenario_inner(scenario, events_max, false)
}

fn run_scenario_inner(scenario: &Scenario, events_max: u64, journal: bool) -> Result<Outcome, String> {
    let mut cluster = Cluster::new(scenario.config.clone())?;
    if journal {
        cluster.enable_journal();
    }
    let mut memory = Memory::new();
    let mut steps = Vec::new();
    let mut failures = Vec::new();
    let mut order: Vec<usize> = (0..scenario.steps.len()).collect();
    order.sort_by(|a, b| scenario.steps[*a].at_ms.total_cmp(&scenario.steps[*b].at_ms));
    let expects_violation = scenario.steps.iter().any(|s| s.expect.as_ref().is_some_and(|e| e.violated.is_some()));
    for i in order {
        let step = &scenario.steps[i];
        let at_us = (step.at_ms * 1000.0).round() as u64;
        while cluster.events() < events_max && cluster.step_event_until(at_us) {}
        if cluster.events() >= events_max {
            failures.push(format!("stopped after {events_max} events, before step {} at {} ms", i + 1, step.at_ms));
            break;
        }
        cluster.run_until(at_us);
        if let Some(action) = &step.action {
            let result = resolve_command(&cluster, &memory, action).and_then(|(value, target)| {
                let cmd: Command = serde_json::from_value(value).map_err(|e| format!("bad command: {e}"))?;
                let what = cmd.describe();
                cluster.apply(cmd)?;
                if let (Some(name), Some(id)) = (&step.remember, target) {
                    let term = cluster.node(id).map_or(0, |n| n.term());
                    memory.insert(name.clone(), (id, term));
                }
                Ok(what)
            });
            let at = format!("step {} at {} ms", i + 1, step.at_ms);
            let (what, ok, fails) = match (result, &step.refused) {
                (Ok(what), None) => (what, true, Vec::new()),
                (Err(e), None) => (format!("do {action}"), false, vec![format!("{at}: {e}")]),
                (Err(e), Some(want)) if e.contains(want.as_str()) => (format!("refused: {e}"), true, Vec::new()),
                (Err(e), Some(want)) => {
                    (format!("do {action}"), false, vec![format!("{at}: refused with \"{e}\", expected \"{want}\"")])
                }
                (Ok(what), Some(want)) => {
                    (what, false, vec![format!("{at}: the command was accepted, expected a refusal saying \"{want}\"")])
                }
            };
            failures.extend(fails.iter().cloned());
            steps.push(StepReport { at_ms: step.at_ms, what, ok, failures: fails });
        }
        if let Some(expect) = &step.expect {
            let fails: Vec<String> = expect
                .check(&cluster, &memory)
                .into_iter()
                .map(|f| format!("step {} at {} ms: {f}", i + 1, step.at_ms))
                .collect();
            let what = format!("expect {}", serde_json::to_string(expect).expect("serializes"));
            failures.extend(fails.iter().cloned());
            steps.push(StepReport { at_ms: step.at_ms, what, ok: fails.is_empty(), failures: fails });
        }
    }
    if let Some(at_ms) = scenario.at_ms {
        let at_us = (at_ms * 1000.0).round() as u64;
        while cluster.events() < events_max && cluster.step_event_until(at_us) {}
        if cluster.now_us() <= at_us {
            cluster.run_until(at_us);
        }
    }
    if !expects_violation && cluster.violation_count() > 0 {
        let v = &cluster.violations()[0];
        failures.push(format!("invariant {} violated at {} ms: {}", v.invariant.name(), v.at_us / 1000, v.message));
    }
    Ok(Outcome {
        scenario: scenario.name.clone(),
        passed: failures.is_empty(),
        failures,
        steps,
        trace_hash: format!("{:016x}", cluster.trace_hash()),
        views: cluster.all_views(),
        cluster: Some(cluster),
        memory,
    })
}
