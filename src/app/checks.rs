//! An inject checked in the facilitator's words, before the scenario checker sees it:
//! rounds left at the site, targets in range from where they are now, launchers still
//! standing, a carrier sent to sea by a way at sea, a battery moved onto land, a decision
//! taken by hand only before its time. The form
//! shows these as it is filled in; the worker checks again before it replans. What the
//! scenario checker still refuses is told without its file positions and key paths.

use super::land::{self, Ground};
use super::live::{Session, Snapshot, inactive_militias};
use crate::exercise::Inject;
use crate::scenario::{LoadError, Placement, Scenario};

/// What the checks need of the live state at the inject's tick.
#[derive(Clone, Debug, Default)]
pub struct Now {
    pub tick: u32,
    /// Per site: launchers standing.
    pub launchers_alive: Vec<u32>,
    /// Per battery: switched on.
    pub online: Vec<bool>,
}

impl Now {
    pub fn of(snap: &Snapshot) -> Now {
        Now {
            tick: snap.tick,
            launchers_alive: snap.launchers_alive.clone(),
            online: snap.online.clone(),
        }
    }
}

/// Check `inject`, given at `now.tick`, against the exercise. `replacing`: the inject it
/// would replace (its rounds are free again).
pub fn inject(
    session: &Session,
    now: &Now,
    inject: &Inject,
    replacing: Option<&Inject>,
) -> Result<(), String> {
    let sc = &session.scenario;
    let seconds = now.tick as f64 * sc.tick_seconds as f64;
    match inject {
        Inject::Salvo {
            from,
            weapon,
            count,
            targets,
            ..
        } => salvo(session, now, (from, weapon, *count, targets), replacing),
        Inject::Decide { decision, outcome } => {
            let (injects, pair) = (&session.injects, (decision.as_str(), outcome.as_str()));
            crate::exercise::check_decide(sc, injects, replacing, now.tick, pair).map(|_| ())
        }
        Inject::Strike { sites, fraction } => {
            if sites.is_empty() {
                return Err("choose at least one site to strike".into());
            }
            if !(0.0..=1.0).contains(fraction) {
                return Err("the share of launchers destroyed is between 0 and 1".into());
            }
            for id in sites {
                site_named(sc, id)?;
            }
            Ok(())
        }
        Inject::Activate { militias } => {
            if militias.is_empty() {
                return Err("choose at least one militia".into());
            }
            let waiting = inactive_militias(sc, &session.plan);
            for id in militias {
                let s = site_named(sc, id)?;
                if sc.sites[s].militia.is_none() {
                    return Err(format!(
                        "{} is a launch site, not a militia: order a salvo from it",
                        sc.sites[s].name
                    ));
                }
                if !waiting.contains(&s) {
                    return Err(format!("{} is already active or due", sc.sites[s].name));
                }
            }
            Ok(())
        }
        Inject::Switch { battery, online } => {
            let b = battery_named(sc, battery)?;
            if now.online.get(b).copied().unwrap_or(true) == *online {
                return Err(format!(
                    "{} is already switched {}",
                    sc.batteries[b].name,
                    if *online { "on" } else { "off" }
                ));
            }
            Ok(())
        }
        Inject::Relocate { battery, to } => {
            let b = battery_named(sc, battery)?;
            if matches!(sc.batteries[b].placement, Placement::Mounted { .. }) {
                return Err(format!(
                    "{} moves with its carrier: divert the carrier instead",
                    sc.batteries[b].name
                ));
            }
            match ground(*to)? {
                Ground::Land | Ground::Unknown => Ok(()),
                Ground::Sea => Err(format!(
                    "{} is at sea: a ground battery can only be moved to a point on land",
                    land::point(*to)
                )),
                Ground::OffMap => Err(off_map(*to)),
            }
        }
        Inject::Divert {
            carrier,
            to,
            speed_kn,
        } => {
            let c = sc
                .carriers
                .iter()
                .position(|c| &c.id == carrier)
                .ok_or_else(|| format!("the scenario has no carrier {carrier}"))?;
            if !(speed_kn.is_finite() && *speed_kn > 0.0 && *speed_kn <= 60.0) {
                return Err(format!("a speed of {speed_kn} knots: give 1 to 60"));
            }
            match ground(*to)? {
                Ground::Sea | Ground::Unknown => {}
                Ground::Land => {
                    return Err(format!(
                        "{} is on land: a carrier can only be diverted to a point at sea",
                        land::point(*to)
                    ));
                }
                Ground::OffMap => return Err(off_map(*to)),
            }
            let from = sc.carriers[c].route.position_at(seconds);
            if let Some(Ok(land)) = land::loaded()
                && let Some(p) = land.first_land_on_the_way(from, *to)
            {
                return Err(format!(
                    "the way from {} to {} crosses land near {}: divert in legs, by way of points at sea",
                    land::point(from),
                    land::point(*to),
                    land::point(p)
                ));
            }
            Ok(())
        }
    }
}

