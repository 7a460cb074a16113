//! `/api/v1/files` endpoints: the web file browser's view of the same tree
//! WebDAV serves (paths like `/Reports/q3.pdf`, team folders by name at the
//! top), the trash, versions, share links and team folder settings; and
//! `/api/v1/public/shares/...` for visitors of a link.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json as Reply;
use bureau_core::{Error, Role, UserId};
use bureau_files::{Entry, FilePath, ShareMode, ShareSpec, Tree};
use bureau_store::{NodeRecord, ShareRecord, SpaceRecord, VersionRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(search))
        .routes(routes!(content))
        .routes(routes!(zip_folder))
        .routes(routes!(thumbnail))
        .routes(routes!(create_folder))
        .routes(routes!(move_entry))
        .routes(routes!(copy_entry))
        .routes(routes!(delete_entry))
        .routes(routes!(trash))
        .routes(routes!(restore_trashed))
        .routes(routes!(purge_trashed))
        .routes(routes!(versions))
        .routes(routes!(version_content))
        .routes(routes!(restore_version))
        .routes(routes!(shares, create_share))
        .routes(routes!(revoke_share))
        .routes(routes!(grants, set_grant))
        .routes(routes!(teams, create_team))
        .routes(routes!(update_team, delete_team))
        .routes(routes!(set_team_access))
        .routes(routes!(set_person_quota))
        .routes(routes!(visit_share))
        .routes(routes!(visit_content))
}

// ---- views -------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct FileView {
    pub id: i64,
    pub name: String,
    /// Its path in the caller's tree, e.g. `/Sales/offer.pdf`.
    pub path: String,
    pub is_dir: bool,
    pub size: i64,
    pub mime: String,
    /// Grows with every new content.
    pub version: i64,
    pub modified_at: String,
    pub modified_by: Option<i64>,
    /// True for the top of a team folder.
    pub team_folder: bool,
    /// True for something another person shared with the caller (at the
    /// top of their files).
    pub shared_with_me: bool,
}

impl FileView {
    fn of(path: String, entry: &Entry) -> FileView {
        FileView {
            id: entry.node.id,
            name: entry.name.clone(),
            path,
            is_dir: entry.node.is_dir,
            size: entry.node.size,
            mime: entry.node.mime.clone(),
            version: entry.node.version,
            modified_at: bureau_core::time::rfc3339(entry.node.modified_at),
            modified_by: entry.node.modified_by.map(|u| u.0),
            team_folder: entry.node.path.is_empty() && entry.node.parent_id.is_none(),
            shared_with_me: false,
        }
    }

    fn of_node(path: String, node: NodeRecord) -> FileView {
        let name = node.name.clone();
        FileView::of(path, &Entry { name, node })
    }
}

