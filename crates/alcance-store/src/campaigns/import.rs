//! CSV imports of campaign costs and conversions (format in the [module docs](super)).

use super::model::{CampaignAccountRow, CampaignRow, ImportReport, ImportRowError};
use super::rows::date_to_db;
use super::validate::currency_code;
use crate::engine::{on_tx, Tx};
use crate::time::to_db;
use crate::{Store, StoreError};
use alcance_core::Platform;
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The columns a costs CSV may have (see the [module docs](super)); `date` and `amount` are
/// required.
pub const COST_CSV_COLUMNS: [&str; 6] = ["date", "amount", "currency", "note", "platform", "account"];

/// The columns a conversions CSV may have (see the [module docs](super)); `date` is required.
pub const CONVERSION_CSV_COLUMNS: [&str; 10] = [
    "date",
    "count",
    "revenue",
    "currency",
    "source",
    "utm_campaign",
    "utm_source",
    "utm_medium",
    "platform",
    "account",
];

impl Store {
    /// Imports costs from CSV bytes (format in the [module docs](super)): good lines are
    /// written in one transaction, bad lines come back as line-numbered errors, lines
    /// imported before are skipped.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown campaign; database errors (then
    /// nothing was written). Problems in the file are never an `Err`: see
    /// [`ImportReport::errors`].
    pub async fn import_costs_csv(&self, campaign_id: i64, csv: &[u8]) -> Result<ImportReport, StoreError> {
        self.import_csv(campaign_id, csv, ImportKind::Costs).await
    }

    /// Imports conversions from CSV bytes (format in the [module docs](super)), with the
    /// same rules and errors as [`Store::import_costs_csv`].
    pub async fn import_conversions_csv(&self, campaign_id: i64, csv: &[u8]) -> Result<ImportReport, StoreError> {
        self.import_csv(campaign_id, csv, ImportKind::Conversions).await
    }

    async fn import_csv(&self, campaign_id: i64, csv: &[u8], kind: ImportKind) -> Result<ImportReport, StoreError> {
        let ctx = ImportContext {
            campaign: self.campaign(campaign_id).await?,
            members: self.campaign_accounts(campaign_id).await?,
        };
        let (mut report, rows) = parse_csv(csv, &ctx, kind);
        if rows.is_empty() {
            return Ok(report);
        }
        let mut tx = self.pool.begin_write().await?;
        for row in &rows {
            let written = match row {
                Parsed::Cost(c) => c.insert(&mut tx, campaign_id).await?,
                Parsed::Conversion(c) => c.insert(&mut tx, campaign_id).await?,
            };
            if written.is_some() {
                report.imported += 1;
            } else {
                report.already_imported += 1;
            }
        }
        tx.commit().await?;
        Ok(report)
    }
}

/// A cost row ready to insert.
#[derive(Debug)]
pub(super) struct CostInsert {
    pub(super) account_id: Option<i64>,
    pub(super) spent_on: String,
    pub(super) amount: f64,
    pub(super) currency: String,
    pub(super) note: Option<String>,
    pub(super) import_key: Option<String>,
}

impl CostInsert {
    /// Inserts the row; `None` when a row with the same import key exists.
    pub(super) async fn insert(&self, tx: &mut Tx, campaign_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(on_tx!(tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO campaign_costs (campaign_id, account_id, spent_on, amount, currency, note, import_key, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (campaign_id, import_key) DO NOTHING RETURNING id",
        )
        .bind(campaign_id)
        .bind(self.account_id)
        .bind(&self.spent_on)
        .bind(self.amount)
        .bind(&self.currency)
        .bind(&self.note)
        .bind(&self.import_key)
        .bind(to_db(Utc::now()))
        .fetch_optional(&mut *c)
        .await?
        }))
    }
}

