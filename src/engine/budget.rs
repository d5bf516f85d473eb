//! What a run costs in memory, computed from the same sizes and types as the allocations,
//! and the check that refuses a run over its budget before anything proportional to it is
//! allocated: before planning (from the threats the scenario plans), while planning (as
//! engagement opportunities are found) and before the replicates' state.
//!
//! A run streams through batches of replicates (`world::run_batches`): the estimate holds
//! one batch's state, as many replicates as the budget allows up to the backend's cap, and
//! gives the batch size the run then uses.
//!
//! The estimate is what the run allocates on top of the program itself (its code, the
//! built-in scenarios, thread stacks: a fixed baseline of a few tens of MiB, measured by
//! `tests/bounds.rs`). `tests/bounds.rs` also checks that a run's peak resident memory,
//! less that baseline, is within 1.25 times the estimate either way.

use std::mem::size_of;

use super::cpu::Lane;
use super::layout::*;
use super::plan::{Group, Plan, SlotInfo, Spec, TrackInfo};
use crate::scenario::{Place, Scenario};

/// Replicates per batch on the CPU, at most: enough that the host's work per tick is
/// spread over many replicates, few enough that a batch's rows stay in the caches
/// (`hormuz bench` shows the effect). The memory budget may ask for fewer.
pub const CPU_BATCH: u32 = 2048;
/// Replicates per batch on the GPU, at most: a device wants as many as it can hold (its
/// own limits split them further, see `gpu::batch_sizes`).
pub const GPU_BATCH: u32 = 1 << 20;

/// Distinct values a figure's summary histogram holds before it is spilled to selection
/// passes over `replicates.csv` (`report::StatAcc`).
pub const SUMMARY_DISTINCT: u64 = 1 << 16;
/// Bytes of one value of a summary histogram: a `BTreeMap<u64, u64>` entry with its share
/// of the nodes (about two thirds full) and of their heap blocks.
const HISTOGRAM_ENTRY: u64 = 32;
/// Bytes of one figure's accumulator per outcome of a decision (`report::paths`): its
/// count, sums, extremes and empty histogram, with room to spare.
const OUTCOME_ACCUMULATOR: u64 = 128;

/// The memory budget of a run when none is given (`--memory-budget 4GiB`), and of the
/// exercise app's live run and what-ifs.
pub const DEFAULT_BUDGET_BYTES: u64 = 4 << 30;

/// The heap block the allocator gives `bytes` (glibc: a size word, rounded up to 16 bytes,
/// at least 32); none for nothing.
fn block(bytes: u64) -> Option<u64> {
    match bytes {
        0 => Some(0),
        b => Some(b.checked_add(8 + 15)? / 16 * 16).map(|b| b.max(32)),
    }
}
/// A `Vec`'s own bytes where it is held in a struct or a list.
const VEC: u64 = size_of::<Vec<u8>>() as u64;

/// The sizes a run's memory follows. Known from the scenario before anything is planned
/// ([`Sizes::of_scenario`]: the threats exactly, no engagement opportunity yet), and from
/// the plan after ([`Sizes::of_plan`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sizes {
    pub tracks: u64,
    pub opportunities: u64,
    pub groups: u64,
    pub slots: u64,
    pub batteries: u64,
    pub assets: u64,
    pub weapons: u64,
    pub launchers: u64,
    pub triggers: u64,
    /// Fire-control words per replicate: every battery's channels and radar tracks.
    pub fire_control: u64,
}

impl Sizes {
    /// Before planning: the threats the scenario plans (`Scenario::planned_tracks`), and
    /// no opportunity (planning finds them, checking the budget as it goes).
    pub fn of_scenario(sc: &Scenario) -> Sizes {
        let salvos = (0..sc.orders.len())
            .filter(|&o| sc.salvo_rounds(o).is_some())
            .count();
        let militias = sc.sites.iter().filter(|s| s.militia.is_some()).count();
        Sizes {
            tracks: sc.planned_tracks(),
            opportunities: 0,
            groups: (salvos + militias) as u64,
            slots: sc.batteries.iter().map(|b| b.magazines.len() as u64).sum(),
            batteries: sc.batteries.len() as u64,
            assets: sc.assets.len() as u64,
            weapons: sc.weapons.len() as u64,
            launchers: sc.total_launchers(),
            triggers: sc.triggers.len() as u64,
            fire_control: sc
                .batteries
                .iter()
                .map(|b| b.channels as u64 + b.radar_tracks.unwrap_or(0) as u64)
                .sum(),
        }
    }

