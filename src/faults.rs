//! The fault schedule: `[[faults]]` entries resolved into concrete actions
//! on node ids, in time order.
//!
//! Each fault becomes one action at its `at` (a crash with `restart_after`
//! also schedules its restart; a degradation schedules its end). Actions at
//! the same instant run in file order. A seeded random partition draws from
//! the fault's own stream `(Faults, fault index)`, so it does not depend on
//! anything else in the run.

use crate::net::{CutShape, NodeSet};
use crate::node::NodeId;
use crate::rng::{Component, Streams};
use crate::scenario::{CrashState, Heal, Partition, RandomSplit, Scenario};
use crate::time::SimTime;
use rand::Rng;

/// A concrete fault action.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A partition, cut or isolation comes into force.
    Cut {
        /// The cut's name, for `heal`.
        name: Option<String>,
        /// Which messages it drops.
        shape: CutShape,
    },
    /// Cuts are healed: all (`None`) or those with this name.
    Heal {
        /// The name, if only one cut heals.
        name: Option<String>,
    },
    /// A node stops: it sends nothing and every message to it is dropped.
    Crash {
        /// The node.
        node: NodeId,
        /// Whether its state is lost (it restarts empty, with a new generation).
        lost: bool,
    },
    /// A crashed node comes back.
    Restart {
        /// The node.
        node: NodeId,
    },
    /// Links get worse.
    DegradeStart {
        /// Identifies the matching end.
        id: u32,
        /// Senders.
        from: NodeSet,
        /// Receivers.
        to: NodeSet,
        /// Both directions.
        bidirectional: bool,
        /// Added latency (ns).
        extra_latency_ns: u64,
        /// Added loss probability.
        loss: f64,
    },
    /// A degradation ends.
    DegradeEnd {
        /// Which one.
        id: u32,
    },
    /// A node's clock jumps.
    ClockStep {
        /// The node.
        node: NodeId,
        /// By how much (ns; negative: backwards).
        by_ns: i64,
    },
}

impl Action {
    /// The action's name in trace records.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Cut {
                shape: CutShape::Sides(_),
                ..
            } => "partition",
            Action::Cut { .. } => "cut",
            Action::Heal { .. } => "heal",
            Action::Crash { .. } => "crash",
            Action::Restart { .. } => "restart",
            Action::DegradeStart { .. } => "degrade",
            Action::DegradeEnd { .. } => "degrade-end",
            Action::ClockStep { .. } => "clock-step",
        }
    }

    /// Whether this action ends a disturbance (checks measure convergence
    /// "after the last heal" from these).
    pub fn is_recovery(&self) -> bool {
        matches!(
            self,
            Action::Heal { .. } | Action::Restart { .. } | Action::DegradeEnd { .. }
        )
    }
}

/// One scheduled action.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// When.
    pub at: SimTime,
    /// Index of the `[[faults]]` entry it comes from.
    pub fault: u32,
    /// What.
    pub action: Action,
    /// A short human-readable description for the trace.
    pub detail: String,
}

