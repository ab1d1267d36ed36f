-- 0018: contacts, identities and conversations are cheaper to insert.
--
-- piazza: references unchecked
--
-- 0015 found that SQLite codes a CHECK of the form "x IN ('a', 'b', 'c')" (a
-- list of more than two) by building a temporary b-tree of the list for every
-- row it checks, and rewrote the CHECKs of messages with "=" and "OR". The
-- same CHECKs were left on the stage and relationship of contacts, the kind of
-- identities and the channel, status and priority of conversations: on an
-- import of 100,000 cards (100,000 contacts, 300,000 identities) they were a
-- fifth of the time, in piazza and in bench/contacts/reference.c alike. The
-- constraints are the same, written as comparisons.
--
-- SQLite cannot change a CHECK in place, so the three tables are rebuilt with
-- the same ids, as SQLite's documentation describes for a table others
-- reference: with foreign keys off for this migration (the line "piazza:
-- references unchecked" above asks pz_store_migrate for that), each new table
-- is made and filled, the old one dropped (no cascade: nothing is checked)
-- and the new one renamed to the old name, which the references of the other
-- tables already use. Their indexes and triggers are made again. The contact
-- search index (0006) is an external-content index by rowid: the ids are
-- kept, so it stays valid.

CREATE TABLE contacts_0018 (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    kind TEXT NOT NULL CHECK (kind = 'person' OR kind = 'organization'),
    display_name TEXT NOT NULL,
    given_name TEXT,
    family_name TEXT,
    stage TEXT NOT NULL DEFAULT 'stranger'
        CHECK (stage = 'stranger' OR stage = 'lead' OR stage = 'prospect'
            OR stage = 'customer' OR stage = 'advocate' OR stage = 'former'),
    relationship TEXT CHECK (relationship IS NULL OR relationship = 'customer'
        OR relationship = 'supplier' OR relationship = 'partner' OR relationship = 'consultant'
        OR relationship = 'press' OR relationship = 'candidate' OR relationship = 'employee'),
    owner_user_id INTEGER,
    notes_md TEXT NOT NULL DEFAULT '',
    -- Derived, rebuildable: the folded display name (sort and keyset paging),
    -- the name as a comparison key (words sorted, no punctuation: finding an
    -- organization by name, similar-name duplicates) and the folded names,
    -- organizations and identities that search matches.
    sort_name TEXT NOT NULL DEFAULT '',
    name_key TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (workspace_id, id)
) STRICT;

INSERT INTO contacts_0018 (id, workspace_id, kind, display_name, given_name, family_name, stage,
    relationship, owner_user_id, notes_md, sort_name, name_key, search_text, created_at,
    updated_at)
    SELECT id, workspace_id, kind, display_name, given_name, family_name, stage, relationship,
        owner_user_id, notes_md, sort_name, name_key, search_text, created_at, updated_at
    FROM contacts ORDER BY id;

DROP TABLE contacts;
ALTER TABLE contacts_0018 RENAME TO contacts;

CREATE INDEX contacts_sort ON contacts (workspace_id, sort_name, id);
CREATE INDEX contacts_name_key ON contacts (workspace_id, kind, name_key);
CREATE INDEX contacts_owner ON contacts (workspace_id, owner_user_id, stage);

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts
    WHEN NOT EXISTS (SELECT 1 FROM contacts_search_deferred WHERE new.id > after_id) BEGIN
    INSERT INTO contacts_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts
    WHEN NOT EXISTS (SELECT 1 FROM contacts_search_deferred WHERE old.id > after_id) BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;

CREATE TRIGGER contacts_search_update AFTER UPDATE OF search_text ON contacts
    WHEN old.search_text IS NOT new.search_text
    AND NOT EXISTS (SELECT 1 FROM contacts_search_deferred WHERE new.id > after_id) BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO contacts_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TABLE identities_0018 (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'email' OR kind = 'phone' OR kind = 'whatsapp'
        OR kind = 'telegram' OR kind = 'linkedin' OR kind = 'facebook' OR kind = 'instagram'
        OR kind = 'x' OR kind = 'website'),
    value_normalized TEXT NOT NULL,
    value_original TEXT NOT NULL,
    label TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, value_normalized, kind),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE
) STRICT;

