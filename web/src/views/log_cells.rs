//! A log row's entry cells, kept in step with the log by hand rather than by one reactive node per attribute.
//! As Leptos views, a row of 48 slots was about 450 memos and effects; a redraw of the logs at 51 nodes (a dozen
//! rows on screen) marked, checked and re-ran thousands of them, most of its 9 ms. Here a row is one effect: it
//! compares the new cells with the ones drawn and writes only the attributes that differ.

use crate::geometry::{term_color, term_fill};

/// What a cell tells about its entry on this node: committed (as far as this node knows), and durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntryState {
    pub committed: bool,
    /// False while the entry is appended but not yet synced to this node's disk: a crash now loses it.
    pub synced: bool,
}

impl EntryState {
    fn class(self) -> &'static str {
        match (self.committed, self.synced) {
            (true, true) => "entry committed",
            (true, false) => "entry committed unsynced",
            (false, true) => "entry uncommitted",
            (false, false) => "entry uncommitted unsynced",
        }
    }
}

/// One entry as its slot shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub index: u64,
    pub term: u64,
    /// What fits in a column; `text` has it all.
    pub short: String,
    pub text: String,
    pub state: EntryState,
}

/// A slot's elements: the cell, its term and its text.
struct SlotEls {
    cell: web_sys::Element,
    term: web_sys::Element,
    txt: web_sys::Element,
}

/// The slots of one row as drawn: their elements (none while the row is out of view) and what each shows.
#[derive(Default)]
pub struct DrawnCells {
    els: Vec<SlotEls>,
    shown: Vec<Option<Cell>>,
}

fn span(doc: &web_sys::Document, class: &str) -> Option<web_sys::Element> {
    let el = doc.create_element("span").ok()?;
    el.set_class_name(class);
    Some(el)
}

impl DrawnCells {
    /// Brings the row's slots in `host` to `cells` (one per slot; all `None` for a row out of view, which then
    /// drops its elements: at 51 nodes forty rows keep no cells at all).
    pub fn sync(&mut self, host: &web_sys::Element, cells: &[Option<Cell>]) {
        if cells.iter().all(Option::is_none) {
            if !self.els.is_empty() {
                host.set_text_content(None);
                self.els.clear();
                self.shown.clear();
            }
            return;
        }
        if self.els.len() != cells.len() && !self.build(host, cells.len()) {
            return;
        }
        for (slot, (new, old)) in cells.iter().zip(self.shown.iter_mut()).enumerate() {
            if new == old {
                continue;
            }
            let els = &self.els[slot];
            match new {
                // An empty slot is not an entry to any query (`.entry`, `[data-index]`) and is not drawn.
                None => {
                    let _ = els.cell.set_attribute("hidden", "");
                    els.cell.set_class_name("slot");
                    let _ = els.cell.remove_attribute("data-index");
                    let _ = els.cell.remove_attribute("data-term");
                }
                Some(c) => {
                    let same_entry =
                        old.as_ref().is_some_and(|o| (o.index, o.term, &o.text) == (c.index, c.term, &c.text));
                    if old.is_none() {
                        let _ = els.cell.remove_attribute("hidden");
                    }
                    if old.as_ref().is_none_or(|o| o.state != c.state) {
                        els.cell.set_class_name(c.state.class());
                    }
                    if !same_entry {
                        let (i, t) = (c.index, c.term);
                        let style = format!("--i: {i}; border-color: {}; --fill: {}", term_color(t), term_fill(t));
                        let _ = els.cell.set_attribute("style", &style);
                        let _ = els.cell.set_attribute("data-index", &i.to_string());
                        let _ = els.cell.set_attribute("data-term", &t.to_string());
                        let _ = els.cell.set_attribute("title", &format!("index {i} · term {t} · {}", c.text));
                        els.term.set_text_content(Some(&t.to_string()));
                        els.txt.set_text_content(Some(&c.short));
                    }
                }
            }
            *old = new.clone();
        }
    }

    /// Makes `n` empty (hidden) slots in `host`.
    fn build(&mut self, host: &web_sys::Element, n: usize) -> bool {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return false };
        host.set_text_content(None);
        self.els.clear();
        for _ in 0..n {
            let (Some(cell), Some(term), Some(txt)) = (span(&doc, "slot"), span(&doc, "term"), span(&doc, "txt"))
            else {
                return false;
            };
            let _ = cell.set_attribute("hidden", "");
            let _ = cell.append_child(&term);
            let _ = cell.append_child(&txt);
            let _ = host.append_child(&cell);
            self.els.push(SlotEls { cell, term, txt });
        }
        self.shown = vec![None; n];
        true
    }
}
