//! The left panel, as the viewing team sees it: threats by class, the costs and the cost
//! exchange, magazines by side with the time until empty at the last hour's rate,
//! launches and leakers per hour, hits per asset, and each battery's magazines (Red sees
//! its stocks instead). And the unit card, shown on hover and for the selected unit.

use eframe::egui::{self, Color32, RichText};
use egui_plot::{Bar, BarChart, Legend, Plot};

use super::{CLASS_COLOURS, ExerciseApp, Scene, side_colour, usd};
use crate::app::charts;
use crate::app::figures::{self, hours_text, ratio_text};
use crate::app::fog::{self, Team};
use crate::app::live::{UnitInfo, UnitKind};
use crate::app::report::damage_text;
use crate::engine::layout::NEVER;
use crate::scenario::ThreatClass;

impl ExerciseApp {
    pub(super) fn state_panel(&mut self, ui: &mut egui::Ui) {
        let (Some(session), Some(snap)) = (&self.session, &self.snap) else {
            return;
        };
        let scene = Scene {
            session,
            snap,
            lines: &self.lines,
            shots: &self.shots,
            team: self.team,
            base: None,
        };
        state_panel(ui, &scene);
    }
}

/// The left panel's sections for `scene.team`.
pub(super) fn state_panel(ui: &mut egui::Ui, scene: &Scene<'_>) {
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
    let team = scene.team;
    egui::CollapsingHeader::new("Threats")
        .default_open(true)
        .show(ui, |ui| threats_table(ui, scene));
    egui::CollapsingHeader::new("Launches and leakers per hour")
        .default_open(true)
        .show(ui, |ui| per_hour(ui, scene));
    egui::CollapsingHeader::new("Costs and exchange")
        .default_open(true)
        .show(ui, |ui| costs(ui, scene));
    if team != Team::Red {
        egui::CollapsingHeader::new("Magazines by side")
            .default_open(true)
            .show(ui, |ui| magazines_by_side(ui, scene));
    }
    egui::CollapsingHeader::new(if team == Team::Red {
        "Hits claimed"
    } else {
        "Leakers and hits per asset"
    })
    .default_open(true)
    .show(ui, |ui| assets_table(ui, scene));
    if team != Team::Blue {
        egui::CollapsingHeader::new("Launch sites: rounds left")
            .default_open(team == Team::Red)
            .show(ui, |ui| stocks(ui, scene));
    }
    if team != Team::Red {
        egui::CollapsingHeader::new("Battery magazines")
            .default_open(false)
            .show(ui, |ui| magazines(ui, scene));
    }
}

/// Launched, intercepted, leaked and in flight, per threat class, as the team knows them.
fn threats_table(ui: &mut egui::Ui, scene: &Scene<'_>) {
    let t = fog::totals(scene.session, scene.snap, scene.team);
    egui::Grid::new("totals").striped(true).show(ui, |ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        for h in ["class", "launched", "killed", "leaked", "flying"] {
            ui.strong(h);
        }
        ui.end_row();
        for c in ThreatClass::ALL {
            let row = t[c.index()];
            ui.label(RichText::new(c.name()).color(CLASS_COLOURS[c.index()]));
            for n in row {
                ui.label(n.map_or("?".to_string(), |n| n.to_string()));
            }
            ui.end_row();
        }
    });
    if scene.team == Team::Red {
        ui.label(RichText::new("? Red cannot see its missiles shot down").weak());
    }
}

