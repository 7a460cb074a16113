-- Files: spaces (a person's own files, team folders), their tree, versions,
-- dead properties, WebDAV locks, share links and resumable uploads.
-- Contents are blobs; these rows are the whole truth about the tree.

CREATE TABLE file_spaces (
    id BIGSERIAL PRIMARY KEY,
    -- person | team
    kind TEXT NOT NULL,
    -- The person whose own files these are; NULL for a team folder.
    owner_id BIGINT UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    -- A team folder's name; NULL for a person's files.
    name TEXT UNIQUE,
    -- NULL: no limit.
    quota_bytes BIGINT,
    created_at BIGINT NOT NULL
);

-- Who may use a team folder: a group or one person, reading or writing.
CREATE TABLE file_space_access (
    space_id BIGINT NOT NULL REFERENCES file_spaces(id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups_(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    can_write BIGINT NOT NULL
);
CREATE UNIQUE INDEX file_space_access_who
    ON file_space_access(space_id, COALESCE(group_id, 0), COALESCE(user_id, 0));

CREATE TABLE file_nodes (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES file_spaces(id) ON DELETE CASCADE,
    -- NULL only for the space's root.
    parent_id BIGINT REFERENCES file_nodes(id),
    -- The path inside the space: '' for the root, 'a/b.txt' below it.
    path TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    is_dir BIGINT NOT NULL,
    size BIGINT NOT NULL DEFAULT 0,
    blob_id TEXT,
    mime TEXT NOT NULL DEFAULT '',
    -- Grows on every change of content: part of the ETag.
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    modified_by BIGINT REFERENCES users(id),
    -- 0 while live; in the trash, the id of the node that was deleted (the
    -- top of the deleted tree), on it and on everything below it.
    trash_id BIGINT NOT NULL DEFAULT 0,
    trashed_at BIGINT,
    trashed_by BIGINT REFERENCES users(id)
);
CREATE UNIQUE INDEX file_nodes_path ON file_nodes(space_id, trash_id, path);
CREATE INDEX file_nodes_parent ON file_nodes(parent_id, name);
CREATE INDEX file_nodes_blob ON file_nodes(blob_id);
-- Covers the sum of a space's sizes (its quota).
CREATE INDEX file_nodes_space_size ON file_nodes(space_id, size);

-- A folder or file shared with a person or a group inside the company: it
-- shows at the top of their tree.
CREATE TABLE file_grants (
    id BIGSERIAL PRIMARY KEY,
    node_id BIGINT NOT NULL REFERENCES file_nodes(id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups_(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    can_write BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX file_grants_who
    ON file_grants(node_id, COALESCE(group_id, 0), COALESCE(user_id, 0));
CREATE INDEX file_grants_user ON file_grants(user_id);

-- Earlier contents of a file, newest last.
CREATE TABLE file_versions (
    id BIGSERIAL PRIMARY KEY,
    node_id BIGINT NOT NULL REFERENCES file_nodes(id) ON DELETE CASCADE,
    blob_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    -- When this content was written, and by whom.
    written_at BIGINT NOT NULL,
    written_by BIGINT REFERENCES users(id)
);
CREATE INDEX file_versions_node ON file_versions(node_id, id);
CREATE INDEX file_versions_blob ON file_versions(blob_id);

-- WebDAV dead properties, as the XML the client sent.
CREATE TABLE file_props (
    node_id BIGINT NOT NULL REFERENCES file_nodes(id) ON DELETE CASCADE,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT,
    xml TEXT,
    PRIMARY KEY (node_id, namespace, name)
);

-- WebDAV locks, by path, so every process and every person sees them.
CREATE TABLE dav_locks (
    token TEXT PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES file_spaces(id) ON DELETE CASCADE,
    path TEXT COLLATE "C" NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    owner_xml TEXT,
    -- NULL: infinite.
    timeout_secs BIGINT,
    expires_at BIGINT,
    shared BIGINT NOT NULL,
    deep BIGINT NOT NULL
);
CREATE INDEX dav_locks_path ON dav_locks(space_id, path);

-- Links to a file or folder for people without an account.
CREATE TABLE file_shares (
    id BIGSERIAL PRIMARY KEY,
    node_id BIGINT NOT NULL REFERENCES file_nodes(id) ON DELETE CASCADE,
    -- The hash of the link's secret: the link itself is shown once.
    token_hash TEXT NOT NULL UNIQUE,
    -- read | write | drop
    mode TEXT NOT NULL,
    password_hash TEXT,
    expires_at BIGINT,
    max_downloads BIGINT,
    downloads BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX file_shares_node ON file_shares(node_id);

-- tus uploads under way: the bytes wait in the blob folder's tmp/.
CREATE TABLE file_uploads (
    id TEXT PRIMARY KEY,
    -- The person uploading, or the share link a visitor drops files through.
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    share_id BIGINT REFERENCES file_shares(id) ON DELETE CASCADE,
    -- Where the file goes when complete: a folder and a name.
    space_id BIGINT NOT NULL REFERENCES file_spaces(id) ON DELETE CASCADE,
    folder_path TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    length BIGINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
