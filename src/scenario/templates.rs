//! Unit templates: a `[[templates]]` entry holds the keys several units share (a Patriot
//! battery's system, channels, tier, magazines and doctrine); a unit that names it with
//! `template = "id"` takes every key of the template it does not write itself. A key the
//! unit writes replaces the template's value whole (a `magazine` list, a `doctrine` table).
//!
//! Templates are expanded in the parsed document, before the file's types are read, so a
//! template carries any key a unit has, and every value keeps its place in the file: a
//! wrong key or type in a template is reported at the template's line. The sections whose
//! entries may name a template: `[[assets]]`, `[[carriers]]` (and their escorts and air
//! wings), `[[batteries]]`, `[[launch_sites]]` and `[[militias]]`.

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use std::collections::HashMap;

use super::source::{Diagnostic, LoadError, MAX_DIAGNOSTICS, MAX_SUGGESTIONS, SourceFile};
use super::types::ScenarioFile;
use super::validate::unknown;

/// Sections of units (arrays of tables) whose entries may name a template.
const SECTIONS: [&str; 5] = [
    "assets",
    "carriers",
    "batteries",
    "launch_sites",
    "militias",
];

/// Keys of a template that are its own, never copied into a unit.
const OWN: [&str; 2] = ["id", "note"];

/// The templates, and each by its id.
#[derive(Default)]
struct Templates<'i> {
    list: Vec<Template<'i>>,
    index: HashMap<String, usize>,
}

struct Template<'i> {
    id: String,
    id_span: std::ops::Range<usize>,
    table: DeTable<'i>,
    used: bool,
}

/// Problems found while expanding: the first `MAX_DIAGNOSTICS` in full, the rest counted
/// (placing one at its line scans the file).
#[derive(Default)]
struct Problems {
    list: Vec<Diagnostic>,
    omitted: usize,
}

impl Problems {
    fn push(&mut self, src: &SourceFile, span: std::ops::Range<usize>, message: String) {
        if self.list.len() >= MAX_DIAGNOSTICS {
            self.omitted += 1;
        } else {
            self.list.push(src.diagnostic(Some(span), message));
        }
    }
}

/// The scenario file's types, with its templates expanded; every problem at once.
pub fn parse_scenario(src: &SourceFile) -> Result<ScenarioFile, LoadError> {
    let at = |e: toml::de::Error| {
        LoadError::new(vec![
            src.diagnostic(e.span(), e.message().trim().to_string()),
        ])
    };
    let mut root = DeTable::parse(&src.text).map_err(at)?;
    let mut problems = Problems::default();
    expand(src, root.get_mut(), &mut problems);
    if !problems.list.is_empty() {
        return Err(LoadError {
            diagnostics: problems.list,
            omitted: problems.omitted,
        });
    }
    ScenarioFile::deserialize(toml::de::Deserializer::from(root)).map_err(at)
}

/// Take `[[templates]]` out of the document and fill in the units that name one.
fn expand<'i>(src: &SourceFile, root: &mut DeTable<'i>, problems: &mut Problems) {
    let mut templates = match root.remove("templates") {
        Some(list) => templates(src, list, problems),
        None => Templates::default(),
    };
    for section in SECTIONS {
        let Some(v) = root.get_mut(section) else {
            continue;
        };
        let DeValue::Array(units) = v.get_mut() else {
            continue;
        };
        for unit in units.iter_mut() {
            let DeValue::Table(t) = unit.get_mut() else {
                continue;
            };
            apply(src, t, &mut templates, problems);
            if section != "carriers" {
                continue;
            }
            // A carrier's escorts and air wing are units too.
            if let Some(DeValue::Array(escorts)) = t.get_mut("escorts").map(|e| e.get_mut()) {
                for e in escorts.iter_mut() {
                    if let DeValue::Table(et) = e.get_mut() {
                        apply(src, et, &mut templates, problems);
                    }
                }
            }
            if let Some(DeValue::Table(w)) = t.get_mut("air_wing").map(|w| w.get_mut()) {
                apply(src, w, &mut templates, problems);
            }
        }
    }
    for t in templates.list.iter().filter(|t| !t.used) {
        problems.push(
            src,
            t.id_span.clone(),
            format!(
                "templates: template {:?} is not used by any unit (a unit names it with `template = {:?}`)",
                t.id, t.id
            ),
        );
    }
}

/// The `[[templates]]` entries: each a table with a unique string `id`, naming no template
/// itself.
fn templates<'i>(
    src: &SourceFile,
    list: Spanned<DeValue<'i>>,
    problems: &mut Problems,
) -> Templates<'i> {
    let span = list.span();
    let DeValue::Array(items) = list.into_inner() else {
        problems.push(
            src,
            span,
            "templates: expected an array of tables, `[[templates]]`".into(),
        );
        return Templates::default();
    };
    let mut out = Templates::default();
    for (i, item) in items.into_iter().enumerate() {
        let span = item.span();
        let DeValue::Table(table) = item.into_inner() else {
            problems.push(src, span, format!("templates[{i}]: expected a table"));
            continue;
        };
        let Some((id, id_span)) = table
            .get("id")
            .and_then(|v| v.get_ref().as_str().map(|s| (s.to_string(), v.span())))
        else {
            problems.push(src, span, format!("templates[{i}]: expected an `id`, a string that units name with `template = \"..\"`"));
            continue;
        };
        if let Some(t) = table.get("template") {
            problems.push(
                src,
                t.span(),
                format!("templates[{i}].template: a template cannot name another template"),
            );
        }
        if out.index.contains_key(&id) {
            problems.push(
                src,
                id_span,
                format!("templates[{i}].id: template id {id:?} is defined twice"),
            );
            continue;
        }
        out.index.insert(id.clone(), out.list.len());
        out.list.push(Template {
            id,
            id_span,
            table,
            used: false,
        });
    }
    out
}

/// A unit that names a template takes the template's keys it does not write itself.
fn apply<'i>(
    src: &SourceFile,
    unit: &mut DeTable<'i>,
    templates: &mut Templates<'i>,
    problems: &mut Problems,
) {
    let Some(named) = unit.remove("template") else {
        return;
    };
    let Some(name) = named.get_ref().as_str() else {
        problems.push(
            src,
            named.span(),
            "template: expected the id of a `[[templates]]` entry, a string".into(),
        );
        return;
    };
    let Some(&i) = templates.index.get(name) else {
        let ids: Vec<&str> = templates.list.iter().map(|t| t.id.as_str()).collect();
        // "Did you mean" scores every template: for the first few problems only.
        let what = if problems.list.len() < MAX_SUGGESTIONS {
            unknown("template", name, ids.iter())
        } else {
            format!("unknown template {name:?}")
        };
        problems.push(src, named.span(), format!("template: {what}"));
        return;
    };
    let t = &mut templates.list[i];
    t.used = true;
    for (k, v) in t.table.iter() {
        if OWN.contains(&k.get_ref().as_ref()) || unit.contains_key(k.get_ref().as_ref()) {
            continue;
        }
        unit.insert(k.clone(), v.clone());
    }
}
