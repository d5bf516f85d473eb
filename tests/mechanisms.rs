//! The mechanisms by which salvos get through, each against a closed form or a hand case
//! (`tests/common/mechanisms.rs` writes the scenarios out): impact scatter and
//! footprints, let-fall on a battery's predicted impact point, fly-out time, fire
//! channels busy until the intercept (the Erlang loss formula), radar track limits,
//! interceptor reliability, manoeuvring re-entry vehicles, decoys, submunitions, random
//! launch timing and the battery-choice rules. Monte Carlo means are compared within 4
//! standard errors (`assert_close`), the Erlang loss within 3.

mod common;

use std::sync::Arc;

use common::mechanisms::*;
use common::{assert_close, run};
use hormuz::engine::cpu::{flyout_at, intercept_tick};
use hormuz::engine::layout::*;
use hormuz::engine::plan::tables::cep_sigma;
use hormuz::report::Stat;
use hormuz::world::RunConfig;

const REPLICATES: u32 = 2000;

/// P(a circular normal of standard deviation `sigma` per axis lands within `r` of its
/// centre): the Rayleigh law.
fn within(r: f64, sigma: f64) -> f64 {
    1.0 - (-r * r / (2.0 * sigma * sigma)).exp()
}

/// The standard deviation per axis the kernels use for a CEP, in metres (the frame's
/// rounding included).
fn sigma_m(cep_m: f64) -> f64 {
    cep_sigma(cep_m) as f64 * FRAME_M as f64
}

#[test]
fn impact_points_scatter_by_the_weapons_cep_around_a_circular_footprint() {
    // CEP 1,000 m against a 1,000 m circle: half land inside (1 - 2^-(R/CEP)^2).
    let (n, cep, r) = (40, 1000.0, 1.0);
    let mut m = Mini::new(tbm("tbm", cep), n);
    m.footprint = format!("footprint = {{ radius_km = {r}, assumed = true }}");
    let (sc, plan) = m.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 11, None);
    let p = within(r * 1000.0, sigma_m(cep));
    assert!((p - 0.5).abs() < 0.01, "{p}");
    assert_close(&fig, "hits_base", n as f64 * p, "hits inside a circle");
    // Every arrival is a leaker; a miss is a leaker that hits nothing.
    for v in fig.column("leaked_ballistic").unwrap() {
        assert_eq!(v, n as f64);
    }
}

#[test]
fn a_polygon_footprint_takes_each_axis_of_the_scatter() {
    // A square of half-side a: P = erf(a / (sigma sqrt 2))^2.
    let (n, cep, a) = (40, 1000.0, 1.0);
    let mut m = Mini::new(tbm("tbm", cep), n);
    m.footprint = square_footprint(a);
    let (sc, plan) = m.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 12, None);
    let p = libm::erf(a * 1000.0 / (sigma_m(cep) * 2f64.sqrt())).powi(2);
    assert_close(&fig, "hits_base", n as f64 * p, "hits inside a square");
}

/// P(the predicted point falls outside and the true one inside a circle of radius `r`),
/// the true point a circular normal of `sw` per axis around the centre and the
/// prediction another of `sb` around the true point: numerically, over the true point's
/// radius (its distribution is Rayleigh) and the prediction's error on a polar grid.
fn let_fall_inside(r: f64, sw: f64, sb: f64) -> f64 {
    let (nr, ne, na) = (200, 200, 180);
    let mut total = 0.0;
    for i in 0..nr {
        // The true point at radius rho inside the circle.
        let rho = (i as f64 + 0.5) * r / nr as f64;
        let density = rho / (sw * sw) * (-rho * rho / (2.0 * sw * sw)).exp() * r / nr as f64;
        // P(|(rho, 0) + e| <= r), e ~ N(0, sb^2 I), on a polar grid of e up to 6 sb.
        let mut inside = 0.0;
        for j in 0..ne {
            let er = (j as f64 + 0.5) * 6.0 * sb / ne as f64;
            let w = er / (sb * sb) * (-er * er / (2.0 * sb * sb)).exp() * 6.0 * sb / ne as f64;
            let hits = (0..na)
                .filter(|&k| {
                    let t = (k as f64 + 0.5) * std::f64::consts::TAU / na as f64;
                    let (x, y) = (rho + er * t.cos(), er * t.sin());
                    x * x + y * y <= r * r
                })
                .count();
            inside += w * hits as f64 / na as f64;
        }
        total += density * (1.0 - inside);
    }
    total
}

