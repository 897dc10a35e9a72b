//! Every package builds its integration tests as one binary, `tests/main.rs` (ADR 0015):
//! a test file that `tests/main.rs` does not declare would never be compiled or run, and
//! nothing else would notice. This test lists each package's `tests/` folder and fails
//! naming every file or helper folder that its `main.rs` leaves out, and every `mod` line
//! that names no file.

use std::collections::BTreeSet;
use std::path::Path;

/// The `mod name;` lines of a `main.rs` (any attributes before them are ignored).
fn declared(main_rs: &str) -> BTreeSet<String> {
    main_rs
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod "))
        .filter_map(|rest| rest.strip_suffix(';'))
        .map(str::to_string)
        .collect()
}

/// The modules a `tests/` folder holds: `name.rs` files (not `main.rs`) and folders with a
/// `mod.rs`.
fn on_disk(dir: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        let path = entry
            .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
            .path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let helper_folder = path.is_dir() && path.join("mod.rs").is_file();
        let test_file = path.extension().is_some_and(|e| e == "rs") && stem != "main";
        if helper_folder || test_file {
            names.insert(stem.to_string());
        }
    }
    names
}

#[test]
fn every_test_file_is_declared_in_its_packages_main_rs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut folders = vec![root.join("tests/tests")];
    for entry in std::fs::read_dir(root.join("crates")).expect("crates/") {
        let tests = entry.expect("crates/ entry").path().join("tests");
        if tests.is_dir() {
            folders.push(tests);
        }
    }
    assert!(folders.len() >= 10, "found only {} test folders", folders.len());
    let mut problems = Vec::new();
    for dir in &folders {
        let main = dir.join("main.rs");
        let text = std::fs::read_to_string(&main).unwrap_or_else(|e| panic!("{}: {e}", main.display()));
        let (declared, present) = (declared(&text), on_disk(dir));
        for missing in present.difference(&declared) {
            problems.push(format!("{}: `mod {missing};` is missing", main.display()));
        }
        for stray in declared.difference(&present) {
            problems.push(format!("{}: `mod {stray};` names no file", main.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "test files outside the test binary:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_layout_check_sees_a_missing_declaration() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.rs"), "").expect("a.rs");
    std::fs::write(dir.path().join("b.rs"), "").expect("b.rs");
    std::fs::create_dir(dir.path().join("common")).expect("common/");
    std::fs::write(dir.path().join("common/mod.rs"), "").expect("common/mod.rs");
    let main = "//! x\n#![allow(dead_code)]\nmod common;\n\nmod a;\n";
    let missing: Vec<String> = on_disk(dir.path()).difference(&declared(main)).cloned().collect();
    assert_eq!(missing, vec!["b".to_string()]);
}
