//! The Store port: every durable row of bureau, on SQLite or PostgreSQL.
//!
//! One implementation serves both backends through sqlx's `Any` driver: the
//! SQL is written once in the dialect both accept (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`), the schema has one migration folder per
//! backend, and the few places where the backends differ (pragmas, the
//! event-ordering lock, backup) branch on [`Backend`]. The conformance tests
//! in `tests/it` run every store test against both.
//!
//! **Architecture invariant:** no SQL exists outside this crate.

mod accounts;
mod blobs;
mod chat;
mod doc_history;
mod doc_tables;
mod docs;
mod events;
mod files;
mod meetings;
mod migrate;
mod office;
mod small_blobs;
#[cfg(feature = "testing")]
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use accounts::{
    AuditRecord, GroupRecord, InvitationRecord, NewAudit, NewUser, SessionRecord, StatusRecord,
    TokenRecord, UserRecord,
};
pub use blobs::{Blob, BlobId, BlobReader, BlobWriter, Blobs, SMALL_MAX};
pub use chat::{
    AttachmentRecord, ChannelRecord, MemberRecord, MessageRecord, NewChannel, NewMessage, Page,
    PendingNotice, SidebarEntry, WebhookRecord,
};
pub use doc_history::{
    DocAttachmentRecord, DocCommentRecord, DocVersionRecord, AUTO_VERSIONS_KEPT,
};
pub use doc_tables::{DbCellRecord, DbColumnChange, DbColumnRecord};
pub use docs::{DocGrantRecord, DocSpaceRecord, NewPage, PageChange, PageRecord};
pub use files::{
    AccessRecord, Content, GrantRecord, LockRecord, NewNode, NodeRecord, PropRecord, Reached,
    ShareRecord, SpaceRecord, UploadRecord, VersionRecord, MAX_VERSIONS,
};
pub use meetings::{GuestRecord, MeetingRecord, NewMeeting};
pub use office::{
    AssignmentRecord, ConnectionTestRecord, EquipmentFields, EquipmentRecord, NewConnectionTest,
    PlanRecord, RequestRecord, ToolFields, ToolRecord, UsageRecord,
};

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What can go wrong in the store that a caller acts on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the text names it.
    #[error("already exists: {0}")]
    Conflict(String),
    /// The URL names a backend this binary was built without, or an
    /// operation the backend does not offer.
    #[error("{0}")]
    Unsupported(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> StoreError {
        if let Some(db) = err.as_database_error() {
            if db.is_unique_violation() {
                return StoreError::Conflict(db.message().to_string());
            }
        }
        StoreError::Other(err.to_string())
    }
}

impl From<StoreError> for bureau_core::Error {
    fn from(err: StoreError) -> bureau_core::Error {
        match err {
            StoreError::Conflict(what) => bureau_core::Error::conflict("conflict", what),
            other => bureau_core::Error::Internal(other.to_string()),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database, with a pool for reads and one for writes. On SQLite the
/// write pool holds a single connection, so writers queue instead of failing
/// with "database is locked"; on PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// Time from `begin` to the end of `commit` of write transactions.
    pub transaction_time: std::sync::Arc<bureau_core::metrics::Histogram>,
}

impl Store {
    /// Opens the database named by `url` (`sqlite:PATH` or `postgres://...`)
    /// and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let options = AnyConnectOptions::from_str(url)?;
        let store = match backend {
            Backend::Sqlite => {
                let write = sqlite_pool(1).connect_with(options.clone()).await?;
                let read = sqlite_pool(4).connect_with(options).await?;
                Store {
                    read,
                    write,
                    backend,
                    transaction_time: Default::default(),
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    transaction_time: Default::default(),
                }
            }
        };
        migrate::apply(&store).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction. Every state change goes through one, with
    /// its event appended by [`Tx::append_event`].
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx {
            started: std::time::Instant::now(),
            timing: self.transaction_time.clone(),
            inner: self.write.begin().await?,
            backend: self.backend,
            events: Vec::new(),
        })
    }

    /// Writes a consistent copy of the whole database to `path` while it
    /// stays online. SQLite only; PostgreSQL is backed up with `pg_dump`.
    pub async fn snapshot_to(&self, path: &std::path::Path) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                let path = path.to_str().ok_or_else(|| {
                    StoreError::Unsupported("backup path is not valid UTF-8".into())
                })?;
                sqlx::query("VACUUM INTO $1")
                    .bind(path)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }
            Backend::Postgres => Err(StoreError::Unsupported(
                "bureau backup copies SQLite databases; back up PostgreSQL with pg_dump".into(),
            )),
        }
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    started: std::time::Instant,
    timing: std::sync::Arc<bureau_core::metrics::Histogram>,
    inner: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    events: Vec<bureau_core::Event>,
}

impl Tx {
    /// Commits and returns the events the transaction appended, in order,
    /// for the caller to publish on the bus.
    pub async fn commit(self) -> Result<Vec<bureau_core::Event>> {
        self.inner.commit().await?;
        self.timing.record(self.started.elapsed());
        Ok(self.events)
    }
}

fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        if cfg!(feature = "sqlite") {
            return Ok(Backend::Sqlite);
        }
        return Err(StoreError::Unsupported(
            "this bureau was built without SQLite; rebuild with the cargo feature `sqlite`".into(),
        ));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        if cfg!(feature = "postgres") {
            return Ok(Backend::Postgres);
        }
        return Err(StoreError::Unsupported(
            "this bureau was built without PostgreSQL; rebuild with the cargo feature `postgres`"
                .into(),
        ));
    }
    Err(StoreError::Unsupported(format!(
        "database URL `{}` is neither `sqlite:PATH` nor `postgres://...`",
        url.split('?').next().unwrap_or_default()
    )))
}

fn sqlite_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(30))
        // A connection to a file does not go stale, and sqlx's check is a
        // round trip to the connection's thread before every statement.
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .await?;
                Ok(())
            })
        })
}
