//! Rows of files: spaces, the tree, versions, dead properties, WebDAV
//! locks, share links and tus uploads.
//!
//! A node's `path` is its place inside its space (`''` for the root,
//! `'a/b.txt'` below), unique among live nodes. A move rewrites the paths
//! under the moved node with one range update (`path > 'a/'` and
//! `path < 'a0'`: `'0'` follows `'/'`), which is why PostgreSQL compares
//! paths byte by byte (`COLLATE "C"`). Deleting moves a tree to the trash
//! by setting `trash_id` to the deleted node's id on the whole tree: live
//! lookups ask for `trash_id = 0`, and the trash keeps the paths the nodes
//! had, ready for a restore.

use bureau_core::UserId;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Result, Store, Tx};

/// Versions kept per file, beyond its current content.
pub const MAX_VERSIONS: i64 = 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceRecord {
    pub id: i64,
    /// The person whose own files these are; `None` for a team folder.
    pub owner_id: Option<UserId>,
    /// A team folder's name.
    pub name: Option<String>,
    pub quota_bytes: Option<i64>,
    pub created_at: i64,
    /// When its last WebDAV lock can expire (ms; 0 if it never had one):
    /// past this, it holds no lock.
    pub locks_until: i64,
    /// The bytes its quota counts: current contents, in the trash too,
    /// and earlier versions (kept by triggers; see migration 0016).
    pub used_bytes: i64,
}

/// The spaces a person reaches ([`Store::spaces_reached`]).
#[derive(Clone, Debug)]
pub struct Reached {
    /// Each space, with whether they may write there.
    pub spaces: Vec<(SpaceRecord, bool)>,
    /// Whether anything is shared with them ([`Store::granted_to`] finds
    /// something), asked in the same query so that most requests, of
    /// people nothing is shared with, need no second one.
    pub anything_granted: bool,
}

/// One grant on a team folder: a group or one person.
#[derive(Clone, Debug)]
pub struct AccessRecord {
    pub space_id: i64,
    pub group_id: Option<i64>,
    pub user_id: Option<UserId>,
    pub can_write: bool,
}

/// A folder or file shared with a group or one person.
#[derive(Clone, Debug)]
pub struct GrantRecord {
    pub id: i64,
    pub node_id: i64,
    pub group_id: Option<i64>,
    pub user_id: Option<UserId>,
    pub can_write: bool,
    pub created_by: UserId,
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub struct NodeRecord {
    pub id: i64,
    pub space_id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub name: String,
    pub is_dir: bool,
    pub size: i64,
    pub blob_id: Option<String>,
    pub mime: String,
    pub version: i64,
    pub created_at: i64,
    pub modified_at: i64,
    pub modified_by: Option<UserId>,
    pub trash_id: i64,
    pub trashed_at: Option<i64>,
    pub trashed_by: Option<UserId>,
}

#[derive(Clone, Debug)]
pub struct VersionRecord {
    pub id: i64,
    pub node_id: i64,
    pub blob_id: String,
    pub size: i64,
    pub written_at: i64,
    pub written_by: Option<UserId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropRecord {
    pub node_id: i64,
    pub namespace: String,
    pub name: String,
    pub prefix: Option<String>,
    pub xml: Option<String>,
}

#[derive(Clone, Debug)]
pub struct LockRecord {
    pub token: String,
    pub space_id: i64,
    pub path: String,
    pub user_id: UserId,
    pub owner_xml: Option<String>,
    pub timeout_secs: Option<i64>,
    pub expires_at: Option<i64>,
    pub shared: bool,
    pub deep: bool,
}

#[derive(Clone, Debug)]
pub struct ShareRecord {
    pub id: i64,
    pub node_id: i64,
    pub token_hash: String,
    pub mode: String,
    pub password_hash: Option<String>,
    pub expires_at: Option<i64>,
    pub max_downloads: Option<i64>,
    pub downloads: i64,
    pub created_by: UserId,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct UploadRecord {
    pub id: String,
    pub user_id: Option<UserId>,
    pub share_id: Option<i64>,
    pub space_id: i64,
    pub folder_path: String,
    pub name: String,
    pub length: i64,
    pub received: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A node about to be written.
pub struct NewNode<'a> {
    pub space_id: i64,
    pub parent_id: i64,
    pub path: &'a str,
    pub name: &'a str,
    pub is_dir: bool,
    pub size: i64,
    pub blob_id: Option<&'a str>,
    pub mime: &'a str,
    pub by: Option<UserId>,
}

/// New content for a file.
pub struct Content<'a> {
    pub blob_id: &'a str,
    pub size: i64,
    pub mime: &'a str,
    pub by: Option<UserId>,
}

const NODE_COLUMNS: &str = "id, space_id, parent_id, path, name, is_dir, size, blob_id, mime, \
     version, created_at, modified_at, modified_by, trash_id, trashed_at, trashed_by";
const SPACE_COLUMNS: &str = "id, owner_id, name, quota_bytes, created_at, locks_until, used_bytes";
const SHARE_COLUMNS: &str =
    "id, node_id, token_hash, mode, password_hash, expires_at, max_downloads, \
     downloads, created_by, created_at, revoked_at";
const LOCK_COLUMNS: &str =
    "token, space_id, path, user_id, owner_xml, timeout_secs, expires_at, shared, deep";
const UPLOAD_COLUMNS: &str = "id, user_id, share_id, space_id, folder_path, name, length, \
     received, created_at, expires_at";

/// The grants on live nodes to the person `$1` or one of their groups:
/// `file_grants g` with its node `n` (of [`Store::granted_to`], and asked
/// whether any exist by [`Store::spaces_reached`]).
const GRANTED_TO: &str = "FROM file_grants g JOIN file_nodes n ON n.id = g.node_id \
     LEFT JOIN group_members m ON m.group_id = g.group_id AND m.user_id = $1 \
     WHERE n.trash_id = 0 AND (g.user_id = $1 OR m.user_id IS NOT NULL)";

/// The first path after every path below `path` in byte order: `'a0'`
/// for `'a'`, since `'0'` follows `'/'`.
fn below_end(path: &str) -> String {
    format!("{path}0")
}

fn below_start(path: &str) -> String {
    format!("{path}/")
}

/// `count` numbered parameters from `$first`: `$2, $3, $4`.
fn marks(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- reads shared by Store and Tx ----------------------------------------

/// Which column finds a space.
#[derive(Clone, Copy)]
enum SpaceKey {
    Id(i64),
    Owner(UserId),
}

async fn space_where<'e>(
    db: impl Executor<'e, Database = Any>,
    key: SpaceKey,
) -> Result<Option<SpaceRecord>> {
    let query = match key {
        SpaceKey::Id(id) => {
            sqlx::query("SELECT id, owner_id, name, quota_bytes, created_at, locks_until, used_bytes FROM file_spaces WHERE id = $1").bind(id)
        }
        SpaceKey::Owner(owner) => sqlx::query(
            "SELECT id, owner_id, name, quota_bytes, created_at, locks_until, used_bytes FROM file_spaces WHERE owner_id = $1",
        )
        .bind(owner.0),
    };
    let row = query.fetch_optional(db).await?;
    row.as_ref().map(space_from_row).transpose()
}

async fn live_node_at<'e>(
    db: impl Executor<'e, Database = Any>,
    space: i64,
    path: &str,
) -> Result<Option<NodeRecord>> {
    let sql = format!(
        "SELECT {NODE_COLUMNS} FROM file_nodes WHERE space_id = $1 AND trash_id = 0 AND path = $2"
    );
    let row = sqlx::query(&sql)
        .bind(space)
        .bind(path)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(node_from_row).transpose()
}

async fn node_by_id<'e>(
    db: impl Executor<'e, Database = Any>,
    id: i64,
) -> Result<Option<NodeRecord>> {
    let sql = format!("SELECT {NODE_COLUMNS} FROM file_nodes WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(db).await?;
    row.as_ref().map(node_from_row).transpose()
}

/// The nodes strictly below `path` in a live tree, or in a trashed one.
async fn subtree<'e>(
    db: impl Executor<'e, Database = Any>,
    space: i64,
    trash_id: i64,
    path: &str,
) -> Result<Vec<NodeRecord>> {
    let sql = format!(
        "SELECT {NODE_COLUMNS} FROM file_nodes \
         WHERE space_id = $1 AND trash_id = $2 AND path > $3 AND path < $4 ORDER BY path"
    );
    let rows = sqlx::query(&sql)
        .bind(space)
        .bind(trash_id)
        .bind(below_start(path))
        .bind(below_end(path))
        .fetch_all(db)
        .await?;
    rows.iter().map(node_from_row).collect()
}

