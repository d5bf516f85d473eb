//! What the window shows of the live run: the units of a scenario (fixed per session),
//! snapshots of replicate 0 taken on the worker thread, and the exercise log built from
//! the engine's recorded events and its log.
//!
//! A *session* is one planned scenario: a new inject or a loaded exercise starts a new
//! one (a new epoch), replayed from the start to the current tick.

use std::sync::Arc;

use crate::engine::layout::*;
use crate::engine::plan::{GroupKind, Plan};
use crate::exercise::{Given, Inject};
use crate::geo::LatLon;
use crate::scenario::types::Clock;
use crate::scenario::{Action, AssetKind, Placement, Scenario, Subject, ThreatClass};
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
            return sc.position_of(sc.assets[a].placement, seconds);
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Launch,
    Intercept,
    Leaker,
    Trigger,
    Order,
    Strike,
    Incident,
    Inject,
}

impl LineKind {
    pub const ALL: [LineKind; 8] = [
        LineKind::Launch,
        LineKind::Intercept,
        LineKind::Leaker,
        LineKind::Trigger,
        LineKind::Order,
        LineKind::Strike,
        LineKind::Incident,
        LineKind::Inject,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LineKind::Launch => "launch",
            LineKind::Intercept => "intercept",
            LineKind::Leaker => "leaker",
            LineKind::Trigger => "trigger",
            LineKind::Order => "order",
            LineKind::Strike => "strike",
            LineKind::Incident => "incident",
            LineKind::Inject => "inject",
        }
    }
}

/// One line of the exercise log.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogLine {
    pub tick: u32,
    pub kind: LineKind,
    /// The sides concerned (acting side first), by index.
    pub sides: Vec<usize>,
    pub text: String,
    /// Where it happened, when it happened somewhere.
    pub at: Option<LatLon>,
    /// A leaker that hit its target.
    #[serde(default)]
    pub hit: bool,
}

/// Money spent and lost so far, per side (USD).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Costs {
    pub offence: Vec<f64>,
    pub defence: Vec<f64>,
    pub losses: Vec<f64>,
}

/// Replicate 0 at one tick, as the window draws it.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub epoch: u64,
    pub tick: u32,
    pub playing: bool,
    pub speed: f64,
    pub finished: bool,
    /// Threats in flight: (track, launch tick).
    pub flying: Vec<(u32, u32)>,
    pub magazines: Vec<MagazineState>,
    pub assets: Vec<AssetState>,
    /// Per asset: leakers that reached it.
    pub leakers: Vec<u32>,
    /// Per battery: switched on.
    pub online: Vec<bool>,
    /// Per site: launchers still standing, rounds launched (attempts).
    pub launchers_alive: Vec<u32>,
    pub launched: Vec<u32>,
    /// Per class: launched, intercepted, leaked.
    pub totals: [[u32; 3]; 4],
    pub costs: Costs,
    /// Log lines since the previous snapshot of the session (all of them after a reset).
    pub lines: Vec<LogLine>,
}

pub fn clock(tick: u32, tick_seconds: u32) -> String {
    Clock(tick.saturating_mul(tick_seconds)).to_string()
}

