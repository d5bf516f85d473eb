//! Partial rank correlation coefficients (PRCC) and their significance, after Marino,
//! Hogue, Ray & Kirschner (2008), "A methodology for performing global uncertainty and
//! sensitivity analysis in systems biology", J. Theor. Biol. 254(1):178-196.
//!
//! Every column is replaced by its ranks (ties share their average rank). The PRCC of
//! parameter i is the correlation between the residuals of x_i and of the output y, each
//! regressed linearly on the other parameters' ranks. It is computed from the rank
//! correlation matrix R of the parameters: with P = R^-1, the standardised regression
//! coefficients of y on all the parameters b = P r_xy, and the share of y's rank variance
//! they leave unexplained s2 = 1 - r_xy' b, the PRCC is b_i / sqrt(s2 P_ii + b_i^2) (the
//! block inverse of the full matrix [[R, r_xy], [r_xy', 1]], whose precision entries give
//! the partial correlation, written so that an output the parameters determine exactly,
//! s2 = 0, still gives ±1 instead of a singular matrix).

/// Ranks 1..=n of `v`, ties given the average of the ranks they span (the "mid-rank").
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 (1-based) share their mean.
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = mid;
        }
        i = j + 1;
    }
    out
}

/// One parameter's coefficient: `None` where it is undefined, with the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Coefficient {
    /// In [-1, 1].
    pub prcc: Option<f64>,
    /// Student's t of the PRCC, on `df` degrees of freedom (infinite for |PRCC| = 1).
    pub t: Option<f64>,
    /// Two-sided p-value of the hypothesis PRCC = 0.
    pub p: Option<f64>,
    /// Why the coefficient is missing, when it is.
    pub note: Option<String>,
}

/// The PRCCs of an output against its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Prcc {
    /// One per input column, in input order.
    pub coefficients: Vec<Coefficient>,
    /// Samples (rows) used.
    pub samples: usize,
    /// Degrees of freedom of every t: samples - 2 - (the parameters controlled for, all
    /// varying parameters but the one at hand).
    pub df: usize,
}

/// Why no PRCC could be computed.
#[derive(Clone, Debug, PartialEq)]
pub enum PrccError {
    /// The output takes one value in every sample.
    ConstantOutput(f64),
    /// No parameter varies.
    NoVaryingParameter,
    /// Too few samples for that many varying parameters: at least `needed`.
    TooFewSamples {
        samples: usize,
        parameters: usize,
        needed: usize,
    },
    /// The ranks of parameter `column` are a linear combination of other parameters'.
    Collinear { column: usize },
}

impl std::fmt::Display for PrccError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrccError::ConstantOutput(v) => write!(
                f,
                "the figure is {v} in every replicate: no parameter changes it, so there is nothing to rank"
            ),
            PrccError::NoVaryingParameter => {
                write!(f, "no drawn parameter varies across the replicates")
            }
            PrccError::TooFewSamples {
                samples,
                parameters,
                needed,
            } => write!(
                f,
                "{samples} replicates are too few for {parameters} varying parameters: PRCC's t statistic has replicates - 1 - parameters degrees of freedom, so at least {needed} are needed (many more for a useful test)"
            ),
            PrccError::Collinear { column } => write!(
                f,
                "the ranks of parameter {column} are a linear combination of the other parameters' ranks: its partial correlation is undefined"
            ),
        }
    }
}

/// The fewest samples PRCC over `parameters` varying parameters takes: one degree of
/// freedom left, n - 2 - (parameters - 1) >= 1.
pub fn samples_needed(parameters: usize) -> usize {
    parameters + 2
}

/// Relative size below which a pivot counts as zero (ranks are exact small integers or
/// halves, so a genuinely independent column stays far above it).
const SINGULAR: f64 = 1e-10;

/// Unexplained share of the figure's rank variance below which the fit counts as exact.
const EXACT: f64 = 1e-12;