/// A strip chart of launches and leakers per hour, up to now.
fn per_hour(ui: &mut egui::Ui, scene: &Scene<'_>) {
    let sc = &scene.session.scenario;
    let hours = charts::per_hour(scene.lines, sc.tick_seconds, scene.snap.tick, scene.team);
    let bars = |i: usize, off: f64| -> Vec<Bar> {
        hours
            .iter()
            .enumerate()
            .map(|(h, v)| Bar::new(h as f64 + off, v[i] as f64).width(0.4))
            .collect()
    };
    let tallest = hours.iter().flatten().copied().max().unwrap_or(1).max(1);
    Plot::new(ui.scope_id().with("per-hour"))
        .height(90.0)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .show_x(false)
        .show_y(false)
        .include_y(tallest as f64 * 1.15)
        .include_x(-0.5)
        .include_x(hours.len() as f64)
        .x_axis_formatter(|m, _| charts::count_tick(m.value))
        .y_axis_formatter(|m, _| charts::count_tick(m.value))
        .legend(Legend::default())
        .show(ui, |p| {
            p.bar_chart(
                BarChart::new("launches", bars(0, 0.3)).color(Color32::from_rgb(90, 140, 210)),
            );
            p.bar_chart(
                BarChart::new("leakers", bars(1, 0.7)).color(Color32::from_rgb(230, 90, 70)),
            );
        });
}

/// What each side has spent and lost so far, and the cost exchange between the teams.
fn costs(ui: &mut egui::Ui, scene: &Scene<'_>) {
    let sc = &scene.session.scenario;
    let c = &scene.snap.costs;
    egui::Grid::new("costs").striped(true).show(ui, |ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        for h in ["side", "offence", "defence", "losses"] {
            ui.strong(h);
        }
        ui.end_row();
        for (s, side) in sc.sides.iter().enumerate() {
            if !scene.team.owns(sc, s)
                || c.offence[s] == 0.0 && c.defence[s] == 0.0 && c.losses[s] == 0.0
            {
                continue;
            }
            ui.label(RichText::new(&side.id).color(side_colour(sc, s)))
                .on_hover_text(&side.name);
            ui.label(usd(c.offence[s]));
            ui.label(usd(c.defence[s]));
            ui.label(usd(c.losses[s]));
            ui.end_row();
        }
    });
    if scene.team == Team::White {
        let x = figures::exchange(scene.session, scene.snap);
        ui.label(format!(
            "Blue's interceptors per dollar of Red's weapons: {}",
            ratio_text(x.defence_ratio())
        ))
        .on_hover_text(format!(
            "{} of interceptors against {} of weapons; with Blue's losses ({}): {}",
            usd(x.blue_defence),
            usd(x.red_offence),
            usd(x.blue_losses),
            ratio_text(x.total_ratio())
        ));
    }
}

/// Rounds left per side and interceptor type, and how long they last at the last hour's
/// rate of fire.
fn magazines_by_side(ui: &mut egui::Ui, scene: &Scene<'_>) {
    let sc = &scene.session.scenario;
    let rows = figures::magazines_by_side(scene.session, scene.snap, scene.shots);
    egui::Grid::new("by-side").striped(true).show(ui, |ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        for h in ["side", "interceptor", "left", "empty in"] {
            ui.strong(h);
        }
        ui.end_row();
        for m in rows.iter().filter(|m| scene.team.owns(sc, m.side)) {
            ui.label(RichText::new(&sc.sides[m.side].id).color(side_colour(sc, m.side)));
            ui.label(&sc.interceptors[m.interceptor].id)
                .on_hover_text(&sc.interceptors[m.interceptor].name);
            let low = m.left * 4 < m.start;
            let left = RichText::new(format!("{}/{}", m.left, m.start));
            ui.label(if low {
                left.color(Color32::LIGHT_RED)
            } else {
                left
            });
            let empty = m.hours_left.map_or("—".to_string(), hours_text);
            ui.label(empty)
                .on_hover_text(format!("{} fired in the last hour", m.last_hour));
            ui.end_row();
        }
    });
}