#[derive(Serialize, ToSchema)]
pub struct UsageView {
    pub used: i64,
    /// `null`: no limit.
    pub quota: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ListingView {
    pub path: String,
    /// `read` or `write`: what the caller may do here.
    pub access: String,
    pub entries: Vec<FileView>,
    /// The space this folder belongs to.
    pub usage: UsageView,
}

#[derive(Serialize, ToSchema)]
pub struct TrashedView {
    /// Restore or purge with this id.
    pub id: i64,
    pub name: String,
    /// Where it was.
    pub path: String,
    pub is_dir: bool,
    pub size: i64,
    /// Its type, as a file's (empty for a folder).
    pub mime: String,
    pub deleted_at: String,
    pub deleted_by: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub id: i64,
    pub size: i64,
    pub written_at: String,
    pub written_by: Option<i64>,
}

impl From<&VersionRecord> for VersionView {
    fn from(v: &VersionRecord) -> VersionView {
        VersionView {
            id: v.id,
            size: v.size,
            written_at: bureau_core::time::rfc3339(v.written_at),
            written_by: v.written_by.map(|u| u.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VersionsView {
    pub file: FileView,
    /// Earlier contents, newest first (at most 20 are kept).
    pub versions: Vec<VersionView>,
}

#[derive(Serialize, ToSchema)]
pub struct ShareView {
    pub id: i64,
    /// `read`, `write` or `drop`.
    pub mode: String,
    pub has_password: bool,
    pub expires_at: Option<String>,
    pub max_downloads: Option<i64>,
    pub downloads: i64,
    pub created_by: i64,
    pub created_at: String,
    /// The link itself: only in the answer that made it.
    pub url: Option<String>,
}

impl ShareView {
    fn of(share: &ShareRecord, url: Option<String>) -> ShareView {
        ShareView {
            id: share.id,
            mode: share.mode.clone(),
            has_password: share.password_hash.is_some(),
            expires_at: share.expires_at.map(bureau_core::time::rfc3339),
            max_downloads: share.max_downloads,
            downloads: share.downloads,
            created_by: share.created_by.0,
            created_at: bureau_core::time::rfc3339(share.created_at),
            url,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub quota: Option<i64>,
    pub used: i64,
    pub access: Vec<TeamAccessView>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamAccessView {
    pub group_id: Option<i64>,
    pub user_id: Option<i64>,
    /// `read` or `write`.
    pub access: String,
}

// ---- requests ------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PathQuery {
    /// A path in your tree: `/` for the top, `/Sales/offer.pdf`.
    pub path: String,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContentQuery {
    pub path: String,
    /// Ask the browser to save the file rather than show it.
    pub download: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Part of a name, any case.
    pub q: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PathBody {
    pub path: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    pub from: String,
    pub to: String,
    /// Replace a file already at `to` (it goes to the trash).
    #[serde(default)]
    pub replace: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    pub path: String,
    /// `read`, `write`, or `drop` (upload only, for a folder).
    pub mode: String,
    pub password: Option<String>,
    /// RFC 3339, or `YYYY-MM-DD` (the end of that day, UTC).
    pub expires_at: Option<String>,
    pub max_downloads: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRequest {
    pub name: String,
    /// Bytes; `null` for no limit.
    pub quota: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamChange {
    pub name: Option<String>,
    /// Bytes; send `0` or more. Use `unlimited: true` to remove the limit.
    pub quota: Option<i64>,
    #[serde(default)]
    pub unlimited: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    /// A group, or (instead) one person.
    pub group_id: Option<i64>,
    pub user_id: Option<i64>,
    /// `read`, `write`, or `none` to remove the grant.
    pub access: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaRequest {
    /// Bytes; `null` for no limit.
    pub quota: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VisitQuery {
    /// Below the shared folder; `/` for itself.
    pub path: Option<String>,
    /// The `pass` an earlier answer gave. The link's password itself goes
    /// in the `X-Share-Password` header, never in the address, which
    /// proxies and logs keep.
    pub pass: Option<String>,
    pub download: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct VisitView {
    pub name: String,
    pub is_dir: bool,
    pub size: i64,
    /// `read`, `write` or `drop`.
    pub mode: String,
    /// For a folder (not a drop box): what it holds at `path`.
    pub entries: Vec<FileView>,
    /// Send this back as `pass` (or `X-Share-Pass`) instead of the password.
    pub pass: Option<String>,
}

// ---- helpers -------------------------------------------------------------------

/// A link's password, from the `X-Share-Password` header: UTF-8,
/// percent-encoded (`encodeURIComponent`), as a header carries only ASCII.
pub(crate) fn share_password(headers: &axum::http::HeaderMap) -> Result<Option<String>, Error> {
    let Some(value) = headers.get("x-share-password") else {
        return Ok(None);
    };
    let bad = || {
        Error::invalid(
            "X-Share-Password",
            "the password must be UTF-8, percent-encoded",
        )
    };
    let text = value.to_str().map_err(|_| bad())?;
    let decoded = percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_err(|_| bad())?;
    Ok(Some(decoded.into_owned()))
}

fn parse_path(text: &str) -> Result<FilePath, ApiError> {
    Ok(FilePath::parse(text)?)
}

async fn tree_of(state: &AppState, auth: &Auth) -> Result<Tree, ApiError> {
    Ok(state.files.tree(&auth.principal).await?)
}

fn access_name(access: bureau_files::Access) -> &'static str {
    match access {
        bureau_files::Access::Read => "read",
        bureau_files::Access::Write => "write",
    }
}

/// Streams a file. Types a browser could run (HTML, SVG, scripts) are
/// always downloads; the rest may show inline; every answer is sandboxed.
pub fn stream_file(
    name: &str,
    mime: &str,
    size: i64,
    file: bureau_store::BlobReader,
    download: bool,
) -> Response {
    let safe_inline = (mime.starts_with("image/") && mime != "image/svg+xml")
        || mime.starts_with("video/")
        || mime.starts_with("audio/")
        || mime == "application/pdf"
        || mime == "text/plain";
    let (content_type, disposition) = if download || !safe_inline {
        ("application/octet-stream".to_string(), "attachment")
    } else {
        (
            format!(
                "{mime}{}",
                if mime == "text/plain" {
                    "; charset=utf-8"
                } else {
                    ""
                }
            ),
            "inline",
        )
    };
    let body = Body::from_stream(file.into_stream());
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_LENGTH, size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                super::content_disposition(disposition, name),
            ),
            (header::CACHE_CONTROL, "private, no-cache".to_string()),
            // The web app previews files in a frame of its own origin;
            // nothing a file holds may run (Chromium's PDF viewer does not
            // open in a sandbox, and runs PDFs in its own).
            (
                header::CONTENT_SECURITY_POLICY,
                if mime == "application/pdf" && !download {
                    "frame-ancestors 'self'".to_string()
                } else {
                    "sandbox; frame-ancestors 'self'".to_string()
                },
            ),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN".to_string()),
        ],
        body,
    )
        .into_response()
}

fn parse_expiry(text: &str) -> Result<i64, ApiError> {
    bureau_core::time::parse_rfc3339(text)
        .or_else(|| bureau_core::time::parse_date(text).map(|day| day + 86_400_000 - 1))
        .ok_or_else(|| {
            Error::invalid("expires_at", "give a date (YYYY-MM-DD) or an RFC 3339 time").into()
        })
}

fn is_admin(auth: &Auth) -> Result<(), ApiError> {
    if auth.principal.role != Role::Admin {
        return Err(Error::Forbidden("only admins manage team folders and quotas".into()).into());
    }
    Ok(())
}

// ---- browsing --------------------------------------------------------------------

/// What a folder holds (the top also lists your team folders).
#[utoipa::path(get, path = "/files/list", tag = "files", params(PathQuery),
    responses((status = 200, body = ListingView), (status = 404, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<PathQuery>,
) -> ApiResult<Reply<ListingView>> {
    let tree = tree_of(&state, &auth).await?;
    let path = parse_path(&query.path)?;
    let entries = state.files.list(&tree, &path).await?;
    let place = tree.locate(&path);
    let usage = bureau_files::Files::usage(&place.space);
    let base = path.to_slash_path();
    let child = |name: &str| {
        if base == "/" {
            format!("/{name}")
        } else {
            format!("{base}/{name}")
        }
    };
    Ok(Reply(ListingView {
        path: base.clone(),
        access: access_name(place.access).into(),
        entries: entries
            .iter()
            .map(|e| {
                let mut view = FileView::of(child(&e.name), e);
                view.shared_with_me =
                    path.is_root() && tree.shared.iter().any(|r| r.mount == e.name);
                view.team_folder &= !view.shared_with_me;
                view
            })
            .collect(),
        usage: UsageView {
            used: usage.used,
            quota: usage.quota,
        },
    }))
}

/// Files and folders whose name contains the words, everywhere you reach.
#[utoipa::path(get, path = "/files/search", operation_id = "search_files", tag = "files", params(SearchParams),
    responses((status = 200, body = [FileView]), (status = 422, body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<SearchParams>,
) -> ApiResult<Reply<Vec<FileView>>> {
    let tree = tree_of(&state, &auth).await?;
    let found = state.files.find(&tree, &query.q).await?;
    Ok(Reply(
        found
            .into_iter()
            .map(|(path, node)| FileView::of_node(path, node))
            .collect(),
    ))
}

/// A file's content: shown inline when that is safe, else downloaded.
#[utoipa::path(get, path = "/files/content", tag = "files", params(ContentQuery),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn content(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<ContentQuery>,
) -> ApiResult<Response> {
    let tree = tree_of(&state, &auth).await?;
    let path = parse_path(&query.path)?;
    let (entry, file) = state.files.open(&tree, &path).await?;
    Ok(stream_file(
        &entry.name,
        &entry.node.mime,
        entry.node.size,
        file,
        query.download.unwrap_or(false),
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ThumbnailQuery {
    pub path: String,
    /// The longest side: 128, 256 or 512; 256 when absent.
    pub size: Option<u32>,
    /// Anything (the file's version, say) to make the URL change with it.
    #[serde(rename = "v")]
    pub _version: Option<String>,
}

/// A small JPEG of an image (JPEG, PNG, WebP, GIF), for grids.
#[utoipa::path(get, path = "/files/thumbnail", tag = "files", params(ThumbnailQuery),
    responses((status = 200, content_type = "image/jpeg"), (status = 304), (status = 422, body = ErrorBody)))]
async fn thumbnail(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    Query(query): Query<ThumbnailQuery>,
) -> ApiResult<Response> {
    let tree = tree_of(&state, &auth).await?;
    let path = parse_path(&query.path)?;
    let (bytes, tag) = state
        .files
        .thumbnail(&tree, &path, query.size.unwrap_or(256))
        .await?;
    let etag = format!("\"{tag}\"");
    let cache = (header::CACHE_CONTROL, "private, max-age=604800".to_string());
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag), cache]).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg".to_string()),
            (header::ETAG, etag),
            cache,
        ],
        bytes,
    )
        .into_response())
}

/// A folder and everything in it as a ZIP archive, streamed as it is
/// made.
#[utoipa::path(get, path = "/files/zip", tag = "files", params(PathQuery),
    responses((status = 200, content_type = "application/zip"), (status = 404, body = ErrorBody)))]
async fn zip_folder(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<PathQuery>,
) -> ApiResult<Response> {
    let tree = tree_of(&state, &auth).await?;
    let path = parse_path(&query.path)?;
    let top = state.files.stat(&tree, &path).await?;
    let nodes = state.files.walk(&tree, &path).await?;
    let base = if path.is_root() {
        "files".to_string()
    } else {
        top.name.clone()
    };
    let mut entries = vec![super::zip::ZipEntry {
        name: format!("{base}/"),
        modified_ms: top.node.modified_at,
        content: super::zip::ZipContent::Folder,
    }];
    for (relative, node) in nodes {
        entries.push(super::zip::ZipEntry {
            name: if node.is_dir {
                format!("{base}/{relative}/")
            } else {
                format!("{base}/{relative}")
            },
            modified_ms: node.modified_at,
            content: if node.is_dir {
                super::zip::ZipContent::Folder
            } else {
                super::zip::ZipContent::Node(node)
            },
        });
    }
    Ok(super::zip::response(state.files.clone(), entries, &base))
}

// ---- changing ----------------------------------------------------------------------

/// Makes a folder; its parent must exist.
#[utoipa::path(post, path = "/files/folders", tag = "files", request_body = PathBody,
    responses((status = 201, body = FileView), (status = 409, body = ErrorBody)))]
async fn create_folder(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<PathBody>,
) -> ApiResult<(StatusCode, Reply<FileView>)> {
    let tree = tree_of(&state, &auth).await?;
    let path = parse_path(&body.path)?;
    let entry = state.files.mkdir(&tree, &path).await?;
    Ok((
        StatusCode::CREATED,
        Reply(FileView::of(path.to_slash_path(), &entry)),
    ))
}

/// Moves or renames a file or folder.
#[utoipa::path(post, path = "/files/move", tag = "files", request_body = TransferBody,
    responses((status = 200, body = FileView), (status = 409, body = ErrorBody)))]
