//! Worktree-only crate root for developing the `chart` module.
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
pub mod chart;
