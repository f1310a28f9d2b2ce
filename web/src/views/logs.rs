//! Logs as the paper draws them (Figures 6–8): one column per log index, the same column on every node, each
//! entry showing its term and its command; committed entries filled, uncommitted ones dashed, entries not yet
//! synced to the node's disk dotted and pale; under each follower, the leader's nextIndex (▲) and matchIndex
//! (●) for it. All rows scroll together, and follow the newest index unless the user scrolls back.
//!
//! Cells are placed by index with CSS (`--i` on the cell, `--lo` on the table), so when the window moves only
//! one custom property changes and every existing cell keeps its DOM.

use super::log_cells::{Cell, DrawnCells, EntryState};
use crate::sim::{Selection, Sim};
use crate::watch::Aspect;
use leptos::html::Div;
use leptos::prelude::*;
use raft_core::machine::op::{EntryData, Op};
use raft_core::sim::server::Status;
use raft_core::types::NodeId;

/// Columns drawn: the newest `COLUMNS_MAX` indexes of the cluster; older ones are summarised. Following the
/// newest index at 1920 px, 18 to 27 of them are on screen, and a short scroll back shows the rest; more
/// columns were more cells to restyle and lay out on every jump in time.
const COLUMNS_MAX: u64 = 32;
/// Rows drawn beyond the visible ones, above and below, and before the first measurement.
const ROWS_MARGIN: usize = 1;
const ROWS_FIRST_PAINT: usize = 12;

/// Sizes in rem, as style/main.css sets them (`.logs` --cell and --head, `.log-row` height).
const CELL_REM: f64 = 4.2;
const HEAD_REM: f64 = 9.5;
const ROW_REM: f64 = 3.1;
/// The most empty columns kept to the right of the newest: the rows' room beyond it.
const AHEAD_COLUMNS: u64 = 12;

/// Empty columns left to the right of the newest when following it scrolls: a third of what the screen shows,
/// at most `AHEAD_COLUMNS` (on a 1280 px screen a dozen empty columns left five entries in view).
fn ahead_columns(width_px: f64, rem: f64) -> f64 {
    let visible = ((width_px - HEAD_REM * rem) / (CELL_REM * rem)).floor();
    (visible / 3.0).floor().clamp(1.0, AHEAD_COLUMNS as f64)
}

/// The root font size (style/main.css): 15 px, or 20 px in presenter mode.
fn rem_px(presenter: bool) -> f64 {
    if presenter {
        20.0
    } else {
        15.0
    }
}

/// The origin of the column positions moves in steps of this many indexes, not with every new entry: moving
/// it restyles every cell of every row, which at 51 nodes costs more than the rest of the frame.
const ORIGIN_STEP: u64 = 32;

/// A row's header: the node's role (or down, paused), and its log as far as it knows.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Head {
    label: &'static str,
    commit: u64,
    last: u64,
    /// The last index on the node's disk (the rest is not yet synced).
    stable: u64,
}

/// What fits in a column, in widths of a digit (a cell's text has about 51 px at 12 px type). Longer commands
/// end in "…" here rather than being clipped by CSS: a clip on every cell made the browser's paint and
/// layerize steps the most expensive part of a frame (and a clip on the text alone still cost a quarter more
/// CPU at 51 nodes).
const SHORT_WIDTH_MAX: f32 = 8.5;

/// A character's width in widths of a digit, from above: wide Latin letters and anything beyond ASCII (CJK,
/// emoji, arrows) count double, other capitals one and a half.
fn char_width(c: char) -> f32 {
    match c {
        'M' | 'W' | 'm' | 'w' | '@' | '%' => 2.0,
        'A'..='Z' => 1.5,
        c if c.is_ascii() => 1.0,
        _ => 2.0,
    }
}

/// A command in a few characters, for a column: "→50,0", "a[2]=7", "msg".
fn short(data: &EntryData) -> String {
    let full: String = match data {
        EntryData::Noop => "no-op".into(),
        EntryData::Config { .. } => "config".into(),
        EntryData::Op { op, .. } => match op {
            Op::Step { to, .. } => format!("→{},{}", to.x, to.y),
            Op::Move { dx, dy } => format!("+{dx},{dy}"),
            Op::Set { index, value } => format!("a[{index}]={value}"),
            Op::Message { text } => text.chars().take(SHORT_WIDTH_MAX as usize + 1).collect(),
        },
    };
    if full.chars().map(char_width).sum::<f32>() <= SHORT_WIDTH_MAX {
        return full;
    }
    let mut width = char_width('…');
    let mut out: String = full
        .chars()
        .take_while(|c| {
            width += char_width(*c);
            width <= SHORT_WIDTH_MAX
        })
        .collect();
    out.push('…');
    out
}

