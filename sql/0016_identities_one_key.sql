-- 0016: identities are keyed once. 0002 gave them a unique key on
-- (workspace_id, kind, value_normalized) and a second index on
-- (workspace_id, value_normalized) for the lookups by value alone (a phone
-- number is one number whether it was met as a phone, a WhatsApp or a
-- Telegram identity; duplicates share a value). Every identity written paid
-- for both B-trees: on an import of 100,000 cards (300,000 identities) the
-- second index was a quarter of the time spent writing identities. With the
-- value before the kind, the unique key serves both kinds of lookup, so the
-- second index goes. Uniqueness is the same (the same three columns).
--
-- SQLite cannot change a table's UNIQUE constraint in place: the table is
-- rebuilt, its rows copied with their ids. No table references identities,
-- and no trigger or view names it.

CREATE TABLE identities_0016 (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'whatsapp', 'telegram', 'linkedin',
        'facebook', 'instagram', 'x', 'website')),
    value_normalized TEXT NOT NULL,
    value_original TEXT NOT NULL,
    label TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, value_normalized, kind),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE
) STRICT;

INSERT INTO identities_0016 (id, workspace_id, contact_id, kind, value_normalized,
    value_original, label, created_at)
    SELECT id, workspace_id, contact_id, kind, value_normalized, value_original, label,
        created_at
    FROM identities ORDER BY id;

DROP TABLE identities;
ALTER TABLE identities_0016 RENAME TO identities;
CREATE INDEX identities_contact ON identities (workspace_id, contact_id);
