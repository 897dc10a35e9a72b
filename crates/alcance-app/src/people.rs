//! The people of a served workspace (`alcance serve`, `alcance user`, `alcance token`):
//! users and roles, sign-in sessions with their CSRF token, API tokens for BI tools,
//! one-time tokens (password reset, invitation), what a client may see, and the audit log.
//! See docs/adr/0010-users-roles-and-tokens.md.
//!
//! Secrets never reach the store in clear: passwords are hashed with Argon2id (a random
//! 16-byte salt, Argon2's default cost: 19 MiB, 2 passes), session ids and tokens are 32
//! random bytes (OS generator) stored as their SHA-256 (hex). A sign-in with an unknown
//! email still verifies a password against a fixed hash, so both refusals take as long.
//! Every time is the caller's clock (UTC).

use crate::error::AppError;
use crate::Workspace;
use alcance_store::people::OneTimePurpose;
pub use alcance_store::people::{ApiTokenRow as ApiToken, AuditRow, Outcome, Role, Shares, UserRow};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

type Result<T> = std::result::Result<T, AppError>;

/// How long a sign-in lasts.
pub const SESSION_TTL: Duration = Duration::hours(12);
/// How long a password-reset token is good for.
pub const RESET_TTL: Duration = Duration::hours(1);
/// How long an invitation is good for.
pub const INVITE_TTL: Duration = Duration::days(7);
/// An API token's `last_used_at` (and its `token-use` audit line) is written at most once
/// per this much time.
pub const TOKEN_TOUCH_EVERY: Duration = Duration::minutes(1);
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in bytes (Argon2 hashes any length; this bounds the work).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// The prefix of every API token (`alc_` then 43 base64url characters), so leaked tokens
/// are recognisable by secret scanners.
pub const API_TOKEN_PREFIX: &str = "alc_";

/// A user as callers see them: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Lower-case email.
    pub email: String,
    /// Role.
    pub role: Role,
    /// `false` for an invited user who has not set a password yet.
    pub has_password: bool,
    /// Added at (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> User {
        User {
            id: row.id,
            email: row.email,
            role: row.role,
            has_password: row.password_hash.is_some(),
            created_at: row.created_at,
        }
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session cookie; state-changing requests must repeat `csrf_token`.
    Session {
        /// The session's CSRF token.
        csrf_token: String,
    },
    /// An `Authorization: Bearer` API token.
    Token {
        /// The token's id.
        id: i64,
    },
}

/// Who is asking, with which role (a token's role, which may be below its user's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user.
    pub user: User,
    /// The role the request has.
    pub role: Role,
    /// How it proved it.
    pub credential: Credential,
}

/// A new sign-in: the cookie's value and the CSRF token, each shown once.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The session id for the cookie (only its hash is stored).
    pub cookie_value: String,
    /// The token state-changing requests send in `X-CSRF-Token`.
    pub csrf_token: String,
    /// When it ends (UTC).
    pub expires_at: DateTime<Utc>,
    /// Who signed in.
    pub user: User,
}

/// SHA-256 of `secret`, lower-case hex: what the store keeps of a session id or token.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// 32 random bytes from the OS generator, base64url without padding (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares two strings in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Argon2id PHC string of `password` (a random salt).
///
/// Errors: [`AppError::InvalidInput`] for a password shorter than [`MIN_PASSWORD_CHARS`]
/// or longer than [`MAX_PASSWORD_BYTES`].
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::InvalidInput(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::InvalidInput(format!(
            "a password has at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    hash_any(password)
}

fn hash_any(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Other(anyhow::anyhow!("salt: {e}")))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AppError::Other(anyhow::anyhow!("hashing a password: {e}")))?
        .to_string())
}

/// `true` when `password` matches the PHC string `hash`. With no hash (an unknown email,
/// an invited user) it verifies against a fixed hash and answers `false`, taking as long.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_any("not a password of anyone").unwrap_or_default());
    let (phc, real) = match hash {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let matched =
        password.len() <= MAX_PASSWORD_BYTES && Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    matched && real
}

