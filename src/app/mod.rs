//! `hormuz app`: the desktop exercise app. A window (eframe on wgpu, the engine's wgpu)
//! shows replicate 0 of an exercise live on a map of the theatre, takes the facilitator's
//! injects, and runs what-ifs from the current state.
//!
//! Threads: the window's thread only draws and sends commands; `worker` owns the
//! exercise and its live simulation, steps the clock and does the file I/O; each what-if
//! runs on a thread of its own. Everything but the command-line arguments is behind the
//! `desktop` cargo feature, so a headless build compiles no window system.

use std::path::PathBuf;

use crate::cli::Failure;

#[cfg(feature = "desktop")]
pub mod charts;
#[cfg(feature = "desktop")]
pub mod checks;
#[cfg(feature = "desktop")]
pub mod figures;
#[cfg(feature = "desktop")]
pub mod files;
#[cfg(feature = "desktop")]
pub mod fog;
#[cfg(feature = "desktop")]
pub mod land;
#[cfg(feature = "desktop")]
pub mod live;
#[cfg(feature = "desktop")]
pub mod logbook;
#[cfg(feature = "desktop")]
pub mod map;
#[cfg(feature = "desktop")]
pub mod report;
#[cfg(feature = "desktop")]
pub mod ui;
#[cfg(feature = "desktop")]
pub mod whatif;
#[cfg(feature = "desktop")]
pub mod window;
#[cfg(feature = "desktop")]
pub mod worker;

#[cfg(feature = "desktop")]
pub use ui::ExerciseApp;

#[derive(clap::Args, Debug, Clone)]
pub struct AppArgs {
    /// Scenario file; without it, the built-in scenarios/gulf-2026.toml.
    pub scenario: Option<PathBuf>,
    /// Open a saved exercise (JSON, from the app's Save) instead of a scenario.
    #[arg(long, conflicts_with = "scenario")]
    pub exercise: Option<PathBuf>,
    /// Seed of the live run's random streams.
    #[arg(short, long, default_value_t = 2026)]
    pub seed: u32,
    /// Open at this time of the scenario, HH:MM or HH:MM:SS (not after its end).
    #[arg(long, value_parser = parse_time, conflicts_with = "exercise")]
    pub at: Option<u32>,
    /// Clock speed: simulated seconds per real second, 1 to 3600.
    #[arg(long, default_value_t = 60.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Play the clock for N frames, then close (with --screenshot, once it is written).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub frames: Option<u32>,
    /// Write a PNG of the window's own last frame; needs --frames.
    #[arg(long, requires = "frames")]
    pub screenshot: Option<PathBuf>,
    /// Whose view the window opens with: white (the white cell, everything), blue or red.
    #[arg(long, default_value = "white", value_parser = ["white", "blue", "red"])]
    pub view: String,
}

fn parse_time(s: &str) -> Result<u32, String> {
    crate::scenario::types::Clock::parse(s)
        .map(|c| c.0)
        .ok_or_else(|| format!("expected a time HH:MM or HH:MM:SS, found {s:?}"))
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (1.0..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!("expected a speed from 1 to 3600, found {s:?}")),
    }
}

/// Open the window (exit status as the command line's).
#[cfg(feature = "desktop")]
pub fn main(args: &AppArgs) -> Result<(), Failure> {
    window::run(args)
}

#[cfg(not(feature = "desktop"))]
pub fn main(args: &AppArgs) -> Result<(), Failure> {
    let _ = args;
    Err(Failure::input(
        "hormuz was built without the desktop app; build it with the `desktop` feature:\n  cargo run --release --features desktop -- app",
    ))
}
