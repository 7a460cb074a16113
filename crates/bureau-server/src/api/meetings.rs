//! `/api/v1/meetings`: video calls. REST to start, schedule and look up
//! meetings and to knock as a guest; `GET /meetings/{id}/signal` is the
//! signalling WebSocket (JSON messages, see `bureau_meet::calls`), checked
//! before the upgrade like docs sync.

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json as Reply;
use bureau_core::{ChannelId, UserId};
use bureau_meet::{Attendee, ClientMessage, Connection, NewCall, Signal};
use bureau_office::meter::Feature;
use bureau_store::MeetingRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{cookie, Auth};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::meter::MeteredSocket;
use crate::AppState;

/// Largest signalling message: an SDP offer with its sources.
const MAX_SIGNAL_MESSAGE: usize = 64 * 1024;
/// The socket closes with this code when it floods the server.
const CLOSE_FLOOD: u16 = 4429;
const CLOSE_DONE: u16 = 4000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_meetings, create_meeting))
        .routes(routes!(personal_room))
        .routes(routes!(get_meeting))
        .routes(routes!(knock_meeting))
        .routes(routes!(meeting_signal))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRequest {
    pub title: String,
    /// Start the call in this channel or DM: everyone who reads it may join.
    #[serde(default)]
    pub channel_id: Option<i64>,
    /// A scheduled meeting's start, in milliseconds since 1970.
    #[serde(default)]
    pub starts_at: Option<i64>,
    /// People invited to a meeting outside a channel.
    #[serde(default)]
    pub invitees: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingJson {
    pub id: i64,
    /// `call`, `scheduled` or `personal`.
    pub kind: String,
    pub title: String,
    pub channel_id: Option<i64>,
    pub starts_at: Option<i64>,
    pub created_by: i64,
    pub locked: bool,
    pub ended: bool,
    /// The link members open.
    pub url: String,
    /// The link guests open (no account needed; a host admits them).
    /// Given to hosts only.
    pub guest_url: Option<String>,
    /// Whether the caller hosts it.
    pub host: bool,
    /// People in the call now.
    pub in_call: usize,
}

fn view(state: &AppState, meeting: &MeetingRecord, host: bool) -> MeetingJson {
    MeetingJson {
        id: meeting.id,
        kind: meeting.kind.clone(),
        title: meeting.title.clone(),
        channel_id: meeting.channel_id.map(|c| c.0),
        starts_at: meeting.starts_at,
        created_by: meeting.created_by.0,
        locked: meeting.locked,
        ended: meeting.ended_at.is_some(),
        url: state.meet.url(meeting),
        guest_url: host.then(|| state.meet.guest_url(meeting)),
        host,
        in_call: state.calls.in_call(meeting.id),
    }
}

/// Starts a call (in a channel, or with invitees) or schedules a meeting.
#[utoipa::path(post, path = "/meetings", tag = "meetings", request_body = MeetingRequest,
    responses((status = 201, body = MeetingJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_meeting(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<MeetingRequest>,
) -> ApiResult<(StatusCode, Reply<MeetingJson>)> {
    let invitees: Vec<UserId> = body.invitees.iter().map(|id| UserId(*id)).collect();
    let meeting = state
        .meet
        .create(
            &auth.principal,
            NewCall {
                title: &body.title,
                channel_id: body.channel_id.map(ChannelId),
                starts_at: body.starts_at,
                invitees: &invitees,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Reply(view(&state, &meeting, true))))
}

/// Meetings the caller created or was invited to that have not ended.
#[utoipa::path(get, path = "/meetings", tag = "meetings",
    responses((status = 200, body = [MeetingJson]), (status = 401, body = ErrorBody)))]
async fn list_meetings(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Reply<Vec<MeetingJson>>> {
    let meetings = state.meet.list(&auth.principal).await?;
    Ok(Reply(
        meetings
            .iter()
            .map(|m| {
                view(
                    &state,
                    m,
                    m.created_by == auth.principal.user_id || auth.principal.is_admin(),
                )
            })
            .collect(),
    ))
}

/// The caller's permanent personal room.
#[utoipa::path(get, path = "/me/room", tag = "meetings",
    responses((status = 200, body = MeetingJson), (status = 403, body = ErrorBody)))]
