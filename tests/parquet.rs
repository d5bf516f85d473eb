//! `--format parquet`: `replicates.parquet` and the event tables as Parquet hold the
//! CSVs' columns and values exactly (read back with the parquet crate's row reader),
//! with numeric columns typed as numbers; `hormuz merge --format parquet` writes the
//! merged table's.

mod common;

use std::path::Path;

use common::hormuz;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

/// The Parquet file at `pq` equals the CSV at `csv` (`#` comment lines skipped): the same
/// column names and, row by row, the values the CSV's text parses to. Returns the
/// number of rows and of numeric columns.
fn same_table(csv: &Path, pq: &Path) -> (usize, usize) {
    let reader = SerializedFileReader::new(std::fs::File::open(pq).unwrap()).unwrap();
    let mut csv = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(csv)
        .unwrap();
    let names: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
    let schema = reader.metadata().file_metadata().schema_descr();
    let pq_names: Vec<String> = schema
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(pq_names, names, "{}: the columns", pq.display());
    let mut numeric = vec![false; names.len()];
    let mut rows = 0;
    let mut pq_rows = reader.get_row_iter(None).unwrap();
    for (i, record) in csv.records().enumerate() {
        let record = record.unwrap();
        let row = pq_rows
            .next()
            .unwrap_or_else(|| panic!("{}: {i} rows, fewer than the CSV", pq.display()))
            .unwrap();
        for (j, ((_, field), text)) in row.get_column_iter().zip(record.iter()).enumerate() {
            let same = match field {
                Field::Long(v) => {
                    numeric[j] = true;
                    text.parse::<i64>() == Ok(*v)
                }
                Field::Double(v) => {
                    numeric[j] = true;
                    text.parse::<f64>().map(f64::to_bits) == Ok(v.to_bits())
                }
                Field::Str(s) => s == text,
                other => panic!("{}: column {} is {other:?}", pq.display(), names[j]),
            };
            assert!(
                same,
                "{}: row {i} column {}: {field:?} against {text:?}",
                pq.display(),
                names[j]
            );
        }
        rows += 1;
    }
    assert!(
        pq_rows.next().is_none(),
        "{}: more rows than the CSV",
        pq.display()
    );
    (rows, numeric.iter().filter(|&&n| n).count())
}

#[test]
fn parquet_tables_equal_their_csvs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let ev = tmp.path().join("ev");
    let (o, e) = (out.to_str().unwrap(), ev.to_str().unwrap());
    let run = hormuz(&[
        "run",
        "-b",
        "cpu",
        "-q",
        "-n",
        "12",
        "-s",
        "8",
        "-o",
        o,
        "--events",
        e,
        "--event-replicates",
        "2",
        "--format",
        "parquet",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (rows, numeric) = same_table(&out.join("replicates.csv"), &out.join("replicates.parquet"));
    assert_eq!(rows, 12);
    let columns = csv::Reader::from_path(out.join("replicates.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .len();
    assert_eq!(numeric, columns, "every figure is a number");
    for t in [
        "unit_positions",
        "weapon_fired",
        "weapon_endgame",
        "unit_damage",
    ] {
        let (rows, numeric) = same_table(
            &ev.join(format!("{t}.csv")),
            &ev.join(format!("{t}.parquet")),
        );
        assert!(rows > 0, "{t} has rows");
        assert!(numeric > 0, "{t} has numeric columns (time_s at least)");
    }
    // Merged shards, as Parquet.
    let shards = tmp.path().join("shards");
    for s in ["0/2", "1/2"] {
        let r = hormuz(&[
            "run",
            "-b",
            "cpu",
            "-q",
            "-n",
            "12",
            "-s",
            "8",
            "-o",
            shards.to_str().unwrap(),
            "--shard",
            s,
        ]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    }
    let merged = tmp.path().join("merged");
    let m = hormuz(&[
        "merge",
        "-q",
        "--format",
        "parquet",
        "--out",
        merged.to_str().unwrap(),
        shards.join("shard-0-of-2").to_str().unwrap(),
        shards.join("shard-1-of-2").to_str().unwrap(),
    ]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    same_table(
        &out.join("replicates.csv"),
        &merged.join("replicates.parquet"),
    );
}