async fn space_used<'e>(db: impl Executor<'e, Database = Any>, space: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT used_bytes FROM file_spaces WHERE id = $1")
            .bind(space)
            .fetch_optional(db)
            .await?
            .unwrap_or(0),
    )
}

async fn locks_of<'e>(
    db: impl Executor<'e, Database = Any>,
    space: i64,
    now: i64,
) -> Result<Vec<LockRecord>> {
    let sql = format!(
        "SELECT {LOCK_COLUMNS} FROM dav_locks \
         WHERE space_id = $1 AND (expires_at IS NULL OR expires_at > $2)"
    );
    let rows = sqlx::query(&sql)
        .bind(space)
        .bind(now)
        .fetch_all(db)
        .await?;
    rows.iter().map(lock_from_row).collect()
}

impl Store {
    pub async fn person_space(&self, owner: UserId) -> Result<Option<SpaceRecord>> {
        space_where(&self.read, SpaceKey::Owner(owner)).await
    }

    pub async fn space(&self, id: i64) -> Result<Option<SpaceRecord>> {
        space_where(&self.read, SpaceKey::Id(id)).await
    }

    pub async fn team_spaces(&self) -> Result<Vec<SpaceRecord>> {
        let sql =
            format!("SELECT {SPACE_COLUMNS} FROM file_spaces WHERE owner_id IS NULL ORDER BY name");
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(space_from_row).collect()
    }

