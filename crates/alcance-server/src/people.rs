//! The routes of people: sign-in sessions, password reset, and the admin's users, roles,
//! invitations, client shares, API tokens and audit log. Who may call each is in
//! [`crate::auth::ROUTES`].

use crate::auth::{self, Caller, LoginLimiter, SESSION_COOKIE};
use crate::paging::{self, DEFAULT_LIMIT, MAX_LIMIT};
use crate::params::{self, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::routes::PageParams;
use crate::ApiState;
use alcance_app::people::{self, ApiToken, AuditRow, Credential, Outcome, Role, Shares, User};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role: `admin` (everything, people included), `manager` (accounts, campaigns,
/// collection), `analyst` (reads everything, exports), `client` (reads what is shared).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    /// Everything, people included.
    Admin,
    /// Accounts, campaigns and collection control, and what an analyst does.
    Manager,
    /// Reads everything and exports.
    Analyst,
    /// Reads only the accounts and campaigns shared with them.
    Client,
}

impl From<Role> for RoleName {
    fn from(role: Role) -> RoleName {
        match role {
            Role::Admin => RoleName::Admin,
            Role::Manager => RoleName::Manager,
            Role::Analyst => RoleName::Analyst,
            Role::Client => RoleName::Client,
        }
    }
}

impl From<RoleName> for Role {
    fn from(role: RoleName) -> Role {
        match role {
            RoleName::Admin => Role::Admin,
            RoleName::Manager => Role::Manager,
            RoleName::Analyst => Role::Analyst,
            RoleName::Client => Role::Client,
        }
    }
}

/// A person of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    /// The user id.
    pub id: i64,
    /// The email (lower-case), which they sign in with.
    pub email: String,
    /// The role.
    pub role: RoleName,
    /// `false` for an invited user who has not set a password yet.
    pub has_password: bool,
    /// When they were added, UTC.
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> UserView {
        UserView {
            id: u.id,
            email: u.email,
            role: u.role.into(),
            has_password: u.has_password,
            created_at: u.created_at,
        }
    }
}

/// Email and password to sign in with.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SignInBody {
    /// The email (any letter case).
    pub email: String,
    /// The password.
    pub password: String,
}

/// Who is signed in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    /// The user.
    pub user: UserView,
    /// The role of this request (an API token's may be below its user's).
    pub role: RoleName,
    /// The session's CSRF token: send it in `X-CSRF-Token` on every request that changes
    /// state. `null` for an API token (which needs none).
    pub csrf_token: Option<String>,
    /// For a client: the account ids shared with them; `null` for other roles.
    pub account_ids: Option<Vec<i64>>,
}

/// An email that forgot its password.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ResetRequestBody {
    /// The email.
    pub email: String,
}

/// A one-time token (from a reset or an invitation) and the new password.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SetPasswordBody {
    /// The one-time token of the link.
    pub token: String,
    /// The new password, at least 10 characters.
    pub password: String,
}

/// A person to invite.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InviteBody {
    /// Their email.
    pub email: String,
    /// Their role.
    pub role: RoleName,
}

/// An invitation: the user (without a password yet) and the one-time token of their link.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    /// The invited user.
    pub user: UserView,
    /// The one-time token; they set their password with it at
    /// `POST /api/v1/password-reset/confirm` within 7 days. Shown once.
    pub token: String,
    /// `true` when the link was also emailed to them (the server has SMTP and the SMTP
    /// server took the message); `false`: hand the link over yourself.
    pub emailed: bool,
}

/// A new role.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RoleBody {
    /// The role.
    pub role: RoleName,
}

/// A one-time password-reset token for a user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResetToken {
    /// The one-time token, good for an hour at `POST /api/v1/password-reset/confirm`.
    /// Shown once.
    pub token: String,
}

/// What a client may see.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SharesView {
    /// Account ids (`/api/v1/accounts`).
    pub account_ids: Vec<i64>,
    /// Campaign ids.
    pub campaign_ids: Vec<i64>,
}

/// A token to make.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewTokenBody {
    /// The owner's email.
    pub email: String,
    /// The token's role, no higher than the owner's.
    pub role: RoleName,
    /// A name for people ("Power BI, finance").
    pub name: String,
}

