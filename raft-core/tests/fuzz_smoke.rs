//! Fuzz smoke test: generated inputs through every parser a user can feed (scenario files, run files, links),
//! and a bounded run of each that parses. No input may panic or hang, and every refusal carries a message.
//!
//! Inputs are the scenario files of scenarios/ and run files of chaos seeds, mutated structurally (extreme
//! numbers, wrong types, deleted and unknown keys, deep nesting, duplicated elements) and as text (bit flips,
//! truncations). The mutations are derived by `arbitrary` from a seeded byte stream, so a failing case
//! replays from its number. `FUZZ_CASES` sets the count (default 100,000; `./dev fuzz` runs 1,000,000).
#![cfg(not(target_arch = "wasm32"))]

use arbitrary::{Arbitrary, Unstructured};
use raft_core::bugs::Bugs;
use raft_core::run_file::{Replay, RunFile};
use raft_core::scenario::{parse, run_scenario_bounded};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Events a parsed input may run.
const EVENTS_PER_CASE_MAX: u64 = 1_000;
/// A case that takes longer than this is a hang.
const CASE_WALL_MAX: Duration = Duration::from_secs(5);

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Format {
    Scenario,
    RunJson,
    Link,
}

#[derive(Arbitrary, Debug)]
enum Extreme {
    I64Min,
    I64Max,
    U64Max,
    Zero,
    NegativeZero,
    MinusOne,
    Huge,
    Tiny,
    Half,
    Any(i64),
    AnyFloat(f64),
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Null,
    Bool(bool),
    Text(String),
    EmptyArray,
    EmptyObject,
}

#[derive(Arbitrary, Debug)]
enum Mutation {
    Number { nth: u16, with: Extreme },
    WrongType { nth: u16, with: Kind },
    DeleteKey { nth: u16 },
    UnknownKey { nth: u16, key: String },
    Nest { nth: u16, depth: u8 },
    DuplicateElement { nth: u16 },
    FlipBit { at: u32, bit: u8 },
    Truncate { at: u32 },
}

#[derive(Arbitrary, Debug)]
struct Case {
    corpus: u8,
    format: Format,
    mutations: Vec<Mutation>,
}

fn extreme(e: &Extreme) -> Value {
    match e {
        Extreme::I64Min => Value::from(i64::MIN),
        Extreme::I64Max => Value::from(i64::MAX),
        Extreme::U64Max => Value::from(u64::MAX),
        Extreme::Zero => Value::from(0),
        Extreme::NegativeZero => Value::from(-0.0),
        Extreme::MinusOne => Value::from(-1),
        Extreme::Huge => Value::from(1e308),
        Extreme::Tiny => Value::from(1e-300),
        Extreme::Half => Value::from(0.5),
        Extreme::Any(i) => Value::from(*i),
        Extreme::AnyFloat(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
    }
}

/// Visits every value of a tree in a fixed order; `f` sees each with its index.
fn visit(v: &mut Value, counter: &mut usize, f: &mut dyn FnMut(usize, &mut Value)) {
    f(*counter, v);
    *counter += 1;
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| visit(i, counter, f)),
        Value::Object(map) => map.values_mut().for_each(|i| visit(i, counter, f)),
        _ => {}
    }
}

/// Applies `f` to the nth value among those `pred` selects (modulo their count).
fn at_nth(tree: &mut Value, nth: u16, pred: fn(&Value) -> bool, f: &mut dyn FnMut(&mut Value)) {
    let mut matching = 0;
    visit(tree, &mut 0, &mut |_, v| matching += pred(v) as usize);
    if matching == 0 {
        return;
    }
    let target = nth as usize % matching;
    let mut seen = 0;
    visit(tree, &mut 0, &mut |_, v| {
        if pred(v) {
            if seen == target {
                f(v);
            }
            seen += 1;
        }
    });
}

fn mutate_tree(tree: &mut Value, m: &Mutation) {
    match m {
        Mutation::Number { nth, with } => at_nth(tree, *nth, Value::is_number, &mut |v| *v = extreme(with)),
        Mutation::WrongType { nth, with } => at_nth(tree, *nth, |_| true, &mut |v| {
            *v = match with {
                Kind::Null => Value::Null,
                Kind::Bool(b) => Value::Bool(*b),
                Kind::Text(t) => Value::String(t.clone()),
                Kind::EmptyArray => Value::Array(vec![]),
                Kind::EmptyObject => Value::Object(Default::default()),
            }
        }),
        Mutation::DeleteKey { nth } => at_nth(tree, *nth, |v| v.as_object().is_some_and(|o| !o.is_empty()), &mut |v| {
            let map = v.as_object_mut().expect("object");
            let key = map.keys().nth(*nth as usize % map.len()).cloned().expect("non-empty");
            map.remove(&key);
        }),
        Mutation::UnknownKey { nth, key } => at_nth(tree, *nth, Value::is_object, &mut |v| {
            v.as_object_mut().expect("object").insert(key.clone(), Value::from(1));
        }),
        Mutation::Nest { nth, depth } => at_nth(tree, *nth, |_| true, &mut |v| {
            for _ in 0..*depth {
                *v = Value::Array(vec![v.take()]);
            }
        }),
        Mutation::DuplicateElement { nth } => {
            at_nth(tree, *nth, |v| v.as_array().is_some_and(|a| !a.is_empty()), &mut |v| {
                let items = v.as_array_mut().expect("array");
                let copy = items[*nth as usize % items.len()].clone();
                items.push(copy);
            })
        }
        Mutation::FlipBit { .. } | Mutation::Truncate { .. } => {}
    }
}