fn salvo(
    session: &Session,
    now: &Now,
    (from, weapon, count, targets): (&str, &str, u32, &[String]),
    replacing: Option<&Inject>,
) -> Result<(), String> {
    let sc = &session.scenario;
    let seconds = now.tick as f64 * sc.tick_seconds as f64;
    let s = site_named(sc, from)?;
    let site = &sc.sites[s];
    let (j, &(w, held)) = site
        .inventory
        .iter()
        .enumerate()
        .find(|(_, (w, _))| sc.weapons[*w].id == weapon)
        .ok_or_else(|| format!("{} holds no {weapon}", site.name))?;
    let wname = &sc.weapons[w].name;
    if targets.is_empty() {
        return Err("choose at least one target".into());
    }
    if count == 0 {
        return Err("a salvo fires at least one round".into());
    }
    let mut ordered = session.ordered[s][j];
    if let Some(Inject::Salvo {
        from: f,
        weapon: wp,
        count: c,
        ..
    }) = replacing
        && f == from
        && wp == weapon
    {
        ordered = ordered.saturating_sub(*c);
    }
    let free = held.saturating_sub(ordered);
    if count > free {
        let later = ordered.min(held);
        let note = if later > 0 {
            format!(" ({later} of its {held} are ordered already)")
        } else {
            String::new()
        };
        return Err(format!(
            "{} has {free} {wname} left; this salvo asks for {count}{note}",
            site.name
        ));
    }
    if now.launchers_alive.get(s) == Some(&0) {
        return Err(format!("{} has no launcher standing", site.name));
    }
    for t in targets {
        let a = sc
            .assets
            .iter()
            .position(|a| &a.id == t)
            .ok_or_else(|| format!("no unit {t} to aim at"))?;
        let asset = &sc.assets[a];
        if !sc.sides[site.side].hostile[asset.side] {
            return Err(format!(
                "{} is not at war with {}, whose {} it is",
                sc.sides[site.side].name, sc.sides[asset.side].name, asset.name
            ));
        }
        let d = site
            .position
            .distance_km(sc.position_of(asset.placement, seconds));
        let range = sc.weapons[w].range_km;
        if d > range {
            return Err(format!(
                "{} is {d:.0} km from {} now, beyond the {range:.0} km of the {wname}",
                asset.name, site.name
            ));
        }
    }
    Ok(())
}

fn site_named(sc: &Scenario, id: &str) -> Result<usize, String> {
    sc.sites
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| format!("no launch site or militia {id}"))
}

fn battery_named(sc: &Scenario, id: &str) -> Result<usize, String> {
    sc.batteries
        .iter()
        .position(|b| b.id == id)
        .ok_or_else(|| format!("no battery {id}"))
}

/// Where a point lies; on the window's thread, before the map's land is parsed (on a
/// thread of its own), unknown: the worker checks again.
fn ground(p: crate::geo::LatLon) -> Result<Ground, String> {
    match land::loaded() {
        Some(Ok(l)) => Ok(l.ground(p)),
        Some(Err(e)) => Err(e.clone()),
        None => Ok(Ground::Unknown),
    }
}

fn off_map(p: crate::geo::LatLon) -> String {
    format!("{} is off the map", land::point(p))
}

/// The scenario checker's refusal without file positions and key paths: each problem
/// on a line of its own, in the checker's words.
pub fn plain(e: &LoadError) -> String {
    e.diagnostics
        .iter()
        .map(|d| {
            let m = d.message.as_str();
            // "orders[93].salvo.count: the message" -> "the message"
            match m.split_once(": ") {
                Some((path, rest))
                    if !path.contains(' ') && path.chars().any(|c| c == '.' || c == '[') =>
                {
                    rest.to_string()
                }
                _ => m.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
