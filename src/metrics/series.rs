//! Traffic over time and per node: messages and bytes *sent* per message
//! kind in fixed time buckets (`output.sample_interval` wide, bucket `b`
//! covering `[b·width, (b+1)·width)` by send time), with the bytes split into
//! digest, delta and other parts; per node and kind the totals it sent,
//! received and had dropped; and, when asked for, per node and kind the
//! messages and bytes it sent and received in every bucket (by send time and
//! by receipt time).

use crate::net::SizeParts;

/// Totals of one node for one message kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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

impl NodeTraffic {
    /// Adds one node's 32-bit totals to these: `hot`, and `cold` when that
    /// node's kind has any.
    fn add(&mut self, hot: &Hot, cold: Option<&Cold>) {
        let cold = cold.copied().unwrap_or_default();
        self.sent += u64::from(hot.sent);
        self.bytes_sent += u64::from(hot.bytes_sent);
        self.digest_bytes_sent += u64::from(cold.digest_bytes_sent);
        self.delta_bytes_sent += u64::from(cold.delta_bytes_sent);
        self.other_bytes_sent += u64::from(hot.bytes_sent.wrapping_add(cold.other_less_bytes));
        self.received += u64::from(hot.received);
        self.bytes_received += u64::from(hot.bytes_received);
        self.dropped += u64::from(cold.dropped);
    }
}

/// The part of a [`NodeTraffic`] that every message changes, in 32-bit
/// fields, as the run keeps it: a large run updates these at random (for
/// the sender and the receiver of every message), and at 16 bytes,
/// aligned, four nodes share a line and the table is a quarter of
/// `NodeTraffic`'s size, so it misses the cache less often. The rest is
/// in [`Cold`]. [`Traffic`] moves every node's into 64-bit totals before
/// any field could pass `u32::MAX` (see `Traffic::since_flush`): sums stay
/// exact at any size, with no check per change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(align(16))]
struct Hot {
    sent: u32,
    bytes_sent: u32,
    received: u32,
    bytes_received: u32,
}

/// The rest of a [`NodeTraffic`] in 32-bit fields: what only a message
/// with digest or delta bytes, or a drop, changes. A message whose bytes
/// are all `other` (every message of `ping`, the P0 benchmark's protocol)
/// changes no `Cold`: its other bytes are its bytes, so the table keeps
/// `other − bytes` instead of `other` (wrapping; exact, since the true
/// `other` fits 32 bits between two flushes), and a table is made only
/// when its kind first needs one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(align(16))]
struct Cold {
    digest_bytes_sent: u32,
    delta_bytes_sent: u32,
    /// `other_bytes_sent − bytes_sent`, wrapping.
    other_less_bytes: u32,
    dropped: u32,
}

