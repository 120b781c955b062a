//! # scuttlesim
//!
//! A deterministic discrete-event network simulator for gossip protocols.
//! It runs many virtual nodes executing Scuttlebutt anti-entropy (digest,
//! then deltas, over a key-value store with version vectors) over a network
//! with configurable latency and loss, records every version-vector and
//! vector-clock transition, and measures convergence time and bandwidth.
//!
//! ## Concepts
//! - **Scenario** ([`scenario::Scenario`]): one experiment, loaded from TOML
//!   or JSON, validated and resolved (every default explicit).
//! - **Simulation** ([`sim::Simulation`]): a seeded event loop over integer
//!   nanoseconds ([`time::SimTime`]); events ordered by `(time, seq)`.
//! - **Protocol** ([`node::Protocol`]): a sans-IO state machine that reacts
//!   to rounds, messages and writes by emitting commands.
//! - **Records** ([`trace::Record`]): every observable step, hashed into a
//!   digest ([`trace::TraceDigest`]) whether or not a trace file is written.
//! - **Sweep** ([`sweep::Sweep`]): a base scenario, a grid of settings and a
//!   range of seeds, run in parallel (or sharded across a cluster) into
//!   per-run and per-setting CSVs and comparison charts.
//! - **Checks** ([`check::Check`]): what a run must achieve, evaluated from
//!   its records ([`check::run_checked`]). A failing run is found across
//!   seeds ([`explore`]), verified bit for bit ([`replay`]), made smaller
//!   ([`shrink`]) and read or exported ([`export`]).
//! - **Metrics and charts** ([`report`], [`render`]): every run's numbers as
//!   CSV (`metrics/`: per-write spread, informed fraction, bandwidth over
//!   time and per node split into digest, delta and other bytes, staleness,
//!   lost writes), and its charts drawn from those files ([`chart`]), so
//!   `scuttlesim chart` redraws them exactly.
//!
//! ## Determinism
//! Same binary + same scenario + same seed = the same records, byte for byte.
//! Randomness comes only from per-`(component, node)` streams derived from
//! the master seed through ChaCha8 ([`rng`]); no hash-map iteration reaches the output;
//! the core never reads the wall clock and does no I/O.
//!
//! ## Example
//! ```
//! use scuttlesim::{scenario, sim, trace::VecSink};
//! let text = r#"
//!     duration = "20s"
//!     stop_when_converged = true
//!     [nodes]
//!     count = 16
//!     [[workload.schedule]]
//!     at = "1s"
//!     node = 0
//!     value = 7
//! "#;
//! let s = scenario::parse_str(text, scenario::Format::Toml, "example.toml", "example", &[]).unwrap();
//! let mut records = VecSink::default();
//! let outcome = sim::run(&s, &mut records);
//! assert_eq!(outcome.metrics.convergence().converged, 1);
//! ```
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub mod chart;
pub mod check;
pub mod clock;
pub mod error;
pub mod explore;
pub mod export;
pub mod faults;
pub mod limits;
pub mod metrics;
pub mod net;
pub mod node;
pub mod output;
pub mod prefetch;
pub mod protocol;
pub mod queue;
pub mod render;
pub mod replay;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod shrink;
pub mod sim;
pub mod simd;
pub mod soak;
pub mod summary;
pub mod sweep;
pub mod time;
pub mod trace;
pub mod vclock;
pub mod workload;
