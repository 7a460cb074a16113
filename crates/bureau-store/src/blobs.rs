//! The Blobs port: immutable, content-addressed file contents.
//!
//! A blob is written to `tmp/` under a random name, synced, then renamed to
//! its SHA-256 address, so a blob is whole or absent: no reader ever sees a
//! partial one, and a crash leaves only a temporary file that
//! [`Blobs::sweep_tmp`] removes. Callers reference a blob in the Store only
//! after [`BlobWriter::finish`] returned.

use std::path::{Path, PathBuf};

use crate::{Result, StoreError};
use sha2::{Digest, Sha256};

/// The content address of a blob: the hex SHA-256 of its bytes. (Blobs
/// written before files existed are named by BLAKE2b-256; both are 64 hex
/// digits and are read the same way.)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlobId(String);

impl BlobId {
    pub fn of(bytes: &[u8]) -> BlobId {
        BlobId::from_digest(Sha256::digest(bytes).as_slice())
    }

    fn from_digest(digest: &[u8]) -> BlobId {
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

    /// Stores `bytes` durably and returns their address. Storing the same
    /// bytes twice is one blob.
    pub async fn put(&self, bytes: Vec<u8>) -> Result<BlobId> {
        let mut writer = self.writer().await?;
        writer.write(&bytes).await?;
        Ok(writer.finish().await?.0)
    }

    /// A writer that streams a new blob to disk, hashing as it goes.
    pub async fn writer(&self) -> Result<BlobWriter> {
        let tmp = self.tmp_path(&random_name());
        let path = tmp.clone();
        let file = tokio::task::spawn_blocking(move || std::fs::File::create(path))
            .await
            .map_err(|e| StoreError::Other(e.to_string()))?
            .map_err(io)?;
        Ok(BlobWriter {
            blobs: self.clone(),
            tmp,
            state: Some(Box::new((file, Sha256::new()))),
            pending: None,
            buffer: Vec::with_capacity(WRITE_BUFFER),
            size: 0,
            finished: false,
        })
    }

    /// A file in `tmp/` for bytes that arrive over several requests (tus).
    pub fn tmp_path(&self, name: &str) -> PathBuf {
        self.root.join("tmp").join(name)
    }

    /// Turns a complete file in `tmp/` (see [`Blobs::tmp_path`]) into a
    /// blob: hashes it, syncs it and renames it into place.
    pub async fn adopt(&self, tmp: PathBuf) -> Result<(BlobId, u64)> {
        let blobs = self.clone();
        tokio::task::spawn_blocking(move || {
            use std::io::Read;
            let mut file = std::fs::File::open(&tmp).map_err(io)?;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 256 * 1024];
            let mut size = 0u64;
            loop {
                let n = file.read(&mut buf).map_err(io)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                size += n as u64;
            }
            file.sync_all().map_err(io)?;
            let id = BlobId::from_digest(hasher.finalize().as_slice());
            blobs.place(&tmp, &id)?;
            Ok((id, size))
        })
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

    /// Opens a blob for streaming reads.
    pub async fn open_read(&self, id: &BlobId) -> Result<Option<tokio::fs::File>> {
        match tokio::fs::File::open(self.path_of(id)).await {
            Ok(file) => Ok(Some(file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Other(format!("opening blob: {e}"))),
        }
    }

    /// Every stored blob, with its age in seconds, for garbage collection.
    pub async fn list(&self) -> Result<Vec<(BlobId, u64)>> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            let now = std::time::SystemTime::now();
            for dir in std::fs::read_dir(&root).map_err(io)? {
                let dir = dir.map_err(io)?;
                if dir.file_name() == "tmp"
                    || dir.file_name() == "derived"
                    || !dir.file_type().map_err(io)?.is_dir()
                {
                    continue;
                }
                for entry in std::fs::read_dir(dir.path()).map_err(io)? {
                    let entry = entry.map_err(io)?;
                    let Some(id) = entry.file_name().to_str().and_then(BlobId::parse) else {
                        continue;
                    };
                    found.push((id, age_secs(&entry, now)));
                }
            }
            Ok(found)
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?
    }

    pub async fn remove(&self, id: &BlobId) -> Result<()> {
        match tokio::fs::remove_file(self.path_of(id)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        }
    }

    /// Removes temporary files older than `older_than_secs`: writes cut by a
    /// crash, and tus uploads abandoned past their expiry.
    pub async fn sweep_tmp(&self, older_than_secs: u64, keep: &[String]) -> Result<usize> {
        let tmp = self.root.join("tmp");
        let keep: std::collections::HashSet<String> = keep.iter().cloned().collect();
        tokio::task::spawn_blocking(move || {
            let now = std::time::SystemTime::now();
            let mut removed = 0;
            for entry in std::fs::read_dir(&tmp).map_err(io)? {
                let entry = entry.map_err(io)?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if age_secs(&entry, now) >= older_than_secs
                    && !keep.contains(&name)
                    && std::fs::remove_file(entry.path()).is_ok()
                {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?
    }

    /// Data derived from a blob (a thumbnail), named `KEY`: the blob's id
    /// first, so it can be dropped with the blob. `None` until made.
    pub async fn derived(&self, key: &str) -> Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.root.join("derived").join(key)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    /// Keeps derived data under `key` (written whole, then renamed).
    pub async fn put_derived(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let folder = self.root.join("derived");
        let tmp = self.tmp_path(&random_name());
        let target = folder.join(key);
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&folder)?;
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &target)
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?
        .map_err(io)
    }

    /// Removes derived data whose blob is not in `keep` (by id prefix).
    pub async fn sweep_derived(&self, keep: &std::collections::HashSet<String>) -> Result<usize> {
        let folder = self.root.join("derived");
        let keep = keep.clone();
        tokio::task::spawn_blocking(move || {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                return Ok(0);
            };
            let mut removed = 0;
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let blob = name.split('-').next().unwrap_or_default();
                if !keep.contains(blob) && std::fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?
    }

    pub fn path_of(&self, id: &BlobId) -> PathBuf {
        self.root.join(&id.0[..2]).join(&id.0)
    }

    /// Renames a synced temporary file to the blob's address.
    fn place(&self, tmp: &Path, id: &BlobId) -> Result<()> {
        let target = self.path_of(id);
        if target.exists() {
            let _ = std::fs::remove_file(tmp);
            return Ok(());
        }
        let folder = target.parent().expect("a blob path has a folder");
        let new_folder = !folder.exists();
        if new_folder {
            std::fs::create_dir_all(folder).map_err(io)?;
        }
        std::fs::rename(tmp, &target).map_err(io)?;
        // The new name is durable once its folder is synced (and the
        // folder's own name, when it was just made): only then may a row
        // refer to the blob.
        sync_folder(folder)?;
        if new_folder {
            sync_folder(&self.root)?;
        }
        Ok(())
    }
}

/// Bytes gathered before one write to disk: a write costs a trip to a
/// blocking thread, so it should carry much.
const WRITE_BUFFER: usize = 1024 * 1024;

type WriteState = Box<(std::fs::File, Sha256)>;

/// A blob being written. Bytes are gathered into 1 MiB buffers, each
/// written and hashed on a blocking thread while the next one fills, so
/// the network and the disk work at the same time and memory stays at two
/// buffers whatever the size. Dropped before [`BlobWriter::finish`], it
/// removes its temporary file: nothing partial is ever left under a
/// blob's name.
pub struct BlobWriter {
    blobs: Blobs,
    tmp: PathBuf,
    /// The file and the hash, while no write is under way.
    state: Option<WriteState>,
    /// The write under way, which gives them back.
    pending: Option<tokio::task::JoinHandle<std::io::Result<(WriteState, Vec<u8>)>>>,
    buffer: Vec<u8>,
    size: u64,
    finished: bool,
}

impl BlobWriter {
    pub async fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            let room = WRITE_BUFFER - self.buffer.len();
            let take = room.min(bytes.len());
            self.buffer.extend_from_slice(&bytes[..take]);
            self.size += take as u64;
            bytes = &bytes[take..];
            if self.buffer.len() == WRITE_BUFFER {
                self.spill().await?;
            }
        }
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Waits for the write under way and gets the file and hash back.
    async fn settle(&mut self) -> Result<()> {
        if let Some(pending) = self.pending.take() {
            let (state, mut spare) = pending
                .await
                .map_err(|e| StoreError::Other(e.to_string()))?
                .map_err(io)?;
            self.state = Some(state);
            if spare.capacity() >= WRITE_BUFFER && self.buffer.is_empty() {
                spare.clear();
                self.buffer = spare;
            }
        }
        Ok(())
    }

    /// Hands the full buffer to a blocking thread.
    async fn spill(&mut self) -> Result<()> {
        self.settle().await?;
        let mut state = self.state.take().expect("the state is back after settle");
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(WRITE_BUFFER));
        self.pending = Some(tokio::task::spawn_blocking(move || {
            use std::io::Write;
            state.0.write_all(&chunk)?;
            state.1.update(&chunk);
            Ok((state, chunk))
        }));
        Ok(())
    }

    /// Syncs the bytes to disk and puts the blob under its address.
    pub async fn finish(mut self) -> Result<(BlobId, u64)> {
        if !self.buffer.is_empty() {
            self.spill().await?;
        }
        self.settle().await?;
        let state = self.state.take().expect("the state is back after settle");
        let blobs = self.blobs.clone();
        let tmp = self.tmp.clone();
        let id = tokio::task::spawn_blocking(move || {
            let (file, hasher) = *state;
            file.sync_all().map_err(io)?;
            drop(file);
            let id = BlobId::from_digest(hasher.finalize().as_slice());
            blobs.place(&tmp, &id)?;
            Ok::<_, StoreError>(id)
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))??;
        self.finished = true;
        Ok((id, self.size))
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn sync_folder(folder: &Path) -> Result<()> {
    std::fs::File::open(folder)
        .and_then(|f| f.sync_all())
        .map_err(io)
}

/// Seconds since a folder entry was last modified (0 when unknown).
fn age_secs(entry: &std::fs::DirEntry, now: std::time::SystemTime) -> u64 {
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| now.duration_since(t).ok())
        .map_or(0, |d| d.as_secs())
}

fn random_name() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "w{}-{nanos:x}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Other(format!("blob storage: {e}"))
}
