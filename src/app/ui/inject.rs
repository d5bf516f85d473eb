//! The inject form: the facilitator's orders (a salvo, a strike on launch sites, militias
//! activated, a battery switched or moved, a carrier diverted, a decision taken by hand),
//! built into an [`Inject`] the worker checks like any order of the scenario.

use std::collections::BTreeSet;

use eframe::egui::{self, Color32, RichText};

use super::ExerciseApp;
use crate::app::checks::{self, Now};
use crate::app::live::{Session, Snapshot, UnitInfo, clock, describe_inject, inactive_militias};
use crate::app::worker::Command;
use crate::exercise::Inject;
use crate::geo::LatLon;
use crate::scenario::Scenario;

/// What a facilitator can inject, as the form offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InjectKind {
    Salvo,
    Strike,
    Activate,
    Switch,
    Relocate,
    Divert,
    Decide,
}

impl InjectKind {
    pub const ALL: [InjectKind; 7] = [
        InjectKind::Salvo,
        InjectKind::Strike,
        InjectKind::Activate,
        InjectKind::Switch,
        InjectKind::Relocate,
        InjectKind::Divert,
        InjectKind::Decide,
    ];

    fn name(self) -> &'static str {
        match self {
            InjectKind::Salvo => "Salvo",
            InjectKind::Strike => "Strike on launch sites",
            InjectKind::Activate => "Activate militia",
            InjectKind::Switch => "Switch battery on/off",
            InjectKind::Relocate => "Relocate battery",
            InjectKind::Divert => "Divert carrier",
            InjectKind::Decide => "Take a decision",
        }
    }
}

/// The inject form's fields (indices into the scenario's lists).
#[derive(Clone, Debug, PartialEq)]
pub struct InjectForm {
    pub kind: InjectKind,
    pub site: usize,
    pub weapon: usize,
    pub count: u32,
    pub targets: BTreeSet<usize>,
    pub over_min: u32,
    pub strike_sites: BTreeSet<usize>,
    pub fraction: f64,
    pub militias: BTreeSet<usize>,
    pub battery: usize,
    pub online: bool,
    pub to: LatLon,
    pub carrier: usize,
    pub speed_kn: f64,
    /// A decision of the scenario, and the outcome taken by hand (`None`: the dice).
    pub decision: usize,
    pub outcome: Option<usize>,
}

impl Default for InjectForm {
    fn default() -> Self {
        InjectForm {
            kind: InjectKind::Salvo,
            site: 0,
            weapon: 0,
            count: 4,
            targets: BTreeSet::new(),
            over_min: 5,
            strike_sites: BTreeSet::new(),
            fraction: 0.3,
            militias: BTreeSet::new(),
            battery: 0,
            online: false,
            to: LatLon::new(25.0, 55.0),
            carrier: 0,
            speed_kn: 25.0,
            decision: 0,
            outcome: None,
        }
    }
}

