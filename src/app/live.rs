//! What the window shows of the live run: the units of a scenario (fixed per session),
//! snapshots of replicate 0 taken on the worker thread, and the exercise log built from
//! the engine's recorded events and its log.
//!
//! A *session* is one planned scenario: a new inject or a loaded exercise starts a new
//! one (a new epoch), replayed from the start to the current tick.

use std::sync::Arc;

use super::fog::{Fate, SEEN_BLUE, SEEN_RED, Threat};
use super::logbook;
pub use super::logbook::{LineKind, LogLine, describe_inject, inject_line};
use crate::engine::layout::*;
use crate::engine::plan::{GroupKind, Plan};
use crate::exercise::{Exercise, Given};
use crate::geo::LatLon;
use crate::scenario::types::Clock;
use crate::scenario::{Action, AssetKind, Origin, Placement, Scenario, ThreatClass};
use crate::world::{BatteryIndex, LogKind, Online, Simulation};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitKind {
    Base,
    City,
    Site,
    Ship,
    Carrier,
    /// A carrier's escort: a ship and an Aegis battery.
    Escort,
    Battery,
    /// A carrier's combat air patrol.
    AirWing,
    LaunchSite,
    Militia,
}

impl UnitKind {
    pub fn describe(self) -> &'static str {
        match self {
            UnitKind::Base => "base",
            UnitKind::City => "city",
            UnitKind::Site => "site",
            UnitKind::Ship => "ship",
            UnitKind::Carrier => "carrier",
            UnitKind::Escort => "escort (Aegis)",
            UnitKind::Battery => "battery",
            UnitKind::AirWing => "air wing (CAP)",
            UnitKind::LaunchSite => "launch site",
            UnitKind::Militia => "militia",
        }
    }
}

/// A unit on the map: what it is, and where its state lives.
#[derive(Clone, Debug)]
pub struct UnitInfo {
    pub kind: UnitKind,
    pub id: String,
    pub name: String,
    pub side: usize,
    pub asset: Option<usize>,
    pub battery: Option<usize>,
    pub site: Option<usize>,
    pub carrier: Option<usize>,
    /// Widest engagement range of the battery, km (its range ring).
    pub ring_km: Option<f64>,
}

impl UnitInfo {
    /// Where the unit stands `seconds` after the start.
    pub fn position(&self, sc: &Scenario, seconds: f64) -> LatLon {
        if let Some(b) = self.battery {
            return sc.battery_position(b, seconds);
        }
        if let Some(a) = self.asset {
            return sc.asset_position(a, seconds);
        }
        if let Some(s) = self.site {
            return sc.sites[s].position;
        }
        LatLon::new(0.0, 0.0)
    }

    pub fn tier(&self, sc: &Scenario) -> Option<u32> {
        self.battery.map(|b| sc.batteries[b].tier)
    }
}

/// The units of a scenario, in display order: assets (carriers and escorts merged with
/// their batteries), batteries, launch sites, militias.
pub fn units(sc: &Scenario) -> Vec<UnitInfo> {
    let mut out = Vec::new();
    let carrier_of = |a: usize| sc.carriers.iter().position(|c| c.asset == a);
    let battery_named = |id: &str| sc.batteries.iter().position(|b| b.id == id);
    for (ai, a) in sc.assets.iter().enumerate() {
        let carrier = carrier_of(ai);
        let battery = battery_named(&a.id);
        let kind = if carrier.is_some() {
            UnitKind::Carrier
        } else if battery.is_some() {
            UnitKind::Escort
        } else {
            match a.kind {
                AssetKind::Base => UnitKind::Base,
                AssetKind::City => UnitKind::City,
                AssetKind::Site => UnitKind::Site,
                AssetKind::Ship => UnitKind::Ship,
            }
        };
        out.push(UnitInfo {
            kind,
            id: a.id.clone(),
            name: a.name.clone(),
            side: a.side,
            asset: Some(ai),
            battery,
            site: None,
            carrier,
            ring_km: battery.map(|b| ring_km(sc, b)),
        });
    }
    for (bi, b) in sc.batteries.iter().enumerate() {
        if sc.assets.iter().any(|a| a.id == b.id) {
            continue; // an escort, shown with its ship
        }
        let mounted = matches!(b.placement, Placement::Mounted { .. });
        out.push(UnitInfo {
            kind: if mounted {
                UnitKind::AirWing
            } else {
                UnitKind::Battery
            },
            id: b.id.clone(),
            name: b.name.clone(),
            side: b.side,
            asset: None,
            battery: Some(bi),
            site: None,
            carrier: match b.placement {
                Placement::Mounted { carrier, .. } => Some(carrier),
                Placement::Fixed(_) => None,
            },
            ring_km: Some(ring_km(sc, bi)),
        });
    }
    for (si, s) in sc.sites.iter().enumerate() {
        out.push(UnitInfo {
            kind: if s.militia.is_some() {
                UnitKind::Militia
            } else {
                UnitKind::LaunchSite
            },
            id: s.id.clone(),
            name: s.name.clone(),
            side: s.side,
            asset: None,
            battery: None,
            site: Some(si),
            carrier: None,
            ring_km: None,
        });
    }
    out
}

