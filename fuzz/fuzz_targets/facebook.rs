#![no_main]
//! Fuzz target `facebook`: arbitrary bytes through `alcance_platforms::fuzzing::facebook`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::facebook(data));
