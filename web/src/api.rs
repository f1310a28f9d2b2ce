//! `window.raft`: the same operations as the UI for scripts and tests, returning plain JSON-like objects.
//! Invalid arguments throw a JS Error with a clear message; the page keeps working.

use crate::sim::Sim;
use leptos::prelude::*;
use raft_core::machine::op::Op;
use raft_core::sim::journal::KINDS;
use raft_core::sim::Settings;
use raft_core::Command;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type ApiResult = Result<JsValue, String>;

/// Longest stretch of virtual time one `advance` call may run...
const ADVANCE_MS_MAX: f64 = 600_000.0;
/// ...and the most simulated events it may cost (estimated from the config), about two seconds of work.
const ADVANCE_EVENTS_MAX: u64 = 2_000_000;
/// Most journal events one `journal` call returns (a narrower window or fewer kinds gets the rest).
const JOURNAL_EVENTS_PER_CALL_MAX: usize = 100_000;

/// `journal({from_ms, to_ms, kinds})`: every field optional.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct JournalQuery {
    from_ms: Option<f64>,
    to_ms: Option<f64>,
    kinds: Option<Vec<String>>,
}

/// Largest integer a JS number holds exactly (2^53 − 1).
const SAFE_INTEGER_MAX: u64 = (1 << 53) - 1;

/// Converts a view to plain JS data. Integers beyond ±(2^53 − 1) (array values, hashes) become decimal strings,
/// as README states, so that nothing is rounded and no call answers null.
fn to_js<T: Serialize>(v: &T) -> ApiResult {
    let mut value = serde_json::to_value(v).map_err(|e| format!("could not convert the answer: {e}"))?;
    big_integers_as_strings(&mut value);
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| format!("could not convert the answer: {e}"))
}

fn big_integers_as_strings(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            let big = n.as_u64().is_some_and(|u| u > SAFE_INTEGER_MAX)
                || n.as_i64().is_some_and(|i| i.unsigned_abs() > SAFE_INTEGER_MAX);
            if big {
                *v = Value::String(n.to_string());
            }
        }
        Value::Array(items) => items.iter_mut().for_each(big_integers_as_strings),
        Value::Object(map) => map.values_mut().for_each(big_integers_as_strings),
        _ => {}
    }
}

/// Reads an object argument strictly: through JSON, so unknown keys are refused by name (serde-wasm-bindgen
/// reads only the keys a struct names and would ignore a typo silently).
fn object_arg<T: serde::de::DeserializeOwned>(v: &JsValue, name: &str) -> Result<T, String> {
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(format!("{name} must be an object, got {}", describe(v)));
    }
    let json: String = js_sys::JSON::stringify(v).map_err(|_| format!("{name} could not be read as JSON"))?.into();
    serde_json::from_str(&json).map_err(|e| format!("{name}: {}", strip_position(&e.to_string())))
}

fn strip_position(msg: &str) -> String {
    msg.rfind(" at line ").map_or_else(|| msg.to_string(), |i| msg[..i].to_string())
}

fn int_arg(v: &JsValue, name: &str, min: f64, max: f64) -> Result<i64, String> {
    let n = v.as_f64().ok_or_else(|| format!("{name} must be a number, got {}", describe(v)))?;
    if n.fract() != 0.0 || n < min || n > max {
        return Err(format!("{name} must be a whole number between {min} and {max}, got {n}"));
    }
    Ok(n as i64)
}

fn node_arg(v: &JsValue, name: &str) -> Result<u32, String> {
    int_arg(v, name, 1.0, 100_000.0).map(|n| n as u32)
}

fn describe(v: &JsValue) -> String {
    if v.is_undefined() {
        "nothing".into()
    } else if let Some(s) = v.as_string() {
        format!("the text \"{}\"", s.chars().take(30).collect::<String>())
    } else {
        format!("{:?}", v).chars().take(40).collect()
    }
}

fn done(sim: Sim, cmd: Command) -> ApiResult {
    sim.apply_now(cmd)?;
    Ok(JsValue::TRUE)
}

/// Defines `window.raft.<name>` as a function of up to two arguments.
fn def(obj: &js_sys::Object, name: &str, f: impl Fn(JsValue, JsValue) -> ApiResult + 'static) {
    let name_owned = name.to_string();
    let closure = Closure::<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(move |a, b| {
        f(a, b).map_err(|e| js_sys::Error::new(&format!("raft.{name_owned}: {e}")).into())
    });
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(name), closure.as_ref().unchecked_ref());
    closure.forget();
}

