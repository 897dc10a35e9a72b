#![no_main]
//! Fuzz target `imports`: arbitrary bytes through `alcance_app::fuzzing::imports` (the
//! parsers of platform exports: tweets.js, Meta, TikTok, YouTube, generic CSV).
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_app::fuzzing::imports(data));
