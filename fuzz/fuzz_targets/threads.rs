#![no_main]
//! Fuzz target `threads`: arbitrary bytes through `alcance_platforms::fuzzing::threads`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::threads(data));
