//! The learn mode's course (course/course.json) played against the simulator: every step's expectation, every
//! question has exactly one right answer at its reveal, every exercise's solution is graded done and its wrong
//! attempt is not (with the feedback it names), every misconception is disproved by its scenario, and every
//! rule of Figure 2 and property of Figure 3 is taught somewhere. Plus the checks themselves seen failing.

use raft_core::course::{self, verify, Course, Goal};
use raft_core::scenario::{parse, Scenario};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn load(name: &str) -> Result<Scenario, String> {
    let path = root().join("scenarios").join(format!("{name}.json"));
    parse(&std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?)
}

fn known(name: &str) -> bool {
    root().join("scenarios").join(format!("{name}.json")).is_file()
}

fn the_course() -> Course {
    let text = std::fs::read_to_string(root().join("course/course.json")).expect("course/course.json");
    course::parse(&text, known).expect("the course parses")
}

#[test]
fn the_course_holds_against_the_simulator() {
    let c = the_course();
    let fails = verify::verify(&c, load);
    assert!(fails.is_empty(), "{} failures:\n{}", fails.len(), fails.join("\n"));
    assert!(c.chapters.len() >= 10, "one chapter per topic and per protocol extension");
    assert!(c.chapters.iter().all(|ch| !ch.exercises.is_empty()), "every chapter ends with an exercise");
    assert!(c.chapters.iter().flat_map(|ch| &ch.steps).filter(|s| s.question.is_some()).count() >= 5);
    assert!(c.misconceptions.len() >= 4);
}

#[test]
fn every_rule_and_property_of_the_paper_is_taught() {
    assert_eq!(course::rules::FIGURE_2.len(), 19, "All Servers 2, Followers 2, Candidates 4, Leaders 4, AE 5, RV 2");
    assert_eq!(course::rules::FIGURE_3.len(), 5);
    let c = the_course();
    let coverage = c.coverage();
    assert_eq!(coverage.len(), 24);
    for (id, by) in &coverage {
        assert!(!by.is_empty(), "nothing teaches {id}");
    }
    // The map names real pages: "chapter/page" within the chapter's steps.
    for by in coverage.values().flatten().filter(|b| !b.contains(':')) {
        let (ch, page) = by.split_once('/').unwrap();
        let (_, chapter) = c.chapter(ch).unwrap();
        let page: usize = page.parse().unwrap();
        assert!((1..=chapter.steps.len()).contains(&page), "{by}");
    }
}

/// The checks can fail: a wrong answer marked right, a solution that does nothing, a rule taught nowhere and a
/// misconception whose evidence does not hold are each reported.
#[test]
fn the_checks_fail_on_a_broken_course() {
    let mut c = the_course();
    // Every choice of the first question made to hold: "exactly one" fails.
    let q = c.chapters.iter_mut().flat_map(|ch| &mut ch.steps).find_map(|s| s.question.as_mut()).unwrap();
    let right = q.choices.iter().find(|ch| ch.text == "S5").map(|ch| ch.expect.clone()).unwrap();
    for ch in &mut q.choices {
        ch.expect = right.clone();
    }
    // The first exercise's solution emptied.
    c.chapters[0].exercises[0].solution.steps.clear();
    // A wrong attempt that in fact solves it.
    let ex = c.chapters[1].exercises.iter_mut().find(|e| e.goal == Goal::LeaderIs { node: 3 }).unwrap();
    ex.wrong = ex.solution.clone();
    ex.wrong.feedback_contains = Some("rules it out".into());
    // request-vote-1 taught nowhere.
    for ch in &mut c.chapters {
        for s in &mut ch.steps {
            s.teaches.retain(|t| t != "request-vote-1");
            if let Some(q) = &mut s.question {
                q.teaches.retain(|t| t != "request-vote-1");
            }
        }
        for e in &mut ch.exercises {
            e.teaches.retain(|t| t != "request-vote-1");
        }
    }
    // A misconception's evidence moved to a moment where it does not hold.
    c.misconceptions[1].at_ms = 1.0;
    let fails = verify::verify(&c, load);
    let has = |s: &str| fails.iter().any(|f| f.contains(s));
    assert!(has("5 choices hold"), "{fails:#?}");
    assert!(has("exercise write-everywhere: the solution is not graded done"), "{fails:#?}");
    assert!(has("exercise make-s3-leader: the wrong attempt is graded done"), "{fails:#?}");
    assert!(has("nothing teaches request-vote-1"), "{fails:#?}");
    assert!(has("misconception longest-log-wins"), "{fails:#?}");
}

#[test]
fn a_bad_course_file_gets_a_clear_message() {
    let err = |text: &str| course::parse(text, known).unwrap_err();
    assert!(err("{\"title\": \"x\",\n \"chapters\": [}").starts_with("line 2, column"));
    let one = |step: &str| {
        format!(r#"{{"title": "x", "chapters": [{{"id": "a", "title": "A", "steps": [{step}], "exercises": []}}]}}"#)
    };
    assert!(err(&one(r#"{"text": "t", "scenario": "nope"}"#)).contains("unknown scenario \"nope\""));
    assert!(err(&one(r#"{"text": "t", "scenario": "leader-crash", "teaches": ["leaders-9"]}"#))
        .contains("unknown rule \"leaders-9\""));
    assert!(err(&one(r#"{"text": " ", "scenario": "leader-crash"}"#)).contains("text is empty"));
    assert!(err(&one(r#"{"text": "t", "scenario": "leader-crash", "at_ms": 5, "until_ms": 1}"#)).contains("until_ms"));
    assert!(err(&one(r#"{"text": "t", "scenario": "leader-crash", "speed": 1000}"#)).contains("speed"));
    let q = r#"{"text": "t", "scenario": "leader-crash", "question": {"id": "q", "prompt": "p", "reveal_ms": 5,
        "explain": "e", "choices": [{"text": "a", "expect": {"leader": true}}]}}"#;
    assert!(err(&one(q)).contains("2 to 6 choices"));
    let big = format!("{{\"title\": \"{}\"}}", "x".repeat(course::COURSE_BYTES_MAX));
    assert!(err(&big).contains("at most 512 KB"));
    assert!(err(r#"{"title": "x", "chapters": []}"#).contains("1 to 50 chapters"));
    let dup = r#"{"title": "x", "chapters": [{"id": "a", "title": "A", "steps": [{"text": "t", "scenario": "leader-crash"}]},
        {"id": "a", "title": "B", "steps": [{"text": "t", "scenario": "leader-crash"}]}]}"#;
    assert!(err(dup).contains("defined twice"));
    let bad_id = one(r#"{"text": "t", "scenario": "leader-crash"}"#).replace("\"id\": \"a\"", "\"id\": \"A b\"");
    assert!(err(&bad_id).contains("lowercase"));
}
