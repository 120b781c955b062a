//! The one integration-test binary: every module is a feature area.

mod bad_input;
mod bin;
mod charts;
mod checks;
mod cli;
mod convergence;
mod determinism;
mod explore;
mod export;
mod faults;
mod hand;
mod interrupt;
mod metrics;
mod protocols;
mod replay;
mod shrink;
mod support;
mod sweep;
mod vclock;