/// Leakers, hits and damage per asset that has had any (Red: the hits it can claim).
fn assets_table(ui: &mut egui::Ui, scene: &Scene<'_>) {
    let sc = &scene.session.scenario;
    let snap = scene.snap;
    let red = scene.team == Team::Red;
    egui::Grid::new("assets").striped(true).show(ui, |ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        ui.strong("asset");
        if !red {
            ui.strong("leakers");
        }
        ui.strong("hits");
        if !red {
            ui.strong("damage");
        }
        ui.end_row();
        let mut any = false;
        for (a, spec) in sc.assets.iter().enumerate() {
            let st = snap.assets[a];
            let leak = snap.leakers[a];
            let mine = scene.team.owns(sc, spec.side);
            if (leak == 0 && st.hits == 0) || (!mine && !red) || (red && st.hits == 0) {
                continue;
            }
            any = true;
            let mut name = RichText::new(&spec.id).color(side_colour(sc, spec.side));
            if st.out_at != NEVER {
                name = name.strikethrough();
            }
            ui.label(name).on_hover_text(&spec.name);
            if !red {
                ui.label(leak.to_string());
            }
            ui.label(st.hits.to_string());
            if !red {
                let d = if st.out_at != NEVER || st.damage >= spec.staying_power {
                    "out".to_string()
                } else {
                    format!("{}/{}", st.damage, spec.staying_power)
                };
                ui.label(d).on_hover_text(damage_text(
                    st.damage,
                    spec.staying_power,
                    st.out_at,
                    sc.tick_seconds,
                ));
            }
            ui.end_row();
        }
        if !any {
            ui.label("nothing yet");
            ui.end_row();
        }
    });
}

/// Each launch site of the team: launchers standing and rounds left per weapon.
fn stocks(ui: &mut egui::Ui, scene: &Scene<'_>) {
    let sc = &scene.session.scenario;
    for (s, site) in sc.sites.iter().enumerate() {
        if !scene.team.owns(sc, site.side) {
            continue;
        }
        ui.label(RichText::new(&site.name).color(side_colour(sc, site.side)))
            .on_hover_text(&site.id);
        let text: Vec<String> = scene.snap.stocks[s]
            .iter()
            .map(|st| format!("{} {}/{}", sc.weapons[st.weapon].id, st.left(), st.held))
            .collect();
        ui.label(
            RichText::new(format!(
                "{}/{} launchers · {}",
                scene.snap.launchers_alive[s],
                site.launchers,
                text.join(" · ")
            ))
            .small(),
        );
    }
}

/// Each battery's magazines as bars of rounds ready (red below a quarter).
fn magazines(ui: &mut egui::Ui, scene: &Scene<'_>) {
    let sc = &scene.session.scenario;
    let plan = &scene.session.plan;
    for (b, bat) in sc.batteries.iter().enumerate() {
        if !scene.team.owns(sc, bat.side) {
            continue;
        }
        let on = scene.snap.online.get(b).copied().unwrap_or(true);
        let mut title = RichText::new(&bat.name).color(side_colour(sc, bat.side));
        if !on {
            title = title.weak().italics();
        }
        ui.add(egui::Label::new(title).truncate())
            .on_hover_text(&bat.id);
        for (s, info) in plan.slot_info.iter().enumerate() {
            if info.battery != b {
                continue;
            }
            let m = &bat.magazines[info.magazine];
            let st = scene.snap.magazines[s];
            let cap = plan.slots[s].capacity.max(1);
            let ic = &sc.interceptors[m.interceptor];
            let text = if m.reserve > 0 {
                format!("{} {}/{} +{}", ic.id, st.ready, cap, st.reserve)
            } else {
                format!("{} {}/{}", ic.id, st.ready, cap)
            };
            let frac = st.ready as f32 / cap as f32;
            let fill = if frac < 0.25 {
                Color32::from_rgb(200, 70, 50)
            } else {
                Color32::from_rgb(60, 120, 180)
            };
            ui.add(
                egui::ProgressBar::new(frac)
                    .text(text)
                    .fill(fill)
                    .desired_height(14.0),
            );
        }
    }
}

