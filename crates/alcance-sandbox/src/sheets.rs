//! Google Sheets API v4 on the seeded sandbox, the endpoints Alcance's scheduled delivery
//! writes through (issue 13 point 5), under `/sheets/v4/…` (the real origin is
//! `https://sheets.googleapis.com/v4/…`). Spreadsheets live in memory for the sandbox's
//! life:
//!
//! - `POST /sheets/v4/spreadsheets` (`{"properties":{"title"}}`) → the spreadsheet with
//!   `spreadsheetId`, `spreadsheetUrl` and one sheet `Sheet1` (sheetId 0);
//! - `GET /sheets/v4/spreadsheets/{id}` → the same shape (`sheets[].properties` with
//!   `sheetId`, `title`, `index`);
//! - `POST /sheets/v4/spreadsheets/{id}:batchUpdate` with `addSheet` (a title already taken
//!   is a 400, as on Google) and `deleteSheet` requests, applied all or none → `replies`;
//! - `PUT /sheets/v4/spreadsheets/{id}/values/{range}?valueInputOption=RAW|USER_ENTERED`
//!   (`{"values":[[…]]}`, rows) → `updatedRange`, `updatedRows`, `updatedColumns`,
//!   `updatedCells`;
//! - `GET /sheets/v4/spreadsheets/{id}/values/{range}` → `{"range","majorDimension":"ROWS",
//!   "values"}`, cells as written (what `valueRenderOption=UNFORMATTED_VALUE` gives for
//!   raw input: numbers as JSON numbers), trailing empty rows and cells left out, `values`
//!   absent for an empty range;
//! - `POST /sheets/v4/spreadsheets/{id}/values/{range}:clear` → `clearedRange`.
//!
//! A range is a sheet title (quoted `'…'` with `''` for a quote, or bare) optionally
//! followed by `!A1` (the top-left cell; a second cell after `:` is accepted and ignored).
//! Every call needs a Google access token of the sandbox (`/google/oauth2/token`) granted
//! `https://www.googleapis.com/auth/spreadsheets` or `…/drive.file`; errors are in Google's
//! envelope. Faults armed on `/sheets/v4/` answer in that envelope too (see
//! [`crate::youtube`]'s fault replacement), so delivery retries can be tested.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use axum::http::Method;
use serde_json::{json, Value};

use crate::model::Network;
use crate::oauth::TokenStatus;
use crate::reply::Reply;
use crate::server::{Req, SandboxState};

/// The path prefix of the Sheets API on the sandbox.
pub const PREFIX: &str = "/sheets/v4/spreadsheets";

/// Scopes that allow writing a spreadsheet.
pub const WRITE_SCOPES: [&str; 2] = [
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.file",
];

#[derive(Debug, Clone)]
struct Sheet {
    id: i64,
    title: String,
    rows: Vec<Vec<Value>>,
}

#[derive(Debug, Clone)]
struct Spreadsheet {
    title: String,
    sheets: Vec<Sheet>,
    next_sheet_id: i64,
}

/// The spreadsheets created so far, by id.
#[derive(Debug, Default)]
pub(crate) struct SheetsBook {
    inner: Mutex<HashMap<String, Spreadsheet>>,
}

impl SheetsBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Spreadsheet>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `(spreadsheetId, title, sheet titles)` of every spreadsheet, by id, for
    /// `GET /__alcance/sheets`.
    pub(crate) fn summary(&self) -> Value {
        let book = self.lock();
        let mut ids: Vec<&String> = book.keys().collect();
        ids.sort();
        let list: Vec<Value> = ids
            .into_iter()
            .filter_map(|id| {
                let s = book.get(id)?;
                Some(json!({
                    "spreadsheetId": id,
                    "title": s.title,
                    "sheets": s.sheets.iter().map(|t| t.title.clone()).collect::<Vec<_>>(),
                }))
            })
            .collect();
        json!({ "spreadsheets": list })
    }
}

fn google_error(status: u16, message: &str, status_text: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": {"code": status, "message": message, "status": status_text}}),
    )
}

fn bad_request(message: &str) -> Reply {
    google_error(400, message, "INVALID_ARGUMENT")
}

