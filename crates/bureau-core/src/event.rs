use crate::{Principal, Role, UserId};

/// Who may see an event. The one place that rule lives is [`Scope::visible_to`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every admin and member (not guests): directory changes and the like.
    Members,
    /// Admins only: invitations, audit-worthy changes.
    Admins,
    /// One person only: their sessions, tokens, own settings.
    User(UserId),
}

impl Scope {
    pub fn visible_to(self, who: &Principal) -> bool {
        match self {
            Scope::Members => who.role != Role::Guest,
            Scope::Admins => who.role == Role::Admin,
            Scope::User(id) => who.user_id == id,
        }
    }

    /// The stored form: a kind and an optional id.
    pub fn to_parts(self) -> (&'static str, Option<i64>) {
        match self {
            Scope::Members => ("members", None),
            Scope::Admins => ("admins", None),
            Scope::User(id) => ("user", Some(id.0)),
        }
    }

    pub fn from_parts(kind: &str, id: Option<i64>) -> Option<Scope> {
        match (kind, id) {
            ("members", _) => Some(Scope::Members),
            ("admins", _) => Some(Scope::Admins),
            ("user", Some(id)) => Some(Scope::User(UserId(id))),
            _ => None,
        }
    }
}

/// A state change about to be written, in the same transaction as the change.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// Dotted name, `noun.verb`: `user.updated`, `session.revoked`.
    pub kind: &'static str,
    pub scope: Scope,
    /// The event's data as clients receive it.
    pub data: serde_json::Value,
}

/// A state change as stored, with its durable, strictly increasing sequence
/// number.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub at_ms: i64,
    pub kind: String,
    pub scope: Scope,
    pub data: serde_json::Value,
}

impl Event {
    /// The one serialised form, sent unchanged on the bus and to every socket.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "seq": self.seq,
            "at": crate::time::rfc3339(self.at_ms),
            "kind": self.kind,
            "data": self.data,
        })
        .to_string()
    }
}

/// Event kinds other parts of bureau react to, beyond passing them on.
pub mod kinds {
    /// `data.id` lost access: every connection of theirs ends.
    pub const USER_DEACTIVATED: &str = "user.deactivated";
    /// `data.id` changed; `data.role` may differ from before.
    pub const USER_UPDATED: &str = "user.updated";
    /// Session `data.id` ended: its connections end.
    pub const SESSION_REVOKED: &str = "session.revoked";
}

/// What an event takes away from live connections, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessChange {
    UserDeactivated(UserId),
    SessionRevoked(crate::SessionId),
    RoleChanged(UserId, Role),
}

impl Event {
    pub fn access_change(&self) -> Option<AccessChange> {
        let id = self.data.get("id").and_then(|v| v.as_i64())?;
        match self.kind.as_str() {
            kinds::USER_DEACTIVATED => Some(AccessChange::UserDeactivated(UserId(id))),
            kinds::SESSION_REVOKED => Some(AccessChange::SessionRevoked(crate::SessionId(id))),
            kinds::USER_UPDATED => {
                let role = Role::parse(self.data.get("role")?.as_str()?)?;
                Some(AccessChange::RoleChanged(UserId(id), role))
            }
            _ => None,
        }
    }

    /// The bus envelope: a header line `SEQ SCOPE_KIND SCOPE_ID` then the
    /// client JSON, so a receiver forwards the JSON bytes without re-encoding.
    pub fn to_bus_message(&self) -> Vec<u8> {
        let (kind, id) = self.scope.to_parts();
        let mut out = format!("{} {kind} {}\n", self.seq, id.unwrap_or(0)).into_bytes();
        out.extend_from_slice(self.to_json().as_bytes());
        out
    }
}

/// The header of a bus envelope and where the client JSON starts in it.
pub struct BusHeader {
    pub seq: i64,
    pub scope: Scope,
    pub json_start: usize,
}

impl BusHeader {
    pub fn parse(message: &[u8]) -> Option<BusHeader> {
        let newline = message.iter().position(|&b| b == b'\n')?;
        let header = std::str::from_utf8(&message[..newline]).ok()?;
        let mut parts = header.split(' ');
        let seq = parts.next()?.parse().ok()?;
        let kind = parts.next()?;
        let id = parts.next()?.parse().ok()?;
        Some(BusHeader {
            seq,
            scope: Scope::from_parts(kind, Some(id))?,
            json_start: newline + 1,
        })
    }
}
