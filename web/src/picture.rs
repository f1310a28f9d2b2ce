//! Pictures for slides: the ring and the space-time diagram at the current moment, as SVG or PNG. The ring's
//! SVG is made self-contained: every element gets its computed style inline (no stylesheet, a generic font
//! family); on a small ring the messages and timer arcs (HTML under the SVG) are drawn into it where they are
//! now, and at 51 nodes (drawn on a canvas) they are added to the PNG. The diagram is a canvas: its
//! PNG is the canvas as drawn (at the screen's pixel ratio), and its SVG is the diagram drawn again into an
//! SVG-recording 2D context (vector: lines, paths and text).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The style properties a ring element needs to look the same without the stylesheet.
const PROPERTIES: [&str; 16] = [
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "opacity",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "visibility",
    "display",
    "transform",
    "paint-order",
];

fn document() -> Result<web_sys::Document, String> {
    web_sys::window().and_then(|w| w.document()).ok_or("no document".into())
}

fn element(selector: &str, what: &str) -> Result<web_sys::Element, String> {
    document()?.query_selector(selector).ok().flatten().ok_or(format!("the {what} is not on the page"))
}

/// Gives `copy` the computed style of `original` inline, and no class.
fn inline_style(window: &web_sys::Window, original: &web_sys::Element, copy: &web_sys::Element) {
    let Ok(Some(style)) = window.get_computed_style(original) else { return };
    let inline: String = PROPERTIES
        .iter()
        .filter_map(|p| style.get_property_value(p).ok().filter(|v| !v.is_empty()).map(|v| format!("{p}:{v};")))
        .collect();
    let _ = copy.set_attribute("style", &format!("{inline}font-family:sans-serif"));
    let _ = copy.remove_attribute("class");
}

/// The translation and rotation (degrees) of an element's transform as computed now (an animation's current
/// value included): `matrix(a, b, c, d, e, f)`.
fn computed_transform(window: &web_sys::Window, el: &web_sys::Element) -> Option<((f64, f64), f64)> {
    let t = window.get_computed_style(el).ok()??.get_property_value("transform").ok()?;
    let inner = t.strip_prefix("matrix(")?.strip_suffix(')')?;
    let m: Vec<f64> = inner.split(',').filter_map(|v| v.trim().parse().ok()).collect();
    let [a, b, _, _, e, f] = m[..] else { return None };
    let degrees = b.atan2(a).to_degrees();
    // A half turn may come out as −180°: the half rings turn within (−90°, 270°).
    Some(((e, f), if degrees < -90.0 { degrees + 360.0 } else { degrees }))
}

/// What moves on a small ring (`ring_motion`: HTML elements under the SVG, moved by the compositor) drawn
/// into the picture as it is on screen now: each timer arc as an SVG arc, each message as its shape.
fn motion_into(window: &web_sys::Window, doc: &web_sys::Document) -> Result<Option<web_sys::Element>, String> {
    let Ok(Some(stage)) = doc.query_selector(".ring-stage") else { return Ok(None) };
    let ns = Some("http://www.w3.org/2000/svg");
    let group = doc.create_element_ns(ns, "g").map_err(|_| "no SVG group")?;
    let all = |root: &web_sys::Element, selector: &str| -> Vec<web_sys::Element> {
        let list = root.query_selector_all(selector).ok();
        (0..list.as_ref().map_or(0, |l| l.length()))
            .filter_map(|i| list.as_ref()?.item(i)?.dyn_into::<web_sys::Element>().ok())
            .collect()
    };
    for arc in all(&stage, ".timer-arc") {
        let shown = window.get_computed_style(&arc).ok().flatten().and_then(|s| s.get_property_value("display").ok());
        let turns = all(&arc, ".arc-turn");
        let path = all(&arc, "path.timer");
        let circle: Vec<f64> =
            arc.get_attribute("data-circle").unwrap_or_default().split(' ').filter_map(|v| v.parse().ok()).collect();
        let [cx, cy, r] = circle[..] else { continue };
        if shown.as_deref() == Some("none") || turns.len() != 2 || path.is_empty() {
            continue;
        }
        // Each half ring turns 180° → 0° as its half of the timeout runs out: what is left is their sum.
        let turned: f64 =
            turns.iter().filter_map(|t| computed_transform(window, t).map(|(_, deg)| deg.clamp(0.0, 180.0))).sum();
        let el = doc.create_element_ns(ns, "path").map_err(|_| "no SVG path")?;
        let _ = el.set_attribute("d", &crate::geometry::arc_path(cx, cy, r, turned / 360.0));
        inline_style(window, &path[0], &el);
        let _ = el.set_attribute("style", &format!("{};fill:none", el.get_attribute("style").unwrap_or_default()));
        let _ = group.append_child(&el);
    }
    for message in all(&stage, ".flying") {
        let Some(((x, y), _)) = computed_transform(window, &message) else { continue };
        let at = doc.create_element_ns(ns, "g").map_err(|_| "no SVG group")?;
        let _ = at.set_attribute("transform", &format!("translate({x:.2} {y:.2})"));
        for shape in all(&message, "svg > *") {
            let Ok(copy) = shape.clone_node_with_deep(true) else { continue };
            let copy: web_sys::Element = copy.unchecked_into();
            inline_style(window, &shape, &copy);
            let _ = at.append_child(&copy);
        }
        let _ = group.append_child(&at);
    }
    Ok(Some(group))
}

