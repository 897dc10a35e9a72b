#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Team workspaces on a real PostgreSQL (`ALCANCE_TEST_PG_URL`, see scripts/pg-cluster.sh):
//! the workspace key, the team vault in the database, rotation, and the errors a member
//! sees with a wrong or missing key. Skipped locally without a server; failing under CI.

use alcance_app::vault::{TokenVault, WorkspaceKey};
use alcance_app::{Apis, AppError, ErrorCode, PostgresUrl, Session, StoreLocation, Team, TeamKeySource, VaultNeed};
use alcance_store::testing::{empty_database, EmptyDatabase};
use secrecy::{ExposeSecret, SecretString};

fn team_of(db: &EmptyDatabase, dir: &std::path::Path) -> Team {
    let StoreLocation::Postgres(url) = StoreLocation::parse(db.url()) else {
        panic!("not a PostgreSQL URL");
    };
    let url: PostgresUrl = url;
    Team::new(url, dir)
}

fn with_key(text: &SecretString) -> TeamKeySource {
    TeamKeySource {
        text: Some(text.clone()),
        file: None,
        keychain: false,
    }
}

const TOKEN: &str = "sbx_tok_team_0123456789";

#[tokio::test]
async fn members_with_the_key_share_tokens_and_others_get_a_clear_error() {
    let Some(db) = empty_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let team = team_of(&db, dir.path());
    let key = team.create().await.expect("create the team");
    assert!(key.expose_secret().starts_with("alcance-key-1:"));
    let again = team.create().await.expect_err("created twice");
    assert_eq!(again.code(), ErrorCode::InvalidInput, "{again}");

    // One member stores a token; another process with the same key reads it.
    let first = Session::team(&team, &Apis::Real, &with_key(&key), VaultNeed::Required)
        .await
        .expect("first member");
    let vault = first.vault().expect("vault").clone();
    tokio::task::spawn_blocking(move || vault.put("alcance/x/1", &SecretString::from(TOKEN.to_string())))
        .await
        .unwrap()
        .expect("put");
    first.close().await;
    let second = Session::team(&team, &Apis::Real, &with_key(&key), VaultNeed::Required)
        .await
        .expect("second member");
    let vault = second.vault().expect("vault").clone();
    let got = tokio::task::spawn_blocking(move || vault.get("alcance/x/1"))
        .await
        .unwrap()
        .expect("get");
    assert_eq!(got.map(|s| s.expose_secret().to_string()).as_deref(), Some(TOKEN));
    second.close().await;

    // The token is sealed in the database, never in clear.
    let store = alcance_app::Store::open_postgres(db.url()).await.expect("store");
    let row = store.sealed_token("alcance/x/1").await.expect("row").expect("sealed");
    assert!(!String::from_utf8_lossy(&row.ciphertext).contains(TOKEN));
    store.close().await;

    // Another key: required → vault_locked naming the key ids; optional → the workspace
    // opens without tokens and says why.
    let (_, other) = WorkspaceKey::generate().expect("key");
    let err = match Session::team(&team, &Apis::Real, &with_key(&other), VaultNeed::Required).await {
        Err(e) => e,
        Ok(_) => panic!("a wrong key opened the team vault"),
    };
    assert_eq!(err.code(), ErrorCode::VaultLocked, "{err}");
    assert!(!err.message().contains(TOKEN) && !err.message().contains(key.expose_secret()));
    let reader = Session::team(&team, &Apis::Real, &with_key(&other), VaultNeed::Optional)
        .await
        .expect("read-only member");
    assert!(reader.vault().is_none());
    assert!(
        reader.vault_problem().is_some_and(|p| p.contains("workspace key")),
        "{:?}",
        reader.vault_problem()
    );
    reader.close().await;

    // No key at all: a clear error saying where a key is looked for.
    let none = TeamKeySource::default();
    let err: AppError = match Session::team(&team, &Apis::Real, &none, VaultNeed::Required).await {
        Err(e) => e,
        Ok(_) => panic!("opened without a key"),
    };
    assert_eq!(err.code(), ErrorCode::VaultLocked);
    assert!(err.message().contains("ALCANCE_VAULT_KEY"), "{}", err.message());
}

#[tokio::test]
async fn rotating_the_key_keeps_every_token_and_retires_the_old_key() {
    let Some(db) = empty_database().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let team = team_of(&db, dir.path());
    let old = team.create().await.expect("create");
    let session = Session::team(&team, &Apis::Real, &with_key(&old), VaultNeed::Required)
        .await
        .expect("open");
    let vault = session.vault().expect("vault").clone();
    tokio::task::spawn_blocking(move || {
        for i in 0..3 {
            vault
                .put(
                    &format!("alcance/instagram/{i}"),
                    &SecretString::from(format!("{TOKEN}-{i}")),
                )
                .expect("put");
        }
    })
    .await
    .unwrap();
    session.close().await;

    let (done, new) = team
        .rotate_key(WorkspaceKey::parse(&old).expect("old key"))
        .await
        .expect("rotate");
    assert_eq!(done.resealed, 4, "three tokens and the key check");
    assert!(Session::team(&team, &Apis::Real, &with_key(&old), VaultNeed::Required)
        .await
        .is_err());
    let session = Session::team(&team, &Apis::Real, &with_key(&new), VaultNeed::Required)
        .await
        .expect("the new key opens it");
    let vault = session.vault().expect("vault").clone();
    let tokens = tokio::task::spawn_blocking(move || {
        (0..3)
            .map(|i| {
                vault
                    .get(&format!("alcance/instagram/{i}"))
                    .expect("get")
                    .map(|s| s.expose_secret().to_string())
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(tokens, (0..3).map(|i| Some(format!("{TOKEN}-{i}"))).collect::<Vec<_>>());
    session.close().await;
}
