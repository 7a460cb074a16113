-- Meetings: video calls. A call started from a channel is reachable by
-- whoever reads the channel; a scheduled meeting by its creator, hosts and
-- invitees; a personal room by every member. Guests with the link wait in
-- the lobby until a host admits them. Media never touches these tables.

-- kind: call | scheduled | personal. guest_key: the secret in the guest
-- link, kept as is so hosts can copy the link again; it only opens the
-- lobby.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    channel_id INTEGER REFERENCES channels(id) ON DELETE CASCADE,
    personal_of INTEGER UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    created_by INTEGER NOT NULL REFERENCES users(id),
    starts_at INTEGER,
    guest_key TEXT NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    ended_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX meetings_channel ON meetings(channel_id);

CREATE TABLE meeting_invitees (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, user_id)
);

-- state: waiting | admitted | refused | removed. pass_hash: SHA-256 (hex)
-- of the guest's pass (its cookie).
CREATE TABLE meeting_guests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    pass_hash TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    decided_at INTEGER
);
CREATE INDEX meeting_guests_meeting ON meeting_guests(meeting_id, state);

-- Members a host removed: they cannot come back until the meeting ends.
CREATE TABLE meeting_bans (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, user_id)
);
