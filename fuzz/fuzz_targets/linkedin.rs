#![no_main]
//! Fuzz target `linkedin`: arbitrary bytes through `alcance_platforms::fuzzing::linkedin`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::linkedin(data));
