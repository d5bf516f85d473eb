//! The plan: everything the replicates share, computed once on the host before the first
//! tick. Orders and militias expand into tracks (one per threat that may be launched),
//! and each track's flight is swept once against every battery envelope to find its
//! engagement opportunities. The kernels then never test geometry: a drone that flies for
//! eight hours costs nothing between the few ticks when something can happen to it.
//!
//! Geometry uses f64 here and only here; what reaches the kernels is integers (ticks,
//! indices, u32 thresholds), so every backend sees the same bits.

use rayon::prelude::*;

use super::layout::*;
use super::rng::threshold;
use crate::geo::{EARTH_RADIUS_KM, LatLon};
use crate::scenario::{Action, Placement, Scenario, ThreatClass, When};

/// What starts a group of tracks.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupKind {
    /// A salvo order.
    Order(usize),
    /// A militia's campaign of launches.
    Militia(usize),
}

#[derive(Clone, Debug)]
pub struct Group {
    pub kind: GroupKind,
    pub first_track: u32,
    pub tracks: u32,
    /// Start tick shared by every replicate, when known before the run.
    pub fixed_start: Option<u32>,
    /// Tick assumed for geometry (moving ships) when the start depends on a trigger.
    pub nominal_start: u32,
}

/// Host-side facts about a track that the kernels do not need.
#[derive(Clone, Debug)]
pub struct TrackInfo {
    pub site: usize,
    pub weapon: usize,
    pub target: usize,
    pub origin: LatLon,
    pub aim: LatLon,
    pub distance_km: f64,
    pub flight_s: f64,
    /// Apogee for this distance (ballistic, rocket) or cruise altitude, km.
    pub peak_km: f64,
}

impl TrackInfo {
    /// Ground position and altitude `seconds` after launch.
    pub fn position(&self, class: ThreatClass, seconds: f64) -> (LatLon, f64) {
        let f = (seconds / self.flight_s).clamp(0.0, 1.0);
        let alt = match class {
            ThreatClass::Ballistic | ThreatClass::Rocket => 4.0 * self.peak_km * f * (1.0 - f),
            ThreatClass::Cruise | ThreatClass::Drone => self.peak_km,
        };
        (self.origin.lerp(self.aim, f), alt)
    }
}

/// Which battery and magazine a slot is.
#[derive(Clone, Copy, Debug)]
pub struct SlotInfo {
    pub battery: usize,
    pub magazine: usize,
}

#[derive(Clone)]
pub struct Plan {
    /// The scenario file it was planned from, as diagnostics name it.
    pub file: String,
    pub tracks: Vec<Track>,
    pub track_info: Vec<TrackInfo>,
    pub opportunities: Vec<Opportunity>,
    pub groups: Vec<Group>,
    pub weapons: Vec<WeaponRow>,
    pub slots: Vec<SlotRow>,
    pub slot_info: Vec<SlotInfo>,
    pub batteries: Vec<BatteryRow>,
    pub assets: Vec<AssetRow>,
    /// Full magazines at the start, one per slot.
    pub magazines: Vec<MagazineState>,
    pub launchers: u32,
    pub launcher_words: u32,
    /// Tracks whose opportunities beyond `MAX_OPPORTUNITIES` were dropped (latest first).
    pub dropped_opportunities: Vec<(u32, u32)>,
}

