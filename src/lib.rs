//! hormuz: a GPU-accelerated agent-based war-game of missile and drone salvos against
//! layered air and missile defence in the Gulf and the Levant.
//!
//! The map of the code is in `ARCHITECTURE.md`. In short: [`scenario`] reads and checks
//! input, [`engine::plan`] expands it into shared tables, [`world`] holds the agents and
//! runs the tick loop, [`engine::cpu`] (and `shaders/`) are the kernels, [`report`] turns
//! counters into figures, [`commands`] is the command line (with [`error`], its failure
//! type and exit status), and `app` the desktop exercise app (feature `desktop`).

#[cfg(feature = "desktop")]
pub mod app;
pub mod atomic;
pub mod bench;
pub mod calibrate;
pub mod commands;
pub mod engine;
pub mod error;
pub mod events;
pub mod exercise;
pub mod geo;
pub mod report;
pub mod salvo;
pub mod scenario;
pub mod sensitivity;
pub mod sweep;
pub mod world;
