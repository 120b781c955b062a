//! Traffic over time and per node: messages and bytes *sent* per message
//! kind in fixed time buckets (`output.sample_interval` wide, bucket `b`
//! covering `[b·width, (b+1)·width)` by send time), with the bytes split into
//! digest, delta and other parts; per node and kind the totals it sent,
//! received and had dropped; and, when asked for, per node and kind the
//! messages and bytes it sent and received in every bucket (by send time and
//! by receipt time).

use crate::net::SizeParts;

/// Totals of one node for one message kind. Aligned to a cache line: a
/// large run updates these at random (for the sender and the receiver of
/// every message), and a node's totals in one line are one miss, which one
/// prefetch covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(align(64))]
pub struct NodeTraffic {
    /// Messages the node sent.
    pub sent: u64,
    /// Bytes of those messages.
    pub bytes_sent: u64,
    /// Of `bytes_sent`, digest bytes.
    pub digest_bytes_sent: u64,
    /// Of `bytes_sent`, delta bytes.
    pub delta_bytes_sent: u64,
    /// Of `bytes_sent`, other (header and control) bytes.
    pub other_bytes_sent: u64,
    /// Messages delivered to the node.
    pub received: u64,
    /// Bytes of those messages.
    pub bytes_received: u64,
    /// Messages the node sent that were dropped (on the way or on arrival).
    pub dropped: u64,
}

/// Messages and bytes sent in one bucket, for one kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BucketTraffic {
    /// Messages sent.
    pub messages: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// Of `bytes`, digest bytes.
    pub digest_bytes: u64,
    /// Of `bytes`, delta bytes.
    pub delta_bytes: u64,
    /// Of `bytes`, other (header and control) bytes.
    pub other_bytes: u64,
}

/// One node's traffic of one kind in one bucket: what it sent (by send
/// time) and what it received (by receipt time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeBucket {
    /// Messages the node sent.
    pub sent: u64,
    /// Bytes of those messages.
    pub bytes_sent: u64,
    /// Messages delivered to the node.
    pub received: u64,
    /// Bytes of those messages.
    pub bytes_received: u64,
}

impl NodeBucket {
    /// Whether nothing was sent or received.
    pub fn is_empty(&self) -> bool {
        *self == NodeBucket::default()
    }
}

/// One change to a node's totals.
#[derive(Clone, Copy, Debug)]
enum NodeChange {
    Sent(u32),
    Received(u32),
    Dropped,
    Parts(SizeParts),
}

/// Traffic per kind over time and per node.
///
/// The per-node totals of a large run are a cache miss each (a random node
/// among many per message); the run loop starts loading them a few events
/// ahead ([`Traffic::prefetch_node`]).
#[derive(Clone, Debug)]
pub(crate) struct Traffic {
    nodes: usize,
    width_ns: u64,
    /// The last bucket looked up: `[start, end)` in ns and its index, so
    /// that the messages of one bucket (times only grow) need no division.
    last_bucket: (u64, u64, usize),
    /// `[kind][bucket]`.
    buckets: Vec<Vec<BucketTraffic>>,
    /// `[kind][node]`.
    per_node: Vec<Vec<NodeTraffic>>,
    /// `[kind][node][bucket]`, when kept.
    node_series: Option<Vec<Vec<Vec<NodeBucket>>>>,
    /// Buckets up to the last one in which a message was sent or received.
    recorded: usize,
}

impl Traffic {
    pub(crate) fn new(nodes: u32) -> Traffic {
        Traffic {
            nodes: nodes as usize,
            width_ns: 1_000_000_000,
            last_bucket: (0, 0, 0),
            buckets: Vec::new(),
            per_node: Vec::new(),
            node_series: None,
            recorded: 0,
        }
    }

    pub(crate) fn set_width(&mut self, width_ns: u64) {
        assert!(
            self.buckets.iter().all(Vec::is_empty),
            "the bucket width is set before any message"
        );
        self.width_ns = width_ns.max(1);
        self.last_bucket = (0, 0, 0);
    }

    /// Also keeps every node's traffic per bucket.
    pub(crate) fn keep_node_series(&mut self) {
        assert!(self.per_node.is_empty(), "asked for before any message");
        self.node_series = Some(Vec::new());
    }

    pub(crate) fn keeps_node_series(&self) -> bool {
        self.node_series.is_some()
    }

    pub(crate) fn width_ns(&self) -> u64 {
        self.width_ns
    }

    /// Makes room for `kind` (kinds appear as messages do).
    #[inline]
    fn kind(&mut self, kind: usize) {
        if kind >= self.per_node.len() {
            self.add_kinds(kind);
        }
    }

