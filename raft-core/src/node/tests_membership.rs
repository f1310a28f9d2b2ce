//! Single-server membership changes (dissertation §4.1 and its 2015 erratum) and leadership transfer (§3.10), on one node.

use super::*;
use crate::log::Entry;

fn three() -> Membership {
    Membership::of_voters([1, 2, 3])
}

/// A time after `leader_of` made its leader (virtual time never goes back: the heartbeat queue relies on it).
pub(super) const T: TimeUs = 10_000_100;

/// Node 1 of {1,2,3}, leader of term 1 with its no-op durable; `commit` also commits the no-op.
pub(super) fn leader_of(members: Membership, commit: bool) -> Node {
    let mut n = Node::new(1, RaftConfig::default(), members, 7, 0);
    n.tick(10_000_000);
    n.take_ready();
    n.on_persisted(10_000_000, 1, 0, 0);
    n.step(10_000_001, 2, Message::RequestVoteReply { term: 1, granted: true });
    assert_eq!(n.role(), Role::Leader);
    n.take_ready();
    n.on_persisted(10_000_002, 1, 1, 1);
    if commit {
        n.step(
            10_000_003,
            2,
            Message::AppendEntriesReply { term: 1, success: true, match_index: 1, conflict_index: 0 },
        );
        assert_eq!(n.commit_index(), 1);
    }
    n.take_ready();
    n
}

fn config(voters: &[NodeId], learners: &[NodeId]) -> EntryData {
    EntryData::Config {
        membership: Membership {
            voters: voters.iter().copied().collect(),
            learners: learners.iter().copied().collect(),
        },
    }
}

#[test]
fn a_new_leader_changes_membership_only_after_committing_an_entry_of_its_term() {
    let mut n = leader_of(three(), false);
    assert_eq!(n.propose(T + 1, config(&[1, 2, 3], &[4])), Err(ProposeError::LeaderNotReady));
    let mut n = leader_of(three(), true);
    assert!(n.propose(T + 1, config(&[1, 2, 3], &[4])).is_ok());
}

#[test]
fn one_membership_change_is_pending_at_a_time() {
    let mut n = leader_of(three(), true);
    n.propose(T + 1, config(&[1, 2, 3], &[4])).unwrap();
    assert_eq!(n.membership().learners.len(), 1, "a configuration takes effect once in the log");
    assert_eq!(n.propose(T + 2, config(&[1, 2, 3], &[4, 5])), Err(ProposeError::ConfigChangePending));
}

#[test]
fn only_one_server_changes_at_a_time() {
    let refused = |voters: &[NodeId], learners: &[NodeId], why: &str| {
        let mut n = leader_of(Membership { voters: [1, 2, 3].into(), learners: [4].into() }, true);
        match n.propose(T + 1, config(voters, learners)) {
            Err(ProposeError::InvalidChange { reason }) => assert!(reason.contains(why), "{reason}"),
            other => panic!("{voters:?} + {learners:?} accepted: {other:?}"),
        }
    };
    refused(&[1, 2, 3, 5, 6], &[4], "one server");
    refused(&[1, 2, 3], &[4, 5, 6], "one server");
    refused(&[1, 2, 3, 5], &[], "one server"); // a voter added and a learner dropped: two servers
    refused(&[1, 2, 3, 4], &[5], "one server"); // 4 promoted and 5 added: two servers
    refused(&[1, 2, 3], &[3, 4], "voter and learner");
    let accepted = |voters: &[NodeId], learners: &[NodeId]| {
        let mut n = leader_of(Membership { voters: [1, 2, 3].into(), learners: [4].into() }, true);
        n.propose(T + 1, config(voters, learners)).unwrap_or_else(|e| panic!("{voters:?} + {learners:?}: {e:?}"));
    };
    accepted(&[1, 2, 3, 4], &[]); // the learner promoted
    accepted(&[1, 2, 3], &[]); // the learner removed
    accepted(&[1, 2], &[4]); // a voter removed
    accepted(&[1, 2, 3], &[4, 5]); // a learner added
}

