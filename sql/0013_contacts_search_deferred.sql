-- 0013: the contact search index (0006) can be brought up to date once at
-- the end of a large import instead of once per row. Each row written into
-- the FTS5 table inside a transaction makes SQLite open a statement
-- savepoint on it, and FTS5 writes its pending terms to disk at every
-- savepoint: one tiny segment per contact, merged over and over. An import
-- of 100,000 cards spent about as much time there as on everything else.
--
-- While a row of contacts_search_deferred exists, contacts with an id above
-- its after_id are left out of the index by the triggers; the writer that
-- made the row indexes them in one statement (INSERT ... SELECT) and
-- deletes the row before it commits, so no other connection ever sees it
-- (src/store: pz_store_text_defer, pz_store_text_catch_up). Contacts at or
-- below after_id (those that existed before) are kept in step row by row,
-- as before.

CREATE TABLE contacts_search_deferred (
    after_id INTEGER NOT NULL
) STRICT;

DROP TRIGGER contacts_search_insert;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_update;

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
