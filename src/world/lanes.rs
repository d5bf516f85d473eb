//! The host loop of a backend that runs each replicate through its own ticks
//! ([`crate::engine::lanes::LaneMajor`], the CPU): between two ticks at which the host
//! decides for every replicate (the orders of the timeline), each replicate runs on its
//! own, and stops only where the host has something to decide for it alone: a tick at
//! which one of its trigger's orders falls due (stopping before it), and a tick at which
//! a trigger of its own may fire (stopping after it). The host then decides for that
//! replicate at that tick, as the tick-by-tick loop would have, and lets it run on. The
//! same decisions at the same ticks in every replicate: the same bytes.

use super::components::*;
use super::simulation::Simulation;
use super::systems::{fire_triggers, run_scheduled_in, would_fire};
use crate::engine::layout::NEVER;

impl Simulation {
    /// Run to the end, replicate by replicate between the host's decisions.
    pub(super) fn run_lane_major(
        &mut self,
        progress: &mut dyn FnMut(u32, u32),
    ) -> Result<(), String> {
        let end = self.clock().end;
        loop {
            let global = self.next_timeline().min(end);
            self.run_lanes_until(global, progress)?;
            if global >= end {
                return Ok(());
            }
            // The timeline's orders (and the triggers' orders due then) in every
            // replicate; the replicates run the tick itself next.
            self.world.resource_mut::<Clock>().tick = global;
            self.read_reports(global)?;
            self.decide.run(&mut self.world);
            self.send_outbox()?;
            self.last = Some(global);
        }
    }

    /// The next tick of the timeline (an order or a militia's activation for every
    /// replicate) after the last one decided, or `NEVER`.
    fn next_timeline(&self) -> u32 {
        let after = self.last.map_or(0, |t| t + 1);
        let tl = self.world.resource::<Timeline>();
        tl.fixed
            .get(tl.cursor)
            .map_or(NEVER, |&(t, _)| t.max(after))
    }

    /// Run every replicate through its ticks before `global`, deciding for each where it
    /// stops.
    fn run_lanes_until(
        &mut self,
        global: u32,
        progress: &mut dyn FnMut(u32, u32),
    ) -> Result<(), String> {
        let shared = self.world.resource::<Shared>().clone();
        let (sc, plan) = (&shared.scenario, &shared.plan);
        let end = self.clock().end;
        let reps = self.world.resource::<Replicates>();
        let params = plan.params(0, reps.seed, reps.count, reps.first);
        let count = reps.count as usize;
        loop {
            // Each replicate stops before its first order due before `global`.
            let mut stops = vec![global; count];
            for &(t, r, _) in self.world.resource::<Replicates>().pending.iter() {
                let s = &mut stops[r as usize];
                *s = (*s).min(t);
            }
            let lanes = self
                .backend
                .lane_major()
                .ok_or("the backend runs tick by tick")?;
            let reps = self.world.resource::<Replicates>();
            let stop_after_hit = |r: u32, assets: &[_]| would_fire(reps, sc, r, assets);
            let report = lanes.run_lanes(params, &stops, &stop_after_hit)?;
            self.stats.threat_steps += report.steps;
            self.stats.visited_ticks += report.lane_ticks;
            // The triggers of the replicates stopped after a hit.
            let a = sc.assets.len();
            let mut acted = !report.hits.is_empty();
            for &(r, tick) in &report.hits {
                let lanes = self.backend.lane_major().ok_or("tick by tick")?;
                let assets = lanes.lane_assets(r).to_vec();
                let mut log = std::mem::take(&mut *self.world.resource_mut::<Log>());
                let mut reps = self.world.resource_mut::<Replicates>();
                reps.assets[r as usize * a..(r as usize + 1) * a].copy_from_slice(&assets);
                fire_triggers(sc, &mut reps, &mut log, r, tick);
                *self.world.resource_mut::<Log>() = log;
            }
            // The orders of the replicates that reached their first one.
            let lanes = self.backend.lane_major().ok_or("tick by tick")?;
            let due = lanes.due().to_vec();
            let mut first: Vec<(u32, u32)> = Vec::new();
            {
                let reps = self.world.resource::<Replicates>();
                let mut seen = vec![false; count];
                for &(t, r, _) in reps.pending.iter() {
                    if t < global && !seen[r as usize] {
                        seen[r as usize] = true;
                        if due[r as usize] >= t {
                            first.push((t, r));
                        }
                    }
                }
            }
            for &(tick, r) in &first {
                let mut outbox = std::mem::take(&mut *self.world.resource_mut::<Outbox>());
                let mut log = std::mem::take(&mut *self.world.resource_mut::<Log>());
                let mut reps = self.world.resource_mut::<Replicates>();
                run_scheduled_in(r, tick, &shared, &mut reps, &mut outbox, &mut log);
                *self.world.resource_mut::<Outbox>() = outbox;
                *self.world.resource_mut::<Log>() = log;
                self.send_outbox()?;
                acted = true;
            }
            self.backend.drain_events(&mut self.events)?;
            let lanes = self.backend.lane_major().ok_or("tick by tick")?;
            let reached = lanes.due().iter().copied().min().unwrap_or(NEVER);
            progress(reached.min(global).min(end), end);
            if !acted {
                return Ok(());
            }
        }
    }
}
