//! `/api/v1` endpoints of accounts: setup, login, the person's own account,
//! the directory, administration, invitations, groups and the audit log.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json as Reply;
use bureau_accounts::{AdminChange, LoggedIn, NewAccount, ProfileChange};
use bureau_core::{GroupId, InvitationId, SessionId, TokenId, UserId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::*;
use crate::auth::{cleared_cookies, session_cookies, Auth, Origin};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Json, Path, Query};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(setup_status, complete_setup))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me, update_me))
        .routes(routes!(change_password))
        .routes(routes!(set_avatar))
        .routes(routes!(set_status, clear_status))
        .routes(routes!(my_sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(my_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(users))
        .routes(routes!(user, administer_user))
        .routes(routes!(avatar))
        .routes(routes!(reset_password))
        .routes(routes!(invitations, create_invitation))
        .routes(routes!(revoke_invitation))
        .routes(routes!(lookup_invitation))
        .routes(routes!(accept_invitation))
        .routes(routes!(groups, create_group))
        .routes(routes!(delete_group))
        .routes(routes!(add_group_member, remove_group_member))
        .routes(routes!(audit_log))
}

#[derive(serde::Serialize, ToSchema)]
pub struct SetupStatus {
    /// True while the office has nobody: the setup link creates the first admin.
    pub needed: bool,
}

#[utoipa::path(get, path = "/setup", tag = "accounts",
    responses((status = 200, body = SetupStatus)))]
async fn setup_status(State(state): State<AppState>) -> ApiResult<Reply<SetupStatus>> {
    let needed = state.accounts.setup_needed().await?;
    Ok(Reply(SetupStatus { needed }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountRequest {
    /// The setup or invitation secret from the link.
    pub token: String,
    pub name: String,
    pub display_name: String,
    pub password: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub locale: Option<LocaleDto>,
}

impl NewAccountRequest {
    fn account(&self) -> NewAccount<'_> {
        NewAccount {
            name: &self.name,
            display_name: &self.display_name,
            password: &self.password,
            email: self.email.as_deref(),
            locale: self.locale.unwrap_or(LocaleDto::En).into(),
        }
    }
}

/// Creates the first admin with the one-time setup secret, and logs them in.
#[utoipa::path(post, path = "/setup", tag = "accounts", request_body = NewAccountRequest,
    responses((status = 201, body = MeView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complete_setup(
    State(state): State<AppState>,
    Origin(client): Origin,
    Json(body): Json<NewAccountRequest>,
) -> ApiResult<Response> {
    let logged_in = state
        .accounts
        .complete_setup(&body.token, body.account(), &client)
        .await?;
    Ok(logged_in_response(&state, logged_in, StatusCode::CREATED))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub name: String,
    pub password: String,
}

/// Logs in with name and password; sets the session cookie.
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    Origin(client): Origin,
    Json(body): Json<LoginRequest>,
) -> ApiResult<Response> {
    let logged_in = state
        .accounts
        .login(&body.name, &body.password, &client)
        .await?;
    Ok(logged_in_response(&state, logged_in, StatusCode::OK))
}

fn logged_in_response(state: &AppState, logged_in: LoggedIn, status: StatusCode) -> Response {
    let [session, csrf] = session_cookies(
        &logged_in.secret,
        &logged_in.session.csrf_token,
        state.config.secure_cookies(),
    );
    let me = MeView {
        user: UserView::from(&logged_in.user),
        csrf_token: Some(logged_in.session.csrf_token.clone()),
    };
    (
        status,
        AppendHeaders([(header::SET_COOKIE, session), (header::SET_COOKIE, csrf)]),
        Reply(me),
    )
        .into_response()
}

/// Ends the current session and clears its cookies.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts",
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(State(state): State<AppState>, auth: Auth) -> ApiResult<Response> {
    state.accounts.logout(&auth.principal).await?;
    let [session, csrf] = cleared_cookies(state.config.secure_cookies());
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(header::SET_COOKIE, session), (header::SET_COOKIE, csrf)]),
    )
        .into_response())
}

