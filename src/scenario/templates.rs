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

use super::source::{Diagnostic, SourceFile};
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

struct Template<'i> {
    id: String,
    id_span: std::ops::Range<usize>,
    table: DeTable<'i>,
    used: bool,
}

/// The scenario file's types, with its templates expanded; every problem at once.
pub fn parse_scenario(src: &SourceFile) -> Result<ScenarioFile, Vec<Diagnostic>> {
    let at = |e: toml::de::Error| src.diagnostic(e.span(), e.message().trim().to_string());
    let mut root = DeTable::parse(&src.text).map_err(|e| vec![at(e)])?;
    let mut problems = Vec::new();
    expand(src, root.get_mut(), &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    ScenarioFile::deserialize(toml::de::Deserializer::from(root)).map_err(|e| vec![at(e)])
}

/// Take `[[templates]]` out of the document and fill in the units that name one.
fn expand<'i>(src: &SourceFile, root: &mut DeTable<'i>, problems: &mut Vec<Diagnostic>) {
    let mut templates = match root.remove("templates") {
        Some(list) => templates(src, list, problems),
        None => Vec::new(),
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
    for t in templates.iter().filter(|t| !t.used) {
        problems.push(src.diagnostic(
            Some(t.id_span.clone()),
            format!(
                "templates: template {:?} is not used by any unit (a unit names it with `template = {:?}`)",
                t.id, t.id
            ),
        ));
    }
}

/// The `[[templates]]` entries: each a table with a unique string `id`, naming no template
/// itself.
fn templates<'i>(
    src: &SourceFile,
    list: Spanned<DeValue<'i>>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Template<'i>> {
    let span = list.span();
    let DeValue::Array(items) = list.into_inner() else {
        problems.push(src.diagnostic(
            Some(span),
            "templates: expected an array of tables, `[[templates]]`".into(),
        ));
        return Vec::new();
    };
    let mut out: Vec<Template> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let span = item.span();
        let DeValue::Table(table) = item.into_inner() else {
            problems.push(src.diagnostic(Some(span), format!("templates[{i}]: expected a table")));
            continue;
        };
        let Some((id, id_span)) = table
            .get("id")
            .and_then(|v| v.get_ref().as_str().map(|s| (s.to_string(), v.span())))
        else {
            problems.push(src.diagnostic(
                Some(span),
                format!("templates[{i}]: expected an `id`, a string that units name with `template = \"..\"`"),
            ));
            continue;
        };
        if let Some(t) = table.get("template") {
            problems.push(src.diagnostic(
                Some(t.span()),
                format!("templates[{i}].template: a template cannot name another template"),
            ));
        }
        if out.iter().any(|t| t.id == id) {
            problems.push(src.diagnostic(
                Some(id_span),
                format!("templates[{i}].id: template id {id:?} is defined twice"),
            ));
            continue;
        }
        out.push(Template {
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
    templates: &mut [Template<'i>],
    problems: &mut Vec<Diagnostic>,
) {
    let Some(named) = unit.remove("template") else {
        return;
    };
    let Some(name) = named.get_ref().as_str() else {
        problems.push(src.diagnostic(
            Some(named.span()),
            "template: expected the id of a `[[templates]]` entry, a string".into(),
        ));
        return;
    };
    let Some(t) = templates.iter_mut().find(|t| t.id == name) else {
        let ids: Vec<&str> = templates.iter().map(|t| t.id.as_str()).collect();
        problems.push(src.diagnostic(
            Some(named.span()),
            format!("template: {}", unknown("template", name, ids.iter())),
        ));
        return;
    };
    t.used = true;
    for (k, v) in t.table.iter() {
        if OWN.contains(&k.get_ref().as_ref()) || unit.contains_key(k.get_ref().as_ref()) {
            continue;
        }
        unit.insert(k.clone(), v.clone());
    }
}
