//! Files: each person's own files and the team folders, as a tree of rows
//! in the Store over content-addressed blobs; versions, trash, dead
//! properties, WebDAV locks, share links, resumable uploads and quotas.
//!
//! **Architecture invariant:** this crate knows nothing of HTTP, WebDAV's
//! XML or SQL. Who may reach which space is decided in one place,
//! [`Files::tree`]: it builds a person's [`Tree`] (their own space, and the
//! team folders they were given, each with [`Access`]), and every operation
//! takes that tree and a [`FilePath`] in it. A space that is not in the
//! tree cannot be named.
//!
//! A person's tree shows their own files at the root and their team folders
//! beside them, by the team folder's name; a team folder hides a personal
//! entry of the same name.

mod commit;
mod locks;
mod path;
mod shares;
mod thumbnails;
mod uploads;

use std::sync::Arc;

use bureau_accounts::Ports;
use bureau_core::{Error, Principal, Result, Role, UserId};
use bureau_store::{
    Blob, BlobId, BlobReader, BlobWriter, Content, GrantRecord, LockRecord, NewNode, NodeRecord,
    PropRecord, SpaceRecord, Tx, VersionRecord,
};

pub use locks::{discover as locks_reaching, is_below};
pub use path::{check_name, FilePath, MAX_NAME_BYTES, MAX_PATH_BYTES};
pub use shares::{ShareMode, ShareSpec, ShareVisit};
pub use thumbnails::THUMBNAIL_SIZES;
pub use uploads::{Appender, UploadSpec, Uploader, MAX_UPLOAD_BYTES, UPLOAD_LIFETIME_MS};

/// Default quota of a person's own files: 10 GiB.
pub const DEFAULT_PERSON_QUOTA: i64 = 10 << 30;
/// Trashed trees are purged after 30 days.
pub const TRASH_DAYS: i64 = 30;
/// An unreferenced blob is collected once it is this old: younger, a
/// write may be about to reference it.
const BLOB_GRACE_SECS: u64 = 3600;
/// Longest a WebDAV lock may be held without a refresh.
pub const MAX_LOCK_SECS: i64 = 7 * 24 * 3600;

/// What a person may do in a space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

/// Something a person reaches: a whole space (their own, a team folder)
/// or a folder or file someone shared with them, with what they may do.
#[derive(Clone, Debug)]
pub struct Reach {
    pub space: SpaceRecord,
    pub access: Access,
    /// The name it has at the top of the tree; empty for the person's own
    /// files, which are the top.
    pub mount: String,
    /// The path inside the space it opens: empty for a whole space.
    pub root: String,
}

impl Reach {
    /// True when `path` (inside this reach's space) is within reach.
    pub fn covers(&self, space: i64, path: &str) -> bool {
        self.space.id == space
            && (self.root.is_empty() || path == self.root || is_below(path, &self.root))
    }

    /// The path in the tree of `path` inside the space (within reach).
    fn tree_path(&self, path: &str) -> String {
        let rest = if self.root.is_empty() {
            path
        } else {
            path[self.root.len()..].trim_start_matches('/')
        };
        match (self.mount.is_empty(), rest.is_empty()) {
            (true, true) => "/".into(),
            (true, false) => format!("/{rest}"),
            (false, true) => format!("/{}", self.mount),
            (false, false) => format!("/{}/{rest}", self.mount),
        }
    }
}

/// A person's view of the file server: their own space, the team folders
/// they may use, and what others shared with them. Built by
/// [`Files::tree`], the access gate.
#[derive(Clone, Debug)]
pub struct Tree {
    pub who: Principal,
    pub home: Reach,
    pub teams: Vec<Reach>,
    /// Folders and files shared with the person (or a group of theirs).
    pub shared: Vec<Reach>,
}

/// Where a path of a person's tree leads: a space, the path inside it
/// (`''` for its root) and what the person may do there.
#[derive(Clone, Debug)]
pub struct Place {
    pub space: SpaceRecord,
    pub path: String,
    pub access: Access,
    /// The name at the top of the tree when this is the top of a team
    /// folder or of something shared: such a place is not renamed, moved
    /// or deleted as a file.
    pub mount: Option<String>,
}

impl Place {
    /// The top of a space, of a team folder or of something shared.
    pub fn is_top(&self) -> bool {
        self.path.is_empty() || self.mount.is_some()
    }

    fn writable(&self) -> Result<()> {
        match self.access {
            Access::Write => Ok(()),
            Access::Read => Err(Error::Forbidden(
                "you may read this folder but not change it".into(),
            )),
        }
    }
}

/// A file or folder as a person sees it: the node and the name it has in
/// their tree (a team folder's root is named after the team folder).
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub node: NodeRecord,
}

/// Bytes used and allowed in a space.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    pub used: i64,
    pub quota: Option<i64>,
}

/// A new lock, as a WebDAV client asks for it.
pub struct LockSpec<'a> {
    pub owner_xml: Option<&'a str>,
    pub timeout_secs: Option<i64>,
    pub shared: bool,
    pub deep: bool,
}

pub struct Files {
    ports: Ports,
    /// Wrong passwords on share links.
    limiter: bureau_accounts::Limiter,
    /// Records finished writes, several to a transaction.
    committer: Arc<commit::Committer>,
}

impl Tree {
    /// Where `path` leads. Team folder names come first, then what was
    /// shared with the person, then their own files.
    pub fn locate(&self, path: &FilePath) -> Place {
        if let Some(first) = path.names().first() {
            if let Some(reach) = self
                .teams
                .iter()
                .chain(&self.shared)
                .find(|r| r.mount == *first)
            {
                let rest = path.names()[1..].join("/");
                let inner = match (reach.root.is_empty(), rest.is_empty()) {
                    (_, true) => reach.root.clone(),
                    (true, false) => rest.clone(),
                    (false, false) => format!("{}/{rest}", reach.root),
                };
                return Place {
                    space: reach.space.clone(),
                    path: inner,
                    access: reach.access,
                    mount: rest.is_empty().then(|| reach.mount.clone()),
                };
            }
        }
        Place {
            space: self.home.space.clone(),
            path: path.names().join("/"),
            access: self.home.access,
            mount: None,
        }
    }

