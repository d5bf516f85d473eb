//! The validated scenario: every reference resolved to an index, every figure in SI-ish
//! units the model uses (km, seconds, USD), every time in ticks.

use crate::geo::LatLon;
use crate::scenario::source::Place;
pub use crate::scenario::types::{AssetKind, BatteryChoice, ThreatClass, Timing};

pub const NONE: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub start: Option<String>,
    /// Name of the scenario file, for reports.
    pub file: String,
    pub tick_seconds: u32,
    /// Simulated ticks: `duration / tick_seconds`.
    pub ticks: u32,
    /// The rule that picks the engaging battery within a tier.
    pub battery_choice: BatteryChoice,
    pub sides: Vec<Side>,
    pub weapons: Vec<Weapon>,
    pub interceptors: Vec<Interceptor>,
    pub assets: Vec<Asset>,
    pub carriers: Vec<Carrier>,
    pub batteries: Vec<Battery>,
    pub sites: Vec<Site>,
    pub orders: Vec<Order>,
    pub triggers: Vec<Trigger>,
    /// Decisions under uncertainty, in canonical order (by id); a `given` names an
    /// earlier one.
    pub decisions: Vec<Decision>,
    pub incidents: Vec<Incident>,
    /// Publicly reported outcomes (calibration scenarios), in file order.
    pub reported: Vec<Reported>,
    /// The figures written as distributions, by path (canonical order). The fields above
    /// hold each one's point value.
    pub parameters: Vec<super::uncertain::Parameter>,
}

#[derive(Clone, Debug)]
pub struct Side {
    pub id: String,
    pub name: String,
    /// `hostile[j]`: this side fights side `j`.
    pub hostile: Vec<bool>,
    /// Per threat class: probability a threat aimed at this side is detected in time.
    pub detection: [f64; 4],
}

/// A missile, drone or rocket type.
#[derive(Clone, Debug)]
pub struct Weapon {
    pub id: String,
    pub name: String,
    pub class: ThreatClass,
    pub range_km: f64,
    /// Ballistic and rocket: time of flight and apogee at maximum range.
    pub flight_time_s: f64,
    pub apogee_km: f64,
    /// Cruise and drone.
    pub speed_kmh: f64,
    pub altitude_km: f64,
    pub cost_usd: f64,
    pub launch_reliability: f64,
    pub flight_reliability: f64,
    /// Circular error probable of the impact point, m (0: it lands on its aim point).
    pub cep_m: f64,
    /// Objects that separate with the warhead at apogee and may be taken for it.
    pub decoys: u32,
    /// Kill-probability factor per battery tier 1, 2, 3, 4 and above (1: no manoeuvre).
    pub manoeuvre: [f64; 4],
    /// Submunitions: how many, and the standard deviation of their pattern, m.
    pub submunitions: Option<(u32, f64)>,
    /// Terminal guidance: how it finds a ship that moved (`Guidance::FOLLOWS` when the
    /// database does not say).
    pub guidance: Guidance,
}

/// A weapon's terminal guidance, checked: see `types::GuidanceSpec`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guidance {
    pub kind: Option<crate::scenario::types::GuidanceKind>,
    /// Age of the target's position at launch, s.
    pub targeting_age_s: f64,
    /// How far from where it flies a seeker (or an operator) finds the target, km; 0 for
    /// fixed coordinates, infinite for a weapon that states no guidance.
    pub acquisition_km: f64,
}

impl Guidance {
    /// A weapon that states no guidance follows its target wherever it goes.
    pub const FOLLOWS: Guidance = Guidance {
        kind: None,
        targeting_age_s: 0.0,
        acquisition_km: f64::INFINITY,
    };

    /// Whether a radar soft kill (jamming, decoys) can seduce it.
    pub fn radar_homing(&self) -> bool {
        self.kind == Some(crate::scenario::types::GuidanceKind::RadarSeeker)
    }
}

