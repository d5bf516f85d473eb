//! `hormuz run --events DIR`: the event tables agree with the run's own figures.

mod common;

fn rows(path: &std::path::Path) -> (Vec<String>, Vec<csv::StringRecord>, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let comments: String = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let body: String = text
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    (header, r.records().map(|x| x.unwrap()).collect(), comments)
}

#[test]
fn event_tables_match_the_figures_of_the_recorded_replicates() {
    let dir = tempfile::tempdir().unwrap();
    let (out, events) = (dir.path().join("out"), dir.path().join("events"));
    let smoke = common::data_dir().join("smoke.toml");
    let o = common::hormuz(&[
        "run",
        smoke.to_str().unwrap(),
        "-n",
        "6",
        "--seed",
        "5",
        "-q",
        "-o",
        out.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
        "--event-replicates",
        "3",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut r = csv::Reader::from_path(out.join("replicates.csv")).unwrap();
    let names: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let figures: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let fig = |rep: usize, n: &str| -> usize {
        figures[rep][names.iter().position(|x| x == n).unwrap()]
            .parse::<f64>()
            .unwrap() as usize
    };

    let (h, end, comments) = rows(&events.join("weapon_endgame.csv"));
    assert!(
        comments.contains("# time_s:") && comments.contains("# outcome:"),
        "{comments}"
    );
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (h2, fired, _) = rows(&events.join("weapon_fired.csv"));
    let c2 = |n: &str| h2.iter().position(|x| x == n).unwrap();
    let (_, dmg, _) = rows(&events.join("unit_damage.csv"));
    let (_, pos, _) = rows(&events.join("unit_positions.csv"));
    for rep in 0..3usize {
        let mine: Vec<_> = end
            .iter()
            .filter(|r| r[c("replicate")] == rep.to_string())
            .collect();
        // Every one of the 30 planned threats ends exactly once, unless still in flight.
        let airborne = fig(rep, "airborne_at_end_ballistic") + fig(rep, "airborne_at_end_drone");
        assert_eq!(mine.len() + airborne, 30, "replicate {rep}");
        let count = |o: &str| mine.iter().filter(|r| &r[c("outcome")] == o).count();
        assert_eq!(
            count("killed"),
            fig(rep, "intercepted_total"),
            "replicate {rep}"
        );
        assert_eq!(count("leaked"), fig(rep, "leaked_total"), "replicate {rep}");
        let hits: usize = mine
            .iter()
            .map(|r| r[c("hit")].parse::<usize>().unwrap())
            .sum();
        assert_eq!(hits, fig(rep, "hits_base"), "replicate {rep}");
        let shots: usize = fired
            .iter()
            .filter(|r| r[c2("replicate")] == rep.to_string() && &r[c2("shooter")] == "sam")
            .map(|r| r[c2("rounds")].parse::<usize>().unwrap())
            .sum();
        assert_eq!(shots, fig(rep, "fired_lower"), "replicate {rep}");
        let damaged = dmg.iter().filter(|r| r[1] == rep.to_string()).count();
        assert_eq!(damaged, fig(rep, "damage_base"), "replicate {rep}");
        assert!(
            pos.iter()
                .any(|r| r[1] == rep.to_string() && &r[2] == "sam")
        );
    }
    // Only the first 3 replicates are recorded.
    assert!(
        end.iter()
            .all(|r| ["0", "1", "2"].contains(&&r[c("replicate")]))
    );
}
