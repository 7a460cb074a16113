//! `/api/v1/spaces`, `/api/v1/pages` and the y-websocket endpoint
//! `/api/v1/docs/{page_id}/sync`: the wiki's tree, settings and sharing as
//! JSON, and its content as Yjs over a WebSocket.

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json as Reply;
use bureau_core::{Error, GroupId, UserId};
use bureau_docs::{Access, Destination, Grantee, Outgoing, PageView, SpaceView, Template};
use bureau_office::meter::Feature;
use bureau_store::{DocGrantRecord, PageChange, PageRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::meter::MeteredSocket;
use crate::AppState;

/// Largest sync message accepted: a pasted manual with its images' links.
pub const MAX_SYNC_MESSAGE: usize = 8 << 20;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(spaces, create_space))
        .routes(routes!(update_space))
        .routes(routes!(space_members, set_space_member))
        .routes(routes!(remove_space_member))
        .routes(routes!(space_pages))
        .routes(routes!(space_archive))
        .routes(routes!(create_page))
        .routes(routes!(recent))
        .routes(routes!(search_pages))
        .routes(routes!(favourites))
        .routes(routes!(page, update_page))
        .routes(routes!(move_page))
        .routes(routes!(archive_page))
        .routes(routes!(restore_page))
        .routes(routes!(duplicate_page))
        .routes(routes!(page_access, share_page))
        .routes(routes!(favourite, unfavourite))
        .routes(routes!(export))
        .routes(routes!(sync))
}

// ---- views -------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct SpaceJson {
    pub id: i64,
    pub name: String,
    pub icon: String,
    /// `personal` (the caller's own) or `team`.
    pub kind: String,
    /// `read` or `write` for members; `null` when the caller reaches only
    /// pages shared with them there.
    pub access: Option<String>,
    pub archived: bool,
}

