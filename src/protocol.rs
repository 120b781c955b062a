//! The protocols, each a sans-IO [`crate::node::Protocol`] implementation:
//! [`scuttlebutt`] (the subject of the simulator) and [`ping`] (the engine
//! benchmark P0, with no replicated state).

pub mod merge;
pub mod ping;
pub mod scuttlebutt;
