//! The WebSocket gateway: `/api/v1/events?since=SEQ`.
//!
//! One [`Hub`] per process follows the bus. It checks that sequence numbers
//! arrive without gaps and fills any gap from the Store (the bus may drop or
//! reorder; the Store is the truth), then hands each event's one serialised
//! form to every connection allowed to see it, through a bounded queue per
//! connection. A connection whose queue is full is marked lagged and replays
//! from the Store itself, so a slow client never slows the others nor misses
//! an event.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use bureau_office::meter::Feature;

use crate::meter::MeteredSocket;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use bureau_bus::{Bus, Delivery};
use bureau_core::{AccessChange, BusHeader, Event, Principal, Scope, Viewer};
use bureau_store::Store;
use serde::Deserialize;
use tokio::sync::{mpsc, watch};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::presence::{
    parse_signal, presence_frame, signal_message, Presence, State as PresenceState, SIGNALS_SUBJECT,
};
use crate::AppState;

/// People one connection may watch the presence of.
const MAX_WATCHED: usize = 1000;
/// A connection's typing signals: a burst of this many, then one a second
/// (clients send one every 3 s while typing, and one at once after posting).
const TYPING_BURST: f64 = 5.0;

/// A token bucket: a few at once, then a steady rate.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new() -> Bucket {
        Bucket {
            tokens: TYPING_BURST,
            at: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64()).min(TYPING_BURST);
        self.at = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}
/// Events queued per connection before it is marked lagged.
const QUEUE: usize = 256;
/// A connection is pinged this often, and closed after two silent periods.
pub const HEARTBEAT: Duration = Duration::from_secs(30);
/// How often the hub checks the Store for events the bus never brought.
const STORE_CHECK: Duration = Duration::from_secs(2);
/// Events replayed per page, and pages before the client is told to resync.
const PAGE: i64 = 500;
const MAX_PAGES: usize = 40;

struct Outgoing {
    seq: i64,
    json: Utf8Bytes,
}

struct Connection {
    viewer: Viewer,
    /// The people whose presence this client shows (it says which); it
    /// hears of nobody else's, so presence costs O(what is on screen).
    watching: std::collections::HashSet<bureau_core::UserId>,
    queue: mpsc::Sender<Outgoing>,
    lagged: Arc<AtomicBool>,
}

pub struct Hub {
    store: Store,
    bus: Bus,
    pub presence: Presence,
    connections: RwLock<HashMap<u64, Connection>>,
    next_id: AtomicU64,
    /// The newest sequence number handed to connections.
    dispatched: AtomicI64,
    pub fanout_time: bureau_core::metrics::Histogram,
    shutdown: watch::Receiver<bool>,
    /// Told of every deactivation and session revocation (see
    /// [`Hub::on_access_ended`]).
    access_ended: std::sync::Mutex<Vec<AccessListener>>,
}

type AccessListener = Box<dyn Fn(&AccessChange) + Send + Sync>;

