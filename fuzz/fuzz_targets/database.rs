//! The database checker, on any text given as the weapons database of the smoke scenario
//! and of a calibration scenario. Seeds: the project's databases.
#![no_main]

use hormuz_fuzz::{AL_ASAD, SMOKE, check_and_plan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_and_plan(SMOKE, &[("db.toml", text)]);
    check_and_plan(AL_ASAD, &[("../db/weapons.toml", text)]);
});