impl From<SpaceView> for SpaceJson {
    fn from(view: SpaceView) -> SpaceJson {
        SpaceJson {
            id: view.space.id,
            name: view.space.name,
            icon: view.space.icon,
            kind: if view.space.owner_id.is_some() {
                "personal"
            } else {
                "team"
            }
            .into(),
            access: view.access.map(|a| a.as_str().into()),
            archived: view.space.archived_at.is_some(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PageSummary {
    pub id: i64,
    pub space_id: i64,
    /// `null` at the top (or when the caller may not read the parent).
    pub parent_id: Option<i64>,
    pub title: String,
    pub icon: String,
    /// `read` or `write`.
    pub access: String,
    pub restricted: bool,
    pub locked: bool,
    pub updated_at: String,
    /// `page`, or `database`: a table whose rows are the pages below it.
    pub kind: String,
}

/// What a page is: `page` or `database`.
pub(super) fn kind_of(page: &PageRecord) -> String {
    if page.database { "database" } else { "page" }.into()
}

impl PageSummary {
    pub(super) fn of(page: &PageRecord, access: Access) -> PageSummary {
        PageSummary {
            id: page.id,
            space_id: page.space_id,
            parent_id: page.parent_id,
            title: page.title.clone(),
            icon: page.icon.clone(),
            access: access.as_str().into(),
            restricted: page.restricted,
            locked: page.locked,
            updated_at: bureau_core::time::rfc3339(page.updated_at),
            kind: kind_of(page),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Crumb {
    pub id: i64,
    pub title: String,
    pub icon: String,
}

#[derive(Serialize, ToSchema)]
pub struct PageJson {
    pub id: i64,
    pub space_id: i64,
    pub parent_id: Option<i64>,
    pub title: String,
    pub icon: String,
    /// `read` or `write`: what the caller may do with the page.
    pub access: String,
    /// Whether the caller may change the content now (writes, and the
    /// page is neither locked nor archived).
    pub can_edit: bool,
    pub restricted: bool,
    /// Locked here or on a page above.
    pub locked: bool,
    /// Archived here or on a page above.
    pub archived: bool,
    /// The pages above it the caller may read, the top first.
    pub breadcrumbs: Vec<Crumb>,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: Option<i64>,
    /// The y-websocket endpoint of its content.
    pub sync_path: String,
    /// A template of its space (kept out of the tree).
    pub template: bool,
    /// `page`, or `database`: a table whose rows are the pages below it.
    pub kind: String,
}

impl From<PageView> for PageJson {
    fn from(view: PageView) -> PageJson {
        let can_edit = view.can_edit();
        let page = view.page;
        let kind = kind_of(&page);
        PageJson {
            id: page.id,
            space_id: page.space_id,
            parent_id: page.parent_id,
            title: page.title,
            icon: page.icon,
            access: view.access.as_str().into(),
            can_edit,
            restricted: page.restricted,
            locked: view.locked,
            archived: view.archived,
            breadcrumbs: view
                .breadcrumbs
                .into_iter()
                .map(|(id, title, icon)| Crumb { id, title, icon })
                .collect(),
            created_at: bureau_core::time::rfc3339(page.created_at),
            updated_at: bureau_core::time::rfc3339(page.updated_at),
            updated_by: page.updated_by.map(|u| u.0),
            sync_path: format!("/api/v1/docs/{}/sync", page.id),
            template: page.template,
            kind,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GrantJson {
    pub user_id: Option<i64>,
    pub group_id: Option<i64>,
    /// `read` or `write`.
    pub role: String,
}

impl From<DocGrantRecord> for GrantJson {
    fn from(grant: DocGrantRecord) -> GrantJson {
        GrantJson {
            user_id: grant.user_id.map(|u| u.0),
            group_id: grant.group_id,
            role: if grant.can_write { "write" } else { "read" }.into(),
        }
    }
}

// ---- requests ----------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpaceRequest {
    pub name: String,
    #[serde(default)]
    pub icon: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpaceChange {
    pub name: Option<String>,
    pub icon: Option<String>,
    pub archived: Option<bool>,
}

/// A person or a group, and what they may do: `read`, `write`, or `none`
/// to remove them.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocGrantRequest {
    pub user_id: Option<i64>,
    pub group_id: Option<i64>,
    pub role: String,
}

impl DocGrantRequest {
    fn parse(&self) -> Result<(Grantee, Option<Access>), Error> {
        let grantee = match (self.user_id, self.group_id) {
            (Some(user), None) => Grantee::User(UserId(user)),
            (None, Some(group)) => Grantee::Group(GroupId(group)),
            _ => {
                return Err(Error::invalid(
                    "user_id",
                    "name either a person (`user_id`) or a group (`group_id`)",
                ))
            }
        };
        let access =
            match self.role.as_str() {
                "none" => None,
                other => Some(Access::parse(other).ok_or_else(|| {
                    Error::invalid("role", "the role is `read`, `write` or `none`")
                })?),
            };
        Ok((grantee, access))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    pub space_id: i64,
    #[serde(default)]
    pub title: String,
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub icon: String,
    /// Starts from a built-in template: `procedure`, `meeting-notes` or
    /// `onboarding`.
    pub template: Option<String>,
    /// Starts as a copy of this page's content (a space's template).
    pub template_id: Option<i64>,
    /// The language of a built-in template, `en` or `fr`; the caller's
    /// when absent.
    pub lang: Option<String>,
    /// `page` (the default) or `database`: an empty table.
    pub kind: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageUpdate {
    pub title: Option<String>,
    pub icon: Option<String>,
    /// Only the people and groups it is shared with reach it.
    pub restricted: Option<bool>,
    /// Nobody edits the content until it is unlocked.
    pub locked: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// The destination space; the page's own when absent.
    pub space_id: Option<i64>,
    /// The new parent; `null` or absent for the top of the space.
    pub parent_id: Option<i64>,
    /// The place among the new siblings, 0 first; the end when absent.
    pub index: Option<usize>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `markdown` (the page alone), `zip` (the page and the pages below
    /// it as Markdown files, with their images and files) or, for a
    /// database, `csv` (its rows through the saved view).
    pub format: String,
}

// ---- spaces ------------------------------------------------------------------

/// The caller's spaces: their own, the team spaces they belong to, and
/// spaces where pages were shared with them.
#[utoipa::path(get, path = "/spaces", tag = "docs",
    responses((status = 200, body = [SpaceJson]), (status = 401, body = ErrorBody)))]
async fn spaces(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<SpaceJson>>> {
    let spaces = state.docs.spaces(&auth.principal).await?;
    Ok(Reply(spaces.into_iter().map(SpaceJson::from).collect()))
}

/// Makes a team space; the caller is its first member.
#[utoipa::path(post, path = "/spaces", tag = "docs", request_body = SpaceRequest,
    responses((status = 201, body = SpaceJson), (status = 422, body = ErrorBody)))]
async fn create_space(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<SpaceRequest>,
) -> ApiResult<(StatusCode, Reply<SpaceJson>)> {
    let space = state
        .docs
        .create_space(&auth.principal, &body.name, &body.icon)
        .await?;
    Ok((StatusCode::CREATED, Reply(space.into())))
}

/// Renames a space, changes its icon, archives or restores it.
#[utoipa::path(patch, path = "/spaces/{id}", tag = "docs", params(("id" = i64, Path)), request_body = SpaceChange,
    responses((status = 200, body = SpaceJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_space(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<SpaceChange>,
) -> ApiResult<Reply<SpaceJson>> {
    let space = state
        .docs
        .update_space(
            &auth.principal,
            id,
            body.name.as_deref(),
            body.icon.as_deref(),
            body.archived,
        )
        .await?;
    Ok(Reply(space.into()))
}

/// A team space's members.
#[utoipa::path(get, path = "/spaces/{id}/members", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = [GrantJson]), (status = 404, body = ErrorBody)))]
async fn space_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<GrantJson>>> {
    let members = state.docs.members(&auth.principal, id).await?;
    Ok(Reply(members.into_iter().map(GrantJson::from).collect()))
}

/// Adds a member to a team space, changes their role, or removes them
/// (`"role": "none"`).
#[utoipa::path(post, path = "/spaces/{id}/members", tag = "docs", params(("id" = i64, Path)), request_body = DocGrantRequest,
    responses((status = 200, body = [GrantJson]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_space_member(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<DocGrantRequest>,
) -> ApiResult<Reply<Vec<GrantJson>>> {
    let (who, access) = body.parse()?;
    state
        .docs
        .set_member(&auth.principal, id, who, access)
        .await?;
    space_members(State(state), auth, Path(id)).await
}

/// Removes a person from a team space.
#[utoipa::path(delete, path = "/spaces/{id}/members/{user_id}", tag = "docs",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_space_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, user)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .docs
        .set_member(&auth.principal, id, Grantee::User(UserId(user)), None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The pages of a space the caller may read, in tree order among
/// siblings; archived pages are left out.
#[utoipa::path(get, path = "/spaces/{id}/pages", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = [PageSummary]), (status = 404, body = ErrorBody)))]
async fn space_pages(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<PageSummary>>> {
    let pages = state.docs.tree(&auth.principal, id).await?;
    Ok(Reply(
        pages
            .iter()
            .map(|(page, access)| PageSummary::of(page, *access))
            .collect(),
    ))
}

/// The archived pages of a space that the caller may restore.
#[utoipa::path(get, path = "/spaces/{id}/archive", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = [PageSummary]), (status = 404, body = ErrorBody)))]
async fn space_archive(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<PageSummary>>> {
    let pages = state.docs.archived(&auth.principal, id).await?;
    Ok(Reply(
        pages
            .iter()
            .map(|page| PageSummary::of(page, Access::Write))
            .collect(),
    ))
}

// ---- pages -------------------------------------------------------------------

/// Makes a page in a space, at the top or under `parent_id`.
#[utoipa::path(post, path = "/pages", tag = "docs", request_body = PageRequest,
    responses((status = 201, body = PageJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_page(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<PageRequest>,
) -> ApiResult<(StatusCode, Reply<PageJson>)> {
    match body.kind.as_deref() {
        None | Some("page") => {}
        Some("database") => {
            if body.template.is_some() || body.template_id.is_some() {
                return Err(
                    Error::invalid("kind", "a database starts empty, not from a template").into(),
                );
            }
            let page = state
                .docs
                .create_database(
                    &auth.principal,
                    body.space_id,
                    body.parent_id,
                    &body.title,
                    &body.icon,
                )
                .await?;
            return Ok((StatusCode::CREATED, Reply(page.into())));
        }
        Some(_) => {
            return Err(Error::invalid("kind", "a page is of kind `page` or `database`").into())
        }
    }
    let french = match &body.template {
        Some(_) => super::doc_history::french(&state, &auth, body.lang.as_deref()).await?,
        None => false,
    };
    let template = match (body.template.as_deref(), body.template_id) {
        (None, None) => None,
        (Some(key), None) => Some(Template::Builtin { key, french }),
        (None, Some(id)) => Some(Template::Page(id)),
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "template",
                "start from either a built-in `template` or a `template_id`",
            )
            .into())
        }
    };
    let page = state
        .docs
        .create_page(
            &auth.principal,
            body.space_id,
            body.parent_id,
            &body.title,
            &body.icon,
            template,
        )
        .await?;
    Ok((StatusCode::CREATED, Reply(page.into())))
}

/// A page's settings and place (its content comes over the sync socket).
/// Counts as a visit for "recently viewed".
#[utoipa::path(get, path = "/pages/{id}", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = PageJson), (status = 404, body = ErrorBody)))]
async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<PageJson>> {
    let page = state.docs.page(&auth.principal, id).await?;
    state.docs.viewed(&auth.principal, id).await?;
    Ok(Reply(page.into()))
}

/// Renames a page, sets its icon, restricts or locks it.
#[utoipa::path(patch, path = "/pages/{id}", tag = "docs", params(("id" = i64, Path)), request_body = PageUpdate,
    responses((status = 200, body = PageJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<PageUpdate>,
) -> ApiResult<Reply<PageJson>> {
    let change = PageChange {
        title: body.title.as_deref(),
        icon: body.icon.as_deref(),
        restricted: body.restricted,
        locked: body.locked,
        ..PageChange::default()
    };
    let page = state.docs.update_page(&auth.principal, id, change).await?;
    Ok(Reply(page.into()))
}

/// Moves a page (with the pages below it) under another page, to the top
/// of a space, or among its siblings.
#[utoipa::path(post, path = "/pages/{id}/move", tag = "docs", params(("id" = i64, Path)), request_body = MoveRequest,
    responses((status = 200, body = PageJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn move_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<MoveRequest>,
) -> ApiResult<Reply<PageJson>> {
    let current = state.docs.page(&auth.principal, id).await?;
    let to = Destination {
        space: body.space_id.unwrap_or(current.page.space_id),
        parent: body.parent_id,
        index: body.index.unwrap_or(usize::MAX),
    };
    let page = state.docs.move_page(&auth.principal, id, to).await?;
    Ok(Reply(page.into()))
}

/// Archives a page and the pages below it.
#[utoipa::path(post, path = "/pages/{id}/archive", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = PageJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn archive_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<PageJson>> {
    Ok(Reply(
        state
            .docs
            .set_archived(&auth.principal, id, true)
            .await?
            .into(),
    ))
}

/// Brings an archived page (and the pages below it) back into the tree.
#[utoipa::path(post, path = "/pages/{id}/restore", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = PageJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn restore_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<PageJson>> {
    Ok(Reply(
        state
            .docs
            .set_archived(&auth.principal, id, false)
            .await?
            .into(),
    ))
}

/// Copies a page with its content and sub-pages, next to it.
#[utoipa::path(post, path = "/pages/{id}/duplicate", tag = "docs", params(("id" = i64, Path)),
    responses((status = 201, body = PageJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn duplicate_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Reply<PageJson>)> {
    let me = state.accounts.me(&auth.principal).await?;
    let suffix = match me.locale {
        bureau_core::Locale::Fr => "(copie)",
        bureau_core::Locale::En => "(copy)",
    };
    let page = state.docs.duplicate(&auth.principal, id, suffix).await?;
    Ok((StatusCode::CREATED, Reply(page.into())))
}

/// Who a page is shared with, beyond its space's members.
#[utoipa::path(get, path = "/pages/{id}/access", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = [GrantJson]), (status = 404, body = ErrorBody)))]
async fn page_access(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<GrantJson>>> {
    let grants = state.docs.page_grants(&auth.principal, id).await?;
    Ok(Reply(grants.into_iter().map(GrantJson::from).collect()))
}

/// Shares a page (and the pages below it) with a person or group, guests
/// included, or stops (`"role": "none"`).
#[utoipa::path(post, path = "/pages/{id}/access", tag = "docs", params(("id" = i64, Path)), request_body = DocGrantRequest,
    responses((status = 200, body = [GrantJson]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn share_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<DocGrantRequest>,
) -> ApiResult<Reply<Vec<GrantJson>>> {
    let (with, access) = body.parse()?;
    state
        .docs
        .share_page(&auth.principal, id, with, access)
        .await?;
    page_access(State(state), auth, Path(id)).await
}

/// Stars a page.
#[utoipa::path(put, path = "/pages/{id}/favourite", tag = "docs", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn favourite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.docs.set_favourite(&auth.principal, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unstars a page.
#[utoipa::path(delete, path = "/pages/{id}/favourite", tag = "docs", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unfavourite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.docs.set_favourite(&auth.principal, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The pages the caller opened lately, latest first.
#[utoipa::path(get, path = "/pages/recent", tag = "docs",
    responses((status = 200, body = [PageJson])))]
async fn recent(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<PageJson>>> {
    let pages = state.docs.recent(&auth.principal, 12).await?;
    Ok(Reply(pages.into_iter().map(PageJson::from).collect()))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageSearchQuery {
    /// Words to find in titles and text (French and English forms, and
    /// the start of words).
    pub q: String,
    /// Only in this space.
    pub space_id: Option<i64>,
    /// At most this many pages, 1 to 50; 20 when absent.
    pub limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct PageSearchHit {
    pub page: PageJson,
    /// A piece of the page's text around the first match.
    pub snippet: String,
    /// Where the searched words are in `snippet`, as `[start, end)` pairs
    /// of UTF-16 offsets (JavaScript string indices).
    pub highlights: Vec<[usize; 2]>,
}

/// Pages the caller may read whose title or text holds every word, best
/// first.
#[utoipa::path(get, path = "/pages/search", tag = "docs", params(PageSearchQuery),
    responses((status = 200, body = [PageSearchHit]), (status = 422, body = ErrorBody)))]
async fn search_pages(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<PageSearchQuery>,
) -> ApiResult<Reply<Vec<PageSearchHit>>> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(Error::invalid("limit", "the limit is between 1 and 50").into());
    }
    let hits = state
        .docs
        .search(&auth.principal, &query.q, query.space_id, limit)
        .await?;
    let utf16 = |text: &str, byte: usize| text[..byte].encode_utf16().count();
    Ok(Reply(
        hits.into_iter()
            .map(|hit| PageSearchHit {
                highlights: hit
                    .highlights
                    .iter()
                    .map(|(a, b)| [utf16(&hit.snippet, *a), utf16(&hit.snippet, *b)])
                    .collect(),
                snippet: hit.snippet,
                page: hit.view.into(),
            })
            .collect(),
    ))
}

/// The caller's favourite pages.
#[utoipa::path(get, path = "/pages/favourites", tag = "docs",
    responses((status = 200, body = [PageJson])))]
async fn favourites(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<PageJson>>> {
    let pages = state.docs.favourites(&auth.principal).await?;
    Ok(Reply(pages.into_iter().map(PageJson::from).collect()))
}

/// The page's content as a Markdown file, or with the pages below it as
/// a ZIP.
#[utoipa::path(get, path = "/pages/{id}/export", tag = "docs", params(("id" = i64, Path), ExportQuery),
    responses((status = 200, content_type = "text/markdown"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(query): Query<ExportQuery>,
) -> ApiResult<Response> {
    match query.format.as_str() {
        "markdown" => {}
        "zip" => {
            let view = state.docs.page(&auth.principal, id).await?;
            let space = view.page.space_id;
            return super::doc_transfer::archive(state, auth, space, Some(id)).await;
        }
        "csv" => {
            let (view, bytes) = state.docs.table_csv(&auth.principal, id).await?;
            let name = format!("{}.csv", file_stem(&view.page.title, id));
            return Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        super::content_disposition("attachment", &name),
                    ),
                ],
                bytes,
            )
                .into_response());
        }
        _ => {
            return Err(Error::invalid(
                "format",
                "pages export as `markdown`, `zip` or (databases) `csv`",
            )
            .into())
        }
    }
    let (view, text) = state.docs.export_markdown(&auth.principal, id).await?;
    let name = format!("{}.md", file_stem(&view.page.title, id));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                super::content_disposition("attachment", &name),
            ),
        ],
        text,
    )
        .into_response())
}

/// A page's title as a file name, without its extension.
fn file_stem(title: &str, id: i64) -> String {
    if title.is_empty() {
        format!("page-{id}")
    } else {
        title.replace(['/', '\\'], "-")
    }
}

// ---- live content --------------------------------------------------------------

/// The page's content over the y-websocket protocol: binary frames, each a
/// sync (step 1, step 2, update) or awareness message. Readers receive
/// everything and their edits are refused; anyone who may not read the
/// page is refused before the upgrade, so no state reaches them.
#[utoipa::path(get, path = "/docs/{page_id}/sync", tag = "docs", params(("page_id" = i64, Path)),
    responses((status = 101, description = "WebSocket upgrade"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn sync(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(page_id): Path<i64>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    if auth.csrf_token.is_some() && !crate::realtime::same_origin(&headers, &state) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_origin",
            "this WebSocket was opened from another site",
        ));
    }
    // Read before the check: a change of rights while it runs closes the
    // connection at once (see Rooms::join).
    let rights = state.docs.rooms.rights();
    let view = state.docs.page(&auth.principal, page_id).await?;
    let upgrade = upgrade.map_err(|rejection| {
        ApiError::new(rejection.status(), "not_websocket", rejection.body_text())
    })?;
    let user = auth.principal.user_id;
    let who = bureau_docs::Who {
        user,
        credential: auth.principal.credential,
    };
    let session = state.docs.rooms.join(
        view.page.id,
        view.page.space_id,
        who,
        view.can_edit(),
        rights,
    );
    Ok(upgrade
        .max_message_size(MAX_SYNC_MESSAGE)
        // Editors send small updates; tungstenite's default 128 KiB read
        // buffer per socket would be most of an open page's memory. Larger
        // messages (a paste) are still read whole, in more reads.
        .read_buffer_size(8 * 1024)
        .max_frame_size(MAX_SYNC_MESSAGE)
        .on_upgrade(move |socket| {
            let socket = MeteredSocket::new(socket, &state, Some(user), Feature::Docs);
            serve(socket, session)
        }))
}

/// Carries frames between the socket and the page's room until either
/// side ends.
async fn serve(mut socket: MeteredSocket, mut session: bureau_docs::Session) {
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(WsMessage::Binary(bytes))) => {
                    if !session.receive(bytes.to_vec()).await {
                        break;
                    }
                }
                Some(Ok(WsMessage::Text(_))) => {
                    let _ = socket.send(close(bureau_docs::CLOSE_MALFORMED, "the y-websocket protocol sends binary frames")).await;
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            outgoing = session.outgoing.recv() => match outgoing {
                Some(Outgoing::Frame(frame)) => {
                    if socket.send(WsMessage::Binary(frame.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close { code, reason }) => {
                    let _ = socket.send(close(code, &reason)).await;
                    break;
                }
                None => {
                    let _ = socket.send(close(bureau_docs::CLOSE_RETRY, "reconnect")).await;
                    break;
                }
            },
        }
    }
}

fn close(code: u16, reason: &str) -> WsMessage {
    WsMessage::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
