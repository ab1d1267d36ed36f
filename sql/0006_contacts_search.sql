-- 0006: an index for contact search. Search matches each word of a query
-- anywhere in contacts.search_text (folded names, organizations, identities;
-- LIKE '%word%'), which without an index reads every contact of the
-- workspace. This is where SQLite and PostgreSQL differ (DESIGN: full-text
-- search), so the query side lives in src/store (pz_store_text_candidates):
-- in SQLite the index is the FTS5 table contacts_search with the trigram
-- tokenizer over search_text, kept in step by the triggers below (external
-- content: it stores the trigrams, not the text); the PostgreSQL backend will
-- make it a pg_trgm GIN index on contacts.search_text instead. detail=none
-- keeps it small: it only says which rows hold every trigram of a word, and
-- the LIKE on contacts still decides, so results are those of the scan.

CREATE VIRTUAL TABLE contacts_search USING fts5 (
    search_text, content = 'contacts', content_rowid = 'id', tokenize = 'trigram',
    detail = 'none'
);
INSERT INTO contacts_search (contacts_search) VALUES ('rebuild');

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;

CREATE TRIGGER contacts_search_update AFTER UPDATE OF search_text ON contacts
    WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO contacts_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
