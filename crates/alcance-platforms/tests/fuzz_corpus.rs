//! The fuzz targets' seeds and crash regressions (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) replayed through the same entry points the fuzz targets
//! call (`alcance_platforms::fuzzing`, ADR 0016): the short fuzz pass of CI, without an instrumented
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
fn x_seeds_and_regressions_do_not_panic() {
    replay("x", alcance_platforms::fuzzing::x);
}

#[test]
fn facebook_seeds_and_regressions_do_not_panic() {
    replay("facebook", alcance_platforms::fuzzing::facebook);
}

#[test]
fn instagram_seeds_and_regressions_do_not_panic() {
    replay("instagram", alcance_platforms::fuzzing::instagram);
}

#[test]
fn whatsapp_seeds_and_regressions_do_not_panic() {
    replay("whatsapp", alcance_platforms::fuzzing::whatsapp);
}

#[test]
fn threads_seeds_and_regressions_do_not_panic() {
    replay("threads", alcance_platforms::fuzzing::threads);
}

#[test]
fn tiktok_seeds_and_regressions_do_not_panic() {
    replay("tiktok", alcance_platforms::fuzzing::tiktok);
}

#[test]
fn youtube_seeds_and_regressions_do_not_panic() {
    replay("youtube", alcance_platforms::fuzzing::youtube);
}

#[test]
fn reddit_seeds_and_regressions_do_not_panic() {
    replay("reddit", alcance_platforms::fuzzing::reddit);
}

#[test]
fn linkedin_seeds_and_regressions_do_not_panic() {
    replay("linkedin", alcance_platforms::fuzzing::linkedin);
}

#[test]
fn bluesky_seeds_and_regressions_do_not_panic() {
    replay("bluesky", alcance_platforms::fuzzing::bluesky);
}

#[test]
fn vault_file_seeds_and_regressions_do_not_panic() {
    replay("vault_file", alcance_platforms::fuzzing::vault_file);
}
