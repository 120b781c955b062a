//! The one integration-test binary: every module is a feature area.

mod bad_input;
mod bin;
mod checks;
mod cli;
mod convergence;
mod determinism;
mod explore;
mod export;
mod faults;
mod fidelity;
mod hand;
mod interrupt;
mod protocols;
mod reference;
mod replay;
mod shrink;
mod support;
mod sweep;
mod vclock;
