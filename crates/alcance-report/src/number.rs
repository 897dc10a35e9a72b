//! Number and time text for exports and chart labels.

use chrono::{DateTime, SecondsFormat, Utc};

/// Largest magnitude below which every whole `f64` is printed as an integer (2^53: every
/// integer up to it is exact).
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// A value as CSV text: whole numbers without a trailing `.0` (`1234`), others in Rust's
/// shortest round-trip form (`0.125`), never exponent notation. Non-finite → `""`.
pub(crate) fn plain(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v.fract() == 0.0 && v.abs() < EXACT_INT {
        // `as i64` is exact here; it also turns -0.0 into 0.
        return (v as i64).to_string();
    }
    v.to_string()
}

/// `Option<f64>` as CSV text: `None` → `""`.
pub(crate) fn plain_opt(v: Option<f64>) -> String {
    v.map(plain).unwrap_or_default()
}

/// RFC 3339 in UTC with a `Z` and whole seconds (`2026-03-01T09:00:00Z`).
pub(crate) fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A number with thousands separators and `decimals` digits after the point
/// (`1234567.0, 0` → `1,234,567`; `-1234.5, 1` → `-1,234.5`). Non-finite → `""`.
pub(crate) fn thousands(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let text = format!("{:.*}", decimals, v.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::with_capacity(int_part.len() + int_part.len() / 3 + 4);
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let is_zero = text.chars().all(|c| c == '0' || c == '.');
    let mut out = String::new();
    if v < 0.0 && !is_zero {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac_part {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn plain_numbers_have_no_trailing_zero() {
        assert_eq!(plain(1234.0), "1234");
        assert_eq!(plain(-0.0), "0");
        assert_eq!(plain(0.125), "0.125");
        assert_eq!(plain(12.5), "12.5");
        assert_eq!(plain(1e20), "100000000000000000000");
        assert_eq!(plain(f64::NAN), "");
        assert_eq!(plain(f64::INFINITY), "");
        assert_eq!(plain_opt(None), "");
        assert_eq!(plain_opt(Some(3.0)), "3");
    }

    #[test]
    fn times_are_rfc3339_with_z() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 5, 7).single().expect("valid date")
            + chrono::Duration::milliseconds(250);
        assert_eq!(rfc3339(&t), "2026-03-01T09:05:07Z");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0, 0), "0");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(1_234_567.0, 0), "1,234,567");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(thousands(-0.001, 1), "0.0");
        assert_eq!(thousands(12.346, 2), "12.35");
        assert_eq!(thousands(f64::NAN, 0), "");
    }
}
