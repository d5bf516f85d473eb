//! The scenario loader and checker, and planning within limits, on any text given as a
//! scenario file (its database is the one its seed names). Seeds: the project's scenarios.
#![no_main]

use hormuz_fuzz::{SMOKE_DB, WEAPONS, check_and_plan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Bytes that are not UTF-8 never reach the loader (the file reader refuses them with
    // their place; `hormuz::scenario::source::read_text`).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_and_plan(
        text,
        &[
            ("db.toml", SMOKE_DB),
            ("db/weapons.toml", WEAPONS),
            ("../db/weapons.toml", WEAPONS),
        ],
    );
});
