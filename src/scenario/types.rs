//! The scenario and weapons-database file formats, exactly as written in TOML.
//!
//! These types are only the syntax: `serde` fills them and rejects wrong types, unknown
//! keys and negative counts with a span. Meaning (references, ranges, budgets) is checked
//! in `validate.rs`, which turns them into the indexed [`crate::scenario::Scenario`].
//! `docs/scenario.md` documents every field.

use std::collections::BTreeMap;

use serde::Deserialize;

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

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0;
        write!(f, "{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
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
    pub value: f64,
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
    pub ballistic: Option<f64>,
    pub cruise: Option<f64>,
    pub drone: Option<f64>,
    pub rocket: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

impl ClassProbabilities {
    pub fn get(&self, c: ThreatClass) -> Option<f64> {
        match c {
            ThreatClass::Ballistic => self.ballistic,
            ThreatClass::Cruise => self.cruise,
            ThreatClass::Drone => self.drone,
            ThreatClass::Rocket => self.rocket,
        }
    }
}

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
    #[serde(default)]
    pub note: Option<String>,
}

/// A factor per battery tier (`tier1` the upper tier); a tier left out is 1, and tiers
/// beyond 4 take `tier4`'s.
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TierFactors {
    pub tier1: Option<f64>,
    pub tier2: Option<f64>,
    pub tier3: Option<f64>,
    pub tier4: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

impl TierFactors {
    pub fn get(&self, tier: usize) -> Option<f64> {
        [self.tier1, self.tier2, self.tier3, self.tier4][tier]
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
    #[serde(default)]
    pub note: Option<String>,
}

/// `{ lat = .., lon = .. }` in degrees.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub scenario: Header,
    pub sides: Vec<SideSpec>,
    #[serde(default)]
    pub assets: Vec<AssetSpec>,
    #[serde(default)]
    pub carriers: Vec<CarrierSpec>,
    #[serde(default)]
    pub batteries: Vec<BatterySpec>,
    #[serde(default)]
    pub launch_sites: Vec<LaunchSiteSpec>,
    #[serde(default)]
    pub militias: Vec<MilitiaSpec>,
    #[serde(default)]
    pub orders: Vec<OrderSpec>,
    #[serde(default)]
    pub triggers: Vec<TriggerSpec>,
    #[serde(default)]
    pub incidents: Vec<IncidentSpec>,
    /// Publicly reported outcomes of a real event, for `hormuz calibrate`.
    #[serde(default)]
    pub reported: Vec<ReportedSpec>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Informational wall-clock start, e.g. "2026-02-27T18:00Z".
    #[serde(default)]
    pub start: Option<String>,
    pub duration: Clock,
    #[serde(default = "default_tick")]
    pub tick_seconds: u32,
    /// The rule that picks the engaging battery within a tier.
    #[serde(default)]
    pub battery_choice: BatteryChoice,
    /// Weapons-database files, relative to this scenario file.
    pub database: Vec<String>,
}

fn default_tick() -> u32 {
    5
}

/// Which battery of a tier engages a threat that several can reach (`docs/scenario.md`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum BatteryChoice {
    /// The battery defending the threatened asset first, then the nearest to the aim
    /// point, then the one with the most rounds ready.
    #[default]
    DefendedFirst,
    /// The nearest to the aim point, then the most rounds ready.
    Nearest,
    /// The battery defending the threatened asset first, then the most rounds ready,
    /// then the nearest.
    MostRounds,
}

/// Where an asset can be hit: a circle or a polygon around its position.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Footprint {
    #[serde(default)]
    pub radius_km: Option<f64>,
    #[serde(default)]
    pub polygon: Option<Vec<LatLon>>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideSpec {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub hostile_to: Vec<String>,
    /// Probability that a threat aimed at this side's assets is detected, tracked and
    /// classified in time to be engaged at all.
    #[serde(default)]
    pub detection: Option<ClassProbabilities>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Base,
    City,
    Site,
    Ship,
}