/// The widest horizontal range at which a battery can engage anything.
pub fn ring_km(sc: &Scenario, battery: usize) -> f64 {
    let b = &sc.batteries[battery];
    let mut r: f64 = 0.0;
    for m in &b.magazines {
        let ic = &sc.interceptors[m.interceptor];
        for c in ThreatClass::ALL {
            if let Some(e) = b.envelope(ic, c) {
                r = r.max(e.range_km[1]);
            }
        }
    }
    r
}

/// One planned scenario of the exercise, shared with the window.
pub struct Session {
    pub epoch: u64,
    pub scenario: Arc<Scenario>,
    pub plan: Arc<Plan>,
    pub units: Vec<UnitInfo>,
    pub seed: u32,
    pub injects: Vec<Given>,
    /// Where the scenario came from, for the title and the saved exercise.
    pub source: String,
    /// Per site, per weapon of its inventory: rounds the salvo orders ask for.
    pub ordered: Vec<Vec<u32>>,
}

impl Session {
    /// The session of a planned exercise.
    pub fn planned(
        scenario: Arc<Scenario>,
        plan: Arc<Plan>,
        exercise: &Exercise,
        epoch: u64,
    ) -> Session {
        let source = match &exercise.origin {
            Origin::Disk(p) => p.display().to_string(),
            Origin::Embedded(n) => format!("{n} (built in)"),
        };
        Session {
            epoch,
            units: units(&scenario),
            ordered: ordered(&scenario),
            seed: exercise.seed,
            injects: exercise.injects.clone(),
            source,
            scenario,
            plan,
        }
    }
}

/// Money spent and lost so far, per side (USD).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Costs {
    pub offence: Vec<f64>,
    pub defence: Vec<f64>,
    pub losses: Vec<f64>,
}

/// One weapon of a launch site's inventory: what it held, what it has fired, and what
/// the scenario's salvo orders (and the injects) have asked of it so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stock {
    pub weapon: usize,
    pub held: u32,
    /// Rounds launched or failed at launch.
    pub fired: u32,
    /// Rounds of every salvo order from the site with this weapon, fired or not.
    pub ordered: u32,
}

impl Stock {
    /// Rounds not fired yet.
    pub fn left(&self) -> u32 {
        self.held.saturating_sub(self.fired)
    }

    /// Rounds no order has claimed yet: what a new salvo may ask for.
    pub fn free(&self) -> u32 {
        self.held.saturating_sub(self.ordered)
    }

    /// Rounds ordered but not fired yet (later in a salvo, a later order, a trigger's).
    pub fn on_order(&self) -> u32 {
        self.ordered.saturating_sub(self.fired)
    }
}

/// Interceptors fired in one engagement: when, from which magazine slot, how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shot {
    pub tick: u32,
    pub slot: u32,
    pub rounds: u32,
}

/// Replicate 0 at one tick, as the window draws it.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub epoch: u64,
    pub tick: u32,
    pub playing: bool,
    pub speed: f64,
    pub finished: bool,
    /// Per track: launch tick, detected, fate.
    pub threats: Vec<Threat>,
    pub magazines: Vec<MagazineState>,
    pub assets: Vec<AssetState>,
    /// Per asset: leakers that reached it.
    pub leakers: Vec<u32>,
    /// Per battery: switched on.
    pub online: Vec<bool>,
    /// Per site: launchers still standing, rounds launched (attempts).
    pub launchers_alive: Vec<u32>,
    pub launched: Vec<u32>,
    /// Per site, per weapon of its inventory (in inventory order).
    pub stocks: Vec<Vec<Stock>>,
    /// Per class: launched, intercepted, leaked.
    pub totals: [[u32; 3]; 4],
    pub costs: Costs,
    /// Log lines since the previous snapshot of the session (all of them after a reset).
    pub lines: Vec<LogLine>,
    /// Interceptors fired since the previous snapshot of the session.
    pub shots: Vec<Shot>,
}

