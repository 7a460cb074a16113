//! `/api/v1/office`: the company's equipment and who holds it. Admins
//! manage the inventory; members read what they hold (`bureau_office` says
//! who sees what).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json as Reply;
use bureau_core::UserId;
use bureau_store::{AssignmentRecord, EquipmentFields, EquipmentRecord, RequestRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Body, Json, Path, Query};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_equipment, create_equipment))
        .routes(routes!(get_equipment, update_equipment))
        .routes(routes!(export_equipment))
        .routes(routes!(import_equipment))
        .routes(routes!(list_requests, create_request))
        .routes(routes!(set_request_state))
        .routes(routes!(assign_equipment))
        .routes(routes!(set_equipment_status))
}

/// A piece of equipment to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentRequest {
    /// `laptop`, `desktop`, `webcam`, `headset`, `phone`, `4g_key`, `sim`,
    /// `phone_line` or `other`.
    pub kind: String,
    /// What people call it ("ThinkPad of the sales desk").
    pub label: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub serial: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub purchase_date: Option<String>,
    #[serde(default)]
    pub cost_cents: Option<i64>,
    #[serde(default)]
    pub notes: String,
    /// SIM cards and 4G keys: the operator.
    #[serde(default)]
    pub operator: String,
    /// SIM cards and 4G keys: the monthly data cap in GB (0: unlimited).
    #[serde(default)]
    pub cap_gb: Option<i64>,
    /// SIM cards and 4G keys: the day of the month the plan renews.
    #[serde(default)]
    pub renewal_day: Option<i64>,
    #[serde(default)]
    pub monthly_cents: Option<i64>,
    /// Phone lines: the number.
    #[serde(default)]
    pub phone_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct EquipmentJson {
    pub id: i64,
    pub kind: String,
    pub label: String,
    pub model: String,
    pub serial: String,
    pub purchase_date: Option<String>,
    pub cost_cents: Option<i64>,
    /// `in_stock`, `assigned`, `in_repair` or `retired`.
    pub status: String,
    pub notes: String,
    pub operator: String,
    pub cap_gb: Option<i64>,
    pub renewal_day: Option<i64>,
    pub monthly_cents: Option<i64>,
    pub phone_number: String,
    /// The person who holds it now.
    pub holder: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<EquipmentRecord> for EquipmentJson {
    fn from(e: EquipmentRecord) -> EquipmentJson {
        let f = e.fields;
        EquipmentJson {
            id: e.id,
            kind: f.kind,
            label: f.label,
            model: f.model,
            serial: f.serial,
            purchase_date: f.purchase_date,
            cost_cents: f.cost_cents,
            status: e.status,
            notes: f.notes,
            operator: f.operator,
            cap_gb: f.cap_gb,
            renewal_day: f.renewal_day,
            monthly_cents: f.monthly_cents,
            phone_number: f.phone_number,
            holder: e.holder.map(|u| u.0),
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// One turn of a person holding a piece.
#[derive(Serialize, ToSchema)]
pub struct AssignmentJson {
    pub user_id: i64,
    /// The admin who handed it over.
    pub by_user: i64,
    pub from_at: i64,
    /// When it came back (absent while they hold it).
    pub until_at: Option<i64>,
}

impl From<AssignmentRecord> for AssignmentJson {
    fn from(a: AssignmentRecord) -> AssignmentJson {
        AssignmentJson {
            user_id: a.user_id.0,
            by_user: a.by_user.0,
            from_at: a.from_at,
            until_at: a.until_at,
        }
    }
}

/// A piece with who held it.
#[derive(Serialize, ToSchema)]
pub struct EquipmentDetailJson {
    pub equipment: EquipmentJson,
    /// Most recent first; a member sees their own turns only.
    pub history: Vec<AssignmentJson>,
}

/// Adds a piece to the inventory, in stock (admins).
#[utoipa::path(post, path = "/office/equipment", tag = "office", request_body = EquipmentRequest,
    responses((status = 201, body = EquipmentJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_equipment(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<EquipmentRequest>,
) -> ApiResult<(StatusCode, Reply<EquipmentJson>)> {
    let piece = state.office.create(&auth.principal, body.into()).await?;
    Ok((StatusCode::CREATED, Reply(piece.into())))
}

impl From<EquipmentRequest> for EquipmentFields {
    fn from(body: EquipmentRequest) -> Self {
        EquipmentFields {
            kind: body.kind,
            label: body.label.trim().to_string(),
            model: body.model,
            serial: body.serial,
            purchase_date: body.purchase_date,
            cost_cents: body.cost_cents,
            notes: body.notes,
            operator: body.operator,
            cap_gb: body.cap_gb,
            renewal_day: body.renewal_day,
            monthly_cents: body.monthly_cents,
            phone_number: body.phone_number,
        }
    }
}

/// Replaces a piece's fields (admins).
#[utoipa::path(put, path = "/office/equipment/{id}", tag = "office", params(("id" = i64, Path)),
    request_body = EquipmentRequest,
    responses((status = 200, body = EquipmentJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_equipment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<EquipmentRequest>,
) -> ApiResult<Reply<EquipmentJson>> {
    let piece = state
        .office
        .update(&auth.principal, id, body.into())
        .await?;
    Ok(Reply(piece.into()))
}

/// The inventory as CSV, with each holder's user name (admins).
#[utoipa::path(get, path = "/office/equipment/export", tag = "office",
    responses((status = 200, description = "text/csv", content_type = "text/csv"), (status = 403, body = ErrorBody)))]
async fn export_equipment(State(state): State<AppState>, auth: Auth) -> ApiResult<Response> {
    let csv = state.office.export(&auth.principal).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                super::content_disposition("attachment", "equipment.csv"),
            ),
        ],
        csv,
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `refuse_all` (the default): one bad line and nothing is imported;
    /// `keep_valid`: the good lines are imported, the bad ones reported.
    pub on_error: Option<String>,
}

/// A line an import could not take.
#[derive(Serialize, ToSchema)]
pub struct LineErrorJson {
    pub line: u64,
    pub field: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportJson {
    /// The pieces added.
    pub imported: Vec<i64>,
    /// The lines left out, by number (the header is line 1).
    pub errors: Vec<LineErrorJson>,
}

/// Adds pieces from a CSV file (admins): columns kind, label, model,
/// serial, purchase_date, cost, status, notes, operator, cap_gb,
/// renewal_day, monthly_cost, phone_number, holder (a user name). With
/// `on_error=refuse_all`, a bad line makes it 422 `invalid_lines` and
/// nothing is stored.
#[utoipa::path(post, path = "/office/equipment/import", tag = "office", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportJson), (status = 403, body = ErrorBody),
        (status = 422, description = "bad lines, nothing stored: the error and `lines`")))]
async fn import_equipment(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<ImportQuery>,
    Body(body): Body,
) -> ApiResult<Response> {
    let keep_valid = match query.on_error.as_deref() {
        None | Some("refuse_all") => false,
        Some("keep_valid") => true,
        Some(_) => {
            return Err(ApiError {
                field: Some("on_error"),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "on_error is refuse_all or keep_valid",
                )
            })
        }
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return Err(ApiError::bad_request("the CSV file is not UTF-8 text"));
    };
    let report = state
        .office
        .import(&auth.principal, text, keep_valid)
        .await?;
    let errors: Vec<LineErrorJson> = report
        .errors
        .into_iter()
        .map(|e| LineErrorJson {
            line: e.line,
            field: e.field,
            message: e.message,
        })
        .collect();
    if report.refused {
        let message = format!(
            "{} line(s) cannot be imported, so nothing was: fix them or keep the valid lines",
            errors.len()
        );
        // The error, with the lines at fault beside it.
        let body = serde_json::json!({
            "error": crate::error::ErrorDetail {
                code: "invalid_lines",
                message,
                field: Some("csv"),
                request_id: crate::error::REQUEST_ID.try_with(Clone::clone).unwrap_or_default(),
            },
            "lines": errors,
        });
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Reply(body)).into_response());
    }
    Ok(Reply(ImportJson {
        imported: report.imported,
        errors,
    })
    .into_response())
}

