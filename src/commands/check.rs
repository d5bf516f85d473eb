//! `hormuz check`: validate a scenario and its database, and print its size and the
//! memory a run of it needs.

use std::path::PathBuf;

use clap::Args;

use super::flags::{self, DEFAULT_MEMORY_BUDGET, DEFAULT_REPLICATES, parse_bytes};
use super::load;
use crate::engine::budget::{CPU_BATCH, human_bytes};
use crate::engine::layout::MAX_OPPORTUNITIES;
use crate::error::Failure;
use crate::scenario::ThreatClass;

/// The scenario, and the run the memory estimate assumes (the flags of `run`, without the
/// seed and threads a check does not use).
#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Scenario file to check.
    pub scenario: PathBuf,
    /// Replicates the memory estimate assumes.
    #[arg(short = 'n', long, default_value_t = DEFAULT_REPLICATES, value_parser = flags::replicates())]
    pub replicates: u32,
    /// Memory the run may use for per-replicate state, e.g. 4GiB or 512MiB.
    #[arg(long, default_value = DEFAULT_MEMORY_BUDGET, value_parser = parse_bytes)]
    pub memory_budget: u64,
}

pub fn main(a: &CheckArgs) -> Result<(), Failure> {
    let (sc, plan) = load(Some(&a.scenario))?;
    // A run streams through batches: one batch is what must fit.
    let batch = plan.batch_size(a.replicates, a.memory_budget, CPU_BATCH);
    let need = plan.check_budget(batch, a.memory_budget)?;
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
        "  {} engagement opportunities; {} ticks of {} s",
        plan.opportunities.len(),
        sc.ticks,
        sc.tick_seconds
    );
    if batch < a.replicates {
        println!(
            "  memory for {} replicates in batches of {batch}: {} (budget {})",
            a.replicates,
            human_bytes(need),
            human_bytes(a.memory_budget)
        );
    } else {
        println!(
            "  memory for {} replicates: {} (budget {})",
            a.replicates,
            human_bytes(need),
            human_bytes(a.memory_budget)
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
