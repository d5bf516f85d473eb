//! Uncertain figures: a distribution per figure, its central (point) value, and its
//! quantile function, all in f64 with `libm` so that every machine computes the same bits.
//! A figure written as a distribution becomes a [`Parameter`], named by its path
//! (`interceptors.arrow-3.pk.ballistic`) and identified by a stable hash of its draw key
//! (the path, or the `key` of a group), never by its position in a file.
//!
//! Parameterisation (docs/scenario.md, "Uncertain figures"):
//! - triangular `{low, mode, high}`: density rising linearly from `low` to `mode`, falling
//!   to `high`; `mode` may equal `low` or `high`; its point value is `mode`;
//! - uniform `{low, high}`: flat on `[low, high]`; its point value is `point` (the midpoint
//!   when left out);
//! - beta `{alpha, beta, low = 0, high = 1}`: `low + (high - low) X` with `X ~ Beta(alpha,
//!   beta)`, density proportional to `x^(alpha-1) (1-x)^(beta-1)`; its point value is
//!   `point` (the mean when left out).
//!
//! A count (e.g. `decoys`) is drawn from the same shape widened by half a unit on each side
//! and rounded to the nearest whole number, so that its end values are as likely as in a
//! discrete triangular or uniform.

/// A distribution of one figure, checked: `low < high`, the mode and point inside.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
    Uniform {
        low: f64,
        high: f64,
        point: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
        low: f64,
        high: f64,
        point: f64,
    },
}

impl Distribution {
    /// The central value: what `--parameters point` runs with.
    pub fn point(&self) -> f64 {
        match *self {
            Distribution::Triangular { mode, .. } => mode,
            Distribution::Uniform { point, .. } | Distribution::Beta { point, .. } => point,
        }
    }

    /// The support `[low, high]`.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Distribution::Triangular { low, high, .. }
            | Distribution::Uniform { low, high, .. }
            | Distribution::Beta { low, high, .. } => (low, high),
        }
    }

    /// The mean, for tests and reports.
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Triangular { low, mode, high } => (low + mode + high) / 3.0,
            Distribution::Uniform { low, high, .. } => (low + high) / 2.0,
            Distribution::Beta {
                alpha,
                beta,
                low,
                high,
                ..
            } => low + (high - low) * alpha / (alpha + beta),
        }
    }

    /// The variance, for tests and reports.
    pub fn variance(&self) -> f64 {
        match *self {
            Distribution::Triangular { low, mode, high } => {
                (low * low + mode * mode + high * high - low * mode - low * high - mode * high)
                    / 18.0
            }
            Distribution::Uniform { low, high, .. } => (high - low) * (high - low) / 12.0,
            Distribution::Beta {
                alpha,
                beta,
                low,
                high,
                ..
            } => {
                let s = alpha + beta;
                (high - low) * (high - low) * alpha * beta / (s * s * (s + 1.0))
            }
        }
    }

    /// The value below which a fraction `u` in (0, 1) of draws fall (inverse CDF): one
    /// uniform number makes one draw, and figures that share a draw key take the same
    /// quantile of their own distributions.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            Distribution::Triangular { low, mode, high } => triangular(low, mode, high, u),
            Distribution::Uniform { low, high, .. } => low + (high - low) * u,
            Distribution::Beta {
                alpha,
                beta,
                low,
                high,
                ..
            } => low + (high - low) * beta_quantile(alpha, beta, u),
        }
    }

    /// The same shape widened by `w` on each side (a count's half unit).
    fn widened(&self, w: f64) -> Distribution {
        match *self {
            Distribution::Triangular { low, mode, high } => Distribution::Triangular {
                low: low - w,
                mode,
                high: high + w,
            },
            Distribution::Uniform { low, high, point } => Distribution::Uniform {
                low: low - w,
                high: high + w,
                point,
            },
            Distribution::Beta {
                alpha,
                beta,
                low,
                high,
                point,
            } => Distribution::Beta {
                alpha,
                beta,
                low: low - w,
                high: high + w,
                point,
            },
        }
    }
}

fn triangular(low: f64, mode: f64, high: f64, u: f64) -> f64 {
    let width = high - low;
    let rise = mode - low;
    if u * width < rise {
        low + libm::sqrt(u * width * rise)
    } else {
        high - libm::sqrt((1.0 - u) * width * (high - mode))
    }
}

/// The regularised incomplete beta function I_x(a, b), by its continued fraction (modified
/// Lentz; Press et al., Numerical Recipes, 3rd ed., sec. 6.4), on the side where it
/// converges fast.
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
        + a * libm::log(x)
        + b * libm::log1p(-x);
    let front = libm::exp(ln_front);
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    // Stops when a term changes nothing at f64 precision (at most 300 terms): the same
    // inputs take the same path, and give the same bits, on every machine.
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The inverse of I_x(a, b) in x, by 64 bisections of [0, 1] (the CDF is monotone, so
/// this cannot fail; 64 halvings reach the spacing of f64 near any x in (0, 1)).
fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..64 {
        let mid = 0.5 * (lo + hi);
        if incomplete_beta(a, b, mid) < u {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Whose figure a parameter is: an index into the scenario's weapons, interceptors or
/// sides (canonical order), so that the plan finds what a drawn value changes without
/// reading paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    Weapon(usize),
    Interceptor(usize),
    Side(usize),
    /// A decision's outcome probability (`decisions.<id>.<outcome>`).
    Decision(usize),
}

/// One uncertain figure of a scenario and its database.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Where it is written, with ids for positions: `threats.emad.cep_m`. Unique in a
    /// scenario; the `param_<path>` column of `replicates.csv`.
    pub path: String,
    /// What it is drawn by: its path, or the `key` its group shares.
    pub key: String,
    /// [`parameter_id`] of `key`: the stream of its draws.
    pub id: u64,
    pub dist: Distribution,
    /// A count: drawn from the shape widened by half a unit and rounded.
    pub integer: bool,
    /// Whose figure it is, and which (the path below the owner: `pk.ballistic`,
    /// `manoeuvre.tier2`, `cep_m`, `detection.drone`).
    pub owner: Owner,
    pub field: String,
}

impl Parameter {
    /// The central value (`--parameters point`).
    pub fn point(&self) -> f64 {
        self.dist.point()
    }

    /// The value at quantile `u` in (0, 1); a count is rounded into its support.
    pub fn value_at(&self, u: f64) -> f64 {
        if self.integer {
            let (low, high) = self.dist.support();
            libm::round(self.dist.widened(0.5).quantile(u)).clamp(low, high)
        } else {
            self.dist.quantile(u)
        }
    }
}

/// The stable 64-bit id of a draw key: FNV-1a 64 of its UTF-8 bytes (offset basis
/// 0xcbf29ce484222325, prime 0x100000001b3), the same on every machine and in every release.
pub fn parameter_id(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Whether a draw key is made of the characters ids may hold (safe as a CSV column after
/// `param_`): lowercase letters, digits and `.-_:#`.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-:#".contains(&b))
}

#[cfg(test)]
#[path = "uncertain_tests.rs"]
mod tests;
