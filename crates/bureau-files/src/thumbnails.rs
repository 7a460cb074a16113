//! Thumbnails of images, so a grid of photos costs a few kilobytes each
//! on a 4G key rather than the photos. Made on first request (decoding in
//! a blocking thread, within memory limits), kept beside the blobs as
//! derived data named after the blob, dropped with it.

use bureau_core::{Error, Result};
use bureau_store::BlobId;
use image::{ImageReader, Limits};

use crate::{FilePath, Files, Tree};

/// The sizes offered (the longest side, in pixels).
pub const THUMBNAIL_SIZES: &[u32] = &[128, 256, 512];
/// Images larger than this are not decoded for a thumbnail.
const MAX_SOURCE_BYTES: i64 = 40 << 20;
const MAX_PIXELS_SIDE: u32 = 12_000;

impl Files {
    /// A JPEG no larger than `size` on its longest side, of the image at
    /// `path`. Returns the bytes and a tag that changes with the content.
    pub async fn thumbnail(
        &self,
        tree: &Tree,
        path: &FilePath,
        size: u32,
    ) -> Result<(Vec<u8>, String)> {
        if !THUMBNAIL_SIZES.contains(&size) {
            return Err(Error::invalid("size", "size is 128, 256 or 512"));
        }
        let entry = self.stat(tree, path).await?;
        let node = entry.node;
        let decodable = matches!(
            node.mime.as_str(),
            "image/jpeg" | "image/png" | "image/webp" | "image/gif"
        );
        if node.is_dir || !decodable {
            return Err(Error::invalid(
                "path",
                "thumbnails are made of JPEG, PNG, WebP and GIF images",
            ));
        }
        if node.size > MAX_SOURCE_BYTES {
            return Err(Error::TooLarge(
                "this image is too large for a thumbnail".into(),
            ));
        }
        let blob = node
            .blob_id
            .as_deref()
            .and_then(BlobId::parse)
            .ok_or_else(|| Error::internal("a stored file names no valid blob"))?;
        let key = format!("{}-thumb{size}.jpg", blob.as_str());
        if let Some(bytes) = self.ports.blobs.derived(&key).await? {
            return Ok((bytes, key));
        }
        let source = match self.ports.blobs.open_read(&blob).await? {
            Some(bureau_store::BlobReader::Small(bytes)) => Source::Bytes(bytes.into_inner()),
            Some(bureau_store::BlobReader::File(_)) => {
                Source::File(self.ports.blobs.path_of(&blob))
            }
            None => {
                return Err(Error::internal(format!(
                    "blob {} is missing",
                    blob.as_str()
                )))
            }
        };
        let bytes = tokio::task::spawn_blocking(move || make(source, size))
            .await
            .map_err(Error::internal)??;
        self.ports.blobs.put_derived(&key, bytes.clone()).await?;
        Ok((bytes, key))
    }
}

/// Where an image's bytes are: a small blob's, or a file.
enum Source {
    Bytes(Vec<u8>),
    File(std::path::PathBuf),
}

fn make(source: Source, size: u32) -> Result<Vec<u8>> {
    match source {
        Source::Bytes(bytes) => thumbnail_of(ImageReader::new(std::io::Cursor::new(bytes)), size),
        Source::File(path) => thumbnail_of(ImageReader::open(path).map_err(Error::internal)?, size),
    }
}

fn thumbnail_of<R: std::io::BufRead + std::io::Seek>(
    reader: ImageReader<R>,
    size: u32,
) -> Result<Vec<u8>> {
    let unreadable = |_| Error::invalid("path", "this image cannot be read");
    let mut reader = reader.with_guessed_format().map_err(Error::internal)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PIXELS_SIDE);
    limits.max_image_height = Some(MAX_PIXELS_SIDE);
    limits.max_alloc = Some(256 << 20);
    reader.limits(limits);
    let image = reader.decode().map_err(unreadable)?;
    let thumbnail = image.thumbnail(size, size).to_rgb8();
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 78);
    thumbnail
        .write_with_encoder(encoder)
        .map_err(Error::internal)?;
    Ok(out)
}
