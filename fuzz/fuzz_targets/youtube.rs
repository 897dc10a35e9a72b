#![no_main]
//! Fuzz target `youtube`: arbitrary bytes through `alcance_platforms::fuzzing::youtube`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::youtube(data));
