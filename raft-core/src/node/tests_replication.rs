//! Log replication details on one node: stale replies, the durable mark after a truncation, live settings,
//! the disruption guard, a candidate meeting its term's leader, and flow control.

use super::tests_membership::{leader_of, T};
use super::*;
use crate::bugs::Bugs;
use crate::log::Entry;
use crate::protocol::Protocol;

fn three() -> Membership {
    Membership::of_voters([1, 2, 3])
}

fn noops(prev_log_index: LogIndex, terms: &[Term]) -> Vec<Entry> {
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| Entry { term: *t, index: prev_log_index + 1 + i as u64, data: EntryData::Noop.into(), chain: 0 })
        .collect()
}

pub(super) fn ae(term: Term, leader: NodeId, prev: (LogIndex, Term), entries: Vec<Entry>, commit: LogIndex) -> Message {
    Message::AppendEntries {
        term,
        leader,
        prev_log_index: prev.0,
        prev_log_term: prev.1,
        entries: entries.into(),
        leader_commit: commit,
    }
}

/// The AppendEntries a Ready sends to `peer`, as (prevLogIndex, number of entries).
fn appends_to(r: &Ready, peer: NodeId) -> Vec<(LogIndex, usize)> {
    r.send
        .iter()
        .filter(|(to, _)| *to == peer)
        .filter_map(|(_, m)| match m {
            Message::AppendEntries { prev_log_index, entries, .. } => Some((*prev_log_index, entries.len())),
            _ => None,
        })
        .collect()
}

/// Node 1 as leader of term 2 (after a term-1 election it lost).
fn leader_of_term_2(bugs: Bugs) -> Node {
    let mut n = Node::new(1, RaftConfig { bugs, ..RaftConfig::default() }, three(), 7, 0);
    n.term = 1;
    n.tick(10_000_000);
    n.on_persisted(10_000_000, 2, 0, 0);
    n.step(1, 2, Message::RequestVoteReply { term: 2, granted: true });
    assert_eq!((n.role(), n.term()), (Role::Leader, 2));
    n
}

#[test]
fn the_planted_stale_reply_bug_counts_an_old_acknowledgement() {
    let mut n = leader_of_term_2(Bugs::none().with(PlantedBug::StaleTermReply));
    n.step(2, 3, Message::AppendEntriesReply { term: 1, success: true, match_index: 1, conflict_index: 0 });
    assert_eq!(n.progress()[&3].match_index, 1, "the planted bug must really be planted");
}

#[test]
fn a_reply_from_an_earlier_term_moves_nothing() {
    // Node 1 leads term 2; a success reply of term 1 (a stale acknowledgement) must not count.
    let mut n = leader_of_term_2(Bugs::none());
    n.step(2, 3, Message::AppendEntriesReply { term: 1, success: true, match_index: 1, conflict_index: 0 });
    assert_eq!(n.progress()[&3].match_index, 0, "the stale reply was ignored");
    n.step(3, 3, Message::AppendEntriesReply { term: 2, success: true, match_index: 1, conflict_index: 0 });
    assert_eq!(n.progress()[&3].match_index, 1, "the current one counts");
}

#[test]
fn after_a_truncation_only_the_kept_prefix_is_durable() {
    let mut n = Node::new(2, RaftConfig::default(), three(), 7, 0);
    n.step(1, 1, ae(1, 1, (0, 0), noops(0, &[1, 1, 1]), 0));
    n.take_ready();
    n.on_persisted(2, 1, 3, 1);
    assert_eq!(n.stable_index(), 3);
    // The leader of term 2 holds a different entry at index 2: S2 cuts from 2 and appends.
    n.step(3, 3, ae(2, 3, (1, 1), noops(1, &[2]), 0));
    assert_eq!(n.log().last_index(), 2);
    assert_eq!(n.stable_index(), 1, "entry 2 on disk is the old one until the new write syncs");
    n.on_persisted(4, 2, 2, 2);
    assert_eq!(n.stable_index(), 2);
}