    fn reaches(&self) -> impl Iterator<Item = &Reach> {
        std::iter::once(&self.home)
            .chain(&self.teams)
            .chain(&self.shared)
    }

    /// What the person may do at `path` inside `space`: the most any of
    /// their reaches allows there, or nothing.
    pub fn access_at(&self, space: i64, path: &str) -> Option<Access> {
        self.reaches()
            .filter(|r| r.covers(space, path))
            .map(|r| r.access)
            .max()
    }

    /// The path in this tree of `path` inside `space`, if within reach.
    pub fn path_of(&self, space: i64, path: &str) -> Option<String> {
        self.reaches()
            .find(|r| r.covers(space, path))
            .map(|r| r.tree_path(path))
    }

    /// The whole spaces of the tree (own files and team folders), whose
    /// trash the person sees.
    fn whole_spaces(&self) -> impl Iterator<Item = &Reach> {
        std::iter::once(&self.home).chain(&self.teams)
    }

    fn whole_space(&self, space: i64) -> Option<&Reach> {
        self.whole_spaces().find(|r| r.space.id == space)
    }
}

impl Files {
    pub fn new(ports: Ports) -> Files {
        Files {
            committer: Arc::new(commit::Committer::new(ports.clone())),
            ports,
            limiter: bureau_accounts::Limiter::default(),
        }
    }

    pub fn ports(&self) -> &Ports {
        &self.ports
    }

    // ---- the access gate -------------------------------------------------

    /// The person's tree: **the one place that decides which spaces a
    /// person reaches.** Their own space (made on first use; guests only
    /// read theirs, which stays empty), the team folders granted to them or
    /// to one of their groups, and every team folder for admins.
    pub async fn tree(&self, who: &Principal) -> Result<Tree> {
        let store = &self.ports.store;
        let admin = who.role == Role::Admin;
        let mut reached = store.spaces_reached(who.user_id, admin).await?;
        if !reached
            .spaces
            .iter()
            .any(|(s, _)| s.owner_id == Some(who.user_id))
        {
            let mut tx = store.begin().await?;
            let space = tx.ensure_person_space(who.user_id).await?;
            if space.quota_bytes.is_none() {
                tx.update_space(space.id, None, Some(Some(DEFAULT_PERSON_QUOTA)))
                    .await?;
            }
            tx.commit().await?;
            reached = store.spaces_reached(who.user_id, admin).await?;
        }
        let access = |write: bool| if write { Access::Write } else { Access::Read };
        let mut home = None;
        let mut teams = Vec::new();
        for (space, write) in reached.spaces {
            if space.owner_id == Some(who.user_id) {
                let write = write && who.role != Role::Guest;
                home = Some(Reach {
                    space,
                    access: access(write),
                    mount: String::new(),
                    root: String::new(),
                });
            } else {
                teams.push(Reach {
                    mount: space.name.clone().unwrap_or_default(),
                    space,
                    access: access(write),
                    root: String::new(),
                });
            }
        }
        let home = home.ok_or_else(|| Error::internal("a person's space vanished"))?;
        // What others shared, under its own name, numbered when the name is
        // taken at the top (by a team folder, another shared item or one of
        // the person's own), so nothing of theirs is hidden.
        let mut shared: Vec<Reach> = Vec::new();
        let granted = if reached.anything_granted {
            store.granted_to(who.user_id).await?
        } else {
            Vec::new()
        };
        let own_names = if granted.is_empty() {
            Vec::new()
        } else {
            store.top_names(home.space.id).await?
        };
        for (node, write) in granted {
            if node.space_id == home.space.id || teams.iter().any(|t| t.space.id == node.space_id) {
                continue;
            }
            let Some(space) = store.space(node.space_id).await? else {
                continue;
            };
            let mut mount = node.name.clone();
            let mut n = 1;
            while teams.iter().chain(&shared).any(|r| r.mount == mount)
                || own_names.contains(&mount)
            {
                n += 1;
                mount = numbered(&node.name, n);
            }
            shared.push(Reach {
                space,
                access: access(write),
                mount,
                root: node.path,
            });
        }
        Ok(Tree {
            who: who.clone(),
            home,
            teams,
            shared,
        })
    }

    // ---- reading -----------------------------------------------------------

    /// The file or folder at `path`.
    pub async fn stat(&self, tree: &Tree, path: &FilePath) -> Result<Entry> {
        let place = tree.locate(path);
        let node = self.node_at(&place).await?;
        Ok(entry_at(&place, node))
    }

