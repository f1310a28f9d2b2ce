//! Component test in headless Chromium: the whole app mounts, draws the cluster, and its JS API drives it.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn count(selector: &str) -> u32 {
    let doc = web_sys::window().unwrap().document().unwrap();
    doc.query_selector_all(selector).unwrap().length()
}

fn call(name: &str, arg: f64) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    let raft = js_sys::Reflect::get(&web_sys::window().unwrap(), &"raft".into())?;
    let f: js_sys::Function = js_sys::Reflect::get(&raft, &name.into())?.dyn_into()?;
    f.call1(&raft, &arg.into())
}

/// Lets the reactive system flush its updates to the DOM.
async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn app_mounts_draws_five_nodes_and_elects_a_leader_through_window_raft() {
    leptos::mount::mount_to_body(web::App);
    assert_eq!(count("svg.cluster g.node"), 5, "five nodes on the ring");
    assert_eq!(count("g.node.leader"), 0, "no leader before any timeout");
    call("pause", 0.0).unwrap();
    let status = call("advance", 2000.0).unwrap();
    let leader = js_sys::Reflect::get(&status, &"leader".into()).unwrap();
    assert!(leader.as_f64().is_some(), "a leader after 2 s of virtual time");
    next_tick().await;
    assert_eq!(count("g.node.leader"), 1, "the view shows exactly one leader");
    let err = call("kill", 99.0).unwrap_err();
    let msg = err.dyn_into::<js_sys::Error>().unwrap().message();
    assert!(String::from(msg).contains("no node S99"));
}
