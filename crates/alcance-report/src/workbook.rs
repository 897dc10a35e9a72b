//! The workbook toolkit the weekly and campaign reports share: cell formats, the "—"
//! no-data cell, Excel dates, print setup and the heatmap colors (also used by the HTML).

use alcance_core::analytics::best_time::Tz;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

/// Cell formats shared by the report workbooks.
pub(crate) struct Formats {
    pub(crate) title: Format,
    pub(crate) subtitle: Format,
    pub(crate) header: Format,
    pub(crate) text: Format,
    pub(crate) count: Format,
    pub(crate) decimal: Format,
    pub(crate) percent_pts: Format,
    pub(crate) points: Format,
    pub(crate) signed_count: Format,
    pub(crate) signed_pct: Format,
    pub(crate) ratio_pct: Format,
    pub(crate) share: Format,
    pub(crate) money: Format,
    pub(crate) date: Format,
    pub(crate) datetime: Format,
    pub(crate) dash: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        let border = |f: Format| f.set_border(FormatBorder::Thin).set_border_color(Color::RGB(0xD0D4DA));
        Formats {
            title: Format::new().set_bold().set_font_size(16),
            subtitle: Format::new().set_font_color(Color::RGB(0x555555)),
            header: border(
                Format::new()
                    .set_bold()
                    .set_background_color(Color::RGB(0xE8EEF6))
                    .set_text_wrap(),
            ),
            text: border(Format::new()),
            count: border(Format::new().set_num_format("#,##0")),
            decimal: border(Format::new().set_num_format("#,##0.00")),
            percent_pts: border(Format::new().set_num_format("0.00\" %\"")),
            points: border(Format::new().set_num_format("+0.00\" pp\";-0.00\" pp\";0.00\" pp\"")),
            signed_count: border(Format::new().set_num_format("+#,##0;-#,##0;0")),
            signed_pct: border(Format::new().set_num_format("+0.0\" %\";-0.0\" %\";0.0\" %\"")),
            ratio_pct: border(Format::new().set_num_format("+0.0%;-0.0%;0.0%")),
            share: border(Format::new().set_num_format("0.0%")),
            money: border(Format::new().set_num_format("#,##0.00")),
            date: border(Format::new().set_num_format("yyyy-mm-dd")),
            datetime: border(Format::new().set_num_format("yyyy-mm-dd hh:mm")),
            dash: border(
                Format::new()
                    .set_align(FormatAlign::Right)
                    .set_font_color(Color::RGB(0x888888)),
            ),
        }
    }
}

/// Writes a number, or "—" when `None` / not finite (no data is never a 0).
pub(crate) fn cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<f64>,
    format: &Format,
    f: &Formats,
) -> Result<(), XlsxError> {
    match v.filter(|v| v.is_finite()) {
        Some(v) => ws.write_number_with_format(row, col, v, format)?,
        None => ws.write_string_with_format(row, col, crate::html::DASH, &f.dash)?,
    };
    Ok(())
}

/// `t` as an Excel date-time (UTC), or `None` out of Excel's range.
pub(crate) fn excel_time(t: DateTime<Utc>) -> Option<ExcelDateTime> {
    ExcelDateTime::from_timestamp(t.timestamp()).ok()
}

/// `t` on `zone`'s wall clock as an Excel date-time (Excel cells carry no zone; the column
/// header names it), or `None` out of Excel's range.
pub(crate) fn excel_local_time(t: DateTime<Utc>, zone: Tz) -> Option<ExcelDateTime> {
    ExcelDateTime::from_timestamp(crate::zone::local_naive(t, zone).and_utc().timestamp()).ok()
}

/// `d` as an Excel date, or `None` out of Excel's range.
pub(crate) fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    ExcelDateTime::from_ymd(u16::try_from(d.year()).ok()?, d.month() as u8, d.day() as u8).ok()
}

/// Prints landscape, one page wide.
pub(crate) fn print_setup(ws: &mut Worksheet) {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_paper_size(9); // A4
}

/// Heatmap colors, low → mid → high (white → light blue → blue), also used by the HTML.
pub(crate) const HEAT_LOW: u32 = 0xF7FBFF;
pub(crate) const HEAT_MID: u32 = 0x9ECAE1;
pub(crate) const HEAT_HIGH: u32 = 0x2171B5;
