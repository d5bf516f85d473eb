//! A small scenario for deliveries and trips to port (`tests/logistics.rs` checks it by
//! hand; `tests/gpu.rs` runs it on both backends).

use std::sync::Arc;

use hormuz::scenario::{self, Scenario};

use super::Db;

/// A base, a launch pad 500 km north with `salvos` (each six ballistic missiles at once, at
/// the given times), a battery `lower` at the base (four rounds ready, none in reserve, Pk
/// 1 unless `pk` says otherwise, six channels, one shot per threat) that can reload (60 s
/// for four rounds), or on a ship beside the base, and `extra` appended.
pub fn scenario(salvos: &[&str], on_ship: bool, extra: &str) -> String {
    let (host, ship) = if on_ship {
        (
            "ship",
            r#"
[[assets]]
id = "ship"
name = "Ship"
side = "blue"
kind = "ship"
position = { lat = 30.0, lon = 45.0 }
vulnerability = { value_usd = 1e9, staying_power = 1000000 }
"#,
        )
    } else {
        ("base", "")
    };
    let orders: String = salvos
        .iter()
        .enumerate()
        .map(|(i, at)| {
            format!(
                r#"
[[orders]]
id = "salvo-{n}"
at = "{at}"
salvo = {{ from = "pad", weapon = "tbm", count = 6, targets = ["base"] }}
"#,
                n = i + 1
            )
        })
        .collect();
    format!(
        r#"
[scenario]
name = "logistics"
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
id = "base"
name = "Base"
side = "blue"
kind = "base"
position = {{ lat = 30.0, lon = 45.0 }}
vulnerability = {{ value_usd = 1e9, staying_power = 1000000 }}
{ship}
[[batteries]]
id = "battery"
name = "Battery"
side = "blue"
system = "test"
host = "{host}"
channels = 6
tier = 1
magazine = [{{ interceptor = "lower", ready = 4, reload_s = 60, per_reload = 4 }}]
doctrine = {{ ballistic = [1] }}

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

pub fn load(text: &str, pk: f64) -> Arc<Scenario> {
    let dir = tempfile::tempdir().unwrap();
    let db = Db {
        p_lower: pk,
        ..Db::default()
    };
    std::fs::write(dir.path().join("db.toml"), db.text()).unwrap();
    let sc = scenario::load_str("logistics.toml", text, dir.path())
        .unwrap_or_else(|e| panic!("the scenario does not load:\n{e}"));
    Arc::new(sc)
}

/// Everything at once: a triggered delivery, one at a fixed time, and a ship's trip to port,
/// with Pk 0.5 so that replicates differ.
pub fn everything() -> Arc<Scenario> {
    let extra = r#"
[[assets]]
id = "depot"
name = "Depot"
side = "blue"
kind = "site"
position = { lat = 30.01, lon = 45.0 }
vulnerability = { value_usd = 1e9, staying_power = 1000000 }

[[batteries]]
id = "shore"
name = "Shore battery"
side = "blue"
system = "test"
host = "depot"
channels = 2
tier = 2
magazine = [{ interceptor = "lower", ready = 2, reload_s = 120, per_reload = 1 }]
doctrine = { ballistic = [1] }

[[triggers]]
id = "base-hit"
when = { asset = "base", hits_at_least = 4 }

[[orders]]
id = "convoy"
after = { trigger = "base-hit", delay = "00:30" }
resupply = { battery = "shore", interceptor = "lower", rounds = 3 }

[[orders]]
id = "airlift"
at = "01:00"
every = "03:00"
times = 2
resupply = { battery = "shore", interceptor = "lower", rounds = 2 }

[[orders]]
id = "to-port"
at = "00:30"
rearm = { ship = "ship", port = { lat = 29.0, lon = 45.0 }, speed_kn = 20, in_port = "01:00" }
"#;
    load(
        &scenario(&["00:01", "02:00", "05:00", "08:00"], true, extra),
        0.5,
    )
}
