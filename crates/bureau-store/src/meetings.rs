//! Rows of meetings: the rooms, their invitees, the guests in their lobby,
//! and the members a host removed. Media never comes here.

use bureau_core::{ChannelId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Result, Store, Tx};

#[derive(Clone, Debug, PartialEq)]
pub struct MeetingRecord {
    pub id: i64,
    /// call | scheduled | personal
    pub kind: String,
    pub title: String,
    pub channel_id: Option<ChannelId>,
    pub personal_of: Option<UserId>,
    pub created_by: UserId,
    pub starts_at: Option<i64>,
    pub guest_key: String,
    pub locked: bool,
    pub ended_at: Option<i64>,
    pub created_at: i64,
}

pub struct NewMeeting<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub channel_id: Option<ChannelId>,
    pub personal_of: Option<UserId>,
    pub created_by: UserId,
    pub starts_at: Option<i64>,
    pub guest_key: &'a str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GuestRecord {
    pub id: i64,
    pub meeting_id: i64,
    pub name: String,
    /// waiting | admitted | refused | removed
    pub state: String,
    pub created_at: i64,
}

const MEETING_COLUMNS: &str = "id, kind, title, channel_id, personal_of, created_by, starts_at, \
     guest_key, locked, ended_at, created_at";

fn meeting_from_row(row: &AnyRow) -> Result<MeetingRecord> {
    Ok(MeetingRecord {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        channel_id: row.try_get::<Option<i64>, _>("channel_id")?.map(ChannelId),
        personal_of: row.try_get::<Option<i64>, _>("personal_of")?.map(UserId),
        created_by: UserId(row.try_get("created_by")?),
        starts_at: row.try_get("starts_at")?,
        guest_key: row.try_get("guest_key")?,
        locked: row.try_get::<i64, _>("locked")? != 0,
        ended_at: row.try_get("ended_at")?,
        created_at: row.try_get("created_at")?,
    })
}

fn guest_from_row(row: &AnyRow) -> Result<GuestRecord> {
    Ok(GuestRecord {
        id: row.try_get("id")?,
        meeting_id: row.try_get("meeting_id")?,
        name: row.try_get("name")?,
        state: row.try_get("state")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    pub async fn meeting(&self, id: i64) -> Result<Option<MeetingRecord>> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(meeting_from_row).transpose()
    }

    /// A person's personal room, if it was made.
    pub async fn personal_meeting(&self, owner: UserId) -> Result<Option<MeetingRecord>> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE personal_of = $1");
        let row = sqlx::query(&sql)
            .bind(owner.0)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(meeting_from_row).transpose()
    }

    /// Meetings a person created or was invited to that have not ended,
    /// scheduled ones by start time, newest calls first.
    pub async fn meetings_of(&self, user: UserId) -> Result<Vec<MeetingRecord>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.ended_at IS NULL AND m.kind <> 'personal' \
             AND (m.created_by = $1 OR EXISTS (SELECT 1 FROM meeting_invitees i \
             WHERE i.meeting_id = m.id AND i.user_id = $1)) \
             ORDER BY COALESCE(m.starts_at, m.created_at) DESC, m.id DESC LIMIT 100"
        );
        let rows = sqlx::query(&sql).bind(user.0).fetch_all(&self.read).await?;
        rows.iter().map(meeting_from_row).collect()
    }

    pub async fn meeting_invitees(&self, meeting: i64) -> Result<Vec<UserId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT user_id FROM meeting_invitees WHERE meeting_id = $1 ORDER BY user_id",
        )
        .bind(meeting)
        .fetch_all(&self.read)
        .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    pub async fn is_meeting_invitee(&self, meeting: i64, user: UserId) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM meeting_invitees WHERE meeting_id = $1 AND user_id = $2",
        )
        .bind(meeting)
        .bind(user.0)
        .fetch_optional(&self.read)
        .await?;
        Ok(found.is_some())
    }

    pub async fn is_meeting_banned(&self, meeting: i64, user: UserId) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM meeting_bans WHERE meeting_id = $1 AND user_id = $2")
                .bind(meeting)
                .bind(user.0)
                .fetch_optional(&self.read)
                .await?;
        Ok(found.is_some())
    }

    /// A guest by the hash of their pass, in a meeting.
    pub async fn meeting_guest_by_pass(
        &self,
        meeting: i64,
        pass_hash: &str,
    ) -> Result<Option<GuestRecord>> {
        let row = sqlx::query(
            "SELECT id, meeting_id, name, state, created_at FROM meeting_guests \
             WHERE meeting_id = $1 AND pass_hash = $2",
        )
        .bind(meeting)
        .bind(pass_hash)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(guest_from_row).transpose()
    }

    pub async fn meeting_guest(&self, meeting: i64, guest: i64) -> Result<Option<GuestRecord>> {
        let row = sqlx::query(
            "SELECT id, meeting_id, name, state, created_at FROM meeting_guests \
             WHERE meeting_id = $1 AND id = $2",
        )
        .bind(meeting)
        .bind(guest)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(guest_from_row).transpose()
    }

    /// Guests waiting in a meeting's lobby, first come first.
    pub async fn meeting_lobby(&self, meeting: i64) -> Result<Vec<GuestRecord>> {
        let rows = sqlx::query(
            "SELECT id, meeting_id, name, state, created_at FROM meeting_guests \
             WHERE meeting_id = $1 AND state = 'waiting' ORDER BY id",
        )
        .bind(meeting)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(guest_from_row).collect()
    }
}

