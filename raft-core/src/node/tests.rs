//! Unit tests of single nodes, named after the rules of the paper they check.

use super::*;
use crate::bugs::Bugs;
use crate::log::Entry;

fn cfg() -> RaftConfig {
    RaftConfig::default()
}

fn three() -> Membership {
    Membership::of_voters([1, 2, 3])
}

/// Makes node `id` of {1,2,3} a candidate in term 1 by firing its election timeout.
fn candidate(id: NodeId, bugs: Bugs) -> Node {
    let mut n = Node::new(id, RaftConfig { bugs, ..cfg() }, three(), 7, 0);
    n.tick(10_000_000);
    assert_eq!(n.role(), Role::Candidate);
    let r = n.take_ready();
    assert!(r.persist.is_some(), "the vote for self must be persisted");
    assert!(r.send.is_empty() && r.send_after_persist.len() == 2, "RequestVote waits for the persist");
    // The harness syncs the write, and only then do the RequestVotes leave.
    n.on_persisted(10_000_000, 1, 0, 0);
    n
}

#[test]
fn election_timeout_starts_an_election_in_a_new_term() {
    let n = candidate(1, Bugs::none());
    assert_eq!(n.term(), 1);
    assert_eq!(n.voted_for(), Some(1));
}

#[test]
fn election_restriction_refuses_a_candidate_with_a_less_up_to_date_log() {
    let mut n = Node::new(2, cfg(), three(), 7, 0);
    n.log.append(2, EntryData::Noop);
    n.term = 2;
    n.step(1, 1, Message::RequestVote { term: 3, candidate: 1, last_log_index: 5, last_log_term: 1, transfer: false });
    let r = n.take_ready();
    assert_eq!(r.send_after_persist, vec![(1, Message::RequestVoteReply { term: 3, granted: false })]);
    assert_eq!(n.term(), 3, "a higher term is adopted even when the vote is refused");
}

#[test]
fn one_vote_per_term() {
    let mut n = Node::new(3, cfg(), three(), 7, 0);
    n.step(1, 1, Message::RequestVote { term: 1, candidate: 1, last_log_index: 0, last_log_term: 0, transfer: false });
    n.step(2, 2, Message::RequestVote { term: 1, candidate: 2, last_log_index: 0, last_log_term: 0, transfer: false });
    let r = n.take_ready();
    let granted: Vec<bool> = r
        .send_after_persist
        .iter()
        .map(|(_, m)| matches!(m, Message::RequestVoteReply { granted: true, .. }))
        .collect();
    assert_eq!(granted, vec![true, false]);
}

#[test]
fn duplicated_vote_is_counted_once() {
    let mut n = Node::new(1, cfg(), Membership::of_voters([1, 2, 3, 4, 5]), 7, 0);
    n.tick(10_000_000);
    n.take_ready();
    n.on_persisted(10_000_000, 1, 0, 0);
    n.step(1, 2, Message::RequestVoteReply { term: 1, granted: true });
    n.step(2, 2, Message::RequestVoteReply { term: 1, granted: true });
    assert_eq!(n.role(), Role::Candidate, "two copies of one vote are not a majority of five");
    let mut buggy = Node::new(
        1,
        RaftConfig { bugs: Bugs::none().with(PlantedBug::DoubleCountVote), ..cfg() },
        Membership::of_voters([1, 2, 3, 4, 5]),
        7,
        0,
    );
    buggy.tick(10_000_000);
    buggy.on_persisted(10_000_000, 1, 0, 0);
    buggy.step(1, 2, Message::RequestVoteReply { term: 1, granted: true });
    buggy.step(2, 2, Message::RequestVoteReply { term: 1, granted: true });
    assert_eq!(buggy.role(), Role::Leader, "the planted bug must really be planted");
}

