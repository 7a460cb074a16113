//! Rows of chat: conversations, members, messages, threads, reactions,
//! mentions, attachments and incoming webhooks.

use std::collections::{BTreeMap, HashSet};

use bureau_core::{ChannelId, ChannelKind, MessageId, NotifyLevel, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::accounts::{corrupt, user_from_row};
use crate::UserRecord;
use crate::{Result, Store, Tx};

#[derive(Clone, Debug)]
pub struct ChannelRecord {
    pub id: ChannelId,
    pub kind: ChannelKind,
    /// `None` for DMs, which are named after their members.
    pub name: Option<String>,
    pub private: bool,
    pub topic: String,
    pub purpose: String,
    pub created_by: UserId,
    pub created_at: i64,
    pub archived_at: Option<i64>,
    pub last_message_id: MessageId,
    pub last_message_at: Option<i64>,
    pub member_count: i64,
}

pub struct NewChannel<'a> {
    pub kind: ChannelKind,
    pub name: Option<&'a str>,
    pub private: bool,
    pub topic: &'a str,
    pub purpose: &'a str,
    pub dm_key: Option<&'a str>,
    pub created_by: UserId,
}

#[derive(Clone, Debug)]
pub struct MemberRecord {
    pub channel_id: ChannelId,
    pub user_id: UserId,
    pub poster: bool,
    pub joined_at: i64,
    pub last_read_id: MessageId,
    pub notify: NotifyLevel,
}

/// A conversation as one member sees it in their sidebar.
#[derive(Clone, Debug)]
pub struct SidebarEntry {
    pub channel: ChannelRecord,
    pub membership: MemberRecord,
    /// Messages from others after the read position.
    pub unread: i64,
    /// Of those, the ones that mention this member or everyone.
    pub mentions: i64,
    /// For DMs: who is in it.
    pub dm_members: Vec<UserId>,
}

#[derive(Clone, Debug)]
pub struct MessageRecord {
    pub id: MessageId,
    pub channel_id: ChannelId,
    pub author_id: UserId,
    pub via: Option<String>,
    pub thread_id: Option<MessageId>,
    pub also_in_channel: bool,
    pub text: String,
    pub mentions_all: bool,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub pinned_at: Option<i64>,
    pub reply_count: i64,
    pub last_reply_at: Option<i64>,
    /// Each emoji with who reacted with it, in the order first used.
    pub reactions: Vec<(String, Vec<UserId>)>,
    pub attachments: Vec<AttachmentRecord>,
}

pub struct NewMessage<'a> {
    pub channel_id: ChannelId,
    pub author_id: UserId,
    pub via: Option<&'a str>,
    pub thread_id: Option<MessageId>,
    pub also_in_channel: bool,
    pub text: &'a str,
    pub mentions_all: bool,
    pub has_file: bool,
}

#[derive(Clone, Debug)]
pub struct AttachmentRecord {
    pub id: i64,
    pub channel_id: ChannelId,
    pub message_id: Option<MessageId>,
    pub uploaded_by: UserId,
    pub blob_id: String,
    pub name: String,
    pub size: i64,
    pub mime: String,
}

/// Which slice of a conversation's history to read.
#[derive(Clone, Copy, Debug)]
pub enum Page {
    /// The newest messages.
    Latest,
    /// Messages older than this one.
    Before(MessageId),
    /// Messages newer than this one.
    After(MessageId),
}

#[derive(Clone, Debug)]
pub struct WebhookRecord {
    pub id: i64,
    pub channel_id: ChannelId,
    pub name: String,
    pub created_by: UserId,
    pub created_at: i64,
}

/// A message someone has not read and may be emailed about.
#[derive(Clone, Debug)]
pub struct PendingNotice {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub locale: bureau_core::Locale,
    pub message_id: MessageId,
    pub channel_id: ChannelId,
    pub channel_kind: ChannelKind,
    pub channel_name: Option<String>,
    pub author_name: String,
    pub via: Option<String>,
    pub text: String,
}

const CHANNEL_COLUMNS: &str = "c.id, c.kind, c.name, c.private, c.topic, c.purpose, c.created_by, \
     c.created_at, c.archived_at, c.last_message_id, c.last_message_at, \
     (SELECT COUNT(*) FROM channel_members n WHERE n.channel_id = c.id) AS member_count";
