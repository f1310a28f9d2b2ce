//! Timing advice next to the timing fields. Raft elects a leader only if broadcastTime ≪ electionTimeout ≪
//! MTBF (the paper, §5.6): a RequestVote and its reply must arrive well before the next node times out, and a
//! leader's heartbeats must arrive before its followers time out. Values that break this are accepted (a user
//! may want to see the failure), but the page says what will happen, before and after Apply.

/// The timing a user typed or a run uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    pub heartbeat_ms: f64,
    pub election_min_ms: f64,
    pub election_max_ms: f64,
    pub latency_max_ms: f64,
    /// A vote is sent only once it is durable: the disk's sync time is part of the round trip.
    pub sync_max_ms: f64,
    pub loss_pct: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stability {
    /// broadcastTime ≪ electionTimeout: elections finish, leaders stay.
    Stable,
    /// Elections finish, but slowly or after split votes.
    Shaky,
    /// No leader can be elected, or none can stay.
    Broken,
}

impl Stability {
    pub fn label(self) -> &'static str {
        match self {
            Stability::Stable => "stable",
            Stability::Shaky => "shaky",
            Stability::Broken => "cannot elect a stable leader",
        }
    }
}

/// The verdict and one sentence per problem found, worst first.
pub fn advise(t: Timing) -> (Stability, Vec<String>) {
    let mut broken = Vec::new();
    let mut shaky = Vec::new();
    // A vote needs a RequestVote there, a durable vote, and a reply back.
    let round_trip_ms = 2.0 * t.latency_max_ms + t.sync_max_ms;
    if round_trip_ms >= t.election_min_ms {
        broken.push(format!(
            "A vote's round trip can take {round_trip_ms} ms (2 × latency max + disk sync), longer than the \
             shortest election timeout ({} ms): candidates time out before their votes arrive, and terms climb \
             forever. Keep the election timeout several times the round trip.",
            t.election_min_ms
        ));
    } else if round_trip_ms * 2.0 > t.election_min_ms {
        shaky.push(format!(
            "The round trip ({round_trip_ms} ms) is more than half the shortest election timeout ({} ms): \
             expect slow elections and split votes (the paper asks for broadcastTime ≪ electionTimeout).",
            t.election_min_ms
        ));
    }
    if t.heartbeat_ms + t.latency_max_ms >= t.election_min_ms {
        broken.push(format!(
            "A heartbeat every {} ms (plus up to {} ms on the wire) does not reach followers before their \
             {} ms timeout: followers depose every leader.",
            t.heartbeat_ms, t.latency_max_ms, t.election_min_ms
        ));
    } else if t.heartbeat_ms * 2.0 > t.election_min_ms {
        shaky.push(format!(
            "Heartbeats ({} ms) are more than half the shortest election timeout ({} ms): one lost heartbeat \
             starts an election.",
            t.heartbeat_ms, t.election_min_ms
        ));
    }
    if t.election_max_ms - t.election_min_ms < round_trip_ms {
        shaky.push(format!(
            "The timeouts spread over {} ms, less than a round trip ({round_trip_ms} ms): nodes often time out \
             together and split the vote. Randomisation needs a wider range.",
            t.election_max_ms - t.election_min_ms
        ));
    }
    if t.loss_pct >= 50.0 {
        shaky.push(format!("{}% loss: most messages never arrive; progress comes in bursts.", t.loss_pct));
    }
    let verdict = if !broken.is_empty() {
        Stability::Broken
    } else if !shaky.is_empty() {
        Stability::Shaky
    } else {
        Stability::Stable
    };
    broken.extend(shaky);
    (verdict, broken)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn timing(hb: f64, lo: f64, hi: f64, lat: f64) -> Timing {
        Timing {
            heartbeat_ms: hb,
            election_min_ms: lo,
            election_max_ms: hi,
            latency_max_ms: lat,
            sync_max_ms: 3.0,
            loss_pct: 0.0,
        }
    }

    #[test]
    fn the_defaults_are_stable() {
        let d = raft_core::SimConfig::default();
        let t = timing(
            d.raft.heartbeat_ms as f64,
            d.raft.election_timeout_min_ms as f64,
            d.raft.election_timeout_max_ms as f64,
            d.network.latency_max_ms,
        );
        let t = Timing { sync_max_ms: d.disk.sync_max_ms, ..t };
        assert_eq!(advise(t), (Stability::Stable, vec![]));
    }

    #[test]
    fn latency_beyond_the_timeout_cannot_elect() {
        // The case: 400–500 ms latency with 150–300 ms timeouts never elects a leader (term 151).
        let (verdict, why) = advise(timing(50.0, 150.0, 300.0, 500.0));
        assert_eq!(verdict, Stability::Broken);
        assert!(why[0].contains("1003 ms"), "{why:?}");
    }

    #[test]
    fn heartbeat_slower_than_the_timeout_deposes_leaders() {
        let (verdict, why) = advise(timing(400.0, 300.0, 600.0, 10.0));
        assert_eq!(verdict, Stability::Broken);
        assert!(why.iter().any(|w| w.contains("depose")), "{why:?}");
    }

    #[test]
    fn a_narrow_range_warns_of_split_votes() {
        let (verdict, why) = advise(timing(50.0, 300.0, 305.0, 10.0));
        assert_eq!(verdict, Stability::Shaky);
        assert!(why.iter().any(|w| w.contains("split")), "{why:?}");
    }
}
