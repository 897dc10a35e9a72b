//! `stored_key!`: the text form of the store's closed sets of values (a campaign's goal, a
//! report schedule's kind and cadence), each stored as its key.

/// Implements [`std::fmt::Display`] (writes the stored key), [`std::str::FromStr`] (reads a
/// key, trimmed, case-insensitively; errors: [`crate::StoreError::Invalid`] naming `$what`
/// and listing `$expected`) and `sqlx::Type` / `Encode` / `Decode` as text on either engine
/// (a stored key that does not parse is a decode error) for an enum stored as a key, given
/// its `ALL` list and `as_str`.
macro_rules! stored_key {
    ($t:ident, $what:literal, $expected:literal) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::StoreError;
            /// Parses a key, case-insensitively. Errors: [`StoreError::Invalid`](crate::StoreError::Invalid).
            fn from_str(s: &str) -> Result<$t, $crate::StoreError> {
                let key = s.trim().to_ascii_lowercase();
                $t::ALL
                    .into_iter()
                    .find(|v| v.as_str() == key)
                    .ok_or_else(|| $crate::StoreError::Invalid {
                        what: $what,
                        value: s.to_string(),
                        expected: $expected,
                    })
            }
        }

        alcance_core::sqlx_text!($t);
    };
}

pub(crate) use stored_key;
