//! What the course must teach: the rules of the paper's Figure 2 ("Rules for Servers" and the two RPC receiver
//! implementations) and the five properties of Figure 3, each with an id the course file names in "teaches".
//!
//! Counted from the figure: All Servers 2, Followers 2, Candidates 4, Leaders 4, AppendEntries receiver 5,
//! RequestVote receiver 2 — 19 rules (the leaders' "if successful / if fails" sub-bullets belong to the third
//! leader rule, and the candidates' "on conversion" sub-bullets to the first candidate rule).

/// A rule or property: its id (used in course files) and the paper's words.
pub type Rule = (&'static str, &'static str);

pub const FIGURE_2: [Rule; 19] = [
    ("all-servers-1", "If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to state machine"),
    (
        "all-servers-2",
        "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower",
    ),
    ("followers-1", "Respond to RPCs from candidates and leaders"),
    (
        "followers-2",
        "If election timeout elapses without receiving AppendEntries RPC from current leader or granting vote to \
         candidate: convert to candidate",
    ),
    (
        "candidates-1",
        "On conversion to candidate, start election: increment currentTerm, vote for self, reset election timer, \
         send RequestVote RPCs to all other servers",
    ),
    ("candidates-2", "If votes received from majority of servers: become leader"),
    ("candidates-3", "If AppendEntries RPC received from new leader: convert to follower"),
    ("candidates-4", "If election timeout elapses: start new election"),
    (
        "leaders-1",
        "Upon election: send initial empty AppendEntries RPCs (heartbeat) to each server; repeat during idle periods \
         to prevent election timeouts",
    ),
    (
        "leaders-2",
        "If command received from client: append entry to local log, respond after entry applied to state machine",
    ),
    (
        "leaders-3",
        "If last log index ≥ nextIndex for a follower: send AppendEntries RPC with log entries starting at nextIndex; \
         if successful, update nextIndex and matchIndex; if it fails because of log inconsistency, decrement \
         nextIndex and retry",
    ),
    (
        "leaders-4",
        "If there exists an N such that N > commitIndex, a majority of matchIndex[i] ≥ N, and log[N].term == \
         currentTerm: set commitIndex = N",
    ),
    ("append-entries-1", "AppendEntries receiver: reply false if term < currentTerm"),
    (
        "append-entries-2",
        "AppendEntries receiver: reply false if log doesn't contain an entry at prevLogIndex whose term matches \
         prevLogTerm",
    ),
    (
        "append-entries-3",
        "AppendEntries receiver: if an existing entry conflicts with a new one (same index but different terms), \
         delete the existing entry and all that follow it",
    ),
    ("append-entries-4", "AppendEntries receiver: append any new entries not already in the log"),
    (
        "append-entries-5",
        "AppendEntries receiver: if leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new \
         entry)",
    ),
    ("request-vote-1", "RequestVote receiver: reply false if term < currentTerm"),
    (
        "request-vote-2",
        "RequestVote receiver: if votedFor is null or candidateId, and candidate's log is at least as up-to-date as \
         receiver's log, grant vote",
    ),
];

pub const FIGURE_3: [Rule; 5] = [
    ("election-safety", "Election Safety: at most one leader can be elected in a given term"),
    (
        "leader-append-only",
        "Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends",
    ),
    (
        "log-matching",
        "Log Matching: if two logs contain an entry with the same index and term, then the logs are identical in all \
         entries up through the given index",
    ),
    (
        "leader-completeness",
        "Leader Completeness: if a log entry is committed in a given term, then that entry will be present in the \
         logs of the leaders for all higher-numbered terms",
    ),
    (
        "state-machine-safety",
        "State Machine Safety: if a server has applied a log entry at a given index to its state machine, no other \
         server will ever apply a different log entry for the same index",
    ),
];

/// Every id a course must cover: Figure 2's rules, then Figure 3's properties.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    FIGURE_2.iter().chain(FIGURE_3.iter())
}

pub fn known(id: &str) -> bool {
    all().any(|(r, _)| *r == id)
}
