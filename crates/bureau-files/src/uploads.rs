//! Resumable uploads (the tus protocol's state): an upload is a row that
//! says where the file goes and how many bytes are durably received, and a
//! temporary file in the blob folder. Each chunk is synced before its
//! offset is recorded, so an acknowledged offset survives a crash; bytes
//! past it (a chunk cut by the crash) are cut off when the upload resumes.
//! The file appears in the tree only when the last byte arrived, whole.

use bureau_core::{Error, Result};
use bureau_store::{NodeRecord, UploadRecord};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use crate::{commit_content, FilePath, Files, Place, ShareVisit, Tree};

/// An upload may resume for a week after it was created.
pub const UPLOAD_LIFETIME_MS: i64 = 7 * 86_400_000;
/// Largest upload: 64 GiB.
pub const MAX_UPLOAD_BYTES: i64 = 64 << 30;

/// A new upload: into which folder, under which name, how many bytes.
pub struct UploadSpec<'a> {
    pub folder: &'a FilePath,
    pub name: &'a str,
    pub length: i64,
}

/// Who is uploading: a person, or a visitor through a link.
pub enum Uploader<'a> {
    Person(&'a Tree),
    Visitor(&'a ShareVisit),
}

/// Bytes being appended to an upload by one request.
pub struct Appender {
    upload: UploadRecord,
    file: tokio::fs::File,
    written: i64,
}

impl Files {
    /// Opens an upload; the quota must have room for all of it.
    pub async fn create_upload(
        &self,
        who: Uploader<'_>,
        spec: UploadSpec<'_>,
    ) -> Result<UploadRecord> {
        if spec.length < 0 || spec.length > MAX_UPLOAD_BYTES {
            return Err(Error::TooLarge(format!(
                "an upload may be at most {} GiB",
                MAX_UPLOAD_BYTES >> 30
            )));
        }
        crate::check_name(spec.name)?;
        let (place, name, user_id, share_id) = match who {
            Uploader::Person(tree) => {
                let path = spec.folder.join(spec.name)?;
                let place = tree.locate(&path);
                place.writable()?;
                let (_, existing) = self.parent_and_target(&place).await?;
                if existing.is_some_and(|n| n.is_dir) {
                    return Err(Error::conflict("is_folder", "a folder has this name"));
                }
                let name = spec.name.to_string();
                (place, name, Some(tree.who.user_id), None)
            }
            Uploader::Visitor(visit) => {
                let (place, name) = self.visit_target(visit, spec.folder, spec.name).await?;
                (place, name, None, Some(visit.share.id))
            }
        };
        if let Some(room) = Files::room_in(&place.space)? {
            if spec.length > room {
                return Err(Error::QuotaExceeded(
                    "this file is larger than the room left in this space".into(),
                ));
            }
        }
        let now = bureau_core::time::now_ms();
        let upload = UploadRecord {
            id: bureau_accounts::secrets::new_secret("u"),
            user_id,
            share_id,
            space_id: place.space.id,
            folder_path: crate::parent_of(&place.path).to_string(),
            name,
            length: spec.length,
            received: 0,
            created_at: now,
            expires_at: now + UPLOAD_LIFETIME_MS,
        };
        tokio::fs::File::create(self.ports.blobs.tmp_path(&upload.id))
            .await
            .map_err(Error::internal)?;
        let mut tx = self.ports.store.begin().await?;
        tx.insert_upload(&upload).await?;
        tx.commit().await?;
        Ok(upload)
    }

    /// An upload of this uploader. Someone else's upload is "not found".
    pub async fn upload(&self, who: Uploader<'_>, id: &str) -> Result<UploadRecord> {
        let upload = self
            .ports
            .store
            .upload(id)
            .await?
            .filter(|u| u.expires_at > bureau_core::time::now_ms())
            .filter(|u| match &who {
                Uploader::Person(tree) => u.user_id == Some(tree.who.user_id),
                Uploader::Visitor(visit) => u.share_id == Some(visit.share.id),
            })
            .ok_or_else(|| Error::NotFound("no such upload, or it expired".into()))?;
        Ok(upload)
    }

    /// Starts appending at `offset`, which must be the bytes received so
    /// far (else a conflict, as tus says).
    pub async fn append(&self, upload: UploadRecord, offset: i64) -> Result<Appender> {
        if offset != upload.received {
            return Err(Error::conflict(
                "offset_mismatch",
                format!(
                    "this upload has {} bytes; send from there, not from {offset}",
                    upload.received
                ),
            ));
        }
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(self.ports.blobs.tmp_path(&upload.id))
            .await
            .map_err(Error::internal)?;
        // Bytes after the acknowledged offset were never acknowledged.
        file.set_len(offset as u64).await.map_err(Error::internal)?;
        file.seek(std::io::SeekFrom::Start(offset as u64))
            .await
            .map_err(Error::internal)?;
        Ok(Appender {
            upload,
            file,
            written: 0,
        })
    }

    /// Syncs what an appender wrote and records the new offset. Returns the
    /// upload as it now stands.
    pub async fn commit_append(&self, mut appender: Appender) -> Result<UploadRecord> {
        appender.file.flush().await.map_err(Error::internal)?;
        appender.file.sync_data().await.map_err(Error::internal)?;
        let from = appender.upload.received;
        let to = from + appender.written;
        let mut tx = self.ports.store.begin().await?;
        if !tx.set_received(&appender.upload.id, from, to).await? {
            return Err(Error::conflict(
                "offset_mismatch",
                "another request wrote to this upload meanwhile",
            ));
        }
        tx.commit().await?;
        Ok(UploadRecord {
            received: to,
            ..appender.upload
        })
    }

    /// Turns a complete upload into a file: its bytes become a blob, the
    /// blob the file's content (a new version over an existing file; a
    /// free name in a drop box).
    pub async fn finish_upload(
        &self,
        who: Uploader<'_>,
        upload: &UploadRecord,
    ) -> Result<NodeRecord> {
        if upload.received != upload.length {
            return Err(Error::conflict("incomplete", "this upload is not complete"));
        }
        let space = self
            .ports
            .store
            .space(upload.space_id)
            .await?
            .ok_or_else(crate::not_found)?;
        let blob = self
            .ports
            .blobs
            .adopt(self.ports.blobs.tmp_path(&upload.id))
            .await?;
        let path = crate::join(&upload.folder_path, &upload.name);
        let node = match who {
            Uploader::Person(tree) => {
                let access = tree
                    .access_at(space.id, &path)
                    .ok_or_else(crate::not_found)?;
                let place = Place {
                    space,
                    path,
                    access,
                    mount: None,
                };
                place.writable()?;
                let written = crate::Written {
                    name: &upload.name,
                    by: tree.who.user_id,
                    blob: &blob,
                };
                commit_content(&self.ports, &place, &written).await?
            }
            Uploader::Visitor(visit) => {
                let shared = &visit.node.path;
                let inside =
                    upload.folder_path == *shared || crate::is_below(&upload.folder_path, shared);
                if space.id != visit.space.id || !inside {
                    return Err(crate::not_found());
                }
                let sub = FilePath::parse(&upload.folder_path[shared.len()..])?;
                let (place, name) = self.visit_target(visit, &sub, &upload.name).await?;
                self.visit_commit(visit, &place, &name, &blob).await?
            }
        };
        let mut tx = self.ports.store.begin().await?;
        tx.delete_upload(&upload.id).await?;
        tx.commit().await?;
        Ok(node)
    }

    /// Abandons an upload and its bytes.
    pub async fn cancel_upload(&self, upload: &UploadRecord) -> Result<()> {
        let mut tx = self.ports.store.begin().await?;
        tx.delete_upload(&upload.id).await?;
        tx.commit().await?;
        let _ = tokio::fs::remove_file(self.ports.blobs.tmp_path(&upload.id)).await;
        Ok(())
    }
}

impl Appender {
    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        if self.upload.received + self.written + bytes.len() as i64 > self.upload.length {
            return Err(Error::invalid(
                "Upload-Length",
                "more bytes than the upload's length",
            ));
        }
        self.file.write_all(bytes).await.map_err(Error::internal)?;
        self.written += bytes.len() as i64;
        Ok(())
    }
}
