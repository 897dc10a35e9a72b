#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Write throughput of `save_batch` on a file store. Ignored by default (timing depends on
//! the machine); run with `cargo test -p alcance-store --test integration throughput -- --ignored --nocapture`.

use crate::common;

use alcance_core::CollectionBatch;
use alcance_store::Store;
use common::*;
use std::time::Instant;

#[tokio::test]
#[ignore = "timing; run on demand"]
async fn hundred_thousand_post_metrics_per_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("t.db")).await.expect("open");
    let account = store
        .upsert_account(&account(alcance_core::Platform::Instagram, "1", "a"), None, None)
        .await
        .expect("account");
    let run = store.start_run("manual", at(0, 0, 0)).await.expect("run");
    let posts: Vec<_> = (0..2_000).map(|i| post(&format!("p{i}"), at(0, 0, 0))).collect();
    let batch_with = |bump: f64| CollectionBatch {
        posts: posts.clone(),
        post_metrics: (0..2_000)
            .flat_map(|i| {
                (0..50).map(move |m| post_metric(&format!("p{i}"), &format!("m{m}"), Some((i * m) as f64 + bump)))
            })
            .collect(),
        ..Default::default()
    };
    for (label, hour, batch) in [
        ("new", 1, batch_with(0.0)),
        ("unchanged", 2, batch_with(0.0)),
        ("changed", 3, batch_with(0.5)),
    ] {
        let started = Instant::now();
        let stats = store
            .save_batch(run, account, at(hour, 0, 0), &batch, &[])
            .await
            .expect("save");
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(stats.post_metrics, 100_000);
        eprintln!(
            "{label}: 100000 post metrics in {secs:.3} s = {:.0} records/s",
            100_000.0 / secs
        );
    }
    assert_eq!(store.table_counts().await.expect("counts").post_metrics, 200_000);
    store.close().await;
}
