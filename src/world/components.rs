//! The world's components (units as entities), its resources (what every replicate
//! shares, and the host-side per-replicate state) and its schedule labels.

use std::collections::BTreeSet;
use std::sync::Arc;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::ScheduleLabel;

use crate::engine::backend::Upload;
use crate::engine::layout::AssetState;
use crate::engine::plan::Plan;
use crate::geo::LatLon;
use crate::scenario::{Placement, Scenario};

/// Name and side of a unit, for display and logs.
#[derive(Component, Clone, Debug)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub side: usize,
}

/// Where a unit stands now.
#[derive(Component, Clone, Copy, Debug)]
pub struct Position(pub LatLon);

/// How a unit moves: fixed, or with a carrier.
#[derive(Component, Clone, Copy, Debug)]
pub struct Placed(pub Placement);

#[derive(Component, Clone, Copy, Debug)]
pub struct CarrierIndex(pub usize);

#[derive(Component, Clone, Copy, Debug)]
pub struct AssetIndex(pub usize);

#[derive(Component, Clone, Copy, Debug)]
pub struct BatteryIndex(pub usize);

/// A battery's switch, set by facilitator injects; the doctrine system carries changes
/// to the kernels.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Online(pub bool);

/// A battery whose ship is away rearming in port: silent until it is back on station,
/// whatever its switch says.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Away(pub bool);

#[derive(Component, Clone, Copy, Debug)]
pub struct Tier(pub u32);

/// A launch site or militia.
#[derive(Component, Clone, Copy, Debug)]
pub struct SiteIndex(pub usize);

#[derive(Component, Clone, Copy, Debug)]
pub struct Militia;

// Resources.

#[derive(Resource, Clone, Copy, Debug)]
pub struct Clock {
    pub tick: u32,
    pub tick_seconds: u32,
    pub end: u32,
}

impl Clock {
    pub fn seconds(&self) -> f64 {
        self.tick as f64 * self.tick_seconds as f64
    }
}

#[derive(Resource, Clone)]
pub struct Shared {
    pub scenario: Arc<Scenario>,
    pub plan: Arc<Plan>,
}

/// What falls due at a fixed time in every replicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    /// A decision, taken before anything else at its tick: its place in
    /// `engine::decisions::draw_order` (so that it follows those it depends on).
    Decision(usize),
    /// A fixed-time order (its index).
    Order(usize),
    /// A militia's own activation time (its site index).
    Militia(usize),
    /// The ship of a `rearm` order (its index) leaves port with full magazines.
    Port(usize),
    /// The ship of a `rearm` order is back on station: its batteries engage again.
    Station(usize),
    /// A ship's magazine report: `cells_below` trigger (its index) looked at in every
    /// replicate.
    Report(usize),
}

/// What falls due later in one replicate (`Replicates::pending`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// An order a trigger or a decision scheduled (its index).
    Order(usize),
    /// The ship of a `rearm` order carried out in this replicate alone leaves port with
    /// full magazines.
    Port(usize),
    /// That ship is back on station (and its relief, if one came, stands down).
    Station(usize),
    /// That ship's relief takes its station.
    Relieve(usize),
}

/// Orders, activations and the steps of trips to port at fixed times, in time order (a tie
/// in the order of `Due`, then by index, which is id order).
#[derive(Resource, Clone, Debug, Default)]
pub struct Timeline {
    pub fixed: Vec<(u32, Due)>,
    pub cursor: usize,
    /// The decisions in the order they are drawn (`Due::Decision` indexes it).
    pub decisions: Vec<usize>,
}

/// Host-side per-replicate state.
#[derive(Resource, Clone, Debug)]
pub struct Replicates {
    pub count: u32,
    /// Global index of replicate 0 (the RNG key).
    pub first: u32,
    pub seed: u32,
    pub group_start: Vec<u32>,
    pub launchers: Vec<u32>,
    /// Tick each trigger fired, per replicate, or `NEVER`.
    pub fired: Vec<u32>,
    /// The outcome each decision took, per replicate (`engine::decisions`; `NOT_TAKEN`
    /// where its `given` did not hold, or before its tick).
    pub paths: Vec<u32>,
    /// Latest asset state read back from the backend (replicate-major).
    pub assets: Vec<AssetState>,
    /// Replicates whose assets changed at the tick just run, ascending: the only ones
    /// whose triggers can fire then.
    pub changed: Vec<u32>,
    /// Actions due later in one replicate: (tick, replicate, step).
    pub pending: BTreeSet<(u32, u32, Step)>,
    /// Every replicate's magazines as the last magazine report read them
    /// (replicate-major, a row per slot); empty between reports.
    pub magazines: Vec<crate::engine::layout::MagazineState>,
    /// Replicates whose decisions go into the log.
    pub logged: std::ops::Range<u32>,
}

/// What the systems decided this tick that the backend must hear about.
#[derive(Resource, Clone, Debug, Default)]
pub struct Outbox {
    pub uploads: Vec<Upload>,
    /// Batteries switched on or off this tick, for the `Online` components.
    pub switches: Vec<(usize, bool)>,
    /// Batteries whose ship left for port (true) or came back (false) this tick, for the
    /// `Away` components.
    pub away: Vec<(usize, bool)>,
    /// Groups started this tick in at least one replicate: (group, start tick).
    pub started: Vec<(u32, u32)>,
}

/// The exercise log: orders, triggers, strikes, incidents.
#[derive(Resource, Clone, Debug, Default)]
pub struct Log {
    pub entries: Vec<LogEntry>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LogEntry {
    pub tick: u32,
    /// The replicate concerned, or `None` for what happened in all of them.
    pub replicate: Option<u32>,
    pub kind: LogKind,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    Order,
    Strike,
    Trigger,
    /// A decision's outcome drawn for a replicate.
    Decision,
    Incident,
    Inject,
}

#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decide;

#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Assess;
