//! The package's integration tests, one binary: every file beside this one is a module.
//! One binary instead of one per file keeps the link step and the target directory small
//! (see docs/adr/0015-one-test-binary-per-package.md). Run one file's tests with
//! `cargo nextest run -p <package> --test integration <file>::`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-ups panic on a broken fixture

mod common;

mod campaign_report;
mod chart;
mod csv_export;
mod heatmap;
mod json_export;
mod pdf_report;
mod series;
mod weekly_competitors;
mod weekly_report;
mod weekly_voices;
mod xlsx_export;
