#![no_main]
//! Fuzz target `whatsapp`: arbitrary bytes through `alcance_platforms::fuzzing::whatsapp`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::whatsapp(data));
