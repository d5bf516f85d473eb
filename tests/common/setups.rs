//! The named small scenarios, each built once here: the closed forms of
//! `../shared/reference/analytic.md` that `tests/analytic.rs` checks the engine against
//! (their parameters are read back from the setup there), and the setups that
//! `tests/gpu.rs`, `tests/kernels.rs` and `tests/backends.rs` run on both backends.

use super::closed_form::{Db, Setup, battery};

/// Every named setup, for the tests that run them all.
pub fn all() -> [(&'static str, Setup); 11] {
    [
        ("shoot-shoot", shoot_shoot()),
        ("detection", detection()),
        ("shoot-look-shoot", shoot_look_shoot()),
        ("layered", layered()),
        ("saturation", saturation()),
        ("channels", channels()),
        ("reliability", reliability()),
        ("site-reliability", site_reliability()),
        ("spread-salvo", spread_salvo()),
        ("reloading", reloading()),
        ("layered-spread", layered_spread()),
    ]
}

/// A salvo of 20 ballistic missiles at once, every one seen, against one battery that
/// fires two rounds at each (`ballistic = [2]`) with Pk 0.7.
pub fn shoot_shoot() -> Setup {
    Setup {
        db: Db {
            p_lower: 0.7,
            ..Db::default()
        },
        weapon: "tbm",
        count: 20,
        over: "00:00",
        batteries: vec![battery("sam", "lower", 2, 20, 1000, "ballistic = [2]")],
        detection: 1.0,
        site_reliability: None,
    }
}

/// `shoot_shoot` with a detection probability of 0.9.
pub fn detection() -> Setup {
    Setup {
        detection: 0.9,
        ..shoot_shoot()
    }
}

/// 20 drones at once against one battery that shoots, looks and shoots again
/// (`drone = [1, 1]`) with Pk 0.8.
pub fn shoot_look_shoot() -> Setup {
    Setup {
        db: Db {
            p_lower: 0.8,
            ..Db::default()
        },
        weapon: "owd",
        batteries: vec![battery("sam", "lower", 2, 20, 1000, "drone = [1, 1]")],
        ..shoot_shoot()
    }
}

/// 20 ballistic missiles against an upper tier (Pk 0.6) and a lower tier (Pk 0.8), one
/// round each.
pub fn layered() -> Setup {
    Setup {
        db: Db {
            p_lower: 0.8,
            p_upper: 0.6,
            ..Db::default()
        },
        batteries: vec![
            battery("upper", "upper", 1, 20, 1000, "ballistic = [1]"),
            battery("lower", "lower", 2, 20, 1000, "ballistic = [1]"),
        ],
        ..shoot_shoot()
    }
}

/// 40 ballistic missiles against a battery with 30 rounds that fires two at each (Pk 0.8):
/// the magazine runs dry first.
pub fn saturation() -> Setup {
    Setup {
        db: Db {
            p_lower: 0.8,
            ..Db::default()
        },
        count: 40,
        batteries: vec![battery("sam", "lower", 2, 40, 30, "ballistic = [2]")],
        ..shoot_shoot()
    }
}

/// 40 ballistic missiles at once against a battery of two fire channels, Pk 1 and rounds
/// to spare: the channels are the limit.
pub fn channels() -> Setup {
    Setup {
        db: Db {
            p_lower: 1.0,
            ..Db::default()
        },
        count: 40,
        batteries: vec![battery("sam", "lower", 2, 2, 10_000, "ballistic = [1]")],
        ..shoot_shoot()
    }
}

/// 20 ballistic missiles with launch reliability 0.7 and flight reliability 0.9, and a
/// battery that never engages them (its doctrine covers drones only).
pub fn reliability() -> Setup {
    Setup {
        db: Db {
            launch_reliability: 0.7,
            flight_reliability: 0.9,
            ..Db::default()
        },
        batteries: vec![battery("sam", "lower", 2, 1, 1, "drone = [1]")],
        ..shoot_shoot()
    }
}

/// `reliability` with a perfect flight and a launch site of launch reliability 0.8.
pub fn site_reliability() -> Setup {
    Setup {
        db: Db {
            launch_reliability: 0.7,
            ..Db::default()
        },
        site_reliability: Some(0.8),
        ..reliability()
    }
}

/// 40 ballistic missiles spread over five minutes, 90% seen, against a battery of three
/// channels and 30 rounds that shoots, looks and shoots again.
pub fn spread_salvo() -> Setup {
    Setup {
        db: Db::default(),
        weapon: "tbm",
        count: 40,
        over: "00:05",
        batteries: vec![battery("sam", "lower", 2, 3, 30, "ballistic = [1, 1]")],
        detection: 0.9,
        site_reliability: None,
    }
}

/// `spread_salvo` with 4 rounds ready and a reserve of 12 that reloads two every 30 s:
/// it reloads between arrivals and runs out before the salvo does.
pub fn reloading() -> Setup {
    Setup {
        batteries: vec![
            battery("sam", "lower", 2, 3, 4, "ballistic = [1, 1]").with_reserve(12, 30, 2),
        ],
        ..spread_salvo()
    }
}

/// 30 ballistic missiles over two minutes, 95% seen, against an upper tier with rounds
/// to spare and a lower tier of three channels and 40 rounds that shoots, looks and
/// shoots again.
pub fn layered_spread() -> Setup {
    Setup {
        count: 30,
        over: "00:02",
        batteries: vec![
            battery("upper", "upper", 1, 20, 1000, "ballistic = [1]"),
            battery("lower", "lower", 2, 3, 40, "ballistic = [1, 1]"),
        ],
        detection: 0.95,
        ..spread_salvo()
    }
}
