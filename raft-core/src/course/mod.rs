//! Learn mode's course as data: chapters of short steps, each tied to a scenario file and a moment of its run,
//! questions whose answer the run reveals, exercises graded from the simulator's state and journal, and
//! misconceptions each disproved by a scenario. The file is `course/course.json`; this module parses and checks
//! it, computes which step teaches which rule of the paper (`rules`), and grades exercises (`goal`).

pub mod goal;
pub mod rules;
pub mod verify;

pub use goal::{Goal, Grade, Since};

use crate::scenario::Expectation;
use crate::sim::Command;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Limits, stated: a course file, its chapters and the pages of one chapter.
pub const COURSE_BYTES_MAX: usize = 512 * 1024;
pub const CHAPTERS_MAX: usize = 50;
pub const PAGES_PER_CHAPTER_MAX: usize = 100;
pub const CHOICES_MAX: usize = 6;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Course {
    pub title: String,
    pub chapters: Vec<Chapter>,
    #[serde(default)]
    pub misconceptions: Vec<Misconception>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chapter {
    /// In links: `#learn/<id>/<page>`.
    pub id: String,
    pub title: String,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub exercises: Vec<Exercise>,
    /// Ids of misconceptions that arise here.
    #[serde(default)]
    pub misconceptions: Vec<String>,
}

/// One or two sentences on the live cluster: the scenario is shown at `at_ms`, then plays to `until_ms` (if
/// given) and pauses. `expect` holds at `until_ms` (or `at_ms`): the test that keeps the text honest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub text: String,
    pub scenario: String,
    #[serde(default)]
    pub at_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_ms: Option<f64>,
    /// Playback speed while it plays (virtual per real time); the page's default if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expectation>,
    #[serde(default)]
    pub teaches: Vec<String>,
    /// Predict, then reveal: asked at `at_ms`, answered by the run at `reveal_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    pub choices: Vec<Choice>,
    pub reveal_ms: f64,
    /// Why the right answer is right, shown after the reveal.
    pub explain: String,
    #[serde(default)]
    pub teaches: Vec<String>,
}

/// A choice is right when its expectation holds on the cluster at the reveal (exactly one does; a test checks).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub text: String,
    pub expect: Expectation,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub id: String,
    pub title: String,
    pub task: String,
    /// The set-up: this scenario's run up to `start_ms` (its later commands are not played).
    pub scenario: String,
    #[serde(default)]
    pub start_ms: f64,
    pub goal: Goal,
    /// Commands the task rules out ("crash", "timeout", …: the `cmd` names of the command format).
    #[serde(default)]
    pub forbid: Vec<String>,
    /// Shown one at a time after a failed attempt or on request.
    pub hints: Vec<String>,
    #[serde(default)]
    pub teaches: Vec<String>,
    /// A way to solve it (the test plays it and expects the goal reached within `within_ms`).
    pub solution: Attempt,
    /// A wrong attempt and the words its feedback must contain.
    pub wrong: Attempt,
}

/// Commands done after the exercise starts, and how long the run then gets.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attempt {
    pub steps: Vec<AttemptStep>,
    pub within_ms: f64,
    /// For a wrong attempt: words its feedback must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_contains: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttemptStep {
    /// After the exercise's start.
    pub after_ms: f64,
    #[serde(rename = "do")]
    pub action: Command,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Misconception {
    pub id: String,
    pub claim: String,
    /// What is true instead, in a sentence or two.
    pub truth: String,
    pub scenario: String,
    pub at_ms: f64,
    /// Holds at `at_ms` and contradicts the claim.
    pub expect: Expectation,
}

/// A page of a chapter: its steps, then its exercises.
#[derive(Clone, Copy, Debug)]
pub enum Page<'a> {
    Step(&'a Step),
    Exercise(&'a Exercise),
}

impl Chapter {
    pub fn pages(&self) -> usize {
        self.steps.len() + self.exercises.len()
    }

    /// Page `i` (0-based).
    pub fn page(&self, i: usize) -> Option<Page<'_>> {
        match i.checked_sub(self.steps.len()) {
            None => self.steps.get(i).map(Page::Step),
            Some(j) => self.exercises.get(j).map(Page::Exercise),
        }
    }
}

impl Course {
    pub fn chapter(&self, id: &str) -> Option<(usize, &Chapter)> {
        self.chapters.iter().enumerate().find(|(_, c)| c.id == id)
    }

    pub fn misconception(&self, id: &str) -> Option<&Misconception> {
        self.misconceptions.iter().find(|m| m.id == id)
    }

