//! The people of a served workspace (schema version 7, `migrations/0007_users.sql`): users
//! and their roles, browser sessions, API tokens, one-time tokens (password reset,
//! invitation), what a client may see, and the audit log. See
//! docs/adr/0010-users-roles-and-tokens.md.
//!
//! The store keeps what it is given: secrets arrive already hashed (Argon2id for
//! passwords, SHA-256 hex for session ids and tokens; `alcance-app` makes them) and every
//! time is the caller's clock (UTC). Emails are stored lower-case and unique in any letter
//! case.

use crate::time::{from_db, from_db_opt, to_db};
use crate::{on_pool, Store, StoreError};
use chrono::{DateTime, Duration, Utc};

/// What a user may do, lowest first: `client` < `analyst` < `manager` < `admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A brand or an influencer: reads only the accounts and campaigns shared with them.
    Client,
    /// Reads everything and exports.
    Analyst,
    /// An analyst who also runs accounts, campaigns and collection.
    Manager,
    /// Everything, people included.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Client, Role::Analyst, Role::Manager, Role::Admin];

    /// The stored name: `client`, `analyst`, `manager`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Analyst => "analyst",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// The role named `name` (any letter case).
    ///
    /// Errors: [`StoreError::Invalid`] for another name.
    pub fn parse(name: &str) -> Result<Role, StoreError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| StoreError::Invalid {
                what: "role",
                value: name.to_string(),
                expected: "admin, manager, analyst, client",
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user (`users`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// Lower-case email.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string; `None` for an invited user who has not set a password.
    pub password_hash: Option<String>,
    /// When the user was added (UTC).
    pub created_at: DateTime<Utc>,
}

/// An API token (`api_tokens`), without its secret (only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRow {
    /// Row id.
    pub id: i64,
    /// The owner.
    pub user_id: i64,
    /// The owner's email.
    pub email: String,
    /// A name for people ("Power BI, finance").
    pub name: String,
    /// The token's role (no higher than the owner's when made).
    pub role: Role,
    /// Made at (UTC).
    pub created_at: DateTime<Utc>,
    /// Last used at (UTC), updated at most once a minute; `None` when never used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked at (UTC); a revoked token is refused.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a one-time token (`user_tokens`) is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OneTimePurpose {
    /// Sets a new password for a user who forgot theirs.
    Reset,
    /// Sets the first password of an invited user.
    Invite,
}

impl OneTimePurpose {
    fn as_str(self) -> &'static str {
        match self {
            OneTimePurpose::Reset => "reset",
            OneTimePurpose::Invite => "invite",
        }
    }
}

/// Whether an audited action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did.
    Ok,
    /// It was refused (a wrong password, an unknown email).
    Failed,
}

/// One line of the audit log (`audit_log`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Row id (increasing).
    pub id: i64,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who (an email), when known.
    pub actor: Option<String>,
    /// What: `sign-in`, `sign-out`, `user-add`, `user-remove`, `role-change`,
    /// `password-reset`, `token-create`, `token-use`, `token-revoke`, `export`, ...
    pub action: String,
    /// On what (an email, a token name, a path), when any.
    pub subject: Option<String>,
    /// `true` when it succeeded.
    pub ok: bool,
    /// More, when any (never a secret).
    pub detail: Option<String>,
}

/// The accounts and campaigns shared with a client (`client_shares`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shares {
    /// Account ids, ascending.
    pub accounts: Vec<i64>,
    /// Campaign ids, ascending.
    pub campaigns: Vec<i64>,
}

type UserTuple = (i64, String, String, Option<String>, String);

fn user_row(t: UserTuple) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: t.0,
        email: t.1,
        role: Role::parse(&t.2).map_err(|_| StoreError::Decode {
            column: "users.role",
            value: t.2.clone(),
            reason: "not a role".into(),
        })?,
        password_hash: t.3,
        created_at: from_db("users.created_at", &t.4)?,
    })
}

type TokenTuple = (i64, i64, String, String, String, String, Option<String>, Option<String>);

fn token_row(t: TokenTuple) -> Result<ApiTokenRow, StoreError> {
    Ok(ApiTokenRow {
        id: t.0,
        user_id: t.1,
        email: t.2,
        name: t.3,
        role: Role::parse(&t.4).map_err(|_| StoreError::Decode {
            column: "api_tokens.role",
            value: t.4.clone(),
            reason: "not a role".into(),
        })?,
        created_at: from_db("api_tokens.created_at", &t.5)?,
        last_used_at: from_db_opt("api_tokens.last_used_at", t.6)?,
        revoked_at: from_db_opt("api_tokens.revoked_at", t.7)?,
    })
}

const USER_COLUMNS: &str = "u.id, u.email, u.role, u.password_hash, u.created_at";
const TOKEN_COLUMNS: &str = "t.id, t.user_id, u.email, t.name, t.role, t.created_at, t.last_used_at, t.revoked_at";

