//! The `bevy_ecs` world: the few complex agents as entities, the decisions as systems in
//! an explicit schedule, and [`Simulation`], the host loop that runs the schedule and
//! the kernel backend tick by tick.
//!
//! What every replicate shares (where the carrier is, which orders are due, which
//! batteries are switched on) lives in entities and resources. What diverges between
//! replicates (group starts, surviving launchers, fired triggers, asset damage) lives in
//! the per-replicate arrays of [`Replicates`] and of the backend.
//!
//! - `components.rs`: components, resources and schedule labels;
//! - `spawning.rs`: the world at tick 0;
//! - `systems.rs`: the systems of the `Decide` and `Assess` schedules;
//! - `orders.rs`: an order carried out in some replicates;
//! - `simulation.rs`: the tick loop, forks, and [`run_cpu`] / [`run_gpu`];
//! - `lanes.rs`: the host loop of a backend that runs each replicate through its own ticks;
//! - `batches.rs`: a run as batches of replicates, each handed on and freed in turn.

mod batches;
mod components;
mod lanes;
mod orders;
mod simulation;
mod spawning;
pub mod systems;

pub use batches::*;
pub use components::*;
pub(crate) use orders::{execute, replicate_trip_step, start_group, trip_step};
pub use simulation::*;
