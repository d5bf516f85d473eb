//! The one random-number generator: a counter-based hash of
//! (seed, replicate, stream, tick, draw), u32 arithmetic only, so that `shaders/common.wgsl`
//! computes the same bits. No state is carried between draws, so the order in which
//! threads draw cannot change any result.

/// PCG-RXS-M-XS as a hash (Jarzynski and Olano, "Hash Functions for GPU Rendering", 2020).
#[inline]
pub fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(747796405).wrapping_add(2891336453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277803737);
    (word >> 22) ^ word
}

/// One uniform u32 for the key. `stream` is a track index for threat draws, or
/// `STRIKE_STREAM | launcher` for launcher losses.
#[inline]
pub fn draw(seed: u32, replicate: u32, stream: u32, tick: u32, k: u32) -> u32 {
    let mut h = pcg(seed ^ 0x9e37_79b9);
    h = pcg(h ^ replicate);
    h = pcg(h ^ stream);
    h = pcg(h ^ tick);
    pcg(h ^ k)
}

/// An event of probability `threshold / 2^32` happens; `u32::MAX` means always.
#[inline]
pub fn chance(u: u32, threshold: u32) -> bool {
    threshold == u32::MAX || u < threshold
}

/// A probability as a u32 threshold for [`chance`]: 0 never, 1 always.
pub fn threshold(p: f64) -> u32 {
    if p >= 1.0 {
        u32::MAX
    } else if p <= 0.0 || p.is_nan() {
        0
    } else {
        let t = (p * 4_294_967_296.0).round();
        if t >= 4_294_967_295.0 {
            u32::MAX - 1
        } else {
            t as u32
        }
    }
}

// Draw numbers: what each draw of a key is for. The draws that place a threat (its
// scatter, a battery's prediction of it, its submunitions, a battery's discrimination of
// a decoy) are keyed by its launch tick, not the tick they are drawn at, so that every
// kernel that needs one recomputes the same value and no row stores it.
pub const D_LAUNCH: u32 = 0;
pub const D_DETECT: u32 = 1;
pub const D_FLIGHT: u32 = 2;
pub const D_FAIL_AGE: u32 = 3;
/// The radius and the direction of a threat's impact point from its aim point.
pub const D_SCATTER: u32 = 4;
pub const D_DAMAGE: u32 = 5;
pub const D_STRIKE: u32 = 6;
pub const D_SCATTER_ANGLE: u32 = 7;
/// A launch time drawn over a salvo's `over` (keyed by the group's start).
pub const D_TIMING: u32 = 8;
/// The course a manoeuvring ship takes when threat `k` comes (keyed by its launch).
pub const D_EVADE: u32 = 9;
/// Kill draw of shot `i` of an engagement: `D_KILL + i`.
pub const D_KILL: u32 = 16;
/// Whether shot `i` works at all: `D_WORKS + i`.
pub const D_WORKS: u32 = 512;
/// Whether battery `b` tells this decoy from a warhead: `D_DISCRIMINATE + b`.
pub const D_DISCRIMINATE: u32 = 1024;
/// Battery `b`'s error in predicting the impact point: radius `D_PREDICT + 2b`,
/// direction `D_PREDICT + 2b + 1`.
pub const D_PREDICT: u32 = 2048;
/// Submunition `i`: radius `D_SUB + 3i`, direction `+ 1`, damage `+ 2`.
pub const D_SUB: u32 = 4096;

/// Stream bit that separates launcher-loss draws from threat draws.
pub const STRIKE_STREAM: u32 = 0x8000_0000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_exact_at_the_ends() {
        assert_eq!(threshold(0.0), 0);
        assert_eq!(threshold(1.0), u32::MAX);
        assert_eq!(threshold(0.5), 1 << 31);
        assert!(chance(u32::MAX - 1, u32::MAX));
        assert!(!chance(0, 0));
    }

    #[test]
    fn draws_are_uniform_enough() {
        // Mean of 100k draws of a uniform u32, in units of 2^32, within 4 standard errors of 0.5.
        let n = 100_000u32;
        let mean: f64 = (0..n)
            .map(|i| draw(7, i % 97, i / 97, 3, 1) as f64 / 4_294_967_296.0)
            .sum::<f64>()
            / n as f64;
        let se = (1.0f64 / 12.0 / n as f64).sqrt();
        assert!((mean - 0.5).abs() < 4.0 * se, "mean {mean}");
        // Each key bit changes the draw.
        assert_ne!(draw(1, 0, 0, 0, 0), draw(1, 0, 0, 0, 1));
        assert_ne!(draw(1, 0, 0, 0, 0), draw(1, 1, 0, 0, 0));
        assert_ne!(draw(1, 0, 0, 0, 0), draw(2, 0, 0, 0, 0));
    }

    #[test]
    fn threshold_probability_matches() {
        let t = threshold(0.3);
        let n = 200_000u32;
        let hits = (0..n).filter(|&i| chance(draw(11, i, 5, 9, 2), t)).count() as f64;
        let p = hits / n as f64;
        let se = (0.3f64 * 0.7 / n as f64).sqrt();
        assert!((p - 0.3).abs() < 4.0 * se, "p {p}");
    }
}
