-- Office: the data meter and the connection tests.

-- Bytes the server received from (bytes_in) and sent to (bytes_out) a
-- person, per UTC day and feature: web | events | files | docs | meetings.
-- Upserted from the in-memory meter every 30 s.
CREATE TABLE usage_daily (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    feature TEXT NOT NULL,
    bytes_in INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, feature)
);
CREATE INDEX usage_daily_day ON usage_daily(day);

-- A person's connection measured against bureau from their browser.
-- verdict: video | data_saver | audio_only.
CREATE TABLE connection_tests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    down_kbps INTEGER NOT NULL,
    up_kbps INTEGER NOT NULL,
    rtt_ms INTEGER NOT NULL,
    jitter_ms INTEGER NOT NULL,
    loss_pct REAL NOT NULL,
    verdict TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT ''
);
CREATE INDEX connection_tests_user ON connection_tests(user_id, at);
