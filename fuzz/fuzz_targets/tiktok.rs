#![no_main]
//! Fuzz target `tiktok`: arbitrary bytes through `alcance_platforms::fuzzing::tiktok`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::tiktok(data));
