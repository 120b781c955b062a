//! The protocols, each a sans-IO [`crate::node::Protocol`] implementation
//! over the same replicated [`store`]: [`scuttlebutt`] (the subject of the
//! simulator, with [`reconcile`] orders and [`flow`] control),
//! [`anti_entropy`] (full-state push, pull, push-pull) and [`rumor`]
//! mongering as baselines, and [`ping`] (the engine benchmark P0, with no
//! replicated state). [`merge`] holds the read-side merge policies.

pub mod anti_entropy;
pub mod flow;
pub mod merge;
pub mod ping;
pub mod reconcile;
pub mod rumor;
pub mod scuttlebutt;
pub mod store;