/// What a hit does to an asset.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vulnerability {
    /// Replacement value lost when the asset is put out of action, in USD.
    pub value_usd: f64,
    /// Damaging hits that put the asset out of action (its batteries and air wing fall silent).
    pub staying_power: u32,
    /// Probability that a hit does no damage (shelters, dispersal, armour).
    #[serde(default)]
    pub hardness: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetSpec {
    pub id: String,
    pub name: String,
    pub side: String,
    pub kind: AssetKind,
    pub position: LatLon,
    pub vulnerability: Vulnerability,
    /// Where it can be hit; without it, a circle whose radius depends on the kind.
    #[serde(default)]
    pub footprint: Option<Footprint>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarrierSpec {
    pub id: String,
    pub name: String,
    pub side: String,
    pub position: LatLon,
    /// Points the carrier steams through in order, after `position`.
    #[serde(default)]
    pub waypoints: Vec<LatLon>,
    #[serde(default)]
    pub speed_kn: f64,
    /// Return to `position` after the last waypoint and go round again (a patrol box).
    #[serde(default, rename = "loop")]
    pub patrol: bool,
    pub vulnerability: Vulnerability,
    #[serde(default)]
    pub footprint: Option<Footprint>,
    #[serde(default)]
    pub escorts: Vec<EscortSpec>,
    #[serde(default)]
    pub air_wing: Option<AirWingSpec>,
    #[serde(default)]
    pub source: Option<String>,
}

/// Shots per engagement, per threat class: `[2]` is shoot-shoot with two interceptors;
/// `[1, 1]` is shoot-look-shoot. A class left out is not engaged.
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Doctrine {
    pub ballistic: Option<Vec<u32>>,
    pub cruise: Option<Vec<u32>>,
    pub drone: Option<Vec<u32>>,
    pub rocket: Option<Vec<u32>>,
}

impl Doctrine {
    pub fn get(&self, c: ThreatClass) -> Option<&Vec<u32>> {
        match c {
            ThreatClass::Ballistic => self.ballistic.as_ref(),
            ThreatClass::Cruise => self.cruise.as_ref(),
            ThreatClass::Drone => self.drone.as_ref(),
            ThreatClass::Rocket => self.rocket.as_ref(),
        }
    }
}

/// The rounds of one interceptor type held by a battery.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MagazineSpec {
    pub interceptor: String,
    /// Rounds on the launchers, ready to fire.
    pub ready: u32,
    /// Rounds held at the site for reloading.
    #[serde(default)]
    pub reserve: u32,
    /// Time to reload one launcher from the reserve.
    #[serde(default)]
    pub reload_s: Option<u32>,
    /// Rounds one reload puts on a launcher.
    #[serde(default)]
    pub per_reload: Option<u32>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscortSpec {
    pub id: String,
    pub name: String,
    /// Station relative to the carrier: km north, km east.
    pub offset_km: [f64; 2],
    pub vulnerability: Vulnerability,
    #[serde(default)]
    pub footprint: Option<Footprint>,
    pub channels: u32,
    pub tier: u32,
    pub magazine: Vec<MagazineSpec>,
    pub doctrine: Doctrine,
    #[serde(default)]
    pub envelope: Option<Envelopes>,
    /// Assets it defends: it engages only threats aimed at them. Without it, every asset.
    #[serde(default)]
    pub defends: Option<Vec<String>>,
    /// Threats its fire-control radar can track at once; without it, no limit.
    #[serde(default)]
    pub radar_tracks: Option<u32>,
    /// Standard deviation of its prediction of a threat's impact point, per axis, m.
    #[serde(default)]
    pub impact_prediction_m: Option<f64>,
    /// Probability that its radar tells a decoy from a warhead (default 0).
    #[serde(default)]
    pub discrimination: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
}

/// The carrier's air wing flying combat air patrol; silenced when the carrier is out of action.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AirWingSpec {
    pub id: String,
    pub name: String,
    pub channels: u32,
    pub tier: u32,
    pub magazine: Vec<MagazineSpec>,
    pub doctrine: Doctrine,
    #[serde(default)]
    pub envelope: Option<Envelopes>,
    /// Assets it defends: it engages only threats aimed at them. Without it, every asset.
    #[serde(default)]
    pub defends: Option<Vec<String>>,
    /// Threats its fire-control radar can track at once; without it, no limit.
    #[serde(default)]
    pub radar_tracks: Option<u32>,
    /// Standard deviation of its prediction of a threat's impact point, per axis, m.
    #[serde(default)]
    pub impact_prediction_m: Option<f64>,
    /// Probability that its radar tells a decoy from a warhead (default 0).
    #[serde(default)]
    pub discrimination: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatterySpec {
    pub id: String,
    pub name: String,
    pub side: String,
    /// Kind of system, for display: "patriot", "thaad", "iron-dome", "cap", ...
    pub system: String,
    /// Defaults to the host asset's position.
    #[serde(default)]
    pub position: Option<LatLon>,
    /// The asset the battery sits on: when that asset is out of action, so is the battery.
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub launchers: u32,
    /// Engagements the battery can start per tick.
    pub channels: u32,
    /// 1 engages first (upper tier); higher numbers get the leakers.
    pub tier: u32,
    pub magazine: Vec<MagazineSpec>,
    pub doctrine: Doctrine,
    /// Per-class envelope overriding the interceptor's.
    #[serde(default)]
    pub envelope: Option<Envelopes>,
    /// Assets it defends: it engages only threats aimed at them. Without it, every asset.
    #[serde(default)]
    pub defends: Option<Vec<String>>,
    /// Threats its fire-control radar can track at once; without it, no limit.
    #[serde(default)]
    pub radar_tracks: Option<u32>,
    /// Standard deviation of its prediction of a threat's impact point, per axis, m.
    #[serde(default)]
    pub impact_prediction_m: Option<f64>,
    /// Probability that its radar tells a decoy from a warhead (default 0).
    #[serde(default)]
    pub discrimination: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchSiteSpec {
    pub id: String,
    pub name: String,
    pub side: String,
    pub position: LatLon,
    pub launchers: u32,
    /// Time a launcher needs between two launches.
    pub reload_s: u32,
    /// Probability that a launch from this site goes off, given the weapon's own launch
    /// reliability (crews, readiness, dispersal); default 1.
    #[serde(default)]
    pub launch_reliability: Option<f64>,
    pub inventory: BTreeMap<String, u32>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilitiaSpec {
    pub id: String,
    pub name: String,
    pub side: String,
    pub position: LatLon,
    pub launchers: u32,
    /// As for launch sites: multiplies each weapon's launch reliability; default 1.
    #[serde(default)]
    pub launch_reliability: Option<f64>,
    pub inventory: BTreeMap<String, u32>,
    /// Launches per hour once active, until the inventory is spent.
    pub rate_per_hour: f64,
    pub targets: Vec<String>,
    /// Active from this time; without it the militia waits for an `activate` order.
    #[serde(default)]
    pub active: Option<Clock>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderSpec {
    pub id: String,
    #[serde(default)]
    pub at: Option<Clock>,
    #[serde(default)]
    pub after: Option<After>,
    #[serde(default)]
    pub salvo: Option<SalvoSpec>,
    #[serde(default)]
    pub strike: Option<StrikeSpec>,
    #[serde(default)]
    pub activate: Option<Vec<String>>,
    /// Switch a battery off (or back on) in every replicate.
    #[serde(default)]
    pub switch: Option<SwitchSpec>,
    /// Move a battery to a new position (it is planned there from this time on).
    #[serde(default)]
    pub relocate: Option<RelocateSpec>,
    /// Send a carrier (and its group) towards a point.
    #[serde(default)]
    pub divert: Option<DivertSpec>,
    /// Rounds delivered to a battery's reserve (an airlift, a convoy).
    #[serde(default)]
    pub resupply: Option<ResupplySpec>,
    /// A ship leaves station to rearm in port and comes back.
    #[serde(default)]
    pub rearm: Option<RearmSpec>,
    /// Repeat the order this long after each time it falls due (with `times`).
    #[serde(default)]
    pub every: Option<Clock>,
    /// How many times the order falls due in all, the first included (with `every`).
    #[serde(default)]
    pub times: Option<u32>,
    /// Added by a facilitator during an exercise: planned after everything else, so
    /// that the threats already in the scenario keep their identity (and random streams).
    #[serde(default)]
    pub inject: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchSpec {
    pub battery: String,
    pub online: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelocateSpec {
    pub battery: String,
    pub to: LatLon,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DivertSpec {
    pub carrier: String,
    pub to: LatLon,
    pub speed_kn: f64,
}

/// Rounds of one interceptor delivered to a battery's reserve.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResupplySpec {
    pub battery: String,
    pub interceptor: String,
    pub rounds: u32,
}

/// A ship's trip to a port to refill its magazines: out at `speed_kn`, `in_port` there,
/// and back to its station; its batteries are silent while it is away.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RearmSpec {
    pub ship: String,
    pub port: LatLon,
    pub speed_kn: f64,
    pub in_port: Clock,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct After {
    pub trigger: String,
    #[serde(default)]
    pub delay: Clock,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalvoSpec {
    pub from: String,
    pub weapon: String,
    pub count: u32,
    pub targets: Vec<String>,
    /// Launches are spread over this interval.
    #[serde(default)]
    pub over: Clock,
    /// How: evenly, or at times drawn per replicate.
    #[serde(default)]
    pub timing: Timing,
}

/// How a salvo's launches are spread over its `over`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Timing {
    /// Evenly, the same in every replicate, never faster than the launchers reload.
    #[default]
    Even,
    /// Each launch at a time drawn uniformly over `over`, per replicate.
    Random,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrikeSpec {
    /// Launch sites and militias struck.
    pub sites: Vec<String>,
    /// Probability that each surviving launcher at a struck site is destroyed.
    pub fraction: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerSpec {
    pub id: String,
    pub when: Condition,
    #[serde(default)]
    pub note: Option<String>,
}

/// A per-replicate condition on outcomes. Name exactly one of `asset` or `side`,
/// and exactly one of `hits_at_least`, `damage_at_least` or `out_of_action = true`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default)]
    pub asset: Option<String>,
    #[serde(default)]
    pub side: Option<String>,
    #[serde(default)]
    pub hits_at_least: Option<u32>,
    #[serde(default)]
    pub damage_at_least: Option<u32>,
    #[serde(default)]
    pub out_of_action: bool,
}

/// A narrative event for the exercise log (the master scenario events list): it changes
/// nothing in the model.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentSpec {
    pub at: Clock,
    pub text: String,
    #[serde(default)]
    pub position: Option<LatLon>,
}

/// A publicly reported outcome of the event a calibration scenario reproduces: the
/// range `[lo, hi]` of a figure of `replicates.csv`, and where it was reported.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedSpec {
    /// A figure name of `replicates.csv`, e.g. `leaked_ballistic` or `hits_nevatim`.
    pub figure: String,
    /// The reported value as `[lo, hi]`; a single reported number is `[n, n]`.
    pub range: [f64; 2],
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}