/// Reads snapshots and log lines out of a live simulation, remembering what it has sent.
pub struct Reader {
    events_sent: usize,
    last_tick: Option<u32>,
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
        }
    }

    pub fn snapshot(&mut self, session: &Session, sim: &mut Simulation) -> Snapshot {
        let sc = &session.scenario;
        let plan = &session.plan;
        let tick = sim.clock().tick;
        let lines = self.lines(session, sim, tick);
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
        let mut flying = Vec::new();
        let mut leakers = vec![0; sc.assets.len()];
        let mut launched = vec![0; sc.sites.len()];
        let mut totals = [[0u32; 3]; 4];
        let mut costs = Costs {
            offence: vec![0.0; sc.sides.len()],
            defence: vec![0.0; sc.sides.len()],
            losses: vec![0.0; sc.sides.len()],
        };
        for (k, th) in lane.threats.iter().enumerate() {
            let info = &plan.track_info[k];
            let w = &sc.weapons[info.weapon];
            let st = th.status & STATUS_MASK;
            let c = w.class.index();
            if st != PENDING && st != ABORTED {
                launched[info.site] += 1;
                totals[c][0] += 1;
                costs.offence[sc.sites[info.site].side] += w.cost_usd;
            }
            match st {
                FLYING => flying.push((k as u32, th.launch)),
                KILLED => totals[c][1] += 1,
                LEAKED => {
                    totals[c][2] += 1;
                    leakers[info.target] += 1;
                }
                _ => {}
            }
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
            flying,
            magazines: lane.magazines.clone(),
            assets: lane.assets.clone(),
            leakers,
            online,
            launchers_alive,
            launched,
            totals,
            costs,
            lines,
        }
    }

    /// Log lines for the ticks run since the last call: recorded events, the world's log,
    /// incidents and injects, in time order.
    fn lines(&mut self, session: &Session, sim: &mut Simulation, tick: u32) -> Vec<LogLine> {
        let sc = session.scenario.clone();
        let plan = session.plan.clone();
        let after = self.last_tick;
        let new = |t: u32| after.is_none_or(|a| t > a) && t <= tick;
        let mut out = Vec::new();
        let launches: Vec<u32> = sim
            .backend
            .lane(0)
            .map(|l| l.threats.iter().map(|t| t.launch).collect())
            .unwrap_or_default();
        let events = sim.events();
        for (r, e) in &events[self.events_sent.min(events.len())..] {
            if *r != 0 {
                continue;
            }
            if let Some(line) = event_line(&sc, &plan, &launches, e) {
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
            out.push(log_line(&sc, entry.tick, entry.kind, &entry.text));
        }
        for inc in sc.incidents.iter().filter(|i| new(i.tick)) {
            out.push(LogLine {
                tick: inc.tick,
                kind: LineKind::Incident,
                sides: Vec::new(),
                text: inc.text.clone(),
                at: inc.position,
                hit: false,
            });
        }
        for (i, g) in session.injects.iter().enumerate() {
            if new(g.tick) {
                out.push(inject_line(&sc, i, g));
            }
        }
        out.sort_by_key(|l| l.tick);
        self.last_tick = Some(tick);
        out
    }
}

fn event_line(sc: &Scenario, plan: &Plan, launches: &[u32], e: &Event) -> Option<LogLine> {
    let k = e.track as usize;
    let info = plan.track_info.get(k)?;
    let w = &sc.weapons[info.weapon];
    let site = &sc.sites[info.site];
    let target = &sc.assets[info.target];
    let launch = launches.get(k).copied().unwrap_or(NEVER);
    let here = || {
        let age = e.tick.saturating_sub(launch) as f64 * sc.tick_seconds as f64;
        info.position(w.class, age).0
    };
    let (kind, sides, text, at, hit) = match e.kind {
        E_LAUNCH => (
            LineKind::Launch,
            vec![site.side, target.side],
            format!(
                "{} #{k} launched from {} at {}{}",
                w.id,
                site.id,
                target.id,
                if e.arg == 0 { " (not detected)" } else { "" }
            ),
            Some(info.origin),
            false,
        ),
        E_KILLED => {
            let slot = plan.slot_info.get(e.arg as usize)?;
            let b = &sc.batteries[slot.battery];
            let ic = &sc.interceptors[b.magazines[slot.magazine].interceptor];
            let what = if plan.is_decoy(k) { "a decoy of " } else { "" };
            (
                LineKind::Intercept,
                vec![b.side, site.side],
                format!(
                    "{} of {} kills {what}{} #{k} from {}",
                    ic.id, b.id, w.id, site.id
                ),
                Some(here()),
                false,
            )
        }
        // A decoy that reaches the ground is debris: nothing to log.
        E_LEAKED if plan.is_decoy(k) => return None,
        E_LEAKED => {
            let hit = e.arg & LEAK_HIT != 0;
            let damage = e.arg & LEAK_DAMAGE != 0;
            let what = match (hit, damage) {
                (true, true) => "hit, damaging",
                (true, false) => "hit, no damage",
                _ => "missed",
            };
            (
                LineKind::Leaker,
                vec![site.side, target.side],
                format!(
                    "{} #{k} from {} leaks to {}: {what}",
                    w.id, site.id, target.id
                ),
                Some(info.aim),
                hit,
            )
        }
        _ => return None,
    };
    Some(LogLine {
        tick: e.tick,
        kind,
        sides,
        text,
        at,
        hit,
    })
}