impl Weapon {
    /// The kill-probability factor against a battery of this tier (1 upper).
    pub fn manoeuvre_factor(&self, tier: u32) -> f64 {
        self.manoeuvre[(tier.max(1) as usize - 1).min(3)]
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Envelope {
    pub range_km: [f64; 2],
    pub alt_km: [f64; 2],
}

#[derive(Clone, Debug)]
pub struct Interceptor {
    pub id: String,
    pub name: String,
    pub cost_usd: f64,
    pub pk: [f64; 4],
    pub envelope: [Option<Envelope>; 4],
    /// Mean speed over the fly-out, km/s.
    pub mean_speed_kms: f64,
    /// Probability that a round works (launch, guidance, fuze), apart from its Pk.
    pub reliability: f64,
    /// Soft kill: it engages only radar-homing weapons (`Guidance::radar_homing`).
    pub soft_kill: bool,
    /// Rounds a vertical-launch cell holds, if it is launched from one.
    pub per_cell: Option<u32>,
}

impl Interceptor {
    /// Whether it can act on weapon `w` at all (soft kill only on a radar seeker).
    pub fn acts_on(&self, w: &Weapon) -> bool {
        !self.soft_kill || w.guidance.radar_homing()
    }
}

#[derive(Clone, Debug)]
pub struct Asset {
    pub id: String,
    pub name: String,
    pub side: usize,
    pub kind: AssetKind,
    pub placement: Placement,
    pub value_usd: f64,
    pub staying_power: u32,
    pub hardness: f64,
    pub footprint: Footprint,
    /// A ship's trips to port (`rearm` orders), in time order; they never overlap.
    pub trips: Vec<Trip>,
    /// A ship held off station in reserve until it relieves another (a `rearm` order's
    /// `relief`): its batteries are silent and nothing can hit it until then.
    pub reserve: bool,
    /// A ship that turns away at this speed, on a course the shooter cannot know, when
    /// threatened (km/h; 0: it keeps to its station or route).
    pub manoeuvre_kmh: f64,
}

/// A ship's trip to a port to refill its magazines, in ticks: it leaves its station at
/// `leave`, is in port from `arrive` to `depart` (its magazines full from `depart`), and
/// is back on station at `back`. Its batteries are silent from `leave` to `back`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trip {
    pub leave: u32,
    pub arrive: u32,
    pub depart: u32,
    pub back: u32,
    /// Where it left its station.
    pub from: LatLon,
    pub port: LatLon,
}

/// A ship's trip to `port` leaving its station at tick `leave`: out at `speed_kn`,
/// `in_port` ticks there, and back to where its station is by then (an escort's station
/// moves with its carrier: two fixed-point steps, as for an aim point).
pub fn trip(
    carriers: &[Carrier],
    placement: Placement,
    (leave, port): (u32, LatLon),
    speed_kn: f64,
    in_port: u32,
    tick_s: u32,
) -> Trip {
    let station = |seconds: f64| match placement {
        Placement::Fixed(p) => p,
        Placement::Mounted { carrier, offset_km } => carriers[carrier]
            .route
            .position_at(seconds)
            .offset(offset_km[0], offset_km[1]),
    };
    let tick_s = tick_s as f64;
    let ticks = |seconds: f64| (seconds / tick_s).ceil().min(u32::MAX as f64) as u32;
    let speed_kmh = speed_kn.max(1e-3) * 1.852;
    let from = station(leave as f64 * tick_s);
    let arrive = leave.saturating_add(ticks(from.distance_km(port) / speed_kmh * 3600.0));
    let depart = arrive.saturating_add(in_port);
    let depart_s = depart as f64 * tick_s;
    let mut back_s = depart_s + from.distance_km(port) / speed_kmh * 3600.0;
    for _ in 0..2 {
        let home = station(back_s);
        back_s = depart_s + port.distance_km(home) / speed_kmh * 3600.0;
    }
    let back = depart
        .saturating_add(ticks(back_s - depart_s))
        .max(depart.saturating_add(1));
    Trip {
        leave,
        arrive,
        depart,
        back,
        from,
        port,
    }
}

/// Where an asset can be hit, around its position (for a ship, around where it is).
#[derive(Clone, Debug, PartialEq)]
pub enum Footprint {
    Circle {
        radius_km: f64,
    },
    /// Vertices as km east and km north of the asset's position.
    Polygon(Vec<[f64; 2]>),
}

impl Footprint {
    /// The footprint of an asset that gives none, by kind (`docs/scenario.md`).
    pub fn default_for(kind: AssetKind) -> Footprint {
        let radius_km = match kind {
            AssetKind::Base => 2.0,
            AssetKind::City => 5.0,
            AssetKind::Site => 0.5,
            AssetKind::Ship => 0.15,
        };
        Footprint::Circle { radius_km }
    }
}

/// Where a unit is: fixed, or riding with a carrier at an offset (km north, km east).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Placement {
    Fixed(LatLon),
    Mounted { carrier: usize, offset_km: [f64; 2] },
}