    #[cold]
    fn add_kinds(&mut self, kind: usize) {
        while self.per_node.len() <= kind {
            self.per_node.push(vec![NodeTraffic::default(); self.nodes]);
            self.buckets.push(Vec::new());
            if let Some(s) = &mut self.node_series {
                s.push(vec![Vec::new(); self.nodes]);
            }
        }
    }

    /// The index of the bucket holding time `t`.
    #[inline]
    fn bucket_of(&mut self, t: u64) -> usize {
        let (start, end, b) = self.last_bucket;
        if (start..end).contains(&t) {
            return b;
        }
        let b = t / self.width_ns;
        let start = b * self.width_ns;
        self.last_bucket = (start, start.saturating_add(self.width_ns), b as usize);
        b as usize
    }

    /// The node series cell of `(kind, node)` at time `t` (kind known),
    /// if node series are kept.
    #[inline]
    fn cell(&mut self, kind: usize, node: u32, t: u64) -> Option<&mut NodeBucket> {
        self.node_series.as_ref()?;
        self.series_cell(kind, node, t)
    }

    #[inline(never)]
    fn series_cell(&mut self, kind: usize, node: u32, t: u64) -> Option<&mut NodeBucket> {
        let b = self.bucket_of(t);
        let series = &mut self.node_series.as_mut()?[kind][node as usize];
        if series.len() <= b {
            series.resize(b + 1, NodeBucket::default());
        }
        Some(&mut series[b])
    }

    /// A message of `kind` sent by `from` at `t`: `bytes`, divided as
    /// `parts` (all zero when the split is not known).
    #[inline(always)]
    pub(crate) fn sent_with_parts(&mut self, kind: usize, from: u32, t: u64, bytes: u32, parts: SizeParts) {
        self.kind(kind);
        let b = self.bucket_of(t);
        self.recorded = self.recorded.max(b + 1);
        let series = &mut self.buckets[kind];
        if series.len() <= b {
            series.resize(b + 1, BucketTraffic::default());
        }
        let cell = &mut series[b];
        cell.messages += 1;
        cell.bytes += bytes as u64;
        cell.digest_bytes += parts.digest as u64;
        cell.delta_bytes += parts.delta as u64;
        cell.other_bytes += parts.other as u64;
        let totals = &mut self.per_node[kind][from as usize];
        apply(totals, NodeChange::Sent(bytes));
        apply(totals, NodeChange::Parts(parts));
        if let Some(c) = self.cell(kind, from, t) {
            c.sent += 1;
            c.bytes_sent += bytes as u64;
        }
    }

    #[inline(always)]
    pub(crate) fn received(&mut self, kind: usize, to: u32, t: u64, bytes: u32) {
        self.kind(kind);
        self.recorded = self.recorded.max(self.bucket_of(t) + 1);
        self.change(kind, to, NodeChange::Received(bytes));
        if let Some(c) = self.cell(kind, to, t) {
            c.received += 1;
            c.bytes_received += bytes as u64;
        }
    }

    pub(crate) fn dropped(&mut self, kind: usize, from: u32) {
        self.kind(kind);
        self.change(kind, from, NodeChange::Dropped);
    }

    /// Applies a change to `node`'s totals of `kind`.
    fn change(&mut self, kind: usize, node: u32, c: NodeChange) {
        apply(&mut self.per_node[kind][node as usize], c);
    }

    /// Hints that `node` is about to send or receive: starts loading its
    /// totals of every kind seen so far.
    #[inline]
    pub(crate) fn prefetch_node(&self, node: u32) {
        // One kind (as with `ping`) without the loop's set-up.
        if let [only] = &self.per_node[..] {
            if let Some(t) = only.get(node as usize) {
                crate::prefetch::prefetch(t);
            }
            return;
        }
        for kind in &self.per_node {
            if let Some(t) = kind.get(node as usize) {
                crate::prefetch::prefetch(t);
            }
        }
    }

    /// Buckets from time 0 through the last one in which a message (of any
    /// kind) was sent or received.
    pub(crate) fn recorded(&self) -> usize {
        self.recorded
    }

    /// Buckets of `kind` up to (not including) bucket `count`, zeros where
    /// nothing was sent.
    pub(crate) fn buckets(&self, kind: usize, count: usize) -> Vec<BucketTraffic> {
        let mut v: Vec<BucketTraffic> = self
            .buckets
            .get(kind)
            .map_or(&[][..], |b| b)
            .iter()
            .take(count)
            .copied()
            .collect();
        v.resize(count, BucketTraffic::default());
        v
    }

