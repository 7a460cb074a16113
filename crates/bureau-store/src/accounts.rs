//! Rows of the accounts domain: settings, users, groups, invitations,
//! sessions, API tokens and the audit log.

use bureau_core::{GroupId, InvitationId, Locale, Role, SessionId, TokenId, UserId};
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};

use crate::{Result, Store, StoreError, Tx};

#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: UserId,
    pub name: String,
    pub display_name: String,
    pub email: Option<String>,
    pub locale: Locale,
    pub role: Role,
    pub password_hash: Option<String>,
    pub avatar: Option<String>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// What the person says they are up to, while it lasts.
    pub status: Option<StatusRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRecord {
    pub text: String,
    pub emoji: String,
    /// When it ends by itself; `None`: until changed.
    pub until: Option<i64>,
}

pub struct NewUser<'a> {
    pub name: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub locale: Locale,
    pub role: Role,
    pub password_hash: Option<&'a str>,
}

#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user_id: UserId,
    pub csrf_token: String,
    pub user_agent: String,
    pub ip: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct TokenRecord {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct InvitationRecord {
    pub id: InvitationId,
    pub role: Role,
    pub note: String,
    pub created_by: UserId,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub used_by: Option<UserId>,
    pub revoked_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct GroupRecord {
    pub id: GroupId,
    pub name: String,
    pub created_at: i64,
    pub members: Vec<UserId>,
}

pub struct NewAudit<'a> {
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub target: Option<UserId>,
    pub detail: serde_json::Value,
    pub ip: &'a str,
}

#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub id: i64,
    pub at: i64,
    pub actor: Option<UserId>,
    pub action: String,
    pub target: Option<UserId>,
    pub detail: serde_json::Value,
    pub ip: String,
}

const USER_COLUMNS: &str = "id, name, display_name, email, locale, role, password_hash, avatar, \
                            active, created_at, updated_at, status_text, status_emoji, status_until";
const SESSION_COLUMNS: &str =
    "id, user_id, csrf_token, user_agent, ip, created_at, last_seen_at, expires_at, revoked_at";
const TOKEN_COLUMNS: &str = "id, user_id, name, created_at, last_used_at, expires_at, revoked_at";
const INVITATION_COLUMNS: &str =
    "id, role, note, created_by, created_at, expires_at, used_at, used_by, revoked_at";

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.read)
            .await?)
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>> {
        user_where(&self.read, "id = $1", id.0).await
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1");
        let row = sqlx::query(&sql)
            .bind(name)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn users(&self) -> Result<Vec<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name");
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// The live session whose secret hashes to `token_hash`, with its user.
    pub async fn session_by_hash(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1");
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    pub async fn session_by_id(&self, id: SessionId) -> Result<Option<SessionRecord>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    /// A person's sessions that are neither revoked nor expired, newest first.
    pub async fn live_sessions_of(&self, user: UserId, now: i64) -> Result<Vec<SessionRecord>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions \
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(user.0)
            .bind(now)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(session_from_row).collect()
    }

    /// Records that a session was used; not an event, only bookkeeping.
    pub async fn touch_session(&self, id: SessionId, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The token with this hash and its account, in one query (every
    /// request of a tool or WebDAV client with a token asks for both).
    pub async fn token_with_user(
        &self,
        token_hash: &str,
    ) -> Result<Option<(TokenRecord, UserRecord)>> {
        let sql = format!(
            "SELECT t.id AS token_id, t.name AS token_name, t.created_at AS token_created_at, \
             t.last_used_at, t.expires_at AS token_expires_at, t.revoked_at AS token_revoked_at, \
             {} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
            USER_COLUMNS
                .split(", ")
                .map(|column| format!("u.{}", column.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let Some(row) = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let user = user_from_row(&row)?;
        let token = TokenRecord {
            id: TokenId(row.try_get("token_id")?),
            user_id: user.id,
            name: row.try_get("token_name")?,
            created_at: row.try_get("token_created_at")?,
            last_used_at: row.try_get("last_used_at")?,
            expires_at: row.try_get("token_expires_at")?,
            revoked_at: row.try_get("token_revoked_at")?,
        };
        Ok(Some((token, user)))
    }

    pub async fn tokens_of(&self, user: UserId) -> Result<Vec<TokenRecord>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC"
        );
        let rows = sqlx::query(&sql).bind(user.0).fetch_all(&self.read).await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Records that a token was used; not an event, only bookkeeping.
    pub async fn touch_token(&self, id: TokenId, now: i64) -> Result<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn invitation_by_hash(&self, token_hash: &str) -> Result<Option<InvitationRecord>> {
        let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1");
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(invitation_from_row).transpose()
    }

    pub async fn invitations(&self) -> Result<Vec<InvitationRecord>> {
        let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations ORDER BY id DESC");
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(invitation_from_row).collect()
    }

    pub async fn groups(&self) -> Result<Vec<GroupRecord>> {
        let rows = sqlx::query("SELECT id, name, created_at FROM groups_ ORDER BY name")
            .fetch_all(&self.read)
            .await?;
        let members: Vec<(i64, i64)> =
            sqlx::query_as("SELECT group_id, user_id FROM group_members ORDER BY user_id")
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                Ok(GroupRecord {
                    id: GroupId(id),
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                    members: members
                        .iter()
                        .filter(|(group, _)| *group == id)
                        .map(|(_, user)| UserId(*user))
                        .collect(),
                })
            })
            .collect()
    }

    /// Audit entries, newest first, older than `before` when given.
    pub async fn audit(&self, before: Option<i64>, limit: i64) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT id, at, actor_id, action, target_user_id, detail, ip FROM audit_log \
             WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let detail: String = row.try_get("detail")?;
                Ok(AuditRecord {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor: row.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
                    action: row.try_get("action")?,
                    target: row.try_get::<Option<i64>, _>("target_user_id")?.map(UserId),
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                    ip: row.try_get("ip")?,
                })
            })
            .collect()
    }
}

