//! Per-replicate draws of a scenario's uncertain figures, on the host, in f64 with `libm`.
//!
//! Replicate `r` of a run with seed `s` takes, for each parameter, the quantile
//! `u(s, r, id)` of its distribution, where `id` is the stable hash of the parameter's draw
//! key (`scenario::uncertain::parameter_id`). Nothing else enters the draw: not the batch a
//! replicate runs in, nor the other parameters, nor where the figure stands in its file.
//! So the same replicate of every scenario sharing the database draws the same parameter
//! set, which is what a joint fit over several calibration events needs.
//!
//! The kernels never see a float from here: the plan turns each drawn value into the u32
//! thresholds (or integer rows) the kernels read, per replicate.

use std::collections::HashMap;
use std::sync::Arc;

use crate::engine::layout::NONE;
use crate::engine::plan::tables::cep_sigma;
use crate::engine::plan::{Plan, sensors};
use crate::engine::posterior::{POSTERIOR_KEY, Posterior};
use crate::engine::rng::threshold;
use crate::scenario::Scenario;
use crate::scenario::types::ThreatClass;
use crate::scenario::uncertain::{Owner, Parameter, parameter_id};

/// Whether a run draws its uncertain figures per replicate or takes their central values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Parameters {
    /// Every figure at its point value (a triangular's mode, a uniform's or beta's
    /// `point`): the runs before uncertain figures existed, byte for byte.
    #[default]
    Point,
    /// Every replicate draws its own parameter set.
    Draw,
}

/// SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a bijection of u64 that mixes every input bit into every
/// output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The uniform number in (0, 1) of parameter `id` in replicate `replicate` of a run with
/// `seed`: 52 random bits, centred in their interval (exactly: below 2^52 an f64 holds
/// every half), so that neither 0 nor 1 occurs.
pub fn quantile_of(seed: u32, replicate: u32, id: u64) -> f64 {
    let mut h = mix(seed as u64 ^ 0x243f_6a88_85a3_08d3);
    h = mix(h ^ replicate as u64);
    h = mix(h ^ id);
    ((h >> 12) as f64 + 0.5) * (1.0 / 4_503_599_627_370_496.0)
}

/// The value of parameter `p` in replicate `replicate`.
pub fn value(p: &Parameter, mode: Parameters, seed: u32, replicate: u32) -> f64 {
    match mode {
        Parameters::Point => p.point(),
        Parameters::Draw => p.value_at(quantile_of(seed, replicate, p.id)),
    }
}

/// The parameter sets of the replicates `first..first + count`: `count` rows of one value
/// per parameter (in the scenario's order, by path). Row `r` depends on `first + r` alone.
pub fn draw_rows(
    params: &[Parameter],
    mode: Parameters,
    seed: u32,
    first: u32,
    count: u32,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(params.len() * count as usize);
    for r in first..first.saturating_add(count) {
        out.extend(params.iter().map(|p| value(p, mode, seed, r)));
    }
    out
}

/// Where a batch's drawn thresholds are in `tables` (`Params::drawn_index`,
/// `drawn_base`, `drawn_words`); all 0 when nothing is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrawnLayout {
    pub index: u32,
    pub base: u32,
    pub words: u32,
}

/// The posterior set (of `sets`) replicate `r` of seed `seed` draws.
fn set_of(seed: u32, r: u32, sets: usize) -> usize {
    let u = quantile_of(seed, r, parameter_id(POSTERIOR_KEY));
    ((u * sets as f64) as usize).min(sets - 1)
}

/// What a run that draws its parameters needs to make each batch's rows: the scenario's
/// parameters, which thresholds they change, the run's seed, and where the values come
/// from.
#[derive(Clone, Debug)]
pub struct Draws {
    pub parameters: Vec<Parameter>,
    pub thresholds: DrawnThresholds,
    pub seed: u32,
    pub source: Source,
}

/// Where a run's parameter values come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Each parameter's own distribution (its prior).
    Prior,
    /// A posterior's accepted sets (`engine::posterior`): per parameter its column there,
    /// or `None` for one the posterior does not name (drawn from its prior).
    Posterior {
        name: String,
        posterior: Arc<Posterior>,
        columns: Vec<Option<usize>>,
    },
}

impl Draws {
    /// Draws from the priors.
    pub fn new(sc: &Scenario, plan: &Plan, seed: u32) -> Draws {
        Draws {
            parameters: sc.parameters.clone(),
            thresholds: DrawnThresholds::new(sc, plan),
            seed,
            source: Source::Prior,
        }
    }

