//! Small scenarios built in code for the closed-form tests, and helpers to run them.

use std::sync::Arc;

use hormuz::engine::plan::{self, Plan};
use hormuz::report::{self, Figures};
use hormuz::scenario::{self, Scenario};
use hormuz::world::{RunConfig, RunOutput};

/// A test weapons database: one ballistic missile and one drone, perfectly reliable and
/// accurate unless told otherwise, and two interceptors with the given kill probabilities.
pub struct Db {
    pub p_lower: f64,
    pub p_upper: f64,
    pub launch_reliability: f64,
    pub flight_reliability: f64,
}

impl Default for Db {
    fn default() -> Self {
        Db {
            p_lower: 0.8,
            p_upper: 0.6,
            launch_reliability: 1.0,
            flight_reliability: 1.0,
        }
    }
}

impl Db {
    pub fn text(&self) -> String {
        format!(
            r#"
[[threats]]
id = "tbm"
name = "Test ballistic missile"
class = "ballistic"
range_km = {{ value = 1000, assumed = true }}
flight_time_s = {{ value = 600, assumed = true }}
apogee_km = {{ value = 250, assumed = true }}
cost_usd = {{ value = 1000000, assumed = true }}
launch_reliability = {{ value = {lr}, assumed = true }}
flight_reliability = {{ value = {fr}, assumed = true }}
accuracy = {{ value = 1.0, assumed = true }}

[[threats]]
id = "owd"
name = "Test one-way drone"
class = "drone"
range_km = {{ value = 2000, assumed = true }}
speed_kmh = {{ value = 180, assumed = true }}
altitude_m = {{ value = 1000, assumed = true }}
cost_usd = {{ value = 30000, assumed = true }}
launch_reliability = {{ value = {lr}, assumed = true }}
flight_reliability = {{ value = {fr}, assumed = true }}
accuracy = {{ value = 1.0, assumed = true }}

[[interceptors]]
id = "lower"
name = "Test lower tier"
cost_usd = {{ value = 4000000, assumed = true }}
pk = {{ ballistic = {pl}, drone = {pl}, assumed = true }}
envelope.ballistic = {{ range_km = [0, 40], alt_km = [0, 30], assumed = true }}
envelope.drone = {{ range_km = [0, 40], alt_km = [0, 10], assumed = true }}

[[interceptors]]
id = "upper"
name = "Test upper tier"
cost_usd = {{ value = 12000000, assumed = true }}
pk = {{ ballistic = {pu}, assumed = true }}
envelope.ballistic = {{ range_km = [0, 200], alt_km = [40, 150], assumed = true }}
"#,
            lr = self.launch_reliability,
            fr = self.flight_reliability,
            pl = self.p_lower,
            pu = self.p_upper,
        )
    }
}

/// One defended base 500 km from a launch site (ballistic) or 100 km (drones), with the
/// given batteries, and one salvo of `count` threats launched at once.
pub struct Setup {
    pub db: Db,
    pub weapon: &'static str,
    pub count: u32,
    pub over: &'static str,
    /// `[[batteries]]` tables.
    pub batteries: String,
    /// Detection probability of the defending side for every class.
    pub detection: f64,
}

/// A battery at the base; `doctrine` is the inside of the doctrine table, e.g.
/// `ballistic = [1, 1]`.
pub fn battery(
    id: &str,
    interceptor: &str,
    tier: u32,
    channels: u32,
    ready: u32,
    doctrine: &str,
) -> String {
    format!(
        r#"
[[batteries]]
id = "{id}"
name = "{id}"
side = "blue"
system = "test"
host = "base"
channels = {channels}
tier = {tier}
magazine = [{{ interceptor = "{interceptor}", ready = {ready} }}]
doctrine = {{ {doctrine} }}
"#
    )
}

impl Setup {
    pub fn text(&self) -> String {
        let (lat, lon) = if self.weapon == "tbm" {
            (34.5, 45.0) // about 500 km north of the base
        } else {
            (30.9, 45.0) // about 100 km
        };
        format!(
            r#"
[scenario]
name = "analytic"
duration = "06:00"
database = ["db.toml"]

[[sides]]
id = "blue"
name = "Blue"
hostile_to = ["red"]
detection = {{ ballistic = {d}, cruise = {d}, drone = {d}, rocket = {d}, assumed = true }}

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
vulnerability = {{ value_usd = 1e9, staying_power = 1000000, hardness = 0.0 }}
{batteries}
[[launch_sites]]
id = "pad"
name = "Pad"
side = "red"
position = {{ lat = {lat}, lon = {lon} }}
launchers = {count}
reload_s = 60
inventory = {{ {weapon} = {count} }}

[[orders]]
id = "salvo"
at = "00:01"
salvo = {{ from = "pad", weapon = "{weapon}", count = {count}, targets = ["base"], over = "{over}" }}
"#,
            d = self.detection,
            batteries = self.batteries,
            count = self.count,
            weapon = self.weapon,
            over = self.over,
        )
    }

    pub fn load(&self) -> (Arc<Scenario>, Arc<Plan>) {
        self.load_edited(|t| t)
    }

    /// Load the scenario text after an edit.
    pub fn load_edited(&self, edit: impl Fn(String) -> String) -> (Arc<Scenario>, Arc<Plan>) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("db.toml"), self.db.text()).expect("write db");
        let sc = scenario::load_str("analytic.toml", &edit(self.text()), dir.path())
            .unwrap_or_else(|e| panic!("test scenario does not load:\n{e}"));
        let plan = plan::build(&sc);
        (Arc::new(sc), Arc::new(plan))
    }
}

pub fn run(
    sc: &Arc<Scenario>,
    plan: &Arc<Plan>,
    replicates: u32,
    seed: u32,
    threads: Option<usize>,
) -> (RunOutput, Figures) {
    let config = RunConfig {
        replicates,
        seed,
        record: 0..0,
    };
    let out =
        hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, threads, |_, _| {}).expect("run");
    let fig = report::figures(sc, plan, &out);
    (out, fig)
}

/// Assert that the Monte Carlo mean of a per-replicate figure is within 4 standard
/// errors of the closed form (and say both when it is not).
pub fn assert_close(fig: &Figures, column: &str, expected: f64, what: &str) {
    let v = fig
        .column(column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let se = report::Stat::std_error(&v);
    assert!(
        se > 0.0 || (mean - expected).abs() < 1e-9,
        "{what}: no spread and mean {mean} != {expected}"
    );
    let z = (mean - expected) / se.max(1e-12);
    assert!(
        z.abs() < 4.0,
        "{what}: Monte Carlo mean {mean:.4} vs closed form {expected:.4} ({z:.1} standard errors, se {se:.4})"
    );
}