impl Store {
    /// Adds a user; `email` is stored trimmed and lower-case. Returns the new row.
    ///
    /// Errors: [`StoreError::Constraint`] when a user has this email (in any letter case).
    pub async fn add_user(
        &self,
        email: &str,
        role: Role,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<UserRow, StoreError> {
        let email = email.trim().to_lowercase();
        let id: i64 = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "INSERT INTO users (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(&email)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(to_db(now))
        .fetch_one(p)
        .await?);
        self.user(id).await?.ok_or(StoreError::NotFound { what: "user", id })
    }

    /// The user with id `id`, if any.
    pub async fn user(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row: Option<UserTuple> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        row.map(user_row).transpose()
    }

    /// The user with this email (any letter case, surrounding blanks ignored), if any.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE lower(u.email) = $1");
        let email = email.trim().to_lowercase();
        let row: Option<UserTuple> = on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&email)
            .fetch_optional(p)
            .await?);
        row.map(user_row).transpose()
    }

    /// Every user, by email.
    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.email");
        let rows: Vec<UserTuple> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(user_row).collect()
    }

    /// How many users have role `role`.
    pub async fn count_users_with_role(&self, role: Role) -> Result<i64, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = $1"
        )
        .bind(role.as_str())
        .fetch_one(p)
        .await?))
    }

    /// Removes a user with their sessions, tokens and shares (the audit log keeps their
    /// email). Returns `false` when there was none.
    pub async fn remove_user(&self, id: i64) -> Result<bool, StoreError> {
        // Children first: SQLite enforces ON DELETE CASCADE only with foreign keys on.
        for table in ["user_sessions", "api_tokens", "user_tokens", "client_shares"] {
            let sql = format!("DELETE FROM {table} WHERE user_id = $1");
            on_pool!(&self.pool, |p| sqlx::query(&sql)
                .bind(id)
                .execute(p)
                .await?
                .rows_affected());
        }
        let done = on_pool!(&self.pool, |p| sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(p)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// Sets a user's role; their API tokens above the new role come down to it. Returns
    /// `false` when there is no such user.
    pub async fn set_user_role(&self, id: i64, role: Role) -> Result<bool, StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id)
            .execute(p)
            .await?
            .rows_affected());
        let above: Vec<&str> = Role::ALL.into_iter().filter(|r| *r > role).map(Role::as_str).collect();
        for name in above {
            on_pool!(&self.pool, |p| sqlx::query(
                "UPDATE api_tokens SET role = $1 WHERE user_id = $2 AND role = $3"
            )
            .bind(role.as_str())
            .bind(id)
            .bind(name)
            .execute(p)
            .await?
            .rows_affected());
        }
        Ok(done == 1)
    }

    /// Sets a user's password hash (Argon2id PHC string). Returns `false` when there is
    /// no such user.
    pub async fn set_password_hash(&self, id: i64, password_hash: &str) -> Result<bool, StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE users SET password_hash = $1 WHERE id = $2"
        )
        .bind(password_hash)
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// Records a session: `id_hash` is the SHA-256 (hex) of the cookie's value.
    pub async fn add_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf_token: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO user_sessions (id_hash, user_id, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(to_db(now))
        .bind(to_db(expires_at))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The user of the session whose id hashes to `id_hash` and its CSRF token, when it
    /// has not expired at `now` (UTC).
    pub async fn session_user(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(UserRow, String)>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token FROM user_sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2"
        );
        let row: Option<(i64, String, String, Option<String>, String, String)> = on_pool!(&self.pool, |p| {
            sqlx::query_as(&sql)
                .bind(id_hash)
                .bind(to_db(now))
                .fetch_optional(p)
                .await?
        });
        match row {
            Some((id, email, role, hash, created, csrf)) => {
                Ok(Some((user_row((id, email, role, hash, created))?, csrf)))
            }
            None => Ok(None),
        }
    }

    /// Ends the session whose id hashes to `id_hash`; `false` when there was none.
    pub async fn remove_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "DELETE FROM user_sessions WHERE id_hash = $1"
        )
        .bind(id_hash)
        .execute(p)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// Ends every session of a user (after a password or role change); returns how many,
    /// and forgets sessions of anyone that expired before `now` (UTC).
    pub async fn remove_user_sessions(&self, user_id: i64, now: DateTime<Utc>) -> Result<u64, StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "DELETE FROM user_sessions WHERE expires_at <= $1"
        )
        .bind(to_db(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(on_pool!(&self.pool, |p| sqlx::query(
            "DELETE FROM user_sessions WHERE user_id = $1"
        )
        .bind(user_id)
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// Records an API token of `user_id`: `token_hash` is the SHA-256 (hex) of the secret.
    /// Returns the new row.
    pub async fn add_api_token(
        &self,
        user_id: i64,
        name: &str,
        role: Role,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<ApiTokenRow, StoreError> {
        let id: i64 = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id"
        )
        .bind(user_id)
        .bind(name)
        .bind(role.as_str())
        .bind(token_hash)
        .bind(to_db(now))
        .fetch_one(p)
        .await?);
        self.api_token(id)
            .await?
            .ok_or(StoreError::NotFound { what: "API token", id })
    }

    /// The API token with id `id`, revoked or not.
    pub async fn api_token(&self, id: i64) -> Result<Option<ApiTokenRow>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1");
        let row: Option<TokenTuple> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        row.map(token_row).transpose()
    }

    /// The live (not revoked) API token whose secret hashes to `token_hash`.
    pub async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiTokenRow>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        );
        let row: Option<TokenTuple> = on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await?);
        row.map(token_row).transpose()
    }

    /// Every API token (of one user when `user_id` is given), revoked ones included, by id.
    pub async fn api_tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiTokenRow>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE ($1 IS NULL OR t.user_id = $1) ORDER BY t.id"
        );
        let rows: Vec<TokenTuple> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(user_id).fetch_all(p).await?);
        rows.into_iter().map(token_row).collect()
    }

    /// Revokes an API token at `now` (UTC); `false` when there is none or it already was.
    pub async fn revoke_api_token(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
        )
        .bind(to_db(now))
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// Sets a token's `last_used_at` to `now` (UTC) unless it was set less than `every`
    /// before: at most one write per `every` however busy the token. Returns `true` when
    /// it wrote (the caller audits that use).
    pub async fn touch_api_token(&self, id: i64, now: DateTime<Utc>, every: Duration) -> Result<bool, StoreError> {
        let done = on_pool!(&self.pool, |p| {
            sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)"
        )
        .bind(to_db(now))
        .bind(id)
        .bind(to_db(now - every))
        .execute(p)
        .await?
        .rows_affected()
        });
        Ok(done == 1)
    }

    /// Records a one-time token for `user_id`: `token_hash` is the SHA-256 (hex) of the
    /// secret; it is good until `expires_at` (UTC), once.
    pub async fn add_one_time_token(
        &self,
        token_hash: &str,
        user_id: i64,
        purpose: OneTimePurpose,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| {
            sqlx::query(
            "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(to_db(now))
        .bind(to_db(expires_at))
        .execute(p)
        .await?
        .rows_affected()
        });
        Ok(())
    }

    /// Uses the one-time token whose secret hashes to `token_hash`, if it is of one of
    /// `purposes`, unused and unexpired at `now` (UTC): marks it used and returns its user
    /// id. Atomic: of two uses at once, one gets the user.
    pub async fn use_one_time_token(
        &self,
        token_hash: &str,
        purposes: &[OneTimePurpose],
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        let reset = purposes.contains(&OneTimePurpose::Reset).then_some("reset");
        let invite = purposes.contains(&OneTimePurpose::Invite).then_some("invite");
        Ok(on_pool!(&self.pool, |p| sqlx::query_scalar(
            "UPDATE user_tokens SET used_at = $1
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 AND (purpose = $3 OR purpose = $4)
             RETURNING user_id"
        )
        .bind(to_db(now))
        .bind(token_hash)
        .bind(reset)
        .bind(invite)
        .fetch_optional(p)
        .await?))
    }

    /// Replaces what is shared with a client user: these accounts and campaigns, no other.
    pub async fn set_shares(&self, user_id: i64, shares: &Shares) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "DELETE FROM client_shares WHERE user_id = $1"
        )
        .bind(user_id)
        .execute(p)
        .await?
        .rows_affected());
        let items = shares
            .accounts
            .iter()
            .map(|id| ("account", *id))
            .chain(shares.campaigns.iter().map(|id| ("campaign", *id)));
        for (kind, target) in items {
            on_pool!(&self.pool, |p| sqlx::query(
                "INSERT INTO client_shares (user_id, kind, target_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
            )
            .bind(user_id)
            .bind(kind)
            .bind(target)
            .execute(p)
            .await?
            .rows_affected());
        }
        Ok(())
    }

    /// What is shared with a client user (empty for anyone else).
    pub async fn shares(&self, user_id: i64) -> Result<Shares, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT kind, target_id FROM client_shares WHERE user_id = $1 ORDER BY kind, target_id"
        )
        .bind(user_id)
        .fetch_all(p)
        .await?);
        let mut shares = Shares::default();
        for (kind, id) in rows {
            match kind.as_str() {
                "account" => shares.accounts.push(id),
                _ => shares.campaigns.push(id),
            }
        }
        Ok(shares)
    }

    /// Appends a line to the audit log at `at` (UTC). Never pass a secret.
    pub async fn audit(
        &self,
        at: DateTime<Utc>,
        actor: Option<&str>,
        action: &str,
        subject: Option<&str>,
        outcome: Outcome,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        let outcome = match outcome {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
        };
        on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO audit_log (at, actor, action, subject, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(to_db(at))
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(outcome)
        .bind(detail)
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The newest `limit` lines of the audit log, newest first.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
        type Line = (
            i64,
            String,
            Option<String>,
            String,
            Option<String>,
            String,
            Option<String>,
        );
        let rows: Vec<Line> = on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT id, at, actor, action, subject, outcome, detail FROM audit_log ORDER BY id DESC LIMIT $1"
        )
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
        rows.into_iter()
            .map(|(id, at, actor, action, subject, outcome, detail)| {
                Ok(AuditRow {
                    id,
                    at: from_db("audit_log.at", &at)?,
                    actor,
                    action,
                    subject,
                    ok: outcome == "ok",
                    detail,
                })
            })
            .collect()
    }
}
