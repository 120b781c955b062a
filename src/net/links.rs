//! Per-link parameters (defaults, group-pair and node-pair routes), node
//! sets, cuts and degradations.

use crate::node::NodeId;
use crate::scenario::{GilbertElliott, Latency, Member, Scenario};
use std::collections::BTreeMap;

/// The properties of one directed link.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LinkParams {
    pub(crate) latency: Latency,
    pub(crate) loss: f64,
    pub(crate) burst: Option<GilbertElliott>,
}

/// Resolves `(from, to)` to its parameters: node-pair routes first, then
/// group-pair routes, then the defaults; the last matching route of a kind wins.
#[derive(Debug)]
pub(crate) struct LinkTable {
    params: Vec<LinkParams>,
    group_of: Vec<Option<u16>>,
    groups: usize,
    /// `groups × groups` → index into `params` (0 = defaults).
    group_route: Vec<u16>,
    node_route: BTreeMap<(NodeId, NodeId), u16>,
}

impl LinkTable {
    pub(crate) fn new(s: &Scenario) -> LinkTable {
        let net = &s.network;
        let defaults = LinkParams {
            latency: net.latency.clone(),
            loss: net.loss,
            burst: net.burst_loss.clone(),
        };
        let groups = s.nodes.groups.len();
        let group_index = |name: &str| s.nodes.groups.keys().position(|g| g == name).map(|i| i as u16);
        let mut t = LinkTable {
            params: vec![defaults.clone()],
            group_of: s.nodes.group_of(),
            groups,
            group_route: vec![0; groups * groups],
            node_route: BTreeMap::new(),
        };
        for r in &net.routes {
            let p = LinkParams {
                latency: r.latency.clone().unwrap_or_else(|| defaults.latency.clone()),
                loss: r.loss.unwrap_or(defaults.loss),
                burst: r.burst_loss.clone().or_else(|| defaults.burst.clone()),
            };
            t.params.push(p);
            let idx = (t.params.len() - 1) as u16;
            let all_groups = |m: &[Member]| m.iter().all(|x| matches!(x, Member::Group(_)));
            let mut pairs = vec![(&r.from, &r.to)];
            if r.bidirectional {
                pairs.push((&r.to, &r.from));
            }
            for (from, to) in pairs {
                if all_groups(from) && all_groups(to) {
                    for f in from {
                        for g in to {
                            if let (Member::Group(a), Member::Group(b)) = (f, g) {
                                let (a, b) = (
                                    group_index(a).expect("validated"),
                                    group_index(b).expect("validated"),
                                );
                                t.group_route[a as usize * groups + b as usize] = idx;
                            }
                        }
                    }
                } else {
                    let fs = s.nodes.resolve(from).expect("validated");
                    let ts = s.nodes.resolve(to).expect("validated");
                    for &f in &fs {
                        for &g in &ts {
                            if f != g {
                                t.node_route.insert((f, g), idx);
                            }
                        }
                    }
                }
            }
        }
        t
    }

    /// Whether any link can lose messages.
    pub(crate) fn any_loss(&self) -> bool {
        self.params.iter().any(|p| p.loss > 0.0 || p.burst.is_some())
    }

    /// The parameters of the link from `from` to `to`: its node-to-node
    /// route, else its groups' route, else the defaults.
    #[inline(always)]
    pub(crate) fn params(&self, from: NodeId, to: NodeId) -> &LinkParams {
        // One set of parameters (no routes: groups, if any, serve only
        // cuts) means every link has the defaults: no call on each send.
        if self.params.len() == 1 {
            return &self.params[0];
        }
        self.routed_params(from, to)
    }

    /// [`LinkTable::params`] when routes give some links their own.
    #[inline(never)]
    fn routed_params(&self, from: NodeId, to: NodeId) -> &LinkParams {
        if !self.node_route.is_empty() {
            if let Some(&i) = self.node_route.get(&(from, to)) {
                return &self.params[i as usize];
            }
        }
        if self.groups > 0 {
            if let (Some(a), Some(b)) = (self.group_of[from as usize], self.group_of[to as usize]) {
                return &self.params[self.group_route[a as usize * self.groups + b as usize] as usize];
            }
        }
        &self.params[0]
    }
}