    /// Every scenario the course names (steps, exercises, misconceptions), once each.
    pub fn scenarios(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .chapters
            .iter()
            .flat_map(|c| {
                c.steps.iter().map(|s| s.scenario.as_str()).chain(c.exercises.iter().map(|e| e.scenario.as_str()))
            })
            .chain(self.misconceptions.iter().map(|m| m.scenario.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Each rule and property id, and what teaches it: "election/3" (chapter/page, 1-based), "exercise:ID" or
    /// "question:ID". An id nothing teaches maps to an empty list.
    pub fn coverage(&self) -> BTreeMap<&'static str, Vec<String>> {
        let mut map: BTreeMap<&'static str, Vec<String>> = rules::all().map(|(id, _)| (*id, Vec::new())).collect();
        let mut add = |ids: &[String], by: String| {
            for id in ids {
                if let Some(list) = map.get_mut(id.as_str()) {
                    list.push(by.clone());
                }
            }
        };
        for c in &self.chapters {
            for (i, s) in c.steps.iter().enumerate() {
                add(&s.teaches, format!("{}/{}", c.id, i + 1));
                if let Some(q) = &s.question {
                    add(&q.teaches, format!("question:{}", q.id));
                }
            }
            for e in &c.exercises {
                add(&e.teaches, format!("exercise:{}", e.id));
            }
        }
        map
    }

    /// Rule and property ids nothing teaches.
    pub fn uncovered(&self) -> Vec<&'static str> {
        self.coverage().into_iter().filter(|(_, by)| by.is_empty()).map(|(id, _)| id).collect()
    }
}

/// Parses and checks a course file: a malformed one gets a message with line and column, a wrong one names
/// the chapter and page. `scenario_known` says whether a scenario name exists.
pub fn parse(text: &str, scenario_known: impl Fn(&str) -> bool) -> Result<Course, String> {
    if text.len() > COURSE_BYTES_MAX {
        return Err(format!(
            "a course file is at most {} KB; this one is {} KB",
            COURSE_BYTES_MAX / 1024,
            text.len() / 1024
        ));
    }
    let course: Course =
        serde_json::from_str(text).map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))?;
    if course.chapters.is_empty() || course.chapters.len() > CHAPTERS_MAX {
        return Err(format!("a course has 1 to {CHAPTERS_MAX} chapters"));
    }
    let time_ok = |t: f64| t.is_finite() && (0.0..=86_400_000.0).contains(&t);
    let mut ids = std::collections::BTreeSet::new();
    for m in &course.misconceptions {
        let at = format!("misconception \"{}\"", m.id);
        if !ids.insert(format!("m:{}", m.id)) {
            return Err(format!("{at} is defined twice"));
        }
        if !scenario_known(&m.scenario) {
            return Err(format!("{at}: unknown scenario \"{}\"", m.scenario));
        }
        if !time_ok(m.at_ms) {
            return Err(format!("{at}: at_ms must be between 0 and 86400000"));
        }
        m.expect.validate().map_err(|e| format!("{at}: {e}"))?;
    }
    for c in &course.chapters {
        if c.id.is_empty() || !c.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(format!("chapter id \"{}\": lowercase letters, digits and dashes only", c.id));
        }
        if !ids.insert(format!("c:{}", c.id)) {
            return Err(format!("chapter \"{}\" is defined twice", c.id));
        }
        if c.steps.is_empty() || c.pages() > PAGES_PER_CHAPTER_MAX {
            return Err(format!("chapter \"{}\": 1 to {PAGES_PER_CHAPTER_MAX} pages", c.id));
        }
        for m in &c.misconceptions {
            if course.misconception(m).is_none() {
                return Err(format!("chapter \"{}\": unknown misconception \"{m}\"", c.id));
            }
        }
        for (i, s) in c.steps.iter().enumerate() {
            let at = format!("chapter \"{}\", step {}", c.id, i + 1);
            if s.text.trim().is_empty() {
                return Err(format!("{at}: the text is empty"));
            }
            if !scenario_known(&s.scenario) {
                return Err(format!("{at}: unknown scenario \"{}\"", s.scenario));
            }
            if !time_ok(s.at_ms) || s.until_ms.is_some_and(|u| !time_ok(u) || u < s.at_ms) {
                return Err(format!("{at}: at_ms and until_ms are between 0 and 86400000, until_ms not before at_ms"));
            }
            if s.speed.is_some_and(|v| !(v > 0.0 && v <= 100.0)) {
                return Err(format!("{at}: speed is above 0 and at most 100"));
            }
            check_teaches(&s.teaches, &at)?;
            if let Some(e) = &s.expect {
                e.validate().map_err(|e| format!("{at}: {e}"))?;
            }
            if let Some(q) = &s.question {
                let at = format!("{at}, question \"{}\"", q.id);
                if !ids.insert(format!("q:{}", q.id)) {
                    return Err(format!("{at} is defined twice"));
                }
                if q.choices.len() < 2 || q.choices.len() > CHOICES_MAX {
                    return Err(format!("{at}: 2 to {CHOICES_MAX} choices"));
                }
                if !time_ok(q.reveal_ms) || q.reveal_ms < s.at_ms {
                    return Err(format!("{at}: reveal_ms is after the step's at_ms"));
                }
                check_teaches(&q.teaches, &at)?;
                for ch in &q.choices {
                    ch.expect.validate().map_err(|e| format!("{at}: {e}"))?;
                }
            }
        }
        for e in &c.exercises {
            let at = format!("chapter \"{}\", exercise \"{}\"", c.id, e.id);
            if !ids.insert(format!("e:{}", e.id)) {
                return Err(format!("{at} is defined twice"));
            }
            if !scenario_known(&e.scenario) {
                return Err(format!("{at}: unknown scenario \"{}\"", e.scenario));
            }
            if e.hints.is_empty() {
                return Err(format!("{at}: give at least one hint"));
            }
            if !time_ok(e.start_ms) || !time_ok(e.solution.within_ms) || !time_ok(e.wrong.within_ms) {
                return Err(format!("{at}: times are between 0 and 86400000 ms"));
            }
            if e.wrong.feedback_contains.as_deref().is_none_or(|f| f.trim().is_empty()) {
                return Err(format!("{at}: the wrong attempt names words its feedback must contain"));
            }
            for f in &e.forbid {
                if !Command::NAMES.contains(&f.as_str()) {
                    return Err(format!("{at}: forbid: unknown command \"{f}\""));
                }
            }
            check_teaches(&e.teaches, &at)?;
        }
    }
    Ok(course)
}

fn check_teaches(ids: &[String], at: &str) -> Result<(), String> {
    match ids.iter().find(|id| !rules::known(id)) {
        Some(id) => Err(format!("{at}: teaches unknown rule \"{id}\"")),
        None => Ok(()),
    }
}
