//! The package's integration tests, one binary: every file beside this one is a module.
//! One binary instead of one per file keeps the link step and the target directory small
//! (see docs/adr/0015-one-test-binary-per-package.md). Run one file's tests with
//! `cargo nextest run -p <package> --test integration <file>::`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-ups panic on a broken fixture

mod common;
mod linkedin_support;
mod meta_fake;
mod reddit_support;
mod tiktok_support;
mod x_support;
mod youtube_support;

mod bluesky_collect;
mod bluesky_fixtures;
mod facebook_collect;
mod facebook_fixtures;
mod facebook_insights;
mod facebook_pages;
mod facebook_posts;
mod facebook_sandbox;
mod governor;
mod governor_sandbox;
mod insights_in_flight;
mod instagram_collect;
mod instagram_fixtures;
mod instagram_insights;
mod instagram_media;
mod instagram_media_insights;
mod instagram_profile;
mod linkedin_collect;
mod linkedin_fixtures;
mod linkedin_sandbox;
mod meta_errors;
mod meta_usage;
mod oauth_flow;
mod reddit_collect;
mod reddit_fixtures;
mod reddit_sandbox;
mod threads_fixtures;
mod threads_sandbox;
mod tiktok_business;
mod tiktok_collect;
mod tiktok_fixtures;
mod tiktok_user;
mod tiktok_videos;
mod vault_file;
mod whatsapp_analytics;
mod whatsapp_collect;
mod whatsapp_fixtures;
mod whatsapp_sandbox;
mod whatsapp_templates;
mod x_collect;
mod x_errors;
mod x_fixtures;
mod x_private_metrics;
mod x_timeline;
mod x_users;
mod youtube_collect;
mod youtube_fixtures;
mod youtube_sandbox;
