//! The engine against the closed forms of `../shared/reference/analytic.md`: each test
//! runs enough replicates that a wrong Pk, a wrong doctrine or an off-by-one in a
//! magazine moves the mean by many standard errors.

mod common;

use common::*;

const REPLICATES: u32 = 2000;

#[test]
fn shoot_shoot_leaks_with_probability_one_minus_p_to_the_n() {
    let p = 0.7;
    let s = Setup {
        db: Db {
            p_lower: p,
            ..Db::default()
        },
        weapon: "tbm",
        count: 20,
        over: "00:00",
        batteries: battery("sam", "lower", 2, 20, 1000, "ballistic = [2]"),
        detection: 1.0,
    };
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 1, None);
    assert_close(
        &fig,
        "leaked_ballistic",
        20.0 * (1.0f64 - p).powi(2),
        "shoot-shoot leakers",
    );
    // Two interceptors per engaged threat, every threat engaged.
    for v in fig.column("fired_lower").unwrap() {
        assert_eq!(v, 40.0);
    }
}

#[test]
fn detection_reliability_scales_the_engaged_share() {
    let (p, r) = (0.7, 0.9);
    let s = Setup {
        db: Db {
            p_lower: p,
            ..Db::default()
        },
        weapon: "tbm",
        count: 20,
        over: "00:00",
        batteries: battery("sam", "lower", 2, 20, 1000, "ballistic = [2]"),
        detection: r,
    };
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 2, None);
    let leak = 1.0 - r * (1.0 - (1.0f64 - p).powi(2));
    assert_close(
        &fig,
        "leaked_ballistic",
        20.0 * leak,
        "leakers with detection R",
    );
    assert_close(
        &fig,
        "undetected_ballistic",
        20.0 * (1.0 - r),
        "undetected threats",
    );
}

#[test]
fn shoot_look_shoot_saves_interceptors() {
    let p = 0.8;
    let s = Setup {
        db: Db {
            p_lower: p,
            ..Db::default()
        },
        weapon: "owd",
        count: 20,
        over: "00:00",
        batteries: battery("sam", "lower", 2, 20, 1000, "drone = [1, 1]"),
        detection: 1.0,
    };
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 3, None);
    // P(leak) = (1-p)^2 = 0.04 either way, but 1 + (1-p) = 1.2 interceptors per threat.
    assert_close(
        &fig,
        "leaked_drone",
        20.0 * 0.04,
        "shoot-look-shoot leakers",
    );
    assert_close(
        &fig,
        "fired_lower",
        20.0 * 1.2,
        "shoot-look-shoot interceptors",
    );
}

#[test]
fn layered_defence_multiplies_the_leak_probabilities() {
    let (p1, p2) = (0.6, 0.8);
    let mut batteries = battery("upper", "upper", 1, 20, 1000, "ballistic = [1]");
    batteries.push_str(&battery("lower", "lower", 2, 20, 1000, "ballistic = [1]"));
    let s = Setup {
        db: Db {
            p_lower: p2,
            p_upper: p1,
            ..Db::default()
        },
        weapon: "tbm",
        count: 20,
        over: "00:00",
        batteries,
        detection: 1.0,
    };
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 4, None);
    assert_close(
        &fig,
        "leaked_ballistic",
        20.0 * (1.0 - p1) * (1.0 - p2),
        "layered leakers",
    );
    // The upper tier engages every threat once; the lower tier only its leakers.
    for v in fig.column("fired_upper").unwrap() {
        assert_eq!(v, 20.0);
    }
    assert_close(&fig, "fired_lower", 20.0 * (1.0 - p1), "lower-tier shots");
}

