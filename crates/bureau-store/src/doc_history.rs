//! Rows around a page's content: its versions (whole Yjs states, named or
//! automatic), its comment threads, and its public read-only link.

use bureau_core::UserId;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Result, Store, Tx};

/// Automatic versions kept per page; the oldest go first. Named versions
/// are kept until deleted with the page.
pub const AUTO_VERSIONS_KEPT: i64 = 100;

#[derive(Clone, Debug, PartialEq)]
pub struct DocVersionRecord {
    pub id: i64,
    pub page_id: i64,
    /// `None`: an automatic snapshot.
    pub name: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    /// Size of the stored state, in bytes.
    pub size: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DocCommentRecord {
    pub id: i64,
    pub page_id: i64,
    /// The thread's first comment; `None` for that first comment itself.
    pub thread_id: Option<i64>,
    pub author_id: UserId,
    pub body: String,
    /// The text the thread is about, when it was started on a selection.
    pub quote: Option<String>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<UserId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DocAttachmentRecord {
    pub id: i64,
    pub page_id: i64,
    pub blob_id: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub created_by: Option<UserId>,
    pub created_at: i64,
}

const ATTACHMENT_COLUMNS: &str = "id, page_id, blob_id, name, mime, size, created_by, created_at";
const VERSION_COLUMNS: &str =
    "id, page_id, name, created_by, created_at, CAST(LENGTH(data) AS BIGINT) AS size";
const COMMENT_COLUMNS: &str = "id, page_id, thread_id, author_id, body, quote, created_at, \
    edited_at, resolved_at, resolved_by";

impl Store {
    /// Pages whose content or settings changed at or after `since_ms`
    /// (the search index follows them).
    pub async fn pages_changed_since(&self, since_ms: i64) -> Result<Vec<i64>> {
        let ids = sqlx::query_scalar(
            "SELECT page_id FROM doc_updates WHERE created_at >= $1 \
             UNION SELECT id FROM doc_pages WHERE updated_at >= $1",
        )
        .bind(since_ms)
        .fetch_all(&self.read)
        .await?;
        Ok(ids)
    }

    /// A page's versions, the newest first.
    pub async fn doc_versions(&self, page: i64) -> Result<Vec<DocVersionRecord>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM doc_versions WHERE page_id = $1 ORDER BY id DESC"
        );
        let rows = sqlx::query(&sql).bind(page).fetch_all(&self.read).await?;
        rows.iter().map(version_from_row).collect()
    }

