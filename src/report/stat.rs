//! [`Stat`]: mean, nearest-rank p5 and p95, min and max of a figure, gathered one
//! replicate at a time in memory that does not grow with the replicates ([`StatAcc`]).
//!
//! The percentiles are exact. Every value goes into a histogram of distinct values
//! (counts are figures of whole threats, rounds and hits, with few distinct values). A
//! figure that takes more than [`DISTINCT`] distinct values (money: sums of unit costs,
//! shares of asset values) drops its histogram and is *spilled*: its percentiles are then
//! found by selection over the values again, read back once more (from `replicates.csv`),
//! in passes that each keep one bucket of the value range, 2^16 buckets at a time, until
//! the bucket that holds the rank holds few enough values to keep.

use std::collections::BTreeMap;

use serde::Serialize;

/// Distinct values a figure's histogram holds before it is spilled.
pub const DISTINCT: usize = crate::engine::budget::SUMMARY_DISTINCT as usize;
/// Buckets of a selection pass.
const BUCKETS: u64 = 1 << 16;

/// Mean, spread and range of one figure across replicates.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Stat {
    pub mean: f64,
    pub p5: f64,
    pub p95: f64,
    pub min: f64,
    pub max: f64,
}

impl Stat {
    pub fn of(values: &[f64]) -> Stat {
        let mut acc = StatAcc::default();
        for &v in values {
            acc.push(v);
        }
        let read = &mut |visit: &mut dyn FnMut(usize, f64)| -> Result<(), String> {
            values.iter().for_each(|&v| visit(0, v));
            Ok(())
        };
        let stats = finish(&[&acc], read);
        stats.map_or_else(
            |_| unreachable!("values in memory are read without error"),
            |s| s[0],
        )
    }

    /// Standard error of the mean, for tests.
    pub fn std_error(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        if n < 2.0 {
            return 0.0;
        }
        let m = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        (var / n).sqrt()
    }
}

/// Reads every value of the spilled accumulators once more, in any order: calls
/// `visit(j, v)` for each value `v` of the `j`-th of them.
pub type Reread<'a> = dyn FnMut(&mut dyn FnMut(usize, f64)) -> Result<(), String> + 'a;

/// The stats of `accs`, in order. The spilled ones take selection passes over their
/// values, through `reread`, which is called once a pass with the values of the spilled
/// accumulators only (numbered among themselves, in the order given).
pub fn finish(accs: &[&StatAcc], reread: &mut Reread) -> Result<Vec<Stat>, String> {
    let spilled: Vec<usize> = (0..accs.len()).filter(|&i| accs[i].spilled).collect();
    let mut selections: Vec<Selection> = spilled
        .iter()
        .map(|&i| {
            let n = accs[i].n;
            Selection::new(accs[i], &[rank(0.05, n), rank(0.95, n)])
        })
        .collect();
    let mut passes = 0;
    while selections.iter().any(|s| !s.finished()) {
        for s in &mut selections {
            s.begin_pass();
        }
        reread(&mut |j, v| selections[j].see(v))?;
        for s in &mut selections {
            s.end_pass();
        }
        passes += 1;
        if passes > 16 {
            return Err("the percentiles of a figure did not converge".into());
        }
    }
    let mut out = Vec::with_capacity(accs.len());
    let mut picked = selections.iter();
    for acc in accs {
        let (p5, p95) = if acc.spilled {
            let s = picked.next().expect("one selection per spilled figure");
            (s.found[0], s.found[1])
        } else {
            (acc.counted(0.05), acc.counted(0.95))
        };
        out.push(acc.stat(p5, p95));
    }
    Ok(out)
}

/// A value's place in the total order of `f64::total_cmp`, as an unsigned key.
fn key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

