//! The text form shared by Alcance's closed sets of values (account status, run kind, ...):
//! one stable snake_case key per variant, used by serde, the store (`sqlx::Type`, TEXT,
//! generic over the database: SQLite and PostgreSQL), the IPC bindings (`specta::Type`),
//! `Display` and `FromStr`.

use std::fmt;

/// A key that is not one of a value set's keys ([`std::str::FromStr`] of the enums of this
/// crate).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?} (expected one of {expected})")]
pub struct UnknownKey {
    /// What the value is (`account status`, `run kind`, ...).
    pub what: &'static str,
    /// The text given.
    pub value: String,
    /// The accepted keys, comma separated.
    pub expected: &'static str,
}

impl UnknownKey {
    /// Builds the error for `value`.
    pub fn new(what: &'static str, value: &str, expected: &'static str) -> Self {
        Self {
            what,
            value: value.to_string(),
            expected,
        }
    }
}

/// Writes `key` (the shared body of the enums' `Display`).
pub(crate) fn write_key(f: &mut fmt::Formatter<'_>, key: &str) -> fmt::Result {
    f.write_str(key)
}

/// Defines `as_str`, `ALL`, `Display`, `FromStr` (exact keys) and comparisons with `str` for
/// a fieldless enum whose serde / sqlx / specta names are the same snake_case keys.
macro_rules! text_enum {
    ($ty:ident, $what:literal, [$($variant:ident => $key:literal),+ $(,)?]) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stable key: stored in SQLite, sent over IPC and written to exports.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $key),+
                }
            }

            #[doc(hidden)]
            pub const EXPECTED: &'static str = concat!($($key, ", "),+);
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::text_enum::write_key(f, self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::text_enum::UnknownKey;
            /// Parses the exact key. Errors: [`UnknownKey`](crate::UnknownKey).
            fn from_str(s: &str) -> Result<Self, $crate::text_enum::UnknownKey> {
                match s {
                    $($key => Ok($ty::$variant),)+
                    other => Err($crate::text_enum::UnknownKey::new(
                        $what,
                        other,
                        <$ty>::EXPECTED.trim_end_matches(", "),
                    )),
                }
            }
        }

        $crate::text_enum::sqlx_text!($ty);

        impl TryFrom<&str> for $ty {
            type Error = $crate::text_enum::UnknownKey;
            /// Same as [`FromStr`](std::str::FromStr): for APIs that take `impl TryInto<Self>`.
            fn try_from(s: &str) -> Result<Self, $crate::text_enum::UnknownKey> {
                s.parse()
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<String> for $ty {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl PartialEq<$ty> for &str {
            fn eq(&self, other: &$ty) -> bool {
                *self == other.as_str()
            }
        }
    };
}

/// `sqlx::Type`, `Encode` and `Decode` for a type stored as its key text (`as_str` /
/// `FromStr`), for every database whose `&str` is text. A stored key that does not parse
/// is a decode error carrying the `FromStr` error (an [`UnknownKey`] for the enums here).
/// Exported (hidden) so the store's own key enums (`alcance_store`'s `stored_key!`) use the
/// same implementation: `alcance_core::sqlx_text!(Type)`.
#[cfg(feature = "sqlx")]
#[doc(hidden)]
#[macro_export]
macro_rules! sqlx_text {
    ($ty:ty) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $ty
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> <DB as sqlx::Database>::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &<DB as sqlx::Database>::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $ty
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(value: <DB as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let key = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(key.parse::<$ty>()?)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $ty
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }
    };
}

#[cfg(not(feature = "sqlx"))]
macro_rules! sqlx_text {
    ($ty:ty) => {};
}

#[cfg(feature = "sqlx")]
pub(crate) use crate::sqlx_text;
#[cfg(not(feature = "sqlx"))]
pub(crate) use sqlx_text;
pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use crate::{
        AccountStatus, CadenceKind, ConnectionKind, EventLevel, RunAccountStatus, RunKind, RunStatus, WebhookEventKind,
    };

    /// For each type: every key parses back to its value, `Display` writes the key and serde
    /// serializes it as the key (what SQLite, IPC and exports hold).
    macro_rules! assert_round_trip {
        ($($ty:ty),+ $(,)?) => {$(
            for v in <$ty>::ALL {
                assert_eq!(v.as_str().parse::<$ty>().ok(), Some(*v), "{}", v.as_str());
                assert_eq!(v.to_string(), v.as_str());
                assert_eq!(serde_json::to_value(v).ok(), Some(serde_json::json!(v.as_str())));
            }
        )+};
    }

    #[test]
    fn every_key_round_trips() {
        assert_round_trip!(
            AccountStatus,
            CadenceKind,
            ConnectionKind,
            EventLevel,
            RunAccountStatus,
            RunKind,
            RunStatus,
            WebhookEventKind,
        );
    }
}
