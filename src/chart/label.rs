//! Greedy placement of text labels next to the things they name.
//!
//! Charts first block the pixels their marks cover, then ask for each label in
//! a fixed order; a label goes to the first candidate spot (the sides a chart
//! prefers, then the same sides farther out, joined by a leader line) that
//! overlaps nothing placed so far, stays inside the plot and is nearer its
//! own point than any other, or else to the spot with the least overlap. The
//! order is fixed, so placement is deterministic. Occupied rectangles are
//! indexed in a coarse grid (a `BTreeMap`, not a hash map), so a diagram with
//! thousands of marks still places its labels quickly. A placer made with
//! [`Placer::following`] records each label's [`Choice`] in the drawing's
//! [`Layout`], or takes the one recorded at 1× (the PNG's 2× drawing), so
//! both formats place every label alike.

use std::collections::BTreeMap;

use super::render::Layout;

/// A pixel rectangle `(x0, y0, x1, y1)`, `x0 <= x1`, `y0 <= y1`.
pub(crate) type Rect = (i32, i32, i32, i32);

/// Where a label may go relative to its point, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Right,
    Above,
    Below,
    Left,
    AboveRight,
    BelowRight,
    AboveLeft,
    BelowLeft,
}

impl Side {
    /// The top-left corner of a `w`×`h` label on this side of the point
    /// `(x, y)`, `gap` pixels away.
    fn corner(self, (x, y): (i32, i32), (w, h): (i32, i32), gap: i32) -> (i32, i32) {
        match self {
            Side::Right => (x + gap, y - h / 2),
            Side::Above => (x - w / 2, y - gap - h),
            Side::Below => (x - w / 2, y + gap),
            Side::Left => (x - gap - w, y - h / 2),
            Side::AboveRight => (x + gap / 2, y - gap - h),
            Side::BelowRight => (x + gap / 2, y + gap),
            Side::AboveLeft => (x - gap / 2 - w, y - gap - h),
            Side::BelowLeft => (x - gap / 2 - w, y + gap),
        }
    }
}

/// Preference for labels of points in open space: right of the point first.
pub(crate) const RIGHT_FIRST: [Side; 8] = [
    Side::Right,
    Side::Above,
    Side::Below,
    Side::Left,
    Side::AboveRight,
    Side::BelowRight,
    Side::AboveLeft,
    Side::BelowLeft,
];

/// Preference for labels of points on a horizontal line: above or below it.
pub(crate) const ABOVE_FIRST: [Side; 6] = [
    Side::Above,
    Side::Below,
    Side::AboveRight,
    Side::AboveLeft,
    Side::BelowRight,
    Side::BelowLeft,
];

/// Where a label went: the side, the ring (0 at the gap, then farther
/// out) and whether it has a leader line. The same at any scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Choice {
    side: Side,
    ring: i32,
    leader: bool,
}

/// Tracks occupied rectangles inside `bounds`.
#[derive(Debug)]
pub(crate) struct Placer<'a> {
    bounds: Rect,
    taken: Vec<Rect>,
    grid: BTreeMap<(i32, i32), Vec<usize>>,
    layout: Option<&'a Layout>,
}

/// Grid cell size in pixels.
const CELL: i32 = 32;

