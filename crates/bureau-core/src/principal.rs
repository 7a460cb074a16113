use crate::{SessionId, TokenId, UserId};

/// What a person may do in the office as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
    Guest,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Guest => "guest",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            "guest" => Some(Role::Guest),
            _ => None,
        }
    }
}

/// The language a person reads bureau in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    En,
    Fr,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    pub fn parse(text: &str) -> Option<Locale> {
        match text {
            "en" => Some(Locale::En),
            "fr" => Some(Locale::Fr),
            _ => None,
        }
    }
}

/// How a request proved who it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    Session(SessionId),
    Token(TokenId),
    /// HTTP Basic with the account's password (WebDAV clients).
    Password,
}

/// An authenticated, active person acting in the office.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    pub credential: Credential,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// What kind of conversation a chat channel is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// Everyone in it may post.
    Channel,
    /// Only admins and the channel's posters may post: company-wide news.
    Announcement,
    /// A direct or group conversation between a fixed set of people.
    Dm,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Channel => "channel",
            ChannelKind::Announcement => "announcement",
            ChannelKind::Dm => "dm",
        }
    }

    pub fn parse(text: &str) -> Option<ChannelKind> {
        match text {
            "channel" => Some(ChannelKind::Channel),
            "announcement" => Some(ChannelKind::Announcement),
            "dm" => Some(ChannelKind::Dm),
            _ => None,
        }
    }
}

/// When a person is notified of a conversation's messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotifyLevel {
    All,
    Mentions,
    Mute,
}

impl NotifyLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyLevel::All => "all",
            NotifyLevel::Mentions => "mentions",
            NotifyLevel::Mute => "mute",
        }
    }

    pub fn parse(text: &str) -> Option<NotifyLevel> {
        match text {
            "all" => Some(NotifyLevel::All),
            "mentions" => Some(NotifyLevel::Mentions),
            "mute" => Some(NotifyLevel::Mute),
            _ => None,
        }
    }
}