impl Snapshot {
    /// Threats in flight: (track, launch tick).
    pub fn flying(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.threats
            .iter()
            .enumerate()
            .filter(|(_, t)| t.fate == Fate::Flying)
            .map(|(k, t)| (k as u32, t.launch))
    }
}

pub fn clock(tick: u32, tick_seconds: u32) -> String {
    Clock(tick.saturating_mul(tick_seconds)).to_string()
}

/// Rounds of each (site, weapon) the scenario's salvo orders ask for, injects included.
pub fn ordered(sc: &Scenario) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = sc
        .sites
        .iter()
        .map(|s| vec![0; s.inventory.len()])
        .collect();
    for o in &sc.orders {
        if let Action::Salvo {
            site,
            weapon,
            count,
            ..
        } = o.action
            && let Some(j) = sc.sites[site]
                .inventory
                .iter()
                .position(|&(w, _)| w == weapon)
        {
            out[site][j] += count;
        }
    }
    out
}

/// Reads snapshots and log lines out of a live simulation, remembering what it has sent.
pub struct Reader {
    events_sent: usize,
    last_tick: Option<u32>,
    /// Per track: a leaker that hit (from the recorded events).
    hit: Vec<bool>,
}

impl Default for Reader {
    fn default() -> Self {
        Reader::new()
    }
}

impl Reader {
    pub fn new() -> Reader {
        Reader {
            events_sent: 0,
            last_tick: None,
            hit: Vec::new(),
        }
    }

    pub fn snapshot(&mut self, session: &Session, sim: &mut Simulation) -> Snapshot {
        let sc = &session.scenario;
        let plan = &session.plan;
        let tick = sim.clock().tick;
        let (lines, shots) = self.lines(session, sim, tick);
        let mut online = vec![true; sc.batteries.len()];
        if let Some(mut q) = sim.world.try_query::<(&BatteryIndex, &Online)>() {
            for (b, o) in q.iter(&sim.world) {
                online[b.0] = o.0;
            }
        }
        let lane = sim
            .backend
            .lane(0)
            .expect("the live run is on the CPU backend");
        let mut leakers = vec![0; sc.assets.len()];
        let mut launched = vec![0; sc.sites.len()];
        let mut stocks: Vec<Vec<Stock>> = sc
            .sites
            .iter()
            .zip(&session.ordered)
            .map(|(s, o)| {
                s.inventory
                    .iter()
                    .zip(o)
                    .map(|(&(weapon, held), &ordered)| Stock {
                        weapon,
                        held,
                        fired: 0,
                        ordered,
                    })
                    .collect()
            })
            .collect();
        let mut totals = [[0u32; 3]; 4];
        let mut costs = Costs {
            offence: vec![0.0; sc.sides.len()],
            defence: vec![0.0; sc.sides.len()],
            losses: vec![0.0; sc.sides.len()],
        };
        let mut threats = Vec::with_capacity(lane.threats.len());
        for (k, th) in lane.threats.iter().enumerate() {
            let info = &plan.track_info[k];
            let w = &sc.weapons[info.weapon];
            let st = th.status & STATUS_MASK;
            let c = w.class.index();
            if st != PENDING && st != ABORTED {
                launched[info.site] += 1;
                totals[c][0] += 1;
                costs.offence[sc.sites[info.site].side] += w.cost_usd;
                if let Some(s) = stocks[info.site]
                    .iter_mut()
                    .find(|s| s.weapon == info.weapon)
                {
                    s.fired += 1;
                }
            }
            let fate = match st {
                FLYING => Fate::Flying,
                KILLED => {
                    totals[c][1] += 1;
                    Fate::Killed
                }
                LEAKED => {
                    totals[c][2] += 1;
                    leakers[info.target] += 1;
                    Fate::Leaked {
                        hit: self.hit.get(k).copied().unwrap_or(false),
                    }
                }
                FAILED_LAUNCH => Fate::Failed,
                FAILED_FLIGHT => Fate::Lost,
                _ => Fate::Pending,
            };
            threats.push(Threat {
                launch: if matches!(fate, Fate::Pending | Fate::Failed) {
                    NEVER
                } else {
                    th.launch
                },
                detected: th.status & DETECTED != 0,
                fate,
            });
        }
        let slot_base = plan.slot_counter_base() as usize;
        for (s, slot) in plan.slots.iter().enumerate() {
            let fired = lane.counters[slot_base + s * SLOT_COUNTERS as usize + C_FIRED as usize];
            let side = sc.batteries[slot.battery as usize].side;
            costs.defence[side] +=
                fired as f64 * sc.interceptors[slot.interceptor as usize].cost_usd;
        }
        for (a, spec) in sc.assets.iter().enumerate() {
            let frac = (lane.assets[a].damage as f64 / spec.staying_power as f64).min(1.0);
            costs.losses[spec.side] += spec.value_usd * frac;
        }
        let launchers_alive = sc
            .sites
            .iter()
            .map(|s| {
                (s.first_launcher..s.first_launcher + s.launchers)
                    .filter(|&l| lane.launchers[(l / 32) as usize] & (1 << (l % 32)) != 0)
                    .count() as u32
            })
            .collect();
        Snapshot {
            epoch: session.epoch,
            tick,
            playing: false,
            speed: 1.0,
            finished: sim.next_tick().is_none(),
            threats,
            magazines: lane.magazines.clone(),
            assets: lane.assets.clone(),
            leakers,
            online,
            launchers_alive,
            launched,
            stocks,
            totals,
            costs,
            lines,
            shots,
        }
    }

