#![allow(clippy::unwrap_used, clippy::expect_used)]
//! docs/metrics.md is generated from the catalog; this test fails when it is stale.
//! Regenerate with `ALCANCE_BLESS=1 cargo test -p alcance-core --test metrics_doc`.

use std::path::PathBuf;

fn expected() -> String {
    format!(
        "# Metric catalog\n\n\
         Generated from `crates/alcance-core/src/catalog.rs` — do not edit by hand; run\n\
         `ALCANCE_BLESS=1 cargo test -p alcance-core --test metrics_doc` after changing the catalog.\n\n\
         Every export, chart and screen names metrics by these keys. Values are stored in the unit\n\
         given (counts, seconds, percent 0–100, ratio 0–1). A platform field that maps to no key is\n\
         recorded as a data gap, never stored under an invented name. `null` means the platform\n\
         served no data, which is not the same as 0.\n\n{}\n{}",
        alcance_core::catalog::markdown_table(),
        alcance_core::catalog::not_served_markdown()
    )
}

#[test]
fn metrics_doc_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/metrics.md");
    let want = expected();
    if std::env::var_os("ALCANCE_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/metrics.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/metrics.md is stale: run `ALCANCE_BLESS=1 cargo test -p alcance-core --test metrics_doc`"
    );
}
