//! Simulated clients: actors on the bus. A client sends to a node of its choice; a follower answers with a
//! redirect naming the leader it knows, and the client follows it, retrying with back-off (transparent
//! re-routing). Requests carry (client, seq) so a retry is applied at most once.

use super::cluster::{Cluster, Event};
use super::config::ms_to_us;
use super::journal::{result_words, Happening};
use super::server::Status;
use crate::machine::op::Op;
use crate::message::{ClientResult, Message};
use crate::types::{ClientId, Endpoint, LogIndex, NodeId, TimeUs, CLIENT_ID_MAX};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// A client gives up on a request after this many attempts (each a send to some node).
pub const ATTEMPTS_MAX: u32 = 40;
/// Finished requests remembered for the UI's request list (pending ones are always kept).
pub const RECORDS_MAX: usize = 2_000;
/// Requests one client may have waiting behind its current one.
pub const QUEUED_PER_CLIENT_MAX: usize = 1_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Applied { index: LogIndex },
    Refused { reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Position in the run's sequence of requests (stable while older records are forgotten).
    pub serial: u64,
    pub client: ClientId,
    pub seq: u64,
    pub op: Op,
    pub first_to: Option<NodeId>,
    pub status: RequestStatus,
    pub attempts: u32,
    pub redirects: u32,
    /// Nodes the request was sent to, in order (shows the redirect path). Inline up to four: no allocation
    /// per request for the usual one send, or a redirect or two.
    pub path: smallvec::SmallVec<[NodeId; 4]>,
    pub started_us: TimeUs,
    pub ended_us: Option<TimeUs>,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub id: ClientId,
    pub next_seq: u64,
    pub queue: VecDeque<(Op, Option<NodeId>)>,
    /// Serial of the request in progress.
    pub current: Option<u64>,
    pub leader_guess: Option<NodeId>,
    pub timer_gen: u64,
    pub backoff_us: TimeUs,
}

impl Client {
    pub fn new(id: ClientId) -> Self {
        Client {
            id,
            next_seq: 1,
            queue: VecDeque::new(),
            current: None,
            leader_guess: None,
            timer_gen: 0,
            backoff_us: 0,
        }
    }
}

/// The clients of a cluster by id, in a vector indexed by id (ids are 1 to `CLIENT_ID_MAX`): the simulator looks
/// a client up several times per request, and a BTreeMap search was 1 % of `raft-sim bench` at 5 nodes.
#[derive(Clone, Debug, Default)]
pub struct Clients(Vec<Option<Client>>);

impl Clients {
    pub fn get(&self, id: &ClientId) -> Option<&Client> {
        self.0.get(*id as usize).and_then(Option::as_ref)
    }
    pub fn get_mut(&mut self, id: &ClientId) -> Option<&mut Client> {
        self.0.get_mut(*id as usize).and_then(Option::as_mut)
    }
    /// The table's memory (a checkpoint copies it): one slot per id up to the largest seen, so a client 1,000
    /// costs the slots before it too.
    pub fn footprint_bytes(&self) -> u64 {
        (self.0.capacity() * std::mem::size_of::<Option<Client>>()) as u64
            + self
                .0
                .iter()
                .flatten()
                .map(|c| (c.queue.capacity() * std::mem::size_of::<(Op, Option<NodeId>)>()) as u64)
                .sum::<u64>()
    }

    /// The client `id`, new if it has sent nothing yet. `id` is at most `CLIENT_ID_MAX`.
    fn get_or_insert(&mut self, id: ClientId) -> &mut Client {
        let i = id as usize;
        if self.0.len() <= i {
            self.0.resize_with(i + 1, || None);
        }
        self.0[i].get_or_insert_with(|| Client::new(id))
    }
}

impl std::ops::Index<&ClientId> for Clients {
    type Output = Client;
    fn index(&self, id: &ClientId) -> &Client {
        self.get(id).expect("no client with this id")
    }
}

/// The client side of the bus: sending, following redirects, retrying with back-off.
impl Cluster {
    pub(super) fn client_enqueue(&mut self, client: ClientId, to: Option<NodeId>, op: Op) -> Result<(), String> {
        if !(1..=CLIENT_ID_MAX).contains(&client) {
            return Err(format!("client ids are between 1 and {CLIENT_ID_MAX}"));
        }
        let c = self.clients.get_or_insert(client);
        if c.queue.len() >= QUEUED_PER_CLIENT_MAX {
            return Err(format!(
                "client {client} already has {QUEUED_PER_CLIENT_MAX} requests waiting; wait for some to finish"
            ));
        }
        c.queue.push_back((op, to));
        if c.current.is_none() {
            self.client_start_next(client);
        }
        Ok(())
    }

