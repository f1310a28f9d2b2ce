//! Single-server membership changes (dissertation §4.1 and its 2015 erratum), on one node.

use super::*;

fn three() -> Membership {
    Membership::of_voters([1, 2, 3])
}

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
    assert_eq!(n.propose(1, config(&[1, 2, 3], &[4])), Err(ProposeError::LeaderNotReady));
    let mut n = leader_of(three(), true);
    assert!(n.propose(1, config(&[1, 2, 3], &[4])).is_ok());
}

#[test]
fn one_membership_change_is_pending_at_a_time() {
    let mut n = leader_of(three(), true);
    n.propose(1, config(&[1, 2, 3], &[4])).unwrap();
    assert_eq!(n.membership().learners.len(), 1, "a configuration takes effect once in the log");
    assert_eq!(n.propose(2, config(&[1, 2, 3], &[4, 5])), Err(ProposeError::ConfigChangePending));
}

#[test]
fn only_one_server_changes_at_a_time() {
    let refused = |voters: &[NodeId], learners: &[NodeId], why: &str| {
        let mut n = leader_of(Membership { voters: [1, 2, 3].into(), learners: [4].into() }, true);
        match n.propose(1, config(voters, learners)) {
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
        n.propose(1, config(voters, learners)).unwrap_or_else(|e| panic!("{voters:?} + {learners:?}: {e:?}"));
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
            .map(|(i, (t, data))| Entry { term: t, index: prev_log_index + 1 + i as u64, data, chain: 0 })
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
    n.propose(1, config(&[2, 3], &[])).unwrap();
    n.on_persisted(2, 1, 2, 1);
    assert_eq!(n.role(), Role::Leader, "it leads until the change is committed");
    n.step(3, 2, Message::AppendEntriesReply { term: 1, success: true, match_index: 2, conflict_index: 0 });
    assert_eq!(n.role(), Role::Leader, "S1 is no voter of the new configuration: S2 alone is no majority of {{2,3}}");
    n.step(4, 3, Message::AppendEntriesReply { term: 1, success: true, match_index: 2, conflict_index: 0 });
    assert_eq!(n.commit_index(), 2);
    assert_eq!(n.role(), Role::Follower, "committed: the removed leader steps down");
}
