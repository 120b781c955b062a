//! The one integration-test binary: every module is a feature area.

mod bad_input;
mod charts;
mod cli;
mod convergence;
mod determinism;
mod faults;
mod hand;
mod metrics;
mod support;
mod vclock;