// The layouts the doc comments promise: four to a cache line.
const _: () = assert!(std::mem::size_of::<Hot>() == 16 && std::mem::size_of::<Cold>() == 16);

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
    Sent(u32, SizeParts),
    Received(u32),
    Dropped,
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
    /// `[kind][node]`: the totals every message changes, since the last
    /// flush (all of them in most runs).
    per_node: Vec<Vec<Hot>>,
    /// `[kind][node]`: the other totals since the last flush; empty for a
    /// kind until one of its changes needs them.
    cold: Vec<Vec<Cold>>,
    /// `[kind][node]`: the totals moved out of `per_node` by the flushes
    /// (empty until the first, after `u32::MAX` bytes in all).
    flushed: Vec<Vec<NodeTraffic>>,
    /// What the changes since the last flush add to one field at most,
    /// summed (a message's bytes, or its largest part, plus one): no
    /// node's 32-bit field holds more, so none can pass `u32::MAX` while
    /// this does not.
    since_flush: u64,
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
            cold: Vec::new(),
            flushed: Vec::new(),
            since_flush: 0,
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
            self.per_node.push(vec![Hot::default(); self.nodes]);
            self.cold.push(Vec::new());
            self.buckets.push(Vec::new());
            if let Some(s) = &mut self.node_series {
                s.push(vec![Vec::new(); self.nodes]);
            }
        }
    }

    /// The index of the bucket holding time `t`, a time at which a message
    /// was sent or received: counted as recorded when first looked up (the
    /// bucket of the last lookup, the usual one, already is).
    #[inline]
    fn bucket_of(&mut self, t: u64) -> usize {
        let (start, end, b) = self.last_bucket;
        if (start..end).contains(&t) {
            return b;
        }
        let b = t / self.width_ns;
        let start = b * self.width_ns;
        self.last_bucket = (start, start.saturating_add(self.width_ns), b as usize);
        self.recorded = self.recorded.max(b as usize + 1);
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
        self.change(kind, from, NodeChange::Sent(bytes, parts));
        if let Some(c) = self.cell(kind, from, t) {
            c.sent += 1;
            c.bytes_sent += bytes as u64;
        }
    }

    #[inline(always)]
    pub(crate) fn received(&mut self, kind: usize, to: u32, t: u64, bytes: u32) {
        self.kind(kind);
        self.bucket_of(t);
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

    /// Applies a change to `node`'s totals of `kind`, flushing every
    /// node's first if one of its fields could pass `u32::MAX`.
    #[inline(always)]
    fn change(&mut self, kind: usize, node: u32, c: NodeChange) {
        let most = match c {
            NodeChange::Sent(bytes, parts) => bytes.max(parts.total()),
            NodeChange::Received(bytes) => bytes,
            NodeChange::Dropped => 0,
        };
        self.since_flush += u64::from(most) + 1;
        if self.since_flush > u64::from(u32::MAX) {
            self.flush();
            self.since_flush = u64::from(most) + 1;
        }
        let hot = &mut self.per_node[kind][node as usize];
        match c {
            NodeChange::Sent(bytes, p) => {
                hot.sent += 1;
                hot.bytes_sent += bytes;
                if p != SizeParts::other(bytes) {
                    let cold = self.cold_mut(kind, node);
                    cold.digest_bytes_sent += p.digest;
                    cold.delta_bytes_sent += p.delta;
                    cold.other_less_bytes = cold.other_less_bytes.wrapping_add(p.other.wrapping_sub(bytes));
                }
            }
            NodeChange::Received(bytes) => {
                hot.received += 1;
                hot.bytes_received += bytes;
            }
            NodeChange::Dropped => self.cold_mut(kind, node).dropped += 1,
        }
    }

    /// `node`'s [`Cold`] totals of `kind` (made at its kind's first).
    #[inline(always)]
    fn cold_mut(&mut self, kind: usize, node: u32) -> &mut Cold {
        if self.cold[kind].is_empty() {
            self.make_cold(kind);
        }
        &mut self.cold[kind][node as usize]
    }

    #[cold]
    #[inline(never)]
    fn make_cold(&mut self, kind: usize) {
        self.cold[kind] = vec![Cold::default(); self.nodes];
    }

    /// Moves every node's 32-bit totals into `flushed`, leaving zeros.
    #[cold]
    #[inline(never)]
    fn flush(&mut self) {
        self.flushed.resize(self.per_node.len(), Vec::new());
        for ((wide, hot), cold) in self
            .flushed
            .iter_mut()
            .zip(&mut self.per_node)
            .zip(&mut self.cold)
        {
            wide.resize(hot.len(), NodeTraffic::default());
            for (node, (w, h)) in wide.iter_mut().zip(hot.iter_mut()).enumerate() {
                w.add(h, cold.get(node));
                *h = Hot::default();
            }
            cold.fill(Cold::default());
        }
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

    /// Every node's totals of `kind`, by node id.
    pub(crate) fn per_node(&self, kind: usize) -> Vec<NodeTraffic> {
        let Some(hot) = self.per_node.get(kind) else {
            return vec![NodeTraffic::default(); self.nodes];
        };
        let cold = &self.cold[kind];
        let wide = self.flushed.get(kind).map_or(&[][..], Vec::as_slice);
        hot.iter()
            .enumerate()
            .map(|(node, h)| {
                let mut t = wide.get(node).copied().unwrap_or_default();
                t.add(h, cold.get(node));
                t
            })
            .collect()
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
    /// totals equal the sums over nodes. Some messages are nearly 4 GiB,
    /// so the 32-bit totals are flushed to 64 bits, more than once.
    #[test]
    fn totals_equal_plain_sums() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (nodes, kinds) = (7u32, 3usize);
        let mut t = Traffic::new(nodes);
        let mut want = vec![vec![NodeTraffic::default(); nodes as usize]; kinds];
        for step in 0..1_000 {
            let (k, n) = (rng.random_range(0..kinds), rng.random_range(0..nodes));
            let bytes = if rng.random_bool(0.1) {
                rng.random_range(u32::MAX - 1000..=u32::MAX)
            } else {
                rng.random_range(1..1000u32)
            };
            let w = &mut want[k][n as usize];
            // A send split as `p`, and what it adds to the plain sums.
            let send = |t: &mut Traffic, w: &mut NodeTraffic, p: SizeParts| {
                t.sent_with_parts(k, n, step as u64, bytes, p);
                w.sent += 1;
                w.bytes_sent += bytes as u64;
                w.digest_bytes_sent += p.digest as u64;
                w.delta_bytes_sent += p.delta as u64;
                w.other_bytes_sent += p.other as u64;
            };
            match rng.random_range(0..6) {
                0 => {
                    t.sent_with_parts(k, n, step as u64, bytes, SizeParts::default());
                    w.sent += 1;
                    w.bytes_sent += bytes as u64;
                }
                4 => {
                    // All `other` (as every message of `ping`).
                    t.sent_with_parts(k, n, step as u64, bytes, SizeParts::other(bytes));
                    w.sent += 1;
                    w.bytes_sent += bytes as u64;
                    w.other_bytes_sent += bytes as u64;
                }
                5 => {
                    // Parts that need not add up to the bytes (as no run
                    // gives, but the totals are plain sums all the same).
                    let mut part = || rng.random_range(0..=bytes) / 3;
                    let p = SizeParts {
                        digest: part(),
                        delta: part(),
                        other: part(),
                    };
                    send(&mut t, w, p);
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
                    send(&mut t, w, p);
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
        assert!(!t.flushed.is_empty(), "flushed at least once");
        assert!(
            want.iter()
                .flatten()
                .any(|w| w.bytes_sent > 3 * u64::from(u32::MAX)),
            "some totals passed u32::MAX several times"
        );
    }

    /// Counts (not bytes) past `u32::MAX`: the drops of one node, after
    /// as many changes as a flush allows (started near it, as if made).
    #[test]
    fn counts_past_u32_max_stay_exact() {
        let mut t = Traffic::new(2);
        t.dropped(0, 1);
        t.cold[0][1].dropped = u32::MAX - 2;
        t.since_flush = u64::from(u32::MAX) - 2;
        for _ in 0..4 {
            t.dropped(0, 1);
        }
        t.received(0, 1, 0, 5);
        let want = NodeTraffic {
            dropped: u64::from(u32::MAX) + 2,
            received: 1,
            bytes_received: 5,
            ..NodeTraffic::default()
        };
        assert_eq!(t.per_node(0), vec![NodeTraffic::default(), want]);
    }
}
