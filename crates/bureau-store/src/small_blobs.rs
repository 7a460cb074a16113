//! The rows behind small blobs (see [`crate::Blobs`]): content-addressed
//! bytes kept in the database, written in the transaction that first
//! references them.

use crate::{Result, Store, Tx};

impl Store {
    /// The bytes of the small blob `id`, if it is one.
    pub async fn small_blob(&self, id: &str) -> Result<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT bytes FROM small_blobs WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// Every small blob with the time its last writer kept it, for the
    /// collector.
    pub async fn small_blobs(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT id, created_at FROM small_blobs")
            .fetch_all(&self.read)
            .await?)
    }

    /// Removes the small blob `id` unless a writer kept it after `cutoff`
    /// (ms): one that a new row is about to name stays.
    pub async fn remove_small_blob(&self, id: &str, cutoff: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM small_blobs WHERE id = $1 AND created_at <= $2")
            .bind(id)
            .bind(cutoff)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

impl Tx {
    /// Keeps small blobs, durable with this transaction, in one statement.
    /// The same bytes kept twice are one row, whose time is renewed.
    pub(crate) async fn keep_small_blobs(&mut self, blobs: &[(&str, &[u8])]) -> Result<()> {
        let mut unique: Vec<(&str, &[u8])> = Vec::with_capacity(blobs.len());
        for &(id, bytes) in blobs {
            if !unique.iter().any(|(seen, _)| *seen == id) {
                unique.push((id, bytes));
            }
        }
        if unique.is_empty() {
            return Ok(());
        }
        let rows: Vec<String> = (0..unique.len())
            .map(|row| format!("(${}, ${}, $1)", row * 2 + 2, row * 2 + 3))
            .collect();
        let sql = format!(
            "INSERT INTO small_blobs (id, bytes, created_at) VALUES {} \
             ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(bureau_core::time::now_ms());
        for (id, bytes) in unique {
            query = query.bind(id).bind(bytes);
        }
        query.execute(&mut *self.inner).await?;
        Ok(())
    }
}
