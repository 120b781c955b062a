//! Traffic over time and per node: messages and bytes *sent* per message
//! kind in fixed time buckets (`output.sample_interval` wide, bucket `b`
//! covering `[b·width, (b+1)·width)` by send time), and per node and kind
//! the totals it sent, received and had dropped.

/// Totals of one node for one message kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeTraffic {
    /// Messages the node sent.
    pub sent: u64,
    /// Bytes of those messages.
    pub bytes_sent: u64,
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
}

/// Traffic per kind over time and per node.
#[derive(Clone, Debug)]
pub(crate) struct Traffic {
    nodes: usize,
    width_ns: u64,
    /// `[kind][bucket]`.
    buckets: Vec<Vec<BucketTraffic>>,
    /// `[kind][node]`.
    per_node: Vec<Vec<NodeTraffic>>,
}

impl Traffic {
    pub(crate) fn new(nodes: u32) -> Traffic {
        Traffic {
            nodes: nodes as usize,
            width_ns: 1_000_000_000,
            buckets: Vec::new(),
            per_node: Vec::new(),
        }
    }

    pub(crate) fn set_width(&mut self, width_ns: u64) {
        assert!(
            self.buckets.iter().all(Vec::is_empty),
            "the bucket width is set before any message"
        );
        self.width_ns = width_ns.max(1);
    }

    pub(crate) fn width_ns(&self) -> u64 {
        self.width_ns
    }

    fn kind(&mut self, kind: usize) {
        while self.per_node.len() <= kind {
            self.per_node.push(vec![NodeTraffic::default(); self.nodes]);
            self.buckets.push(Vec::new());
        }
    }

    pub(crate) fn sent(&mut self, kind: usize, from: u32, t: u64, bytes: u32) {
        self.kind(kind);
        let b = (t / self.width_ns) as usize;
        let series = &mut self.buckets[kind];
        if series.len() <= b {
            series.resize(b + 1, BucketTraffic::default());
        }
        series[b].messages += 1;
        series[b].bytes += bytes as u64;
        let n = &mut self.per_node[kind][from as usize];
        n.sent += 1;
        n.bytes_sent += bytes as u64;
    }

    pub(crate) fn received(&mut self, kind: usize, to: u32, bytes: u32) {
        self.kind(kind);
        let n = &mut self.per_node[kind][to as usize];
        n.received += 1;
        n.bytes_received += bytes as u64;
    }

    pub(crate) fn dropped(&mut self, kind: usize, from: u32) {
        self.kind(kind);
        self.per_node[kind][from as usize].dropped += 1;
    }

    /// Buckets that saw a message (of any kind), from time 0.
    pub(crate) fn recorded(&self) -> usize {
        self.buckets.iter().map(Vec::len).max().unwrap_or(0)
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
}
