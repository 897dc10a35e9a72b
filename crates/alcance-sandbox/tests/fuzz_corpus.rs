//! The fuzz targets' seeds and crash regressions (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) replayed through the same entry points the fuzz targets
//! call (`alcance_sandbox::fuzzing`, ADR 0016): the short fuzz pass of CI, without an instrumented
//! build. Each input must come back without a panic.

use std::path::PathBuf;

/// Every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`, by name.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Runs every input of `target` through `run`; fails naming each input that panicked.
fn replay(target: &str, run: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no seeds in fuzz/corpus/{target}");
    let panicked: Vec<String> = inputs
        .iter()
        .filter(|(_, bytes)| std::panic::catch_unwind(|| run(bytes)).is_err())
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(panicked.is_empty(), "{target}: these inputs panic: {panicked:?}");
}

#[test]
fn replay_exchange_seeds_and_regressions_do_not_panic() {
    replay("replay_exchange", alcance_sandbox::fuzzing::replay_exchange);
}
