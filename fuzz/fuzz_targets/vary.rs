//! Structure-aware: `hormuz sweep`'s `--vary KEY=FROM..TO:STEP` axes (keys the smoke
//! scenario has, or any text; numbers of any size, or any text), the grid they span
//! (bounded before it is built), and the smoke scenario edited to its first point,
//! loaded, checked and planned, as the sweep does for every point.
#![no_main]

use std::path::PathBuf;

use arbitrary::Arbitrary;
use hormuz::sweep::{self, Documents};
use hormuz_fuzz::{SMOKE, SMOKE_DB, check_and_plan};
use libfuzzer_sys::fuzz_target;

/// Keys of numbers of the smoke scenario and its database, and a few near misses.
const KEYS: [&str; 12] = [
    "orders.wave.salvo.count",
    "orders.drones.salvo.count",
    "batteries.sam.channels",
    "batteries.sam.tier",
    "batteries.sam.magazine.lower.ready",
    "launch_sites.pad.launchers",
    "launch_sites.pad.reload_s",
    "interceptors.lower.pk.ballistic",
    "threats.tbm.flight_time_s",
    "threats.owd.speed_kmh",
    "assets.base.vulnerability.staying_power",
    "orders.wave.salvo",
];

#[derive(Arbitrary, Debug)]
struct Input {
    axes: Vec<AxisSpec>,
    max_points: u32,
}

#[derive(Arbitrary, Debug)]
enum Key {
    Known(u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Number {
    Int(i64),
    Float(f64),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum AxisSpec {
    /// `KEY=FROM..TO:STEP`.
    Parts {
        key: Key,
        from: Number,
        to: Number,
        step: Number,
    },
    /// Anything at all.
    Text(String),
}

impl Number {
    fn text(&self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            Number::Float(f) => f.to_string(),
            Number::Text(s) => s.clone(),
        }
    }
}

impl AxisSpec {
    fn text(&self) -> String {
        match self {
            AxisSpec::Parts {
                key,
                from,
                to,
                step,
            } => {
                let key = match key {
                    Key::Known(k) => KEYS[*k as usize % KEYS.len()].to_string(),
                    Key::Text(s) => s.clone(),
                };
                format!("{key}={}..{}:{}", from.text(), to.text(), step.text())
            }
            AxisSpec::Text(s) => s.clone(),
        }
    }
}

fuzz_target!(|input: Input| {
    let mut axes = Vec::new();
    for spec in input.axes.iter().take(4) {
        match sweep::parse_axis(&spec.text()) {
            Ok(a) => axes.push(a),
            Err(_) => return,
        }
    }
    let max_points = (input.max_points as usize).clamp(1, sweep::MAX_POINTS);
    let Ok(points) = sweep::check_grid(&axes, max_points) else {
        return;
    };
    // The grid's first and last points, made one at a time.
    let Some(first) = sweep::grid(&axes).next() else {
        return;
    };
    let _ = sweep::grid::point(&axes, points - 1);
    let (Ok(scenario), Ok(db)) = (SMOKE.parse(), SMOKE_DB.parse()) else {
        return;
    };
    let mut docs = Documents {
        name: "smoke.toml".into(),
        dir: PathBuf::from("/nonexistent/hormuz-fuzz"),
        scenario,
        databases: vec![("db.toml".into(), db)],
    };
    for (a, v) in axes.iter().zip(&first) {
        if docs.set(&a.key, *v).is_err() {
            return;
        }
    }
    let (text, dbs) = docs.texts();
    let dbs: Vec<(&str, &str)> = dbs.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    check_and_plan(&text, &dbs);
});
