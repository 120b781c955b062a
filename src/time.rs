//! Simulated time: integer nanoseconds, never floats (determinism rule 1).
//!
//! [`SimTime`] is an instant since the start of a run, [`SimDuration`] a span.
//! Both wrap a `u64` count of nanoseconds (enough for 584 years). Durations in
//! scenario files are strings such as `"250ms"` or `"1.5s"`, parsed exactly in
//! decimal by [`parse_duration`] without going through floating point.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Nanoseconds per microsecond, millisecond, second.
pub const NS_PER_US: u64 = 1_000;
/// Nanoseconds per millisecond.
pub const NS_PER_MS: u64 = 1_000_000;
/// Nanoseconds per second.
pub const NS_PER_S: u64 = 1_000_000_000;

/// An instant of simulated (true) time, in nanoseconds since the run started.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time in nanoseconds.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable instant ("never").
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Nanoseconds since the start.
    pub fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds since the start, for statistics and charts only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }

    /// `self + d`, saturating at [`SimTime::MAX`].
    pub fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// `self - earlier`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// Zero length.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> SimDuration {
        SimDuration(ms * NS_PER_MS)
    }

    /// A duration of `s` seconds.
    pub const fn from_secs(s: u64) -> SimDuration {
        SimDuration(s * NS_PER_S)
    }

    /// Nanoseconds in this span.
    pub fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds, for statistics and charts only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }
}

impl fmt::Display for SimDuration {
    /// Shortest exact rendering in the largest unit that keeps it exact-ish:
    /// `1.5s`, `250ms`, `10us`, `7ns`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_ns(self.0, f)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_ns(self.0, f)
    }
}

fn format_ns(ns: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (unit, div) = if ns >= NS_PER_S {
        ("s", NS_PER_S)
    } else if ns >= NS_PER_MS {
        ("ms", NS_PER_MS)
    } else if ns >= NS_PER_US {
        ("us", NS_PER_US)
    } else {
        return write!(f, "{ns}ns");
    };
    let whole = ns / div;
    let frac = ns % div;
    if frac == 0 {
        write!(f, "{whole}{unit}")
    } else {
        let width = div.ilog10() as usize;
        let digits = format!("{frac:0width$}");
        write!(f, "{whole}.{}{unit}", digits.trim_end_matches('0'))
    }
}

/// Parses a duration such as `"250ms"`, `"1.5s"`, `"2m"`, `"100us"`, `"10ns"`,
/// exactly (decimal arithmetic, no floats). Units: `ns`, `us`, `ms`, `s`, `m`, `h`.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let s = text.trim();
    if s.starts_with('-') {
        return Err(duration_help(text, "durations cannot be negative"));
    }
    if s.starts_with('+') {
        return Err(duration_help(text, "a duration takes no sign"));
    }
    magnitude(s, text).map(SimDuration)
}

/// The nanoseconds of the unsigned duration `s` (a number and a unit);
/// errors quote `shown`, the text as given.
fn magnitude(s: &str, shown: &str) -> Result<u64, String> {
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| duration_help(shown, "missing unit"))?;
    let (number, unit) = s.split_at(split);
    let unit = unit.trim();
    let scale: u64 = match unit {
        "ns" => 1,
        "us" | "µs" => NS_PER_US,
        "ms" => NS_PER_MS,
        "s" => NS_PER_S,
        "m" | "min" => 60 * NS_PER_S,
        "h" => 3600 * NS_PER_S,
        _ => return Err(duration_help(shown, &unit_problem(number, unit))),
    };
    if number.is_empty() {
        return Err(duration_help(shown, "missing number"));
    }
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
        return Err(duration_help(shown, "malformed number"));
    }
    let too_large = || {
        duration_help(
            shown,
            &format!(
                "too large: at most {} (about {}h, 584 years)",
                SimDuration(u64::MAX),
                u64::MAX / (3600 * NS_PER_S)
            ),
        )
    };
    let int: u128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| too_large())?
    };
    let mut total: u128 = int.checked_mul(scale as u128).ok_or_else(too_large)?;
    let mut place = scale as u128;
    for c in frac_part.chars() {
        place /= 10;
        let d = c.to_digit(10).expect("digits only") as u128;
        if place == 0 {
            if d != 0 {
                return Err(duration_help(shown, "finer than one nanosecond"));
            }
            continue;
        }
        total += d * place;
    }
    u64::try_from(total).map_err(|_| too_large())
}

/// What is wrong when `unit`, the text after the digits of `number`, is no unit.
fn unit_problem(number: &str, unit: &str) -> String {
    let mut chars = unit.chars();
    match (chars.next(), chars.next()) {
        (Some('e' | 'E'), Some(c)) if !number.is_empty() && (c.is_ascii_digit() || c == '+' || c == '-') => {
            "exponents are not accepted: write the number out".into()
        }
        (Some(c), _) if !(c.is_alphabetic() || c.is_whitespace()) => {
            format!("unexpected {c:?}: a duration is digits (with one optional '.') then a unit")
        }
        _ => format!("unknown unit {:?}", crate::error::clip(unit)),
    }
}

