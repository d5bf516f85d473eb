use super::*;
use crate::scenario::Place;

fn reported(figure: &str, lo: f64, hi: f64) -> Reported {
    Reported {
        figure: figure.into(),
        figure_at: Place {
            file: "test".into(),
            line: 0,
            column: 0,
            path: "reported[0].figure".into(),
        },
        range: [lo, hi],
        source: "test".into(),
        note: None,
    }
}

fn event(file: &str, figures: Vec<(Reported, Vec<Option<f64>>)>) -> EventSims {
    let (reported, values) = figures.into_iter().unzip();
    EventSims {
        name: file.into(),
        file: file.into(),
        reported,
        values,
    }
}

#[test]
fn a_value_inside_its_range_is_at_distance_zero_and_outside_in_units_of_spread() {
    let sims = [event(
        "a",
        vec![(
            reported("x", 10.0, 12.0),
            vec![Some(11.0), Some(14.0), Some(7.0), None],
        )],
    )];
    // The spread: half the range's width (1) beats the MAD of 11, 14, 7 (3 x 1.4826).
    let scale = scales(&sims);
    assert!((scale[0] - 3.0 * 1.4826).abs() < 1e-9, "{scale:?}");
    let d = distances(&sims, sims[0].values[0].len(), &scale, |_| true);
    assert_eq!(d[0], 0.0);
    assert!((d[1] - 2.0 / scale[0]).abs() < 1e-12);
    assert!((d[2] - 3.0 / scale[0]).abs() < 1e-12);
    assert_eq!(d[3], UNDEFINED);
}

#[test]
fn the_closest_fraction_is_accepted_at_least_the_minimum_ties_by_set() {
    let d: Vec<f64> = (0..200).map(|i| ((i * 37) % 100) as f64).collect();
    let (kept, tol) = accept(&d, 0.05);
    assert_eq!(kept.len(), MIN_ACCEPTED);
    // Distances 0..=9 occur twice each in 200 sets: the 20 closest are exactly those.
    assert!(kept.iter().all(|&s| d[s] < 10.0), "{kept:?}");
    assert_eq!(tol, 9.0);
    let (kept, tol) = accept(&d, 0.5);
    assert_eq!(kept.len(), 100);
    assert_eq!(tol, 49.0);
    assert!(kept.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn leaving_an_event_out_predicts_it_from_the_others_alone() {
    // Two events see the same hidden quantity: set s's value is s % 100 in both. The
    // first reports 40-45, the second 0-100 (no information): leaving the first out, the
    // second accepts any set, so the first's prediction is the prior's spread; leaving
    // the second out, the first pins the sets near 40-45, and the second's reported range
    // covers its prediction.
    let v: Vec<Option<f64>> = (0..2000).map(|s| Some((s % 100) as f64)).collect();
    let sims = vec![
        event("a", vec![(reported("x", 40.0, 45.0), v.clone())]),
        event("b", vec![(reported("x", 0.0, 100.0), v)]),
    ];
    let scale = scales(&sims);
    let all = distances(&sims, sims[0].values[0].len(), &scale, |_| true);
    let (kept, _) = accept(&all, 0.05);
    assert!(kept.iter().all(|&s| (40..=45).contains(&(s % 100))));
    let a = predict(
        &sims[0],
        &accept(
            &distances(&sims, sims[0].values[0].len(), &scale, |i| i != 0),
            0.05,
        )
        .0,
    );
    // The first event predicted by the second alone: the 100 sets it accepts are the
    // first hundred (all at distance 0, ties by set), values 0-99.
    assert!(
        a[0].model.p5 < 10.0 && a[0].model.p95 > 90.0,
        "{:?}",
        a[0].model
    );
    let b = predict(
        &sims[1],
        &accept(
            &distances(&sims, sims[0].values[0].len(), &scale, |i| i != 1),
            0.05,
        )
        .0,
    );
    assert!(
        b[0].model.p5 >= 40.0 && b[0].model.p95 <= 45.0,
        "{:?}",
        b[0].model
    );
    assert_eq!(b[0].verdict, Verdict::Within);
}