#[test]
fn a_battery_lets_fall_what_it_predicts_outside_the_footprint() {
    // Impact scatter 1,000 m and prediction error 1,000 m per axis, a 1,500 m circle, Pk 1
    // and channels to spare: a threat is engaged (and killed) when predicted inside, let
    // fall otherwise; the let-fall ones that land inside are the hits.
    let (n, r) = (40, 1500.0);
    let cep = 1000.0 * (2.0 * std::f64::consts::LN_2).sqrt();
    let mut m = Mini::new(tbm("tbm", cep), n);
    m.interceptors = vec![lower("lower", 1.0)];
    m.batteries = vec![
        battery("sam", "lower", 2, n, 1000, "ballistic = [1]").with("impact_prediction_m = 1000"),
    ];
    m.footprint = format!(
        "footprint = {{ radius_km = {}, assumed = true }}",
        r / 1000.0
    );
    let (sc, plan) = m.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 13, None);
    let (sw, sb) = (sigma_m(cep), 1000.0);
    assert_eq!(sw, 1000.0);
    let ignored = 1.0 - within(r, (sw * sw + sb * sb).sqrt());
    assert_close(&fig, "ignored_ballistic", n as f64 * ignored, "let fall");
    assert_close(
        &fig,
        "intercepted_ballistic",
        n as f64 * (1.0 - ignored),
        "engaged",
    );
    let inside = let_fall_inside(r, sw, sb);
    assert!(inside > 0.05, "{inside}");
    assert_close(
        &fig,
        "hits_base",
        n as f64 * inside,
        "let fall, landed inside",
    );
    assert_close(
        &fig,
        "ignored_inside_ballistic",
        n as f64 * inside,
        "counted",
    );
    // Every leaker here was let fall.
    assert_eq!(
        fig.column("leaked_ballistic"),
        fig.column("ignored_ballistic")
    );
}

#[test]
fn a_battery_defends_only_what_it_is_told_to() {
    // `defends` names another asset: the base's threats are not its business.
    let mut m = Mini::new(tbm("tbm", 0.0), 10);
    m.interceptors = vec![lower("lower", 1.0)];
    m.batteries =
        vec![battery("sam", "lower", 2, 10, 100, "ballistic = [1]").with("defends = [\"other\"]")];
    m.footprint = "[[assets]]\nid = \"other\"\nname = \"Other\"\nside = \"blue\"\nkind = \"site\"\nposition = { lat = 29.0, lon = 45.0 }\nvulnerability = { value_usd = 1, staying_power = 1 }".into();
    let (sc, plan) = m.load();
    assert!(plan.opportunities.is_empty());
    let (_, fig) = run(&sc, &plan, 20, 14, None);
    for v in fig.column("hits_base").unwrap() {
        assert_eq!(v, 10.0);
    }
}

#[test]
fn interceptor_reliability_multiplies_the_kill_probability_and_is_counted_apart() {
    // Shoot-shoot with Pk 0.8 and reliability 0.75: P(leak) = (1 - 0.75 x 0.8)^2.
    let (n, p, rel) = (20, 0.8, 0.75);
    let mut ic = lower("lower", p);
    ic.reliability = rel;
    let mut m = Mini::new(tbm("tbm", 0.0), n);
    m.interceptors = vec![ic];
    m.batteries = vec![battery("sam", "lower", 2, n, 1000, "ballistic = [2]")];
    let (sc, plan) = m.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 15, None);
    let leak = (1.0 - rel * p).powi(2);
    assert_close(&fig, "leaked_ballistic", n as f64 * leak, "leakers");
    assert_close(
        &fig,
        "malfunctioned_lower",
        2.0 * n as f64 * (1.0 - rel),
        "failed rounds",
    );
}

