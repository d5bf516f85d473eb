//! `hormuz salvo-model` on worked examples, and the stochastic engine against it: a
//! scenario generated from the salvo model's inputs, run with `hormuz run`, loses what the
//! model says, in the mean.

mod common;

use common::hormuz;

/// (ΔA, ΔB, A left, B left) as printed by `hormuz salvo-model`.
fn salvo_model(p: [f64; 8]) -> (f64, f64, f64, f64) {
    let names = [
        "--a", "--b", "--alpha", "--beta", "--a1", "--b1", "--a3", "--b3",
    ];
    let values: Vec<String> = p.iter().map(|v| v.to_string()).collect();
    let mut args = vec!["salvo-model"];
    for (n, v) in names.iter().zip(&values) {
        args.push(n);
        args.push(v);
    }
    let o = hormuz(&args);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let after_eq = |prefix: &str| -> f64 {
        let line = out.lines().find(|l| l.starts_with(prefix)).unwrap();
        line.rsplit("= ").next().unwrap().trim().parse().unwrap()
    };
    let surv = out.lines().find(|l| l.starts_with("survivors:")).unwrap();
    let w: Vec<&str> = surv.split_whitespace().collect();
    (
        after_eq("ΔA"),
        after_eq("ΔB"),
        w[2].trim_end_matches(',').parse().unwrap(),
        w[4].parse().unwrap(),
    )
}

fn close(x: f64, y: f64) -> bool {
    (x - y).abs() < 1e-6
}

/// The worked examples of `src/salvo.rs` (derived there by hand), through the binary.
#[test]
fn worked_examples() {
    // ΔB = (6·2 − 1·3)/2 = 4.5 → 3 (all of B); ΔA = (2·3 − 1·2)/3 = 4/3.
    let (da, db, al, bl) = salvo_model([2.0, 3.0, 6.0, 2.0, 3.0, 2.0, 1.0, 1.0]);
    assert!(close(db, 3.0) && close(bl, 0.0) && close(da, 1.333333) && close(al, 0.666667));
    // ΔB = (18 − 10)/3 = 8/3; ΔA = (15 − 6)/2 = 4.5.
    let (da, db, al, bl) = salvo_model([6.0, 5.0, 3.0, 3.0, 2.0, 3.0, 1.0, 2.0]);
    assert!(close(db, 2.666667) && close(bl, 2.333333) && close(da, 4.5) && close(al, 1.5));
    // Defences outmatch the salvos: nobody loses.
    let (da, db, al, bl) = salvo_model([4.0, 4.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0]);
    assert_eq!((da, db, al, bl), (0.0, 0.0, 4.0, 4.0));
}