    /// After planning: the plan's own tables.
    pub fn of_plan(plan: &Plan, sc: &Scenario) -> Sizes {
        Sizes {
            tracks: plan.tracks.len() as u64,
            opportunities: plan.opportunities.len() as u64,
            groups: plan.groups.len() as u64,
            slots: plan.slots.len() as u64,
            batteries: plan.batteries.len() as u64,
            assets: plan.assets.len() as u64,
            weapons: plan.weapons.len() as u64,
            launchers: plan.launchers as u64,
            triggers: sc.triggers.len() as u64,
            fire_control: plan.fire_control.len() as u64,
        }
    }

    fn launcher_words(&self) -> u64 {
        self.launchers.div_ceil(32).max(1)
    }
}

/// The run a plan is for, and the memory it may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Bytes the run may allocate (`--memory-budget`).
    pub bytes: u64,
    pub replicates: u32,
    /// Replicates whose events are recorded (`--event-replicates`).
    pub recorded: u32,
    /// Figures per replicate in the report (`report::table(scenario).len()`): one row of
    /// `f64`s each.
    pub figures: u64,
    /// Of which, figures whose values need not repeat (money): their summary histograms
    /// may hold a value per replicate. The others count threats, rounds and hits, and
    /// take at most one value more than there are threats.
    pub many_valued: u64,
    /// Figures split by a decision's outcomes (`report::paths`: each decision's headline
    /// figures): a decision's outcomes share one figure's histogram room, so each holds up
    /// to `SUMMARY_DISTINCT` values like a many-valued figure.
    pub split_figures: u64,
    /// Their accumulators, one per outcome of each (fixed size, `OUTCOME_ACCUMULATOR`).
    pub outcome_figures: u64,
    /// Replicates a batch may hold at most ([`CPU_BATCH`], [`GPU_BATCH`]) when the run is
    /// streamed, the estimate taking as many as fit; `None` for a run held whole (a sweep's
    /// point, a calibration event, a what-if).
    pub batch_cap: Option<u32>,
}

impl Budget {
    /// The same run streamed through batches of at most `cap` replicates.
    pub fn streamed(self, cap: u32) -> Budget {
        Budget {
            batch_cap: Some(cap),
            ..self
        }
    }
}

/// Bytes a run needs, by what they are for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    pub replicates: u32,
    /// Replicates held at once: the batch size of the run (all of them when it fits).
    pub batch: u32,
    /// Shared by every replicate: the plan's tables and the host loop's per-track lists.
    pub shared: u64,
    /// Planning's own lists, freed before the replicates' state is allocated.
    pub planning: u64,
    /// One replicate's state: the kernels' rows, the host's copy of what it decides, the
    /// final state read back, its row of figures.
    pub per_replicate: u64,
    /// Of which, the state of its threats, and the bits of its launchers.
    pub threat_state: u64,
    pub launcher_state: u64,
    /// Each replicate whose events are recorded, on top.
    pub per_recorded: u64,
    /// The summary's histograms, which grow with the run's replicates (up to
    /// `SUMMARY_DISTINCT` values a figure), not with its batches.
    pub summary: u64,
    /// The whole run: `shared` + the larger of `planning` and a batch's state (with the
    /// recorded replicates' events).
    pub total: u64,
}

/// Events a recorded threat leaves on average: its launch, its end, and engagements
/// (`gulf-2026` averages about four; `tests/bounds.rs` measures it).
const EVENTS_KEPT_PER_THREAT: u64 = 4;

/// Bytes per track of one replicate: its row, wake, candidate and work-list slots in the
/// kernels' state (`BYTES_PER_THREAT`), the CPU's two memo words (`cpu::Lane::engages`,
/// `cpu::Lane::open`), and its row again in the final state read back.
pub const BYTES_PER_THREAT_REPLICATE: u64 = (BYTES_PER_THREAT + 8 + size_of::<Threat>()) as u64;

