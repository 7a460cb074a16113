//! Around a page's content: versions, comment threads, the public
//! read-only link (and what it shows to people without an account), and
//! templates.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json as Reply;
use bureau_core::{Error, Locale, UserId};
use bureau_docs::{NewComment, BUILTIN_TEMPLATES, MAX_ATTACHMENT_BYTES};
use bureau_store::{DocAttachmentRecord, DocCommentRecord, DocVersionRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::docs::{Crumb, PageJson, PageSummary};
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(page_versions, save_page_version))
        .routes(routes!(page_version))
        .routes(routes!(restore_page_version))
        .routes(routes!(comments, post_comment))
        .routes(routes!(change_comment, delete_comment))
        .routes(routes!(public_link, create_public_link, revoke_public_link))
        .routes(routes!(public_page))
        .routes(routes!(public_content))
        .routes(routes!(upload_attachment))
        .routes(routes!(attachment))
        .routes(routes!(public_attachment))
        .routes(routes!(templates))
        .routes(routes!(save_as_template))
}

// ---- versions ------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct VersionJson {
    pub id: i64,
    /// `null` for an automatic version.
    pub name: Option<String>,
    pub automatic: bool,
    pub created_by: Option<i64>,
    pub created_at: String,
    /// Bytes of stored state.
    pub size: i64,
}

impl From<DocVersionRecord> for VersionJson {
    fn from(v: DocVersionRecord) -> VersionJson {
        VersionJson {
            id: v.id,
            automatic: v.name.is_none(),
            name: v.name,
            created_by: v.created_by.map(|u| u.0),
            created_at: bureau_core::time::rfc3339(v.created_at),
            size: v.size,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionRequest {
    pub name: String,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// `yjs` (the default: one Yjs v1 update holding the whole state) or
    /// `markdown`.
    pub format: Option<String>,
}

/// A page's versions, newest first: automatic ones (taken while people
/// edit and when the last one leaves) and named ones.
#[utoipa::path(get, path = "/pages/{id}/versions", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = [VersionJson]), (status = 404, body = ErrorBody)))]
async fn page_versions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<VersionJson>>> {
    let versions = state.docs.versions(&auth.principal, id).await?;
    Ok(Reply(versions.into_iter().map(VersionJson::from).collect()))
}

/// Keeps the page's content as it stands as a named version.
#[utoipa::path(post, path = "/pages/{id}/versions", tag = "docs", params(("id" = i64, Path)), request_body = VersionRequest,
    responses((status = 201, body = VersionJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_page_version(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<VersionRequest>,
) -> ApiResult<(StatusCode, Reply<VersionJson>)> {
    let version = state
        .docs
        .save_version(&auth.principal, id, &body.name)
        .await?;
    Ok((StatusCode::CREATED, Reply(version.into())))
}

/// One version's content: a Yjs update (apply it to an empty document to
/// see the page as it was), or Markdown.
#[utoipa::path(get, path = "/pages/{id}/versions/{version_id}", tag = "docs",
    params(("id" = i64, Path), ("version_id" = i64, Path), VersionQuery),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn page_version(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, version_id)): Path<(i64, i64)>,
    Query(query): Query<VersionQuery>,
) -> ApiResult<Response> {
    let markdown = match query.format.as_deref() {
        None | Some("yjs") => false,
        Some("markdown") => true,
        Some(_) => {
            return Err(Error::invalid("format", "versions come as `yjs` or `markdown`").into())
        }
    };
    if markdown {
        let text = state
            .docs
            .version_markdown(&auth.principal, id, version_id)
            .await?;
        return Ok((
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            text,
        )
            .into_response());
    }
    let (_, data) = state.docs.version(&auth.principal, id, version_id).await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], data).into_response())
}

/// Makes a version the page's content again. Everyone editing sees it at
/// once; what it replaced is kept as an automatic version.
#[utoipa::path(post, path = "/pages/{id}/versions/{version_id}/restore", tag = "docs",
    params(("id" = i64, Path), ("version_id" = i64, Path)),
    responses((status = 200, body = PageJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn restore_page_version(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, version_id)): Path<(i64, i64)>,
) -> ApiResult<Reply<PageJson>> {
    let view = state
        .docs
        .restore_version(&auth.principal, id, version_id)
        .await?;
    Ok(Reply(view.into()))
}

