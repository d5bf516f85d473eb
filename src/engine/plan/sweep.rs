//! One track's sweep against every hostile battery: where it is aimed, how long it flies,
//! and its engagement opportunities, ranked under the scenario's battery rule.

use super::*;

/// An opportunity with its rank key and its order key within the rank (`rule_key`).
type Keyed = ((u32, u32, u32), (u32, u32, u32), Opportunity);

/// The allocation keys of an opportunity under the scenario's rule: the rank key (ties
/// go to the battery with the most rounds ready), then the order within it.
fn rule_key(rule: BatteryChoice, tier: u32, dedicated: bool, km: u32) -> (u32, u32, u32, u32) {
    let other = (!dedicated) as u32;
    match rule {
        BatteryChoice::DefendedFirst => (tier, other, km, 0),
        BatteryChoice::Nearest => (tier, km, 0, 0),
        // Most rounds within (tier, dedicated); the nearest first among equals.
        BatteryChoice::MostRounds => (tier, other, 0, km),
    }
}

/// One track: where it is aimed, how long it flies, and its opportunities with every
/// hostile battery; `None` when the sweep ran over `work`'s limit.
pub(super) fn sweep(
    sc: &Scenario,
    slots_of: &[Vec<u32>],
    spec: &Spec,
    start: u32,
    launcher: u32,
    work: &Work,
) -> Option<Swept> {
    let tick_s = sc.tick_seconds as f64;
    let (weapon, target) = (spec.weapon, spec.target);
    let w = &sc.weapons[weapon];
    let s = &sc.sites[spec.site];
    let launch_s = (start as f64 + spec.offset as f64) * tick_s;
    // Ages the run can reach: from the earliest launch in any replicate to the end, and the
    // fly-out of an interceptor launched before the end beyond it (its intercept is
    // settled after the end).
    let end_age = sc
        .ticks
        .saturating_sub(start.saturating_add(spec.offset))
        .saturating_add(MAX_FLYOUT + 1);
    let origin = s.position;
    // Where it flies, and where it lands from where its target is at impact.
    let aimed = guidance::aim(sc, weapon, origin, target, launch_s);
    let aim = aimed.point;
    let distance = origin.distance_km(aim).max(0.001);
    let (flight_s, peak) = kinematics(w, distance);
    let flight = ((flight_s / tick_s).ceil() as u32).clamp(1, MAX_FLIGHT_TICKS);
    let info = TrackInfo {
        site: spec.site,
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
    // A decoy separates at apogee: nothing can meet it, or start to engage it, before.
    let separation = if spec.parent.is_some() {
        (flight / 2).max(1)
    } else {
        0
    };
    // (rank key, order key, opportunity)
    let mut opps: Vec<Keyed> = Vec::new();
    // Windows beyond the earliest `MAX_OPPORTUNITIES` of an envelope, never looked at.
    let mut beyond = 0u64;
    for (bi, b) in sc.batteries.iter().enumerate() {
        if !sc.sides[b.side].hostile[threat_side] || !b.defends(target) {
            continue;
        }
        let at = sc.battery_position(bi, launch_s + flight_s);
        let km = libm::round(at.distance_km(aim)) as u32;
        let (t, k1, k2, k3) = rule_key(sc.battery_choice, b.tier, b.dedicated_to(target), km);
        for (mi, m) in b.magazines.iter().enumerate() {
            let ic = &sc.interceptors[m.interceptor];
            let Some(env) = b.envelope(ic, class) else {
                continue;
            };
            if !ic.acts_on(&sc.weapons[weapon]) {
                continue;
            }
            let slot = slots_of[bi][mi];
            let w = windows(sc, &info, class, bi, launch_s, flight, end_age, env, work)?;
            beyond += (w.total as usize - w.runs.len()) as u64;
            for (first, hit_last) in w.runs {
                let hit_first = first.max(separation);
                if hit_first > hit_last {
                    continue;
                }
                let ages = hit_first..=hit_last;
                let tof = flyout::ticks(sc, &info, class, bi, launch_s, ages, ic.mean_speed_kms);
                let Some(l) = flyout::launches(hit_first, &tof, separation) else {
                    continue;
                };
                opps.push((
                    (t, k1, k2),
                    (k3, bi as u32, slot),
                    Opportunity {
                        slot,
                        battery: bi as u32,
                        enter: l.enter,
                        exit: l.exit,
                        rank: 0,
                        hit_first,
                        hit_last,
                        step: l.step,
                        flyout: l.flyout,
                    },
                ));
            }
        }
    }
    // Keep the earliest windows when there are more than the threat row can track.
    opps.sort_by_key(|o| (o.2.enter, o.0, o.1, o.2.hit_first));
    let lost =
        (opps.len().saturating_sub(MAX_OPPORTUNITIES) as u64 + beyond).min(u32::MAX as u64) as u32;
    opps.truncate(MAX_OPPORTUNITIES);
    // Allocation order: tier, the rule's keys, battery, magazine preference, time.
    opps.sort_by_key(|o| (o.0, o.1, o.2.enter));
    let mut rank = 0;
    for i in 0..opps.len() {
        if i > 0 && opps[i].0 != opps[i - 1].0 {
            rank += 1;
        }
        opps[i].2.rank = rank;
    }
    let side = sc.assets[target].side;
    let sensed = sensors::sensed(sc, class, opps.iter().map(|o| o.2.battery));
    let detect = sensors::detection(sc.sides[side].detection[class.index()], sensed);
    let track = Track {
        group: spec.group,
        offset: spec.offset,
        launcher,
        weapon: weapon as u32,
        target: target as u32,
        flight,
        opp_first: 0,
        opp_count: 0,
        detect: threshold(detect),
        launch_ok: threshold(w.launch_reliability * s.launch_reliability),
        stream: 0,
        jitter: spec.jitter,
        separation,
        aim_x: aimed.xy[0] as u32,
        aim_y: aimed.xy[1] as u32,
        evade: aimed.evade,
    };
    Some((track, info, opps.into_iter().map(|o| o.2).collect(), lost))
}
