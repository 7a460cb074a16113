//! The Blobs port: immutable, content-addressed file contents, in two
//! tiers.
//!
//! - A blob of more than [`SMALL_MAX`] bytes is a file. It is written to
//!   `tmp/` under a random name, synced, then renamed to its SHA-256
//!   address and its folder synced, so a blob is whole or absent: no
//!   reader ever sees a partial one, and a crash leaves only a temporary
//!   file that [`Blobs::sweep_tmp`] removes.
//! - A smaller blob is a row of the Store's `small_blobs`, written in the
//!   transaction that first references it ([`BlobWriter::complete`], then
//!   [`Tx::keep_blob`]), or in one of its own ([`BlobWriter::finish`]). A
//!   file would cost an inode, two syncs and a rename, which is most of
//!   the time a small WebDAV PUT takes; a row is durable with the
//!   transaction naming it.
//!
//! Either way, callers reference a blob in the Store only once it is
//! durable: after [`BlobWriter::finish`] returned, or in the transaction
//! that kept the [`Blob`] from [`BlobWriter::complete`]. Readers do not
//! need to know the tier: [`Blobs::open_read`] and [`Blobs::get`] look in
//! both.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::{Result, Store, StoreError, Tx};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncSeek, ReadBuf};

/// The largest blob kept in the Store rather than as a file. Most files a
/// WebDAV client syncs from a source tree or a settings folder are below
/// it, and the database grows by at most this much per distinct content.
pub const SMALL_MAX: usize = 32 * 1024;

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
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(digest.len() * 2);
        for byte in digest {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 15)]));
        }
        BlobId(text)
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

/// Blob storage in a local folder (`s3://` comes later), small blobs in
/// the Store.
#[derive(Clone)]
pub struct Blobs {
    root: PathBuf,
    store: Store,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blobs").field("root", &self.root).finish()
    }
}

