//! Time zones typed by the user: one parser for the desktop, the server and the CLI, so a
//! bad name gets the same message everywhere. Storage stays UTC; a zone only says how a
//! moment or a local hour is shown or asked for.

use alcance_core::analytics::best_time::Tz;

/// A name that is not an IANA time zone (`America/Sao_Paulo`, `Europe/Lisbon`, `UTC`).
/// The string is the name as given, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {0:?} (expected an IANA name such as America/Sao_Paulo or UTC)")]
pub struct UnknownTimeZone(pub String);

impl From<UnknownTimeZone> for crate::AppError {
    fn from(e: UnknownTimeZone) -> Self {
        crate::AppError::InvalidInput(e.to_string())
    }
}

/// The IANA zone named `name` (surrounding spaces ignored; names are case-sensitive as
/// in the tz database).
///
/// Errors: [`UnknownTimeZone`] for any other text, the empty string included.
pub fn parse(name: &str) -> Result<Tz, UnknownTimeZone> {
    let name = name.trim();
    name.parse().map_err(|_| UnknownTimeZone(name.to_string()))
}

/// An optional zone as forms and query strings send it: `None` when absent or blank,
/// otherwise [`parse`].
///
/// Errors: [`UnknownTimeZone`] for a non-blank name that is not an IANA zone.
pub fn parse_optional(name: Option<&str>) -> Result<Option<Tz>, UnknownTimeZone> {
    match name.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) => parse(name).map(Some),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn iana_names_parse_and_others_are_named_in_the_error() {
        assert_eq!(parse(" America/Sao_Paulo ").unwrap(), Tz::America__Sao_Paulo);
        assert_eq!(parse("UTC").unwrap(), Tz::UTC);
        assert_eq!(
            parse("Mars/Olympus_Mons"),
            Err(UnknownTimeZone("Mars/Olympus_Mons".into()))
        );
        assert!(parse("").is_err());
        assert_eq!(parse_optional(None).unwrap(), None);
        assert_eq!(parse_optional(Some("  ")).unwrap(), None);
        assert_eq!(parse_optional(Some("Europe/Lisbon")).unwrap(), Some(Tz::Europe__Lisbon));
        let e = crate::AppError::from(parse_optional(Some("Brasilia")).unwrap_err());
        assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
        assert!(e.to_string().contains("\"Brasilia\""), "{e}");
    }
}
