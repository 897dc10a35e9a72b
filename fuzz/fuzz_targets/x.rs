#![no_main]
//! Fuzz target `x`: arbitrary bytes through `alcance_platforms::fuzzing::x`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::x(data));
