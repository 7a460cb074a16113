use std::collections::HashSet;

use crate::{ChannelId, Principal, Role, UserId};

/// Who may see an event. The one place that rule lives is [`Scope::visible_to`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every admin and member (not guests): directory changes and the like.
    Members,
    /// Admins only: invitations, audit-worthy changes.
    Admins,
    /// One person only: their sessions, tokens, own settings.
    User(UserId),
    /// The members of one chat conversation: its messages, and everything
    /// about a private channel or DM.
    Channel(ChannelId),
}

/// Someone watching events: who they are and which conversations they are
/// in, as of event `as_of`.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub principal: Principal,
    pub channels: HashSet<ChannelId>,
    pub as_of: i64,
}

impl Viewer {
    /// Whether this viewer receives event `seq`, updating their membership
    /// on the way: whoever joins sees the join and what follows; whoever
    /// leaves sees the leave and nothing after.
    pub fn receives(&mut self, seq: i64, scope: Scope, change: Option<&AccessChange>) -> bool {
        let leaving = matches!(change, Some(AccessChange::ChannelLeft(..)));
        if let Some(change) = change.filter(|_| !leaving) {
            self.apply(seq, change);
        }
        let visible = scope.visible_to(self);
        if let Some(change) = change.filter(|_| leaving) {
            self.apply(seq, change);
        }
        visible
    }

    /// Applies a membership change carried by event `seq`, once: a change
    /// already reflected in `channels` (older than `as_of`) is ignored, so
    /// live fan-out and a replay may both offer it.
    pub fn apply(&mut self, seq: i64, change: &AccessChange) {
        if seq <= self.as_of {
            return;
        }
        match change {
            AccessChange::RoleChanged(user, role) if *user == self.principal.user_id => {
                self.principal.role = *role;
            }
            AccessChange::ChannelJoined(channel, users)
                if users.contains(&self.principal.user_id) =>
            {
                self.channels.insert(*channel);
            }
            AccessChange::ChannelLeft(channel, user) if *user == self.principal.user_id => {
                self.channels.remove(channel);
            }
            _ => return,
        }
        self.as_of = seq;
    }
}

impl Scope {
    pub fn visible_to(self, who: &Viewer) -> bool {
        match self {
            Scope::Members => who.principal.role != Role::Guest,
            Scope::Admins => who.principal.role == Role::Admin,
            Scope::User(id) => who.principal.user_id == id,
            Scope::Channel(id) => who.channels.contains(&id),
        }
    }

    /// The stored form: a kind and an optional id.
    pub fn to_parts(self) -> (&'static str, Option<i64>) {
        match self {
            Scope::Members => ("members", None),
            Scope::Admins => ("admins", None),
            Scope::User(id) => ("user", Some(id.0)),
            Scope::Channel(id) => ("channel", Some(id.0)),
        }
    }

    pub fn from_parts(kind: &str, id: Option<i64>) -> Option<Scope> {
        match (kind, id) {
            ("members", _) => Some(Scope::Members),
            ("admins", _) => Some(Scope::Admins),
            ("user", Some(id)) => Some(Scope::User(UserId(id))),
            ("channel", Some(id)) => Some(Scope::Channel(ChannelId(id))),
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
    /// Conversation `data.channel.id` exists; `data.members` are in it.
    pub const CHANNEL_CREATED: &str = "channel.created";
    /// `data.user_id` joined conversation `data.channel.id`.
    pub const MEMBER_ADDED: &str = "channel.member_added";
    /// `data.user_id` left conversation `data.channel_id`.
    pub const MEMBER_REMOVED: &str = "channel.member_removed";
}

/// What an event changes about who sees what, if anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessChange {
    UserDeactivated(UserId),
    SessionRevoked(crate::SessionId),
    RoleChanged(UserId, Role),
    /// These people are now in the conversation: they see this event and
    /// what follows.
    ChannelJoined(ChannelId, Vec<UserId>),
    /// This person left the conversation: they see this event, not what
    /// follows.
    ChannelLeft(ChannelId, UserId),
}

impl AccessChange {
    /// Whether this change ends the access of someone acting as `user`
    /// with `credential`: their account was deactivated, or this very
    /// session revoked. The one place that rule lives.
    pub fn ends(&self, user: UserId, credential: crate::Credential) -> bool {
        match self {
            AccessChange::UserDeactivated(gone) => *gone == user,
            AccessChange::SessionRevoked(session) => {
                credential == crate::Credential::Session(*session)
            }
            _ => false,
        }
    }
}

impl Event {
    pub fn access_change(&self) -> Option<AccessChange> {
        let data = &self.data;
        let int = |value: &serde_json::Value| value.as_i64();
        match self.kind.as_str() {
            kinds::USER_DEACTIVATED => {
                Some(AccessChange::UserDeactivated(UserId(int(&data["id"])?)))
            }
            kinds::SESSION_REVOKED => Some(AccessChange::SessionRevoked(crate::SessionId(int(
                &data["id"],
            )?))),
            kinds::USER_UPDATED => {
                let role = Role::parse(data.get("role")?.as_str()?)?;
                Some(AccessChange::RoleChanged(UserId(int(&data["id"])?), role))
            }
            kinds::CHANNEL_CREATED => {
                let members = data["members"].as_array()?;
                Some(AccessChange::ChannelJoined(
                    ChannelId(int(&data["channel"]["id"])?),
                    members.iter().filter_map(int).map(UserId).collect(),
                ))
            }
            kinds::MEMBER_ADDED => Some(AccessChange::ChannelJoined(
                ChannelId(int(&data["channel"]["id"])?),
                vec![UserId(int(&data["user_id"])?)],
            )),
            kinds::MEMBER_REMOVED => Some(AccessChange::ChannelLeft(
                ChannelId(int(&data["channel_id"])?),
                UserId(int(&data["user_id"])?),
            )),
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