pub fn install(sim: Sim, learn: crate::learn::Learn) {
    let obj = js_sys::Object::new();
    def(&obj, "status", move |_, _| to_js(&sim.peek(|c| c.status_view())));
    def(&obj, "nodes", move |_, _| to_js(&sim.peek(|c| c.node_views())));
    def(&obj, "elections", move |_, _| to_js(&sim.peek(|c| c.history().elections.clone())));
    def(&obj, "leaders", move |_, _| to_js(&sim.peek(|c| c.history().leaders.clone())));
    def(&obj, "positions", move |_, _| to_js(&sim.peek(|c| c.positions())));
    def(&obj, "array", move |_, _| to_js(&sim.peek(|c| c.arrays())));
    def(&obj, "messages", move |_, _| to_js(&sim.peek(|c| c.message_logs())));
    def(&obj, "violations", move |_, _| to_js(&sim.peek(|c| c.violations().to_vec())));
    def(&obj, "inFlight", move |_, _| to_js(&sim.peek(|c| c.in_flight().cloned().collect::<Vec<_>>())));
    def(&obj, "requests", move |_, _| to_js(&sim.peek(|c| c.requests().iter().cloned().collect::<Vec<_>>())));
    def(&obj, "log", move |id, _| {
        let id = node_arg(&id, "node id")?;
        to_js(&sim.peek(|c| c.server(id).map(|_| c.log_view(id, usize::MAX))).ok_or(format!("there is no node S{id}"))?)
    });
    def(&obj, "recorded", move |_, _| to_js(&sim.peek(|c| c.recorded().to_vec())));

    def(&obj, "move", move |x, y| {
        let dx = int_arg(&x, "x", -1_000_000.0, 1_000_000.0)?;
        let dy = int_arg(&y, "y", -1_000_000.0, 1_000_000.0)?;
        done(sim, Command::Request { client: None, to: None, op: Op::Move { dx, dy } })
    });
    def(&obj, "set", move |i, v| {
        let len = sim.peek(|c| c.config().machine.array_len) as f64;
        let index = int_arg(&i, "index", 0.0, len - 1.0)?;
        let value = int_arg(&v, "value", -9.0e15, 9.0e15)?;
        done(sim, Command::Request { client: None, to: None, op: Op::Set { index: index as u32, value } })
    });
    def(&obj, "send", move |text, node| {
        let text = text.as_string().ok_or_else(|| format!("text must be a string, got {}", describe(&text)))?;
        let to = if node.is_undefined() || node.is_null() { None } else { Some(node_arg(&node, "node id")?) };
        let max = sim.peek(|c| c.config().machine.message_chars_max);
        if text.chars().count() > max {
            return Err(format!("a message has at most {max} characters; this one has {}", text.chars().count()));
        }
        if text.trim().is_empty() {
            return Err("a message cannot be empty".into());
        }
        done(sim, Command::Request { client: None, to, op: Op::Message { text } })
    });
    def(&obj, "kill", move |id, _| done(sim, Command::Crash { node: node_arg(&id, "node id")? }));
    def(&obj, "restart", move |id, _| done(sim, Command::Restart { node: node_arg(&id, "node id")? }));
    def(&obj, "pauseNode", move |id, _| done(sim, Command::Pause { node: node_arg(&id, "node id")? }));
    def(&obj, "resumeNode", move |id, _| done(sim, Command::Resume { node: node_arg(&id, "node id")? }));
    def(&obj, "timeout", move |id, _| done(sim, Command::Timeout { node: node_arg(&id, "node id")? }));
    def(&obj, "transfer", move |id, _| done(sim, Command::TransferLeader { to: node_arg(&id, "node id")? }));
    def(&obj, "stallDisk", move |id, ms| {
        let stall_ms = int_arg(&ms, "stall_ms", 1.0, raft_core::sim::apply::STALL_MS_MAX as f64)? as u64;
        done(sim, Command::StallDisk { node: node_arg(&id, "node id")?, stall_ms })
    });
    def(&obj, "add", move |_, _| done(sim, Command::AddNode));
    def(&obj, "remove", move |id, _| done(sim, Command::RemoveNode { node: node_arg(&id, "node id")? }));
    def(&obj, "partition", move |groups, _| {
        let groups: Vec<Vec<u32>> = serde_wasm_bindgen::from_value(groups)
            .map_err(|_| "groups must be a list of lists of node ids, like [[1,2],[3,4,5]]".to_string())?;
        done(sim, Command::Partition { groups })
    });
    def(&obj, "cut", move |from, to| {
        done(sim, Command::Cut { from: node_arg(&from, "from")?, to: node_arg(&to, "to")? })
    });
    def(&obj, "heal", move |_, _| done(sim, Command::Heal));
    def(&obj, "drop", move |id, _| {
        done(sim, Command::DropMessage { id: int_arg(&id, "message id", 1.0, 9.0e15)? as u64 })
    });
    def(&obj, "configure", move |settings, _| {
        let settings: Settings = object_arg(&settings, "settings")?;
        done(sim, Command::Configure { settings })
    });
    def(&obj, "pause", move |_, _| {
        sim.pause();
        Ok(JsValue::TRUE)
    });
    def(&obj, "play", move |_, _| {
        sim.playing.set(true);
        Ok(JsValue::TRUE)
    });
    def(&obj, "step", move |_, _| Ok(JsValue::from_bool(sim.step())));
    def(&obj, "advance", move |ms, _| {
        // Bounded so that one call cannot freeze the page for long.
        let ms = ms.as_f64().filter(|m| m.is_finite() && *m > 0.0 && *m <= ADVANCE_MS_MAX).ok_or_else(|| {
            format!("ms must be a number of milliseconds above 0 and at most {ADVANCE_MS_MAX}, got {}", describe(&ms))
        })?;
        let rate = sim.peek(|c| c.config().events_per_virtual_s_estimate()).max(1);
        let cost_ms_max = (ADVANCE_EVENTS_MAX * 1000 / rate) as f64;
        if ms > cost_ms_max {
            return Err(format!(
                "advancing {ms} ms would cost about {} simulated events with this configuration; one call may ask \
                 for at most {ADVANCE_EVENTS_MAX} (about {cost_ms_max} ms here): call it several times",
                (ms as u64).saturating_mul(rate) / 1000
            ));
        }
        sim.advance_us((ms * 1000.0).round() as u64);
        to_js(&sim.peek(|c| c.status_view()))
    });
    def(&obj, "journal", move |query, _| {
        let q: JournalQuery = if query.is_undefined() { JournalQuery::default() } else { object_arg(&query, "query")? };
        let ms_to_us = |ms: Option<f64>, name: &str, default: u64| match ms {
            None => Ok(default),
            Some(m) if m.is_finite() && m >= 0.0 => Ok((m * 1000.0).round().min(u64::MAX as f64) as u64),
            Some(m) => Err(format!("{name} must be a time in ms, 0 or more, got {m}")),
        };
        let from_us = ms_to_us(q.from_ms, "from_ms", 0)?;
        let to_us = ms_to_us(q.to_ms, "to_ms", u64::MAX)?;
        let kinds = q.kinds.unwrap_or_default();
        if let Some(bad) = kinds.iter().find(|k| !KINDS.contains(&k.as_str())) {
            return Err(format!("there is no event kind \"{bad}\"; the kinds are {}", KINDS.join(", ")));
        }
        let events = sim.peek_recording(|r| {
            let found: Vec<_> =
                r.journal().between(from_us, to_us, &kinds).take(JOURNAL_EVENTS_PER_CALL_MAX + 1).cloned().collect();
            (found.len() <= JOURNAL_EVENTS_PER_CALL_MAX).then_some(found).ok_or(format!(
                "more than {JOURNAL_EVENTS_PER_CALL_MAX} events match: ask for a shorter time or fewer kinds"
            ))
        })?;
        to_js(&events)
    });
    def(&obj, "traceHash", move |_, _| Ok(JsValue::from_str(&sim.peek(|c| format!("{:016x}", c.trace_hash())))));
    def(&obj, "picture", move |view, format| {
        let (Some(view), Some(format)) = (view.as_string(), format.as_string()) else {
            return Err("picture(view, format): two texts, like picture(\"ring\", \"svg\")".into());
        };
        Ok(wasm_bindgen_futures::future_to_promise(crate::picture::picture(view, format)).into())
    });
    def(&obj, "course", move |_, _| {
        let learn = learn;
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            let course = learn
                .loaded_course()
                .await
                .map_err(|e| JsValue::from(js_sys::Error::new(&format!("raft.course: {e}"))))?;
            to_js(&crate::learn::course_summary(&course)).map_err(|e| js_sys::Error::new(&e).into())
        })
        .into())
    });
    def(&obj, "exportRun", move |_, _| Ok(JsValue::from_str(&crate::files::run_text(sim)?)));
    def(&obj, "importRun", move |text, _| {
        let text = text.as_string().ok_or_else(|| format!("the run must be text, got {}", describe(&text)))?;
        crate::files::open_text(sim, &text)?;
        Ok(JsValue::TRUE)
    });
    def(&obj, "scrub", move |ms, _| {
        // Within the run recorded so far (advance() goes further): a jump costs at most one checkpoint interval.
        let horizon_ms = sim.horizon_us.get_untracked() as f64 / 1000.0;
        let ms = ms.as_f64().filter(|m| m.is_finite() && *m >= 0.0 && *m <= horizon_ms).ok_or_else(|| {
            format!("ms must be a time in the recorded run, from 0 to {horizon_ms} ms, got {}", describe(&ms))
        })?;
        sim.playing.set(false);
        sim.scrub_to((ms * 1000.0).round() as u64);
        to_js(&sim.peek(|c| c.status_view()))
    });
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &JsValue::from_str("raft"), &obj);
    }
}