/// A conversion row ready to insert.
#[derive(Debug)]
pub(super) struct ConversionInsert {
    pub(super) account_id: Option<i64>,
    pub(super) converted_on: String,
    pub(super) count: u32,
    pub(super) revenue: Option<f64>,
    pub(super) currency: String,
    pub(super) source: Option<String>,
    pub(super) utm_campaign: Option<String>,
    pub(super) utm_source: Option<String>,
    pub(super) utm_medium: Option<String>,
    pub(super) import_key: Option<String>,
}

impl ConversionInsert {
    /// Inserts the row; `None` when a row with the same import key exists.
    pub(super) async fn insert(&self, tx: &mut Tx, campaign_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(on_tx!(tx, |c| sqlx::query_scalar(
            "INSERT INTO campaign_conversions (campaign_id, account_id, converted_on, count, revenue, currency, source,
                                               utm_campaign, utm_source, utm_medium, import_key, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (campaign_id, import_key) DO NOTHING RETURNING id",
        )
        .bind(campaign_id)
        .bind(self.account_id)
        .bind(&self.converted_on)
        .bind(i64::from(self.count))
        .bind(self.revenue)
        .bind(&self.currency)
        .bind(&self.source)
        .bind(&self.utm_campaign)
        .bind(&self.utm_source)
        .bind(&self.utm_medium)
        .bind(&self.import_key)
        .bind(to_db(Utc::now()))
        .fetch_optional(&mut *c)
        .await?))
    }
}

// ---------------------------------------------------------------------------------------
// CSV parsing: pure, no database.

/// What importing `csv` into `campaign` (whose accounts are `members`) would report,
/// without the database: lines read, line-numbered errors, ignored columns
/// (`imported` and `already_imported` stay 0, only the database knows them). `costs`
/// reads the costs format, else the conversions one. Never panics, whatever the bytes:
/// the `campaign_csv` fuzz target (ADR 0016) runs it.
pub fn check_csv(csv: &[u8], costs: bool, campaign: &CampaignRow, members: &[CampaignAccountRow]) -> ImportReport {
    let ctx = ImportContext {
        campaign: campaign.clone(),
        members: members.to_vec(),
    };
    let kind = if costs {
        ImportKind::Costs
    } else {
        ImportKind::Conversions
    };
    parse_csv(csv, &ctx, kind).0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImportKind {
    Costs,
    Conversions,
}

impl ImportKind {
    fn columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Costs => &COST_CSV_COLUMNS,
            ImportKind::Conversions => &CONVERSION_CSV_COLUMNS,
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            ImportKind::Costs => &["date", "amount"],
            ImportKind::Conversions => &["date"],
        }
    }
}

struct ImportContext {
    campaign: CampaignRow,
    members: Vec<CampaignAccountRow>,
}

#[derive(Debug)]
enum Parsed {
    Cost(CostInsert),
    Conversion(ConversionInsert),
}

/// The delimiter of a CSV file, from its first line: `;` or a tab when they outnumber `,`
/// (`,` on a tie). Also the platform-export importer's (`alcance_app::imports`).
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first.iter().filter(|b| **b == d).count();
    let (comma, semicolon, tab) = (count(b','), count(b';'), count(b'\t'));
    if tab > comma && tab > semicolon {
        b'\t'
    } else if semicolon > comma {
        b';'
    } else {
        b','
    }
}