fn not_found() -> Reply {
    google_error(404, "Requested entity was not found.", "NOT_FOUND")
}

/// `true` for the Sheets API paths on the sandbox.
pub(crate) fn is_sheets_path(raw: &str) -> bool {
    raw.starts_with("/sheets/v4/")
}

/// Percent-decodes a path segment (`%27` → `'`); bytes that do not form UTF-8 are replaced.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A range: (sheet title, top-left row, column), both 0-based.
fn parse_range(range: &str) -> Result<(String, usize, usize), String> {
    let (title, cell) = if let Some(rest) = range.strip_prefix('\'') {
        let mut title = String::new();
        let mut chars = rest.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    title.push('\'');
                    chars.next();
                } else {
                    end = Some(i + 1);
                    break;
                }
            } else {
                title.push(c);
            }
        }
        let end = end.ok_or_else(|| format!("Unable to parse range: {range}"))?;
        let rest = &rest[end..];
        (title, rest.strip_prefix('!').map(str::to_string))
    } else {
        match range.split_once('!') {
            Some((t, c)) => (t.to_string(), Some(c.to_string())),
            None => (range.to_string(), None),
        }
    };
    if title.is_empty() {
        return Err(format!("Unable to parse range: {range}"));
    }
    let Some(cell) = cell else {
        return Ok((title, 0, 0));
    };
    let first = cell.split(':').next().unwrap_or_default();
    let letters: String = first.chars().take_while(char::is_ascii_alphabetic).collect();
    let digits = &first[letters.len()..];
    let col = letters
        .chars()
        .try_fold(0usize, |acc, c| {
            let v = usize::try_from(u32::from(c.to_ascii_uppercase()) - u32::from('A') + 1).ok()?;
            acc.checked_mul(26)?.checked_add(v)
        })
        .filter(|c| *c > 0 && *c <= 18_278)
        .ok_or_else(|| format!("Unable to parse range: {range}"))?;
    let row: usize = digits
        .parse()
        .ok()
        .filter(|r| *r > 0 && *r <= 10_000_000)
        .ok_or_else(|| format!("Unable to parse range: {range}"))?;
    Ok((title, row - 1, col - 1))
}

fn column_name(mut col: usize) -> String {
    let mut name = Vec::new();
    col += 1;
    while col > 0 {
        let rem = (col - 1) % 26;
        name.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        col = (col - 1) / 26;
    }
    name.iter().rev().collect()
}

fn quoted(title: &str) -> String {
    format!("'{}'", title.replace('\'', "''"))
}

fn spreadsheet_json(req: &Req, id: &str, s: &Spreadsheet) -> Value {
    json!({
        "spreadsheetId": id,
        "properties": {"title": s.title, "locale": "en_US", "timeZone": "Etc/GMT"},
        "sheets": s.sheets.iter().enumerate().map(|(i, sh)| json!({
            "properties": {"sheetId": sh.id, "title": sh.title, "index": i, "sheetType": "GRID"}
        })).collect::<Vec<_>>(),
        "spreadsheetUrl": format!("{}/sheets/d/{id}/edit", req.base),
    })
}

fn authorized(st: &SandboxState, req: &Req) -> Result<(), Reply> {
    let unauthenticated = || {
        google_error(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token.",
            "UNAUTHENTICATED",
        )
    };
    let bearer = req.bearer().ok_or_else(unauthenticated)?;
    match st.tokens.check(Network::Youtube, &bearer) {
        TokenStatus::Valid(_) => {}
        _ => return Err(unauthenticated()),
    }
    if WRITE_SCOPES.iter().all(|s| st.tokens.lacks_scope(&bearer, s)) {
        return Err(google_error(
            403,
            "Request had insufficient authentication scopes.",
            "PERMISSION_DENIED",
        ));
    }
    Ok(())
}

