//! When the rounds of a salvo order or a militia launch, and how many of them are planned:
//! the one place that counts them. The planner (`engine::plan`) expands exactly these
//! launches into tracks, and the checker and the memory budget bound their number before
//! anything proportional to it is allocated.
//!
//! A round is planned when it would launch before the end of the scenario had its order or
//! militia started at tick 0. Rounds later than that can never launch in any replicate
//! (a group starts at tick 0 at the earliest), and leaving them out makes the count depend
//! on the order or militia alone: an exercise inject that activates a militia earlier never
//! renumbers the tracks planned after it.

use super::model::{Action, Scenario, Site, Timing, When};

/// A group's start as far as planning knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Start {
    /// The start tick shared by every replicate, when known before the run.
    pub fixed: Option<u32>,
    /// The earliest tick it can start in any replicate, assumed for geometry (ships
    /// move): a trigger's order starts its delay after tick 0 at the earliest.
    pub nominal: u32,
}

/// The rounds of a salvo order or a militia: how many it holds, and how many are planned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rounds {
    /// Rounds the order fires, or the militia's whole inventory.
    pub total: u64,
    /// Rounds that launch before the end (when started at tick 0).
    pub planned: u32,
    /// The tracks they are planned as: each missile and its decoys (for a militia whose
    /// rounds are not all planned and whose weapons carry decoys, at most this many).
    pub tracks: u64,
}

impl Rounds {
    /// Rounds left out because they would launch after the end.
    pub fn after_end(&self) -> u64 {
        self.total - self.planned as u64
    }
}

/// Ticks from the start of a salvo of `count` rounds over `over_ticks` to the launch of round
/// `j`: spread evenly over the interval, and never sooner than the `m`-th use of one launcher
/// allows (`m` reloads). Non-decreasing in `j`.
pub fn salvo_offset(j: u64, count: u64, over_ticks: u32, site: &Site) -> u64 {
    let spread = j * over_ticks as u64 / count.max(1);
    let reuse = (j / site.launchers.max(1) as u64).saturating_mul(site.reload_ticks as u64);
    spread.max(reuse)
}

/// Ticks from a militia's activation to its `j`-th launch, at `rate_per_hour`.
/// Non-decreasing in `j`.
pub fn militia_offset(j: u64, rate_per_hour: f64, tick_s: u32) -> u64 {
    // Saturates (a float cast does) far beyond any scenario's end.
    (j as f64 * 3600.0 / rate_per_hour / tick_s as f64).floor() as u64
}

/// How many of `total` rounds launch before `ticks`, by bisection on a non-decreasing offset.
fn before(total: u64, ticks: u32, offset: impl Fn(u64) -> u64) -> u32 {
    let (mut lo, mut hi) = (0u64, total);
    // Invariant: offset(j) < ticks for j < lo; offset(j) >= ticks for j >= hi.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if offset(mid) < ticks as u64 {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    // Several rounds may launch in one tick, so the count can pass `u32::MAX`; the checker
    // refuses any count above `MAX_TRACKS` anyway.
    lo.min(u32::MAX as u64) as u32
}

impl Scenario {
    /// The start of a salvo order's group.
    pub fn order_start(&self, order: usize) -> Start {
        match self.orders[order].when {
            When::At(t) => Start {
                fixed: Some(t),
                nominal: t,
            },
            When::After { delay, .. } => Start {
                fixed: None,
                nominal: delay,
            },
        }
    }

    /// The start of each site's campaign (for a militia; a launch site's is never used):
    /// its own `active` time, else the earliest fixed `activate` order; for geometry, the
    /// earliest of those and of the delays of the `activate` orders that follow triggers
    /// (0 when nothing activates it). One pass over the orders.
    pub fn militia_starts(&self) -> Vec<Start> {
        let mut fixed: Vec<Option<u32>> = self
            .sites
            .iter()
            .map(|s| s.militia.as_ref().and_then(|m| m.active))
            .collect();
        let mut nominal = fixed.clone();
        for o in &self.orders {
            let Action::Activate { militias } = &o.action else {
                continue;
            };
            for &site in militias {
                let t = match o.when {
                    When::At(t) => {
                        fixed[site] = Some(fixed[site].map_or(t, |f| f.min(t)));
                        t
                    }
                    When::After { delay, .. } => delay,
                };
                nominal[site] = Some(nominal[site].map_or(t, |n| n.min(t)));
            }
        }
        fixed
            .into_iter()
            .zip(nominal)
            .map(|(fixed, nominal)| Start {
                fixed,
                nominal: nominal.unwrap_or(0),
            })
            .collect()
    }