#[test]
fn a_manoeuvring_warhead_lowers_pk_by_tier() {
    // Upper tier Pk 0.6 (factor 1), lower tier Pk 0.8 (factor 0.5): (1 - 0.6)(1 - 0.4).
    let (n, p1, p2) = (20, 0.6, 0.8);
    let w = tbm("marv", 0.0).with("manoeuvre = { tier1 = 1.0, tier2 = 0.5, assumed = true }");
    let mut m = Mini::new(w, n);
    m.interceptors = vec![upper("upper", p1), lower("lower", p2)];
    m.batteries = vec![
        battery("high", "upper", 1, n, 1000, "ballistic = [1]"),
        battery("low", "lower", 2, n, 1000, "ballistic = [1]"),
    ];
    let (sc, plan) = m.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 16, None);
    let leak = (1.0 - p1) * (1.0 - 0.5 * p2);
    assert_close(&fig, "leaked_ballistic", n as f64 * leak, "leakers");
}

#[test]
fn decoys_draw_interceptors_until_the_radar_tells_them_apart() {
    // Two decoys a warhead, discrimination 0.5, Pk 1, one round an object: every warhead
    // is killed, and each decoy draws a round unless told apart: n (1 + 2 x 0.5) rounds.
    let (n, d, q) = (20, 2.0, 0.5);
    let w = tbm("tbm", 0.0).with("decoys = { value = 2, assumed = true }");
    let mut m = Mini::new(w, n);
    m.interceptors = vec![lower("lower", 1.0)];
    m.batteries = vec![
        battery("sam", "lower", 2, 3 * n, 1000, "ballistic = [1]").with("discrimination = 0.5"),
    ];
    let (sc, plan) = m.load();
    assert_eq!(plan.tracks.len() as u32, 3 * n);
    let (_, fig) = run(&sc, &plan, REPLICATES, 17, None);
    for v in fig.column("intercepted_ballistic").unwrap() {
        assert_eq!(v, n as f64, "every warhead killed");
    }
    for v in fig.column("launched_ballistic").unwrap() {
        assert_eq!(v, n as f64, "decoys are not counted as missiles");
    }
    let decoys = n as f64 * d * (1.0 - q);
    assert_close(&fig, "decoy_engagements", decoys, "decoys engaged");
    assert_close(&fig, "fired_lower", n as f64 + decoys, "rounds");
    assert_eq!(
        fig.column("decoys_killed"),
        fig.column("decoy_rounds"),
        "Pk 1: every round at a decoy kills it"
    );
}

#[test]
fn decoys_never_separate_from_a_missile_killed_before_apogee() {
    // An upper tier 100 km up-range meets every missile on its way up (Pk 1): no decoy
    // ever reaches the lower tier.
    let w = tbm("tbm", 0.0).with("decoys = { value = 2, assumed = true }");
    let mut m = Mini::new(w, 10);
    m.interceptors = vec![upper("upper", 1.0), lower("lower", 1.0)];
    m.batteries = vec![
        battery("high", "upper", 1, 30, 100, "ballistic = [1]").with(&format!(
            "position = {{ lat = {}, lon = {} }}",
            BASE.0 + 3.6,
            BASE.1
        )),
        battery("low", "lower", 2, 30, 100, "ballistic = [1]"),
    ];
    let (sc, plan) = m.load();
    let (out, fig) = run(&sc, &plan, 50, 18, None);
    for v in fig.column("decoy_engagements").unwrap() {
        assert_eq!(v, 0.0);
    }
    let t = plan.tracks.len();
    let vanished = out
        .final_state
        .threats
        .iter()
        .enumerate()
        .filter(|(i, th)| plan.is_decoy(i % t) && th.status & STATUS_MASK == VANISHED)
        .count();
    assert_eq!(vanished, 50 * 20, "every decoy vanished");
}

