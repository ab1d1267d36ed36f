/*
 * The reference of the contacts import benchmark: what the raw SQLite library
 * does for the rows an import of N cards writes, with nothing of piazza in
 * between. Into a database already migrated by `piazza migrate` (same schema,
 * same indexes, same pragmas as piazza's connections; the rollback journal
 * piazza's import takes when it has the database to itself, pz_store_alone,
 * and WAL again at the end), in one transaction
 * with statements prepared once, it inserts N/50 organizations, then for each
 * of N people: one contact row with its derived columns, three identities
 * (looked up first, as an import must), a membership for three in four, and
 * one timeline entry. Identity values are scattered as real ones are (a hash
 * of the card's number), so index inserts land all over the trees, as they
 * do for a real address book. The page cache is the one piazza's import
 * asks for (pz_store_bulk). The search index is kept the way piazza's
 * import keeps a big file's (sql/0013, pz_store_text_leave): deferred at
 * the start of the transaction, with the insert trigger dropped for the
 * transaction and made again before the commit, the new contacts left to be
 * indexed afterwards; and with foreign keys unchecked, as piazza's import
 * writes a file. `reference --index DB` then indexes them in a transaction
 * of its own with the statements of src/store/sqlite.c, as piazza's server
 * does after such an import, and prints how long it took. The schema is the one
 * migrations leave (since sql/0016 identities have one unique key, value
 * before kind, which the lookup uses), and the search text is about as long
 * as piazza's (each word once, about 120 bytes). No parsing, no
 * normalization, no duplicate checks: the floor under what any importer on
 * SQLite can do with this schema.
 *
 *   cc -O2 -o reference bench/contacts/reference.c -lsqlite3
 *   ./reference DB N          prints "N cards in S s"
 *   ./reference --stages DB   spreads lifecycle stages over the people of DB
 *   ./reference --count DB    prints how many contacts and identities DB holds
 *   ./reference --index DB    indexes the contacts left waiting; prints "indexed in S s"
 *
 * The second form is set-up, not measure: a vCard has no lifecycle stage, so
 * after the import every contact is a "stranger"; the benchmark spreads
 * stages the way a sales team's book looks (15% customers, 10% prospects,
 * 2% former...) so that stage filters select something.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db;

static void die(const char *what)
{
    fprintf(stderr, "reference: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static sqlite3_stmt *prep(const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(sql);
    return st;
}

static void run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        die(sqlite3_sql(st));
    sqlite3_reset(st);
}

/* A scattered, repeatable 32-bit number for card I (murmur3's finalizer). */
static unsigned long scatter(long i, unsigned k)
{
    unsigned x = (unsigned)i * 2654435761u + k * 40503u;
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
    return x;
}

