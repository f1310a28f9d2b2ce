//! Expectations a scenario checks at a virtual time. Every field is optional; each one given is checked and a
//! failure names it.

use super::refs::{resolve, Memory};
use crate::check::Invariant;
use crate::sim::client::RequestStatus;
use crate::sim::history::Outcome;
use crate::sim::server::{Server, Status};
use crate::sim::Cluster;
use crate::types::Role;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// A leader exists (true) or none does (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader_is: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader_not: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_at_least: Option<u64>,
    /// No running node is in a term above this (nothing forced a new election).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_at_most: Option<u64>,
    /// A node's role, or "down".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleExpect>,
    /// A node's snapshot covers at least this many entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotExpect>,
    /// Voters in the leader's configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voters: Option<usize>,
    /// The array on every live member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array: Option<Vec<i64>>,
    /// The committed messages on every live member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<String>>,
    /// The escort position [x, y] on every live member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<[i64; 2]>,
    /// Escort steps applied on every live member (a lost or repeated step changes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escort_steps: Option<u64>,
    /// Every live member's log is a prefix of the leader's that holds all committed entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs_match: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogExpect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed: Option<CommittedExpect>,
    /// Some election in the history had this outcome (in this term, if given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election: Option<ElectionExpect>,
    /// The most recent client request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_request: Option<RequestExpect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_violations: Option<bool>,
    /// This invariant has been violated (planted-bug scenarios).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violated: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotExpect {
    pub node: Value,
    pub last_index_at_least: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleExpect {
    pub node: Value,
    pub is: RoleOrDown,
}

