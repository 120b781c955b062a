//! An independent reference model of synchronous gossip rounds, written from
//! the protocols' definitions (Demers et al. 1987; van Renesse et al. 2008),
//! not from the simulator's code, to validate the simulator against
//! (`fidelity.rs`).
//!
//! `n` nodes, node 0 informed before the first round. In every round each
//! node contacts `fanout` distinct other nodes, uniformly at random, and
//! every message is lost independently with probability `loss`:
//!
//! - **push**: a node sends its state to each contact (1 message);
//! - **pull**: a node asks each contact (request), which answers with its
//!   state (reply): 2 messages, the reply only if the request arrived;
//! - **push-pull** (full state): a node sends its state; the contact answers
//!   with its own state (reply) and then merges what it got;
//! - **Scuttlebutt**: `syn` (the initiator's digest, no data), `ack` (the
//!   data the initiator lacks, plus the responder's digest), `ack2` (the data
//!   the responder lacks): each sent only if the one before arrived. A lost
//!   `syn` ends the exchange; a lost `ack` means neither side learns from it
//!   (the `ack2` is never sent); a lost `ack2` means only the responder does
//!   not learn.
//!
//! **What a reply carries.** With aligned timers and a constant latency `L`
//! (3L < interval) every round has phases at `t`, `t+L`, `t+2L`, `t+3L`, and
//! messages of one phase are handled in the order they were sent (node 0's
//! round first, each node's contacts in the order it picked them). A node's
//! state can change *within* a phase, so an answer can carry what its sender
//! learned earlier in the same phase:
//!
//! - push-pull: a contact that receives several states in one phase merges
//!   each after answering it, so its answer to a later one already contains
//!   the earlier ones (one relay hop within the round);
//! - Scuttlebutt: an initiator handles its acks one after another, so the
//!   `ack2` to its j-th contact already carries what its earlier contacts'
//!   acks brought (only with fan-out ≥ 2).
//!
//! [`Visibility::Sequential`] models exactly that. [`Visibility::RoundStart`]
//! is the textbook synchronous model, where every answer carries the state
//! at the start of the round; push and pull are the same under both.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A gossip protocol of the reference model.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Proto {
    /// Push: state to each contact.
    Push,
    /// Pull: request, then reply with the contact's state.
    Pull,
    /// Full-state push-pull: state, then the contact's state back.
    PushPull,
    /// Scuttlebutt's syn / ack / ack2.
    Scuttlebutt,
}

impl Proto {
    /// Every protocol, in table order.
    pub const ALL: [Proto; 4] = [Proto::Push, Proto::Pull, Proto::PushPull, Proto::Scuttlebutt];

    /// The simulator's `gossip.protocol` name.
    pub fn name(self) -> &'static str {
        match self {
            Proto::Push => "push",
            Proto::Pull => "pull",
            Proto::PushPull => "push-pull",
            Proto::Scuttlebutt => "scuttlebutt",
        }
    }
}

/// What an answer carries (see the module docs).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// The sender's state when it handles the message (the simulator).
    Sequential,
    /// The sender's state at the start of the round (the textbook model).
    RoundStart,
}

/// One configuration of the model.
#[derive(Copy, Clone, Debug)]
pub struct Model {
    /// The protocol.
    pub proto: Proto,
    /// Nodes.
    pub n: usize,
    /// Contacts per node per round.
    pub fanout: usize,
    /// Probability that a message is lost.
    pub loss: f64,
    /// What answers carry.
    pub visibility: Visibility,
}

/// Rounds are capped so that a model that cannot finish (loss 1) stops.
const MAX_ROUNDS: usize = 100_000;