    pub(crate) fn per_node(&self, kind: usize) -> Vec<NodeTraffic> {
        self.per_node
            .get(kind)
            .cloned()
            .unwrap_or_else(|| vec![NodeTraffic::default(); self.nodes])
    }

    /// Node `node`'s traffic of `kind` in bucket `bucket` (zero when not kept).
    pub(crate) fn node_bucket(&self, kind: usize, node: u32, bucket: usize) -> NodeBucket {
        self.node_series
            .as_ref()
            .and_then(|s| s.get(kind))
            .and_then(|k| k.get(node as usize))
            .and_then(|n| n.get(bucket))
            .copied()
            .unwrap_or_default()
    }
}

/// Adds one change to a node's totals.
fn apply(t: &mut NodeTraffic, c: NodeChange) {
    match c {
        NodeChange::Sent(bytes) => {
            t.sent += 1;
            t.bytes_sent += bytes as u64;
        }
        NodeChange::Received(bytes) => {
            t.received += 1;
            t.bytes_received += bytes as u64;
        }
        NodeChange::Dropped => t.dropped += 1,
        NodeChange::Parts(p) => {
            t.digest_bytes_sent += p.digest as u64;
            t.delta_bytes_sent += p.delta as u64;
            t.other_bytes_sent += p.other as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The cached bucket lookup equals `t / width` for times that grow,
    /// repeat, go back and reach `u64::MAX`.
    #[test]
    fn bucket_lookup_matches_division() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        for width in [1, 7, 1_000, 1_000_000_000, u64::MAX] {
            let mut t = Traffic::new(1);
            t.set_width(width);
            let mut now = 0u64;
            for _ in 0..2_000 {
                now = match rng.random_range(0..10) {
                    0 => rng.random_range(0..=now),
                    1 => u64::MAX - rng.random_range(0..3),
                    _ => now.saturating_add(rng.random_range(0..3 * width.min(1 << 40))),
                };
                assert_eq!(t.bucket_of(now), (now / width) as usize, "width {width} t {now}");
            }
        }
    }

    /// Per-node totals read at any moment equal plain sums of the same
    /// changes, each counted under its own kind and node; the bucket's
    /// totals equal the sums over nodes.
    #[test]
    fn totals_equal_plain_sums() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (nodes, kinds) = (7u32, 3usize);
        let mut t = Traffic::new(nodes);
        let mut want = vec![vec![NodeTraffic::default(); nodes as usize]; kinds];
        for step in 0..1_000 {
            let (k, n) = (rng.random_range(0..kinds), rng.random_range(0..nodes));
            let bytes = rng.random_range(1..1000u32);
            let w = &mut want[k][n as usize];
            match rng.random_range(0..4) {
                0 => {
                    t.sent_with_parts(k, n, step as u64, bytes, SizeParts::default());
                    w.sent += 1;
                    w.bytes_sent += bytes as u64;
                }
                1 => {
                    t.received(k, n, step as u64, bytes);
                    w.received += 1;
                    w.bytes_received += bytes as u64;
                }
                2 => {
                    t.dropped(k, n);
                    w.dropped += 1;
                }
                _ => {
                    let p = SizeParts {
                        digest: bytes / 2,
                        delta: bytes / 4,
                        other: bytes - bytes / 2 - bytes / 4,
                    };
                    t.sent_with_parts(k, n, step as u64, bytes, p);
                    w.sent += 1;
                    w.bytes_sent += bytes as u64;
                    w.digest_bytes_sent += p.digest as u64;
                    w.delta_bytes_sent += p.delta as u64;
                    w.other_bytes_sent += p.other as u64;
                }
            }
            if step % 97 == 0 || step == 999 {
                for (k, w) in want.iter().enumerate() {
                    assert_eq!(&t.per_node(k), w, "kind {k} after {} changes", step + 1);
                    // Every change falls in bucket 0 (1 s wide): it holds the sums of all nodes.
                    let b = t.buckets(k, 1)[0];
                    let sum = |f: fn(&NodeTraffic) -> u64| w.iter().map(f).sum::<u64>();
                    assert_eq!(
                        (b.messages, b.bytes, b.digest_bytes, b.delta_bytes, b.other_bytes),
                        (
                            sum(|x| x.sent),
                            sum(|x| x.bytes_sent),
                            sum(|x| x.digest_bytes_sent),
                            sum(|x| x.delta_bytes_sent),
                            sum(|x| x.other_bytes_sent)
                        ),
                        "kind {k} bucket 0"
                    );
                }
            }
        }
    }
}
