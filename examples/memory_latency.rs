//! How long a random read takes on this machine, by the size of the memory
//! read: the ceiling a large run's per-node tables meet (docs/PERFORMANCE.md,
//! "Thirteenth pass").
//!
//! ```text
//! cargo run --release --example memory_latency [MiB ...]
//! ```
//!
//! For each size it links every 64-byte line of a buffer into one random
//! cycle and follows it: one chain (each read waits for the one before: the
//! latency), then eight chains at once (reads overlap, as the run loop's
//! prefetches let them: the throughput), spaced evenly along the cycle so
//! that none reads lines another has just brought in. Sizes that fit the
//! caches answer in tens of ns; past the last level cache the processor can
//! give, well over a hundred.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::time::Instant;

/// One cache line: the index of the next line of its chain.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Line(usize);

/// Reads followed per measurement.
const READS: usize = 20_000_000;

/// The lines of a `mib`-MiB buffer linked into one random cycle, and the
/// order in which the cycle visits them.
fn cycle(mib: usize) -> (Vec<Line>, Vec<usize>) {
    let n = (mib << 20) / std::mem::size_of::<Line>();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1));
    let mut lines = vec![Line(0); n];
    for (i, &at) in order.iter().enumerate() {
        lines[at] = Line(order[(i + 1) % n]);
    }
    (lines, order)
}

/// Nanoseconds per read with `chains` chains followed together, started
/// `n / chains` steps apart along the cycle `order`.
fn per_read(lines: &[Line], order: &[usize], chains: usize) -> f64 {
    let mut at: Vec<usize> = (0..chains).map(|c| order[c * order.len() / chains]).collect();
    // `std::time::Instant` is banned in the simulator (clippy.toml), not here:
    // this measures the machine, not a simulated run.
    #[allow(clippy::disallowed_methods)]
    let start = Instant::now();
    for _ in 0..READS / chains {
        for a in at.iter_mut() {
            *a = lines[*a].0;
        }
    }
    std::hint::black_box(&at);
    start.elapsed().as_nanos() as f64 / READS as f64
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| match a.parse() {
            Ok(mib) if mib > 0 => mib,
            _ => {
                eprintln!("error: {a:?} is not a size: sizes are whole MiB, at least 1");
                std::process::exit(2);
            }
        })
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1, 2, 4, 8, 12, 16, 24, 32, 64]
    } else {
        sizes
    };
    println!("{:>6}  {:>14}  {:>16}", "MiB", "1 chain ns", "8 chains ns");
    for mib in sizes {
        let (lines, order) = cycle(mib);
        per_read(&lines, &order, 1); // warm-up (caches, TLB)
        println!(
            "{mib:>6}  {:>14.1}  {:>16.1}",
            per_read(&lines, &order, 1),
            per_read(&lines, &order, 8)
        );
    }
}