    pub(super) fn client_start_next(&mut self, client: ClientId) {
        let c = self.clients.get_mut(&client).expect("client exists");
        let Some((op, to)) = c.queue.pop_front() else { return };
        let seq = c.next_seq;
        c.next_seq += 1;
        let target = to.or(c.leader_guess);
        let serial = self.next_request_serial;
        self.next_request_serial += 1;
        self.requests.push_back(RequestRecord {
            serial,
            client,
            seq,
            op,
            first_to: to,
            status: RequestStatus::Pending,
            attempts: 0,
            redirects: 0,
            path: Default::default(),
            started_us: self.now_us,
            ended_us: None,
        });
        if self.requests.len() > RECORDS_MAX {
            // Forget the oldest finished request; a pending one keeps its record (its client waits on it).
            if let Some(i) = self.requests.iter().position(|r| r.status != RequestStatus::Pending) {
                self.requests.remove(i);
            }
        }
        let c = self.clients.get_mut(&client).expect("client exists");
        c.current = Some(serial);
        c.backoff_us = ms_to_us(self.cfg.client_retry_ms as f64) / 4;
        let target = target.unwrap_or_else(|| self.any_node());
        self.client_send(client, target);
    }

    /// A node for a client that knows no leader: any server not removed, drawn from the seed.
    fn any_node(&mut self) -> NodeId {
        let ids: Vec<NodeId> = self.servers.values().filter(|s| s.status != Status::Removed).map(|s| s.id).collect();
        ids[self.rng.random_range(0..ids.len())]
    }

    fn current_record(&mut self, client: ClientId) -> Option<&mut RequestRecord> {
        let serial = self.clients.get(&client)?.current?;
        // Records stay in serial order when some are forgotten. Only a pending record skipped over when the
        // oldest finished one was forgotten leaves a gap, so the record is nearly always `serial - first` along.
        let first = self.requests.front()?.serial;
        let guess = serial.checked_sub(first).map(|d| d as usize);
        let i = match guess.filter(|i| self.requests.get(*i).is_some_and(|r| r.serial == serial)) {
            Some(i) => i,
            None => self.requests.binary_search_by_key(&serial, |r| r.serial).ok()?,
        };
        self.requests.get_mut(i)
    }

    fn client_send(&mut self, client: ClientId, target: NodeId) {
        let Some(rec) = self.current_record(client) else { return };
        rec.attempts += 1;
        rec.path.push(target);
        let (seq, attempt) = (rec.seq, rec.attempts);
        let msg = Message::ClientRequest { client, seq: rec.seq, op: rec.op.clone() };
        self.note(Happening::ClientSent { client, seq, to: target, attempt });
        self.bus_send(Endpoint::Client(client), Endpoint::Node(target), msg);
        let retry_us = ms_to_us(self.cfg.client_retry_ms as f64);
        let c = self.clients.get_mut(&client).expect("client exists");
        c.timer_gen += 1;
        let gen = c.timer_gen;
        self.schedule(self.now_us + retry_us, Event::ClientTimer(client, gen));
    }

    fn client_finish(&mut self, client: ClientId, status: RequestStatus) {
        let now = self.now_us;
        if let Some(rec) = self.current_record(client) {
            rec.status = status;
            rec.ended_us = Some(now);
        }
        let c = self.clients.get_mut(&client).expect("client exists");
        c.current = None;
        c.timer_gen += 1;
        self.client_start_next(client);
    }

    pub(super) fn client_receive(&mut self, client: ClientId, from: Endpoint, msg: Message) {
        let Message::ClientReply { seq, result } = msg else { return };
        let Some(rec) = self.current_record(client) else { return };
        if rec.seq != seq {
            return; // a late reply to an earlier request
        }
        let attempts = rec.attempts;
        if self.journaling() {
            self.note(Happening::ClientAnswered { client, seq, outcome: result_words(&result) });
        }
        let from_node = match from {
            Endpoint::Node(n) => Some(n),
            Endpoint::Client(_) => None,
        };
        match result {
            ClientResult::Applied { index } => {
                self.clients.get_mut(&client).expect("client exists").leader_guess = from_node;
                self.client_finish(client, RequestStatus::Applied { index });
            }
            ClientResult::Refused { reason } => self.client_finish(client, RequestStatus::Refused { reason }),
            ClientResult::Redirect { leader } => {
                if let Some(rec) = self.current_record(client) {
                    rec.redirects += 1;
                }
                if attempts >= ATTEMPTS_MAX {
                    let reason = format!("no leader answered after {attempts} attempts");
                    self.note(Happening::ClientGaveUp { client, seq, reason: reason.clone() });
                    self.client_finish(client, RequestStatus::Refused { reason });
                    return;
                }
                let c = self.clients.get_mut(&client).expect("client exists");
                c.leader_guess = leader;
                match leader {
                    Some(l) => self.client_send(client, l),
                    None => {
                        // No leader known yet: back off (doubling, capped) before asking again.
                        c.timer_gen += 1;
                        let gen = c.timer_gen;
                        let wait_us = c.backoff_us;
                        c.backoff_us = (c.backoff_us * 2).min(ms_to_us(self.cfg.client_retry_ms as f64) * 4);
                        self.schedule(self.now_us + wait_us, Event::ClientTimer(client, gen));
                    }
                }
            }
        }
    }