    /// Draws from a posterior's sets where it names a parameter, from the prior elsewhere.
    /// A set's value outside its parameter's range (a posterior fitted to another database)
    /// is refused, naming both.
    pub fn from_posterior(
        sc: &Scenario,
        plan: &Plan,
        seed: u32,
        posterior: Arc<Posterior>,
        name: &str,
    ) -> Result<Draws, String> {
        let mut columns = Vec::with_capacity(sc.parameters.len());
        for p in &sc.parameters {
            let c = posterior.column(&p.path);
            if let Some(c) = c {
                let (low, high) = p.dist.support();
                if let Some((i, v)) = posterior
                    .samples
                    .iter()
                    .map(|s| s[c])
                    .enumerate()
                    .find(|&(_, v)| v < low || v > high)
                {
                    return Err(format!(
                        "{name}: set {i} gives {} = {v}, outside its range [{low}, {high}] in this scenario's figures: the posterior was fitted to other figures (refit with hormuz calibrate --fit)",
                        p.path
                    ));
                }
            }
            columns.push(c);
        }
        Ok(Draws {
            source: Source::Posterior {
                name: name.to_string(),
                posterior,
                columns,
            },
            ..Draws::new(sc, plan, seed)
        })
    }

    /// The parameters a posterior names, of the scenario's (0 when drawing from priors).
    pub fn from_posterior_count(&self) -> usize {
        match &self.source {
            Source::Prior => 0,
            Source::Posterior { columns, .. } => columns.iter().flatten().count(),
        }
    }

    /// What the run's intervals include, in words (summary.json `run.uncertainty`).
    pub fn describe(&self) -> String {
        let n = self.parameters.len();
        match &self.source {
            Source::Prior => format!(
                "parameter and chance uncertainty: {n} uncertain figures drawn per replicate"
            ),
            Source::Posterior { name, .. } => format!(
                "parameter and chance uncertainty: {n} uncertain figures drawn per replicate, {} of them from the posterior {name}, the others from their priors",
                self.from_posterior_count()
            ),
        }
    }

    /// Parameter `i`'s value in replicate `r`: the entry of [`Draws::values`]' row, for a
    /// reader that needs a few parameters of every replicate (the unit costs).
    pub fn value_of(&self, r: u32, i: usize) -> f64 {
        let p = &self.parameters[i];
        match &self.source {
            Source::Posterior {
                posterior, columns, ..
            } if columns[i].is_some() => {
                posterior.samples[set_of(self.seed, r, posterior.samples.len())]
                    [columns[i].unwrap_or(0)]
            }
            _ => value(p, Parameters::Draw, self.seed, r),
        }
    }

    /// The parameter values of replicates `first..first + n`, row by row: each row a
    /// function of its replicate alone.
    pub fn values(&self, first: u32, n: u32) -> Vec<f64> {
        let Source::Posterior {
            posterior, columns, ..
        } = &self.source
        else {
            return draw_rows(&self.parameters, Parameters::Draw, self.seed, first, n);
        };
        let sets = posterior.samples.len();
        let mut out = Vec::with_capacity(self.parameters.len() * n as usize);
        for r in first..first.saturating_add(n) {
            let set = &posterior.samples[set_of(self.seed, r, sets)];
            for (p, c) in self.parameters.iter().zip(columns) {
                out.push(match c {
                    Some(c) => set[*c],
                    None => value(p, Parameters::Draw, self.seed, r),
                });
            }
        }
        out
    }

    /// The plan of the batch of replicates `first..first + n`: the run's, its `tables`
    /// followed by the index of drawn thresholds ([`DrawnThresholds::sites`] words) and
    /// the replicates' rows. Refused when the tables would outgrow what a u32 index reaches.
    pub fn batch_plan(
        &self,
        plan: &std::sync::Arc<Plan>,
        first: u32,
        n: u32,
    ) -> Result<std::sync::Arc<Plan>, String> {
        let t = &self.thresholds;
        let words = t.words();
        if words == 0 {
            return Ok(plan.clone());
        }
        let sites = DrawnThresholds::sites(plan);
        let total = plan.tables.len() as u64 + sites as u64 + n as u64 * words as u64;
        if total > (u32::MAX / 2) as u64 {
            return Err(format!(
                "{n} replicates of {words} drawn thresholds each do not fit the kernels' tables: use a smaller --memory-budget (smaller batches)"
            ));
        }
        let mut p = (**plan).clone();
        p.batch_of = p.draws.take();
        let mut index = vec![NONE; sites];
        for &(site, word) in &t.entries {
            index[site as usize] = word;
        }
        p.drawn.index = p.tables.len() as u32;
        p.tables.extend_from_slice(&index);
        p.drawn.base = p.tables.len() as u32;
        p.drawn.words = words as u32;
        p.tables.reserve(n as usize * words);
        let values = self.values(first, n);
        let np = self.parameters.len();
        for r in 0..n as usize {
            t.row(&values[r * np..(r + 1) * np], &mut p.tables);
        }
        Ok(std::sync::Arc::new(p))
    }
}