/// The slot of a row that shows index `i` (the window is at most `COLUMNS_MAX` wide, so no two share one).
fn slot_of(i: u64) -> usize {
    (i % COLUMNS_MAX) as usize
}

#[component]
pub fn LogsView(sim: Sim) -> impl IntoView {
    let ids = sim.ring;
    // The window of indexes drawn, shared by every row: (lo, hi).
    let window = Memo::new(move |_| {
        sim.read(Aspect::Logs, |c| {
            let hi = c
                .servers()
                .filter(|s| s.status != Status::Removed)
                .map(|s| s.node.as_ref().map_or(s.disk.log.last_index(), |n| n.log().last_index()))
                .max()
                .unwrap_or(0);
            (hi.saturating_sub(COLUMNS_MAX - 1).max(1), hi)
        })
    });
    let origin = Memo::new(move |_| {
        let (lo, _) = window.get();
        lo - (lo - 1) % ORIGIN_STEP
    });
    let scroller = NodeRef::<Div>::new();
    // Follow the newest column unless the user scrolled away from it. Scrolling to the end sets a position
    // beyond it (the browser clamps it) rather than reading scrollWidth, which would force a layout each time.
    let follow = StoredValue::new(true);
    let programmatic = StoredValue::new(false);
    // The scroller's position and width as last measured (on scroll and resize), so that following the
    // newest column needs no layout read: it scrolls only when the newest column passes the right edge, and
    // then a dozen columns ahead (the rows have that much room to the right).
    let seen = StoredValue::new((0.0f64, 0.0f64));
    Effect::new(move |_| {
        let (_, hi) = window.get();
        let origin = origin.get();
        if !follow.get_value() {
            return;
        }
        let rem = rem_px(sim.presenter.get_untracked());
        let right_px = (HEAD_REM + (hi + 1 - origin) as f64 * CELL_REM) * rem;
        let (left, width) = seen.get_value();
        if width > 0.0 && right_px <= left + width {
            return;
        }
        if let Some(el) = scroller.get() {
            request_animation_frame(move || {
                programmatic.set_value(true);
                // The width as measured on the last scroll or resize: reading it here would force a layout in
                // the middle of the frame (after this frame's changes), and the frame lays out again anyway.
                let width = if width > 0.0 { width } else { el.client_width() as f64 };
                let to = (right_px - width + ahead_columns(width, rem) * CELL_REM * rem).max(0.0);
                el.set_scroll_left(to as i32);
                seen.set_value((to, width));
            });
        }
    });
    // Rows in view (by position), with a margin: the others are drawn empty. At 51 nodes this keeps the
    // layout to the dozen rows on screen instead of thousands of cells.
    let rows_shown = RwSignal::new((0usize, ROWS_FIRST_PAINT));
    let update_rows = move || {
        if let Some(el) = scroller.get_untracked() {
            seen.set_value((el.scroll_left() as f64, el.client_width() as f64));
            let row_px = ROW_REM * rem_px(sim.presenter.get_untracked());
            let first = (el.scroll_top() as f64 / row_px).floor() as usize;
            let count = (el.client_height() as f64 / row_px).ceil() as usize;
            let shown = (first.saturating_sub(ROWS_MARGIN), first + count + ROWS_MARGIN);
            if rows_shown.get_untracked() != shown {
                rows_shown.set(shown);
            }
        }
    };
    Effect::new(move |_| {
        sim.presenter.track();
        ids.track();
        request_animation_frame(update_rows);
    });
    let on_scroll = move |_| {
        update_rows();
        if programmatic.get_value() {
            programmatic.set_value(false);
            return;
        }
        if let Some(el) = scroller.get_untracked() {
            follow.set_value(el.scroll_left() + el.client_width() >= el.scroll_width() - 8);
        }
    };
    // Only --lo sits on the table (it changes once per ORIGIN_STEP entries): a custom property is inherited, so
    // changing one there restyles every cell. The rows' width, which grows with every entry, is each row's own.
    let style = move || format!("--lo: {}", origin.get());
    // Grows in steps of AHEAD_COLUMNS, not with every entry: a row that changes width lays out and repaints
    // all of its cells (at 51 nodes, half of a redraw's paint).
    let row_width = Memo::new(move |_| {
        let (_, hi) = window.get();
        let columns = (hi + 2 + AHEAD_COLUMNS - origin.get()).div_ceil(AHEAD_COLUMNS) * AHEAD_COLUMNS;
        format!("min-width: calc({HEAD_REM}rem + {columns} * {CELL_REM}rem)")
    });
    view! {
        <h2>"Logs"
            <span class="sub">"one column per index · filled: committed · dashed: not committed · dotted: not yet on disk · ▲ next · ● match (the leader's view)"</span>
        </h2>
        <div class="logs" role="table" aria-label="Logs of every node, one column per index" node_ref=scroller
            on:scroll=on_scroll style=style tabindex="0">
            <div class="log-row ruler" role="row" style=move || row_width.get()>
                <div class="log-head" role="columnheader">"index"
                    {move || { let (lo, _) = window.get(); (lo > 1).then(|| view! { <span class="meta">{format!(" (1–{} not drawn)", lo - 1)}</span> }) }}
                </div>
                <div class="log-cells" role="cell">
                    <For each=move || { let (lo, hi) = window.get(); lo..=hi } key=|i| *i children=move |i| view! {
                        <span class="col-index" data-index=i style=format!("--i: {i}")>{i}</span>
                    } />
                </div>
            </div>
            <For each=move || ids.get() key=|id| *id children=move |id| {
                let shown = Memo::new(move |_| {
                    let (from, to) = rows_shown.get();
                    ids.with(|ids| ids.iter().position(|x| *x == id)).is_some_and(|i| i >= from && i <= to)
                });
                view! { <LogRow sim=sim id=id window=window shown=shown width=row_width /> }
            } />
        </div>
    }
}

