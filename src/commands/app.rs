//! `hormuz app`: the desktop exercise app's arguments, checked before any window opens.
//! A build without the `desktop` feature has no app and says how to get it (bad input).

use std::path::PathBuf;

use clap::Args;

use super::flags::DEFAULT_SEED;
use crate::error::Failure;
use crate::scenario::types::Clock;

#[derive(Args, Debug, Clone)]
pub struct AppArgs {
    /// Scenario file; without it, the built-in scenarios/gulf-2026.toml.
    pub scenario: Option<PathBuf>,
    /// Open a saved exercise (JSON, from the app's Save) instead of a scenario.
    #[arg(long, conflicts_with = "scenario")]
    pub exercise: Option<PathBuf>,
    /// Seed of the live run's random streams.
    #[arg(short, long, default_value_t = DEFAULT_SEED)]
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
    Clock::parse(s)
        .map(|c| c.0)
        .ok_or_else(|| format!("expected a time HH:MM or HH:MM:SS, found {s:?}"))
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (1.0..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!("expected a speed from 1 to 3600, found {s:?}")),
    }
}

/// Open the window on the scenario or saved exercise, and run it until it closes.
#[cfg(feature = "desktop")]
pub fn main(a: &AppArgs) -> Result<(), Failure> {
    use crate::app::fog::Team;
    use crate::app::window::{self, WindowOptions};
    use crate::app::worker::Start;
    use crate::scenario::{DEFAULT_SCENARIO, Origin};

    let start = match &a.exercise {
        Some(p) => Start::Saved(p.clone()),
        None => Start::Scenario {
            origin: match &a.scenario {
                Some(p) => Origin::Disk(p.clone()),
                None => Origin::Embedded(DEFAULT_SCENARIO),
            },
            seed: a.seed,
            at_s: a.at.unwrap_or(0),
        },
    };
    // What cannot be opened is refused before any window opens.
    window::check_start(&start).map_err(Failure::input)?;
    let options = WindowOptions {
        speed: a.speed,
        frames: a.frames,
        screenshot: a.screenshot.clone(),
        view: match a.view.as_str() {
            "blue" => Team::Blue,
            "red" => Team::Red,
            _ => Team::White,
        },
    };
    Ok(window::run(start, &options)?)
}

#[cfg(not(feature = "desktop"))]
pub fn main(a: &AppArgs) -> Result<(), Failure> {
    let _ = a;
    Err(Failure::input(
        "hormuz was built without the desktop app; build it with the `desktop` feature:\n  cargo run --release --features desktop -- app",
    ))
}
