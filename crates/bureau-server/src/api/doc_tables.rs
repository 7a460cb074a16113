//! Databases: `/api/v1/pages/{id}/table` (columns, saved view, rows),
//! `/columns` and `/rows` of a database page, and CSV in. A database is
//! made with `POST /pages {"kind": "database"}`; its rows are pages below
//! it (`GET /pages/{row}` opens one), and `GET /pages/{id}/export?format=csv`
//! takes it out.

use std::collections::BTreeMap;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::Json as Reply;
use bureau_core::Error;
use bureau_docs::{Choice, Column, ColumnEdit, ColumnKind, NewColumn, Row, View};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::docs::PageJson;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::AppState;

/// Largest CSV file added to a database at once.
pub const MAX_CSV_BYTES: usize = 4 << 20;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(table))
        .routes(routes!(query_table))
        .routes(routes!(save_view))
        .routes(routes!(add_column))
        .routes(routes!(edit_column, delete_column))
        .routes(routes!(add_row))
        .routes(routes!(edit_row))
        .routes(routes!(import_rows))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ChoiceJson {
    pub name: String,
    /// A hue name; the web app picks one when empty.
    #[serde(default)]
    pub color: String,
}

#[derive(Serialize, ToSchema)]
pub struct ColumnJson {
    pub id: i64,
    pub name: String,
    /// `text`, `number`, `date`, `select`, `person`, `checkbox` or `link`.
    pub kind: String,
    /// The choices of a select column, in order.
    pub choices: Vec<ChoiceJson>,
}

impl From<Column> for ColumnJson {
    fn from(column: Column) -> ColumnJson {
        ColumnJson {
            id: column.id,
            name: column.name,
            kind: column.kind.as_str().into(),
            choices: column.choices.into_iter().map(choice_json).collect(),
        }
    }
}

fn choice_json(choice: Choice) -> ChoiceJson {
    ChoiceJson {
        name: choice.name,
        color: choice.color,
    }
}

#[derive(Serialize, ToSchema)]
pub struct RowJson {
    /// The row's page: `GET /pages/{id}` opens it.
    pub id: i64,
    pub title: String,
    pub icon: String,
    /// Values by column id: a string (text, date `YYYY-MM-DD`, select
    /// choice, link), a number, a person's user id, or a boolean. Empty
    /// cells are absent.
    #[schema(value_type = Object)]
    pub cells: BTreeMap<i64, Value>,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Row> for RowJson {
    fn from(row: Row) -> RowJson {
        RowJson {
            id: row.page.id,
            title: row.page.title,
            icon: row.page.icon,
            cells: row.cells,
            created_by: row.page.created_by.map(|u| u.0),
            created_at: bureau_core::time::rfc3339(row.page.created_at),
            updated_at: bureau_core::time::rfc3339(row.page.updated_at),
        }
    }
}

/// How a table is shown. A sort or filter's `field` is a column id or
/// `"title"`. Filter `op`s: `is`, `is_not`, `contains`, `not_contains`
/// (text, link), `below`, `above` (number), `before`, `after` (date),
/// `is_empty`, `is_not_empty`; a person filter's value may be `"me"`.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ViewJson {
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub sorts: Vec<bureau_docs::Sort>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub filters: Vec<bureau_docs::Filter>,
}

impl From<View> for ViewJson {
    fn from(view: View) -> ViewJson {
        ViewJson {
            sorts: view.sorts,
            filters: view.filters,
        }
    }
}

