#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The people of a served workspace (schema version 7): emails unique in any letter case,
//! sessions that expire, API tokens that are revoked and touched at most once a minute,
//! one-time tokens used once, client shares, a role change that lowers the user's tokens,
//! removal with everything of the user, and the audit log.

use alcance_store::people::{OneTimePurpose, Outcome, Role, Shares};
use alcance_store::testing;
use alcance_store::{both_engines, Engine, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 1, 0, 0).single().expect("valid") + Duration::seconds(seconds)
}

async fn users_are_unique_by_email_in_any_case(engine: Engine) {
    let Some(db) = testing::store(engine).await else { return };
    let ana = db
        .add_user(" Ana@Example.COM ", Role::Admin, Some("$argon2id$x"), t(0))
        .await
        .unwrap();
    assert_eq!(ana.email, "ana@example.com");
    assert_eq!(ana.role, Role::Admin);
    let again = db.add_user("ANA@example.com", Role::Client, None, t(1)).await;
    assert!(matches!(again, Err(StoreError::Constraint { .. })), "{again:?}");
    assert_eq!(db.user_by_email("ana@EXAMPLE.com").await.unwrap().unwrap().id, ana.id);
    assert!(db.user_by_email("bob@example.com").await.unwrap().is_none());
    let bob = db.add_user("bob@example.com", Role::Client, None, t(2)).await.unwrap();
    assert_eq!(bob.password_hash, None);
    assert!(db.set_password_hash(bob.id, "$argon2id$y").await.unwrap());
    let listed: Vec<String> = db.users().await.unwrap().into_iter().map(|u| u.email).collect();
    assert_eq!(listed, ["ana@example.com", "bob@example.com"]);
    assert_eq!(db.count_users_with_role(Role::Admin).await.unwrap(), 1);
    db.close().await;
}

async fn sessions_expire_and_end(engine: Engine) {
    let Some(db) = testing::store(engine).await else { return };
    let ana = db
        .add_user("ana@example.com", Role::Analyst, Some("h"), t(0))
        .await
        .unwrap();
    db.add_session("aa11", ana.id, "csrf1", t(0), t(3600)).await.unwrap();
    let (user, csrf) = db.session_user("aa11", t(10)).await.unwrap().unwrap();
    assert_eq!((user.id, csrf.as_str()), (ana.id, "csrf1"));
    assert!(db.session_user("aa11", t(3600)).await.unwrap().is_none(), "expired");
    assert!(db.session_user("bb22", t(10)).await.unwrap().is_none(), "unknown");
    assert!(db.remove_session("aa11").await.unwrap());
    assert!(db.session_user("aa11", t(10)).await.unwrap().is_none(), "signed out");
    db.add_session("cc33", ana.id, "csrf2", t(0), t(3600)).await.unwrap();
    assert_eq!(db.remove_user_sessions(ana.id, t(20)).await.unwrap(), 1);
    db.close().await;
}

async fn api_tokens_are_revoked_and_touched_once_a_minute(engine: Engine) {
    let Some(db) = testing::store(engine).await else { return };
    let ana = db
        .add_user("ana@example.com", Role::Manager, Some("h"), t(0))
        .await
        .unwrap();
    let token = db
        .add_api_token(ana.id, "Power BI", Role::Analyst, "feed", t(0))
        .await
        .unwrap();
    assert_eq!(
        (token.name.as_str(), token.role, token.last_used_at),
        ("Power BI", Role::Analyst, None)
    );
    assert_eq!(db.api_token_by_hash("feed").await.unwrap().unwrap().id, token.id);
    assert!(db.touch_api_token(token.id, t(10), Duration::minutes(1)).await.unwrap());
    assert!(
        !db.touch_api_token(token.id, t(30), Duration::minutes(1)).await.unwrap(),
        "within the minute"
    );
    assert!(db.touch_api_token(token.id, t(70), Duration::minutes(1)).await.unwrap());
    assert_eq!(db.api_token(token.id).await.unwrap().unwrap().last_used_at, Some(t(70)));
    // A role change lowers the tokens above the new role.
    assert!(db.set_user_role(ana.id, Role::Client).await.unwrap());
    assert_eq!(db.api_token(token.id).await.unwrap().unwrap().role, Role::Client);
    assert!(db.revoke_api_token(token.id, t(80)).await.unwrap());
    assert!(!db.revoke_api_token(token.id, t(90)).await.unwrap(), "already revoked");
    assert!(
        db.api_token_by_hash("feed").await.unwrap().is_none(),
        "revoked is refused"
    );
    let all = db.api_tokens(Some(ana.id)).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].revoked_at, Some(t(80)));
    assert_eq!(db.api_tokens(None).await.unwrap().len(), 1);
    db.close().await;
}

