-- Office: the data meter and the connection tests.

-- Bytes the server received from (bytes_in) and sent to (bytes_out) a
-- person, per UTC day and feature: web | events | files | docs | meetings.
-- Upserted from the in-memory meter every 30 s.
CREATE TABLE usage_daily (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    feature TEXT NOT NULL,
    bytes_in BIGINT NOT NULL,
    bytes_out BIGINT NOT NULL,
    PRIMARY KEY (user_id, day, feature)
);
CREATE INDEX usage_daily_day ON usage_daily(day);

-- A person's connection measured against bureau from their browser.
-- verdict: video | data_saver | audio_only.
CREATE TABLE connection_tests (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    down_kbps BIGINT NOT NULL,
    up_kbps BIGINT NOT NULL,
    rtt_ms BIGINT NOT NULL,
    jitter_ms BIGINT NOT NULL,
    loss_pct DOUBLE PRECISION NOT NULL,
    verdict TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT ''
);
CREATE INDEX connection_tests_user ON connection_tests(user_id, at);
