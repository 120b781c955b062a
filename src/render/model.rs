//! The mean-field (logistic) epidemic curve drawn over the informed chart.
//!
//! Let `I(t)` be the fraction of nodes holding a write, `f` the fan-out, `T`
//! the gossip interval and `q = 1 − p` the probability that one message
//! arrives (`p` combines `network.loss` and the long-run rate of
//! `network.burst_loss`). In a short time `dt` a fraction `dt/T` of the nodes
//! runs a round and contacts `f` random peers. An exchange moves the write
//! *towards the initiator* (pull) when the peer has it and *towards the peer*
//! (push) when the initiator has it, each needing some messages to arrive:
//!
//! | protocol | pull | push |
//! | --- | --- | --- |
//! | `scuttlebutt` | `syn`, `ack`: `q²` | `syn`, `ack`, `ack2`: `q³` |
//! | `push-pull` | state, reply: `q²` | state: `q` |
//! | `push` | — | state: `q` |
//! | `pull` | request, reply: `q²` | — |
//!
//! So `dI/dt = (1−I)·(f/T)·I·a + I·(f/T)·(1−I)·b = β·I·(1−I)` with
//! `β = f·(a + b)/T`, whose solution from one informed node, `I(0) = 1/N`,
//! is the logistic `I(t) = 1 / (1 + (N−1)·e^{−βt})`. The model ignores
//! message latency, the periodic (not memoryless) timers, per-route loss,
//! partitions, crashes, MTU limits and flow control; rumor mongering stops
//! spreading by design and gets no curve.

use crate::scenario::{ProtocolKind, Scenario};

/// A logistic curve with its rate and formula.
#[derive(Clone, Debug, PartialEq)]
pub struct MeanField {
    /// Nodes.
    pub nodes: u32,
    /// Infection rate per second.
    pub beta_per_s: f64,
    /// The formula of `β` for the protocol, e.g. `"f((1−p)²+(1−p)³)/T"`.
    pub beta_formula: &'static str,
}

impl MeanField {
    /// The curve for `s`, or `None` for protocols it does not describe.
    pub fn of(s: &Scenario) -> Option<MeanField> {
        let net = &s.network;
        let burst = net.burst_loss.as_ref().map_or(0.0, |g| {
            let sum = g.p_good_to_bad + g.p_bad_to_good;
            let bad = if sum > 0.0 { g.p_good_to_bad / sum } else { 0.0 };
            (1.0 - bad) * g.loss_good + bad * g.loss_bad
        });
        let q = (1.0 - net.loss) * (1.0 - burst);
        let (rate, formula) = match s.gossip.protocol {
            ProtocolKind::Scuttlebutt => (q * q + q * q * q, "f((1−p)²+(1−p)³)/T"),
            ProtocolKind::PushPull => (q + q * q, "f((1−p)+(1−p)²)/T"),
            ProtocolKind::Push => (q, "f(1−p)/T"),
            ProtocolKind::Pull => (q * q, "f(1−p)²/T"),
            ProtocolKind::Rumor | ProtocolKind::Ping => return None,
        };
        let interval_s = s.gossip.interval.0 as f64 / 1e9;
        Some(MeanField {
            nodes: s.nodes.count,
            beta_per_s: s.gossip.fanout as f64 * rate / interval_s,
            beta_formula: formula,
        })
    }

    /// `I(t)` at `t` seconds after the write.
    pub fn at(&self, t_s: f64) -> f64 {
        1.0 / (1.0 + (self.nodes as f64 - 1.0) * (-self.beta_per_s * t_s).exp())
    }

    /// The legend text: the formula with the numbers.
    pub fn label(&self) -> String {
        format!(
            "mean field: I(t)=1/(1+(N−1)e^{{−βt}}), β={}={:.2}/s",
            self.beta_formula, self.beta_per_s
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{parse_str, Format};

    fn scenario(extra: &str) -> Scenario {
        let text = format!("duration = \"10s\"\n[nodes]\ncount = 101\n{extra}\n");
        parse_str(&text, Format::Toml, "t.toml", "t", &[]).unwrap()
    }

    #[test]
    fn lossless_scuttlebutt_spreads_at_two_contacts_per_round() {
        // f = 1, T = 1 s, q = 1: pull 1 + push 1 = 2 per second.
        let m = MeanField::of(&scenario("")).unwrap();
        assert_eq!(m.beta_per_s, 2.0);
        assert_eq!(m.at(0.0), 1.0 / 101.0);
        // I = 1/2 when (N−1)e^{−βt} = 1: t = ln(100)/2.
        assert!((m.at(100f64.ln() / 2.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn loss_fanout_and_interval_enter_beta() {
        // f = 2, T = 0.5 s, p = 0.1: 2·(0.81 + 0.729)/0.5 = 6.156.
        let m = MeanField::of(&scenario(
            "[gossip]\nfanout = 2\ninterval = \"500ms\"\n[network]\nloss = 0.1",
        ))
        .unwrap();
        assert!((m.beta_per_s - 6.156).abs() < 1e-9, "{}", m.beta_per_s);
        // Bursty loss: π_bad = 0.1/(0.1+0.4) = 0.2, loss 0.2·1 = 0.2 on top
        // of none: q = 0.8, push only: f·q/T = 0.8.
        let m = MeanField::of(&scenario(
            "[gossip]\nprotocol = \"push\"\n[network]\nburst_loss = { p_good_to_bad = 0.1, p_bad_to_good = 0.4 }",
        ))
        .unwrap();
        assert!((m.beta_per_s - 0.8).abs() < 1e-12);
        assert!(MeanField::of(&scenario("[gossip]\nprotocol = \"rumor\"")).is_none());
    }
}
