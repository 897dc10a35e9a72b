#![no_main]
//! Fuzz target `reddit`: arbitrary bytes through `alcance_platforms::fuzzing::reddit`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::reddit(data));