/// A header name as matched: trimmed, without a BOM, lower case, spaces and `-` as `_`.
fn normalise_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// Parses every line; returns the report (lines, errors, ignored columns) and the good rows.
fn parse_csv(bytes: &[u8], ctx: &ImportContext, kind: ImportKind) -> (ImportReport, Vec<Parsed>) {
    let mut report = ImportReport::default();
    let mut rows = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(bytes))
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);

    let header = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            report.errors.push(ImportRowError {
                line: 1,
                reason: format!("the header row cannot be read: {e}"),
            });
            return (report, rows);
        }
    };
    let mut columns: HashMap<&'static str, usize> = HashMap::new();
    let mut header_problems = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let Ok(text) = std::str::from_utf8(raw) else {
            header_problems.push(format!(
                "column {} is not UTF-8 text (save the file as CSV UTF-8)",
                i + 1
            ));
            continue;
        };
        let name = normalise_header(text);
        match kind.columns().iter().find(|c| **c == name) {
            Some(known) => {
                if columns.insert(known, i).is_some() {
                    header_problems.push(format!("column {known:?} appears twice"));
                }
            }
            None if name.is_empty() => {}
            None => report.ignored_columns.push(text.trim().to_string()),
        }
    }
    for required in kind.required() {
        if !columns.contains_key(required) {
            header_problems.push(format!(
                "required column {required:?} is missing (the header must name {}; optional: {})",
                kind.required().join(", "),
                kind.columns()
                    .iter()
                    .filter(|c| !kind.required().contains(c))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if !header_problems.is_empty() {
        report.errors.push(ImportRowError {
            line: 1,
            reason: header_problems.join("; "),
        });
        return (report, rows);
    }

    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let mut fallback_line = 1u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(fallback_line + 1, |p| p.line());
                report.errors.push(ImportRowError {
                    line,
                    reason: format!("not readable as CSV: {e}"),
                });
                // A reader error on in-memory bytes is a malformed record; go on.
                fallback_line = line;
                continue;
            }
        }
        let line = record.position().map_or(fallback_line + 1, |p| record_line(bytes, p));
        fallback_line = line;
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        report.lines += 1;
        match parse_line(&record, header.len(), &columns, ctx, kind) {
            Ok((fingerprint, mut parsed)) => {
                let nth = seen.entry(fingerprint.clone()).or_insert(0);
                *nth += 1;
                let key = import_key(kind, &fingerprint, *nth);
                match &mut parsed {
                    Parsed::Cost(c) => c.import_key = Some(key),
                    Parsed::Conversion(c) => c.import_key = Some(key),
                }
                rows.push(parsed);
            }
            Err(problems) => report.errors.push(ImportRowError {
                line,
                reason: problems.join("; "),
            }),
        }
    }
    (report, rows)
}

