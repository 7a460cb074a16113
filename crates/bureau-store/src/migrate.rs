//! Schema migrations, one ordered list per backend, applied at start.

use sqlx::Executor;

use crate::{Backend, Result, Store};

const SQLITE: &[(&str, &str)] = &[
    (
        "0001_foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
    ),
    (
        "0002_chat",
        include_str!("../migrations/sqlite/0002_chat.sql"),
    ),
    (
        "0003_chat_email",
        include_str!("../migrations/sqlite/0003_chat_email.sql"),
    ),
    (
        "0004_status",
        include_str!("../migrations/sqlite/0004_status.sql"),
    ),
    (
        "0005_files",
        include_str!("../migrations/sqlite/0005_files.sql"),
    ),
    (
        "0006_docs",
        include_str!("../migrations/sqlite/0006_docs.sql"),
    ),
    (
        "0007_docs_history",
        include_str!("../migrations/sqlite/0007_docs_history.sql"),
    ),
    (
        "0008_docs_databases",
        include_str!("../migrations/sqlite/0008_docs_databases.sql"),
    ),
    (
        "0009_meetings",
        include_str!("../migrations/sqlite/0009_meetings.sql"),
    ),
    (
        "0010_office",
        include_str!("../migrations/sqlite/0010_office.sql"),
    ),
    (
        "0011_office_meter",
        include_str!("../migrations/sqlite/0011_office_meter.sql"),
    ),
    (
        "0012_office_tools",
        include_str!("../migrations/sqlite/0012_office_tools.sql"),
    ),
    (
        "0013_office_requests",
        include_str!("../migrations/sqlite/0013_office_requests.sql"),
    ),
    (
        "0014_small_blobs",
        include_str!("../migrations/sqlite/0014_small_blobs.sql"),
    ),
    (
        "0015_lock_horizon",
        include_str!("../migrations/sqlite/0015_lock_horizon.sql"),
    ),
    (
        "0016_space_usage",
        include_str!("../migrations/sqlite/0016_space_usage.sql"),
    ),
];

const POSTGRES: &[(&str, &str)] = &[
    (
        "0001_foundation",
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        "0002_chat",
        include_str!("../migrations/postgres/0002_chat.sql"),
    ),
    (
        "0003_chat_email",
        include_str!("../migrations/postgres/0003_chat_email.sql"),
    ),
    (
        "0004_status",
        include_str!("../migrations/postgres/0004_status.sql"),
    ),
    (
        "0005_files",
        include_str!("../migrations/postgres/0005_files.sql"),
    ),
    (
        "0006_docs",
        include_str!("../migrations/postgres/0006_docs.sql"),
    ),
    (
        "0007_docs_history",
        include_str!("../migrations/postgres/0007_docs_history.sql"),
    ),
    (
        "0008_docs_databases",
        include_str!("../migrations/postgres/0008_docs_databases.sql"),
    ),
    (
        "0009_meetings",
        include_str!("../migrations/postgres/0009_meetings.sql"),
    ),
    (
        "0010_office",
        include_str!("../migrations/postgres/0010_office.sql"),
    ),
    (
        "0011_office_meter",
        include_str!("../migrations/postgres/0011_office_meter.sql"),
    ),
    (
        "0012_office_tools",
        include_str!("../migrations/postgres/0012_office_tools.sql"),
    ),
    (
        "0013_office_requests",
        include_str!("../migrations/postgres/0013_office_requests.sql"),
    ),
    (
        "0014_small_blobs",
        include_str!("../migrations/postgres/0014_small_blobs.sql"),
    ),
    (
        "0015_lock_horizon",
        include_str!("../migrations/postgres/0015_lock_horizon.sql"),
    ),
    (
        "0016_space_usage",
        include_str!("../migrations/postgres/0016_space_usage.sql"),
    ),
];

pub(crate) async fn apply(store: &Store) -> Result<()> {
    let migrations = match store.backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let mut tx = store.write.begin().await?;
    if store.backend == Backend::Postgres {
        // Two processes starting together must not both migrate.
        tx.execute("SELECT pg_advisory_xact_lock(7243001)").await?;
    }
    tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .await?;
    for (name, sql) in migrations {
        let done: Option<(String,)> =
            sqlx::query_as("SELECT name FROM schema_migrations WHERE name = $1")
                .bind(*name)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            continue;
        }
        tracing::info!(migration = name, "applying migration");
        tx.execute(sqlx::raw_sql(sql)).await?;
        sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
            .bind(*name)
            .bind(bureau_core::time::now_ms())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