/// An API token, without its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    /// The token id.
    pub id: i64,
    /// The owner's email.
    pub email: String,
    /// The name.
    pub name: String,
    /// The role.
    pub role: RoleName,
    /// When it was made, UTC.
    pub created_at: DateTime<Utc>,
    /// When it was last used, UTC (updated at most once a minute); `null` when never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked, UTC; `null` while it works.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiToken> for TokenView {
    fn from(t: ApiToken) -> TokenView {
        TokenView {
            id: t.id,
            email: t.email,
            name: t.name,
            role: t.role.into(),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A new API token with its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewToken {
    /// The token.
    pub token: TokenView,
    /// The secret to send as `Authorization: Bearer <secret>`. Shown this once; only its
    /// hash is kept.
    pub secret: String,
}

/// A page of users.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserPage {
    /// The users, by email.
    pub items: Vec<UserView>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A page of API tokens.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenPage {
    /// The tokens, by id, revoked ones included.
    pub items: Vec<TokenView>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A line of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditLine {
    /// The line id (increasing).
    pub id: i64,
    /// When, UTC.
    pub at: DateTime<Utc>,
    /// Who (an email); `null` when unknown (a failed sign-in, the CLI).
    pub actor: Option<String>,
    /// What: `sign-in`, `sign-out`, `user-add`, `user-remove`, `invite`, `role-change`,
    /// `password-reset-issue`, `password-set`, `share`, `token-create`, `token-use`,
    /// `token-revoke`, `export`, `cadence`, `account-disconnect`, `account-delete`, `sync`, `run-cancel`, `collection-pause`,
    /// `collection-resume`.
    pub action: String,
    /// On what (an email, a token name); `null` when nothing.
    pub subject: Option<String>,
    /// `true` when it succeeded.
    pub ok: bool,
    /// More (a role change `analyst -> manager`); never a secret.
    pub detail: Option<String>,
}

impl From<AuditRow> for AuditLine {
    fn from(a: AuditRow) -> AuditLine {
        AuditLine {
            id: a.id,
            at: a.at,
            actor: a.actor,
            action: a.action,
            subject: a.subject,
            ok: a.ok,
            detail: a.detail,
        }
    }
}

/// A page of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    /// The lines, newest first.
    pub items: Vec<AuditLine>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// Lines of the audit log `/api/v1/audit` pages through: the newest this many.
pub const AUDIT_KEPT: u32 = 10_000;

fn session_cookie(value: &str, max_age_seconds: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    ))
    .ok()
}

/// Signs in with email and password: sets the session cookie (HttpOnly, SameSite=Strict,
/// Secure over TLS; 12 hours) and answers who signed in with the CSRF token. A wrong
/// password and an unknown email are answered alike. After 5 failures within 15 minutes
/// for one email or from one address, sign-ins are refused with 429 until the window passes.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "people",
    request_body = SignInBody,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = SessionView),
        (status = 400, description = "The body is not an email and a password", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The email and password do not match a user", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed sign-ins; `Retry-After` says when to retry (seconds)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_in(
    State(state): State<ApiState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Result<Json<SignInBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        Err(e) => return rejected(&e, "the body must be JSON {\"email\": ..., \"password\": ...}").into_response(),
    };
    let limiter: &LoginLimiter = state.limiter();
    let email_key = format!("email:{}", body.email.trim().to_lowercase());
    let mut keys = vec![email_key.clone()];
    // The client's address: the peer's, or the one a trusted proxy forwarded.
    let client = auth::client_ip(&state, &extensions, &headers);
    if auth::peer(&extensions).is_some() {
        keys.push(client.map_or_else(|| "ip:unknown".to_string(), |ip| format!("ip:{ip}")));
    }
    if let Some(wait) = limiter.wait(&keys) {
        return auth::too_many(wait);
    }
    let from = client.map(|ip| ip.to_string());
    let signed = match people::sign_in_from(
        state.workspace(),
        &body.email,
        &body.password,
        from.as_deref(),
        Utc::now(),
    )
    .await
    {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some(session) = signed else {
        limiter.failed(&keys);
        return ApiError::unauthorized("the email and password do not match").into_response();
    };
    limiter.succeeded(&email_key);
    let secure = auth::over_tls(&state, auth::peer(&extensions), &headers);
    let max_age = people::SESSION_TTL.num_seconds();
    let view = SessionView {
        role: session.user.role.into(),
        user: session.user.into(),
        csrf_token: Some(session.csrf_token),
        account_ids: None,
    };
    let mut response = Json(view).into_response();
    if let Some(cookie) = session_cookie(&session.cookie_value, max_age, secure) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// Who is signed in (by session cookie or API token), with the session's CSRF token.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "people",
    responses(
        (status = 200, description = "The caller", body = SessionView),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn whoami(Extension(caller): Extension<Caller>) -> Json<SessionView> {
    let csrf_token = match &caller.principal.credential {
        Credential::Session { csrf_token } => Some(csrf_token.clone()),
        Credential::Token { .. } => None,
    };
    Json(SessionView {
        role: caller.principal.role.into(),
        account_ids: caller.shares.as_ref().map(|s| s.accounts.clone()),
        user: caller.principal.user.clone().into(),
        csrf_token,
    })
}

/// Signs out: ends the session of the cookie and clears it. With an API token it does
/// nothing (revoke the token instead).
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "people",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_out(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(value) = auth::cookie(&headers, SESSION_COOKIE) {
        if matches!(caller.principal.credential, Credential::Session { .. }) {
            people::sign_out(state.workspace(), value, Some(caller.email())).await?;
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(cookie) = session_cookie("", 0, auth::over_tls(&state, auth::peer(&extensions), &headers)) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Asks for a password reset. Always 202, whether or not the email is known (so emails
/// do not leak). With SMTP configured (`alcance serve --smtp-url`) a known user gets an
/// email with a one-time link good for an hour; without, no email is sent: an admin
/// issues the link (`alcance user reset-password EMAIL`, or the admin screen).
#[utoipa::path(
    post,
    path = "/api/v1/password-reset",
    tag = "people",
    request_body = ResetRequestBody,
    responses(
        (status = 202, description = "Asked; a link is sent when the email is known and SMTP is configured"),
        (status = 400, description = "The body is not `{\"email\": ...}`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn request_reset(
    State(state): State<ApiState>,
    body: Result<Json<ResetRequestBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let body = body
        .map(|Json(b)| b)
        .map_err(|e| rejected(&e, "the body must be JSON {\"email\": ...}"))?;
    let email = body.email.trim().to_lowercase();
    let Some(mailer) = state.mailer().cloned() else {
        tracing::info!("password reset asked for; no SMTP is configured: an admin issues the link");
        people::audit(
            state.workspace(),
            None,
            "password-reset-request",
            Some(&email),
            Outcome::Ok,
            Some("no SMTP: not sent"),
        )
        .await?;
        return Ok(StatusCode::ACCEPTED);
    };
    // The token and the email are made after answering, so that a known and an unknown
    // email take the same time to answer.
    tokio::spawn(async move {
        let ws = state.workspace();
        let (outcome, detail) = match people::password_reset_token(ws, None, &email).await {
            Ok(token) => {
                let minutes = u32::try_from(people::RESET_TTL.num_minutes()).unwrap_or(60);
                let message = alcance_app::mail::password_reset_email(&mailer.set_password_link(&token), minutes);
                match mailer.send(&email, &message).await {
                    Ok(()) => (Outcome::Ok, format!("emailed through {}", mailer.server())),
                    Err(e) => {
                        tracing::warn!(error = %e.message(), "the password-reset email was not sent");
                        (Outcome::Failed, format!("not sent through {}", mailer.server()))
                    }
                }
            }
            // No such user: nothing to send, and the answer said nothing.
            Err(_) => (Outcome::Failed, "no such user: not sent".to_string()),
        };
        if let Err(e) = people::audit(ws, None, "password-reset-request", Some(&email), outcome, Some(&detail)).await {
            tracing::warn!(error = %e.message(), "writing the audit line");
        }
    });
    Ok(StatusCode::ACCEPTED)
}

/// Sets a password with the one-time token of a reset or an invitation link; the token
/// is then spent and the user's sessions end.
#[utoipa::path(
    post,
    path = "/api/v1/password-reset/confirm",
    tag = "people",
    request_body = SetPasswordBody,
    responses(
        (status = 204, description = "The password is set; sign in with it"),
        (status = 400, description = "A token unknown, used or expired, or a password under 10 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn confirm_reset(
    State(state): State<ApiState>,
    body: Result<Json<SetPasswordBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let body = body
        .map(|Json(b)| b)
        .map_err(|e| rejected(&e, "the body must be JSON {\"token\": ..., \"password\": ...}"))?;
    people::set_password_with_token(state.workspace(), &body.token, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The problem of a body that could not be read: 413 over the size limit, else 400 with
/// `expected`.
fn rejected(e: &axum::extract::rejection::JsonRejection, expected: &str) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: "payload-too-large",
            title: "Payload too large",
            detail: format!("a request body has at most {} bytes", auth::BODY_LIMIT),
        }
    } else {
        ApiError::invalid(format!("{expected}: {}", e.body_text()))
    }
}

fn json_body<T>(body: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|e| rejected(&e, "the body is not what this route takes"))
}

async fn user_id(state: &ApiState, id: &str) -> Result<User, ApiError> {
    let id = params::id("id", Some(id))?.unwrap_or_default();
    people::user_by_id(state.workspace(), id)
        .await
        .map_err(|_| ApiError::not_found(format!("user {id} not found")))
}

/// Lists the people of the workspace, by email.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "people",
    params(PageParams),
    responses(
        (status = 200, description = "A page of users", body = UserPage),
        (status = 400, description = "A bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_users(
    State(state): State<ApiState>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<UserPage>, ApiError> {
    let limit = paging::limit(
        params::integer("limit", page.limit.as_deref())?,
        DEFAULT_LIMIT,
        MAX_LIMIT,
    )?;
    let users: Vec<UserView> = people::users(state.workspace())
        .await?
        .into_iter()
        .map(UserView::from)
        .collect();
    let (items, next_cursor) = paging::page("users", users, |u| u.email.clone(), page.cursor.as_deref(), limit)?;
    Ok(Json(UserPage { items, next_cursor }))
}

/// Invites a person: adds them with a role and no password, and answers the one-time
/// token of their invitation link (shown once; good for 7 days).
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "people",
    request_body = InviteBody,
    responses(
        (status = 201, description = "Invited", body = Invitation),
        (status = 400, description = "A bad email or role, or the email is in use", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn invite(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<InviteBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let body = json_body(body)?;
    let (user, token) = people::invite(state.workspace(), Some(caller.email()), &body.email, body.role.into()).await?;
    let mut emailed = false;
    if let Some(mailer) = state.mailer() {
        let days = u32::try_from(people::INVITE_TTL.num_days()).unwrap_or(7);
        let email = alcance_app::mail::invitation_email(
            caller.email(),
            user.role.as_str(),
            &mailer.set_password_link(&token),
            days,
        );
        // A refused message is not a failed invitation: the admin still has the link.
        emailed = match mailer.send(&user.email, &email).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e.message(), "the invitation email was not sent");
                false
            }
        };
        let outcome = if emailed { Outcome::Ok } else { Outcome::Failed };
        people::audit(
            state.workspace(),
            Some(caller.email()),
            "invitation-email",
            Some(&user.email),
            outcome,
            Some(mailer.server()),
        )
        .await?;
    }
    Ok((
        StatusCode::CREATED,
        Json(Invitation {
            user: user.into(),
            token,
            emailed,
        }),
    ))
}

/// Gives a user another role; their API tokens above it come down to it, their sessions
/// end. The last admin cannot be lowered.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "people",
    params(("id" = i64, Path, description = "The user id", minimum = 1)),
    request_body = RoleBody,
    responses(
        (status = 200, description = "The user with the new role", body = UserView),
        (status = 400, description = "A bad id or role, or the last admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No user has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_role(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<RoleBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<UserView>, ApiError> {
    let body = json_body(body)?;
    let user = user_id(&state, &id).await?;
    let user = people::set_role(state.workspace(), Some(caller.email()), &user.email, body.role.into()).await?;
    Ok(Json(user.into()))
}

/// Removes a user with their sessions, tokens and shares. The last admin cannot be removed.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}",
    tag = "people",
    params(("id" = i64, Path, description = "The user id", minimum = 1)),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "A bad id, or the last admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No user has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_user(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let user = user_id(&state, &id).await?;
    people::remove_user(state.workspace(), Some(caller.email()), &user.email).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issues a one-time password-reset token for a user (to hand to them when no SMTP is
/// configured); good for an hour.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password-reset",
    tag = "people",
    params(("id" = i64, Path, description = "The user id", minimum = 1)),
    responses(
        (status = 201, description = "The token, shown once", body = ResetToken),
        (status = 400, description = "A bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No user has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn issue_reset(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ResetToken>), ApiError> {
    let user = user_id(&state, &id).await?;
    let token = people::password_reset_token(state.workspace(), Some(caller.email()), &user.email).await?;
    Ok((StatusCode::CREATED, Json(ResetToken { token })))
}

/// Replaces what a client user may see: these accounts and campaigns, no other.
#[utoipa::path(
    put,
    path = "/api/v1/users/{id}/shares",
    tag = "people",
    params(("id" = i64, Path, description = "The user id (a client)", minimum = 1)),
    request_body = SharesView,
    responses(
        (status = 200, description = "What the client now sees", body = SharesView),
        (status = 400, description = "A bad id or body, or the user is not a client", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No user has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_shares(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<SharesView>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<SharesView>, ApiError> {
    let body = json_body(body)?;
    let user = user_id(&state, &id).await?;
    let mut shares = Shares {
        accounts: body.account_ids,
        campaigns: body.campaign_ids,
    };
    shares.accounts.sort_unstable();
    shares.accounts.dedup();
    shares.campaigns.sort_unstable();
    shares.campaigns.dedup();
    people::set_shares(state.workspace(), Some(caller.email()), &user.email, &shares).await?;
    Ok(Json(SharesView {
        account_ids: shares.accounts,
        campaign_ids: shares.campaigns,
    }))
}

/// Lists the API tokens (never their secrets), revoked ones included, by id.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "people",
    params(PageParams),
    responses(
        (status = 200, description = "A page of tokens", body = TokenPage),
        (status = 400, description = "A bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_tokens(
    State(state): State<ApiState>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<TokenPage>, ApiError> {
    let limit = paging::limit(
        params::integer("limit", page.limit.as_deref())?,
        DEFAULT_LIMIT,
        MAX_LIMIT,
    )?;
    let tokens: Vec<TokenView> = people::api_tokens(state.workspace(), None)
        .await?
        .into_iter()
        .map(TokenView::from)
        .collect();
    let (items, next_cursor) = paging::page("tokens", tokens, |t| t.id, page.cursor.as_deref(), limit)?;
    Ok(Json(TokenPage { items, next_cursor }))
}

/// Makes an API token for a user, with a role no higher than theirs; answers its secret
/// this once.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "people",
    request_body = NewTokenBody,
    responses(
        (status = 201, description = "The token and its secret", body = NewToken),
        (status = 400, description = "A bad body, a role above the user's, or an empty name", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No user has this email", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_token(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<NewTokenBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let body = json_body(body)?;
    let (token, secret) = people::create_api_token(
        state.workspace(),
        Some(caller.email()),
        &body.email,
        body.role.into(),
        &body.name,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            token: token.into(),
            secret,
        }),
    ))
}

/// Revokes an API token: it is refused from now on.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "people",
    params(("id" = i64, Path, description = "The token id", minimum = 1)),
    responses(
        (status = 200, description = "The revoked token", body = TokenView),
        (status = 400, description = "A bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No live token has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn revoke_token(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<TokenView>, ApiError> {
    let id = params::id("id", Some(&id))?.unwrap_or_default();
    let token = people::revoke_api_token(state.workspace(), Some(caller.email()), id).await?;
    Ok(Json(token.into()))
}

/// The audit log, newest first (the newest 10000 lines): sign-ins (ok and failed), role
/// changes, invitations, token creation, use (at most once a minute per token) and
/// revocation, exports.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "people",
    params(PageParams),
    responses(
        (status = 200, description = "A page of the audit log", body = AuditPage),
        (status = 400, description = "A bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn audit_log(
    State(state): State<ApiState>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = paging::limit(
        params::integer("limit", page.limit.as_deref())?,
        DEFAULT_LIMIT,
        MAX_LIMIT,
    )?;
    let lines: Vec<AuditLine> = people::audit_log(state.workspace(), AUDIT_KEPT)
        .await?
        .into_iter()
        .map(AuditLine::from)
        .collect();
    let (items, next_cursor) = paging::page("audit", lines, |l| -l.id, page.cursor.as_deref(), limit)?;
    Ok(Json(AuditPage { items, next_cursor }))
}
