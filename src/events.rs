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

use crate::atomic::{AtomicFile, commit_csv};
use crate::engine::layout::*;
use crate::engine::plan::Plan;
use crate::geo::LatLon;
use crate::scenario::{Scenario, Weapon};
use crate::world::RunOutput;

const COMMON: &str = "# time_s: seconds from the scenario start; lat, lon: degrees (WGS84 sphere); alt_km: km above the ground\n# replicate: Monte Carlo replicate (0-based); the same seed gives the same rows\n";

fn open(
    path: &Path,
    about: &str,
    columns: &[(&str, &str)],
) -> std::io::Result<csv::Writer<AtomicFile>> {
    let mut f = AtomicFile::create(path)?;
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

/// The tables' names (each `NAME.csv`).
pub const TABLES: [&str; 4] = [
    "unit_positions",
    "weapon_fired",
    "weapon_endgame",
    "unit_damage",
];

/// Write the four tables for the recorded replicates of a run.
pub fn write(sc: &Scenario, plan: &Plan, out: &RunOutput, dir: &Path) -> std::io::Result<()> {
    write_from(sc, plan, out, 0, dir)
}

/// [`write`] for the replicates of a part of a run (a shard) whose replicate 0 is
/// replicate `first` of the run: the tables number them as the run does.
pub fn write_from(
    sc: &Scenario,
    plan: &Plan,
    out: &RunOutput,
    first: u32,
    dir: &Path,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut recorded: Vec<u32> = out.events.iter().map(|(r, _)| *r).collect();
    recorded.sort_unstable();
    recorded.dedup();
    let run = Run {
        sc,
        plan,
        out,
        tick_s: sc.tick_seconds as f64,
        recorded,
        first,
    };
    run.unit_positions(&dir.join("unit_positions.csv"))?;
    run.weapon_fired(&dir.join("weapon_fired.csv"))?;
    run.weapon_endgame(&dir.join("weapon_endgame.csv"))?;
    run.unit_damage(&dir.join("unit_damage.csv"))
}

/// A run and what the tables need to know about it.
struct Run<'a> {
    sc: &'a Scenario,
    plan: &'a Plan,
    out: &'a RunOutput,
    tick_s: f64,
    /// The replicates with recorded events, in order.
    recorded: Vec<u32>,
    /// The run's number of `out`'s replicate 0.
    first: u32,
}

fn threat_id(k: u32) -> String {
    format!("threat-{k}")
}

