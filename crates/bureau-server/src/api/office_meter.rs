//! `/api/v1/office`: the data meter's figures, connection tests and the
//! speed test they run against bureau, readiness, and the office settings.
//! A member reads their own; an admin anyone's (`bureau_office` decides).

use std::sync::OnceLock;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json as Reply, Router};
use bureau_core::{GroupId, UserId};
use bureau_office::meter::{PlanUse, Thresholds};
use bureau_office::readiness::Measured;
use bureau_office::{PersonReadiness, Settings};
use bureau_store::ConnectionTestRecord;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Query};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(usage))
        .routes(routes!(list_tests, record_test))
        .routes(routes!(readiness))
        .routes(routes!(get_settings, put_settings))
}

/// The speed test's transfers: no body limit, no timeout, no compression
/// (mounted beside file transfers).
pub fn speedtest_router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/office/speedtest/down", get(download))
        .route("/api/v1/office/speedtest/up", axum::routing::post(upload))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// Whose usage (admins; a member reads their own). Absent: the caller,
    /// or everyone for an admin.
    pub user_id: Option<i64>,
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today, UTC).
    pub to: Option<String>,
}

/// Bytes one person moved on one day through one feature.
#[derive(Serialize, ToSchema)]
pub struct UsageRowJson {
    pub user_id: i64,
    pub day: String,
    /// `web`, `events`, `files`, `docs` or `meetings`.
    pub feature: String,
    /// Received by the server from the person.
    pub bytes_in: u64,
    /// Sent by the server to the person.
    pub bytes_out: u64,
}

/// A metered person's current plan month.
#[derive(Serialize, ToSchema)]
pub struct PlanJson {
    pub user_id: i64,
    pub cap_bytes: u64,
    /// The day the plan's month began.
    pub period_start: String,
    pub used_bytes: u64,
    /// `free`, `data_saver` or `audio_only`: how their meetings start.
    pub level: String,
}

#[derive(Serialize, ToSchema)]
pub struct UsageJson {
    pub from: String,
    pub to: String,
    pub rows: Vec<UsageRowJson>,
    /// People with a capped data plan in this report.
    pub plans: Vec<PlanJson>,
    /// The admin's thresholds, in % of the cap.
    pub saver_at_pct: u8,
    pub audio_only_at_pct: u8,
}

fn plan_json(user: UserId, plan: PlanUse) -> PlanJson {
    PlanJson {
        user_id: user.0,
        cap_bytes: plan.cap_bytes,
        period_start: plan.period_start,
        used_bytes: plan.used_bytes,
        level: plan.level.as_str().into(),
    }
}

/// Bytes per day and feature: the caller's, or (admins) one person's or
/// everyone's.
#[utoipa::path(get, path = "/office/usage", tag = "office", params(UsageQuery),
    responses((status = 200, body = UsageJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn usage(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<UsageQuery>,
) -> ApiResult<Reply<UsageJson>> {
    let report = state
        .office
        .usage(
            &auth.principal,
            query.user_id.map(UserId),
            query.from.as_deref(),
            query.to.as_deref(),
        )
        .await?;
    let thresholds = state.office.meter().thresholds();
    Ok(Reply(UsageJson {
        from: report.from,
        to: report.to,
        rows: report
            .rows
            .into_iter()
            .map(|(user, day, feature, bytes_in, bytes_out)| UsageRowJson {
                user_id: user.0,
                day,
                feature: feature.into(),
                bytes_in,
                bytes_out,
            })
            .collect(),
        plans: report
            .plans
            .into_iter()
            .map(|(user, plan)| plan_json(user, plan))
            .collect(),
        saver_at_pct: thresholds.saver_at_pct,
        audio_only_at_pct: thresholds.audio_only_at_pct,
    }))
}

/// What the browser measured against bureau.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionTestRequest {
    pub down_kbps: i64,
    pub up_kbps: i64,
    pub rtt_ms: i64,
    pub jitter_ms: i64,
    /// Share of probes lost, 0 to 100.
    pub loss_pct: f64,
}

#[derive(Serialize, ToSchema)]
pub struct ConnectionTestJson {
    pub id: i64,
    pub user_id: i64,
    pub at: i64,
    pub down_kbps: i64,
    pub up_kbps: i64,
    pub rtt_ms: i64,
    pub jitter_ms: i64,
    pub loss_pct: f64,
    /// `video`, `data_saver` or `audio_only`.
    pub verdict: String,
    /// The browser's user agent.
    pub client: String,
}

impl From<ConnectionTestRecord> for ConnectionTestJson {
    fn from(t: ConnectionTestRecord) -> Self {
        ConnectionTestJson {
            id: t.id,
            user_id: t.user_id.0,
            at: t.at,
            down_kbps: t.test.down_kbps,
            up_kbps: t.test.up_kbps,
            rtt_ms: t.test.rtt_ms,
            jitter_ms: t.test.jitter_ms,
            loss_pct: t.test.loss_pct,
            verdict: t.test.verdict,
            client: t.test.client,
        }
    }
}

/// Keeps the caller's connection test; the server gives the verdict.
#[utoipa::path(post, path = "/office/connection-tests", tag = "office", request_body = ConnectionTestRequest,
    responses((status = 201, body = ConnectionTestJson), (status = 422, body = ErrorBody)))]
