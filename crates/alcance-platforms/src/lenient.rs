//! Lenient serde helpers for the wire DTOs of every platform (Meta Graph, TikTok, X): a
//! value of an unexpected type reads as `None` / empty instead of failing the whole answer,
//! so only non-JSON or structurally broken bodies fail to decode. Numbers may come as
//! numeric strings. Use with `#[serde(default, deserialize_with = "lenient::…")]`.

use crate::meta::number;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A string, or a number written as text; anything else → `None`.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A number, or a string holding one; anything else → `None`.
pub(crate) fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(number(&Value::deserialize(d)?))
}

/// A whole number (Unix seconds), or a string holding one; a fraction or anything else →
/// `None` (Meta).
pub(crate) fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(number(&Value::deserialize(d)?)
        .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
        .map(|f| f as i64))
}

/// An array of strings (numbers are written as text); anything else → empty.
pub(crate) fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// An array kept raw (items decoded one by one later); anything else → empty.
pub(crate) fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items,
        _ => Vec::new(),
    })
}

/// An array whose items are decoded as `T`, skipping items that do not fit; anything
/// else → empty.
pub(crate) fn items<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// A value decoded as `T`, or `None` when it does not fit.
pub(crate) fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// An array whose items are decoded as `T`, skipping items that do not fit; `None`
/// when absent or not an array (so "no list" stays apart from an empty one).
pub(crate) fn opt_items<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<Vec<T>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => Some(
            items
                .into_iter()
                .filter_map(|v| serde_json::from_value(v).ok())
                .collect(),
        ),
        _ => None,
    })
}

/// A number or numeric string truncated to a whole number; non-finite or out-of-range
/// (|x| ≥ 9·10¹⁵) values and anything else → `None` (TikTok counts and timestamps).
pub(crate) fn i64_truncated<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(number(&Value::deserialize(d)?)
        .filter(|f| f.abs() < 9.0e15)
        .map(|f| f.trunc() as i64))
}

/// A boolean, or the text `true` / `false` in any case; anything else → `None`.
pub(crate) fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// A required id: a non-empty string, or a number written as decimal digits. Errors:
/// anything else (so the item is reported and skipped).
pub(crate) fn required_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) if !s.trim().is_empty() => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a non-empty id, found {}",
            kind(&other)
        ))),
    }
}

/// A short name of a JSON value's type, for error messages (`a number`, `an object`).
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
