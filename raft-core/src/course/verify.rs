//! Plays a whole course against the simulator: every step's expectation, every question (exactly one choice
//! right), every exercise's solution (graded done) and wrong attempt (not done, with the feedback it names),
//! every misconception's evidence, and the coverage of the paper's rules. The course test and `raft-sim course`
//! both run it.

use super::{Course, Exercise, Since};
use crate::scenario::{resolved_commands, Scenario};
use crate::sim::{Cluster, Recording, Timed};
use crate::types::TimeUs;

fn ms(t: f64) -> TimeUs {
    (t * 1000.0).round() as TimeUs
}

/// A scenario's run as a recording at time 0: its commands resolved ("leader" made a node) by running it once,
/// keeping only those at or before `up_to_us` (an exercise's set-up stops where the student takes over).
pub fn setup(scenario: &Scenario, up_to_us: Option<TimeUs>) -> Result<Recording, String> {
    let mut tape: Vec<Timed> = resolved_commands(scenario)?;
    tape.retain(|t| up_to_us.is_none_or(|u| t.at_us <= u));
    Ok(Recording::with_tape(Cluster::new(scenario.config.clone())?, tape))
}

/// Plays an attempt at an exercise from its start; the grade once done, or at the end of `within_ms`.
pub fn play_attempt(ex: &Exercise, scenario: &Scenario, attempt: &super::Attempt) -> Result<super::Grade, String> {
    let start_us = ms(ex.start_ms);
    let mut rec = setup(scenario, Some(start_us))?;
    rec.jump_to(start_us)?;
    let since = Since::capture(&rec);
    let end_us = start_us + ms(attempt.within_ms);
    let mut steps = attempt.steps.iter().peekable();
    let mut t = start_us;
    loop {
        while let Some(s) = steps.next_if(|s| start_us + ms(s.after_ms) <= t) {
            rec.apply(s.action.clone()).map_err(|e| format!("{}: {e}", s.action.describe()))?;
        }
        let grade = ex.goal.grade(&rec, &since, &ex.forbid);
        if grade.done || t >= end_us {
            return Ok(grade);
        }
        // The page grades about once a frame; 10 virtual ms is finer than a frame at the default speed.
        let next_step = steps.peek().map_or(TimeUs::MAX, |s| start_us + ms(s.after_ms));
        t = (t + 10_000).min(end_us).min(next_step.max(t));
        rec.advance_to(t)?;
    }
}

/// Every failure found, one sentence each; empty when the course holds.
pub fn verify(course: &Course, load: impl Fn(&str) -> Result<Scenario, String>) -> Vec<String> {
    let mut fails = Vec::new();
    let at_time = |name: &str, t_us: TimeUs| -> Result<Recording, String> {
        let mut rec = setup(&load(name)?, None)?;
        rec.jump_to(t_us)?;
        Ok(rec)
    };
    for c in &course.chapters {
        for (i, s) in c.steps.iter().enumerate() {
            let at = format!("{}/{}", c.id, i + 1);
            let shown_us = ms(s.until_ms.unwrap_or(s.at_ms));
            if let Some(e) = &s.expect {
                match at_time(&s.scenario, shown_us) {
                    Ok(rec) => fails.extend(e.check_now(rec.cluster()).into_iter().map(|f| format!("{at}: {f}"))),
                    Err(e) => fails.push(format!("{at}: {e}")),
                }
            }
            if let Some(q) = &s.question {
                match at_time(&s.scenario, ms(q.reveal_ms)) {
                    Ok(rec) => {
                        let right: Vec<&str> = q
                            .choices
                            .iter()
                            .filter(|ch| ch.expect.check_now(rec.cluster()).is_empty())
                            .map(|ch| ch.text.as_str())
                            .collect();
                        if right.len() != 1 {
                            fails.push(format!(
                                "{at}, question {}: {} choices hold at the reveal ({right:?}); exactly one must",
                                q.id,
                                right.len()
                            ));
                        }
                    }
                    Err(e) => fails.push(format!("{at}, question {}: {e}", q.id)),
                }
            }
        }
        if c.exercises.is_empty() {
            fails.push(format!("chapter {} has no exercise", c.id));
        }
        for ex in &c.exercises {
            let at = format!("exercise {}", ex.id);
            let scenario = match load(&ex.scenario) {
                Ok(s) => s,
                Err(e) => {
                    fails.push(format!("{at}: {e}"));
                    continue;
                }
            };
            match play_attempt(ex, &scenario, &ex.solution) {
                Ok(g) if g.done => {}
                Ok(g) => fails.push(format!("{at}: the solution is not graded done: {}", g.feedback)),
                Err(e) => fails.push(format!("{at}: the solution failed: {e}")),
            }
            let want = ex.wrong.feedback_contains.as_deref().unwrap_or("");
            match play_attempt(ex, &scenario, &ex.wrong) {
                Ok(g) if g.done => fails.push(format!("{at}: the wrong attempt is graded done: {}", g.feedback)),
                Ok(g) if !g.feedback.contains(want) => {
                    fails.push(format!("{at}: the wrong attempt's feedback lacks \"{want}\": {}", g.feedback))
                }
                Ok(_) => {}
                Err(e) => fails.push(format!("{at}: the wrong attempt failed: {e}")),
            }
        }
    }
    for m in &course.misconceptions {
        match at_time(&m.scenario, ms(m.at_ms)) {
            Ok(rec) => fails
                .extend(m.expect.check_now(rec.cluster()).into_iter().map(|f| format!("misconception {}: {f}", m.id))),
            Err(e) => fails.push(format!("misconception {}: {e}", m.id)),
        }
    }
    for id in course.uncovered() {
        fails.push(format!("nothing teaches {id}"));
    }
    fails
}
