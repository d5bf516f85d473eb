//! Small scenarios for the engagement mechanisms (footprints and scatter, let-fall, fly-out,
//! channels and radar tracks, reliability, manoeuvre, decoys, submunitions, battery
//! choice), written out in full so that each test states every figure its closed form or
//! hand case uses. `tests/mechanisms.rs` checks them; `tests/kernels.rs` records
//! `kernel_cases()` to replay every kernel where the mechanisms do their work.

use std::sync::Arc;

use hormuz::engine::plan::{self, Plan};
use hormuz::scenario::{self, Scenario};

/// One weapon of the test database.
#[derive(Clone)]
pub struct Weapon {
    pub id: &'static str,
    pub class: &'static str,
    pub cep_m: f64,
    /// `decoys = { value = .. }`, `manoeuvre = { .. }`, `submunitions = { .. }` lines, or
    /// nothing.
    pub extra: String,
}

/// A ballistic missile of 1,000 km range (600 s, 250 km apogee at that range), perfectly
/// reliable.
pub fn tbm(id: &'static str, cep_m: f64) -> Weapon {
    Weapon {
        id,
        class: "ballistic",
        cep_m,
        extra: String::new(),
    }
}

/// A drone at 180 km/h and 1 km altitude, perfectly reliable.
pub fn drone(id: &'static str, cep_m: f64) -> Weapon {
    Weapon {
        id,
        class: "drone",
        cep_m,
        extra: String::new(),
    }
}

impl Weapon {
    pub fn with(mut self, line: &str) -> Weapon {
        self.extra.push_str(line);
        self.extra.push('\n');
        self
    }

    fn text(&self) -> String {
        let Weapon {
            id, class, cep_m, ..
        } = self;
        let kinematics = if *class == "ballistic" {
            "range_km = { value = 1000, assumed = true }\nflight_time_s = { value = 600, assumed = true }\napogee_km = { value = 250, assumed = true }"
        } else {
            "range_km = { value = 2000, assumed = true }\nspeed_kmh = { value = 180, assumed = true }\naltitude_m = { value = 1000, assumed = true }"
        };
        format!(
            r#"
[[threats]]
id = "{id}"
name = "{id}"
class = "{class}"
{kinematics}
cost_usd = {{ value = 1000, assumed = true }}
launch_reliability = {{ value = 1, assumed = true }}
flight_reliability = {{ value = 1, assumed = true }}
cep_m = {{ value = {cep_m}, assumed = true }}
{extra}"#,
            extra = self.extra
        )
    }
}

/// One interceptor of the test database: Pk against the ballistic and drone classes, its
/// envelope against each, its mean speed and reliability.
#[derive(Clone)]
pub struct Interceptor {
    pub id: &'static str,
    pub pk: f64,
    pub speed_kms: f64,
    pub reliability: f64,
    /// `[range min, range max, alt min, alt max]` against ballistic missiles, then drones.
    pub ballistic: [f64; 4],
    pub drone: [f64; 4],
}

/// A lower tier: 0-40 km, below 30 km (ballistic); 0-40 km, below 10 km (drones).
pub fn lower(id: &'static str, pk: f64) -> Interceptor {
    Interceptor {
        id,
        pk,
        speed_kms: 1.2,
        reliability: 1.0,
        ballistic: [0.0, 40.0, 0.0, 30.0],
        drone: [0.0, 40.0, 0.0, 10.0],
    }
}

/// An upper tier: 0-200 km, 40-150 km altitude (ballistic only in effect).
pub fn upper(id: &'static str, pk: f64) -> Interceptor {
    Interceptor {
        id,
        pk,
        speed_kms: 2.5,
        reliability: 1.0,
        ballistic: [0.0, 200.0, 40.0, 150.0],
        drone: [0.0, 0.0, 100.0, 100.0],
    }
}