    /// One version of a page and its state.
    pub async fn doc_version(
        &self,
        page: i64,
        id: i64,
    ) -> Result<Option<(DocVersionRecord, Vec<u8>)>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS}, data FROM doc_versions WHERE page_id = $1 AND id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(page)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        match row {
            Some(row) => Ok(Some((version_from_row(&row)?, row.try_get("data")?))),
            None => Ok(None),
        }
    }

    /// Stores a version of a page; automatic ones beyond
    /// [`AUTO_VERSIONS_KEPT`] are dropped, the oldest first.
    pub async fn insert_doc_version(
        &self,
        page: i64,
        name: Option<&str>,
        by: Option<UserId>,
        data: &[u8],
    ) -> Result<DocVersionRecord> {
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO doc_versions (page_id, name, created_by, created_at, data) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(page)
        .bind(name)
        .bind(by.map(|u| u.0))
        .bind(bureau_core::time::now_ms())
        .bind(data)
        .fetch_one(&mut *tx)
        .await?;
        if name.is_none() {
            sqlx::query(
                "DELETE FROM doc_versions WHERE page_id = $1 AND name IS NULL AND id NOT IN \
                 (SELECT id FROM doc_versions WHERE page_id = $1 AND name IS NULL \
                  ORDER BY id DESC LIMIT $2)",
            )
            .bind(page)
            .bind(AUTO_VERSIONS_KEPT)
            .execute(&mut *tx)
            .await?;
        }
        let sql = format!("SELECT {VERSION_COLUMNS} FROM doc_versions WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        version_from_row(&row)
    }

    /// Names (or unnames) a version.
    pub async fn rename_doc_version(&self, page: i64, id: i64, name: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE doc_versions SET name = $3 WHERE page_id = $1 AND id = $2")
            .bind(page)
            .bind(id)
            .bind(name)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// An image or file of a page.
    pub async fn doc_attachment(&self, page: i64, id: i64) -> Result<Option<DocAttachmentRecord>> {
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM doc_attachments WHERE page_id = $1 AND id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(page)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(attachment_from_row).transpose()
    }

    /// A page's images and files, in the order added.
    pub async fn doc_attachments(&self, page: i64) -> Result<Vec<DocAttachmentRecord>> {
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM doc_attachments WHERE page_id = $1 ORDER BY id"
        );
        let rows = sqlx::query(&sql).bind(page).fetch_all(&self.read).await?;
        rows.iter().map(attachment_from_row).collect()
    }

    pub async fn insert_doc_attachment(
        &self,
        page: i64,
        blob: &str,
        name: &str,
        mime: &str,
        size: i64,
        by: UserId,
    ) -> Result<DocAttachmentRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO doc_attachments (page_id, blob_id, name, mime, size, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(page)
        .bind(blob)
        .bind(name)
        .bind(mime)
        .bind(size)
        .bind(by.0)
        .bind(bureau_core::time::now_ms())
        .fetch_one(&self.write)
        .await?;
        Ok(DocAttachmentRecord {
            id,
            page_id: page,
            blob_id: blob.to_string(),
            name: name.to_string(),
            mime: mime.to_string(),
            size,
            created_by: Some(by),
            created_at: bureau_core::time::now_ms(),
        })
    }

    /// A page's comments, threads in the order started, replies in order.
    pub async fn doc_comments(&self, page: i64) -> Result<Vec<DocCommentRecord>> {
        let sql = format!(
            "SELECT {COMMENT_COLUMNS} FROM doc_comments WHERE page_id = $1 \
             ORDER BY COALESCE(thread_id, id), id"
        );
        let rows = sqlx::query(&sql).bind(page).fetch_all(&self.read).await?;
        rows.iter().map(comment_from_row).collect()
    }

    pub async fn doc_comment(&self, page: i64, id: i64) -> Result<Option<DocCommentRecord>> {
        let sql =
            format!("SELECT {COMMENT_COLUMNS} FROM doc_comments WHERE page_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(page)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(comment_from_row).transpose()
    }

    /// The page a public link's secret (hashed) opens.
    pub async fn doc_public_link_page(&self, token_hash: &str) -> Result<Option<i64>> {
        let page = sqlx::query_scalar("SELECT page_id FROM doc_public_links WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.read)
            .await?;
        Ok(page)
    }

    /// When a page's public link was made, if it has one.
    pub async fn doc_public_link_of(&self, page: i64) -> Result<Option<(i64, Option<UserId>)>> {
        let row =
            sqlx::query("SELECT created_at, created_by FROM doc_public_links WHERE page_id = $1")
                .bind(page)
                .fetch_optional(&self.read)
                .await?;
        match row {
            Some(row) => Ok(Some((
                row.try_get("created_at")?,
                row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
            ))),
            None => Ok(None),
        }
    }
}

impl Tx {
    /// Starts a page's log with one update (a page made from a template).
    pub async fn append_doc_update(&mut self, page: i64, data: &[u8]) -> Result<()> {
        sqlx::query("INSERT INTO doc_updates (page_id, data, created_at) VALUES ($1, $2, $3)")
            .bind(page)
            .bind(data)
            .bind(bureau_core::time::now_ms())
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    pub async fn insert_doc_comment(
        &mut self,
        page: i64,
        thread: Option<i64>,
        author: UserId,
        body: &str,
        quote: Option<&str>,
    ) -> Result<DocCommentRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO doc_comments (page_id, thread_id, author_id, body, quote, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(page)
        .bind(thread)
        .bind(author.0)
        .bind(body)
        .bind(quote)
        .bind(bureau_core::time::now_ms())
        .fetch_one(&mut *self.inner)
        .await?;
        self.doc_comment(id).await
    }

    async fn doc_comment(&mut self, id: i64) -> Result<DocCommentRecord> {
        let sql = format!("SELECT {COMMENT_COLUMNS} FROM doc_comments WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_one(&mut *self.inner)
            .await?;
        comment_from_row(&row)
    }

    pub async fn edit_doc_comment(&mut self, id: i64, body: &str) -> Result<DocCommentRecord> {
        sqlx::query("UPDATE doc_comments SET body = $2, edited_at = $3 WHERE id = $1")
            .bind(id)
            .bind(body)
            .bind(bureau_core::time::now_ms())
            .execute(&mut *self.inner)
            .await?;
        self.doc_comment(id).await
    }

    /// Resolves (or reopens) a thread, by its first comment.
    pub async fn resolve_doc_thread(
        &mut self,
        id: i64,
        by: Option<UserId>,
    ) -> Result<DocCommentRecord> {
        let at = by.map(|_| bureau_core::time::now_ms());
        sqlx::query("UPDATE doc_comments SET resolved_at = $2, resolved_by = $3 WHERE id = $1")
            .bind(id)
            .bind(at)
            .bind(by.map(|u| u.0))
            .execute(&mut *self.inner)
            .await?;
        self.doc_comment(id).await
    }

    /// Deletes a comment; deleting a thread's first comment deletes its
    /// replies.
    pub async fn delete_doc_comment(&mut self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM doc_comments WHERE thread_id = $1")
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        sqlx::query("DELETE FROM doc_comments WHERE id = $1")
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Gives a page a new public link (the old one stops working).
    pub async fn set_doc_public_link(
        &mut self,
        page: i64,
        token_hash: &str,
        by: UserId,
    ) -> Result<()> {
        sqlx::query("DELETE FROM doc_public_links WHERE page_id = $1")
            .bind(page)
            .execute(&mut *self.inner)
            .await?;
        sqlx::query(
            "INSERT INTO doc_public_links (page_id, token_hash, created_by, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(page)
        .bind(token_hash)
        .bind(by.0)
        .bind(bureau_core::time::now_ms())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn delete_doc_public_link(&mut self, page: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM doc_public_links WHERE page_id = $1")
            .bind(page)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

fn version_from_row(row: &AnyRow) -> Result<DocVersionRecord> {
    Ok(DocVersionRecord {
        id: row.try_get("id")?,
        page_id: row.try_get("page_id")?,
        name: row.try_get("name")?,
        created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        created_at: row.try_get("created_at")?,
        size: row.try_get::<i64, _>("size")?,
    })
}

fn attachment_from_row(row: &AnyRow) -> Result<DocAttachmentRecord> {
    Ok(DocAttachmentRecord {
        id: row.try_get("id")?,
        page_id: row.try_get("page_id")?,
        blob_id: row.try_get("blob_id")?,
        name: row.try_get("name")?,
        mime: row.try_get("mime")?,
        size: row.try_get("size")?,
        created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        created_at: row.try_get("created_at")?,
    })
}

fn comment_from_row(row: &AnyRow) -> Result<DocCommentRecord> {
    Ok(DocCommentRecord {
        id: row.try_get("id")?,
        page_id: row.try_get("page_id")?,
        thread_id: row.try_get("thread_id")?,
        author_id: UserId(row.try_get("author_id")?),
        body: row.try_get("body")?,
        quote: row.try_get("quote")?,
        created_at: row.try_get("created_at")?,
        edited_at: row.try_get("edited_at")?,
        resolved_at: row.try_get("resolved_at")?,
        resolved_by: row.try_get::<Option<i64>, _>("resolved_by")?.map(UserId),
    })
}