/// Runs Argon2 off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Other(anyhow::anyhow!("password hashing task: {e}")))
}

fn check_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if ok {
        Ok(email)
    } else {
        Err(AppError::InvalidInput(format!("{email:?} is not an email address")))
    }
}

async fn user_row(ws: &Workspace, email: &str) -> Result<UserRow> {
    ws.store()
        .user_by_email(email)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no user {}", email.trim().to_lowercase())))
}

/// Appends a line to the audit log at now (never pass a secret).
pub async fn audit(
    ws: &Workspace,
    actor: Option<&str>,
    action: &str,
    subject: Option<&str>,
    outcome: Outcome,
    detail: Option<&str>,
) -> Result<()> {
    Ok(ws
        .store()
        .audit(Utc::now(), actor, action, subject, outcome, detail)
        .await?)
}

/// The newest `limit` audit lines, newest first.
pub async fn audit_log(ws: &Workspace, limit: u32) -> Result<Vec<AuditRow>> {
    Ok(ws.store().audit_log(limit).await?)
}

/// Adds a user with `password` (hashed with Argon2id) or, with `None`, none yet (an
/// invitation sets it). `actor` is who adds them, for the audit log (`None`: the CLI).
///
/// Errors: [`AppError::InvalidInput`] for a bad email or password, or an email already in
/// use (any letter case).
pub async fn add_user(
    ws: &Workspace,
    actor: Option<&str>,
    email: &str,
    role: Role,
    password: Option<&str>,
) -> Result<User> {
    let email = check_email(email)?;
    let hash = match password {
        Some(p) => {
            let p = p.to_string();
            Some(blocking(move || hash_password(&p)).await??)
        }
        None => None,
    };
    if ws.store().user_by_email(&email).await?.is_some() {
        return Err(AppError::InvalidInput(format!("a user {email} exists already")));
    }
    let row = ws
        .store()
        .add_user(&email, role, hash.as_deref(), Utc::now())
        .await
        .map_err(|e| match e {
            alcance_store::StoreError::Constraint { .. } => {
                AppError::InvalidInput(format!("a user {email} exists already"))
            }
            e => e.into(),
        })?;
    audit(ws, actor, "user-add", Some(&email), Outcome::Ok, Some(role.as_str())).await?;
    Ok(row.into())
}

/// Every user, by email.
pub async fn users(ws: &Workspace) -> Result<Vec<User>> {
    Ok(ws.store().users().await?.into_iter().map(User::from).collect())
}

/// The user with this email (any letter case).
///
/// Errors: [`AppError::NotFound`].
pub async fn user(ws: &Workspace, email: &str) -> Result<User> {
    Ok(user_row(ws, email).await?.into())
}

/// The user with this id.
///
/// Errors: [`AppError::NotFound`].
pub async fn user_by_id(ws: &Workspace, id: i64) -> Result<User> {
    ws.store()
        .user(id)
        .await?
        .map(User::from)
        .ok_or_else(|| AppError::NotFound(format!("no user {id}")))
}

async fn refuse_last_admin(ws: &Workspace, user: &User) -> Result<()> {
    if user.role == Role::Admin && ws.store().count_users_with_role(Role::Admin).await? <= 1 {
        return Err(AppError::InvalidInput(format!(
            "{} is the last admin: make another admin first",
            user.email
        )));
    }
    Ok(())
}

/// Removes a user with their sessions, tokens and shares.
///
/// Errors: [`AppError::NotFound`]; [`AppError::InvalidInput`] for the last admin.
pub async fn remove_user(ws: &Workspace, actor: Option<&str>, email: &str) -> Result<()> {
    let user: User = user_row(ws, email).await?.into();
    refuse_last_admin(ws, &user).await?;
    ws.store().remove_user(user.id).await?;
    audit(ws, actor, "user-remove", Some(&user.email), Outcome::Ok, None).await
}