/// The line a record starts on. The reader positions a record at the start of any empty
/// lines it skipped before it, so those are stepped over here.
fn record_line(bytes: &[u8], pos: &csv::Position) -> u64 {
    let mut line = pos.line();
    let start = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
    for b in bytes.iter().skip(start) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

fn import_key(kind: ImportKind, fingerprint: &str, nth: u32) -> String {
    let mut h = Sha256::new();
    h.update(match kind {
        ImportKind::Costs => b"costs\x1f".as_slice(),
        ImportKind::Conversions => b"conversions\x1f".as_slice(),
    });
    h.update(fingerprint.as_bytes());
    h.update(format!("\x1f{nth}").as_bytes());
    hex::encode(h.finalize())
}

/// Parses one data line into a row and its fingerprint (normalised fields), or every
/// problem found on it.
fn parse_line(
    record: &csv::ByteRecord,
    header_len: usize,
    columns: &HashMap<&'static str, usize>,
    ctx: &ImportContext,
    kind: ImportKind,
) -> Result<(String, Parsed), Vec<String>> {
    let mut problems = Vec::new();
    if record.len() > header_len {
        problems.push(format!(
            "{} fields but the header has {header_len} (a value with the delimiter in it needs quotes)",
            record.len()
        ));
        return Err(problems);
    }
    let mut get = |name: &str| -> Option<String> {
        let i = *columns.get(name)?;
        let raw = record.get(i)?;
        match std::str::from_utf8(raw) {
            Ok(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Err(_) => {
                problems.push(format!("{name} is not UTF-8 text (save the file as CSV UTF-8)"));
                None
            }
        }
    };
    let date = get("date");
    let amount = get("amount");
    let count = get("count");
    let revenue = get("revenue");
    let currency = get("currency");
    let note = get("note");
    let source = get("source");
    let utm_campaign = get("utm_campaign");
    let utm_source = get("utm_source");
    let utm_medium = get("utm_medium");
    let platform = get("platform");
    let account = get("account");

    let date = match date {
        None => {
            problems.push("date is empty".to_string());
            None
        }
        Some(d) => match parse_date(&d) {
            Some(d) => Some(d),
            None => {
                problems.push(format!("date {d:?} is not a YYYY-MM-DD date"));
                None
            }
        },
    };
    let currency = match currency {
        None => Some(ctx.campaign.currency.clone()),
        Some(c) => match currency_code(&c) {
            Some(c) => Some(c),
            None => {
                problems.push(format!(
                    "currency {c:?} is not an ISO 4217 code (three letters, e.g. BRL)"
                ));
                None
            }
        },
    };
    let account_id = match resolve_account(platform.as_deref(), account.as_deref(), ctx) {
        Ok(a) => a,
        Err(p) => {
            problems.push(p);
            None
        }
    };

    match kind {
        ImportKind::Costs => {
            let amount = match amount {
                None => {
                    problems.push("amount is empty".to_string());
                    None
                }
                Some(a) => match parse_money(&a) {
                    Ok(v) => Some(v),
                    Err(p) => {
                        problems.push(format!("amount {a:?} {p}"));
                        None
                    }
                },
            };
            match (date, amount, currency) {
                (Some(date), Some(amount), Some(currency)) if problems.is_empty() => {
                    let spent_on = date_to_db(date);
                    let fingerprint = [
                        spent_on.as_str(),
                        &amount.to_string(),
                        &currency,
                        note.as_deref().unwrap_or(""),
                        &account_id.map(|a| a.to_string()).unwrap_or_default(),
                    ]
                    .join("\x1f");
                    Ok((
                        fingerprint,
                        Parsed::Cost(CostInsert {
                            account_id,
                            spent_on,
                            amount,
                            currency,
                            note,
                            import_key: None,
                        }),
                    ))
                }
                _ => Err(problems),
            }
        }
        ImportKind::Conversions => {
            let count = match count {
                None => Some(1u32),
                Some(c) => match c.parse::<u32>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        problems.push(format!("count {c:?} is not a whole number >= 0"));
                        None
                    }
                },
            };
            let revenue = match revenue {
                None => Ok(None),
                Some(r) => parse_money(&r).map(Some).map_err(|p| format!("revenue {r:?} {p}")),
            };
            let revenue = match revenue {
                Ok(r) => r,
                Err(p) => {
                    problems.push(p);
                    None
                }
            };
            match (date, count, currency) {
                (Some(date), Some(count), Some(currency)) if problems.is_empty() => {
                    let converted_on = date_to_db(date);
                    let fingerprint = [
                        converted_on.as_str(),
                        &count.to_string(),
                        &revenue.map(|r| r.to_string()).unwrap_or_default(),
                        &currency,
                        source.as_deref().unwrap_or(""),
                        utm_campaign.as_deref().unwrap_or(""),
                        utm_source.as_deref().unwrap_or(""),
                        utm_medium.as_deref().unwrap_or(""),
                        &account_id.map(|a| a.to_string()).unwrap_or_default(),
                    ]
                    .join("\x1f");
                    Ok((
                        fingerprint,
                        Parsed::Conversion(ConversionInsert {
                            account_id,
                            converted_on,
                            count,
                            revenue,
                            currency,
                            source,
                            utm_campaign,
                            utm_source,
                            utm_medium,
                            import_key: None,
                        }),
                    ))
                }
                _ => Err(problems),
            }
        }
    }
}

/// `YYYY-MM-DD`, or an RFC 3339 time taken as its UTC day.
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc).date_naive())
    })
}