async fn move_entry(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<TransferBody>,
) -> ApiResult<Reply<FileView>> {
    let tree = tree_of(&state, &auth).await?;
    let (from, to) = (parse_path(&body.from)?, parse_path(&body.to)?);
    let entry = state.files.rename(&tree, &from, &to, body.replace).await?;
    Ok(Reply(FileView::of(to.to_slash_path(), &entry)))
}

/// Copies a file or a folder with all it holds.
#[utoipa::path(post, path = "/files/copy", tag = "files", request_body = TransferBody,
    responses((status = 201, body = FileView), (status = 409, body = ErrorBody)))]
async fn copy_entry(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<TransferBody>,
) -> ApiResult<(StatusCode, Reply<FileView>)> {
    let tree = tree_of(&state, &auth).await?;
    let (from, to) = (parse_path(&body.from)?, parse_path(&body.to)?);
    let entry = state.files.copy(&tree, &from, &to, body.replace).await?;
    Ok((
        StatusCode::CREATED,
        Reply(FileView::of(to.to_slash_path(), &entry)),
    ))
}

/// Moves a file or folder to the trash.
#[utoipa::path(post, path = "/files/delete", tag = "files", request_body = PathBody,
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_entry(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<PathBody>,
) -> ApiResult<StatusCode> {
    let tree = tree_of(&state, &auth).await?;
    state.files.remove(&tree, &parse_path(&body.path)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- trash and versions ------------------------------------------------------------

/// What was deleted in your spaces (kept 30 days), newest first.
#[utoipa::path(get, path = "/files/trash", tag = "files",
    responses((status = 200, body = [TrashedView])))]