impl Tx {
    pub async fn insert_meeting(&mut self, new: &NewMeeting<'_>) -> Result<MeetingRecord> {
        let sql = format!(
            "INSERT INTO meetings (kind, title, channel_id, personal_of, created_by, starts_at, \
             guest_key, locked, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8) \
             RETURNING {MEETING_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(new.kind)
            .bind(new.title)
            .bind(new.channel_id.map(|c| c.0))
            .bind(new.personal_of.map(|u| u.0))
            .bind(new.created_by.0)
            .bind(new.starts_at)
            .bind(new.guest_key)
            .bind(bureau_core::time::now_ms())
            .fetch_one(&mut *self.inner)
            .await?;
        meeting_from_row(&row)
    }

    pub async fn add_meeting_invitee(&mut self, meeting: i64, user: UserId) -> Result<()> {
        sqlx::query(
            "INSERT INTO meeting_invitees (meeting_id, user_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(meeting)
        .bind(user.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn set_meeting_locked(&mut self, meeting: i64, locked: bool) -> Result<()> {
        sqlx::query("UPDATE meetings SET locked = $2 WHERE id = $1")
            .bind(meeting)
            .bind(i64::from(locked))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Ends a meeting: nobody enters any more; removals are forgotten.
    /// A personal room or a channel call is reopened by the next start, so
    /// only `ended_at` is set here.
    pub async fn end_meeting(&mut self, meeting: i64) -> Result<()> {
        sqlx::query("UPDATE meetings SET ended_at = $2, locked = 0 WHERE id = $1")
            .bind(meeting)
            .bind(bureau_core::time::now_ms())
            .execute(&mut *self.inner)
            .await?;
        sqlx::query("DELETE FROM meeting_bans WHERE meeting_id = $1")
            .bind(meeting)
            .execute(&mut *self.inner)
            .await?;
        sqlx::query(
            "UPDATE meeting_guests SET state = 'removed' WHERE meeting_id = $1 \
             AND state IN ('waiting', 'admitted')",
        )
        .bind(meeting)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Opens an ended personal room again.
    pub async fn reopen_meeting(&mut self, meeting: i64) -> Result<()> {
        sqlx::query("UPDATE meetings SET ended_at = NULL WHERE id = $1")
            .bind(meeting)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    pub async fn ban_from_meeting(&mut self, meeting: i64, user: UserId) -> Result<()> {
        sqlx::query(
            "INSERT INTO meeting_bans (meeting_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(meeting)
        .bind(user.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn insert_meeting_guest(
        &mut self,
        meeting: i64,
        name: &str,
        pass_hash: &str,
    ) -> Result<GuestRecord> {
        let row = sqlx::query(
            "INSERT INTO meeting_guests (meeting_id, name, pass_hash, state, created_at) \
             VALUES ($1, $2, $3, 'waiting', $4) RETURNING id, meeting_id, name, state, created_at",
        )
        .bind(meeting)
        .bind(name)
        .bind(pass_hash)
        .bind(bureau_core::time::now_ms())
        .fetch_one(&mut *self.inner)
        .await?;
        guest_from_row(&row)
    }

    /// Moves a guest from `from` to `to` (admit or refuse a waiting guest,
    /// remove an admitted one). Returns whether the guest was in `from`.
    pub async fn decide_meeting_guest(
        &mut self,
        meeting: i64,
        guest: i64,
        from: &[&str],
        to: &str,
        by: UserId,
    ) -> Result<bool> {
        let mut changed = false;
        for state in from {
            let done = sqlx::query(
                "UPDATE meeting_guests SET state = $3, decided_by = $4, decided_at = $5 \
                 WHERE meeting_id = $1 AND id = $2 AND state = $6",
            )
            .bind(meeting)
            .bind(guest)
            .bind(to)
            .bind(by.0)
            .bind(bureau_core::time::now_ms())
            .bind(*state)
            .execute(&mut *self.inner)
            .await?;
            changed |= done.rows_affected() > 0;
        }
        Ok(changed)
    }
}