INSERT INTO identities_0018 (id, workspace_id, contact_id, kind, value_normalized,
    value_original, label, created_at)
    SELECT id, workspace_id, contact_id, kind, value_normalized, value_original, label,
        created_at
    FROM identities ORDER BY id;

DROP TABLE identities;
ALTER TABLE identities_0018 RENAME TO identities;
CREATE INDEX identities_contact ON identities (workspace_id, contact_id);

CREATE TABLE conversations_0018 (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    channel TEXT NOT NULL CHECK (channel = 'whatsapp' OR channel = 'telegram'
        OR channel = 'email' OR channel = 'linkedin' OR channel = 'messenger'
        OR channel = 'instagram' OR channel = 'x' OR channel = 'website' OR channel = 'phone'
        OR channel = 'sms'),
    -- The source's identity of the chat, unique per channel (see src/inbox/import.h).
    external_key TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    is_group INTEGER NOT NULL DEFAULT 0,
    -- The customer side of a one-to-one conversation (NULL in groups or when unknown).
    contact_id INTEGER,
    -- Workflow.
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status = 'open' OR status = 'pending' OR status = 'snoozed'
            OR status = 'resolved'),
    snoozed_until INTEGER,
    assignee_user_id INTEGER,
    team_id INTEGER,
    priority TEXT NOT NULL DEFAULT 'normal'
        CHECK (priority = 'low' OR priority = 'normal' OR priority = 'high'
            OR priority = 'urgent'),
    -- Measures (business time is computed from these and inbox_business_hours).
    first_message_at INTEGER,
    last_message_at INTEGER,
    last_incoming_at INTEGER,
    message_count INTEGER NOT NULL DEFAULT 0,
    first_response_at INTEGER,
    resolved_at INTEGER,
    sla_due_at INTEGER,
    sla_breached INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    first_response_minutes INTEGER,
    resolution_minutes INTEGER,
    UNIQUE (workspace_id, channel, external_key),
    UNIQUE (workspace_id, id),
    -- Erasing a contact (GDPR) leaves the company's side of the conversation without them.
    FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL,
    FOREIGN KEY (team_id) REFERENCES inbox_teams (id) ON DELETE SET NULL
) STRICT;

INSERT INTO conversations_0018 (id, workspace_id, channel, external_key, title, is_group,
    contact_id, status, snoozed_until, assignee_user_id, team_id, priority, first_message_at,
    last_message_at, last_incoming_at, message_count, first_response_at, resolved_at,
    sla_due_at, sla_breached, created_at, updated_at, first_response_minutes,
    resolution_minutes)
    SELECT id, workspace_id, channel, external_key, title, is_group, contact_id, status,
        snoozed_until, assignee_user_id, team_id, priority, first_message_at, last_message_at,
        last_incoming_at, message_count, first_response_at, resolved_at, sla_due_at,
        sla_breached, created_at, updated_at, first_response_minutes, resolution_minutes
    FROM conversations ORDER BY id;

DROP TABLE conversations;
ALTER TABLE conversations_0018 RENAME TO conversations;

CREATE INDEX conversations_recent ON conversations (workspace_id, last_message_at, id);
CREATE INDEX conversations_status ON conversations (workspace_id, status, last_message_at, id);
CREATE INDEX conversations_assignee ON conversations (workspace_id, assignee_user_id, status,
    last_message_at);
CREATE INDEX conversations_assigned ON conversations (workspace_id, assignee_user_id,
    last_message_at, id);
CREATE INDEX conversations_channel ON conversations (workspace_id, channel, last_message_at, id);
CREATE INDEX conversations_contact ON conversations (contact_id);
CREATE INDEX conversations_team ON conversations (workspace_id, team_id, last_message_at, id);
CREATE INDEX conversations_sla ON conversations (workspace_id, sla_due_at);
CREATE INDEX conversations_breach ON conversations (workspace_id,
    (CASE WHEN sla_breached = 1 THEN 0 ELSE sla_due_at END), last_message_at, status,
    snoozed_until) WHERE status <> 'resolved';
CREATE INDEX conversations_counts ON conversations (workspace_id, status, channel,
    snoozed_until);