/// The signed-in person.
#[utoipa::path(get, path = "/me", tag = "accounts",
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<MeView>> {
    let user = state.accounts.me(&auth.principal).await?;
    Ok(Reply(MeView {
        user: UserView::from(&user),
        csrf_token: auth.csrf_token,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    /// A new address, or `null` to remove it; absent leaves it as it is.
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    pub locale: Option<LocaleDto>,
}

fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Changes the person's display name, email or language.
#[utoipa::path(patch, path = "/me", tag = "accounts", request_body = ProfileUpdate,
    responses((status = 200, body = UserView), (status = 422, body = ErrorBody)))]
async fn update_me(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<ProfileUpdate>,
) -> ApiResult<Reply<UserView>> {
    let change = ProfileChange {
        display_name: body.display_name.as_deref(),
        email: body.email.as_ref().map(|e| e.as_deref()),
        locale: body.locale.map(Into::into),
    };
    let user = state
        .accounts
        .update_profile(&auth.principal, change)
        .await?;
    Ok(Reply(UserView::from(&user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the person's password; their other sessions end.
#[utoipa::path(put, path = "/me/password", tag = "accounts", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    Origin(client): Origin,
    Json(body): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    state
        .accounts
        .change_password(
            &auth.principal,
            &body.current_password,
            &body.new_password,
            &client,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub emoji: String,
    /// When it ends (RFC 3339, in the future); absent: until changed.
    pub until: Option<String>,
}

/// Sets the person's status: "In a meeting", "Focus, until 14:00".
#[utoipa::path(put, path = "/me/status", tag = "accounts", request_body = StatusRequest,
    responses((status = 200, body = UserView), (status = 422, body = ErrorBody)))]
async fn set_status(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<StatusRequest>,
) -> ApiResult<Reply<UserView>> {
    let until = match body.until.as_deref() {
        None => None,
        Some(text) => Some(bureau_core::time::parse_rfc3339(text).ok_or_else(|| {
            crate::error::ApiError::from(bureau_core::Error::invalid(
                "until",
                "`until` is a time like 2026-11-29T14:00:00.000Z",
            ))
        })?),
    };
    let status = bureau_store::StatusRecord {
        text: body.text.trim().to_string(),
        emoji: body.emoji.trim().to_string(),
        until,
    };
    let user = state
        .accounts
        .set_status(&auth.principal, Some(status))
        .await?;
    Ok(Reply(UserView::from(&user)))
}

#[utoipa::path(delete, path = "/me/status", tag = "accounts",
    responses((status = 200, body = UserView)))]
async fn clear_status(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<UserView>> {
    let user = state.accounts.set_status(&auth.principal, None).await?;
    Ok(Reply(UserView::from(&user)))
}

/// Sets the person's picture: the raw bytes of a PNG, JPEG, WebP or GIF.
#[utoipa::path(put, path = "/me/avatar", tag = "accounts",
    request_body(content = Vec<u8>, content_type = "image/*"),
    responses((status = 200, body = UserView), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_avatar(
    State(state): State<AppState>,
    auth: Auth,
    Body(bytes): Body,
) -> ApiResult<Reply<UserView>> {
    let user = state
        .accounts
        .set_avatar(&auth.principal, bytes.to_vec())
        .await?;
    Ok(Reply(UserView::from(&user)))
}

/// Someone's picture.
#[utoipa::path(get, path = "/users/{id}/avatar", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/*"), (status = 404, body = ErrorBody)))]
async fn avatar(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (bytes, media_type) = state.accounts.avatar(&auth.principal, UserId(id)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        bytes,
    )
        .into_response())
}

/// The person's live sessions, newest first.
#[utoipa::path(get, path = "/me/sessions", tag = "accounts",
    responses((status = 200, body = Vec<SessionView>)))]
async fn my_sessions(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Reply<Vec<SessionView>>> {
    let current = match auth.principal.credential {
        bureau_core::Credential::Session(id) => Some(id),
        bureau_core::Credential::Token(_) | bureau_core::Credential::Password => None,
    };
    let sessions = state.accounts.sessions(&auth.principal).await?;
    Ok(Reply(
        sessions
            .iter()
            .map(|s| SessionView::new(s, Some(s.id) == current))
            .collect(),
    ))
}

/// Ends one of the person's sessions (a lost phone, a shared computer).
#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_session(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .accounts
        .revoke_session(&auth.principal, SessionId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The person's API tokens (never their secrets).
#[utoipa::path(get, path = "/me/tokens", tag = "accounts",
    responses((status = 200, body = Vec<TokenView>)))]
