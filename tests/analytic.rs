//! The engine against the closed forms of `../shared/reference/analytic.md`: each test
//! runs enough replicates that a wrong Pk, a wrong doctrine or an off-by-one in a
//! magazine moves the mean by many standard errors. The setups are `common::setups`; each
//! test reads their parameters back, so that a closed form and its scenario cannot drift
//! apart.

mod common;

use common::*;

const REPLICATES: u32 = 2000;

#[test]
fn shoot_shoot_leaks_with_probability_one_minus_p_to_the_n() {
    let s = setups::shoot_shoot();
    assert_eq!(s.batteries[0].doctrine, "ballistic = [2]");
    let (p, n) = (s.db.p_lower, s.count as f64);
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 1, None);
    assert_close(
        &fig,
        "leaked_ballistic",
        n * (1.0f64 - p).powi(2),
        "shoot-shoot leakers",
    );
    // Two interceptors per engaged threat, every threat engaged.
    for v in fig.column("fired_lower").unwrap() {
        assert_eq!(v, 2.0 * n);
    }
}

#[test]
fn detection_reliability_scales_the_engaged_share() {
    let s = setups::detection();
    assert_eq!(s.batteries[0].doctrine, "ballistic = [2]");
    let (p, r, n) = (s.db.p_lower, s.detection, s.count as f64);
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 2, None);
    let leak = 1.0 - r * (1.0 - (1.0f64 - p).powi(2));
    assert_close(
        &fig,
        "leaked_ballistic",
        n * leak,
        "leakers with detection R",
    );
    assert_close(
        &fig,
        "undetected_ballistic",
        n * (1.0 - r),
        "undetected threats",
    );
}

#[test]
fn shoot_look_shoot_saves_interceptors() {
    let s = setups::shoot_look_shoot();
    assert_eq!(s.batteries[0].doctrine, "drone = [1, 1]");
    let (p, n) = (s.db.p_lower, s.count as f64);
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 3, None);
    // P(leak) = (1-p)^2 either way, but 1 + (1-p) interceptors per threat.
    assert_close(
        &fig,
        "leaked_drone",
        n * (1.0 - p).powi(2),
        "shoot-look-shoot leakers",
    );
    assert_close(
        &fig,
        "fired_lower",
        n * (2.0 - p),
        "shoot-look-shoot interceptors",
    );
}

#[test]
fn layered_defence_multiplies_the_leak_probabilities() {
    let s = setups::layered();
    let (p1, p2, n) = (s.db.p_upper, s.db.p_lower, s.count as f64);
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 4, None);
    assert_close(
        &fig,
        "leaked_ballistic",
        n * (1.0 - p1) * (1.0 - p2),
        "layered leakers",
    );
    // The upper tier engages every threat once; the lower tier only its leakers.
    for v in fig.column("fired_upper").unwrap() {
        assert_eq!(v, n);
    }
    assert_close(&fig, "fired_lower", n * (1.0 - p1), "lower-tier shots");
}

#[test]
fn saturation_engages_floor_of_magazine_over_salvo() {
    let s = setups::saturation();
    assert_eq!(s.batteries[0].doctrine, "ballistic = [2]");
    let (p, s_threats, interceptors, n) = (s.db.p_lower, s.count, s.batteries[0].ready, 2u32);
    assert!(interceptors / n < s_threats, "the magazine must run dry");
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
fn fire_channels_busy_through_the_fly_out_cap_engagements_whatever_the_magazine() {
    let s = setups::channels();
    assert_eq!(s.db.p_lower, 1.0, "every engagement kills");
    let (channels, count) = (s.batteries[0].channels, s.count);
    let (sc, plan) = s.load();
    // Every threat flies the same path, so they share one window: engagements can start
    // at ages `enter..=exit`, and one started at age `a` keeps its channel until its
    // intercept, `flyout_at(a)` ticks later (at least the next tick). So each channel
    // engages at ages a0 = enter, a1 = a0 + max(f(a0), 1), ... while within the window.
    let o = plan.opportunities[0];
    assert!(
        plan.opportunities
            .iter()
            .all(|x| x.enter == o.enter && x.exit == o.exit)
    );
    let mut rounds = 0;
    let mut a = o.enter;
    while a <= o.exit {
        rounds += 1;
        a += hormuz::engine::cpu::flyout_at(&o, a).max(1);
    }
    assert!(rounds > 1, "more than one engagement a channel");
    assert!(
        channels * rounds < count,
        "the channels must be the binding limit ({rounds} rounds)"
    );
    let (_, fig) = run(&sc, &plan, 200, 6, None);
    for v in fig.column("intercepted_ballistic").unwrap() {
        assert_eq!(
            v,
            (channels * rounds) as f64,
            "engagements of {channels} channels over {rounds} rounds"
        );
    }
}

#[test]
fn launch_and_flight_reliability_thin_the_salvo() {
    let s = setups::reliability();
    let (lr, fr, n) = (
        s.db.launch_reliability,
        s.db.flight_reliability,
        s.count as f64,
    );
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 7, None);
    assert_close(&fig, "leaked_ballistic", n * lr * fr, "arrivals");
    assert_close(&fig, "failed_ballistic", n * (1.0 - lr * fr), "failures");
}

#[test]
fn a_launch_site_reliability_multiplies_the_weapons() {
    let s = setups::site_reliability();
    let (lr, site, n) = (
        s.db.launch_reliability,
        s.site_reliability.expect("the site's own reliability"),
        s.count as f64,
    );
    assert_eq!(s.db.flight_reliability, 1.0);
    let (sc, plan) = s.load();
    let (_, fig) = run(&sc, &plan, REPLICATES, 8, None);
    assert_close(&fig, "leaked_ballistic", n * lr * site, "arrivals");
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let (sc, plan) = setups::spread_salvo().load();
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
