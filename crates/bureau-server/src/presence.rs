//! Presence (active, away, offline) and typing: signals that are never
//! stored, because they are worthless a minute later.
//!
//! A person is active while one of their tabs is open and in use, away while
//! their tabs are all idle or hidden, offline without tabs. Each process
//! knows its own connections; it announces a person's local state on the bus
//! (subject `presence`) when it changes and every minute, and combines the
//! announcements of other processes, which expire after 150 s unrenewed. A
//! client says whose presence it shows (`presence.watch`) and hears only of
//! their changes: nothing is polled, and nobody hears of everyone.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bureau_bus::{Bus, Delivery};
use bureau_core::{Scope, UserId};
use serde_json::json;

pub const PRESENCE_SUBJECT: &str = "presence";
pub const SIGNALS_SUBJECT: &str = "signals";
const RENEW: Duration = Duration::from_secs(60);
const EXPIRE: Duration = Duration::from_secs(150);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Offline,
    Away,
    Active,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Offline => "offline",
            State::Away => "away",
            State::Active => "active",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        match text {
            "offline" => Some(State::Offline),
            "away" => Some(State::Away),
            "active" => Some(State::Active),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Book {
    /// This process's connections: person -> connection -> state.
    local: HashMap<UserId, HashMap<u64, State>>,
    /// Other processes' announcements: person -> process -> (state, when).
    remote: HashMap<UserId, HashMap<String, (State, Instant)>>,
}

impl Book {
    fn local_state(&self, user: UserId) -> State {
        self.local
            .get(&user)
            .and_then(|connections| connections.values().max().copied())
            .unwrap_or(State::Offline)
    }

    fn state(&self, user: UserId) -> State {
        let remote = self
            .remote
            .get(&user)
            .and_then(|nodes| {
                nodes
                    .values()
                    .filter(|(_, at)| at.elapsed() < EXPIRE)
                    .map(|(state, _)| *state)
                    .max()
            })
            .unwrap_or(State::Offline);
        self.local_state(user).max(remote)
    }
}

pub struct Presence {
    node: String,
    bus: Bus,
    book: Mutex<Book>,
}

/// A change to tell clients: `user` is now `state`.
pub type Change = (UserId, State);

impl Presence {
    pub fn new(bus: Bus) -> Presence {
        let mut id = [0u8; 8];
        getrandom::getrandom(&mut id).expect("the operating system provides randomness");
        Presence {
            node: id.iter().map(|b| format!("{b:02x}")).collect(),
            bus,
            book: Mutex::default(),
        }
    }

    /// Everyone not offline, for a client that starts watching.
    pub fn snapshot(&self) -> Vec<(UserId, State)> {
        let book = self.book.lock().expect("presence lock");
        let mut users: Vec<UserId> = book
            .local
            .keys()
            .chain(book.remote.keys())
            .copied()
            .collect();
        users.sort();
        users.dedup();
        users
            .into_iter()
            .map(|user| (user, book.state(user)))
            .filter(|(_, state)| *state != State::Offline)
            .collect()
    }

    /// Sets (or, with `None`, removes) one local connection's state;
    /// returns the change clients must hear of, if any.
    pub async fn set(&self, user: UserId, connection: u64, state: Option<State>) -> Option<Change> {
        let (before, after, local_changed, local) = {
            let mut book = self.book.lock().expect("presence lock");
            let before = book.state(user);
            let local_before = book.local_state(user);
            let connections = book.local.entry(user).or_default();
            match state {
                Some(state) => {
                    connections.insert(connection, state);
                }
                None => {
                    connections.remove(&connection);
                }
            }
            if connections.is_empty() {
                book.local.remove(&user);
            }
            let local = book.local_state(user);
            (before, book.state(user), local != local_before, local)
        };
        if local_changed {
            self.announce(&[(user, local)]).await;
        }
        (before != after).then_some((user, after))
    }

    /// Follows other processes' announcements and renews this one's; calls
    /// `tell` with each change clients must hear of.
    pub async fn follow(&self, tell: impl Fn(Change)) {
        let Ok(mut subscription) = self.bus.subscribe(PRESENCE_SUBJECT).await else {
            tracing::warn!("presence is local to this process: the bus refused a subscription");
            return;
        };
        let mut renew = tokio::time::interval(RENEW);
        loop {
            tokio::select! {
                delivery = subscription.next() => match delivery {
                    Some(Delivery::Message(bytes)) => {
                        for change in self.receive(&bytes) {
                            tell(change);
                        }
                    }
                    Some(Delivery::Lagged) => {}
                    None => return,
                },
                _ = renew.tick() => {
                    let mine: Vec<(UserId, State)> = {
                        let book = self.book.lock().expect("presence lock");
                        book.local.keys().map(|u| (*u, book.local_state(*u))).collect()
                    };
                    if !mine.is_empty() {
                        self.announce(&mine).await;
                    }
                    for change in self.expire() {
                        tell(change);
                    }
                }
            }
        }
    }

    async fn announce(&self, states: &[(UserId, State)]) {
        let message = json!({
            "node": self.node,
            "states": states.iter().map(|(u, s)| json!([u.0, s.as_str()])).collect::<Vec<_>>(),
        });
        let bytes = bytes::Bytes::from(message.to_string());
        if let Err(err) = self.bus.publish(PRESENCE_SUBJECT, bytes).await {
            tracing::debug!(%err, "presence not announced");
        }
    }

    fn receive(&self, bytes: &[u8]) -> Vec<Change> {
        let Ok(message) = serde_json::from_slice::<serde_json::Value>(bytes) else {
            return Vec::new();
        };
        let Some(node) = message["node"].as_str() else {
            return Vec::new();
        };
        if node == self.node {
            return Vec::new();
        }
        let mut changes = Vec::new();
        let mut book = self.book.lock().expect("presence lock");
        for entry in message["states"].as_array().into_iter().flatten() {
            let (Some(user), Some(state)) =
                (entry[0].as_i64(), entry[1].as_str().and_then(State::parse))
            else {
                continue;
            };
            let user = UserId(user);
            let before = book.state(user);
            let nodes = book.remote.entry(user).or_default();
            if state == State::Offline {
                nodes.remove(node);
            } else {
                nodes.insert(node.to_string(), (state, Instant::now()));
            }
            let after = book.state(user);
            if before != after {
                changes.push((user, after));
            }
        }
        changes
    }

    fn expire(&self) -> Vec<Change> {
        let mut book = self.book.lock().expect("presence lock");
        let users: Vec<UserId> = book.remote.keys().copied().collect();
        let mut changes = Vec::new();
        for user in users {
            let before = book.state(user);
            if let Some(nodes) = book.remote.get_mut(&user) {
                nodes.retain(|_, (_, at)| at.elapsed() < EXPIRE);
                if nodes.is_empty() {
                    book.remote.remove(&user);
                }
            }
            let after = book.state(user);
            if before != after {
                changes.push((user, after));
            }
        }
        changes
    }
}

/// The client frame for a presence change (no sequence number: signals are
/// not events and are not replayed).
pub fn presence_frame(user: UserId, state: State) -> String {
    json!({ "kind": "presence", "data": { "user_id": user.0, "state": state.as_str() } })
        .to_string()
}

/// The bus form of a signal for clients: `SCOPE_KIND SCOPE_ID\n` then the
/// client JSON.
pub fn signal_message(scope: Scope, json: &str) -> bytes::Bytes {
    let (kind, id) = scope.to_parts();
    bytes::Bytes::from(format!("{kind} {}\n{json}", id.unwrap_or(0)))
}

pub fn parse_signal(message: &[u8]) -> Option<(Scope, &[u8])> {
    let newline = message.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&message[..newline]).ok()?;
    let (kind, id) = header.split_once(' ')?;
    let scope = Scope::from_parts(kind, Some(id.parse().ok()?))?;
    Some((scope, &message[newline + 1..]))
}
