//! How often an account is collected: the cadence value and its text forms. The scheduling
//! math (jitter, catch-up, refresh tiers) lives in `alcance-collector::schedule`.

use crate::text_enum::text_enum;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The shortest cadence, seconds.
pub const MIN_CADENCE_SECONDS: i64 = 60;
/// The longest cadence, seconds (one year).
pub const MAX_CADENCE_SECONDS: i64 = 366 * 86_400;

/// The stored kind of a cadence (`schedules.cadence`); `custom` carries its period in
/// `schedules.every_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CadenceKind {
    /// Every 3 600 s.
    Hourly,
    /// Every 86 400 s (the default).
    #[default]
    Daily,
    /// Every 604 800 s.
    Weekly,
    /// Any period from 60 s to one year.
    Custom,
}

text_enum!(CadenceKind, "cadence", [
    Hourly => "hourly",
    Daily => "daily",
    Weekly => "weekly",
    Custom => "custom",
]);

/// A cadence that cannot be used: unknown text, or a period outside 60 s – one year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cadence {value:?}: {reason}")]
pub struct InvalidCadence {
    /// What was given.
    pub value: String,
    /// What is accepted.
    pub reason: &'static str,
}

/// How often an account is collected. Stored as `schedules.cadence` ([`CadenceKind`]) +
/// `schedules.every_seconds`; serialized as `{"kind": "custom", "seconds": 5400}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Cadence {
    /// Every 3 600 s.
    Hourly,
    /// Every 86 400 s (the default).
    #[default]
    Daily,
    /// Every 604 800 s.
    Weekly,
    /// Every `seconds` seconds (60 s to one year).
    Custom {
        /// The period, seconds.
        seconds: i64,
    },
}

impl Cadence {
    /// The period, seconds.
    pub fn every_seconds(&self) -> i64 {
        match self {
            Cadence::Hourly => 3_600,
            Cadence::Daily => 86_400,
            Cadence::Weekly => 604_800,
            Cadence::Custom { seconds } => *seconds,
        }
    }

    /// The period.
    pub fn every(&self) -> Duration {
        Duration::seconds(self.every_seconds())
    }

    /// The stored kind.
    pub fn kind(&self) -> CadenceKind {
        match self {
            Cadence::Hourly => CadenceKind::Hourly,
            Cadence::Daily => CadenceKind::Daily,
            Cadence::Weekly => CadenceKind::Weekly,
            Cadence::Custom { .. } => CadenceKind::Custom,
        }
    }

