-- Docs: spaces of nested pages, who may read and edit them, and each
-- page's content as its Yjs update log.

CREATE TABLE doc_spaces (
    id BIGSERIAL PRIMARY KEY,
    -- personal | team
    kind TEXT NOT NULL,
    -- The person whose personal space this is; NULL for a team space.
    owner_id BIGINT UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    icon TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    archived_at BIGINT
);

-- Who belongs to a team space: a group or one person, reading or writing.
CREATE TABLE doc_space_members (
    space_id BIGINT NOT NULL REFERENCES doc_spaces(id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups_(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    can_write BIGINT NOT NULL
);
CREATE UNIQUE INDEX doc_space_members_who
    ON doc_space_members(space_id, COALESCE(group_id, 0), COALESCE(user_id, 0));
CREATE INDEX doc_space_members_user ON doc_space_members(user_id);

CREATE TABLE doc_pages (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES doc_spaces(id) ON DELETE CASCADE,
    -- NULL at the top of the space.
    parent_id BIGINT REFERENCES doc_pages(id),
    -- Order among siblings: a move between two pages takes the middle.
    position DOUBLE PRECISION NOT NULL,
    title TEXT NOT NULL,
    icon TEXT NOT NULL DEFAULT '',
    -- 1: only the people and groups in doc_page_access reach this page
    -- and the pages below it.
    restricted BIGINT NOT NULL DEFAULT 0,
    -- 1: nobody edits the content until someone who may edit unlocks it.
    locked BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    -- Archived pages (and the pages below them) leave the tree until
    -- restored.
    archived_at BIGINT,
    archived_by BIGINT REFERENCES users(id)
);
CREATE INDEX doc_pages_space ON doc_pages(space_id, parent_id, position);

-- A page shared with a group or one person, beyond its space's members
-- (guests reach only such pages), and who reaches a restricted page.
CREATE TABLE doc_page_access (
    page_id BIGINT NOT NULL REFERENCES doc_pages(id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups_(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    can_write BIGINT NOT NULL
);
CREATE UNIQUE INDEX doc_page_access_who
    ON doc_page_access(page_id, COALESCE(group_id, 0), COALESCE(user_id, 0));
CREATE INDEX doc_page_access_user ON doc_page_access(user_id);

-- A page's content: Yjs updates (v1 encoding). Updates commute, so the
-- state is all of a page's rows merged in any order; compaction replaces
-- many rows by their merge.
CREATE TABLE doc_updates (
    id BIGSERIAL PRIMARY KEY,
    page_id BIGINT NOT NULL REFERENCES doc_pages(id) ON DELETE CASCADE,
    data BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX doc_updates_page ON doc_updates(page_id, id);

-- A person's favourite pages, in the order they starred them.
CREATE TABLE doc_favourites (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    page_id BIGINT NOT NULL REFERENCES doc_pages(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, page_id)
);

-- When a person last opened a page: their "recently viewed".
CREATE TABLE doc_views (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    page_id BIGINT NOT NULL REFERENCES doc_pages(id) ON DELETE CASCADE,
    viewed_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, page_id)
);
CREATE INDEX doc_views_recent ON doc_views(user_id, viewed_at);