impl Plan {
    pub fn group_of_militia(&self, site: usize) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.kind == GroupKind::Militia(site))
    }

    pub fn group_of_order(&self, order: usize) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.kind == GroupKind::Order(order))
    }

    /// Counters per replicate (`Params::counters`): `WEAPON_COUNTERS` per weapon, then
    /// `SLOT_COUNTERS` per magazine slot.
    pub fn counter_stride(&self) -> u32 {
        self.slot_counter_base() + self.slots.len() as u32 * SLOT_COUNTERS
    }

    /// Offset of the first per-slot counter within a replicate's counters
    /// (`Params::slot_counters`).
    pub fn slot_counter_base(&self) -> u32 {
        self.weapons.len() as u32 * WEAPON_COUNTERS
    }

    /// One replicate's launcher words at the start: every launcher alive.
    pub fn launchers_alive(&self) -> Vec<u32> {
        let mut words = vec![0u32; self.launcher_words as usize];
        for l in 0..self.launchers {
            words[(l / 32) as usize] |= 1 << (l % 32);
        }
        words
    }

    /// Group `group` as an entry of the kernels' list of groups started this tick.
    pub fn started(&self, group: u32) -> Started {
        let g = &self.groups[group as usize];
        Started {
            group,
            first_track: g.first_track,
            tracks: g.tracks,
            _pad: 0,
        }
    }

    /// The per-tick constants of the kernels for `replicates` replicates whose first has
    /// RNG key `first_replicate`; no group started yet (a backend counts those uploaded)
    /// and no replicate records events (a backend sets which of its own do).
    pub fn params(&self, tick: u32, seed: u32, replicates: u32, first_replicate: u32) -> Params {
        Params {
            tick,
            seed,
            replicates,
            first_replicate,
            tracks: self.tracks.len() as u32,
            started: 0,
            batteries: self.batteries.len() as u32,
            slots: self.slots.len() as u32,
            assets: self.assets.len() as u32,
            weapons: self.weapons.len() as u32,
            groups: self.groups.len() as u32,
            launcher_words: self.launcher_words,
            counters: self.counter_stride(),
            slot_counters: self.slot_counter_base(),
            record_first: 0,
            record_count: 0,
        }
    }

    /// Tracks per threat class.
    pub fn tracks_by_class(&self, sc: &Scenario) -> [usize; 4] {
        let mut n = [0; 4];
        for t in &self.track_info {
            n[sc.weapons[t.weapon].class.index()] += 1;
        }
        n
    }
}

/// A salvo order's tracks: launchers round-robin from the site's cursor, launches
/// spread over the order's interval and never faster than a launcher reloads.
struct Expansion {
    groups: Vec<Group>,
    specs: Vec<(u32, usize, usize, usize, u32)>, // group, site, weapon, target, offset
    launcher_of: Vec<u32>,
    cursor: Vec<u32>,
}

impl Expansion {
    fn salvo(&mut self, sc: &Scenario, oi: usize) {
        let o = &sc.orders[oi];
        let Action::Salvo {
            site,
            weapon,
            count,
            ref targets,
            over_ticks,
        } = o.action
        else {
            return;
        };
        let g = self.groups.len() as u32;
        let s = &sc.sites[site];
        let first = self.specs.len() as u32;
        let mut last = 0u32;
        for j in 0..count {
            let spread = (j as u64 * over_ticks as u64 / count.max(1) as u64) as u32;
            // The m-th use of one launcher within the order waits m reloads.
            let reuse = (j / s.launchers) * s.reload_ticks;
            let offset = spread.max(reuse).max(last);
            last = offset;
            let launcher = s.first_launcher + (self.cursor[site] + j) % s.launchers;
            self.specs
                .push((g, site, weapon, targets[j as usize % targets.len()], offset));
            self.launcher_of.push(launcher);
        }
        self.cursor[site] = (self.cursor[site] + count) % s.launchers;
        let (fixed, nominal) = match o.when {
            When::At(t) => (Some(t), t),
            When::After { delay, .. } => (None, delay),
        };
        self.groups.push(Group {
            kind: GroupKind::Order(oi),
            first_track: first,
            tracks: count,
            fixed_start: fixed,
            nominal_start: nominal,
        });
    }
}

