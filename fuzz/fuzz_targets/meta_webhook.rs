#![no_main]
//! Fuzz target `meta_webhook`: arbitrary bytes through `alcance_app::fuzzing::meta_webhook`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_app::fuzzing::meta_webhook(data));
