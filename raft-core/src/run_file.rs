//! A run as a file or a link: the starting config, the timed commands, and the virtual time to show. This is
//! all a run is (the simulator is deterministic), so the same file replays bit for bit anywhere. The web page's
//! "Share link" and run files use it; parsing lives here, natively testable and fuzzed.
//!
//! Limits (stated in README): `RUN_TEXT_BYTES_MAX` of text, `RUN_COMMANDS_MAX` commands, `RUN_AT_US_MAX` of
//! virtual time, and the estimated simulation cost of `SimConfig::check_run_length`.

use crate::sim::{Cluster, Recording, SimConfig, Timed};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

/// Longest run text (JSON, or a link's encoded fragment) accepted.
pub const RUN_TEXT_BYTES_MAX: usize = 4_000_000;
/// Most commands a run may carry.
pub const RUN_COMMANDS_MAX: usize = 100_000;
/// Latest virtual time a run may ask for: 24 hours.
pub const RUN_AT_US_MAX: u64 = 86_400_000_000;
/// A link's fragment starts with this.
pub const LINK_PREFIX: &str = "#run=";

/// encodeURIComponent's set: everything but letters, digits and - _ . ! ~ * ' ( ).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    pub config: SimConfig,
    pub commands: Vec<Timed>,
    pub at_us: u64,
}

impl RunFile {
    /// The run a cluster has made so far, shown at its current time.
    pub fn of(cluster: &Cluster) -> RunFile {
        RunFile {
            config: cluster.initial_config().clone(),
            commands: cluster.recorded().to_vec(),
            at_us: cluster.now_us(),
        }
    }

    /// Reads a run file; a malformed one gets line and column, an impossible one a sentence.
    pub fn parse_json(text: &str) -> Result<RunFile, String> {
        if text.len() > RUN_TEXT_BYTES_MAX {
            return Err(format!("a run is at most {RUN_TEXT_BYTES_MAX} bytes; this one has {}", text.len()));
        }
        let mut run: RunFile =
            serde_json::from_str(text).map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))?;
        if !config_names(text, "idle_heartbeats") {
            // Written before the key existed, when every follower got every heartbeat: replayed as it was made.
            run.config.raft.idle_heartbeats = false;
        }
        run.validate()?;
        Ok(run)
    }

    /// Reads the part of a link after `#run=`.
    pub fn parse_link(fragment: &str) -> Result<RunFile, String> {
        if fragment.len() > RUN_TEXT_BYTES_MAX {
            return Err(format!("a link is at most {RUN_TEXT_BYTES_MAX} characters; this one has {}", fragment.len()));
        }
        let json = percent_decode_str(fragment)
            .decode_utf8()
            .map_err(|_| "the link is not properly encoded (its bytes are not UTF-8 text)".to_string())?;
        RunFile::parse_json(&json).map_err(|e| format!("the link's data is damaged: {e}"))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("runs serialize")
    }

    /// The fragment of a link (without `#run=`), as encodeURIComponent would write it.
    pub fn to_link(&self) -> String {
        RunFile::to_link_text(&self.to_json())
    }

    /// Encodes any text as a link fragment.
    pub fn to_link_text(json: &str) -> String {
        utf8_percent_encode(json, COMPONENT).to_string()
    }

    /// Refuses a run that cannot be replayed, or would cost more than the stated limits.
    pub fn validate(&self) -> Result<(), String> {
        self.config.validate().map_err(|e| format!("invalid config: {e}"))?;
        if self.at_us > RUN_AT_US_MAX {
            return Err(format!("the time shown, {} s, is beyond the limit of 24 h", self.at_us / 1_000_000));
        }
        if self.commands.len() > RUN_COMMANDS_MAX {
            return Err(format!("a run has at most {RUN_COMMANDS_MAX} commands; this one has {}", self.commands.len()));
        }
        let mut last_us = 0;
        for (i, t) in self.commands.iter().enumerate() {
            if t.at_us < last_us {
                return Err(format!("command {} ({}) goes back in time", i + 1, t.command.describe()));
            }
            if t.at_us > RUN_AT_US_MAX {
                return Err(format!("command {} ({}) is beyond the limit of 24 h", i + 1, t.command.describe()));
            }
            last_us = t.at_us;
        }
        self.config.check_run_length(self.at_us.max(last_us))
    }
}

/// Whether the run text's config names `key` (the text parsed as a run already: this reads only the config's
/// keys, skipping the rest).
fn config_names(text: &str, key: &str) -> bool {
    #[derive(Deserialize)]
    struct Keys {
        config: serde_json::Map<String, serde_json::Value>,
    }
    serde_json::from_str::<Keys>(text).is_ok_and(|k| k.config.contains_key(key))
}

/// Replays a run in slices, so that a page can show progress, stay responsive and offer Cancel. The run's
/// commands become the recording's tape, so those after `at_us` happen as the run plays on.
pub struct Replay {
    recording: Recording,
    at_us: u64,
}

