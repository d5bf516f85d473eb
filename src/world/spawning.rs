//! A new world: the scenario's units as entities, and the resources at tick 0.

use std::collections::BTreeSet;
use std::sync::Arc;

use bevy_ecs::prelude::*;

use super::components::*;
use super::simulation::RunConfig;
use crate::engine::decisions::NOT_TAKEN;
use crate::engine::layout::NEVER;
use crate::engine::plan::Plan;
use crate::scenario::{Action, Placement, Scenario, When};

/// The world at tick 0 of a run of `config.replicates` replicates, the first of which has
/// the RNG key (global index) `first`.
pub(super) fn build_world(
    scenario: &Arc<Scenario>,
    plan: &Arc<Plan>,
    config: &RunConfig,
    first: u32,
) -> World {
    let mut world = World::new();
    spawn_units(&mut world, scenario);
    let r = config.replicates as usize;
    let launchers: Vec<u32> = (0..r).flat_map(|_| plan.launchers_alive()).collect();
    let mut fixed = Vec::new();
    for (i, o) in scenario.orders.iter().enumerate() {
        if let When::At(t) = o.when {
            fixed.push((t, Due::Order(i)));
        }
        // A trip at a fixed time, planned ahead (a triggered one is planned in each
        // replicate when it falls due).
        if let (When::At(_), Action::Rearm { ship, trip, .. }) = (&o.when, &o.action) {
            let (ship, trip) = (*ship, *trip);
            let trip = &scenario.assets[ship].trips[trip];
            fixed.push((trip.depart, Due::Port(i)));
            fixed.push((trip.back, Due::Station(i)));
        }
    }
    for (si, s) in scenario.sites.iter().enumerate() {
        if let Some(t) = s.militia.as_ref().and_then(|m| m.active) {
            fixed.push((t, Due::Militia(si)));
        }
    }
    // Magazine reports for `cells_below` triggers, at every multiple of their interval.
    for (ti, t) in scenario.triggers.iter().enumerate() {
        if let crate::scenario::Measure::CellsBelow { every, .. } = t.measure {
            let every = every.max(1);
            fixed.extend((1..=scenario.ticks / every).map(|k| (k * every, Due::Report(ti))));
        }
    }
    let decisions = crate::engine::decisions::draw_order(scenario);
    for (k, &d) in decisions.iter().enumerate() {
        fixed.push((scenario.decisions[d].at, Due::Decision(k)));
    }
    fixed.sort();
    world.insert_resource(Clock {
        tick: 0,
        tick_seconds: scenario.tick_seconds,
        end: scenario.ticks,
    });
    world.insert_resource(Timeline {
        fixed,
        cursor: 0,
        decisions,
    });
    world.insert_resource(Replicates {
        count: config.replicates,
        first,
        seed: config.seed,
        group_start: vec![NEVER; r * plan.groups.len()],
        launchers,
        fired: vec![NEVER; r * scenario.triggers.len()],
        paths: vec![NOT_TAKEN; r * scenario.decisions.len()],
        assets: (0..r)
            .flat_map(|_| plan.initial_assets.iter().copied())
            .collect(),
        changed: Vec::new(),
        pending: BTreeSet::new(),
        magazines: Vec::new(),
        logged: config.record.clone(),
    });
    world.insert_resource(Outbox::default());
    let mut log = Log::default();
    for inc in &scenario.incidents {
        log.entries.push(LogEntry {
            tick: inc.tick,
            replicate: None,
            kind: LogKind::Incident,
            text: inc.text.clone(),
        });
    }
    world.insert_resource(log);
    world.insert_resource(Shared {
        scenario: scenario.clone(),
        plan: plan.clone(),
    });

    world
}

fn spawn_units(world: &mut World, sc: &Scenario) {
    let mut assets = Vec::with_capacity(sc.assets.len());
    for (i, a) in sc.assets.iter().enumerate() {
        let e = world.spawn((
            Unit {
                id: a.id.clone(),
                name: a.name.clone(),
                side: a.side,
            },
            Position(sc.asset_position(i, 0.0)),
            Placed(a.placement),
            AssetIndex(i),
        ));
        assets.push(e.id());
    }
    for (i, c) in sc.carriers.iter().enumerate() {
        // The carrier's own asset entity carries the route index too.
        world.entity_mut(assets[c.asset]).insert(CarrierIndex(i));
    }
    for (i, b) in sc.batteries.iter().enumerate() {
        world.spawn((
            Unit {
                id: b.id.clone(),
                name: b.name.clone(),
                side: b.side,
            },
            Position(sc.position_of(b.placement, 0.0)),
            Placed(b.placement),
            BatteryIndex(i),
            Online(true),
            Away(false),
            Tier(b.tier),
        ));
    }
    for (i, s) in sc.sites.iter().enumerate() {
        let mut e = world.spawn((
            Unit {
                id: s.id.clone(),
                name: s.name.clone(),
                side: s.side,
            },
            Position(s.position),
            Placed(Placement::Fixed(s.position)),
            SiteIndex(i),
        ));
        if s.militia.is_some() {
            e.insert(Militia);
        }
    }
}
