//! Docs in and out as files: a space, or a page with the pages below it,
//! as a ZIP of Markdown files with their images and files; Markdown files
//! imported as pages.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json as Reply;
use bureau_core::Error;
use bureau_docs::{ExportEntry, Exported};
use bytes::Bytes;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::docs::PageJson;
use super::zip::{ZipContent, ZipEntry};
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Path, Query};
use crate::AppState;

/// Largest Markdown file imported at once.
pub const MAX_IMPORT_BYTES: usize = 4 << 20;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_space))
        .routes(routes!(import_markdown))
}

/// The space's pages the caller may read, as a ZIP of Markdown files laid
/// out like the tree, with their images and files in `_files/`.
#[utoipa::path(get, path = "/spaces/{id}/export", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/zip"), (status = 404, body = ErrorBody)))]
async fn export_space(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    archive(state, auth, id, None).await
}

/// An archive of `page` and what is below it, or of the whole `space`.
pub(super) async fn archive(
    state: AppState,
    auth: Auth,
    space: i64,
    page: Option<i64>,
) -> ApiResult<Response> {
    let (top, plan, links) = state.docs.export_plan(&auth.principal, space, page).await?;
    let links = Arc::new(links);
    let entries = plan
        .into_iter()
        .map(
            |ExportEntry {
                 path,
                 modified_ms,
                 what,
             }| {
                let docs = state.docs.clone();
                let who = auth.principal.clone();
                let links = links.clone();
                let name = path.clone();
                let content = match what {
                    Exported::Folder => ZipContent::Folder,
                    Exported::Page(id) => ZipContent::Made(Box::pin(async move {
                        docs.export_page(&who, id, &name, &links)
                            .await
                            .map(Bytes::from)
                            .map_err(std::io::Error::other)
                    })),
                    Exported::Table(id) => ZipContent::Made(Box::pin(async move {
                        docs.table_csv(&who, id)
                            .await
                            .map(|(_, csv)| Bytes::from(csv))
                            .map_err(std::io::Error::other)
                    })),
                    Exported::File { page, id } => ZipContent::Made(Box::pin(async move {
                        docs.export_file(&who, page, id)
                            .await
                            .map(Bytes::from)
                            .map_err(std::io::Error::other)
                    })),
                };
                ZipEntry {
                    name: path,
                    modified_ms,
                    content,
                }
            },
        )
        .collect();
    Ok(super::zip::response(state.files.clone(), entries, &top))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The Markdown file's name; the page's title when the file has no
    /// heading of its own.
    pub name: String,
    /// Under this page; at the top of the space when absent.
    pub parent_id: Option<i64>,
}

/// Makes a page from a Markdown file (the raw bytes, UTF-8, up to 4 MiB):
/// headings, lists and to-dos, quotes, code, tables, links, images and
/// marks become blocks of the editor. A first `# Title` becomes the
/// page's title. A file named `*.csv` becomes a database named after it:
/// its first line names the columns, whose kinds follow their values.
#[utoipa::path(post, path = "/spaces/{id}/import", tag = "docs",
    params(("id" = i64, Path), ImportQuery),
    request_body(content = String, content_type = "text/markdown"),
    responses((status = 201, body = PageJson), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_markdown(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(query): Query<ImportQuery>,
    request: Request,
) -> ApiResult<(StatusCode, Reply<PageJson>)> {
    let bytes = super::whole_body(
        request,
        MAX_IMPORT_BYTES,
        "a file to import is at most 4 MiB",
    )
    .await?;
    if let Some(title) = query
        .name
        .strip_suffix(".csv")
        .or_else(|| query.name.strip_suffix(".CSV"))
    {
        let page = state
            .docs
            .database_from_csv(&auth.principal, id, query.parent_id, title, &bytes)
            .await?;
        return Ok((StatusCode::CREATED, Reply(page.into())));
    }
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| Error::invalid("body", "the Markdown file is not UTF-8 text"))?;
    let page = state
        .docs
        .import_markdown(&auth.principal, id, query.parent_id, &query.name, &text)
        .await?;
    Ok((StatusCode::CREATED, Reply(page.into())))
}