impl Hub {
    /// Starts following the bus from the Store's newest event.
    pub async fn start(
        store: Store,
        bus: &Bus,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Arc<Hub>, String> {
        let mut subscription = bus
            .subscribe(bureau_accounts::EVENTS_SUBJECT)
            .await
            .map_err(|e| e.to_string())?;
        let mut signals = bus
            .subscribe(SIGNALS_SUBJECT)
            .await
            .map_err(|e| e.to_string())?;
        let last = store.last_seq().await.map_err(|e| e.to_string())?;
        let hub = Arc::new(Hub {
            store,
            bus: bus.clone(),
            presence: Presence::new(bus.clone()),
            connections: RwLock::default(),
            next_id: AtomicU64::new(1),
            dispatched: AtomicI64::new(last),
            fanout_time: Default::default(),
            shutdown,
            access_ended: Default::default(),
        });
        let follower = hub.clone();
        tokio::spawn(async move {
            let mut check = tokio::time::interval(STORE_CHECK);
            check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    delivery = subscription.next() => match delivery {
                        Some(Delivery::Message(bytes)) => follower.receive(bytes).await,
                        Some(Delivery::Lagged) => follower.catch_up(i64::MAX).await,
                        None => break,
                    },
                    _ = check.tick() => follower.catch_up(i64::MAX).await,
                }
            }
        });
        let relay = hub.clone();
        tokio::spawn(async move {
            while let Some(delivery) = signals.next().await {
                if let Delivery::Message(bytes) = delivery {
                    if let Some((scope, json)) = parse_signal(&bytes) {
                        if let Ok(json) = Utf8Bytes::try_from(bytes.slice_ref(json)) {
                            relay.signal(scope, json);
                        }
                    }
                }
            }
        });
        let watcher = hub.clone();
        tokio::spawn(async move {
            watcher
                .presence
                .follow(|(user, state)| watcher.tell_watchers(user, state))
                .await;
        });
        Ok(hub)
    }

    /// Calls `listener` with every account deactivation and session
    /// revocation this process learns of (from any process), so that other
    /// long-lived connections (a page's sync socket) end with it.
    pub fn on_access_ended(&self, listener: impl Fn(&AccessChange) + Send + Sync + 'static) {
        self.access_ended
            .lock()
            .expect("hub lock")
            .push(Box::new(listener));
    }

    /// Hands a signal (typing, presence: never stored, never replayed) to
    /// the connections that may see it. A full queue drops it.
    fn signal(&self, scope: Scope, json: Utf8Bytes) {
        let connections = self.connections.read().expect("hub lock");
        for connection in connections.values() {
            if scope.visible_to(&connection.viewer) {
                let _ = connection.queue.try_send(Outgoing {
                    seq: 0,
                    json: json.clone(),
                });
            }
        }
    }

    /// Records a connection's presence and tells this process's clients if
    /// the person's state changed; other processes hear of it on the bus.
    async fn set_presence(
        &self,
        user: bureau_core::UserId,
        connection: u64,
        state: Option<PresenceState>,
    ) {
        if let Some((user, state)) = self.presence.set(user, connection, state).await {
            self.tell_watchers(user, state);
        }
    }

    /// Tells the connections watching `user` that they are now `state`.
    fn tell_watchers(&self, user: bureau_core::UserId, state: PresenceState) {
        let json = Utf8Bytes::from(presence_frame(user, state));
        let connections = self.connections.read().expect("hub lock");
        for connection in connections.values() {
            if connection.watching.contains(&user) {
                let _ = connection.queue.try_send(Outgoing {
                    seq: 0,
                    json: json.clone(),
                });
            }
        }
    }

    /// Sets whose presence a connection shows, and sends it their states.
    fn watch(&self, id: u64, users: std::collections::HashSet<bureau_core::UserId>) {
        let states: Vec<(bureau_core::UserId, PresenceState)> = self
            .presence
            .snapshot()
            .into_iter()
            .filter(|(user, _)| users.contains(user))
            .collect();
        let mut connections = self.connections.write().expect("hub lock");
        let Some(connection) = connections.get_mut(&id) else {
            return;
        };
        if !Scope::Members.visible_to(&connection.viewer) {
            return; // Guests see nobody's presence.
        }
        connection.watching = users;
        let (mut active, mut away) = (Vec::new(), Vec::new());
        for (user, state) in states {
            match state {
                PresenceState::Active => active.push(user.0),
                _ => away.push(user.0),
            }
        }
        let snapshot = serde_json::json!({
            "kind": "presence.snapshot",
            "data": { "active": active, "away": away },
        });
        let _ = connection.queue.try_send(Outgoing {
            seq: 0,
            json: snapshot.to_string().into(),
        });
    }

    /// Answers what a client says on its socket: that it is typing in a
    /// conversation it is in, or that it is active or away.
    async fn heard(&self, id: u64, text: &str, typing: &mut Bucket) {
        let Ok(frame) = serde_json::from_str::<serde_json::Value>(text) else {
            return;
        };
        let Some(viewer) = self.viewer_of(id) else {
            return;
        };
        match frame["type"].as_str() {
            Some("typing") => {
                let Some(channel) = frame["channel_id"].as_i64().map(bureau_core::ChannelId) else {
                    return;
                };
                if !viewer.channels.contains(&channel) || !typing.take() {
                    return;
                }
                let json = serde_json::json!({
                    "kind": "typing",
                    "data": {
                        "channel_id": channel.0,
                        "thread_id": frame["thread_id"].as_i64(),
                        "user_id": viewer.principal.user_id.0,
                    },
                });
                let message = signal_message(Scope::Channel(channel), &json.to_string());
                if let Err(err) = self.bus.publish(SIGNALS_SUBJECT, message).await {
                    tracing::debug!(%err, "typing signal not published");
                }
            }
            Some("presence.watch") => {
                let users = frame["user_ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|id| id.as_i64())
                    .take(MAX_WATCHED)
                    .map(bureau_core::UserId)
                    .collect();
                self.watch(id, users);
            }
            Some("presence") => {
                let state = match frame["state"].as_str() {
                    Some("away") => PresenceState::Away,
                    Some("active") => PresenceState::Active,
                    _ => return,
                };
                self.set_presence(viewer.principal.user_id, id, Some(state))
                    .await;
            }
            _ => {}
        }
    }

    pub fn open_connections(&self) -> usize {
        self.connections.read().expect("hub lock").len()
    }

    async fn receive(&self, message: bytes::Bytes) {
        let Some(header) = BusHeader::parse(&message) else {
            tracing::warn!("ignoring a malformed bus message");
            return;
        };
        let last = self.dispatched.load(Ordering::Acquire);
        if header.seq <= last {
            return;
        }
        if header.seq > last + 1 {
            self.catch_up(header.seq - 1).await;
        }
        let Ok(json) = Utf8Bytes::try_from(message.slice(header.json_start..)) else {
            return;
        };
        let change = serde_json::from_slice::<serde_json::Value>(json.as_bytes())
            .ok()
            .and_then(|value| event_shell(&value, header.seq).access_change());
        self.dispatch(header.seq, header.scope, json, change);
    }

    /// Dispatches every stored event after the last one dispatched, up to
    /// `up_to`. Sequence numbers the Store does not have (a transaction that
    /// rolled back after taking one) are skipped.
    async fn catch_up(&self, up_to: i64) {
        loop {
            let last = self.dispatched.load(Ordering::Acquire);
            if last >= up_to {
                return;
            }
            let events = match self.store.events_since(last, PAGE).await {
                Ok(events) => events,
                Err(err) => {
                    tracing::warn!(%err, "hub could not read missed events");
                    return;
                }
            };
            let Some(newest) = events.last().map(|e| e.seq) else {
                if up_to != i64::MAX {
                    self.dispatched.fetch_max(up_to, Ordering::AcqRel);
                }
                return;
            };
            for event in events.into_iter().take_while(|e| e.seq <= up_to) {
                let change = event.access_change();
                self.dispatch(
                    event.seq,
                    event.scope,
                    Utf8Bytes::from(event.to_json()),
                    change,
                );
            }
            if newest > up_to {
                self.dispatched.fetch_max(up_to, Ordering::AcqRel);
                return;
            }
        }
    }

    fn dispatch(&self, seq: i64, scope: Scope, json: Utf8Bytes, change: Option<AccessChange>) {
        let started = Instant::now();
        if self.dispatched.fetch_max(seq, Ordering::AcqRel) >= seq {
            return;
        }
        let offer = |connection: &Connection| {
            let event = Outgoing {
                seq,
                json: json.clone(),
            };
            if connection.queue.try_send(event).is_err() {
                connection.lagged.store(true, Ordering::Release);
            }
        };
        if change.is_some() {
            // Membership and roles change on the way: each viewer updates.
            let mut connections = self.connections.write().expect("hub lock");
            for connection in connections.values_mut() {
                if connection.viewer.receives(seq, scope, change.as_ref()) {
                    offer(connection);
                }
            }
        } else {
            let connections = self.connections.read().expect("hub lock");
            for connection in connections.values() {
                if scope.visible_to(&connection.viewer) {
                    offer(connection);
                }
            }
        }
        if let Some(change @ (AccessChange::UserDeactivated(_) | AccessChange::SessionRevoked(_))) =
            &change
        {
            // Dropping a connection's queue ends it once the queue drains, so
            // the event that ends access is the last thing it receives.
            let ended =
                |principal: &Principal| change.ends(principal.user_id, principal.credential);
            let mut connections = self.connections.write().expect("hub lock");
            connections.retain(|_, connection| !ended(&connection.viewer.principal));
            drop(connections);
            for listener in self.access_ended.lock().expect("hub lock").iter() {
                listener(change);
            }
        }
        self.fanout_time.record(started.elapsed());
    }

    fn register(&self, viewer: Viewer) -> (u64, mpsc::Receiver<Outgoing>, Arc<AtomicBool>) {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let lagged = Arc::new(AtomicBool::new(false));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.connections.write().expect("hub lock").insert(
            id,
            Connection {
                viewer,
                watching: Default::default(),
                queue,
                lagged: lagged.clone(),
            },
        );
        (id, receiver, lagged)
    }

    fn unregister(&self, id: u64) {
        self.connections.write().expect("hub lock").remove(&id);
    }

    fn viewer_of(&self, id: u64) -> Option<Viewer> {
        let connections = self.connections.read().expect("hub lock");
        connections.get(&id).map(|c| c.viewer.clone())
    }

    /// Keeps whichever of the hub's and a replay's view of a connection has
    /// seen the later access change.
    fn merge_viewer(&self, id: u64, replayed: Viewer) {
        let mut connections = self.connections.write().expect("hub lock");
        if let Some(connection) = connections.get_mut(&id) {
            if replayed.as_of > connection.viewer.as_of {
                connection.viewer = replayed;
            }
        }
    }
}