async fn trash(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<TrashedView>>> {
    let tree = tree_of(&state, &auth).await?;
    let items = state.files.trash(&tree).await?;
    Ok(Reply(
        items
            .into_iter()
            .map(|(path, node)| TrashedView {
                id: node.id,
                name: node.name,
                path,
                is_dir: node.is_dir,
                size: node.size,
                mime: node.mime,
                deleted_at: bureau_core::time::rfc3339(node.trashed_at.unwrap_or_default()),
                deleted_by: node.trashed_by.map(|u| u.0),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RestoredView {
    /// Where it is now (a number is added when the name was taken).
    pub path: String,
}

/// Puts a deleted file or folder back where it was.
#[utoipa::path(post, path = "/files/trash/{id}/restore", tag = "files", params(("id" = i64, Path)),
    responses((status = 200, body = RestoredView), (status = 404, body = ErrorBody)))]
async fn restore_trashed(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<RestoredView>> {
    let tree = tree_of(&state, &auth).await?;
    let path = state.files.restore(&tree, id).await?;
    Ok(Reply(RestoredView { path }))
}

/// Deletes something in the trash for good.
#[utoipa::path(delete, path = "/files/trash/{id}", tag = "files", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn purge_trashed(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let tree = tree_of(&state, &auth).await?;
    state.files.purge(&tree, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The earlier contents of a file.
#[utoipa::path(get, path = "/files/versions", tag = "files", params(PathQuery),
    responses((status = 200, body = VersionsView), (status = 404, body = ErrorBody)))]
async fn versions(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<PathQuery>,
) -> ApiResult<Reply<VersionsView>> {
    let tree = tree_of(&state, &auth).await?;
    let path = parse_path(&query.path)?;
    let (entry, versions) = state.files.versions(&tree, &path).await?;
    Ok(Reply(VersionsView {
        file: FileView::of(path.to_slash_path(), &entry),
        versions: versions.iter().map(VersionView::from).collect(),
    }))
}

/// One earlier content of a file, as a download.
#[utoipa::path(get, path = "/files/versions/{id}/content", tag = "files", params(("id" = i64, Path), PathQuery),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn version_content(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(query): Query<PathQuery>,
) -> ApiResult<Response> {
    let tree = tree_of(&state, &auth).await?;
    let path = parse_path(&query.path)?;
    let (version, file) = state.files.open_version(&tree, &path, id).await?;
    let name = path.name().unwrap_or("file");
    Ok(stream_file(
        name,
        "application/octet-stream",
        version.size,
        file,
        true,
    ))
}

/// Makes an earlier content current (the current one becomes a version).
#[utoipa::path(post, path = "/files/versions/{id}/restore", tag = "files", params(("id" = i64, Path), PathQuery),
    responses((status = 200, body = FileView), (status = 404, body = ErrorBody)))]
async fn restore_version(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(query): Query<PathQuery>,
) -> ApiResult<Reply<FileView>> {
    let tree = tree_of(&state, &auth).await?;
    let path = parse_path(&query.path)?;
    let entry = state.files.restore_version(&tree, &path, id).await?;
    Ok(Reply(FileView::of(path.to_slash_path(), &entry)))
}

// ---- share links ------------------------------------------------------------------

/// The live links to a file or folder.
#[utoipa::path(get, path = "/files/shares", tag = "files", params(PathQuery),
    responses((status = 200, body = [ShareView]), (status = 404, body = ErrorBody)))]