fn cells(r: Rect) -> impl Iterator<Item = (i32, i32)> {
    let (x0, y0, x1, y1) = (
        r.0.div_euclid(CELL),
        r.1.div_euclid(CELL),
        r.2.div_euclid(CELL),
        r.3.div_euclid(CELL),
    );
    (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
}

fn overlap(a: Rect, b: Rect) -> i64 {
    let w = (a.2.min(b.2) - a.0.max(b.0)).max(0);
    let h = (a.3.min(b.3) - a.1.max(b.1)).max(0);
    i64::from(w) * i64::from(h)
}

fn area(r: Rect) -> i64 {
    i64::from(r.2 - r.0) * i64::from(r.3 - r.1)
}

impl<'a> Placer<'a> {
    /// A placer for labels that must stay inside `bounds`.
    pub(crate) fn new(bounds: Rect) -> Self {
        Placer {
            bounds,
            taken: Vec::new(),
            grid: BTreeMap::new(),
            layout: None,
        }
    }

    /// [`Placer::new`] recording its choices in `layout`, and taking those
    /// `layout` replays (the 1× drawing's) instead of deciding again.
    pub(crate) fn following(bounds: Rect, layout: &'a Layout) -> Self {
        Placer {
            layout: Some(layout),
            ..Placer::new(bounds)
        }
    }

    /// Marks `r` as occupied (a marker, an error bar, a line).
    pub(crate) fn block(&mut self, r: Rect) {
        let i = self.taken.len();
        self.taken.push(r);
        for c in cells(r) {
            self.grid.entry(c).or_default().push(i);
        }
    }

    /// Marks the straight line from `a` to `b` as occupied, `w` pixels wide.
    pub(crate) fn block_line(&mut self, a: (i32, i32), b: (i32, i32), w: i32) {
        let w = w.max(1);
        let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
        let steps = ((dx.abs().max(dy.abs())) / f64::from(w)).ceil().max(1.0) as i32;
        for k in 0..=steps {
            let f = f64::from(k) / f64::from(steps);
            let (x, y) = (a.0 + (dx * f).round() as i32, a.1 + (dy * f).round() as i32);
            self.block((x - w / 2, y - w / 2, x + w - w / 2, y + w - w / 2));
        }
    }

    /// Total overlap of `r` with occupied rectangles.
    fn covered(&self, r: Rect) -> i64 {
        let mut ids: Vec<usize> = cells(r)
            .filter_map(|c| self.grid.get(&c))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.iter().map(|i| overlap(r, self.taken[*i])).sum()
    }
}

/// Distance in pixels from the point `p` to the rectangle `r` (0 inside).
fn distance(r: Rect, p: (i32, i32)) -> f64 {
    let dx = f64::from((r.0 - p.0).max(p.0 - r.2).max(0));
    let dy = f64::from((r.1 - p.1).max(p.1 - r.3).max(0));
    dx.hypot(dy)
}

/// Rings of candidate spots [`Placer::place_attached`] tries, the first at
/// the gap, each next one a label height farther out.
const RINGS: i32 = 5;

/// Where [`Placer::place_attached`] put a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attached {
    /// Top-left corner of the label.
    pub(crate) pos: (i32, i32),
    /// Whether it needs a leader line to its point: it sits farther out
    /// than the gap, or (no better spot) as near another point as its own.
    pub(crate) leader: bool,
}

impl Placer<'_> {
    /// [`Placer::place`] for a label that must read as its point's among
    /// other points: a spot is only taken without overlap if every point
    /// of `others` is at least 1.5 times as far from the label as its own
    /// point `(x, y)`. `sides` are tried at the gap, then in rings farther
    /// out (a leader line then joins the label to its point); with no such
    /// spot, the one with the least overlap, joined by a leader line.
    pub(crate) fn place_attached(
        &mut self,
        (x, y): (i32, i32),
        (w, h): (i32, i32),
        gap: i32,
        sides: &[Side],
        others: &[(i32, i32)],
    ) -> Attached {
        let at = |side: Side, gap: i32| side.corner((x, y), (w, h), gap);
        let ambiguous = |r: Rect| {
            let own = distance(r, (x, y));
            others.iter().any(|&o| distance(r, o) < own * 1.5)
        };
        let score = |(cx, cy): (i32, i32)| -> i64 {
            let r = (cx, cy, cx + w, cy + h);
            let inside = overlap(r, self.bounds);
            let outside = (area(r) - inside) * 100;
            let unclear = if ambiguous(r) { area(r) } else { 0 };
            outside + self.covered(r) + unclear
        };
        let ring_gap = |ring: i32| gap + ring * (h + gap / 2);
        let replayed = self.layout.and_then(Layout::next);
        let choice = replayed.unwrap_or_else(|| {
            let mut best = (sides[0], 0);
            let mut best_score = i64::MAX;
            'rings: for ring in 0..RINGS {
                for &side in sides {
                    let s = score(at(side, ring_gap(ring)));
                    if s < best_score {
                        best = (side, ring);
                        best_score = s;
                    }
                    if s == 0 {
                        break 'rings;
                    }
                }
            }
            let (side, ring) = best;
            let (bx, by) = at(side, ring_gap(ring));
            Choice {
                side,
                ring,
                leader: ring > 0 || ambiguous((bx, by, bx + w, by + h)),
            }
        });
        if let Some(layout) = self.layout {
            layout.record(choice);
        }
        let (bx, by) = at(choice.side, ring_gap(choice.ring));
        // With a margin: labels side by side ("9" and "15") must not read
        // as one ("915").
        let m = (gap / 2).max(1);
        self.block((bx - m, by - m, bx + w + m, by + h + m));
        Attached {
            pos: (bx, by),
            leader: choice.leader,
        }
    }
}

