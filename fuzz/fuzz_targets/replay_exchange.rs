#![no_main]
//! Fuzz target `replay_exchange`: arbitrary bytes through `alcance_sandbox::fuzzing::replay_exchange`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alcance_sandbox::fuzzing::replay_exchange(data));
