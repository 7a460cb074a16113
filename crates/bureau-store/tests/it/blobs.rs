use bureau_store::{testing, BlobId, BlobReader, Blobs, Store, SMALL_MAX};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::each_backend;

async fn read_all(blobs: &Blobs, id: &BlobId) -> (Vec<u8>, bool) {
    let mut reader = blobs.open_read(id).await.unwrap().expect("the blob exists");
    let small = matches!(reader, BlobReader::Small(_));
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).await.unwrap();
    (bytes, small)
}

/// A small blob lives in the Store and exists only once the transaction
/// that keeps it commits; a larger one is a file, durable before any
/// transaction. Readers find both the same way.
#[tokio::test]
async fn small_blobs_live_in_the_store_and_only_once_committed() {
    each_backend("small_blobs", |store: Store| async move {
        let blobs =
            Blobs::open(testing::temp_dir("blobs").to_str().unwrap(), store.clone()).unwrap();
        let note = b"a short note".to_vec();

        // Kept in a transaction that rolls back: nothing.
        let mut writer = blobs.writer();
        writer.write(&note).await.unwrap();
        let blob = writer.complete().await.unwrap();
        assert_eq!(blob.id(), &BlobId::of(&note));
        let mut tx = store.begin().await.unwrap();
        tx.keep_blob(&blob).await.unwrap();
        drop(tx);
        assert!(blobs.open_read(blob.id()).await.unwrap().is_none());
        assert!(blobs.get(blob.id()).await.unwrap().is_none());

        // Kept and committed: readable, seekable, and no file was made.
        let mut tx = store.begin().await.unwrap();
        tx.keep_blob(&blob).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(read_all(&blobs, blob.id()).await, (note.clone(), true));
        assert!(!blobs.path_of(blob.id()).exists());
        let mut reader = blobs.open_read(blob.id()).await.unwrap().unwrap();
        reader.seek(std::io::SeekFrom::Start(8)).await.unwrap();
        let mut tail = String::new();
        reader.read_to_string(&mut tail).await.unwrap();
        assert_eq!(tail, "note");
        assert_eq!(blobs.get(blob.id()).await.unwrap(), Some(note.clone()));

        // The same bytes kept twice, even in one statement, are one blob.
        let mut again = blobs.writer();
        again.write(&note).await.unwrap();
        let again = again.complete().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.keep_blobs(&[&again, &blob]).await.unwrap();
        tx.commit().await.unwrap();
        let listed = blobs.list().await.unwrap();
        assert_eq!(listed.iter().filter(|(id, _)| id == blob.id()).count(), 1);

        // One byte past the limit, in two writes: a file, synced on
        // `complete`, whatever the transaction does.
        let big: Vec<u8> = (0..=SMALL_MAX).map(|n| (n % 251) as u8).collect();
        let mut writer = blobs.writer();
        writer.write(&big[..1000]).await.unwrap();
        writer.write(&big[1000..]).await.unwrap();
        let file = writer.complete().await.unwrap();
        assert_eq!(file.size(), big.len() as u64);
        assert!(blobs.path_of(file.id()).exists());
        assert_eq!(read_all(&blobs, file.id()).await, (big, false));

        // `finish` keeps a small blob in a transaction of its own.
        let id = blobs.put(b"kept alone".to_vec()).await.unwrap();
        assert_eq!(blobs.get(&id).await.unwrap().unwrap(), b"kept alone");

        // The collector's removal spares a blob kept within the grace time,
        // and removes it once that has passed.
        blobs.remove(&id, 3600).await.unwrap();
        assert!(blobs.get(&id).await.unwrap().is_some());
        blobs.remove(&id, 0).await.unwrap();
        blobs.remove(file.id(), 0).await.unwrap();
        assert!(blobs.get(&id).await.unwrap().is_none());
        assert!(blobs.get(file.id()).await.unwrap().is_none());
    })
    .await;
}

/// A blob file of several read-ahead chunks reads back whole, by chunks of
/// any size, by `AsyncRead`, and after seeks made while a read was ahead
/// (as a Range GET does), in both tiers.
#[tokio::test]
async fn blobs_read_back_whole_by_chunks_and_after_seeks() {
    each_backend("blob_reads", |store: Store| async move {
        let blobs = Blobs::open(
            testing::temp_dir("blob_reads").to_str().unwrap(),
            store.clone(),
        )
        .unwrap();
        let big: Vec<u8> = (0..1_300_001u32).map(|n| (n % 251) as u8).collect();
        let mut writer = blobs.writer();
        writer.write(&big).await.unwrap();
        let (file, _) = writer.finish().await.unwrap();
        assert!(blobs.path_of(&file).exists());
        let small = blobs.put(big[..5000].to_vec()).await.unwrap();

        for (id, bytes) in [(&file, &big[..]), (&small, &big[..5000])] {
            // By chunks of an odd size: every byte once, in order, then empty.
            let mut reader = blobs.open_read(id).await.unwrap().unwrap();
            let mut read = Vec::new();
            loop {
                let chunk = reader.read_chunk(70_001).await.unwrap();
                if chunk.is_empty() {
                    break;
                }
                assert!(chunk.len() <= 70_001);
                read.extend_from_slice(&chunk);
            }
            assert_eq!(read, bytes);
            assert!(reader.read_chunk(10).await.unwrap().is_empty());

            // A seek back after a chunk (a read is ahead by then), forward
            // past a chunk's end, and from the end.
            let mut reader = blobs.open_read(id).await.unwrap().unwrap();
            reader.read_chunk(1000).await.unwrap();
            for at in [10u64, 600_000, 3, bytes.len() as u64 - 7] {
                let at = at.min(bytes.len() as u64 - 1);
                reader.seek(std::io::SeekFrom::Start(at)).await.unwrap();
                let chunk = reader.read_chunk(5).await.unwrap();
                let at = at as usize;
                assert_eq!(&chunk[..], &bytes[at..(at + 5).min(bytes.len())]);
            }
            let end = reader.seek(std::io::SeekFrom::End(-3)).await.unwrap();
            assert_eq!(end, bytes.len() as u64 - 3);
            let mut tail = Vec::new();
            reader.read_to_end(&mut tail).await.unwrap();
            assert_eq!(tail, &bytes[bytes.len() - 3..]);
            assert!(reader
                .seek(std::io::SeekFrom::Current(-(bytes.len() as i64) - 1))
                .await
                .is_err());

            // The stream a response body sends.
            use futures_util::TryStreamExt;
            let reader = blobs.open_read(id).await.unwrap().unwrap();
            let chunks: Vec<bytes::Bytes> = reader.into_stream().try_collect().await.unwrap();
            assert_eq!(chunks.concat(), bytes);
        }
    })
    .await;
}
