//! `--format parquet`: a table written as CSV (`replicates.csv`, the event tables) also
//! as Apache Parquet, for analysts who load a million rows into pandas or polars. Each
//! column is typed from its values: INT64 when every value is a whole number, DOUBLE when
//! every value is a number, a UTF-8 string otherwise. The values are those of the CSV
//! (a number is the `f64` or `i64` its text parses to); the CSV's `#` comment lines (the
//! event tables' column documentation) go into the file's key-value metadata
//! (`hormuz.about`). Row groups of a bounded size: memory does not grow with the rows.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

/// Values held per row group (rows times columns): about 32 MiB of numbers.
const GROUP_VALUES: usize = 1 << 22;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    Double,
    Text,
}

/// A column's values of one row group.
enum Column {
    Int(Vec<i64>),
    Double(Vec<f64>),
    Text(Vec<ByteArray>),
}

/// Write the CSV table at `csv` (a header, then rows; `#` lines before the header are
/// comments) as Parquet at `out`, under a temporary name until complete.
pub fn csv_to_parquet(csv: &Path, out: &Path) -> Result<(), String> {
    let e = |e: &dyn std::fmt::Display| format!("{}: {e}", csv.display());
    let about = comments(csv).map_err(|x| e(&x))?;
    let reader = || {
        csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_path(csv)
            .map_err(|x| e(&x))
    };
    // First pass: each column's type.
    let mut r = reader()?;
    let names: Vec<String> = r
        .headers()
        .map_err(|x| e(&x))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut kinds = vec![Kind::Int; names.len()];
    let mut record = csv::StringRecord::new();
    let mut rows = 0u64;
    while r.read_record(&mut record).map_err(|x| e(&x))? {
        rows += 1;
        for (k, v) in kinds.iter_mut().zip(record.iter()) {
            *k = match *k {
                Kind::Int if v.parse::<i64>().is_ok() => Kind::Int,
                Kind::Int | Kind::Double if v.parse::<f64>().is_ok() => Kind::Double,
                _ => Kind::Text,
            };
        }
    }
    if rows == 0 {
        // No values to type by: every column a string.
        kinds.fill(Kind::Text);
    }
    let schema = schema(&names, &kinds).map_err(|x| e(&x))?;
    let mut props = WriterProperties::builder().set_compression(Compression::SNAPPY);
    if !about.is_empty() {
        props =
            props.set_key_value_metadata(Some(vec![KeyValue::new("hormuz.about".into(), about)]));
    }
    crate::atomic::write_with(out, |f| {
        fn io(e: impl std::fmt::Display) -> std::io::Error {
            std::io::Error::other(e.to_string())
        }
        let mut w = SerializedFileWriter::new(f, schema, Arc::new(props.build())).map_err(io)?;
        let group = (GROUP_VALUES / names.len().max(1)).max(1);
        let mut r = reader().map_err(io)?;
        let mut columns: Vec<Column> = kinds.iter().map(|&k| Column::new(k, group)).collect();
        let mut held = 0;
        loop {
            let more = r.read_record(&mut record).map_err(io)?;
            if more {
                for (c, v) in columns.iter_mut().zip(record.iter()) {
                    c.push(v);
                }
                held += 1;
            }
            if held > 0 && (held == group || !more) {
                let mut g = w.next_row_group().map_err(io)?;
                for c in &mut columns {
                    let mut cw = g
                        .next_column()
                        .map_err(io)?
                        .ok_or_else(|| io("the schema has fewer columns than the table"))?;
                    match c {
                        Column::Int(v) => cw.typed::<Int64Type>().write_batch(v, None, None),
                        Column::Double(v) => cw.typed::<DoubleType>().write_batch(v, None, None),
                        Column::Text(v) => cw.typed::<ByteArrayType>().write_batch(v, None, None),
                    }
                    .map_err(io)?;
                    cw.close().map_err(io)?;
                    c.clear();
                }
                g.close().map_err(io)?;
                held = 0;
            }
            if !more {
                break;
            }
        }
        w.close().map_err(io)?;
        Ok(())
    })
    .map_err(|x| format!("{}: {x}", out.display()))
}

/// The `#` lines at the top of a CSV file, without the `# `.
fn comments(csv: &Path) -> std::io::Result<String> {
    let mut about = Vec::new();
    for line in BufReader::new(std::fs::File::open(csv)?).lines() {
        let line = line?;
        match line.strip_prefix('#') {
            Some(c) => about.push(c.trim_start().to_string()),
            None => break,
        }
    }
    Ok(about.join("\n"))
}

fn schema(names: &[String], kinds: &[Kind]) -> parquet::errors::Result<Arc<Type>> {
    let mut fields = Vec::with_capacity(names.len());
    for (name, kind) in names.iter().zip(kinds) {
        let (physical, logical) = match kind {
            Kind::Int => (Physical::INT64, None),
            Kind::Double => (Physical::DOUBLE, None),
            Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
        };
        let t = Type::primitive_type_builder(name, physical)
            .with_repetition(Repetition::REQUIRED)
            .with_logical_type(logical)
            .build()?;
        fields.push(Arc::new(t));
    }
    Ok(Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()?,
    ))
}

impl Column {
    fn new(kind: Kind, capacity: usize) -> Column {
        match kind {
            Kind::Int => Column::Int(Vec::with_capacity(capacity)),
            Kind::Double => Column::Double(Vec::with_capacity(capacity)),
            Kind::Text => Column::Text(Vec::with_capacity(capacity)),
        }
    }

    /// A value of the type the first pass found every value of the column to have.
    fn push(&mut self, v: &str) {
        match self {
            Column::Int(c) => c.push(v.parse().unwrap_or_default()),
            Column::Double(c) => c.push(v.parse().unwrap_or_default()),
            Column::Text(c) => c.push(ByteArray::from(v)),
        }
    }

    fn clear(&mut self) {
        match self {
            Column::Int(c) => c.clear(),
            Column::Double(c) => c.clear(),
            Column::Text(c) => c.clear(),
        }
    }
}
