-- Office: people ask for equipment or report a broken piece; admins work
-- through the queue.

-- what: new | broken. kind: the kind of equipment asked for (new), or
-- equipment_id: the broken piece. state: open | ordered | done | refused
-- | withdrawn.
CREATE TABLE equipment_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    what TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    equipment_id INTEGER REFERENCES equipment(id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    admin_note TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX equipment_requests_user ON equipment_requests(user_id);