/// The inventory (admins), or the pieces the caller holds (members).
#[utoipa::path(get, path = "/office/equipment", tag = "office",
    responses((status = 200, body = [EquipmentJson]), (status = 401, body = ErrorBody)))]
async fn list_equipment(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Reply<Vec<EquipmentJson>>> {
    let pieces = state.office.list(&auth.principal).await?;
    Ok(Reply(pieces.into_iter().map(Into::into).collect()))
}

/// One piece and who held it.
#[utoipa::path(get, path = "/office/equipment/{id}", tag = "office", params(("id" = i64, Path)),
    responses((status = 200, body = EquipmentDetailJson), (status = 404, body = ErrorBody)))]
async fn get_equipment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<EquipmentDetailJson>> {
    let (piece, history) = state.office.detail(&auth.principal, id).await?;
    Ok(Reply(EquipmentDetailJson {
        equipment: piece.into(),
        history: history.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub user_id: i64,
}

/// Gives a piece to a person; the previous holder's turn ends (admins).
#[utoipa::path(post, path = "/office/equipment/{id}/assign", tag = "office", params(("id" = i64, Path)),
    request_body = AssignRequest,
    responses((status = 200, body = EquipmentJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign_equipment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<AssignRequest>,
) -> ApiResult<Reply<EquipmentJson>> {
    let piece = state
        .office
        .assign(&auth.principal, id, UserId(body.user_id))
        .await?;
    Ok(Reply(piece.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentStatusRequest {
    /// `in_stock` (taken back), `in_repair` or `retired`.
    pub status: String,
}

/// Takes a piece back or sets its status; the holder's turn ends (admins).
#[utoipa::path(post, path = "/office/equipment/{id}/status", tag = "office", params(("id" = i64, Path)),
    request_body = EquipmentStatusRequest,
    responses((status = 200, body = EquipmentJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_equipment_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<EquipmentStatusRequest>,
) -> ApiResult<Reply<EquipmentJson>> {
    let piece = state
        .office
        .set_status(&auth.principal, id, &body.status)
        .await?;
    Ok(Reply(piece.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// `new` (ask for a piece) or `broken` (report one you hold).
    pub what: String,
    /// For `new`: the kind of equipment.
    #[serde(default)]
    pub kind: String,
    /// For `broken`: the piece.
    #[serde(default)]
    pub equipment_id: Option<i64>,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequestJson {
    pub id: i64,
    pub user_id: i64,
    pub what: String,
    pub kind: String,
    pub equipment_id: Option<i64>,
    pub reason: String,
    /// `open`, `ordered`, `done`, `refused` or `withdrawn`.
    pub state: String,
    /// The admin's word to the person.
    pub admin_note: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<RequestRecord> for RequestJson {
    fn from(r: RequestRecord) -> Self {
        RequestJson {
            id: r.id,
            user_id: r.user_id.0,
            what: r.what,
            kind: r.kind,
            equipment_id: r.equipment_id,
            reason: r.reason,
            state: r.state,
            admin_note: r.admin_note,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Asks for equipment or reports a broken piece one holds.
#[utoipa::path(post, path = "/office/requests", tag = "office", request_body = NewRequest,
    responses((status = 201, body = RequestJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_request(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewRequest>,
) -> ApiResult<(StatusCode, Reply<RequestJson>)> {
    let request = state
        .office
        .request(
            &auth.principal,
            &body.what,
            &body.kind,
            body.equipment_id,
            &body.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Reply(request.into())))
}

/// The queue (admins) or the caller's own requests, newest first.
#[utoipa::path(get, path = "/office/requests", tag = "office",
    responses((status = 200, body = [RequestJson]), (status = 401, body = ErrorBody)))]
async fn list_requests(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Reply<Vec<RequestJson>>> {
    let requests = state.office.requests(&auth.principal).await?;
    Ok(Reply(requests.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestStateChange {
    /// Admins: `open`, `ordered`, `done` or `refused`; the person who
    /// asked: `withdrawn` (while open).
    pub state: String,
    /// The admin's word to the person.
    #[serde(default)]
    pub note: Option<String>,
}

/// Moves a request on.
#[utoipa::path(post, path = "/office/requests/{id}/state", tag = "office", params(("id" = i64, Path)),
    request_body = RequestStateChange,
    responses((status = 200, body = RequestJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_request_state(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<RequestStateChange>,
) -> ApiResult<Reply<RequestJson>> {
    let request = state
        .office
        .set_request_state(&auth.principal, id, &body.state, body.note.as_deref())
        .await?;
    Ok(Reply(request.into()))
}
