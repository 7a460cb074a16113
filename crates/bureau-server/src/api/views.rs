//! The wire twins of domain records: what the JSON API sends and takes.

use bureau_core::{time, ChannelKind, Locale, NotifyLevel, Role};
use bureau_store::{
    AttachmentRecord, AuditRecord, ChannelRecord, GroupRecord, InvitationRecord, MemberRecord,
    MessageRecord, SessionRecord, SidebarEntry, TokenRecord, UserRecord, WebhookRecord,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum RoleDto {
    Admin,
    Member,
    Guest,
}

impl From<RoleDto> for Role {
    fn from(role: RoleDto) -> Role {
        match role {
            RoleDto::Admin => Role::Admin,
            RoleDto::Member => Role::Member,
            RoleDto::Guest => Role::Guest,
        }
    }
}

impl From<Role> for RoleDto {
    fn from(role: Role) -> RoleDto {
        match role {
            Role::Admin => RoleDto::Admin,
            Role::Member => RoleDto::Member,
            Role::Guest => RoleDto::Guest,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum LocaleDto {
    En,
    Fr,
}

impl From<LocaleDto> for Locale {
    fn from(locale: LocaleDto) -> Locale {
        match locale {
            LocaleDto::En => Locale::En,
            LocaleDto::Fr => Locale::Fr,
        }
    }
}

impl From<Locale> for LocaleDto {
    fn from(locale: Locale) -> LocaleDto {
        match locale {
            Locale::En => LocaleDto::En,
            Locale::Fr => LocaleDto::Fr,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub email: Option<String>,
    pub locale: LocaleDto,
    pub role: RoleDto,
    pub active: bool,
    pub has_avatar: bool,
    pub created_at: String,
    /// What the person says they are up to, while it lasts.
    pub status: Option<StatusView>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct StatusView {
    pub text: String,
    pub emoji: String,
    /// When it ends by itself (RFC 3339); `null`: until changed.
    pub until: Option<String>,
}

impl From<&UserRecord> for UserView {
    fn from(user: &UserRecord) -> UserView {
        UserView {
            id: user.id.0,
            name: user.name.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            locale: user.locale.into(),
            role: user.role.into(),
            active: user.active,
            has_avatar: user.avatar.is_some(),
            created_at: time::rfc3339(user.created_at),
            status: user.status.as_ref().map(|status| StatusView {
                text: status.text.clone(),
                emoji: status.emoji.clone(),
                until: status.until.map(time::rfc3339),
            }),
        }
    }
}

/// The signed-in person, with the CSRF token that cookie-authenticated
/// writes must send back in `X-CSRF-Token`.
#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub user: UserView,
    pub csrf_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    /// True for the session this request came with.
    pub current: bool,
    pub user_agent: String,
    pub ip: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
}

impl SessionView {
    pub fn new(session: &SessionRecord, current: bool) -> SessionView {
        SessionView {
            id: session.id.0,
            current,
            user_agent: session.user_agent.clone(),
            ip: session.ip.clone(),
            created_at: time::rfc3339(session.created_at),
            last_seen_at: time::rfc3339(session.last_seen_at),
            expires_at: time::rfc3339(session.expires_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

impl From<&TokenRecord> for TokenView {
    fn from(token: &TokenRecord) -> TokenView {
        TokenView {
            id: token.id.0,
            name: token.name.clone(),
            created_at: time::rfc3339(token.created_at),
            last_used_at: token.last_used_at.map(time::rfc3339),
            expires_at: token.expires_at.map(time::rfc3339),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvitationState {
    Open,
    Used,
    Revoked,
    Expired,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationView {
    pub id: i64,
    pub role: RoleDto,
    pub note: String,
    pub created_by: i64,
    pub created_at: String,
    pub expires_at: String,
    pub state: InvitationState,
    pub used_by: Option<i64>,
}

impl From<&InvitationRecord> for InvitationView {
    fn from(inv: &InvitationRecord) -> InvitationView {
        let state = if inv.used_at.is_some() {
            InvitationState::Used
        } else if inv.revoked_at.is_some() {
            InvitationState::Revoked
        } else if inv.expires_at <= time::now_ms() {
            InvitationState::Expired
        } else {
            InvitationState::Open
        };
        InvitationView {
            id: inv.id.0,
            role: inv.role.into(),
            note: inv.note.clone(),
            created_by: inv.created_by.0,
            created_at: time::rfc3339(inv.created_at),
            expires_at: time::rfc3339(inv.expires_at),
            state,
            used_by: inv.used_by.map(|u| u.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub members: Vec<i64>,
}

impl From<&GroupRecord> for GroupView {
    fn from(group: &GroupRecord) -> GroupView {
        GroupView {
            id: group.id.0,
            name: group.name.clone(),
            created_at: time::rfc3339(group.created_at),
            members: group.members.iter().map(|u| u.0).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditView {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target_user_id: Option<i64>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub ip: String,
}

impl From<&AuditRecord> for AuditView {
    fn from(entry: &AuditRecord) -> AuditView {
        AuditView {
            id: entry.id,
            at: time::rfc3339(entry.at),
            actor_id: entry.actor.map(|u| u.0),
            action: entry.action.clone(),
            target_user_id: entry.target.map(|u| u.0),
            detail: entry.detail.clone(),
            ip: entry.ip.clone(),
        }
    }
}

// ---- chat ----------------------------------------------------------------

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKindDto {
    Channel,
    Announcement,
    Dm,
}

impl From<ChannelKind> for ChannelKindDto {
    fn from(kind: ChannelKind) -> ChannelKindDto {
        match kind {
            ChannelKind::Channel => ChannelKindDto::Channel,
            ChannelKind::Announcement => ChannelKindDto::Announcement,
            ChannelKind::Dm => ChannelKindDto::Dm,
        }
    }
}

impl From<ChannelKindDto> for ChannelKind {
    fn from(kind: ChannelKindDto) -> ChannelKind {
        match kind {
            ChannelKindDto::Channel => ChannelKind::Channel,
            ChannelKindDto::Announcement => ChannelKind::Announcement,
            ChannelKindDto::Dm => ChannelKind::Dm,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum NotifyDto {
    All,
    Mentions,
    Mute,
}

impl From<NotifyLevel> for NotifyDto {
    fn from(level: NotifyLevel) -> NotifyDto {
        match level {
            NotifyLevel::All => NotifyDto::All,
            NotifyLevel::Mentions => NotifyDto::Mentions,
            NotifyLevel::Mute => NotifyDto::Mute,
        }
    }
}

impl From<NotifyDto> for NotifyLevel {
    fn from(level: NotifyDto) -> NotifyLevel {
        match level {
            NotifyDto::All => NotifyLevel::All,
            NotifyDto::Mentions => NotifyLevel::Mentions,
            NotifyDto::Mute => NotifyLevel::Mute,
        }
    }
}

/// A conversation. Same shape as `data.channel` in channel events.
#[derive(Serialize, ToSchema)]
pub struct ChannelView {
    pub id: i64,
    pub kind: ChannelKindDto,
    /// `null` for DMs, which are named after their members.
    pub name: Option<String>,
    pub private: bool,
    pub topic: String,
    pub purpose: String,
    pub created_by: i64,
    pub created_at: String,
    pub archived: bool,
    pub last_message_id: i64,
    pub member_count: i64,
}

impl From<&ChannelRecord> for ChannelView {
    fn from(channel: &ChannelRecord) -> ChannelView {
        ChannelView {
            id: channel.id.0,
            kind: channel.kind.into(),
            name: channel.name.clone(),
            private: channel.private,
            topic: channel.topic.clone(),
            purpose: channel.purpose.clone(),
            created_by: channel.created_by.0,
            created_at: time::rfc3339(channel.created_at),
            archived: channel.archived_at.is_some(),
            last_message_id: channel.last_message_id.0,
            member_count: channel.member_count,
        }
    }
}

/// A conversation in the person's sidebar.
#[derive(Serialize, ToSchema)]
pub struct SidebarView {
    pub channel: ChannelView,
    /// The newest message the person has read.
    pub last_read_id: i64,
    pub unread: i64,
    pub mentions: i64,
    pub notify: NotifyDto,
    /// May post, in an announcement channel.
    pub poster: bool,
    /// For DMs: who is in it.
    pub dm_members: Vec<i64>,
}

impl From<&SidebarEntry> for SidebarView {
    fn from(entry: &SidebarEntry) -> SidebarView {
        SidebarView {
            channel: ChannelView::from(&entry.channel),
            last_read_id: entry.membership.last_read_id.0,
            unread: entry.unread,
            mentions: entry.mentions,
            notify: entry.membership.notify.into(),
            poster: entry.membership.poster,
            dm_members: entry.dm_members.iter().map(|u| u.0).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    pub display_name: String,
    pub role: RoleDto,
    pub has_avatar: bool,
    pub poster: bool,
    pub joined_at: String,
}

impl From<&(MemberRecord, UserRecord)> for MemberView {
    fn from((member, user): &(MemberRecord, UserRecord)) -> MemberView {
        MemberView {
            user_id: user.id.0,
            name: user.name.clone(),
            display_name: user.display_name.clone(),
            role: user.role.into(),
            has_avatar: user.avatar.is_some(),
            poster: member.poster,
            joined_at: time::rfc3339(member.joined_at),
        }
    }
}

#[derive(Serialize, ToSchema, PartialEq, Debug)]
pub struct ReactionView {
    pub emoji: String,
    pub users: Vec<i64>,
}

#[derive(Serialize, ToSchema, PartialEq, Debug)]
pub struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub mime: String,
}

impl From<&AttachmentRecord> for AttachmentView {
    fn from(a: &AttachmentRecord) -> AttachmentView {
        AttachmentView {
            id: a.id,
            name: a.name.clone(),
            size: a.size,
            mime: a.mime.clone(),
        }
    }
}

/// A message. Same shape as `data.message` in message events.
#[derive(Serialize, ToSchema, PartialEq, Debug)]
pub struct MessageView {
    pub id: i64,
    pub channel_id: i64,
    pub author_id: i64,
    /// The name an incoming webhook posted under.
    pub via: Option<String>,
    /// The thread's first message, for a reply.
    pub thread_id: Option<i64>,
    pub also_in_channel: bool,
    /// Markdown; empty once deleted.
    pub text: String,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub deleted: bool,
    pub pinned: bool,
    pub reply_count: i64,
    pub last_reply_at: Option<String>,
    pub reactions: Vec<ReactionView>,
    pub attachments: Vec<AttachmentView>,
}

impl From<&MessageRecord> for MessageView {
    fn from(m: &MessageRecord) -> MessageView {
        MessageView {
            id: m.id.0,
            channel_id: m.channel_id.0,
            author_id: m.author_id.0,
            via: m.via.clone(),
            thread_id: m.thread_id.map(|t| t.0),
            also_in_channel: m.also_in_channel,
            text: m.text.clone(),
            created_at: time::rfc3339(m.created_at),
            edited_at: m.edited_at.map(time::rfc3339),
            deleted: m.deleted_at.is_some(),
            pinned: m.pinned_at.is_some(),
            reply_count: m.reply_count,
            last_reply_at: m.last_reply_at.map(time::rfc3339),
            reactions: m
                .reactions
                .iter()
                .map(|(emoji, users)| ReactionView {
                    emoji: emoji.clone(),
                    users: users.iter().map(|u| u.0).collect(),
                })
                .collect(),
            attachments: m.attachments.iter().map(AttachmentView::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub channel_id: i64,
    pub name: String,
    pub created_by: i64,
    pub created_at: String,
}

impl From<&WebhookRecord> for WebhookView {
    fn from(hook: &WebhookRecord) -> WebhookView {
        WebhookView {
            id: hook.id,
            channel_id: hook.channel_id.0,
            name: hook.name.clone(),
            created_by: hook.created_by.0,
            created_at: time::rfc3339(hook.created_at),
        }
    }
}