#[test]
fn submunitions_hit_as_often_as_they_land_inside() {
    // 12 submunitions spread 1,000 m around an exact aim point, a 1,000 m circle.
    let (n, count, spread, r) = (10, 12.0, 1000.0, 1.0);
    let w =
        tbm("cluster", 0.0).with("submunitions = { count = 12, spread_m = 1000, assumed = true }");
    let mut m = Mini::new(w, n);
    m.footprint = format!("footprint = {{ radius_km = {r}, assumed = true }}");
    let (sc, plan) = m.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 19, None);
    let p = within(r * 1000.0, spread);
    assert_close(&fig, "hits_base", n as f64 * count * p, "submunition hits");
    assert_close(
        &fig,
        "damage_base",
        n as f64 * count * p,
        "each with its damage",
    );
}

#[test]
fn an_engagement_meets_its_threat_after_the_fly_out_lower_than_it_began() {
    let mut m = Mini::new(tbm("tbm", 0.0), 1);
    m.interceptors = vec![lower("lower", 1.0)];
    m.batteries = vec![battery("sam", "lower", 2, 1, 10, "ballistic = [1]")];
    let (sc, plan) = m.load();
    let config = RunConfig {
        replicates: 1,
        seed: 20,
        record: 0..1,
    };
    let out =
        hormuz::world::run_cpu(sc.clone(), plan.clone(), &config, None, |_, _| {}).expect("run");
    let tick = |kind| {
        out.events
            .iter()
            .find(|(_, e)| e.kind == kind)
            .unwrap()
            .1
            .tick
    };
    let (engaged, killed, launch) = (tick(E_ENGAGED), tick(E_KILLED), tick(E_LAUNCH));
    let o = plan.opportunities[0];
    let th = Threat {
        launch,
        ..Threat::INITIAL
    };
    assert_eq!(
        engaged - launch,
        o.enter,
        "engaged as soon as the window opens"
    );
    assert_eq!(killed, intercept_tick(&o, &th, engaged));
    assert!(killed > engaged + 1, "a fly-out of several ticks");
    assert_eq!(killed - engaged, flyout_at(&o, o.enter));
    let info = &plan.track_info[0];
    let alt = |t: u32| {
        let s = (t - launch) as f64 * sc.tick_seconds as f64;
        info.position(sc.weapons[0].class, s).1
    };
    assert!(alt(killed) < alt(engaged), "the intercept is lower");
    assert!(alt(killed) <= 30.0, "and inside the envelope");
}

#[test]
fn an_interceptor_too_slow_to_arrive_before_impact_never_starts() {
    // 30 km from the aim point, 50 m/s: 600 s at least, more than the missile's flight.
    let mut slow = lower("lower", 1.0);
    slow.speed_kms = 0.05;
    let mut m = Mini::new(tbm("tbm", 0.0), 5);
    m.interceptors = vec![slow];
    let p = hormuz::geo::LatLon::new(BASE.0, BASE.1).offset(0.0, 30.0);
    m.batteries = vec![
        battery("sam", "lower", 2, 5, 10, "ballistic = [1]").with(&format!(
            "position = {{ lat = {}, lon = {} }}",
            p.lat, p.lon
        )),
    ];
    let (sc, plan) = m.load();
    assert!(plan.opportunities.is_empty());
    let (_, fig) = run(&sc, &plan, 10, 21, None);
    for v in fig.column("fired_lower").unwrap() {
        assert_eq!(v, 0.0);
    }
}

/// The Erlang B formula: the share of arrivals lost by `n` servers offered `a` erlangs.
fn erlang_b(n: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (k as f64 + a * b);
    }
    b
}

