//! The inject form's decisions: the scenario's `[[decisions]]` whose time is still ahead
//! of the clock, each with its outcomes and their probabilities; the facilitator lets the
//! dice decide (no inject, or the one that took it by hand taken back) or takes an outcome
//! by hand (`Inject::Decide`). A decision whose time has passed is listed with why it can
//! no longer be taken.

use eframe::egui::{self, RichText};

use super::inject::InjectForm;
use crate::app::live::{Session, clock};
use crate::exercise::Inject;
use crate::scenario::{Decision, Gate, Scenario};

/// An outcome's probability as the panel shows it: its point value, or that it is drawn
/// per replicate around it.
fn probability(d: &Decision, o: usize) -> String {
    let out = &d.outcomes[o];
    match (out.parameter, out.rest) {
        (Some(_), _) => format!("p drawn, {:.2} at its point value", out.p),
        (None, true) => format!("p = {:.2}, the rest", out.p),
        (None, false) => format!("p = {:.2}", out.p),
    }
}

/// A decision's cases in words: "where launchers-halved fired: calibrated 0.30, wide 0.70".
fn cases(sc: &Scenario, d: &Decision) -> Vec<String> {
    d.cases
        .iter()
        .map(|c| {
            let when = match c.when {
                Gate::Trigger(t) => format!("where {} fired", sc.triggers[t].id),
                Gate::Outcome { decision, outcome } => {
                    let other = &sc.decisions[decision];
                    format!("where {} is {}", other.id, other.outcomes[outcome].id)
                }
            };
            let ps: Vec<String> = c
                .outcomes
                .iter()
                .map(|o| {
                    let drawn = if o.parameter.is_some() {
                        " (drawn)"
                    } else {
                        ""
                    };
                    format!("{} {:.2}{drawn}", o.id, o.p)
                })
                .collect();
            format!("{when}: {}", ps.join(", "))
        })
        .collect()
}

impl InjectForm {
    /// The decisions and the chosen one's outcomes. Returns whether an inject can be
    /// given, and the inject to take back when the dice are chosen for a decision taken
    /// by hand before.
    pub(super) fn decision_fields(
        &mut self,
        ui: &mut egui::Ui,
        session: &Session,
        tick: u32,
    ) -> (bool, Option<usize>) {
        let sc = &session.scenario;
        let at = |t: u32| format!("T+{}", clock(t, sc.tick_seconds));
        if sc.decisions.is_empty() {
            ui.label("the scenario has no decision");
            return (false, None);
        }
        let ahead: Vec<usize> = (0..sc.decisions.len())
            .filter(|&d| sc.decisions[d].at > tick)
            .collect();
        for (d, dec) in sc.decisions.iter().enumerate() {
            if !ahead.contains(&d) {
                let why = format!(
                    "{} at {}: its time has passed, the dice decided it",
                    dec.id,
                    at(dec.at)
                );
                ui.label(RichText::new(why).weak());
            }
        }
        let Some(&first) = ahead.first() else {
            ui.label(format!(
                "every decision's time has passed at {}: none can be taken by hand",
                at(tick)
            ));
            return (false, None);
        };
        if !ahead.contains(&self.decision) {
            self.decision = first;
            self.outcome = None;
        }
        egui::ComboBox::new("decision", "decision")
            .selected_text(&sc.decisions[self.decision].id)
            .show_ui(ui, |ui| {
                for &d in &ahead {
                    let text = format!("{} (at {})", sc.decisions[d].id, at(sc.decisions[d].at));
                    if ui.selectable_label(self.decision == d, text).clicked() {
                        self.decision = d;
                        self.outcome = None;
                    }
                }
            });
        let dec = &sc.decisions[self.decision];
        ui.label(format!("taken at {}", at(dec.at)));
        if let Some((parent, o)) = dec.given {
            let p = &sc.decisions[parent];
            ui.label(format!("only where {} is {}", p.id, p.outcomes[o].id));
        }
        for case in cases(sc, dec) {
            ui.add(egui::Label::new(case).wrap());
        }
        if let Some(note) = &dec.note {
            ui.add(egui::Label::new(RichText::new(note).weak()).wrap());
        }
        ui.radio_value(&mut self.outcome, None, "let the dice decide");
        for o in 0..dec.outcomes.len() {
            let text = format!("{} ({})", dec.outcomes[o].id, probability(dec, o));
            ui.radio_value(&mut self.outcome, Some(o), text);
        }
        let pinned = session.injects.iter().position(
            |g| matches!(&g.inject, Inject::Decide { decision, .. } if *decision == dec.id),
        );
        if let Some(k) = pinned
            && let Inject::Decide { outcome, .. } = &session.injects[k].inject
        {
            ui.label(format!("inject-{} takes it by hand: {outcome}", k + 1));
        } else if let Some(o) = dec.forced {
            let id = &dec.outcomes[o].id;
            ui.label(format!("the scenario takes it by hand: {id}"));
            return (false, None);
        }
        if self.outcome.is_some() {
            return (true, None);
        }
        match pinned {
            Some(k) => {
                let dice = ui
                    .button(format!("Let the dice decide (take inject-{} back)", k + 1))
                    .clicked();
                (false, dice.then_some(k))
            }
            None => {
                ui.label(RichText::new("the dice decide: nothing to give").weak());
                (false, None)
            }
        }
    }
}