    /// What a folder holds: folders first, then by name. The root also
    /// lists the person's team folders.
    pub async fn list(&self, tree: &Tree, path: &FilePath) -> Result<Vec<Entry>> {
        let place = tree.locate(path);
        let folder = self.node_at(&place).await?;
        if !folder.is_dir {
            return Err(Error::invalid("path", "this is a file, not a folder"));
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut hidden: Vec<&str> = Vec::new();
        if path.is_root() {
            for reach in tree.teams.iter().chain(&tree.shared) {
                if let Some(node) = self
                    .ports
                    .store
                    .node_at(reach.space.id, &reach.root)
                    .await?
                {
                    entries.push(Entry {
                        name: reach.mount.clone(),
                        node,
                    });
                }
                hidden.push(&reach.mount);
            }
        }
        for node in self.ports.store.children(folder.id).await? {
            if !hidden.contains(&node.name.as_str()) {
                entries.push(entry(&place.space, node));
            }
        }
        Ok(entries)
    }

    /// Every live file and folder below `path`, with its path relative to
    /// it (for a folder's zip).
    pub async fn walk(&self, tree: &Tree, path: &FilePath) -> Result<Vec<(String, NodeRecord)>> {
        let place = tree.locate(path);
        let top = self.node_at(&place).await?;
        if !top.is_dir {
            return Err(Error::invalid("path", "this is a file, not a folder"));
        }
        let skip = if place.path.is_empty() {
            0
        } else {
            place.path.len() + 1
        };
        Ok(self
            .ports
            .store
            .live_subtree(place.space.id, &place.path)
            .await?
            .into_iter()
            .map(|node| (node.path[skip..].to_string(), node))
            .collect())
    }

    /// Files and folders whose name contains `needle`, in every space of
    /// the tree, with their paths in it.
    pub async fn find(&self, tree: &Tree, needle: &str) -> Result<Vec<(String, NodeRecord)>> {
        let needle = needle.trim();
        if needle.is_empty() {
            return Err(Error::invalid("q", "type part of a name to search for"));
        }
        let mut found = Vec::new();
        for reach in tree.reaches() {
            for node in self
                .ports
                .store
                .find_by_name(reach.space.id, needle, 200)
                .await?
            {
                if reach.covers(node.space_id, &node.path) {
                    found.push((reach.tree_path(&node.path), node));
                }
            }
        }
        Ok(found)
    }

    /// Opens a file's content for streaming.
    pub async fn open(&self, tree: &Tree, path: &FilePath) -> Result<(Entry, BlobReader)> {
        let place = tree.locate(path);
        let node = self.node_at(&place).await?;
        let file = self.content_of(&node).await?;
        Ok((entry_at(&place, node), file))
    }

    pub async fn content_of(&self, node: &NodeRecord) -> Result<BlobReader> {
        if node.is_dir {
            return Err(Error::invalid("path", "this is a folder, not a file"));
        }
        let blob = node
            .blob_id
            .as_deref()
            .and_then(BlobId::parse)
            .ok_or_else(|| Error::internal("a stored file names no valid blob"))?;
        self.ports
            .blobs
            .open_read(&blob)
            .await?
            .ok_or_else(|| Error::internal(format!("blob {} is missing", blob.as_str())))
    }

    /// What a space holds against its quota, as the request found it.
    pub fn usage(space: &SpaceRecord) -> Usage {
        Usage {
            used: space.used_bytes,
            quota: space.quota_bytes,
        }
    }

    // ---- writing -------------------------------------------------------------

    /// Starts writing the file at `path` (new, or a new version of an
    /// existing one). The bytes go to a blob as they come; nothing is
    /// visible until [`Writer::finish`].
    pub async fn write(&self, tree: &Tree, path: &FilePath) -> Result<Writer> {
        let looked = self.look_for_write(tree, path).await?;
        self.write_looked(tree, looked).await
    }

    /// What a write to `path` starts from: its folder, which must exist,
    /// and the file it would replace; one query. WebDAV's PUT asks for the
    /// file's state before it writes, and answers both from this.
    pub async fn look_for_write(&self, tree: &Tree, path: &FilePath) -> Result<Looked> {
        let place = tree.locate(path);
        place.writable()?;
        let (parent, existing) = self.parent_and_target(&place).await?;
        Ok(Looked {
            name: path.name().unwrap_or_default().to_string(),
            place,
            parent,
            existing,
        })
    }

    /// [`Files::write`] from what [`Files::look_for_write`] found. The
    /// write is recorded only if they are still so when it finishes.
    pub async fn write_looked(&self, tree: &Tree, looked: Looked) -> Result<Writer> {
        let Looked {
            place,
            name,
            parent,
            existing,
        } = looked;
        if existing.as_ref().is_some_and(|n| n.is_dir) {
            return Err(Error::conflict("is_folder", "a folder has this name"));
        }
        let room = Files::room_in(&place.space)?;
        Ok(Writer {
            place,
            name,
            by: tree.who.user_id,
            room,
            blob: self.ports.blobs.writer(),
            ports: self.ports.clone(),
            committer: self.committer.clone(),
            seen: Seen {
                parent_id: parent.id,
                existing,
            },
        })
    }

    /// Creates a folder; its parent must exist.
    pub async fn mkdir(&self, tree: &Tree, path: &FilePath) -> Result<Entry> {
        let place = tree.locate(path);
        place.writable()?;
        let mut tx = self.ports.store.begin().await?;
        tx.hold_spaces(&[place.space.id]).await?;
        let parent = parent_in_tx(&mut tx, &place).await?;
        if place.is_top() || tx.node_at(place.space.id, &place.path).await?.is_some() {
            return Err(Error::conflict("exists", "something already has this name"));
        }
        let node = tx
            .insert_node(NewNode {
                space_id: place.space.id,
                parent_id: parent.id,
                path: &place.path,
                name: path.name().unwrap_or_default(),
                is_dir: true,
                size: 0,
                blob_id: None,
                mime: "",
                by: Some(tree.who.user_id),
            })
            .await
            .map_err(exists)?;
        tx.commit().await?;
        Ok(entry(&place.space, node))
    }

    /// Moves a file or folder to the trash.
    pub async fn remove(&self, tree: &Tree, path: &FilePath) -> Result<()> {
        let place = tree.locate(path);
        place.writable()?;
        if place.is_top() {
            return Err(Error::Forbidden(
                "the top of a team folder or of something shared cannot be deleted".into(),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        let node = tx
            .node_at(place.space.id, &place.path)
            .await?
            .ok_or_else(not_found)?;
        tx.trash_node(&node, tree.who.user_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves (renames) `from` to `to`. With `replace`, a file at `to` is
    /// replaced (it goes to the trash); a folder there is never replaced.
    pub async fn rename(
        &self,
        tree: &Tree,
        from: &FilePath,
        to: &FilePath,
        replace: bool,
    ) -> Result<Entry> {
        let (source, dest) = (tree.locate(from), tree.locate(to));
        source.writable()?;
        dest.writable()?;
        if source.is_top() || dest.is_top() {
            return Err(Error::Forbidden(
                "the top of a team folder or of something shared cannot be moved or replaced"
                    .into(),
            ));
        }
        if source.space.id == dest.space.id
            && (dest.path == source.path || is_below(&dest.path, &source.path))
        {
            return Err(Error::Forbidden(
                "a folder cannot be moved into itself".into(),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        if source.space.id != dest.space.id {
            tx.hold_spaces(&[source.space.id, dest.space.id]).await?;
        }
        let node = tx
            .node_at(source.space.id, &source.path)
            .await?
            .ok_or_else(not_found)?;
        if source.space.id != dest.space.id {
            self.check_room_for(&mut tx, &dest.space, &node).await?;
        }
        let parent = parent_in_tx(&mut tx, &dest).await?;
        self.clear_destination(&mut tx, &dest, replace, tree.who.user_id)
            .await?;
        let name = to.name().unwrap_or_default();
        tx.move_node(&node, dest.space.id, parent.id, &dest.path, name)
            .await
            .map_err(exists)?;
        let moved = tx.node(node.id).await?.ok_or_else(not_found)?;
        tx.commit().await?;
        Ok(entry(&dest.space, moved))
    }

    /// Copies `from` (a file, or a folder with all it holds) to `to`;
    /// contents are shared blobs, so a copy costs rows, not bytes.
    pub async fn copy(
        &self,
        tree: &Tree,
        from: &FilePath,
        to: &FilePath,
        replace: bool,
    ) -> Result<Entry> {
        let (source, dest) = (tree.locate(from), tree.locate(to));
        dest.writable()?;
        if dest.path.is_empty() {
            return Err(Error::Forbidden(
                "the top of a space cannot be replaced".into(),
            ));
        }
        if source.space.id == dest.space.id && is_below(&dest.path, &source.path) {
            return Err(Error::Forbidden(
                "a folder cannot be copied into itself".into(),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        tx.hold_spaces(&[dest.space.id]).await?;
        let node = tx
            .node_at(source.space.id, &source.path)
            .await?
            .ok_or_else(not_found)?;
        self.check_room_for(&mut tx, &dest.space, &node).await?;
        let parent = parent_in_tx(&mut tx, &dest).await?;
        self.clear_destination(&mut tx, &dest, replace, tree.who.user_id)
            .await?;
        let name = to.name().unwrap_or_default();
        let copied = tx
            .copy_node(
                &node,
                dest.space.id,
                parent.id,
                &dest.path,
                name,
                tree.who.user_id,
            )
            .await
            .map_err(exists)?;
        tx.commit().await?;
        Ok(entry(&dest.space, copied))
    }

    // ---- dead properties ----------------------------------------------------

    /// The dead properties of the nodes at these places, in one query.
    pub async fn props_of(&self, nodes: &[i64]) -> Result<Vec<PropRecord>> {
        Ok(self.ports.store.props_of(nodes).await?)
    }

    /// Sets and removes dead properties of the node at `path`, all or none.
    pub async fn patch_props(
        &self,
        tree: &Tree,
        path: &FilePath,
        patch: &[(bool, PropRecord)],
    ) -> Result<()> {
        let place = tree.locate(path);
        place.writable()?;
        let mut tx = self.ports.store.begin().await?;
        let node = tx
            .node_at(place.space.id, &place.path)
            .await?
            .ok_or_else(not_found)?;
        for (set, prop) in patch {
            let prop = PropRecord {
                node_id: node.id,
                ..prop.clone()
            };
            tx.set_prop(&prop, !set).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    // ---- locks ------------------------------------------------------------------

    /// Takes a WebDAV lock on `path`, or returns the lock in the way.
    pub async fn lock(
        &self,
        tree: &Tree,
        path: &FilePath,
        spec: LockSpec<'_>,
    ) -> Result<std::result::Result<LockRecord, LockRecord>> {
        let place = tree.locate(path);
        place.writable()?;
        let now = bureau_core::time::now_ms();
        let mut tx = self.ports.store.begin().await?;
        tx.lock_space(place.space.id).await?;
        let existing = tx.locks(place.space.id, now).await?;
        if let Some(conflict) = locks::conflict(&existing, &place.path, spec.shared, spec.deep) {
            return Ok(Err(conflict.clone()));
        }
        let timeout = spec.timeout_secs.map(|t| t.clamp(1, MAX_LOCK_SECS));
        let lock = LockRecord {
            token: format!("urn:uuid:{}", uuid_v4()),
            space_id: place.space.id,
            path: place.path.clone(),
            user_id: tree.who.user_id,
            owner_xml: spec.owner_xml.map(str::to_string),
            timeout_secs: timeout,
            expires_at: Some(now + timeout.unwrap_or(MAX_LOCK_SECS) * 1000),
            shared: spec.shared,
            deep: spec.deep,
        };
        tx.insert_lock(&lock).await?;
        tx.commit().await?;
        Ok(Ok(lock))
    }

    /// Releases the lock `token` reaching `path`; false when there is none.
    pub async fn unlock(&self, tree: &Tree, path: &FilePath, token: &str) -> Result<bool> {
        let place = tree.locate(path);
        let mut tx = self.ports.store.begin().await?;
        let existing = tx
            .locks(place.space.id, bureau_core::time::now_ms())
            .await?;
        let Some(lock) = locks::find(&existing, &place.path, token) else {
            return Ok(false);
        };
        if lock.user_id != tree.who.user_id && tree.who.role != Role::Admin {
            return Err(Error::Forbidden("this lock is someone else's".into()));
        }
        let done = tx.delete_lock(token).await?;
        tx.commit().await?;
        Ok(done)
    }

    pub async fn refresh_lock(
        &self,
        tree: &Tree,
        path: &FilePath,
        token: &str,
        timeout_secs: Option<i64>,
    ) -> Result<Option<LockRecord>> {
        let place = tree.locate(path);
        let now = bureau_core::time::now_ms();
        let mut tx = self.ports.store.begin().await?;
        let existing = tx.locks(place.space.id, now).await?;
        let Some(lock) = locks::find(&existing, &place.path, token).cloned() else {
            return Ok(None);
        };
        if lock.user_id != tree.who.user_id {
            return Ok(None);
        }
        let timeout = timeout_secs.map(|t| t.clamp(1, MAX_LOCK_SECS));
        let expires = now + timeout.unwrap_or(MAX_LOCK_SECS) * 1000;
        tx.refresh_lock(token, timeout, Some(expires)).await?;
        tx.commit().await?;
        Ok(Some(LockRecord {
            timeout_secs: timeout,
            expires_at: Some(expires),
            ..lock
        }))
    }

    /// Whether `tree.who`, submitting `tokens`, may change `path` (and,
    /// with `deep`, what is below it); `Err` names the lock in the way.
    pub async fn check_locks(
        &self,
        tree: &Tree,
        path: &FilePath,
        ignore_owner: bool,
        deep: bool,
        tokens: &[String],
    ) -> Result<std::result::Result<(), LockRecord>> {
        let place = tree.locate(path);
        let existing = self.space_locks(&place.space).await?;
        Ok(locks::check(
            &existing,
            &place.path,
            tree.who.user_id,
            ignore_owner,
            deep,
            tokens,
        )
        .map_err(Clone::clone))
    }

    /// The locks reaching `path`.
    pub async fn discover_locks(&self, tree: &Tree, path: &FilePath) -> Result<Vec<LockRecord>> {
        let place = tree.locate(path);
        let existing = self.space_locks(&place.space).await?;
        Ok(locks::discover(&existing, &place.path))
    }

    /// The unexpired locks of a space of the tree (see [`locks_reaching`]).
    ///
    /// A space whose last lock had expired when the tree was read (most
    /// never had one) is not asked: a lock taken since is missed, as it
    /// would be by a query made a moment before it was taken.
    pub async fn space_locks(&self, space: &SpaceRecord) -> Result<Vec<LockRecord>> {
        let now = bureau_core::time::now_ms();
        if space.locks_until <= now {
            return Ok(Vec::new());
        }
        Ok(self.ports.store.locks(space.id, now).await?)
    }

    /// Drops the locks on `path` and below (after a MOVE or DELETE).
    pub async fn drop_locks(&self, tree: &Tree, path: &FilePath) -> Result<()> {
        let place = tree.locate(path);
        let mut tx = self.ports.store.begin().await?;
        tx.delete_locks_at(place.space.id, &place.path).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- trash and versions ---------------------------------------------------

    /// What was deleted in the spaces of the tree, newest first, with the
    /// path each had.
    pub async fn trash(&self, tree: &Tree) -> Result<Vec<(String, NodeRecord)>> {
        let mut items = Vec::new();
        for reach in tree.whole_spaces() {
            for node in self.ports.store.trash(reach.space.id).await? {
                items.push((reach.tree_path(&node.path), node));
            }
        }
        items.sort_by_key(|(_, n)| std::cmp::Reverse(n.trashed_at));
        Ok(items)
    }

    /// Brings a deleted tree back where it was (its folder, or the space's
    /// root when the folder is gone), under a free name.
    pub async fn restore(&self, tree: &Tree, trashed: i64) -> Result<String> {
        let mut tx = self.ports.store.begin().await?;
        let top = tx
            .node(trashed)
            .await?
            .filter(|n| n.trash_id == n.id)
            .ok_or_else(|| Error::NotFound("nothing with this id is in the trash".into()))?;
        let reach = tree.whole_space(top.space_id).ok_or_else(not_found)?;
        if reach.access != Access::Write {
            return Err(Error::Forbidden(
                "you may read this folder but not change it".into(),
            ));
        }
        let parent = match top.parent_id {
            Some(id) => tx.node(id).await?.filter(|p| p.trash_id == 0),
            None => None,
        };
        let parent = match parent {
            Some(parent) => parent,
            None => tx
                .node_at(top.space_id, "")
                .await?
                .ok_or_else(|| Error::internal("a space has no root"))?,
        };
        let mut name = top.name.clone();
        let mut n = 1;
        let path = loop {
            let path = join(&parent.path, &name);
            if tx.node_at(top.space_id, &path).await?.is_none() {
                break path;
            }
            n += 1;
            name = numbered(&top.name, n);
        };
        tx.restore_node(&top, parent.id, &path, &name).await?;
        tx.commit().await?;
        Ok(reach.tree_path(&path))
    }

    /// Deletes a trashed tree for good.
    pub async fn purge(&self, tree: &Tree, trashed: i64) -> Result<()> {
        let mut tx = self.ports.store.begin().await?;
        let top = tx
            .node(trashed)
            .await?
            .filter(|n| n.trash_id == n.id)
            .ok_or_else(|| Error::NotFound("nothing with this id is in the trash".into()))?;
        let reach = tree.whole_space(top.space_id).ok_or_else(not_found)?;
        if reach.access != Access::Write {
            return Err(Error::Forbidden(
                "you may read this folder but not change it".into(),
            ));
        }
        tx.hold_spaces(&[top.space_id]).await?;
        tx.purge_trashed(top.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The earlier contents of the file at `path`, newest first.
    pub async fn versions(
        &self,
        tree: &Tree,
        path: &FilePath,
    ) -> Result<(Entry, Vec<VersionRecord>)> {
        let entry = self.stat(tree, path).await?;
        let versions = self.ports.store.versions(entry.node.id).await?;
        Ok((entry, versions))
    }

    /// Opens one earlier content of a file the person may read.
    pub async fn open_version(
        &self,
        tree: &Tree,
        path: &FilePath,
        version: i64,
    ) -> Result<(VersionRecord, BlobReader)> {
        let (_, versions) = self.versions(tree, path).await?;
        let version = versions
            .into_iter()
            .find(|v| v.id == version)
            .ok_or_else(|| Error::NotFound("this file has no such version".into()))?;
        let blob = BlobId::parse(&version.blob_id)
            .ok_or_else(|| Error::internal("a version names no valid blob"))?;
        let file = self
            .ports
            .blobs
            .open_read(&blob)
            .await?
            .ok_or_else(|| Error::internal("a version's blob is missing"))?;
        Ok((version, file))
    }

    /// Makes an earlier content current again; the current one becomes a
    /// version, so a restore can itself be undone.
    pub async fn restore_version(
        &self,
        tree: &Tree,
        path: &FilePath,
        version: i64,
    ) -> Result<Entry> {
        let place = tree.locate(path);
        place.writable()?;
        let mut tx = self.ports.store.begin().await?;
        tx.hold_spaces(&[place.space.id]).await?;
        let node = tx
            .node_at(place.space.id, &place.path)
            .await?
            .ok_or_else(not_found)?;
        let old = tx
            .version(version)
            .await?
            .filter(|v| v.node_id == node.id)
            .ok_or_else(|| Error::NotFound("this file has no such version".into()))?;
        tx.delete_version(old.id).await?;
        let mime = node.mime.clone();
        let node = tx
            .replace_content(
                &node,
                Content {
                    blob_id: &old.blob_id,
                    size: old.size,
                    mime: &mime,
                    by: Some(tree.who.user_id),
                },
            )
            .await?
            // Its content cannot change while the space is held; only a
            // delete can come between.
            .ok_or_else(|| Error::NotFound("this file was deleted meanwhile".into()))?;
        tx.commit().await?;
        Ok(entry(&place.space, node))
    }

    // ---- sharing inside the company -------------------------------------------

    /// Shares the folder or file at `path` with a group or a person, to
    /// read or to write (`Some(can_write)`), or stops (`None`). It shows at
    /// the top of their tree under its name. Only someone who may write
    /// there shares it; guests share nothing.
    pub async fn grant(
        &self,
        tree: &Tree,
        path: &FilePath,
        group: Option<i64>,
        user: Option<UserId>,
        can_write: Option<bool>,
    ) -> Result<Vec<GrantRecord>> {
        if tree.who.role == Role::Guest {
            return Err(Error::Forbidden("guests cannot share".into()));
        }
        if group.is_some() == user.is_some() {
            return Err(Error::invalid(
                "user_id",
                "name either a group or a person, not both",
            ));
        }
        let place = tree.locate(path);
        place.writable()?;
        if place.path.is_empty() {
            return Err(Error::invalid(
                "path",
                "share a folder or a file, not the top of a space",
            ));
        }
        let node = self.node_at(&place).await?;
        let mut tx = self.ports.store.begin().await?;
        tx.set_grant(node.id, group, user, can_write, tree.who.user_id)
            .await
            .map_err(unknown_grantee)?;
        tx.commit().await?;
        Ok(self.ports.store.grants_of(node.id).await?)
    }

    /// Who the folder or file at `path` is shared with.
    pub async fn grants(&self, tree: &Tree, path: &FilePath) -> Result<Vec<GrantRecord>> {
        let place = tree.locate(path);
        let node = self.node_at(&place).await?;
        Ok(self.ports.store.grants_of(node.id).await?)
    }

    // ---- team folders and quotas (admins) ----------------------------------------

    /// Makes a team folder. Its name is a name like any other, and may not
    /// be one already used by another team folder.
    pub async fn create_team(
        &self,
        admin: &Principal,
        name: &str,
        quota: Option<i64>,
    ) -> Result<SpaceRecord> {
        require_admin(admin)?;
        let name = check_name(name.trim())?;
        check_quota(quota)?;
        let mut tx = self.ports.store.begin().await?;
        let id = tx
            .insert_team_space(name, quota)
            .await
            .map_err(team_name_taken)?;
        let space = tx.space(id).await?.ok_or_else(not_found)?;
        tx.commit().await?;
        Ok(space)
    }

    pub async fn update_team(
        &self,
        admin: &Principal,
        id: i64,
        name: Option<&str>,
        quota: Option<Option<i64>>,
    ) -> Result<SpaceRecord> {
        require_admin(admin)?;
        let name = name.map(|n| check_name(n.trim())).transpose()?;
        if let Some(quota) = quota {
            check_quota(quota)?;
        }
        let mut tx = self.ports.store.begin().await?;
        team_in(&mut tx, id).await?;
        tx.update_space(id, name, quota)
            .await
            .map_err(team_name_taken)?;
        let space = tx.space(id).await?.ok_or_else(not_found)?;
        tx.commit().await?;
        Ok(space)
    }

    pub async fn delete_team(&self, admin: &Principal, id: i64) -> Result<()> {
        require_admin(admin)?;
        let mut tx = self.ports.store.begin().await?;
        team_in(&mut tx, id).await?;
        tx.delete_space(id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Grants (`Some(can_write)`) or removes (`None`) a group's or a
    /// person's access to a team folder.
    pub async fn grant_team(
        &self,
        admin: &Principal,
        id: i64,
        group: Option<i64>,
        user: Option<UserId>,
        can_write: Option<bool>,
    ) -> Result<SpaceRecord> {
        require_admin(admin)?;
        if group.is_some() == user.is_some() {
            return Err(Error::invalid(
                "group_id",
                "name either a group or a person, not both",
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        let space = team_in(&mut tx, id).await?;
        tx.set_space_access(id, group, user, can_write)
            .await
            .map_err(unknown_grantee)?;
        tx.commit().await?;
        Ok(space)
    }

    pub async fn set_person_quota(
        &self,
        admin: &Principal,
        person: UserId,
        quota: Option<i64>,
    ) -> Result<Usage> {
        require_admin(admin)?;
        check_quota(quota)?;
        self.ports
            .store
            .user_by_id(person)
            .await?
            .ok_or_else(|| Error::NotFound("no such person".into()))?;
        let mut tx = self.ports.store.begin().await?;
        let space = tx.ensure_person_space(person).await?;
        tx.update_space(space.id, None, Some(quota)).await?;
        tx.commit().await?;
        Ok(Usage {
            used: space.used_bytes,
            quota,
        })
    }

    // ---- housekeeping -----------------------------------------------------------

    /// Purges trash older than [`TRASH_DAYS`], forgets expired uploads and
    /// removes blobs no row refers to (older than an hour, so a blob being
    /// referenced right now is never taken). Returns the blobs removed.
    pub async fn collect_garbage(&self) -> Result<usize> {
        let now = bureau_core::time::now_ms();
        let store = &self.ports.store;
        for top in store
            .trash_older_than(now - TRASH_DAYS * 86_400_000)
            .await?
        {
            let mut tx = store.begin().await?;
            tx.hold_spaces(&[top.space_id]).await?;
            tx.purge_trashed(top.id).await?;
            tx.commit().await?;
        }
        let mut tx = store.begin().await?;
        tx.expire_uploads(now).await?;
        tx.commit().await?;
        let keep = store.open_upload_ids(now).await?;
        self.ports.blobs.sweep_tmp(24 * 3600, &keep).await?;
        let referenced = store.referenced_blobs().await?;
        self.ports.blobs.sweep_derived(&referenced).await?;
        let mut removed = 0;
        for (blob, age) in self.ports.blobs.list().await? {
            if age > BLOB_GRACE_SECS && !referenced.contains(blob.as_str()) {
                self.ports.blobs.remove(&blob, BLOB_GRACE_SECS).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Runs [`Files::collect_garbage`] every hour, for ever.
    pub async fn housekeeping(self: Arc<Files>) {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match self.collect_garbage().await {
                Ok(removed) => tracing::info!(removed, "files: unreferenced blobs collected"),
                Err(err) => tracing::warn!(%err, "files: garbage collection failed"),
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------

    async fn node_at(&self, place: &Place) -> Result<NodeRecord> {
        self.ports
            .store
            .node_at(place.space.id, &place.path)
            .await?
            .ok_or_else(not_found)
    }

    /// Checks that the parent of `place` is a folder; returns it and what
    /// is at `place` now.
    async fn parent_and_target(&self, place: &Place) -> Result<(NodeRecord, Option<NodeRecord>)> {
        if place.path.is_empty() {
            return Err(Error::conflict("is_folder", "a folder has this name"));
        }
        let parent_path = parent_of(&place.path);
        let found = self
            .ports
            .store
            .nodes_at(place.space.id, parent_path, &place.path)
            .await?;
        let parent = found
            .iter()
            .find(|n| n.path == parent_path && n.is_dir)
            .cloned()
            .ok_or_else(|| {
                Error::conflict("no_parent", "the folder to hold this does not exist")
            })?;
        let target = found.into_iter().find(|n| n.path == place.path);
        Ok((parent, target))
    }

    /// Bytes left in a space (`None`: no limit).
    fn room_in(space: &SpaceRecord) -> Result<Option<i64>> {
        let Some(quota) = space.quota_bytes else {
            return Ok(None);
        };
        // The space as this request found it: a write never waits for a
        // fresher count (the triggers keep it; migration 0016).
        if space.used_bytes >= quota {
            return Err(quota_full());
        }
        Ok(Some(quota - space.used_bytes))
    }

    async fn check_room_for(
        &self,
        tx: &mut Tx,
        space: &SpaceRecord,
        node: &NodeRecord,
    ) -> Result<()> {
        let Some(quota) = space.quota_bytes else {
            return Ok(());
        };
        let size = if node.is_dir {
            self.ports
                .store
                .live_subtree(node.space_id, &node.path)
                .await?
                .iter()
                .map(|n| n.size)
                .sum()
        } else {
            node.size
        };
        if tx.space_used(space.id).await? + size > quota {
            return Err(quota_full());
        }
        Ok(())
    }

    /// Makes the destination of a move or copy free: a file there goes to
    /// the trash when `replace`; anything else is a conflict.
    async fn clear_destination(
        &self,
        tx: &mut Tx,
        dest: &Place,
        replace: bool,
        by: UserId,
    ) -> Result<()> {
        let Some(existing) = tx.node_at(dest.space.id, &dest.path).await? else {
            return Ok(());
        };
        if !replace {
            return Err(Error::conflict("exists", "something already has this name"));
        }
        tx.trash_node(&existing, by).await?;
        Ok(())
    }
}

/// What a write starts from ([`Files::look_for_write`]).
#[derive(Clone, Debug)]
pub struct Looked {
    place: Place,
    name: String,
    parent: NodeRecord,
    existing: Option<NodeRecord>,
}

impl Looked {
    /// The file the write would replace, as [`Files::stat`] gives it.
    pub fn existing(&self) -> Option<Entry> {
        self.existing
            .clone()
            .map(|node| entry_at(&self.place, node))
    }
}

/// A file being written: bytes go to a temporary blob; [`Writer::finish`]
/// makes it the file's content (a new version when the file existed).
/// Dropped unfinished, it leaves nothing behind.
pub struct Writer {
    place: Place,
    name: String,
    by: UserId,
    room: Option<i64>,
    blob: BlobWriter,
    ports: Ports,
    committer: Arc<commit::Committer>,
    seen: Seen,
}

/// What a write saw before its bytes came: its folder, and the file it
/// replaces. The commit changes them only if they are still so, in one
/// statement each; otherwise it looks again inside its transaction.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    parent_id: i64,
    existing: Option<NodeRecord>,
}

impl Writer {
    /// The file this write will replace, as it was when the write began.
    pub fn existing(&self) -> Option<&NodeRecord> {
        self.seen.existing.as_ref()
    }

    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some(room) = self.room {
            if (self.blob.size() + bytes.len() as u64) as i64 > room {
                return Err(quota_full());
            }
        }
        Ok(self.blob.write(bytes).await?)
    }

    pub fn written(&self) -> u64 {
        self.blob.size()
    }

    /// Makes the content durable and records it in one transaction: only
    /// then is the new content visible, whole. A small content is written
    /// in that transaction; a larger one is synced to disk before it.
    /// The hot path goes through the group commit (`commit.rs`), valid
    /// while the folder and the replaced file are as the write saw them;
    /// when they changed, the slow path looks again.
    pub async fn finish(self) -> Result<NodeRecord> {
        let blob = Arc::new(self.blob.complete().await?);
        let recorded = self
            .committer
            .record(
                self.place.clone(),
                self.seen,
                self.name.clone(),
                self.by,
                blob.clone(),
            )
            .await?;
        if let Some(node) = recorded {
            return Ok(node);
        }
        let written = Written {
            name: &self.name,
            by: self.by,
            blob: &blob,
        };
        commit_content(&self.ports, &self.place, &written).await
    }
}

/// Records a complete blob as the content of the file at `place`. Another
/// write of the same name may commit between this one's look and its
/// change (PostgreSQL runs writers side by side): it then looks again.
async fn commit_content(ports: &Ports, place: &Place, written: &Written<'_>) -> Result<NodeRecord> {
    const ATTEMPTS: usize = 16;
    for _ in 0..ATTEMPTS {
        if let Some(node) = try_commit_content(ports, place, written).await? {
            return Ok(node);
        }
    }
    Err(Error::conflict(
        "busy",
        "others are writing this file at the same moment; try again",
    ))
}

/// One attempt of [`commit_content`]; `None` when the file changed
/// between the look and the change.
async fn try_commit_content(
    ports: &Ports,
    place: &Place,
    written: &Written<'_>,
) -> Result<Option<NodeRecord>> {
    let Written { name, by, blob } = *written;
    let (size, blob) = (blob.size() as i64, blob.id());
    let mime = mime_of(name);
    let mut tx = ports.store.begin().await?;
    tx.hold_spaces(&[place.space.id]).await?;
    tx.keep_blob(written.blob).await?;
    let parent = parent_in_tx(&mut tx, place).await?;
    let node = match tx.node_at(place.space.id, &place.path).await? {
        Some(node) if node.is_dir => {
            return Err(Error::conflict("is_folder", "a folder has this name"))
        }
        Some(node) => {
            let content = Content {
                blob_id: blob.as_str(),
                size,
                mime: &mime,
                by: Some(by),
            };
            match tx.replace_content(&node, content).await? {
                Some(node) => node,
                None => return Ok(None),
            }
        }
        None => {
            let new = NewNode {
                space_id: place.space.id,
                parent_id: parent.id,
                path: &place.path,
                name,
                is_dir: false,
                size,
                blob_id: Some(blob.as_str()),
                mime: &mime,
                by: Some(by),
            };
            match tx.insert_node(new).await {
                Ok(node) => node,
                Err(bureau_store::StoreError::Conflict(_)) => return Ok(None),
                Err(other) => return Err(other.into()),
            }
        }
    };
    tx.commit().await?;
    Ok(Some(node))
}

/// A complete blob and what it is for.
pub(crate) struct Written<'a> {
    name: &'a str,
    by: UserId,
    blob: &'a Blob,
}

async fn parent_in_tx(tx: &mut Tx, place: &Place) -> Result<NodeRecord> {
    if place.path.is_empty() {
        return Err(Error::conflict("exists", "something already has this name"));
    }
    match tx.node_at(place.space.id, parent_of(&place.path)).await? {
        Some(parent) if parent.is_dir => Ok(parent),
        _ => Err(Error::conflict(
            "no_parent",
            "the folder to hold this does not exist",
        )),
    }
}

/// The entry at a place: the top of a team folder or of something shared
/// carries the name it has in the tree.
fn entry_at(place: &Place, node: NodeRecord) -> Entry {
    match &place.mount {
        Some(mount) => Entry {
            name: mount.clone(),
            node,
        },
        None => entry(&place.space, node),
    }
}

fn entry(space: &SpaceRecord, node: NodeRecord) -> Entry {
    let name = match (&space.name, node.path.is_empty()) {
        (Some(team), true) => team.clone(),
        _ => node.name.clone(),
    };
    Entry { name, node }
}

/// The path of the folder holding `path` (`''` for the root's children).
fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

/// `report.pdf` -> `report (2).pdf`.
fn numbered(name: &str, n: u32) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
        _ => format!("{name} ({n})"),
    }
}

pub fn mime_of(name: &str) -> String {
    mime_guess::from_path(name)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_string()
}

/// A grant to a group or person that does not exist (the foreign key
/// refused it).
fn unknown_grantee(err: bureau_store::StoreError) -> Error {
    match err {
        bureau_store::StoreError::Other(message)
            if message.to_lowercase().contains("foreign key") =>
        {
            Error::NotFound("no such group or person".into())
        }
        other => other.into(),
    }
}

fn team_name_taken(err: bureau_store::StoreError) -> Error {
    match err {
        bureau_store::StoreError::Conflict(_) => {
            Error::conflict("name_taken", "a team folder already has this name")
        }
        other => other.into(),
    }
}

fn require_admin(who: &Principal) -> Result<()> {
    if who.role != Role::Admin {
        return Err(Error::Forbidden(
            "only admins manage team folders and quotas".into(),
        ));
    }
    Ok(())
}

fn check_quota(quota: Option<i64>) -> Result<()> {
    if quota.is_some_and(|q| q < 0) {
        return Err(Error::invalid("quota", "a quota is 0 bytes or more"));
    }
    Ok(())
}

async fn team_in(tx: &mut Tx, id: i64) -> Result<SpaceRecord> {
    tx.space(id)
        .await?
        .filter(|s| s.owner_id.is_none())
        .ok_or_else(|| Error::NotFound("no such team folder".into()))
}

fn not_found() -> Error {
    Error::NotFound("no such file or folder".into())
}

fn quota_full() -> Error {
    Error::QuotaExceeded("this space is full: its quota is used up".into())
}

/// A unique-constraint refusal means someone took the name meanwhile.
fn exists(err: bureau_store::StoreError) -> Error {
    match err {
        bureau_store::StoreError::Conflict(_) => {
            Error::conflict("exists", "something already has this name")
        }
        other => other.into(),
    }
}

/// A random version-4 UUID, for lock tokens.
fn uuid_v4() -> String {
    let mut bytes = [0u8; 16];
    bureau_accounts::secrets::fill_random(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