/// A money amount: digits with one optional decimal separator (`.`, or `,` when it is the
/// only separator), `>= 0`, finite. The error completes `amount "…" <reason>`.
fn parse_money(s: &str) -> Result<f64, &'static str> {
    let has_dot = s.contains('.');
    let commas = s.matches(',').count();
    let text = if has_dot && commas > 0 {
        return Err("mixes '.' and ',': write it without thousands separators, e.g. 1234.50");
    } else if commas > 1 || s.matches('.').count() > 1 {
        return Err("has thousands separators: write it as 1234.50");
    } else {
        s.replace(',', ".")
    };
    if text.starts_with('-') {
        return Err("is negative (costs and revenue are >= 0)");
    }
    if !text.chars().all(|c| c.is_ascii_digit() || c == '.') || !text.chars().any(|c| c.is_ascii_digit()) {
        return Err("is not a number (digits and one decimal separator, no currency symbol)");
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err("is not a number (digits and one decimal separator, no currency symbol)"),
    }
}

/// The campaign account named by the `platform` / `account` columns; `None` when both are
/// empty.
fn resolve_account(platform: Option<&str>, account: Option<&str>, ctx: &ImportContext) -> Result<Option<i64>, String> {
    let platform = match platform {
        None => None,
        Some(p) => Some(p.parse::<Platform>().map_err(|e| e.to_string())?),
    };
    let Some(account) = account else {
        return match platform {
            None => Ok(None),
            Some(_) => Err("platform is set but account is empty".to_string()),
        };
    };
    let wanted = account.trim_start_matches('@').to_lowercase();
    let matches: Vec<&CampaignAccountRow> = ctx
        .members
        .iter()
        .filter(|m| platform.is_none_or(|p| p == m.platform))
        .filter(|m| {
            m.external_id == wanted
                || m.external_id == account
                || m.username.as_deref().is_some_and(|u| u.to_lowercase() == wanted)
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(Some(one.account_id)),
        [] => {
            let known: Vec<String> = ctx
                .members
                .iter()
                .map(|m| {
                    format!(
                        "{} ({})",
                        m.username
                            .as_deref()
                            .map_or_else(|| m.external_id.clone(), |u| format!("@{u}")),
                        m.platform.label()
                    )
                })
                .collect();
            Err(format!(
                "account {account:?} is not in campaign {:?} ({})",
                ctx.campaign.name,
                if known.is_empty() {
                    "it has no accounts yet".to_string()
                } else {
                    format!("its accounts: {}", known.join(", "))
                }
            ))
        }
        many => Err(format!(
            "account {account:?} matches {} accounts of the campaign ({}); add a platform column",
            many.len(),
            many.iter().map(|m| m.platform.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parsing_accepts_one_decimal_separator_only() {
        assert_eq!(parse_money("1234.50"), Ok(1234.5));
        assert_eq!(parse_money("1234,50"), Ok(1234.5));
        assert_eq!(parse_money("0"), Ok(0.0));
        assert!(parse_money("1.234,50").is_err());
        assert!(parse_money("1,234,500").is_err());
        assert!(parse_money("-3").is_err());
        assert!(parse_money("R$ 10").is_err());
        assert!(parse_money(".").is_err());
        assert!(parse_money("1e400").is_err());
    }

    #[test]
    fn delimiters_are_sniffed_from_the_header_line() {
        assert_eq!(sniff_delimiter(b"date;amount;note\n2026-01-01;1,5;x"), b';');
        assert_eq!(sniff_delimiter(b"date,amount\n"), b',');
        assert_eq!(sniff_delimiter(b"date\tamount\tnote"), b'\t');
        assert_eq!(sniff_delimiter(b""), b',');
    }

    #[test]
    fn headers_are_normalised() {
        assert_eq!(normalise_header("\u{feff} UTM-Campaign "), "utm_campaign");
        assert_eq!(normalise_header("Utm Source"), "utm_source");
    }

    #[test]
    fn dates_accept_iso_days_and_rfc3339_times() {
        assert_eq!(parse_date("2026-03-01"), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(
            parse_date("2026-03-01T23:30:00-03:00"),
            NaiveDate::from_ymd_opt(2026, 3, 2)
        );
        assert_eq!(parse_date("01/03/2026"), None);
        assert_eq!(parse_date("2026-02-30"), None);
    }
}