fn duration_help(text: &str, why: &str) -> String {
    format!(
        "invalid duration {:?} ({why}): expected a number and a unit (ns, us, ms, s, m, h), e.g. \"250ms\" or \"1.5s\"",
        crate::error::clip(text)
    )
}

impl Serialize for SimDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SimDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SimDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration string such as \"250ms\" or \"2s\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SimDuration, E> {
                parse_duration(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// A signed span (clock offsets and steps), in nanoseconds; written
/// `"-250ms"` or `"+1s"` in scenario files.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SignedDuration(pub i64);

impl fmt::Display for SignedDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 0 {
            f.write_str("-")?;
        }
        format_ns(self.0.unsigned_abs(), f)
    }
}

/// Parses a signed duration: an optional `-` or `+`, then [`parse_duration`].
pub fn parse_signed_duration(text: &str) -> Result<SignedDuration, String> {
    let s = text.trim();
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest.starts_with(['+', '-']) {
        return Err(duration_help(text, "more than one sign"));
    }
    let d = magnitude(rest, text)?;
    let v = i64::try_from(d).map_err(|_| {
        duration_help(
            text,
            &format!(
                "too large: a signed duration is at most {} either way (about {}h, 292 years)",
                SignedDuration(i64::MAX),
                i64::MAX as u64 / (3600 * NS_PER_S)
            ),
        )
    })?;
    Ok(SignedDuration(if neg { -v } else { v }))
}

impl Serialize for SignedDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SignedDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SignedDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a signed duration string such as \"-250ms\" or \"2s\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SignedDuration, E> {
                parse_signed_duration(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_exactly() {
        let cases = [
            ("250ms", 250 * NS_PER_MS),
            ("2s", 2 * NS_PER_S),
            ("1.5s", 1_500_000_000),
            ("0.001s", NS_PER_MS),
            ("100us", 100_000),
            ("10ns", 10),
            ("2m", 120 * NS_PER_S),
            ("1h", 3600 * NS_PER_S),
            (".5ms", 500_000),
            ("0s", 0),
        ];
        for (text, ns) in cases {
            assert_eq!(parse_duration(text), Ok(SimDuration(ns)), "{text}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "5",
            "ms",
            "1.2.3s",
            "-1s",
            "1 parsec",
            "0.5ns",
            "99999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} should be rejected");
        }
        assert!(parse_duration("-5s").unwrap_err().contains("cannot be negative"));
    }

    /// Each malformed duration says what is wrong with it, and one too large
    /// says the largest.
    #[test]
    fn errors_say_what_is_wrong() {
        for (bad, why) in [
            ("+10s", "(a duration takes no sign)"),
            ("1e400s", "(exponents are not accepted: write the number out)"),
            ("1.5E3ms", "(exponents are not accepted"),
            ("2e-3s", "(exponents are not accepted"),
            ("1,5s", "(unexpected ',': a duration is digits"),
            ("10 parsecs", "(unknown unit \"parsecs\")"),
            (
                "99999999999h",
                "(too large: at most 18446744073.709551615s (about 5124095h, 584 years))",
            ),
        ] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(e.starts_with(&format!("invalid duration {bad:?} (")), "{e}");
        }
        let e = parse_signed_duration("5000000h").unwrap_err();
        assert!(
            e.contains("(too large: a signed duration is at most 9223372036.854775807s either way (about 2562047h, 292 years))"),
            "{e}"
        );
        assert!(parse_signed_duration("-5000000h")
            .unwrap_err()
            .contains("at most 9223372036.854775807s"));
        assert!(parse_signed_duration("+-1s")
            .unwrap_err()
            .contains("(more than one sign)"));
        assert!(parse_signed_duration("-1e3s")
            .unwrap_err()
            .contains("\"-1e3s\" (exponents"));
        // A huge value is not repeated whole.
        let e = parse_duration(&format!("{}s", "9".repeat(100_000))).unwrap_err();
        assert!(e.len() < 300, "{} bytes: {}", e.len(), &e[..200]);
    }

    #[test]
    fn signed_durations() {
        assert_eq!(parse_signed_duration("-250ms"), Ok(SignedDuration(-250_000_000)));
        assert_eq!(parse_signed_duration("+1s"), Ok(SignedDuration(1_000_000_000)));
        assert_eq!(parse_signed_duration("3us"), Ok(SignedDuration(3_000)));
        assert!(parse_signed_duration("--1s").is_err());
        assert_eq!(SignedDuration(-1_500_000).to_string(), "-1.5ms");
    }

    #[test]
    fn display_round_trips() {
        for ns in [
            0,
            7,
            1_000,
            1_500,
            250 * NS_PER_MS,
            NS_PER_S,
            1_250_000_000,
            61 * NS_PER_S,
        ] {
            let d = SimDuration(ns);
            assert_eq!(parse_duration(&d.to_string()), Ok(d), "{d}");
        }
    }
}
