//! What a run costs in memory, the check that refuses a run over its budget before
//! anything is allocated, and the size of the batches a run streams through (from the
//! same estimate).

use super::layout::*;
use super::plan::Plan;

/// A run whose per-replicate state would not fit the memory budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetError {
    /// The scenario file, as diagnostics name it.
    pub file: String,
    pub threats: usize,
    pub replicates: u32,
    /// Bytes the run needs, and the budget.
    pub need: u64,
    pub budget: u64,
}

impl std::fmt::Display for BudgetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} threats x {} replicates need {} of per-replicate state ({} bytes per threat row), over the memory budget of {}; run fewer replicates or raise --memory-budget",
            self.file,
            self.threats,
            self.replicates,
            human_bytes(self.need),
            BYTES_PER_THREAT,
            human_bytes(self.budget)
        )
    }
}

impl std::error::Error for BudgetError {}

/// Replicates per batch on the CPU, at most: enough that the host's work per tick is
/// spread over many replicates, few enough that a batch's rows stay in the caches
/// (`hormuz bench` shows the effect). The memory budget may ask for fewer.
pub const CPU_BATCH: u32 = 2048;
/// Replicates per batch on the GPU, at most: a device wants as many as it can hold (its
/// own limits split them further, see `gpu::batch_sizes`).
pub const GPU_BATCH: u32 = 1 << 20;

impl Plan {
    /// Bytes of per-replicate state the engine allocates per replicate.
    pub fn bytes_per_replicate(&self) -> usize {
        let t = self.tracks.len();
        t * BYTES_PER_THREAT
            + CALENDAR_WORDS as usize * 4
            + self.slots.len() * (std::mem::size_of::<MagazineState>() + 4 * SLOT_COUNTERS as usize)
            + self.assets.len() * std::mem::size_of::<AssetState>()
            + self.weapons.len() * 4 * WEAPON_COUNTERS as usize
            + self.groups.len() * 4
            + self.launcher_words as usize * 4
            + self.fire_control.len() * 4
            + 4
    }

    /// Replicates per batch for a run of `replicates` under `budget` bytes of
    /// per-replicate state: as many as fit, at most `cap` (one batch when the run is
    /// smaller). The run's memory is then that of one batch, whatever its length.
    pub fn batch_size(&self, replicates: u32, budget: u64, cap: u32) -> u32 {
        let fit = budget / self.bytes_per_replicate().max(1) as u64;
        (fit.min(cap as u64).min(replicates as u64) as u32).max(1)
    }

    /// The bytes `replicates` replicates need, or an error when that is over `budget`.
    pub fn check_budget(&self, replicates: u32, budget: u64) -> Result<u64, BudgetError> {
        let need = self.bytes_per_replicate() as u64 * replicates as u64;
        if need > budget {
            return Err(BudgetError {
                file: self.file.clone(),
                threats: self.tracks.len(),
                replicates,
                need,
                budget,
            });
        }
        Ok(need)
    }
}

/// A size for people: "512 KiB", "3.5 MiB", "1.25 GiB".
pub fn human_bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1024f64.powi(3) {
        format!("{:.2} GiB", b / 1024f64.powi(3))
    } else if b >= 1024f64.powi(2) {
        format!("{:.1} MiB", b / 1024f64.powi(2))
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_the_largest_unit_that_fits() {
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024 / 4), "1.25 GiB");
    }

    #[test]
    fn the_budget_message_names_the_file_the_sizes_and_the_way_out() {
        let e = BudgetError {
            file: "gulf.toml".into(),
            threats: 10,
            replicates: 3,
            need: 3 * 1024 * 1024,
            budget: 1024 * 1024,
        };
        assert_eq!(
            e.to_string(),
            "gulf.toml: 10 threats x 3 replicates need 3.0 MiB of per-replicate state (56 bytes \
             per threat row), over the memory budget of 1.0 MiB; run fewer replicates or raise \
             --memory-budget"
        );
    }
}