impl Expansion {
    /// A militia's campaign: its inventory interleaved in proportion, each launch at a
    /// target its weapon can reach, at the militia's rate.
    fn militia(&mut self, sc: &Scenario, si: usize) {
        let s = &sc.sites[si];
        let Some(m) = &s.militia else { return };
        let tick_s = sc.tick_seconds as f64;
        // Activation: its own `active` time, else the earliest fixed `activate` order.
        let mut fixed = m.active;
        let mut nominal = m.active;
        for o in &sc.orders {
            if let Action::Activate { militias } = &o.action
                && militias.contains(&si)
            {
                match o.when {
                    When::At(t) => {
                        fixed = Some(fixed.map_or(t, |f| f.min(t)));
                        nominal = Some(nominal.map_or(t, |f| f.min(t)));
                    }
                    When::After { delay, .. } => {
                        nominal = Some(nominal.map_or(delay, |f| f.min(delay)));
                    }
                }
            }
        }
        let g = self.groups.len() as u32;
        let first = self.specs.len() as u32;
        let total: u32 = s.inventory.iter().map(|x| x.1).sum();
        let mut left: Vec<u32> = s.inventory.iter().map(|x| x.1).collect();
        let nominal_s = nominal.unwrap_or(0) as f64 * tick_s;
        // Targets each weapon can reach, and a round-robin cursor per weapon.
        let reach: Vec<Vec<usize>> = s
            .inventory
            .iter()
            .map(|&(w, _)| {
                m.targets
                    .iter()
                    .copied()
                    .filter(|&a| {
                        let p = sc.position_of(sc.assets[a].placement, nominal_s);
                        s.position.distance_km(p) <= sc.weapons[w].range_km
                    })
                    .collect()
            })
            .collect();
        let mut rr = vec![0usize; s.inventory.len()];
        let mut emitted = 0u32;
        for j in 0..total {
            // Interleave weapons in proportion to what is left of each.
            let pick = (0..left.len())
                .filter(|&i| left[i] > 0)
                .max_by(|&a, &b| {
                    let fa = left[a] as u64 * s.inventory[b].1 as u64;
                    let fb = left[b] as u64 * s.inventory[a].1 as u64;
                    fa.cmp(&fb).then(b.cmp(&a))
                })
                .expect("inventory left");
            left[pick] -= 1;
            let targets = &reach[pick];
            if targets.is_empty() {
                continue; // checked at load: cannot happen for a valid scenario
            }
            let target = targets[rr[pick] % targets.len()];
            rr[pick] += 1;
            let offset = (j as f64 * 3600.0 / m.rate_per_hour / tick_s).floor() as u32;
            self.specs
                .push((g, si, s.inventory[pick].0, target, offset));
            self.launcher_of.push(s.first_launcher + j % s.launchers);
            emitted += 1;
        }
        self.groups.push(Group {
            kind: GroupKind::Militia(si),
            first_track: first,
            tracks: emitted,
            fixed_start: fixed,
            nominal_start: nominal.unwrap_or(0),
        });
    }
}

/// Groups in this order: salvo orders in file order, then militias in file order, then
/// salvo orders injected during an exercise, so that an inject never renumbers the
/// tracks (and random streams) already planned.
fn expand(sc: &Scenario) -> Expansion {
    let mut ex = Expansion {
        groups: Vec::new(),
        specs: Vec::new(),
        launcher_of: Vec::new(),
        cursor: vec![0u32; sc.sites.len()],
    };
    for oi in (0..sc.orders.len()).filter(|&i| !sc.orders[i].inject) {
        ex.salvo(sc, oi);
    }
    for si in 0..sc.sites.len() {
        ex.militia(sc, si);
    }
    for oi in (0..sc.orders.len()).filter(|&i| sc.orders[i].inject) {
        ex.salvo(sc, oi);
    }
    ex
}

/// The defence's tables: one slot (and full magazine) per magazine of each battery.
struct Defence {
    slots: Vec<SlotRow>,
    slot_info: Vec<SlotInfo>,
    magazines: Vec<MagazineState>,
    batteries: Vec<BatteryRow>,
    /// Slots of each battery, in magazine order.
    slots_of: Vec<Vec<u32>>,
}

fn defence(sc: &Scenario) -> Defence {
    let mut d = Defence {
        slots: Vec::new(),
        slot_info: Vec::new(),
        magazines: Vec::new(),
        batteries: Vec::new(),
        slots_of: Vec::new(),
    };
    for (bi, b) in sc.batteries.iter().enumerate() {
        let mut mine = Vec::new();
        for (mi, m) in b.magazines.iter().enumerate() {
            let ic = &sc.interceptors[m.interceptor];
            let mut pk = [0u32; 4];
            let mut doctrine = [0u32; 4];
            for c in ThreatClass::ALL {
                pk[c.index()] = threshold(ic.pk[c.index()]);
                for (k, &n) in b.doctrine[c.index()].iter().enumerate() {
                    doctrine[c.index()] |= n.min(255) << (8 * k);
                }
            }
            mine.push(d.slots.len() as u32);
            d.slots.push(SlotRow {
                battery: bi as u32,
                interceptor: m.interceptor as u32,
                capacity: m.ready,
                per_reload: m.per_reload,
                reload_ticks: m.reload_ticks,
                pk,
                doctrine,
            });
            d.slot_info.push(SlotInfo {
                battery: bi,
                magazine: mi,
            });
            d.magazines.push(MagazineState {
                ready: m.ready,
                reserve: m.reserve,
                reload_at: NEVER,
                empty_at: NEVER,
            });
        }
        d.slots_of.push(mine);
        d.batteries.push(BatteryRow {
            channels: b.channels,
            host: b.host.map_or(NONE, |h| h as u32),
            tier: b.tier,
            online: 1,
        });
    }
    d
}

