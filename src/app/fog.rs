//! Team views with fog of war. The white cell (the facilitators) sees everything. Blue
//! (the defender, [`blue_side`], and the sides it does not fight) sees its own units and magazines, the
//! threats its sensors detected, its intercepts and what lands on it. Red (the sides Blue
//! fights) sees its own launches and stocks and the effects it could observe: hits it can
//! claim, not the intercepts that happen out of its sight; to Red a missile shot down is
//! still flying until the moment it should have landed.

use super::live::{Session, Snapshot, UnitInfo};
use super::logbook::LogLine;
use crate::engine::layout::NEVER;
use crate::scenario::Scenario;

/// Blue's lead side, the defender: the side with the most defensive units (the lowest
/// index on a tie), never a side's place in the file (sides are listed by id).
pub fn blue_side(sc: &Scenario) -> usize {
    let units = |s: usize| sc.batteries.iter().filter(|b| b.side == s).count();
    (0..sc.sides.len())
        .max_by_key(|&s| (units(s), std::cmp::Reverse(s)))
        .unwrap_or(0)
}

/// Who is looking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Team {
    White,
    Blue,
    Red,
}

/// Bits of [`LogLine::seen`]: which teams saw the line (the white cell sees every line).
pub const SEEN_BLUE: u8 = 1;
pub const SEEN_RED: u8 = 2;

impl Team {
    pub const ALL: [Team; 3] = [Team::White, Team::Blue, Team::Red];

    pub fn name(self) -> &'static str {
        match self {
            Team::White => "White cell",
            Team::Blue => "Blue",
            Team::Red => "Red",
        }
    }

    /// The team a side plays on.
    pub fn of_side(sc: &Scenario, side: usize) -> Team {
        if sc.sides[blue_side(sc)]
            .hostile
            .get(side)
            .copied()
            .unwrap_or(false)
        {
            Team::Red
        } else {
            Team::Blue
        }
    }

    /// The bit of [`LogLine::seen`] for this team (all bits for the white cell).
    pub fn bit(self) -> u8 {
        match self {
            Team::White => SEEN_BLUE | SEEN_RED,
            Team::Blue => SEEN_BLUE,
            Team::Red => SEEN_RED,
        }
    }

    /// A side of this team (the white cell owns every side).
    pub fn owns(self, sc: &Scenario, side: usize) -> bool {
        self == Team::White || Team::of_side(sc, side) == self
    }

    pub fn sees_line(self, line: &LogLine) -> bool {
        self == Team::White || line.seen & self.bit() != 0
    }

    /// Whether a unit is on this team's map: its own units; for Red also the other side's
    /// assets (bases, cities and ships are its targets), not their batteries.
    pub fn sees_unit(self, sc: &Scenario, u: &UnitInfo) -> bool {
        match self {
            Team::White => true,
            Team::Blue => Team::of_side(sc, u.side) == Team::Blue,
            Team::Red => Team::of_side(sc, u.side) == Team::Red || u.asset.is_some(),
        }
    }

    /// Whether the team sees a unit's inside: magazines, stocks, launchers standing.
    pub fn sees_inside(self, sc: &Scenario, u: &UnitInfo) -> bool {
        self.owns(sc, u.side)
    }
}

/// A threat on a team's map: the track, its launch tick, and whether the team knows its
/// fate (a flight Red presumes goes on until its planned impact).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub track: u32,
    pub launch: u32,
    pub presumed: bool,
}

/// What a team learns of one track: its launch, its interception, its landing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Knows {
    pub launch: bool,
    pub kill: bool,
    pub landing: bool,
}

/// What `team` learns of track `k` (launched, detected, landed with a hit or not).
pub fn knows(session: &Session, snap: &Snapshot, team: Team, k: usize) -> Knows {
    let sc = &session.scenario;
    let info = &session.plan.track_info[k];
    let th = &snap.threats[k];
    if team == Team::White {
        return Knows {
            launch: true,
            kill: true,
            landing: true,
        };
    }
    let shooter = Team::of_side(sc, sc.sites[info.site].side) == team;
    let target = Team::of_side(sc, sc.assets[info.target].side) == team;
    let hit = matches!(th.fate, Fate::Leaked { hit: true });
    Knows {
        launch: shooter || (target && th.detected),
        kill: target,
        landing: target || (shooter && hit),
    }
}

/// The threats in flight as a team sees them.
pub fn threats(session: &Session, snap: &Snapshot, team: Team) -> Vec<Seen> {
    let plan = &session.plan;
    let mut out = Vec::new();
    for (k, th) in snap.threats.iter().enumerate() {
        if th.launch == NEVER {
            continue;
        }
        let flying = th.fate == Fate::Flying;
        let knows = knows(session, snap, team, k);
        if flying && knows.launch {
            out.push(Seen {
                track: k as u32,
                launch: th.launch,
                presumed: false,
            });
        } else if !flying
            && knows.launch
            && matches!(th.fate, Fate::Killed | Fate::Lost)
            && !knows.kill
            && snap.tick < th.launch.saturating_add(plan.tracks[k].flight)
        {
            // Shot down or lost out of this team's sight: it flies on, as far as it knows.
            out.push(Seen {
                track: k as u32,
                launch: th.launch,
                presumed: true,
            });
        }
    }
    out
}

/// Per threat class, as a team sees it: launched, intercepted, landed, in flight (`None`
/// where the team cannot know: Red does not see its missiles shot down).
pub fn totals(session: &Session, snap: &Snapshot, team: Team) -> [[Option<u32>; 4]; 4] {
    let sc = &session.scenario;
    let plan = &session.plan;
    let mut t = [[Some(0u32); 4]; 4];
    let blind = team == Team::Red;
    for (k, th) in snap.threats.iter().enumerate() {
        if th.launch == NEVER {
            continue;
        }
        let c = sc.weapons[plan.track_info[k].weapon].class.index();
        let knows = knows(session, snap, team, k);
        let add = |x: &mut Option<u32>| *x = x.map(|n| n + 1);
        let row = &mut t[c];
        if knows.launch {
            add(&mut row[0]);
        }
        match th.fate {
            Fate::Killed if knows.kill => add(&mut row[1]),
            Fate::Leaked { .. } if knows.landing => add(&mut row[2]),
            Fate::Flying if knows.launch => add(&mut row[3]),
            Fate::Killed | Fate::Lost
                if knows.launch
                    && !knows.kill
                    && snap.tick < th.launch.saturating_add(plan.tracks[k].flight) =>
            {
                add(&mut row[3])
            }
            _ => {}
        }
    }
    if blind {
        for row in &mut t {
            row[1] = None;
        }
    }
    t
}

/// What became of a threat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fate {
    /// Not launched (yet, or ever: its launcher was destroyed or it failed at launch).
    #[default]
    Pending,
    Flying,
    Killed,
    Leaked {
        hit: bool,
    },
    /// Failed at launch: the round is spent, nothing flies.
    Failed,
    /// Failed in flight.
    Lost,
}

/// A threat in replicate 0: launch tick (`NEVER` before launch), detected, fate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threat {
    pub launch: u32,
    pub detected: bool,
    pub fate: Fate,
}
