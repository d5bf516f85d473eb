//! The exercise log: its lines, built on the worker thread from the engine's recorded
//! events (launches, intercepts, leakers), the world's log (orders, strikes, triggers),
//! the scenario's incidents and the injects; each line says which teams saw it.

use super::fog::{SEEN_BLUE, SEEN_RED, Team};
use crate::engine::layout::*;
use crate::engine::plan::Plan;
use crate::exercise::{Given, Inject};
use crate::geo::LatLon;
use crate::scenario::types::Clock;
use crate::scenario::{Action, Scenario, Subject};
use crate::world::LogKind;

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
    /// Which teams saw it: `fog::SEEN_BLUE`, `fog::SEEN_RED` (the white cell sees all).
    #[serde(default)]
    pub seen: u8,
}

impl LineKind {
    /// Order within one tick, as things happen in the engine's tick: incidents and
    /// injects, then orders and strikes (the decide schedule), launches, intercepts and
    /// leakers (the kernels), and last the triggers their outcomes fire.
    pub fn rank(self) -> u8 {
        match self {
            LineKind::Incident => 0,
            LineKind::Inject => 1,
            LineKind::Order => 2,
            LineKind::Strike => 3,
            LineKind::Launch => 4,
            LineKind::Intercept => 5,
            LineKind::Leaker => 6,
            LineKind::Trigger => 7,
        }
    }
}

/// Put lines in the order things happened: by tick, then as the engine's tick runs.
pub fn sort(lines: &mut [LogLine]) {
    lines.sort_by_key(|l| (l.tick, l.kind.rank()));
}

/// The bit of a side's team.
fn bit(sc: &Scenario, side: usize) -> u8 {
    Team::of_side(sc, side).bit()
}

/// A line of a recorded event of replicate 0 (a launch, an intercept, a leaker).
pub fn event_line(sc: &Scenario, plan: &Plan, launches: &[u32], e: &Event) -> Option<LogLine> {
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
    let (shooter, defender) = (bit(sc, site.side), bit(sc, target.side));
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
    // The shooter sees its launches and the hits it can claim; the defender what it
    // detected, what it shot down, and everything that landed on it.
    let seen = match kind {
        LineKind::Launch if e.arg != 0 => shooter | defender,
        LineKind::Launch => shooter,
        LineKind::Intercept => defender,
        _ if hit => shooter | defender,
        _ => defender,
    };
    Some(LogLine {
        tick: e.tick,
        kind,
        sides,
        text,
        at,
        hit,
        seen,
    })
}

/// A line of the world's log, with the sides and place of the order or trigger it names.
pub fn log_line(sc: &Scenario, tick: u32, kind: LogKind, text: &str) -> LogLine {
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
            Action::Switch { battery, .. }
            | Action::Relocate { battery, .. }
            | Action::Resupply { battery, .. } => {
                sides.push(sc.batteries[*battery].side);
                at = Some(sc.battery_position(*battery, seconds));
            }
            Action::Rearm { ship, .. } => {
                sides.push(sc.assets[*ship].side);
                at = Some(sc.asset_position(*ship, seconds));
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
            LogKind::Trigger | LogKind::Decision => LineKind::Trigger,
            LogKind::Incident => LineKind::Incident,
            LogKind::Inject => LineKind::Inject,
        },
        seen: match kind {
            // Orders are known to their side; strikes to both; triggers are the white
            // cell's (they are the scenario's branches, not an event anyone sees).
            LogKind::Order | LogKind::Inject => sides.first().map_or(0, |&s| bit(sc, s)),
            LogKind::Strike | LogKind::Incident => SEEN_BLUE | SEEN_RED,
            LogKind::Trigger | LogKind::Decision => 0,
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
        seen: found.map_or(0, |f| bit(sc, f.0)),
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
        Inject::Decide { decision, outcome } => (
            decision.clone(),
            format!("decision {decision} taken by hand: {outcome} (no dice)"),
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
