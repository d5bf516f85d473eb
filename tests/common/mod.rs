//! What the integration tests share: the binary helper, the closed-form setups and the
//! checks that a test's environment is there (a GPU adapter, an X server), with one rule
//! for what happens when it is not (see `require`).
//!
//! Each test file includes this module whole and uses a part of it, hence the allows.
#![allow(dead_code, unused_imports)]

#[cfg(feature = "desktop")]
pub mod app;
#[cfg(unix)]
mod bounded;
mod closed_form;
pub mod decisions;
pub mod guidance;
pub mod logistics;
pub mod mechanisms;
mod require;
pub mod setups;
pub mod station;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[cfg(unix)]
pub use bounded::{Bounded, hormuz_within};
pub use closed_form::{Battery, Db, Setup, assert_close, battery, run};
pub use require::{in_ci, require_chromium, require_gpu, require_xvfb};

/// Run the `hormuz` binary of this build with `args`.
pub fn hormuz(args: &[&str]) -> Output {
    hormuz_env(args, &[])
}

/// Run the `hormuz` binary with `args` and these environment variables added.
pub fn hormuz_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hormuz"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run hormuz")
}

/// Run the `hormuz` binary with `args` in the folder `dir`.
pub fn hormuz_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hormuz"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run hormuz")
}

/// `tests/data`: the smoke scenario and its database.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}