#[component]
fn LogRow(sim: Sim, id: NodeId, window: Memo<(u64, u64)>, shown: Memo<bool>, width: Memo<String>) -> impl IntoView {
    // A row out of view keeps what it last showed and follows nothing (at 51 nodes, forty rows fewer to
    // recompute and lay out on every redraw); it catches up when it scrolls into view.
    let head = Memo::new(move |last: Option<&Option<Head>>| {
        if !shown.get() {
            return last.copied().flatten();
        }
        sim.read(Aspect::Logs, |c| {
            let s = c.server(id)?;
            let role = s.node.as_ref().map(|n| n.role());
            let (commit, last, stable) = match s.node.as_ref() {
                Some(n) => (n.commit_index(), n.log().last_index(), n.stable_index()),
                None => (0, s.disk.log.last_index(), s.disk.log.last_index()),
            };
            let label = match (s.status, role) {
                (Status::Crashed, _) => "down",
                (Status::Paused, _) => "paused",
                (_, Some(r)) => r.name(),
                _ => "follower",
            };
            Some(Head { label, commit, last, stable })
        })
    });
    // For screen readers, once per row rather than on every cell (which doubled the cells' layout): how far
    // the log reaches, what is committed, what is not yet on disk.
    let spoken = move || {
        head.get().map(|h| {
            let disk = if h.stable < h.last {
                format!("; {}–{} not yet on disk", h.stable + 1, h.last)
            } else {
                String::new()
            };
            format!(", log to index {}, committed to {}{disk}", h.last, h.commit.min(h.last))
        })
    };
    // The row's entries in the window, by slot (see `slot_of`); a row out of view shows none.
    let cells = Memo::new(move |_| {
        let mut slots: Vec<Option<Cell>> = vec![None; COLUMNS_MAX as usize];
        if !shown.get() {
            return slots;
        }
        let (lo, _) = window.get();
        sim.read(Aspect::Logs, |c| {
            let Some(s) = c.server(id) else { return slots };
            let (log, commit, stable) = match s.node.as_ref() {
                Some(n) => (n.log(), n.commit_index(), n.stable_index()),
                None => (&s.disk.log, 0, s.disk.log.last_index()),
            };
            for e in log.slice(lo.max(log.first_index()), COLUMNS_MAX as usize) {
                slots[slot_of(e.index)] = Some(Cell {
                    index: e.index,
                    term: e.term,
                    short: short(&e.data),
                    text: e.data.describe(),
                    state: EntryState { committed: e.index <= commit, synced: e.index <= stable },
                });
            }
            slots
        })
    });
    // The snapshot this node's log starts after, while any of it is in the window: the first column of the
    // block (the window's), its last included index and term.
    let snapshot = Memo::new(move |last: Option<&Option<(u64, u64, u64)>>| {
        if !shown.get() {
            return last.copied().flatten();
        }
        let (lo, _) = window.get();
        sim.read(Aspect::Logs, |c| {
            let s = c.server(id)?;
            let start = s.node.as_ref().map_or(s.disk.log.start(), |n| n.log().start());
            (start.index >= lo).then_some((lo.max(1), start.index, start.term))
        })
    });
    // The leader's nextIndex and matchIndex for this node (none if this node leads or there is no leader).
    let marks = Memo::new(move |_| {
        if !shown.get() {
            return None;
        }
        sim.read(Aspect::Logs, |c| {
            c.leader().and_then(|l| l.progress().get(&id).map(|p| (p.next_index, p.match_index)))
        })
    });
    let slots_host = NodeRef::<Div>::new();
    let drawn = StoredValue::new_local(DrawnCells::default());
    Effect::new(move |_| {
        let Some(host) = slots_host.get() else { return };
        cells.with(|cs| drawn.update_value(|d| d.sync(&host, cs)));
    });
    view! {
        <div class="log-row" role="row" data-node=id style=move || width.get()>
            <div class=move || format!("log-head {}", head.get().map_or("down", |h| h.label)) role="rowheader">
                <button class="link" on:click=move |_| sim.select(Selection::Node(id))>{format!("S{id}")}</button>
                <span class="role">{move || head.get().map_or("", |h| h.label)}</span>
                <span class="meta">{move || format!("commit {}", head.get().map_or(0, |h| h.commit))}</span>
                <span class="sr">{spoken}</span>
            </div>
            <div class="log-cells" role="cell">
                // One element per slot, made once: index i sits in slot i mod COLUMNS_MAX, so a new entry
                // refills the one slot its index left, and a jump in time refills slots rather than building
                // hundreds of elements. Only what changed is written (log_cells). Rows out of view have no
                // slots at all.
                <div class="slots" node_ref=slots_host></div>
                // Log compaction: the entries a snapshot replaced are one block, up to its last included index.
                {move || snapshot.get().map(|(first, last, term)| {
                    view! {
                        <span class="snapshot" data-last-index=last data-term=term
                            style=format!("--i: {first}; --n: {}", last + 1 - first)
                            title=format!("snapshot: entries 1–{last} compacted (last included term {term})")>
                            {format!("snapshot ≤ {last} · t{term}")}
                        </span>
                    }
                })}
                // Two marks per row that move (by their style) rather than being rebuilt.
                <span class="mark next" hidden=move || marks.get().is_none()
                    style=move || format!("--i: {}", marks.get().map_or(0, |m| m.0))
                    title=move || format!("nextIndex {}: the next entry the leader sends here", marks.get().map_or(0, |m| m.0))>"▲"</span>
                <span class="mark match" hidden=move || marks.get().is_none_or(|m| m.1 < window.get().0)
                    style=move || format!("--i: {}", marks.get().map_or(0, |m| m.1))
                    title=move || format!("matchIndex {}: known to be replicated here", marks.get().map_or(0, |m| m.1))>"●"</span>
            </div>
        </div>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use raft_core::machine::op::Pos;

    fn op(op: Op) -> EntryData {
        EntryData::Op { op, request: None }
    }

    #[test]
    fn a_command_that_fits_a_column_is_shown_whole_and_a_longer_one_ends_in_an_ellipsis() {
        assert_eq!(short(&op(Op::Step { from: Pos { x: 99, y: 0 }, to: Pos { x: 100, y: 0 } })), "→100,0");
        assert_eq!(short(&op(Op::Set { index: 3, value: 7 })), "a[3]=7");
        assert_eq!(short(&op(Op::Set { index: 3, value: -1_234_567 })), "a[3]=-…");
        assert_eq!(short(&op(Op::Message { text: "hello world".into() })), "hello …");
        assert_eq!(short(&op(Op::Message { text: "HELLO CLASS".into() })), "HELL…");
        assert_eq!(short(&op(Op::Message { text: "WWWWWWWW".into() })), "WWW…");
        assert_eq!(short(&op(Op::Message { text: "你好世界你好".into() })), "你好世…");
        assert_eq!(short(&EntryData::Noop), "no-op");
        for text in ["x".repeat(1000), "W".repeat(1000), "😀".repeat(1000), "HELLO CLASS".into()] {
            let s = short(&op(Op::Message { text }));
            assert!(s.chars().map(char_width).sum::<f32>() <= SHORT_WIDTH_MAX, "{s}");
        }
        let s = short(&op(Op::Set { index: u32::MAX, value: i64::MIN }));
        assert!(s.chars().map(char_width).sum::<f32>() <= SHORT_WIDTH_MAX, "{s}");
    }
}
