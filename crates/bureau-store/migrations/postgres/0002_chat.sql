-- Chat: conversations, their members, messages, threads, reactions,
-- mentions, attachments and incoming webhooks.

CREATE TABLE channels (
    id BIGSERIAL PRIMARY KEY,
    -- channel | announcement | dm
    kind TEXT NOT NULL,
    -- NULL for DMs, which are named after their members.
    name TEXT UNIQUE,
    private BIGINT NOT NULL,
    topic TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    -- The sorted member ids of a DM, so the same people find the same DM.
    dm_key TEXT UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    archived_at BIGINT,
    last_message_id BIGINT NOT NULL DEFAULT 0,
    last_message_at BIGINT
);

CREATE TABLE channel_members (
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- May post in an announcement channel.
    poster BIGINT NOT NULL DEFAULT 0,
    joined_at BIGINT NOT NULL,
    last_read_id BIGINT NOT NULL DEFAULT 0,
    -- all | mentions | mute
    notify TEXT NOT NULL DEFAULT 'all',
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members(user_id);

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users(id),
    -- The name an incoming webhook posted under, else NULL.
    via TEXT,
    -- The thread's first message, for a reply; NULL for a channel message.
    thread_id BIGINT REFERENCES messages(id),
    also_in_channel BIGINT NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    mentions_all BIGINT NOT NULL DEFAULT 0,
    has_file BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT,
    pinned_at BIGINT,
    reply_count BIGINT NOT NULL DEFAULT 0,
    last_reply_at BIGINT
);
CREATE INDEX messages_channel ON messages(channel_id, id);
CREATE INDEX messages_thread ON messages(thread_id, id);

CREATE TABLE mentions (
    message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX mentions_user ON mentions(user_id, channel_id, message_id);

CREATE TABLE reactions (
    message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    emoji TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);
CREATE INDEX reactions_channel ON reactions(channel_id, message_id);

CREATE TABLE attachments (
    id BIGSERIAL PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    -- NULL until the message that carries it is posted.
    message_id BIGINT REFERENCES messages(id) ON DELETE CASCADE,
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    blob_id TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_message ON attachments(channel_id, message_id);

CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