#[test]
fn stale_term_vote_is_ignored() {
    let in_term_2 = |bugs| {
        let mut n = candidate(1, bugs);
        n.tick(20_000_000); // split vote: term 2
        n.on_persisted(20_000_000, 2, 0, 0);
        assert_eq!(n.term(), 2);
        n.step(20_000_001, 2, Message::RequestVoteReply { term: 1, granted: true });
        n
    };
    assert_eq!(in_term_2(Bugs::none()).role(), Role::Candidate, "a vote of term 1 does not count in term 2");
    let buggy = in_term_2(Bugs::none().with(PlantedBug::StaleTermReply));
    assert_eq!(buggy.role(), Role::Leader, "the planted bug must really be planted");
    // A reply of a higher term is no vote either: the candidate steps down into that term.
    let mut n = in_term_2(Bugs::none());
    n.step(20_000_002, 3, Message::RequestVoteReply { term: 3, granted: true });
    assert_eq!((n.role(), n.term()), (Role::Follower, 3));
    let r = n.take_ready();
    assert!(r.notes.contains(&Note::SteppedDown { term: 3, higher_term_seen: true }), "{:?}", r.notes);
}

#[test]
fn new_leader_appends_a_noop_of_its_term() {
    let mut n = candidate(1, Bugs::none());
    n.step(1, 2, Message::RequestVoteReply { term: 1, granted: true });
    assert_eq!(n.role(), Role::Leader);
    assert_eq!(n.log().last_term(), 1);
    assert_eq!(*n.log().get(1).unwrap().data, EntryData::Noop);
}

#[test]
fn append_entries_consistency_check_rejects_with_a_conflict_hint() {
    let mut n = Node::new(2, cfg(), three(), 7, 0);
    for t in [1, 1, 2, 2] {
        n.log.append(t, EntryData::Noop);
    }
    n.term = 3;
    n.step(
        1,
        1,
        Message::AppendEntries {
            term: 3,
            leader: 1,
            prev_log_index: 4,
            prev_log_term: 3,
            entries: Default::default(),
            leader_commit: 0,
        },
    );
    let r = n.take_ready();
    assert_eq!(
        r.send_after_persist,
        vec![(1, Message::AppendEntriesReply { term: 3, success: false, match_index: 0, conflict_index: 3 })]
    );
}

fn entries(terms: &[(LogIndex, Term)]) -> Vec<Entry> {
    terms.iter().map(|(i, t)| Entry { term: *t, index: *i, data: EntryData::Noop.into(), chain: 0 }).collect()
}

#[test]
fn truncate_only_on_a_real_conflict() {
    let mut n = Node::new(2, cfg(), three(), 7, 0);
    let ae = |prev, es: Vec<Entry>| Message::AppendEntries {
        term: 1,
        leader: 1,
        prev_log_index: prev,
        prev_log_term: if prev == 0 { 0 } else { 1 },
        entries: es.into(),
        leader_commit: 0,
    };
    n.step(1, 1, ae(0, entries(&[(1, 1), (2, 1), (3, 1)])));
    // A reordered, older AppendEntries carrying only entry 1 arrives late: nothing is cut.
    n.step(2, 1, ae(0, entries(&[(1, 1)])));
    assert_eq!(n.log().last_index(), 3);
    let mut buggy =
        Node::new(2, RaftConfig { bugs: Bugs::none().with(PlantedBug::TruncateOnMatch), ..cfg() }, three(), 7, 0);
    buggy.step(1, 1, ae(0, entries(&[(1, 1), (2, 1), (3, 1)])));
    buggy.step(2, 1, ae(0, entries(&[(1, 1)])));
    assert_eq!(buggy.log().last_index(), 1, "the planted bug must really be planted");
}

#[test]
fn leader_commits_only_entries_of_its_current_term_by_counting() {
    // Figure 8: a leader of term 3 holding an entry of term 1 replicated to a majority may not commit it.
    let mut n = Node::new(1, cfg(), three(), 7, 0);
    n.log.append(1, EntryData::Noop);
    n.stable_index = 1;
    n.term = 2;
    n.tick(10_000_000);
    n.on_persisted(10_000_000, 3, 1, 1);
    n.step(1, 2, Message::RequestVoteReply { term: 3, granted: true });
    assert_eq!(n.role(), Role::Leader);
    n.step(2, 2, Message::AppendEntriesReply { term: 3, success: true, match_index: 1, conflict_index: 0 });
    assert_eq!(n.commit_index(), 0, "index 1 is of term 1: not committed by counting");
    n.on_persisted(3, 3, 2, 3);
    n.step(4, 2, Message::AppendEntriesReply { term: 3, success: true, match_index: 2, conflict_index: 0 });
    assert_eq!(n.commit_index(), 2, "the no-op of term 3 commits, and index 1 with it");
}