/// The bytes of a run of `budget.replicates` replicates of a plan of these sizes; `None`
/// when they do not fit a `u64` (over any budget).
pub fn estimate(s: &Sizes, budget: &Budget) -> Option<Estimate> {
    let mul = |a: u64, b: u64| a.checked_mul(b);
    let sum = |parts: &[Option<u64>]| {
        parts
            .iter()
            .try_fold(0u64, |acc, p| p.and_then(|p| acc.checked_add(p)))
    };
    let u = |n: usize| n as u64;
    // Per track, shared: the plan's row and host-side facts, `track_next` in the host loop
    // and in the CPU backend, and the active list (at most every track).
    let per_track = u(size_of::<Track>() + size_of::<TrackInfo>() + 3 * 4);
    let shared = sum(&[
        mul(s.tracks, per_track),
        mul(s.opportunities, u(size_of::<Opportunity>())),
        mul(s.groups, u(size_of::<Group>())),
        mul(
            s.slots,
            u(size_of::<SlotRow>() + size_of::<SlotInfo>() + size_of::<MagazineState>()),
        ),
        mul(s.batteries, u(2 * size_of::<BatteryRow>())),
        mul(s.assets, u(size_of::<AssetRow>())),
        mul(s.weapons, u(size_of::<WeaponRow>())),
        mul(s.fire_control, 4),
    ])?;
    // Planning: every launch's spec, then the tracks swept a chunk at a time.
    let chunk = s.tracks.min(super::plan::CHUNK as u64);
    let planning = sum(&[
        mul(s.tracks, u(size_of::<Spec>())),
        mul(chunk, super::plan::BYTES_PER_SWEPT_TRACK),
    ])?;
    // One replicate's lane (`cpu::Lane`: the kernels' state, a heap block per list), its
    // share of the final state read back and of the host's per-replicate lists (one long
    // list each: no block of their own), and its row of figures.
    let counters = sum(&[
        mul(s.weapons, u(4 * WEAPON_COUNTERS as usize)),
        mul(s.slots, u(4 * SLOT_COUNTERS as usize)),
    ])?;
    let threats = mul(s.tracks, u(size_of::<Threat>()))?;
    let ticks = mul(s.tracks, 4)?; // a u32 per track: wakes, candidates, work list, memo
    let magazines = mul(s.slots, u(size_of::<MagazineState>()))?;
    let assets = mul(s.assets, u(size_of::<AssetState>()))?;
    let groups = mul(s.groups, 4)?;
    let launchers = mul(s.launcher_words(), 4)?;
    let fire_control = mul(s.fire_control, 4)?;
    let calendar = u(CALENDAR_WORDS as usize * 4);
    let lane = sum(&[
        Some(u(size_of::<Lane>())),
        block(threats),
        block(ticks), // wake
        block(ticks), // link
        block(ticks), // candidates
        block(ticks), // pairs
        block(ticks), // engages (the CPU's memo of `engageable`)
        block(ticks), // open (the CPU's memo of a candidate's open windows)
        block(calendar),
        block(magazines),
        // The CPU's looks at each slot in a tick (`cpu::Lane::looks`, `looked`).
        block(mul(s.slots, u(size_of::<super::cpu::advance::SlotLook>()))?),
        block(s.slots.div_ceil(32) * 4),
        block(counters),
        block(assets),
        block(groups),
        block(launchers),
        block(fire_control),
    ])?;
    let threat_state = sum(&[block(threats), mul(ticks, 6), Some(threats)])?;
    // The lane's, and the host's copy (strikes decide there).
    let launcher_state = sum(&[block(launchers), Some(launchers)])?;
    // The host reads assets back for triggers, and holds the old copy while it does; and
    // the magazines, at a magazine report (a `cells_below` trigger).
    let read_back = if s.triggers > 0 { 2 } else { 0 };
    let host = sum(&[
        Some(groups),
        Some(launchers),
        mul(s.triggers, 4),
        mul(assets, read_back),
        mul(magazines, read_back / 2),
    ])?;
    // The final state read back: threats, magazines, counters, assets; and the fired
    // triggers the host hands over with it.
    let last = sum(&[
        Some(threats),
        Some(magazines),
        Some(counters),
        Some(assets),
        mul(s.triggers, 4),
    ])?;
    // The row of figures, and a column and its sorted copy while summarising: made once
    // the lanes and the host's lists are freed.
    let report = sum(&[block(mul(budget.figures, 8)?), Some(VEC + 2 * 8)])?;
    let per_replicate = last.checked_add(lane.checked_add(host)?.max(report))?;
    // Events: the lane's buffer for one tick, and what the host keeps of the run (a
    // replicate and an event each).
    let event = u(size_of::<Event>());
    let per_recorded = sum(&[
        block(mul(s.tracks, u(EVENTS_PER_THREAT_TICK as usize) * event)?),
        mul(s.tracks, EVENTS_KEPT_PER_THREAT * (event + 4)),
    ])?;
    let recorded = mul(per_recorded, budget.recorded.min(budget.replicates) as u64)?;
    // The summary's histograms, which grow with the run's replicates, not the batch's.
    let values = (budget.replicates as u64).min(SUMMARY_DISTINCT);
    let summary = sum(&[
        mul(budget.many_valued, values * HISTOGRAM_ENTRY),
        mul(
            budget.figures.saturating_sub(budget.many_valued),
            values.min(s.tracks.saturating_add(1)) * HISTOGRAM_ENTRY,
        ),
        mul(budget.split_figures, values * HISTOGRAM_ENTRY),
        mul(budget.outcome_figures, OUTCOME_ACCUMULATOR),
    ])?;
    let held_apart = recorded.checked_add(summary)?;
    // Streamed: as many replicates as fit beside what the run shares and records, up to
    // the cap; at least one (a run that cannot hold one is over the budget). Held whole:
    // all of them.
    let all = budget.replicates.max(1);
    let batch = match budget.batch_cap {
        Some(cap) => {
            let room = budget
                .bytes
                .saturating_sub(shared)
                .saturating_sub(held_apart);
            let fit = room / per_replicate.max(1);
            fit.clamp(1, cap.min(all).max(1) as u64) as u32
        }
        None => all,
    };
    let replicates = sum(&[mul(per_replicate, batch as u64), Some(held_apart)])?;
    Some(Estimate {
        replicates: budget.replicates,
        batch,
        shared,
        planning,
        per_replicate,
        threat_state,
        launcher_state,
        per_recorded,
        summary,
        total: shared.checked_add(planning.max(replicates))?,
    })
}

