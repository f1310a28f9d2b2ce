//! Learn mode: the course (course/course.json, fetched when first opened) walked page by page on the live
//! simulator. Each page loads its scenario's run at the step's moment and plays it to the step's end; a
//! question plays on to its reveal and marks the answer from the run; an exercise loads its set-up and grades
//! the run every frame (raft-core's `course::Goal`). Where the course stands is in the address
//! (`#learn/<chapter>/<page>`), so every page has a link. Leaving the course keeps the cluster as it is.

use crate::sim::Sim;
use crate::watch::Aspect;
use leptos::prelude::*;
use raft_core::course::{self, Course, Grade, Page, Since};
use raft_core::run_file::RunFile;
use raft_core::scenario::{parse, resolved_commands};
use raft_core::sim::Timed;
use raft_core::SimConfig;
use std::collections::HashMap;
use std::sync::Arc;

pub const COURSE_URL: &str = "course/course.json";
pub const LINK_PREFIX: &str = "#learn";
/// Exercises play a little faster than the course's steps: the student waits on their own actions.
const EXERCISE_SPEED: f64 = 0.1;

/// A question's state on its page: the choice made, then which choices the run proved right.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub chosen: usize,
    pub right: Option<Vec<bool>>,
}

/// An exercise in progress: what was true at its start, the latest grade, hints shown, and when it was solved.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub since: Since,
    pub grade: Grade,
    pub hints: usize,
    pub solved: bool,
    pub tries: u32,
}

/// A misconception's run on screen, until the next page.
#[derive(Clone, Debug, PartialEq)]
pub struct Myth {
    pub id: String,
}

#[derive(Clone, Copy)]
pub struct Learn {
    pub course: RwSignal<Option<Arc<Course>>>,
    /// The course panel is shown (false: sandbox, the course remembers where it was).
    pub open: RwSignal<bool>,
    /// Chapter and page (0-based).
    pub at: RwSignal<(usize, usize)>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    pub answer: RwSignal<Option<Answer>>,
    pub attempt: RwSignal<Option<Attempt>>,
    pub myth: RwSignal<Option<Myth>>,
    /// The chapter list is unfolded.
    pub outline: RwSignal<bool>,
    /// Scenario runs by name: config and the commands with every "leader" resolved.
    runs: StoredValue<HashMap<String, (SimConfig, Vec<Timed>)>, LocalStorage>,
    /// Bumped by every page change, so that a slow fetch for an older page does nothing.
    generation: StoredValue<u64, LocalStorage>,
    /// Attempts at the exercise on screen (Retry counts one more; a new page starts at 0).
    tries: StoredValue<u32, LocalStorage>,
}

/// The address names a course page (the page opens in learn mode).
pub fn in_address() -> bool {
    web_sys::window().and_then(|w| w.location().hash().ok()).is_some_and(|h| h.starts_with(LINK_PREFIX))
}

fn ms(t: f64) -> u64 {
    (t * 1000.0).round() as u64
}

impl Learn {
    pub fn new() -> Self {
        Learn {
            course: RwSignal::new(None),
            open: RwSignal::new(false),
            at: RwSignal::new((0, 0)),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            answer: RwSignal::new(None),
            attempt: RwSignal::new(None),
            myth: RwSignal::new(None),
            outline: RwSignal::new(false),
            runs: StoredValue::new_local(HashMap::new()),
            generation: StoredValue::new_local(0),
            tries: StoredValue::new_local(0),
        }
    }

