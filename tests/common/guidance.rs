//! Ships that move and weapons that may not follow them (issue 14): a carrier steaming
//! away from the launch site at 20 kn, a picket ship on station that may manoeuvre when
//! threatened and a drone salvo at each, the drone's guidance given by the test.
//! `tests/guidance.rs` checks what hits; `tests/kernels.rs` and `tests/gpu.rs` replay it.

use std::sync::Arc;

use hormuz::engine::plan::{self, Plan};
use hormuz::scenario::{self, Scenario};

/// The pad, 100 km north of both ships at the start.
pub const PAD: (f64, f64) = (30.9, 45.0);

/// A setup: the drone's `guidance = ..` line (or none), the picket's `manoeuvre = ..` line
/// (or none), and a battery on the picket that predicts impact points (to let fall what
/// will miss).
#[derive(Clone)]
pub struct Ships {
    pub guidance: String,
    pub manoeuvre: String,
    pub battery: bool,
    pub drones: u32,
}

impl Ships {
    /// `drones` at each ship, undefended, with `guidance` (a `guidance = ..` line or "").
    pub fn new(guidance: &str, drones: u32) -> Ships {
        Ships {
            guidance: guidance.to_string(),
            manoeuvre: String::new(),
            battery: false,
            drones,
        }
    }

    pub fn db(&self) -> String {
        format!(
            r#"
[[threats]]
id = "drone"
name = "drone"
class = "drone"
range_km = {{ value = 2000, assumed = true }}
speed_kmh = {{ value = 180, assumed = true }}
altitude_m = {{ value = 1000, assumed = true }}
cost_usd = {{ value = 1000, assumed = true }}
launch_reliability = {{ value = 1, assumed = true }}
flight_reliability = {{ value = 1, assumed = true }}
cep_m = {{ value = 20, assumed = true }}
{guidance}

[[interceptors]]
id = "gun"
name = "gun"
cost_usd = {{ value = 1000, assumed = true }}
mean_speed_kms = {{ value = 1, assumed = true }}
reliability = {{ value = 1, assumed = true }}
pk = {{ drone = 0.5, assumed = true }}
envelope = {{ drone = {{ range_km = [0, 10], alt_km = [0, 10], assumed = true }} }}
"#,
            guidance = self.guidance
        )
    }

    pub fn text(&self) -> String {
        let battery = if self.battery {
            r#"
[[batteries]]
id = "picket-gun"
name = "picket gun"
side = "blue"
system = "test"
host = "picket"
channels = 1
tier = 3
impact_prediction_m = 200
magazine = [{ interceptor = "gun", ready = 4 }]
doctrine = { drone = [1] }
"#
        } else {
            ""
        };
        format!(
            r#"
[scenario]
name = "ships"
duration = "03:00"
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
id = "picket"
name = "Picket"
side = "blue"
kind = "ship"
position = {{ lat = 30.0, lon = 46.0 }}
vulnerability = {{ value_usd = 1e9, staying_power = 1000000, hardness = 0.0 }}
{manoeuvre}

[[carriers]]
id = "flattop"
name = "Flattop"
side = "blue"
position = {{ lat = 30.0, lon = 45.0 }}
waypoints = [{{ lat = 27.0, lon = 45.0 }}]
speed_kn = 20
vulnerability = {{ value_usd = 1e10, staying_power = 1000000, hardness = 0.0 }}
footprint = {{ radius_km = 0.17, assumed = true }}
{battery}
[[launch_sites]]
id = "pad"
name = "Pad"
side = "red"
position = {{ lat = {lat}, lon = {lon} }}
launchers = {launchers}
reload_s = 60
inventory = {{ drone = {launchers} }}

[[orders]]
id = "at-carrier"
at = "00:01"
salvo = {{ from = "pad", weapon = "drone", count = {n}, targets = ["flattop"], over = "00:10", timing = "random" }}

[[orders]]
id = "at-picket"
at = "00:01"
salvo = {{ from = "pad", weapon = "drone", count = {n}, targets = ["picket"], over = "00:10", timing = "random" }}
"#,
            manoeuvre = self.manoeuvre,
            lat = PAD.0,
            lon = PAD.1,
            n = self.drones,
            launchers = 2 * self.drones,
        )
    }

    pub fn load(&self) -> (Arc<Scenario>, Arc<Plan>) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("db.toml"), self.db()).expect("write db");
        let sc = scenario::load_str("ships.toml", &self.text(), dir.path())
            .unwrap_or_else(|e| panic!("test scenario does not load:\n{e}\n{}", self.text()));
        let plan = plan::build(&sc);
        (Arc::new(sc), Arc::new(plan))
    }

    /// Write the scenario and its database into `dir`, for the binary; the scenario's path.
    pub fn write(&self, dir: &std::path::Path) -> std::path::PathBuf {
        std::fs::write(dir.join("db.toml"), self.db()).expect("write db");
        let path = dir.join("ships.toml");
        std::fs::write(&path, self.text()).expect("write scenario");
        path
    }
}

/// Satellite-inertial guidance to coordinates taken `age_s` before launch.
pub fn fixed(age_s: u32) -> String {
    format!(
        "guidance = {{ kind = \"satellite-inertial\", targeting_age_s = {age_s}, assumed = true }}"
    )
}

/// A radar seeker that finds its target within `km` of where it flies.
pub fn seeker(km: f64) -> String {
    format!("guidance = {{ kind = \"radar-seeker\", acquisition_km = {km}, assumed = true }}")
}

/// The kernels' case: fixed guidance with a minute-old fix, the picket manoeuvring at
/// 25 kn and defended by a gun that lets fall what it predicts will miss.
pub fn kernel_case() -> Ships {
    let mut s = Ships::new(&fixed(60), 12);
    s.manoeuvre = "manoeuvre = { speed_kn = 25, assumed = true }".into();
    s.battery = true;
    s
}
