//! The report values every layer shares: the language of a report's words and numbers
//! ([`PdfLanguage`]) and a report file's format ([`ReportFormat`]). Defined here, below
//! the store (which keeps a report schedule's language and attachments, `report_schedules`)
//! and the report crate (which renders them); `alcance-report` and `alcance-app` re-export
//! them.
//!
//! Both are stored, sent over IPC and REST, and written as their key (`en`, `pt-BR`;
//! `pdf`, `xlsx`, `html`, `json`); `FromStr` is lenient (any letter case, `pt` for
//! `pt-BR`) because it also reads what people type (`--language pt`, `?format=PDF`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The language of a report's words and number separators (the PDF, the scheduled email,
/// the Sheets tab). Serialized and stored as its BCP 47 tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PdfLanguage {
    /// English, `12,345.5`.
    #[default]
    #[serde(rename = "en")]
    En,
    /// Brazilian Portuguese, `12.345,5`.
    #[serde(rename = "pt-BR")]
    PtBr,
}

impl PdfLanguage {
    /// Both, English first.
    pub const ALL: [PdfLanguage; 2] = [PdfLanguage::En, PdfLanguage::PtBr];

    /// The BCP 47 tag: `"en"`, `"pt-BR"`.
    pub fn tag(self) -> &'static str {
        match self {
            PdfLanguage::En => "en",
            PdfLanguage::PtBr => "pt-BR",
        }
    }

    /// The stored key: the same as [`Self::tag`].
    pub fn as_str(self) -> &'static str {
        self.tag()
    }

    /// `en` in English, `pt` in Portuguese.
    pub fn pick(self, en: &'static str, pt: &'static str) -> &'static str {
        match self {
            PdfLanguage::En => en,
            PdfLanguage::PtBr => pt,
        }
    }
}

impl fmt::Display for PdfLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl std::str::FromStr for PdfLanguage {
    type Err = String;

    /// `en`, `pt-BR` (also `pt`, `pt-br`, `pt_BR`, `en-US`, `en-GB`), trimmed. Errors: the
    /// message naming the accepted tags.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "en-us" | "en-gb" => Ok(PdfLanguage::En),
            "pt" | "pt-br" => Ok(PdfLanguage::PtBr),
            _ => Err(format!("unknown report language {s:?}: use en or pt-BR")),
        }
    }
}

/// One file format of a report (weekly or campaign): what `--format` of `alcance report`,
/// the window's report downloads, the REST API's `format=` and a schedule's attachments
/// choose. Serialized and stored as its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportFormat {
    /// The report's data, pretty-printed JSON.
    Json,
    /// An Excel workbook with native charts.
    Xlsx,
    /// One self-contained printable HTML page.
    Html,
    /// An A4 PDF.
    Pdf,
}

impl ReportFormat {
    /// Every format, in the order the CLI and the window list them.
    pub const ALL: [ReportFormat; 4] = [
        ReportFormat::Pdf,
        ReportFormat::Xlsx,
        ReportFormat::Html,
        ReportFormat::Json,
    ];

    /// The key and file extension: `json`, `xlsx`, `html`, `pdf`.
    pub fn key(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
        }
    }

    /// The stored key: the same as [`Self::key`].
    pub fn as_str(self) -> &'static str {
        self.key()
    }

    /// The MIME type of the file.
    pub fn mime(self) -> &'static str {
        match self {
            ReportFormat::Json => "application/json",
            ReportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Pdf => "application/pdf",
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl std::str::FromStr for ReportFormat {
    type Err = String;

    /// A [`ReportFormat::key`], any case, trimmed. Errors: the message naming the keys.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReportFormat::ALL
            .into_iter()
            .find(|f| f.key().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown report format {s:?}: use pdf, xlsx, html or json"))
    }
}

crate::text_enum::sqlx_text!(PdfLanguage);
crate::text_enum::sqlx_text!(ReportFormat);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_text_and_json() {
        for l in PdfLanguage::ALL {
            assert_eq!(l.tag().parse::<PdfLanguage>(), Ok(l));
            assert_eq!(serde_json::to_value(l).ok(), Some(serde_json::json!(l.tag())));
        }
        for f in ReportFormat::ALL {
            assert_eq!(f.key().to_uppercase().parse::<ReportFormat>(), Ok(f));
            assert_eq!(serde_json::to_value(f).ok(), Some(serde_json::json!(f.key())));
        }
        assert_eq!(" pt_br ".parse::<PdfLanguage>(), Ok(PdfLanguage::PtBr));
        assert!("fr".parse::<PdfLanguage>().is_err());
        assert!("docx".parse::<ReportFormat>().is_err());
    }
}
