//! `/api/v1/office/tools`: the company's other tools, who needs them, and
//! whether the server reaches them. Admins keep the catalogue and run the
//! checks; a member lists the tools they need (their launcher).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json as Reply;
use bureau_core::{GroupId, UserId};
use bureau_store::{ToolFields, ToolRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tools, create_tool))
        .routes(routes!(update_tool, delete_tool))
        .routes(routes!(check_tool))
        .routes(routes!(check_all_tools))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolRequest {
    pub name: String,
    /// `http://` or `https://`.
    pub url: String,
    /// CRM, accounting, invoicing, development...
    #[serde(default)]
    pub category: String,
    /// `saas` or `self_hosted`.
    pub hosting: String,
    /// How people reach it from home: `direct`, `vpn` or `none`.
    pub access: String,
    #[serde(default)]
    pub notes: String,
    /// Everyone needs it.
    #[serde(default)]
    pub everyone: bool,
    /// People who need it.
    #[serde(default)]
    pub users: Vec<i64>,
    /// Groups whose members need it.
    #[serde(default)]
    pub groups: Vec<i64>,
}

impl From<ToolRequest> for ToolFields {
    fn from(t: ToolRequest) -> Self {
        ToolFields {
            name: t.name,
            url: t.url,
            category: t.category,
            hosting: t.hosting,
            access: t.access,
            notes: t.notes,
            everyone: t.everyone,
            users: t.users.into_iter().map(UserId).collect(),
            groups: t.groups.into_iter().map(GroupId).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ToolJson {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub category: String,
    pub hosting: String,
    pub access: String,
    pub notes: String,
    pub everyone: bool,
    pub users: Vec<i64>,
    pub groups: Vec<i64>,
    pub last_check_at: Option<i64>,
    /// `reachable`, `unreachable` or `refused` (an address the check may
    /// not visit); absent before the first check.
    pub last_status: Option<String>,
    /// What the check saw ("HTTP 200", "no answer within 5 s"...).
    pub last_detail: String,
}

impl From<ToolRecord> for ToolJson {
    fn from(t: ToolRecord) -> Self {
        let f = t.fields;
        ToolJson {
            id: t.id,
            name: f.name,
            url: f.url,
            category: f.category,
            hosting: f.hosting,
            access: f.access,
            notes: f.notes,
            everyone: f.everyone,
            users: f.users.iter().map(|u| u.0).collect(),
            groups: f.groups.iter().map(|g| g.0).collect(),
            last_check_at: t.last_check_at,
            last_status: t.last_status,
            last_detail: t.last_detail,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ToolsJson {
    pub tools: Vec<ToolJson>,
    /// Tools people reach from home (a way in, and the last check reached
    /// them), against all tools: the goal is 100 %.
    pub reachable_remotely: usize,
    pub total: usize,
}

fn listing(tools: Vec<ToolRecord>) -> ToolsJson {
    let reachable_remotely = tools
        .iter()
        .filter(|t| t.fields.access != "none" && t.last_status.as_deref() == Some("reachable"))
        .count();
    ToolsJson {
        total: tools.len(),
        reachable_remotely,
        tools: tools.into_iter().map(Into::into).collect(),
    }
}

/// The catalogue (admins) or the caller's launcher (members).
#[utoipa::path(get, path = "/office/tools", tag = "office",
    responses((status = 200, body = ToolsJson), (status = 401, body = ErrorBody)))]
async fn list_tools(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<ToolsJson>> {
    Ok(Reply(listing(state.office.tools(&auth.principal).await?)))
}

/// Adds a tool (admins).
#[utoipa::path(post, path = "/office/tools", tag = "office", request_body = ToolRequest,
    responses((status = 201, body = ToolJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_tool(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<ToolRequest>,
) -> ApiResult<(StatusCode, Reply<ToolJson>)> {
    let tool = state
        .office
        .create_tool(&auth.principal, body.into())
        .await?;
    Ok((StatusCode::CREATED, Reply(tool.into())))
}

/// Replaces a tool's fields (admins); a new address forgets the last check.
#[utoipa::path(put, path = "/office/tools/{id}", tag = "office", params(("id" = i64, Path)),
    request_body = ToolRequest,
    responses((status = 200, body = ToolJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_tool(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<ToolRequest>,
) -> ApiResult<Reply<ToolJson>> {
    let tool = state
        .office
        .update_tool(&auth.principal, id, body.into())
        .await?;
    Ok(Reply(tool.into()))
}

/// Removes a tool (admins).
#[utoipa::path(delete, path = "/office/tools/{id}", tag = "office", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_tool(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.office.delete_tool(&auth.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks a tool's address now (admins): at most 5 s, public addresses
/// only unless the admin allowed a network.
#[utoipa::path(post, path = "/office/tools/{id}/check", tag = "office", params(("id" = i64, Path)),
    responses((status = 200, body = ToolJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn check_tool(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<ToolJson>> {
    let tool = state.office.check_tool_now(&auth.principal, id).await?;
    Ok(Reply(tool.into()))
}

/// Checks every tool now (admins).
#[utoipa::path(post, path = "/office/tools/check", tag = "office",
    responses((status = 200, body = ToolsJson), (status = 403, body = ErrorBody)))]
async fn check_all_tools(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<ToolsJson>> {
    Ok(Reply(listing(
        state.office.check_all_tools(&auth.principal).await?,
    )))
}
