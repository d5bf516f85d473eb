//! Event tables for war-game analysis (`hormuz run --events DIR`), in the spirit of the
//! UK Dstl "Common Data Format": one CSV per kind of record, each with a header comment
//! block (lines starting with `#`) documenting its columns and units.
//!
//! - `unit_positions.csv`: every unit at the start and the end, and every threat at each of
//!   its events;
//! - `weapon_fired.csv`: threats launched (a launch attempt from a launch site or militia)
//!   and interceptors fired (a battery's engagement);
//! - `weapon_endgame.csv`: how each threat ended: killed (by whom), leaked (hit, damage),
//!   failed at launch or in flight, aborted;
//! - `unit_damage.csv`: damaging hits on assets, and the one that put each out of action.
//!
//! Time is seconds from the scenario start; positions are degrees; altitude is km.

use std::io::Write;
use std::path::Path;

use crate::engine::layout::*;
use crate::engine::plan::Plan;
use crate::scenario::Scenario;
use crate::world::RunOutput;

const COMMON: &str = "# time_s: seconds from the scenario start; lat, lon: degrees (WGS84 sphere); alt_km: km above the ground\n# replicate: Monte Carlo replicate (0-based); the same seed gives the same rows\n";

fn open(
    path: &Path,
    about: &str,
    columns: &[(&str, &str)],
) -> std::io::Result<csv::Writer<std::fs::File>> {
    let mut f = std::fs::File::create(path)?;
    writeln!(f, "# {about}")?;
    f.write_all(COMMON.as_bytes())?;
    for (c, what) in columns {
        writeln!(f, "# {c}: {what}")?;
    }
    let mut w = csv::Writer::from_writer(f);
    w.write_record(columns.iter().map(|c| c.0))?;
    Ok(w)
}

fn deg(v: f64) -> String {
    format!("{v:.5}")
}

fn km(v: f64) -> String {
    format!("{v:.3}")
}