#[test]
fn live_settings_take_effect() {
    let mut n = leader_of(three(), true);
    n.set_config(RaftConfig { heartbeat_ms: 200, ..RaftConfig::default() });
    let due = n.next_deadline_us();
    n.tick(due);
    assert_eq!(n.next_deadline_us(), due + 200_000, "the next heartbeat uses the new interval");
}

#[test]
fn by_default_a_higher_term_always_wins_as_figure_2_says() {
    // "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower",
    // even 100 ms after hearing from the leader, and for a leader too.
    let mut n = Node::new(2, RaftConfig::default(), three(), 7, 0);
    n.step(1_000_000, 1, ae(1, 1, (0, 0), vec![], 0));
    n.take_ready();
    n.step(
        1_100_000,
        3,
        Message::RequestVote { term: 2, candidate: 3, last_log_index: 0, last_log_term: 0, transfer: false },
    );
    assert_eq!(n.term(), 2);
    let r = n.take_ready();
    assert_eq!(r.send_after_persist, vec![(3, Message::RequestVoteReply { term: 2, granted: true })]);
    let mut l = leader_of(three(), true);
    let t = l.term();
    l.step(
        l.now_us + 1,
        3,
        Message::RequestVote { term: t + 1, candidate: 3, last_log_index: 0, last_log_term: 0, transfer: false },
    );
    assert_eq!((l.role(), l.term()), (Role::Follower, t + 1), "a leader steps down for a higher term");
}

#[test]
fn with_check_quorum_a_follower_that_hears_its_leader_ignores_vote_requests_for_a_while() {
    // The dissertation's §4.2.3 guard, part of CheckQuorum: within the minimum election timeout (150 ms) of
    // the leader's last AppendEntries, a RequestVote neither raises the term nor gets an answer.
    let cfg = RaftConfig { protocol: Protocol { check_quorum: true, ..Protocol::default() }, ..RaftConfig::default() };
    let mut n = Node::new(2, cfg.clone(), three(), 7, 0);
    n.step(1_000_000, 1, ae(1, 1, (0, 0), vec![], 0));
    n.take_ready();
    let request = Message::RequestVote { term: 2, candidate: 3, last_log_index: 0, last_log_term: 0, transfer: false };
    n.step(1_100_000, 3, request.clone());
    let r = n.take_ready();
    assert_eq!(n.term(), 1);
    assert!(r.send.is_empty() && r.send_after_persist.is_empty());
    // A transfer's election (the leader sent TimeoutNow) is heard at once.
    let transfer = Message::RequestVote { term: 2, candidate: 3, last_log_index: 0, last_log_term: 0, transfer: true };
    n.step(1_100_001, 3, transfer);
    assert_eq!(n.term(), 2, "a transfer's vote request is heard inside the lease");
    n.take_ready();
    let mut m = Node::new(2, cfg, three(), 7, 0);
    m.step(1_000_000, 1, ae(1, 1, (0, 0), vec![], 0));
    m.take_ready();
    m.step(1_150_000, 3, request);
    assert_eq!(m.term(), 2, "from the minimum timeout on, the request is heard");
    let r = m.take_ready();
    assert_eq!(r.send_after_persist, vec![(3, Message::RequestVoteReply { term: 2, granted: true })]);
}

#[test]
fn a_candidate_that_hears_the_leader_of_its_term_follows_it() {
    let mut n = Node::new(1, RaftConfig::default(), three(), 7, 0);
    n.tick(10_000_000);
    assert_eq!(n.role(), Role::Candidate);
    n.step(10_000_001, 2, ae(1, 2, (0, 0), vec![], 0));
    assert_eq!((n.role(), n.term(), n.leader_id()), (Role::Follower, 1, Some(2)));
    let r = n.take_ready();
    assert!(r.notes.contains(&Note::SteppedDown { term: 1, higher_term_seen: false }));
}

