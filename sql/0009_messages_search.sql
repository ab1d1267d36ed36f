-- 0009: full-text search over every message. messages_search is an FTS5
-- index over messages.body with the "piazza" tokenizer (src/store/fts.c:
-- case and accents folded, Italian and English stems), registered on every
-- connection piazza opens; a sqlite3 shell without it cannot write messages
-- any more (use piazza's own commands). External content: the text is stored
-- once, in messages; the index holds only terms and positions, and the
-- triggers below keep it in step with every insert, edit and deletion (a
-- conversation deleted takes its messages with it through ON DELETE CASCADE,
-- which fires them too). Derived data: `piazza rebuild search` remakes it.
-- This is where SQLite and PostgreSQL differ (DESIGN: full-text search); the
-- queries live in src/store.

CREATE VIRTUAL TABLE messages_search USING fts5 (
    body, content = 'messages', content_rowid = 'id', tokenize = 'piazza'
);
INSERT INTO messages_search (messages_search) VALUES ('rebuild');

-- piazza_search_now() is false while a bulk writer defers the indexing of its
-- inserts to its commit (pz_store_search_defer, src/store/fts.c).
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