/// Write the four tables for the recorded replicates of a run.
pub fn write(sc: &Scenario, plan: &Plan, out: &RunOutput, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tick_s = sc.tick_seconds as f64;
    let t = plan.tracks.len();
    let end_s = sc.ticks as f64 * tick_s;
    let mut recorded: Vec<u32> = out.events.iter().map(|(r, _)| *r).collect();
    recorded.sort_unstable();
    recorded.dedup();

    let threat_id = |k: u32| format!("threat-{k}");
    let weapon_of = |k: u32| &sc.weapons[plan.track_info[k as usize].weapon];
    // Position of a threat at a tick, from its launch tick in that replicate.
    let threat_at = |rep: u32, k: u32, tick: u32| {
        let info = &plan.track_info[k as usize];
        let th = out.final_state.threats[rep as usize * t + k as usize];
        let class = sc.weapons[info.weapon].class;
        let launch = if th.launch == NEVER { tick } else { th.launch };
        let age_s = tick.saturating_sub(launch) as f64 * tick_s;
        if th.launch == NEVER {
            (info.origin, 0.0)
        } else {
            info.position(class, age_s)
        }
    };

    // ---- unit positions
    let mut w = open(
        &dir.join("unit_positions.csv"),
        "Unit positions: every unit at the start and the end of the run, and every threat at each of its events",
        &[
            ("time_s", "seconds from the start"),
            ("replicate", "replicate"),
            (
                "unit",
                "unit id (assets, batteries, launch sites, militias) or threat-<track>",
            ),
            (
                "kind",
                "base, city, site, ship, battery, launch_site, militia, or the threat class",
            ),
            ("side", "side id"),
            ("lat", "degrees"),
            ("lon", "degrees"),
            ("alt_km", "km; 0 for units on the ground or at sea"),
        ],
    )?;
    for &rep in &recorded {
        for at in [0.0, end_s] {
            for a in &sc.assets {
                let p = sc.position_of(a.placement, at);
                let kind = format!("{:?}", a.kind).to_lowercase();
                w.write_record([
                    &format!("{at:.0}"),
                    &rep.to_string(),
                    &a.id,
                    &kind,
                    &sc.sides[a.side].id,
                    &deg(p.lat),
                    &deg(p.lon),
                    "0.000",
                ])?;
            }
            for b in &sc.batteries {
                let p = sc.position_of(b.placement, at);
                w.write_record([
                    &format!("{at:.0}"),
                    &rep.to_string(),
                    &b.id,
                    "battery",
                    &sc.sides[b.side].id,
                    &deg(p.lat),
                    &deg(p.lon),
                    "0.000",
                ])?;
            }
            for s in &sc.sites {
                let kind = if s.militia.is_some() {
                    "militia"
                } else {
                    "launch_site"
                };
                w.write_record([
                    &format!("{at:.0}"),
                    &rep.to_string(),
                    &s.id,
                    kind,
                    &sc.sides[s.side].id,
                    &deg(s.position.lat),
                    &deg(s.position.lon),
                    "0.000",
                ])?;
            }
        }
        for (r, e) in out.events.iter().filter(|(r, _)| *r == rep) {
            if e.kind == E_ABORTED || e.kind == E_LAUNCH_FAILED {
                continue;
            }
            let (p, alt) = threat_at(*r, e.track, e.tick);
            let info = &plan.track_info[e.track as usize];
            w.write_record([
                &format!("{:.0}", e.tick as f64 * tick_s),
                &r.to_string(),
                &threat_id(e.track),
                weapon_of(e.track).class.name(),
                &sc.sides[sc.sites[info.site].side].id,
                &deg(p.lat),
                &deg(p.lon),
                &km(alt),
            ])?;
        }
    }
    w.flush()?;

    // ---- weapon fired
    let mut w = open(
        &dir.join("weapon_fired.csv"),
        "Weapon fired: a threat launched (or a launch attempted) from a launch site or militia, or interceptors fired by a battery at a threat",
        &[
            ("time_s", "seconds from the start"),
            ("replicate", "replicate"),
            ("shooter", "launch site, militia or battery id"),
            ("side", "side id of the shooter"),
            ("weapon", "weapon or interceptor id"),
            (
                "rounds",
                "rounds fired (interceptors per engagement; 1 for a threat)",
            ),
            (
                "target",
                "asset id aimed at (threats), or threat-<track> engaged (interceptors)",
            ),
            ("threat", "threat-<track> concerned"),
            ("lat", "threat position, degrees"),
            ("lon", "threat position, degrees"),
            ("alt_km", "threat altitude, km"),
        ],
    )?;
    for (r, e) in &out.events {
        let info = &plan.track_info[e.track as usize];
        let time = format!("{:.0}", e.tick as f64 * tick_s);
        let (p, alt) = threat_at(*r, e.track, e.tick);
        match e.kind {
            E_LAUNCH | E_LAUNCH_FAILED => {
                let s = &sc.sites[info.site];
                w.write_record([
                    &time,
                    &r.to_string(),
                    &s.id,
                    &sc.sides[s.side].id,
                    &weapon_of(e.track).id,
                    "1",
                    &sc.assets[info.target].id,
                    &threat_id(e.track),
                    &deg(p.lat),
                    &deg(p.lon),
                    &km(alt),
                ])?;
            }
            E_ENGAGED => {
                let slot = (e.arg & 0xffff) as usize;
                let shots = e.arg >> 16;
                let si = plan.slot_info[slot];
                let b = &sc.batteries[si.battery];
                let ic = &sc.interceptors[b.magazines[si.magazine].interceptor];
                w.write_record([
                    &time,
                    &r.to_string(),
                    &b.id,
                    &sc.sides[b.side].id,
                    &ic.id,
                    &shots.to_string(),
                    &threat_id(e.track),
                    &threat_id(e.track),
                    &deg(p.lat),
                    &deg(p.lon),
                    &km(alt),
                ])?;
            }
            _ => {}
        }
    }
    w.flush()?;

    // ---- weapon end-game, and unit damage
    let mut end = open(
        &dir.join("weapon_endgame.csv"),
        "Weapon end-game: how each threat ended",
        &[
            ("time_s", "seconds from the start"),
            ("replicate", "replicate"),
            ("threat", "threat-<track>"),
            ("weapon", "weapon id"),
            ("class", "ballistic, cruise, drone or rocket"),
            (
                "outcome",
                "killed, leaked, failed_launch, failed_flight or aborted (launcher destroyed before launch)",
            ),
            ("by", "battery id that killed it (killed), else empty"),
            (
                "interceptor",
                "interceptor id that killed it (killed), else empty",
            ),
            ("target", "asset id aimed at"),
            ("hit", "1 when a leaker hit its target, else 0"),
            (
                "damage",
                "1 when the hit did damage (not absorbed by hardness), else 0",
            ),
            ("lat", "degrees"),
            ("lon", "degrees"),
            ("alt_km", "km"),
        ],
    )?;
    let mut dmg = open(
        &dir.join("unit_damage.csv"),
        "Unit damaged/destroyed: every damaging hit on an asset; status out_of_action on the hit that reaches its staying power (its batteries fall silent)",
        &[
            ("time_s", "seconds from the start"),
            ("replicate", "replicate"),
            ("unit", "asset id"),
            ("side", "side id"),
            ("by", "threat-<track> that hit it"),
            ("weapon", "weapon id"),
            ("damage", "damaging hits so far"),
            ("staying_power", "damaging hits that put it out of action"),
            ("status", "damaged or out_of_action"),
        ],
    )?;
    let mut damage = vec![0u32; sc.assets.len() * (recorded.len().max(1))];
    for (r, e) in &out.events {
        let info = &plan.track_info[e.track as usize];
        let wpn = weapon_of(e.track);
        let time = format!("{:.0}", e.tick as f64 * tick_s);
        let (p, alt) = threat_at(*r, e.track, e.tick);
        let target = &sc.assets[info.target].id;
        let (outcome, by, ic, hit, dm) = match e.kind {
            E_KILLED => {
                let si = plan.slot_info[e.arg as usize];
                let b = &sc.batteries[si.battery];
                let ic = &sc.interceptors[b.magazines[si.magazine].interceptor];
                ("killed", b.id.as_str(), ic.id.as_str(), "0", "0")
            }
            E_LEAKED => {
                let hit = e.arg & LEAK_HIT != 0;
                let d = e.arg & LEAK_DAMAGE != 0;
                (
                    "leaked",
                    "",
                    "",
                    if hit { "1" } else { "0" },
                    if d { "1" } else { "0" },
                )
            }
            E_LAUNCH_FAILED => ("failed_launch", "", "", "0", "0"),
            E_FLIGHT_FAILED => ("failed_flight", "", "", "0", "0"),
            E_ABORTED => ("aborted", "", "", "0", "0"),
            _ => continue,
        };
        end.write_record([
            &time,
            &r.to_string(),
            &threat_id(e.track),
            &wpn.id,
            wpn.class.name(),
            outcome,
            by,
            ic,
            target,
            hit,
            dm,
            &deg(p.lat),
            &deg(p.lon),
            &km(alt),
        ])?;
        if e.kind == E_LEAKED && e.arg & LEAK_DAMAGE != 0 {
            let a = (e.arg & 0xffff) as usize;
            let ri = recorded.binary_search(r).unwrap_or(0);
            let d = &mut damage[ri * sc.assets.len() + a];
            *d += 1;
            let asset = &sc.assets[a];
            let status = if *d == asset.staying_power {
                "out_of_action"
            } else {
                "damaged"
            };
            dmg.write_record([
                &time,
                &r.to_string(),
                &asset.id,
                &sc.sides[asset.side].id,
                &threat_id(e.track),
                &wpn.id,
                &d.to_string(),
                &asset.staying_power.to_string(),
                status,
            ])?;
        }
    }
    end.flush()?;
    dmg.flush()?;
    Ok(())
}