async fn shares(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<PathQuery>,
) -> ApiResult<Reply<Vec<ShareView>>> {
    let tree = tree_of(&state, &auth).await?;
    let found = state.files.shares(&tree, &parse_path(&query.path)?).await?;
    Ok(Reply(
        found.iter().map(|s| ShareView::of(s, None)).collect(),
    ))
}

/// Makes a link for people without an account. The answer holds the link
/// (`url`); it is not shown again.
#[utoipa::path(post, path = "/files/shares", tag = "files", request_body = ShareRequest,
    responses((status = 201, body = ShareView), (status = 422, body = ErrorBody)))]
async fn create_share(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<ShareRequest>,
) -> ApiResult<(StatusCode, Reply<ShareView>)> {
    let tree = tree_of(&state, &auth).await?;
    let mode = ShareMode::parse(&body.mode)
        .ok_or_else(|| Error::invalid("mode", "mode is `read`, `write` or `drop`"))?;
    let expires_at = body.expires_at.as_deref().map(parse_expiry).transpose()?;
    let spec = ShareSpec {
        mode,
        password: body.password.as_deref(),
        expires_at,
        max_downloads: body.max_downloads,
    };
    let (share, secret) = state
        .files
        .share(&tree, &parse_path(&body.path)?, spec)
        .await?;
    let url = state.config.link("s", &secret);
    Ok((StatusCode::CREATED, Reply(ShareView::of(&share, Some(url)))))
}

