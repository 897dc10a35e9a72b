#![no_main]
//! Fuzz target `pdf_picture`: arbitrary bytes through `alcance_report::fuzzing::pdf_picture`
//! (the campaign PDF's picture decoders, without their panic guard).
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_report::fuzzing::pdf_picture(data));