impl InjectForm {
    /// The inject the form describes, or what is missing.
    pub fn build(&self, sc: &Scenario) -> Result<Inject, String> {
        let ids = |set: &BTreeSet<usize>, f: &dyn Fn(usize) -> String| -> Vec<String> {
            set.iter().map(|&i| f(i)).collect()
        };
        match self.kind {
            InjectKind::Salvo => {
                let site = sc.sites.get(self.site).ok_or("choose a launch site")?;
                let (weapon, _) = site
                    .inventory
                    .get(self.weapon)
                    .ok_or("choose a weapon the site holds")?;
                if self.targets.is_empty() {
                    return Err("choose at least one target".into());
                }
                Ok(Inject::Salvo {
                    from: site.id.clone(),
                    weapon: sc.weapons[*weapon].id.clone(),
                    count: self.count,
                    targets: ids(&self.targets, &|a| sc.assets[a].id.clone()),
                    over_s: self.over_min * 60,
                })
            }
            InjectKind::Strike => {
                if self.strike_sites.is_empty() {
                    return Err("choose at least one site to strike".into());
                }
                Ok(Inject::Strike {
                    sites: ids(&self.strike_sites, &|s| sc.sites[s].id.clone()),
                    fraction: self.fraction.clamp(0.0, 1.0),
                })
            }
            InjectKind::Activate => {
                if self.militias.is_empty() {
                    return Err("choose at least one militia".into());
                }
                Ok(Inject::Activate {
                    militias: ids(&self.militias, &|s| sc.sites[s].id.clone()),
                })
            }
            InjectKind::Switch => Ok(Inject::Switch {
                battery: sc
                    .batteries
                    .get(self.battery)
                    .ok_or("choose a battery")?
                    .id
                    .clone(),
                online: self.online,
            }),
            InjectKind::Relocate => Ok(Inject::Relocate {
                battery: sc
                    .batteries
                    .get(self.battery)
                    .ok_or("choose a battery")?
                    .id
                    .clone(),
                to: self.to,
            }),
            InjectKind::Divert => Ok(Inject::Divert {
                carrier: sc
                    .carriers
                    .get(self.carrier)
                    .ok_or("the scenario has no carrier")?
                    .id
                    .clone(),
                to: self.to,
                speed_kn: self.speed_kn,
            }),
            InjectKind::Decide => {
                let d = sc
                    .decisions
                    .get(self.decision)
                    .ok_or("the scenario has no decision")?;
                let o = self
                    .outcome
                    .and_then(|o| d.outcomes.get(o))
                    .ok_or("the dice decide: choose an outcome to take it by hand")?;
                Ok(Inject::Decide {
                    decision: d.id.clone(),
                    outcome: o.id.clone(),
                })
            }
        }
    }
}

impl InjectForm {
    /// The form filled in with an inject given before, to edit it.
    pub fn from_inject(sc: &Scenario, inject: &Inject) -> InjectForm {
        let site = |id: &str| sc.sites.iter().position(|s| s.id == id).unwrap_or(0);
        let asset = |id: &str| sc.assets.iter().position(|a| a.id == id);
        let battery = |id: &str| sc.batteries.iter().position(|b| b.id == id).unwrap_or(0);
        let mut f = InjectForm::default();
        match inject {
            Inject::Salvo {
                from,
                weapon,
                count,
                targets,
                over_s,
            } => {
                f.kind = InjectKind::Salvo;
                f.site = site(from);
                f.weapon = sc.sites[f.site]
                    .inventory
                    .iter()
                    .position(|&(w, _)| &sc.weapons[w].id == weapon)
                    .unwrap_or(0);
                f.count = *count;
                f.targets = targets.iter().filter_map(|t| asset(t)).collect();
                f.over_min = over_s / 60;
            }
            Inject::Strike { sites, fraction } => {
                f.kind = InjectKind::Strike;
                f.strike_sites = sites.iter().map(|s| site(s)).collect();
                f.fraction = *fraction;
            }
            Inject::Activate { militias } => {
                f.kind = InjectKind::Activate;
                f.militias = militias.iter().map(|s| site(s)).collect();
            }
            Inject::Switch { battery: b, online } => {
                f.kind = InjectKind::Switch;
                f.battery = battery(b);
                f.online = *online;
            }
            Inject::Relocate { battery: b, to } => {
                f.kind = InjectKind::Relocate;
                f.battery = battery(b);
                f.to = *to;
            }
            Inject::Divert {
                carrier,
                to,
                speed_kn,
            } => {
                f.kind = InjectKind::Divert;
                f.carrier = sc
                    .carriers
                    .iter()
                    .position(|c| &c.id == carrier)
                    .unwrap_or(0);
                f.to = *to;
                f.speed_kn = *speed_kn;
            }
            Inject::Decide { decision, outcome } => {
                f.kind = InjectKind::Decide;
                f.decision = sc
                    .decisions
                    .iter()
                    .position(|d| &d.id == decision)
                    .unwrap_or(0);
                f.outcome = sc
                    .decisions
                    .get(f.decision)
                    .and_then(|d| d.outcomes.iter().position(|o| &o.id == outcome));
            }
        }
        f
    }
}

