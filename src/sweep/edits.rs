//! Edits: the scenario and its database files as `toml_edit` documents (comments and
//! layout kept), and setting the number a key names by ids.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::scenario;

/// The scenario file and its database files as editable documents.
#[derive(Clone)]
pub struct Documents {
    /// File name of the scenario, for messages and for `load_with_databases`.
    pub name: String,
    pub dir: PathBuf,
    pub scenario: DocumentMut,
    /// (name as written in `database`, document).
    pub databases: Vec<(String, DocumentMut)>,
}

impl Documents {
    /// Read a scenario file (checked by the loader first) and its database files; an error
    /// names the file at fault, and is the sweep's input at fault.
    pub fn read(path: &Path) -> Result<Documents, String> {
        let text = scenario::source::read_text(path).map_err(|d| d.to_string())?;
        // Syntax and meaning are checked (with positions) by the normal loader first.
        let sc = scenario::load(scenario::Origin::Disk(path.to_path_buf()))
            .map_err(|e| e.to_string())?;
        crate::report::check_reported(&sc).map_err(|e| e.to_string())?;
        let scenario: DocumentMut = text
            .parse()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut databases = Vec::new();
        let names: Vec<String> = scenario["scenario"]["database"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for n in names {
            let p = dir.join(&n);
            let t = scenario::source::read_text(&p).map_err(|d| d.to_string())?;
            let d: DocumentMut = t.parse().map_err(|e| format!("{}: {e}", p.display()))?;
            databases.push((n, d));
        }
        Ok(Documents {
            name: path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            dir,
            scenario,
            databases,
        })
    }

    /// Set `key` to `v` in whichever document holds its first segment.
    pub fn set(&mut self, key: &str, v: f64) -> Result<(), String> {
        let segs: Vec<&str> = key.split('.').collect();
        let top = segs[0];
        let doc = if self.scenario.contains_key(top) {
            &mut self.scenario
        } else if let Some((_, d)) = self.databases.iter_mut().find(|(_, d)| d.contains_key(top)) {
            d
        } else {
            return Err(format!(
                "{key}: no `{top}` in the scenario or its database (e.g. orders, batteries, assets, launch_sites, militias, threats, interceptors)"
            ));
        };
        let mut node = Node::Item(doc.as_item_mut());
        for (i, seg) in segs.iter().enumerate() {
            node = match child(node, seg) {
                Some(n) => n,
                None if i == 1 => {
                    return Err(format!("{key}: no entry of `{top}` has id {seg:?}"));
                }
                None => {
                    return Err(format!("{key}: `{}` has no {seg:?}", segs[..i].join(".")));
                }
            };
        }
        set_number(node, key, v)
    }

    /// The edited texts: the scenario, and each database as (name, text).
    pub fn texts(&self) -> (String, Vec<(String, String)>) {
        (
            self.scenario.to_string(),
            self.databases
                .iter()
                .map(|(n, d)| (n.clone(), d.to_string()))
                .collect(),
        )
    }
}

enum Node<'a> {
    Item(&'a mut Item),
    Table(&'a mut Table),
    Value(&'a mut Value),
}

/// An element of an array named by a segment: its `id`, or a magazine's `interceptor`.
fn names(get: impl Fn(&str) -> Option<String>, seg: &str) -> bool {
    ["id", "interceptor"]
        .iter()
        .any(|k| get(k).as_deref() == Some(seg))
}

fn child<'a>(node: Node<'a>, seg: &str) -> Option<Node<'a>> {
    match node {
        Node::Item(Item::Table(t)) | Node::Table(t) => t.get_mut(seg).map(Node::Item),
        Node::Item(Item::ArrayOfTables(a)) => {
            // By id; an entry without one (a decision's case) by its index from 0.
            let i = a
                .iter()
                .position(|t| names(|k| t.get(k)?.as_str().map(str::to_string), seg))
                .or_else(|| seg.parse::<usize>().ok());
            i.and_then(|i| a.get_mut(i)).map(Node::Table)
        }
        Node::Item(Item::Value(v)) => child(Node::Value(v), seg),
        Node::Item(Item::None) => None,
        Node::Value(Value::InlineTable(t)) => t.get_mut(seg).map(Node::Value),
        Node::Value(Value::Array(a)) => a
            .iter_mut()
            .find(|e| {
                e.as_inline_table()
                    .is_some_and(|t| names(|k| t.get(k)?.as_str().map(str::to_string), seg))
            })
            .map(Node::Value),
        Node::Value(_) => None,
    }
}

fn set_number(node: Node, key: &str, v: f64) -> Result<(), String> {
    let value = match node {
        Node::Value(val) => val,
        Node::Item(Item::Value(val)) => val,
        // A figure `{ value = .., source = .. }` written as a table.
        Node::Item(Item::Table(t)) | Node::Table(t) => match t.get_mut("value") {
            Some(Item::Value(val)) => val,
            _ => return Err(format!("{key}: not a number")),
        },
        Node::Item(_) => return Err(format!("{key}: not a number")),
    };
    // A distribution (docs/scenario.md, "Uncertain figures"): the sweep fixes the figure
    // at each of its values, so the distribution gives way to the number.
    if let Value::InlineTable(t) = value
        && !t.contains_key("value")
        && ["low", "high", "dist", "alpha"]
            .iter()
            .any(|k| t.contains_key(k))
    {
        let decor = value.decor().clone();
        *value = Value::from(v);
        *value.decor_mut() = decor;
        return Ok(());
    }
    // A figure written inline: set its `value`.
    if let Value::InlineTable(t) = value {
        return match t.get_mut("value") {
            Some(val) => set_number(Node::Value(val), key, v),
            None => Err(format!(
                "{key}: a table, not a number; name one of its keys"
            )),
        };
    }
    let decor = value.decor().clone();
    *value = match value {
        Value::Integer(_) => {
            if v.fract() != 0.0 || v < i64::MIN as f64 || v > i64::MAX as f64 {
                return Err(format!(
                    "{key}: expects a whole number, the range gives {v}"
                ));
            }
            Value::from(v as i64)
        }
        Value::Float(_) => Value::from(v),
        _ => return Err(format!("{key}: not a number")),
    };
    *value.decor_mut() = decor;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swept_distribution_becomes_a_number() {
        let mut d = Documents {
            name: "s.toml".into(),
            dir: ".".into(),
            scenario: "".parse().unwrap(),
            databases: vec![(
                "db.toml".into(),
                "[[threats]]\nid = \"tbm\"\ncep_m = { value = { low = 10, mode = 50, high = 100 }, assumed = true }\n\n[[interceptors]]\nid = \"lower\"\npk = { ballistic = { dist = \"uniform\", low = 0.5, high = 0.9 }, assumed = true }\n"
                    .parse()
                    .unwrap(),
            )],
        };
        d.set("threats.tbm.cep_m", 75.0).unwrap();
        d.set("interceptors.lower.pk.ballistic", 0.6).unwrap();
        let (_, dbs) = d.texts();
        assert!(
            dbs[0]
                .1
                .contains("cep_m = { value = 75.0, assumed = true }"),
            "{}",
            dbs[0].1
        );
        assert!(
            dbs[0]
                .1
                .contains("pk = { ballistic = 0.6, assumed = true }"),
            "{}",
            dbs[0].1
        );
    }

    #[test]
    fn keys_edit_numbers_in_place() {
        let mut d = Documents {
            name: "s.toml".into(),
            dir: ".".into(),
            scenario: r#"
[[batteries]]
id = "sam" # the SAM
channels = 4
magazine = [{ interceptor = "lower", ready = 16 }]

[[orders]]
id = "wave"
salvo = { from = "pad", count = 20, over = "00:05" }
"#
            .parse()
            .unwrap(),
            databases: vec![(
                "db.toml".into(),
                "[[threats]]\nid = \"tbm\"\nlaunch_reliability = { value = 0.9, assumed = true }\n\n[[interceptors]]\nid = \"lower\"\npk = { ballistic = 0.8, assumed = true }\n"
                    .parse()
                    .unwrap(),
            )],
        };
        d.set("batteries.sam.channels", 6.0).unwrap();
        d.set("batteries.sam.magazine.lower.ready", 32.0).unwrap();
        d.set("orders.wave.salvo.count", 40.0).unwrap();
        d.set("interceptors.lower.pk.ballistic", 0.5).unwrap();
        d.set("threats.tbm.launch_reliability", 0.75).unwrap();
        let (s, dbs) = d.texts();
        assert!(s.contains("id = \"sam\" # the SAM\nchannels = 6\n"), "{s}");
        assert!(s.contains("ready = 32 }"), "{s}");
        assert!(s.contains("count = 40,"), "{s}");
        assert!(
            dbs[0]
                .1
                .contains("pk = { ballistic = 0.5, assumed = true }"),
            "{}",
            dbs[0].1
        );
        assert!(
            dbs[0].1.contains("{ value = 0.75, assumed = true }"),
            "{}",
            dbs[0].1
        );
        assert!(
            d.set("batteries.sma.channels", 1.0)
                .unwrap_err()
                .contains("no entry of `batteries` has id \"sma\"")
        );
        assert!(
            d.set("batteries.sam.chanels", 1.0)
                .unwrap_err()
                .contains("`batteries.sam` has no \"chanels\"")
        );
        assert!(
            d.set("batteries.sam.channels", 2.5)
                .unwrap_err()
                .contains("whole number")
        );
        assert!(
            d.set("nothing.x.y", 1.0)
                .unwrap_err()
                .contains("no `nothing`")
        );
        assert!(
            d.set("batteries.sam.magazine", 1.0)
                .unwrap_err()
                .contains("not a number")
        );
    }
}