impl Interceptor {
    fn text(&self) -> String {
        let e = |x: [f64; 4]| {
            format!(
                "{{ range_km = [{}, {}], alt_km = [{}, {}], assumed = true }}",
                x[0], x[1], x[2], x[3]
            )
        };
        format!(
            r#"
[[interceptors]]
id = "{id}"
name = "{id}"
cost_usd = {{ value = 1000000, assumed = true }}
mean_speed_kms = {{ value = {speed}, assumed = true }}
reliability = {{ value = {rel}, assumed = true }}
pk = {{ ballistic = {pk}, drone = {pk}, assumed = true }}
envelope.ballistic = {b}
envelope.drone = {d}
"#,
            id = self.id,
            speed = self.speed_kms,
            rel = self.reliability,
            pk = self.pk,
            b = e(self.ballistic),
            d = e(self.drone),
        )
    }
}

/// A battery, as the lines of its `[[batteries]]` table after its id (`host` or
/// `position`, `channels`, `tier`, `magazine`, `doctrine`, and any other key).
#[derive(Clone)]
pub struct Battery {
    pub id: &'static str,
    pub lines: String,
}

/// A battery hosted by the base with one magazine.
pub fn battery(
    id: &'static str,
    interceptor: &str,
    tier: u32,
    channels: u32,
    ready: u32,
    doctrine: &str,
) -> Battery {
    Battery {
        id,
        lines: format!(
            "host = \"base\"\nchannels = {channels}\ntier = {tier}\nmagazine = [{{ interceptor = \"{interceptor}\", ready = {ready} }}]\ndoctrine = {{ {doctrine} }}\n"
        ),
    }
}

impl Battery {
    /// The same battery with more keys (or a `position` instead of the host: pass
    /// `position = ..` and it replaces `host`).
    pub fn with(mut self, line: &str) -> Battery {
        if line.starts_with("position") {
            self.lines = self.lines.replace("host = \"base\"\n", "");
        }
        self.lines.push_str(line);
        self.lines.push('\n');
        self
    }
}

/// A salvo order at 00:01 from the launch site at the base.
#[derive(Clone)]
pub struct Salvo {
    pub weapon: &'static str,
    pub count: u32,
    /// Its `over` and `timing`.
    pub over: &'static str,
    pub timing: &'static str,
}

/// A scenario: one base (footprint given), the batteries, one launch site (about 500 km
/// north of the base for ballistic missiles, 100 km for drones: by the first weapon)
/// firing its salvos.
#[derive(Clone)]
pub struct Mini {
    pub weapons: Vec<Weapon>,
    pub interceptors: Vec<Interceptor>,
    pub batteries: Vec<Battery>,
    pub salvos: Vec<Salvo>,
    /// The base's `footprint = { .. }` line, or empty for the default.
    pub footprint: String,
    /// `[scenario]` lines beyond the name, duration and database.
    pub header: String,
    /// The launch site's distance north of the base, degrees of latitude.
    pub north_deg: f64,
    pub duration: &'static str,
}

/// The base's position.
pub const BASE: (f64, f64) = (30.0, 45.0);

impl Mini {
    pub fn new(weapon: Weapon, count: u32) -> Mini {
        let north_deg = if weapon.class == "ballistic" {
            4.5
        } else {
            0.9
        };
        Mini {
            salvos: vec![Salvo {
                weapon: weapon.id,
                count,
                over: "00:00",
                timing: "even",
            }],
            weapons: vec![weapon],
            interceptors: Vec::new(),
            batteries: Vec::new(),
            footprint: String::new(),
            header: String::new(),
            north_deg,
            duration: "06:00",
        }
    }

    pub fn db(&self) -> String {
        let mut t = String::new();
        for w in &self.weapons {
            t.push_str(&w.text());
        }
        for i in &self.interceptors {
            t.push_str(&i.text());
        }
        t
    }