async fn one_time_tokens_work_once_before_they_expire(engine: Engine) {
    let Some(db) = testing::store(engine).await else { return };
    let ana = db.add_user("ana@example.com", Role::Client, None, t(0)).await.unwrap();
    db.add_one_time_token("r1", ana.id, OneTimePurpose::Reset, t(0), t(600))
        .await
        .unwrap();
    db.add_one_time_token("i1", ana.id, OneTimePurpose::Invite, t(0), t(600))
        .await
        .unwrap();
    db.add_one_time_token("r2", ana.id, OneTimePurpose::Reset, t(0), t(600))
        .await
        .unwrap();
    let reset = [OneTimePurpose::Reset];
    assert_eq!(
        db.use_one_time_token("i1", &reset, t(1)).await.unwrap(),
        None,
        "wrong purpose"
    );
    assert_eq!(db.use_one_time_token("r1", &reset, t(1)).await.unwrap(), Some(ana.id));
    assert_eq!(db.use_one_time_token("r1", &reset, t(2)).await.unwrap(), None, "used");
    assert_eq!(
        db.use_one_time_token("r2", &reset, t(600)).await.unwrap(),
        None,
        "expired"
    );
    let both = [OneTimePurpose::Reset, OneTimePurpose::Invite];
    assert_eq!(db.use_one_time_token("i1", &both, t(3)).await.unwrap(), Some(ana.id));
    db.close().await;
}

async fn shares_removal_and_the_audit_log(engine: Engine) {
    let Some(db) = testing::store(engine).await else { return };
    let brand = db
        .add_user("brand@example.com", Role::Client, Some("h"), t(0))
        .await
        .unwrap();
    let shares = Shares {
        accounts: vec![2, 5],
        campaigns: vec![1],
    };
    db.set_shares(brand.id, &shares).await.unwrap();
    assert_eq!(db.shares(brand.id).await.unwrap(), shares);
    db.set_shares(
        brand.id,
        &Shares {
            accounts: vec![5],
            campaigns: vec![],
        },
    )
    .await
    .unwrap();
    assert_eq!(db.shares(brand.id).await.unwrap().accounts, [5]);
    db.add_session("s", brand.id, "c", t(0), t(60)).await.unwrap();
    db.add_api_token(brand.id, "x", Role::Client, "h1", t(0)).await.unwrap();
    db.add_one_time_token("o", brand.id, OneTimePurpose::Reset, t(0), t(60))
        .await
        .unwrap();
    assert!(db.remove_user(brand.id).await.unwrap());
    assert!(!db.remove_user(brand.id).await.unwrap());
    assert!(db.session_user("s", t(1)).await.unwrap().is_none());
    assert!(db.api_tokens(None).await.unwrap().is_empty());
    assert_eq!(db.shares(brand.id).await.unwrap(), Shares::default());
    db.audit(t(1), Some("ana@example.com"), "sign-in", None, Outcome::Ok, None)
        .await
        .unwrap();
    db.audit(
        t(2),
        None,
        "sign-in",
        Some("eve@example.com"),
        Outcome::Failed,
        Some("unknown email"),
    )
    .await
    .unwrap();
    let log = db.audit_log(10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!((log[0].ok, log[0].subject.as_deref()), (false, Some("eve@example.com")));
    assert_eq!((log[1].ok, log[1].actor.as_deref()), (true, Some("ana@example.com")));
    db.close().await;
}

both_engines!(
    users_are_unique_by_email_in_any_case,
    sessions_expire_and_end,
    api_tokens_are_revoked_and_touched_once_a_minute,
    one_time_tokens_work_once_before_they_expire,
    shares_removal_and_the_audit_log,
);