impl Run<'_> {
    fn weapon_of(&self, k: u32) -> &Weapon {
        &self.sc.weapons[self.plan.track_info[k as usize].weapon]
    }

    /// Seconds from the start, as written in every table.
    fn time(&self, tick: u32) -> String {
        format!("{:.0}", tick as f64 * self.tick_s)
    }

    /// Position and altitude of a threat at a tick, from its launch tick in that replicate.
    fn threat_at(&self, rep: u32, k: u32, tick: u32) -> (LatLon, f64) {
        let info = &self.plan.track_info[k as usize];
        let th = self.out.final_state.threats[rep as usize * self.plan.tracks.len() + k as usize];
        let class = self.sc.weapons[info.weapon].class;
        let launch = if th.launch == NEVER { tick } else { th.launch };
        let age_s = tick.saturating_sub(launch) as f64 * self.tick_s;
        if th.launch == NEVER {
            (info.origin, 0.0)
        } else {
            info.position(class, age_s)
        }
    }

    /// Every unit at the start and the end, then every threat at each of its events (but
    /// an abort or a failed launch, which never left the ground).
    fn unit_positions(&self, path: &Path) -> std::io::Result<()> {
        let sc = self.sc;
        let mut w = open(
            path,
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
        let end_s = sc.ticks as f64 * self.tick_s;
        for &rep in &self.recorded {
            for at in [0.0, end_s] {
                let mut unit = |id: &str, kind: &str, side: usize, p: LatLon| {
                    w.write_record([
                        &format!("{at:.0}"),
                        &(rep + self.first).to_string(),
                        id,
                        kind,
                        &sc.sides[side].id,
                        &deg(p.lat),
                        &deg(p.lon),
                        "0.000",
                    ])
                };
                for a in &sc.assets {
                    let kind = format!("{:?}", a.kind).to_lowercase();
                    unit(&a.id, &kind, a.side, sc.position_of(a.placement, at))?;
                }
                for b in &sc.batteries {
                    unit(&b.id, "battery", b.side, sc.position_of(b.placement, at))?;
                }
                for s in &sc.sites {
                    let kind = if s.militia.is_some() {
                        "militia"
                    } else {
                        "launch_site"
                    };
                    unit(&s.id, kind, s.side, s.position)?;
                }
            }
            for (r, e) in self.out.events.iter().filter(|(r, _)| *r == rep) {
                if e.kind == E_ABORTED || e.kind == E_LAUNCH_FAILED {
                    continue;
                }
                let (p, alt) = self.threat_at(*r, e.track, e.tick);
                let info = &self.plan.track_info[e.track as usize];
                w.write_record([
                    &self.time(e.tick),
                    &(r + self.first).to_string(),
                    &threat_id(e.track),
                    self.weapon_of(e.track).class.name(),
                    &sc.sides[sc.sites[info.site].side].id,
                    &deg(p.lat),
                    &deg(p.lon),
                    &km(alt),
                ])?;
            }
        }
        commit_csv(w)
    }

    /// Launches (and failed launch attempts) and engagements.
    fn weapon_fired(&self, path: &Path) -> std::io::Result<()> {
        let (sc, plan) = (self.sc, self.plan);
        let mut w = open(
            path,
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
        for (r, e) in &self.out.events {
            let info = &plan.track_info[e.track as usize];
            let (shooter, side, weapon, rounds, target) = match e.kind {
                E_LAUNCH | E_LAUNCH_FAILED => {
                    let s = &sc.sites[info.site];
                    let target = sc.assets[info.target].id.clone();
                    (&s.id, s.side, &self.weapon_of(e.track).id, 1, target)
                }
                E_ENGAGED => {
                    let si = plan.slot_info[(e.arg & 0xffff) as usize];
                    let b = &sc.batteries[si.battery];
                    let ic = &sc.interceptors[b.magazines[si.magazine].interceptor];
                    (&b.id, b.side, &ic.id, e.arg >> 16, threat_id(e.track))
                }
                _ => continue,
            };
            let (p, alt) = self.threat_at(*r, e.track, e.tick);
            w.write_record([
                &self.time(e.tick),
                &(r + self.first).to_string(),
                shooter,
                &sc.sides[side].id,
                weapon,
                &rounds.to_string(),
                &target,
                &threat_id(e.track),
                &deg(p.lat),
                &deg(p.lon),
                &km(alt),
            ])?;
        }
        commit_csv(w)
    }

    /// How each threat ended.
    fn weapon_endgame(&self, path: &Path) -> std::io::Result<()> {
        let (sc, plan) = (self.sc, self.plan);
        let mut w = open(
            path,
            "Weapon end-game: how each threat ended",
            &[
                ("time_s", "seconds from the start"),
                ("replicate", "replicate"),
                ("threat", "threat-<track>"),
                ("weapon", "weapon id"),
                ("class", "ballistic, cruise, drone or rocket"),
                (
                    "outcome",
                    "killed, leaked, failed_launch, failed_flight or aborted (launcher destroyed before launch); for a decoy, decoy_killed or decoy_fell",
                ),
                ("by", "battery id that killed it (killed), else empty"),
                (
                    "interceptor",
                    "interceptor id that killed it (killed), else empty",
                ),
                ("target", "asset id aimed at"),
                (
                    "hit",
                    "impact points of a leaker inside its target's footprint: 0 or 1, more for a submunition warhead",
                ),
                (
                    "damage",
                    "of those, the hits that did damage (not absorbed by hardness)",
                ),
                ("lat", "degrees"),
                ("lon", "degrees"),
                ("alt_km", "km"),
            ],
        )?;
        for (r, e) in &self.out.events {
            let decoy = plan.is_decoy(e.track as usize);
            let (outcome, by, ic, hit, dm) = match e.kind {
                E_KILLED => {
                    let si = plan.slot_info[e.arg as usize];
                    let b = &sc.batteries[si.battery];
                    let ic = &sc.interceptors[b.magazines[si.magazine].interceptor];
                    let outcome = if decoy { "decoy_killed" } else { "killed" };
                    (outcome, b.id.as_str(), ic.id.as_str(), 0, 0)
                }
                E_LEAKED if decoy => ("decoy_fell", "", "", 0, 0),
                E_LEAKED => ("leaked", "", "", leak_hits(e.arg), leak_damage(e.arg)),
                E_LAUNCH_FAILED => ("failed_launch", "", "", 0, 0),
                E_FLIGHT_FAILED => ("failed_flight", "", "", 0, 0),
                E_ABORTED => ("aborted", "", "", 0, 0),
                _ => continue,
            };
            let wpn = self.weapon_of(e.track);
            let info = &plan.track_info[e.track as usize];
            let (p, alt) = self.threat_at(*r, e.track, e.tick);
            w.write_record([
                &self.time(e.tick),
                &(r + self.first).to_string(),
                &threat_id(e.track),
                &wpn.id,
                wpn.class.name(),
                outcome,
                by,
                ic,
                &sc.assets[info.target].id,
                &hit.to_string(),
                &dm.to_string(),
                &deg(p.lat),
                &deg(p.lon),
                &km(alt),
            ])?;
        }
        commit_csv(w)
    }

    /// Damaging hits on assets, counted per recorded replicate.
    fn unit_damage(&self, path: &Path) -> std::io::Result<()> {
        let sc = self.sc;
        let mut w = open(
            path,
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
        let mut damage = vec![0u32; sc.assets.len() * (self.recorded.len().max(1))];
        for (r, e) in &self.out.events {
            if e.kind != E_LEAKED || e.arg & LEAK_DAMAGE == 0 {
                continue;
            }
            let a = (e.arg & 0xffff) as usize;
            let ri = self.recorded.binary_search(r).unwrap_or(0);
            // One row per damaging hit (a submunition warhead may do several).
            for _ in 0..leak_damage(e.arg) {
                let d = &mut damage[ri * sc.assets.len() + a];
                *d += 1;
                let asset = &sc.assets[a];
                let status = if *d == asset.staying_power {
                    "out_of_action"
                } else {
                    "damaged"
                };
                w.write_record([
                    &self.time(e.tick),
                    &(r + self.first).to_string(),
                    &asset.id,
                    &sc.sides[asset.side].id,
                    &threat_id(e.track),
                    &self.weapon_of(e.track).id,
                    &d.to_string(),
                    &asset.staying_power.to_string(),
                    status,
                ])?;
            }
        }
        commit_csv(w)
    }
}

/// Hits of a leaker, from its `E_LEAKED` argument.
fn leak_hits(arg: u32) -> u32 {
    (arg >> LEAK_HITS_SHIFT) & 0x7f
}

/// Damaging hits of a leaker, from its `E_LEAKED` argument.
fn leak_damage(arg: u32) -> u32 {
    (arg >> LEAK_DAMAGE_SHIFT) & 0x7f
}