    pub fn text(&self) -> String {
        let batteries: String = self
            .batteries
            .iter()
            .map(|b| {
                format!(
                    "\n[[batteries]]\nid = \"{id}\"\nname = \"{id}\"\nside = \"blue\"\nsystem = \"test\"\n{}",
                    b.lines,
                    id = b.id
                )
            })
            .collect();
        format!(
            r#"
[scenario]
name = "mechanisms"
duration = "{duration}"
database = ["db.toml"]
{header}
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
position = {{ lat = {blat}, lon = {blon} }}
vulnerability = {{ value_usd = 1e9, staying_power = 1000000, hardness = 0.0 }}
{footprint}
{batteries}
[[launch_sites]]
id = "pad"
name = "Pad"
side = "red"
position = {{ lat = {lat}, lon = {blon} }}
launchers = {launchers}
reload_s = 60
inventory = {{ {inventory} }}
{orders}"#,
            duration = self.duration,
            header = self.header,
            blat = BASE.0,
            blon = BASE.1,
            footprint = self.footprint,
            lat = BASE.0 + self.north_deg,
            launchers = self.salvos.iter().map(|s| s.count).sum::<u32>(),
            inventory = self
                .salvos
                .iter()
                .map(|s| format!("{} = {}", s.weapon, s.count))
                .collect::<Vec<_>>()
                .join(", "),
            orders = self
                .salvos
                .iter()
                .enumerate()
                .map(|(i, s)| format!(
                    "\n[[orders]]\nid = \"salvo-{i}\"\nat = \"00:01\"\nsalvo = {{ from = \"pad\", weapon = \"{}\", count = {}, targets = [\"base\"], over = \"{}\", timing = \"{}\" }}\n",
                    s.weapon, s.count, s.over, s.timing
                ))
                .collect::<String>(),
        )
    }

    pub fn load(&self) -> (Arc<Scenario>, Arc<Plan>) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("db.toml"), self.db()).expect("write db");
        let sc = scenario::load_str("mechanisms.toml", &self.text(), dir.path())
            .unwrap_or_else(|e| panic!("test scenario does not load:\n{e}\n{}", self.text()));
        let plan = plan::build(&sc);
        (Arc::new(sc), Arc::new(plan))
    }

    /// Write the scenario and its database into `dir`, for the binary; the scenario's path.
    pub fn write(&self, dir: &std::path::Path) -> std::path::PathBuf {
        std::fs::write(dir.join("db.toml"), self.db()).expect("write db");
        let path = dir.join("mechanisms.toml");
        std::fs::write(&path, self.text()).expect("write scenario");
        path
    }
}

/// A scenario in which every mechanism does its work within a few minutes, for the
/// per-kernel tests: 24 ballistic missiles with two decoys each, launched at random over
/// two minutes, scattering around a square footprint; an upper tier 100 km up-range that
/// meets most of them before apogee (their decoys then vanish); a lower tier at the base
/// with two channels, a radar of two tracks, a 1 km error in its predicted impact points
/// (it lets some fall), a decoy discrimination of 0.5 and interceptors that fail one time
/// in five; and 6 submunition warheads fired at the same time at the base.
pub fn kernel_cases() -> Mini {
    let warhead = tbm("tbm", 800.0).with("decoys = { value = 2, assumed = true }");
    let bomblets =
        tbm("cluster", 300.0).with("submunitions = { count = 12, spread_m = 800, assumed = true }");
    let mut lo = lower("lower", 0.8);
    lo.reliability = 0.8;
    let mut m = Mini::new(warhead, 24);
    m.weapons.push(bomblets);
    m.salvos[0].over = "00:02";
    m.salvos[0].timing = "random";
    m.salvos.push(Salvo {
        weapon: "cluster",
        count: 6,
        over: "00:01",
        timing: "even",
    });
    m.interceptors = vec![upper("upper", 0.5), lo];
    m.batteries = vec![
        battery("upper", "upper", 1, 3, 100, "ballistic = [1]").with(&format!(
            "position = {{ lat = {}, lon = {} }}",
            BASE.0 + 3.6,
            BASE.1
        )),
        battery("lower", "lower", 2, 2, 60, "ballistic = [1, 1]")
            .with("radar_tracks = 2\nimpact_prediction_m = 1000\ndiscrimination = 0.5"),
    ];
    m.footprint = square_footprint(1.5);
    m.duration = "01:00";
    m
}

/// A square footprint of half-side `km` around the base, as its `footprint` line.
pub fn square_footprint(km: f64) -> String {
    let at = hormuz::geo::LatLon::new(BASE.0, BASE.1);
    let corners = [(-km, -km), (-km, km), (km, km), (km, -km)];
    let points: Vec<String> = corners
        .iter()
        .map(|&(n, e)| {
            let p = at.offset(n, e);
            format!("{{ lat = {}, lon = {} }}", p.lat, p.lon)
        })
        .collect();
    format!(
        "footprint = {{ polygon = [{}], assumed = true }}",
        points.join(", ")
    )
}
