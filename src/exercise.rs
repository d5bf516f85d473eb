//! Tabletop exercises: a scenario plus the orders a facilitator injects as it unfolds.
//!
//! An inject is an ordinary order (`[[orders]]` with `inject = true`) at the tick it was
//! given, appended to the scenario's text. The live state at any tick is a replay of
//! replicate 0 from the start: the run is deterministic, and injected salvos are planned
//! after every other track, so the past replays exactly and only the future changes.
//! Saving an exercise is saving that text; a what-if forks the live state into many
//! replicates that share its past and draw their own futures.
//!
//! A decision taken by hand (`Inject::Decide`) is a `[[decide]]` table, a pin: the decision
//! takes that outcome wherever it is taken, in the live run and in every what-if fork. It
//! can be given only while the decision's time is still ahead of the clock, so the past
//! replays unchanged; letting the dice decide is giving no such inject.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::backend::CpuBackend;
use crate::engine::budget::DEFAULT_BUDGET_BYTES;
use crate::engine::params::{DrawnThresholds, Draws};
use crate::engine::plan::{self, Plan};
use crate::engine::posterior::{BUILT_IN_NAME, Posterior};
use crate::geo::LatLon;
use crate::scenario::{self, LoadError, Origin, Scenario};
use crate::world::{RunConfig, Simulation};

/// What a facilitator can order mid-exercise. Ids are the scenario's unit ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Inject {
    Salvo {
        from: String,
        weapon: String,
        count: u32,
        targets: Vec<String>,
        over_s: u32,
    },
    Strike {
        sites: Vec<String>,
        fraction: f64,
    },
    Activate {
        militias: Vec<String>,
    },
    Switch {
        battery: String,
        online: bool,
    },
    Relocate {
        battery: String,
        to: LatLon,
    },
    Divert {
        carrier: String,
        to: LatLon,
        speed_kn: f64,
    },
    /// A decision of the scenario's `[[decisions]]` taken by hand: `outcome` instead of the
    /// dice.
    Decide {
        decision: String,
        outcome: String,
    },
}

fn clock(seconds: u32) -> String {
    crate::scenario::types::Clock(seconds).to_string()
}

fn point(p: LatLon) -> toml::Value {
    let mut t = toml::Table::new();
    t.insert("lat".into(), p.lat.into());
    t.insert("lon".into(), p.lon.into());
    toml::Value::Table(t)
}

fn strings(v: &[String]) -> toml::Value {
    toml::Value::Array(v.iter().map(|s| s.clone().into()).collect())
}

impl Inject {
    /// The inject as an `[[orders]]` table at `seconds` after the start (a decision taken
    /// by hand: a `[[decide]]` table, its note naming the inject and its time).
    pub fn to_toml(&self, id: &str, seconds: u32) -> String {
        let mut action = toml::Table::new();
        let key = match self {
            Inject::Decide { decision, outcome } => {
                let mut pin = toml::Table::new();
                pin.insert("decision".into(), decision.clone().into());
                pin.insert("outcome".into(), outcome.clone().into());
                let note = format!("{id}: taken by hand at {}", clock(seconds));
                pin.insert("note".into(), note.into());
                let mut doc = toml::Table::new();
                doc.insert(
                    "decide".into(),
                    toml::Value::Array(vec![toml::Value::Table(pin)]),
                );
                return toml::to_string(&doc).expect("a decision serializes");
            }
            Inject::Salvo {
                from,
                weapon,
                count,
                targets,
                over_s,
            } => {
                action.insert("from".into(), from.clone().into());
                action.insert("weapon".into(), weapon.clone().into());
                action.insert("count".into(), (*count as i64).into());
                action.insert("targets".into(), strings(targets));
                action.insert("over".into(), clock(*over_s).into());
                "salvo"
            }
            Inject::Strike { sites, fraction } => {
                action.insert("sites".into(), strings(sites));
                action.insert("fraction".into(), (*fraction).into());
                "strike"
            }
            Inject::Activate { militias } => {
                let mut order = toml::Table::new();
                order.insert("id".into(), id.into());
                order.insert("at".into(), clock(seconds).into());
                order.insert("inject".into(), true.into());
                order.insert("activate".into(), strings(militias));
                return orders_table(order);
            }
            Inject::Switch { battery, online } => {
                action.insert("battery".into(), battery.clone().into());
                action.insert("online".into(), (*online).into());
                "switch"
            }
            Inject::Relocate { battery, to } => {
                action.insert("battery".into(), battery.clone().into());
                action.insert("to".into(), point(*to));
                "relocate"
            }
            Inject::Divert {
                carrier,
                to,
                speed_kn,
            } => {
                action.insert("carrier".into(), carrier.clone().into());
                action.insert("to".into(), point(*to));
                action.insert("speed_kn".into(), (*speed_kn).into());
                "divert"
            }
        };
        let mut order = toml::Table::new();
        order.insert("id".into(), id.into());
        order.insert("at".into(), clock(seconds).into());
        order.insert("inject".into(), true.into());
        order.insert(key.into(), toml::Value::Table(action));
        orders_table(order)
    }
}

