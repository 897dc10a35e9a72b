//! The key of a metric as stored and exported (`metric_type`).

use crate::catalog::{lookup, Metric};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

/// A metric key (`followers`, `reach`, ...). Usually a [`crate::CATALOG`] key, but any text
/// is kept as is: a key a newer Alcance stored, or one the catalog dropped, survives a read
/// and a write unchanged. Serialized, stored and sent over IPC as the bare string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricKey(pub String);

impl MetricKey {
    /// A key from any text.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The catalog entry of this key; `None` for a key the catalog does not know.
    pub fn metric(&self) -> Option<&'static Metric> {
        lookup(&self.0)
    }
}

impl Deref for MetricKey {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for MetricKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for MetricKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for MetricKey {
    fn from(key: &str) -> Self {
        Self(key.to_string())
    }
}

impl From<String> for MetricKey {
    fn from(key: String) -> Self {
        Self(key)
    }
}

impl From<MetricKey> for String {
    fn from(key: MetricKey) -> String {
        key.0
    }
}

impl fmt::Display for MetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for MetricKey {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for MetricKey {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_survive() {
        let k = MetricKey::from("followers");
        assert!(k.metric().is_some());
        let unknown = MetricKey::from("future_metric");
        assert!(unknown.metric().is_none());
        assert_eq!(
            serde_json::to_string(&unknown).ok().as_deref(),
            Some("\"future_metric\"")
        );
        assert_eq!(unknown, "future_metric");
    }
}