async fn record_test(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Json(body): Json<ConnectionTestRequest>,
) -> ApiResult<(StatusCode, Reply<ConnectionTestJson>)> {
    let client = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let measured = Measured {
        down_kbps: body.down_kbps,
        up_kbps: body.up_kbps,
        rtt_ms: body.rtt_ms,
        jitter_ms: body.jitter_ms,
        loss_pct: body.loss_pct,
    };
    let test = state
        .office
        .record_test(&auth.principal, measured, client)
        .await?;
    Ok((StatusCode::CREATED, Reply(test.into())))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TestsQuery {
    /// Whose tests (admins); a member reads their own.
    pub user_id: Option<i64>,
}

/// A person's connection tests, newest first (the last 100).
#[utoipa::path(get, path = "/office/connection-tests", tag = "office", params(TestsQuery),
    responses((status = 200, body = [ConnectionTestJson]), (status = 404, body = ErrorBody)))]
async fn list_tests(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<TestsQuery>,
) -> ApiResult<Reply<Vec<ConnectionTestJson>>> {
    let tests = state
        .office
        .tests(&auth.principal, query.user_id.map(UserId))
        .await?;
    Ok(Reply(tests.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct PersonReadinessJson {
    pub user_id: i64,
    /// `ready`, `partly` or `not_ready`.
    pub verdict: String,
    /// `laptop`, `webcam`, `microphone`, `connection_test`,
    /// `connection_slow`, `connection_poor`, `phone_line`, `tools`.
    pub missing: Vec<String>,
    pub latest_test: Option<ConnectionTestJson>,
}

impl From<PersonReadiness> for PersonReadinessJson {
    fn from(p: PersonReadiness) -> Self {
        PersonReadinessJson {
            user_id: p.user_id.0,
            verdict: p.verdict.as_str().into(),
            missing: p.missing.iter().map(|m| m.as_str().into()).collect(),
            latest_test: p.latest_test.map(Into::into),
        }
    }
}

/// One line of the shopping list.
#[derive(Serialize, ToSchema)]
pub struct ShoppingLineJson {
    pub kind: String,
    pub count: usize,
    pub unit_cents: i64,
    pub total_cents: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CompanyReadinessJson {
    pub people: usize,
    pub ready: usize,
    pub partly: usize,
    pub not_ready: usize,
    /// Share of people ready, 0 to 100.
    pub ready_pct: f64,
    pub shopping: Vec<ShoppingLineJson>,
    pub shopping_total_cents: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReadinessJson {
    pub people: Vec<PersonReadinessJson>,
    /// The company's figures (admins only).
    pub company: Option<CompanyReadinessJson>,
}

/// Who can work from home: everyone and the company's figures for an
/// admin, the caller's own checklist for a member.
#[utoipa::path(get, path = "/office/readiness", tag = "office",
    responses((status = 200, body = ReadinessJson), (status = 401, body = ErrorBody)))]
async fn readiness(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<ReadinessJson>> {
    let (people, company) = state.office.readiness(&auth.principal).await?;
    let company = company.map(|c| {
        let shopping: Vec<ShoppingLineJson> = c
            .shopping
            .iter()
            .map(|&(kind, count, unit)| ShoppingLineJson {
                kind: kind.into(),
                count,
                unit_cents: unit,
                total_cents: unit * count as i64,
            })
            .collect();
        CompanyReadinessJson {
            people: c.people,
            ready: c.ready,
            partly: c.partly,
            not_ready: c.not_ready,
            ready_pct: (c.ready * 1000)
                .checked_div(c.people)
                .map_or(0.0, |permille| permille as f64 / 10.0),
            shopping_total_cents: shopping.iter().map(|l| l.total_cents).sum(),
            shopping,
        }
    });
    Ok(Reply(ReadinessJson {
        people: people.into_iter().map(Into::into).collect(),
        company,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsJson {
    /// Whether each person's data use is counted (default true). Off, no
    /// bytes are counted and nobody's meetings are held back by their cap;
    /// the figures already counted stay.
    #[serde(default = "yes")]
    pub metering: bool,
    /// Meetings of a metered person start in data-saver past this share of
    /// their monthly cap (default 80).
    pub saver_at_pct: u8,
    /// ... and in audio-only past this one (default 95).
    pub audio_only_at_pct: u8,
    /// Members of these groups need a phone line to be ready.
    pub phone_groups: Vec<i64>,
    /// Unit prices for the shopping list, in cents: `laptop`, `webcam`,
    /// `headset`, `4g_key`, `phone_line`.
    pub prices: std::collections::BTreeMap<String, i64>,
    /// Private or local networks the tools' reachability check may visit
    /// (`10.0.0.0/8`, `192.168.1.20`); none by default.
    #[serde(default)]
    pub allowed_networks: Vec<String>,
}

fn yes() -> bool {
    true
}

impl From<Settings> for SettingsJson {
    fn from(s: Settings) -> Self {
        SettingsJson {
            metering: s.metering,
            saver_at_pct: s.thresholds.saver_at_pct,
            audio_only_at_pct: s.thresholds.audio_only_at_pct,
            phone_groups: s.phone_groups.iter().map(|g| g.0).collect(),
            prices: s.prices.into_iter().collect(),
            allowed_networks: s.allowed_networks,
        }
    }
}

/// The office settings (admins).
#[utoipa::path(get, path = "/office/settings", tag = "office",
    responses((status = 200, body = SettingsJson), (status = 403, body = ErrorBody)))]
async fn get_settings(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<SettingsJson>> {
    Ok(Reply(state.office.settings(&auth.principal).await?.into()))
}

/// Changes the office settings (admins).
#[utoipa::path(put, path = "/office/settings", tag = "office", request_body = SettingsJson,
    responses((status = 200, body = SettingsJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<SettingsJson>,
) -> ApiResult<Reply<SettingsJson>> {
    let settings = Settings {
        metering: body.metering,
        thresholds: Thresholds {
            saver_at_pct: body.saver_at_pct,
            audio_only_at_pct: body.audio_only_at_pct,
        },
        phone_groups: body.phone_groups.into_iter().map(GroupId).collect(),
        prices: body.prices.into_iter().collect(),
        allowed_networks: body.allowed_networks,
    };
    Ok(Reply(
        state
            .office
            .set_settings(&auth.principal, settings)
            .await?
            .into(),
    ))
}

/// Largest speed-test transfer either way.
const MAX_SPEEDTEST_BYTES: u64 = 100_000_000;
const BLOCK: usize = 256 * 1024;

/// Random bytes, made once: nothing on the way can compress them.
fn block() -> bytes::Bytes {
    static BLOCK_BYTES: OnceLock<bytes::Bytes> = OnceLock::new();
    BLOCK_BYTES
        .get_or_init(|| {
            let mut data = vec![0u8; BLOCK];
            getrandom::getrandom(&mut data).expect("the operating system provides randomness");
            data.into()
        })
        .clone()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownQuery {
    bytes: u64,
}

/// `bytes` random bytes, never cached.
async fn download(_auth: Auth, Query(query): Query<DownQuery>) -> Result<Response, ApiError> {
    let total = query.bytes;
    if !(1..=MAX_SPEEDTEST_BYTES).contains(&total) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("bytes is from 1 to {MAX_SPEEDTEST_BYTES}"),
        ));
    }
    let data = block();
    let chunks = (0..total.div_ceil(BLOCK as u64)).map(move |i| {
        let len = (total - i * BLOCK as u64).min(BLOCK as u64) as usize;
        Ok::<_, std::io::Error>(data.slice(..len))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_LENGTH, total.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
        .into_response())
}

#[derive(Serialize)]
struct UpReply {
    bytes: u64,
    millis: u64,
}

/// Reads and throws away the body; says how much came and how long it took.
async fn upload(_auth: Auth, request: Request) -> Result<Reply<UpReply>, ApiError> {
    let started = Instant::now();
    let mut body = Body::into_data_stream(request.into_body());
    let mut bytes = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("the upload was cut"))?;
        bytes += chunk.len() as u64;
        if bytes > MAX_SPEEDTEST_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("a speed test sends at most {MAX_SPEEDTEST_BYTES} bytes"),
            ));
        }
    }
    Ok(Reply(UpReply {
        bytes,
        millis: started.elapsed().as_millis() as u64,
    }))
}
