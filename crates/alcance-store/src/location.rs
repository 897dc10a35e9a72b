//! Where a store lives: an SQLite file or a PostgreSQL URL.

use std::fmt;
use std::path::PathBuf;

/// Where a store lives, parsed from what a user types (`--workspace`, `ALCANCE_WORKSPACE`).
/// `Debug` and `Display` never show a password.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreLocation {
    /// An SQLite database file (created with its folder when missing).
    File(PathBuf),
    /// A PostgreSQL database shared by a team.
    Postgres(PostgresUrl),
}

/// A `postgres://` / `postgresql://` URL that may hold a password: shown redacted
/// (`postgres://ana:REDACTED@db:5432/alcance`), read in full only through
/// [`PostgresUrl::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// The URL with its password, for connecting. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `user@host:port/database` (`host:port/database` without a user): the database's
    /// name without scheme, password or parameters, safe to show and stable across
    /// password changes (a keychain entry's or a local folder's name).
    pub fn address(&self) -> String {
        let rest = self.0.split_once("://").map_or(self.0.as_str(), |(_, rest)| rest);
        let rest = rest.split(['?', '#']).next().unwrap_or(rest);
        match rest.rsplit_once('@') {
            Some((user_info, host)) => format!("{}@{host}", user_info.split(':').next().unwrap_or(user_info)),
            None => rest.to_string(),
        }
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({})", redact_url(&self.0))
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl StoreLocation {
    /// `postgres://…` and `postgresql://…` (scheme case-insensitive) are PostgreSQL URLs;
    /// anything else is the path of an SQLite database file.
    pub fn parse(location: &str) -> StoreLocation {
        let trimmed = location.trim();
        let lower = trimmed.get(..13).unwrap_or(trimmed).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            StoreLocation::Postgres(PostgresUrl(trimmed.to_string()))
        } else {
            StoreLocation::File(PathBuf::from(location))
        }
    }

    /// `true` for a PostgreSQL location.
    pub fn is_postgres(&self) -> bool {
        matches!(self, StoreLocation::Postgres(_))
    }
}

impl fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::File(path) => f.debug_tuple("File").field(path).finish(),
            StoreLocation::Postgres(url) => f.debug_tuple("Postgres").field(url).finish(),
        }
    }
}

impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::File(path) => write!(f, "{}", path.display()),
            StoreLocation::Postgres(url) => write!(f, "{url}"),
        }
    }
}

/// `text` with the password of every `scheme://user:password@` it holds replaced by
/// `REDACTED`, and `password=` parameters too.
pub(crate) fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let authority_end = tail.find(['/', '?', '#', ' ']).unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..colon]);
                out.push_str(":REDACTED");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    // libpq keyword form and URL parameters: `password=…` up to a space or `&`.
    let mut redacted = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.to_ascii_lowercase().find("password=") {
        let (head, tail) = rest.split_at(i + "password=".len());
        redacted.push_str(head);
        redacted.push_str("REDACTED");
        rest = &tail[tail.find([' ', '&']).unwrap_or(tail.len())..];
    }
    redacted.push_str(rest);
    redacted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_postgres_and_everything_else_a_file_and_passwords_never_show() {
        let pg = StoreLocation::parse("PostgreSQL://ana:s3cret@db.example:5432/alcance?sslmode=require");
        assert!(pg.is_postgres());
        let shown = format!("{pg} {pg:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("ana:REDACTED@db.example:5432/alcance"), "{shown}");
        assert!(StoreLocation::parse("postgres://localhost/x").is_postgres());
        let StoreLocation::Postgres(url) = pg else {
            panic!("not PostgreSQL");
        };
        assert_eq!(url.address(), "ana@db.example:5432/alcance");
        assert_eq!(
            PostgresUrl("postgres://db:5432/x?sslmode=require".into()).address(),
            "db:5432/x"
        );
        assert_eq!(
            StoreLocation::parse("/home/ana/Alcance/alcance.db"),
            StoreLocation::File(PathBuf::from("/home/ana/Alcance/alcance.db"))
        );
        assert!(!StoreLocation::parse("postgres.db").is_postgres());
        assert_eq!(
            redact_url("host=db password=hunter2 x postgres://u:p@h/d"),
            "host=db password=REDACTED x postgres://u:REDACTED@h/d"
        );
    }
}