impl From<ViewJson> for View {
    fn from(view: ViewJson) -> View {
        View {
            sorts: view.sorts,
            filters: view.filters,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TableJson {
    pub page: PageJson,
    pub columns: Vec<ColumnJson>,
    /// The saved view everyone sees.
    pub view: ViewJson,
    /// The rows through the view.
    pub rows: Vec<RowJson>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnRequest {
    pub name: String,
    /// `text`, `number`, `date`, `select`, `person`, `checkbox` or `link`.
    pub kind: String,
    #[serde(default)]
    pub choices: Vec<ChoiceJson>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnUpdate {
    pub name: Option<String>,
    /// A new kind keeps the values that fit it and empties the others.
    pub kind: Option<String>,
    pub choices: Option<Vec<ChoiceJson>>,
    /// Its place among the columns, from 0.
    pub index: Option<usize>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RowRequest {
    #[serde(default)]
    pub title: String,
    /// Values by column id (see `RowJson.cells`).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub cells: BTreeMap<i64, Value>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RowUpdate {
    pub title: Option<String>,
    /// Values by column id; `null` empties a cell; columns not named stay.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub cells: BTreeMap<i64, Value>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportedJson {
    /// Rows added.
    pub added: usize,
}

fn kind(text: &str) -> Result<ColumnKind, Error> {
    serde_json::from_value(Value::String(text.into())).map_err(|_| {
        Error::invalid(
            "kind",
            "a column is text, number, date, select, person, checkbox or link",
        )
    })
}

fn choices(list: Vec<ChoiceJson>) -> Vec<Choice> {
    list.into_iter()
        .map(|c| Choice {
            name: c.name,
            color: c.color,
        })
        .collect()
}

async fn table_json(
    state: &AppState,
    auth: &Auth,
    id: i64,
    through: Option<View>,
) -> ApiResult<Reply<TableJson>> {
    let table = state.docs.table(&auth.principal, id, through).await?;
    Ok(Reply(TableJson {
        page: table.page.into(),
        columns: table.columns.into_iter().map(ColumnJson::from).collect(),
        view: table.view.into(),
        rows: table.rows.into_iter().map(RowJson::from).collect(),
    }))
}

/// A database: its columns, saved view, and rows through that view.
#[utoipa::path(get, path = "/pages/{id}/table", tag = "docs", params(("id" = i64, Path)),
    responses((status = 200, body = TableJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn table(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<TableJson>> {
    table_json(&state, &auth, id, None).await
}

/// A database's rows through a view of one's own, not saved.
#[utoipa::path(post, path = "/pages/{id}/table/query", tag = "docs", params(("id" = i64, Path)),
    request_body = ViewJson,
    responses((status = 200, body = TableJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn query_table(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(view): Json<ViewJson>,
) -> ApiResult<Reply<TableJson>> {
    table_json(&state, &auth, id, Some(view.into())).await
}

/// Saves the view everyone sees the database through.
#[utoipa::path(put, path = "/pages/{id}/table/view", tag = "docs", params(("id" = i64, Path)),
    request_body = ViewJson,
    responses((status = 200, body = ViewJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(view): Json<ViewJson>,
) -> ApiResult<Reply<ViewJson>> {
    let view = state
        .docs
        .set_view(&auth.principal, id, view.into())
        .await?;
    Ok(Reply(view.into()))
}

/// Adds a column at the end.
#[utoipa::path(post, path = "/pages/{id}/columns", tag = "docs", params(("id" = i64, Path)),
    request_body = ColumnRequest,
    responses((status = 201, body = ColumnJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_column(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<ColumnRequest>,
) -> ApiResult<(StatusCode, Reply<ColumnJson>)> {
    let column = state
        .docs
        .add_column(
            &auth.principal,
            id,
            NewColumn {
                name: &body.name,
                kind: kind(&body.kind)?,
                choices: choices(body.choices),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Reply(column.into())))
}

/// Renames a column, changes its kind or choices, or moves it.
#[utoipa::path(patch, path = "/pages/{id}/columns/{column_id}", tag = "docs",
    params(("id" = i64, Path), ("column_id" = i64, Path)), request_body = ColumnUpdate,
    responses((status = 200, body = ColumnJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_column(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, column)): Path<(i64, i64)>,
    Json(body): Json<ColumnUpdate>,
) -> ApiResult<Reply<ColumnJson>> {
    let edit = ColumnEdit {
        name: body.name.as_deref(),
        kind: body.kind.as_deref().map(kind).transpose()?,
        choices: body.choices.map(choices),
        index: body.index,
    };
    let column = state
        .docs
        .edit_column(&auth.principal, id, column, edit)
        .await?;
    Ok(Reply(column.into()))
}

/// Deletes a column and its values.
#[utoipa::path(delete, path = "/pages/{id}/columns/{column_id}", tag = "docs",
    params(("id" = i64, Path), ("column_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_column(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, column)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .docs
        .delete_column(&auth.principal, id, column)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a row: a page below the database, with its values. A row goes
/// with `POST /pages/{row}/archive`.
#[utoipa::path(post, path = "/pages/{id}/rows", tag = "docs", params(("id" = i64, Path)),
    request_body = RowRequest,
    responses((status = 201, body = RowJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_row(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<RowRequest>,
) -> ApiResult<(StatusCode, Reply<RowJson>)> {
    let row = state
        .docs
        .add_row(&auth.principal, id, &body.title, &body.cells)
        .await?;
    Ok((StatusCode::CREATED, Reply(row.into())))
}

/// Changes a row's title or values.
#[utoipa::path(patch, path = "/pages/{id}/rows/{row_id}", tag = "docs",
    params(("id" = i64, Path), ("row_id" = i64, Path)), request_body = RowUpdate,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_row(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, row)): Path<(i64, i64)>,
    Json(body): Json<RowUpdate>,
) -> ApiResult<StatusCode> {
    state
        .docs
        .edit_row(&auth.principal, id, row, body.title.as_deref(), &body.cells)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds the rows of a CSV file (the raw bytes, UTF-8, commas or
/// semicolons, up to 4 MiB and 10,000 rows). Its first line names the
/// columns: the Name or Title column (else the first) gives the rows'
/// titles, other names match columns or make new ones. Nothing is added
/// unless every line fits.
#[utoipa::path(post, path = "/pages/{id}/rows/import", tag = "docs", params(("id" = i64, Path)),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportedJson), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_rows(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    request: Request,
) -> ApiResult<(StatusCode, Reply<ImportedJson>)> {
    let bytes = super::whole_body(
        request,
        MAX_CSV_BYTES,
        "a CSV file to import is at most 4 MiB",
    )
    .await?;
    let added = state.docs.import_csv(&auth.principal, id, &bytes).await?;
    Ok((StatusCode::CREATED, Reply(ImportedJson { added })))
}
