//! Campaigns: `campaigns`, the accounts taking part (`campaign_accounts`, brand or
//! influencer), the posts counted (`campaign_posts`, many-to-many: a post may serve several
//! campaigns), money spent (`campaign_costs`) and conversions (`campaign_conversions`),
//! entered one by one or imported from CSV.
//!
//! Dates are calendar days, UTC (`chrono::NaiveDate`, stored `YYYY-MM-DD`). Money is `f64`
//! in the ISO 4217 currency stored beside it (three upper-case letters); nothing here
//! converts currencies. Counts are whole numbers.
//!
//! # CSV imports
//!
//! [`Store::import_costs_csv`] and [`Store::import_conversions_csv`] read UTF-8 CSV with a
//! header row. Header names are matched case-insensitively (spaces and `-` count as `_`), in
//! any order; other columns are ignored and listed in [`ImportReport::ignored_columns`]. The
//! delimiter is `,` unless the header line holds more `;` (spreadsheets in pt-BR and other
//! comma-decimal locales save with `;`) or tabs.
//!
//! Costs ([`COST_CSV_COLUMNS`]):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `date` | yes | day spent: `YYYY-MM-DD` (or an RFC 3339 time, taken as its UTC day) |
//! | `amount` | yes | money spent, `>= 0`: `1234.50` (or `1234,50` when the decimal comma is unambiguous); no thousands separators, no symbols |
//! | `currency` | no | ISO 4217 code; empty → the campaign's currency |
//! | `note` | no | free text |
//! | `platform` | no | `x`, `instagram`, `facebook`, `whatsapp`, `tiktok`: narrows `account` |
//! | `account` | no | the campaign account the cost is for: `@username`, `username` or the platform's account id; empty → the whole campaign |
//!
//! Conversions ([`CONVERSION_CSV_COLUMNS`]), e.g. a shop's UTM-tagged sales export:
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `date` | yes | day of the conversion, as for costs |
//! | `count` | no | whole number of conversions, `>= 0`; empty → 1 (one sale per line) |
//! | `revenue` | no | money earned, `>= 0`, as `amount` above; empty → unknown (not 0) |
//! | `currency` | no | ISO 4217 code of `revenue`; empty → the campaign's currency |
//! | `source` | no | where the conversion was recorded (`shopify`, `site`, ...) |
//! | `utm_campaign`, `utm_source`, `utm_medium` | no | the UTM tags of the visit that converted |
//! | `platform`, `account` | no | the campaign account it is attributed to, as for costs |
//!
//! Each bad line becomes an [`ImportRowError`] with its line number (1 = the header) and
//! every reason found; the good lines are still imported, all in one transaction, so a
//! failure while writing leaves nothing half-written. A header without a required column
//! imports nothing and reports line 1. Each imported row carries an `import_key` (hash of
//! its normalised fields and of how many identical lines came before it in the file), so
//! importing the same file again — or a corrected or longer version — adds only the new
//! lines ([`ImportReport::already_imported`] counts the rest).

mod crud;
mod import;
mod model;
pub(crate) mod rows;
pub(crate) mod validate;

pub use import::{check_csv, sniff_delimiter, CONVERSION_CSV_COLUMNS, COST_CSV_COLUMNS};
pub use model::*;
