//! Rows of docs: spaces, their members, the tree of pages, who reaches a
//! restricted or shared page, and each page's Yjs update log.
//!
//! A page's content is the merge of all its `doc_updates` rows. Yjs
//! updates commute, so rows appended by several processes at once need no
//! order among themselves; compaction merges the rows up to an id into one
//! row, in one transaction, reading them from the database (never from a
//! process's memory, which may lack another process's latest rows).

use bureau_core::UserId;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Result, Store, Tx};

#[derive(Clone, Debug, PartialEq)]
pub struct DocSpaceRecord {
    pub id: i64,
    /// The person whose personal space this is; `None` for a team space.
    pub owner_id: Option<UserId>,
    pub name: String,
    pub icon: String,
    pub created_at: i64,
    pub archived_at: Option<i64>,
}

/// A member of a team space (a group or one person), or a grant on a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocGrantRecord {
    /// The space or the page it is about.
    pub on: i64,
    pub group_id: Option<i64>,
    pub user_id: Option<UserId>,
    pub can_write: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PageRecord {
    pub id: i64,
    pub space_id: i64,
    pub parent_id: Option<i64>,
    pub position: f64,
    pub title: String,
    pub icon: String,
    pub restricted: bool,
    pub locked: bool,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_by: Option<UserId>,
    pub updated_at: i64,
    pub archived_at: Option<i64>,
    /// A template of its space: offered when a page is made, not in the
    /// tree.
    pub template: bool,
    /// A database: a table whose rows are the pages below it.
    pub database: bool,
}

/// A new page, at the end of its siblings unless a position is given.
pub struct NewPage<'a> {
    pub space_id: i64,
    pub parent_id: Option<i64>,
    pub title: &'a str,
    pub icon: &'a str,
    pub by: UserId,
}

/// What changes in a page's settings; `None` leaves a field as it is.
#[derive(Default)]
pub struct PageChange<'a> {
    pub title: Option<&'a str>,
    pub icon: Option<&'a str>,
    pub restricted: Option<bool>,
    pub locked: Option<bool>,
    /// `Some(None)` moves to the top of the space.
    pub parent_id: Option<Option<i64>>,
    pub space_id: Option<i64>,
    pub position: Option<f64>,
    /// `Some(Some(now))` archives, `Some(None)` restores.
    pub archived_at: Option<Option<i64>>,
    pub template: Option<bool>,
}

pub(crate) const PAGE_COLUMNS: &str = "p.id, p.space_id, p.parent_id, p.position, p.title, p.icon, \
    p.restricted, p.locked, p.created_by, p.created_at, p.updated_by, p.updated_at, p.archived_at, p.template, p.kind";

/// Whether the person (or a group of theirs) is named in a grant row `a`.
const NAMES_USER: &str = "(a.user_id = $1 OR EXISTS (SELECT 1 FROM group_members g \
    WHERE g.group_id = a.group_id AND g.user_id = $1))";