/// The unit card: what the unit is, and its live state as far as the team sees it.
pub fn unit_card(ui: &mut egui::Ui, scene: &Scene<'_>, unit: &UnitInfo) {
    let sc = &scene.session.scenario;
    let snap = scene.snap;
    let seconds = snap.tick as f64 * sc.tick_seconds as f64;
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
    ui.heading(RichText::new(&unit.name).color(side_colour(sc, unit.side)));
    ui.label(format!(
        "{} of {} · {}",
        unit.kind.describe(),
        sc.sides[unit.side].name,
        unit.id
    ));
    let p = unit.position(sc, seconds);
    ui.label(format!("at {}", crate::app::land::point(p)));
    if let Some(a) = unit.asset {
        let st = snap.assets[a];
        let spec = &sc.assets[a];
        ui.label(format!("hits {} · leakers {}", st.hits, snap.leakers[a]));
        let damage = damage_text(st.damage, spec.staying_power, st.out_at, sc.tick_seconds);
        if st.out_at != NEVER || st.damage >= spec.staying_power {
            ui.label(RichText::new(damage).color(Color32::RED).strong());
        } else {
            ui.label(format!(
                "damage {damage}: in action (out of action at {})",
                spec.staying_power
            ));
        }
    }
    if !scene.team.sees_inside(sc, unit) {
        return;
    }
    if let Some(b) = unit.battery {
        battery_card(ui, scene, unit, b);
    }
    if let Some(s) = unit.site {
        site_card(ui, scene, s);
    }
    if let Some(c) = unit.carrier
        && unit.kind == UnitKind::Carrier
    {
        let route = &sc.carriers[c].route;
        ui.label(format!("steams at {:.0} kn", route.speed_kmh / 1.852));
    }
}

fn battery_card(ui: &mut egui::Ui, scene: &Scene<'_>, unit: &UnitInfo, b: usize) {
    let sc = &scene.session.scenario;
    let plan = &scene.session.plan;
    let snap = scene.snap;
    let bat = &sc.batteries[b];
    let on = snap.online.get(b).copied().unwrap_or(true);
    let host_out = bat
        .host
        .is_some_and(|h| snap.assets.get(h).is_some_and(|s| s.out_at != NEVER));
    ui.label(format!(
        "{} · tier {} · {} fire channels · range {:.0} km",
        bat.system,
        bat.tier,
        bat.channels,
        unit.ring_km.unwrap_or(0.0)
    ));
    if !on {
        ui.label(RichText::new("switched off").color(Color32::LIGHT_RED));
    } else if host_out {
        ui.label(RichText::new("silent: its host is out of action").color(Color32::LIGHT_RED));
    } else if bat
        .host
        .is_some_and(|h| snap.assets.get(h).is_some_and(|s| s.away != 0))
    {
        ui.label(
            RichText::new("silent: its ship is off station (in port, or in reserve)")
                .color(Color32::LIGHT_RED),
        );
    } else {
        ui.label("switched on");
    }
    for (s, info) in plan.slot_info.iter().enumerate() {
        if info.battery != b {
            continue;
        }
        let m = &bat.magazines[info.magazine];
        let st = snap.magazines[s];
        ui.label(format!(
            "{}: {} of {} ready, {} in reserve",
            sc.interceptors[m.interceptor].name, st.ready, plan.slots[s].capacity, st.reserve
        ));
    }
}

fn site_card(ui: &mut egui::Ui, scene: &Scene<'_>, s: usize) {
    let sc = &scene.session.scenario;
    let snap = scene.snap;
    let site = &sc.sites[s];
    ui.label(format!(
        "launchers {} of {} standing · {} rounds launched so far",
        snap.launchers_alive[s], site.launchers, snap.launched[s]
    ));
    for st in &snap.stocks[s] {
        let on_order = st.on_order();
        ui.label(format!(
            "{} {} of {} left ({} fired{})",
            sc.weapons[st.weapon].id,
            st.left(),
            st.held,
            st.fired,
            if on_order > 0 {
                format!(", {on_order} more ordered")
            } else {
                String::new()
            }
        ))
        .on_hover_text(&sc.weapons[st.weapon].name);
    }
    if let Some(m) = &site.militia {
        ui.label(format!(
            "{:.0} launches an hour once active",
            m.rate_per_hour
        ));
    }
}