impl ExerciseApp {
    /// Fill the form from a unit clicked on the map, where it fits the kind of inject.
    pub(super) fn prefill(&mut self, unit: &UnitInfo, session: &Session) {
        let sc = &session.scenario;
        if let Some(b) = unit.battery
            && matches!(self.form.kind, InjectKind::Switch | InjectKind::Relocate)
        {
            self.form.battery = b;
        }
        if let Some(c) = unit.carrier
            && self.form.kind == InjectKind::Divert
        {
            self.form.carrier = c;
        }
        if let Some(s) = unit.site {
            match self.form.kind {
                InjectKind::Salvo if self.form.site != s => {
                    self.form.site = s;
                    self.form.weapon = 0;
                }
                InjectKind::Strike if sc.sites[s].militia.is_none() => {
                    self.form.strike_sites.insert(s);
                }
                _ => {}
            }
        }
        if let Some(a) = unit.asset
            && self.form.kind == InjectKind::Salvo
            && let Some(site) = sc.sites.get(self.form.site)
            && sc.sides[site.side].hostile[sc.assets[a].side]
        {
            self.form.targets.insert(a);
        }
    }

    /// The inject form: the kind of order, its fields, what is wrong with it (checked as
    /// it is filled in, in the facilitator's words), and the button that gives it now (or
    /// replaces the inject being edited, at that inject's time).
    pub(super) fn inject_form(&mut self, ui: &mut egui::Ui, session: &Session, snap: &Snapshot) {
        let sc = &session.scenario;
        let editing = self
            .editing
            .and_then(|i| session.injects.get(i).map(|g| (i, g)));
        if let Some((i, g)) = editing {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!(
                        "editing inject-{} (given at T+{})",
                        i + 1,
                        clock(g.tick, sc.tick_seconds)
                    ))
                    .color(Color32::YELLOW),
                );
                if ui.small_button("cancel").clicked() {
                    self.editing = None;
                }
            });
        }
        let tick = editing.map_or(snap.tick, |(_, g)| g.tick);
        let f = &mut self.form;
        egui::ComboBox::new("inject-kind", "order")
            .selected_text(f.kind.name())
            .show_ui(ui, |ui| {
                for k in InjectKind::ALL {
                    ui.selectable_value(&mut f.kind, k, k.name());
                }
            });
        // A kind with nothing to choose from says so and offers no button.
        let mut dice = None;
        let complete = match f.kind {
            InjectKind::Salvo => f.salvo_fields(ui, sc, snap, tick),
            InjectKind::Strike => {
                f.strike_fields(ui, sc, snap);
                true
            }
            InjectKind::Activate => {
                f.militia_fields(ui, session);
                true
            }
            InjectKind::Switch | InjectKind::Relocate => {
                f.battery_fields(ui, sc, snap, &mut self.picking)
            }
            InjectKind::Divert => f.carrier_fields(ui, sc, &mut self.picking),
            InjectKind::Decide => {
                let (complete, remove) = f.decision_fields(ui, session, tick);
                dice = remove;
                complete
            }
        };
        // The dice chosen for a decision taken by hand: that inject is taken back.
        if let Some(i) = dice {
            self.editing = None;
            self.send(Command::RemoveInject(i));
            return;
        }
        if !complete {
            return;
        }
        // The worker's refusal holds until the form changes.
        if self
            .inject_error
            .as_ref()
            .is_some_and(|(_, f)| *f != self.form)
        {
            self.inject_error = None;
        }
        let check = self.form_check(session, snap, editing.map(|(i, g)| (i, g.tick)));
        let label = match editing {
            Some((i, g)) => format!(
                "Replace inject-{} at T+{}",
                i + 1,
                clock(g.tick, sc.tick_seconds)
            ),
            None => format!("Give inject at T+{}", clock(snap.tick, sc.tick_seconds)),
        };
        let ready = check.as_ref().is_ok_and(|r| r.is_ok());
        if ui.add_enabled(ready, egui::Button::new(label)).clicked()
            && let Ok(Ok(inject)) = check.clone()
        {
            self.inject_error = None;
            self.send(match editing {
                Some((i, _)) => Command::ReplaceInject(i, inject),
                None => Command::Inject(inject),
            });
        }
        // What is missing in grey; what the checks or the worker refuse in red.
        let problem = match (&check, &self.inject_error) {
            (Err(e), _) => Some((e.clone(), ui.visuals().weak_text_color())),
            (Ok(Err(e)), _) | (_, Some((e, _))) => Some((e.clone(), Color32::LIGHT_RED)),
            _ => None,
        };
        if let Some((e, colour)) = problem {
            for line in e.lines() {
                ui.add(egui::Label::new(RichText::new(line).color(colour)).wrap());
            }
        }
    }

    /// The form built and checked: `Err` what is missing, `Ok(Err)` what the checks
    /// refuse, `Ok(Ok)` the inject to send. Checked again only when the form, the clock or
    /// the session change.
    fn form_check(
        &mut self,
        session: &Session,
        snap: &Snapshot,
        editing: Option<(usize, u32)>,
    ) -> Result<Result<Inject, String>, String> {
        let inject = self.form.build(&session.scenario)?;
        let key = format!("{inject:?}|{}|{}|{editing:?}", snap.tick, session.epoch);
        if let Some((k, r)) = &self.form_checked
            && *k == key
        {
            return Ok(r.clone().map(|_| inject));
        }
        let mut now = Now::of(snap);
        let replacing = editing.and_then(|(i, tick)| {
            if tick != snap.tick {
                now.tick = tick;
                now.launchers_alive.clear();
            }
            session.injects.get(i).map(|g| g.inject.clone())
        });
        let r = checks::inject(session, &now, &inject, replacing.as_ref());
        self.form_checked = Some((key, r.clone()));
        Ok(r.map(|_| inject))
    }

    /// The injects given, each with its time: edit it, take it back, or run a what-if
    /// with and without it.
    pub(super) fn injects_list(&mut self, ui: &mut egui::Ui, session: &Session, snap: &Snapshot) {
        let sc = &session.scenario;
        let n = session.injects.len();
        ui.label(format!("{n} inject{} given", if n == 1 { "" } else { "s" }));
        let running = self.what_if_progress.is_some();
        for (i, g) in session.injects.iter().enumerate() {
            let ahead = g.tick > snap.tick;
            ui.add(
                egui::Label::new(format!(
                    "inject-{} at T+{}{}: {}",
                    i + 1,
                    clock(g.tick, sc.tick_seconds),
                    if ahead { " (ahead)" } else { "" },
                    describe_inject(&g.inject).1
                ))
                .wrap(),
            );
            ui.horizontal(|ui| {
                if ui.small_button("edit").clicked() {
                    self.form = InjectForm::from_inject(sc, &g.inject);
                    self.editing = Some(i);
                }
                if ui
                    .small_button("remove")
                    .on_hover_text("take it back and replay the exercise without it")
                    .clicked()
                {
                    self.send(Command::RemoveInject(i));
                }
                if ui
                    .add_enabled(!running, egui::Button::new("what-if with/without").small())
                    .on_hover_text(format!(
                        "{} replicates with and without inject-{}, from its time",
                        self.what_if_replicates,
                        i + 1
                    ))
                    .clicked()
                {
                    self.what_if_progress = Some((0, 1));
                    self.send(Command::WhatIf {
                        replicates: self.what_if_replicates,
                        branch: Some(i),
                    });
                }
            });
        }
    }
}

