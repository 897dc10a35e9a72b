#![no_main]
//! Fuzz target `instagram`: arbitrary bytes through `alcance_platforms::fuzzing::instagram`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::instagram(data));
