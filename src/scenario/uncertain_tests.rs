use super::*;

#[test]
fn triangular_quantiles_meet_the_mode_and_the_ends() {
    let d = Distribution::Triangular {
        low: 0.45,
        mode: 0.7,
        high: 0.9,
    };
    assert_eq!(d.quantile(0.0), 0.45);
    assert_eq!(d.quantile(1.0), 0.9);
    // The CDF at the mode is (mode - low) / (high - low).
    let at_mode = (0.7 - 0.45) / (0.9 - 0.45);
    assert!((d.quantile(at_mode) - 0.7).abs() < 1e-12);
    assert_eq!(d.point(), 0.7);
    // Right-triangular shapes (mode at an end) are allowed.
    let right = Distribution::Triangular {
        low: 0.7,
        mode: 1.0,
        high: 1.0,
    };
    assert!((right.quantile(0.25) - (0.7 + (0.25f64 * 0.3 * 0.3).sqrt())).abs() < 1e-12);
    let left = Distribution::Triangular {
        low: 0.0,
        mode: 0.0,
        high: 2.0,
    };
    assert!((left.quantile(0.75) - (2.0 - (0.25f64 * 4.0).sqrt())).abs() < 1e-12);
}

#[test]
fn quantiles_rise_with_u() {
    let ds = [
        Distribution::Triangular {
            low: 1.0,
            mode: 3.0,
            high: 4.0,
        },
        Distribution::Uniform {
            low: -1.0,
            high: 1.0,
            point: 0.0,
        },
        Distribution::Beta {
            alpha: 0.7,
            beta: 3.0,
            low: 10.0,
            high: 20.0,
            point: 11.0,
        },
    ];
    for d in &ds {
        let mut last = f64::NEG_INFINITY;
        for i in 1..1000 {
            let q = d.quantile(i as f64 / 1000.0);
            assert!(q >= last, "{d:?} at {i}");
            last = q;
        }
    }
}

#[test]
fn the_beta_quantile_inverts_closed_forms() {
    // Beta(2, 2): CDF 3x^2 - 2x^3. Beta(1, 1): uniform. Beta(1, 3): 1 - (1 - x)^3.
    let cdf22 = |x: f64| 3.0 * x * x - 2.0 * x * x * x;
    let cdf13 = |x: f64| 1.0 - (1.0 - x).powi(3);
    for i in 1..20 {
        let u = i as f64 / 20.0;
        let b22 = Distribution::Beta {
            alpha: 2.0,
            beta: 2.0,
            low: 0.0,
            high: 1.0,
            point: 0.5,
        };
        assert!(
            (cdf22(b22.quantile(u)) - u).abs() < 1e-10,
            "Beta(2,2) at {u}"
        );
        let b11 = Distribution::Beta {
            alpha: 1.0,
            beta: 1.0,
            low: 0.0,
            high: 1.0,
            point: 0.5,
        };
        assert!((b11.quantile(u) - u).abs() < 1e-10, "Beta(1,1) at {u}");
        let b13 = Distribution::Beta {
            alpha: 1.0,
            beta: 3.0,
            low: 0.0,
            high: 1.0,
            point: 0.25,
        };
        assert!(
            (cdf13(b13.quantile(u)) - u).abs() < 1e-10,
            "Beta(1,3) at {u}"
        );
    }
}

#[test]
fn a_count_is_rounded_into_its_support() {
    let p = Parameter {
        path: "threats.emad.decoys".into(),
        key: "threats.emad.decoys".into(),
        id: parameter_id("threats.emad.decoys"),
        dist: Distribution::Triangular {
            low: 0.0,
            mode: 1.0,
            high: 3.0,
        },
        integer: true,
        owner: Owner::Weapon(0),
        field: "decoys".into(),
    };
    assert_eq!(p.value_at(1e-9), 0.0);
    assert_eq!(p.value_at(1.0 - 1e-9), 3.0);
    assert_eq!(p.point(), 1.0);
}

#[test]
fn ids_are_fnv1a_and_keys_are_checked() {
    // FNV-1a 64 test vectors (Fowler, Noll, Vo): "" and "a".
    assert_eq!(parameter_id(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(parameter_id("a"), 0xaf63_dc4c_8601_ec8c);
    assert!(valid_key("liquid-mrbm.launch"));
    assert!(valid_key(
        "israel-oct-2024:batteries.x.magazine.arrow-2.ready"
    ));
    assert!(!valid_key(""));
    assert!(!valid_key("Has Space"));
    assert!(!valid_key("comma,key"));
}