#[derive(Clone, Debug)]
pub struct Carrier {
    pub id: String,
    pub name: String,
    pub side: usize,
    /// The carrier's own entry in `assets`.
    pub asset: usize,
    pub route: crate::geo::Route,
}

#[derive(Clone, Debug)]
pub struct Magazine {
    pub interceptor: usize,
    pub ready: u32,
    pub reserve: u32,
    pub per_reload: u32,
    /// 0 when the battery cannot reload.
    pub reload_ticks: u32,
}

#[derive(Clone, Debug)]
pub struct Battery {
    pub id: String,
    pub name: String,
    pub side: usize,
    pub system: String,
    pub placement: Placement,
    pub host: Option<usize>,
    pub launchers: u32,
    pub channels: u32,
    pub tier: u32,
    pub magazines: Vec<Magazine>,
    /// Shots per engagement, per threat class (empty: the class is not engaged).
    pub doctrine: [Vec<u32>; 4],
    /// Per-class envelope overrides.
    pub envelope: [Option<Envelope>; 4],
    /// Relocations: from each tick on, the battery stands at the new position.
    pub moves: Vec<(u32, LatLon)>,
    /// The assets it defends (`None`: every asset, area defence).
    pub defends: Option<Vec<usize>>,
    /// Threats its fire-control radar tracks at once (`None`: no limit).
    pub radar_tracks: Option<u32>,
    /// Standard deviation of its predicted impact point, per axis, m.
    pub impact_prediction_m: f64,
    /// Probability that it tells a decoy from a warhead.
    pub discrimination: f64,
    /// Its own sensor's probability of detecting and classifying a threat of each class
    /// in its envelope (0: it relies on its side's picture).
    pub sensor: [f64; 4],
}

impl Battery {
    /// The envelope a magazine of this battery has against a class, if any.
    pub fn envelope(&self, interceptor: &Interceptor, class: ThreatClass) -> Option<Envelope> {
        let c = class.index();
        if self.doctrine[c].is_empty() || interceptor.pk[c] <= 0.0 {
            return None;
        }
        self.envelope[c].or(interceptor.envelope[c])
    }

    /// It engages threats aimed at this asset (its `defends` list, or any asset).
    pub fn defends(&self, asset: usize) -> bool {
        self.defends.as_ref().is_none_or(|d| d.contains(&asset))
    }

    /// It is this asset's own defence: hosted by it, or naming it in `defends` (the first
    /// key of the `defended-first` and `most-rounds` rules).
    pub fn dedicated_to(&self, asset: usize) -> bool {
        self.host == Some(asset) || self.defends.as_ref().is_some_and(|d| d.contains(&asset))
    }
}

/// A launch site or a militia: launchers and an inventory.
#[derive(Clone, Debug)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub side: usize,
    pub position: LatLon,
    pub launchers: u32,
    /// Index of this site's first launcher among all launchers of the scenario.
    pub first_launcher: u32,
    pub reload_ticks: u32,
    /// Multiplies each weapon's launch reliability (crews, readiness, dispersal).
    pub launch_reliability: f64,
    /// (weapon, rounds), sorted by weapon id.
    pub inventory: Vec<(usize, u32)>,
    pub militia: Option<Militia>,
    /// Where the site is written (`launch_sites[i]` or `militias[i]`), for messages about
    /// what it costs.
    pub at: Place,
}

#[derive(Clone, Debug)]
pub struct Militia {
    pub rate_per_hour: f64,
    pub targets: Vec<usize>,
    pub active: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum When {
    /// At a fixed tick in every replicate.
    At(u32),
    /// `delay` ticks after its gate opens, in the replicates where it opens: after a
    /// trigger fires, `delay` counts from that tick; after a decision's outcome, `delay`
    /// is the tick itself (the decision's time plus the written delay).
    After { on: Gate, delay: u32 },
}

/// What an `after` order waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// A trigger (its index).
    Trigger(usize),
    /// An outcome of a decision (their indices).
    Outcome { decision: usize, outcome: usize },
}