impl Blobs {
    /// Opens blob storage at `url` (a folder path, or `file:PATH`), with
    /// the small blobs in `store`.
    pub fn open(url: &str, store: Store) -> Result<Blobs> {
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
        Ok(Blobs { root, store })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stores `bytes` durably and returns their address. Storing the same
    /// bytes twice is one blob.
    pub async fn put(&self, bytes: Vec<u8>) -> Result<BlobId> {
        let mut writer = self.writer();
        writer.write(&bytes).await?;
        Ok(writer.finish().await?.0)
    }

    /// A writer for a new blob, hashing as it goes. Its file is made only
    /// when the bytes outgrow a small blob.
    pub fn writer(&self) -> BlobWriter {
        BlobWriter {
            blobs: self.clone(),
            tmp: self.tmp_path(&random_name()),
            state: Some(Box::new((None, Sha256::new()))),
            pending: None,
            buffer: Vec::new(),
            size: 0,
            finished: false,
            syncing: None,
            synced: 0,
        }
    }

    /// A file in `tmp/` for bytes that arrive over several requests (tus).
    pub fn tmp_path(&self, name: &str) -> PathBuf {
        self.root.join("tmp").join(name)
    }

    /// Turns a complete file in `tmp/` (see [`Blobs::tmp_path`]) into a
    /// blob: hashes it, syncs it and renames it into place. It stays a
    /// file whatever its size.
    pub async fn adopt(&self, tmp: PathBuf) -> Result<Blob> {
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
            Ok(Blob {
                id,
                size,
                small: None,
            })
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?
    }

    /// A blob's bytes, whole. A file is looked for first: a missing one
    /// costs a failed `open`, where a query would cost a round trip.
    pub async fn get(&self, id: &BlobId) -> Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path_of(id)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.store.small_blob(id.as_str()).await
            }
            Err(e) => Err(StoreError::Other(format!("reading blob: {e}"))),
        }
    }

    /// Opens a blob for streaming reads.
    pub async fn open_read(&self, id: &BlobId) -> Result<Option<BlobReader>> {
        let path = self.path_of(id);
        let opened = tokio::task::spawn_blocking(move || {
            std::fs::File::open(path).and_then(FileReader::new)
        })
        .await
        .map_err(|e| StoreError::Other(format!("opening blob: {e}")))?;
        match opened {
            Ok(file) => Ok(Some(BlobReader::File(file))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(self
                .store
                .small_blob(id.as_str())
                .await?
                .map(|bytes| BlobReader::Small(std::io::Cursor::new(bytes)))),
            Err(e) => Err(StoreError::Other(format!("opening blob: {e}"))),
        }
    }

    /// Every stored blob, with its age in seconds, for garbage collection.
    pub async fn list(&self) -> Result<Vec<(BlobId, u64)>> {
        let now = bureau_core::time::now_ms();
        let mut found: Vec<(BlobId, u64)> = self
            .store
            .small_blobs()
            .await?
            .into_iter()
            .filter_map(|(id, kept)| {
                let age = u64::try_from((now - kept) / 1000).unwrap_or(0);
                Some((BlobId::parse(&id)?, age))
            })
            .collect();
        found.extend(self.list_files().await?);
        Ok(found)
    }

    async fn list_files(&self) -> Result<Vec<(BlobId, u64)>> {
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

    /// Removes a blob that nothing references, in both tiers. A small
    /// blob that a writer kept in the last `older_than_secs` stays: a new
    /// row may be about to name it.
    pub async fn remove(&self, id: &BlobId, older_than_secs: u64) -> Result<()> {
        let cutoff = bureau_core::time::now_ms()
            - i64::try_from(older_than_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.store.remove_small_blob(id.as_str(), cutoff).await?;
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
        let folder = target.parent().expect("a blob path has a folder");
        if target.exists() {
            let _ = std::fs::remove_file(tmp);
            // Its writer may not have synced the folder yet.
            return sync_folder(folder);
        }
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

/// Bytes written between two background syncs of a large blob.
const SYNC_EVERY: u64 = 64 * 1024 * 1024;

/// The temporary file (once made) and the hash so far.
type WriteState = Box<(Option<std::fs::File>, Sha256)>;

/// A blob being written. Bytes are gathered into 1 MiB buffers, each
/// written on a blocking thread (and hashed on a second one meanwhile)
/// while the next one fills, so the network and the disk work at the same
/// time and memory stays at two buffers whatever the size. Bytes that
/// never fill a buffer and fit a small blob never touch the disk. Dropped
/// before it is finished, it removes its temporary file: nothing partial
/// is ever left under a blob's name.
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
    /// A sync of what was written so far, under way beside the writes, so
    /// the disk works while bytes still arrive and the sync at the end has
    /// little left to do.
    syncing: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Bytes handed to the file when the last background sync started.
    synced: u64,
}

impl BlobWriter {
    pub async fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            if self.buffer.len() + bytes.len() > SMALL_MAX && self.buffer.capacity() < WRITE_BUFFER
            {
                // Past a small blob: one allocation for the whole buffer.
                self.buffer.reserve_exact(WRITE_BUFFER - self.buffer.len());
            }
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

    /// Hands the buffer to a blocking thread, which makes the temporary
    /// file on the first one.
    async fn spill(&mut self) -> Result<()> {
        self.settle().await?;
        self.sync_in_background().await?;
        let mut state = self.state.take().expect("the state is back after settle");
        let chunk = std::mem::take(&mut self.buffer);
        let tmp = self.tmp.clone();
        self.pending = Some(tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let file = match &mut state.0 {
                Some(file) => file,
                empty => empty.insert(std::fs::File::create(&tmp)?),
            };
            // The hash on a thread of its own while the kernel copies the
            // bytes into its cache: both passes over the buffer at once.
            let hasher = &mut state.1;
            std::thread::scope(|scope| {
                scope.spawn(|| hasher.update(&chunk));
                file.write_all(&chunk)
            })?;
            Ok((state, chunk))
        }));
        Ok(())
    }

    /// Starts a sync of the file beside the writes once [`SYNC_EVERY`]
    /// more bytes were written and the last one is done.
    async fn sync_in_background(&mut self) -> Result<()> {
        let written = self.size - self.buffer.len() as u64;
        if written - self.synced < SYNC_EVERY
            || self
                .syncing
                .as_ref()
                .is_some_and(|sync| !sync.is_finished())
        {
            return Ok(());
        }
        if let Some(done) = self.syncing.take() {
            done.await
                .map_err(|e| StoreError::Other(e.to_string()))?
                .map_err(io)?;
        }
        let Some(file) = self.state.as_ref().and_then(|state| state.0.as_ref()) else {
            return Ok(());
        };
        let file = file.try_clone().map_err(io)?;
        self.synced = written;
        self.syncing = Some(tokio::task::spawn_blocking(move || file.sync_data()));
        Ok(())
    }

    /// The bytes of a blob small enough for the Store, when nothing went
    /// to disk: with its id, taken out of the writer.
    fn take_small(&mut self) -> Option<(BlobId, Vec<u8>)> {
        let untouched =
            self.pending.is_none() && self.state.as_ref().is_some_and(|state| state.0.is_none());
        if !untouched || self.buffer.len() > SMALL_MAX {
            return None;
        }
        let bytes = std::mem::take(&mut self.buffer);
        self.finished = true;
        Some((BlobId::of(&bytes), bytes))
    }

    /// Makes the blob durable and returns its id and size: a small one in
    /// a transaction of its own, a file synced under its address.
    pub async fn finish(self) -> Result<(BlobId, u64)> {
        let store = self.blobs.store.clone();
        let blob = self.complete().await?;
        if blob.small.is_some() {
            let mut tx = store.begin().await?;
            tx.keep_blob(&blob).await?;
            tx.commit().await?;
        }
        Ok((blob.id, blob.size))
    }

    /// Ends the write: a file is synced under its address before this
    /// returns; a small blob is durable only once a transaction keeps it
    /// ([`Tx::keep_blob`]), which should be the one that references it.
    pub async fn complete(mut self) -> Result<Blob> {
        let size = self.size;
        if let Some((id, bytes)) = self.take_small() {
            return Ok(Blob {
                id,
                size,
                small: Some(bytes),
            });
        }
        let (id, size) = self.finish_file().await?;
        Ok(Blob {
            id,
            size,
            small: None,
        })
    }

    /// Syncs the bytes to disk and puts the blob under its address.
    async fn finish_file(mut self) -> Result<(BlobId, u64)> {
        // Not small: bytes are still buffered, or the file holds them all.
        if !self.buffer.is_empty() {
            self.spill().await?;
        }
        self.settle().await?;
        if let Some(done) = self.syncing.take() {
            done.await
                .map_err(|e| StoreError::Other(e.to_string()))?
                .map_err(io)?;
        }
        let state = self.state.take().expect("the state is back after settle");
        let blobs = self.blobs.clone();
        let tmp = self.tmp.clone();
        let id = tokio::task::spawn_blocking(move || {
            let (file, hasher) = *state;
            let file = file.expect("the file is made by the first spill");
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

/// A complete blob ([`BlobWriter::complete`]): a file already durable, or
/// a small blob's bytes, durable once a transaction keeps them.
#[must_use = "a small blob exists only once a transaction keeps it"]
#[derive(Debug)]
pub struct Blob {
    id: BlobId,
    size: u64,
    small: Option<Vec<u8>>,
}

impl Blob {
    pub fn id(&self) -> &BlobId {
        &self.id
    }

    pub fn size(&self) -> u64 {
        self.size
    }
}

impl Tx {
    /// Keeps a blob in this transaction: a small blob's bytes become durable
    /// with it (the same bytes kept twice are one row); a file already is.
    pub async fn keep_blob(&mut self, blob: &Blob) -> Result<()> {
        self.keep_blobs(&[blob]).await
    }

    /// [`Tx::keep_blob`] for several blobs, in one statement.
    pub async fn keep_blobs(&mut self, blobs: &[&Blob]) -> Result<()> {
        let small: Vec<(&str, &[u8])> = blobs
            .iter()
            .filter_map(|blob| Some((blob.id.as_str(), blob.small.as_deref()?)))
            .collect();
        self.keep_small_blobs(&small).await
    }
}

/// A blob opened for reading: a file, or a small blob's bytes.
#[derive(Debug)]
pub enum BlobReader {
    File(FileReader),
    Small(std::io::Cursor<Vec<u8>>),
}

impl BlobReader {
    /// The next bytes, at most `max` of them; empty at the end. A file's
    /// come without a copy from what was read ahead.
    pub async fn read_chunk(&mut self, max: usize) -> std::io::Result<bytes::Bytes> {
        match self {
            BlobReader::File(file) => {
                std::future::poll_fn(|cx| file.poll_fill(cx)).await?;
                Ok(file.take(max))
            }
            BlobReader::Small(cursor) => {
                let at = usize::try_from(cursor.position())
                    .unwrap_or(usize::MAX)
                    .min(cursor.get_ref().len());
                let end = at + max.min(cursor.get_ref().len() - at);
                cursor.set_position(end as u64);
                Ok(bytes::Bytes::copy_from_slice(&cursor.get_ref()[at..end]))
            }
        }
    }

    /// The rest of the blob as a stream of chunks, for a response body.
    pub fn into_stream(
        self,
    ) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send {
        futures_util::stream::try_unfold(self, |mut reader| async move {
            let chunk = reader.read_chunk(READ_AHEAD).await?;
            Ok((!chunk.is_empty()).then_some((chunk, reader)))
        })
    }
}

impl AsyncRead for BlobReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            BlobReader::File(file) => {
                std::task::ready!(file.poll_fill(cx))?;
                let chunk = file.take(buf.remaining());
                buf.put_slice(&chunk);
                Poll::Ready(Ok(()))
            }
            BlobReader::Small(bytes) => Pin::new(bytes).poll_read(cx, buf),
        }
    }
}

impl AsyncSeek for BlobReader {
    fn start_seek(self: Pin<&mut Self>, position: std::io::SeekFrom) -> std::io::Result<()> {
        match self.get_mut() {
            BlobReader::File(file) => file.seek(position),
            BlobReader::Small(bytes) => Pin::new(bytes).start_seek(position),
        }
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<u64>> {
        match self.get_mut() {
            BlobReader::File(file) => Poll::Ready(Ok(file.pos)),
            BlobReader::Small(bytes) => Pin::new(bytes).poll_complete(cx),
        }
    }
}

/// How much of a blob file one read takes. A reader holds at most two
/// such chunks: the one being sent and the one read ahead.
const READ_AHEAD: usize = 512 * 1024;

/// A blob file, read ahead on the blocking pool: while the caller sends
/// one chunk, the next is read, into a buffer the caller then takes whole
/// (tokio's own file reads into a buffer of its own and copies from it).
#[derive(Debug)]
pub struct FileReader {
    file: std::sync::Arc<std::fs::File>,
    len: u64,
    /// Where the caller's next byte is.
    pos: u64,
    /// The bytes from `pos` on that were already read.
    ready: bytes::Bytes,
    /// The read in flight, and where it started. Only one runs at a time:
    /// they share the file's cursor.
    ahead: Option<(u64, tokio::task::JoinHandle<std::io::Result<bytes::Bytes>>)>,
}

impl FileReader {
    fn new(file: std::fs::File) -> std::io::Result<FileReader> {
        let len = file.metadata()?.len();
        Ok(FileReader {
            file: std::sync::Arc::new(file),
            len,
            pos: 0,
            ready: bytes::Bytes::new(),
            ahead: None,
        })
    }

    /// Makes `ready` hold bytes, unless the file is read to its end, and
    /// starts reading the chunk after them.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        loop {
            if !self.ready.is_empty() {
                let next = self.pos + self.ready.len() as u64;
                if self.ahead.is_none() && next < self.len {
                    self.start_read(next);
                }
                return Poll::Ready(Ok(()));
            }
            if let Some((at, read)) = &mut self.ahead {
                let at = *at;
                let result = std::task::ready!(std::future::Future::poll(Pin::new(read), cx));
                self.ahead = None;
                let bytes = result.map_err(std::io::Error::other)??;
                // A read begun before a seek is of no use any more.
                if at == self.pos {
                    if bytes.is_empty() {
                        return Poll::Ready(Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "a blob file is shorter than it was",
                        )));
                    }
                    self.ready = bytes;
                }
                continue;
            }
            if self.pos >= self.len {
                return Poll::Ready(Ok(()));
            }
            self.start_read(self.pos);
        }
    }

    fn start_read(&mut self, at: u64) {
        let (file, want) = (self.file.clone(), (self.len - at).min(READ_AHEAD as u64));
        let read = tokio::task::spawn_blocking(move || read_at(&file, at, want));
        self.ahead = Some((at, read));
    }

    /// Takes at most `max` of the bytes ready.
    fn take(&mut self, max: usize) -> bytes::Bytes {
        let chunk = self.ready.split_to(max.min(self.ready.len()));
        self.pos += chunk.len() as u64;
        chunk
    }

    fn seek(&mut self, position: std::io::SeekFrom) -> std::io::Result<()> {
        let target = match position {
            std::io::SeekFrom::Start(at) => Some(at),
            std::io::SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            std::io::SeekFrom::Current(delta) => self.pos.checked_add_signed(delta),
        };
        let target = target.ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a seek before the start of a blob",
            )
        })?;
        if target != self.pos {
            self.pos = target;
            self.ready = bytes::Bytes::new();
        }
        Ok(())
    }
}

/// Reads `want` bytes at `at` into a buffer of their own. Reading through
/// `Read::read_to_end` fills the buffer without zeroing it first.
fn read_at(file: &std::fs::File, at: u64, want: u64) -> std::io::Result<bytes::Bytes> {
    use std::io::{Read, Seek};
    let mut file = file;
    file.seek(std::io::SeekFrom::Start(at))?;
    let mut buf = Vec::with_capacity(want as usize);
    file.take(want).read_to_end(&mut buf)?;
    Ok(bytes::Bytes::from(buf))
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