impl Model {
    /// Runs rounds until every node is informed; returns the number of
    /// informed nodes after each round (the last entry is `n`, so the
    /// number of rounds is the length).
    pub fn spread(&self, rng: &mut ChaCha8Rng) -> Vec<u32> {
        let n = self.n;
        assert!(n >= 2 && self.fanout < n);
        let mut informed = vec![false; n];
        informed[0] = true;
        let mut count = 1;
        let mut per_round = Vec::new();
        let mut start = vec![false; n];
        let mut contacts = Vec::with_capacity(self.fanout);
        // Messages of the current phase, in send order: (from, to, carries data).
        let mut phase: Vec<(usize, usize, bool)> = Vec::new();
        let mut next: Vec<(usize, usize, bool)> = Vec::new();
        while count < n {
            assert!(
                per_round.len() < MAX_ROUNDS,
                "no progress after {MAX_ROUNDS} rounds"
            );
            start.copy_from_slice(&informed);
            let arrives = |rng: &mut ChaCha8Rng| rng.random::<f64>() >= self.loss;
            // Phase 0 (t): every node's round, node 0 first.
            phase.clear();
            for (i, &has) in start.iter().enumerate() {
                pick(rng, n, i, self.fanout, &mut contacts);
                for &q in &contacts {
                    if arrives(rng) {
                        // push/push-pull: the state; pull: a request; syn: a digest.
                        phase.push((i, q, has));
                    }
                }
            }
            match self.proto {
                Proto::Push => {
                    for &(_, q, data) in &phase {
                        informed[q] |= data;
                    }
                }
                Proto::Pull => {
                    // t+L: each contact answers with its state (unchanged
                    // since the round started: requests carry nothing).
                    next.clear();
                    for &(i, q, _) in &phase {
                        if arrives(rng) {
                            next.push((q, i, informed[q]));
                        }
                    }
                    // t+2L: the initiators merge the answers.
                    for &(_, i, data) in &next {
                        informed[i] |= data;
                    }
                }
                Proto::PushPull => {
                    // t+L: a contact answers with its state, then merges.
                    next.clear();
                    for &(i, q, data) in &phase {
                        let answer = match self.visibility {
                            Visibility::Sequential => informed[q],
                            Visibility::RoundStart => start[q],
                        };
                        if arrives(rng) {
                            next.push((q, i, answer));
                        }
                        informed[q] |= data;
                    }
                    // t+2L: the initiators merge the answers.
                    for &(_, i, data) in &next {
                        informed[i] |= data;
                    }
                }
                Proto::Scuttlebutt => {
                    // t+L: syn -> ack with the data the initiator lacks
                    // (the responder's state is the round-start one: syns
                    // carry no data).
                    next.clear();
                    for &(i, q, _) in &phase {
                        if arrives(rng) {
                            next.push((q, i, informed[q]));
                        }
                    }
                    // t+2L: each initiator merges an ack, then answers
                    // with an ack2 carrying what the responder lacks.
                    phase.clear();
                    for &(q, i, data) in &next {
                        informed[i] |= data;
                        let have = match self.visibility {
                            Visibility::Sequential => informed[i],
                            Visibility::RoundStart => start[i],
                        };
                        let lacks = !start[q];
                        if arrives(rng) {
                            phase.push((i, q, have && lacks));
                        }
                    }
                    // t+3L: the responders merge the ack2s.
                    for &(_, q, data) in &phase {
                        informed[q] |= data;
                    }
                }
            }
            count = informed.iter().filter(|&&x| x).count();
            per_round.push(count as u32);
        }
        per_round
    }
}