/// A line of the world's log, with the sides and place of the order or trigger it names.
fn log_line(sc: &Scenario, tick: u32, kind: LogKind, text: &str) -> LogLine {
    let name = |prefix: &str| {
        text.strip_prefix(prefix)
            .and_then(|r| r.split([':', ' ']).next())
            .map(str::to_string)
    };
    let mut sides = Vec::new();
    let mut at = None;
    if let Some(id) = name("order ")
        && let Some(o) = sc.orders.iter().find(|o| o.id == id)
    {
        let seconds = tick as f64 * sc.tick_seconds as f64;
        match &o.action {
            Action::Salvo { site, targets, .. } => {
                sides.push(sc.sites[*site].side);
                if let Some(&t) = targets.first() {
                    sides.push(sc.assets[t].side);
                }
                at = Some(sc.sites[*site].position);
            }
            Action::Strike { sites: s, .. } | Action::Activate { militias: s } => {
                if let Some(&s0) = s.first() {
                    sides.push(sc.sites[s0].side);
                    at = Some(sc.sites[s0].position);
                }
            }
            Action::Switch { battery, .. } | Action::Relocate { battery, .. } => {
                sides.push(sc.batteries[*battery].side);
                at = Some(sc.battery_position(*battery, seconds));
            }
            Action::Divert { carrier, .. } => {
                sides.push(sc.carriers[*carrier].side);
                at = Some(sc.carriers[*carrier].route.position_at(seconds));
            }
        }
    } else if let Some(id) = name("trigger ")
        && let Some(t) = sc.triggers.iter().find(|t| t.id == id)
    {
        match t.subject {
            Subject::Asset(a) => {
                sides.push(sc.assets[a].side);
                at = Some(
                    sc.position_of(sc.assets[a].placement, tick as f64 * sc.tick_seconds as f64),
                );
            }
            Subject::Side(s) => sides.push(s),
        }
    } else if let Some(s) = sc.sites.iter().find(|s| text.starts_with(&s.id)) {
        sides.push(s.side);
        at = Some(s.position);
    }
    LogLine {
        tick,
        kind: match kind {
            LogKind::Order => LineKind::Order,
            LogKind::Strike => LineKind::Strike,
            LogKind::Trigger => LineKind::Trigger,
            LogKind::Incident => LineKind::Incident,
            LogKind::Inject => LineKind::Inject,
        },
        sides,
        text: text.to_string(),
        at,
        hit: false,
    }
}

/// The exercise log's line for an inject as given.
pub fn inject_line(sc: &Scenario, index: usize, g: &Given) -> LogLine {
    let seconds = g.tick as f64 * sc.tick_seconds as f64;
    let side_of_unit = |id: &str| {
        sc.sites
            .iter()
            .find(|s| s.id == id)
            .map(|s| (s.side, s.position))
            .or_else(|| {
                sc.batteries
                    .iter()
                    .position(|b| b.id == id)
                    .map(|b| (sc.batteries[b].side, sc.battery_position(b, seconds)))
            })
            .or_else(|| {
                sc.carriers
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| (c.side, c.route.position_at(seconds)))
            })
    };
    let (subject, what) = describe_inject(&g.inject);
    let found = side_of_unit(&subject);
    LogLine {
        tick: g.tick,
        kind: LineKind::Inject,
        sides: found.map(|f| vec![f.0]).unwrap_or_default(),
        text: format!("inject-{} given: {what}", index + 1),
        at: found.map(|f| f.1),
        hit: false,
    }
}

/// The unit an inject is about, and the inject in words.
pub fn describe_inject(inject: &Inject) -> (String, String) {
    match inject {
        Inject::Salvo {
            from,
            weapon,
            count,
            targets,
            over_s,
        } => (
            from.clone(),
            format!(
                "salvo of {count} {weapon} from {from} at {} over {}",
                targets.join(", "),
                Clock(*over_s)
            ),
        ),
        Inject::Strike { sites, fraction } => (
            sites.first().cloned().unwrap_or_default(),
            format!(
                "strike on {} ({:.0}% of launchers each)",
                sites.join(", "),
                fraction * 100.0
            ),
        ),
        Inject::Activate { militias } => (
            militias.first().cloned().unwrap_or_default(),
            format!("{} activated", militias.join(", ")),
        ),
        Inject::Switch { battery, online } => (
            battery.clone(),
            format!("{battery} switched {}", if *online { "on" } else { "off" }),
        ),
        Inject::Relocate { battery, to } => (
            battery.clone(),
            format!("{battery} relocated to {:.2}, {:.2}", to.lat, to.lon),
        ),
        Inject::Divert {
            carrier,
            to,
            speed_kn,
        } => (
            carrier.clone(),
            format!(
                "{carrier} diverted to {:.2}, {:.2} at {speed_kn} kn",
                to.lat, to.lon
            ),
        ),
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