fn orders_table(order: toml::Table) -> String {
    let mut doc = toml::Table::new();
    doc.insert(
        "orders".into(),
        toml::Value::Array(vec![toml::Value::Table(order)]),
    );
    toml::to_string(&doc).expect("an order serializes")
}

/// One inject as given: when, and what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Given {
    pub tick: u32,
    pub inject: Inject,
}

/// A scenario and the injects given so far.
#[derive(Clone, Debug)]
pub struct Exercise {
    pub origin: Origin,
    pub seed: u32,
    pub injects: Vec<Given>,
}

/// Decision `decision` taken by hand with `outcome` by an inject given at `tick`: the
/// decision's index, or why not: the scenario has no such decision or outcome, its time
/// has come (the live run drew it at its `at`, and the past is not changed), another of
/// `injects` takes it already (apart from the one `replacing`), or the scenario's own text
/// does (`sc` is the exercise's scenario, with its injects' pins).
pub fn check_decide(
    sc: &Scenario,
    injects: &[Given],
    replacing: Option<&Inject>,
    tick: u32,
    (decision, outcome): (&str, &str),
) -> Result<usize, String> {
    let d = sc
        .decisions
        .iter()
        .position(|d| d.id == decision)
        .ok_or_else(|| format!("the scenario has no decision {decision}"))?;
    let dec = &sc.decisions[d];
    if !dec.outcomes.iter().any(|o| o.id == outcome) {
        let ids: Vec<&str> = dec.outcomes.iter().map(|o| o.id.as_str()).collect();
        return Err(format!(
            "{decision} has no outcome {outcome} (its outcomes: {})",
            ids.join(", ")
        ));
    }
    let t = |tick: u32| clock(tick.saturating_mul(sc.tick_seconds));
    if dec.at <= tick {
        return Err(format!(
            "{decision} was taken at T+{}, before T+{}: a decision can be taken by hand only before its time",
            t(dec.at),
            t(tick)
        ));
    }
    let mine = |i: &Inject| matches!(i, Inject::Decide { decision: x, .. } if x == decision);
    let replaced = replacing.is_some_and(mine);
    match injects.iter().position(|g| mine(&g.inject)) {
        Some(k) if !replaced => Err(format!(
            "inject-{} takes {decision} by hand already: edit or remove it",
            k + 1
        )),
        // Taken by hand in the scenario's own text (`[[decide]]`), not by an inject.
        None if dec.forced.is_some() => Err(format!(
            "the scenario takes {decision} by hand ({}): an exercise cannot change it",
            dec.outcomes[dec.forced.unwrap_or(0)].id
        )),
        _ => Ok(d),
    }
}