/// Gives a user another role; their tokens above it come down to it and their sessions
/// end (they sign in again with the new role).
///
/// Errors: [`AppError::NotFound`]; [`AppError::InvalidInput`] to lower the last admin.
pub async fn set_role(ws: &Workspace, actor: Option<&str>, email: &str, role: Role) -> Result<User> {
    let user: User = user_row(ws, email).await?.into();
    if role != Role::Admin {
        refuse_last_admin(ws, &user).await?;
    }
    ws.store().set_user_role(user.id, role).await?;
    ws.store().remove_user_sessions(user.id, Utc::now()).await?;
    let change = format!("{} -> {}", user.role, role);
    audit(ws, actor, "role-change", Some(&user.email), Outcome::Ok, Some(&change)).await?;
    user_by_id(ws, user.id).await
}

/// Signs in: `Some` new session when the email and password match, `None` otherwise
/// (an unknown email and a wrong password are refused alike, in the same time). Both are
/// audited (`sign-in`, ok or failed).
pub async fn sign_in(ws: &Workspace, email: &str, password: &str, now: DateTime<Utc>) -> Result<Option<NewSession>> {
    sign_in_from(ws, email, password, None, now).await
}

/// [`sign_in`] from the client address `from` (an IP address as text, as the server saw
/// it or a trusted proxy forwarded it), kept in the audit line's detail (`from …`).
pub async fn sign_in_from(
    ws: &Workspace,
    email: &str,
    password: &str,
    from: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<NewSession>> {
    let detail = from.map(|ip| format!("from {ip}"));
    let detail = detail.as_deref();
    let email = email.trim().to_lowercase();
    let row = ws.store().user_by_email(&email).await?;
    let hash = row.as_ref().and_then(|r| r.password_hash.clone());
    let password = password.to_string();
    let matched = blocking(move || verify_password(hash.as_deref(), &password)).await?;
    let Some(row) = row.filter(|_| matched) else {
        audit(ws, None, "sign-in", Some(&email), Outcome::Failed, detail).await?;
        return Ok(None);
    };
    let cookie_value = random_secret();
    let csrf_token = random_secret();
    let expires_at = now + SESSION_TTL;
    ws.store()
        .add_session(&secret_hash(&cookie_value), row.id, &csrf_token, now, expires_at)
        .await?;
    audit(ws, Some(&row.email), "sign-in", None, Outcome::Ok, detail).await?;
    Ok(Some(NewSession {
        cookie_value,
        csrf_token,
        expires_at,
        user: row.into(),
    }))
}

/// Who holds the session cookie `cookie_value` at `now`, if it is live.
pub async fn session(ws: &Workspace, cookie_value: &str, now: DateTime<Utc>) -> Result<Option<Principal>> {
    Ok(ws
        .store()
        .session_user(&secret_hash(cookie_value), now)
        .await?
        .map(|(row, csrf_token)| Principal {
            role: row.role,
            user: row.into(),
            credential: Credential::Session { csrf_token },
        }))
}

/// Ends the session of `cookie_value` (audited as `sign-out`).
pub async fn sign_out(ws: &Workspace, cookie_value: &str, actor: Option<&str>) -> Result<()> {
    ws.store().remove_session(&secret_hash(cookie_value)).await?;
    audit(ws, actor, "sign-out", None, Outcome::Ok, None).await
}

/// Makes an API token for the user `email` with `role` (no higher than theirs), named
/// `name`. Returns it and its secret, which is shown this once (only its hash is kept).
///
/// Errors: [`AppError::NotFound`] for an unknown user; [`AppError::InvalidInput`] for a
/// role above the user's or an empty name.
pub async fn create_api_token(
    ws: &Workspace,
    actor: Option<&str>,
    email: &str,
    role: Role,
    name: &str,
) -> Result<(ApiToken, String)> {
    let user = user_row(ws, email).await?;
    if role > user.role {
        return Err(AppError::InvalidInput(format!(
            "{} is {}: a token of theirs can be at most {}",
            user.email, user.role, user.role
        )));
    }
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(AppError::InvalidInput("a token needs a name of 1 to 200 bytes".into()));
    }
    let secret = format!("{API_TOKEN_PREFIX}{}", random_secret());
    let token = ws
        .store()
        .add_api_token(user.id, name, role, &secret_hash(&secret), Utc::now())
        .await?;
    let detail = format!("{} for {}", role, user.email);
    audit(ws, actor, "token-create", Some(name), Outcome::Ok, Some(&detail)).await?;
    Ok((token, secret))
}

