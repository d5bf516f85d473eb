//! The grid: `--vary KEY=FROM..TO:STEP` axes, and the points they span.

/// One `--vary`: a key and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<f64>,
}

/// Most grid points a sweep may ask for, whatever `--max-points` says.
pub const MAX_POINTS: usize = 100_000;

/// Grid points a sweep runs without being asked for more with `--max-points`: each is a
/// whole run.
pub const DEFAULT_MAX_POINTS: usize = 1_000;

/// Parse `KEY=FROM..TO:STEP`. The number of values is bounded before any is made.
pub fn parse_axis(s: &str) -> Result<Axis, String> {
    let bad = |why: &str| {
        format!(
            "--vary {s}: {why}; expected KEY=FROM..TO:STEP, e.g. orders.wave-1.salvo.count=10..50:10"
        )
    };
    let (key, range) = s.split_once('=').ok_or_else(|| bad("no `=`"))?;
    let key = key.trim();
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err(bad("empty key or key segment"));
    }
    let (span, step) = range.split_once(':').ok_or_else(|| bad("no `:STEP`"))?;
    let (from, to) = span
        .split_once("..")
        .ok_or_else(|| bad("no `..` between FROM and TO"))?;
    let num = |x: &str, what: &str| -> Result<f64, String> {
        let v: f64 = x
            .trim()
            .parse()
            .map_err(|_| bad(&format!("{what} {x:?} is not a number")))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(bad(&format!("{what} must be finite")))
        }
    };
    let (from, to, step) = (num(from, "FROM")?, num(to, "TO")?, num(step, "STEP")?);
    if step <= 0.0 {
        return Err(bad("STEP must be above 0"));
    }
    if to < from {
        return Err(bad("TO is below FROM"));
    }
    // Counted in floating point first: (TO - FROM) / STEP may be far beyond any integer.
    let steps = ((to - from) / step + 1e-9).floor();
    if steps >= MAX_POINTS as f64 {
        return Err(bad(&format!(
            "(TO - FROM) / STEP gives {:.3e} values, more than {MAX_POINTS}",
            steps + 1.0
        )));
    }
    let n = steps as usize + 1;
    // Round away the binary noise of repeated steps (0.1 + 0.2).
    let values: Vec<f64> = (0..n)
        .map(|i| {
            let v = from + i as f64 * step;
            (v * 1e12).round() / 1e12
        })
        .collect();
    if values.windows(2).any(|w| w[0] >= w[1]) {
        return Err(bad(&format!(
            "the values repeat: STEP {step} is finer than numbers near {from} can tell apart"
        )));
    }
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

/// The grid's points, or why it is refused: a key given twice, or more points than
/// `max_points` (at most [`MAX_POINTS`]). Checked before any point is made.
pub fn check_grid(axes: &[Axis], max_points: usize) -> Result<usize, String> {
    for (i, a) in axes.iter().enumerate() {
        if axes[..i].iter().any(|b| b.key == a.key) {
            return Err(format!(
                "--vary {}: the key is given twice; give each key once, with all its values",
                a.key
            ));
        }
    }
    let size = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()));
    let shape = axes
        .iter()
        .map(|a| a.values.len().to_string())
        .collect::<Vec<_>>()
        .join(" x ");
    match size {
        Some(n) if n <= max_points.min(MAX_POINTS) => Ok(n),
        Some(n) if n <= MAX_POINTS => Err(format!(
            "--vary: the grid has {n} points ({shape}), more than --max-points {max_points}; each point is a whole run: pass --max-points {n} to run them all"
        )),
        _ => {
            let n = axes
                .iter()
                .fold(1u128, |n, a| n.saturating_mul(a.values.len() as u128));
            Err(format!(
                "--vary: the grid has {n} points ({shape}), more than the {MAX_POINTS} a sweep may run"
            ))
        }
    }
}

/// Grid point `i` of the grid, first axis slowest.
pub fn point(axes: &[Axis], mut i: usize) -> Vec<f64> {
    let mut p = vec![0.0; axes.len()];
    for (k, a) in axes.iter().enumerate().rev() {
        p[k] = a.values[i % a.values.len()];
        i /= a.values.len();
    }
    p
}

/// The grid points, first axis slowest, made one at a time (`check_grid` bounds them).
pub fn grid(axes: &[Axis]) -> impl Iterator<Item = Vec<f64>> + '_ {
    let n = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
        .unwrap_or(0);
    (0..n).map(move |i| point(axes, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_parse_and_reject() {
        let a = parse_axis("orders.w.salvo.count=10..30:10").unwrap();
        assert_eq!(a.values, vec![10.0, 20.0, 30.0]);
        let a = parse_axis("interceptors.x.pk.ballistic=0.1..0.3:0.1").unwrap();
        assert_eq!(a.values, vec![0.1, 0.2, 0.3]);
        assert_eq!(parse_axis("k=1..1:5").unwrap().values, vec![1.0]);
        for bad in [
            "k",
            "k=1..2",
            "k=1:1",
            "k=2..1:1",
            "k=1..2:0",
            "k=a..2:1",
            "=1..2:1",
            "a..b=1..2:1",
            "k=0..1e20:1",
            "k=0..100000:1",
            "k=1e20..1.00000000001e20:1",
            "k=0..1e-13:1e-14",
        ] {
            assert!(parse_axis(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_axis("k=1..99999:1").unwrap().values.len(), 99_999);
    }

    #[test]
    fn grids_are_bounded_before_they_are_made_and_keys_are_given_once() {
        let axis = |key: &str, n: usize| Axis {
            key: key.into(),
            values: (0..n).map(|i| i as f64).collect(),
        };
        assert_eq!(check_grid(&[axis("a", 10), axis("b", 100)], 1000), Ok(1000));
        let e = check_grid(&[axis("a", 100), axis("b", 100)], 1000).unwrap_err();
        assert!(
            e.contains("10000 points (100 x 100)") && e.contains("--max-points 10000"),
            "{e}"
        );
        assert_eq!(
            check_grid(&[axis("a", 100), axis("b", 100)], 10_000),
            Ok(10_000)
        );
        let e = check_grid(&[axis("a", 99_999), axis("b", 99_999)], MAX_POINTS).unwrap_err();
        assert!(e.contains("9999800001 points (99999 x 99999)"), "{e}");
        let e = check_grid(&[axis("a", 2), axis("b", 2), axis("a", 2)], 1000).unwrap_err();
        assert!(e.contains("--vary a: the key is given twice"), "{e}");
        assert_eq!(point(&[axis("a", 3), axis("b", 2)], 5), vec![2.0, 1.0]);
    }

    #[test]
    fn the_grid_is_the_cartesian_product_first_key_slowest() {
        let a = Axis {
            key: "a".into(),
            values: vec![1.0, 2.0, 3.0],
        };
        let b = Axis {
            key: "b".into(),
            values: vec![10.0, 20.0],
        };
        let g: Vec<Vec<f64>> = grid(&[a, b]).collect();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![1.0, 10.0]);
        assert_eq!(g[1], vec![1.0, 20.0]);
        assert_eq!(g[5], vec![3.0, 20.0]);
    }
}
