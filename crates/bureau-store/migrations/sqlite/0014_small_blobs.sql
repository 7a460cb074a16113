-- Blobs of at most 32 KiB live here rather than as files: one row in the
-- transaction that references it, where a file would cost an inode, two
-- syncs and a rename. created_at is refreshed each time a write reuses the
-- blob, so the collector never takes one a new row is about to name.
CREATE TABLE small_blobs (
    id TEXT PRIMARY KEY,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
