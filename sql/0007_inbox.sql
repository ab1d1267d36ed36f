-- 0007: conversations. Every chat and mail thread the company has (imported
-- from exports now, live channels later), its participants resolved to
-- contacts, its messages with their attachments, and the shared-inbox
-- workflow around them: status, assignee, team, labels, priority, SLA,
-- canned replies and business hours. Same dialect rules as 0001 and 0002;
-- every child row names its parent by (workspace_id, id), so no row can
-- point into another workspace.

CREATE TABLE inbox_teams (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, name),
    UNIQUE (workspace_id, id)
) STRICT;

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    channel TEXT NOT NULL CHECK (channel IN ('whatsapp', 'telegram', 'email', 'linkedin',
        'messenger', 'instagram', 'x', 'website', 'phone', 'sms')),
    -- The source's identity of the chat, unique per channel (see src/inbox/import.h).
    external_key TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    is_group INTEGER NOT NULL DEFAULT 0,
    -- The customer side of a one-to-one conversation (NULL in groups or when unknown).
    contact_id INTEGER,
    -- Workflow.
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'pending', 'snoozed', 'resolved')),
    snoozed_until INTEGER,
    assignee_user_id INTEGER,
    team_id INTEGER,
    priority TEXT NOT NULL DEFAULT 'normal'
        CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
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
    UNIQUE (workspace_id, channel, external_key),
    UNIQUE (workspace_id, id),
    -- Erasing a contact (GDPR) leaves the company's side of the conversation without them.
    FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL,
    FOREIGN KEY (team_id) REFERENCES inbox_teams (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX conversations_recent ON conversations (workspace_id, last_message_at, id);
CREATE INDEX conversations_status ON conversations (workspace_id, status, last_message_at, id);
CREATE INDEX conversations_assignee ON conversations (workspace_id, assignee_user_id, status,
    last_message_at);
CREATE INDEX conversations_contact ON conversations (contact_id);

-- Who takes part: a person of the source (name and handle as the export
-- wrote them), resolved to a contact, or one of the company's own people
-- ("me", mapped to a user when known).
CREATE TABLE conversation_participants (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    handle_key TEXT NOT NULL,
    name TEXT NOT NULL,
    identity_kind TEXT,
    identity_value TEXT,
    contact_id INTEGER,
    is_me INTEGER NOT NULL DEFAULT 0,
    user_id INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, conversation_id, handle_key),
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, conversation_id) REFERENCES conversations (workspace_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX conversation_participants_contact ON conversation_participants (contact_id);

-- A message, exactly as written. dedup_key is unique in the workspace, so
-- importing the same export again, or an overlapping one, stores nothing twice.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    dedup_key TEXT NOT NULL,
    source_id TEXT,
    direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'note')),
    kind TEXT NOT NULL CHECK (kind IN ('text', 'system', 'media')),
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
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, conversation_id) REFERENCES conversations (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX messages_conversation ON messages (workspace_id, conversation_id, sent_at, id);

-- Files sent with a message. stored_path is relative to the data folder,
-- named by the file's SHA-256 (NULL when the export did not include it).
CREATE TABLE message_attachments (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    mime_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    size INTEGER,
    sha256 TEXT,
    stored_path TEXT,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, message_id) REFERENCES messages (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX message_attachments_message ON message_attachments (workspace_id, message_id);

CREATE TABLE inbox_labels (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    color TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, name_key),
    UNIQUE (workspace_id, id)
) STRICT;

CREATE TABLE conversation_labels (
    workspace_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    label_id INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, conversation_id, label_id),
    FOREIGN KEY (workspace_id, conversation_id) REFERENCES conversations (workspace_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, label_id) REFERENCES inbox_labels (workspace_id, id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX conversation_labels_label ON conversation_labels (workspace_id, label_id,
    conversation_id);

-- Canned replies; body may hold variables such as {{first_name}}.
CREATE TABLE canned_replies (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    shortcut TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (workspace_id, shortcut)
) STRICT;

-- Business hours per workspace: one row per opening interval of a weekday
-- (0 Monday .. 6 Sunday), minutes from local midnight in the workspace's zone.
CREATE TABLE inbox_business_hours (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    open_minute INTEGER NOT NULL CHECK (open_minute BETWEEN 0 AND 1439),
    close_minute INTEGER NOT NULL CHECK (close_minute BETWEEN 1 AND 1440),
    PRIMARY KEY (workspace_id, weekday, open_minute),
    CHECK (close_minute > open_minute)
) STRICT;

-- SLA targets per workspace, in business minutes (NULL: no target).
CREATE TABLE inbox_settings (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (workspace_id),
    first_response_target_min INTEGER,
    resolution_target_min INTEGER,
    updated_at INTEGER NOT NULL
) STRICT;

-- Import runs of chats count what they stored; for them "created" counts the
-- contacts created, "unchanged" the contacts matched and "duplicates" the
-- messages that were there already.
ALTER TABLE import_runs ADD COLUMN conversations INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN messages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN system_messages INTEGER NOT NULL DEFAULT 0;
