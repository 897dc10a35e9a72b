//! The package's integration tests, one binary: every file beside this one is a module.
//! One binary instead of one per file keeps the link step and the target directory small
//! (see docs/adr/0015-one-test-binary-per-package.md). Run one file's tests with
//! `cargo nextest run -p <package> --test integration <file>::`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-ups panic on a broken fixture

mod common;
mod platforms;

mod chaos;
mod control;
mod more_platforms;
mod oauth;
mod post_volume;
mod replay_fixtures;
mod replay_rules;
mod seeded_facebook;
mod seeded_instagram;
mod seeded_tiktok;
mod seeded_whatsapp;
mod seeded_x;
