//! The package's integration tests, one binary: every file beside this one is a module.
//! One binary instead of one per file keeps the link step and the target directory small
//! (see docs/adr/0015-one-test-binary-per-package.md). Run one file's tests with
//! `cargo nextest run -p <package> --test integration <file>::`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-ups panic on a broken fixture

mod common;

mod accounts_runs;
mod at_rest;
mod campaigns;
mod comments;
mod competitors;
mod delivery;
mod export_pages;
mod gain_pivots;
mod hashtags;
mod idempotence;
mod leases;
mod media;
mod open;
mod people;
mod postgres;
mod privacy;
mod raw_and_filters;
mod schedule;
mod sealed;
mod throughput;