impl InjectForm {
    /// A salvo: site, weapon, count, spread, and targets within the weapon's range.
    fn salvo_fields(
        &mut self,
        ui: &mut egui::Ui,
        sc: &Scenario,
        snap: &Snapshot,
        tick: u32,
    ) -> bool {
        if sc.sites.is_empty() {
            ui.label("the scenario has no launch site");
            return false;
        }
        self.site = self.site.min(sc.sites.len() - 1);
        egui::ComboBox::new("salvo-site", "site")
            .selected_text(&sc.sites[self.site].id)
            .show_ui(ui, |ui| {
                for (s, site) in sc.sites.iter().enumerate() {
                    if ui.selectable_label(self.site == s, &site.id).clicked() {
                        self.site = s;
                        self.weapon = 0;
                    }
                }
            });
        let site = &sc.sites[self.site];
        let stocks = &snap.stocks[self.site];
        self.weapon = self.weapon.min(site.inventory.len().saturating_sub(1));
        let Some(&(w, _)) = site.inventory.get(self.weapon) else {
            ui.label("this site holds no weapon");
            return true;
        };
        // Rounds left to order: held less every salvo ordered so far.
        let left = |j: usize| stocks.get(j).map_or(0, |s| s.free());
        egui::ComboBox::new("salvo-weapon", "weapon")
            .selected_text(format!("{} ({} left)", sc.weapons[w].id, left(self.weapon)))
            .show_ui(ui, |ui| {
                for (j, &(w, _)) in site.inventory.iter().enumerate() {
                    ui.selectable_value(
                        &mut self.weapon,
                        j,
                        format!("{} ({} left)", sc.weapons[w].id, left(j)),
                    )
                    .on_hover_text(&sc.weapons[w].name);
                }
            });
        let range = sc.weapons[w].range_km;
        ui.horizontal(|ui| {
            let l = ui.label("count");
            ui.add(egui::DragValue::new(&mut self.count).range(1..=1_000_000))
                .labelled_by(l.id);
            let l = ui.label("over (min)");
            ui.add(egui::DragValue::new(&mut self.over_min).range(0..=600))
                .labelled_by(l.id);
        });
        // Where the targets are at the inject's time (a ship moves).
        let seconds = tick as f64 * sc.tick_seconds as f64;
        ui.label(format!(
            "targets within {range:.0} km at T+{}:",
            clock(tick, sc.tick_seconds)
        ));
        egui::ScrollArea::vertical()
            .id_salt("targets")
            .max_height(120.0)
            .show(ui, |ui| {
                for (a, asset) in sc.assets.iter().enumerate() {
                    if !sc.sides[site.side].hostile[asset.side] {
                        continue;
                    }
                    let d = site
                        .position
                        .distance_km(sc.position_of(asset.placement, seconds));
                    if d > range {
                        continue;
                    }
                    toggle(
                        ui,
                        &mut self.targets,
                        a,
                        format!("{} ({d:.0} km)", asset.id),
                    );
                }
            });
        true
    }

