//! Worktree-only crate root for developing the `chart` module.
pub mod chart;
