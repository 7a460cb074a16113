//! A folder as a ZIP archive, streamed: entries are stored (files are
//! mostly compressed already; storing costs no CPU and lets the download
//! start at once), each followed by a data descriptor with its CRC-32, and
//! ZIP64 records where a size or an offset passes 4 GiB. Nothing is held
//! whole in memory: a blob is read in chunks as the client takes them.

use std::sync::Arc;

use bureau_files::Files;
use bytes::{BufMut, Bytes, BytesMut};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

/// One entry of the archive: its path inside (folders end with `/`), its
/// modification time and its content, read when its turn comes (an
/// archive of thousands of files holds one in hand at a time).
pub struct ZipEntry {
    pub name: String,
    pub modified_ms: i64,
    pub content: ZipContent,
}

/// Bytes made when their entry is written (a page as Markdown, an image).
pub type Produce =
    std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<Bytes>> + Send>>;

pub enum ZipContent {
    Folder,
    /// A file of Files, streamed in chunks.
    Node(bureau_store::NodeRecord),
    /// Bytes made in memory when the entry's turn comes.
    Made(Produce),
}

/// What the central directory needs to know of an entry once written.
struct Written {
    name: String,
    dos_time: u16,
    dos_date: u16,
    crc: u32,
    size: u64,
    offset: u64,
    is_dir: bool,
}

const CHUNK: usize = 256 * 1024;
const FLAGS: u16 = 0x0808; // sizes in a data descriptor; UTF-8 names
const VERSION: u16 = 45; // ZIP64

/// Streams `entries` as a ZIP archive into `out`; stops quietly when the
/// receiver is gone (the client left).
pub async fn write(
    files: Arc<Files>,
    entries: Vec<ZipEntry>,
    out: mpsc::Sender<std::io::Result<Bytes>>,
) {
    if let Err(err) = write_all(&files, entries, &out).await {
        let _ = out.send(Err(err)).await;
    }
}

