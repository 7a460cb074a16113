//! `/api/v1/office`: the company's equipment and who holds it. Admins
//! manage the inventory; members read what they hold (`bureau_office` says
//! who sees what).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json as Reply;
use bureau_core::UserId;
use bureau_store::{AssignmentRecord, EquipmentFields, EquipmentRecord};
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
        .routes(routes!(list_equipment, create_equipment))
        .routes(routes!(get_equipment))
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
    let fields = EquipmentFields {
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
    };
    let piece = state.office.create(&auth.principal, fields).await?;
    Ok((StatusCode::CREATED, Reply(piece.into())))
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
pub struct StatusRequest {
    /// `in_stock` (taken back), `in_repair` or `retired`.
    pub status: String,
}

/// Takes a piece back or sets its status; the holder's turn ends (admins).
#[utoipa::path(post, path = "/office/equipment/{id}/status", tag = "office", params(("id" = i64, Path)),
    request_body = StatusRequest,
    responses((status = 200, body = EquipmentJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_equipment_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<StatusRequest>,
) -> ApiResult<Reply<EquipmentJson>> {
    let piece = state
        .office
        .set_status(&auth.principal, id, &body.status)
        .await?;
    Ok(Reply(piece.into()))
}
