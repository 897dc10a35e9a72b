#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The rules of `people` on both engines: emails unique in any case, the last admin stays,
//! a token never has more than its user (at creation and after a demotion), an invitation
//! sets a password once, a sign-in refuses a wrong password and an unknown email alike and
//! is audited, exports are audited, and no secret reaches the audit log.

use alcance_app::people::{self, Credential, Role};
use alcance_app::reports::{self, ExportFormat, ExportSelection};
use alcance_app::testing::{both_engines, open_workspace, Engine};
use alcance_app::{AppError, WorkspaceOptions};
use chrono::Utc;

const PASSWORD: &str = "correct horse battery";

async fn people_rules_hold(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let options = WorkspaceOptions {
        endpoints: alcance_platforms::Endpoints::real(),
        vault: Box::new(alcance_app::vault::MemoryVault::new()),
    };
    let Some(t) = open_workspace(engine, dir.path(), options).await else {
        return;
    };
    let ws = t.workspace();
    let admin = people::add_user(ws, None, "Boss@Example.com", Role::Admin, Some(PASSWORD))
        .await
        .unwrap();
    assert_eq!(admin.email, "boss@example.com");
    assert!(matches!(
        people::add_user(ws, None, "BOSS@example.com", Role::Client, Some(PASSWORD)).await,
        Err(AppError::InvalidInput(_))
    ));
    assert!(matches!(
        people::add_user(ws, None, "not an email", Role::Client, Some(PASSWORD)).await,
        Err(AppError::InvalidInput(_))
    ));
    // The last admin can be neither lowered nor removed.
    assert!(people::set_role(ws, None, "boss@example.com", Role::Analyst)
        .await
        .is_err());
    assert!(people::remove_user(ws, None, "boss@example.com").await.is_err());

    // A token never has more than its user.
    people::add_user(ws, None, "ana@example.com", Role::Manager, Some(PASSWORD))
        .await
        .unwrap();
    assert!(matches!(
        people::create_api_token(ws, None, "ana@example.com", Role::Admin, "too high").await,
        Err(AppError::InvalidInput(_))
    ));
    let (_, secret) = people::create_api_token(ws, None, "ana@example.com", Role::Manager, "BI")
        .await
        .unwrap();
    let who = people::bearer(ws, &secret, Utc::now()).await.unwrap().unwrap();
    assert_eq!(
        (who.role, matches!(who.credential, Credential::Token { .. })),
        (Role::Manager, true)
    );
    people::set_role(ws, Some("boss@example.com"), "ana@example.com", Role::Client)
        .await
        .unwrap();
    let who = people::bearer(ws, &secret, Utc::now()).await.unwrap().unwrap();
    assert_eq!(who.role, Role::Client, "a demotion lowers the token");

    // Sign-in: a wrong password and an unknown email are refused alike.
    assert!(people::sign_in(ws, "ana@example.com", "wrong password", Utc::now())
        .await
        .unwrap()
        .is_none());
    assert!(people::sign_in(ws, "eve@example.com", PASSWORD, Utc::now())
        .await
        .unwrap()
        .is_none());
    let session = people::sign_in(ws, "ANA@example.com", PASSWORD, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let who = people::session(ws, &session.cookie_value, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who.user.email, "ana@example.com");
    assert!(people::session(ws, &session.csrf_token, Utc::now())
        .await
        .unwrap()
        .is_none());

    // An invitation sets a password once.
    let (invited, token) = people::invite(ws, Some("boss@example.com"), "new@example.com", Role::Analyst)
        .await
        .unwrap();
    assert!(!invited.has_password);
    assert!(people::sign_in(ws, "new@example.com", "", Utc::now())
        .await
        .unwrap()
        .is_none());
    people::set_password_with_token(ws, &token, "a brand new password")
        .await
        .unwrap();
    assert!(people::set_password_with_token(ws, &token, "another new password")
        .await
        .is_err());
    assert!(
        people::sign_in(ws, "new@example.com", "a brand new password", Utc::now())
            .await
            .unwrap()
            .is_some()
    );

    // Exports are audited too.
    let filter = reports::export_filter(ws, &ExportSelection::default()).await.unwrap();
    let out = dir.path().join("export.json");
    reports::export(ws, ExportFormat::Json, &filter, &out, &|_| {})
        .await
        .unwrap();

    let log = people::audit_log(ws, 100).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|l| l.action.as_str()).collect();
    for action in [
        "user-add",
        "token-create",
        "token-use",
        "role-change",
        "sign-in",
        "invite",
        "password-set",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(log.iter().any(|l| l.action == "sign-in" && !l.ok));
    let text = format!("{log:?}");
    for secret in [PASSWORD, secret.as_str(), token.as_str(), session.cookie_value.as_str()] {
        assert!(!text.contains(secret), "no secret in the audit log");
    }
    t.close().await;
}

both_engines!(people_rules_hold);
