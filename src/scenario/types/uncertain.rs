//! The syntax of an uncertain number: wherever a figure's number is written (a figure's
//! `value`, a class of `pk` or `detection`, a tier of `manoeuvre`), a distribution may be
//! written instead. Its meaning (which keys each kind needs, the mode inside the range,
//! the bounds of the figure) is checked in `validate/values.rs`.

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

/// A figure's number: one value (a point), or a distribution the run draws from per
/// replicate (`--parameters draw`) or takes the central value of (`--parameters point`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Point(f64),
    Distribution(Box<DistributionSpec>),
}

/// The kinds of distribution (`dist = ".."`; triangular when left out).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum DistKind {
    #[default]
    Triangular,
    Uniform,
    Beta,
}

/// A distribution as written: `{ low = .., mode = .., high = .. }` (triangular),
/// `{ dist = "uniform", low = .., high = .., point = .. }`, or
/// `{ dist = "beta", alpha = .., beta = .., low = 0, high = 1, point = .. }`; `key` joins
/// a group of figures drawn together (the same quantile of each).
#[derive(Clone, Debug, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct DistributionSpec {
    #[serde(default)]
    pub dist: DistKind,
    pub low: Option<f64>,
    pub mode: Option<f64>,
    pub high: Option<f64>,
    pub point: Option<f64>,
    pub alpha: Option<f64>,
    pub beta: Option<f64>,
    pub key: Option<String>,
}

impl Value {
    /// The number as written when it is a point, for checks that need only some number.
    pub fn as_point(&self) -> Option<f64> {
        match self {
            Value::Point(v) => Some(*v),
            Value::Distribution(_) => None,
        }
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Point(v)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a number, or a distribution such as { low = .., mode = .., high = .. }",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Point(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Point(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Point(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
                let spec =
                    DistributionSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Value::Distribution(Box::new(spec)))
            }
        }
        d.deserialize_any(V)
    }
}
