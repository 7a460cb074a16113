-- How far each person's email notifications have gone: digests claim a
-- range of messages here, so two processes never mail the same ones.
CREATE TABLE email_cursors (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    last_message_id BIGINT NOT NULL,
    last_sent_at BIGINT NOT NULL
);
CREATE INDEX messages_created ON messages(created_at);