#[test]
fn flow_control_bounds_unacknowledged_appends_and_entries_per_append() {
    let mut n = leader_of(three(), true);
    n.set_config(RaftConfig { appends_in_flight_max: 1, entries_per_append_max: 2, ..RaftConfig::default() });
    for i in 0..5 {
        n.propose(T + 20 + i, EntryData::Noop).unwrap();
    }
    assert_eq!(
        appends_to(&n.take_ready(), 2),
        vec![(1, 1)],
        "the first proposal's entry went out; the full window sent nothing more"
    );
    n.step(T + 30, 2, Message::AppendEntriesReply { term: 1, success: true, match_index: 2, conflict_index: 0 });
    assert_eq!(
        appends_to(&n.take_ready(), 2),
        vec![(2, 2)],
        "the acknowledgement frees the slot for the next two entries"
    );
}

/// Figure 2 by default: one AppendEntries call at a time per follower; pipelining (§10.2.2) is a larger window.
#[test]
fn by_default_one_append_is_in_flight_and_what_is_proposed_meanwhile_goes_in_the_next() {
    let mut n = leader_of(three(), true);
    assert_eq!(n.cfg.appends_in_flight_max, RaftConfig::default().appends_in_flight_max);
    for i in 0..3 {
        n.propose(T + 20 + i, EntryData::Noop).unwrap();
    }
    assert_eq!(appends_to(&n.take_ready(), 2), vec![(1, 1)], "one append with the first entry, then none");
    n.step(T + 30, 2, Message::AppendEntriesReply { term: 1, success: true, match_index: 2, conflict_index: 0 });
    assert_eq!(appends_to(&n.take_ready(), 2), vec![(2, 2)], "the two entries proposed meanwhile, together");
}

#[test]
fn a_rejection_rewinds_next_index_to_the_hint_and_retries() {
    let mut n = leader_of(three(), true);
    n.propose(T + 20, EntryData::Noop).unwrap();
    n.take_ready();
    // S2 acknowledged index 1 before; a hint below that is floored at matchIndex + 1.
    n.step(T + 21, 2, Message::AppendEntriesReply { term: 1, success: false, match_index: 0, conflict_index: 1 });
    assert_eq!(appends_to(&n.take_ready(), 2), vec![(1, 1)], "retried from matchIndex + 1");
    assert_eq!(n.progress()[&2].in_flight(), 1, "the rejection emptied the window; the retry is in it");
}

#[test]
fn a_rejection_without_a_hint_changes_nothing() {
    // Only a term rejection carries no hint, and its higher term deposes the leader first; a hintless
    // rejection of the current term says nothing about where the logs differ, so nothing is rewound or resent.
    let mut n = leader_of(three(), true);
    n.propose(T + 20, EntryData::Noop).unwrap();
    n.take_ready();
    let before = n.progress()[&2].clone();
    n.step(T + 21, 2, Message::AppendEntriesReply { term: 1, success: false, match_index: 0, conflict_index: 0 });
    assert_eq!(n.progress()[&2], before);
    assert!(appends_to(&n.take_ready(), 2).is_empty());
}

#[test]
fn log_compaction_is_due_after_n_applied_entries_and_later_while_a_snapshot_is_being_sent() {
    let mut n = Node::new(1, RaftConfig { snapshot_after_entries: 4, ..RaftConfig::default() }, three(), 7, 0);
    n.applied_index = 3;
    assert!(!n.snapshot_due(), "3 applied entries after the (empty) snapshot, 4 needed");
    n.applied_index = 4;
    assert!(n.snapshot_due());
    n.role = Role::Leader;
    let sending = Some(SnapshotSending { last_index: 2, acked: 0, sent: 0 });
    let idle = Progress {
        next_index: 5,
        match_index: 0,
        inflights: Default::default(),
        recent_active: false,
        snapshot_sending: None,
        heartbeat_due_us: 0,
        voter: true,
    };
    n.progress.insert(2, idle.clone());
    n.progress.insert(3, Progress { snapshot_sending: sending, ..idle });
    assert!(!n.snapshot_due(), "a leader sending a snapshot waits for SNAPSHOT_DEFER_FACTOR times as many");
    n.applied_index = 4 * compaction::SNAPSHOT_DEFER_FACTOR;
    assert!(n.snapshot_due());
    n.cfg.snapshot_after_entries = 0;
    assert!(!n.snapshot_due(), "0: never");
}