#[test]
fn channels_busy_through_the_fly_out_lose_arrivals_as_erlang_b_says() {
    // Drones launched at random over 32,000 s (Poisson-like arrivals, 0.05 a second) each
    // get one look: their engagement window is one tick (1 s) wide. Each engagement holds
    // a channel for its fly-out, H ticks; Pk 1. With N channels, the share of drones that
    // find every channel busy and leak is the Erlang loss B(N, A) of the M/G/N/N queue,
    // which depends on the holding time through its mean only. A drone that arrives at a
    // moment U into its tick is served at the tick's start and frees its channel H ticks
    // after that: it holds it H - U of continuous time, uniform U, so A = 0.05 (H - 1/2).
    // (Exactly n arrivals, uniform over the interval, and an empty start make the loss a
    // little lower than for Poisson arrivals in a steady state: about 0.3% of it here.)
    let (n, over_s, channels) = (1600u32, 32_000u32, 4u32);
    let build = |ring: f64| {
        let mut ic = lower("sam", 1.0);
        ic.drone = [ring - 0.02, ring + 0.02, 0.0, 10.0];
        ic.speed_kms = 0.8;
        let mut m = Mini::new(drone("owd", 0.0), n);
        m.interceptors = vec![ic];
        m.batteries = vec![battery("sam", "sam", 2, channels, 100_000, "drone = [1]")];
        m.salvos[0].over = "08:53:20";
        m.salvos[0].timing = "random";
        m.header = "tick_seconds = 1".into();
        m.duration = "09:40";
        m
    };
    // A ring of 40 m around the drone's distance at age 1,000 s (it flies 50 m a second):
    // exactly one tick inside.
    let (sc, plan) = build(50.0).load();
    let info = &plan.track_info[0];
    let at = hormuz::geo::LatLon::new(BASE.0, BASE.1);
    let ring = info.position(sc.weapons[0].class, 1000.0).0.distance_km(at);
    let (sc, plan) = build(ring).load();
    assert_eq!(over_s, 8 * 3600 + 53 * 60 + 20);
    let o = plan.opportunities[0];
    assert!(
        plan.opportunities.len() == n as usize
            && plan
                .opportunities
                .iter()
                .all(|x| x.enter == x.exit && x.hit_first == x.hit_last && x.enter == o.enter),
        "one look per drone, the same for all"
    );
    let hold = flyout_at(&o, o.enter);
    assert!(hold > 20, "a fly-out of {hold} ticks");
    // Launch offsets are drawn on 0..=over (32,001 ticks).
    let offered = n as f64 / (over_s + 1) as f64 * (hold as f64 - 0.5);
    let expected = erlang_b(channels, offered);
    let (_, fig) = run(&sc, &plan, 150, 22, None);
    let share: Vec<f64> = fig
        .column("leaked_drone")
        .unwrap()
        .iter()
        .map(|l| l / n as f64)
        .collect();
    let s = Stat::of(&share);
    let se = Stat::std_error(&share);
    let z = (s.mean - expected) / se;
    eprintln!(
        "Erlang loss: {channels} channels, holding {hold} ticks, offered {offered:.3} erlangs: \
         loss {:.4} (se {se:.4}) vs B = {expected:.4}, {z:.2} standard errors",
        s.mean
    );
    assert!(
        z.abs() < 3.0,
        "loss {:.4} vs Erlang B({channels}, {offered:.3}) = {expected:.4}: {z:.1} standard errors",
        s.mean
    );
}

#[test]
fn a_radar_that_tracks_one_threat_engages_them_one_after_another() {
    // Three missiles at once, channels to spare, shoot-look-shoot, and rounds that never
    // work (reliability 0): each missile keeps the one radar track through both of its
    // engagements, and the next starts the tick after the last intercept of the one
    // before. The hand count follows the plan's fly-out table until the window closes.
    let mut ic = lower("lower", 1.0);
    ic.reliability = 0.0;
    ic.speed_kms = 3.0;
    let build = |radar: &str| {
        let mut m = Mini::new(tbm("tbm", 0.0), 3);
        m.interceptors = vec![ic.clone()];
        m.batteries = vec![battery("sam", "lower", 2, 10, 1000, "ballistic = [1, 1]").with(radar)];
        m
    };
    let (sc, plan) = build("radar_tracks = 1").load();
    let o = plan.opportunities[0];
    let th = Threat {
        launch: 0,
        ..Threat::INITIAL
    };
    let mut expected = 0;
    let mut start = o.enter;
    'drones: for _ in 0..3 {
        for _ in 0..2 {
            if start > o.exit {
                break 'drones;
            }
            expected += 1;
            start = intercept_tick(&o, &th, start) + 1;
        }
    }
    assert!(
        expected > 2 && expected < 6,
        "the radar must bind: {expected}"
    );
    let (_, fig) = run(&sc, &plan, 20, 23, None);
    for v in fig.column("fired_lower").unwrap() {
        assert_eq!(v, expected as f64, "engagements with one radar track");
    }
    // Without the limit, all three are engaged twice.
    let (sc, plan) = build("").load();
    let (_, fig) = run(&sc, &plan, 20, 23, None);
    for v in fig.column("fired_lower").unwrap() {
        assert_eq!(v, 6.0);
    }
}

