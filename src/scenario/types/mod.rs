//! The scenario and weapons-database file formats, exactly as written in TOML.
//!
//! These types are only the syntax: `serde` fills them and rejects wrong types, unknown
//! keys and negative counts with a span. Meaning (references, ranges, budgets) is checked
//! in `validate/`, which turns them into the indexed [`crate::scenario::Scenario`].
//! `docs/scenario.md` documents every field.

use serde::Deserialize;

mod database;
mod orders;
mod uncertain;
mod units;

pub use database::*;
pub use orders::*;
pub use uncertain::*;
pub use units::*;

/// A time of day relative to the scenario start, written `"HH:MM"` or `"HH:MM:SS"`
/// (hours may exceed 24). Held in whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Clock(pub u32);

impl Clock {
    pub fn parse(s: &str) -> Option<Clock> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        if !(2..=3).contains(&parts.len()) {
            return None;
        }
        let mut secs: u64 = 0;
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 6 {
                return None;
            }
            let v: u64 = p.parse().ok()?;
            if i > 0 && v >= 60 {
                return None;
            }
            secs = secs * 60 + v;
        }
        if parts.len() == 2 {
            secs *= 60;
        }
        u32::try_from(secs).ok().map(Clock)
    }

    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Clock {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Clock::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid time {s:?}: expected \"HH:MM\" or \"HH:MM:SS\" after the scenario start"
            ))
        })
    }
}

/// A number with where it came from. Every figure in the weapons database is one of
/// these: either `source` names a public report, or `assumed = true` says there is none.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// A number, or a distribution ([`Value`]).
    pub value: Value,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// The four threat classes the model distinguishes.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ThreatClass {
    Ballistic,
    Cruise,
    Drone,
    Rocket,
}

impl ThreatClass {
    pub const ALL: [ThreatClass; 4] = [
        ThreatClass::Ballistic,
        ThreatClass::Cruise,
        ThreatClass::Drone,
        ThreatClass::Rocket,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            ThreatClass::Ballistic => "ballistic",
            ThreatClass::Cruise => "cruise",
            ThreatClass::Drone => "drone",
            ThreatClass::Rocket => "rocket",
        }
    }
}

/// A probability per threat class, with its provenance.
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ClassProbabilities {
    pub ballistic: Option<Value>,
    pub cruise: Option<Value>,
    pub drone: Option<Value>,
    pub rocket: Option<Value>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

impl ClassProbabilities {
    pub fn get(&self, c: ThreatClass) -> Option<&Value> {
        match c {
            ThreatClass::Ballistic => self.ballistic.as_ref(),
            ThreatClass::Cruise => self.cruise.as_ref(),
            ThreatClass::Drone => self.drone.as_ref(),
            ThreatClass::Rocket => self.rocket.as_ref(),
        }
    }
}

/// `{ lat = .., lon = .. }` in degrees.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}