fn mutate_text(text: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::FlipBit { at, bit } if !text.is_empty() => {
            let i = *at as usize % text.len();
            text[i] ^= 1 << (bit % 8);
        }
        Mutation::Truncate { at } if !text.is_empty() => text.truncate(*at as usize % text.len()),
        _ => {}
    }
}

struct Corpus {
    scenarios: Vec<Value>,
    runs: Vec<Value>,
}

fn corpus() -> Corpus {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let scenarios = files.iter().map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()).collect();
    let runs = (0..8)
        .map(|seed| {
            let (c, _) = raft_core::chaos::run_seed_cluster(seed, 1_500, None, Bugs::none());
            serde_json::to_value(RunFile::of(&c)).unwrap()
        })
        .collect();
    Corpus { scenarios, runs }
}

/// What one case did: parsed and ran, or was refused with this message.
enum Verdict {
    Ran,
    Refused(String),
}

fn run_case(corpus: &Corpus, case: &Case) -> Verdict {
    let pool = match case.format {
        Format::Scenario => &corpus.scenarios,
        Format::RunJson | Format::Link => &corpus.runs,
    };
    let mut tree = pool[case.corpus as usize % pool.len()].clone();
    for m in &case.mutations {
        mutate_tree(&mut tree, m);
    }
    let mut text = match case.format {
        Format::Link => RunFile::to_link_text(&serde_json::to_string(&tree).unwrap()).into_bytes(),
        _ => serde_json::to_vec(&tree).unwrap(),
    };
    for m in &case.mutations {
        mutate_text(&mut text, m);
    }
    let text = String::from_utf8_lossy(&text);
    let refused = |e: String| Verdict::Refused(e);
    match case.format {
        Format::Scenario => match parse(&text) {
            Err(e) => refused(e),
            Ok(s) => match run_scenario_bounded(&s, EVENTS_PER_CASE_MAX) {
                Err(e) => refused(e),
                Ok(_) => Verdict::Ran,
            },
        },
        Format::RunJson | Format::Link => {
            let parsed = match case.format {
                Format::Link => RunFile::parse_link(&text),
                _ => RunFile::parse_json(&text),
            };
            match parsed.and_then(Replay::new) {
                Err(e) => refused(e),
                Ok(mut replay) => match replay.work(EVENTS_PER_CASE_MAX) {
                    Err(e) => refused(e),
                    Ok(_) => Verdict::Ran,
                },
            }
        }
    }
}

#[test]
fn generated_inputs_never_panic_hang_or_fail_silently() {
    let cases: u64 = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let corpus = corpus();
    let started = Instant::now();
    let (ran, refused, slowest_us) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let next = AtomicU64::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    // Panics are caught and reported with their case; keep the default hook from printing each one.
    std::panic::set_hook(Box::new(|_| {}));
    std::thread::scope(|s| {
        for _ in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= cases {
                    break;
                }
                let mut bytes = vec![0u8; 256];
                ChaCha8Rng::seed_from_u64(i).fill_bytes(&mut bytes);
                let Ok(case) = Case::arbitrary(&mut Unstructured::new(&bytes)) else { continue };
                let t0 = Instant::now();
                let verdict = catch_unwind(AssertUnwindSafe(|| run_case(&corpus, &case)));
                let took = t0.elapsed();
                slowest_us.fetch_max(took.as_micros() as u64, Ordering::Relaxed);
                let problem = match verdict {
                    Err(p) => Some(format!(
                        "panicked: {}",
                        p.downcast_ref::<String>()
                            .cloned()
                            .or(p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default()
                    )),
                    Ok(_) if took > CASE_WALL_MAX => Some(format!("took {took:?}")),
                    Ok(Verdict::Refused(e)) if e.trim().is_empty() => Some("refused without a message".into()),
                    Ok(Verdict::Refused(_)) => {
                        refused.fetch_add(1, Ordering::Relaxed);
                        None
                    }
                    Ok(Verdict::Ran) => {
                        ran.fetch_add(1, Ordering::Relaxed);
                        None
                    }
                };
                if let Some(p) = problem {
                    failures.lock().unwrap().push(format!("case {i} ({case:?}): {p}"));
                }
            });
        }
    });
    let _ = std::panic::take_hook();
    let (ran, refused) = (ran.into_inner(), refused.into_inner());
    println!(
        "fuzz cases={cases} ran={ran} refused={refused} slowest_case_ms={:.1} wall_s={:.1}",
        slowest_us.into_inner() as f64 / 1000.0,
        started.elapsed().as_secs_f64()
    );
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} failing cases, first: {:#?}", failures.len(), &failures[..failures.len().min(5)]);
    assert!(ran > cases / 20, "the mutations leave enough inputs that parse and run ({ran})");
    assert!(refused > cases / 20, "and enough that are refused ({refused})");
}