/// Answers a Sheets API request, or `None` for another path.
pub(crate) fn handle(st: &SandboxState, req: &Req) -> Option<Reply> {
    let path = req.raw_path.trim_end_matches('/');
    let rest = path.strip_prefix(PREFIX)?;
    if let Err(r) = authorized(st, req) {
        return Some(r);
    }
    let body: Value = if req.body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(e) => return Some(bad_request(&format!("Invalid JSON payload received. {e}"))),
        }
    };
    let mut book = st.sheets.lock();
    Some(match (req.method.clone(), rest) {
        (Method::POST, "") => {
            let title = body
                .pointer("/properties/title")
                .and_then(Value::as_str)
                .unwrap_or("Untitled spreadsheet")
                .to_string();
            let id = format!("sbx-sheet-{}", crate::oauth::random_hex());
            let s = Spreadsheet {
                title,
                sheets: vec![Sheet {
                    id: 0,
                    title: "Sheet1".into(),
                    rows: Vec::new(),
                }],
                next_sheet_id: 1,
            };
            let answer = spreadsheet_json(req, &id, &s);
            book.insert(id, s);
            Reply::json(200, &answer)
        }
        (method, rest) => {
            let Some(rest) = rest.strip_prefix('/') else {
                return Some(not_found());
            };
            let (id, tail) = match rest.split_once('/') {
                Some((id, tail)) => (id.to_string(), Some(tail.to_string())),
                None => (rest.to_string(), None),
            };
            match (method, tail) {
                (Method::GET, None) => match book.get(&id) {
                    Some(s) => Reply::json(200, &spreadsheet_json(req, &id, s)),
                    None => not_found(),
                },
                (Method::POST, None) => match id.strip_suffix(":batchUpdate") {
                    Some(id) => match book.get_mut(id) {
                        Some(s) => batch_update(id, s, &body),
                        None => not_found(),
                    },
                    None => not_found(),
                },
                (method, Some(tail)) => {
                    let Some(range) = tail.strip_prefix("values/") else {
                        return Some(not_found());
                    };
                    let Some(s) = book.get_mut(&id) else {
                        return Some(not_found());
                    };
                    let range = decode(range);
                    match method {
                        Method::GET => values_get(s, &range),
                        Method::PUT => values_update(&id, s, &range, req, &body),
                        Method::POST => match range.strip_suffix(":clear") {
                            Some(r) => values_clear(&id, s, r),
                            None => not_found(),
                        },
                        _ => not_found(),
                    }
                }
                _ => not_found(),
            }
        }
    })
}

fn batch_update(id: &str, s: &mut Spreadsheet, body: &Value) -> Reply {
    let Some(requests) = body.get("requests").and_then(Value::as_array) else {
        return bad_request("Must specify at least one request.");
    };
    // All or none: work on a copy.
    let mut next = s.clone();
    let mut replies = Vec::new();
    for r in requests {
        if let Some(add) = r.get("addSheet") {
            let Some(title) = add.pointer("/properties/title").and_then(Value::as_str) else {
                return bad_request("Invalid requests[].addSheet: a sheet needs a title.");
            };
            if next.sheets.iter().any(|sh| sh.title.eq_ignore_ascii_case(title)) {
                return bad_request(&format!(
                    "Invalid requests[].addSheet: A sheet with the name \"{title}\" already exists. Please enter another name."
                ));
            }
            let sheet_id = next.next_sheet_id;
            next.next_sheet_id += 1;
            next.sheets.push(Sheet {
                id: sheet_id,
                title: title.to_string(),
                rows: Vec::new(),
            });
            replies.push(json!({"addSheet": {"properties": {
                "sheetId": sheet_id, "title": title, "index": next.sheets.len() - 1, "sheetType": "GRID"
            }}}));
        } else if let Some(del) = r.get("deleteSheet") {
            let sheet_id = del.get("sheetId").and_then(Value::as_i64).unwrap_or(-1);
            let before = next.sheets.len();
            next.sheets.retain(|sh| sh.id != sheet_id);
            if next.sheets.len() == before {
                return bad_request(&format!("Invalid requests[].deleteSheet: No grid with id: {sheet_id}"));
            }
            if next.sheets.is_empty() {
                return bad_request("Invalid requests[].deleteSheet: You can't remove all the sheets in a document.");
            }
            replies.push(json!({}));
        } else {
            return bad_request("Invalid requests[]: the sandbox serves addSheet and deleteSheet only.");
        }
    }
    *s = next;
    Reply::json(200, &json!({"spreadsheetId": id, "replies": replies}))
}

