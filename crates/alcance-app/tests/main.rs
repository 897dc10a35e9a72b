//! The package's integration tests, one binary: every file beside this one is a module.
//! One binary instead of one per file keeps the link step and the target directory small
//! (see docs/adr/0015-one-test-binary-per-package.md). Run one file's tests with
//! `cargo nextest run -p <package> --test integration <file>::`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-ups panic on a broken fixture

mod backup;
mod bluesky_oauth;
mod bluesky_session;
mod campaign_posts;
mod campaign_summaries;
mod comments;
mod competitors;
mod copy;
mod delivery;
mod delivery_setup;
mod door;
mod hashtags;
mod imports;
mod many_workers;
mod media;
mod people;
mod privacy;
mod revoke;
mod scheduler;
mod scopes;
mod secrets;
mod sheets;
mod team;
mod team_backup;
mod threads_connect;
mod tokens;
mod track;
