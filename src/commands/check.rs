//! `hormuz check`: validate a scenario and its database, and print its size and the
//! memory a run of it needs.

use std::path::PathBuf;

use clap::Args;

use super::flags::{self, DEFAULT_MEMORY_BUDGET, DEFAULT_REPLICATES, parse_bytes};
use super::load;
use crate::engine::budget::{CPU_BATCH, human_bytes};
use crate::engine::layout::MAX_OPPORTUNITIES;
use crate::engine::plan::MAX_SWEEP_STEPS;
use crate::error::Failure;
use crate::scenario::launches::Rounds;
use crate::scenario::types::Clock;
use crate::scenario::{Scenario, ThreatClass};

/// The scenario, and the run the memory estimate assumes (the flags of `run`, without the
/// seed and threads a check does not use).
#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Scenario file to check.
    pub scenario: PathBuf,
    /// Replicates the memory estimate assumes.
    #[arg(short = 'n', long, default_value_t = DEFAULT_REPLICATES, value_parser = flags::replicates())]
    pub replicates: u32,
    /// Memory the run may use (its plan and its replicates' state), e.g. 4GiB or 512MiB.
    #[arg(long, default_value = DEFAULT_MEMORY_BUDGET, value_parser = parse_bytes)]
    pub memory_budget: u64,
}

pub fn main(a: &CheckArgs) -> Result<(), Failure> {
    // A run streams through batches: one batch is what must fit.
    let (sc, plan, need) = load(
        Some(&a.scenario),
        a.replicates,
        1,
        a.memory_budget,
        CPU_BATCH,
    )?;
    let by_class = plan.tracks_by_class(&sc);
    println!("{}: ok", sc.file);
    println!("  {}", sc.name);
    println!(
        "  {} sides, {} assets, {} defensive units, {} launch sites and militias ({} launchers), {} orders, {} triggers",
        sc.sides.len(),
        sc.assets.len(),
        sc.batteries.len(),
        sc.sites.len(),
        plan.launchers,
        sc.orders.len(),
        sc.triggers.len()
    );
    if !sc.decisions.is_empty() {
        // The paths a replicate can take, and the decisions a run takes by hand.
        // In the order they are taken, as the run's table lists them.
        let each: Vec<String> = crate::engine::decisions::draw_order(&sc)
            .into_iter()
            .map(|k| {
                let d = &sc.decisions[k];
                let outcomes: Vec<&str> = d.outcomes.iter().map(|o| o.id.as_str()).collect();
                format!("{} ({})", d.id, outcomes.join(" / "))
            })
            .collect();
        println!("  {} decisions: {}", sc.decisions.len(), each.join(", "));
    }
    let classes: Vec<String> = ThreatClass::ALL
        .iter()
        .map(|c| format!("{} {}", by_class[c.index()], c.name()))
        .collect();
    println!(
        "  {} threats planned per replicate: {}",
        plan.tracks.len(),
        classes.join(", ")
    );
    println!(
        "  {} engagement opportunities ({} sweep steps of at most {}); {} ticks of {} s",
        plan.opportunities.len(),
        plan.sweep_steps,
        MAX_SWEEP_STEPS,
        sc.ticks,
        sc.tick_seconds
    );
    let batches = if need.batch < a.replicates {
        format!(" in batches of {}", need.batch)
    } else {
        String::new()
    };
    println!(
        "  memory for {} replicates{batches}: {} (budget {}): {} shared, {} per replicate",
        a.replicates,
        human_bytes(need.total),
        human_bytes(a.memory_budget),
        human_bytes(need.shared),
        human_bytes(need.per_replicate)
    );
    for (what, rounds, id) in left_out(&sc) {
        println!(
            "  note: {what} {id}: {} of its {} rounds would launch after the end ({}) and are not planned",
            rounds.after_end(),
            rounds.total,
            Clock(sc.ticks.saturating_mul(sc.tick_seconds))
        );
    }
    for (k, lost) in &plan.dropped_opportunities {
        let info = &plan.track_info[*k as usize];
        println!(
            "  warning: a {} from {} at {} crosses more than {} envelopes; its {} latest were left out",
            sc.weapons[info.weapon].id,
            sc.sites[info.site].id,
            sc.assets[info.target].id,
            MAX_OPPORTUNITIES,
            lost
        );
    }
    Ok(())
}

/// Salvo orders and militias with rounds that would launch after the end (and are not
/// planned): ("order" or "militia", the rounds, the id).
fn left_out(sc: &Scenario) -> Vec<(&'static str, Rounds, &str)> {
    let orders = (0..sc.orders.len())
        .filter_map(|o| Some(("order", sc.salvo_rounds(o)?, sc.orders[o].id.as_str())));
    let militias = (0..sc.sites.len())
        .filter_map(|s| Some(("militia", sc.militia_rounds(s)?, sc.sites[s].id.as_str())));
    orders
        .chain(militias)
        .filter(|(_, r, _)| r.after_end() > 0)
        .collect()
}
