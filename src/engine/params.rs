//! Per-replicate draws of a scenario's uncertain figures, on the host, in f64 with `libm`.
//!
//! Replicate `r` of a run with seed `s` takes, for each parameter, the quantile
//! `u(s, r, id)` of its distribution, where `id` is the stable hash of the parameter's draw
//! key (`scenario::uncertain::parameter_id`). Nothing else enters the draw: not the batch a
//! replicate runs in, nor the other parameters, nor where the figure stands in its file.
//! So the same replicate of every scenario sharing the database draws the same parameter
//! set, which is what a joint fit over several calibration events needs.
//!
//! The kernels never see a float from here: the plan turns each drawn value into the u32
//! thresholds (or integer rows) the kernels read, per replicate.

use crate::scenario::uncertain::Parameter;

/// Whether a run draws its uncertain figures per replicate or takes their central values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Parameters {
    /// Every figure at its point value (a triangular's mode, a uniform's or beta's
    /// `point`): the runs before uncertain figures existed, byte for byte.
    #[default]
    Point,
    /// Every replicate draws its own parameter set.
    Draw,
}

/// SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a bijection of u64 that mixes every input bit into every
/// output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The uniform number in (0, 1) of parameter `id` in replicate `replicate` of a run with
/// `seed`: 52 random bits, centred in their interval (exactly: below 2^52 an f64 holds
/// every half), so that neither 0 nor 1 occurs.
pub fn quantile_of(seed: u32, replicate: u32, id: u64) -> f64 {
    let mut h = mix(seed as u64 ^ 0x243f_6a88_85a3_08d3);
    h = mix(h ^ replicate as u64);
    h = mix(h ^ id);
    ((h >> 12) as f64 + 0.5) * (1.0 / 4_503_599_627_370_496.0)
}

/// The value of parameter `p` in replicate `replicate`.
pub fn value(p: &Parameter, mode: Parameters, seed: u32, replicate: u32) -> f64 {
    match mode {
        Parameters::Point => p.point(),
        Parameters::Draw => p.value_at(quantile_of(seed, replicate, p.id)),
    }
}

/// The parameter sets of the replicates `first..first + count`: `count` rows of one value
/// per parameter (in the scenario's order, by path). Row `r` depends on `first + r` alone.
pub fn draw_rows(
    params: &[Parameter],
    mode: Parameters,
    seed: u32,
    first: u32,
    count: u32,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(params.len() * count as usize);
    for r in first..first.saturating_add(count) {
        out.extend(params.iter().map(|p| value(p, mode, seed, r)));
    }
    out
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