/// A decision drawn per replicate (`[[decisions]]`; `engine::decisions` draws it).
#[derive(Clone, Debug)]
pub struct Decision {
    pub id: String,
    /// The tick it is taken at.
    pub at: u32,
    /// Taken only where decision `.0` had outcome `.1`; elsewhere it is not taken.
    pub given: Option<(usize, usize)>,
    pub outcomes: Vec<Outcome>,
    /// Other probabilities where a condition holds when it is taken: the first case that
    /// holds gives them, `outcomes` otherwise.
    pub cases: Vec<Case>,
    /// Taken by hand (`[[decide]]`): this outcome wherever the decision is taken.
    pub forced: Option<usize>,
    pub note: Option<String>,
}

impl Decision {
    /// The decisions this one depends on: its `given`, and its cases' decisions.
    pub fn parents(&self) -> impl Iterator<Item = usize> + '_ {
        let cases = self.cases.iter().filter_map(|c| match c.when {
            Gate::Outcome { decision, .. } => Some(decision),
            Gate::Trigger(_) => None,
        });
        self.given.map(|g| g.0).into_iter().chain(cases)
    }
}

/// A case of a decision: its condition, and every outcome's probability under it (an
/// outcome the case does not name keeps the decision's own).
#[derive(Clone, Debug)]
pub struct Case {
    /// A trigger fired before the decision is taken, or another decision's outcome.
    pub when: Gate,
    pub outcomes: Vec<Outcome>,
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub id: String,
    /// Its probability's point value (for the outcome that takes the rest, the rest of the
    /// others' point values).
    pub p: f64,
    /// Its probability written as a distribution: the index in `Scenario::parameters`.
    pub parameter: Option<usize>,
    /// It takes what the others leave: 1 minus their sum.
    pub rest: bool,
}

#[derive(Clone, Debug)]
pub enum Action {
    Salvo {
        site: usize,
        weapon: usize,
        count: u32,
        targets: Vec<usize>,
        over_ticks: u32,
        timing: Timing,
    },
    Strike {
        sites: Vec<usize>,
        fraction: f64,
    },
    Activate {
        militias: Vec<usize>,
    },
    Switch {
        battery: usize,
        online: bool,
    },
    /// Planned ahead: the battery's `moves` and the carrier's route already hold these.
    Relocate {
        battery: usize,
        to: LatLon,
    },
    Divert {
        carrier: usize,
        to: LatLon,
        speed_kn: f64,
    },
    /// Rounds added to the reserve of a battery's magazine.
    Resupply {
        battery: usize,
        magazine: usize,
        rounds: u32,
    },
    /// A ship's trip to port: `assets[ship].trips[trip]`, planned ahead.
    Rearm {
        ship: usize,
        /// Its planned trip (`Asset::trips`) when the order has a fixed time; a triggered
        /// order's trip is planned in each replicate when it falls due ([`trip`]).
        trip: usize,
        port: LatLon,
        speed_kn: f64,
        /// Ticks in port.
        in_port: u32,
        /// A ship in reserve that takes the station, and the ticks after this one leaves.
        relief: Option<(usize, u32)>,
    },
}

