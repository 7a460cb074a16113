//! Share links: a file or folder opened to people without an account, to
//! read, to read and write, or only to drop files in (a client sends files
//! without seeing anyone's). Only the hash of a link's secret is stored;
//! the link is shown once, when made.

use bureau_accounts::secrets;
use bureau_core::{Error, Result};
use bureau_store::{BlobReader, NodeRecord, ShareRecord, SpaceRecord};

use crate::{
    commit_content, entry, not_found, numbered, Access, Entry, FilePath, Files, Place, Tree,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareMode {
    Read,
    Write,
    /// Upload only: the visitor sees nothing of what the folder holds.
    Drop,
}

impl ShareMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ShareMode::Read => "read",
            ShareMode::Write => "write",
            ShareMode::Drop => "drop",
        }
    }

    pub fn parse(text: &str) -> Option<ShareMode> {
        match text {
            "read" => Some(ShareMode::Read),
            "write" => Some(ShareMode::Write),
            "drop" => Some(ShareMode::Drop),
            _ => None,
        }
    }
}

/// A new link, as its maker describes it.
pub struct ShareSpec<'a> {
    pub mode: ShareMode,
    pub password: Option<&'a str>,
    pub expires_at: Option<i64>,
    pub max_downloads: Option<i64>,
}

/// An opened link: what it reaches, checked (not revoked, not expired,
/// password given).
#[derive(Clone, Debug)]
pub struct ShareVisit {
    pub share: ShareRecord,
    pub mode: ShareMode,
    pub node: NodeRecord,
    pub space: SpaceRecord,
    /// Proof of the password for the visitor's next requests, so the
    /// password is hashed once per visit, not once per file.
    pub pass: Option<String>,
}

impl ShareVisit {
    /// The place of `sub` (a path below the shared folder).
    fn place(&self, sub: &FilePath, access: Access) -> Result<Place> {
        if !self.node.is_dir && !sub.is_root() {
            return Err(not_found());
        }
        let mut path = self.node.path.clone();
        for name in sub.names() {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(name);
        }
        Ok(Place {
            space: self.space.clone(),
            path,
            access,
            mount: None,
        })
    }

    fn reading(&self) -> Result<Access> {
        match self.mode {
            ShareMode::Drop => Err(Error::Forbidden(
                "this link only receives files; it shows nothing".into(),
            )),
            ShareMode::Read => Ok(Access::Read),
            ShareMode::Write => Ok(Access::Write),
        }
    }
}

impl Files {
    /// Makes a link to the file or folder at `path`. Reading links need
    /// read access; writing and drop links need write access; guests make
    /// no links. Returns the record and the link's secret.
    pub async fn share(
        &self,
        tree: &Tree,
        path: &FilePath,
        spec: ShareSpec<'_>,
    ) -> Result<(ShareRecord, String)> {
        if tree.who.role == bureau_core::Role::Guest {
            return Err(Error::Forbidden("guests cannot make share links".into()));
        }
        let place = tree.locate(path);
        if spec.mode != ShareMode::Read {
            place.writable()?;
        }
        let node = self.node_at(&place).await?;
        if spec.mode == ShareMode::Drop && !node.is_dir {
            return Err(Error::invalid("mode", "a drop box link needs a folder"));
        }
        let now = bureau_core::time::now_ms();
        if spec.expires_at.is_some_and(|at| at <= now) {
            return Err(Error::invalid("expires_at", "the expiry is already past"));
        }
        if spec.max_downloads.is_some_and(|n| n < 1) {
            return Err(Error::invalid(
                "max_downloads",
                "allow at least one download",
            ));
        }
        let password_hash = match spec.password.filter(|p| !p.is_empty()) {
            Some(password) => Some(bureau_accounts::hash_password(password).await?),
            None => None,
        };
        let secret = secrets::new_secret("");
        let record = ShareRecord {
            id: 0,
            node_id: node.id,
            token_hash: secrets::hash(&secret),
            mode: spec.mode.as_str().into(),
            password_hash,
            expires_at: spec.expires_at,
            max_downloads: spec.max_downloads,
            downloads: 0,
            created_by: tree.who.user_id,
            created_at: now,
            revoked_at: None,
        };
        let mut tx = self.ports.store.begin().await?;
        let record = tx.insert_share(&record).await?;
        tx.commit().await?;
        Ok((record, secret))
    }

    /// The live links to the file or folder at `path`.
    pub async fn shares(&self, tree: &Tree, path: &FilePath) -> Result<Vec<ShareRecord>> {
        let place = tree.locate(path);
        let node = self.node_at(&place).await?;
        Ok(self.ports.store.shares_of(node.id).await?)
    }