/// Expand the scenario into tracks and sweep each against every envelope.
pub fn build(sc: &Scenario) -> Plan {
    let Expansion {
        groups,
        specs,
        launcher_of,
        ..
    } = expand(sc);
    let Defence {
        slots,
        slot_info,
        magazines,
        batteries,
        slots_of,
    } = defence(sc);
    let assets = sc
        .assets
        .iter()
        .map(|a| AssetRow {
            side: a.side as u32,
            staying_power: a.staying_power,
            hardness: threshold(a.hardness),
            _pad: 0,
        })
        .collect();
    let weapons = sc
        .weapons
        .iter()
        .map(|w| WeaponRow {
            class: w.class.index() as u32,
            flight_ok: threshold(w.flight_reliability),
            accuracy: threshold(w.accuracy),
        })
        .collect();

    // Geometry, one track at a time, in parallel: each result depends on its track only.
    let swept: Vec<(Track, TrackInfo, Vec<Opportunity>, u32)> = specs
        .par_iter()
        .zip(launcher_of.par_iter())
        .map(|(&(g, site, weapon, target, offset), &launcher)| {
            let start = groups[g as usize].nominal_start;
            sweep(
                sc, &slots_of, g, site, weapon, target, offset, start, launcher,
            )
        })
        .collect();

    let mut tracks = Vec::with_capacity(swept.len());
    let mut track_info = Vec::with_capacity(swept.len());
    let mut opportunities = Vec::new();
    let mut dropped = Vec::new();
    for (k, (mut t, info, opps, lost)) in swept.into_iter().enumerate() {
        t.opp_first = opportunities.len() as u32;
        t.opp_count = opps.len() as u32;
        opportunities.extend(opps);
        if lost > 0 {
            dropped.push((k as u32, lost));
        }
        tracks.push(t);
        track_info.push(info);
    }
    let launchers = sc.total_launchers();
    Plan {
        file: sc.file.clone(),
        tracks,
        track_info,
        opportunities,
        groups,
        weapons,
        slots,
        slot_info,
        batteries,
        assets,
        magazines,
        launchers,
        launcher_words: launchers.div_ceil(32).max(1),
        dropped_opportunities: dropped,
    }
}

