-- Docs: versions of a page, comments on it, its public read-only link,
-- and pages kept as templates.

-- A page's content at one moment: the Yjs state (v1) as one update.
CREATE TABLE doc_versions (
    id BIGSERIAL PRIMARY KEY,
    page_id BIGINT NOT NULL REFERENCES doc_pages(id) ON DELETE CASCADE,
    -- NULL: an automatic snapshot taken while people edited.
    name TEXT,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    data BYTEA NOT NULL
);
CREATE INDEX doc_versions_page ON doc_versions(page_id, id);

-- Comment threads on a page: a thread's first comment has no thread_id,
-- its replies carry the first comment's id. A thread on a selection
-- quotes it; the editor marks the selection with the thread's id.
CREATE TABLE doc_comments (
    id BIGSERIAL PRIMARY KEY,
    page_id BIGINT NOT NULL REFERENCES doc_pages(id) ON DELETE CASCADE,
    thread_id BIGINT REFERENCES doc_comments(id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    quote TEXT,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    resolved_at BIGINT,
    resolved_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX doc_comments_page ON doc_comments(page_id, id);

-- A link that lets anyone read one page (and the pages below it) without
-- an account. Only the hash of its secret is kept: it is shown once.
CREATE TABLE doc_public_links (
    page_id BIGINT PRIMARY KEY REFERENCES doc_pages(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

-- 1: the page is a template of its space, offered when a page is made;
-- templates stay out of the tree.
ALTER TABLE doc_pages ADD COLUMN template BIGINT NOT NULL DEFAULT 0;

-- The search index follows what changed lately.
CREATE INDEX doc_updates_recent ON doc_updates(created_at);
CREATE INDEX doc_pages_recent ON doc_pages(updated_at);

-- Images and files in a page's content, stored through the blob port;
-- the content links to them by id.
CREATE TABLE doc_attachments (
    id BIGSERIAL PRIMARY KEY,
    page_id BIGINT NOT NULL REFERENCES doc_pages(id) ON DELETE CASCADE,
    blob_id TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX doc_attachments_page ON doc_attachments(page_id);
