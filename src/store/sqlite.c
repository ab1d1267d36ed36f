/*
 * The SQLite backend. Each connection runs in WAL mode with foreign keys on,
 * a busy timeout and synchronous=NORMAL (durable at each checkpoint, and
 * never corrupt). Parameters are written $1, $2... as in PostgreSQL; SQLite
 * reads them as named parameters, so binding looks the index up by name.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/backend.h"
#include "core/banned.h"

#define BUSY_TIMEOUT_MS 5000
#define PZ_STR2(x)      #x
#define PZ_STR(x)       PZ_STR2(x)
/* Reads go through a memory map of up to 256 MB, shared by every connection: a page of a
 * large database is then read where it lies, not copied by a system call into each
 * connection's small page cache (search reads hundreds of rows spread over the file). */
#define MMAP_SQL " PRAGMA mmap_size = 268435456;"

static void no_memstatus(void)
{
    /* Allocation statistics take a global lock on every allocation; piazza reads none. Only
     * possible before SQLite starts, so it may quietly not apply (tests that opened it). */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static void *sq_connect(const char *target)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *msg = NULL;
    int rc;

    pthread_once(&once, no_memstatus);
    rc = sqlite3_open_v2(target, &db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        pz_error(PZ_EDB, "cannot open database '%s': %s", target,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    /* SQLite answers the mode it is in: anything but WAL, or the lock refused, means that
     * another program has the database to itself (pz_store_alone) for a long write. */
    rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW || !sqlite3_column_text(st, 0) ||
        strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
        if (rc == SQLITE_ROW || rc == SQLITE_BUSY)
            pz_error(PZ_EDB,
                     "cannot open database '%s': another program is writing it on its own, such"
                     " as `piazza import`; try again when it has finished",
                     target);
        else
            pz_error(PZ_EDB, "cannot set up database '%s': %s", target, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_finalize(st);
    rc = sqlite3_exec(db,
                      "PRAGMA foreign_keys = ON;"
                      " PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;" MMAP_SQL,
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        pz_error(PZ_EDB, "cannot set up database '%s': %s", target, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    if (sq_fts_register(db) != SQLITE_OK) {
        pz_error(PZ_EDB, "cannot register the search tokenizer on '%s'", target);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static void sq_disconnect(void *db)
{
    sqlite3_close_v2(db);
}

/*
 * A prepared statement, and whether its parameters are "$1".."$n" in order of
 * first use: SQLite numbers named parameters in that order, so then "$N" is
 * parameter N and binding needs no lookup by name (a lookup walks the list of
 * names, which costs much in a statement with many parameters). Otherwise
 * $1..$SQ_MAPPED-1 are found through a table made when it is prepared (a
 * snprintf and a lookup at every bind were 2% of a contacts import), and only
 * higher ones by name.
 */
#define SQ_MAPPED 64

struct sq_stmt {
    sqlite3_stmt *st;
    int in_order;
    unsigned short index_of[SQ_MAPPED]; /* $N -> SQLite's index; 0: none */
};

/* N of a parameter named "$N", or 0. */
static int param_number(const char *name)
{
    int n = 0;
    const char *p = name ? name + 1 : NULL;

    if (!name || name[0] != '$')
        return 0;
    while (*p >= '0' && *p <= '9' && n < 1000000)
        n = n * 10 + (*p++ - '0');
    return *p == '\0' && p > name + 1 ? n : 0;
}

static void *sq_prepare(void *db, const char *sql)
{
    struct sq_stmt *s;
    sqlite3_stmt *st = NULL;
    int n;

    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        pz_error(PZ_EDB, "cannot prepare SQL: %s [%s]", sqlite3_errmsg(db), sql);
        return NULL;
    }
    s = xcalloc(1, sizeof(*s));
    s->st = st;
    s->in_order = 1;
    n = sqlite3_bind_parameter_count(st);
    for (int i = 1; i <= n; i++) {
        int k = param_number(sqlite3_bind_parameter_name(st, i));
        if (k != i)
            s->in_order = 0;
        if (k > 0 && k < SQ_MAPPED)
            s->index_of[k] = (unsigned short)i;
    }
    return s;
}

static void sq_finalize(void *vs)
{
    struct sq_stmt *s = vs;
    sqlite3_finalize(s->st);
    free(s);
}

static void sq_reset(void *vs)
{
    struct sq_stmt *s = vs;
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
}

static int param_index(const struct sq_stmt *s, int idx)
{
    char name[16];

    if (s->in_order)
        return idx;
    if (idx > 0 && idx < SQ_MAPPED)
        return s->index_of[idx];
    snprintf(name, sizeof(name), "$%d", idx);
    return sqlite3_bind_parameter_index(s->st, name);
}

static void sq_bind_int(void *vs, int idx, int64_t v)
{
    struct sq_stmt *s = vs;
    sqlite3_bind_int64(s->st, param_index(s, idx), v);
}

static void sq_bind_text(void *vs, int idx, const char *text)
{
    struct sq_stmt *s = vs;
    if (text)
        sqlite3_bind_text(s->st, param_index(s, idx), text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s->st, param_index(s, idx));
}

static void sq_bind_null(void *vs, int idx)
{
    struct sq_stmt *s = vs;
    sqlite3_bind_null(s->st, param_index(s, idx));
}

static int sq_step(void *vs)
{
    sqlite3_stmt *st = ((struct sq_stmt *)vs)->st;
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        return PZ_SQL_ROW;
    if (rc == SQLITE_DONE)
        return PZ_SQL_DONE;
    if (rc == SQLITE_CONSTRAINT) {
        int ext = sqlite3_extended_errcode(sqlite3_db_handle(st));
        if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            return PZ_EEXIST;
    }
    if (rc == SQLITE_BUSY)
        return pz_error(PZ_EBUSY, "database busy: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
    return pz_error(PZ_EDB, "SQL failed: %s [%s]", sqlite3_errmsg(sqlite3_db_handle(st)),
                    sqlite3_sql(st));
}

/* The busy timeout off for one step: a lock held by another writer answers at once. */
static int sq_step_nowait(void *vs)
{
    sqlite3_stmt *st = ((struct sq_stmt *)vs)->st;
    sqlite3 *db = sqlite3_db_handle(st);
    int rc;

    sqlite3_busy_timeout(db, 0);
    rc = sqlite3_step(st);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return PZ_EBUSY;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc == SQLITE_ROW ? PZ_SQL_ROW : PZ_SQL_DONE;
    return pz_error(PZ_EDB, "SQL failed: %s [%s]", sqlite3_errmsg(db), sqlite3_sql(st));
}

static int64_t sq_col_int(void *vs, int col)
{
    return sqlite3_column_int64(((struct sq_stmt *)vs)->st, col);
}

static const char *sq_col_text(void *vs, int col)
{
    return (const char *)sqlite3_column_text(((struct sq_stmt *)vs)->st, col);
}

static int sq_col_is_null(void *vs, int col)
{
    return sqlite3_column_type(((struct sq_stmt *)vs)->st, col) == SQLITE_NULL;
}

static int sq_exec(void *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int code = rc == SQLITE_BUSY ? PZ_EBUSY : PZ_EDB;
        pz_error(code, "SQL failed: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return code;
    }
    return 0;
}

static int64_t sq_changes(void *db)
{
    return sqlite3_changes64(db);
}

static int64_t sq_last_id(void *db)
{
    return sqlite3_last_insert_rowid(db);
}

static char *sq_translate_ddl(const char *sql)
{
    /* Migrations are written in SQLite's dialect already. */
    return xstrdup(sql);
}

/*
 * The FTS5 trigram index answers MATCH from its index alone, while LIKE
 * would make it read every candidate row back from contacts to check it. A
 * word becomes its trigrams, each a quoted one-token phrase (detail=none
 * allows no longer ones), all ANDed: every row holding the word holds them.
 * All of them, for the index to name few rows more than hold the word; at
 * most TRIGRAMS_MAX, spread over it, keep a long e-mail address cheap.
 */
#define TRIGRAMS_MAX 12

static int sq_text_query_add(char *q, size_t qsz, const char *word, size_t n)
{
    size_t starts[256], picks[256], k = 0, n_picks = 0, o = strlen(q);

    for (size_t i = 0; i < n && k < sizeof(starts) / sizeof(starts[0]); i++)
        if (((unsigned char)word[i] & 0xC0) != 0x80) /* a character starts here */
            starts[k++] = i;
    if (k < 3)
        return 0;
    for (size_t i = 0; i + 3 <= k; i++)
        picks[n_picks++] = i;
    if (n_picks > TRIGRAMS_MAX) {
        for (size_t j = 0; j < TRIGRAMS_MAX; j++)
            picks[j] = j * (k - 3) / (TRIGRAMS_MAX - 1);
        n_picks = TRIGRAMS_MAX;
    }
    for (size_t j = 0; j < n_picks; j++) {
        size_t from = starts[picks[j]], to = picks[j] + 3 < k ? starts[picks[j] + 3] : n;
        if (o + 8 + 2 * (to - from) >= qsz)
            return -1;
        if (o > 0) {
            memcpy(q + o, " AND ", 5);
            o += 5;
        }
        q[o++] = '"';
        for (size_t i = from; i < to; i++) {
            if (word[i] == '"')
                q[o++] = '"';
            q[o++] = word[i];
        }
        q[o++] = '"';
        q[o] = '\0';
    }
    return 1;
}

/* The candidates from TABLE_search (MATCH on the table: detail=none has no column filters). */
static int sq_text_candidates(const char *table, int param, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "SELECT rowid AS id FROM %s_search WHERE %s_search MATCH $%d",
                     table, table, param);

    return n < 0 || (size_t)n >= outsz ? PZ_EINVAL : 0;
}

/* FTS5 reads every row of the content table again. A deferral left behind (sql/0013, for
 * tables that have one) ends: the rebuild indexes every row. */
static int sq_text_rebuild(void *db, const char *table)
{
    char sql[300];
    sqlite3_stmt *st = NULL;
    int deferrable = 0, rc;
    int n = snprintf(sql, sizeof(sql), "INSERT INTO %s_search (%s_search) VALUES ('rebuild')",
                     table, table);

    if (n < 0 || (size_t)n >= sizeof(sql))
        return PZ_EINVAL;
    rc = sq_exec(db, sql);
    if (rc < 0)
        return rc;
    n = snprintf(sql, sizeof(sql), "%s_search_deferred", table);
    if (n < 0 || (size_t)n >= sizeof(sql))
        return PZ_EINVAL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, sql, -1, SQLITE_TRANSIENT);
        deferrable = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    if (!deferrable)
        return 0;
    n = snprintf(sql, sizeof(sql), "DELETE FROM %s_search_deferred", table);
    if (n < 0 || (size_t)n >= sizeof(sql))
        return PZ_EINVAL;
    return sq_exec(db, sql);
}

/* The insert trigger of TABLE_search while a deferral has it dropped (see sq_text_defer). */
static _Thread_local char *text_insert_trigger;

/*
 * Drops trigger TABLE_search_insert for the deferring transaction, keeping its SQL for
 * sq_text_catch_up. Its WHEN already left the new rows alone, but a table with an insert
 * trigger costs by the trigger being there: SQLite runs each INSERT in a statement
 * transaction, copying every page the row touches into a statement journal first (a
 * twentieth of an import of contacts). A rollback brings the trigger back by itself; no
 * other connection ever sees the schema without it. A failure only leaves it in place.
 */
static void text_drop_insert_trigger(void *db, const char *table)
{
    char name[128], sql[200];
    sqlite3_stmt *st = NULL;
    int n = snprintf(name, sizeof(name), "%s_search_insert", table);

    free(text_insert_trigger);
    text_insert_trigger = NULL;
    if (n < 0 || (size_t)n >= sizeof(name))
        return;
    if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            text_insert_trigger = xstrdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    n = snprintf(sql, sizeof(sql), "DROP TRIGGER %s", name);
    if (text_insert_trigger && (n < 0 || (size_t)n >= sizeof(sql) ||
                                sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)) {
        free(text_insert_trigger);
        text_insert_trigger = NULL;
    }
}

/* Makes the trigger sq_text_defer dropped again, unless a rollback has brought it back. */
static int text_restore_insert_trigger(void *db, const char *table)
{
    char name[128];
    sqlite3_stmt *st = NULL;
    char *trigger = text_insert_trigger;
    int exists = 1, rc = SQLITE_OK;
    int n = snprintf(name, sizeof(name), "%s_search_insert", table);

    text_insert_trigger = NULL;
    if (!trigger)
        return SQLITE_OK;
    if (n >= 0 && (size_t)n < sizeof(name) &&
        sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        exists = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    if (!exists)
        rc = sqlite3_exec(db, trigger, NULL, NULL, NULL);
    free(trigger);
    return rc;
}

/* A row in TABLE_search_deferred makes the triggers leave rows above its after_id alone. */
static int sq_text_defer(void *db, const char *table, int *deferred)
{
    char sql[300];
    sqlite3_stmt *st = NULL;
    int n = snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s_search_deferred", table), rc;

    *deferred = 0;
    if (n < 0 || (size_t)n >= sizeof(sql))
        return PZ_EINVAL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return pz_error(PZ_EDB, "SQL failed: %s [%s]", sqlite3_errmsg(db), sql);
    rc = sqlite3_step(st);
    n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (n < 0)
        return pz_error(PZ_EDB, "SQL failed: %s [%s]", sqlite3_errmsg(db), sql);
    if (n > 0)
        return 0; /* deferred already, by whoever catches up */
    n = snprintf(sql, sizeof(sql),
                 "INSERT INTO %s_search_deferred (after_id) SELECT COALESCE(MAX(id), 0) FROM %s",
                 table, table);
    if (n < 0 || (size_t)n >= sizeof(sql))
        return PZ_EINVAL;
    rc = sq_exec(db, sql);
    if (rc == 0) {
        *deferred = 1;
        text_drop_insert_trigger(db, table);
    }
    return rc;
}

/*
 * One INSERT ... SELECT: FTS5 gathers the terms of every row in memory and writes them in a
 * few segments. It reads the new rows in order and writes the index's pages once, so it needs
 * little of the page cache, which a long write has filled: the cache is made small for it
 * (pages beyond that go to the WAL, and their memory to FTS5), lest the two add up.
 */
#define CATCH_UP_CACHE_KB 8192

int sq_exec_small_cache(void *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *msg = NULL;
    int cache = 0, rc;

    if (sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        cache = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (cache < -CATCH_UP_CACHE_KB)
        sqlite3_exec(db, "PRAGMA cache_size = -" PZ_STR(CATCH_UP_CACHE_KB), NULL, NULL, NULL);
    rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        pz_log(PZ_LOG_WARN, "index catch-up failed: %s", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    if (cache < -CATCH_UP_CACHE_KB) {
        char restore[64];
        snprintf(restore, sizeof(restore), "PRAGMA cache_size = %d", cache);
        sqlite3_exec(db, restore, NULL, NULL, NULL);
    }
    return rc;
}

static int sq_text_catch_up(void *db, const char *table)
{
    char sql[600];
    int n = snprintf(sql, sizeof(sql),
                     "INSERT INTO %s_search (rowid, search_text) SELECT id, search_text FROM %s"
                     " WHERE id > (SELECT MIN(after_id) FROM %s_search_deferred) ORDER BY id;"
                     " DELETE FROM %s_search_deferred",
                     table, table, table, table);

    if (n < 0 || (size_t)n >= sizeof(sql))
        return PZ_EINVAL;
    if (sq_exec_small_cache(db, sql) != SQLITE_OK) {
        free(text_insert_trigger); /* the caller rolls back, which brings it back */
        text_insert_trigger = NULL;
        return pz_error(PZ_EDB, "cannot bring the search index of %s up to date", table);
    }
    if (text_restore_insert_trigger(db, table) != SQLITE_OK)
        return pz_error(PZ_EDB, "cannot make the search trigger of %s again: %s", table,
                        sqlite3_errmsg(db));
    return 0;
}

/* The deferral stays recorded for a later catch-up; the trigger the caller's deferral dropped
 * is made again, its WHEN keeping it away from the rows left behind. */
static int sq_text_leave(void *db, const char *table)
{
    if (text_restore_insert_trigger(db, table) != SQLITE_OK)
        return pz_error(PZ_EDB, "cannot make the search trigger of %s again: %s", table,
                        sqlite3_errmsg(db));
    return 0;
}

static int sq_text_pending_sql(const char *table, char *out, size_t outsz)
{
    int n = snprintf(out, outsz,
                     "SELECT COUNT(*) FROM %s WHERE id > (SELECT MIN(after_id) FROM"
                     " %s_search_deferred)",
                     table, table);

    return n < 0 || (size_t)n >= outsz ? PZ_EINVAL : 0;
}

/*
 * pz_store_alone. Leaving WAL mode needs every other connection closed: SQLite
 * refuses with SQLITE_BUSY otherwise, and the busy timeout is set to nothing
 * for the attempt, so a shared database is answered at once. A crash while
 * alone leaves a hot journal that the next open rolls back, and every open
 * asks for WAL mode again (sq_connect), so a database is never left out of it.
 */
#define SHARED_SQL "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"

static int sq_alone(void *vdb, int on)
{
    sqlite3 *db = vdb;
    sqlite3_stmt *st = NULL;
    int taken = 0;

    if (!on)
        return sqlite3_exec(db, SHARED_SQL, NULL, NULL, NULL) == SQLITE_OK
                   ? 0
                   : pz_error(PZ_EDB, "cannot share the database again: %s", sqlite3_errmsg(db));
    sqlite3_busy_timeout(db, 0);
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = DELETE", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        taken = strcmp((const char *)sqlite3_column_text(st, 0), "delete") == 0;
    sqlite3_finalize(st);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    if (taken && sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(db, SHARED_SQL, NULL, NULL, NULL);
        taken = 0;
    }
    return taken;
}

const struct pz_store_ops pz_sqlite_ops = {
    .name = "sqlite",
    .begin_sql = "BEGIN IMMEDIATE",
    .table_exists_sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .bind_int = sq_bind_int,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .step_nowait = sq_step_nowait,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_is_null = sq_col_is_null,
    .exec = sq_exec,
    .changes = sq_changes,
    .last_id = sq_last_id,
    /* The FTS5 trigram table answers LIKE from its index when the pattern has no ESCAPE clause
     * (a wildcard in a word then only widens the candidates). */
    .text_candidates = sq_text_candidates,
    .text_query_add = sq_text_query_add,
    .text_rebuild = sq_text_rebuild,
    .text_defer = sq_text_defer,
    .text_catch_up = sq_text_catch_up,
    .text_leave = sq_text_leave,
    .text_pending_sql = sq_text_pending_sql,
    /* A JSON array read by json_each (built into SQLite since 3.38). */
    .ids_select = "SELECT value AS id FROM json_each($",
    .ids_select_end = ")",
    .ids_open = "[",
    .ids_close = "]",
    /* A long write transaction whose pages do not fit in the default 2 MB cache spills them
     * to the WAL and reads them back again and again. 24 MB is as fast as 32 or 48 for an
     * import of 100,000 cards or of 1,000,000 messages (measured: docs/BENCHMARKS.md), and
     * leaves the import's 64 MB budget room: their peaks are 45 and 47 MB. Without the map,
     * whose pages would count as the importer's memory however large the database. */
    .bulk_on_sql = "PRAGMA cache_size = -24576; PRAGMA mmap_size = 0;",
    .alone = sq_alone,
    .bulk_off_sql = "PRAGMA cache_size = -2000;" MMAP_SQL,
    /* Each checked insert of a child row looks its parent up in another B-tree: about a sixth
     * of an import's writing. */
    .refs_trusted_sql = "PRAGMA foreign_keys = OFF;",
    .refs_checked_sql = "PRAGMA foreign_keys = ON;",
    /* The index is read newest first by its rowid (FTS5 honours that order itself); CROSS
     * JOIN keeps it the outer loop, so a LIMIT stops the reading. piazza_rank (fts.c) is
     * scaled to integers, exact to compare in a cursor. */
    .search_query_add = sq_search_query_add,
    .search_sql = {"messages_search CROSS JOIN messages m ON m.id = messages_search.rowid",
                   "messages_search MATCH $1",
                   "CAST(piazza_rank(messages_search) * 1000000 AS INTEGER)",
                   "messages_search.rowid DESC"},
    .search_defer = sq_search_defer,
    .search_sync = sq_search_sync,
    .translate_ddl = sq_translate_ddl,
};