#[test]
fn random_timing_draws_each_launch_over_the_interval() {
    let mut m = Mini::new(drone("owd", 0.0), 200);
    m.salvos[0].over = "01:00";
    m.salvos[0].timing = "random";
    let (sc, plan) = m.load();
    let (out, _) = run(&sc, &plan, 20, 24, None);
    let start = 60 / sc.tick_seconds;
    let ticks = 3600 / sc.tick_seconds;
    let offsets: Vec<f64> = out
        .final_state
        .threats
        .iter()
        .map(|th| (th.launch - start) as f64)
        .collect();
    assert!(offsets.iter().all(|&o| o <= ticks as f64));
    // Uniform on 0..=ticks: mean ticks / 2, standard deviation about ticks / sqrt 12.
    let s = Stat::of(&offsets);
    let se = ticks as f64 / 12f64.sqrt() / (offsets.len() as f64).sqrt();
    assert!((s.mean - ticks as f64 / 2.0).abs() < 4.0 * se, "{}", s.mean);
    // Replicates differ.
    assert_ne!(
        out.final_state.threats[0].launch,
        out.final_state.threats[200].launch
    );
}

/// Two batteries of one tier, each with its own interceptor type so that `fired_<id>`
/// tells which engaged: `a` and `b`.
fn two_batteries(header: &str, a: &str, b: &str) -> Arc<hormuz::report::Figures> {
    let mut m = Mini::new(tbm("tbm", 0.0), 20);
    m.interceptors = vec![lower("ia", 1.0), lower("ib", 1.0)];
    m.batteries = vec![
        Battery {
            id: "a",
            lines: a.into(),
        },
        Battery {
            id: "b",
            lines: b.into(),
        },
    ];
    m.header = header.into();
    let (sc, plan) = m.load();
    Arc::new(run(&sc, &plan, 10, 25, None).1)
}

fn fired(fig: &hormuz::report::Figures, id: &str) -> f64 {
    let v = fig.column(&format!("fired_{id}")).unwrap();
    assert!(v.iter().all(|&x| x == v[0]), "the same in every replicate");
    v[0]
}

#[test]
fn the_battery_defending_the_target_engages_first_then_the_nearest() {
    // `a` defends the base from 15 km away; `b` stands on it, defending every asset.
    let at = |km: f64| {
        let p = hormuz::geo::LatLon::new(BASE.0, BASE.1).offset(0.0, km);
        format!("position = {{ lat = {}, lon = {} }}\n", p.lat, p.lon)
    };
    let common = "channels = 20\ntier = 2\ndoctrine = { ballistic = [1] }\n";
    let a = format!(
        "{}{common}magazine = [{{ interceptor = \"ia\", ready = 50 }}]\ndefends = [\"base\"]\n",
        at(15.0)
    );
    let b = format!(
        "{}{common}magazine = [{{ interceptor = \"ib\", ready = 50 }}]\n",
        at(0.0)
    );
    let fig = two_batteries("", &a, &b);
    assert_eq!((fired(&fig, "ia"), fired(&fig, "ib")), (20.0, 0.0));
    let fig = two_batteries("battery_choice = \"nearest\"", &a, &b);
    assert_eq!((fired(&fig, "ia"), fired(&fig, "ib")), (0.0, 20.0));
}