    /// A strike on launch sites: which sites, and the share of their launchers destroyed.
    fn strike_fields(&mut self, ui: &mut egui::Ui, sc: &Scenario, snap: &Snapshot) {
        egui::ScrollArea::vertical()
            .id_salt("strike")
            .max_height(140.0)
            .show(ui, |ui| {
                for (s, site) in sc.sites.iter().enumerate() {
                    let alive = snap.launchers_alive[s];
                    let text = format!("{} ({alive}/{} launchers)", site.id, site.launchers);
                    toggle(ui, &mut self.strike_sites, s, text);
                }
            });
        ui.add(egui::Slider::new(&mut self.fraction, 0.0..=1.0).text("share destroyed"));
    }

    /// Militias to activate, each marked waiting or already active (or due).
    fn militia_fields(&mut self, ui: &mut egui::Ui, session: &Session) {
        let sc = &session.scenario;
        let waiting = inactive_militias(sc, &session.plan);
        let militias: Vec<usize> = (0..sc.sites.len())
            .filter(|&s| sc.sites[s].militia.is_some())
            .collect();
        if militias.is_empty() {
            ui.label("the scenario has no militia");
        }
        for s in militias {
            let note = if waiting.contains(&s) {
                "waiting"
            } else {
                "already active or due"
            };
            let text = format!("{} ({note})", sc.sites[s].id);
            toggle(ui, &mut self.militias, s, text);
        }
    }

