//! The one integration-test binary: every module is a feature area.

mod bad_input;
mod cli;
mod convergence;
mod determinism;
mod faults;
mod fidelity;
mod hand;
mod protocols;
mod reference;
mod support;
mod sweep;
mod vclock;
