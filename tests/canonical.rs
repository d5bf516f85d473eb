//! Canonical order: where an entry stands in a file changes nothing. Every scenario here is
//! written twice, once as it is and once with every array of tables reversed (`[[sides]]`,
//! `[[assets]]`, `[[carriers]]` and their `[[carriers.escorts]]`, `[[batteries]]`,
//! `[[launch_sites]]`, `[[militias]]`, `[[orders]]`, `[[triggers]]`, `[[incidents]]`,
//! `[[reported]]`, `[[decisions]]`, and the database's `[[threats]]` and `[[interceptors]]`),
//! and the two must give the same bytes: `replicates.csv`, `log.csv`, `summary.json` (but
//! its timing), the event tables and the printed table. A decision's `[[decisions.cases]]`
//! are the one ordered list (the first case that holds gives the probabilities, as an
//! `if ... else if` would), so they keep their order.

mod common;

use std::path::Path;

use common::setups;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

/// The TOML text with every array of tables, at any depth, in reverse order.
fn reversed(text: &str) -> String {
    let mut doc: DocumentMut = text.parse().expect("the scenario parses");
    reverse_arrays(doc.as_table_mut());
    // Printed in memory order: the tables keep no position from the original text.
    clear_positions(doc.as_table_mut());
    doc.to_string()
}

fn reverse_arrays(t: &mut Table) {
    for (key, item) in t.iter_mut() {
        match item {
            Item::ArrayOfTables(a) => {
                let mut tables: Vec<Table> = a.iter().cloned().collect();
                if key.get() != "cases" {
                    tables.reverse();
                }
                let mut out = ArrayOfTables::new();
                for mut x in tables {
                    reverse_arrays(&mut x);
                    out.push(x);
                }
                *a = out;
            }
            Item::Table(sub) => reverse_arrays(sub),
            _ => {}
        }
    }
}

fn clear_positions(t: &mut Table) {
    t.set_position(None);
    for (_, item) in t.iter_mut() {
        match item {
            Item::ArrayOfTables(a) => a.iter_mut().for_each(clear_positions),
            Item::Table(sub) => clear_positions(sub),
            _ => {}
        }
    }
}

/// The number of arrays of tables with two or more entries: what the reversal moves.
fn arrays_moved(text: &str) -> usize {
    fn count(t: &Table) -> usize {
        t.iter()
            .map(|(_, item)| match item {
                Item::ArrayOfTables(a) => {
                    (a.len() > 1) as usize + a.iter().map(count).sum::<usize>()
                }
                Item::Table(sub) => count(sub),
                _ => 0,
            })
            .sum()
    }
    count(text.parse::<DocumentMut>().unwrap().as_table())
}

/// Write a scenario and its database files into `dir`, under the names the scenario uses.
fn write_scenario(dir: &Path, scenario: &str, databases: &[(&str, String)]) {
    std::fs::write(dir.join("scenario.toml"), scenario).unwrap();
    for (name, text) in databases {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Every file under `dir` (relative path, bytes), `summary.json` without its timing.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            let mut bytes = std::fs::read(&p).unwrap();
            if name.ends_with("summary.json") {
                let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                v["run"].as_object_mut().unwrap().remove("timing");
                bytes = v.to_string().into_bytes();
            }
            files.push((name, bytes));
        }
    }
    files.sort();
    files
}

/// Run `hormuz run` on the scenario as written and reversed; every output the same.
fn same_outputs_reversed(scenario: &str, databases: &[(&str, String)], replicates: &str) {
    let runs: Vec<(tempfile::TempDir, Vec<u8>)> = [false, true]
        .into_iter()
        .map(|reverse| {
            let dir = tempfile::tempdir().unwrap();
            let flip = |t: &str| if reverse { reversed(t) } else { t.to_string() };
            let dbs: Vec<(&str, String)> = databases.iter().map(|(n, t)| (*n, flip(t))).collect();
            write_scenario(dir.path(), &flip(scenario), &dbs);
            let o = common::hormuz_in(
                dir.path(),
                &[
                    "run",
                    "scenario.toml",
                    "-n",
                    replicates,
                    "--seed",
                    "3",
                    "--backend",
                    "cpu",
                    "--out",
                    "out",
                    "--events",
                    "out/events",
                    "--event-replicates",
                    "2",
                ],
            );
            assert!(
                o.status.success(),
                "reversed {reverse}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            (dir, o.stdout)
        })
        .collect();
    let (a, b) = (
        outputs(&runs[0].0.path().join("out")),
        outputs(&runs[1].0.path().join("out")),
    );
    let names = |o: &[(String, Vec<u8>)]| o.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    assert!(names(&a).iter().any(|n| n == "replicates.csv"));
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{name} differs when the lists are reversed:\n--- as written\n{}\n--- reversed\n{}",
            String::from_utf8_lossy(&x[..x.len().min(2000)]),
            String::from_utf8_lossy(&y[..y.len().min(2000)])
        );
    }
    assert_eq!(
        String::from_utf8_lossy(&runs[0].1),
        String::from_utf8_lossy(&runs[1].1),
        "the printed table"
    );
}

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn reversing_every_list_of_the_built_in_scenario_changes_no_byte() {
    let scenario = read("scenarios/gulf-2026.toml");
    let db = read("scenarios/db/weapons.toml");
    assert!(arrays_moved(&scenario) >= 9 && arrays_moved(&db) == 2);
    same_outputs_reversed(&scenario, &[("db/weapons.toml", db)], "12");
}

#[test]
fn reversing_every_list_of_the_calibration_scenarios_changes_no_byte() {
    let db = read("scenarios/db/weapons.toml");
    for name in ["al-asad-2020", "israel-apr-2024", "israel-oct-2024"] {
        let scenario = read(&format!("scenarios/calibration/{name}.toml"))
            .replace("\"../db/weapons.toml\"", "\"db/weapons.toml\"");
        assert!(arrays_moved(&scenario) >= 3, "{name}");
        same_outputs_reversed(&scenario, &[("db/weapons.toml", db.clone())], "20");
    }
}

#[test]
fn reversing_every_list_of_the_closed_form_setups_changes_no_byte() {
    for (name, setup) in setups::all() {
        let db = setup.db.text();
        let scenario = setup.text();
        assert!(arrays_moved(&db) == 2, "{name}");
        same_outputs_reversed(&scenario, &[("db.toml", db)], "40");
    }
}

#[test]
fn the_reversal_moves_what_it_says() {
    let text = "[[a]]\nid = 1\n[[a.b]]\nx = 1\n[[a.b]]\nx = 2\n[[a]]\nid = 2\n[t]\nk = 1\n";
    let r = reversed(text);
    let doc: DocumentMut = r.parse().unwrap();
    let a = doc["a"].as_array_of_tables().unwrap();
    assert_eq!(a.get(0).unwrap()["id"].as_integer(), Some(2));
    let b = a.get(1).unwrap()["b"].as_array_of_tables().unwrap();
    assert_eq!(b.get(0).unwrap()["x"].as_integer(), Some(2));
    assert_eq!(doc["t"]["k"].as_integer(), Some(1));
}

#[test]
fn reversing_every_list_of_the_templated_example_changes_no_byte() {
    // Templates, repeated orders, deliveries and a trip to port, in reverse.
    let scenario = read("scenarios/examples/twelve-days.toml")
        .replace("\"../db/weapons.toml\"", "\"db/weapons.toml\"");
    assert!(arrays_moved(&scenario) >= 6);
    let db = read("scenarios/db/weapons.toml");
    same_outputs_reversed(&scenario, &[("db/weapons.toml", db)], "6");
}
