//! The grid: `--vary KEY=FROM..TO:STEP` axes, and the points they span.

/// One `--vary`: a key and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<f64>,
}

/// Most grid points a sweep may ask for.
pub const MAX_POINTS: usize = 100_000;

/// Parse `KEY=FROM..TO:STEP`.
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
    let n = ((to - from) / step + 1e-9).floor() as usize + 1;
    if n > MAX_POINTS {
        return Err(bad(&format!("{n} values, more than {MAX_POINTS}")));
    }
    // Round away the binary noise of repeated steps (0.1 + 0.2).
    let values = (0..n)
        .map(|i| {
            let v = from + i as f64 * step;
            (v * 1e12).round() / 1e12
        })
        .collect();
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

/// The grid points, first axis slowest.
pub fn grid(axes: &[Axis]) -> Vec<Vec<f64>> {
    let mut points = vec![Vec::new()];
    for a in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                a.values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    points
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
        ] {
            assert!(parse_axis(bad).is_err(), "{bad}");
        }
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
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![1.0, 10.0]);
        assert_eq!(g[1], vec![1.0, 20.0]);
        assert_eq!(g[5], vec![3.0, 20.0]);
    }
}
