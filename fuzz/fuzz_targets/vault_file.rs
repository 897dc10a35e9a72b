#![no_main]
//! Fuzz target `vault_file`: arbitrary bytes through `alcance_platforms::fuzzing::vault_file`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_platforms::fuzzing::vault_file(data));
