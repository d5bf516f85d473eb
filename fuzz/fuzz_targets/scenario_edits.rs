//! Structure-aware: one of the project's scenarios with some of its values (or its
//! database's) replaced, by large, small, negative, fractional or odd values, then loaded,
//! checked and planned. Where `scenario` mostly finds syntax errors, this reaches the
//! meaning checks and the planner with every value in range of a TOML type.
#![no_main]

use arbitrary::Arbitrary;
use hormuz_fuzz::{SCENARIOS, check_and_plan, database_of};
use libfuzzer_sys::fuzz_target;
use toml_edit::{DocumentMut, Item, Value};

#[derive(Arbitrary, Debug)]
struct Input {
    /// Which scenario of `SCENARIOS`.
    scenario: u8,
    edits: Vec<Edit>,
}

#[derive(Arbitrary, Debug)]
struct Edit {
    /// In the database rather than the scenario.
    database: bool,
    /// Which value (counted over the document's scalar values, in order).
    leaf: u16,
    value: NewValue,
}

#[derive(Arbitrary, Debug)]
enum NewValue {
    Int(i64),
    /// A magnitude where counts and clocks are known to break.
    Edge(Edge),
    Float(f64),
    Text(String),
    /// A time `H:MM:SS`.
    Clock(u32, u8, u8),
    Bool(bool),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Edge {
    Zero,
    One,
    U32Max,
    U32MaxLessOne,
    Pow24,
    Pow31,
    Pow32,
    I64Max,
    Tiny,
    Huge,
}

impl NewValue {
    fn value(&self) -> Value {
        match self {
            NewValue::Int(i) => Value::from(*i),
            NewValue::Edge(e) => match e {
                Edge::Zero => Value::from(0),
                Edge::One => Value::from(1),
                Edge::U32Max => Value::from(u32::MAX as i64),
                Edge::U32MaxLessOne => Value::from(u32::MAX as i64 - 1),
                Edge::Pow24 => Value::from(1i64 << 24),
                Edge::Pow31 => Value::from(1i64 << 31),
                Edge::Pow32 => Value::from(1i64 << 32),
                Edge::I64Max => Value::from(i64::MAX),
                Edge::Tiny => Value::from(1e-300),
                Edge::Huge => Value::from(1e300),
            },
            NewValue::Float(f) => Value::from(*f),
            NewValue::Text(s) => Value::from(s.as_str()),
            NewValue::Clock(h, m, s) => Value::from(format!("{h}:{:02}:{:02}", m % 60, s % 60)),
            NewValue::Bool(b) => Value::from(*b),
        }
    }
}

/// Scalar values of an item, in document order.
fn count(item: &Item) -> usize {
    match item {
        Item::Value(v) => count_value(v),
        Item::Table(t) => t.iter().map(|(_, i)| count(i)).sum(),
        Item::ArrayOfTables(a) => a.iter().flat_map(|t| t.iter()).map(|(_, i)| count(i)).sum(),
        Item::None => 0,
    }
}

fn count_value(v: &Value) -> usize {
    match v {
        Value::Array(a) => a.iter().map(count_value).sum(),
        Value::InlineTable(t) => t.iter().map(|(_, v)| count_value(v)).sum(),
        _ => 1,
    }
}

/// The `n`-th scalar value of an item (`n` counts down as values are passed).
fn nth<'a>(item: &'a mut Item, n: &mut usize) -> Option<&'a mut Value> {
    match item {
        Item::Value(v) => nth_value(v, n),
        Item::Table(t) => t.iter_mut().find_map(|(_, i)| nth(i, n)),
        Item::ArrayOfTables(a) => a
            .iter_mut()
            .find_map(|t| t.iter_mut().find_map(|(_, i)| nth(i, n))),
        Item::None => None,
    }
}

fn nth_value<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if let Value::Array(a) = v {
        return a.iter_mut().find_map(|x| nth_value(x, n));
    }
    if let Value::InlineTable(t) = v {
        return t.iter_mut().find_map(|(_, x)| nth_value(x, n));
    }
    if *n == 0 {
        return Some(v);
    }
    *n -= 1;
    None
}

fn edit(doc: &mut DocumentMut, leaf: u16, value: Value) {
    let total = count(doc.as_item());
    if total == 0 {
        return;
    }
    let mut n = leaf as usize % total;
    if let Some(v) = nth(doc.as_item_mut(), &mut n) {
        *v = value;
    }
}

fuzz_target!(|input: Input| {
    let (text, db_name) = SCENARIOS[input.scenario as usize % SCENARIOS.len()];
    let (Ok(mut scenario), Ok(mut database)) = (
        text.parse::<DocumentMut>(),
        database_of(text).parse::<DocumentMut>(),
    ) else {
        return;
    };
    for e in input.edits.iter().take(16) {
        let doc = if e.database {
            &mut database
        } else {
            &mut scenario
        };
        edit(doc, e.leaf, e.value.value());
    }
    check_and_plan(&scenario.to_string(), &[(db_name, &database.to_string())]);
});
