//! The command line's one failure type, and the exit status of every command:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | a failure while running: a file or folder that cannot be written (`--out` included), the GPU device, a run that fails, a calibration that misses a reported figure |
//! | 2 | bad input: a scenario, a flag or a value, with a message naming where and what |
//! | 130 | interrupted (SIGINT, Ctrl-C): a run stops after the batch it is in, keeps its checkpoint for `--resume`, and writes no outputs |
//!
//! Library modules (`calibrate`, `sweep`, `salvo`, `bench`, `app`) return errors of their
//! own; the conversions here and in each command (`src/commands/`) decide which of the two
//! failures each one is. Nothing below the command layer uses this module.

use std::fmt;

use crate::scenario::LoadError;

/// Exit status of a command that did what it was asked.
pub const SUCCESS: i32 = 0;
/// Exit status of a failure while running.
pub const RUNTIME: i32 = 1;
/// Exit status of bad input (clap's own status for a bad flag, too).
pub const BAD_INPUT: i32 = 2;
/// Exit status of a run stopped by SIGINT (128 + the signal's number, as shells report it).
pub const INTERRUPTED: i32 = 130;

/// The exit-status table, for `hormuz --help`.
pub const EXIT_STATUS_HELP: &str = "Exit status: 0 success; 1 a failure while running (a file or folder that cannot be written, the GPU device, a calibration miss); 2 bad input (a scenario, a flag or a value), with a message naming where and what; 130 interrupted (Ctrl-C): the run stopped after its current batch and kept its checkpoint for --resume.";

/// Which of the two failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Something went wrong while running: exit status 1.
    Runtime,
    /// The scenario, a flag or a value is wrong: exit status 2.
    BadInput,
    /// Stopped by SIGINT: exit status 130.
    Interrupted,
}

/// An error for the user: what went wrong, and which kind of failure it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: Kind,
    pub message: String,
}

impl Failure {
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            kind: Kind::BadInput,
            message: message.into(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> Failure {
        Failure {
            kind: Kind::Runtime,
            message: message.into(),
        }
    }

    pub fn interrupted(message: impl Into<String>) -> Failure {
        Failure {
            kind: Kind::Interrupted,
            message: message.into(),
        }
    }

    /// The exit status this failure calls for.
    pub fn code(&self) -> i32 {
        match self.kind {
            Kind::Runtime => RUNTIME,
            Kind::BadInput => BAD_INPUT,
            Kind::Interrupted => INTERRUPTED,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// A scenario that does not load is bad input; its diagnostics name the places.
impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Failure {
        Failure::input(e.to_string())
    }
}

/// A run over its memory budget is refused before it starts: bad input.
impl From<crate::engine::budget::BudgetError> for Failure {
    fn from(e: crate::engine::budget::BudgetError) -> Failure {
        Failure::input(e.to_string())
    }
}

/// A scenario that cannot be planned within the memory budget or the planning time is
/// refused before it starts: bad input.
impl From<crate::engine::plan::PlanError> for Failure {
    fn from(e: crate::engine::plan::PlanError) -> Failure {
        Failure::input(e.to_string())
    }
}

impl From<crate::sweep::SweepError> for Failure {
    fn from(e: crate::sweep::SweepError) -> Failure {
        if e.is_bad_input() {
            Failure::input(e.to_string())
        } else {
            Failure::runtime(e.to_string())
        }
    }
}

/// Inputs the salvo model cannot take are bad input.
impl From<crate::salvo::ForcesError> for Failure {
    fn from(e: crate::salvo::ForcesError) -> Failure {
        Failure::input(e.to_string())
    }
}

#[cfg(feature = "desktop")]
impl From<crate::app::window::WindowError> for Failure {
    fn from(e: crate::app::window::WindowError) -> Failure {
        if e.is_bad_input() {
            Failure::input(e.to_string())
        } else {
            Failure::runtime(e.to_string())
        }
    }
}
