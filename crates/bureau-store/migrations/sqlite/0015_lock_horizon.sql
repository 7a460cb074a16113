-- When the last WebDAV lock of a space can expire (ms; the largest integer
-- for a lock without a timeout; 0 when it never had one). A write checks
-- a space's locks only while this is in the future: most spaces never see
-- a lock, and their writes save a query. Triggers raise it whenever a lock
-- is taken, refreshed or moves with its folder; nothing lowers it.
ALTER TABLE file_spaces ADD COLUMN locks_until INTEGER NOT NULL DEFAULT 0;

UPDATE file_spaces SET locks_until = COALESCE(
    (SELECT MAX(COALESCE(l.expires_at, 9223372036854775807))
     FROM dav_locks l WHERE l.space_id = file_spaces.id), 0);

CREATE TRIGGER dav_locks_horizon_insert AFTER INSERT ON dav_locks BEGIN
    UPDATE file_spaces
    SET locks_until = max(locks_until, COALESCE(NEW.expires_at, 9223372036854775807))
    WHERE id = NEW.space_id;
END;

CREATE TRIGGER dav_locks_horizon_update AFTER UPDATE ON dav_locks BEGIN
    UPDATE file_spaces
    SET locks_until = max(locks_until, COALESCE(NEW.expires_at, 9223372036854775807))
    WHERE id = NEW.space_id;
END;