/// The ring as a self-contained SVG document.
pub fn ring_svg() -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let svg = element("svg.cluster", "ring")?;
    let copy: web_sys::Element =
        svg.clone_node_with_deep(true).map_err(|_| "could not copy the ring")?.unchecked_into();
    // Messages and timer arcs go under the nodes, as on screen.
    let first_node = copy.query_selector("g.node").ok().flatten();
    let originals = svg.query_selector_all("*").map_err(|_| "could not read the ring")?;
    let copies = copy.query_selector_all("*").map_err(|_| "could not read the ring")?;
    for i in 0..originals.length() {
        let (Some(o), Some(c)) = (originals.item(i), copies.item(i)) else { continue };
        inline_style(&window, &o.unchecked_into(), &c.unchecked_into());
    }
    if let Some(motion) = motion_into(&window, &document()?)? {
        let _ = copy.insert_before(&motion, first_node.as_ref().map(|n| n.unchecked_ref::<web_sys::Node>()));
    }
    let rect = svg.get_bounding_client_rect();
    let _ = copy.set_attribute("xmlns", "http://www.w3.org/2000/svg");
    let _ = copy.set_attribute("width", &format!("{:.0}", rect.width()));
    let _ = copy.set_attribute("height", &format!("{:.0}", rect.height()));
    let _ = copy.set_attribute("style", "background:#ffffff;font-family:sans-serif");
    let _ = copy.remove_attribute("class");
    let text = web_sys::XmlSerializer::new()
        .map_err(|_| "no serializer")?
        .serialize_to_string(&copy)
        .map_err(|_| "could not write the SVG")?;
    Ok(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{text}"))
}

/// Loads an image from a URL and waits until it is decoded.
async fn load_image(src: &str) -> Result<web_sys::HtmlImageElement, String> {
    let img = web_sys::HtmlImageElement::new().map_err(|_| "no image")?;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        img.set_onload(Some(&resolve));
        img.set_onerror(Some(&reject));
    });
    img.set_src(src);
    JsFuture::from(promise).await.map_err(|_| "the picture could not be drawn")?;
    Ok(img)
}

fn canvas_2d(w: u32, h: u32) -> Result<(web_sys::HtmlCanvasElement, web_sys::CanvasRenderingContext2d), String> {
    let canvas: web_sys::HtmlCanvasElement =
        document()?.create_element("canvas").map_err(|_| "no canvas")?.unchecked_into();
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = canvas.get_context("2d").ok().flatten().ok_or("no canvas")?.unchecked_into();
    Ok((canvas, ctx))
}