    /// The stored key: `hourly`, `daily`, `weekly` or `custom`.
    pub fn key(&self) -> &'static str {
        self.kind().as_str()
    }

    /// A cadence of `seconds`, named when it is exactly an hour, a day or a week.
    ///
    /// Errors: [`InvalidCadence`] outside 60 s – one year.
    pub fn from_seconds(seconds: i64) -> Result<Cadence, InvalidCadence> {
        if !(MIN_CADENCE_SECONDS..=MAX_CADENCE_SECONDS).contains(&seconds) {
            return Err(InvalidCadence {
                value: format!("{seconds} s"),
                reason: "a cadence is between 60 seconds and one year",
            });
        }
        Ok(match seconds {
            3_600 => Cadence::Hourly,
            86_400 => Cadence::Daily,
            604_800 => Cadence::Weekly,
            seconds => Cadence::Custom { seconds },
        })
    }

    /// Reads a stored schedule (`schedules.cadence`, `schedules.every_seconds`). A named
    /// cadence ignores `every_seconds`; a custom period keeps its kind even when it equals a
    /// named one.
    ///
    /// Errors: [`InvalidCadence`] for a bad custom period.
    pub fn from_kind(kind: CadenceKind, every_seconds: i64) -> Result<Cadence, InvalidCadence> {
        match kind {
            CadenceKind::Hourly => Ok(Cadence::Hourly),
            CadenceKind::Daily => Ok(Cadence::Daily),
            CadenceKind::Weekly => Ok(Cadence::Weekly),
            CadenceKind::Custom => Cadence::from_seconds(every_seconds).map(|c| match c {
                Cadence::Hourly | Cadence::Daily | Cadence::Weekly => Cadence::Custom { seconds: every_seconds },
                c => c,
            }),
        }
    }

    /// [`Cadence::from_kind`] from the stored key text.
    ///
    /// Errors: [`InvalidCadence`] for an unknown key or a bad custom period.
    pub fn from_stored(key: impl AsRef<str>, every_seconds: i64) -> Result<Cadence, InvalidCadence> {
        let key = key.as_ref();
        let kind = key.parse::<CadenceKind>().map_err(|_| InvalidCadence {
            value: key.to_string(),
            reason: "expected hourly, daily, weekly or custom",
        })?;
        Cadence::from_kind(kind, every_seconds)
    }

    /// Parses what a user types: `hourly`, `daily`, `weekly`, a number of seconds (`3600`),
    /// or a period in `humantime`'s notation (`90m`, `6h`, `2d`, `1w`), case-insensitive.
    /// The period is whole seconds.
    ///
    /// Errors: [`InvalidCadence`] for anything else or a period outside 60 s – one year.
    pub fn parse(text: &str) -> Result<Cadence, InvalidCadence> {
        let t = text.trim().to_ascii_lowercase();
        match t.as_str() {
            "hourly" => return Ok(Cadence::Hourly),
            "daily" => return Ok(Cadence::Daily),
            "weekly" => return Ok(Cadence::Weekly),
            _ => {}
        }
        let bad = || InvalidCadence {
            value: text.to_string(),
            reason: "expected hourly, daily, weekly or a period such as 90m, 6h, 2d",
        };
        let seconds = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse::<i64>().map_err(|_| bad())?
        } else {
            let period = humantime::parse_duration(&t).map_err(|_| bad())?;
            if period.subsec_nanos() != 0 {
                return Err(bad());
            }
            i64::try_from(period.as_secs()).map_err(|_| bad())?
        };
        Cadence::from_seconds(seconds)
    }
}

impl fmt::Display for Cadence {
    /// `hourly`, `daily`, `weekly`, or `every 6h` / `every 90m` / `every 45s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cadence::Custom { seconds } => {
                let s = *seconds;
                if s % 86_400 == 0 {
                    write!(f, "every {}d", s / 86_400)
                } else if s % 3_600 == 0 {
                    write!(f, "every {}h", s / 3_600)
                } else if s % 60 == 0 {
                    write!(f, "every {}m", s / 60)
                } else {
                    write!(f, "every {s}s")
                }
            }
            named => f.write_str(named.key()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_seconds_and_humantime_periods() {
        assert_eq!(Cadence::parse("6h"), Ok(Cadence::Custom { seconds: 21_600 }));
        assert_eq!(Cadence::parse("90m"), Ok(Cadence::Custom { seconds: 5_400 }));
        assert_eq!(Cadence::parse("90min"), Ok(Cadence::Custom { seconds: 5_400 }));
        assert_eq!(Cadence::parse("2D"), Ok(Cadence::Custom { seconds: 172_800 }));
        assert_eq!(Cadence::parse("3600"), Ok(Cadence::Hourly));
        assert_eq!(Cadence::parse("120s"), Ok(Cadence::Custom { seconds: 120 }));
        assert_eq!(Cadence::parse("1w"), Ok(Cadence::Weekly));
        for bad in [
            "",
            "often",
            "59s",
            "0",
            "-5m",
            "5y",
            "400d",
            "99999999999999999999h",
            "90500ms",
        ] {
            assert!(Cadence::parse(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(
            Cadence::from_kind(CadenceKind::Custom, 86_400),
            Ok(Cadence::Custom { seconds: 86_400 })
        );
        assert_eq!(Cadence::Custom { seconds: 60 }.kind(), CadenceKind::Custom);
    }
}