impl Store {
    pub async fn doc_space(&self, id: i64) -> Result<Option<DocSpaceRecord>> {
        let row = sqlx::query(
            "SELECT id, owner_id, name, icon, created_at, archived_at FROM doc_spaces WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(space_from_row).transpose()
    }

    pub async fn personal_doc_space(&self, owner: UserId) -> Result<Option<DocSpaceRecord>> {
        let row = sqlx::query(
            "SELECT id, owner_id, name, icon, created_at, archived_at FROM doc_spaces \
             WHERE owner_id = $1",
        )
        .bind(owner.0)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(space_from_row).transpose()
    }

    /// The spaces a person belongs to (their personal one, the team spaces
    /// naming them or a group of theirs; every team space when
    /// `all_teams`), each with whether they may write.
    pub async fn doc_spaces_of(
        &self,
        user: UserId,
        all_teams: bool,
    ) -> Result<Vec<(DocSpaceRecord, bool)>> {
        let sql = format!(
            "SELECT s.id, s.owner_id, s.name, s.icon, s.created_at, s.archived_at, \
                    CAST(CASE WHEN s.owner_id = $1 OR $2 = 1 THEN 1 ELSE \
                      (SELECT MAX(a.can_write) FROM doc_space_members a \
                       WHERE a.space_id = s.id AND {NAMES_USER}) END AS BIGINT) AS can_write \
             FROM doc_spaces s \
             WHERE s.owner_id = $1 OR (s.owner_id IS NULL AND ($2 = 1 OR EXISTS ( \
                 SELECT 1 FROM doc_space_members a WHERE a.space_id = s.id AND {NAMES_USER}))) \
             ORDER BY s.owner_id IS NULL, s.name, s.id"
        );
        let rows = sqlx::query(&sql)
            .bind(user.0)
            .bind(all_teams as i64)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    space_from_row(row)?,
                    row.try_get::<i64, _>("can_write")? != 0,
                ))
            })
            .collect()
    }

    /// What a person may do in a team space through its members: `None`
    /// when neither they nor a group of theirs is a member.
    pub async fn doc_space_role(&self, space: i64, user: UserId) -> Result<Option<bool>> {
        let sql = format!(
            "SELECT MAX(a.can_write) FROM doc_space_members a WHERE a.space_id = $2 AND {NAMES_USER}"
        );
        let role: Option<i64> = sqlx::query_scalar(&sql)
            .bind(user.0)
            .bind(space)
            .fetch_one(&self.read)
            .await?;
        Ok(role.map(|w| w != 0))
    }

    pub async fn doc_space_members(&self, space: i64) -> Result<Vec<DocGrantRecord>> {
        let rows = sqlx::query(
            "SELECT space_id AS on_id, group_id, user_id, can_write FROM doc_space_members \
             WHERE space_id = $1 ORDER BY group_id, user_id",
        )
        .bind(space)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(grant_from_row).collect()
    }

    pub async fn page(&self, id: i64) -> Result<Option<PageRecord>> {
        let sql = format!("SELECT {PAGE_COLUMNS} FROM doc_pages p WHERE p.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(page_from_row).transpose()
    }

    /// A page and the pages above it, the page itself first.
    pub async fn page_chain(&self, id: i64) -> Result<Vec<PageRecord>> {
        let sql = format!(
            "WITH RECURSIVE chain(id, depth) AS ( \
                 SELECT id, 0 FROM doc_pages WHERE id = $1 \
                 UNION ALL \
                 SELECT q.parent_id, c.depth + 1 FROM doc_pages q JOIN chain c ON q.id = c.id \
                 WHERE q.parent_id IS NOT NULL AND c.depth < 1000) \
             SELECT {PAGE_COLUMNS} FROM chain c JOIN doc_pages p ON p.id = c.id ORDER BY c.depth"
        );
        let rows = sqlx::query(&sql).bind(id).fetch_all(&self.read).await?;
        rows.iter().map(page_from_row).collect()
    }

    /// Every page of a space, archived ones included, in tree order among
    /// siblings.
    pub async fn pages_of_space(&self, space: i64) -> Result<Vec<PageRecord>> {
        let sql = format!(
            "SELECT {PAGE_COLUMNS} FROM doc_pages p WHERE p.space_id = $1 \
             ORDER BY p.parent_id, p.position, p.id"
        );
        let rows = sqlx::query(&sql).bind(space).fetch_all(&self.read).await?;
        rows.iter().map(page_from_row).collect()
    }

    /// The grants naming a person (or a group of theirs) on pages of one
    /// space, or of every space when `space` is `None`.
    pub async fn page_grants_of(
        &self,
        user: UserId,
        space: Option<i64>,
    ) -> Result<Vec<DocGrantRecord>> {
        let sql = format!(
            "SELECT a.page_id AS on_id, a.group_id, a.user_id, a.can_write \
             FROM doc_page_access a JOIN doc_pages p ON p.id = a.page_id \
             WHERE {NAMES_USER} AND ($2 = 0 OR p.space_id = $2)"
        );
        let rows = sqlx::query(&sql)
            .bind(user.0)
            .bind(space.unwrap_or(0))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(grant_from_row).collect()
    }

    /// Who was given a page.
    pub async fn page_grants(&self, page: i64) -> Result<Vec<DocGrantRecord>> {
        let rows = sqlx::query(
            "SELECT page_id AS on_id, group_id, user_id, can_write FROM doc_page_access \
             WHERE page_id = $1 ORDER BY group_id, user_id",
        )
        .bind(page)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(grant_from_row).collect()
    }

    /// The pages a person starred, oldest first.
    pub async fn favourite_pages(&self, user: UserId) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT page_id FROM doc_favourites WHERE user_id = $1 ORDER BY created_at, page_id",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn set_favourite(&self, user: UserId, page: i64, favourite: bool) -> Result<()> {
        let sql = if favourite {
            "INSERT INTO doc_favourites (user_id, page_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM doc_favourites WHERE user_id = $1 AND page_id = $2 AND $3 >= 0"
        };
        sqlx::query(sql)
            .bind(user.0)
            .bind(page)
            .bind(bureau_core::time::now_ms())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The pages a person opened, latest first.
    pub async fn recent_pages(&self, user: UserId, limit: i64) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT page_id, viewed_at FROM doc_views WHERE user_id = $1 \
             ORDER BY viewed_at DESC LIMIT $2",
        )
        .bind(user.0)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("page_id")?, row.try_get("viewed_at")?)))
            .collect()
    }

    pub async fn record_page_view(&self, user: UserId, page: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO doc_views (user_id, page_id, viewed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, page_id) DO UPDATE SET viewed_at = excluded.viewed_at",
        )
        .bind(user.0)
        .bind(page)
        .bind(bureau_core::time::now_ms())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// A page's update log: `(id, update)` in the order written.
    pub async fn doc_updates(&self, page: i64) -> Result<Vec<(i64, Vec<u8>)>> {
        let rows = sqlx::query("SELECT id, data FROM doc_updates WHERE page_id = $1 ORDER BY id")
            .bind(page)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("data")?)))
            .collect()
    }

    /// Appends one update to each of several pages' logs in one statement
    /// (one commit serves them all); returns the id each got, in the order
    /// given.
    pub async fn append_doc_updates(&self, updates: &[(i64, &[u8])]) -> Result<Vec<i64>> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        let now = bureau_core::time::now_ms();
        let mut sql = String::from("INSERT INTO doc_updates (page_id, data, created_at) VALUES ");
        for i in 0..updates.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            let n = 3 * i;
            sql.push_str(&format!("(${}, ${}, ${})", n + 1, n + 2, n + 3));
        }
        // Rows come back in no promised order: each is matched by its
        // page (a page given twice gets its highest id for both).
        sql.push_str(" RETURNING id, page_id");
        let mut query = sqlx::query(&sql);
        for (page, data) in updates {
            query = query.bind(*page).bind(*data).bind(now);
        }
        let rows = query.fetch_all(&self.write).await?;
        let mut last = std::collections::HashMap::new();
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let page: i64 = row.try_get("page_id")?;
            let entry = last.entry(page).or_insert(id);
            *entry = (*entry).max(id);
        }
        Ok(updates
            .iter()
            .map(|(page, _)| last.get(page).copied().unwrap_or_default())
            .collect())
    }

    /// Replaces the rows of a page's log up to `upto` by one row, made by
    /// `merge` from their contents, in one transaction.
    pub async fn compact_doc_updates<E>(
        &self,
        page: i64,
        upto: i64,
        merge: impl FnOnce(Vec<Vec<u8>>) -> std::result::Result<Vec<u8>, E>,
    ) -> Result<std::result::Result<(), E>> {
        let mut tx = self.write.begin().await?;
        let rows: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT data FROM doc_updates WHERE page_id = $1 AND id <= $2 ORDER BY id",
        )
        .bind(page)
        .bind(upto)
        .fetch_all(&mut *tx)
        .await?;
        if rows.len() < 2 {
            return Ok(Ok(()));
        }
        let merged = match merge(rows) {
            Ok(merged) => merged,
            Err(err) => return Ok(Err(err)),
        };
        sqlx::query("DELETE FROM doc_updates WHERE page_id = $1 AND id <= $2")
            .bind(page)
            .bind(upto)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO doc_updates (id, page_id, data, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(upto)
        .bind(page)
        .bind(merged.as_slice())
        .bind(bureau_core::time::now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}

/// Everyone who sees something of space `$1`: the owner of a personal
/// space; for a team space the active admins, its members (directly or
/// through a group) and those a page of it is shared with.
const SPACE_AUDIENCE: &str = "\
    SELECT s.owner_id FROM doc_spaces s WHERE s.id = $1 AND s.owner_id IS NOT NULL \
    UNION SELECT u.id FROM users u JOIN doc_spaces s ON s.id = $1 AND s.owner_id IS NULL \
      WHERE u.role = 'admin' AND u.active = 1 \
    UNION SELECT m.user_id FROM doc_space_members m \
      WHERE m.space_id = $1 AND m.user_id IS NOT NULL \
    UNION SELECT g.user_id FROM doc_space_members m \
      JOIN group_members g ON g.group_id = m.group_id WHERE m.space_id = $1 \
    UNION SELECT a.user_id FROM doc_page_access a JOIN doc_pages p ON p.id = a.page_id \
      WHERE p.space_id = $1 AND a.user_id IS NOT NULL \
    UNION SELECT g.user_id FROM doc_page_access a JOIN doc_pages p ON p.id = a.page_id \
      JOIN group_members g ON g.group_id = a.group_id WHERE p.space_id = $1";

impl Tx {
    /// Everyone who sees something of a space, as the transaction sees it.
    pub async fn doc_space_audience(&mut self, space: i64) -> Result<Vec<UserId>> {
        let ids: Vec<i64> = sqlx::query_scalar(SPACE_AUDIENCE)
            .bind(space)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// The person's personal space, made on first use.
    pub async fn ensure_personal_doc_space(
        &mut self,
        owner: UserId,
        name: &str,
    ) -> Result<DocSpaceRecord> {
        sqlx::query(
            "INSERT INTO doc_spaces (kind, owner_id, name, created_by, created_at) \
             VALUES ('personal', $1, $2, $1, $3) ON CONFLICT DO NOTHING",
        )
        .bind(owner.0)
        .bind(name)
        .bind(bureau_core::time::now_ms())
        .execute(&mut *self.inner)
        .await?;
        let row = sqlx::query(
            "SELECT id, owner_id, name, icon, created_at, archived_at FROM doc_spaces \
             WHERE owner_id = $1",
        )
        .bind(owner.0)
        .fetch_one(&mut *self.inner)
        .await?;
        space_from_row(&row)
    }

    pub async fn insert_doc_space(&mut self, name: &str, icon: &str, by: UserId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO doc_spaces (kind, name, icon, created_by, created_at) \
             VALUES ('team', $1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(icon)
        .bind(by.0)
        .bind(bureau_core::time::now_ms())
        .fetch_one(&mut *self.inner)
        .await?)
    }

    pub async fn update_doc_space(
        &mut self,
        space: i64,
        name: Option<&str>,
        icon: Option<&str>,
        archived_at: Option<Option<i64>>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE doc_spaces SET name = COALESCE($2, name), icon = COALESCE($3, icon), \
             archived_at = CASE WHEN $4 = 1 THEN $5 ELSE archived_at END WHERE id = $1",
        )
        .bind(space)
        .bind(name)
        .bind(icon)
        .bind(archived_at.is_some() as i64)
        .bind(archived_at.flatten())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Adds, changes (`Some`) or removes (`None`) a team space's member.
    pub async fn set_doc_space_member(
        &mut self,
        space: i64,
        group: Option<i64>,
        user: Option<UserId>,
        can_write: Option<bool>,
    ) -> Result<()> {
        self.set_grant_row(
            "doc_space_members",
            "space_id",
            space,
            group,
            user,
            can_write,
        )
        .await
    }

    /// Shares a page with a group or person (`Some`), or stops (`None`).
    pub async fn set_page_grant(
        &mut self,
        page: i64,
        group: Option<i64>,
        user: Option<UserId>,
        can_write: Option<bool>,
    ) -> Result<()> {
        self.set_grant_row("doc_page_access", "page_id", page, group, user, can_write)
            .await
    }

    async fn set_grant_row(
        &mut self,
        table: &str,
        column: &str,
        on: i64,
        group: Option<i64>,
        user: Option<UserId>,
        can_write: Option<bool>,
    ) -> Result<()> {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE {column} = $1 \
             AND COALESCE(group_id, 0) = $2 AND COALESCE(user_id, 0) = $3"
        ))
        .bind(on)
        .bind(group.unwrap_or(0))
        .bind(user.map_or(0, |u| u.0))
        .execute(&mut *self.inner)
        .await?;
        if let Some(can_write) = can_write {
            sqlx::query(&format!(
                "INSERT INTO {table} ({column}, group_id, user_id, can_write) VALUES ($1, $2, $3, $4)"
            ))
            .bind(on)
            .bind(group)
            .bind(user.map(|u| u.0))
            .bind(can_write as i64)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    pub async fn insert_page(&mut self, new: NewPage<'_>) -> Result<PageRecord> {
        let now = bureau_core::time::now_ms();
        let last: Option<f64> = sqlx::query_scalar(
            "SELECT MAX(position) FROM doc_pages WHERE space_id = $1 \
             AND COALESCE(parent_id, 0) = $2",
        )
        .bind(new.space_id)
        .bind(new.parent_id.unwrap_or(0))
        .fetch_one(&mut *self.inner)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO doc_pages (space_id, parent_id, position, title, icon, created_by, \
             created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $7) \
             RETURNING id",
        )
        .bind(new.space_id)
        .bind(new.parent_id)
        .bind(last.map_or(1.0, |p| p.floor() + 1.0))
        .bind(new.title)
        .bind(new.icon)
        .bind(new.by.0)
        .bind(now)
        .fetch_one(&mut *self.inner)
        .await?;
        let sql = format!("SELECT {PAGE_COLUMNS} FROM doc_pages p WHERE p.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_one(&mut *self.inner)
            .await?;
        page_from_row(&row)
    }

    pub async fn update_page(
        &mut self,
        page: i64,
        change: &PageChange<'_>,
        by: UserId,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE doc_pages SET \
               title = COALESCE($2, title), icon = COALESCE($3, icon), \
               restricted = COALESCE($4, restricted), locked = COALESCE($5, locked), \
               parent_id = CASE WHEN $6 = 1 THEN $7 ELSE parent_id END, \
               space_id = COALESCE($8, space_id), \
               position = CASE WHEN $15 = 1 THEN $9 ELSE position END, \
               archived_at = CASE WHEN $10 = 1 THEN $11 ELSE archived_at END, \
               archived_by = CASE WHEN $10 = 1 THEN $12 ELSE archived_by END, \
               template = COALESCE($14, template), \
               updated_by = $12, updated_at = $13 \
             WHERE id = $1",
        )
        .bind(page)
        .bind(change.title)
        .bind(change.icon)
        .bind(change.restricted.map(i64::from))
        .bind(change.locked.map(i64::from))
        .bind(change.parent_id.is_some() as i64)
        .bind(change.parent_id.flatten())
        .bind(change.space_id)
        // Never a NULL double: sqlx 0.8's Any driver sends one to
        // PostgreSQL as a float4, and the statement cached with that type
        // then refuses a real position.
        .bind(change.position.unwrap_or(0.0))
        .bind(change.archived_at.is_some() as i64)
        .bind(change.archived_at.flatten())
        .bind(by.0)
        .bind(bureau_core::time::now_ms())
        .bind(change.template.map(i64::from))
        .bind(change.position.is_some() as i64)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Moves every page below `page` into `space` with it.
    pub async fn move_subtree_to_space(&mut self, page: i64, space: i64) -> Result<()> {
        sqlx::query(
            "WITH RECURSIVE below(id) AS ( \
                 SELECT id FROM doc_pages WHERE parent_id = $1 \
                 UNION ALL SELECT q.id FROM doc_pages q JOIN below b ON q.parent_id = b.id) \
             UPDATE doc_pages SET space_id = $2 WHERE id IN (SELECT id FROM below)",
        )
        .bind(page)
        .bind(space)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Copies a page's update log onto another page (a duplicate).
    pub async fn copy_doc_updates(&mut self, from: i64, to: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO doc_updates (page_id, data, created_at) \
             SELECT $2, data, created_at FROM doc_updates WHERE page_id = $1 ORDER BY id",
        )
        .bind(from)
        .bind(to)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

fn space_from_row(row: &AnyRow) -> Result<DocSpaceRecord> {
    Ok(DocSpaceRecord {
        id: row.try_get("id")?,
        owner_id: row.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
        name: row.try_get("name")?,
        icon: row.try_get("icon")?,
        created_at: row.try_get("created_at")?,
        archived_at: row.try_get("archived_at")?,
    })
}

fn grant_from_row(row: &AnyRow) -> Result<DocGrantRecord> {
    Ok(DocGrantRecord {
        on: row.try_get("on_id")?,
        group_id: row.try_get("group_id")?,
        user_id: row.try_get::<Option<i64>, _>("user_id")?.map(UserId),
        can_write: row.try_get::<i64, _>("can_write")? != 0,
    })
}

pub(crate) fn page_from_row(row: &AnyRow) -> Result<PageRecord> {
    Ok(PageRecord {
        id: row.try_get("id")?,
        space_id: row.try_get("space_id")?,
        parent_id: row.try_get("parent_id")?,
        position: row.try_get("position")?,
        title: row.try_get("title")?,
        icon: row.try_get("icon")?,
        restricted: row.try_get::<i64, _>("restricted")? != 0,
        locked: row.try_get::<i64, _>("locked")? != 0,
        created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        created_at: row.try_get("created_at")?,
        updated_by: row.try_get::<Option<i64>, _>("updated_by")?.map(UserId),
        updated_at: row.try_get("updated_at")?,
        archived_at: row.try_get("archived_at")?,
        template: row.try_get::<i64, _>("template")? != 0,
        database: row.try_get::<String, _>("kind")? == "database",
    })
}
