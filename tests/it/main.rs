//! The one integration-test binary: every module is a feature area.

mod bad_input;
mod bin;
mod charts;
mod checks;
mod cli;
mod convergence;
mod determinism;
mod docs;
mod explore;
mod export;
mod faults;
mod fidelity;
mod fuzz_regressions;
mod hand;
mod interrupt;
mod limits;
mod metrics;
mod properties;
mod protocols;
mod reference;
mod replay;
mod shrink;
mod soak;
mod support;
mod sweep;
mod vclock;
