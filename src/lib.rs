//! hormuz: a GPU-accelerated agent-based war-game of missile and drone salvos against
//! layered air and missile defence in the Gulf and the Levant.
//!
//! The map of the code is in `ARCHITECTURE.md`. In short: [`scenario`] reads and checks
//! input, [`engine::plan`] expands it into shared tables, [`world`] holds the agents and
//! runs the tick loop, [`engine::cpu`] (and `shaders/`) are the kernels, [`report`] turns
//! counters into figures, [`cli`] is the command line, and [`app`] the desktop exercise app.

pub mod app;
pub mod bench;
pub mod calibrate;
pub mod cli;
pub mod engine;
pub mod events;
pub mod exercise;
pub mod geo;
pub mod report;
pub mod salvo;
pub mod scenario;
pub mod sweep;
pub mod world;
