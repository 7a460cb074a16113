//! The event log: every state change, with its durable sequence number.

use bureau_core::{time, Event, NewEvent, Scope};
use sqlx::Row;

use crate::{Backend, Result, Store, Tx};

impl Tx {
    /// Appends an event in this transaction; it becomes visible with the
    /// change it describes, or not at all.
    ///
    /// On PostgreSQL, a transaction-scoped lock makes sequence numbers commit
    /// in order, so a reader that has seen `seq` N has seen every event
    /// before it. SQLite's single writer gives the same guarantee.
    pub async fn append_event(&mut self, event: NewEvent) -> Result<Event> {
        if self.backend == Backend::Postgres && self.events.is_empty() {
            sqlx::query("SELECT pg_advisory_xact_lock(7243002)")
                .execute(&mut *self.inner)
                .await?;
        }
        let at_ms = time::now_ms();
        let (scope_kind, scope_id) = event.scope.to_parts();
        let data = event.data.to_string();
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO events (at, kind, scope_kind, scope_id, data) \
             VALUES ($1, $2, $3, $4, $5) RETURNING seq",
        )
        .bind(at_ms)
        .bind(event.kind)
        .bind(scope_kind)
        .bind(scope_id)
        .bind(&data)
        .fetch_one(&mut *self.inner)
        .await?;
        let stored = Event {
            seq,
            at_ms,
            kind: event.kind.to_string(),
            scope: event.scope,
            data: event.data,
        };
        self.events.push(stored.clone());
        Ok(stored)
    }
}

impl Store {
    /// Events after `since`, oldest first, at most `limit`.
    pub async fn events_since(&self, since: i64, limit: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT seq, at, kind, scope_kind, scope_id, data FROM events \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(since)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// Events in `(after, up_to]`, oldest first.
    pub async fn events_between(&self, after: i64, up_to: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT seq, at, kind, scope_kind, scope_id, data FROM events \
             WHERE seq > $1 AND seq <= $2 ORDER BY seq",
        )
        .bind(after)
        .bind(up_to)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The sequence number of the newest event, 0 when there is none.
    pub async fn last_seq(&self) -> Result<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
            .fetch_one(&self.read)
            .await?;
        Ok(seq.unwrap_or(0))
    }
}

fn event_from_row(row: &sqlx::any::AnyRow) -> Result<Event> {
    let scope_kind: String = row.try_get("scope_kind")?;
    let scope_id: Option<i64> = row.try_get("scope_id")?;
    let data: String = row.try_get("data")?;
    Ok(Event {
        seq: row.try_get("seq")?,
        at_ms: row.try_get("at")?,
        kind: row.try_get("kind")?,
        scope: Scope::from_parts(&scope_kind, scope_id).ok_or_else(|| {
            crate::StoreError::Other(format!("unknown event scope `{scope_kind}`"))
        })?,
        data: serde_json::from_str(&data)
            .map_err(|e| crate::StoreError::Other(format!("stored event data: {e}")))?,
    })
}