async fn personal_room(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<MeetingJson>> {
    let room = state.meet.personal_room(&auth.principal).await?;
    Ok(Reply(view(&state, &room, true)))
}

/// One meeting the caller may enter.
#[utoipa::path(get, path = "/meetings/{id}", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = MeetingJson), (status = 404, body = ErrorBody)))]
async fn get_meeting(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<MeetingJson>> {
    let (meeting, host) = state.meet.reachable(&auth.principal, id).await?;
    Ok(Reply(view(&state, &meeting, host)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnockRequest {
    /// The key from the guest link.
    pub key: String,
    /// The name the others will see.
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct GuestJson {
    pub id: i64,
    pub name: String,
    /// `waiting` until a host admits (`admitted`) or refuses (`refused`).
    pub state: String,
    pub title: String,
}

fn guest_cookie(meeting: i64) -> String {
    format!("bureau_guest_{meeting}")
}

/// A guest with the link asks to enter; they wait in the lobby until a host
/// admits them. Sets the guest's pass as a cookie for the signalling socket.
#[utoipa::path(post, path = "/meetings/{id}/guests", tag = "meetings", params(("id" = i64, Path)),
    request_body = KnockRequest,
    responses((status = 201, body = GuestJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn knock_meeting(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<KnockRequest>,
) -> ApiResult<Response> {
    let (guest, pass) = state.meet.knock(id, &body.key, &body.name).await?;
    let title = state
        .store
        .meeting(id)
        .await
        .map_err(bureau_core::Error::from)?
        .map(|m| m.title)
        .unwrap_or_default();
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={pass}; Path=/api/v1/meetings/{id}; HttpOnly; SameSite=Strict{secure}",
        guest_cookie(id)
    );
    let body = GuestJson {
        id: guest.id,
        name: guest.name,
        state: guest.state,
        title,
    };
    Ok((
        StatusCode::CREATED,
        AppendHeaders([(header::SET_COOKIE, cookie)]),
        Reply(body),
    )
        .into_response())
}

/// The signalling WebSocket of a call: members with their session, guests
/// with the pass their knock set. Who may enter is checked before the
/// upgrade: others get 404.
#[utoipa::path(get, path = "/meetings/{id}/signal", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 101, description = "Switching to the signalling WebSocket"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn meeting_signal(
    State(state): State<AppState>,
    auth: Result<Auth, ApiError>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    if !crate::realtime::same_origin(&headers, &state) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_origin",
            "this WebSocket was opened from another site",
        ));
    }
    let (meeting, attendee, host) = match auth {
        Ok(auth) => {
            let (meeting, host) = state.meet.reachable(&auth.principal, id).await?;
            (meeting, Attendee::Member(auth.principal), host)
        }
        Err(unauthenticated) => {
            let Some(pass) = cookie(&headers, &guest_cookie(id)) else {
                return Err(unauthenticated);
            };
            let (meeting, guest) = state.meet.guest(id, pass).await?;
            (meeting, Attendee::Guest(guest), false)
        }
    };
    let upgrade = upgrade.map_err(|rejection| {
        ApiError::new(rejection.status(), "not_websocket", rejection.body_text())
    })?;
    let user = match &attendee {
        Attendee::Member(principal) => Some(principal.user_id),
        Attendee::Guest(_) => None,
    };
    let (connection, signals) = Connection::open(
        state.meet.clone(),
        state.calls.clone(),
        meeting,
        attendee,
        host,
    )
    .await?;
    Ok(upgrade
        .max_message_size(MAX_SIGNAL_MESSAGE)
        .max_frame_size(MAX_SIGNAL_MESSAGE)
        .read_buffer_size(8 * 1024)
        .on_upgrade(move |socket| {
            let socket = MeteredSocket::new(socket, &state, user, Feature::Meetings);
            serve(socket, connection, signals)
        }))
}

async fn serve(
    mut socket: MeteredSocket,
    mut connection: Connection,
    mut signals: tokio::sync::mpsc::UnboundedReceiver<Signal>,
) {
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    if !connection.allow() {
                        let _ = socket.send(close(CLOSE_FLOOD, "too many messages")).await;
                        break;
                    }
                    match serde_json::from_str::<ClientMessage>(text.as_str()) {
                        Ok(message) => connection.handle(message).await,
                        Err(error) => {
                            let signal = Signal::Error {
                                code: "invalid",
                                message: format!("this message is not understood: {error}"),
                            };
                            if send(&mut socket, &signal).await.is_err() {
                                break;
                            }
                        }
                    }
                }
                Some(Ok(WsMessage::Binary(_))) => {
                    if !connection.allow() {
                        let _ = socket.send(close(CLOSE_FLOOD, "too many messages")).await;
                        break;
                    }
                    let signal = Signal::Error { code: "invalid", message: "signalling messages are JSON text".into() };
                    if send(&mut socket, &signal).await.is_err() {
                        break;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            outgoing = signals.recv() => match outgoing {
                Some(signal) => {
                    let last = matches!(signal, Signal::Removed | Signal::Ended | Signal::Refused | Signal::AccessEnded);
                    if send(&mut socket, &signal).await.is_err() {
                        break;
                    }
                    if last {
                        let _ = socket.send(close(CLOSE_DONE, "the call is over for you")).await;
                        break;
                    }
                }
                None => break,
            },
        }
    }
}

async fn send(socket: &mut MeteredSocket, signal: &Signal) -> Result<(), axum::Error> {
    let text = serde_json::to_string(signal).expect("signals serialise");
    socket.send(WsMessage::Text(text.into())).await
}

fn close(code: u16, reason: &str) -> WsMessage {
    WsMessage::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