    /// Log lines for the ticks run since the last call (recorded events, the world's log,
    /// incidents and injects, in the order they happened), and the interceptors fired.
    fn lines(
        &mut self,
        session: &Session,
        sim: &mut Simulation,
        tick: u32,
    ) -> (Vec<LogLine>, Vec<Shot>) {
        let sc = session.scenario.clone();
        let plan = session.plan.clone();
        let after = self.last_tick;
        let new = |t: u32| after.is_none_or(|a| t > a) && t <= tick;
        let mut out = Vec::new();
        let mut shots = Vec::new();
        let launches: Vec<u32> = sim
            .backend
            .lane(0)
            .map(|l| l.threats.iter().map(|t| t.launch).collect())
            .unwrap_or_default();
        self.hit.resize(launches.len(), false);
        let events = sim.events();
        for (r, e) in &events[self.events_sent.min(events.len())..] {
            if *r != 0 {
                continue;
            }
            match e.kind {
                E_ENGAGED => shots.push(Shot {
                    tick: e.tick,
                    slot: e.arg & 0xffff,
                    rounds: e.arg >> 16,
                }),
                E_LEAKED if e.arg & LEAK_HIT != 0 => {
                    if let Some(h) = self.hit.get_mut(e.track as usize) {
                        *h = true;
                    }
                }
                _ => {}
            }
            if let Some(line) = logbook::event_line(&sc, &plan, &launches, e) {
                out.push(line);
            }
        }
        self.events_sent = events.len();
        for entry in sim.log() {
            if entry.replicate.is_some_and(|r| r != 0) || !new(entry.tick) {
                continue;
            }
            if entry.kind == LogKind::Incident {
                continue; // below, with their positions
            }
            out.push(logbook::log_line(&sc, entry.tick, entry.kind, &entry.text));
        }
        for inc in sc.incidents.iter().filter(|i| new(i.tick)) {
            out.push(LogLine {
                tick: inc.tick,
                kind: LineKind::Incident,
                sides: Vec::new(),
                text: inc.text.clone(),
                at: inc.position,
                hit: false,
                seen: SEEN_BLUE | SEEN_RED,
            });
        }
        for (i, g) in session.injects.iter().enumerate() {
            if new(g.tick) {
                out.push(logbook::inject_line(&sc, i, g));
            }
        }
        logbook::sort(&mut out);
        self.last_tick = Some(tick);
        (out, shots)
    }
}

/// Militias that wait for an `activate` order and have none yet.
pub fn inactive_militias(sc: &Scenario, plan: &Plan) -> Vec<usize> {
    sc.sites
        .iter()
        .enumerate()
        .filter(|(si, s)| {
            s.militia.as_ref().is_some_and(|m| m.active.is_none())
                && plan
                    .groups
                    .iter()
                    .find(|g| g.kind == GroupKind::Militia(*si))
                    .is_none_or(|g| g.fixed_start.is_none())
        })
        .map(|(si, _)| si)
        .collect()
}