const MEMBER_COLUMNS: &str =
    "m.channel_id, m.user_id, m.poster, m.joined_at, m.last_read_id, m.notify";
const MESSAGE_COLUMNS: &str = "x.id, x.channel_id, x.author_id, x.via, x.thread_id, \
     x.also_in_channel, x.text, x.mentions_all, x.created_at, x.edited_at, x.deleted_at, \
     x.pinned_at, x.reply_count, x.last_reply_at";
/// A message that shows in its channel's history: not a thread-only reply.
const IN_CHANNEL: &str = "(x.thread_id IS NULL OR x.also_in_channel = 1)";

impl Store {
    pub async fn channel(&self, id: ChannelId) -> Result<Option<ChannelRecord>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels c WHERE c.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(channel_from_row).transpose()
    }

    pub async fn channel_by_name(&self, name: &str) -> Result<Option<ChannelRecord>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels c WHERE c.name = $1");
        let row = sqlx::query(&sql)
            .bind(name)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(channel_from_row).transpose()
    }

    pub async fn dm_by_key(&self, key: &str) -> Result<Option<ChannelRecord>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels c WHERE c.dm_key = $1");
        let row = sqlx::query(&sql)
            .bind(key)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(channel_from_row).transpose()
    }

    /// Every public channel, archived ones too, by name: the channel browser.
    pub async fn public_channels(&self) -> Result<Vec<ChannelRecord>> {
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels c WHERE c.private = 0 AND c.kind <> 'dm' \
             ORDER BY c.name"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(channel_from_row).collect()
    }

    /// The ids of every public channel, archived ones too.
    pub async fn public_channel_ids(&self) -> Result<Vec<ChannelId>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM channels WHERE private = 0 AND kind <> 'dm'")
                .fetch_all(&self.read)
                .await?;
        Ok(ids.into_iter().map(ChannelId).collect())
    }

    pub async fn membership(
        &self,
        channel: ChannelId,
        user: UserId,
    ) -> Result<Option<MemberRecord>> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM channel_members m \
             WHERE m.channel_id = $1 AND m.user_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(channel.0)
            .bind(user.0)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(member_from_row).transpose()
    }

    /// A conversation's members with their accounts, by display name.
    pub async fn member_users(
        &self,
        channel: ChannelId,
    ) -> Result<Vec<(MemberRecord, UserRecord)>> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS}, u.id, u.name, u.display_name, u.email, u.locale, u.role, \
             u.password_hash, u.avatar, u.active, u.created_at, u.updated_at, \
             u.status_text, u.status_emoji, u.status_until \
             FROM channel_members m JOIN users u ON u.id = m.user_id \
             WHERE m.channel_id = $1 ORDER BY u.display_name, u.id"
        );
        let rows = sqlx::query(&sql)
            .bind(channel.0)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| Ok((member_from_row(row)?, user_from_row(row)?)))
            .collect()
    }

    /// Whether two people are both in some conversation.
    pub async fn share_a_conversation(&self, a: UserId, b: UserId) -> Result<bool> {
        let shared: Option<i64> = sqlx::query_scalar(
            "SELECT x.channel_id FROM channel_members x JOIN channel_members y \
             ON y.channel_id = x.channel_id WHERE x.user_id = $1 AND y.user_id = $2 LIMIT 1",
        )
        .bind(a.0)
        .bind(b.0)
        .fetch_optional(&self.read)
        .await?;
        Ok(shared.is_some())
    }

    /// The conversations `user` is in and the newest event sequence number,
    /// read in one statement so they describe the same moment.
    pub async fn channel_ids_of(&self, user: UserId) -> Result<(HashSet<ChannelId>, i64)> {
        let rows = sqlx::query(
            "SELECT 0 AS channel_id, COALESCE(MAX(seq), 0) AS seq FROM events \
             UNION ALL SELECT channel_id, 0 AS seq FROM channel_members WHERE user_id = $1",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?;
        let mut channels = HashSet::new();
        let mut as_of = 0;
        for row in rows {
            let channel: i64 = row.try_get("channel_id")?;
            if channel == 0 {
                as_of = row.try_get("seq")?;
            } else {
                channels.insert(ChannelId(channel));
            }
        }
        Ok((channels, as_of))
    }

    /// Every conversation `user` is in, with unread and mention counts.
    pub async fn sidebar(&self, user: UserId) -> Result<Vec<SidebarEntry>> {
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS}, {MEMBER_COLUMNS}, \
               (SELECT COUNT(*) FROM messages x WHERE x.channel_id = c.id \
                  AND x.id > m.last_read_id AND x.deleted_at IS NULL \
                  AND x.author_id <> m.user_id AND {IN_CHANNEL}) AS unread, \
               (SELECT COUNT(*) FROM messages x WHERE x.channel_id = c.id \
                  AND x.id > m.last_read_id AND x.deleted_at IS NULL \
                  AND x.author_id <> m.user_id AND (x.mentions_all = 1 OR EXISTS \
                    (SELECT 1 FROM mentions y WHERE y.message_id = x.id AND y.user_id = m.user_id))) \
                  AS mentions \
             FROM channel_members m JOIN channels c ON c.id = m.channel_id \
             WHERE m.user_id = $1 ORDER BY c.kind, c.name, c.id"
        );
        let rows = sqlx::query(&sql).bind(user.0).fetch_all(&self.read).await?;
        let dm_rows = sqlx::query(
            "SELECT o.channel_id, o.user_id FROM channel_members o \
             JOIN channels c ON c.id = o.channel_id \
             JOIN channel_members m ON m.channel_id = o.channel_id AND m.user_id = $1 \
             WHERE c.kind = 'dm' ORDER BY o.channel_id, o.user_id",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?;
        let mut dm_members: BTreeMap<i64, Vec<UserId>> = BTreeMap::new();
        for row in dm_rows {
            let channel: i64 = row.try_get("channel_id")?;
            dm_members
                .entry(channel)
                .or_default()
                .push(UserId(row.try_get("user_id")?));
        }
        rows.iter()
            .map(|row| {
                let channel = channel_from_row(row)?;
                Ok(SidebarEntry {
                    dm_members: dm_members.remove(&channel.id.0).unwrap_or_default(),
                    channel,
                    membership: member_from_row(row)?,
                    unread: row.try_get("unread")?,
                    mentions: row.try_get("mentions")?,
                })
            })
            .collect()
    }

    pub async fn message(&self, id: MessageId) -> Result<Option<MessageRecord>> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages x WHERE x.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut messages = vec![message_from_row(&row)?];
        self.decorate(&mut messages).await?;
        Ok(messages.pop())
    }

    /// Up to `limit` messages of a channel's history, oldest first.
    pub async fn messages(
        &self,
        channel: ChannelId,
        page: Page,
        limit: i64,
    ) -> Result<Vec<MessageRecord>> {
        let (condition, order, cursor) = match page {
            Page::Latest => ("x.id > $2", "DESC", 0),
            Page::Before(id) => ("x.id < $2", "DESC", id.0),
            Page::After(id) => ("x.id > $2", "ASC", id.0),
        };
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages x \
             WHERE x.channel_id = $1 AND {condition} AND {IN_CHANNEL} \
             ORDER BY x.id {order} LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(channel.0)
            .bind(cursor)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        let mut messages = rows
            .iter()
            .map(message_from_row)
            .collect::<Result<Vec<_>>>()?;
        messages.sort_by_key(|m| m.id);
        self.decorate(&mut messages).await?;
        Ok(messages)
    }

    /// A thread: its first message then every reply, oldest first.
    pub async fn thread(&self, root: MessageId) -> Result<Vec<MessageRecord>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages x WHERE x.id = $1 OR x.thread_id = $1 \
             ORDER BY x.id"
        );
        let rows = sqlx::query(&sql).bind(root.0).fetch_all(&self.read).await?;
        let mut messages = rows
            .iter()
            .map(message_from_row)
            .collect::<Result<Vec<_>>>()?;
        self.decorate(&mut messages).await?;
        Ok(messages)
    }

    pub async fn pinned(&self, channel: ChannelId) -> Result<Vec<MessageRecord>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages x WHERE x.channel_id = $1 \
             AND x.pinned_at IS NOT NULL AND x.deleted_at IS NULL ORDER BY x.pinned_at DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(channel.0)
            .fetch_all(&self.read)
            .await?;
        let mut messages = rows
            .iter()
            .map(message_from_row)
            .collect::<Result<Vec<_>>>()?;
        self.decorate(&mut messages).await?;
        Ok(messages)
    }

    /// Messages after `after` in the order written, with their channel's
    /// privacy: what the search index follows. At most `limit`.
    pub async fn messages_after(&self, after: MessageId, limit: i64) -> Result<Vec<MessageRecord>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages x WHERE x.id > $1 ORDER BY x.id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(after.0)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        let mut messages = rows
            .iter()
            .map(message_from_row)
            .collect::<Result<Vec<_>>>()?;
        self.decorate(&mut messages).await?;
        Ok(messages)
    }

    /// Mentions and direct messages left unread, written after
    /// `not_before` and by `now`, for people with an email address who were
    /// not emailed after `quiet_since` and have at least one of them unread
    /// since before `unread_since`; by person, then message. Muted
    /// conversations are left out.
    pub async fn pending_notices(
        &self,
        unread_since: i64,
        not_before: i64,
        quiet_since: i64,
        now: i64,
    ) -> Result<Vec<PendingNotice>> {
        let rows = sqlx::query(
            "SELECT m.user_id, u.email, u.display_name, u.locale, x.id AS message_id, x.channel_id, \
                    c.kind, c.name AS channel_name, a.display_name AS author_name, x.via, x.text, \
                    x.created_at \
             FROM messages x \
             JOIN channels c ON c.id = x.channel_id \
             JOIN channel_members m ON m.channel_id = x.channel_id \
             JOIN users u ON u.id = m.user_id \
             JOIN users a ON a.id = x.author_id \
             LEFT JOIN email_cursors e ON e.user_id = m.user_id \
             WHERE x.created_at > $2 AND x.created_at <= $4 AND x.deleted_at IS NULL \
               AND x.author_id <> m.user_id AND x.id > m.last_read_id \
               AND x.id > COALESCE(e.last_message_id, 0) \
               AND (e.last_sent_at IS NULL OR e.last_sent_at <= $3) \
               AND u.email IS NOT NULL AND u.active = 1 AND m.notify <> 'mute' \
               AND (c.kind = 'dm' OR x.mentions_all = 1 OR EXISTS \
                    (SELECT 1 FROM mentions y WHERE y.message_id = x.id AND y.user_id = m.user_id)) \
             ORDER BY m.user_id, x.id LIMIT 1000",
        )
        .bind(unread_since)
        .bind(not_before)
        .bind(quiet_since)
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        // A person is due once one notice has waited `unread_since`; their
        // email then holds every notice waiting, the newest too, so that
        // messages a moment apart do not make two emails.
        let mut due = std::collections::HashSet::new();
        for row in &rows {
            if row.try_get::<i64, _>("created_at")? <= unread_since {
                due.insert(row.try_get::<i64, _>("user_id")?);
            }
        }
        rows.iter()
            .filter(|row| {
                row.try_get::<i64, _>("user_id")
                    .is_ok_and(|user| due.contains(&user))
            })
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                let locale: String = row.try_get("locale")?;
                Ok(PendingNotice {
                    user_id: UserId(row.try_get("user_id")?),
                    email: row.try_get("email")?,
                    display_name: row.try_get("display_name")?,
                    locale: bureau_core::Locale::parse(&locale)
                        .ok_or_else(|| corrupt("locale", &locale))?,
                    message_id: MessageId(row.try_get("message_id")?),
                    channel_id: ChannelId(row.try_get("channel_id")?),
                    channel_kind: ChannelKind::parse(&kind)
                        .ok_or_else(|| corrupt("channel kind", &kind))?,
                    channel_name: row.try_get("channel_name")?,
                    author_name: row.try_get("author_name")?,
                    via: row.try_get("via")?,
                    text: row.try_get("text")?,
                })
            })
            .collect()
    }

    pub async fn attachment(&self, id: i64) -> Result<Option<AttachmentRecord>> {
        let row = sqlx::query(
            "SELECT id, channel_id, message_id, uploaded_by, blob_id, name, size, mime \
             FROM attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(attachment_from_row).transpose()
    }

    /// The live webhook whose secret hashes to `token_hash`.
    pub async fn webhook_by_hash(&self, token_hash: &str) -> Result<Option<WebhookRecord>> {
        let row = sqlx::query(
            "SELECT id, channel_id, name, created_by, created_at FROM webhooks \
             WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(webhook_from_row).transpose()
    }

    pub async fn webhooks(&self, channel: ChannelId) -> Result<Vec<WebhookRecord>> {
        let rows = sqlx::query(
            "SELECT id, channel_id, name, created_by, created_at FROM webhooks \
             WHERE channel_id = $1 AND revoked_at IS NULL ORDER BY id",
        )
        .bind(channel.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(webhook_from_row).collect()
    }

    /// Adds reactions and attachments to messages of one channel.
    async fn decorate(&self, messages: &mut [MessageRecord]) -> Result<()> {
        let (Some(first), Some(last)) = (messages.first(), messages.last()) else {
            return Ok(());
        };
        let (channel, low, high) = (first.channel_id.0, first.id.0, last.id.0);
        let reactions = sqlx::query(
            "SELECT message_id, user_id, emoji FROM reactions \
             WHERE channel_id = $1 AND message_id BETWEEN $2 AND $3 ORDER BY at, user_id, emoji",
        )
        .bind(channel)
        .bind(low)
        .bind(high)
        .fetch_all(&self.read)
        .await?;
        let attachments = sqlx::query(
            "SELECT id, channel_id, message_id, uploaded_by, blob_id, name, size, mime \
             FROM attachments WHERE channel_id = $1 AND message_id BETWEEN $2 AND $3 ORDER BY id",
        )
        .bind(channel)
        .bind(low)
        .bind(high)
        .fetch_all(&self.read)
        .await?;
        let index: BTreeMap<i64, usize> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.0, i))
            .collect();
        for row in reactions {
            let message: i64 = row.try_get("message_id")?;
            let Some(&i) = index.get(&message) else {
                continue;
            };
            add_reaction(
                &mut messages[i],
                row.try_get("emoji")?,
                UserId(row.try_get("user_id")?),
            );
        }
        for row in &attachments {
            let attachment = attachment_from_row(row)?;
            if let Some(&i) = attachment.message_id.and_then(|m| index.get(&m.0)) {
                messages[i].attachments.push(attachment);
            }
        }
        Ok(())
    }
}