#[test]
fn saturation_engages_floor_of_magazine_over_salvo() {
    let p = 0.8;
    let (s_threats, interceptors, n) = (40u32, 30u32, 2u32);
    let s = Setup {
        db: Db {
            p_lower: p,
            ..Db::default()
        },
        weapon: "tbm",
        count: s_threats,
        over: "00:00",
        batteries: battery("sam", "lower", 2, 40, interceptors, "ballistic = [2]"),
        detection: 1.0,
    };
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 5, None);
    let k = s_threats.min(interceptors / n) as f64;
    let expected = (s_threats as f64 - k) + k * (1.0f64 - p).powi(n as i32);
    assert_close(&fig, "leaked_ballistic", expected, "saturation leakers");
    for v in fig.column("fired_lower").unwrap() {
        assert_eq!(v, (interceptors / n * n) as f64, "rounds fired");
    }
    for v in fig.column("magazines_exhausted").unwrap() {
        assert_eq!(v, 1.0);
    }
}

#[test]
fn fire_channels_cap_engagements_whatever_the_magazine() {
    let channels = 2u32;
    let s = Setup {
        db: Db {
            p_lower: 1.0,
            ..Db::default()
        },
        weapon: "tbm",
        count: 40,
        over: "00:00",
        batteries: battery("sam", "lower", 2, channels, 10_000, "ballistic = [1]"),
        detection: 1.0,
    };
    let (sc, plan) = s.load();
    // Every threat flies the same path, so they share one window of W ticks.
    let o = plan.opportunities[0];
    assert!(
        plan.opportunities
            .iter()
            .all(|x| x.enter == o.enter && x.exit == o.exit)
    );
    let w = o.exit - o.enter + 1;
    assert!(
        channels * w < 40,
        "the window must be the binding limit (W = {w})"
    );
    let (_, fig) = run(&sc, &plan, 200, 6, None);
    for v in fig.column("intercepted_ballistic").unwrap() {
        assert_eq!(
            v,
            (channels * w) as f64,
            "engagements over a window of {w} ticks"
        );
    }
}

#[test]
fn launch_and_flight_reliability_thin_the_salvo() {
    let (lr, fr) = (0.7, 0.9);
    let s = Setup {
        db: Db {
            launch_reliability: lr,
            flight_reliability: fr,
            ..Db::default()
        },
        weapon: "tbm",
        count: 20,
        over: "00:00",
        batteries: battery("sam", "lower", 2, 1, 1, "drone = [1]"),
        detection: 1.0,
    };
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 7, None);
    assert_close(&fig, "leaked_ballistic", 20.0 * lr * fr, "arrivals");
    assert_close(&fig, "failed_ballistic", 20.0 * (1.0 - lr * fr), "failures");
}

#[test]
fn a_launch_site_reliability_multiplies_the_weapons() {
    let (lr, site) = (0.7, 0.8);
    let s = Setup {
        db: Db {
            launch_reliability: lr,
            ..Db::default()
        },
        weapon: "tbm",
        count: 20,
        over: "00:00",
        batteries: battery("sam", "lower", 2, 1, 1, "drone = [1]"),
        detection: 1.0,
    };
    let (sc, plan) =
        s.load_edited(|t| t.replace("reload_s = 60", "reload_s = 60\nlaunch_reliability = 0.8"));
    let (_, fig) = run(&sc, &plan, REPLICATES, 8, None);
    assert_close(&fig, "leaked_ballistic", 20.0 * lr * site, "arrivals");
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let s = Setup {
        db: Db::default(),
        weapon: "tbm",
        count: 40,
        over: "00:05",
        batteries: battery("sam", "lower", 2, 3, 30, "ballistic = [1, 1]"),
        detection: 0.9,
    };
    let (sc, plan) = s.load();
    let (a, _) = run(&sc, &plan, 300, 9, Some(1));
    let (b, _) = run(&sc, &plan, 300, 9, Some(2));
    assert_eq!(a.final_state.counters, b.final_state.counters);
    assert_eq!(a.final_state.threats, b.final_state.threats);
    assert_eq!(a.final_state.magazines, b.final_state.magazines);
    let (c, _) = run(&sc, &plan, 300, 10, Some(2));
    assert_ne!(
        a.final_state.threats, c.final_state.threats,
        "the seed must matter"
    );
}