/// A set of nodes as a membership bitmap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSet(Vec<bool>);

impl NodeSet {
    /// The set of `ids` among `n` nodes.
    pub fn new(n: u32, ids: &[u32]) -> NodeSet {
        let mut v = vec![false; n as usize];
        for &i in ids {
            v[i as usize] = true;
        }
        NodeSet(v)
    }

    /// Whether `node` is in the set.
    pub fn contains(&self, node: NodeId) -> bool {
        self.0[node as usize]
    }
}

/// Which messages a cut drops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CutShape {
    /// A partition: `side[node]` labels each node (`u16::MAX`: in no side,
    /// connected to everyone); messages between different sides are dropped.
    Sides(Vec<u16>),
    /// A one-way cut: messages from `from` to `to` are dropped.
    OneWay {
        /// Senders.
        from: NodeSet,
        /// Receivers.
        to: NodeSet,
    },
}

/// The side label of nodes that are in no side of a partition.
pub const NO_SIDE: u16 = u16::MAX;

impl CutShape {
    /// Whether this cut drops a message from `from` to `to`.
    pub fn blocks(&self, from: NodeId, to: NodeId) -> bool {
        match self {
            CutShape::Sides(side) => {
                let (a, b) = (side[from as usize], side[to as usize]);
                a != NO_SIDE && b != NO_SIDE && a != b
            }
            CutShape::OneWay { from: f, to: t } => f.contains(from) && t.contains(to),
        }
    }
}

/// A degraded set of links.
#[derive(Debug)]
pub(crate) struct Degradation {
    pub(crate) id: u32,
    pub(crate) from: NodeSet,
    pub(crate) to: NodeSet,
    pub(crate) bidirectional: bool,
    pub(crate) extra_latency_ns: u64,
    pub(crate) loss: f64,
}

impl Degradation {
    /// Whether this degradation applies to a message from `from` to `to`.
    pub(crate) fn matches(&self, from: NodeId, to: NodeId) -> bool {
        (self.from.contains(from) && self.to.contains(to))
            || (self.bidirectional && self.from.contains(to) && self.to.contains(from))
    }

    /// Whether some message sent by `node` can match: `node` is a sender,
    /// or a receiver of a bidirectional degradation.
    fn can_send(&self, node: NodeId) -> bool {
        self.from.contains(node) || (self.bidirectional && self.to.contains(node))
    }
}

/// The active degradations, in the order they started, indexed by sender:
/// a message checks only the degradations its sender can match through,
/// in the same order as a scan of them all would meet them.
#[derive(Debug, Default)]
pub(crate) struct Degradations {
    /// The active degradations by start sequence number.
    active: BTreeMap<u64, Degradation>,
    /// `by_sender[node]`: the sequence numbers of the degradations `node`
    /// can send through, rising.
    by_sender: Vec<Vec<u64>>,
    /// The next start's sequence number.
    next: u64,
}

impl Degradations {
    /// Starts `d` (after every active one).
    pub(crate) fn push(&mut self, d: Degradation) {
        let seq = self.next;
        self.next += 1;
        let n = d.from.0.len();
        if self.by_sender.len() < n {
            self.by_sender.resize_with(n, Vec::new);
        }
        for (node, list) in self.by_sender.iter_mut().enumerate().take(n) {
            if d.can_send(node as NodeId) {
                list.push(seq);
            }
        }
        self.active.insert(seq, d);
    }

    /// Ends every active degradation with id `id`.
    pub(crate) fn end(&mut self, id: u32) {
        let gone: Vec<u64> = self
            .active
            .iter()
            .filter(|(_, d)| d.id == id)
            .map(|(&seq, _)| seq)
            .collect();
        for seq in gone {
            if let Some(d) = self.active.remove(&seq) {
                for (node, list) in self.by_sender.iter_mut().enumerate() {
                    if d.can_send(node as NodeId) {
                        list.retain(|&s| s != seq);
                    }
                }
            }
        }
    }