/// Time of flight (s) and peak altitude (km) of a weapon over a distance.
pub fn kinematics(w: &crate::scenario::Weapon, distance_km: f64) -> (f64, f64) {
    match w.class {
        ThreatClass::Ballistic | ThreatClass::Rocket => {
            let x = (distance_km / w.range_km).max(1e-6);
            (w.flight_time_s * x.sqrt(), w.apogee_km * x)
        }
        ThreatClass::Cruise | ThreatClass::Drone => {
            (distance_km / w.speed_kmh * 3600.0, w.altitude_km)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn sweep(
    sc: &Scenario,
    slots_of: &[Vec<u32>],
    group: u32,
    site: usize,
    weapon: usize,
    target: usize,
    offset: u32,
    start: u32,
    launcher: u32,
) -> (Track, TrackInfo, Vec<Opportunity>, u32) {
    let tick_s = sc.tick_seconds as f64;
    let w = &sc.weapons[weapon];
    let s = &sc.sites[site];
    let launch_s = (start as f64 + offset as f64) * tick_s;
    let origin = s.position;
    // Aim where the target will be at impact (ships move): two fixed-point steps suffice.
    let placement = sc.assets[target].placement;
    let mut aim = sc.position_of(placement, launch_s);
    for _ in 0..2 {
        let (tof, _) = kinematics(w, origin.distance_km(aim).max(0.001));
        aim = sc.position_of(placement, launch_s + tof);
    }
    let distance = origin.distance_km(aim).max(0.001);
    let (flight_s, peak) = kinematics(w, distance);
    let flight = ((flight_s / tick_s).ceil() as u32).max(1);
    let info = TrackInfo {
        site,
        weapon,
        target,
        origin,
        aim,
        distance_km: distance,
        flight_s,
        peak_km: peak,
    };
    let class = w.class;
    let threat_side = s.side;
    let mut opps: Vec<(u32, u32, Opportunity)> = Vec::new(); // (tier, enter) for ordering
    for (bi, b) in sc.batteries.iter().enumerate() {
        if !sc.sides[b.side].hostile[threat_side] {
            continue;
        }
        for (mi, m) in b.magazines.iter().enumerate() {
            let Some(env) = b.envelope(&sc.interceptors[m.interceptor], class) else {
                continue;
            };
            let slot = slots_of[bi][mi];
            for (enter, exit) in windows(sc, &info, class, bi, launch_s, flight, env) {
                opps.push((
                    b.tier,
                    enter,
                    Opportunity {
                        slot,
                        battery: bi as u32,
                        enter,
                        exit,
                    },
                ));
            }
        }
    }
    // Keep the earliest windows when there are more than the threat row can track.
    opps.sort_by_key(|o| (o.1, o.0, o.2.battery, o.2.slot));
    let lost = opps.len().saturating_sub(MAX_OPPORTUNITIES) as u32;
    opps.truncate(MAX_OPPORTUNITIES);
    // Allocation order: upper tier first, then battery, then magazine preference.
    opps.sort_by_key(|o| (o.0, o.2.battery, o.2.slot, o.1));
    let side = sc.assets[target].side;
    let track = Track {
        group,
        offset,
        launcher,
        weapon: weapon as u32,
        target: target as u32,
        flight,
        opp_first: 0,
        opp_count: 0,
        detect: threshold(sc.sides[side].detection[class.index()]),
        launch_ok: threshold(w.launch_reliability * s.launch_reliability),
    };
    (track, info, opps.into_iter().map(|o| o.2).collect(), lost)
}

/// Ages (ticks since launch) at which the threat is inside an envelope, as runs
/// `(enter, exit)`. Tick `a` covers `[a, a+1)` ticks after launch; it counts as inside
/// when any of a few sample instants within it is inside, so that a fast threat crossing
/// a thin envelope between two tick boundaries is not missed.
fn windows(
    sc: &Scenario,
    info: &TrackInfo,
    class: ThreatClass,
    battery: usize,
    launch_s: f64,
    flight: u32,
    env: crate::scenario::Envelope,
) -> Vec<(u32, u32)> {
    let placement = sc.batteries[battery].placement;
    let relocated = !sc.batteries[battery].moves.is_empty();
    let tick_s = sc.tick_seconds as f64;
    let (rmin, rmax) = (env.range_km[0], env.range_km[1]);
    // Altitude screen: a threat that never enters the altitude band cannot be engaged.
    let (amin, amax) = (env.alt_km[0], env.alt_km[1]);
    let peak = info.peak_km;
    let alt_possible = match class {
        ThreatClass::Ballistic | ThreatClass::Rocket => amin <= peak,
        _ => amin <= peak && peak <= amax,
    };
    if !alt_possible {
        return Vec::new();
    }
    // Distance screen, with how far a ship-borne battery can wander during the flight.
    // A relocated battery is swept in full: there are few, and they jump.
    let (at, drift) = match placement {
        Placement::Fixed(p) => (p, 0.0),
        Placement::Mounted { carrier, offset_km } => {
            let r = &sc.carriers[carrier].route;
            let drift = r.top_speed_kmh() * (info.flight_s + tick_s) / 3600.0;
            (
                r.position_at(launch_s).offset(offset_km[0], offset_km[1]),
                drift,
            )
        }
    };
    let moving = relocated || drift > 0.0;
    if !relocated {
        let closest = distance_to_arc_km(info.origin, info.aim, at);
        if closest > rmax + drift + 1.0 {
            return Vec::new();
        }
    }
    // Sweep only the stretch of flight that can be within reach.
    let (lo, hi) = if !moving {
        reach_interval(info, at, rmax + 1.0, flight)
    } else {
        (0, flight)
    };
    // Sub-samples per tick: enough that one step moves less than a quarter of the
    // envelope's smallest dimension.
    let v_h = info.distance_km / info.flight_s.max(1e-6);
    let v_v = match class {
        ThreatClass::Ballistic | ThreatClass::Rocket => 4.0 * peak / info.flight_s.max(1e-6),
        _ => 0.0,
    };
    let smallest = (rmax - rmin).max(1.0).min((amax - amin).max(1.0));
    let step = (v_h.max(v_v) * tick_s).max(1e-9);
    let subs = ((4.0 * step / smallest).ceil() as u32).clamp(1, 8);
    let chord = |d: f64| 2.0 * libm::sin(d / (2.0 * EARTH_RADIUS_KM));
    let (cmin, cmax) = (chord(rmin), chord(rmax));
    let fixed_unit = at.to_unit();
    let arc = crate::geo::Arc::new(info.origin, info.aim);
    let ballistic = matches!(class, ThreatClass::Ballistic | ThreatClass::Rocket);
    let mut runs = Vec::new();
    let mut open: Option<u32> = None;
    for age in lo..hi {
        let mut inside = false;
        for s in 0..subs {
            let t = (age as f64 + s as f64 / subs as f64) * tick_s;
            if t > info.flight_s {
                break;
            }
            // Same kinematics as `TrackInfo::position`, on unit vectors.
            let f = (t / info.flight_s).clamp(0.0, 1.0);
            let alt = if ballistic {
                4.0 * peak * f * (1.0 - f)
            } else {
                peak
            };
            if alt < amin || alt > amax {
                continue;
            }
            let b = if moving {
                sc.battery_position(battery, launch_s + t).to_unit()
            } else {
                fixed_unit
            };
            let g = arc.at(f);
            let c = ((g[0] - b[0]).powi(2) + (g[1] - b[1]).powi(2) + (g[2] - b[2]).powi(2)).sqrt();
            if c >= cmin && c <= cmax {
                inside = true;
                break;
            }
        }
        match (inside, open) {
            (true, None) => open = Some(age),
            (false, Some(e)) => {
                runs.push((e, age - 1));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(e) = open {
        runs.push((e, hi - 1));
    }
    runs
}

/// Shortest distance (km) from `p` to the great-circle arc from `a` to `b`.
pub fn distance_to_arc_km(a: LatLon, b: LatLon, p: LatLon) -> f64 {
    let d_ab = a.distance_km(b);
    if d_ab < 1e-6 {
        return a.distance_km(p);
    }
    let ends = a.distance_km(p).min(b.distance_km(p));
    // Cross-track and along-track distances (spherical trigonometry).
    let r = EARTH_RADIUS_KM;
    let d_ap = a.distance_km(p) / r;
    let brg = |x: LatLon, y: LatLon| {
        let (p1, p2) = (x.lat.to_radians(), y.lat.to_radians());
        let dl = (y.lon - x.lon).to_radians();
        libm::atan2(
            libm::sin(dl) * libm::cos(p2),
            libm::cos(p1) * libm::sin(p2) - libm::sin(p1) * libm::cos(p2) * libm::cos(dl),
        )
    };
    let xt = libm::asin((libm::sin(d_ap) * libm::sin(brg(a, p) - brg(a, b))).clamp(-1.0, 1.0));
    let along = libm::acos((libm::cos(d_ap) / libm::cos(xt)).clamp(-1.0, 1.0)) * r;
    let forward = libm::cos(brg(a, p) - brg(a, b)) >= 0.0;
    if forward && along <= d_ab {
        (xt.abs() * r).min(ends)
    } else {
        ends
    }
}

/// Ticks of flight during which the ground track can be within `reach` km of a fixed
/// point: found on a coarse sampling of the track whose step is at most `reach / 2`,
/// padded by one coarse step each side.
fn reach_interval(info: &TrackInfo, p: LatLon, reach: f64, flight: u32) -> (u32, u32) {
    let step_km = (reach / 2.0).max(0.5);
    let n = ((info.distance_km / step_km).ceil() as u32).clamp(1, 100_000);
    let mut first = None;
    let mut last = 0;
    for i in 0..=n {
        let f = i as f64 / n as f64;
        if info.origin.lerp(info.aim, f).distance_km(p) <= reach + step_km {
            first.get_or_insert(i);
            last = i;
        }
    }
    let Some(first) = first else {
        return (0, 0);
    };
    let to_tick = |i: u32| i as f64 / n as f64 * flight as f64;
    let lo = (to_tick(first.saturating_sub(1)).floor() as u32).saturating_sub(1);
    let hi = ((to_tick((last + 1).min(n)).ceil() as u32) + 1).min(flight);
    (lo.min(hi), hi)
}
