#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `sealed_tokens`: the team vault's rows, on both engines.

use alcance_store::testing;
use alcance_store::{both_engines, Engine, SealedTokenRow};
use chrono::{TimeZone, Utc};

fn row(name: &str, key_id: &str, fill: u8) -> SealedTokenRow {
    SealedTokenRow {
        name: name.into(),
        key_id: key_id.into(),
        nonce: vec![fill; 12],
        // Bytes that are not UTF-8 and include a zero: stored as bytes, not text.
        ciphertext: vec![0, 0xff, fill, 0x80, 7],
    }
}

async fn sealed_rows_are_saved_replaced_listed_and_deleted(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap();
    assert_eq!(store.sealed_token("alcance/x/1").await.expect("read"), None);
    store
        .save_sealed_token(&row("alcance/x/1", "aaaaaaaaaaaa", 1), now)
        .await
        .expect("save");
    store
        .save_sealed_token(&row("alcance/instagram/2", "aaaaaaaaaaaa", 2), now)
        .await
        .expect("save");
    assert_eq!(
        store.sealed_token("alcance/x/1").await.expect("read"),
        Some(row("alcance/x/1", "aaaaaaaaaaaa", 1))
    );
    // A rotation replaces the row in place.
    store
        .save_sealed_token(&row("alcance/x/1", "bbbbbbbbbbbb", 3), now)
        .await
        .expect("replace");
    assert_eq!(
        store.sealed_token_key_ids().await.expect("ids"),
        vec![
            ("alcance/instagram/2".to_string(), "aaaaaaaaaaaa".to_string()),
            ("alcance/x/1".to_string(), "bbbbbbbbbbbb".to_string()),
        ]
    );
    store.delete_sealed_token("alcance/x/1").await.expect("delete");
    store.delete_sealed_token("alcance/x/1").await.expect("delete twice");
    assert_eq!(store.sealed_token("alcance/x/1").await.expect("read"), None);
    assert_eq!(store.sealed_token_key_ids().await.expect("ids").len(), 1);
    store.close().await;
}

both_engines!(sealed_rows_are_saved_replaced_listed_and_deleted);