impl Replay {
    pub fn new(run: RunFile) -> Result<Replay, String> {
        run.validate()?;
        let cluster = Cluster::new(run.config)?;
        Ok(Replay { recording: Recording::with_tape(cluster, run.commands), at_us: run.at_us })
    }

    /// Does about `events_max` events of work. Ok(true) once the run stands at its time; a command that the
    /// replayed cluster refuses is an error naming it (never skipped).
    pub fn work(&mut self, events_max: u64) -> Result<bool, String> {
        self.recording.advance(self.at_us, events_max)
    }

    /// Replays to the end in one go (the CLI and tests).
    pub fn run_to_end(mut self) -> Result<Recording, String> {
        while !self.work(u64::MAX)? {}
        Ok(self.finish())
    }

    /// How far along the replay is, from 0 to 1 (by virtual time).
    pub fn progress(&self) -> f64 {
        if self.at_us == 0 {
            return 1.0;
        }
        (self.recording.cluster().now_us() as f64 / self.at_us as f64).min(1.0)
    }

    pub fn finish(self) -> Recording {
        self.recording
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bugs::Bugs;
    use crate::chaos::run_seed_cluster;

    #[test]
    fn a_run_written_to_a_link_replays_bit_for_bit() {
        // Chaos configs draw fractional loss and duplication percentages: every f64 must survive the text.
        for seed in 0..30 {
            let (original, _) = run_seed_cluster(seed, 3_000, None, Bugs::none());
            let run = RunFile::of(&original);
            let back = RunFile::parse_link(&run.to_link()).unwrap();
            assert_eq!(back, run, "seed {seed}: the link reads back to the same run");
            let replayed = Replay::new(back).unwrap().run_to_end().unwrap();
            assert_eq!(replayed.cluster().trace_hash(), original.trace_hash(), "seed {seed}: same trace");
        }
    }

    #[test]
    fn a_run_made_before_idle_heartbeats_existed_replays_with_a_heartbeat_to_every_follower() {
        let run = RunFile { config: SimConfig::default(), commands: vec![], at_us: 5 };
        assert!(run.config.raft.idle_heartbeats, "the default");
        let json = run.to_json();
        assert!(RunFile::parse_json(&json).unwrap().config.raft.idle_heartbeats, "named: kept");
        let old = json.replace("\"idle_heartbeats\":true,", "");
        assert_ne!(old, json);
        assert!(!RunFile::parse_json(&old).unwrap().config.raft.idle_heartbeats, "absent: the old behaviour");
        let off = json.replace("\"idle_heartbeats\":true", "\"idle_heartbeats\":false");
        assert!(!RunFile::parse_json(&off).unwrap().config.raft.idle_heartbeats);
    }

    #[test]
    fn links_encoded_by_the_browser_decode() {
        let run = RunFile { config: SimConfig::default(), commands: vec![], at_us: 5 };
        let link = run.to_link();
        assert!(!link.contains('"') && !link.contains('{'), "encoded like encodeURIComponent: {link}");
        assert_eq!(RunFile::parse_link(&link).unwrap(), run);
    }

    #[test]
    fn damaged_or_impossible_runs_get_a_sentence() {
        let e = RunFile::parse_link("%7B%22config").unwrap_err();
        assert!(e.contains("damaged") && e.contains("line 1"), "{e}");
        let e = RunFile::parse_link("%FF%FE").unwrap_err();
        assert!(e.contains("not properly encoded"), "{e}");
        let e = RunFile::parse_json(r#"{"config":{},"commands":[],"at_us":99999999999999}"#).unwrap_err();
        assert!(e.contains("beyond the limit of 24 h"), "{e}");
        let e = RunFile::parse_json(r#"{"config":{"nodes":51},"commands":[],"at_us":86400000000}"#).unwrap_err();
        assert!(e.contains("at most 25000000"), "{e}");
        let back_in_time = r#"{"config":{},"commands":[{"at_us":9,"command":{"cmd":"heal"}},
            {"at_us":3,"command":{"cmd":"heal"}}],"at_us":10}"#;
        assert!(RunFile::parse_json(back_in_time).unwrap_err().contains("goes back in time"));
        let refused = r#"{"config":{},"commands":[{"at_us":9,"command":{"cmd":"restart","node":1}}],"at_us":10}"#;
        let Err(e) = Replay::new(RunFile::parse_json(refused).unwrap()).unwrap().run_to_end() else {
            panic!("a refused command must stop the replay")
        };
        assert!(e.contains("command 1") && e.contains("not down"), "a refused command is an error: {e}");
    }

    #[test]
    fn replay_in_slices_equals_replay_in_one_go() {
        let (original, _) = run_seed_cluster(3, 5_000, None, Bugs::none());
        let mut sliced = Replay::new(RunFile::of(&original)).unwrap();
        let mut slices = 0;
        while !sliced.work(100).unwrap() {
            slices += 1;
            assert!(sliced.progress() <= 1.0);
        }
        assert!(slices > 10, "the work was cut in slices ({slices})");
        assert_eq!(sliced.finish().cluster().trace_hash(), original.trace_hash());
    }
}