    /// The rounds of a salvo order (`None` for other orders).
    pub fn salvo_rounds(&self, order: usize) -> Option<Rounds> {
        let Action::Salvo {
            site,
            weapon,
            count,
            over_ticks,
            timing,
            ..
        } = self.orders[order].action
        else {
            return None;
        };
        let s = &self.sites[site];
        let total = count as u64;
        let planned = match timing {
            Timing::Even => before(total, self.ticks, |j| salvo_offset(j, total, over_ticks, s)),
            // Any round may be drawn to launch at the order's start.
            Timing::Random => total.min(u32::MAX as u64) as u32,
        };
        let tracks = planned as u64 * (1 + self.weapons[weapon].decoys as u64);
        Some(Rounds {
            total,
            planned,
            tracks,
        })
    }

    /// The rounds of a militia (`None` for a launch site).
    pub fn militia_rounds(&self, site: usize) -> Option<Rounds> {
        let s = &self.sites[site];
        let m = s.militia.as_ref()?;
        let total: u64 = s.inventory.iter().map(|&(_, n)| n as u64).sum();
        let planned = before(total, self.ticks, |j| {
            militia_offset(j, m.rate_per_hour, self.tick_seconds)
        });
        let decoys = |w: usize| self.weapons[w].decoys as u64;
        let tracks = if planned as u64 == total {
            s.inventory
                .iter()
                .map(|&(w, n)| n as u64 * (1 + decoys(w)))
                .sum()
        } else {
            let most = s.inventory.iter().map(|&(w, _)| decoys(w)).max();
            planned as u64 * (1 + most.unwrap_or(0))
        };
        Some(Rounds {
            total,
            planned,
            tracks,
        })
    }

    /// The targets each weapon of a militia's inventory can reach, in inventory order, from
    /// where the targets stand when the militia can first fire (`start`: ships move).
    pub fn militia_reach(&self, site: usize, start: Start) -> Vec<Vec<usize>> {
        let s = &self.sites[site];
        let Some(m) = &s.militia else {
            return Vec::new();
        };
        let at_s = start.nominal as f64 * self.tick_seconds as f64;
        s.inventory
            .iter()
            .map(|&(w, _)| {
                m.targets
                    .iter()
                    .copied()
                    .filter(|&a| {
                        let p = self.asset_position(a, at_s);
                        s.position.distance_km(p) <= self.weapons[w].range_km
                    })
                    .collect()
            })
            .collect()
    }

    /// Tracks the plan holds per replicate: every salvo order's and every militia's
    /// planned rounds, with their decoys.
    pub fn planned_tracks(&self) -> u64 {
        let orders = (0..self.orders.len()).filter_map(|o| self.salvo_rounds(o));
        let militias = (0..self.sites.len()).filter_map(|s| self.militia_rounds(s));
        orders.chain(militias).map(|r| r.tracks).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bisection_counts_the_offsets_below_the_end() {
        let every_third = |j: u64| j / 3;
        assert_eq!(before(0, 10, every_third), 0);
        assert_eq!(before(100, 10, every_third), 30);
        assert_eq!(before(20, 10, every_third), 20);
        assert_eq!(before(u64::MAX, 1, |_| 0), u32::MAX);
        assert_eq!(before(u64::MAX, 5, |j| j), 5);
        for total in 0..50 {
            for ticks in 0..20 {
                let brute = (0..total)
                    .filter(|&j| every_third(j) < ticks as u64)
                    .count();
                assert_eq!(before(total, ticks, every_third) as usize, brute);
            }
        }
    }

    #[test]
    fn militia_offsets_follow_the_rate_and_saturate() {
        assert_eq!(militia_offset(0, 60.0, 10), 0);
        assert_eq!(militia_offset(7, 60.0, 10), 42);
        assert_eq!(militia_offset(u64::MAX, 1e-300, 1), u64::MAX);
    }
}
