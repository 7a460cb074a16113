-- The bytes a space holds: its files' current contents (in the trash too)
-- and their earlier versions, which is what its quota counts. Triggers
-- keep it in the transaction that changes a size, so a write checks its
-- room with one row read instead of summing every file of the space.
ALTER TABLE file_spaces ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;

UPDATE file_spaces SET used_bytes =
    COALESCE((SELECT SUM(size) FROM file_nodes n WHERE n.space_id = file_spaces.id), 0)
    + COALESCE((SELECT SUM(v.size) FROM file_versions v JOIN file_nodes n ON n.id = v.node_id
                WHERE n.space_id = file_spaces.id), 0);

CREATE TRIGGER file_nodes_usage_insert AFTER INSERT ON file_nodes BEGIN
    UPDATE file_spaces SET used_bytes = used_bytes + NEW.size WHERE id = NEW.space_id;
END;

-- Before the row goes, while its versions are still there: SQLite deletes
-- them (ON DELETE CASCADE) after the row, when their own trigger no
-- longer finds the space.
CREATE TRIGGER file_nodes_usage_delete BEFORE DELETE ON file_nodes BEGIN
    UPDATE file_spaces SET used_bytes = used_bytes - OLD.size
        - COALESCE((SELECT SUM(size) FROM file_versions WHERE node_id = OLD.id), 0)
    WHERE id = OLD.space_id;
END;

-- A new content, or a move to another space with the versions.
CREATE TRIGGER file_nodes_usage_update AFTER UPDATE OF size, space_id ON file_nodes
WHEN OLD.size <> NEW.size OR OLD.space_id <> NEW.space_id BEGIN
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
END;

CREATE TRIGGER file_versions_usage_insert AFTER INSERT ON file_versions BEGIN
    UPDATE file_spaces SET used_bytes = used_bytes + NEW.size
    WHERE id = (SELECT space_id FROM file_nodes WHERE id = NEW.node_id);
END;

-- Finds no space when the file itself is being deleted: its trigger
-- counted the versions already.
CREATE TRIGGER file_versions_usage_delete AFTER DELETE ON file_versions BEGIN
    UPDATE file_spaces SET used_bytes = used_bytes - OLD.size
    WHERE id = (SELECT space_id FROM file_nodes WHERE id = OLD.node_id);
END;
