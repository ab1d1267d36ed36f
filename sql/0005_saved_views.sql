-- 0005: saved views of the contacts list. A view is a name and a set of
-- list filters (a JSON object of the list's query parameters, checked by
-- the API before it is stored), owned by the user who saved it and, when
-- shared, offered to the whole workspace.

CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    filters TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, user_id, name)
) STRICT;
CREATE INDEX saved_views_shared ON saved_views (workspace_id, shared, user_id);