/// Just enough of an event to ask what it changes about access.
fn event_shell(value: &serde_json::Value, seq: i64) -> Event {
    Event {
        seq,
        at_ms: 0,
        kind: value["kind"].as_str().unwrap_or_default().to_string(),
        scope: Scope::Admins,
        data: value["data"].clone(),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// The last sequence number the client has; it first receives what it
    /// missed since. Absent: live events only.
    pub since: Option<i64>,
}

/// Upgrades to the event WebSocket. Each text frame is one event:
/// `{"seq","at","kind","data"}`; after the replay of missed events comes
/// `{"kind":"ready","seq":N}`, and `{"kind":"resync","seq":N}` when too much
/// was missed to replay (reload state, then continue from N).
#[utoipa::path(get, path = "/events", tag = "events", params(EventsQuery),
    responses((status = 101, description = "WebSocket upgrade"), (status = 401, body = crate::error::ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Query(query): Query<EventsQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let upgrade = upgrade.map_err(|rejection| {
        ApiError::new(rejection.status(), "not_websocket", rejection.body_text())
    })?;
    if auth.csrf_token.is_some() && !same_origin(&headers, &state) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_origin",
            "this WebSocket was opened from another site",
        ));
    }
    let hub = state.hub.clone();
    let chat = state.chat.clone();
    let start = match query.since {
        Some(since) if since < 0 => {
            return Err(ApiError::bad_request(
                "`since` is a sequence number, 0 or more",
            ))
        }
        Some(since) => since,
        None => hub.dispatched.load(Ordering::Acquire),
    };
    let gauge = state.metrics.clone();
    let user = auth.principal.user_id;
    Ok(upgrade
        .max_message_size(64 * 1024)
        // Clients send next to nothing; tungstenite's default 128 KiB read
        // buffer would make every idle socket cost that much memory.
        .read_buffer_size(4 * 1024)
        .on_upgrade(move |socket| async move {
            gauge.websockets.fetch_add(1, Ordering::Relaxed);
            // Loaded after `start` was chosen, so it reflects at least every
            // event before `start`; the replay applies the ones after.
            let socket = MeteredSocket::new(socket, &state, Some(user), Feature::Events);
            match chat.viewer(&auth.principal).await {
                Ok(viewer) => serve(hub, socket, viewer, start).await,
                Err(err) => tracing::warn!(%err, "event socket could not load its viewer"),
            }
            gauge.websockets.fetch_sub(1, Ordering::Relaxed);
        }))
}

