//! `hormuz sweep`: run a scenario over a grid of edited values and tabulate the outcome.
//!
//! Each `--vary KEY=FROM..TO:STEP` names one value of the scenario or of its weapons
//! database by ids (`orders.<order-id>.salvo.count`, `batteries.<id>.channels`,
//! `batteries.<id>.magazine.<interceptor>.ready`, `interceptors.<id>.pk.ballistic`,
//! `threats.<id>.launch_reliability`, ...). The grid is the cartesian product of the
//! ranges, the first key varying slowest. Each grid point edits the TOML with `toml_edit`
//! (comments and layout kept), loads it through the checker like any scenario, and runs
//! `N` replicates with the **same seed** `S` at every point (common random numbers): a row
//! is exactly what `hormuz run` gives for the edited files with `--seed S`.
//!
//! The parts: [`grid`] (the `--vary` axes and their cartesian product), [`edits`] (the
//! TOML documents and a key's edit), [`run`] (every grid point through the engine, and
//! `sweep.csv`), [`plots`] (the PNGs).

pub mod edits;
pub mod grid;
pub mod plots;
pub mod run;

pub use edits::Documents;
pub use grid::{Axis, DEFAULT_MAX_POINTS, MAX_POINTS, check_grid, grid, parse_axis, point};
pub use run::{PointResult, SweepConfig, SweepError, SweepResult, read_csv, run, write_csv};