    /// Ends a link: its maker, or anyone who may write where it points.
    pub async fn revoke_share(&self, tree: &Tree, id: i64) -> Result<()> {
        let share = self
            .ports
            .store
            .share(id)
            .await?
            .ok_or_else(|| Error::NotFound("no such link".into()))?;
        let node = self
            .ports
            .store
            .node(share.node_id)
            .await?
            .ok_or_else(not_found)?;
        let access = tree
            .access_at(node.space_id, &node.path)
            .ok_or_else(|| Error::NotFound("no such link".into()))?;
        if share.created_by != tree.who.user_id && access != Access::Write {
            return Err(Error::Forbidden(
                "only its maker or a writer may end this link".into(),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        tx.revoke_share(id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a link. Revoked, expired, unknown and wrongly-passworded links
    /// all give nothing; `password` or `pass` (from an earlier visit) must
    /// match when the link has a password.
    pub async fn visit(
        &self,
        secret: &str,
        password: Option<&str>,
        pass: Option<&str>,
    ) -> Result<ShareVisit> {
        let gone =
            || Error::NotFound("this link does not exist, has expired or was revoked".into());
        let share = self
            .ports
            .store
            .share_by_hash(&secrets::hash(secret))
            .await?
            .ok_or_else(gone)?;
        let now = bureau_core::time::now_ms();
        if share.revoked_at.is_some() || share.expires_at.is_some_and(|at| at <= now) {
            return Err(gone());
        }
        let mode = ShareMode::parse(&share.mode)
            .ok_or_else(|| Error::internal("a stored link has an unknown mode"))?;
        let node = self
            .ports
            .store
            .node(share.node_id)
            .await?
            .filter(|n| n.trash_id == 0)
            .ok_or_else(gone)?;
        let space = self
            .ports
            .store
            .space(node.space_id)
            .await?
            .ok_or_else(gone)?;
        let pass = match &share.password_hash {
            None => None,
            Some(hash) => {
                let expected = secrets::hash(&format!("{secret}:{hash}"));
                if pass == Some(expected.as_str()) {
                    Some(expected)
                } else {
                    let key = format!("share:{}", share.id);
                    self.limiter.check_failures(&key, 10)?;
                    let given = password.unwrap_or_default().to_string();
                    if given.is_empty() {
                        return Err(Error::Unauthenticated(
                            "this link needs its password".into(),
                        ));
                    }
                    if !bureau_accounts::verify_password(&given, Some(hash.clone())).await {
                        self.limiter.record_failure(&key);
                        return Err(Error::Unauthenticated(
                            "wrong password for this link".into(),
                        ));
                    }
                    Some(expected)
                }
            }
        };
        Ok(ShareVisit {
            share,
            mode,
            node,
            space,
            pass,
        })
    }

    /// What the shared folder (or `sub` below it) holds.
    pub async fn visit_list(&self, visit: &ShareVisit, sub: &FilePath) -> Result<Vec<Entry>> {
        let place = visit.place(sub, visit.reading()?)?;
        let folder = self.node_at(&place).await?;
        if !folder.is_dir {
            return Err(Error::invalid("path", "this is a file, not a folder"));
        }
        Ok(self
            .ports
            .store
            .children(folder.id)
            .await?
            .into_iter()
            .map(|node| entry(&visit.space, node))
            .collect())
    }

    /// The shared file (or a file below the shared folder), counting one
    /// download against the link's limit.
    pub async fn visit_open(
        &self,
        visit: &ShareVisit,
        sub: &FilePath,
    ) -> Result<(Entry, BlobReader)> {
        let place = visit.place(sub, visit.reading()?)?;
        let node = self.node_at(&place).await?;
        let file = self.content_of(&node).await?;
        if visit.share.max_downloads.is_some() {
            let mut tx = self.ports.store.begin().await?;
            if !tx.count_download(visit.share.id).await? {
                return Err(Error::Forbidden(
                    "this link has reached its download limit".into(),
                ));
            }
            tx.commit().await?;
        }
        Ok((entry(&visit.space, node), file))
    }

    /// Where a visitor's upload named `name` goes in `sub`: for a drop box,
    /// a free name (never over someone's file); for a writing link, the
    /// name itself.
    pub(crate) async fn visit_target(
        &self,
        visit: &ShareVisit,
        sub: &FilePath,
        name: &str,
    ) -> Result<(Place, String)> {
        let access = match visit.mode {
            ShareMode::Read => return Err(Error::Forbidden("this link only lets you read".into())),
            ShareMode::Write | ShareMode::Drop => Access::Write,
        };
        let folder = visit.place(sub, access)?;
        let folder_node = self.node_at(&folder).await?;
        if !folder_node.is_dir {
            return Err(Error::invalid("path", "files go into a folder"));
        }
        let mut name = crate::check_name(name)?.to_string();
        if visit.mode == ShareMode::Drop {
            let original = name.clone();
            let mut n = 1;
            while self
                .ports
                .store
                .node_at(folder.space.id, &crate::join(&folder.path, &name))
                .await?
                .is_some()
            {
                n += 1;
                name = numbered(&original, n);
            }
        }
        let path = crate::join(&folder.path, &name);
        Ok((Place { path, ..folder }, name))
    }

    /// Stores a complete blob sent through a link (see [`Files::visit_target`]).
    pub(crate) async fn visit_commit(
        &self,
        visit: &ShareVisit,
        place: &Place,
        name: &str,
        blob: &bureau_store::Blob,
    ) -> Result<NodeRecord> {
        let written = crate::Written {
            name,
            by: visit.share.created_by,
            blob,
        };
        commit_content(&self.ports, place, &written).await
    }
}