/// A role as `Role` names it, or a node that is not running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleOrDown {
    Leader,
    Candidate,
    Precandidate,
    Follower,
    /// A running member that is not a voter.
    Learner,
    Down,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogExpect {
    pub node: Value,
    /// An entry whose readable text is this ("a[0] = 7", "msg: hi", "no-op").
    pub contains: String,
    #[serde(default)]
    pub count: Option<usize>,
    /// All such entries are committed (true) or none is (false).
    #[serde(default)]
    pub committed: Option<bool>,
    /// All such entries are of a term above the term remembered under this name.
    #[serde(default)]
    pub term_above: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommittedExpect {
    pub node: Value,
    pub index: u64,
    pub is: bool,
    /// The entry at `index` has this term.
    #[serde(default)]
    pub term: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionExpect {
    #[serde(default)]
    pub term: Option<u64>,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestExpect {
    /// "applied", "refused" or "pending".
    pub status: String,
    #[serde(default)]
    pub redirects_at_least: Option<u32>,
    #[serde(default)]
    pub reason_contains: Option<String>,
}

/// Running servers in the leader's configuration (every running server if there is no leader).
fn live_members(c: &Cluster) -> Vec<&Server> {
    let members = c.leader().map(|l| l.membership().clone());
    c.servers()
        .filter(|s| s.status == Status::Up)
        .filter(|s| members.as_ref().is_none_or(|m| m.contains(s.id)))
        .collect()
}

fn on_every_live<T: PartialEq + std::fmt::Debug>(
    c: &Cluster,
    what: &str,
    want: &T,
    get: impl Fn(&Server) -> T,
    fails: &mut Vec<String>,
) {
    for s in live_members(c) {
        let got = get(s);
        if &got != want {
            fails.push(format!("{what}: S{} has {got:?}, expected {want:?}", s.id));
        }
    }
}

impl Expectation {
    /// Refuses expectations that would parse but check nothing.
    pub fn validate(&self) -> Result<(), String> {
        if self.snapshot.as_ref().is_some_and(|se| se.last_index_at_least == 0) {
            return Err("\"snapshot\": last_index_at_least 0 checks nothing; ask for 1 or more".into());
        }
        if self.logs_match == Some(false) {
            return Err("\"logs_match\": false checks nothing; use true, or leave it out".into());
        }
        if self.no_violations == Some(false) {
            return Err(
                "\"no_violations\": false checks nothing; to expect a violation, name it with \"violated\"".into()
            );
        }
        if let Some(name) = &self.violated {
            if Invariant::from_name(name).is_none() {
                let names: Vec<&str> = Invariant::ALL.iter().map(|i| i.name()).collect();
                return Err(format!("\"violated\": unknown invariant \"{name}\" (known: {})", names.join(", ")));
            }
        }
        if let Some(re) = &self.last_request {
            if !["applied", "refused", "pending"].contains(&re.status.as_str()) {
                return Err(format!("\"last_request\": status is applied, refused or pending, not \"{}\"", re.status));
            }
        }
        Ok(())
    }

    /// Checks every given field with no remembered names (a course's questions); one sentence per failure.
    pub fn check_now(&self, c: &Cluster) -> Vec<String> {
        self.check(c, &Memory::new())
    }

    /// Checks every given field; returns one sentence per failure.
    pub fn check(&self, c: &Cluster, memory: &Memory) -> Vec<String> {
        let mut fails = Vec::new();
        let leader = c.leader();
        let node_ref = |v: &Value, fails: &mut Vec<String>| match resolve(c, memory, v) {
            Ok(id) => Some(id),
            Err(e) => {
                fails.push(e);
                None
            }
        };
        if let Some(want) = self.leader {
            if leader.is_some() != want {
                fails.push(match leader {
                    Some(l) => format!("leader: expected none, S{} leads term {}", l.id(), l.term()),
                    None => "leader: expected a leader, there is none".into(),
                });
            }
        }
        if let Some(v) = &self.leader_is {
            if let Some(id) = node_ref(v, &mut fails) {
                if leader.map(|l| l.id()) != Some(id) {
                    fails.push(format!("leader_is: expected S{id}, leader is {:?}", leader.map(|l| l.id())));
                }
            }
        }
        if let Some(v) = &self.leader_not {
            if let Some(id) = node_ref(v, &mut fails) {
                match leader {
                    None => fails.push(format!("leader_not: expected a leader other than S{id}, there is none")),
                    Some(l) if l.id() == id => fails.push(format!("leader_not: S{id} is still the leader")),
                    _ => {}
                }
            }
        }
        if let Some(t) = self.term_at_least {
            let term = leader.map_or(c.max_term(), |l| l.term());
            if term < t {
                fails.push(format!("term_at_least: term is {term}, expected at least {t}"));
            }
        }
        if let Some(t) = self.term_at_most {
            let term = c.servers().filter_map(|s| s.node.as_ref()).map(|n| n.term()).max().unwrap_or(0);
            if term > t {
                fails.push(format!("term_at_most: a node is in term {term}, expected at most {t}"));
            }
        }
        if let Some(re) = &self.role {
            if let Some(id) = node_ref(&re.node, &mut fails) {
                let actual = match c.server(id).and_then(|s| s.node.as_ref().filter(|_| s.status == Status::Up)) {
                    None => RoleOrDown::Down,
                    Some(n) if re.is == RoleOrDown::Learner && !n.membership().is_voter(id) => RoleOrDown::Learner,
                    Some(n) => match n.role() {
                        Role::Leader => RoleOrDown::Leader,
                        Role::Candidate => RoleOrDown::Candidate,
                        Role::Precandidate => RoleOrDown::Precandidate,
                        Role::Follower => RoleOrDown::Follower,
                    },
                };
                if actual != re.is {
                    let name = |r: RoleOrDown| format!("{r:?}").to_lowercase();
                    fails.push(format!("role: S{id} is {}, expected {}", name(actual), name(re.is)));
                }
            }
        }
        if let Some(se) = &self.snapshot {
            if let Some(id) = node_ref(&se.node, &mut fails) {
                // A running node's log, else its disk.
                let start = c.server(id).map(|s| s.node.as_ref().map_or(s.disk.log.start(), |n| n.log().start()));
                match start {
                    None => fails.push(format!("snapshot: there is no node S{id}")),
                    Some(st) if st.index < se.last_index_at_least => fails.push(format!(
                        "snapshot: S{id}'s snapshot ends at index {}, expected at least {}",
                        st.index, se.last_index_at_least
                    )),
                    _ => {}
                }
            }
        }
        if let Some(n) = self.voters {
            match leader {
                Some(l) if l.membership().voters.len() == n => {}
                Some(l) => fails.push(format!("voters: the configuration is {}", l.membership().describe())),
                None => fails.push("voters: no leader to ask".into()),
            }
        }
        if let Some(want) = &self.array {
            on_every_live(c, "array", want, |s| s.machines.array.values.clone(), &mut fails);
        }
        if let Some(want) = &self.messages {
            on_every_live(c, "messages", want, |s| s.machines.messages.messages.clone(), &mut fails);
        }
        if let Some([x, y]) = self.position {
            on_every_live(c, "position", &[x, y], |s| [s.machines.escort.pos.x, s.machines.escort.pos.y], &mut fails);
        }
        if let Some(n) = self.escort_steps {
            on_every_live(c, "escort_steps", &n, |s| s.machines.escort.steps, &mut fails);
        }
        if self.logs_match == Some(true) {
            // Every live member's log is a prefix of the leader's holding at least everything committed: no
            // conflicting or extra entries remain (the leader may have just appended one more).
            match leader {
                None => fails.push("logs_match: no leader to compare with".into()),
                Some(l) => {
                    let ll = l.log();
                    for s in live_members(c) {
                        let log = s.node.as_ref().expect("up").log();
                        let last = log.last_index();
                        let prefix = last <= ll.last_index() && log.chain_at(last) == ll.chain_at(last);
                        if !prefix || last < l.commit_index() {
                            fails.push(format!(
                                "logs_match: S{}'s log (last index {last}) is not the leader S{}'s log up to its commit index {}",
                                s.id,
                                l.id(),
                                l.commit_index()
                            ));
                        }
                    }
                }
            }
        }
        if let Some(le) = &self.log {
            self.check_log(c, memory, le, &mut fails);
        }
        if let Some(ce) = &self.committed {
            if let Some(id) = node_ref(&ce.node, &mut fails) {
                match c.node(id) {
                    None => fails.push(format!("committed: S{id} is not running")),
                    Some(n) => {
                        let is = ce.index <= n.commit_index() && ce.index <= n.log().last_index();
                        if is != ce.is {
                            fails.push(format!(
                                "committed: index {} on S{id} is {}committed (commit index {})",
                                ce.index,
                                if is { "" } else { "not " },
                                n.commit_index()
                            ));
                        }
                        if let Some(t) = ce.term {
                            if n.log().term_at(ce.index) != t {
                                fails.push(format!(
                                    "committed: entry {} on S{id} has term {}, expected {t}",
                                    ce.index,
                                    n.log().term_at(ce.index)
                                ));
                            }
                        }
                    }
                }
            }
        }
        if let Some(ee) = &self.election {
            let found =
                c.history().elections.iter().any(|e| e.outcome == ee.outcome && ee.term.is_none_or(|t| t == e.term));
            if !found {
                fails.push(format!("election: no election with outcome {:?} (term {:?})", ee.outcome, ee.term));
            }
        }
        if let Some(re) = &self.last_request {
            match c.requests().back() {
                None => fails.push("last_request: no client request was made".into()),
                Some(r) => {
                    let (status, reason) = match &r.status {
                        RequestStatus::Applied { .. } => ("applied", ""),
                        RequestStatus::Refused { reason } => ("refused", reason.as_str()),
                        RequestStatus::Pending => ("pending", ""),
                    };
                    if status != re.status {
                        fails.push(format!("last_request: status is {status} ({reason}), expected {}", re.status));
                    }
                    if let Some(n) = re.redirects_at_least {
                        if r.redirects < n {
                            fails.push(format!("last_request: {} redirects, expected at least {n}", r.redirects));
                        }
                    }
                    if let Some(part) = &re.reason_contains {
                        if !reason.contains(part.as_str()) {
                            fails.push(format!("last_request: reason \"{reason}\" lacks \"{part}\""));
                        }
                    }
                }
            }
        }
        if self.no_violations == Some(true) && c.violation_count() > 0 {
            let v = &c.violations()[0];
            fails.push(format!("no_violations: {} violated: {}", v.invariant.name(), v.message));
        }
        if let Some(name) = &self.violated {
            match Invariant::from_name(name) {
                None => fails.push(format!("violated: unknown invariant \"{name}\"")),
                Some(inv) => {
                    if !c.violations().iter().any(|v| v.invariant == inv) {
                        fails.push(format!("violated: {} was not violated", inv.name()));
                    }
                }
            }
        }
        fails
    }

    fn check_log(&self, c: &Cluster, memory: &Memory, le: &LogExpect, fails: &mut Vec<String>) {
        let id = match resolve(c, memory, &le.node) {
            Ok(id) => id,
            Err(e) => return fails.push(e),
        };
        let Some(n) = c.node(id) else { return fails.push(format!("log: S{id} is not running")) };
        let matching: Vec<_> = n.log().entries().filter(|e| e.data.describe() == le.contains).collect();
        let count = le.count.unwrap_or(1);
        if le.count.is_some() && matching.len() != count || le.count.is_none() && matching.is_empty() {
            fails.push(format!("log: S{id} holds {} entries \"{}\", expected {count}", matching.len(), le.contains));
        }
        if let Some(want) = le.committed {
            for e in &matching {
                if (e.index <= n.commit_index()) != want {
                    fails.push(format!(
                        "log: S{id}'s entry {} \"{}\" is {}committed",
                        e.index,
                        le.contains,
                        if want { "not " } else { "" }
                    ));
                }
            }
        }
        if let Some(name) = &le.term_above {
            match memory.get(name) {
                None => fails.push(format!("log: no term was remembered as \"{name}\"")),
                Some((_, t)) => {
                    for e in matching.iter().filter(|e| e.term <= *t) {
                        fails.push(format!("log: S{id}'s entry {} is of term {}, not above {t}", e.index, e.term));
                    }
                }
            }
        }
    }
}