async fn write_all(
    files: &Files,
    entries: Vec<ZipEntry>,
    out: &mpsc::Sender<std::io::Result<Bytes>>,
) -> std::io::Result<()> {
    let send = |bytes: Bytes| async move {
        out.send(Ok(bytes))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client left"))
    };
    let mut offset = 0u64;
    let mut written = Vec::with_capacity(entries.len());
    for entry in entries {
        let (dos_time, dos_date) = dos_time(entry.modified_ms);
        let is_dir = matches!(entry.content, ZipContent::Folder);
        let big = matches!(&entry.content, ZipContent::Node(node) if node.size >= 0xFFFF_FFFF);
        let mut header = BytesMut::new();
        header.put_u32_le(0x0403_4b50);
        header.put_u16_le(VERSION);
        header.put_u16_le(FLAGS);
        header.put_u16_le(0); // stored
        header.put_u16_le(dos_time);
        header.put_u16_le(dos_date);
        header.put_u32_le(0); // CRC-32: in the descriptor
        let (marker, extra_len) = if big { (0xFFFF_FFFF, 20) } else { (0, 0) };
        header.put_u32_le(marker);
        header.put_u32_le(marker);
        header.put_u16_le(entry.name.len() as u16);
        header.put_u16_le(extra_len);
        header.put_slice(entry.name.as_bytes());
        if big {
            header.put_u16_le(0x0001);
            header.put_u16_le(16);
            header.put_u64_le(0);
            header.put_u64_le(0);
        }
        let header_len = header.len() as u64;
        send(header.freeze()).await?;
        let mut crc = crc32fast::Hasher::new();
        let mut size = 0u64;
        if let ZipContent::Made(make) = entry.content {
            let bytes = make.await?;
            crc.update(&bytes);
            size = bytes.len() as u64;
            send(bytes).await?;
        } else if let ZipContent::Node(node) = entry.content {
            let expected = node.size.max(0) as u64;
            let mut file = files
                .content_of(&node)
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            loop {
                let mut buf = BytesMut::with_capacity(CHUNK);
                let n = file.read_buf(&mut buf).await?;
                if n == 0 {
                    break;
                }
                crc.update(&buf);
                size += n as u64;
                send(buf.freeze()).await?;
            }
            if size != expected {
                return Err(std::io::Error::other("a file changed size while zipped"));
            }
        }
        let crc = crc.finalize();
        let mut descriptor = BytesMut::new();
        descriptor.put_u32_le(0x0807_4b50);
        descriptor.put_u32_le(crc);
        if big {
            descriptor.put_u64_le(size);
            descriptor.put_u64_le(size);
        } else {
            descriptor.put_u32_le(size as u32);
            descriptor.put_u32_le(size as u32);
        }
        let descriptor_len = descriptor.len() as u64;
        send(descriptor.freeze()).await?;
        written.push(Written {
            name: entry.name,
            dos_time,
            dos_date,
            crc,
            size,
            offset,
            is_dir,
        });
        offset += header_len + size + descriptor_len;
    }

    let directory_start = offset;
    let mut directory = BytesMut::new();
    for entry in &written {
        let big_size = entry.size >= 0xFFFF_FFFF;
        let big_offset = entry.offset >= 0xFFFF_FFFF;
        let mut extra = BytesMut::new();
        if big_size || big_offset {
            extra.put_u16_le(0x0001);
            let len = if big_size { 16 } else { 0 } + if big_offset { 8 } else { 0 };
            extra.put_u16_le(len);
            if big_size {
                extra.put_u64_le(entry.size);
                extra.put_u64_le(entry.size);
            }
            if big_offset {
                extra.put_u64_le(entry.offset);
            }
        }
        directory.put_u32_le(0x0201_4b50);
        directory.put_u16_le(3 << 8 | VERSION); // made on Unix
        directory.put_u16_le(VERSION);
        directory.put_u16_le(FLAGS);
        directory.put_u16_le(0);
        directory.put_u16_le(entry.dos_time);
        directory.put_u16_le(entry.dos_date);
        directory.put_u32_le(entry.crc);
        let size32 = if big_size {
            0xFFFF_FFFF
        } else {
            entry.size as u32
        };
        directory.put_u32_le(size32);
        directory.put_u32_le(size32);
        directory.put_u16_le(entry.name.len() as u16);
        directory.put_u16_le(extra.len() as u16);
        directory.put_u16_le(0); // comment
        directory.put_u16_le(0); // disk
        directory.put_u16_le(0); // internal attributes
        let mode: u32 = if entry.is_dir { 0o40755 } else { 0o100644 };
        directory.put_u32_le(mode << 16 | if entry.is_dir { 0x10 } else { 0 });
        directory.put_u32_le(if big_offset {
            0xFFFF_FFFF
        } else {
            entry.offset as u32
        });
        directory.put_slice(entry.name.as_bytes());
        directory.put_slice(&extra);
    }
    let directory_len = directory.len() as u64;
    let count = written.len() as u64;
    let zip64 = count >= 0xFFFF || directory_start >= 0xFFFF_FFFF || directory_len >= 0xFFFF_FFFF;
    if zip64 {
        let record_start = directory_start + directory_len;
        directory.put_u32_le(0x0606_4b50);
        directory.put_u64_le(44);
        directory.put_u16_le(3 << 8 | VERSION);
        directory.put_u16_le(VERSION);
        directory.put_u32_le(0);
        directory.put_u32_le(0);
        directory.put_u64_le(count);
        directory.put_u64_le(count);
        directory.put_u64_le(directory_len);
        directory.put_u64_le(directory_start);
        directory.put_u32_le(0x0706_4b50);
        directory.put_u32_le(0);
        directory.put_u64_le(record_start);
        directory.put_u32_le(1);
    }
    directory.put_u32_le(0x0605_4b50);
    directory.put_u16_le(0);
    directory.put_u16_le(0);
    let count16 = if zip64 { 0xFFFF } else { count as u16 };
    directory.put_u16_le(count16);
    directory.put_u16_le(count16);
    directory.put_u32_le(if zip64 {
        0xFFFF_FFFF
    } else {
        directory_len as u32
    });
    directory.put_u32_le(if zip64 {
        0xFFFF_FFFF
    } else {
        directory_start as u32
    });
    directory.put_u16_le(0);
    send(directory.freeze()).await
}

/// MS-DOS time and date (local time is unknown: UTC), as ZIP keeps them.
fn dos_time(ms: i64) -> (u16, u16) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let in_day = secs.rem_euclid(86_400);
    let (year, month, day) = bureau_core::time::civil_from_days(days);
    let (month, day) = (i64::from(month), i64::from(day));
    if year < 1980 {
        return (0, 1 << 5 | 1);
    }
    let time = ((in_day / 3600) << 11 | (in_day % 3600 / 60) << 5 | (in_day % 60) / 2) as u16;
    let date = (((year - 1980) << 9) | (month << 5) | day) as u16;
    (time, date)
}

/// A streamed `name.zip` download of `entries`, written as the client reads.
pub fn response(
    files: std::sync::Arc<bureau_files::Files>,
    entries: Vec<ZipEntry>,
    name: &str,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    tokio::spawn(write(files, entries, sender));
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                super::content_disposition("attachment", &format!("{name}.zip")),
            ),
            (header::CACHE_CONTROL, "private, no-cache".to_string()),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}
