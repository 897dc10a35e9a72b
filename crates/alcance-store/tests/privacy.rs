#![allow(clippy::unwrap_used, clippy::expect_used)]
//! LGPD / GDPR (docs/PRIVACY.md): demographic rows only under the workspace's consent,
//! withdrawal deletes them, retention prunes only old raw responses, an account's rows are
//! read without another account's and without the vault entry name; every action is in
//! the audit log. On both engines.

use crate::common;

use alcance_core::{AudienceSlice, Platform};
use alcance_store::privacy::{ConsentText, ACCOUNT_TABLES};
use alcance_store::testing::{self, TestStore};
use alcance_store::{both_engines, on_pool, Engine, Store};
use common::*;

const TEXT: ConsentText<'static> = ConsentText {
    version: "audience-v1",
    language: "pt-BR",
    text: "Concordo que este espaço de trabalho colete dados demográficos.",
};

/// A store WITHOUT consent, with one Instagram account and a run.
async fn bare(engine: Engine) -> Option<(TestStore, i64, i64)> {
    let store = testing::store(engine).await?;
    let id = store
        .upsert_account(
            &account(Platform::Instagram, "17841400000000001", "alcance_demo"),
            None,
            Some("alcance/instagram/17841400000000001"),
        )
        .await
        .expect("account");
    let run = store.start_run("manual", at(9, 0, 0)).await.expect("run");
    Some((store, id, run))
}

async fn count(store: &Store, sql: &str) -> i64 {
    on_pool!(store.pool(), |p| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(p)
        .await
        .expect(sql))
}

fn phone_slice() -> AudienceSlice {
    AudienceSlice {
        audience: "phone_number".into(),
        dimension: "phone_number_id,quality_rating".into(),
        key: "106540352242922,GREEN".into(),
        value: 1.0,
        timeframe: "day:2026-11-20".into(),
    }
}

async fn demographics_need_consent_and_go_when_it_is_withdrawn(engine: Engine) {
    let Some((store, account, run)) = bare(engine).await else {
        return;
    };
    assert_eq!(store.audience_consent().await.unwrap(), None);
    let batch = full_batch(100.0, 10.0);
    let waba = store
        .upsert_account(
            &common::account(Platform::Whatsapp, "102290129340398", "loja"),
            None,
            None,
        )
        .await
        .unwrap();
    let mut business = alcance_core::CollectionBatch::default();
    business.audience.push(phone_slice());

    // No consent: the demographic slices are not stored, everything else is, and so are
    // WhatsApp's slices (the business's own numbers and conversations, not people).
    let stats = store.save_batch(run, account, at(10, 0, 0), &batch, &[]).await.unwrap();
    assert_eq!(stats.audience, 0);
    let stats = store.save_batch(run, waba, at(10, 0, 0), &business, &[]).await.unwrap();
    assert_eq!(stats.audience, 1);
    assert_eq!(
        count(&store, "SELECT count(*) FROM audience WHERE audience = 'followers'").await,
        0
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM audience WHERE audience = 'phone_number'").await,
        1
    );
    assert_eq!(count(&store, "SELECT count(*) FROM posts").await, 2);
    assert!(count(&store, "SELECT count(*) FROM account_metrics").await > 0);

    // Granted: who, when and the exact text are recorded; demographic rows are stored.
    let consent = store
        .grant_audience_consent(&TEXT, "os:maria", at(11, 0, 0))
        .await
        .unwrap();
    assert!(consent.is_active());
    assert_eq!(
        (consent.granted_by.as_str(), consent.granted_at, consent.text.as_str()),
        ("os:maria", at(11, 0, 0), TEXT.text)
    );
    assert_eq!(
        (consent.text_version.as_str(), consent.language.as_str()),
        ("audience-v1", "pt-BR")
    );
    let again = store
        .grant_audience_consent(&TEXT, "os:joao", at(11, 30, 0))
        .await
        .unwrap();
    assert_eq!(again, consent, "an active consent is kept, not duplicated");
    store.save_batch(run, account, at(12, 0, 0), &batch, &[]).await.unwrap();
    assert_eq!(
        count(&store, "SELECT count(*) FROM audience WHERE audience = 'followers'").await,
        2
    );

    // Withdrawn: demographic rows deleted at once, the record kept, later batches store none.
    let deleted = store.withdraw_audience_consent("os:maria", at(13, 0, 0)).await.unwrap();
    assert_eq!(deleted, Some(2));
    assert_eq!(
        count(&store, "SELECT count(*) FROM audience WHERE audience = 'followers'").await,
        0
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM audience WHERE audience = 'phone_number'").await,
        1
    );
    assert_eq!(store.audience_consent().await.unwrap(), None);
    let record = store.audience_consents().await.unwrap();
    assert_eq!(record.len(), 1);
    assert_eq!(record[0].withdrawn_at, Some(at(13, 0, 0)));
    assert_eq!(record[0].withdrawn_by.as_deref(), Some("os:maria"));
    assert_eq!(record[0].rows_deleted, Some(2));
    assert_eq!(
        store.withdraw_audience_consent("os:maria", at(13, 5, 0)).await.unwrap(),
        None
    );
    store.save_batch(run, account, at(14, 0, 0), &batch, &[]).await.unwrap();
    assert_eq!(
        count(&store, "SELECT count(*) FROM audience WHERE audience = 'followers'").await,
        0
    );

    let actions: Vec<String> = store
        .audit_log(10)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|l| format!("{} {}", l.action, l.actor.unwrap_or_default()))
        .collect();
    assert_eq!(
        actions,
        ["privacy-consent-grant os:maria", "privacy-consent-withdraw os:maria"]
    );
    store.close().await;
}