/// Followers in step get the same run of entries: one allocation between them, not a copy each.
#[test]
fn followers_in_step_share_one_run_of_entries() {
    let mut n = super::tests_membership::leader_of(Membership::of_voters([1, 2, 3]), false);
    for i in 0..3 {
        n.propose(10_010_000 + i, EntryData::Noop).unwrap();
    }
    assert!(n.take_ready().send.is_empty(), "both windows hold the no-op");
    for f in [2, 3] {
        let ack = Message::AppendEntriesReply { term: 1, success: true, match_index: 1, conflict_index: 0 };
        n.step(10_020_000, f, ack);
    }
    let r = n.take_ready();
    let runs: Vec<&crate::log::Entries> = r
        .send
        .iter()
        .filter_map(|(_, m)| match m {
            Message::AppendEntries { entries, .. } => Some(entries),
            _ => None,
        })
        .collect();
    assert_eq!(runs.iter().map(|e| e.len()).collect::<Vec<_>>(), vec![3, 3]);
    assert_eq!(runs[0], runs[1]);
    assert!(std::ptr::eq(runs[0].as_ptr(), runs[1].as_ptr()), "one allocation for both");
    // A rewritten log is not served from the kept run: same indexes, other entries.
    let mut other = super::tests_membership::leader_of(Membership::of_voters([1, 2, 3]), false);
    other.sent_run = runs[0].clone();
    for i in 0..3 {
        let op = crate::machine::op::Op::Set { index: 0, value: i };
        other.propose(10_010_000 + i as u64, EntryData::Op { op, request: None }).unwrap();
    }
    other.take_ready();
    assert_eq!(other.log().last_index(), 4, "the same indexes as the kept run");
    let ack = Message::AppendEntriesReply { term: 1, success: true, match_index: 1, conflict_index: 0 };
    other.step(10_020_000, 2, ack);
    let sent = other.take_ready();
    let (_, Message::AppendEntries { entries, .. }) = &sent.send[0] else { panic!("an append") };
    assert!(!std::ptr::eq(entries.as_ptr(), runs[0].as_ptr()));
    assert!(entries.iter().eq(other.log().slice(2, 3)), "the entries of its own log");
}

/// A follower stepped twice before its Ready is taken (a harness may do that): its write is the log as it is
/// then, not the entries an earlier AppendEntries brought and the log has since replaced.
#[test]
fn a_kept_write_the_log_has_moved_past_is_not_written() {
    let mut n = Node::new(2, RaftConfig::default(), three(), 7, 0);
    let mut leaders = crate::log::Log::new();
    leaders.append(1, EntryData::Noop);
    leaders.append(1, EntryData::Noop);
    // With the leader's chain hashes: appended as they came, and kept for the write.
    n.step(10, 1, ae(1, 1, (0, 0), leaders.entries().cloned().collect(), 0));
    // A leader of term 2 replaces both; its chain fields are not this log's, so nothing is kept this time.
    n.step(20, 3, ae(2, 3, (0, 0), noops(0, &[2, 2]), 0));
    let write = n.take_ready().persist.expect("a write");
    assert_eq!(write.entries.iter().map(|e| e.term).collect::<Vec<_>>(), vec![2, 2]);
    assert!(write.entries.iter().eq(n.log().entries()), "the write is the log");
}
