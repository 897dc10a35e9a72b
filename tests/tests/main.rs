//! The package's integration tests, one binary: every file beside this one is a module.
//! One binary instead of one per file keeps the link step and the target directory small
//! (see docs/adr/0015-one-test-binary-per-package.md). Run one file's tests with
//! `cargo nextest run -p <package> --test integration <file>::`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-ups panic on a broken fixture

mod bad_input;
mod bad_input_youtube;
mod best_time;
mod demo;
mod fault_soak;
mod fuzz_corpus;
mod mid_account_faults;
mod replay_facebook;
mod replay_instagram;
mod replay_tiktok;
mod replay_whatsapp;
mod replay_x;
mod replay_youtube;
mod schema_doc;
mod test_layout;