fn sheet_mut<'a>(s: &'a mut Spreadsheet, range: &str) -> Result<(&'a mut Sheet, usize, usize), Reply> {
    let (title, row, col) = parse_range(range).map_err(|e| bad_request(&e))?;
    let sheet = s
        .sheets
        .iter_mut()
        .find(|sh| sh.title == title)
        .ok_or_else(|| bad_request(&format!("Unable to parse range: {range}")))?;
    Ok((sheet, row, col))
}

fn values_get(s: &mut Spreadsheet, range: &str) -> Reply {
    let (sheet, row, col) = match sheet_mut(s, range) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut rows: Vec<Value> = sheet
        .rows
        .iter()
        .skip(row)
        .map(|r| {
            let mut cells: Vec<Value> = r.iter().skip(col).cloned().collect();
            while cells.last().is_some_and(|c| c.is_null() || c == "") {
                cells.pop();
            }
            Value::Array(cells)
        })
        .collect();
    while rows.last().is_some_and(|r| r.as_array().is_some_and(Vec::is_empty)) {
        rows.pop();
    }
    let mut answer = json!({"range": format!("{}!A1", quoted(&sheet.title)), "majorDimension": "ROWS"});
    if !rows.is_empty() {
        answer["values"] = Value::Array(rows);
    }
    Reply::json(200, &answer)
}

fn values_update(id: &str, s: &mut Spreadsheet, range: &str, req: &Req, body: &Value) -> Reply {
    match req.q("valueInputOption") {
        Some("RAW" | "USER_ENTERED") => {}
        _ => return bad_request("'valueInputOption' is required but not specified"),
    }
    let Some(values) = body.get("values").and_then(Value::as_array) else {
        return bad_request("Invalid values: expected a list of rows.");
    };
    let (sheet, row, col) = match sheet_mut(s, range) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut width = 0;
    let mut cells = 0;
    for (i, r) in values.iter().enumerate() {
        let Some(r) = r.as_array() else {
            return bad_request("Invalid values: each row is a list.");
        };
        if r.iter().any(|c| c.is_array() || c.is_object()) {
            return bad_request("Invalid values: a cell is a string, number, boolean or null.");
        }
        while sheet.rows.len() <= row + i {
            sheet.rows.push(Vec::new());
        }
        let target = &mut sheet.rows[row + i];
        while target.len() < col + r.len() {
            target.push(Value::Null);
        }
        for (j, c) in r.iter().enumerate() {
            target[col + j] = c.clone();
        }
        width = width.max(r.len());
        cells += r.len();
    }
    let end = format!("{}{}", column_name(col + width.max(1) - 1), row + values.len().max(1));
    Reply::json(
        200,
        &json!({
            "spreadsheetId": id,
            "updatedRange": format!("{}!{}{}:{end}", quoted(&sheet.title), column_name(col), row + 1),
            "updatedRows": values.len(),
            "updatedColumns": width,
            "updatedCells": cells,
        }),
    )
}

fn values_clear(id: &str, s: &mut Spreadsheet, range: &str) -> Reply {
    let (sheet, row, _) = match sheet_mut(s, range) {
        Ok(x) => x,
        Err(r) => return r,
    };
    sheet.rows.truncate(row);
    Reply::json(
        200,
        &json!({"spreadsheetId": id, "clearedRange": format!("{}!A{}", quoted(&sheet.title), row + 1)}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_with_quotes_and_cells() {
        assert_eq!(parse_range("'2026-W49'!A1"), Ok(("2026-W49".into(), 0, 0)));
        assert_eq!(parse_range("'it''s'!B3:D9"), Ok(("it's".into(), 2, 1)));
        assert_eq!(parse_range("Sheet1"), Ok(("Sheet1".into(), 0, 0)));
        assert_eq!(parse_range("Sheet1!AA10"), Ok(("Sheet1".into(), 9, 26)));
        assert!(parse_range("'open").is_err());
        assert!(parse_range("S!A0").is_err());
        assert!(parse_range("S!ZZZZZZZZZZZZZZZ1").is_err());
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(26), "AA");
        assert_eq!(decode("%272026-W49%27!A1"), "'2026-W49'!A1");
        assert_eq!(decode("100%"), "100%");
    }
}
