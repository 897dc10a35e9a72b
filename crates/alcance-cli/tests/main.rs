//! The package's integration tests, one binary: every file beside this one is a module.
//! One binary instead of one per file keeps the link step and the target directory small
//! (see docs/adr/0015-one-test-binary-per-package.md). Run one file's tests with
//! `cargo nextest run -p <package> --test integration <file>::`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-ups panic on a broken fixture

mod common;

mod accounts;
mod cli;
mod crash;
mod crash_points;
mod headless;
mod report_cli;
mod serve;
mod team;
mod team_workers;
mod tray;
