//! `hormuz app`: the desktop exercise app. A window (eframe on wgpu, the engine's wgpu)
//! shows replicate 0 of an exercise live on a map of the theatre, takes the facilitator's
//! injects, and runs what-ifs from the current state.
//!
//! Threads: the window's thread only draws and sends commands; `worker` owns the
//! exercise and its live simulation, steps the clock and does the file I/O; each what-if
//! runs on a thread of its own. The module is compiled only with the `desktop` cargo
//! feature, so a headless build compiles no window system; there `hormuz app`
//! (`src/commands/app.rs`) says how to get it.

pub mod charts;
pub mod checks;
pub mod figures;
pub mod files;
pub mod fog;
pub mod land;
pub mod live;
pub mod logbook;
pub mod map;
pub mod report;
pub mod ui;
pub mod whatif;
pub mod window;
pub mod worker;

pub use ui::ExerciseApp;
