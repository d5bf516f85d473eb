//! The scenario file's syntax: the header, sides and the units (assets, carriers,
//! batteries, launch sites, militias, templates).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::*;

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0;
        write!(f, "{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    }
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
    /// Decisions under uncertainty, drawn per replicate.
    #[serde(default)]
    pub decisions: Vec<DecisionSpec>,
    /// Decisions taken by hand: each takes the outcome given wherever it is taken.
    #[serde(default)]
    pub decide: Vec<DecideSpec>,
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
    /// A ship only: it turns away when threatened (a scenario option).
    #[serde(default)]
    pub manoeuvre: Option<ManoeuvreSpec>,
    #[serde(default)]
    pub source: Option<String>,
}

/// `manoeuvre = { speed_kn, source | assumed, note }`: a ship under threat steams at
/// `speed_kn` on a course the shooter cannot know (drawn per threat), so a weapon aimed at
/// where it was misses it by the distance run since its targeting data was taken.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManoeuvreSpec {
    pub speed_kn: f64,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
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
    /// Its own sensor: the probability, per threat class, that it detects and classifies
    /// a threat that comes into its envelope (besides its side's picture).
    #[serde(default)]
    pub sensor: Option<super::ClassProbabilities>,
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
    /// Its own sensor: the probability, per threat class, that it detects and classifies
    /// a threat that comes into its envelope (besides its side's picture).
    #[serde(default)]
    pub sensor: Option<super::ClassProbabilities>,
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
    /// Its own sensor: the probability, per threat class, that it detects and classifies
    /// a threat that comes into its envelope (besides its side's picture).
    #[serde(default)]
    pub sensor: Option<super::ClassProbabilities>,
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