#[test]
fn leader_counts_itself_only_for_durable_entries() {
    let mut n = candidate(1, Bugs::none());
    n.step(1, 2, Message::RequestVoteReply { term: 1, granted: true });
    n.step(2, 2, Message::AppendEntriesReply { term: 1, success: true, match_index: 1, conflict_index: 0 });
    assert_eq!(n.commit_index(), 0, "the leader's no-op is not yet on its own disk: one durable copy of three");
    n.on_persisted(3, 1, 1, 1);
    assert_eq!(n.commit_index(), 1);
}

#[test]
fn restart_forgets_the_commit_index() {
    let disk = DurableState {
        term: 2,
        voted_for: Some(1),
        snapshot: None,
        log: Log::from_entries(entries(&[(1, 1), (2, 2)])),
    };
    let n = Node::restart(1, cfg(), three(), &disk, 7, 1, 0, 2);
    assert_eq!((n.commit_index(), n.term(), n.voted_for()), (0, 2, Some(1)));
    assert_eq!((n.log().last_index(), n.log().last_term()), (2, 2), "the durable log is kept");
    let buggy = Node::restart(
        1,
        RaftConfig { bugs: Bugs::none().with(PlantedBug::CommitKeptOnRestart), ..cfg() },
        three(),
        &disk,
        7,
        1,
        0,
        2,
    );
    assert_eq!(buggy.commit_index(), 2);
}

#[test]
fn single_voter_leads_only_once_its_vote_for_itself_is_durable() {
    // docs/RAFT.md pitfall: a single voter is its own quorum. Had it led before its term and vote were on disk, a
    // crash in the sync window would let it win the same term again with a different log.
    let mut n = Node::new(1, cfg(), Membership { voters: [1].into(), learners: [2].into() }, 7, 0);
    n.tick(10_000_000);
    assert_eq!((n.role(), n.term()), (Role::Candidate, 1), "not leader before the write is durable");
    let r = n.take_ready();
    let persist = r.persist.clone().expect("term and vote are written");
    assert_eq!((persist.term, persist.voted_for), (1, Some(1)));
    assert!(r.send.is_empty() && r.send_after_persist.is_empty(), "nothing leaves before the write: {r:?}");
    n.on_persisted(10_001_000, 0, 0, 0);
    assert_eq!(n.role(), Role::Candidate, "a write of an older term is not this candidacy's vote");
    assert_eq!(n.durable_term(), 0);
    n.on_persisted(10_002_000, 1, 0, 0);
    assert_eq!((n.role(), n.durable_term()), (Role::Leader, 1));
    let r = n.take_ready();
    assert!(r.send.iter().any(|(to, m)| *to == 2 && matches!(m, Message::AppendEntries { term: 1, .. })));
}

#[test]
fn vote_replies_do_not_elect_before_the_own_vote_is_durable() {
    let mut n = Node::new(1, cfg(), three(), 7, 0);
    n.tick(10_000_000);
    let _ = n.take_ready();
    n.step(1, 2, Message::RequestVoteReply { term: 1, granted: true });
    assert_eq!(n.role(), Role::Candidate, "two votes, but the own one is not durable");
    n.on_persisted(2, 1, 0, 0);
    assert_eq!(n.role(), Role::Leader, "the quorum is complete once the own vote is durable");
}

#[test]
fn election_timer_is_drawn_between_min_and_max_and_reset_by_a_campaign() {
    // Figure 2 and §5.2: randomized election timeouts; a candidate resets its timer and votes for itself.
    let mut n = Node::new(1, cfg(), three(), 7, 0);
    let (min_us, max_us) = (150_000, 300_000);
    let first = n.election_timeout_us();
    assert!((min_us..=max_us).contains(&first), "{first}");
    assert_eq!(n.election_deadline_us(), first);
    assert!(n.votes().is_empty());
    let mut timeouts = std::collections::BTreeSet::new();
    for k in 1..20u64 {
        let now = n.election_deadline_us();
        n.tick(now);
        assert_eq!(n.votes(), &[1], "a candidate votes for itself in each new term (term {})", n.term());
        let t = n.election_timeout_us();
        assert!((min_us..=max_us).contains(&t), "{t}");
        assert_eq!(n.election_deadline_us(), now + t, "the timer restarts at the campaign");
        assert_eq!(n.term(), k);
        timeouts.insert(t);
    }
    assert!(timeouts.len() > 10, "timeouts are randomized: {timeouts:?}");
}
