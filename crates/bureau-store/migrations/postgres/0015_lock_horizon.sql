-- When the last WebDAV lock of a space can expire (ms; the largest integer
-- for a lock without a timeout; 0 when it never had one). A write checks
-- a space's locks only while this is in the future: most spaces never see
-- a lock, and their writes save a query. A trigger raises it whenever a
-- lock is taken, refreshed or moves with its folder; nothing lowers it.
ALTER TABLE file_spaces ADD COLUMN locks_until BIGINT NOT NULL DEFAULT 0;

UPDATE file_spaces SET locks_until = COALESCE(
    (SELECT MAX(COALESCE(l.expires_at, 9223372036854775807))
     FROM dav_locks l WHERE l.space_id = file_spaces.id), 0);

CREATE FUNCTION dav_locks_horizon() RETURNS trigger AS $$
BEGIN
    UPDATE file_spaces
    SET locks_until = GREATEST(locks_until, COALESCE(NEW.expires_at, 9223372036854775807))
    WHERE id = NEW.space_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER dav_locks_horizon AFTER INSERT OR UPDATE ON dav_locks
    FOR EACH ROW EXECUTE FUNCTION dav_locks_horizon();