/// A drawn value as the plan would have it: a parameter (index into
/// `Scenario::parameters`, or `NONE`) and the point value it replaces.
type Part = (u32, f64);

/// The thresholds the kernels read that depend on drawn parameters. Each *site* is one
/// threshold of the plan, numbered as the kernels' helpers number them (`cpu/mod.rs`,
/// `common.wgsl`): the kill thresholds (`slot * weapons + weapon`, as `plan::kill_table`
/// lays them out: the interceptor's Pk against the weapon's class times the weapon's
/// manoeuvre factor at the battery's tier), then each weapon's in-flight reliability
/// (`WeaponRow::flight_ok`), then each slot's round reliability (`SlotRow::reliability`),
/// then each track's detection (`Track::detect`: its target's side against its class),
/// then each track's launch (`Track::launch_ok`: its weapon's launch reliability times its
/// launch site's), then each weapon's scatter (`WeaponRow::scatter`, from its CEP).
/// A replicate's row holds a word for each distinct threshold a drawn parameter changes;
/// several sites may read one word (every track of a side and class).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DrawnThresholds {
    /// The sites drawn, ascending, each with its word in a replicate's row.
    pub entries: Vec<(u32, u32)>,
    /// Per word, the factors whose product is its value, and how that value becomes the
    /// word the kernels read.
    parts: Vec<([Part; 2], Word)>,
}

/// How a drawn value becomes a kernel's word, as the plan makes the same word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Word {
    /// A probability: `rng::threshold`.
    Threshold,
    /// A CEP in metres: the per-axis sigma in frame units (`plan::tables::cep_sigma`).
    Sigma,
    /// A track's detection: the side's drawn value with what its batteries' own sensors
    /// add (`plan::sensors::detection`).
    Detection,
}

impl DrawnThresholds {
    /// Sites of a plan: kill thresholds, flight reliabilities, round reliabilities,
    /// detections, launches, scatters.
    pub fn sites(plan: &Plan) -> usize {
        let (slots, weapons) = (plan.slots.len(), plan.weapons.len());
        slots * weapons + weapons + slots + 2 * plan.tracks.len() + weapons
    }