impl Model {
    /// The same protocols with **random timer phases and zero latency**
    /// (`gossip.phase = "random"`, constant latency 0): node i's rounds are
    /// at `φ_i, φ_i + 1, φ_i + 2, …` intervals, `φ_i` uniform in [0, 1),
    /// and with no latency a round's messages (and the answers they cause)
    /// are all handled at its instant, in the order they were sent, before
    /// any other node's round — so each round is one atomic step, taken in
    /// time order. Within a step the rules are those of the synchronous
    /// model: the contacts' answers carry their state when they answer
    /// (which, in a single node's round, only that round could have
    /// changed: full-state push-pull answers before merging, Scuttlebutt's
    /// ack2s carry what the earlier acks of the same round brought).
    /// Node 0 holds the write from time 0. Returns when each node learned
    /// it, in intervals (node 0: 0).
    pub fn spread_random_phases(&self, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let n = self.n;
        assert!(n >= 2 && self.fanout < n);
        let phase: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| phase[a].total_cmp(&phase[b]).then(a.cmp(&b)));
        let mut learned = vec![f64::NAN; n];
        learned[0] = 0.0;
        let mut count = 1;
        let mut contacts = Vec::with_capacity(self.fanout);
        let mut sent: Vec<(usize, bool)> = Vec::new();
        let arrives = |rng: &mut ChaCha8Rng| rng.random::<f64>() >= self.loss;
        for k in 0..MAX_ROUNDS {
            for &i in &order {
                let t = k as f64 + phase[i];
                let mut learn = |node: usize, learned: &mut Vec<f64>| {
                    if learned[node].is_nan() {
                        learned[node] = t;
                        count += 1;
                    }
                };
                pick(rng, n, i, self.fanout, &mut contacts);
                let had = !learned[i].is_nan();
                match self.proto {
                    Proto::Push => {
                        for &q in &contacts {
                            if arrives(rng) && had {
                                learn(q, &mut learned);
                            }
                        }
                    }
                    Proto::Pull => {
                        // Every request, then every reply (sent in that order).
                        sent.clear();
                        for &q in &contacts {
                            if arrives(rng) {
                                sent.push((q, !learned[q].is_nan()));
                            }
                        }
                        for &(_, data) in &sent {
                            if arrives(rng) && data {
                                learn(i, &mut learned);
                            }
                        }
                    }
                    Proto::PushPull => {
                        // Each contact answers with its state, then merges ours.
                        sent.clear();
                        for &q in &contacts {
                            if arrives(rng) {
                                let answer = !learned[q].is_nan();
                                if had {
                                    learn(q, &mut learned);
                                }
                                sent.push((q, answer));
                            }
                        }
                        for &(_, data) in &sent {
                            if arrives(rng) && data {
                                learn(i, &mut learned);
                            }
                        }
                    }
                    Proto::Scuttlebutt => {
                        // syns, then acks (with the responders' state), then
                        // ack2s (with ours as it is when each ack is handled).
                        let mut syns = Vec::with_capacity(contacts.len());
                        for &q in &contacts {
                            if arrives(rng) {
                                syns.push(q);
                            }
                        }
                        sent.clear();
                        for &q in &syns {
                            if arrives(rng) {
                                sent.push((q, !learned[q].is_nan()));
                            }
                        }
                        let mut ack2s = Vec::with_capacity(sent.len());
                        for &(q, data) in &sent {
                            if data {
                                learn(i, &mut learned);
                            }
                            let have = !learned[i].is_nan();
                            if arrives(rng) && have && !data {
                                ack2s.push(q);
                            }
                        }
                        for q in ack2s {
                            learn(q, &mut learned);
                        }
                    }
                }
                if count == n {
                    return learned;
                }
            }
        }
        panic!("no progress after {MAX_ROUNDS} rounds");
    }
}

/// `fanout` distinct contacts of node `me`, uniform among the other nodes.
fn pick(rng: &mut ChaCha8Rng, n: usize, me: usize, fanout: usize, out: &mut Vec<usize>) {
    out.clear();
    while out.len() < fanout {
        let q = rng.random_range(0..n);
        if q != me && !out.contains(&q) {
            out.push(q);
        }
    }
}

/// A generator for the reference runs of one configuration, independent of
/// the simulator's streams.
pub fn rng(tag: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(0x005e_ed0f_7e57 ^ tag.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The mean-field (large-`n`, expected-value) recurrence of the textbook
/// model for the fraction `s` of nodes still uninformed after each round,
/// Demers et al. 1987 generalised to fan-out `f` and loss `p` (`q = 1 − p`):
///
/// - push: `s' = s·(1 − f·q/(n−1))^{n(1−s)}` (each informed node reaches a
///   given node with probability `f·q/(n−1)`);
/// - pull: `s' = s·(1 − (1−s)·q²)^f` (a contact helps if it is informed and
///   request and reply arrive);
/// - push-pull: both factors, push with `q`, pull with `q²`;
/// - Scuttlebutt: pull needs syn and ack (`q²`), push all three (`q³`).
///
/// With `f = 1`, `p = 0` these are Demers' `p_{i+1} = p_i·(1−1/n)^{n(1−p_i)}`
/// (push) and `p_{i+1} = p_i²` (pull). Returns `s` after rounds `1..=rounds`.
pub fn mean_field(proto: Proto, n: usize, f: usize, loss: f64, rounds: usize) -> Vec<f64> {
    let q = 1.0 - loss;
    let nf = n as f64;
    let (q_pull, q_push) = match proto {
        Proto::Push => (0.0, q),
        Proto::Pull => (q * q, 0.0),
        Proto::PushPull => (q * q, q),
        Proto::Scuttlebutt => (q * q, q * q * q),
    };
    let mut s = 1.0 - 1.0 / nf;
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let stay_push = (1.0 - f as f64 * q_push / (nf - 1.0)).powf(nf * (1.0 - s));
        let stay_pull = (1.0 - (1.0 - s) * q_pull).powi(f as i32);
        s *= stay_push * stay_pull;
        out.push(s);
    }
    out
}