#[test]
fn bad_salvo_model_inputs_exit_2_naming_the_flag() {
    let o = hormuz(&[
        "salvo-model",
        "--a",
        "2",
        "--b",
        "3",
        "--alpha",
        "6",
        "--beta",
        "2",
        "--a1",
        "0",
        "--b1",
        "2",
        "--a3",
        "1",
        "--b3",
        "1",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--a1:"), "{err}");
    let o = hormuz(&["salvo-model", "--a", "2"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A scenario in which the engine plays the salvo model: each side's units are assets of
/// staying power a1 (b1), value 1 USD, hardness 0, 220 km apart so that each is covered by
/// its own battery only; each battery holds a3 (b3) interceptors of Pk 1 and can fire them all
/// in one tick; each side fires alpha (beta) missiles per unit, perfectly reliable and
/// accurate, at the other side's units in turn, all at once. A side's losses in USD are then
/// the units' worth of damage it took: ΔA and ΔB.
fn engine_scenario(p: [f64; 8]) -> (String, String) {
    let [a, b, alpha, beta, a1, b1, a3, b3] = p.map(|x| x as u32);
    let db = r#"
[[threats]]
id = "ssm"
name = "Well-aimed anti-ship missile"
class = "cruise"
range_km = { value = 2000, assumed = true }
speed_kmh = { value = 900, assumed = true }
altitude_m = { value = 30, assumed = true }
cost_usd = { value = 1, assumed = true }
launch_reliability = { value = 1, assumed = true }
flight_reliability = { value = 1, assumed = true }
cep_m = { value = 0, assumed = true }

[[interceptors]]
id = "sam"
name = "Point defence of Pk 1"
cost_usd = { value = 1, assumed = true }
mean_speed_kms = { value = 1, assumed = true }
reliability = { value = 1, assumed = true }
pk = { cruise = 1.0, assumed = true }
envelope.cruise = { range_km = [0, 50], alt_km = [0, 1], assumed = true }
"#;
    let mut s = String::from(
        r#"
[scenario]
name = "Hughes salvo exchange"
duration = "02:00"
database = ["db.toml"]

[[sides]]
id = "a"
name = "A"
hostile_to = ["b"]

[[sides]]
id = "b"
name = "B"
hostile_to = ["a"]
"#,
    );
    let fleet = |s: &mut String, side: &str, n: u32, lat: f64, staying: u32, intercepts: u32| {
        for i in 0..n {
            let lon = 50.0 + 2.0 * i as f64;
            s.push_str(&format!(
                "\n[[assets]]\nid = \"{side}-{i}\"\nname = \"{side}-{i}\"\nside = \"{side}\"\nkind = \"ship\"\n\
                 position = {{ lat = {lat}, lon = {lon} }}\n\
                 vulnerability = {{ value_usd = 1, staying_power = {staying}, hardness = 0 }}\n"
            ));
            if intercepts > 0 {
                s.push_str(&format!(
                    "\n[[batteries]]\nid = \"{side}-{i}-sam\"\nname = \"{side}-{i} SAM\"\nside = \"{side}\"\n\
                     system = \"aegis\"\nhost = \"{side}-{i}\"\nchannels = {intercepts}\ntier = 1\n\
                     magazine = [{{ interceptor = \"sam\", ready = {intercepts} }}]\ndoctrine = {{ cruise = [1] }}\n"
                ));
            }
        }
    };
    fleet(&mut s, "a", a, 20.0, a1, a3);
    fleet(&mut s, "b", b, 25.0, b1, b3);
    let salvo = |s: &mut String, side: &str, other: &str, n_other: u32, lat: f64, count: u32| {
        let targets: Vec<String> = (0..n_other).map(|i| format!("\"{other}-{i}\"")).collect();
        s.push_str(&format!(
            "\n[[launch_sites]]\nid = \"{side}-launchers\"\nname = \"{side} launchers\"\nside = \"{side}\"\n\
             position = {{ lat = {lat}, lon = 52.0 }}\nlaunchers = {count}\nreload_s = 60\n\
             inventory = {{ ssm = {count} }}\n\n[[orders]]\nid = \"{side}-salvo\"\nat = \"00:01\"\n\
             salvo = {{ from = \"{side}-launchers\", weapon = \"ssm\", count = {count}, targets = [{}] }}\n",
            targets.join(", ")
        ));
    };
    salvo(&mut s, "a", "b", b, 20.0, alpha * a);
    salvo(&mut s, "b", "a", a, 25.0, beta * b);
    (s, db.to_string())
}

fn engine_losses(p: [f64; 8]) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, db) = engine_scenario(p);
    std::fs::write(dir.path().join("db.toml"), db).unwrap();
    let path = dir.path().join("salvo.toml");
    std::fs::write(&path, scenario).unwrap();
    let out = dir.path().join("out");
    let o = hormuz(&[
        "run",
        path.to_str().unwrap(),
        "-n",
        "40",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let loss = |side: &str| {
        summary["sides"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == side)
            .unwrap()["losses_usd"]["mean"]
            .as_f64()
            .unwrap()
    };
    (loss("a"), loss("b"))
}

/// Inputs chosen so that each side's missiles divide evenly among the other's units (the
/// salvo model spreads them evenly); the first clamps B's loss at B, the second and third
/// leave both sides partly damaged.
#[test]
fn the_engine_reproduces_the_salvo_model_in_the_mean() {
    for p in [
        [2.0, 3.0, 6.0, 2.0, 3.0, 2.0, 1.0, 1.0],
        [4.0, 2.0, 3.0, 4.0, 2.0, 3.0, 1.0, 2.0],
        [3.0, 3.0, 3.0, 3.0, 2.0, 4.0, 2.0, 1.0],
    ] {
        let (da, db, _, _) = salvo_model(p);
        let (la, lb) = engine_losses(p);
        assert!(
            (la - da).abs() < 1e-3 && (lb - db).abs() < 1e-3,
            "inputs {p:?}: salvo model ΔA {da}, ΔB {db}; engine mean losses A {la}, B {lb}"
        );
    }
}