#[test]
fn the_last_voter_cannot_be_removed() {
    let mut n = Node::new(1, RaftConfig::default(), Membership::of_voters([1]), 7, 0);
    n.tick(10_000_000);
    n.on_persisted(10_000_000, 1, 0, 0);
    n.on_persisted(10_000_000, 1, 1, 1);
    assert_eq!(n.commit_index(), 1);
    match n.propose(1, config(&[], &[1])) {
        Err(ProposeError::InvalidChange { reason }) => assert!(reason.contains("at least one voter"), "{reason}"),
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn truncating_an_uncommitted_configuration_entry_restores_the_configuration_before_it() {
    // S2 holds a configuration entry of term 1 that never committed; the leader of term 2 overwrites it.
    let mut n = Node::new(2, RaftConfig::default(), three(), 7, 0);
    let learner = config(&[1, 2, 3], &[4]);
    let ae = |term, prev_log_index, prev_log_term, entries: Vec<(Term, EntryData)>| Message::AppendEntries {
        term,
        leader: if term == 1 { 1 } else { 3 },
        prev_log_index,
        prev_log_term,
        entries: entries
            .into_iter()
            .enumerate()
            .map(|(i, (t, data))| Entry { term: t, index: prev_log_index + 1 + i as u64, data: data.into(), chain: 0 })
            .collect(),
        leader_commit: 0,
    };
    n.step(1, 1, ae(1, 0, 0, vec![(1, EntryData::Noop), (1, learner)]));
    assert!(n.membership().learners.contains(&4));
    n.step(2, 3, ae(2, 1, 1, vec![(2, EntryData::Noop)]));
    assert_eq!(n.log().last_index(), 2);
    assert_eq!(n.membership(), &three(), "the truncated configuration is gone with its entry");
}

#[test]
fn a_removed_leader_steps_down_once_its_removal_commits_not_before() {
    let mut n = leader_of(three(), true);
    n.propose(T + 1, config(&[2, 3], &[])).unwrap();
    n.on_persisted(T + 2, 1, 2, 1);
    assert_eq!(n.role(), Role::Leader, "it leads until the change is committed");
    n.step(T + 3, 2, Message::AppendEntriesReply { term: 1, success: true, match_index: 2, conflict_index: 0 });
    assert_eq!(n.role(), Role::Leader, "S1 is no voter of the new configuration: S2 alone is no majority of {{2,3}}");
    n.step(T + 4, 3, Message::AppendEntriesReply { term: 1, success: true, match_index: 2, conflict_index: 0 });
    assert_eq!(n.commit_index(), 2);
    assert_eq!(n.role(), Role::Follower, "committed: the removed leader steps down");
}

#[test]
fn a_transfer_refuses_proposals_and_is_given_up_after_an_election_timeout() {
    let mut n = leader_of(three(), true);
    let start = 10_000_010;
    n.transfer_leadership(start, 3).unwrap();
    assert_eq!(n.transfer_leadership(start, 2), Err(super::extensions::TransferError::AlreadyTransferring { to: 3 }));
    let r = n.take_ready();
    assert!(r.notes.contains(&Note::TransferStarted { to: 3 }));
    assert!(
        r.send.iter().any(|(to, m)| *to == 3 && matches!(m, Message::AppendEntries { .. })),
        "S3 is caught up first"
    );
    assert_eq!(n.propose(start, EntryData::Noop), Err(ProposeError::TransferInProgress { to: 3 }));
    // S3 never answers: the leader gives up at the maximum election timeout and takes proposals again.
    let deadline = n.transfer().unwrap().deadline_us;
    assert_eq!(deadline, start + RaftConfig::default().election_timeout_max_ms * 1000);
    assert!(n.next_deadline_us() <= deadline);
    n.tick(deadline);
    assert!(n.transfer().is_none());
    assert!(n.take_ready().notes.contains(&Note::TransferAbandoned { to: 3 }));
    assert!(n.propose(deadline, EntryData::Noop).is_ok());
}

#[test]
fn a_caught_up_target_gets_timeout_now_and_campaigns_at_once_in_a_new_term() {
    let mut n = leader_of(three(), true);
    // S2 acknowledged everything (index 1) in leader_of: TimeoutNow leaves at once.
    n.transfer_leadership(10_000_010, 2).unwrap();
    let r = n.take_ready();
    assert!(r.send.contains(&(2, Message::TimeoutNow { term: 1 })), "{:?}", r.send);
    let mut f = Node::new(2, RaftConfig::default(), three(), 7, 0);
    f.step(10_000_000, 1, super::tests_replication::ae(1, 1, (0, 0), vec![], 0));
    f.take_ready();
    f.step(10_000_020, 1, Message::TimeoutNow { term: 1 });
    assert_eq!((f.role(), f.term()), (Role::Candidate, 2));
    let r = f.take_ready();
    assert!(r
        .send_after_persist
        .iter()
        .all(|(_, m)| matches!(m, Message::RequestVote { transfer: true, term: 2, .. })));
    // A TimeoutNow from someone who is not our leader is ignored.
    let mut g = Node::new(3, RaftConfig::default(), three(), 7, 0);
    g.step(10_000_020, 1, Message::TimeoutNow { term: 0 });
    assert_eq!(g.role(), Role::Follower);
}
