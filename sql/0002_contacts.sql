-- 0002: relationships. Contacts (people and organizations), their identities,
-- memberships, tags, custom fields, consents, timeline, derived scores,
-- duplicate suggestions and import runs. Same dialect rules as 0001; every
-- child row names its contact by (workspace_id, contact_id), so a row can
-- never point into another workspace and deleting a contact (GDPR erasure)
-- cascades to everything of it.

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    kind TEXT NOT NULL CHECK (kind IN ('person', 'organization')),
    display_name TEXT NOT NULL,
    given_name TEXT,
    family_name TEXT,
    stage TEXT NOT NULL DEFAULT 'stranger'
        CHECK (stage IN ('stranger', 'lead', 'prospect', 'customer', 'advocate', 'former')),
    relationship TEXT CHECK (relationship IS NULL OR relationship IN ('customer', 'supplier',
        'partner', 'consultant', 'press', 'candidate', 'employee')),
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
CREATE INDEX contacts_sort ON contacts (workspace_id, sort_name, id);
CREATE INDEX contacts_name_key ON contacts (workspace_id, kind, name_key);
CREATE INDEX contacts_owner ON contacts (workspace_id, owner_user_id, stage);

CREATE TABLE identities (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'whatsapp', 'telegram', 'linkedin',
        'facebook', 'instagram', 'x', 'website')),
    value_normalized TEXT NOT NULL,
    value_original TEXT NOT NULL,
    label TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, kind, value_normalized),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX identities_contact ON identities (workspace_id, contact_id);
CREATE INDEX identities_value ON identities (workspace_id, value_normalized);

-- A person's place in an organization (both are contacts).
CREATE TABLE memberships (
    workspace_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    organization_id INTEGER NOT NULL,
    title TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, person_id, organization_id),
    FOREIGN KEY (workspace_id, person_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, organization_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX memberships_organization ON memberships (workspace_id, organization_id, person_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, name_key),
    UNIQUE (workspace_id, id)
) STRICT;

CREATE TABLE contact_tags (
    workspace_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    tag_id INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, contact_id, tag_id),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, tag_id) REFERENCES tags (workspace_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX contact_tags_tag ON contact_tags (workspace_id, tag_id, contact_id);

-- Custom fields a workspace defines; choices is a JSON array of strings for type 'choice'.
CREATE TABLE custom_fields (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'choice')),
    choices TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, name),
    UNIQUE (workspace_id, id)
) STRICT;

CREATE TABLE contact_field_values (
    workspace_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    field_id INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (workspace_id, contact_id, field_id),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, field_id) REFERENCES custom_fields (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX contact_field_values_field ON contact_field_values (workspace_id, field_id);

CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    source TEXT NOT NULL,
    given_at INTEGER NOT NULL,
    withdrawn_at INTEGER,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX consents_contact ON consents (workspace_id, contact_id);

-- Everything that happened with a contact. Other capabilities add their own
-- kinds through src/contacts/timeline.h. interaction is 1 for entries that
-- are contact with the person (calls, meetings, messages, e-mails, anything
-- with a direction): the ones relationship strength is computed from.
CREATE TABLE timeline_entries (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT,
    direction TEXT CHECK (direction IS NULL OR direction IN ('in', 'out')),
    duration_s INTEGER,
    outcome TEXT,
    body TEXT,
    author_user_id INTEGER,
    source_kind TEXT,
    source_id INTEGER,
    interaction INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX timeline_contact ON timeline_entries (workspace_id, contact_id, at, id);
CREATE INDEX timeline_interactions ON timeline_entries (workspace_id, contact_id, interaction, at);
CREATE INDEX timeline_source ON timeline_entries (workspace_id, source_kind, source_id);

-- Derived from the timeline by src/contacts/score.c; `piazza rebuild scores`
-- recomputes every row. previous_strength is the value before the last change.
CREATE TABLE contact_scores (
    workspace_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    strength INTEGER NOT NULL,
    previous_strength INTEGER,
    last_contact_at INTEGER,
    days_since INTEGER,
    contacts_90 INTEGER NOT NULL,
    contacts_365 INTEGER NOT NULL,
    outgoing INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    incoming INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    explanation_en TEXT NOT NULL,
    explanation_it TEXT NOT NULL,
    computed_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, contact_id),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX contact_scores_strength ON contact_scores (workspace_id, strength, contact_id);

-- Probable duplicates, never merged by themselves. contact_a < contact_b.
CREATE TABLE duplicate_suggestions (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    contact_a INTEGER NOT NULL,
    contact_b INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('identity', 'name')),
    detail TEXT,
    dismissed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, contact_a, contact_b),
    FOREIGN KEY (workspace_id, contact_a) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, contact_b) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX duplicate_suggestions_b ON duplicate_suggestions (workspace_id, contact_b);

-- One row per import run, whatever the importer (contacts now, messages later).
CREATE TABLE import_runs (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    user_id INTEGER,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'refused',
        'failed')),
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    records INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX import_runs_started ON import_runs (workspace_id, id);
CREATE INDEX import_runs_sha256 ON import_runs (workspace_id, sha256);

-- Records that carried no identity at all are recognized on a re-import by
-- this key (the file's hash, the folded name and organization), never by
-- name alone across files.
CREATE TABLE contact_import_keys (
    workspace_id INTEGER NOT NULL,
    import_key TEXT NOT NULL,
    contact_id INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, import_key),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX contact_import_keys_contact ON contact_import_keys (workspace_id, contact_id);
