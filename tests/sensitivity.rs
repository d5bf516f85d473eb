//! `hormuz sensitivity`: the PRCC maths against closed forms and hand-computed cases, a
//! scenario whose answer is known by construction, and bad input.

mod common;

use std::path::Path;

use common::{data_dir, hormuz_in, require_gpu};
use hormuz::sensitivity::prcc::{PrccError, prcc, ranks, t_test, two_sided_p};

/// A deterministic stream of uniforms in (0, 1) (SplitMix64), for the maths tests.
struct Uniforms(u64);

impl Uniforms {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn column(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// Pearson's correlation, written out.
fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma) * (x - ma)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb) * (y - mb)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn ties_share_their_average_rank() {
    assert_eq!(ranks(&[3.0, 1.0, 2.0, 2.0]), [4.0, 1.0, 2.5, 2.5]);
    assert_eq!(ranks(&[5.0, 5.0, 5.0]), [2.0, 2.0, 2.0]);
    assert_eq!(
        ranks(&[0.1, -4.0, 7.0, 0.1, 0.1]),
        [3.0, 1.0, 5.0, 3.0, 3.0]
    );
}

#[test]
fn a_figure_equal_to_one_parameter_has_prcc_one_and_the_others_none() {
    let mut u = Uniforms(1);
    let (x1, x2) = (u.column(200), u.column(200));
    let r = prcc(&[x1.clone(), x2.clone()], &x1).unwrap();
    assert_eq!(r.coefficients[0].prcc, Some(1.0));
    assert_eq!(r.coefficients[0].p, Some(0.0));
    // Given x1, nothing of the figure is left for x2 to explain: undefined, and said so.
    assert_eq!(r.coefficients[1].prcc, None);
    assert!(
        r.coefficients[1]
            .note
            .as_deref()
            .unwrap()
            .contains("determine the figure exactly")
    );
    // Ranks: any increasing function of x1 is the same, a decreasing one gives -1.
    let exp: Vec<f64> = x1.iter().map(|x| (5.0 * x).exp()).collect();
    assert_eq!(
        prcc(&[x1.clone(), x2.clone()], &exp).unwrap().coefficients[0].prcc,
        Some(1.0)
    );
    let down: Vec<f64> = x1.iter().map(|x| 1.0 / x).collect();
    assert_eq!(
        prcc(&[x2, x1], &down).unwrap().coefficients[1].prcc,
        Some(-1.0)
    );
}

#[test]
fn two_parameters_match_the_closed_form_of_a_partial_correlation() {
    let mut u = Uniforms(7);
    let n = 500;
    let (x1, x2, e) = (u.column(n), u.column(n), u.column(n));
    // x2 correlated with x1, and y depending on both with noise.
    let x2: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| a + b).collect();
    let y: Vec<f64> = (0..n).map(|i| x1[i] - 0.7 * x2[i] + 0.8 * e[i]).collect();
    let (r1, r2, ry) = (ranks(&x1), ranks(&x2), ranks(&y));
    let (r1y, r2y, r12) = (pearson(&r1, &ry), pearson(&r2, &ry), pearson(&r1, &r2));
    let closed = |a: f64, b: f64| (a - r12 * b) / ((1.0 - r12 * r12) * (1.0 - b * b)).sqrt();
    let (want1, want2) = (closed(r1y, r2y), closed(r2y, r1y));
    let r = prcc(&[x1, x2], &y).unwrap();
    let got1 = r.coefficients[0].prcc.unwrap();
    let got2 = r.coefficients[1].prcc.unwrap();
    assert!((got1 - want1).abs() < 1e-12, "{got1} against {want1}");
    assert!((got2 - want2).abs() < 1e-12, "{got2} against {want2}");
    assert!(got1 > 0.5 && got2 < -0.3, "{got1} {got2}");
    // n - 2 - (the one other parameter controlled for) degrees of freedom.
    assert_eq!((r.samples, r.df), (500, 497));
    let t = want1 * (497.0 / (1.0 - want1 * want1)).sqrt();
    assert!((r.coefficients[0].t.unwrap() - t).abs() < 1e-9);
}

#[test]
fn independent_noise_gives_prccs_near_zero_and_insignificant() {
    let mut u = Uniforms(42);
    let n = 2000;
    let columns: Vec<Vec<f64>> = (0..4).map(|_| u.column(n)).collect();
    let y = u.column(n);
    let r = prcc(&columns, &y).unwrap();
    for c in &r.coefficients {
        // A PRCC of independent columns has a standard error of about 1/sqrt(n) = 0.022.
        let v = c.prcc.unwrap();
        assert!(v.abs() < 0.08, "{v}");
        assert!(c.p.unwrap() > 0.001, "{c:?}");
    }
}

