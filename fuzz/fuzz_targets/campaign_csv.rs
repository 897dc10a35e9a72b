#![no_main]
//! Fuzz target `campaign_csv`: arbitrary bytes through `alcance_store::fuzzing::campaign_csv`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_store::fuzzing::campaign_csv(data));