static void identity_value(long i, int k, char *out, size_t outsz)
{
    if (k == 1)
        snprintf(out, outsz, "+39%010lu", scatter(i, 1));
    else
        snprintf(out, outsz, "%s.%08lx@example.it", k ? "lavoro" : "persona",
                 scatter(i, (unsigned)k));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int spread_stages(const char *path)
{
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open");
    if (sqlite3_exec(db,
                     "UPDATE contacts SET stage = CASE (id * 7919) % 100"
                     " WHEN 0 THEN 'former' WHEN 1 THEN 'former' WHEN 2 THEN 'advocate'"
                     " WHEN 3 THEN 'advocate' WHEN 4 THEN 'advocate' ELSE CASE"
                     " WHEN (id * 7919) % 100 < 20 THEN 'customer'"
                     " WHEN (id * 7919) % 100 < 30 THEN 'prospect'"
                     " WHEN (id * 7919) % 100 < 45 THEN 'lead' ELSE 'stranger' END END"
                     " WHERE kind = 'person'",
                     NULL, NULL, NULL) != SQLITE_OK)
        die("update");
    sqlite3_close(db);
    return 0;
}

static int count_rows(const char *path)
{
    sqlite3_stmt *st;

    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open");
    st = prep("SELECT (SELECT COUNT(*) FROM contacts WHERE kind = 'person'),"
              " (SELECT COUNT(*) FROM identities)");
    if (sqlite3_step(st) != SQLITE_ROW)
        die("count");
    printf("%lld %lld\n", (long long)sqlite3_column_int64(st, 0),
           (long long)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}

static int index_waiting(const char *path)
{
    double t0;

    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open");
    t0 = now_s();
    if (sqlite3_exec(
            db,
            "PRAGMA cache_size = -8192; BEGIN IMMEDIATE;"
            " INSERT INTO contacts_search (rowid, search_text) SELECT id, search_text"
            " FROM contacts WHERE id > (SELECT MIN(after_id) FROM contacts_search_deferred)"
            " ORDER BY id; DELETE FROM contacts_search_deferred; COMMIT",
            NULL, NULL, NULL) != SQLITE_OK)
        die("index");
    printf("indexed in %.3f s\n", now_s() - t0);
    sqlite3_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc == 3 ? atol(argv[2]) : 0, n_orgs;
    sqlite3_stmt *contact, *ident_find, *ident, *member, *timeline, *trigger;
    char trigger_sql[1024];
    char name[128], key[128], search[512], value[128];
    double t0;

    if (argc == 3 && strcmp(argv[1], "--stages") == 0)
        return spread_stages(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--count") == 0)
        return count_rows(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--index") == 0)
        return index_waiting(argv[2]);
    if (n < 1) {
        fprintf(stderr, "usage: reference DB N\n");
        return 2;
    }
    n_orgs = n / 50 > 0 ? n / 50 : 1;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK)
        die("open");
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode = DELETE; PRAGMA foreign_keys = OFF;"
                     " PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;"
                     " PRAGMA cache_size = -24576;",
                     NULL, NULL, NULL) != SQLITE_OK)
        die("pragmas");
    t0 = now_s();
    if (sqlite3_exec(db,
                     "BEGIN IMMEDIATE; INSERT INTO contacts_search_deferred (after_id)"
                     " SELECT COALESCE(MAX(id), 0) FROM contacts",
                     NULL, NULL, NULL) != SQLITE_OK)
        die("begin");
    trigger = prep("SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                   " AND name = 'contacts_search_insert'");
    if (sqlite3_step(trigger) != SQLITE_ROW || !sqlite3_column_text(trigger, 0))
        die("no contacts_search_insert trigger");
    snprintf(trigger_sql, sizeof(trigger_sql), "%s", (const char *)sqlite3_column_text(trigger, 0));
    sqlite3_finalize(trigger);
    if (sqlite3_exec(db, "DROP TRIGGER contacts_search_insert", NULL, NULL, NULL) != SQLITE_OK)
        die("drop trigger");
    contact = prep("INSERT INTO contacts (workspace_id, kind, display_name, given_name,"
                   " family_name, sort_name, name_key, search_text, created_at, updated_at)"
                   " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)");
    ident_find = prep("SELECT contact_id FROM identities WHERE workspace_id = 1 AND kind = ?1"
                      " AND value_normalized = ?2");
    ident = prep("INSERT INTO identities (workspace_id, contact_id, kind, value_normalized,"
                 " value_original, created_at) VALUES (1, ?1, ?2, ?3, ?3, ?4)");
    member = prep("INSERT INTO memberships (workspace_id, person_id, organization_id, title,"
                  " created_at) VALUES (1, ?1, ?2, 'Titolare', ?3)");
    timeline = prep("INSERT INTO timeline_entries (workspace_id, contact_id, at, kind, channel,"
                    " body, source_kind, source_id, created_at)"
                    " VALUES (1, ?1, ?2, 'import', 'import', 'c.vcf', 'import_run', 1, ?2)");
    for (long i = 0; i < n_orgs; i++) {
        snprintf(name, sizeof(name), "Organizzazione %ld S.r.l.", i);
        snprintf(key, sizeof(key), "%ld organizzazione srl", i);
        sqlite3_bind_text(contact, 1, "organization", -1, SQLITE_STATIC);
        sqlite3_bind_text(contact, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_null(contact, 3);
        sqlite3_bind_null(contact, 4);
        sqlite3_bind_text(contact, 5, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(contact, 6, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(contact, 7, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(contact, 8, 1795446762365 + i);
        run(contact);
    }
    for (long i = 0; i < n; i++) {
        sqlite3_int64 id, at = 1795446762365 + i;
        static const char *const kinds[3] = {"email", "phone", "email"};
        snprintf(name, sizeof(name), "Persona%ld Cognome%08lx", i % 97, scatter(i, 7));
        snprintf(key, sizeof(key), "cognome%08lx persona%ld", scatter(i, 7), i % 97);
        snprintf(search, sizeof(search),
                 "persona%ld cognome%08lx organizzazione %ld s.r.l. persona.%08lx@example.it"
                 " +39%010lu lavoro.%08lx@example.it",
                 i % 97, scatter(i, 7), i % n_orgs, scatter(i, 0), scatter(i, 1), scatter(i, 2));
        sqlite3_bind_text(contact, 1, "person", -1, SQLITE_STATIC);
        sqlite3_bind_text(contact, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(contact, 3, "Persona", -1, SQLITE_STATIC);
        sqlite3_bind_text(contact, 4, "Cognome", -1, SQLITE_STATIC);
        sqlite3_bind_text(contact, 5, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(contact, 6, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(contact, 7, search, -1, SQLITE_STATIC);
        sqlite3_bind_int64(contact, 8, at);
        for (int k = 0; k < 3; k++) {
            identity_value(i, k, value, sizeof(value));
            sqlite3_bind_text(ident_find, 1, kinds[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(ident_find, 2, value, -1, SQLITE_STATIC);
            if (sqlite3_step(ident_find) == SQLITE_ROW)
                die("an identity is taken");
            sqlite3_reset(ident_find);
        }
        run(contact);
        id = sqlite3_last_insert_rowid(db);
        for (int k = 0; k < 3; k++) {
            identity_value(i, k, value, sizeof(value));
            sqlite3_bind_int64(ident, 1, id);
            sqlite3_bind_text(ident, 2, kinds[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(ident, 3, value, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ident, 4, at);
            run(ident);
        }
        if (i % 4 != 3) {
            sqlite3_bind_int64(member, 1, id);
            sqlite3_bind_int64(member, 2, 1 + i % n_orgs);
            sqlite3_bind_int64(member, 3, at);
            run(member);
        }
        sqlite3_bind_int64(timeline, 1, id);
        sqlite3_bind_int64(timeline, 2, at);
        run(timeline);
    }
    if (sqlite3_exec(db, trigger_sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die("commit");
    if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
        die("back to WAL");
    printf("%ld cards in %.3f s\n", n, now_s() - t0);
    sqlite3_finalize(contact);
    sqlite3_finalize(ident_find);
    sqlite3_finalize(ident);
    sqlite3_finalize(member);
    sqlite3_finalize(timeline);
    sqlite3_close(db);
    return 0;
}