#[test]
fn t_test_p_values_match_hand_computed_cases() {
    // t = 1 on 1 degree of freedom (Cauchy): P(|T| >= 1) = 1/2 exactly.
    assert!((two_sided_p(1.0, 1) - 0.5).abs() < 1e-12);
    // On 2 degrees of freedom P(|T| >= t) = 1 - t / sqrt(2 + t^2): at t = 2, 1 - 2/sqrt(6).
    assert!((two_sided_p(2.0, 2) - (1.0 - 2.0 / 6f64.sqrt())).abs() < 1e-12);
    // Nearly normal on many degrees of freedom: |Z| >= 1.959964 has p = 0.05.
    assert!((two_sided_p(1.959964, 1_000_000) - 0.05).abs() < 1e-5);
    assert_eq!(two_sided_p(0.0, 10), 1.0);
    // r = 0.5 from 12 observations (10 degrees of freedom): t = 1.8257; for an even
    // number of degrees of freedom nu, with c = cos(atan(t / sqrt(nu))),
    // P(|T| >= t) = 1 - sin(atan(t / sqrt(nu))) (1 + c^2/2 + 1*3/(2*4) c^4 + ...), nu/2 terms.
    let (t, p) = t_test(0.5, 10);
    assert!((t - 1.825_741_858).abs() < 1e-8, "{t}");
    let theta = (t / 10f64.sqrt()).atan();
    let c2 = theta.cos().powi(2);
    let (mut sum, mut term) = (1.0, 1.0);
    for k in 1..5 {
        term *= (2 * k - 1) as f64 / (2 * k) as f64 * c2;
        sum += term;
    }
    let want = 1.0 - theta.sin() * sum;
    assert!((p - want).abs() < 1e-12, "{p} against {want}");
    assert!((p - 0.0979).abs() < 1e-4, "{p}");
}

#[test]
fn constant_columns_collinear_columns_and_too_few_samples_are_said() {
    let mut u = Uniforms(3);
    let (x1, x2) = (u.column(50), u.column(50));
    let y: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| a + 0.1 * b).collect();
    // A parameter that never varies: no coefficient, a note, the others as without it.
    let r = prcc(&[x1.clone(), vec![0.3; 50], x2.clone()], &y).unwrap();
    assert_eq!(r.coefficients[1].prcc, None);
    assert!(
        r.coefficients[1]
            .note
            .as_deref()
            .unwrap()
            .contains("constant")
    );
    let without = prcc(&[x1.clone(), x2.clone()], &y).unwrap();
    assert_eq!(r.coefficients[0], without.coefficients[0]);
    assert_eq!(r.df, without.df);
    // A figure that never varies.
    assert_eq!(
        prcc(std::slice::from_ref(&x1), &[2.0; 50]),
        Err(PrccError::ConstantOutput(2.0))
    );
    assert_eq!(
        prcc(&[vec![1.0; 50]], &y),
        Err(PrccError::NoVaryingParameter)
    );
    // Two parameters with the same ranks.
    let twice: Vec<f64> = x1.iter().map(|x| 3.0 * x + 1.0).collect();
    assert_eq!(
        prcc(&[x1.clone(), twice], &y),
        Err(PrccError::Collinear { column: 1 })
    );
    // Three parameters need five samples (one degree of freedom).
    let x3 = u.column(50);
    let few = |n: usize| {
        let c: Vec<Vec<f64>> = vec![x1[..n].to_vec(), x2[..n].to_vec(), x3[..n].to_vec()];
        prcc(&c, &x2[..n].iter().map(|x| -x).collect::<Vec<_>>())
    };
    assert_eq!(
        few(4),
        Err(PrccError::TooFewSamples {
            samples: 4,
            parameters: 3,
            needed: 5
        })
    );
    assert_eq!(few(5).unwrap().df, 1);
}

/// tests/data/sensitivity: the smoke scenario with the lower-tier interceptor's ballistic
/// Pk drawn, and a second drawn Pk, of the upper-tier interceptor that no battery in the
/// scenario carries: no threat ever meets it. Copied into `dir`, where the outputs go.
fn known_answer(dir: &Path) {
    let from = data_dir().join("sensitivity");
    let db = std::fs::read_to_string(from.join("db.toml")).unwrap();
    // The construction, as the files write it.
    assert!(db.contains("pk = { ballistic = { dist = \"uniform\", low = 0.1, high = 0.95, point = 0.5 }, drone = 0.8,"));
    assert!(db.contains("pk = { ballistic = { low = 0.3, mode = 0.6, high = 0.9 },"));
    let sc = std::fs::read_to_string(from.join("smoke.toml")).unwrap();
    assert!(
        !sc.contains("\"upper\""),
        "a battery carries the upper tier"
    );
    std::fs::write(dir.join("db.toml"), db).unwrap();
    std::fs::write(dir.join("smoke.toml"), sc).unwrap();
}

fn sensitivity(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sensitivity",
        "smoke.toml",
        "--figure",
        "leaked_ballistic",
        "-n",
        "300",
        "-s",
        "11",
    ];
    args.extend_from_slice(extra);
    hormuz_in(dir, &args)
}