    pub fn new(sc: &Scenario, plan: &Plan) -> DrawnThresholds {
        let slots = &plan.slots;
        let mut by_field: HashMap<(Owner, &str), u32> = HashMap::new();
        for (i, p) in sc.parameters.iter().enumerate() {
            by_field.insert((p.owner, p.field.as_str()), i as u32);
        }
        let find =
            |owner: Owner, field: &str| by_field.get(&(owner, field)).copied().unwrap_or(NONE);
        let mut out = DrawnThresholds::default();
        let mut add = |site: usize, parts: [Part; 2]| {
            if parts.iter().any(|p| p.0 != NONE) {
                out.entries.push((site as u32, out.parts.len() as u32));
                out.parts.push((parts, Word::Threshold));
            }
        };
        let weapons = sc.weapons.len();
        for (s, slot) in slots.iter().enumerate() {
            let ic = slot.interceptor as usize;
            let tier = sc.batteries[slot.battery as usize].tier;
            for (w, weapon) in sc.weapons.iter().enumerate() {
                let class = weapon.class;
                let pk = find(Owner::Interceptor(ic), &format!("pk.{}", class.name()));
                let tier_field = format!("manoeuvre.tier{}", tier.clamp(1, 4));
                let factor = find(Owner::Weapon(w), &tier_field);
                add(
                    s * weapons + w,
                    [
                        (pk, sc.interceptors[ic].pk[class.index()]),
                        (factor, weapon.manoeuvre_factor(tier)),
                    ],
                );
            }
        }
        let flight = slots.len() * weapons;
        for (w, weapon) in sc.weapons.iter().enumerate() {
            let p = find(Owner::Weapon(w), "flight_reliability");
            add(flight + w, [(p, weapon.flight_reliability), (NONE, 1.0)]);
        }
        let rounds = flight + weapons;
        for (s, slot) in slots.iter().enumerate() {
            let ic = slot.interceptor as usize;
            let p = find(Owner::Interceptor(ic), "reliability");
            add(
                rounds + s,
                [(p, sc.interceptors[ic].reliability), (NONE, 1.0)],
            );
        }
        // One word per (side, class, what the batteries' own sensors add) drawn, read by
        // every such track aimed at that side (`plan::sensors`).
        let detect = rounds + slots.len();
        let mut words: HashMap<(usize, usize, u64), u32> = HashMap::new();
        for (k, track) in plan.tracks.iter().enumerate() {
            let side = sc.assets[track.target as usize].side;
            let class = sc.weapons[track.weapon as usize].class.index();
            let field = format!("detection.{}", ThreatClass::ALL[class].name());
            let p = find(Owner::Side(side), &field);
            if p == NONE {
                continue;
            }
            let first = track.opp_first as usize;
            let opps = &plan.opportunities[first..first + track.opp_count as usize];
            let sensed =
                sensors::sensed(sc, ThreatClass::ALL[class], opps.iter().map(|o| o.battery));
            let word = *words
                .entry((side, class, sensed.to_bits()))
                .or_insert_with(|| {
                    out.parts.push((
                        [(p, sc.sides[side].detection[class]), (NONE, sensed)],
                        Word::Detection,
                    ));
                    out.parts.len() as u32 - 1
                });
            out.entries.push(((detect + k) as u32, word));
        }
        // One word per (weapon, launch site) whose weapon's launch reliability is drawn.
        let launch = detect + plan.tracks.len();
        let mut words: HashMap<(usize, usize), u32> = HashMap::new();
        for (k, info) in plan.track_info.iter().enumerate() {
            let p = find(Owner::Weapon(info.weapon), "launch_reliability");
            if p == NONE {
                continue;
            }
            let word = *words.entry((info.weapon, info.site)).or_insert_with(|| {
                out.parts.push((
                    [
                        (p, sc.weapons[info.weapon].launch_reliability),
                        (NONE, sc.sites[info.site].launch_reliability),
                    ],
                    Word::Threshold,
                ));
                out.parts.len() as u32 - 1
            });
            out.entries.push(((launch + k) as u32, word));
        }
        let scatter = launch + plan.tracks.len();
        for (w, weapon) in sc.weapons.iter().enumerate() {
            let p = find(Owner::Weapon(w), "cep_m");
            if p != NONE {
                out.entries
                    .push(((scatter + w) as u32, out.parts.len() as u32));
                out.parts
                    .push(([(p, weapon.cep_m), (NONE, 1.0)], Word::Sigma));
            }
        }
        out
    }

    /// Words of a replicate's row.
    pub fn words(&self) -> usize {
        self.parts.len()
    }

    /// Whether a run reads this parameter per replicate: the kernels (through a drawn
    /// word), or the report (unit costs, `report::figures`). The others are refused by a
    /// run that draws.
    pub fn reads(p: &Parameter) -> bool {
        match p.owner {
            Owner::Interceptor(_) => {
                p.field.starts_with("pk.") || p.field == "reliability" || p.field == "cost_usd"
            }
            Owner::Weapon(_) => {
                p.field.starts_with("manoeuvre.")
                    || p.field == "flight_reliability"
                    || p.field == "launch_reliability"
                    || p.field == "cep_m"
                    || p.field == "cost_usd"
            }
            Owner::Side(_) => p.field.starts_with("detection."),
            // Drawn on the host with the replicate's decisions (`engine::decisions`).
            Owner::Decision(_) => true,
        }
    }

    /// A replicate's row, from its parameter values (one per `Scenario::parameters`),
    /// appended to `out`: the same product, and threshold, as the plan's own.
    pub fn row(&self, values: &[f64], out: &mut Vec<u32>) {
        let value = |(p, point): Part| if p == NONE { point } else { values[p as usize] };
        out.extend(self.parts.iter().map(|&([a, b], word)| {
            let v = value(a) * value(b);
            match word {
                Word::Threshold => threshold(v),
                Word::Sigma => cep_sigma(v),
                Word::Detection => threshold(sensors::detection(value(a), value(b))),
            }
        }));
    }
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