/// Ends a link at once.
#[utoipa::path(delete, path = "/files/shares/{id}", tag = "files", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_share(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let tree = tree_of(&state, &auth).await?;
    state.files.revoke_share(&tree, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Opens a link (no account): the shared file, or what the shared folder
/// holds at `path`. A drop box shows nothing but its name.
#[utoipa::path(get, path = "/public/shares/{secret}", tag = "files", params(("secret" = String, Path), VisitQuery),
    responses((status = 200, body = VisitView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn visit_share(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<VisitQuery>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Reply<VisitView>> {
    let visit = state
        .files
        .visit(
            &secret,
            share_password(&headers)?.as_deref(),
            query.pass.as_deref(),
        )
        .await?;
    let sub = parse_path(query.path.as_deref().unwrap_or("/"))?;
    let entries = if visit.node.is_dir && visit.mode != ShareMode::Drop {
        let base = sub.to_slash_path();
        state
            .files
            .visit_list(&visit, &sub)
            .await?
            .iter()
            .map(|e| {
                let path = if base == "/" {
                    format!("/{}", e.name)
                } else {
                    format!("{base}/{}", e.name)
                };
                FileView::of(path, e)
            })
            .collect()
    } else {
        Vec::new()
    };
    let name = match &visit.space {
        SpaceRecord {
            name: Some(team), ..
        } if visit.node.path.is_empty() => team.clone(),
        _ => visit.node.name.clone(),
    };
    Ok(Reply(VisitView {
        name,
        is_dir: visit.node.is_dir,
        size: visit.node.size,
        mode: visit.mode.as_str().into(),
        entries,
        pass: visit.pass.clone(),
    }))
}

/// Downloads the shared file, or a file below the shared folder.
#[utoipa::path(get, path = "/public/shares/{secret}/content", tag = "files", params(("secret" = String, Path), VisitQuery),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn visit_content(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<VisitQuery>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let visit = state
        .files
        .visit(
            &secret,
            share_password(&headers)?.as_deref(),
            query.pass.as_deref(),
        )
        .await?;
    let sub = parse_path(query.path.as_deref().unwrap_or("/"))?;
    let (entry, file) = state.files.visit_open(&visit, &sub).await?;
    Ok(stream_file(
        &entry.name,
        &entry.node.mime,
        entry.node.size,
        file,
        query.download.unwrap_or(false),
    ))
}

// ---- sharing inside the company --------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct GrantView {
    pub id: i64,
    pub group_id: Option<i64>,
    pub user_id: Option<i64>,
    /// `read` or `write`.
    pub access: String,
    pub created_by: i64,
    pub created_at: String,
}

impl From<&bureau_store::GrantRecord> for GrantView {
    fn from(g: &bureau_store::GrantRecord) -> GrantView {
        GrantView {
            id: g.id,
            group_id: g.group_id,
            user_id: g.user_id.map(|u| u.0),
            access: if g.can_write { "write" } else { "read" }.into(),
            created_by: g.created_by.0,
            created_at: bureau_core::time::rfc3339(g.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub path: String,
    /// A group, or (instead) one person.
    pub group_id: Option<i64>,
    pub user_id: Option<i64>,
    /// `read`, `write`, or `none` to stop sharing.
    pub access: String,
}

/// Who a folder or file is shared with inside the company.
#[utoipa::path(get, path = "/files/grants", tag = "files", params(PathQuery),
    responses((status = 200, body = [GrantView]), (status = 404, body = ErrorBody)))]
async fn grants(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<PathQuery>,
) -> ApiResult<Reply<Vec<GrantView>>> {
    let tree = tree_of(&state, &auth).await?;
    let found = state.files.grants(&tree, &parse_path(&query.path)?).await?;
    Ok(Reply(found.iter().map(GrantView::from).collect()))
}

/// Shares a folder or file with a group or a person inside the company
/// (it shows at the top of their files), or stops (`none`).
#[utoipa::path(put, path = "/files/grants", tag = "files", request_body = GrantRequest,
    responses((status = 200, body = [GrantView]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_grant(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<GrantRequest>,
) -> ApiResult<Reply<Vec<GrantView>>> {
    let tree = tree_of(&state, &auth).await?;
    let can_write = match body.access.as_str() {
        "read" => Some(false),
        "write" => Some(true),
        "none" => None,
        _ => return Err(Error::invalid("access", "access is `read`, `write` or `none`").into()),
    };
    let found = state
        .files
        .grant(
            &tree,
            &parse_path(&body.path)?,
            body.group_id,
            body.user_id.map(UserId),
            can_write,
        )
        .await?;
    Ok(Reply(found.iter().map(GrantView::from).collect()))
}

// ---- team folders and quotas (admins) --------------------------------------------

async fn team_view(state: &AppState, space: SpaceRecord) -> Result<TeamView, ApiError> {
    let used = space.used_bytes;
    let access = state
        .store
        .space_access(space.id)
        .await?
        .into_iter()
        .map(|a| TeamAccessView {
            group_id: a.group_id,
            user_id: a.user_id.map(|u| u.0),
            access: if a.can_write { "write" } else { "read" }.into(),
        })
        .collect();
    Ok(TeamView {
        id: space.id,
        name: space.name.unwrap_or_default(),
        quota: space.quota_bytes,
        used,
        access,
    })
}

/// Every team folder, with who may use it (admins).
#[utoipa::path(get, path = "/files/teams", tag = "files",
    responses((status = 200, body = [TeamView]), (status = 403, body = ErrorBody)))]
async fn teams(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<TeamView>>> {
    is_admin(&auth)?;
    let mut views = Vec::new();
    for space in state.store.team_spaces().await? {
        views.push(team_view(&state, space).await?);
    }
    Ok(Reply(views))
}

/// Makes a team folder (admins); grant access with `/files/teams/{id}/access`.
#[utoipa::path(post, path = "/files/teams", tag = "files", request_body = TeamRequest,
    responses((status = 201, body = TeamView), (status = 409, body = ErrorBody)))]
async fn create_team(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<TeamRequest>,
) -> ApiResult<(StatusCode, Reply<TeamView>)> {
    is_admin(&auth)?;
    let space = state
        .files
        .create_team(&auth.principal, &body.name, body.quota)
        .await?;
    Ok((StatusCode::CREATED, Reply(team_view(&state, space).await?)))
}

/// Renames a team folder or changes its quota (admins).
#[utoipa::path(patch, path = "/files/teams/{id}", tag = "files", params(("id" = i64, Path)), request_body = TeamChange,
    responses((status = 200, body = TeamView), (status = 404, body = ErrorBody)))]
