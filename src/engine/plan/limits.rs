//! What planning may spend: a memory budget, checked as the plan grows, and a number of
//! sweep steps; and why a scenario cannot be planned.

use super::MAX_SWEEP_STEPS;
use crate::engine::budget::{Budget, BudgetError};

/// What planning may spend.
#[derive(Clone, Copy, Debug)]
pub struct Limits<'a> {
    /// The run the plan is for and its memory budget: planning stops as soon as the plan
    /// and the replicates' state cannot fit. `None`: no budget.
    pub budget: Option<&'a Budget>,
    /// Most sweep steps ([`MAX_SWEEP_STEPS`] for the commands).
    pub sweep_steps: u64,
}

/// Why a scenario cannot be planned: its memory or its planning time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    Budget(BudgetError),
    /// The sweep would take more than `limit` steps.
    Sweep {
        file: String,
        limit: u64,
        tracks: usize,
        ticks: u32,
    },
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Budget(e) => e.fmt(f),
            PlanError::Sweep {
                file,
                limit,
                tracks,
                ticks,
            } => write!(
                f,
                "{file}: planning {tracks} threats over {ticks} ticks would take more than {limit} sweep steps (ticks of flight within reach of each envelope, up to 8 samples a tick), the most hormuz takes; plan fewer threats, make the flights shorter than the scenario, or lengthen `tick_seconds`"
            ),
        }
    }
}

impl std::error::Error for PlanError {}

impl From<BudgetError> for PlanError {
    fn from(e: BudgetError) -> PlanError {
        PlanError::Budget(e)
    }
}

impl<'a> Limits<'a> {
    /// The commands' limits: `budget`, and at most [`MAX_SWEEP_STEPS`].
    pub fn within(budget: &'a Budget) -> Limits<'a> {
        Limits {
            budget: Some(budget),
            sweep_steps: MAX_SWEEP_STEPS,
        }
    }
}