impl Budget {
    /// The estimate of a run of a plan of these sizes, or an error when it is over the
    /// budget; `sc` names the places that cost the most.
    pub fn check(&self, sc: &Scenario, sizes: &Sizes) -> Result<Estimate, BudgetError> {
        match estimate(sizes, self) {
            Some(e) if e.total <= self.bytes => Ok(e),
            e => Err(BudgetError {
                file: sc.file.clone(),
                sizes: Box::new(*sizes),
                culprit: culprit(sc, sizes, e.as_ref()),
                estimate: e.map(Box::new),
                budget: *self,
            }),
        }
    }
}

/// The order or militia that plans the most threats, or the site with the most
/// launchers, when that is what costs the most: "orders[0] (wave) at f.toml:12:1 plans 100".
fn culprit(sc: &Scenario, sizes: &Sizes, e: Option<&Estimate>) -> Option<String> {
    let launchers_cost_most = e.is_some_and(|e| e.launcher_state > e.threat_state);
    let at = |p: &Place| format!("{} at {}:{}:{}", p.path, p.file, p.line, p.column);
    if launchers_cost_most || sizes.tracks == 0 {
        let s = sc.sites.iter().max_by_key(|s| s.launchers)?;
        return Some(format!(
            "the most launchers, {}, are {} ({})",
            s.launchers,
            at(&s.at),
            s.id
        ));
    }
    let orders = (0..sc.orders.len())
        .filter_map(|o| Some((sc.salvo_rounds(o)?, &sc.orders[o].at, &sc.orders[o].id)));
    let militias = (0..sc.sites.len())
        .filter_map(|s| Some((sc.militia_rounds(s)?, &sc.sites[s].at, &sc.sites[s].id)));
    let (rounds, place, id) = orders.chain(militias).max_by_key(|g| g.0.tracks)?;
    Some(format!(
        "the most threats, {}, are planned by {} ({})",
        rounds.tracks,
        at(place),
        id
    ))
}

/// A run that would not fit the memory budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetError {
    /// The scenario file, as diagnostics name it.
    pub file: String,
    pub sizes: Box<Sizes>,
    /// `None` when the bytes do not even fit a `u64`.
    pub estimate: Option<Box<Estimate>>,
    pub budget: Budget,
    /// What costs the most, and where it is written.
    pub culprit: Option<String>,
}