/// Resolves the fault schedule of a validated scenario.
pub fn plan(s: &Scenario, streams: &Streams) -> Vec<Planned> {
    let n = s.nodes.count;
    let mut out = Vec::new();
    for (i, f) in s.faults.iter().enumerate() {
        let fault = i as u32;
        let at = SimTime(f.at.0);
        let push = |out: &mut Vec<Planned>, at: SimTime, action: Action, detail: String| {
            out.push(Planned {
                at,
                fault,
                action,
                detail,
            })
        };
        if let Some(p) = &f.partition {
            let sides: Vec<Vec<u32>> = match p {
                Partition::Sides(sides) => sides
                    .iter()
                    .map(|m| s.nodes.resolve(m).expect("validated"))
                    .collect(),
                Partition::Random(RandomSplit::RandomHalves) => {
                    let mut ids: Vec<u32> = (0..n).collect();
                    let mut rng = streams.stream(Component::Faults, fault);
                    for k in (1..ids.len()).rev() {
                        ids.swap(k, rng.random_range(0..=k));
                    }
                    let (a, b) = ids.split_at(ids.len() / 2);
                    let (mut a, mut b) = (a.to_vec(), b.to_vec());
                    a.sort_unstable();
                    b.sort_unstable();
                    vec![a, b]
                }
            };
            let mut label = vec![crate::net::NO_SIDE; n as usize];
            for (k, side) in sides.iter().enumerate() {
                for &id in side {
                    label[id as usize] = k as u16;
                }
            }
            let detail = sides.iter().map(|s| ids_text(s)).collect::<Vec<_>>().join(" | ");
            push(
                &mut out,
                at,
                Action::Cut {
                    name: f.name.clone(),
                    shape: CutShape::Sides(label),
                },
                detail,
            );
        }
        if let Some(c) = &f.cut {
            let from = s.nodes.resolve(&c.from).expect("validated");
            let to = s.nodes.resolve(&c.to).expect("validated");
            let detail = format!("{} -> {}", ids_text(&from), ids_text(&to));
            let shape = CutShape::OneWay {
                from: NodeSet::new(n, &from),
                to: NodeSet::new(n, &to),
            };
            push(
                &mut out,
                at,
                Action::Cut {
                    name: f.name.clone(),
                    shape,
                },
                detail,
            );
        }
        if let Some(node) = f.isolate {
            let mut label = vec![1u16; n as usize];
            label[node as usize] = 0;
            let detail = format!("isolate {node}");
            push(
                &mut out,
                at,
                Action::Cut {
                    name: f.name.clone(),
                    shape: CutShape::Sides(label),
                },
                detail,
            );
        }
        if let Some(h) = &f.heal {
            let name = match h {
                Heal::All(_) => None,
                Heal::Named(n) => Some(n.clone()),
            };
            let detail = name.clone().map_or("all".into(), |n| format!("{n:?}"));
            push(&mut out, at, Action::Heal { name }, detail);
        }
        if let Some(node) = f.crash {
            let lost = f.state.unwrap_or_default() == CrashState::Lost;
            let detail = format!("node {node}, state {}", if lost { "lost" } else { "kept" });
            push(&mut out, at, Action::Crash { node, lost }, detail);
            if let Some(after) = f.restart_after {
                let detail = format!("node {node}");
                push(
                    &mut out,
                    at.saturating_add(after),
                    Action::Restart { node },
                    detail,
                );
            }
        }
        if let Some(node) = f.restart {
            push(&mut out, at, Action::Restart { node }, format!("node {node}"));
        }
        if let Some(d) = &f.degrade {
            let from = s.nodes.resolve(&d.from).expect("validated");
            let to = s.nodes.resolve(&d.to).expect("validated");
            let detail = format!(
                "{} {} {}: +{} latency, +{} loss, for {}",
                ids_text(&from),
                if d.bidirectional { "<->" } else { "->" },
                ids_text(&to),
                d.extra_latency,
                d.loss,
                d.duration
            );
            let start = Action::DegradeStart {
                id: fault,
                from: NodeSet::new(n, &from),
                to: NodeSet::new(n, &to),
                bidirectional: d.bidirectional,
                extra_latency_ns: d.extra_latency.0,
                loss: d.loss,
            };
            push(&mut out, at, start, detail);
            push(
                &mut out,
                at.saturating_add(d.duration),
                Action::DegradeEnd { id: fault },
                String::new(),
            );
        }
        if let Some(c) = &f.clock_step {
            let detail = format!("node {} by {}", c.node, c.by);
            push(
                &mut out,
                at,
                Action::ClockStep {
                    node: c.node,
                    by_ns: c.by.0,
                },
                detail,
            );
        }
    }
    out.sort_by_key(|p| p.at);
    out
}

/// `[0, 1, 2, 5]` as `0-2,5`.
pub fn ids_text(ids: &[u32]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", ids[i], ids[j])
        } else {
            ids[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{parse_str, Format};

    #[test]
    fn ranges_compress() {
        assert_eq!(ids_text(&[0, 1, 2, 5, 7, 8]), "0-2,5,7-8");
        assert_eq!(ids_text(&[]), "");
    }

    #[test]
    fn random_halves_are_a_seeded_split_of_everyone() {
        let text = "duration = \"10s\"\n[nodes]\ncount = 9\n[[faults]]\nat = \"1s\"\npartition = \"random-halves\"\n";
        let s = parse_str(text, Format::Toml, "t.toml", "t", &[]).unwrap();
        let p = plan(&s, &Streams::new(3));
        let Action::Cut {
            shape: CutShape::Sides(label),
            ..
        } = &p[0].action
        else {
            panic!()
        };
        assert_eq!(label.iter().filter(|&&l| l == 0).count(), 4);
        assert_eq!(label.iter().filter(|&&l| l == 1).count(), 5);
        assert_eq!(plan(&s, &Streams::new(3)), p, "same seed, same split");
        let other = plan(&s, &Streams::new(4));
        assert_ne!(
            other, p,
            "another seed splits differently (1 in 126 chance of equal: fixed seeds)"
        );
    }

    #[test]
    fn crash_with_restart_schedules_both_in_time_order() {
        let text = r#"
            duration = "100s"
            [nodes]
            count = 3
            [[faults]]
            at = "10s"
            crash = 1
            state = "lost"
            restart_after = "30s"
            [[faults]]
            at = "20s"
            heal = true
        "#;
        let s = parse_str(text, Format::Toml, "t.toml", "t", &[]).unwrap();
        let p = plan(&s, &Streams::new(1));
        let names: Vec<(u64, &str)> = p
            .iter()
            .map(|x| (x.at.0 / 1_000_000_000, x.action.name()))
            .collect();
        assert_eq!(names, vec![(10, "crash"), (20, "heal"), (40, "restart")]);
        assert_eq!(p[0].action, Action::Crash { node: 1, lost: true });
    }
}