async fn my_tokens(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<TokenView>>> {
    let tokens = state.accounts.tokens(&auth.principal).await?;
    Ok(Reply(tokens.iter().map(TokenView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    pub name: String,
    /// Days until it expires, 1 to 3650; absent for never.
    pub expires_in_days: Option<u32>,
}

#[derive(serde::Serialize, ToSchema)]
pub struct NewTokenResponse {
    pub token: TokenView,
    /// The secret, shown only in this response.
    pub secret: String,
}

/// Creates an API token; its secret is shown once.
#[utoipa::path(post, path = "/me/tokens", tag = "accounts", request_body = NewTokenRequest,
    responses((status = 201, body = NewTokenResponse), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    auth: Auth,
    Origin(client): Origin,
    Json(body): Json<NewTokenRequest>,
) -> ApiResult<(StatusCode, Reply<NewTokenResponse>)> {
    let (token, secret) = state
        .accounts
        .create_token(&auth.principal, &body.name, body.expires_in_days, &client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Reply(NewTokenResponse {
            token: TokenView::from(&token),
            secret,
        }),
    ))
}

#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    Origin(client): Origin,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .accounts
        .revoke_token(&auth.principal, TokenId(id), &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The office directory (members and admins).
#[utoipa::path(get, path = "/users", tag = "accounts",
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
async fn users(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<UserView>>> {
    let users = state.accounts.users(&auth.principal).await?;
    Ok(Reply(users.iter().map(UserView::from).collect()))
}

#[utoipa::path(get, path = "/users/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
async fn user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<UserView>> {
    let user = state.accounts.user(&auth.principal, UserId(id)).await?;
    Ok(Reply(UserView::from(&user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminUpdate {
    pub role: Option<RoleDto>,
    /// `false` deactivates: their sessions and tokens end at once.
    pub active: Option<bool>,
}

/// Changes someone's role, or deactivates or reactivates them (admins).
#[utoipa::path(patch, path = "/users/{id}", tag = "admin", request_body = AdminUpdate,
    params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn administer_user(
    State(state): State<AppState>,
    auth: Auth,
    Origin(client): Origin,
    Path(id): Path<i64>,
    Json(body): Json<AdminUpdate>,
) -> ApiResult<Reply<UserView>> {
    let change = AdminChange {
        role: body.role.map(Into::into),
        active: body.active,
    };
    let user = state
        .accounts
        .administer(&auth.principal, UserId(id), change, &client)
        .await?;
    Ok(Reply(UserView::from(&user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

/// Sets a new password for someone (admins); their sessions end.
#[utoipa::path(put, path = "/users/{id}/password", tag = "admin", request_body = PasswordReset,
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody)))]
async fn reset_password(
    State(state): State<AppState>,
    auth: Auth,
    Origin(client): Origin,
    Path(id): Path<i64>,
    Json(body): Json<PasswordReset>,
) -> ApiResult<StatusCode> {
    state
        .accounts
        .reset_password(&auth.principal, UserId(id), &body.password, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every invitation, newest first (admins).
#[utoipa::path(get, path = "/invitations", tag = "admin",
    responses((status = 200, body = Vec<InvitationView>), (status = 403, body = ErrorBody)))]
async fn invitations(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Reply<Vec<InvitationView>>> {
    let invitations = state.accounts.invitations(&auth.principal).await?;
    Ok(Reply(
        invitations.iter().map(InvitationView::from).collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationRequest {
    pub role: RoleDto,
    #[serde(default)]
    pub note: String,
    /// Hours the link stays valid, 1 to 2160; 72 when absent.
    pub expires_in_hours: Option<u32>,
}

#[derive(serde::Serialize, ToSchema)]
pub struct NewInvitationResponse {
    pub invitation: InvitationView,
    /// The link to send; its secret is shown only in this response.
    pub url: String,
    pub token: String,
}

/// Creates a single-use invitation link (admins).
#[utoipa::path(post, path = "/invitations", tag = "admin", request_body = NewInvitationRequest,
    responses((status = 201, body = NewInvitationResponse), (status = 403, body = ErrorBody)))]
async fn create_invitation(
    State(state): State<AppState>,
    auth: Auth,
    Origin(client): Origin,
    Json(body): Json<NewInvitationRequest>,
) -> ApiResult<(StatusCode, Reply<NewInvitationResponse>)> {
    let (invitation, token) = state
        .accounts
        .invite(
            &auth.principal,
            body.role.into(),
            &body.note,
            body.expires_in_hours.unwrap_or(72),
            &client,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Reply(NewInvitationResponse {
            invitation: InvitationView::from(&invitation),
            url: state.config.link("invite", &token),
            token,
        }),
    ))
}

#[utoipa::path(delete, path = "/invitations/{id}", tag = "admin",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_invitation(
    State(state): State<AppState>,
    auth: Auth,
    Origin(client): Origin,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .accounts
        .revoke_invitation(&auth.principal, InvitationId(id), &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TokenQuery {
    pub token: String,
}

#[derive(serde::Serialize, ToSchema)]
pub struct InvitationOffer {
    pub role: RoleDto,
    pub expires_at: String,
}

/// What an invitation link offers, before accepting it. No login needed.
#[utoipa::path(get, path = "/invitations/lookup", tag = "accounts", params(TokenQuery),
    responses((status = 200, body = InvitationOffer), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn lookup_invitation(
    State(state): State<AppState>,
    Origin(client): Origin,
    Query(query): Query<TokenQuery>,
) -> ApiResult<Reply<InvitationOffer>> {
    let invitation = state.accounts.invitation(&query.token, &client).await?;
    Ok(Reply(InvitationOffer {
        role: invitation.role.into(),
        expires_at: bureau_core::time::rfc3339(invitation.expires_at),
    }))
}

/// Accepts an invitation: creates the account and logs it in.
#[utoipa::path(post, path = "/invitations/accept", tag = "accounts", request_body = NewAccountRequest,
    responses((status = 201, body = MeView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn accept_invitation(
    State(state): State<AppState>,
    Origin(client): Origin,
    Json(body): Json<NewAccountRequest>,
) -> ApiResult<Response> {
    let logged_in = state
        .accounts
        .accept_invitation(&body.token, body.account(), &client)
        .await?;
    Ok(logged_in_response(&state, logged_in, StatusCode::CREATED))
}

#[utoipa::path(get, path = "/groups", tag = "accounts",
    responses((status = 200, body = Vec<GroupView>), (status = 403, body = ErrorBody)))]
async fn groups(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<GroupView>>> {
    let groups = state.accounts.groups(&auth.principal).await?;
    Ok(Reply(groups.iter().map(GroupView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroupRequest {
    pub name: String,
}

#[utoipa::path(post, path = "/groups", tag = "admin", request_body = NewGroupRequest,
    responses((status = 201, body = GroupView), (status = 409, body = ErrorBody)))]
async fn create_group(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewGroupRequest>,
) -> ApiResult<(StatusCode, Reply<GroupView>)> {
    let group = state
        .accounts
        .create_group(&auth.principal, &body.name)
        .await?;
    Ok((StatusCode::CREATED, Reply(GroupView::from(&group))))
}

#[utoipa::path(delete, path = "/groups/{id}", tag = "admin",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_group(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .accounts
        .delete_group(&auth.principal, GroupId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/groups/{id}/members/{user_id}", tag = "admin",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn add_group_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((group, user)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .accounts
        .set_group_member(&auth.principal, GroupId(group), UserId(user), true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/groups/{id}/members/{user_id}", tag = "admin",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn remove_group_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((group, user)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .accounts
        .set_group_member(&auth.principal, GroupId(group), UserId(user), false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only entries older than this id (for the next page).
    pub before: Option<i64>,
    /// Page size, 1 to 500; 100 when absent.
    pub limit: Option<i64>,
}

/// The security audit log, newest first (admins).
#[utoipa::path(get, path = "/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = Vec<AuditView>), (status = 403, body = ErrorBody)))]
async fn audit_log(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Reply<Vec<AuditView>>> {
    let entries = state
        .accounts
        .audit_log(&auth.principal, query.before, query.limit.unwrap_or(100))
        .await?;
    Ok(Reply(entries.iter().map(AuditView::from).collect()))
}