#[derive(Clone, Debug)]
pub struct Order {
    pub id: String,
    pub when: When,
    pub action: Action,
    /// Added during an exercise (planned last; see `types::OrderSpec::inject`).
    pub inject: bool,
    pub note: Option<String>,
    /// Where the order is written (`orders[i]`), for messages about what it costs.
    pub at: Place,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Asset(usize),
    Side(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Hits(u32),
    Damage(u32),
    OutOfAction,
    /// At least this many of the side's launchers destroyed by strikes.
    LaunchersDestroyed(u32),
    /// A ship's loaded vertical-launch cells below `cells`, looked at in its magazine
    /// report every `every` ticks (from tick `every`).
    CellsBelow {
        cells: u32,
        every: u32,
    },
}

#[derive(Clone, Debug)]
pub struct Trigger {
    pub id: String,
    pub subject: Subject,
    pub measure: Measure,
    pub note: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Incident {
    pub tick: u32,
    pub text: String,
    pub position: Option<LatLon>,
}

/// A publicly reported outcome: the figure it concerns, its range, and its source.
#[derive(Clone, Debug, PartialEq)]
pub struct Reported {
    pub figure: String,
    /// Where the figure's name is written (the report layer checks it).
    pub figure_at: Place,
    pub range: [f64; 2],
    pub source: String,
    pub note: Option<String>,
}

/// The built-in scenario's fixed path, the wide war (`hormuz run --decide` with each): what
/// the benchmarks time and the tests that need every salvo take.
pub const WIDE_WAR: [(&str, &str); 4] = [
    ("talks", "collapse"),
    ("strike", "limited"),
    ("retaliation", "wide"),
    ("proxies", "join"),
];

impl Scenario {
    /// Take decision `decision` by hand: outcome `outcome` wherever it is taken, as a
    /// `[[decide]]` table does (`hormuz run --decide`). The error names what is unknown
    /// and what is known.
    pub fn take_by_hand(&mut self, decision: &str, outcome: &str) -> Result<(), String> {
        let ids = |v: Vec<&str>| v.join(", ");
        let Some(d) = self.decisions.iter().position(|d| d.id == decision) else {
            let known: Vec<&str> = self.decisions.iter().map(|d| d.id.as_str()).collect();
            return Err(if known.is_empty() {
                format!("unknown decision {decision:?}: the scenario has no decisions")
            } else {
                format!("unknown decision {decision:?} (decisions: {})", ids(known))
            });
        };
        let dec = &mut self.decisions[d];
        let Some(o) = dec.outcomes.iter().position(|o| o.id == outcome) else {
            let known = dec.outcomes.iter().map(|o| o.id.as_str()).collect();
            return Err(format!(
                "decision {decision:?} has no outcome {outcome:?} (its outcomes: {})",
                ids(known)
            ));
        };
        if dec.forced.is_some_and(|f| f != o) {
            return Err(format!(
                "decision {decision:?} is already taken by hand in the scenario ({:?})",
                dec.outcomes[dec.forced.unwrap_or(0)].id
            ));
        }
        dec.forced = Some(o);
        Ok(())
    }

    /// Where an asset is `seconds` after the start: on its placement, or on a trip to port.
    pub fn asset_position(&self, asset: usize, seconds: f64) -> LatLon {
        let a = &self.assets[asset];
        let tick_s = self.tick_seconds as f64;
        for t in &a.trips {
            let at = |tick: u32| tick as f64 * tick_s;
            if seconds < at(t.leave) || seconds >= at(t.back) {
                continue;
            }
            let along = |from: LatLon, to: LatLon, t0: f64, t1: f64| {
                from.lerp(to, ((seconds - t0) / (t1 - t0).max(1e-9)).clamp(0.0, 1.0))
            };
            return if seconds < at(t.arrive) {
                along(t.from, t.port, at(t.leave), at(t.arrive))
            } else if seconds < at(t.depart) {
                t.port
            } else {
                let station = self.position_of(a.placement, at(t.back));
                along(t.port, station, at(t.depart), at(t.back))
            };
        }
        self.position_of(a.placement, seconds)
    }

    pub fn position_of(&self, placement: Placement, seconds: f64) -> LatLon {
        match placement {
            Placement::Fixed(p) => p,
            Placement::Mounted { carrier, offset_km } => self.carriers[carrier]
                .route
                .position_at(seconds)
                .offset(offset_km[0], offset_km[1]),
        }
    }

    /// Where a battery stands `seconds` after the start, relocations and its host's trips
    /// to port included.
    pub fn battery_position(&self, battery: usize, seconds: f64) -> LatLon {
        let b = &self.batteries[battery];
        if let Some(h) = b.host
            && !self.assets[h].trips.is_empty()
        {
            return self.asset_position(h, seconds);
        }
        let tick = seconds / self.tick_seconds as f64;
        match b.moves.iter().rev().find(|(t, _)| *t as f64 <= tick) {
            Some((_, p)) => *p,
            None => self.position_of(b.placement, seconds),
        }
    }

    /// A battery whose position changes during the scenario (ship-borne or relocated).
    pub fn battery_moves(&self, battery: usize) -> bool {
        let b = &self.batteries[battery];
        !b.moves.is_empty()
            || matches!(b.placement, Placement::Mounted { .. })
            || b.host.is_some_and(|h| !self.assets[h].trips.is_empty())
    }

    /// Launchers across all sites (at most `MAX_LAUNCHERS` once checked).
    pub fn total_launchers(&self) -> u64 {
        self.sites.iter().map(|s| s.launchers as u64).sum()
    }

    /// Number of defensive units (batteries, escorts, air wings).
    pub fn defensive_units(&self) -> usize {
        self.batteries.len()
    }
}