impl Tx {
    pub async fn user_by_id(&mut self, id: UserId) -> Result<Option<UserRecord>> {
        user_where(&mut *self.inner, "id = $1", id.0).await
    }

    pub async fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Deletes a setting; returns whether it held exactly `value`, so a
    /// one-time secret can be consumed atomically.
    pub async fn take_setting(&mut self, key: &str, value: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM settings WHERE key = $1 AND value = $2")
            .bind(key)
            .bind(value)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn user_count(&mut self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *self.inner)
            .await?)
    }

    pub async fn insert_user(&mut self, user: NewUser<'_>) -> Result<UserRecord> {
        let now = bureau_core::time::now_ms();
        let sql = format!(
            "INSERT INTO users (name, display_name, email, locale, role, password_hash, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(user.name)
            .bind(user.display_name)
            .bind(user.email)
            .bind(user.locale.as_str())
            .bind(user.role.as_str())
            .bind(user.password_hash)
            .bind(now)
            .fetch_one(&mut *self.inner)
            .await?;
        user_from_row(&row)
    }

    pub async fn update_profile(
        &mut self,
        id: UserId,
        display_name: &str,
        email: Option<&str>,
        locale: Locale,
    ) -> Result<UserRecord> {
        let sql = format!(
            "UPDATE users SET display_name = $1, email = $2, locale = $3, updated_at = $4 \
             WHERE id = $5 RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(display_name)
            .bind(email)
            .bind(locale.as_str())
            .bind(bureau_core::time::now_ms())
            .bind(id.0)
            .fetch_one(&mut *self.inner)
            .await?;
        user_from_row(&row)
    }

    pub async fn set_status(
        &mut self,
        id: UserId,
        status: Option<&StatusRecord>,
    ) -> Result<UserRecord> {
        let sql = format!(
            "UPDATE users SET status_text = $1, status_emoji = $2, status_until = $3, updated_at = $4 \
             WHERE id = $5 RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(status.map_or("", |s| s.text.as_str()))
            .bind(status.map_or("", |s| s.emoji.as_str()))
            .bind(status.and_then(|s| s.until))
            .bind(bureau_core::time::now_ms())
            .bind(id.0)
            .fetch_one(&mut *self.inner)
            .await?;
        user_from_row(&row)
    }

    pub async fn set_avatar(&mut self, id: UserId, avatar: Option<&str>) -> Result<UserRecord> {
        self.update_user_column(id, "avatar", avatar).await
    }

    pub async fn set_role(&mut self, id: UserId, role: Role) -> Result<UserRecord> {
        self.update_user_column(id, "role", Some(role.as_str()))
            .await
    }

    pub async fn set_password_hash(&mut self, id: UserId, hash: &str) -> Result<UserRecord> {
        self.update_user_column(id, "password_hash", Some(hash))
            .await
    }

    pub async fn set_active(&mut self, id: UserId, active: bool) -> Result<UserRecord> {
        let sql = format!(
            "UPDATE users SET active = $1, updated_at = $2 WHERE id = $3 RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(i64::from(active))
            .bind(bureau_core::time::now_ms())
            .bind(id.0)
            .fetch_one(&mut *self.inner)
            .await?;
        user_from_row(&row)
    }

    /// Active admins, for the rule that the last one may not step down.
    pub async fn active_admin_count(&mut self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
                .fetch_one(&mut *self.inner)
                .await?,
        )
    }

    pub async fn insert_session(
        &mut self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        user_agent: &str,
        ip: &str,
        expires_at: i64,
    ) -> Result<SessionRecord> {
        let now = bureau_core::time::now_ms();
        let sql = format!(
            "INSERT INTO sessions (user_id, token_hash, csrf_token, user_agent, ip, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING {SESSION_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(user.0)
            .bind(token_hash)
            .bind(csrf_token)
            .bind(user_agent)
            .bind(ip)
            .bind(now)
            .bind(expires_at)
            .fetch_one(&mut *self.inner)
            .await?;
        session_from_row(&row)
    }

    /// Revokes one live session of `user`; false when there was none.
    pub async fn revoke_session(&mut self, user: UserId, id: SessionId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(bureau_core::time::now_ms())
        .bind(id.0)
        .bind(user.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn live_session_ids(&mut self, user: UserId, now: i64) -> Result<Vec<SessionId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(user.0)
        .bind(now)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(ids.into_iter().map(SessionId).collect())
    }

    /// Revokes every live session of `user` except `keep`; returns how many.
    pub async fn revoke_sessions_of(
        &mut self,
        user: UserId,
        keep: Option<SessionId>,
    ) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
        )
        .bind(bureau_core::time::now_ms())
        .bind(user.0)
        .bind(keep.map_or(-1, |s| s.0))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn insert_token(
        &mut self,
        user: UserId,
        name: &str,
        token_hash: &str,
        expires_at: Option<i64>,
    ) -> Result<TokenRecord> {
        let sql = format!(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {TOKEN_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(user.0)
            .bind(name)
            .bind(token_hash)
            .bind(bureau_core::time::now_ms())
            .bind(expires_at)
            .fetch_one(&mut *self.inner)
            .await?;
        token_from_row(&row)
    }

    /// Revokes one token of `user`; false when there was none.
    pub async fn revoke_token(&mut self, user: UserId, id: TokenId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(bureau_core::time::now_ms())
        .bind(id.0)
        .bind(user.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn revoke_tokens_of(&mut self, user: UserId) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(bureau_core::time::now_ms())
        .bind(user.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn insert_invitation(
        &mut self,
        token_hash: &str,
        role: Role,
        note: &str,
        created_by: UserId,
        expires_at: i64,
    ) -> Result<InvitationRecord> {
        let sql = format!(
            "INSERT INTO invitations (token_hash, role, note, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {INVITATION_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(role.as_str())
            .bind(note)
            .bind(created_by.0)
            .bind(bureau_core::time::now_ms())
            .bind(expires_at)
            .fetch_one(&mut *self.inner)
            .await?;
        invitation_from_row(&row)
    }

    /// Marks an invitation used if it is still open (not used, revoked or
    /// expired at `now`); false otherwise. Atomic, so a link works once.
    pub async fn use_invitation(&mut self, id: InvitationId, by: UserId, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE invitations SET used_at = $1, used_by = $2 \
             WHERE id = $3 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(by.0)
        .bind(id.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn revoke_invitation(&mut self, id: InvitationId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL AND used_at IS NULL",
        )
        .bind(bureau_core::time::now_ms())
        .bind(id.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_group(&mut self, name: &str) -> Result<GroupRecord> {
        let now = bureau_core::time::now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO groups_ (name, created_at) VALUES ($1, $2) RETURNING id",
        )
        .bind(name)
        .bind(now)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(GroupRecord {
            id: GroupId(id),
            name: name.to_string(),
            created_at: now,
            members: Vec::new(),
        })
    }

    pub async fn delete_group(&mut self, id: GroupId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM groups_ WHERE id = $1")
            .bind(id.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn group_exists(&mut self, id: GroupId) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM groups_ WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(found.is_some())
    }

    /// Adds a member; false when they already were one.
    pub async fn add_group_member(&mut self, group: GroupId, user: UserId) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(group.0)
        .bind(user.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn remove_group_member(&mut self, group: GroupId, user: UserId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(group.0)
            .bind(user.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn audit(&mut self, entry: NewAudit<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, action, target_user_id, detail, ip) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(bureau_core::time::now_ms())
        .bind(entry.actor.map(|u| u.0))
        .bind(entry.action)
        .bind(entry.target.map(|u| u.0))
        .bind(entry.detail.to_string())
        .bind(entry.ip)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    async fn update_user_column(
        &mut self,
        id: UserId,
        column: &'static str,
        value: Option<&str>,
    ) -> Result<UserRecord> {
        let sql = format!(
            "UPDATE users SET {column} = $1, updated_at = $2 WHERE id = $3 RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(value)
            .bind(bureau_core::time::now_ms())
            .bind(id.0)
            .fetch_one(&mut *self.inner)
            .await?;
        user_from_row(&row)
    }
}

async fn user_where<'e, E>(executor: E, condition: &str, value: i64) -> Result<Option<UserRecord>>
where
    E: Executor<'e, Database = sqlx::Any>,
{
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {condition}");
    let row = sqlx::query(&sql)
        .bind(value)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Other(format!("stored {what} `{value}` is not valid"))
}

pub(crate) fn user_from_row(row: &AnyRow) -> Result<UserRecord> {
    let locale: String = row.try_get("locale")?;
    let role: String = row.try_get("role")?;
    Ok(UserRecord {
        id: UserId(row.try_get("id")?),
        name: row.try_get("name")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        locale: Locale::parse(&locale).ok_or_else(|| corrupt("locale", &locale))?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        password_hash: row.try_get("password_hash")?,
        avatar: row.try_get("avatar")?,
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        status: status_from_row(row)?,
    })
}

/// A status that has ended, or was never set, is none.
fn status_from_row(row: &AnyRow) -> Result<Option<StatusRecord>> {
    let text: String = row.try_get("status_text")?;
    let emoji: String = row.try_get("status_emoji")?;
    let until: Option<i64> = row.try_get("status_until")?;
    let ended = until.is_some_and(|at| at <= bureau_core::time::now_ms());
    Ok(
        (!(text.is_empty() && emoji.is_empty()) && !ended).then_some(StatusRecord {
            text,
            emoji,
            until,
        }),
    )
}

fn session_from_row(row: &AnyRow) -> Result<SessionRecord> {
    Ok(SessionRecord {
        id: SessionId(row.try_get("id")?),
        user_id: UserId(row.try_get("user_id")?),
        csrf_token: row.try_get("csrf_token")?,
        user_agent: row.try_get("user_agent")?,
        ip: row.try_get("ip")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn token_from_row(row: &AnyRow) -> Result<TokenRecord> {
    Ok(TokenRecord {
        id: TokenId(row.try_get("id")?),
        user_id: UserId(row.try_get("user_id")?),
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn invitation_from_row(row: &AnyRow) -> Result<InvitationRecord> {
    let role: String = row.try_get("role")?;
    Ok(InvitationRecord {
        id: InvitationId(row.try_get("id")?),
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        note: row.try_get("note")?,
        created_by: UserId(row.try_get("created_by")?),
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
        used_by: row.try_get::<Option<i64>, _>("used_by")?.map(UserId),
        revoked_at: row.try_get("revoked_at")?,
    })
}