/// PRCC of `y` against each of `columns` (all of `y`'s length). A column that does not
/// vary gets no coefficient (its note says so) and is left out of the others' regressions.
pub fn prcc(columns: &[Vec<f64>], y: &[f64]) -> Result<Prcc, PrccError> {
    let n = y.len();
    let ry = centred(&ranks(y));
    if norm2(&ry) == 0.0 {
        return Err(PrccError::ConstantOutput(y.first().copied().unwrap_or(0.0)));
    }
    let ranked: Vec<Vec<f64>> = columns.iter().map(|c| centred(&ranks(c))).collect();
    let varying: Vec<usize> = (0..columns.len())
        .filter(|&i| norm2(&ranked[i]) > 0.0)
        .collect();
    let k = varying.len();
    if k == 0 {
        return Err(PrccError::NoVaryingParameter);
    }
    if n < samples_needed(k) {
        return Err(PrccError::TooFewSamples {
            samples: n,
            parameters: k,
            needed: samples_needed(k),
        });
    }
    let df = n - 1 - k;
    // The rank correlation matrix of the varying parameters, and their correlations with y.
    let unit: Vec<Vec<f64>> = varying.iter().map(|&i| scaled(&ranked[i])).collect();
    let uy = scaled(&ry);
    let r: Vec<Vec<f64>> = unit
        .iter()
        .map(|a| unit.iter().map(|b| dot(a, b)).collect())
        .collect();
    let rxy: Vec<f64> = unit.iter().map(|a| dot(a, &uy)).collect();
    let p = invert(r).map_err(|c| PrccError::Collinear { column: varying[c] })?;
    let b: Vec<f64> = p.iter().map(|row| dot(row, &rxy)).collect();
    let s2 = (1.0 - dot(&rxy, &b)).max(0.0);
    let mut coefficients = vec![
        Coefficient {
            prcc: None,
            t: None,
            p: None,
            note: Some(format!("constant: the same value in all {n} replicates")),
        };
        columns.len()
    ];
    // The parameters' ranks determine the figure's exactly (to rounding): every partial
    // correlation is ±1 or, for a parameter the fit does not use, undefined (its residual
    // figure is zero).
    let exact = s2 < EXACT;
    for (j, &i) in varying.iter().enumerate() {
        let r = if exact {
            (b[j].abs() > EXACT.sqrt()).then(|| b[j].signum())
        } else {
            Some((b[j] / (s2 * p[j][j] + b[j] * b[j]).sqrt()).clamp(-1.0, 1.0))
        };
        coefficients[i] = match r {
            Some(r) => {
                let (t, pv) = t_test(r, df);
                Coefficient {
                    prcc: Some(r),
                    t: Some(t),
                    p: Some(pv),
                    note: None,
                }
            }
            None => Coefficient {
                prcc: None,
                t: None,
                p: None,
                note: Some(
                    "undefined: the other parameters determine the figure exactly".to_string(),
                ),
            },
        };
    }
    Ok(Prcc {
        coefficients,
        samples: n,
        df,
    })
}

/// Student's t of a (partial) correlation `r` on `df` degrees of freedom,
/// t = r sqrt(df / (1 - r^2)), and its two-sided p-value.
pub fn t_test(r: f64, df: usize) -> (f64, f64) {
    if r.abs() >= 1.0 {
        return (f64::INFINITY.copysign(r), 0.0);
    }
    let t = r * (df as f64 / (1.0 - r * r)).sqrt();
    (t, two_sided_p(t, df))
}

/// P(|T| >= |t|) for Student's T on `df` degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2).
pub fn two_sided_p(t: f64, df: usize) -> f64 {
    let d = df as f64;
    crate::scenario::uncertain::incomplete_beta(d / 2.0, 0.5, d / (d + t * t))
}

fn centred(v: &[f64]) -> Vec<f64> {
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    v.iter().map(|x| x - mean).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm2(v: &[f64]) -> f64 {
    dot(v, v)
}

/// `v` scaled to unit length (v is centred and not all zero), so that dot products are
/// correlations.
fn scaled(v: &[f64]) -> Vec<f64> {
    let n = norm2(v).sqrt();
    v.iter().map(|x| x / n).collect()
}

/// The inverse of a symmetric positive semi-definite matrix with unit diagonal, by
/// Gauss-Jordan elimination with partial pivoting; `Err(column)` when a pivot vanishes
/// (that column is a combination of the others).
fn invert(mut a: Vec<Vec<f64>>) -> Result<Vec<Vec<f64>>, usize> {
    let k = a.len();
    let mut inv: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| (i == j) as u32 as f64).collect())
        .collect();
    for c in 0..k {
        let pivot = (c..k)
            .max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))
            .unwrap_or(c);
        if a[pivot][c].abs() < SINGULAR {
            return Err(c);
        }
        a.swap(c, pivot);
        inv.swap(c, pivot);
        let d = a[c][c];
        for j in 0..k {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for r in 0..k {
            if r != c {
                let f = a[r][c];
                if f != 0.0 {
                    for j in 0..k {
                        a[r][j] -= f * a[c][j];
                        inv[r][j] -= f * inv[c][j];
                    }
                }
            }
        }
    }
    Ok(inv)
}
