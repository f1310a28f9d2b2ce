//! The one harness for tests as data: every file in scenarios/ must pass. Plus proof that expectations can fail.
#![cfg(not(target_arch = "wasm32"))]

use raft_core::scenario::{parse, run_scenario, Scenario};
use raft_core::PlantedBug;
use std::path::PathBuf;

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

fn load(name: &str) -> Scenario {
    let path = scenario_dir().join(name);
    parse(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_scenario_file_passes() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenario_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the scenarios folder holds the issue's scenarios ({} found)", files.len());
    let mut failed = Vec::new();
    for f in &files {
        let scenario = parse(&std::fs::read_to_string(f).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let outcome = run_scenario(&scenario).unwrap();
        println!("{} {}", if outcome.passed { "PASS" } else { "FAIL" }, f.display());
        if !outcome.passed {
            failed.push(format!("{}: {:#?}", f.display(), outcome.failures));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn figure8_expectations_fail_when_the_bug_is_swapped() {
    // The safe scenario's expectations do not hold with the planted bug...
    let mut safe = load("figure8-safe.json");
    safe.config.raft.bugs = [PlantedBug::Figure8Commit].into_iter().collect();
    assert!(!run_scenario(&safe).unwrap().passed, "the safe Figure 8 scenario must fail with the bug planted");
    // ...and without the bug, the violation the buggy scenario expects does not happen.
    let mut buggy = load("figure8-bug.json");
    buggy.config.raft.bugs = Default::default();
    let outcome = run_scenario(&buggy).unwrap();
    assert!(!outcome.passed);
    assert!(outcome.failures.iter().any(|f| f.contains("was not violated")), "{:?}", outcome.failures);
}

#[test]
fn a_wrong_expectation_is_reported_by_name() {
    let mut s = load("array-follower-down.json");
    let last = s.steps.last_mut().unwrap();
    last.expect.as_mut().unwrap().array = Some(vec![1, 2, 3, 4, 5]);
    let outcome = run_scenario(&s).unwrap();
    assert!(!outcome.passed);
    assert!(outcome.failures.iter().all(|f| f.contains("array:")), "{:?}", outcome.failures);
}

#[test]
fn single_voter_expectations_fail_when_the_bug_is_swapped() {
    let mut safe = load("single-voter-sync-window.json");
    safe.config.raft.bugs = [PlantedBug::SingleVoterEarlyLead].into_iter().collect();
    let outcome = run_scenario(&safe).unwrap();
    assert!(!outcome.passed, "the single-voter scenario must fail with the bug planted");
    assert!(
        outcome.failures.iter().any(|f| f.contains("Election Safety")),
        "the checker names the rule: {:?}",
        outcome.failures
    );
    let mut buggy = load("single-voter-early-lead-bug.json");
    buggy.config.raft.bugs = Default::default();
    assert!(!run_scenario(&buggy).unwrap().passed);
}

/// Inputs found by fuzzing `raft-sim run`: each is refused with a message naming the problem, or runs
/// without overflow and refuses the request.
#[test]
fn hostile_numbers_are_refused_with_a_message() {
    let refused = [
        (
            r#"{"name":"x","config":{"machine":{"target":{"x":-9223372036854775808,"y":5}}},"steps":[]}"#,
            "escort target",
        ),
        (r#"{"name":"x","config":{"initial_disks":[{"node":1,"term":18446744073709551615}]},"steps":[]}"#, "limit"),
        (r#"{"name":"x","config":{"initial_disks":[{"node":1,"term":2,"log_terms":[0]}]},"steps":[]}"#, "term 0"),
        (r#"{"name":"x","steps":[{"at_ms":1,"expect":{"logs_match":false}}]}"#, "checks nothing"),
        (r#"{"name":"x","steps":[{"at_ms":1,"expect":{"no_violations":false}}]}"#, "checks nothing"),
        (r#"{"name":"x","steps":[{"at_ms":1,"expect":{"violated":"Electoin Safety"}}]}"#, "unknown invariant"),
        (r#"{"name":"x","config":{"network":{"latency_min_ms":1e-300}},"steps":[]}"#, "resolution"),
        (r#"{"name":"x","config":{"nodes":51},"steps":[{"at_ms":86400000,"expect":{"leader":true}}]}"#, "at most"),
    ];
    for (text, why) in refused {
        let e = parse(text).unwrap_err();
        assert!(e.contains(why), "{text}\n  gave: {e}");
    }
    let requests = [
        r#"{"type":"move","dx":-9223372036854775808,"dy":9223372036854775807}"#,
        r#"{"type":"step","from":{"x":0,"y":0},"to":{"x":-9223372036854775808,"y":0}}"#,
    ];
    for op in requests {
        let text = format!(
            r#"{{"name":"x","steps":[{{"at_ms":1000,"do":{{"cmd":"request","op":{op}}}}},
                {{"at_ms":2000,"expect":{{"last_request":{{"status":"refused","reason_contains":"±1000000"}}}}}}]}}"#
        );
        let outcome = run_scenario(&parse(&text).unwrap()).unwrap();
        assert!(outcome.passed, "{op}: {:?}", outcome.failures);
    }
    let e = parse(r#"{"name":"x","steps":[{"at_ms":1,"do":{"cmd":"crash","node":4294967297}}]}"#)
        .map(|s| run_scenario(&s).unwrap().failures)
        .unwrap();
    assert!(e.iter().any(|f| f.contains("not a node id")), "{e:?}");
}

/// A scenario's description is what a student reads while it plays: the elections it names must be the ones
/// that happen. Claims checked: "S<n> wins term <t>" (optionally "with the votes of S<a>, S<b> and S<c>", the
/// voters other than the candidate), "S<n> is elected for term <t>", and "no one wins term <t>".
#[test]
fn descriptions_tell_what_the_runs_do() {
    use raft_core::sim::history::Outcome;
    let wins =
        regex::Regex::new(r"S(\d+) (?:wins|is elected for) term (\d+)(?: with the votes of ((?:S\d+(?:, | and )?)+))?")
            .unwrap();
    let nobody = regex::Regex::new(r"no one wins term (\d+)").unwrap();
    let node = regex::Regex::new(r"S(\d+)").unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenario_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut claims = 0;
    let mut wrong = Vec::new();
    for f in &files {
        let scenario = parse(&std::fs::read_to_string(f).unwrap()).unwrap();
        let cluster = run_scenario(&scenario).unwrap().cluster.unwrap();
        let elections = &cluster.history().elections;
        for c in wins.captures_iter(&scenario.description) {
            claims += 1;
            let (who, term): (u32, u64) = (c[1].parse().unwrap(), c[2].parse().unwrap());
            let won = elections.iter().find(|e| e.outcome == Outcome::Won && e.term == term && e.candidate == who);
            match (won, c.get(3)) {
                (None, _) => wrong.push(format!(
                    "{}: \"{}\", but {:?}",
                    f.display(),
                    &c[0],
                    elections
                        .iter()
                        .filter(|e| e.outcome == Outcome::Won)
                        .map(|e| (e.candidate, e.term))
                        .collect::<Vec<_>>()
                )),
                (Some(e), Some(list)) => {
                    let mut said: Vec<u32> = node.captures_iter(list.as_str()).map(|n| n[1].parse().unwrap()).collect();
                    let mut got: Vec<u32> = e.votes.iter().copied().filter(|v| *v != who).collect();
                    said.sort();
                    got.sort();
                    if said != got {
                        wrong.push(format!("{}: \"{}\", but the votes were {:?}", f.display(), &c[0], e.votes));
                    }
                }
                (Some(_), None) => {}
            }
        }
        for c in nobody.captures_iter(&scenario.description) {
            claims += 1;
            let term: u64 = c[1].parse().unwrap();
            if elections.iter().any(|e| e.outcome == Outcome::Won && e.term == term) {
                wrong.push(format!("{}: \"{}\", but someone did", f.display(), &c[0]));
            }
        }
    }
    assert!(claims >= 4, "the descriptions make claims this test reads ({claims} found)");
    assert!(wrong.is_empty(), "{wrong:#?}");
}