/// The leader line from a marker of radius `r` at `p` to the label `rect`:
/// from the marker's edge to 2 pixels short of the label's nearest point.
pub(crate) fn leader(p: (i32, i32), r: i32, rect: Rect) -> ((i32, i32), (i32, i32)) {
    let near = (p.0.clamp(rect.0, rect.2), p.1.clamp(rect.1, rect.3));
    let (dx, dy) = (f64::from(near.0 - p.0), f64::from(near.1 - p.1));
    let len = dx.hypot(dy).max(1.0);
    let along = |d: f64| {
        (
            (p.0 as f64 + dx * d / len).round() as i32,
            (p.1 as f64 + dy * d / len).round() as i32,
        )
    };
    (along(f64::from(r).min(len)), along((len - 2.0).max(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_label_avoids_the_first() {
        let mut p = Placer::new((0, 0, 200, 200));
        assert_eq!(
            p.place_attached((50, 100), (40, 10), 5, &RIGHT_FIRST, &[]).pos,
            (55, 95)
        );
        // Same anchor again: right is taken, and above (30, 85) would
        // touch it at its corner, within the margin labels keep; left.
        assert_eq!(
            p.place_attached((50, 100), (40, 10), 5, &RIGHT_FIRST, &[]).pos,
            (5, 95)
        );
        // Two labels side by side keep a gap (2 px at this gap of 5).
        let mut p = Placer::new((0, 0, 200, 200));
        let a = p.place_attached((50, 100), (10, 10), 5, &RIGHT_FIRST, &[]).pos;
        // Left of (80, 100) would touch the first label (65 = 55 + 10).
        let b = p
            .place_attached((80, 100), (10, 10), 5, &[Side::Left, Side::Right], &[])
            .pos;
        assert!(b.0 >= a.0 + 10 + 2, "{a:?} {b:?}");
    }

    #[test]
    fn labels_avoid_blocked_lines() {
        let mut p = Placer::new((0, 0, 200, 200));
        p.block_line((40, 60), (160, 60), 4);
        // Above would cross the line, so the label goes below.
        assert_eq!(
            p.place_attached((100, 70), (40, 10), 5, &ABOVE_FIRST, &[]).pos,
            (80, 75)
        );
    }

    /// Two points side by side: the left one's wide label does not fit on
    /// its right (the other point is there) and above it would reach over
    /// the other point, as near to it as to its own; it goes where only
    /// its own point is near.
    #[test]
    fn attached_labels_are_nearer_their_own_point() {
        let mut p = Placer::new((0, 0, 400, 300));
        let (a, b) = ((200, 150), (240, 150));
        for m in [a, b] {
            p.block((m.0 - 7, m.1 - 7, m.0 + 7, m.1 + 7));
        }
        let size = (120, 14);
        let placed = p.place_attached(a, size, 9, &RIGHT_FIRST, &[b]);
        let rect = (
            placed.pos.0,
            placed.pos.1,
            placed.pos.0 + size.0,
            placed.pos.1 + size.1,
        );
        assert!(distance(rect, a) * 1.5 <= distance(rect, b), "{placed:?}");
        assert_eq!(placed.pos.0 + size.0, a.0 - 9, "left of it: {placed:?}");
        assert!(!placed.leader);
        // The same label with b on the left too: no side is clear at the
        // gap, so it goes farther out, with a leader line.
        let mut p = Placer::new((0, 0, 400, 300));
        let others = [(240, 150), (160, 150), (200, 120), (200, 180)];
        for m in others.iter().chain([&a]) {
            p.block((m.0 - 7, m.1 - 7, m.0 + 7, m.1 + 7));
        }
        let placed = p.place_attached(a, size, 9, &RIGHT_FIRST, &others);
        assert!(placed.leader, "{placed:?}");
        let rect = (
            placed.pos.0,
            placed.pos.1,
            placed.pos.0 + size.0,
            placed.pos.1 + size.1,
        );
        let (from, to) = leader(a, 6, rect);
        assert!(distance(rect, to) <= 3.0 && distance((a.0, a.1, a.0, a.1), from) <= 7.0);
    }

    #[test]
    fn labels_stay_inside_bounds() {
        let mut p = Placer::new((0, 0, 100, 100));
        // Near the right edge the label goes left.
        let (x, _) = p.place_attached((95, 50), (40, 10), 5, &RIGHT_FIRST, &[]).pos;
        assert!(x + 40 <= 100, "x = {x}");
    }
}
