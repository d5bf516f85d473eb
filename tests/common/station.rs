//! A destroyer's station and its relief (`tests/station.rs` checks it by hand;
//! `tests/gpu.rs` runs it on both backends): a ship whose vertical-launch cells run low
//! reports it, leaves for port and comes back, while a second ship held in reserve takes
//! its station.

use std::sync::Arc;

use hormuz::scenario::{self, Scenario};

use super::Db;

/// The test database with `vls`, an interceptor one to a cell (as `lower`, Pk `pk`).
pub fn db(pk: f64) -> String {
    let base = Db {
        p_lower: pk,
        ..Db::default()
    }
    .text();
    format!(
        r#"{base}
[[interceptors]]
id = "vls"
name = "Test vertical-launch round"
cost_usd = {{ value = 2000000, assumed = true }}
mean_speed_kms = {{ value = 1.2, assumed = true }}
reliability = {{ value = 1, assumed = true }}
per_cell = 1
pk = {{ ballistic = {pk}, assumed = true }}
envelope.ballistic = {{ range_km = [0, 40], alt_km = [0, 30], assumed = true }}
"#
    )
}

/// The destroyer `ddg` (`cells` cells of `vls`, six channels, `doctrine` against
/// ballistic missiles) on station at 30 N 45 E, `relief` (the same battery) beside it,
/// salvos of six ballistic missiles at `ddg` at the given times from a pad 500 km north,
/// and `extra` appended.
pub fn scenario(salvos: &[&str], doctrine: &str, cells: u32, extra: &str) -> String {
    let orders: String = salvos
        .iter()
        .enumerate()
        .map(|(i, at)| {
            format!(
                r#"
[[orders]]
id = "salvo-{n}"
at = "{at}"
salvo = {{ from = "pad", weapon = "tbm", count = 6, targets = ["ddg"] }}
"#,
                n = i + 1
            )
        })
        .collect();
    format!(
        r#"
[scenario]
name = "station"
duration = "12:00"
database = ["db.toml"]

[[sides]]
id = "blue"
name = "Blue"
hostile_to = ["red"]

[[sides]]
id = "red"
name = "Red"
hostile_to = ["blue"]

[[assets]]
id = "ddg"
name = "Destroyer on station"
side = "blue"
kind = "ship"
position = {{ lat = 30.0, lon = 45.0 }}
vulnerability = {{ value_usd = 1e9, staying_power = 1000000 }}

[[assets]]
id = "relief"
name = "Relief destroyer"
side = "blue"
kind = "ship"
position = {{ lat = 30.0, lon = 45.02 }}
vulnerability = {{ value_usd = 1e9, staying_power = 1000000 }}

[[batteries]]
id = "ddg-vls"
name = "Destroyer's cells"
side = "blue"
system = "test"
host = "ddg"
defends = ["ddg"]
channels = 6
tier = 1
magazine = [{{ interceptor = "vls", ready = {cells} }}]
doctrine = {{ ballistic = {doctrine} }}

[[batteries]]
id = "relief-vls"
name = "Relief's cells"
side = "blue"
system = "test"
host = "relief"
defends = ["relief", "ddg"]
channels = 6
tier = 1
magazine = [{{ interceptor = "vls", ready = {cells} }}]
doctrine = {{ ballistic = {doctrine} }}

[[launch_sites]]
id = "pad"
name = "Pad"
side = "red"
position = {{ lat = 34.5, lon = 45.0 }}
launchers = 6
reload_s = 60
inventory = {{ tbm = 100 }}
{orders}
{extra}
"#
    )
}

/// The trigger (fewer than three cells loaded, reported every 30 minutes) and the trip
/// it orders: port 111 km south at 20 kn, an hour there, the relief on station 30
/// minutes after the destroyer leaves.
pub const TO_PORT: &str = r#"
[[triggers]]
id = "ddg-low"
when = { asset = "ddg", cells_below = 3, report_every = "00:30" }

[[orders]]
id = "to-port"
after = { trigger = "ddg-low" }
rearm = { ship = "ddg", port = { lat = 29.0, lon = 45.0 }, speed_kn = 20, in_port = "01:00", relief = "relief", relief_in = "00:30" }
"#;

pub fn load(text: &str, pk: f64) -> Arc<Scenario> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.toml"), db(pk)).unwrap();
    let sc = scenario::load_str("station.toml", text, dir.path())
        .unwrap_or_else(|e| panic!("the scenario does not load:\n{e}"));
    Arc::new(sc)
}

/// 24 cells each, shoot-look-shoot at Pk 0.5: the two salvos at the destroyer cost 12
/// to 24 cells, so that fewer than seven are left (the trigger fires at the 02:30
/// report) in some replicates and not in others; a third salvo, at the relief's station
/// at 04:00, finds the relief there only where it came.
pub fn varied() -> Arc<Scenario> {
    let extra = format!(
        r#"{}
[[orders]]
id = "salvo-at-relief"
at = "04:00"
salvo = {{ from = "pad", weapon = "tbm", count = 6, targets = ["relief"] }}
"#,
        TO_PORT.replace("cells_below = 3", "cells_below = 7")
    );
    load(&scenario(&["00:01", "02:00"], "[1, 1]", 24, &extra), 0.5)
}