#[test]
fn among_equals_the_battery_with_the_most_rounds_engages() {
    // Both on the base, `a` with 30 rounds ready, `b` with 20: `a` engages until the two
    // are level, then they alternate (a tie goes to the first in order): 15 and 5.
    let battery = |ic: &str, ready: u32| {
        format!(
            "host = \"base\"\nchannels = 20\ntier = 2\ndoctrine = {{ ballistic = [1] }}\nmagazine = [{{ interceptor = \"{ic}\", ready = {ready} }}]\n"
        )
    };
    for rule in [
        "",
        "battery_choice = \"nearest\"",
        "battery_choice = \"most-rounds\"",
    ] {
        let fig = two_batteries(rule, &battery("ia", 30), &battery("ib", 20));
        assert_eq!(
            (fired(&fig, "ia"), fired(&fig, "ib")),
            (15.0, 5.0),
            "{rule}"
        );
    }
}

#[test]
fn bad_mechanism_inputs_are_refused_each_at_its_place() {
    // One file with a problem in every new key; `hormuz check` reports them all, exit 2.
    let w = tbm("tbm", -5.0)
        .with("decoys = { value = 1.5, assumed = true }")
        .with("manoeuvre = { tier2 = 1.5 }")
        .with("submunitions = { count = 0, spread_m = 100, assumed = true }");
    let mut cruise = drone("cm", 10.0).with("decoys = { value = 1, assumed = true }");
    cruise.class = "cruise";
    let mut ic = lower("lower", 1.0);
    ic.speed_kms = 0.0;
    ic.reliability = 1.5;
    let mut m = Mini::new(w, 1);
    m.weapons.push(cruise);
    m.interceptors = vec![ic];
    m.batteries = vec![battery("sam", "lower", 2, 65, 10, "ballistic = [1]").with(
        "radar_tracks = 0\nimpact_prediction_m = -1\ndiscrimination = 2\ndefends = [\"nowhere\"]",
    )];
    m.footprint = "footprint = { radius_km = 40, assumed = true }".into();
    m.header = "battery_choice = \"closest\"".into();
    let dir = tempfile::tempdir().unwrap();
    let path = m.write(dir.path());
    let o = common::hormuz(&["check", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    // The header's unknown rule is a syntax error, reported alone: check it, then the rest.
    assert!(
        err.contains("mechanisms.toml:6:18: error: unknown variant `closest`, expected one of `defended-first`"),
        "{err}"
    );
    m.header = String::new();
    let path = m.write(dir.path());
    let o = common::hormuz(&["check", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for what in [
        "threats[0].cep_m.value: expected a number of 0 or more",
        "threats[0].decoys.value: expected a whole number of decoys from 0 to 8",
        "threats[0].manoeuvre.tier2: expected a probability",
        "threats[0].manoeuvre: a figure needs a `source`",
        "threats[0].submunitions.count: expected 1 to 100 submunitions",
        "threats[1].decoys: only a ballistic missile's re-entry brings decoys",
        "interceptors[0].mean_speed_kms.value: expected a number above 0",
        "interceptors[0].reliability.value: expected a probability",
        "batteries[0].channels: expected at most 64 fire channels",
        "batteries[0].radar_tracks: expected a radar that tracks at least 1 threat",
        "batteries[0].impact_prediction_m: expected a standard deviation",
        "batteries[0].discrimination: expected a probability",
        "batteries[0].defends[0]: unknown asset \"nowhere\"",
        "assets[0].footprint.radius_km: expected a radius above 0 and at most 30 km",
    ] {
        assert!(err.contains(what), "missing {what:?} in:\n{err}");
    }
    // Every line names its file, line and column.
    for line in err.lines().filter(|l| l.contains("error:")) {
        let place = line.split(": error:").next().unwrap();
        assert!(
            place.matches(':').count() >= 2 && place.ends_with(|c: char| c.is_ascii_digit()),
            "{line}"
        );
    }
}
