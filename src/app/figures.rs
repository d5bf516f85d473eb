//! What a facilitator decides with, computed from a snapshot of replicate 0: magazines by
//! side with the time until they are empty at the rate of the last hour, and the cost
//! exchange between the teams so far. The window's panels and the after-action report
//! share these.

use super::fog::Team;
use super::live::{Session, Shot, Snapshot};

/// One interceptor type of one side: rounds at the start and left (ready and in reserve),
/// fired in the last hour, and hours until empty at that rate.
#[derive(Clone, Debug, PartialEq)]
pub struct SideMagazine {
    pub side: usize,
    pub interceptor: usize,
    pub start: u32,
    pub left: u32,
    pub last_hour: u32,
    /// `None` when nothing was fired in the last hour (0 when empty already).
    pub hours_left: Option<f64>,
}

/// Magazines summed per side and interceptor, in side then interceptor order.
pub fn magazines_by_side(session: &Session, snap: &Snapshot, shots: &[Shot]) -> Vec<SideMagazine> {
    let sc = &session.scenario;
    let plan = &session.plan;
    let hour = 3600 / sc.tick_seconds.max(1);
    let since = snap.tick.saturating_sub(hour);
    let mut out: Vec<SideMagazine> = Vec::new();
    for (s, slot) in plan.slots.iter().enumerate() {
        let info = &plan.slot_info[s];
        let bat = &sc.batteries[info.battery];
        let m = &bat.magazines[info.magazine];
        let st = snap.magazines[s];
        let fired: u32 = shots
            .iter()
            .filter(|x| x.slot as usize == s && x.tick > since && x.tick <= snap.tick)
            .map(|x| x.rounds)
            .sum();
        let key = (bat.side, slot.interceptor as usize);
        let row = match out.iter_mut().position(|r| (r.side, r.interceptor) == key) {
            Some(i) => &mut out[i],
            None => {
                out.push(SideMagazine {
                    side: key.0,
                    interceptor: key.1,
                    start: 0,
                    left: 0,
                    last_hour: 0,
                    hours_left: None,
                });
                out.last_mut().expect("just pushed")
            }
        };
        row.start += m.ready + m.reserve;
        row.left += st.ready + st.reserve;
        row.last_hour += fired;
    }
    for r in &mut out {
        r.hours_left = if r.left == 0 {
            Some(0.0)
        } else {
            (r.last_hour > 0).then(|| r.left as f64 / r.last_hour as f64)
        };
    }
    out.sort_by_key(|r| (r.side, r.interceptor));
    out
}

/// The cost exchange so far between Blue and Red (USD): what each side's weapons and
/// interceptors cost, and what the damage it took is worth.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Exchange {
    pub red_offence: f64,
    pub blue_defence: f64,
    pub blue_losses: f64,
    pub red_losses: f64,
}

impl Exchange {
    /// Blue's interceptors per dollar of Red's weapons.
    pub fn defence_ratio(&self) -> Option<f64> {
        (self.red_offence > 0.0).then(|| self.blue_defence / self.red_offence)
    }

    /// Blue's interceptors and losses per dollar of Red's weapons.
    pub fn total_ratio(&self) -> Option<f64> {
        (self.red_offence > 0.0).then(|| (self.blue_defence + self.blue_losses) / self.red_offence)
    }
}

pub fn exchange(session: &Session, snap: &Snapshot) -> Exchange {
    let sc = &session.scenario;
    let mut x = Exchange::default();
    for s in 0..sc.sides.len() {
        let c = &snap.costs;
        match Team::of_side(sc, s) {
            Team::Red => {
                x.red_offence += c.offence[s];
                x.red_losses += c.losses[s];
            }
            _ => {
                x.blue_defence += c.defence[s];
                x.blue_losses += c.losses[s];
            }
        }
    }
    x
}

/// Hours as a facilitator reads them: `empty`, `45 min`, `3.2 h`, `more than a day`.
pub fn hours_text(h: f64) -> String {
    if h <= 0.0 {
        "empty".into()
    } else if h < 1.0 {
        format!("{:.0} min", h * 60.0)
    } else if h < 24.0 {
        format!("{h:.1} h")
    } else {
        "more than a day".into()
    }
}

/// A ratio as `3.4 : 1`.
pub fn ratio_text(r: Option<f64>) -> String {
    match r {
        Some(r) if r >= 10.0 => format!("{r:.0} : 1"),
        Some(r) => format!("{r:.2} : 1"),
        None => "no attack yet".into(),
    }
}
