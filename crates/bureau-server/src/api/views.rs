//! The wire twins of domain records: what the JSON API sends and takes.

use bureau_core::{time, Locale, Role};
use bureau_store::{
    AuditRecord, GroupRecord, InvitationRecord, SessionRecord, TokenRecord, UserRecord,
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