/// Every API token (of one user when `email` is given), revoked ones included.
///
/// Errors: [`AppError::NotFound`] for an unknown user.
pub async fn api_tokens(ws: &Workspace, email: Option<&str>) -> Result<Vec<ApiToken>> {
    let user_id = match email {
        Some(e) => Some(user_row(ws, e).await?.id),
        None => None,
    };
    Ok(ws.store().api_tokens(user_id).await?)
}

/// Revokes the API token `id`; it is refused from now on.
///
/// Errors: [`AppError::NotFound`] when there is no live token with this id.
pub async fn revoke_api_token(ws: &Workspace, actor: Option<&str>, id: i64) -> Result<ApiToken> {
    let token = ws
        .store()
        .api_token(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no API token {id}")))?;
    if !ws.store().revoke_api_token(id, Utc::now()).await? {
        return Err(AppError::NotFound(format!("API token {id} is revoked already")));
    }
    audit(
        ws,
        actor,
        "token-revoke",
        Some(&token.name),
        Outcome::Ok,
        Some(&token.email),
    )
    .await?;
    ws.store()
        .api_token(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no API token {id}")))
}

/// Who holds the API token `secret` at `now`, when it is live. Records its use at most
/// once per [`TOKEN_TOUCH_EVERY`] (`last_used_at` and a `token-use` audit line).
pub async fn bearer(ws: &Workspace, secret: &str, now: DateTime<Utc>) -> Result<Option<Principal>> {
    let Some(token) = ws.store().api_token_by_hash(&secret_hash(secret)).await? else {
        return Ok(None);
    };
    let Some(user) = ws.store().user(token.user_id).await? else {
        return Ok(None);
    };
    if ws.store().touch_api_token(token.id, now, TOKEN_TOUCH_EVERY).await? {
        audit(ws, Some(&user.email), "token-use", Some(&token.name), Outcome::Ok, None).await?;
    }
    Ok(Some(Principal {
        // A token never has more than its user has now.
        role: token.role.min(user.role),
        user: user.into(),
        credential: Credential::Token { id: token.id },
    }))
}

/// A one-time password-reset token for the user `email`, good for [`RESET_TTL`]. The
/// caller delivers it (email when SMTP is configured; the CLI prints it).
///
/// Errors: [`AppError::NotFound`] for an unknown user.
pub async fn password_reset_token(ws: &Workspace, actor: Option<&str>, email: &str) -> Result<String> {
    let user = user_row(ws, email).await?;
    let secret = random_secret();
    let now = Utc::now();
    ws.store()
        .add_one_time_token(
            &secret_hash(&secret),
            user.id,
            OneTimePurpose::Reset,
            now,
            now + RESET_TTL,
        )
        .await?;
    audit(ws, actor, "password-reset-issue", Some(&user.email), Outcome::Ok, None).await?;
    Ok(secret)
}

/// Invites `email` with `role`: adds the user without a password and returns a one-time
/// token (good for [`INVITE_TTL`]) with which they set it.
///
/// Errors: as [`add_user`].
pub async fn invite(ws: &Workspace, actor: Option<&str>, email: &str, role: Role) -> Result<(User, String)> {
    let user = add_user(ws, actor, email, role, None).await?;
    let secret = random_secret();
    let now = Utc::now();
    ws.store()
        .add_one_time_token(
            &secret_hash(&secret),
            user.id,
            OneTimePurpose::Invite,
            now,
            now + INVITE_TTL,
        )
        .await?;
    audit(ws, actor, "invite", Some(&user.email), Outcome::Ok, Some(role.as_str())).await?;
    Ok((user, secret))
}

/// Sets a password with a one-time token (a reset or an invitation), which is then spent;
/// the user's sessions end.
///
/// Errors: [`AppError::InvalidInput`] for a bad password, or a token that is unknown, used
/// or expired (one message for all three).
pub async fn set_password_with_token(ws: &Workspace, token: &str, password: &str) -> Result<User> {
    let password = password.to_string();
    let hash = blocking(move || hash_password(&password)).await??;
    let now = Utc::now();
    let purposes = [OneTimePurpose::Reset, OneTimePurpose::Invite];
    let Some(user_id) = ws
        .store()
        .use_one_time_token(&secret_hash(token), &purposes, now)
        .await?
    else {
        audit(ws, None, "password-set", None, Outcome::Failed, Some("bad token")).await?;
        return Err(AppError::InvalidInput(
            "this link is unknown, used or expired: ask for a new one".into(),
        ));
    };
    ws.store().set_password_hash(user_id, &hash).await?;
    ws.store().remove_user_sessions(user_id, now).await?;
    let user = user_by_id(ws, user_id).await?;
    audit(ws, Some(&user.email), "password-set", None, Outcome::Ok, None).await?;
    Ok(user)
}

/// Sets a user's password directly (the CLI, run by whoever holds the workspace).
///
/// Errors: [`AppError::NotFound`]; [`AppError::InvalidInput`] for a bad password.
pub async fn set_password(ws: &Workspace, email: &str, password: &str) -> Result<()> {
    let user = user_row(ws, email).await?;
    let password = password.to_string();
    let hash = blocking(move || hash_password(&password)).await??;
    ws.store().set_password_hash(user.id, &hash).await?;
    ws.store().remove_user_sessions(user.id, Utc::now()).await?;
    audit(ws, None, "password-set", Some(&user.email), Outcome::Ok, None).await
}

/// Replaces what is shared with the client `email` (account and campaign ids).
///
/// Errors: [`AppError::NotFound`]; [`AppError::InvalidInput`] when the user is not a client.
pub async fn set_shares(ws: &Workspace, actor: Option<&str>, email: &str, shares: &Shares) -> Result<()> {
    let user = user_row(ws, email).await?;
    if user.role != Role::Client {
        return Err(AppError::InvalidInput(format!(
            "{} is {}, who sees everything: shares are for clients",
            user.email, user.role
        )));
    }
    ws.store().set_shares(user.id, shares).await?;
    let detail = format!("accounts {:?}, campaigns {:?}", shares.accounts, shares.campaigns);
    audit(ws, actor, "share", Some(&user.email), Outcome::Ok, Some(&detail)).await
}

/// What is shared with the user `user_id` (empty unless a client).
pub async fn shares(ws: &Workspace, user_id: i64) -> Result<Shares> {
    Ok(ws.store().shares(user_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_unknown_users_never_match() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(Some(&hash), "correct horse battery"));
        assert!(!verify_password(Some(&hash), "correct horse batterY"));
        assert!(!verify_password(None, "not a password of anyone"));
        assert!(!verify_password(Some("garbage"), "x"));
        assert!(matches!(hash_password("short"), Err(AppError::InvalidInput(_))));
    }

    #[test]
    fn secrets_are_random_hashed_and_compared_in_constant_time() {
        let a = random_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_secret());
        assert_eq!(secret_hash("abc").len(), 64);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, "x"));
    }
}