/// Cookie-authenticated sockets must come from our own pages (browsers send
/// cookies with cross-site WebSocket handshakes).
pub(crate) fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true; // Not a browser.
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    origin_host.is_some() && origin_host == host
        || origin == state.config.public_url.trim_end_matches('/')
}

async fn serve(hub: Arc<Hub>, mut socket: MeteredSocket, viewer: Viewer, start: i64) {
    let user = viewer.principal.user_id;
    let (id, mut queue, lagged) = hub.register(viewer.clone());
    let mut cursor = start;
    let mut shutdown = hub.shutdown.clone();
    let result: Result<(), &'static str> = async {
        let newest = hub
            .store
            .last_seq()
            .await
            .map_err(|_| "the store is unavailable")?;
        if cursor > newest {
            // The client knows sequence numbers this office never had (say,
            // from before a restore): it must reload, then follow from here.
            cursor = newest;
            let resync = format!(r#"{{"kind":"resync","seq":{newest}}}"#);
            send(&mut socket, Message::Text(resync.into())).await?;
        }
        replay(&hub, id, &mut socket, viewer, &mut cursor).await?;
        let ready = format!(r#"{{"kind":"ready","seq":{cursor}}}"#);
        send(&mut socket, Message::Text(ready.into())).await?;
        hub.set_presence(user, id, Some(PresenceState::Active))
            .await;
        let mut typing = Bucket::new();
        let mut heartbeat =
            tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
        let mut last_heard = Instant::now();
        loop {
            tokio::select! {
                outgoing = queue.recv() => match outgoing {
                    Some(Outgoing { seq: 0, json }) => {
                        send(&mut socket, Message::Text(json)).await?;
                    }
                    Some(Outgoing { seq, json }) if seq > cursor => {
                        send(&mut socket, Message::Text(json)).await?;
                        cursor = seq;
                    }
                    Some(_) => {}
                    None => return Err("access ended"),
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                    Some(Ok(Message::Text(text))) => {
                        last_heard = Instant::now();
                        hub.heard(id, text.as_str(), &mut typing).await;
                    }
                    Some(Ok(_)) => last_heard = Instant::now(),
                },
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > 2 * HEARTBEAT + Duration::from_secs(5) {
                        return Err("no answer to heartbeats");
                    }
                    send(&mut socket, Message::Ping(bytes::Bytes::new())).await?;
                }
                _ = shutdown.changed() => return Err("server shutting down"),
            }
            if lagged.swap(false, Ordering::AcqRel) {
                // Events were dropped for this slow client: the Store has them.
                let Some(current) = hub.viewer_of(id) else {
                    return Err("access ended");
                };
                replay(&hub, id, &mut socket, current, &mut cursor).await?;
            }
        }
    }
    .await;
    hub.unregister(id);
    hub.set_presence(user, id, None).await;
    if let Err(reason) = result {
        let frame = CloseFrame {
            code: if reason == "server shutting down" {
                1001
            } else {
                4000
            },
            reason: Utf8Bytes::from_static(reason),
        };
        let _ = socket.send(Message::Close(Some(frame))).await;
    }
}

