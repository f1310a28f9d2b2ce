//! `--journal OUT.jsonl`: a run's journal as JSON lines, one event per line (see raft-core's `sim/journal.rs`).

use raft_core::sim::journal::JournalEvent;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes the events; a message naming the file if it cannot.
pub fn write<'a>(path: &Path, events: impl Iterator<Item = &'a JournalEvent>) -> Result<usize, String> {
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut out = BufWriter::new(std::fs::File::create(path).map_err(fail)?);
    let mut n = 0;
    for e in events {
        serde_json::to_writer(&mut out, e).map_err(|e| format!("{}: {e}", path.display()))?;
        out.write_all(b"\n").map_err(fail)?;
        n += 1;
    }
    out.flush().map_err(fail)?;
    Ok(n)
}