async fn retention_deletes_only_raw_responses_older_than_it(engine: Engine) {
    let Some((store, account, run)) = bare(engine).await else {
        return;
    };
    let raw = vec![
        exchange(
            "https://graph.instagram.com/v25.0/me?old",
            200,
            "{\"old\":1}",
            day(-45, 10),
        ),
        exchange(
            "https://graph.instagram.com/v25.0/me?edge",
            200,
            "{\"edge\":1}",
            day(-29, 10),
        ),
        exchange(
            "https://graph.instagram.com/v25.0/me?new",
            200,
            "{\"new\":1}",
            day(0, 10),
        ),
    ];
    store.save_raw(run, Some(account), &raw).await.unwrap();
    // Kept forever by default.
    assert_eq!(store.raw_retention_days().await.unwrap(), None);
    assert_eq!(store.prune_raw_responses(day(0, 12), "test").await.unwrap(), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM raw_responses").await, 3);

    assert!(store
        .set_raw_retention_days(Some(0), "os:maria", day(0, 11))
        .await
        .is_err());
    store
        .set_raw_retention_days(Some(30), "os:maria", day(0, 11))
        .await
        .unwrap();
    assert_eq!(store.raw_retention_days().await.unwrap(), Some(30));
    assert_eq!(store.prune_raw_responses(day(0, 12), "retention").await.unwrap(), 1);
    let left: Vec<String> = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT url FROM raw_responses ORDER BY id"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(
        left,
        [
            "https://graph.instagram.com/v25.0/me?edge",
            "https://graph.instagram.com/v25.0/me?new"
        ]
    );
    // Nothing else is touched.
    assert_eq!(count(&store, "SELECT count(*) FROM accounts").await, 1);
    store
        .set_raw_retention_days(None, "os:maria", day(0, 13))
        .await
        .unwrap();
    assert_eq!(store.prune_raw_responses(day(400, 0), "retention").await.unwrap(), 0);
    let actions: Vec<String> = store
        .audit_log(10)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.action)
        .collect();
    assert_eq!(
        actions,
        ["privacy-retention", "privacy-prune", "privacy-retention"],
        "newest first"
    );
    store.close().await;
}

async fn an_accounts_rows_are_read_alone_and_without_its_vault_entry(engine: Engine) {
    let Some((store, account, run)) = bare(engine).await else {
        return;
    };
    store
        .save_batch(
            run,
            account,
            at(10, 0, 0),
            &full_batch(100.0, 10.0),
            &[exchange(
                "https://graph.instagram.com/v25.0/me",
                200,
                "{\"followers_count\":100}",
                at(10, 0, 0),
            )],
        )
        .await
        .unwrap();
    let other = store
        .upsert_account(&account_ref_other(), None, Some("alcance/x/42"))
        .await
        .unwrap();
    let mut other_batch = full_batch(5.0, 1.0);
    other_batch.profile = None;
    store
        .save_batch(run, other, at(10, 0, 0), &other_batch, &[])
        .await
        .unwrap();

    let mut reader = store.account_table("accounts", account).await.unwrap();
    assert!(!reader.columns().iter().any(|c| c == "vault_key"));
    let rows = reader.next_page(&store, 10).await.unwrap().unwrap();
    assert_eq!(rows.len(), 1);
    assert!(
        !format!("{rows:?}").contains("alcance/instagram"),
        "no vault entry name"
    );
    assert!(reader.next_page(&store, 10).await.unwrap().is_none());

    // Paged: one row at a time, in key order, only this account's.
    let mut reader = store.account_table("post_metrics", account).await.unwrap();
    let mut seen = 0;
    while let Some(page) = reader.next_page(&store, 1).await.unwrap() {
        assert_eq!(page.len(), 1);
        seen += 1;
    }
    assert_eq!(seen, 4, "the account's 4 post metrics, not the other's");

    let mut reader = store.account_table("raw_responses", account).await.unwrap();
    let body = reader.columns().iter().position(|c| c == "body").unwrap();
    let rows = reader.next_page(&store, 10).await.unwrap().unwrap();
    assert_eq!(
        rows[0][body],
        serde_json::json!("{\"followers_count\":100}"),
        "decompressed"
    );

    for table in ACCOUNT_TABLES {
        store.account_table(table.name, account).await.unwrap();
    }
    assert!(store.account_table("sealed_tokens", account).await.is_err());
    store.close().await;
}

fn account_ref_other() -> alcance_core::AccountRef {
    account(Platform::X, "42", "other")
}

async fn deleting_an_account_is_logged_with_who_did_it(engine: Engine) {
    let Some((store, account, _run)) = bare(engine).await else {
        return;
    };
    store
        .delete_account_logged(account, "instagram:@alcance_demo (id 1)", "os:maria", at(15, 0, 0))
        .await
        .unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM accounts").await, 0);
    let line = store.audit_log(1).await.unwrap().remove(0);
    assert_eq!(
        (
            line.action.as_str(),
            line.actor.as_deref(),
            line.subject.as_deref(),
            line.at
        ),
        (
            "privacy-delete",
            Some("os:maria"),
            Some("instagram:@alcance_demo (id 1)"),
            at(15, 0, 0)
        )
    );
    assert!(store
        .delete_account_logged(account, "gone", "os:maria", at(15, 1, 0))
        .await
        .is_err());
    assert_eq!(
        store.audit_log(10).await.unwrap().len(),
        1,
        "a failed delete is not logged as done"
    );
    store.close().await;
}

both_engines!(
    demographics_need_consent_and_go_when_it_is_withdrawn,
    retention_deletes_only_raw_responses_older_than_it,
    an_accounts_rows_are_read_alone_and_without_its_vault_entry,
    deleting_an_account_is_logged_with_who_did_it,
);