    /// Every space `user` reaches, with whether they may write there, in
    /// one query: their own (if made), and the team folders granted to
    /// them or to one of their groups (all of them when `all_teams`).
    pub async fn spaces_reached(&self, user: UserId, all_teams: bool) -> Result<Reached> {
        let sql = format!(
            "SELECT s.id, s.owner_id, s.name, s.quota_bytes, s.created_at, s.locks_until, s.used_bytes, \
                    CAST(CASE WHEN s.owner_id IS NOT NULL OR $2 = 1 THEN 1 ELSE \
                      (SELECT MAX(a.can_write) FROM file_space_access a \
                       LEFT JOIN group_members g ON g.group_id = a.group_id AND g.user_id = $1 \
                       WHERE a.space_id = s.id AND (a.user_id = $1 OR g.user_id IS NOT NULL)) \
                    END AS BIGINT) AS can_write, \
                    CAST(CASE WHEN EXISTS (SELECT 1 {GRANTED_TO}) THEN 1 ELSE 0 END AS BIGINT) \
                      AS anything_granted \
             FROM file_spaces s \
             WHERE s.owner_id = $1 OR (s.owner_id IS NULL AND ($2 = 1 OR EXISTS ( \
                 SELECT 1 FROM file_space_access a \
                 LEFT JOIN group_members g ON g.group_id = a.group_id AND g.user_id = $1 \
                 WHERE a.space_id = s.id AND (a.user_id = $1 OR g.user_id IS NOT NULL)))) \
             ORDER BY s.name",
        );
        let rows = sqlx::query(&sql)
            .bind(user.0)
            .bind(all_teams as i64)
            .fetch_all(&self.read)
            .await?;
        let spaces = rows
            .iter()
            .map(|row| {
                Ok((
                    space_from_row(row)?,
                    row.try_get::<i64, _>("can_write")? != 0,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let anything_granted = match rows.first() {
            Some(row) => row.try_get::<i64, _>("anything_granted")? != 0,
            None => false,
        };
        Ok(Reached {
            spaces,
            anything_granted,
        })
    }

    /// The live nodes at two paths of a space (a folder and an entry in
    /// it), in one query.
    pub async fn nodes_at(&self, space: i64, a: &str, b: &str) -> Result<Vec<NodeRecord>> {
        let sql = format!(
            "SELECT {NODE_COLUMNS} FROM file_nodes \
             WHERE space_id = $1 AND trash_id = 0 AND path IN ($2, $3)"
        );
        let rows = sqlx::query(&sql)
            .bind(space)
            .bind(a)
            .bind(b)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(node_from_row).collect()
    }

    /// The live folders and files shared with `user` or one of their
    /// groups, each with whether one of those grants allows writing,
    /// oldest grant first.
    pub async fn granted_to(&self, user: UserId) -> Result<Vec<(NodeRecord, bool)>> {
        let columns = NODE_COLUMNS
            .split(", ")
            .map(|c| format!("n.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {columns}, g.can_write AS can_write {GRANTED_TO} ORDER BY g.id");
        let rows = sqlx::query(&sql).bind(user.0).fetch_all(&self.read).await?;
        let mut granted: Vec<(NodeRecord, bool)> = Vec::new();
        for row in &rows {
            let node = node_from_row(row)?;
            let write = row.try_get::<i64, _>("can_write")? != 0;
            match granted.iter_mut().find(|(n, _)| n.id == node.id) {
                Some((_, can_write)) => *can_write |= write,
                None => granted.push((node, write)),
            }
        }
        Ok(granted)
    }

    /// The names at the top of a space.
    pub async fn top_names(&self, space: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT name FROM file_nodes WHERE space_id = $1 AND trash_id = 0 AND parent_id = \
             (SELECT id FROM file_nodes WHERE space_id = $1 AND trash_id = 0 AND path = '')",
        )
        .bind(space)
        .fetch_all(&self.read)
        .await?)
    }

    /// Who a folder or file is shared with.
    pub async fn grants_of(&self, node: i64) -> Result<Vec<GrantRecord>> {
        let rows = sqlx::query(
            "SELECT id, node_id, group_id, user_id, can_write, created_by, created_at \
             FROM file_grants WHERE node_id = $1 ORDER BY id",
        )
        .bind(node)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(GrantRecord {
                    id: row.try_get("id")?,
                    node_id: row.try_get("node_id")?,
                    group_id: row.try_get("group_id")?,
                    user_id: row.try_get::<Option<i64>, _>("user_id")?.map(UserId),
                    can_write: row.try_get::<i64, _>("can_write")? != 0,
                    created_by: UserId(row.try_get("created_by")?),
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    pub async fn space_access(&self, space: i64) -> Result<Vec<AccessRecord>> {
        let rows = sqlx::query(
            "SELECT space_id, group_id, user_id, can_write FROM file_space_access \
             WHERE space_id = $1",
        )
        .bind(space)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AccessRecord {
                    space_id: row.try_get("space_id")?,
                    group_id: row.try_get("group_id")?,
                    user_id: row.try_get::<Option<i64>, _>("user_id")?.map(UserId),
                    can_write: row.try_get::<i64, _>("can_write")? != 0,
                })
            })
            .collect()
    }

    /// The live node at `path` in `space`.
    pub async fn node_at(&self, space: i64, path: &str) -> Result<Option<NodeRecord>> {
        live_node_at(&self.read, space, path).await
    }

    pub async fn node(&self, id: i64) -> Result<Option<NodeRecord>> {
        node_by_id(&self.read, id).await
    }

    /// The live children of a folder, folders first, then by name.
    ///
    /// On SQLite the rows come as one JSON array: sqlx hands each row over
    /// from SQLite's thread separately, which for a folder of 10,000 files
    /// cost more than the query itself.
    pub async fn children(&self, parent: i64) -> Result<Vec<NodeRecord>> {
        if self.backend == crate::Backend::Sqlite {
            let sql = format!(
                "SELECT json_group_array(json_array({NODE_COLUMNS})) FROM \
                 (SELECT {NODE_COLUMNS} FROM file_nodes WHERE parent_id = $1 AND trash_id = 0)"
            );
            let json: String = sqlx::query_scalar(&sql)
                .bind(parent)
                .fetch_one(&self.read)
                .await?;
            let mut nodes = nodes_from_json(&json)?;
            nodes.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then_with(|| a.name.cmp(&b.name)));
            return Ok(nodes);
        }
        let sql = format!(
            "SELECT {NODE_COLUMNS} FROM file_nodes WHERE parent_id = $1 AND trash_id = 0 \
             ORDER BY is_dir DESC, name"
        );
        let rows = sqlx::query(&sql).bind(parent).fetch_all(&self.read).await?;
        rows.iter().map(node_from_row).collect()
    }

    /// Every live node below `path`, for zips and copies.
    pub async fn live_subtree(&self, space: i64, path: &str) -> Result<Vec<NodeRecord>> {
        subtree(&self.read, space, 0, path).await
    }

    /// Live nodes of `space` whose name contains `needle` (any case).
    pub async fn find_by_name(
        &self,
        space: i64,
        needle: &str,
        limit: i64,
    ) -> Result<Vec<NodeRecord>> {
        let pattern = format!(
            "%{}%",
            needle
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let sql = format!(
            "SELECT {NODE_COLUMNS} FROM file_nodes WHERE space_id = $1 AND trash_id = 0 \
             AND parent_id IS NOT NULL AND lower(name) LIKE $2 ESCAPE '\\' \
             ORDER BY is_dir DESC, name LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(space)
            .bind(pattern)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(node_from_row).collect()
    }

    /// The tops of the trashed trees of a space, newest first.
    pub async fn trash(&self, space: i64) -> Result<Vec<NodeRecord>> {
        let sql = format!(
            "SELECT {NODE_COLUMNS} FROM file_nodes WHERE space_id = $1 AND trash_id = id \
             ORDER BY trashed_at DESC, id DESC"
        );
        let rows = sqlx::query(&sql).bind(space).fetch_all(&self.read).await?;
        rows.iter().map(node_from_row).collect()
    }

    /// Trashed trees deleted before `before`, for the trash's retention.
    pub async fn trash_older_than(&self, before: i64) -> Result<Vec<NodeRecord>> {
        let sql = format!(
            "SELECT {NODE_COLUMNS} FROM file_nodes WHERE trash_id = id AND trashed_at < $1"
        );
        let rows = sqlx::query(&sql).bind(before).fetch_all(&self.read).await?;
        rows.iter().map(node_from_row).collect()
    }

    /// The earlier contents of a file, newest first.
    pub async fn versions(&self, node: i64) -> Result<Vec<VersionRecord>> {
        let rows = sqlx::query(
            "SELECT id, node_id, blob_id, size, written_at, written_by FROM file_versions \
             WHERE node_id = $1 ORDER BY id DESC",
        )
        .bind(node)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    /// Bytes a space holds: current contents, versions and trash.
    pub async fn space_used(&self, space: i64) -> Result<i64> {
        space_used(&self.read, space).await
    }

    /// [`Store::space_used`] summed from every row of the space, as the
    /// triggers that keep it should have: for tests that check they do.
    #[cfg(feature = "testing")]
    pub async fn space_used_recounted(&self, space: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE((SELECT SUM(size) FROM file_nodes WHERE space_id = $1), 0) \
             + COALESCE((SELECT SUM(v.size) FROM file_versions v JOIN file_nodes n ON n.id = v.node_id \
                         WHERE n.space_id = $1), 0) AS BIGINT)",
        )
        .bind(space)
        .fetch_one(&self.read)
        .await?)
    }

    /// The dead properties of the given nodes, in one query.
    pub async fn props_of(&self, nodes: &[i64]) -> Result<Vec<PropRecord>> {
        if nodes.is_empty() {
            return Ok(Vec::new());
        }
        let list = nodes
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT node_id, namespace, name, prefix, xml FROM file_props \
             WHERE node_id IN ({list}) ORDER BY node_id, namespace, name"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(prop_from_row).collect()
    }

    /// The unexpired locks of a space.
    pub async fn locks(&self, space: i64, now: i64) -> Result<Vec<LockRecord>> {
        locks_of(&self.read, space, now).await
    }

    pub async fn share_by_hash(&self, token_hash: &str) -> Result<Option<ShareRecord>> {
        let sql = format!("SELECT {SHARE_COLUMNS} FROM file_shares WHERE token_hash = $1");
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(share_from_row).transpose()
    }

    pub async fn share(&self, id: i64) -> Result<Option<ShareRecord>> {
        let sql = format!("SELECT {SHARE_COLUMNS} FROM file_shares WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(share_from_row).transpose()
    }

    /// The unrevoked links to a node.
    pub async fn shares_of(&self, node: i64) -> Result<Vec<ShareRecord>> {
        let sql = format!(
            "SELECT {SHARE_COLUMNS} FROM file_shares WHERE node_id = $1 AND revoked_at IS NULL \
             ORDER BY id"
        );
        let rows = sqlx::query(&sql).bind(node).fetch_all(&self.read).await?;
        rows.iter().map(share_from_row).collect()
    }

    pub async fn upload(&self, id: &str) -> Result<Option<UploadRecord>> {
        let sql = format!("SELECT {UPLOAD_COLUMNS} FROM file_uploads WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(upload_from_row).transpose()
    }

    /// Uploads still allowed to resume: their bytes must be kept.
    pub async fn open_upload_ids(&self, now: i64) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM file_uploads WHERE expires_at > $1")
                .bind(now)
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// Every blob a row refers to: files, versions, chat attachments,
    /// avatars, docs' images and files. What is not in this set may be collected.
    pub async fn referenced_blobs(&self) -> Result<std::collections::HashSet<String>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT blob_id FROM file_nodes WHERE blob_id IS NOT NULL \
             UNION SELECT blob_id FROM file_versions \
             UNION SELECT blob_id FROM attachments \
             UNION SELECT blob_id FROM doc_attachments \
             UNION SELECT avatar FROM users WHERE avatar IS NOT NULL",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(ids.into_iter().collect())
    }
}

impl Tx {
    /// The person's own space, made on first use with its root folder.
    pub async fn ensure_person_space(&mut self, owner: UserId) -> Result<SpaceRecord> {
        if let Some(space) = space_where(&mut *self.inner, SpaceKey::Owner(owner)).await? {
            return Ok(space);
        }
        let now = bureau_core::time::now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO file_spaces (kind, owner_id, created_at) VALUES ('person', $1, $2) \
             RETURNING id",
        )
        .bind(owner.0)
        .bind(now)
        .fetch_one(&mut *self.inner)
        .await?;
        self.insert_root(id, now).await?;
        Ok(space_where(&mut *self.inner, SpaceKey::Id(id))
            .await?
            .expect("the space was just inserted"))
    }

    pub async fn insert_team_space(&mut self, name: &str, quota: Option<i64>) -> Result<i64> {
        let now = bureau_core::time::now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO file_spaces (kind, name, quota_bytes, created_at) \
             VALUES ('team', $1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(quota)
        .bind(now)
        .fetch_one(&mut *self.inner)
        .await?;
        self.insert_root(id, now).await?;
        Ok(id)
    }

    async fn insert_root(&mut self, space: i64, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO file_nodes (space_id, path, name, is_dir, created_at, modified_at) \
             VALUES ($1, '', '', 1, $2, $2)",
        )
        .bind(space)
        .bind(now)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn update_space(
        &mut self,
        space: i64,
        name: Option<&str>,
        quota: Option<Option<i64>>,
    ) -> Result<()> {
        if let Some(name) = name {
            sqlx::query("UPDATE file_spaces SET name = $2 WHERE id = $1")
                .bind(space)
                .bind(name)
                .execute(&mut *self.inner)
                .await?;
        }
        if let Some(quota) = quota {
            sqlx::query("UPDATE file_spaces SET quota_bytes = $2 WHERE id = $1")
                .bind(space)
                .bind(quota)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Removes a team folder and everything in it (blobs are collected
    /// later).
    pub async fn delete_space(&mut self, space: i64) -> Result<()> {
        for sql in [
            "DELETE FROM file_uploads WHERE space_id = $1",
            "DELETE FROM dav_locks WHERE space_id = $1",
            "DELETE FROM file_nodes WHERE space_id = $1",
            "DELETE FROM file_spaces WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(space)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Grants a group or a person access to a team folder (replacing an
    /// earlier grant to the same), or removes it with `None`.
    pub async fn set_space_access(
        &mut self,
        space: i64,
        group: Option<i64>,
        user: Option<UserId>,
        can_write: Option<bool>,
    ) -> Result<()> {
        sqlx::query(
            "DELETE FROM file_space_access WHERE space_id = $1 \
             AND COALESCE(group_id, 0) = $2 AND COALESCE(user_id, 0) = $3",
        )
        .bind(space)
        .bind(group.unwrap_or(0))
        .bind(user.map_or(0, |u| u.0))
        .execute(&mut *self.inner)
        .await?;
        if let Some(can_write) = can_write {
            sqlx::query(
                "INSERT INTO file_space_access (space_id, group_id, user_id, can_write) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(space)
            .bind(group)
            .bind(user.map(|u| u.0))
            .bind(can_write as i64)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// Shares a node with a group or a person (replacing an earlier grant
    /// to the same), or stops sharing it with `None`.
    pub async fn set_grant(
        &mut self,
        node: i64,
        group: Option<i64>,
        user: Option<UserId>,
        can_write: Option<bool>,
        by: UserId,
    ) -> Result<()> {
        sqlx::query(
            "DELETE FROM file_grants WHERE node_id = $1 \
             AND COALESCE(group_id, 0) = $2 AND COALESCE(user_id, 0) = $3",
        )
        .bind(node)
        .bind(group.unwrap_or(0))
        .bind(user.map_or(0, |u| u.0))
        .execute(&mut *self.inner)
        .await?;
        if let Some(can_write) = can_write {
            sqlx::query(
                "INSERT INTO file_grants (node_id, group_id, user_id, can_write, created_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(node)
            .bind(group)
            .bind(user.map(|u| u.0))
            .bind(can_write as i64)
            .bind(by.0)
            .bind(bureau_core::time::now_ms())
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    pub async fn space(&mut self, id: i64) -> Result<Option<SpaceRecord>> {
        space_where(&mut *self.inner, SpaceKey::Id(id)).await
    }

    pub async fn space_used(&mut self, space: i64) -> Result<i64> {
        space_used(&mut *self.inner, space).await
    }

    pub async fn node_at(&mut self, space: i64, path: &str) -> Result<Option<NodeRecord>> {
        live_node_at(&mut *self.inner, space, path).await
    }

    pub async fn node(&mut self, id: i64) -> Result<Option<NodeRecord>> {
        node_by_id(&mut *self.inner, id).await
    }

    pub async fn insert_node(&mut self, new: NewNode<'_>) -> Result<NodeRecord> {
        let now = bureau_core::time::now_ms();
        let sql = format!(
            "INSERT INTO file_nodes (space_id, parent_id, path, name, is_dir, size, blob_id, mime, \
             created_at, modified_at, modified_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING {NODE_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(new.space_id)
            .bind(new.parent_id)
            .bind(new.path)
            .bind(new.name)
            .bind(new.is_dir as i64)
            .bind(new.size)
            .bind(new.blob_id)
            .bind(new.mime)
            .bind(now)
            .bind(new.by.map(|u| u.0))
            .fetch_one(&mut *self.inner)
            .await?;
        let node = node_from_row(&row)?;
        self.touch(new.parent_id, now).await?;
        Ok(node)
    }

    /// Inserts files whose parent is still a live folder and whose path is
    /// free, in one statement (the hot path of writes that looked their
    /// parent up before their transaction). Returns those inserted; the
    /// others are left out without an error, so a transaction shared by
    /// several writes goes on. The parents' time is left to
    /// [`Tx::touch_folders`].
    pub async fn insert_files_under_live_parents(
        &mut self,
        files: &[NewNode<'_>],
    ) -> Result<Vec<NodeRecord>> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        const PER_ROW: usize = 8;
        let rows: Vec<String> = (0..files.len())
            .map(|row| format!("({})", marks(row * PER_ROW + 2, PER_ROW)))
            .collect();
        // column1..column8: space_id, parent_id, path, name, size, blob_id,
        // mime, modified_by; $1 is the time.
        let sql = format!(
            "INSERT INTO file_nodes (space_id, parent_id, path, name, is_dir, size, blob_id, mime, \
             created_at, modified_at, modified_by) \
             SELECT v.column1, v.column2, v.column3, v.column4, 0, v.column5, v.column6, \
             v.column7, $1, $1, v.column8 FROM (VALUES {}) AS v \
             WHERE EXISTS (SELECT 1 FROM file_nodes p WHERE p.id = v.column2 \
             AND p.trash_id = 0 AND p.is_dir = 1) \
             ON CONFLICT DO NOTHING \
             RETURNING {NODE_COLUMNS}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(bureau_core::time::now_ms());
        for file in files {
            query = query
                .bind(file.space_id)
                .bind(file.parent_id)
                .bind(file.path)
                .bind(file.name)
                .bind(file.size)
                .bind(file.blob_id)
                .bind(file.mime)
                .bind(file.by.map(|u| u.0));
        }
        let rows = query.fetch_all(&mut *self.inner).await?;
        rows.iter().map(node_from_row).collect()
    }

    /// Sets the time of the folders whose content changed, in one
    /// statement.
    pub async fn touch_folders(&mut self, folders: &[i64], now: i64) -> Result<()> {
        if folders.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE file_nodes SET modified_at = $1 WHERE id IN ({})",
            marks(2, folders.len())
        );
        let mut query = sqlx::query(&sql).bind(now);
        for &folder in folders {
            query = query.bind(folder);
        }
        query.execute(&mut *self.inner).await?;
        Ok(())
    }

    /// Gives a file new content; the content it had becomes a version
    /// (the oldest beyond [`MAX_VERSIONS`] are dropped).
    pub async fn replace_content(
        &mut self,
        node: &NodeRecord,
        content: Content<'_>,
    ) -> Result<Option<NodeRecord>> {
        let now = bureau_core::time::now_ms();
        // Only over the content `node` describes: a file changed or deleted
        // meanwhile is left alone (`None`), so no version is lost.
        let sql = format!(
            "UPDATE file_nodes SET blob_id = $2, size = $3, mime = $4, modified_at = $5, \
             modified_by = $6, version = version + 1 \
             WHERE id = $1 AND version = $7 AND trash_id = 0 RETURNING {NODE_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(node.id)
            .bind(content.blob_id)
            .bind(content.size)
            .bind(content.mime)
            .bind(now)
            .bind(content.by.map(|u| u.0))
            .bind(node.version)
            .fetch_optional(&mut *self.inner)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        if let Some(old) = &node.blob_id {
            sqlx::query(
                "INSERT INTO file_versions (node_id, blob_id, size, written_at, written_by) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(node.id)
            .bind(old)
            .bind(node.size)
            .bind(node.modified_at)
            .bind(node.modified_by.map(|u| u.0))
            .execute(&mut *self.inner)
            .await?;
            sqlx::query(
                "DELETE FROM file_versions WHERE node_id = $1 AND id NOT IN \
                 (SELECT id FROM file_versions WHERE node_id = $1 ORDER BY id DESC LIMIT $2)",
            )
            .bind(node.id)
            .bind(MAX_VERSIONS)
            .execute(&mut *self.inner)
            .await?;
        }
        node_from_row(&row).map(Some)
    }

    pub async fn delete_version(&mut self, version: i64) -> Result<()> {
        sqlx::query("DELETE FROM file_versions WHERE id = $1")
            .bind(version)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    pub async fn version(&mut self, id: i64) -> Result<Option<VersionRecord>> {
        let row = sqlx::query(
            "SELECT id, node_id, blob_id, size, written_at, written_by FROM file_versions \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.inner)
        .await?;
        row.as_ref().map(version_from_row).transpose()
    }

    /// Moves a live node (and what is below it) to `space`/`path` under
    /// `parent`, named `name`. The destination must be free.
    pub async fn move_node(
        &mut self,
        node: &NodeRecord,
        space: i64,
        parent: i64,
        path: &str,
        name: &str,
    ) -> Result<()> {
        let now = bureau_core::time::now_ms();
        if node.is_dir {
            sqlx::query(
                "UPDATE file_nodes SET space_id = $5, path = $1 || substr(path, CAST($2 AS INTEGER)) \
                 WHERE space_id = $3 AND trash_id = 0 AND path > $4 AND path < $6",
            )
            .bind(path)
            .bind(node.path.chars().count() as i64 + 1)
            .bind(node.space_id)
            .bind(below_start(&node.path))
            .bind(space)
            .bind(below_end(&node.path))
            .execute(&mut *self.inner)
            .await?;
            sqlx::query(
                "UPDATE dav_locks SET space_id = $5, path = $1 || substr(path, CAST($2 AS INTEGER)) \
                 WHERE space_id = $3 AND path > $4 AND path < $6",
            )
            .bind(path)
            .bind(node.path.chars().count() as i64 + 1)
            .bind(node.space_id)
            .bind(below_start(&node.path))
            .bind(space)
            .bind(below_end(&node.path))
            .execute(&mut *self.inner)
            .await?;
        }
        sqlx::query(
            "UPDATE file_nodes SET space_id = $2, parent_id = $3, path = $4, name = $5, \
             modified_at = $6 WHERE id = $1",
        )
        .bind(node.id)
        .bind(space)
        .bind(parent)
        .bind(path)
        .bind(name)
        .bind(now)
        .execute(&mut *self.inner)
        .await?;
        if let Some(old_parent) = node.parent_id {
            self.touch(old_parent, now).await?;
        }
        self.touch(parent, now).await
    }

    /// Copies a live node and its tree to `space`/`path` under `parent`:
    /// new rows sharing the same blobs, with their dead properties.
    pub async fn copy_node(
        &mut self,
        node: &NodeRecord,
        space: i64,
        parent: i64,
        path: &str,
        name: &str,
        by: UserId,
    ) -> Result<NodeRecord> {
        let below = if node.is_dir {
            subtree(&mut *self.inner, node.space_id, 0, &node.path).await?
        } else {
            Vec::new()
        };
        let top = self.copy_one(node, space, parent, path, name, by).await?;
        let mut new_ids = std::collections::HashMap::from([(node.id, top.id)]);
        let prefix = node.path.chars().count();
        for child in below {
            let new_parent = child
                .parent_id
                .and_then(|p| new_ids.get(&p).copied())
                .ok_or_else(|| crate::StoreError::Other("a copied node lost its parent".into()))?;
            let child_path = format!(
                "{path}{}",
                child.path.chars().skip(prefix).collect::<String>()
            );
            let copied = self
                .copy_one(&child, space, new_parent, &child_path, &child.name, by)
                .await?;
            new_ids.insert(child.id, copied.id);
        }
        Ok(top)
    }

    async fn copy_one(
        &mut self,
        node: &NodeRecord,
        space: i64,
        parent: i64,
        path: &str,
        name: &str,
        by: UserId,
    ) -> Result<NodeRecord> {
        let copied = self
            .insert_node(NewNode {
                space_id: space,
                parent_id: parent,
                path,
                name,
                is_dir: node.is_dir,
                size: node.size,
                blob_id: node.blob_id.as_deref(),
                mime: &node.mime,
                by: Some(by),
            })
            .await?;
        sqlx::query(
            "INSERT INTO file_props (node_id, namespace, name, prefix, xml) \
             SELECT $2, namespace, name, prefix, xml FROM file_props WHERE node_id = $1",
        )
        .bind(node.id)
        .bind(copied.id)
        .execute(&mut *self.inner)
        .await?;
        Ok(copied)
    }

    /// Moves a live node and its tree to the trash.
    pub async fn trash_node(&mut self, node: &NodeRecord, by: UserId) -> Result<()> {
        let now = bureau_core::time::now_ms();
        sqlx::query(
            "UPDATE file_nodes SET trash_id = $1 \
             WHERE space_id = $2 AND trash_id = 0 AND path > $3 AND path < $4",
        )
        .bind(node.id)
        .bind(node.space_id)
        .bind(below_start(&node.path))
        .bind(below_end(&node.path))
        .execute(&mut *self.inner)
        .await?;
        sqlx::query(
            "UPDATE file_nodes SET trash_id = id, trashed_at = $2, trashed_by = $3 WHERE id = $1",
        )
        .bind(node.id)
        .bind(now)
        .bind(by.0)
        .execute(&mut *self.inner)
        .await?;
        self.delete_locks_at(node.space_id, &node.path).await?;
        if let Some(parent) = node.parent_id {
            self.touch(parent, now).await?;
        }
        Ok(())
    }

    /// Brings a trashed tree back to `path` under `parent` (which must be
    /// free), named `name`.
    pub async fn restore_node(
        &mut self,
        top: &NodeRecord,
        parent: i64,
        path: &str,
        name: &str,
    ) -> Result<()> {
        let now = bureau_core::time::now_ms();
        sqlx::query(
            "UPDATE file_nodes SET trash_id = 0, path = $1 || substr(path, CAST($2 AS INTEGER)) \
             WHERE trash_id = $3 AND id <> $3",
        )
        .bind(path)
        .bind(top.path.chars().count() as i64 + 1)
        .bind(top.id)
        .execute(&mut *self.inner)
        .await?;
        sqlx::query(
            "UPDATE file_nodes SET trash_id = 0, trashed_at = NULL, trashed_by = NULL, \
             parent_id = $2, path = $3, name = $4 WHERE id = $1",
        )
        .bind(top.id)
        .bind(parent)
        .bind(path)
        .bind(name)
        .execute(&mut *self.inner)
        .await?;
        self.touch(parent, now).await
    }

    /// Deletes a trashed tree for good (its blobs are collected later).
    pub async fn purge_trashed(&mut self, top: i64) -> Result<()> {
        sqlx::query("DELETE FROM file_nodes WHERE trash_id = $1")
            .bind(top)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// A folder's modification time follows its content.
    async fn touch(&mut self, node: i64, now: i64) -> Result<()> {
        sqlx::query("UPDATE file_nodes SET modified_at = $2 WHERE id = $1")
            .bind(node)
            .bind(now)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Sets (`Some` xml) or removes (`None`) a dead property.
    pub async fn set_prop(&mut self, prop: &PropRecord, remove: bool) -> Result<()> {
        sqlx::query("DELETE FROM file_props WHERE node_id = $1 AND namespace = $2 AND name = $3")
            .bind(prop.node_id)
            .bind(&prop.namespace)
            .bind(&prop.name)
            .execute(&mut *self.inner)
            .await?;
        if !remove {
            sqlx::query(
                "INSERT INTO file_props (node_id, namespace, name, prefix, xml) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(prop.node_id)
            .bind(&prop.namespace)
            .bind(&prop.name)
            .bind(&prop.prefix)
            .bind(&prop.xml)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// The unexpired locks of a space, read inside the transaction that
    /// may add one (on SQLite the single writer serialises lockers; on
    /// PostgreSQL the caller takes [`Tx::lock_space`] first).
    pub async fn locks(&mut self, space: i64, now: i64) -> Result<Vec<LockRecord>> {
        locks_of(&mut *self.inner, space, now).await
    }

    /// Takes the rows of `spaces` (in id order, whatever order they come
    /// in) for the rest of the transaction. A transaction that adds,
    /// removes or resizes files or versions calls it first: the triggers
    /// that keep `used_bytes` update the space's row after the file's, so
    /// two such transactions taking them in opposite orders (a grouped
    /// commit replacing two files, a restore of one) deadlocked on
    /// PostgreSQL. Reads made after it see every change of these spaces'
    /// sizes committed before. On SQLite the single writer already
    /// serialises them.
    pub async fn hold_spaces(&mut self, spaces: &[i64]) -> Result<()> {
        if self.backend != crate::Backend::Postgres || spaces.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT id FROM file_spaces WHERE id IN ({}) ORDER BY id FOR UPDATE",
            marks(1, spaces.len())
        );
        let mut query = sqlx::query(&sql);
        for space in spaces {
            query = query.bind(*space);
        }
        query.execute(&mut *self.inner).await?;
        Ok(())
    }

    /// Serialises lock decisions on one space across processes.
    pub async fn lock_space(&mut self, space: i64) -> Result<()> {
        if self.backend == crate::Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7243100, $1::int)")
                .bind(space)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    pub async fn insert_lock(&mut self, lock: &LockRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO dav_locks (token, space_id, path, user_id, owner_xml, timeout_secs, \
             expires_at, shared, deep) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&lock.token)
        .bind(lock.space_id)
        .bind(&lock.path)
        .bind(lock.user_id.0)
        .bind(&lock.owner_xml)
        .bind(lock.timeout_secs)
        .bind(lock.expires_at)
        .bind(lock.shared as i64)
        .bind(lock.deep as i64)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Renews a lock; false when it is gone.
    pub async fn refresh_lock(
        &mut self,
        token: &str,
        timeout_secs: Option<i64>,
        expires_at: Option<i64>,
    ) -> Result<bool> {
        let done =
            sqlx::query("UPDATE dav_locks SET timeout_secs = $2, expires_at = $3 WHERE token = $1")
                .bind(token)
                .bind(timeout_secs)
                .bind(expires_at)
                .execute(&mut *self.inner)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_lock(&mut self, token: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM dav_locks WHERE token = $1")
            .bind(token)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes the locks on `path` and below (after a MOVE or DELETE).
    pub async fn delete_locks_at(&mut self, space: i64, path: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM dav_locks WHERE space_id = $1 AND (path = $2 OR (path > $3 AND path < $4))",
        )
        .bind(space)
        .bind(path)
        .bind(below_start(path))
        .bind(below_end(path))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn insert_share(&mut self, share: &ShareRecord) -> Result<ShareRecord> {
        let sql = format!(
            "INSERT INTO file_shares (node_id, token_hash, mode, password_hash, expires_at, \
             max_downloads, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING {SHARE_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(share.node_id)
            .bind(&share.token_hash)
            .bind(&share.mode)
            .bind(&share.password_hash)
            .bind(share.expires_at)
            .bind(share.max_downloads)
            .bind(share.created_by.0)
            .bind(share.created_at)
            .fetch_one(&mut *self.inner)
            .await?;
        share_from_row(&row)
    }

    pub async fn revoke_share(&mut self, id: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE file_shares SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(bureau_core::time::now_ms())
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts one download of a limited link; false when none is left.
    pub async fn count_download(&mut self, share: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE file_shares SET downloads = downloads + 1 \
             WHERE id = $1 AND (max_downloads IS NULL OR downloads < max_downloads)",
        )
        .bind(share)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_upload(&mut self, upload: &UploadRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO file_uploads (id, user_id, share_id, space_id, folder_path, name, \
             length, received, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)",
        )
        .bind(&upload.id)
        .bind(upload.user_id.map(|u| u.0))
        .bind(upload.share_id)
        .bind(upload.space_id)
        .bind(&upload.folder_path)
        .bind(&upload.name)
        .bind(upload.length)
        .bind(upload.created_at)
        .bind(upload.expires_at)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records how many bytes of an upload are durably received, if it
    /// still had `from` (two writers to one upload: the second loses).
    pub async fn set_received(&mut self, id: &str, from: i64, to: i64) -> Result<bool> {
        let done =
            sqlx::query("UPDATE file_uploads SET received = $3 WHERE id = $1 AND received = $2")
                .bind(id)
                .bind(from)
                .bind(to)
                .execute(&mut *self.inner)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_upload(&mut self, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM file_uploads WHERE id = $1")
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets uploads past their expiry; returns their ids.
    pub async fn expire_uploads(&mut self, now: i64) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("DELETE FROM file_uploads WHERE expires_at <= $1 RETURNING id")
                .bind(now)
                .fetch_all(&mut *self.inner)
                .await?,
        )
    }
}

fn space_from_row(row: &AnyRow) -> Result<SpaceRecord> {
    Ok(SpaceRecord {
        id: row.try_get("id")?,
        owner_id: row.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
        name: row.try_get("name")?,
        quota_bytes: row.try_get("quota_bytes")?,
        created_at: row.try_get("created_at")?,
        locks_until: row.try_get("locks_until")?,
        used_bytes: row.try_get("used_bytes")?,
    })
}

fn node_from_row(row: &AnyRow) -> Result<NodeRecord> {
    Ok(NodeRecord {
        id: row.try_get("id")?,
        space_id: row.try_get("space_id")?,
        parent_id: row.try_get("parent_id")?,
        path: row.try_get("path")?,
        name: row.try_get("name")?,
        is_dir: row.try_get::<i64, _>("is_dir")? != 0,
        size: row.try_get("size")?,
        blob_id: row.try_get("blob_id")?,
        mime: row.try_get("mime")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        modified_at: row.try_get("modified_at")?,
        modified_by: row.try_get::<Option<i64>, _>("modified_by")?.map(UserId),
        trash_id: row.try_get("trash_id")?,
        trashed_at: row.try_get("trashed_at")?,
        trashed_by: row.try_get::<Option<i64>, _>("trashed_by")?.map(UserId),
    })
}

/// Nodes from a JSON array of arrays in the order of `NODE_COLUMNS`.
fn nodes_from_json(json: &str) -> Result<Vec<NodeRecord>> {
    use serde_json::Value;
    let bad = || crate::StoreError::Other("a listing came back malformed".into());
    let rows: Vec<Vec<Value>> = serde_json::from_str(json).map_err(|_| bad())?;
    let int = |v: &Value| v.as_i64().ok_or_else(bad);
    let opt_int = |v: &Value| {
        if v.is_null() {
            Ok(None)
        } else {
            int(v).map(Some)
        }
    };
    let text = |v: &Value| v.as_str().map(str::to_string).ok_or_else(bad);
    rows.iter()
        .map(|r| {
            if r.len() != 16 {
                return Err(bad());
            }
            Ok(NodeRecord {
                id: int(&r[0])?,
                space_id: int(&r[1])?,
                parent_id: opt_int(&r[2])?,
                path: text(&r[3])?,
                name: text(&r[4])?,
                is_dir: int(&r[5])? != 0,
                size: int(&r[6])?,
                blob_id: if r[7].is_null() {
                    None
                } else {
                    Some(text(&r[7])?)
                },
                mime: text(&r[8])?,
                version: int(&r[9])?,
                created_at: int(&r[10])?,
                modified_at: int(&r[11])?,
                modified_by: opt_int(&r[12])?.map(UserId),
                trash_id: int(&r[13])?,
                trashed_at: opt_int(&r[14])?,
                trashed_by: opt_int(&r[15])?.map(UserId),
            })
        })
        .collect()
}

fn version_from_row(row: &AnyRow) -> Result<VersionRecord> {
    Ok(VersionRecord {
        id: row.try_get("id")?,
        node_id: row.try_get("node_id")?,
        blob_id: row.try_get("blob_id")?,
        size: row.try_get("size")?,
        written_at: row.try_get("written_at")?,
        written_by: row.try_get::<Option<i64>, _>("written_by")?.map(UserId),
    })
}

fn prop_from_row(row: &AnyRow) -> Result<PropRecord> {
    Ok(PropRecord {
        node_id: row.try_get("node_id")?,
        namespace: row.try_get("namespace")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        xml: row.try_get("xml")?,
    })
}

fn lock_from_row(row: &AnyRow) -> Result<LockRecord> {
    Ok(LockRecord {
        token: row.try_get("token")?,
        space_id: row.try_get("space_id")?,
        path: row.try_get("path")?,
        user_id: UserId(row.try_get("user_id")?),
        owner_xml: row.try_get("owner_xml")?,
        timeout_secs: row.try_get("timeout_secs")?,
        expires_at: row.try_get("expires_at")?,
        shared: row.try_get::<i64, _>("shared")? != 0,
        deep: row.try_get::<i64, _>("deep")? != 0,
    })
}

fn share_from_row(row: &AnyRow) -> Result<ShareRecord> {
    Ok(ShareRecord {
        id: row.try_get("id")?,
        node_id: row.try_get("node_id")?,
        token_hash: row.try_get("token_hash")?,
        mode: row.try_get("mode")?,
        password_hash: row.try_get("password_hash")?,
        expires_at: row.try_get("expires_at")?,
        max_downloads: row.try_get("max_downloads")?,
        downloads: row.try_get("downloads")?,
        created_by: UserId(row.try_get("created_by")?),
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn upload_from_row(row: &AnyRow) -> Result<UploadRecord> {
    Ok(UploadRecord {
        id: row.try_get("id")?,
        user_id: row.try_get::<Option<i64>, _>("user_id")?.map(UserId),
        share_id: row.try_get("share_id")?,
        space_id: row.try_get("space_id")?,
        folder_path: row.try_get("folder_path")?,
        name: row.try_get("name")?,
        length: row.try_get("length")?,
        received: row.try_get("received")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}
