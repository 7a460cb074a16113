//! The data meter's HTTP side: every request's bytes, as they go over the
//! wire (head and body, after compression), are counted for the person who
//! made it and the feature its path belongs to; WebSocket frames are
//! counted by [`MeteredSocket`]. The counts go to the office's
//! [`bureau_office::meter::Meter`].
//!
//! The person is known only once the `Auth` extractor (or WebDAV's own
//! authentication) ran, inside the handler: the middleware hands a
//! [`Metered`] slot down in the request's extensions, the authentication
//! fills it, and the bodies read it when they are done. Web app files come
//! without authentication: their session cookie names the person, looked
//! up once per session.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::ws::{Message, WebSocket};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use bureau_core::UserId;
use bureau_meet::media::Mode;
use bureau_office::meter::{Feature, Level, Meter};
use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::auth::{cookie, SESSION_COOKIE};
use crate::AppState;

/// Who the request turned out to be from, once authentication knows.
#[derive(Clone, Default)]
pub struct Metered(Arc<OnceLock<UserId>>);

impl Metered {
    pub fn set(&self, user: UserId) {
        let _ = self.0.set(user);
    }
}

/// Session cookies of web app requests (by their hash), to the person
/// they belong to.
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, UserId>>);

/// Sessions remembered at most; past it the memory starts again.
const MAX_SESSIONS: usize = 10_000;

/// What each feature's paths start with; everything else is the web app.
pub fn feature_of(path: &str) -> Feature {
    if path.starts_with("/dav")
        || path.starts_with("/api/v1/files")
        || path.starts_with("/api/v1/uploads")
    {
        Feature::Files
    } else if path.starts_with("/api/v1/docs") {
        Feature::Docs
    } else if path.starts_with("/api/v1/events") {
        Feature::Events
    } else if path.starts_with("/api/v1/meetings") {
        Feature::Meetings
    } else {
        Feature::Web
    }
}

/// The request's bytes, counted when both bodies are done.
struct Tally {
    meter: Arc<Meter>,
    who: Metered,
    feature: Feature,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

impl Drop for Tally {
    fn drop(&mut self) {
        if let Some(user) = self.who.0.get() {
            self.meter.count(
                *user,
                self.feature,
                *self.bytes_in.get_mut(),
                *self.bytes_out.get_mut(),
            );
        }
    }
}

/// Counts one request. Placed outermost, so it sees the response as it
/// leaves (compressed, with every header).
pub async fn count(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if !state.office.meter().is_on() {
        return next.run(request).await;
    }
    let who = Metered::default();
    request.extensions_mut().insert(who.clone());
    let path = request.uri().path();
    let feature = feature_of(path);
    // Pages and scripts of the web app: the cookie says whose they are.
    let session = (!path.starts_with("/api/") && !path.starts_with("/dav"))
        .then(|| cookie(request.headers(), SESSION_COOKIE).map(str::to_string))
        .flatten();
    let head = request_head(&request);
    let head_request = request.method() == Method::HEAD;
    let tally = Arc::new(Tally {
        meter: state.office.meter().clone(),
        who: who.clone(),
        feature,
        bytes_in: AtomicU64::new(head),
        bytes_out: AtomicU64::new(0),
    });
    // Most requests have no body: nothing to count there.
    let empty = http_body::Body::size_hint(request.body()).exact() == Some(0);
    let request = if empty {
        request
    } else {
        request.map(|body| {
            Body::new(Counting {
                inner: body,
                tally: tally.clone(),
                sent: false,
                chunked: false,
            })
        })
    };
    let response = next.run(request).await;
    if let Some(secret) = session {
        if who.0.get().is_none() {
            if let Some(user) = session_user(&state, &secret).await {
                who.set(user);
            }
        }
    }
    let (head, chunked) = response_head(&response, head_request);
    tally.bytes_out.fetch_add(head, Ordering::Relaxed);
    response.map(|body| {
        Body::new(Counting {
            inner: body,
            tally,
            sent: true,
            chunked,
        })
    })
}

async fn session_user(state: &AppState, secret: &str) -> Option<UserId> {
    // Remembered under the secret's hash, as the store keeps it: the
    // secrets themselves stay out of the server's memory.
    let hashed = bureau_accounts::secrets::hash(secret);
    let known = state
        .sessions
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&hashed)
        .copied();
    if known.is_some() {
        return known;
    }
    let (principal, _) = state.accounts.authenticate_session(secret).await.ok()?;
    let mut sessions = state.sessions.0.lock().unwrap_or_else(|e| e.into_inner());
    if sessions.len() >= MAX_SESSIONS {
        sessions.clear();
    }
    sessions.insert(hashed, principal.user_id);
    Some(principal.user_id)
}

/// `name: value\r\n` for each header, and the blank line.
fn headers_len(headers: &HeaderMap) -> u64 {
    let fields: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + 2 + value.len() + 2)
        .sum();
    fields as u64 + 2
}

/// `GET /path?query HTTP/1.1\r\n` and the headers, as they came.
fn request_head(request: &Request) -> u64 {
    let target = request
        .uri()
        .path_and_query()
        .map_or(1, |p| p.as_str().len());
    (request.method().as_str().len() + 1 + target + 1 + 8 + 2) as u64
        + headers_len(request.headers())
}

