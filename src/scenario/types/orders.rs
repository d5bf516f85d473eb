//! The scenario file's syntax for what happens: orders, triggers, incidents, and the
//! figures reported about real events.

use serde::Deserialize;

use super::*;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderSpec {
    pub id: String,
    #[serde(default)]
    pub at: Option<Clock>,
    #[serde(default)]
    pub after: Option<After>,
    #[serde(default)]
    pub salvo: Option<SalvoSpec>,
    #[serde(default)]
    pub strike: Option<StrikeSpec>,
    #[serde(default)]
    pub activate: Option<Vec<String>>,
    /// Switch a battery off (or back on) in every replicate.
    #[serde(default)]
    pub switch: Option<SwitchSpec>,
    /// Move a battery to a new position (it is planned there from this time on).
    #[serde(default)]
    pub relocate: Option<RelocateSpec>,
    /// Send a carrier (and its group) towards a point.
    #[serde(default)]
    pub divert: Option<DivertSpec>,
    /// Rounds delivered to a battery's reserve (an airlift, a convoy).
    #[serde(default)]
    pub resupply: Option<ResupplySpec>,
    /// A ship leaves station to rearm in port and comes back.
    #[serde(default)]
    pub rearm: Option<RearmSpec>,
    /// Repeat the order this long after each time it falls due (with `times`).
    #[serde(default)]
    pub every: Option<Clock>,
    /// How many times the order falls due in all, the first included (with `every`).
    #[serde(default)]
    pub times: Option<u32>,
    /// Added by a facilitator during an exercise: planned after everything else, so
    /// that the threats already in the scenario keep their identity (and random streams).
    #[serde(default)]
    pub inject: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchSpec {
    pub battery: String,
    pub online: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelocateSpec {
    pub battery: String,
    pub to: LatLon,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DivertSpec {
    pub carrier: String,
    pub to: LatLon,
    pub speed_kn: f64,
}

/// Rounds of one interceptor delivered to a battery's reserve.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResupplySpec {
    pub battery: String,
    pub interceptor: String,
    pub rounds: u32,
}

/// A ship's trip to a port to refill its magazines: out at `speed_kn`, `in_port` there,
/// and back to its station; its batteries are silent while it is away.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RearmSpec {
    pub ship: String,
    pub port: LatLon,
    pub speed_kn: f64,
    pub in_port: Clock,
    /// A ship held in reserve that takes the station while this one is away (a
    /// triggered `rearm` only).
    #[serde(default)]
    pub relief: Option<String>,
    /// How long after this ship leaves the relief is on station.
    #[serde(default)]
    pub relief_in: Clock,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct After {
    /// A trigger, or (with `outcome`) a decision.
    #[serde(default)]
    pub trigger: Option<String>,
    #[serde(default)]
    pub decision: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub delay: Clock,
}

/// A decision whose outcome nobody knows in advance: each replicate draws one of its
/// outcomes (`[[decisions]]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionSpec {
    pub id: String,
    /// When it is taken (00:00 when left out): orders that wait on an outcome count their
    /// `delay` from here.
    #[serde(default)]
    pub at: Option<Clock>,
    /// Taken only in the replicates where another decision had this outcome.
    #[serde(default)]
    pub given: Option<GivenSpec>,
    pub outcomes: Vec<OutcomeSpec>,
    /// Other probabilities where a condition holds when the decision is taken: the first
    /// case whose `when` holds gives them, the outcomes' own `p` hold otherwise.
    #[serde(default)]
    pub cases: Vec<CaseSpec>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assumed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// One case of a decision: a condition, and the probabilities it gives the outcomes it
/// names (each a number or a distribution; the others keep their own, and the outcome
/// without `p` takes the rest).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    pub when: CaseWhen,
    pub p: std::collections::BTreeMap<String, Value>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What a case waits on: a trigger that fired before the decision is taken, or an
/// outcome of a decision taken before (or at the same time, drawn first).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseWhen {
    #[serde(default)]
    pub trigger: Option<String>,
    #[serde(default)]
    pub decision: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
}

/// A decision taken by hand (`[[decide]]`): it takes this outcome wherever it is taken,
/// instead of drawing one. A facilitator's inject, or a fixed path for an analysis.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideSpec {
    pub decision: String,
    pub outcome: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GivenSpec {
    pub decision: String,
    pub outcome: String,
}

/// One outcome: its probability, a number or a distribution; one outcome of a decision
/// may leave `p` out and take what the others leave.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    pub id: String,
    #[serde(default)]
    pub p: Option<Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalvoSpec {
    pub from: String,
    pub weapon: String,
    pub count: u32,
    pub targets: Vec<String>,
    /// Launches are spread over this interval.
    #[serde(default)]
    pub over: Clock,
    /// How: evenly, or at times drawn per replicate.
    #[serde(default)]
    pub timing: Timing,
}

/// How a salvo's launches are spread over its `over`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Timing {
    /// Evenly, the same in every replicate, never faster than the launchers reload.
    #[default]
    Even,
    /// Each launch at a time drawn uniformly over `over`, per replicate.
    Random,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrikeSpec {
    /// Launch sites and militias struck.
    pub sites: Vec<String>,
    /// Probability that each surviving launcher at a struck site is destroyed.
    pub fraction: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerSpec {
    pub id: String,
    pub when: Condition,
    #[serde(default)]
    pub note: Option<String>,
}

/// A per-replicate condition on outcomes. Name exactly one of `asset` or `side`,
/// and exactly one of `hits_at_least`, `damage_at_least`, `out_of_action = true`, (of a
/// side) `launchers_destroyed_at_least` or (of a ship) `cells_below`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default)]
    pub asset: Option<String>,
    #[serde(default)]
    pub side: Option<String>,
    #[serde(default)]
    pub hits_at_least: Option<u32>,
    #[serde(default)]
    pub damage_at_least: Option<u32>,
    #[serde(default)]
    pub out_of_action: bool,
    /// A fraction of the side's launchers destroyed by strikes (a side only).
    #[serde(default)]
    pub launchers_destroyed_at_least: Option<f64>,
    /// A ship's loaded vertical-launch cells below this many, as its magazine report
    /// says (an asset only).
    #[serde(default)]
    pub cells_below: Option<u32>,
    /// How often the ship reports its magazines (with `cells_below`; default 30 minutes).
    #[serde(default)]
    pub report_every: Option<Clock>,
}

/// A narrative event for the exercise log (the master scenario events list): it changes
/// nothing in the model.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentSpec {
    pub at: Clock,
    pub text: String,
    #[serde(default)]
    pub position: Option<LatLon>,
}

/// A publicly reported outcome of the event a calibration scenario reproduces: the
/// range `[lo, hi]` of a figure of `replicates.csv`, and where it was reported.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedSpec {
    /// A figure name of `replicates.csv`, e.g. `leaked_ballistic` or `hits_nevatim`.
    pub figure: String,
    /// The reported value as `[lo, hi]`; a single reported number is `[n, n]`.
    pub range: [f64; 2],
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}