async fn update_team(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<TeamChange>,
) -> ApiResult<Reply<TeamView>> {
    is_admin(&auth)?;
    let quota = if body.unlimited {
        Some(None)
    } else {
        body.quota.map(Some)
    };
    let space = state
        .files
        .update_team(&auth.principal, id, body.name.as_deref(), quota)
        .await?;
    Ok(Reply(team_view(&state, space).await?))
}

/// Deletes a team folder and everything in it (admins).
#[utoipa::path(delete, path = "/files/teams/{id}", tag = "files", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_team(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    is_admin(&auth)?;
    state.files.delete_team(&auth.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives a group or a person read or write access to a team folder, or
/// takes it away (`none`) (admins).
#[utoipa::path(put, path = "/files/teams/{id}/access", tag = "files", params(("id" = i64, Path)), request_body = AccessRequest,
    responses((status = 200, body = TeamView), (status = 422, body = ErrorBody)))]
async fn set_team_access(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<AccessRequest>,
) -> ApiResult<Reply<TeamView>> {
    is_admin(&auth)?;
    let access = match body.access.as_str() {
        "read" => Some(false),
        "write" => Some(true),
        "none" => None,
        _ => return Err(Error::invalid("access", "access is `read`, `write` or `none`").into()),
    };
    let space = state
        .files
        .grant_team(
            &auth.principal,
            id,
            body.group_id,
            body.user_id.map(UserId),
            access,
        )
        .await?;
    Ok(Reply(team_view(&state, space).await?))
}

/// Sets how much a person may store in their own files (admins).
#[utoipa::path(put, path = "/files/people/{id}/quota", tag = "files", params(("id" = i64, Path)), request_body = QuotaRequest,
    responses((status = 200, body = UsageView), (status = 404, body = ErrorBody)))]
async fn set_person_quota(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<QuotaRequest>,
) -> ApiResult<Reply<UsageView>> {
    is_admin(&auth)?;
    let usage = state
        .files
        .set_person_quota(&auth.principal, UserId(id), body.quota)
        .await?;
    Ok(Reply(UsageView {
        used: usage.used,
        quota: usage.quota,
    }))
}
