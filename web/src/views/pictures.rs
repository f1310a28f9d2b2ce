//! "Picture" buttons: the ring or the space-time diagram at this moment, downloaded as SVG or PNG for slides.

use crate::picture;
use crate::sim::Sim;
use leptos::prelude::*;

#[component]
pub fn PictureButtons(sim: Sim, view: &'static str) -> impl IntoView {
    let name = move |ext: &str| sim.peek(|c| format!("raft-{view}-at-{:.3}s.{ext}", c.now_us() as f64 / 1e6));
    let fail = move |e: String| sim.notice.set(Some(format!("The picture could not be made: {e}")));
    let svg = move |_| {
        leptos::task::spawn_local(async move {
            let made = if view == "ring" { picture::ring_svg() } else { picture::diagram_svg().await };
            if let Err(e) = made.and_then(|text| picture::download(&name("svg"), &text)) {
                fail(e);
            }
        });
    };
    let png = move |_| {
        leptos::task::spawn_local(async move {
            let made = if view == "ring" { picture::ring_png().await } else { picture::diagram_png() };
            if let Err(e) = made.and_then(|url| picture::download(&name("png"), &url)) {
                fail(e);
            }
        });
    };
    let what = if view == "ring" { "the ring" } else { "the diagram" };
    view! {
        <span class="pictures" role="group" aria-label=format!("Download a picture of {what}")>
            <button class="small" id=format!("picture-{view}-svg") on:click=svg title=format!("Download {what} as SVG")>"SVG"</button>
            <button class="small" id=format!("picture-{view}-png") on:click=png title=format!("Download {what} as PNG")>"PNG"</button>
        </span>
    }
}