impl Exercise {
    pub fn new(origin: Origin, seed: u32) -> Exercise {
        Exercise {
            origin,
            seed,
            injects: Vec::new(),
        }
    }

    /// Give `inject` at `tick` when what the exercise alone can check allows it (a decision
    /// taken by hand: [`check_decide`] against `sc`, the exercise's scenario now).
    pub fn give(&mut self, sc: &Scenario, tick: u32, inject: Inject) -> Result<(), String> {
        if let Inject::Decide { decision, outcome } = &inject {
            check_decide(sc, &self.injects, None, tick, (decision, outcome))?;
        }
        self.injects.push(Given { tick, inject });
        Ok(())
    }

    /// The `[[orders]]` text of every inject, in the order given.
    pub fn injects_toml(&self, tick_seconds: u32) -> String {
        self.injects
            .iter()
            .enumerate()
            .map(|(i, g)| {
                g.inject
                    .to_toml(&format!("inject-{}", i + 1), g.tick * tick_seconds)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The scenario with every inject so far, checked like any scenario.
    pub fn scenario(&self) -> Result<Scenario, LoadError> {
        // Injects are given in ticks; their orders are written in the scenario's clock.
        let tick_s = scenario::tick_seconds(self.origin.clone())?;
        scenario::load_with_extra(self.origin.clone(), &self.injects_toml(tick_s))
    }

    /// Replicate 0 of the exercise, replayed up to and including `tick`.
    pub fn replay(&self, tick: u32) -> Result<Simulation, String> {
        let sc = Arc::new(self.scenario().map_err(|e| e.to_string())?);
        let plan = Arc::new(plan_live(&sc, self.seed)?);
        let mut sim = live(sc, plan, self.seed)?;
        sim.advance_to(tick)?;
        Ok(sim)
    }
}

/// The plan of an exercise's live run (one replicate, recording its events), within the
/// default memory budget. Its uncertain figures are drawn per replicate as `hormuz run`
/// draws them by default: from the built-in posterior, and from their priors where it names
/// none (or where it was fitted to other figures); at their point values when the scenario
/// has a figure a run cannot draw.
pub fn plan_live(sc: &Scenario, seed: u32) -> Result<Plan, String> {
    let budget = crate::report::budget(sc, 1, 1, DEFAULT_BUDGET_BYTES);
    let mut plan = plan::build_for(sc, &budget)
        .map(|(p, _)| p)
        .map_err(|e| e.to_string())?;
    if !sc.parameters.is_empty() && sc.parameters.iter().all(DrawnThresholds::reads) {
        let posterior = Arc::new(Posterior::built_in()?);
        let draws = Draws::from_posterior(sc, &plan, seed, posterior, BUILT_IN_NAME)
            .unwrap_or_else(|_| Draws::new(sc, &plan, seed));
        plan.draws = Some(Arc::new(draws));
    }
    Ok(plan)
}

/// The plan of `n` replicates from replicate `first` of a run planned as `plan`: with
/// their rows of drawn thresholds when it draws its parameters (`Draws::batch_plan`).
pub fn batch_plan(plan: &Arc<Plan>, first: u32, n: u32) -> Result<Arc<Plan>, String> {
    match &plan.draws {
        Some(d) => d.batch_plan(plan, first, n),
        None => Ok(plan.clone()),
    }
}

/// A one-replicate simulation that records its events: the live run of the desktop app.
pub fn live(sc: Arc<Scenario>, plan: Arc<Plan>, seed: u32) -> Result<Simulation, String> {
    let config = RunConfig {
        replicates: 1,
        seed,
        record: 0..1,
    };
    let plan = batch_plan(&plan, 0, 1)?;
    let backend = CpuBackend::new(plan.clone(), 1, 0..1, Some(1))?;
    Ok(Simulation::new(sc, plan, &config, Box::new(backend)))
}