impl Tx {
    pub async fn insert_channel(&mut self, new: NewChannel<'_>) -> Result<ChannelId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO channels (kind, name, private, topic, purpose, dm_key, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.kind.as_str())
        .bind(new.name)
        .bind(i64::from(new.private))
        .bind(new.topic)
        .bind(new.purpose)
        .bind(new.dm_key)
        .bind(new.created_by.0)
        .bind(bureau_core::time::now_ms())
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(ChannelId(id))
    }

    pub async fn channel(&mut self, id: ChannelId) -> Result<Option<ChannelRecord>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels c WHERE c.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&mut *self.inner)
            .await?;
        row.as_ref().map(channel_from_row).transpose()
    }

    /// Records that `user` was emailed about messages up to `last`; false
    /// when another process got there first.
    pub async fn claim_digest(&mut self, user: UserId, last: MessageId, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO email_cursors (user_id, last_message_id, last_sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET last_message_id = $2, last_sent_at = $3 \
             WHERE email_cursors.last_message_id < $2",
        )
        .bind(user.0)
        .bind(last.0)
        .bind(now)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A message as this transaction sees it, with reactions and files.
    pub async fn message(&mut self, id: MessageId) -> Result<Option<MessageRecord>> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages x WHERE x.id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&mut *self.inner)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut message = message_from_row(&row)?;
        let reactions = sqlx::query(
            "SELECT user_id, emoji FROM reactions WHERE message_id = $1 ORDER BY at, user_id, emoji",
        )
        .bind(id.0)
        .fetch_all(&mut *self.inner)
        .await?;
        for row in reactions {
            add_reaction(
                &mut message,
                row.try_get("emoji")?,
                UserId(row.try_get("user_id")?),
            );
        }
        let attachments = sqlx::query(
            "SELECT id, channel_id, message_id, uploaded_by, blob_id, name, size, mime \
             FROM attachments WHERE message_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&mut *self.inner)
        .await?;
        message.attachments = attachments
            .iter()
            .map(attachment_from_row)
            .collect::<Result<_>>()?;
        Ok(Some(message))
    }

    /// Sets whether a member may post in an announcement channel; returns
    /// false when they are not a member.
    pub async fn set_poster(
        &mut self,
        channel: ChannelId,
        user: UserId,
        poster: bool,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE channel_members SET poster = $3 WHERE channel_id = $1 AND user_id = $2",
        )
        .bind(channel.0)
        .bind(user.0)
        .bind(i64::from(poster))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets a channel's describable fields; `None` leaves one unchanged.
    pub async fn update_channel(
        &mut self,
        id: ChannelId,
        name: Option<&str>,
        topic: Option<&str>,
        purpose: Option<&str>,
        archived_at: Option<Option<i64>>,
    ) -> Result<()> {
        let archive_given = archived_at.is_some();
        sqlx::query(
            "UPDATE channels SET name = COALESCE($2, name), topic = COALESCE($3, topic), \
             purpose = COALESCE($4, purpose), \
             archived_at = CASE WHEN $5 = 1 THEN $6 ELSE archived_at END WHERE id = $1",
        )
        .bind(id.0)
        .bind(name)
        .bind(topic)
        .bind(purpose)
        .bind(i64::from(archive_given))
        .bind(archived_at.flatten())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Adds a member; returns false when they were in already.
    pub async fn add_member(
        &mut self,
        channel: ChannelId,
        user: UserId,
        poster: bool,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO channel_members (channel_id, user_id, poster, joined_at, last_read_id) \
             VALUES ($1, $2, $3, $4, (SELECT last_message_id FROM channels WHERE id = $1)) \
             ON CONFLICT (channel_id, user_id) DO NOTHING",
        )
        .bind(channel.0)
        .bind(user.0)
        .bind(i64::from(poster))
        .bind(bureau_core::time::now_ms())
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a member; returns false when they were not in.
    pub async fn remove_member(&mut self, channel: ChannelId, user: UserId) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2")
                .bind(channel.0)
                .bind(user.0)
                .execute(&mut *self.inner)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_notify(
        &mut self,
        channel: ChannelId,
        user: UserId,
        level: NotifyLevel,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE channel_members SET notify = $3 WHERE channel_id = $1 AND user_id = $2",
        )
        .bind(channel.0)
        .bind(user.0)
        .bind(level.as_str())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Moves a read position forward (never back); returns the position now.
    pub async fn mark_read(
        &mut self,
        channel: ChannelId,
        user: UserId,
        up_to: MessageId,
    ) -> Result<MessageId> {
        let position: i64 = sqlx::query_scalar(
            "UPDATE channel_members SET last_read_id = CASE WHEN last_read_id < $3 THEN $3 \
             ELSE last_read_id END WHERE channel_id = $1 AND user_id = $2 RETURNING last_read_id",
        )
        .bind(channel.0)
        .bind(user.0)
        .bind(up_to.0)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(MessageId(position))
    }

    pub async fn insert_message(&mut self, new: NewMessage<'_>) -> Result<MessageId> {
        let now = bureau_core::time::now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO messages (channel_id, author_id, via, thread_id, also_in_channel, text, \
             mentions_all, has_file, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(new.channel_id.0)
        .bind(new.author_id.0)
        .bind(new.via)
        .bind(new.thread_id.map(|t| t.0))
        .bind(i64::from(new.also_in_channel))
        .bind(new.text)
        .bind(i64::from(new.mentions_all))
        .bind(i64::from(new.has_file))
        .bind(now)
        .fetch_one(&mut *self.inner)
        .await?;
        if let Some(root) = new.thread_id {
            sqlx::query(
                "UPDATE messages SET reply_count = reply_count + 1, last_reply_at = $2 WHERE id = $1",
            )
            .bind(root.0)
            .bind(now)
            .execute(&mut *self.inner)
            .await?;
        }
        if new.thread_id.is_none() || new.also_in_channel {
            sqlx::query(
                "UPDATE channels SET last_message_id = $2, last_message_at = $3 WHERE id = $1",
            )
            .bind(new.channel_id.0)
            .bind(id)
            .bind(now)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(MessageId(id))
    }

    pub async fn insert_mentions(
        &mut self,
        message: MessageId,
        channel: ChannelId,
        users: &[UserId],
    ) -> Result<()> {
        for user in users {
            sqlx::query(
                "INSERT INTO mentions (message_id, user_id, channel_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(message.0)
            .bind(user.0)
            .bind(channel.0)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// Replaces a message's text and mentions, marking it edited.
    pub async fn edit_message(
        &mut self,
        id: MessageId,
        text: &str,
        mentions_all: bool,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE messages SET text = $2, mentions_all = $3, edited_at = $4 WHERE id = $1",
        )
        .bind(id.0)
        .bind(text)
        .bind(i64::from(mentions_all))
        .bind(bureau_core::time::now_ms())
        .execute(&mut *self.inner)
        .await?;
        sqlx::query("DELETE FROM mentions WHERE message_id = $1")
            .bind(id.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Deletes a message's content; the row stays so threads keep their shape.
    pub async fn delete_message(&mut self, id: MessageId) -> Result<()> {
        sqlx::query(
            "UPDATE messages SET text = '', deleted_at = $2, pinned_at = NULL, mentions_all = 0 \
             WHERE id = $1",
        )
        .bind(id.0)
        .bind(bureau_core::time::now_ms())
        .execute(&mut *self.inner)
        .await?;
        for table in ["mentions", "reactions", "attachments"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE message_id = $1"))
                .bind(id.0)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    pub async fn set_pinned(&mut self, id: MessageId, pinned: bool) -> Result<()> {
        let at = pinned.then(bureau_core::time::now_ms);
        sqlx::query("UPDATE messages SET pinned_at = $2 WHERE id = $1")
            .bind(id.0)
            .bind(at)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Adds a reaction; returns false when it was there already.
    pub async fn add_reaction(
        &mut self,
        message: &MessageRecord,
        user: UserId,
        emoji: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO reactions (message_id, channel_id, user_id, emoji, at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(message.id.0)
        .bind(message.channel_id.0)
        .bind(user.0)
        .bind(emoji)
        .bind(bureau_core::time::now_ms())
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a reaction; returns false when it was not there.
    pub async fn remove_reaction(
        &mut self,
        message: MessageId,
        user: UserId,
        emoji: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3",
        )
        .bind(message.0)
        .bind(user.0)
        .bind(emoji)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_attachment(
        &mut self,
        channel: ChannelId,
        uploaded_by: UserId,
        blob_id: &str,
        name: &str,
        size: i64,
        mime: &str,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO attachments (channel_id, uploaded_by, blob_id, name, size, mime, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(channel.0)
        .bind(uploaded_by.0)
        .bind(blob_id)
        .bind(name)
        .bind(size)
        .bind(mime)
        .bind(bureau_core::time::now_ms())
        .fetch_one(&mut *self.inner)
        .await?)
    }

    /// Attaches uploads of `uploader` in `channel` to a message; returns how
    /// many it attached (uploads already used or someone else's are not).
    pub async fn attach(
        &mut self,
        message: MessageId,
        channel: ChannelId,
        uploader: UserId,
        ids: &[i64],
    ) -> Result<usize> {
        let mut attached = 0;
        for id in ids {
            let done = sqlx::query(
                "UPDATE attachments SET message_id = $1 WHERE id = $2 AND channel_id = $3 \
                 AND uploaded_by = $4 AND message_id IS NULL",
            )
            .bind(message.0)
            .bind(id)
            .bind(channel.0)
            .bind(uploader.0)
            .execute(&mut *self.inner)
            .await?;
            attached += done.rows_affected() as usize;
        }
        Ok(attached)
    }

    pub async fn insert_webhook(
        &mut self,
        channel: ChannelId,
        name: &str,
        token_hash: &str,
        created_by: UserId,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO webhooks (channel_id, name, token_hash, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(channel.0)
        .bind(name)
        .bind(token_hash)
        .bind(created_by.0)
        .bind(bureau_core::time::now_ms())
        .fetch_one(&mut *self.inner)
        .await?)
    }

    pub async fn revoke_webhook(&mut self, channel: ChannelId, id: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webhooks SET revoked_at = $3 WHERE id = $1 AND channel_id = $2 \
             AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(channel.0)
        .bind(bureau_core::time::now_ms())
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn add_reaction(message: &mut MessageRecord, emoji: String, user: UserId) {
    match message.reactions.iter_mut().find(|(e, _)| *e == emoji) {
        Some((_, users)) => users.push(user),
        None => message.reactions.push((emoji, vec![user])),
    }
}

fn channel_from_row(row: &AnyRow) -> Result<ChannelRecord> {
    let kind: String = row.try_get("kind")?;
    Ok(ChannelRecord {
        id: ChannelId(row.try_get("id")?),
        kind: ChannelKind::parse(&kind).ok_or_else(|| corrupt("channel kind", &kind))?,
        name: row.try_get("name")?,
        private: row.try_get::<i64, _>("private")? != 0,
        topic: row.try_get("topic")?,
        purpose: row.try_get("purpose")?,
        created_by: UserId(row.try_get("created_by")?),
        created_at: row.try_get("created_at")?,
        archived_at: row.try_get("archived_at")?,
        last_message_id: MessageId(row.try_get("last_message_id")?),
        last_message_at: row.try_get("last_message_at")?,
        member_count: row.try_get("member_count")?,
    })
}

fn member_from_row(row: &AnyRow) -> Result<MemberRecord> {
    let notify: String = row.try_get("notify")?;
    Ok(MemberRecord {
        channel_id: ChannelId(row.try_get("channel_id")?),
        user_id: UserId(row.try_get("user_id")?),
        poster: row.try_get::<i64, _>("poster")? != 0,
        joined_at: row.try_get("joined_at")?,
        last_read_id: MessageId(row.try_get("last_read_id")?),
        notify: NotifyLevel::parse(&notify).ok_or_else(|| corrupt("notify level", &notify))?,
    })
}

fn message_from_row(row: &AnyRow) -> Result<MessageRecord> {
    Ok(MessageRecord {
        id: MessageId(row.try_get("id")?),
        channel_id: ChannelId(row.try_get("channel_id")?),
        author_id: UserId(row.try_get("author_id")?),
        via: row.try_get("via")?,
        thread_id: row.try_get::<Option<i64>, _>("thread_id")?.map(MessageId),
        also_in_channel: row.try_get::<i64, _>("also_in_channel")? != 0,
        text: row.try_get("text")?,
        mentions_all: row.try_get::<i64, _>("mentions_all")? != 0,
        created_at: row.try_get("created_at")?,
        edited_at: row.try_get("edited_at")?,
        deleted_at: row.try_get("deleted_at")?,
        pinned_at: row.try_get("pinned_at")?,
        reply_count: row.try_get("reply_count")?,
        last_reply_at: row.try_get("last_reply_at")?,
        reactions: Vec::new(),
        attachments: Vec::new(),
    })
}

fn attachment_from_row(row: &AnyRow) -> Result<AttachmentRecord> {
    Ok(AttachmentRecord {
        id: row.try_get("id")?,
        channel_id: ChannelId(row.try_get("channel_id")?),
        message_id: row.try_get::<Option<i64>, _>("message_id")?.map(MessageId),
        uploaded_by: UserId(row.try_get("uploaded_by")?),
        blob_id: row.try_get("blob_id")?,
        name: row.try_get("name")?,
        size: row.try_get("size")?,
        mime: row.try_get("mime")?,
    })
}

fn webhook_from_row(row: &AnyRow) -> Result<WebhookRecord> {
    Ok(WebhookRecord {
        id: row.try_get("id")?,
        channel_id: ChannelId(row.try_get("channel_id")?),
        name: row.try_get("name")?,
        created_by: UserId(row.try_get("created_by")?),
        created_at: row.try_get("created_at")?,
    })
}