    /// The page shown, if the course is loaded.
    pub fn with_page<R>(&self, f: impl FnOnce(&Course, usize, Page<'_>) -> R) -> Option<R> {
        let (ch, page) = self.at.get();
        self.course.with(|c| {
            let c = c.as_ref()?;
            let p = c.chapters.get(ch)?.page(page)?;
            Some(f(c, ch, p))
        })
    }

    /// Opens the course where the address says (`#learn/<chapter>/<page>`), or where it was left.
    pub fn open_course(&self, sim: Sim) {
        self.open.set(true);
        let learn = *self;
        leptos::task::spawn_local(async move {
            if let Err(e) = learn.loaded_course().await {
                learn.error.set(Some(e));
                return;
            }
            let (ch, page) = learn.address_page().unwrap_or_else(|| learn.at.get_untracked());
            learn.go(sim, ch, page);
        });
    }

    /// Leaves the course: the cluster stays as it is, to play with.
    pub fn leave(&self, sim: Sim) {
        self.open.set(false);
        sim.stop_at_us.set(None);
        self.attempt.set(None);
        self.answer.set(None);
        crate::permalink::set_fragment("");
    }

    /// The course, fetched the first time.
    pub async fn loaded_course(&self) -> Result<Arc<Course>, String> {
        if let Some(c) = self.course.get_untracked() {
            return Ok(c);
        }
        let text = crate::fetch::text(COURSE_URL).await?;
        let known = |n: &str| crate::scenarios::BUILT_IN.iter().any(|(name, _)| *name == n);
        let course = Arc::new(course::parse(&text, known).map_err(|e| format!("{COURSE_URL}: {e}"))?);
        self.course.set(Some(course.clone()));
        // Every scenario the course names, fetched once now: the pages then open without waiting, and the
        // service worker keeps them for offline use.
        for name in course.scenarios() {
            let url = format!("scenarios/{name}.json");
            leptos::task::spawn_local(async move {
                let _ = crate::fetch::text(&url).await;
            });
        }
        Ok(course)
    }

    /// The course and page named in the address, if it names one that exists.
    fn address_page(&self) -> Option<(usize, usize)> {
        let hash = web_sys::window()?.location().hash().ok()?;
        let rest = hash.strip_prefix(LINK_PREFIX)?;
        let mut parts = rest.trim_start_matches('/').split('/');
        let id = parts.next().filter(|s| !s.is_empty())?;
        let page: usize = parts.next().and_then(|p| p.parse().ok()).unwrap_or(1);
        self.course.with_untracked(|c| {
            let (i, chapter) = c.as_ref()?.chapter(id)?;
            Some((i, page.clamp(1, chapter.pages()) - 1))
        })
    }

    fn write_address(&self, ch: usize, page: usize) {
        let Some(id) =
            self.course.with_untracked(|c| c.as_ref().and_then(|c| c.chapters.get(ch)).map(|c| c.id.clone()))
        else {
            return;
        };
        crate::permalink::set_fragment(&format!("{LINK_PREFIX}/{id}/{}", page + 1));
    }

    /// Pages in order across chapters: the next one after (ch, page), if any.
    pub fn next_of(&self, ch: usize, page: usize) -> Option<(usize, usize)> {
        self.course.with_untracked(|c| {
            let c = c.as_ref()?;
            if page + 1 < c.chapters.get(ch)?.pages() {
                Some((ch, page + 1))
            } else {
                (ch + 1 < c.chapters.len()).then_some((ch + 1, 0))
            }
        })
    }

    pub fn prev_of(&self, ch: usize, page: usize) -> Option<(usize, usize)> {
        if page > 0 {
            return Some((ch, page - 1));
        }
        let prev = ch.checked_sub(1)?;
        self.course.with_untracked(|c| Some((prev, c.as_ref()?.chapters.get(prev)?.pages() - 1)))
    }

    pub fn next(&self, sim: Sim) {
        let (ch, page) = self.at.get_untracked();
        if let Some((c, p)) = self.next_of(ch, page) {
            self.go(sim, c, p);
        }
    }

    pub fn back(&self, sim: Sim) {
        let (ch, page) = self.at.get_untracked();
        if let Some((c, p)) = self.prev_of(ch, page) {
            self.go(sim, c, p);
        }
    }

    /// Shows a page: its scenario's run at its moment, playing to its end (a step), waiting for an answer (a
    /// question), or set up for the student (an exercise).
    pub fn go(&self, sim: Sim, ch: usize, page: usize) {
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        self.at.set((ch, page));
        self.answer.set(None);
        self.attempt.set(None);
        self.myth.set(None);
        self.error.set(None);
        self.outline.set(false);
        self.write_address(ch, page);
        self.tries.set_value(0);
        sim.stop_at_us.set(None);
        let Some(target) = self.course.with_untracked(|c| {
            let p = c.as_ref()?.chapters.get(ch)?.page(page)?;
            Some(match p {
                Page::Step(s) => Target::Step(Box::new(s.clone())),
                Page::Exercise(e) => Target::Exercise(Box::new(e.clone())),
            })
        }) else {
            return;
        };
        let learn = *self;
        leptos::task::spawn_local(async move {
            let scenario = match &target {
                Target::Step(s) => s.scenario.clone(),
                Target::Exercise(e) => e.scenario.clone(),
            };
            learn.busy.set(true);
            let run = learn.scenario_run(&scenario).await;
            learn.busy.set(false);
            if learn.generation.get_value() != generation {
                return;
            }
            match run {
                Ok((config, commands)) => learn.show(sim, target, config, commands),
                Err(e) => learn.error.set(Some(e)),
            }
        });
    }

    /// A misconception's run at the moment that disproves it.
    pub fn show_myth(&self, sim: Sim, id: &str) {
        let Some(m) = self.course.with_untracked(|c| c.as_ref().and_then(|c| c.misconception(id)).cloned()) else {
            return;
        };
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        let learn = *self;
        leptos::task::spawn_local(async move {
            let run = learn.scenario_run(&m.scenario).await;
            if learn.generation.get_value() != generation {
                return;
            }
            match run {
                Ok((config, commands)) => {
                    let run = RunFile { config, commands, at_us: ms(m.at_ms) };
                    sim.load(run, move |r| match r {
                        Ok(()) => learn.myth.set(Some(Myth { id: m.id.clone() })),
                        Err(e) => learn.error.set(Some(e)),
                    });
                }
                Err(e) => learn.error.set(Some(e)),
            }
        });
    }

    fn show(&self, sim: Sim, target: Target, config: SimConfig, commands: Vec<Timed>) {
        let learn = *self;
        match target {
            Target::Step(step) => {
                let run = RunFile { config, commands, at_us: ms(step.at_ms) };
                sim.load(run, move |r| {
                    if let Err(e) = r {
                        return learn.error.set(Some(e));
                    }
                    sim.speed.set(step.speed.unwrap_or(crate::sim::SPEED_DEFAULT));
                    let play_to = if step.question.is_some() { None } else { step.until_ms.map(ms) };
                    sim.stop_at_us.set(play_to);
                    sim.playing.set(play_to.is_some());
                });
            }
            Target::Exercise(ex) => {
                let start_us = ms(ex.start_ms);
                let commands = commands.into_iter().filter(|t| t.at_us <= start_us).collect();
                let run = RunFile { config, commands, at_us: start_us };
                let tries = self.tries.get_value();
                sim.load(run, move |r| {
                    if let Err(e) = r {
                        return learn.error.set(Some(e));
                    }
                    let since = sim.peek_recording(Since::capture);
                    let grade = sim.peek_recording(|r| ex.goal.grade(r, &since, &ex.forbid));
                    learn.attempt.set(Some(Attempt {
                        since,
                        grade,
                        hints: usize::from(tries > 0),
                        solved: false,
                        tries,
                    }));
                    sim.speed.set(EXERCISE_SPEED);
                    sim.playing.set(true);
                });
            }
        }
    }

    /// Starts the exercise on screen again from its set-up, with the first hint shown.
    pub fn retry(&self, sim: Sim) {
        let (ch, page) = self.at.get_untracked();
        let tries = self.tries.get_value() + 1;
        self.go(sim, ch, page);
        // Read when the set-up has loaded: the new attempt starts with a hint shown.
        self.tries.set_value(tries);
    }

    /// The scenario's run with its node references resolved, fetched and run once per page load.
    async fn scenario_run(&self, name: &str) -> Result<(SimConfig, Vec<Timed>), String> {
        if let Some(run) = self.runs.with_value(|m| m.get(name).cloned()) {
            return Ok(run);
        }
        let text = crate::fetch::text(&format!("scenarios/{name}.json")).await?;
        let scenario = parse(&text).map_err(|e| format!("scenarios/{name}.json: {e}"))?;
        let run = (scenario.config.clone(), resolved_commands(&scenario)?);
        self.runs.update_value(|m| {
            m.insert(name.to_string(), run.clone());
        });
        Ok(run)
    }

    /// Picks an answer: the run plays on to the reveal, where the answer is marked (see `watch_run`).
    pub fn choose(&self, sim: Sim, i: usize) {
        if self.answer.get_untracked().is_some() {
            return;
        }
        let Some(reveal_ms) = self
            .with_page_untracked(|p| match p {
                Page::Step(s) => s.question.as_ref().map(|q| q.reveal_ms),
                Page::Exercise(_) => None,
            })
            .flatten()
        else {
            return;
        };
        self.answer.set(Some(Answer { chosen: i, right: None }));
        sim.stop_at_us.set(Some(ms(reveal_ms)));
        sim.playing.set(true);
    }

    fn with_page_untracked<R>(&self, f: impl FnOnce(Page<'_>) -> R) -> Option<R> {
        let (ch, page) = self.at.get_untracked();
        self.course.with_untracked(|c| Some(f(c.as_ref()?.chapters.get(ch)?.page(page)?)))
    }

    /// Every frame: grades the exercise on screen, and marks a question's answer once the run reaches the
    /// reveal.
    pub fn watch_run(&self, sim: Sim) {
        let learn = *self;
        Effect::new(move |_| {
            sim.watch.track(Aspect::Clock);
            if !learn.open.get_untracked() {
                return;
            }
            if let Some(a) = learn.attempt.get_untracked().filter(|a| !a.solved) {
                let graded = learn.with_page_untracked(|p| match p {
                    Page::Exercise(ex) => Some(sim.peek_recording(|r| ex.goal.grade(r, &a.since, &ex.forbid))),
                    Page::Step(_) => None,
                });
                if let Some(Some(grade)) = graded {
                    if grade != a.grade {
                        let solved = grade.done;
                        // A failed attempt shows the next hint (once per failure).
                        let hints = if grade.failed && !a.grade.failed { a.hints + 1 } else { a.hints };
                        learn.attempt.set(Some(Attempt { grade, solved, hints, ..a }));
                    }
                }
            }
            if let Some(ans) = learn.answer.get_untracked().filter(|a| a.right.is_none()) {
                let marks = learn.with_page_untracked(|p| match p {
                    Page::Step(s) => s.question.as_ref().and_then(|q| {
                        let reached = sim.peek(|c| c.now_us()) >= ms(q.reveal_ms);
                        reached.then(|| {
                            sim.peek(|c| q.choices.iter().map(|ch| ch.expect.check_now(c).is_empty()).collect())
                        })
                    }),
                    Page::Exercise(_) => None,
                });
                if let Some(Some(right)) = marks {
                    learn.answer.set(Some(Answer { right: Some(right), ..ans }));
                    sim.playing.set(false);
                }
            }
        });
    }
}

impl Default for Learn {
    fn default() -> Self {
        Self::new()
    }
}

enum Target {
    Step(Box<course::Step>),
    Exercise(Box<course::Exercise>),
}

/// What `window.raft.course()` returns: the chapters (id, title, steps, exercises, questions), the
/// misconceptions, and `coverage`, from each rule of Figure 2 and property of Figure 3 to what teaches it.
pub fn course_summary(c: &Course) -> serde_json::Value {
    use serde_json::json;
    let chapters: Vec<_> = c
        .chapters
        .iter()
        .map(|ch| {
            let questions: Vec<_> = ch
                .steps
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.question.as_ref().map(|q| (i, q)))
                .map(|(i, q)| {
                    json!({"id": q.id, "step": i + 1, "prompt": q.prompt, "teaches": q.teaches,
                           "choices": q.choices.iter().map(|c| c.text.clone()).collect::<Vec<_>>()})
                })
                .collect();
            json!({
                "id": ch.id,
                "title": ch.title,
                "link": format!("{LINK_PREFIX}/{}/1", ch.id),
                "steps": ch.steps.iter().map(|s| json!({"text": s.text, "scenario": s.scenario, "at_ms": s.at_ms, "teaches": s.teaches})).collect::<Vec<_>>(),
                "exercises": ch.exercises.iter().map(|e| json!({"id": e.id, "title": e.title, "task": e.task, "teaches": e.teaches})).collect::<Vec<_>>(),
                "questions": questions,
                "misconceptions": ch.misconceptions,
            })
        })
        .collect();
    json!({
        "title": c.title,
        "chapters": chapters,
        "misconceptions": c.misconceptions.iter().map(|m| json!({"id": m.id, "claim": m.claim, "truth": m.truth, "scenario": m.scenario})).collect::<Vec<_>>(),
        "rules": course::rules::all().map(|(id, text)| json!({"id": id, "text": text})).collect::<Vec<_>>(),
        "coverage": c.coverage(),
    })
}