    pub(super) fn client_timeout(&mut self, client: ClientId, gen: u64) -> bool {
        let Some(c) = self.clients.get(&client) else { return false };
        if c.timer_gen != gen || c.current.is_none() {
            return false;
        }
        let attempts = self.current_record(client).map_or(0, |r| r.attempts);
        let seq = self.current_record(client).map_or(0, |r| r.seq);
        if attempts >= ATTEMPTS_MAX {
            let reason = format!("no reply after {attempts} attempts");
            self.note(Happening::ClientGaveUp { client, seq, reason: reason.clone() });
            self.client_finish(client, RequestStatus::Refused { reason });
            return true;
        }
        self.note(Happening::ClientRetried { client, seq });
        let guess = self.clients.get_mut(&client).expect("client exists").leader_guess.take();
        let target = guess.unwrap_or_else(|| self.any_node());
        self.client_send(client, target);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Command, SimConfig};

    #[test]
    fn a_pending_request_keeps_its_record_when_the_history_is_full() {
        let mut c = Cluster::new(SimConfig::default()).unwrap();
        c.client_enqueue(7, None, Op::Set { index: 0, value: 1 }).unwrap();
        let pending = c.clients[&7].current.expect("client 7 is waiting");
        // Fill the history with finished requests of other clients.
        for i in 0..RECORDS_MAX as u64 {
            let serial = c.next_request_serial;
            c.next_request_serial += 1;
            c.requests.push_back(RequestRecord {
                serial,
                client: 100,
                seq: i + 1,
                op: Op::Set { index: 0, value: 0 },
                first_to: None,
                status: RequestStatus::Refused { reason: "test".into() },
                attempts: 1,
                redirects: 0,
                path: Default::default(),
                started_us: 0,
                ended_us: Some(0),
            });
        }
        c.client_enqueue(8, None, Op::Set { index: 1, value: 2 }).unwrap();
        assert!(c.requests.len() <= RECORDS_MAX + 1, "finished records were forgotten");
        let rec = c.current_record(7).expect("the pending request of client 7 is still known");
        assert_eq!((rec.serial, &rec.status), (pending, &RequestStatus::Pending));
        // And it completes: the client is not stuck.
        c.run_until(3_000_000);
        let done = c.requests.iter().find(|r| r.serial == pending).unwrap();
        assert!(matches!(done.status, RequestStatus::Applied { .. }), "{done:?}");
    }

    #[test]
    fn client_ids_are_bounded_and_the_bound_is_said() {
        let mut c = Cluster::new(SimConfig::default()).unwrap();
        let set = || Op::Set { index: 0, value: 1 };
        for id in [0, CLIENT_ID_MAX + 1, u32::MAX] {
            let e = c.apply(Command::Request { client: Some(id), to: None, op: set() }).unwrap_err();
            assert_eq!(e, "client ids are between 1 and 1000", "client {id}");
        }
        for id in [1, CLIENT_ID_MAX] {
            c.apply(Command::Request { client: Some(id), to: None, op: set() }).unwrap();
        }
        c.run_until(3_000_000);
        for id in [1, CLIENT_ID_MAX] {
            assert!(c.clients[&id].current.is_none(), "client {id} was answered");
        }
        assert!(c.requests.iter().all(|r| matches!(r.status, RequestStatus::Applied { .. })), "{:?}", c.requests);
    }

    #[test]
    fn a_large_client_id_counts_its_table_in_the_footprint_checkpoints_are_limited_by() {
        let with_client = |id| {
            let mut c = Cluster::new(SimConfig::default()).unwrap();
            c.apply(Command::Request { client: Some(id), to: None, op: Op::Set { index: 0, value: 1 } }).unwrap();
            c.footprint_bytes()
        };
        let slots = CLIENT_ID_MAX as u64 * std::mem::size_of::<Option<Client>>() as u64;
        assert!(with_client(CLIENT_ID_MAX) >= with_client(1) + slots, "client {CLIENT_ID_MAX}'s slots are counted");
    }

    #[test]
    fn a_client_queue_is_bounded() {
        let mut c = Cluster::new(SimConfig::default()).unwrap();
        for _ in 0..=QUEUED_PER_CLIENT_MAX {
            c.client_enqueue(3, None, Op::Set { index: 0, value: 1 }).unwrap();
        }
        let e = c.client_enqueue(3, None, Op::Set { index: 0, value: 1 }).unwrap_err();
        assert!(e.contains("1000 requests waiting"), "{e}");
    }
}
