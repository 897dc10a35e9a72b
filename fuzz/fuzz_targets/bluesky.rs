#![no_main]
//! Fuzz target `bluesky`: arbitrary bytes through `alcance_platforms::fuzzing::bluesky`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::bluesky(data));
