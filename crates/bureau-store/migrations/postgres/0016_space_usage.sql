-- The bytes a space holds: its files' current contents (in the trash too)
-- and their earlier versions, which is what its quota counts. Triggers
-- keep it in the transaction that changes a size, so a write checks its
-- room with one row read instead of summing every file of the space.
ALTER TABLE file_spaces ADD COLUMN used_bytes BIGINT NOT NULL DEFAULT 0;

UPDATE file_spaces SET used_bytes =
    COALESCE((SELECT SUM(size) FROM file_nodes n WHERE n.space_id = file_spaces.id), 0)
    + COALESCE((SELECT SUM(v.size) FROM file_versions v JOIN file_nodes n ON n.id = v.node_id
                WHERE n.space_id = file_spaces.id), 0);

CREATE FUNCTION file_nodes_usage() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE file_spaces SET used_bytes = used_bytes + NEW.size WHERE id = NEW.space_id;
        RETURN NEW;
    ELSIF TG_OP = 'DELETE' THEN
        -- Before the row goes, while its versions are still there: the
        -- cascade deletes them after it, when their own trigger no longer
        -- finds the space.
        UPDATE file_spaces SET used_bytes = used_bytes - OLD.size
            - COALESCE((SELECT SUM(size) FROM file_versions WHERE node_id = OLD.id), 0)
        WHERE id = OLD.space_id;
        RETURN OLD;
    ELSIF OLD.size <> NEW.size OR OLD.space_id <> NEW.space_id THEN
        -- A new content, or a move to another space with the versions.
        UPDATE file_spaces SET used_bytes = used_bytes - OLD.size
            - CASE WHEN OLD.space_id <> NEW.space_id
                   THEN COALESCE((SELECT SUM(size) FROM file_versions WHERE node_id = OLD.id), 0)
                   ELSE 0 END
        WHERE id = OLD.space_id;
        UPDATE file_spaces SET used_bytes = used_bytes + NEW.size
            + CASE WHEN OLD.space_id <> NEW.space_id
                   THEN COALESCE((SELECT SUM(size) FROM file_versions WHERE node_id = NEW.id), 0)
                   ELSE 0 END
        WHERE id = NEW.space_id;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER file_nodes_usage_insert AFTER INSERT ON file_nodes
    FOR EACH ROW EXECUTE FUNCTION file_nodes_usage();
CREATE TRIGGER file_nodes_usage_delete BEFORE DELETE ON file_nodes
    FOR EACH ROW EXECUTE FUNCTION file_nodes_usage();
CREATE TRIGGER file_nodes_usage_update AFTER UPDATE OF size, space_id ON file_nodes
    FOR EACH ROW EXECUTE FUNCTION file_nodes_usage();

CREATE FUNCTION file_versions_usage() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE file_spaces SET used_bytes = used_bytes + NEW.size
        WHERE id = (SELECT space_id FROM file_nodes WHERE id = NEW.node_id);
        RETURN NEW;
    END IF;
    -- Finds no space when the file itself is being deleted: its trigger
    -- counted the versions already.
    UPDATE file_spaces SET used_bytes = used_bytes - OLD.size
    WHERE id = (SELECT space_id FROM file_nodes WHERE id = OLD.node_id);
    RETURN OLD;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER file_versions_usage AFTER INSERT OR DELETE ON file_versions
    FOR EACH ROW EXECUTE FUNCTION file_versions_usage();
