//! Writing a long campaign in a page: unit templates (a battery written once, placed many
//! times, with overrides) and repeating orders (`every`, `times`). A scenario written with
//! them is the same scenario as one written out in full.

mod common;

use common::Db;
use hormuz::scenario::{self, Action, LoadError, Scenario, When};

const HEADER: &str = r#"
[scenario]
name = "campaign"
duration = "240:00"
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
position = { lat = 30.0, lon = 45.0 }
vulnerability = { value_usd = 1e9, staying_power = 1000000 }

[[launch_sites]]
id = "pad"
name = "Pad"
side = "red"
position = { lat = 34.5, lon = 45.0 }
launchers = 6
reload_s = 60
inventory = { tbm = 120 }
"#;

fn load(text: &str) -> Result<Scenario, LoadError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.toml"), Db::default().text()).unwrap();
    scenario::load_str("campaign.toml", text, dir.path())
}

fn battery(id: &str, lat: f64, channels: u32) -> String {
    format!(
        r#"
[[batteries]]
id = "{id}"
name = "Patriot"
side = "blue"
system = "patriot"
position = {{ lat = {lat}, lon = 45.0 }}
launchers = 4
channels = {channels}
tier = 2
magazine = [{{ interceptor = "lower", ready = 16, reserve = 16, reload_s = 3600 }}]
doctrine = {{ ballistic = [1, 1] }}
"#
    )
}

const TEMPLATED: &str = r#"
[[templates]]
id = "patriot"
note = "one Patriot battery: written once"
name = "Patriot"
side = "blue"
system = "patriot"
launchers = 4
channels = 3
tier = 2
magazine = [{ interceptor = "lower", ready = 16, reserve = 16, reload_s = 3600 }]
doctrine = { ballistic = [1, 1] }

[[batteries]]
id = "patriot-1"
template = "patriot"
position = { lat = 30.0, lon = 45.0 }

[[batteries]]
id = "patriot-2"
template = "patriot"
position = { lat = 30.1, lon = 45.0 }
channels = 5

[[orders]]
id = "nightly"
at = "20:00"
every = "24:00"
times = 10
salvo = { from = "pad", weapon = "tbm", count = 12, targets = ["base"], over = "00:30" }
"#;

fn written_out() -> String {
    let mut text = String::from(HEADER);
    text.push_str(&battery("patriot-1", 30.0, 3));
    text.push_str(&battery("patriot-2", 30.1, 5));
    for day in 0..10 {
        text.push_str(&format!(
            r#"
[[orders]]
id = "nightly#{n}"
at = "{h}:00"
salvo = {{ from = "pad", weapon = "tbm", count = 12, targets = ["base"], over = "00:30" }}
"#,
            n = day + 1,
            h = 20 + 24 * day
        ));
    }
    text
}

#[test]
fn a_templated_campaign_is_the_campaign_written_out() {
    let short = load(&format!("{HEADER}{TEMPLATED}")).unwrap_or_else(|e| panic!("{e}"));
    let long = load(&written_out()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        format!("{:?}", short.batteries),
        format!("{:?}", long.batteries)
    );
    assert_eq!(short.orders.len(), 10);
    let ids: Vec<&str> = short.orders.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids[..3], ["nightly#1", "nightly#2", "nightly#3"]);
    assert_eq!(ids[9], "nightly#10");
    for (a, b) in short.orders.iter().zip(&long.orders) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.when, b.when);
        assert_eq!(format!("{:?}", a.action), format!("{:?}", b.action));
    }
    assert_eq!(short.orders[9].when, When::At((20 + 24 * 9) * 3600 / 5));
    assert!(matches!(
        short.orders[0].action,
        Action::Salvo { count: 12, .. }
    ));
    // And they run the same.
    let run = |sc: Scenario| {
        let sc = std::sync::Arc::new(sc);
        let plan = std::sync::Arc::new(hormuz::engine::plan::build(&sc));
        common::run(&sc, &plan, 8, 5, Some(1)).1.rows
    };
    assert_eq!(run(short), run(long));
}

fn refused(text: &str) -> String {
    match load(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The 1-based line of the first line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.starts_with(prefix)).unwrap() + 1
}