/// The ring as a PNG data URL, at twice the size on screen, messages included.
pub async fn ring_png() -> Result<String, String> {
    let svg_text = ring_svg()?;
    let ring = element("svg.cluster", "ring")?.get_bounding_client_rect();
    let (w, h) = (ring.width() * 2.0, ring.height() * 2.0);
    let url = format!("data:image/svg+xml;charset=utf-8,{}", String::from(js_sys::encode_uri_component(&svg_text)));
    let img = load_image(&url).await?;
    let (canvas, ctx) = canvas_2d(w.round() as u32, h.round() as u32)?;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, w, h);
    let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, w, h);
    // At 51 nodes the messages and timer arcs are on a canvas over the ring, the same size as it.
    if let Ok(messages) = element("canvas.ring-canvas", "messages") {
        let messages: web_sys::HtmlCanvasElement = messages.unchecked_into();
        let m = messages.get_bounding_client_rect();
        let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
            &messages,
            (m.left() - ring.left()) * 2.0,
            (m.top() - ring.top()) * 2.0,
            m.width() * 2.0,
            m.height() * 2.0,
        );
    }
    canvas.to_data_url_with_type("image/png").map_err(|_| "the PNG could not be made".into())
}

/// The space-time diagram as a PNG data URL (the diagram must be open).
pub fn diagram_png() -> Result<String, String> {
    let canvas: web_sys::HtmlCanvasElement =
        element("canvas#spacetime", "space-time diagram (open its tab first)")?.unchecked_into();
    let (w, h) = (canvas.width(), canvas.height());
    let (out, ctx) = canvas_2d(w, h)?;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, w as f64, h as f64);
    let _ = ctx.draw_image_with_html_canvas_element(&canvas, 0.0, 0.0);
    out.to_data_url_with_type("image/png").map_err(|_| "the PNG could not be made".into())
}

#[wasm_bindgen(inline_js = "export function svg_context(w, h) { \
    return import(new URL('svgcanvas.esm.js', document.baseURI).href).then((m) => new m.Context(w, h)); }")]
extern "C" {
    /// A Canvas 2D context that records what is drawn as SVG (npm svgcanvas, fetched the first time).
    fn svg_context(w: f64, h: f64) -> js_sys::Promise;
}

/// The space-time diagram as a vector SVG document: the diagram drawn again, at its size on screen, into a
/// context that records SVG elements (lines, paths, text), with a white ground.
pub async fn diagram_svg() -> Result<String, String> {
    let canvas = element("canvas#spacetime", "space-time diagram (open its tab first)")?.get_bounding_client_rect();
    let (w, h) = (canvas.width().round().max(1.0), canvas.height().round().max(1.0));
    let ctx = JsFuture::from(svg_context(w, h))
        .await
        .map_err(|_| "the SVG drawing code (svgcanvas.esm.js) could not be loaded")?;
    let ctx2d: web_sys::CanvasRenderingContext2d = ctx.clone().unchecked_into();
    ctx2d.set_fill_style_str("#ffffff");
    ctx2d.fill_rect(0.0, 0.0, w, h);
    crate::views::spacetime::paint_shown(&ctx2d, w, h)?;
    let serialize: js_sys::Function = js_sys::Reflect::get(&ctx, &JsValue::from_str("getSerializedSvg"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("the SVG could not be written")?;
    let text = serialize.call0(&ctx).ok().and_then(|t| t.as_string()).ok_or("the SVG could not be written")?;
    Ok(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{text}"))
}

/// `picture(view, format)`: SVG text or a PNG data URL, as a promise.
pub async fn picture(view: String, format: String) -> Result<JsValue, JsValue> {
    let out = match (view.as_str(), format.as_str()) {
        ("ring", "svg") => ring_svg(),
        ("ring", "png") => ring_png().await,
        ("diagram", "svg") => diagram_svg().await,
        ("diagram", "png") => diagram_png(),
        _ => Err(format!(
            "picture(view, format): view is \"ring\" or \"diagram\", format \"svg\" or \"png\"; got {view:?}, {format:?}"
        )),
    };
    out.map(|s| JsValue::from_str(&s)).map_err(|e| js_sys::Error::new(&format!("raft.picture: {e}")).into())
}

/// Downloads a picture as a file.
pub fn download(name: &str, href_or_svg: &str) -> Result<(), String> {
    let href = if href_or_svg.starts_with("data:") {
        href_or_svg.to_string()
    } else {
        format!("data:image/svg+xml;charset=utf-8,{}", String::from(js_sys::encode_uri_component(href_or_svg)))
    };
    crate::files::download(name, &href)
}