impl std::fmt::Display for BudgetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (s, b) = (&self.sizes, &self.budget);
        let need = match &self.estimate {
            Some(e) => human_bytes(e.total),
            None => "more than 16 EiB".into(),
        };
        // Replicates held at once: the whole run, or one batch of a streamed run.
        let held = self.estimate.as_ref().map_or(b.replicates, |e| e.batch);
        let batches = if held < b.replicates {
            format!(" in batches of {held}")
        } else {
            String::new()
        };
        write!(
            f,
            "{}: {} threats x {} replicates{batches} need {need}, over the memory budget of {}",
            self.file,
            s.tracks,
            b.replicates,
            human_bytes(b.bytes)
        )?;
        if let Some(e) = &self.estimate {
            let r = held as u64;
            write!(
                f,
                " ({} of threat state at {BYTES_PER_THREAT_REPLICATE} bytes per threat per replicate, {} for {} launchers, {} of other state, {} for the plan",
                human_bytes(e.threat_state * r),
                human_bytes(e.launcher_state * r),
                s.launchers,
                human_bytes(
                    e.per_replicate
                        .saturating_sub(e.threat_state + e.launcher_state)
                        * r
                ),
                human_bytes(e.shared),
            )?;
            if s.opportunities > 0 {
                write!(f, " with {} engagement opportunities", s.opportunities)?;
            }
            let recorded = b.recorded.min(b.replicates) as u64;
            if recorded > 0 {
                write!(
                    f,
                    ", {} for the events of {recorded} recorded replicate{}",
                    human_bytes(e.per_recorded * recorded),
                    if recorded == 1 { "" } else { "s" }
                )?;
            }
            if e.summary > 0 {
                write!(f, ", {} for the summary", human_bytes(e.summary))?;
            }
            if e.planning > e.per_replicate * r {
                // Planning's lists are freed before the replicates' state: the larger counts.
                write!(f, ", {} while planning", human_bytes(e.planning))?;
            }
            f.write_str(")")?;
        }
        if let Some(c) = &self.culprit {
            write!(f, "; {c}")?;
        }
        if held < b.replicates {
            // Streamed, and one replicate does not fit: fewer replicates would not help.
            f.write_str("; plan fewer threats or raise --memory-budget")
        } else {
            f.write_str("; run fewer replicates, plan fewer threats or raise --memory-budget")
        }
    }
}

impl std::error::Error for BudgetError {}

/// A size for people: "100 B", "512 KiB", "3.5 MiB", "1.25 GiB", "2.00 TiB".
pub fn human_bytes(b: u64) -> String {
    let x = b as f64;
    let k = 1024f64;
    if x >= k.powi(4) {
        format!("{:.2} TiB", x / k.powi(4))
    } else if x >= k.powi(3) {
        format!("{:.2} GiB", x / k.powi(3))
    } else if x >= k.powi(2) {
        format!("{:.1} MiB", x / k.powi(2))
    } else if b >= 1024 {
        format!("{:.0} KiB", x / k)
    } else {
        format!("{b} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_the_largest_unit_that_fits() {
        assert_eq!(human_bytes(1), "1 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024 / 4), "1.25 GiB");
        assert_eq!(human_bytes(2 << 40), "2.00 TiB");
    }

    fn budget(replicates: u32) -> Budget {
        Budget {
            bytes: 1 << 30,
            replicates,
            recorded: 1,
            figures: 100,
            many_valued: 10,
            split_figures: 0,
            outcome_figures: 0,
            batch_cap: None,
        }
    }

    #[test]
    fn the_estimate_grows_with_every_size_and_overflows_to_none() {
        let s = Sizes {
            tracks: 1000,
            opportunities: 5000,
            groups: 3,
            slots: 10,
            batteries: 5,
            assets: 8,
            weapons: 4,
            launchers: 100,
            triggers: 2,
            fire_control: 12,
        };
        // Enough replicates that their state, not planning's lists, sets the total.
        let e = estimate(&s, &budget(1000)).unwrap();
        // The rows, and the heap blocks that hold them.
        let rows = 1000 * BYTES_PER_THREAT_REPLICATE;
        assert!(
            (rows..rows + 64).contains(&e.threat_state),
            "{}",
            e.threat_state
        );
        assert!(e.total > 1000 * e.per_replicate + e.shared);
        let grow = |f: fn(&mut Sizes)| {
            let mut t = s;
            f(&mut t);
            estimate(&t, &budget(1000)).unwrap().total
        };
        for (what, more) in [
            ("tracks", grow(|t| t.tracks += 1)),
            ("opportunities", grow(|t| t.opportunities += 1)),
            ("slots", grow(|t| t.slots += 1)),
            ("assets", grow(|t| t.assets += 1)),
            ("launchers", grow(|t| t.launchers += 32)),
            ("triggers", grow(|t| t.triggers += 1)),
            ("fire_control", grow(|t| t.fire_control += 1)),
        ] {
            assert!(more > e.total, "{what}");
        }
        // Figures split by a decision's outcomes hold histograms of their own.
        let split = Budget {
            split_figures: 3,
            outcome_figures: 9,
            ..budget(1000)
        };
        let e2 = estimate(&s, &split).unwrap();
        assert_eq!(
            e2.summary,
            e.summary + 3 * 1000 * HISTOGRAM_ENTRY + 9 * OUTCOME_ACCUMULATOR
        );
        let huge = Sizes {
            tracks: u64::MAX / 2,
            ..s
        };
        assert_eq!(estimate(&huge, &budget(3)), None);
    }
}
