-- How far each person's email notifications have gone: digests claim a
-- range of messages here, so two processes never mail the same ones.
CREATE TABLE email_cursors (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    last_message_id INTEGER NOT NULL,
    last_sent_at INTEGER NOT NULL
);
CREATE INDEX messages_created ON messages(created_at);
