//! Rows of docs databases: a database page's typed columns, its rows'
//! values, and the view (sorts and filters) everyone sees it through. The
//! rows themselves are the pages below the database page.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::docs::{page_from_row, PAGE_COLUMNS};
use crate::{PageRecord, Result, Store, Tx};

#[derive(Clone, Debug, PartialEq)]
pub struct DbColumnRecord {
    pub id: i64,
    pub page_id: i64,
    pub name: String,
    /// text | number | date | select | person | checkbox | link
    pub kind: String,
    /// JSON: the choices of a select column.
    pub options: String,
    pub position: f64,
}

/// One row's value in one column, as JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct DbCellRecord {
    pub row_id: i64,
    pub column_id: i64,
    pub value: String,
}

/// What changes in a column; `None` leaves a field as it is.
#[derive(Default)]
pub struct DbColumnChange<'a> {
    pub name: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub options: Option<&'a str>,
    pub position: Option<f64>,
}

impl Store {
    /// A database's columns, in order.
    pub async fn db_columns(&self, page: i64) -> Result<Vec<DbColumnRecord>> {
        let rows = sqlx::query(
            "SELECT id, page_id, name, kind, options, position FROM doc_db_columns \
             WHERE page_id = $1 ORDER BY position, id",
        )
        .bind(page)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DbColumnRecord {
                    id: row.try_get("id")?,
                    page_id: row.try_get("page_id")?,
                    name: row.try_get("name")?,
                    kind: row.try_get("kind")?,
                    options: row.try_get("options")?,
                    position: row.try_get("position")?,
                })
            })
            .collect()
    }

    /// A database's rows: the pages below it that are not archived, in
    /// their manual order.
    pub async fn db_rows(&self, page: i64) -> Result<Vec<PageRecord>> {
        let sql = format!(
            "SELECT {PAGE_COLUMNS} FROM doc_pages p WHERE p.parent_id = $1 \
             AND p.archived_at IS NULL AND p.template = 0 ORDER BY p.position, p.id"
        );
        let rows = sqlx::query(&sql).bind(page).fetch_all(&self.read).await?;
        rows.iter().map(page_from_row).collect()
    }

    /// Every value held in a database's columns.
    pub async fn db_cells(&self, page: i64) -> Result<Vec<DbCellRecord>> {
        let rows = sqlx::query(
            "SELECT c.row_id, c.column_id, c.value FROM doc_db_cells c \
             JOIN doc_db_columns k ON k.id = c.column_id WHERE k.page_id = $1",
        )
        .bind(page)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(cell_from_row).collect()
    }

    /// A database's view as JSON; `None` when the page is no database.
    pub async fn db_view(&self, page: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT view FROM doc_db_views WHERE page_id = $1")
                .bind(page)
                .fetch_optional(&self.read)
                .await?,
        )
    }
}

impl Tx {
    /// Makes a page a database, with an empty view.
    pub async fn make_database(&mut self, page: i64) -> Result<()> {
        sqlx::query("UPDATE doc_pages SET kind = 'database' WHERE id = $1")
            .bind(page)
            .execute(&mut *self.inner)
            .await?;
        sqlx::query("INSERT INTO doc_db_views (page_id, view) VALUES ($1, '{}')")
            .bind(page)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    pub async fn insert_db_column(
        &mut self,
        page: i64,
        name: &str,
        kind: &str,
        options: &str,
        position: f64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO doc_db_columns (page_id, name, kind, options, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(page)
        .bind(name)
        .bind(kind)
        .bind(options)
        .bind(position)
        .bind(bureau_core::time::now_ms())
        .fetch_one(&mut *self.inner)
        .await?)
    }

    pub async fn update_db_column(&mut self, id: i64, change: &DbColumnChange<'_>) -> Result<()> {
        sqlx::query(
            "UPDATE doc_db_columns SET name = COALESCE($2, name), kind = COALESCE($3, kind), \
             options = COALESCE($4, options), \
             position = CASE WHEN $6 = 1 THEN $5 ELSE position END WHERE id = $1",
        )
        .bind(id)
        .bind(change.name)
        .bind(change.kind)
        .bind(change.options)
        // Never a NULL double (see `Tx::update_page`).
        .bind(change.position.unwrap_or(0.0))
        .bind(change.position.is_some() as i64)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Deletes a column with its values.
    pub async fn delete_db_column(&mut self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM doc_db_cells WHERE column_id = $1")
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        sqlx::query("DELETE FROM doc_db_columns WHERE id = $1")
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Sets a row's value in a column; `None` empties it.
    pub async fn set_db_cell(&mut self, row: i64, column: i64, value: Option<&str>) -> Result<()> {
        match value {
            Some(value) => {
                sqlx::query(
                    "INSERT INTO doc_db_cells (row_id, column_id, value) VALUES ($1, $2, $3) \
                     ON CONFLICT (row_id, column_id) DO UPDATE SET value = excluded.value",
                )
                .bind(row)
                .bind(column)
                .bind(value)
                .execute(&mut *self.inner)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM doc_db_cells WHERE row_id = $1 AND column_id = $2")
                    .bind(row)
                    .bind(column)
                    .execute(&mut *self.inner)
                    .await?;
            }
        }
        Ok(())
    }

    /// The values of one column, read inside the transaction that changes
    /// its kind.
    pub async fn db_column_cells(&mut self, column: i64) -> Result<Vec<DbCellRecord>> {
        let rows =
            sqlx::query("SELECT row_id, column_id, value FROM doc_db_cells WHERE column_id = $1")
                .bind(column)
                .fetch_all(&mut *self.inner)
                .await?;
        rows.iter().map(cell_from_row).collect()
    }

    pub async fn set_db_view(&mut self, page: i64, view: &str) -> Result<()> {
        sqlx::query("UPDATE doc_db_views SET view = $2 WHERE page_id = $1")
            .bind(page)
            .bind(view)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

fn cell_from_row(row: &AnyRow) -> Result<DbCellRecord> {
    Ok(DbCellRecord {
        row_id: row.try_get("row_id")?,
        column_id: row.try_get("column_id")?,
        value: row.try_get("value")?,
    })
}
