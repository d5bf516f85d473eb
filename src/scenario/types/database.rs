//! The weapons database's syntax: threats and interceptors.

use serde::Deserialize;

use super::*;

/// Where an interceptor can meet a threat of one class: horizontal distance from the
/// battery and altitude of the threat, both as `[min, max]` in km.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub range_km: [f64; 2],
    pub alt_km: [f64; 2],
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Envelopes {
    pub ballistic: Option<Envelope>,
    pub cruise: Option<Envelope>,
    pub drone: Option<Envelope>,
    pub rocket: Option<Envelope>,
}

impl Envelopes {
    pub fn get(&self, c: ThreatClass) -> Option<&Envelope> {
        match c {
            ThreatClass::Ballistic => self.ballistic.as_ref(),
            ThreatClass::Cruise => self.cruise.as_ref(),
            ThreatClass::Drone => self.drone.as_ref(),
            ThreatClass::Rocket => self.rocket.as_ref(),
        }
    }
}

/// One file under `scenarios/db/`.
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DatabaseFile {
    #[serde(default)]
    pub threats: Vec<ThreatSpec>,
    #[serde(default)]
    pub interceptors: Vec<InterceptorSpec>,
}

/// A missile, drone or rocket.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatSpec {
    pub id: String,
    pub name: String,
    pub class: ThreatClass,
    pub range_km: Figure,
    /// Ballistic and rocket: time of flight at maximum range.
    #[serde(default)]
    pub flight_time_s: Option<Figure>,
    /// Ballistic and rocket: apogee at maximum range.
    #[serde(default)]
    pub apogee_km: Option<Figure>,
    /// Cruise and drone: cruise speed.
    #[serde(default)]
    pub speed_kmh: Option<Figure>,
    /// Cruise and drone: cruise altitude.
    #[serde(default)]
    pub altitude_m: Option<Figure>,
    pub cost_usd: Figure,
    /// Probability the launch succeeds.
    pub launch_reliability: Figure,
    /// Probability a launched weapon does not fail in flight.
    pub flight_reliability: Figure,
    /// Circular error probable of the impact point around the aim point, in metres.
    pub cep_m: Figure,
    /// Objects that separate with the warhead (debris, decoys) and that a radar may take
    /// for it: extra tracks from apogee on.
    #[serde(default)]
    pub decoys: Option<Figure>,
    /// A manoeuvring re-entry vehicle: each interceptor's kill probability is multiplied
    /// by the factor of its battery's tier.
    #[serde(default)]
    pub manoeuvre: Option<TierFactors>,
    /// A submunition warhead: several impact points, each with its own hit and damage.
    #[serde(default)]
    pub submunitions: Option<Submunitions>,
    #[serde(default)]
    pub warhead_kg: Option<Figure>,
    /// How it finds its target at the end: fixed coordinates or a seeker. Without it, the
    /// weapon follows its target wherever it goes (a perfect seeker, the model before
    /// issue 14).
    #[serde(default)]
    pub guidance: Option<GuidanceSpec>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A weapon's terminal guidance.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum GuidanceKind {
    /// Unguided: it lands where it was aimed.
    None,
    /// Satellite and inertial navigation to coordinates fixed before launch.
    SatelliteInertial,
    /// An active or semi-active radar seeker (soft kill can seduce it).
    RadarSeeker,
    /// An infrared or imaging seeker (radar soft kill cannot).
    IrSeeker,
    /// A video or data link through which an operator steers it.
    ManInTheLoop,
}

impl GuidanceKind {
    /// Whether it can follow a ship that moved (a seeker, or an operator).
    pub fn follows(self) -> bool {
        matches!(
            self,
            GuidanceKind::RadarSeeker | GuidanceKind::IrSeeker | GuidanceKind::ManInTheLoop
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            GuidanceKind::None => "none",
            GuidanceKind::SatelliteInertial => "satellite-inertial",
            GuidanceKind::RadarSeeker => "radar-seeker",
            GuidanceKind::IrSeeker => "ir-seeker",
            GuidanceKind::ManInTheLoop => "man-in-the-loop",
        }
    }
}

/// `guidance = { kind, targeting_age_s, acquisition_km, source | assumed, note }`: the
/// target's position it flies to is `targeting_age_s` old at launch; a seeker (or an
/// operator) then finds the target if it is within `acquisition_km` of that point.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuidanceSpec {
    pub kind: GuidanceKind,
    #[serde(default)]
    pub targeting_age_s: f64,
    #[serde(default)]
    pub acquisition_km: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A factor per battery tier (`tier1` the upper tier); a tier left out is 1, and tiers
/// beyond 4 take `tier4`'s.
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TierFactors {
    pub tier1: Option<Value>,
    pub tier2: Option<Value>,
    pub tier3: Option<Value>,
    pub tier4: Option<Value>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

impl TierFactors {
    pub fn get(&self, tier: usize) -> Option<&Value> {
        [&self.tier1, &self.tier2, &self.tier3, &self.tier4][tier].as_ref()
    }
}

/// Submunitions: `count` impact points scattered around the warhead's impact point as a
/// circular normal of standard deviation `spread_m`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submunitions {
    pub count: u32,
    pub spread_m: f64,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// An interceptor (or an air-to-air missile flown by combat air patrol).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterceptorSpec {
    pub id: String,
    pub name: String,
    pub cost_usd: Figure,
    /// Mean speed over the fly-out to the intercept point, km/s.
    pub mean_speed_kms: Figure,
    /// Probability that a round fired works (launches, guides, fuzes), apart from its Pk.
    pub reliability: Figure,
    /// Single-shot kill probability per threat class. No public source exists: `assumed = true`.
    pub pk: ClassProbabilities,
    pub envelope: Envelopes,
    /// Soft kill (jamming, decoys such as Nulka): it engages only weapons with a radar
    /// seeker, and its Pk is the probability of seducing one.
    #[serde(default)]
    pub soft_kill: bool,
    /// Rounds one vertical-launch cell holds (1 for a Standard Missile, 4 for quad-packed
    /// ESSM); without it, not launched from a cell. Counts a ship's cells used.
    #[serde(default)]
    pub per_cell: Option<u32>,
    #[serde(default)]
    pub note: Option<String>,
}