#[test]
fn template_mistakes_are_found_where_they_are_written() {
    let text = format!("{HEADER}{TEMPLATED}").replace(
        "template = \"patriot\"\nposition = { lat = 30.1",
        "template = \"patriott\"\nposition = { lat = 30.1",
    );
    let e = refused(&text);
    assert!(
        e.contains("template: unknown template \"patriott\"; did you mean patriot?"),
        "{e}"
    );
    // A bad value in the template: at the template's line, whichever unit takes it.
    let text = format!("{HEADER}{TEMPLATED}").replace("channels = 3", "channels = 0");
    let e = refused(&text);
    assert!(
        e.contains(&format!(
            "campaign.toml:{}:12: error: batteries[0].channels: expected at least 1 fire channel",
            line_of(&text, "channels = 0")
        )),
        "{e}"
    );
    // A key no unit has: at the template's line.
    let text = format!("{HEADER}{TEMPLATED}")
        .replace("launchers = 4\nchannels = 3", "launchers = 4\nchanels = 3");
    let e = refused(&text);
    assert!(
        e.contains(&format!("campaign.toml:{}:", line_of(&text, "chanels = 3")))
            && e.contains("unknown field `chanels`"),
        "{e}"
    );
    // A template nobody uses, and one naming another.
    let unused = "\n[[templates]]\nid = \"spare\"\nchannels = 2\n";
    let e = refused(&format!("{HEADER}{TEMPLATED}{unused}"));
    assert!(
        e.contains("template \"spare\" is not used by any unit"),
        "{e}"
    );
    let nested = "\n[[templates]]\nid = \"spare\"\ntemplate = \"patriot\"\n";
    let e = refused(&format!("{HEADER}{TEMPLATED}{nested}"));
    assert!(e.contains("a template cannot name another template"), "{e}");
}

#[test]
fn repeats_are_checked_and_bounded_before_they_are_expanded() {
    let with = |order: &str| {
        format!(
            "{HEADER}{}\n[[orders]]\nid = \"r\"\n{order}",
            battery("b", 30.0, 3)
        )
    };
    let salvo = "salvo = { from = \"pad\", weapon = \"tbm\", count = 12, targets = [\"base\"] }";
    // Twelve times twelve is more than the 120 the pad holds.
    let e = refused(&with(&format!(
        "at = \"01:00\"\nevery = \"12:00\"\ntimes = 12\n{salvo}"
    )));
    assert!(
        e.contains("pad holds 120 tbm, but the orders so far fire 144 (12 each of 12 times)"),
        "{e}"
    );
    let e = refused(&with(&format!(
        "at = \"01:00\"\nevery = \"12:00\"\n{salvo}"
    )));
    assert!(e.contains("needs both `every`"), "{e}");
    let e = refused(&with(&format!(
        "at = \"01:00\"\nevery = \"12:00\"\ntimes = 0\n{salvo}"
    )));
    assert!(e.contains("expected 1 to 10000 times, found 0"), "{e}");
    let e = refused(&with(&format!(
        "at = \"01:00\"\nevery = \"12:00\"\ntimes = 4000000000\n{salvo}"
    )));
    assert!(e.contains("expected 1 to 10000 times"), "{e}");
    let e = refused(&with(&format!(
        "at = \"01:00\"\nevery = \"00:00:01\"\ntimes = 2\n{salvo}"
    )));
    assert!(
        e.contains("expected at least one tick (5 s) between two times"),
        "{e}"
    );
    let e = refused(&with(&format!(
        "at = \"200:00\"\nevery = \"24:00\"\ntimes = 3\n{salvo}"
    )));
    assert!(e.contains("the last of 3 times falls 248:00:00 after the start, past the end of the scenario (240:00:00)"), "{e}");
    let e = refused(&with(
        "at = \"01:00\"\nevery = \"01:00\"\ntimes = 2\nswitch = { battery = \"b\", online = false }",
    ));
    assert!(e.contains("a `switch` order cannot repeat"), "{e}");
    // The repeats of one order may not take the id of another.
    let clash = format!(
        "at = \"01:00\"\nevery = \"01:00\"\ntimes = 2\n{salvo}\n[[orders]]\nid = \"r#2\"\nat = \"05:00\"\n{salvo}"
    );
    let e = refused(&with(&clash).replace("count = 12", "count = 1"));
    assert!(
        e.contains("a time of this repeated order is named \"r#2\""),
        "{e}"
    );
}

#[test]
fn the_twelve_day_example_is_a_page_and_uses_what_it_shows() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/examples/twelve-days.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.lines().count() < 200, "a page");
    let sc = scenario::load_path(Some(&path)).unwrap_or_else(|e| panic!("{e}"));
    // Two nightly salvos twelve times, four airlifts, one triggered, one trip to port.
    assert_eq!(sc.orders.len(), 12 + 12 + 4 + 1 + 1);
    let arrows = sc.batteries.iter().filter(|b| b.system == "arrow").count();
    assert_eq!(arrows, 4, "four Arrow batteries from two templates");
    let sc = std::sync::Arc::new(sc);
    let plan = std::sync::Arc::new(hormuz::engine::plan::build(&sc));
    let (_, fig) = common::run(&sc, &plan, 8, 2026, None);
    let all = |c: &str, v: f64| fig.column(c).unwrap().iter().all(|&x| x == v);
    assert!(all("launched_ballistic", 480.0));
    // Every Arrow 3 round fired, the 4 x 12 flown in included (2 x (24 + 12) at the start);
    // the destroyer's four SM-3 IB twice: the first night, and after Souda Bay (it sails at
    // its first report with every cell empty, 21:00, and is back on the fourth day).
    assert!(all("fired_arrow-3", 72.0 + 48.0));
    assert!(all("fired_sm-3-ib", 8.0));
    assert!(all("trigger_ddg-empty", 1.0));
}
