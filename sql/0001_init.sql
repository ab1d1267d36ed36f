-- 0001: workspaces, accounts, sessions, API tokens, audit log, settings.
-- Written in the dialect SQLite and PostgreSQL share; the PostgreSQL backend
-- maps INTEGER to BIGINT, INTEGER PRIMARY KEY to an identity column and drops
-- STRICT. Times are UTC milliseconds. workspace_id leads every index.

CREATE TABLE workspaces (
    workspace_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    locale TEXT NOT NULL DEFAULT 'it' CHECK (locale IN ('it', 'en')),
    timezone TEXT NOT NULL DEFAULT 'Europe/Rome',
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'agent', 'member', 'consultant')),
    password_hash TEXT NOT NULL,
    locale TEXT CHECK (locale IS NULL OR locale IN ('it', 'en')),
    disabled INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_sign_in_at INTEGER,
    UNIQUE (workspace_id, email)
) STRICT;
CREATE INDEX users_email ON users (email);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at INTEGER,
    ip TEXT,
    user_agent TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions (workspace_id, user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (workspace_id, user_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_user_id INTEGER,
    action TEXT NOT NULL,
    target TEXT,
    ip TEXT,
    detail TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (workspace_id, id);

-- Installation-wide values use workspace_id 0 (the secret that signs CSRF tokens).
CREATE TABLE settings (
    workspace_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (workspace_id, key)
) STRICT;