    /// The active degradations that match a message from `from` to `to`, in
    /// the order they started.
    pub(crate) fn matching(&self, from: NodeId, to: NodeId) -> impl Iterator<Item = &Degradation> + '_ {
        self.by_sender
            .get(from as usize)
            .into_iter()
            .flatten()
            .filter_map(|seq| self.active.get(seq))
            .filter(move |d| d.matches(from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Component, Streams};
    use crate::scenario::{parse_str, Format};
    use rand::Rng;

    /// Property: over random starts and ends of degradations (several with
    /// one id, bidirectional or not, sets of any size), the index yields for
    /// every link exactly the degradations a scan of them all in start order
    /// matches, in that order.
    #[test]
    fn indexed_degradations_match_a_plain_scan() {
        let mut rng = Streams::new(5).stream(Component::Loss, 0);
        for _ in 0..300 {
            let n = rng.random_range(1..12u32);
            let mut index = Degradations::default();
            let mut plain: Vec<Degradation> = Vec::new();
            let mut extra = 0u64;
            for _ in 0..30 {
                if rng.random_bool(0.6) {
                    let set = |rng: &mut crate::rng::SimRng| {
                        let ids: Vec<u32> = (0..n).filter(|_| rng.random_bool(0.3)).collect();
                        NodeSet::new(n, &ids)
                    };
                    let (from, to) = (set(&mut rng), set(&mut rng));
                    let (id, bidirectional) = (rng.random_range(0..6u32), rng.random_bool(0.5));
                    extra += 1;
                    let d = |from: NodeSet, to: NodeSet| Degradation {
                        id,
                        from,
                        to,
                        bidirectional,
                        extra_latency_ns: extra,
                        loss: 0.0,
                    };
                    plain.push(d(from.clone(), to.clone()));
                    index.push(d(from, to));
                } else {
                    let id = rng.random_range(0..6u32);
                    index.end(id);
                    plain.retain(|d| d.id != id);
                }
                for from in 0..n {
                    for to in 0..n {
                        let got: Vec<u64> = index.matching(from, to).map(|d| d.extra_latency_ns).collect();
                        let want: Vec<u64> = plain
                            .iter()
                            .filter(|d| d.matches(from, to))
                            .map(|d| d.extra_latency_ns)
                            .collect();
                        assert_eq!(got, want, "{from} -> {to}");
                    }
                }
            }
        }
    }

    #[test]
    fn node_routes_beat_group_routes_beat_defaults() {
        let text = r#"
            duration = "1s"
            [nodes]
            count = 4
            groups = { eu = 2, us = 2 }
            [network]
            loss = 0.1
            [[network.routes]]
            from = ["eu"]
            to = ["us"]
            loss = 0.2
            [[network.routes]]
            from = [0]
            to = [3]
            bidirectional = false
            loss = 0.3
        "#;
        let s = parse_str(text, Format::Toml, "t.toml", "t", &[]).unwrap();
        let t = LinkTable::new(&s);
        assert_eq!(t.params(0, 1).loss, 0.1); // eu -> eu: default
        assert_eq!(t.params(1, 2).loss, 0.2); // eu -> us
        assert_eq!(t.params(2, 1).loss, 0.2); // us -> eu (bidirectional)
        assert_eq!(t.params(0, 3).loss, 0.3); // node route
        assert_eq!(t.params(3, 0).loss, 0.2); // not bidirectional: the group route
    }

    #[test]
    fn sides_block_only_across() {
        let cut = CutShape::Sides(vec![0, 0, 1, NO_SIDE]);
        assert!(!cut.blocks(0, 1));
        assert!(cut.blocks(0, 2) && cut.blocks(2, 1));
        assert!(!cut.blocks(3, 0) && !cut.blocks(2, 3));
        let one = CutShape::OneWay {
            from: NodeSet::new(3, &[0]),
            to: NodeSet::new(3, &[1, 2]),
        };
        assert!(one.blocks(0, 1) && !one.blocks(1, 0));
    }
}