/// Sends the stored events after `cursor` that the viewer may see, applying
/// the access changes it meets on the way, then hands the viewer back.
async fn replay(
    hub: &Hub,
    id: u64,
    socket: &mut MeteredSocket,
    mut viewer: Viewer,
    cursor: &mut i64,
) -> Result<(), &'static str> {
    let result = replay_pages(hub, socket, &mut viewer, cursor).await;
    hub.merge_viewer(id, viewer);
    result
}

async fn replay_pages(
    hub: &Hub,
    socket: &mut MeteredSocket,
    viewer: &mut Viewer,
    cursor: &mut i64,
) -> Result<(), &'static str> {
    for _ in 0..MAX_PAGES {
        let events = hub
            .store
            .events_since(*cursor, PAGE)
            .await
            .map_err(|_| "the store is unavailable")?;
        let Some(newest) = events.last().map(|e| e.seq) else {
            return Ok(());
        };
        for event in &events {
            if viewer.receives(event.seq, event.scope, event.access_change().as_ref()) {
                send(socket, Message::Text(event.to_json().into())).await?;
            }
        }
        *cursor = newest;
    }
    let newest = hub
        .store
        .last_seq()
        .await
        .map_err(|_| "the store is unavailable")?;
    *cursor = newest;
    let resync = format!(r#"{{"kind":"resync","seq":{newest}}}"#);
    send(socket, Message::Text(resync.into())).await
}

async fn send(socket: &mut MeteredSocket, message: Message) -> Result<(), &'static str> {
    socket.send(message).await.map_err(|_| "send failed")
}
