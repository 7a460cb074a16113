//! The Blobs port: immutable, content-addressed file contents.

use std::path::{Path, PathBuf};

use blake2::{Blake2b, Digest};

use crate::{Result, StoreError};

/// The content address of a blob: the hex BLAKE2b-256 of its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlobId(String);

impl BlobId {
    pub fn of(bytes: &[u8]) -> BlobId {
        let digest = Blake2b::<blake2::digest::consts::U32>::digest(bytes);
        BlobId(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Accepts only the 64 lowercase hex digits a [`BlobId`] is made of.
    pub fn parse(text: &str) -> Option<BlobId> {
        let valid =
            text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| BlobId(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Blob storage in a local folder (`s3://` comes later).
#[derive(Clone, Debug)]
pub struct Blobs {
    root: PathBuf,
}

impl Blobs {
    /// Opens blob storage at `url`: a folder path, or `file:PATH`.
    pub fn open(url: &str) -> Result<Blobs> {
        if url.starts_with("s3://") {
            return Err(StoreError::Unsupported(
                "s3:// blob storage is not built into bureau yet; use a folder for --blob-url"
                    .into(),
            ));
        }
        let root = PathBuf::from(url.strip_prefix("file:").unwrap_or(url));
        std::fs::create_dir_all(root.join("tmp")).map_err(|e| {
            StoreError::Other(format!("creating blob folder {}: {e}", root.display()))
        })?;
        Ok(Blobs { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stores `bytes` durably (written, synced, then renamed into place) and
    /// returns their address. Storing the same bytes twice is one blob.
    pub async fn put(&self, bytes: Vec<u8>) -> Result<BlobId> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || put_blocking(&root, &bytes))
            .await
            .map_err(|e| StoreError::Other(e.to_string()))?
    }

    pub async fn get(&self, id: &BlobId) -> Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path_of(id)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Other(format!("reading blob: {e}"))),
        }
    }

    fn path_of(&self, id: &BlobId) -> PathBuf {
        self.root.join(&id.0[..2]).join(&id.0)
    }
}

fn put_blocking(root: &Path, bytes: &[u8]) -> Result<BlobId> {
    use std::io::Write;
    let id = BlobId::of(bytes);
    let dir = root.join(&id.0[..2]);
    let target = dir.join(&id.0);
    if target.exists() {
        return Ok(id);
    }
    let io = |e: std::io::Error| StoreError::Other(format!("writing blob: {e}"));
    std::fs::create_dir_all(&dir).map_err(io)?;
    let tmp = root
        .join("tmp")
        .join(format!("{}.{}", id.0, std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, &target).map_err(io)?;
    Ok(id)
}