/// sensitivity.csv's rows: (parameter, prcc, p_value).
fn rows(path: &Path) -> Vec<(String, f64, f64)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (k, v, p) = (at("parameter"), at("prcc"), at("p_value"));
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[k].to_string(),
                x[v].parse().unwrap(),
                x[p].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_one_parameter_a_figure_depends_on_comes_first_and_the_other_is_near_zero() {
    let dir = tempfile::tempdir().unwrap();
    known_answer(dir.path());
    let out = sensitivity(dir.path(), &["--backend", "cpu", "--out", "cpu"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let r = rows(&dir.path().join("cpu/sensitivity.csv"));
    assert_eq!(r.len(), 2);
    // More kills per round means fewer leakers: strongly negative, and certain.
    assert_eq!(r[0].0, "interceptors.lower.pk.ballistic");
    assert!(r[0].1 < -0.8, "{r:?}");
    assert!(r[0].2 < 1e-20, "{r:?}");
    // The upper tier's Pk is drawn but never used: chance alone.
    assert_eq!(r[1].0, "interceptors.upper.pk.ballistic");
    assert!(r[1].1.abs() < 0.15, "{r:?}");
    assert!(r[1].2 > 0.01, "{r:?}");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("PRCC, Marino et al. 2008"), "{table}");
    assert!(table.contains("interceptors.lower.pk.ballistic"), "{table}");
    let png = std::fs::read(dir.path().join("cpu/tornado.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // The same bytes on one thread, on the GPU (when there is one) and with small batches.
    let csv = std::fs::read(dir.path().join("cpu/sensitivity.csv")).unwrap();
    let mut others = vec![vec!["--backend", "cpu", "-j", "1", "--out", "one"]];
    if require_gpu().is_some() {
        others.push(vec!["--backend", "gpu", "--out", "gpu"]);
    }
    for extra in others {
        let out = sensitivity(dir.path(), &extra);
        assert!(out.status.success(), "{extra:?}");
        let again = std::fs::read(
            dir.path()
                .join(extra.last().unwrap())
                .join("sensitivity.csv"),
        );
        assert_eq!(again.unwrap(), csv, "{extra:?}");
    }
}

/// Runs `hormuz` in `dir` with `args`; asserts exit 2 and that stderr holds each needle.
fn refused(dir: &Path, args: &[&str], needles: &[&str]) {
    let out = hormuz_in(dir, args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_input_is_refused_with_exit_2_saying_what() {
    let dir = tempfile::tempdir().unwrap();
    known_answer(dir.path());
    let d = dir.path();
    let base = |figure: &'static str, n: &'static str| {
        vec![
            "sensitivity",
            "smoke.toml",
            "--figure",
            figure,
            "-n",
            n,
            "--backend",
            "cpu",
        ]
    };
    // An unknown figure, with the closest names.
    refused(
        d,
        &base("leaked_balistic", "50"),
        &[
            "--figure: unknown figure \"leaked_balistic\"",
            "the closest figures: leaked_ballistic",
        ],
    );
    // `replicate` is a column but no figure.
    refused(
        d,
        &base("replicate", "50"),
        &["unknown figure \"replicate\""],
    );
    // Too few replicates for two parameters.
    refused(
        d,
        &base("leaked_ballistic", "3"),
        &["too few replicates for 2 drawn parameters", "at least 4"],
    );
    // More replicates than the budget holds draws for: refused before anything runs.
    let mut big = base("leaked_ballistic", "10000000");
    big.extend(["--memory-budget", "64MiB"]);
    refused(
        d,
        &big,
        &["the analysis holds 228.9 MiB of draws and figure values (2 parameters)"],
    );
    // A figure that never varies.
    refused(
        d,
        &base("0 * leaked_ballistic", "50"),
        &["the figure is 0 in every replicate"],
    );
    // A scenario with nothing drawn.
    std::fs::copy(data_dir().join("db.toml"), d.join("db.toml")).unwrap();
    refused(
        d,
        &base("leaked_ballistic", "50"),
        &["smoke.toml: no figure is written as a distribution"],
    );
    // A distribution a run cannot draw per replicate: a time of flight shapes the plan.
    let db = std::fs::read_to_string(data_dir().join("db.toml")).unwrap().replacen(
        "flight_time_s = { value = 600, assumed = true, note = \"test\" }",
        "flight_time_s = { value = { dist = \"uniform\", low = 500, high = 700, point = 600 }, assumed = true, note = \"test\" }",
        1,
    );
    std::fs::write(d.join("db.toml"), db).unwrap();
    refused(
        d,
        &base("leaked_ballistic", "50"),
        &["threats.tbm.flight_time_s"],
    );
    // Flags out of range, and a missing --figure.
    refused(
        d,
        &[
            "sensitivity",
            "smoke.toml",
            "--figure",
            "leaked_ballistic",
            "--top",
            "0",
        ],
        &["--top"],
    );
    refused(d, &["sensitivity", "smoke.toml"], &["--figure"]);
    // A scenario that is not there.
    refused(
        d,
        &[
            "sensitivity",
            "nowhere.toml",
            "--figure",
            "leaked_ballistic",
        ],
        &["nowhere.toml"],
    );
}
