//! Small scenarios built in code for the closed-form tests, and helpers to run them. The
//! named scenarios themselves are in `setups`.

use std::path::{Path, PathBuf};
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
cep_m = {{ value = 0, assumed = true }}

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
cep_m = {{ value = 0, assumed = true }}

[[interceptors]]
id = "lower"
name = "Test lower tier"
cost_usd = {{ value = 4000000, assumed = true }}
mean_speed_kms = {{ value = 1.2, assumed = true }}
reliability = {{ value = 1, assumed = true }}
pk = {{ ballistic = {pl}, drone = {pl}, assumed = true }}
envelope.ballistic = {{ range_km = [0, 40], alt_km = [0, 30], assumed = true }}
envelope.drone = {{ range_km = [0, 40], alt_km = [0, 10], assumed = true }}

[[interceptors]]
id = "upper"
name = "Test upper tier"
cost_usd = {{ value = 12000000, assumed = true }}
mean_speed_kms = {{ value = 2.5, assumed = true }}
reliability = {{ value = 1, assumed = true }}
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
/// given batteries, and one salvo of `count` threats launched at once (`over = "00:00"`) or
/// spread over a time.
pub struct Setup {
    pub db: Db,
    pub weapon: &'static str,
    pub count: u32,
    pub over: &'static str,
    pub batteries: Vec<Battery>,
    /// Detection probability of the defending side for every class.
    pub detection: f64,
    /// The launch site's own launch reliability, when it has one.
    pub site_reliability: Option<f64>,
}

/// A battery at the base.
pub struct Battery {
    pub id: &'static str,
    pub interceptor: &'static str,
    pub tier: u32,
    pub channels: u32,
    /// Rounds ready to fire.
    pub ready: u32,
    /// Rounds in reserve, seconds per reload and rounds per reload, when it reloads.
    pub reserve: Option<(u32, u32, u32)>,
    /// The inside of the doctrine table, e.g. `ballistic = [1, 1]`.
    pub doctrine: &'static str,
}

/// A battery without a reserve.
pub fn battery(
    id: &'static str,
    interceptor: &'static str,
    tier: u32,
    channels: u32,
    ready: u32,
    doctrine: &'static str,
) -> Battery {
    Battery {
        id,
        interceptor,
        tier,
        channels,
        ready,
        reserve: None,
        doctrine,
    }
}

impl Battery {
    /// The same battery with `rounds` in reserve, reloading `per_reload` every `reload_s`.
    pub fn with_reserve(self, rounds: u32, reload_s: u32, per_reload: u32) -> Battery {
        Battery {
            reserve: Some((rounds, reload_s, per_reload)),
            ..self
        }
    }

    /// Its `[[batteries]]` table.
    pub fn text(&self) -> String {
        let Battery {
            id,
            interceptor,
            tier,
            channels,
            ready,
            doctrine,
            ..
        } = self;
        let reserve = match self.reserve {
            Some((rounds, reload_s, per_reload)) => {
                format!(", reserve = {rounds}, reload_s = {reload_s}, per_reload = {per_reload}")
            }
            None => String::new(),
        };
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
magazine = [{{ interceptor = "{interceptor}", ready = {ready}{reserve} }}]
doctrine = {{ {doctrine} }}
"#
        )
    }
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
{site}inventory = {{ {weapon} = {count} }}

[[orders]]
id = "salvo"
at = "00:01"
salvo = {{ from = "pad", weapon = "{weapon}", count = {count}, targets = ["base"], over = "{over}" }}
"#,
            d = self.detection,
            batteries = self.batteries.iter().map(Battery::text).collect::<String>(),
            site = self
                .site_reliability
                .map_or(String::new(), |r| format!("launch_reliability = {r}\n")),
            count = self.count,
            weapon = self.weapon,
            over = self.over,
        )
    }

    pub fn load(&self) -> (Arc<Scenario>, Arc<Plan>) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("db.toml"), self.db.text()).expect("write db");
        let sc = scenario::load_str("analytic.toml", &self.text(), dir.path())
            .unwrap_or_else(|e| panic!("test scenario does not load:\n{e}"));
        let plan = plan::build(&sc);
        (Arc::new(sc), Arc::new(plan))
    }

    /// Write the scenario and its database into `dir`, for the binary; the scenario's path.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        std::fs::write(dir.join("db.toml"), self.db.text()).expect("write db");
        let path = dir.join(name);
        std::fs::write(&path, self.text()).expect("write scenario");
        path
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