    /// A battery to switch on or off, or to relocate to a point.
    fn battery_fields(
        &mut self,
        ui: &mut egui::Ui,
        sc: &Scenario,
        snap: &Snapshot,
        picking: &mut bool,
    ) -> bool {
        if sc.batteries.is_empty() {
            ui.label("the scenario has no battery");
            return false;
        }
        self.battery = self.battery.min(sc.batteries.len() - 1);
        egui::ComboBox::new("battery", "battery")
            .selected_text(&sc.batteries[self.battery].id)
            .show_ui(ui, |ui| {
                for (b, bat) in sc.batteries.iter().enumerate() {
                    let on = snap.online.get(b).copied().unwrap_or(true);
                    ui.selectable_value(
                        &mut self.battery,
                        b,
                        format!("{} ({})", bat.id, if on { "on" } else { "off" }),
                    );
                }
            });
        if self.kind == InjectKind::Switch {
            ui.horizontal(|ui| {
                ui.radio_value(&mut self.online, true, "on");
                ui.radio_value(&mut self.online, false, "off");
            });
        } else {
            point_fields(ui, &mut self.to, picking);
        }
        true
    }

    /// A carrier to divert: where to, and how fast.
    fn carrier_fields(&mut self, ui: &mut egui::Ui, sc: &Scenario, picking: &mut bool) -> bool {
        if sc.carriers.is_empty() {
            ui.label("the scenario has no carrier");
            return false;
        }
        self.carrier = self.carrier.min(sc.carriers.len() - 1);
        egui::ComboBox::new("carrier", "carrier")
            .selected_text(&sc.carriers[self.carrier].id)
            .show_ui(ui, |ui| {
                for (c, car) in sc.carriers.iter().enumerate() {
                    ui.selectable_value(&mut self.carrier, c, &car.id);
                }
            });
        point_fields(ui, &mut self.to, picking);
        ui.add(
            egui::Slider::new(&mut self.speed_kn, 1.0..=35.0)
                .text("knots")
                .max_decimals(0),
        );
        true
    }
}

/// A checkbox that adds `item` to `set` when ticked and takes it out when cleared.
fn toggle(ui: &mut egui::Ui, set: &mut BTreeSet<usize>, item: usize, text: String) {
    let mut on = set.contains(&item);
    if ui.checkbox(&mut on, text).changed() {
        if on {
            set.insert(item);
        } else {
            set.remove(&item);
        }
    }
}

/// A point: latitude and longitude fields, or "pick on map" to choose it with a click.
fn point_fields(ui: &mut egui::Ui, to: &mut LatLon, picking: &mut bool) {
    ui.horizontal(|ui| {
        let l = ui.label("to lat");
        ui.add(
            egui::DragValue::new(&mut to.lat)
                .range(-90.0..=90.0)
                .speed(0.05)
                .max_decimals(3),
        )
        .labelled_by(l.id);
        let l = ui.label("lon");
        ui.add(
            egui::DragValue::new(&mut to.lon)
                .range(-180.0..=180.0)
                .speed(0.05)
                .max_decimals(3),
        )
        .labelled_by(l.id);
        if ui
            .selectable_label(*picking, "pick on map")
            .on_hover_text("then click the map")
            .clicked()
        {
            *picking = !*picking;
        }
    });
}
