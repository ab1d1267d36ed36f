-- 0003: import jobs, the imports started from the web. A job holds the
-- uploaded files (stored under the data folder, named by the server, never
-- by the client) until it ends, and goes through a dry run before anything
-- is kept:
--   parsing  -> ready (a preview) -> importing -> done
--   parsing or importing -> failed (a refused file; nothing kept)
--   parsing, ready or importing -> discarded (by the user)
-- kind says what is imported ('contacts'; chats later) and format which
-- reader reads it (NULL: detected per file). preview and summary are JSON
-- objects whose members depend on the kind; options is the JSON object the
-- user confirmed with (for kinds that ask a question before committing).
-- Progress counts done of total in unit ('lines' while parsing, 'records'
-- while importing); the job runner keeps the running job's progress in
-- memory and writes it here when a step ends.

CREATE TABLE import_jobs (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    kind TEXT NOT NULL,
    format TEXT,
    status TEXT NOT NULL DEFAULT 'parsing' CHECK (status IN ('parsing', 'ready', 'importing',
        'done', 'failed', 'discarded')),
    files TEXT NOT NULL DEFAULT '[]',
    progress_unit TEXT NOT NULL DEFAULT 'lines',
    progress_done INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER NOT NULL DEFAULT 0,
    preview TEXT,
    options TEXT,
    summary TEXT,
    error TEXT,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
) STRICT;
CREATE INDEX import_jobs_recent ON import_jobs (workspace_id, id);
CREATE INDEX import_jobs_status ON import_jobs (workspace_id, status);