fn value(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// The 1-based rank of nearest-rank percentile `q` of `n` values.
fn rank(q: f64, n: u64) -> u64 {
    ((q * n as f64).ceil() as u64).clamp(1, n.max(1))
}

/// A [`Stat`] in the making: values pushed in replicate order.
#[derive(Clone, Debug)]
pub struct StatAcc {
    n: u64,
    /// The values summed in the order pushed (as `Iterator::sum` sums them).
    sum: f64,
    min: u64,
    max: u64,
    /// Count of each distinct value, by key, until spilled.
    counts: BTreeMap<u64, u64>,
    spilled: bool,
    distinct: usize,
}

impl Default for StatAcc {
    fn default() -> Self {
        StatAcc::with_distinct(DISTINCT)
    }
}

impl StatAcc {
    /// An accumulator that spills past `distinct` distinct values (tests use a few).
    pub fn with_distinct(distinct: usize) -> StatAcc {
        StatAcc {
            n: 0,
            sum: std::iter::empty::<f64>().sum(),
            min: u64::MAX,
            max: 0,
            counts: BTreeMap::new(),
            spilled: false,
            distinct,
        }
    }

    pub fn push(&mut self, v: f64) {
        let k = key(v);
        self.n += 1;
        self.sum += v;
        self.min = self.min.min(k);
        self.max = self.max.max(k);
        if !self.spilled {
            *self.counts.entry(k).or_insert(0) += 1;
            if self.counts.len() > self.distinct {
                self.spilled = true;
                self.counts = BTreeMap::new();
            }
        }
    }

    /// Whether the percentiles need the values once more.
    pub fn spilled(&self) -> bool {
        self.spilled
    }

    /// The stat, with its percentiles.
    fn stat(&self, p5: f64, p95: f64) -> Stat {
        if self.n == 0 {
            return Stat {
                mean: 0.0,
                p5: 0.0,
                p95: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        Stat {
            mean: self.sum / self.n as f64,
            p5,
            p95,
            min: value(self.min),
            max: value(self.max),
        }
    }

    fn counted(&self, q: f64) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let r = rank(q, self.n);
        let mut seen = 0;
        for (&k, &c) in &self.counts {
            seen += c;
            if seen >= r {
                return value(k);
            }
        }
        value(self.max)
    }
}

/// Exact order statistics of values read in passes: for each wanted rank, the key range
/// that holds it narrows to one of `BUCKETS` buckets a pass, until it holds few enough
/// values to keep, which the last pass counts exactly.
struct Selection {
    distinct: u64,
    targets: Vec<Target>,
    found: Vec<f64>,
}

/// One wanted rank: its key range (inclusive), the values known in it, and this pass's
/// counts.
struct Target {
    rank: u64,
    lo: u64,
    hi: u64,
    inside: u64,
    done: bool,
    below: u64,
    /// This pass: the range kept whole (few values in it), or counted by bucket.
    keep: bool,
    kept: BTreeMap<u64, u64>,
    counts: Vec<u64>,
}

impl Selection {
    fn new(acc: &StatAcc, ranks: &[u64]) -> Selection {
        Selection {
            distinct: acc.distinct.max(1) as u64,
            targets: ranks
                .iter()
                .map(|&rank| Target {
                    rank,
                    lo: acc.min,
                    hi: acc.max,
                    inside: acc.n,
                    done: false,
                    below: 0,
                    keep: false,
                    kept: BTreeMap::new(),
                    counts: Vec::new(),
                })
                .collect(),
            found: vec![0.0; ranks.len()],
        }
    }

    fn finished(&self) -> bool {
        self.targets.iter().all(|t| t.done)
    }

    /// The buckets of `lo..=hi`.
    fn buckets(lo: u64, hi: u64) -> u128 {
        (BUCKETS as u128).min((hi - lo) as u128 + 1)
    }

    /// The bucket of key `k` in `lo..=hi`.
    fn bucket(lo: u64, hi: u64, k: u64) -> usize {
        let width = (hi - lo) as u128 + 1;
        ((k - lo) as u128 * Self::buckets(lo, hi) / width) as usize
    }

    /// The first key of bucket `b` of `lo..=hi` (one past `hi` for `b` = the buckets).
    fn first_key(lo: u64, hi: u64, b: u128) -> u128 {
        let width = (hi - lo) as u128 + 1;
        lo as u128 + (b * width).div_ceil(Self::buckets(lo, hi))
    }

    fn begin_pass(&mut self) {
        let distinct = self.distinct;
        for t in self.targets.iter_mut().filter(|t| !t.done) {
            t.below = 0;
            // At most `distinct` values, or `distinct` keys, to keep.
            t.keep = t.inside <= distinct || t.hi - t.lo < distinct;
            t.kept = BTreeMap::new();
            t.counts = if t.keep {
                Vec::new()
            } else {
                vec![0; Self::buckets(t.lo, t.hi) as usize]
            };
        }
    }

    fn see(&mut self, v: f64) {
        let k = key(v);
        for t in self.targets.iter_mut().filter(|t| !t.done) {
            if k < t.lo {
                t.below += 1;
            } else if k <= t.hi {
                if t.keep {
                    *t.kept.entry(k).or_insert(0) += 1;
                } else {
                    t.counts[Self::bucket(t.lo, t.hi, k)] += 1;
                }
            }
        }
    }

    fn end_pass(&mut self) {
        for (i, t) in self.targets.iter_mut().enumerate() {
            if t.done {
                continue;
            }
            let want = t.rank - t.below;
            let mut seen = 0;
            if t.keep {
                for (&k, &c) in &t.kept {
                    seen += c;
                    if seen >= want {
                        self.found[i] = value(k);
                        break;
                    }
                }
                t.done = true;
                t.kept = BTreeMap::new();
                continue;
            }
            // The bucket that holds the rank becomes the range.
            let mut b = 0;
            while b + 1 < t.counts.len() && seen + t.counts[b] < want {
                seen += t.counts[b];
                b += 1;
            }
            t.inside = t.counts[b];
            let (lo, hi) = (t.lo, t.hi);
            t.lo = Self::first_key(lo, hi, b as u128) as u64;
            t.hi = (Self::first_key(lo, hi, b as u128 + 1) - 1) as u64;
            t.counts = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: sort, then nearest rank.
    fn sorted_stat(values: &[f64]) -> (f64, f64) {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len() as u64;
        (v[rank(0.05, n) as usize - 1], v[rank(0.95, n) as usize - 1])
    }

    #[test]
    fn keys_keep_the_total_order() {
        let mut v = [-1e300, -2.5, -0.0, 0.0, 1e-300, 3.0, 7.5e9, f64::MAX];
        let keys: Vec<u64> = v.iter().map(|&x| key(x)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        v.iter_mut()
            .for_each(|x| assert_eq!(value(key(*x)).to_bits(), x.to_bits()));
    }

    #[test]
    fn counts_and_spilled_selections_give_the_sorted_percentiles() {
        // Costs of many distinct values, counts of few, and a few constant runs.
        let mut x = 0x2545f4914f6cdd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let sets: Vec<Vec<f64>> = vec![
            (0..5000).map(|_| (next() % 40) as f64).collect(),
            (0..5000)
                .map(|_| (next() % 1_000_000) as f64 * 1234.5 + 4e9)
                .collect(),
            (0..3000)
                .map(|_| (next() % 7) as f64 * 1e9 / 3.0 + (next() % 3) as f64)
                .collect(),
            vec![2.5; 100],
            vec![7.0],
        ];
        for values in &sets {
            for distinct in [3, 50, DISTINCT] {
                let mut acc = StatAcc::with_distinct(distinct);
                values.iter().for_each(|&v| acc.push(v));
                let mut passes = 0;
                let s = finish(&[&acc], &mut |visit| {
                    passes += 1;
                    values.iter().rev().for_each(|&v| visit(0, v));
                    Ok(())
                })
                .unwrap()[0];
                assert!(passes <= 5, "{passes} passes");
                let (p5, p95) = sorted_stat(values);
                assert_eq!((s.p5, s.p95), (p5, p95), "distinct {distinct}");
                assert_eq!(s.mean, values.iter().sum::<f64>() / values.len() as f64);
            }
        }
    }
}