// ---- comments ------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct CommentJson {
    pub id: i64,
    /// The thread's first comment; `null` for that comment itself.
    pub thread_id: Option<i64>,
    pub author_id: i64,
    pub body: String,
    /// The text the thread is about, when started on a selection.
    pub quote: Option<String>,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<i64>,
}

impl From<DocCommentRecord> for CommentJson {
    fn from(c: DocCommentRecord) -> CommentJson {
        CommentJson {
            id: c.id,
            thread_id: c.thread_id,
            author_id: c.author_id.0,
            body: c.body,
            quote: c.quote,
            created_at: bureau_core::time::rfc3339(c.created_at),
            edited_at: c.edited_at.map(bureau_core::time::rfc3339),
            resolved_at: c.resolved_at.map(bureau_core::time::rfc3339),
            resolved_by: c.resolved_by.map(|u| u.0),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    pub body: String,
    /// Replies to this thread (its first comment's id).
    pub thread_id: Option<i64>,
    /// The selected text a new thread is about.
    pub quote: Option<String>,
    /// People mentioned: each is notified, and must be able to open the
    /// page.
    #[serde(default)]
    pub mentions: Vec<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentChange {
    /// A new text (its author only).
    pub body: Option<String>,
    /// Resolves or reopens the thread (on its first comment).
    pub resolved: Option<bool>,
}

/// A page's comment threads, each first comment followed by its replies.
#[utoipa::path(get, path = "/pages/{id}/comments", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = [CommentJson]), (status = 404, body = ErrorBody)))]
async fn comments(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<CommentJson>>> {
    let comments = state.docs.comments(&auth.principal, id).await?;
    Ok(Reply(comments.into_iter().map(CommentJson::from).collect()))
}

/// Starts a thread (on the page, or on a selection with `quote`) or
/// replies to one. Whoever may read the page may comment.
#[utoipa::path(post, path = "/pages/{id}/comments", tag = "docs", params(("id" = i64, Path)), request_body = CommentRequest,
    responses((status = 201, body = CommentJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_comment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<CommentRequest>,
) -> ApiResult<(StatusCode, Reply<CommentJson>)> {
    let mentions: Vec<UserId> = body.mentions.iter().copied().map(UserId).collect();
    let comment = state
        .docs
        .comment(
            &auth.principal,
            id,
            NewComment {
                body: &body.body,
                thread: body.thread_id,
                quote: body.quote.as_deref(),
                mentions: &mentions,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Reply(comment.into())))
}

/// Changes a comment's text, or resolves or reopens its thread.
#[utoipa::path(patch, path = "/pages/{id}/comments/{comment_id}", tag = "docs",
    params(("id" = i64, Path), ("comment_id" = i64, Path)), request_body = CommentChange,
    responses((status = 200, body = CommentJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change_comment(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, comment_id)): Path<(i64, i64)>,
    Json(body): Json<CommentChange>,
) -> ApiResult<Reply<CommentJson>> {
    let who = &auth.principal;
    let comment = match (body.body.as_deref(), body.resolved) {
        (Some(text), None) => state.docs.edit_comment(who, id, comment_id, text).await?,
        (None, Some(resolved)) => {
            state
                .docs
                .resolve_thread(who, id, comment_id, resolved)
                .await?
        }
        _ => return Err(Error::invalid("body", "send either a new `body` or `resolved`").into()),
    };
    Ok(Reply(comment.into()))
}

/// Deletes a comment (a thread's first comment takes the replies along):
/// its author or an editor of the page may.
#[utoipa::path(delete, path = "/pages/{id}/comments/{comment_id}", tag = "docs",
    params(("id" = i64, Path), ("comment_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_comment(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, comment_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .docs
        .delete_comment(&auth.principal, id, comment_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- the public link -------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct PublicLinkJson {
    pub enabled: bool,
    pub created_at: Option<String>,
    pub created_by: Option<i64>,
    /// The link itself: only in the answer that made it.
    pub url: Option<String>,
}

/// Whether the page has a public read-only link.
#[utoipa::path(get, path = "/pages/{id}/public-link", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = PublicLinkJson), (status = 404, body = ErrorBody)))]
async fn public_link(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<PublicLinkJson>> {
    let link = state.docs.public_link(&auth.principal, id).await?;
    Ok(Reply(PublicLinkJson {
        enabled: link.is_some(),
        created_at: link.map(|(at, _)| bureau_core::time::rfc3339(at)),
        created_by: link.and_then(|(_, by)| by.map(|u| u.0)),
        url: None,
    }))
}

/// Makes a new public link: anyone holding it reads the page and the pages
/// below it, without an account. An earlier link stops working. The link
/// is shown this once.
#[utoipa::path(post, path = "/pages/{id}/public-link", tag = "docs", params(("id" = i64, Path)),
    responses((status = 201, body = PublicLinkJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_public_link(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Reply<PublicLinkJson>)> {
    let secret = state.docs.create_public_link(&auth.principal, id).await?;
    Ok((
        StatusCode::CREATED,
        Reply(PublicLinkJson {
            enabled: true,
            created_at: Some(bureau_core::time::rfc3339(bureau_core::time::now_ms())),
            created_by: Some(auth.principal.user_id.0),
            url: Some(state.config.link("p", &secret)),
        }),
    ))
}

/// Turns the public link off.
#[utoipa::path(delete, path = "/pages/{id}/public-link", tag = "docs", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_public_link(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.docs.revoke_public_link(&auth.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    /// A page below the linked one; the linked page when absent.
    pub page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicPageJson {
    pub id: i64,
    pub title: String,
    pub icon: String,
    pub updated_at: String,
    /// From the linked page down to this one's parent.
    pub breadcrumbs: Vec<Crumb>,
    pub children: Vec<Crumb>,
}

/// What a public link shows (no account): the page's title, where it sits
/// below the linked page, and the pages below it.
#[utoipa::path(get, path = "/public/pages/{secret}", tag = "docs", params(("secret" = String, Path), PublicQuery),
    responses((status = 200, body = PublicPageJson), (status = 404, body = ErrorBody)))]
async fn public_page(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<PublicQuery>,
) -> ApiResult<Reply<PublicPageJson>> {
    let public = state.docs.public_page(&secret, query.page).await?;
    let crumb = |(id, title, icon): (i64, String, String)| Crumb { id, title, icon };
    Ok(Reply(PublicPageJson {
        id: public.page.id,
        title: public.page.title,
        icon: public.page.icon,
        updated_at: bureau_core::time::rfc3339(public.page.updated_at),
        breadcrumbs: public.breadcrumbs.into_iter().map(crumb).collect(),
        children: public
            .children
            .into_iter()
            .map(|p| Crumb {
                id: p.id,
                title: p.title,
                icon: p.icon,
            })
            .collect(),
    }))
}

/// A publicly linked page's content, as one Yjs update.
#[utoipa::path(get, path = "/public/pages/{secret}/content", tag = "docs", params(("secret" = String, Path), PublicQuery),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn public_content(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<PublicQuery>,
) -> ApiResult<Response> {
    let public = state.docs.public_page(&secret, query.page).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        public.state,
    )
        .into_response())
}

// ---- images and files -------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct AttachmentJson {
    pub id: i64,
    pub name: String,
    /// The type it is served with: images, PDF and plain text show
    /// inline, anything else downloads.
    pub mime: String,
    pub size: i64,
    /// Where the page's content links to it.
    pub url: String,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AttachmentQuery {
    /// The file's name.
    pub name: String,
}

/// Adds an image or file (the raw bytes, up to 50 MiB) to a page's
/// content; whoever may edit the page may.
#[utoipa::path(post, path = "/pages/{id}/attachments", tag = "docs",
    params(("id" = i64, Path), AttachmentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentJson), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload_attachment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(query): Query<AttachmentQuery>,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<(StatusCode, Reply<AttachmentJson>)> {
    let mime = super::content_type(&headers);
    let bytes = super::whole_body(
        request,
        MAX_ATTACHMENT_BYTES,
        "an image or file in a page is at most 50 MiB; share larger files through Files",
    )
    .await?;
    let record = state
        .docs
        .attach(&auth.principal, id, &query.name, &mime, bytes.to_vec())
        .await?;
    Ok((
        StatusCode::CREATED,
        Reply(AttachmentJson {
            url: format!("/api/v1/pages/{id}/attachments/{}", record.id),
            id: record.id,
            name: record.name,
            mime: record.mime,
            size: record.size,
        }),
    ))
}

/// An image or file of a page.
#[utoipa::path(get, path = "/pages/{id}/attachments/{attachment_id}", tag = "docs",
    params(("id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn attachment(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let (record, bytes) = state
        .docs
        .attachment(&auth.principal, id, attachment_id)
        .await?;
    Ok(serve_attachment(&record, bytes, "private"))
}

/// An image or file of a page a public link reaches.
#[utoipa::path(get, path = "/public/pages/{secret}/attachments/{attachment_id}", tag = "docs",
    params(("secret" = String, Path), ("attachment_id" = i64, Path), PublicQuery),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn public_attachment(
    State(state): State<AppState>,
    Path((secret, attachment_id)): Path<(String, i64)>,
    Query(query): Query<PublicQuery>,
) -> ApiResult<Response> {
    let (record, bytes) = state
        .docs
        .public_attachment(&secret, query.page, attachment_id)
        .await?;
    Ok(serve_attachment(&record, bytes, "no-store"))
}

fn serve_attachment(record: &DocAttachmentRecord, bytes: Vec<u8>, cache: &str) -> Response {
    let disposition = if record.mime == "application/octet-stream" {
        "attachment"
    } else {
        "inline"
    };
    let cache = if cache == "private" {
        "private, max-age=86400".to_string()
    } else {
        cache.to_string()
    };
    (
        [
            (header::CONTENT_TYPE, record.mime.clone()),
            (
                header::CONTENT_DISPOSITION,
                super::content_disposition(disposition, &record.name),
            ),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response()
}

// ---- templates -------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct TemplatesJson {
    /// Keys of the built-in templates: `procedure`, `meeting-notes`,
    /// `onboarding`.
    pub builtin: Vec<String>,
    /// The space's own templates.
    pub pages: Vec<PageSummary>,
}

/// The templates a page can start from in this space.
#[utoipa::path(get, path = "/spaces/{id}/templates", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = TemplatesJson), (status = 404, body = ErrorBody)))]
async fn templates(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<TemplatesJson>> {
    let pages = state.docs.templates(&auth.principal, id).await?;
    Ok(Reply(TemplatesJson {
        builtin: BUILTIN_TEMPLATES.iter().map(|k| k.to_string()).collect(),
        pages: pages
            .iter()
            .map(|p| PageSummary::of(p, bureau_docs::Access::Read))
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateRequest {
    /// The template's name; the page's title when absent.
    pub title: Option<String>,
}

/// Keeps a copy of the page as a template of its space.
#[utoipa::path(post, path = "/pages/{id}/template", tag = "docs", params(("id" = i64, Path)), request_body = TemplateRequest,
    responses((status = 201, body = PageJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn save_as_template(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<TemplateRequest>,
) -> ApiResult<(StatusCode, Reply<PageJson>)> {
    let page = state
        .docs
        .save_as_template(&auth.principal, id, body.title.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Reply(page.into())))
}

/// Whether built-in templates are written in French for this request:
/// its `lang`, else the caller's language.
pub(super) async fn french(state: &AppState, auth: &Auth, lang: Option<&str>) -> ApiResult<bool> {
    match lang {
        Some("fr") => Ok(true),
        Some("en") => Ok(false),
        Some(_) => Err(Error::invalid("lang", "the language is `en` or `fr`").into()),
        None => Ok(state.accounts.me(&auth.principal).await?.locale == Locale::Fr),
    }
}
