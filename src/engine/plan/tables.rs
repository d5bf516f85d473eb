//! The integer tables that let the kernels place impact points and test them against
//! footprints without floating point: computed here once, in f64 with `libm`, and read
//! by the kernels as plain words (`Plan::tables`, the `tables` binding).
//!
//! A point is `[x, y]` in units of `FRAME_M` metres east and north of the target asset's
//! position (its aim point). A scatter of standard deviation `sigma` per axis (a circular
//! normal) is drawn as a radius from the standard Rayleigh quantile table, scaled by
//! `sigma`, and a direction from the cosine and sine tables: two uniform draws, no
//! floating point (`cpu::scatter`).

use crate::engine::layout::*;
use crate::engine::rng::threshold;
use crate::scenario::{Footprint, Scenario};

/// The quantile of the standard Rayleigh distribution at knot `i` (probability `i /
/// 1024`; the last knot at `1 - 1/4096`, where the table's tail is cut: a draw beyond
/// 4.08 standard deviations, probability 2.4e-4, lands at it), in `QUANTILE_BITS` fixed
/// point.
fn quantile(i: u32) -> u32 {
    let knots = QUANTILE_KNOTS - 1;
    let u = if i >= knots {
        1.0 - 1.0 / (4.0 * knots as f64)
    } else {
        i as f64 / knots as f64
    };
    let r = libm::sqrt(-2.0 * libm::log(1.0 - u));
    libm::round(r * (1u32 << QUANTILE_BITS) as f64) as u32
}

/// The head of `tables`: the Rayleigh quantiles, then the cosine and sine of each of
/// `ANGLES` directions (as i32 bits), in `TRIG_BITS` fixed point.
fn constant_tables() -> Vec<u32> {
    let mut t: Vec<u32> = (0..QUANTILE_KNOTS).map(quantile).collect();
    let scale = (1u32 << TRIG_BITS) as f64;
    let angle = |a: u32| 2.0 * std::f64::consts::PI * a as f64 / ANGLES as f64;
    t.extend((0..ANGLES).map(|a| libm::round(libm::cos(angle(a)) * scale) as i32 as u32));
    t.extend((0..ANGLES).map(|a| libm::round(libm::sin(angle(a)) * scale) as i32 as u32));
    debug_assert_eq!(t.len() as u32, KILL_BASE);
    t
}

/// Where the weapons' rows start in `tables`: after the kill thresholds. The GPU reads a
/// `WeaponRow` there (`weapon_row` in `common.wgsl`) rather than from a binding of its own,
/// so that `advance`, which reads drawn thresholds in `tables`, binds no more than the 16
/// storage buffers GL allows; the CPU twin reads `Tables::weapons`, the same rows.
pub fn weapon_base(slots: usize, weapons: usize) -> usize {
    KILL_BASE as usize + slots * weapons
}

/// A length in metres as frame units, within the frame.
pub fn frame_units(metres: f64) -> u32 {
    let u = libm::round(metres / FRAME_M as f64);
    u.clamp(0.0, FRAME_LIMIT as f64) as u32
}

/// The standard deviation per axis of a circular normal whose CEP (median radius) is
/// `cep_m`, in frame units.
pub fn cep_sigma(cep_m: f64) -> u32 {
    frame_units(cep_m / libm::sqrt(2.0 * std::f64::consts::LN_2))
}

/// Kill thresholds per (slot, weapon): the interceptor's Pk against the weapon's class,
/// times the weapon's manoeuvre factor at the battery's tier (`engine::params` draws the
/// same product per replicate).
pub fn kill_table(sc: &Scenario, slots: &[SlotRow]) -> Vec<u32> {
    let mut kill = Vec::with_capacity(slots.len() * sc.weapons.len());
    for s in slots {
        let ic = &sc.interceptors[s.interceptor as usize];
        let tier = sc.batteries[s.battery as usize].tier;
        for w in &sc.weapons {
            kill.push(threshold(ic.pk[w.class.index()] * w.manoeuvre_factor(tier)));
        }
    }
    kill
}

/// The kernels' tables: the constant ones, the kill thresholds per (slot, weapon), the
/// weapons' rows (`weapon_base`), the footprint vertices; and each asset's footprint fields
/// of its `AssetRow` (squared radius, or where its vertices are).
pub fn build(
    sc: &Scenario,
    slots: &[SlotRow],
    weapons: &[WeaponRow],
    rows: &mut [AssetRow],
) -> Vec<u32> {
    let mut t = constant_tables();
    t.extend(kill_table(sc, slots));
    debug_assert_eq!(t.len(), weapon_base(slots.len(), weapons.len()));
    t.extend_from_slice(bytemuck::cast_slice(weapons));
    for (a, row) in sc.assets.iter().zip(rows.iter_mut()) {
        match &a.footprint {
            Footprint::Circle { radius_km } => {
                let r = frame_units(radius_km * 1000.0);
                row.radius2 = r * r;
            }
            Footprint::Polygon(vertices) => {
                row.vertex_first = t.len() as u32;
                row.vertex_count = vertices.len() as u32;
                for v in vertices {
                    for c in v {
                        let u = libm::round(c * 1000.0 / FRAME_M as f64);
                        t.push(u.clamp(-FRAME_LIMIT as f64, FRAME_LIMIT as f64) as i32 as u32);
                    }
                }
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quantile_table_is_the_rayleigh_distribution() {
        // Median: sqrt(2 ln 2) = 1.1774; the first knot 0; increasing.
        let t: Vec<u32> = (0..QUANTILE_KNOTS).map(quantile).collect();
        assert_eq!(t[0], 0);
        let median = t[512] as f64 / 4096.0;
        assert!((median - 1.17741).abs() < 1e-3, "{median}");
        assert!(t.windows(2).all(|w| w[0] < w[1]));
        assert!(t[1024] < 16800, "the last knot fits the kernels' products");
    }

    #[test]
    fn cep_is_the_median_radius() {
        assert_eq!(cep_sigma(0.0), 0);
        // CEP 1177.41 m: sigma 1000 m, 250 frame units.
        assert_eq!(cep_sigma(1177.41), 250);
        assert_eq!(frame_units(1e9), FRAME_LIMIT as u32);
    }
}