/// The status line, the headers, and those hyper adds on the way out (the
/// date, the length or chunked transfer); whether the body goes chunked.
fn response_head(response: &Response, head_request: bool) -> (u64, bool) {
    let status = response.status();
    let reason = status.canonical_reason().unwrap_or("").len();
    let mut len = (9 + 3 + 1 + reason + 2) as u64 + headers_len(response.headers());
    if !response.headers().contains_key(header::DATE) {
        len += "date: Sun, 06 Dec 2026 10:00:00 GMT\r\n".len() as u64;
    }
    let bodiless = status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED;
    let mut chunked = false;
    if !bodiless && !response.headers().contains_key(header::CONTENT_LENGTH) {
        match http_body::Body::size_hint(response.body()).exact() {
            Some(n) => len += "content-length: \r\n".len() as u64 + digits(n, 10),
            None => {
                len += "transfer-encoding: chunked\r\n".len() as u64;
                chunked = !head_request;
            }
        }
    }
    (len, chunked)
}

/// How many digits `n` has in `base`, without formatting it.
fn digits(mut n: u64, base: u64) -> u64 {
    let mut count = 1;
    while n >= base {
        n /= base;
        count += 1;
    }
    count
}

/// A body that adds the bytes it carries to its request's tally.
struct Counting {
    inner: Body,
    tally: Arc<Tally>,
    /// The response (else the request).
    sent: bool,
    /// Chunked transfer: each chunk has its size line, and a last one.
    chunked: bool,
}

impl http_body::Body for Counting {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        let bytes = match &polled {
            Poll::Ready(Some(Ok(frame))) => frame.data_ref().map_or(0, |data| {
                let len = data.len() as u64;
                if self.chunked && len > 0 {
                    // `{len:x}\r\n` ... `\r\n`
                    len + digits(len, 16) + 4
                } else {
                    len
                }
            }),
            // `0\r\n\r\n`
            Poll::Ready(None) if self.chunked => 5,
            _ => 0,
        };
        if bytes > 0 {
            let counter = if self.sent {
                &self.tally.bytes_out
            } else {
                &self.tally.bytes_in
            };
            counter.fetch_add(bytes, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// What meetings count and ask of the meter.
pub struct MeetingsMeter(pub Arc<Meter>);

impl bureau_meet::DataMeter for MeetingsMeter {
    fn count(&self, user: UserId, bytes_in: u64, bytes_out: u64) {
        self.0.count(user, Feature::Meetings, bytes_in, bytes_out);
    }

    fn floor(&self, user: UserId) -> Option<Mode> {
        match self.0.level(user) {
            Level::Free => None,
            Level::DataSaver => Some(Mode::DataSaver),
            Level::AudioOnly => Some(Mode::AudioOnly),
        }
    }
}

/// A WebSocket whose frames count for its person.
pub struct MeteredSocket {
    socket: WebSocket,
    meter: Arc<Meter>,
    user: Option<UserId>,
    feature: Feature,
}

impl MeteredSocket {
    pub fn new(
        socket: WebSocket,
        state: &AppState,
        user: Option<UserId>,
        feature: Feature,
    ) -> Self {
        MeteredSocket {
            socket,
            meter: state.office.meter().clone(),
            user,
            feature,
        }
    }

    pub async fn send(&mut self, message: Message) -> Result<(), axum::Error> {
        if let Some(user) = self.user {
            self.meter
                .count(user, self.feature, 0, frame_len(&message, false));
        }
        self.socket.send(message).await
    }

    pub async fn recv(&mut self) -> Option<Result<Message, axum::Error>> {
        let message = self.socket.recv().await;
        if let (Some(user), Some(Ok(message))) = (self.user, &message) {
            self.meter
                .count(user, self.feature, frame_len(message, true), 0);
        }
        message
    }
}

/// A frame's bytes on the wire: the payload, its header, and the mask key
/// of frames from the client.
fn frame_len(message: &Message, from_client: bool) -> u64 {
    let payload = match message {
        Message::Text(text) => text.len(),
        Message::Binary(data) | Message::Ping(data) | Message::Pong(data) => data.len(),
        Message::Close(Some(frame)) => 2 + frame.reason.len(),
        Message::Close(None) => 0,
    } as u64;
    let length = match payload {
        0..=125 => 0,
        126..=65_535 => 2,
        _ => 8,
    };
    2 + length + if from_client { 4 } else { 0 } + payload
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_belong_to_features() {
        for (path, feature) in [
            ("/dav/Team/a.txt", Feature::Files),
            ("/api/v1/files/spaces", Feature::Files),
            ("/api/v1/uploads/9", Feature::Files),
            ("/api/v1/docs/pages/3/sync", Feature::Docs),
            ("/api/v1/events", Feature::Events),
            ("/api/v1/meetings/4/signal", Feature::Meetings),
            ("/api/v1/channels", Feature::Web),
            ("/assets/app-1.js", Feature::Web),
            ("/", Feature::Web),
        ] {
            assert_eq!(feature_of(path), feature, "{path}");
        }
    }

    #[test]
    fn digits_match_their_formatting() {
        for n in [0u64, 1, 9, 10, 15, 16, 255, 256, 99_999, 1 << 40, u64::MAX] {
            assert_eq!(digits(n, 10), n.to_string().len() as u64, "{n}");
            assert_eq!(digits(n, 16), format!("{n:x}").len() as u64, "{n:x}");
        }
    }

    #[test]
    fn frames_count_their_headers() {
        let text = |n: usize| Message::Text("x".repeat(n).into());
        assert_eq!(frame_len(&text(10), false), 12);
        assert_eq!(frame_len(&text(10), true), 16);
        assert_eq!(frame_len(&text(200), false), 204);
        assert_eq!(frame_len(&text(70_000), false), 70_010);
    }
}
