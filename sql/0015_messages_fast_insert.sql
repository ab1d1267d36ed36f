-- 0015: messages are cheaper to insert (issue 4's import of a million messages).
--
-- SQLite codes a CHECK of the form "x IN ('a', 'b', 'c')" by building a small
-- temporary b-tree of the list for every row it checks (an ephemeral table:
-- allocated, filled, searched and freed per INSERT); the same test written
-- with "=" and "OR" is a few comparisons. On a big import those two CHECKs of
-- messages cost about a fifth of the CPU time. The constraint is the same.
--
-- UNIQUE (workspace_id, id) on messages was there only as the parent key of
-- message_attachments' foreign key; id is the rowid, unique on its own, and
-- the extra index cost a b-tree insert per message. Attachments now point at
-- messages (id) (a foreign key may name the INTEGER PRIMARY KEY, the rowid
-- alias); their workspace_id stays, as every query filters on it.
--
-- SQLite cannot change a CHECK in place, and a table other tables reference
-- cannot be dropped under foreign keys while they point at it (the implicit
-- DELETE would cascade to the attachments), so both tables are rebuilt as in
-- 0014: the old ones renamed away, new ones made and filled with the same
-- ids, the old ones dropped, children first. The search index (0009) is an
-- external-content index over messages by rowid: the ids are kept, so it
-- stays valid as it is; its triggers are made again on the new table.

DROP TRIGGER messages_search_insert;
DROP TRIGGER messages_search_delete;
DROP TRIGGER messages_search_update;

ALTER TABLE message_attachments RENAME TO message_attachments_0007;
ALTER TABLE messages RENAME TO messages_0007;

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    dedup_key TEXT NOT NULL,
    source_id TEXT,
    direction TEXT NOT NULL
        CHECK (direction = 'incoming' OR direction = 'outgoing' OR direction = 'note'),
    kind TEXT NOT NULL CHECK (kind = 'text' OR kind = 'system' OR kind = 'media'),
    sent_at INTEGER NOT NULL,
    local_time TEXT,
    time_zone TEXT,
    participant_id INTEGER,
    sender_name TEXT,
    author_user_id INTEGER,
    body TEXT NOT NULL DEFAULT '',
    reply_to_key TEXT,
    edited INTEGER NOT NULL DEFAULT 0,
    edited_at INTEGER,
    deleted INTEGER NOT NULL DEFAULT 0,
    -- A reply typed in piazza but sent through the channel's own app.
    sent_outside INTEGER NOT NULL DEFAULT 0,
    import_run_id INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, dedup_key),
    FOREIGN KEY (workspace_id, conversation_id) REFERENCES conversations (workspace_id, id)
        ON DELETE CASCADE
) STRICT;

INSERT INTO messages (id, workspace_id, conversation_id, dedup_key, source_id, direction, kind,
    sent_at, local_time, time_zone, participant_id, sender_name, author_user_id, body,
    reply_to_key, edited, edited_at, deleted, sent_outside, import_run_id, created_at)
    SELECT id, workspace_id, conversation_id, dedup_key, source_id, direction, kind,
        sent_at, local_time, time_zone, participant_id, sender_name, author_user_id, body,
        reply_to_key, edited, edited_at, deleted, sent_outside, import_run_id, created_at
    FROM messages_0007 ORDER BY id;

CREATE TABLE message_attachments (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    mime_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    size INTEGER,
    sha256 TEXT,
    stored_path TEXT,
    created_at INTEGER NOT NULL
) STRICT;

INSERT INTO message_attachments (id, workspace_id, message_id, name, mime_type, size, sha256,
    stored_path, created_at)
    SELECT id, workspace_id, message_id, name, mime_type, size, sha256, stored_path, created_at
    FROM message_attachments_0007 ORDER BY id;

DROP TABLE message_attachments_0007;
DROP TABLE messages_0007;

CREATE INDEX messages_conversation ON messages (workspace_id, conversation_id, sent_at, id);
CREATE INDEX message_attachments_message ON message_attachments (workspace_id, message_id);

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages WHEN piazza_search_now() BEGIN
    INSERT INTO messages_search (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, body) VALUES ('delete', old.id, old.body);
END;

CREATE TRIGGER messages_search_update AFTER UPDATE OF body ON messages
    WHEN old.body IS NOT new.body BEGIN
    INSERT INTO messages_search (messages_search, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_search (rowid, body) VALUES (new.id, new.body);
END;
