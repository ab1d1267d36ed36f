/*
 * Unit tests of src/store over SQLite: opening, migrations, the prepared
 * statement cache, $N parameters, errors mapped to PZ_E* codes, transactions
 * and one connection per thread. Each test works on its own database file in
 * a fresh temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/log.h"
#include "store/store.h"

struct fixture {
    char dir[64];
    char path[128];
    struct pz_store *store;
};

static void remove_db_files(const struct fixture *f)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[160];

    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/pz-test-store-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
    if (pz_store_open(&f->store, f->path) != 0) {
        rmdir(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    pz_store_close(f->store);
    remove_db_files(f);
    rmdir(f->dir);
    free(f);
    return 0;
}

static struct pz_conn *conn_of(void **state)
{
    struct fixture *f = *state;
    struct pz_conn *c = pz_store_conn(f->store);
    assert_non_null(c);
    return c;
}

/* Returns the single integer that SQL (no parameters) yields. */
static int64_t one_int(struct pz_conn *c, const char *sql)
{
    int64_t v = -999;
    assert_int_equal(pz_sql_one_int(c, sql, 0, &v), PZ_SQL_ROW);
    return v;
}

/* --- opening ---------------------------------------------------------------- */

static void test_open_errors(void **state)
{
    struct pz_store *s = (struct pz_store *)1;
    (void)state;

    assert_int_equal(pz_store_open(&s, ""), PZ_EINVAL);
    assert_null(s);
    s = (struct pz_store *)1;
    assert_int_equal(pz_store_open(&s, NULL), PZ_EINVAL);
    assert_null(s);
    assert_int_equal(pz_store_open(&s, "postgres://localhost/piazza"), PZ_EINVAL);
    assert_null(s);
    /* The file is created, but not its folder. */
    assert_int_equal(pz_store_open(&s, "/nonexistent-piazza-dir/sub/x.db"), PZ_EDB);
    assert_null(s);
    pz_store_close(NULL); /* accepted */
}

static void test_open_sqlite_prefix(void **state)
{
    struct fixture *f = *state;
    struct pz_store *s = NULL;
    char url[256], other[128];

    snprintf(other, sizeof(other), "%s/other.db", f->dir);
    snprintf(url, sizeof(url), "sqlite:%s", other);
    assert_int_equal(pz_store_open(&s, url), 0);
    assert_non_null(s);
    assert_string_equal(pz_store_backend(s), "sqlite");
    /* The file is at the path after the prefix, not at "sqlite:...". */
    assert_int_equal(access(other, F_OK), 0);
    pz_store_close(s);
    unlink(other);
    snprintf(url, sizeof(url), "%s-wal", other);
    unlink(url);
    snprintf(url, sizeof(url), "%s-shm", other);
    unlink(url);
}

/* --- migrations --------------------------------------------------------------- */

static void test_migrate(void **state)
{
    struct fixture *f = *state;
    struct pz_conn *c = conn_of(state);
    static const char *const tables[] = {"workspaces", "users",     "sessions",
                                         "api_tokens", "audit_log", "settings"};
    int applied = -1;
    int latest = pz_store_latest_version();

    assert_true(latest >= 1);
    assert_int_equal(pz_store_schema_version(f->store), 0);
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        assert_int_equal(pz_store_table_exists(c, tables[i]), 0);

    assert_int_equal(pz_store_migrate(f->store, &applied), 0);
    assert_true(applied >= 1);
    assert_int_equal(pz_store_schema_version(f->store), latest);
    /* Each applied migration is recorded once. */
    assert_int_equal(one_int(c, "SELECT COUNT(*) FROM schema_migrations"), applied);
    assert_int_equal(one_int(c, "SELECT MAX(version) FROM schema_migrations"), latest);
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        if (pz_store_table_exists(c, tables[i]) != 1)
            fail_msg("table %s missing after migrate", tables[i]);
    assert_int_equal(pz_store_table_exists(c, "no_such_table"), 0);
    assert_int_equal(pz_store_table_exists(c, "users_email"), 0); /* an index, not a table */

    /* A second run applies nothing. */
    applied = -1;
    assert_int_equal(pz_store_migrate(f->store, &applied), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(pz_store_migrate(f->store, NULL), 0);
    assert_int_equal(pz_store_schema_version(f->store), latest);
}

static void test_migrate_persists(void **state)
{
    struct fixture *f = *state;
    int applied = -1;

    assert_int_equal(pz_store_migrate(f->store, &applied), 0);
    assert_true(applied >= 1);
    pz_store_close(f->store);
    f->store = NULL;
    assert_int_equal(pz_store_open(&f->store, f->path), 0);
    assert_int_equal(pz_store_schema_version(f->store), pz_store_latest_version());
    applied = -1;
    assert_int_equal(pz_store_migrate(f->store, &applied), 0);
    assert_int_equal(applied, 0);
}

static void test_migrate_refuses_newer_schema(void **state)
{
    struct fixture *f = *state;
    struct pz_conn *c = conn_of(state);
    struct pz_stmt *st;
    int applied = -1;

    assert_int_equal(pz_store_migrate(f->store, NULL), 0);
    st = pz_sql(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'x', 0)");
    assert_non_null(st);
    pz_sql_bind_int(st, 1, pz_store_latest_version() + 1);
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);
    assert_int_equal(pz_store_schema_version(f->store), pz_store_latest_version() + 1);
    assert_true(pz_store_migrate(f->store, &applied) < 0);
    assert_int_equal(applied, 0);
}

/* A database that recorded a higher migration than ones it lacks (branches
 * land numbers out of order) still gets the lower ones. */
static void test_migrate_fills_gaps(void **state)
{
    struct fixture *f = *state;
    struct pz_conn *c = conn_of(state);
    struct pz_stmt *st;
    int applied = -1;

    assert_int_equal(pz_sql_exec(c, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                                    " name TEXT NOT NULL, applied_at INTEGER NOT NULL)"),
                     0);
    st = pz_sql(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'x', 0)");
    assert_non_null(st);
    pz_sql_bind_int(st, 1, pz_store_latest_version());
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);

    assert_int_equal(pz_store_migrate(f->store, &applied), 0);
    assert_true(applied >= 1);
    assert_true(applied <= pz_store_latest_version() - 1);
    assert_int_equal(one_int(c, "SELECT COUNT(*) FROM schema_migrations"), applied + 1);
    assert_int_equal(pz_store_table_exists(c, "workspaces"), 1);
    assert_int_equal(pz_store_table_exists(c, "users"), 1);
    applied = -1;
    assert_int_equal(pz_store_migrate(f->store, &applied), 0);
    assert_int_equal(applied, 0);
}

/* --- statements ------------------------------------------------------------------- */

static void make_table(struct pz_conn *c)
{
    assert_int_equal(pz_sql_exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL,"
                                    " b TEXT, u TEXT UNIQUE, CHECK (a >= 0))"),
                     0);
}

static int64_t count_rows(struct pz_conn *c)
{
    return one_int(c, "SELECT COUNT(*) FROM t");
}

static void test_statement_cache_reuse(void **state)
{
    struct pz_conn *c = conn_of(state);

    /* The same statement, again and again, each time ready for new bindings. */
    for (int i = 0; i < 500; i++) {
        struct pz_stmt *st = pz_sql(c, "SELECT $1 * 2, $2");
        assert_non_null(st);
        pz_sql_bind_int(st, 1, i);
        if (i % 2)
            pz_sql_bind_text(st, 2, "odd");
        assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
        assert_int_equal(pz_sql_int(st, 0), 2 * i);
        /* Bindings do not leak from one use into the next. */
        if (i % 2)
            assert_string_equal(pz_sql_text(st, 1), "odd");
        else
            assert_true(pz_sql_is_null(st, 1));
        assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
        pz_sql_done(st);
    }
    pz_sql_done(NULL); /* accepted */
}

static void test_statement_cache_keyed_by_text(void **state)
{
    struct pz_conn *c = conn_of(state);
    char sql[64];

    /* One buffer, different texts: each gets its own statement. */
    for (int i = 0; i < 20; i++) {
        struct pz_stmt *st;
        snprintf(sql, sizeof(sql), "SELECT %d", i * 7);
        st = pz_sql(c, sql);
        assert_non_null(st);
        assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
        assert_int_equal(pz_sql_int(st, 0), i * 7);
        pz_sql_done(st);
    }
    /* And the same text from another pointer finds the cached one working. */
    for (int i = 0; i < 20; i++) {
        char *copy;
        struct pz_stmt *st;
        snprintf(sql, sizeof(sql), "SELECT %d", i * 7);
        copy = strdup(sql);
        st = pz_sql(c, copy);
        free(copy); /* the cache keeps its own copy of the text */
        assert_non_null(st);
        assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
        assert_int_equal(pz_sql_int(st, 0), i * 7);
        pz_sql_done(st);
    }
}

static void test_statement_cache_many(void **state)
{
    struct pz_conn *c = conn_of(state);
    char sql[64];

    /* More distinct statements than the cache holds, twice over. */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 300; i++) {
            struct pz_stmt *st;
            snprintf(sql, sizeof(sql), "SELECT %d + $1", i);
            st = pz_sql(c, sql);
            assert_non_null(st);
            pz_sql_bind_int(st, 1, round);
            assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
            assert_int_equal(pz_sql_int(st, 0), i + round);
            pz_sql_done(st);
        }
    }
}

static void test_statement_same_sql_nested(void **state)
{
    struct pz_conn *c = conn_of(state);
    struct pz_stmt *outer, *inner;
    int rows = 0;

    make_table(c);
    assert_int_equal(pz_sql_exec(c, "INSERT INTO t (a) VALUES (1), (2), (3)"), 0);
    /* While one use of a statement is stepping, the same SQL gets another handle. */
    outer = pz_sql(c, "SELECT a FROM t WHERE a >= $1 ORDER BY a");
    assert_non_null(outer);
    pz_sql_bind_int(outer, 1, 1);
    while (pz_sql_step(outer) == PZ_SQL_ROW) {
        int64_t a = pz_sql_int(outer, 0);
        inner = pz_sql(c, "SELECT a FROM t WHERE a >= $1 ORDER BY a");
        assert_non_null(inner);
        assert_ptr_not_equal(inner, outer);
        pz_sql_bind_int(inner, 1, 3);
        assert_int_equal(pz_sql_step(inner), PZ_SQL_ROW);
        assert_int_equal(pz_sql_int(inner, 0), 3);
        pz_sql_done(inner);
        assert_int_equal(a, ++rows);
    }
    pz_sql_done(outer);
    assert_int_equal(rows, 3);
}

static void test_bind_out_of_order(void **state)
{
    struct pz_conn *c = conn_of(state);
    struct pz_stmt *st;

    make_table(c);
    st = pz_sql(c, "INSERT INTO t (a, b) VALUES ($1, $2)");
    assert_non_null(st);
    pz_sql_bind_int(st, 1, 5);
    pz_sql_bind_text(st, 2, "five");
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);
    st = pz_sql(c, "INSERT INTO t (a, b) VALUES ($1, $2)");
    pz_sql_bind_int(st, 1, 6);
    pz_sql_bind_text(st, 2, "five");
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);

    /* $2 used before $1 in the text: bound by number, not by position. */
    st = pz_sql(c, "SELECT COUNT(*), MIN(a) FROM t WHERE a = $2 AND b = $1");
    assert_non_null(st);
    pz_sql_bind_text(st, 1, "five");
    pz_sql_bind_int(st, 2, 6);
    assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
    assert_int_equal(pz_sql_int(st, 0), 1);
    assert_int_equal(pz_sql_int(st, 1), 6);
    pz_sql_done(st);

    /* Binding in the reverse order of the numbers gives the same result. */
    st = pz_sql(c, "SELECT $2 || '-' || $1 || '-' || $2");
    assert_non_null(st);
    pz_sql_bind_text(st, 2, "b");
    pz_sql_bind_text(st, 1, "a");
    assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
    assert_string_equal(pz_sql_text(st, 0), "b-a-b");
    pz_sql_done(st);

    /* Ten and more parameters: $1 is not mistaken for $10. */
    st = pz_sql(c, "SELECT $10 - $1, $11");
    assert_non_null(st);
    pz_sql_bind_int(st, 1, 1);
    pz_sql_bind_int(st, 10, 100);
    pz_sql_bind_int(st, 11, 11);
    assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
    assert_int_equal(pz_sql_int(st, 0), 99);
    assert_int_equal(pz_sql_int(st, 1), 11);
    pz_sql_done(st);
}

static void test_bind_text_copied_and_null(void **state)
{
    struct pz_conn *c = conn_of(state);
    struct pz_stmt *st;
    char text[16];

    make_table(c);
    st = pz_sql(c, "INSERT INTO t (a, b, u) VALUES ($1, $2, $3)");
    assert_non_null(st);
    snprintf(text, sizeof(text), "caffè");
    pz_sql_bind_int(st, 1, 1);
    pz_sql_bind_text(st, 2, text);
    pz_sql_bind_text(st, 3, NULL);
    memset(text, 'X', sizeof(text) - 1); /* bound text was copied */
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);
    assert_int_equal(pz_sql_changes(c), 1);

    st = pz_sql(c, "SELECT b, u, a FROM t");
    assert_non_null(st);
    assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
    assert_string_equal(pz_sql_text(st, 0), "caffè");
    assert_false(pz_sql_is_null(st, 0));
    assert_null(pz_sql_text(st, 1));
    assert_true(pz_sql_is_null(st, 1));
    assert_int_equal(pz_sql_int(st, 2), 1);
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);

    st = pz_sql(c, "SELECT $1 IS NULL");
    pz_sql_bind_null(st, 1);
    assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
    assert_int_equal(pz_sql_int(st, 0), 1);
    pz_sql_done(st);

    /* Large integers survive the round trip. */
    st = pz_sql(c, "SELECT $1, $2");
    pz_sql_bind_int(st, 1, INT64_MAX);
    pz_sql_bind_int(st, 2, INT64_MIN);
    assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
    assert_true(pz_sql_int(st, 0) == INT64_MAX);
    assert_true(pz_sql_int(st, 1) == INT64_MIN);
    pz_sql_done(st);
}

static void test_errors(void **state)
{
    struct pz_conn *c = conn_of(state);
    struct pz_stmt *st;

    make_table(c);
    /* A uniqueness violation is PZ_EEXIST, for a UNIQUE column... */
    assert_int_equal(pz_sql_exec(c, "INSERT INTO t (id, a, u) VALUES (1, 1, 'x')"), 0);
    st = pz_sql(c, "INSERT INTO t (a, u) VALUES ($1, $2)");
    assert_non_null(st);
    pz_sql_bind_int(st, 1, 2);
    pz_sql_bind_text(st, 2, "x");
    assert_int_equal(pz_sql_step(st), PZ_EEXIST);
    pz_sql_done(st);
    /* ...and for a primary key. */
    st = pz_sql(c, "INSERT INTO t (id, a) VALUES ($1, $2)");
    assert_non_null(st);
    pz_sql_bind_int(st, 1, 1);
    pz_sql_bind_int(st, 2, 3);
    assert_int_equal(pz_sql_step(st), PZ_EEXIST);
    pz_sql_done(st);
    /* The statement works again after the failure. */
    st = pz_sql(c, "INSERT INTO t (id, a) VALUES ($1, $2)");
    pz_sql_bind_int(st, 1, 2);
    pz_sql_bind_int(st, 2, 3);
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);
    assert_int_equal(count_rows(c), 2);

    /* Other constraints are database errors, not "exists". */
    st = pz_sql(c, "INSERT INTO t (a) VALUES ($1)");
    pz_sql_bind_null(st, 1);
    assert_int_equal(pz_sql_step(st), PZ_EDB); /* NOT NULL */
    pz_sql_done(st);
    st = pz_sql(c, "INSERT INTO t (a) VALUES ($1)");
    pz_sql_bind_int(st, 1, -1);
    assert_int_equal(pz_sql_step(st), PZ_EDB); /* CHECK */
    pz_sql_done(st);
    assert_int_equal(count_rows(c), 2);

    /* Bad SQL gives no statement. */
    assert_null(pz_sql(c, "SELEKT 1"));
    assert_null(pz_sql(c, "SELECT * FROM no_such_table"));
    assert_true(pz_sql_exec(c, "CREATE TABLE t (x)") < 0); /* exists */
    assert_true(pz_sql_exec(c, "nonsense") < 0);
}

static void test_exec_and_one_int(void **state)
{
    struct pz_conn *c = conn_of(state);
    int64_t v = -5;

    make_table(c);
    /* Several statements in one exec. */
    assert_int_equal(pz_sql_exec(c, "INSERT INTO t (a) VALUES (10); INSERT INTO t (a) VALUES (20);"
                                    " UPDATE t SET b = 'y' WHERE a > 5"),
                     0);
    assert_int_equal(pz_sql_changes(c), 2);
    assert_int_equal(pz_sql_one_int(c, "SELECT SUM(a) FROM t WHERE a > $1", 0, &v), PZ_SQL_ROW);
    assert_int_equal(v, 30);
    assert_int_equal(pz_sql_one_int(c, "SELECT SUM(a) FROM t WHERE a > $1", 15, &v), PZ_SQL_ROW);
    assert_int_equal(v, 20);
    v = -5;
    assert_int_equal(pz_sql_one_int(c, "SELECT a FROM t WHERE a > $1", 100, &v), PZ_SQL_DONE);
    assert_int_equal(v, -5); /* untouched without a row */
    assert_true(pz_sql_one_int(c, "SELECT nope FROM t", 0, &v) < 0);
}

static void test_int_query(void **state)
{
    struct pz_conn *c = conn_of(state);
    int64_t v = -5, ten = 10;

    make_table(c);
    assert_int_equal(pz_sql_exec(c, "INSERT INTO t (a, b) VALUES (10, 'x'); INSERT INTO t (a, b)"
                                    " VALUES (20, 'y'); INSERT INTO t (a) VALUES (30)"),
                     0);
    /* Text and integer parameters, named out of order in the SQL. */
    assert_int_equal(
        pz_sql_int_query(c, "SELECT a FROM t WHERE b = $2 AND a > $1", &v, "it", ten, "y"),
        PZ_SQL_ROW);
    assert_int_equal(v, 20);
    /* A NULL text binds null: "b IS $1" matches the row without b. */
    assert_int_equal(
        pz_sql_int_query(c, "SELECT a FROM t WHERE b IS $1", &v, "t", (const char *)NULL),
        PZ_SQL_ROW);
    assert_int_equal(v, 30);
    v = -5;
    assert_int_equal(pz_sql_int_query(c, "SELECT a FROM t WHERE b = $1", &v, "t", "none"),
                     PZ_SQL_DONE);
    assert_int_equal(v, -5);
    assert_true(pz_sql_int_query(c, "SELECT nope FROM t", &v, "") < 0);
}

static void test_transactions(void **state)
{
    struct pz_conn *c = conn_of(state);
    struct pz_stmt *st;

    make_table(c);
    assert_int_equal(pz_tx_begin(c), 0);
    st = pz_sql(c, "INSERT INTO t (a, b) VALUES ($1, $2)");
    assert_non_null(st);
    pz_sql_bind_int(st, 1, 1);
    pz_sql_bind_text(st, 2, "gone");
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);
    assert_int_equal(count_rows(c), 1); /* visible inside the transaction */
    assert_int_equal(pz_tx_rollback(c), 0);
    assert_int_equal(count_rows(c), 0);

    assert_int_equal(pz_tx_begin(c), 0);
    assert_int_equal(pz_sql_exec(c, "INSERT INTO t (a, b) VALUES (2, 'kept')"), 0);
    assert_int_equal(pz_tx_commit(c), 0);
    assert_int_equal(count_rows(c), 1);

    /* A failed statement inside a transaction, then rollback: nothing of it stays. */
    assert_int_equal(pz_tx_begin(c), 0);
    assert_int_equal(pz_sql_exec(c, "INSERT INTO t (a, u) VALUES (3, 'z')"), 0);
    assert_true(pz_sql_exec(c, "INSERT INTO t (a, u) VALUES (4, 'z')") < 0);
    assert_int_equal(pz_tx_rollback(c), 0);
    assert_int_equal(count_rows(c), 1);

    /* Commit or rollback without a transaction is an error, not a crash. */
    assert_true(pz_tx_commit(c) < 0);
    assert_true(pz_tx_rollback(c) < 0);
    /* Nested begin is refused. */
    assert_int_equal(pz_tx_begin(c), 0);
    assert_true(pz_tx_begin(c) < 0);
    assert_int_equal(pz_tx_rollback(c), 0);
}

/* --- connections and threads ------------------------------------------------------------ */

struct worker {
    struct pz_store *store;
    pthread_barrier_t *barrier;
    int index;
    struct pz_conn *conn;
    int failures;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pz_conn *c = pz_store_conn(w->store);

    w->conn = c;
    pthread_barrier_wait(w->barrier);
    if (!c) {
        w->failures++;
        return NULL;
    }
    for (int round = 0; round < 20; round++) {
        if (pz_store_conn(w->store) != c)
            w->failures++;
        if (pz_tx_begin(c) != 0) {
            w->failures++;
            continue;
        }
        for (int i = 0; i < 10; i++) {
            struct pz_stmt *st = pz_sql(c, "INSERT INTO t (a, b) VALUES ($1, $2)");
            if (!st) {
                w->failures++;
                continue;
            }
            pz_sql_bind_int(st, 1, w->index);
            pz_sql_bind_text(st, 2, w->index ? "second" : "first");
            if (pz_sql_step(st) != PZ_SQL_DONE)
                w->failures++;
            pz_sql_done(st);
        }
        if (pz_tx_commit(c) != 0)
            w->failures++;
    }
    /* Reads on this connection see every committed row of this thread. */
    {
        int64_t n = 0;
        if (pz_sql_one_int(c, "SELECT COUNT(*) FROM t WHERE a = $1", w->index, &n) != PZ_SQL_ROW ||
            n != 200)
            w->failures++;
    }
    return NULL;
}

/* The text index query: trigrams of each word, quoted, ANDed; short words left out. */
static void test_text_query(void **state)
{
    struct pz_conn *c = conn_of(state);
    char q[512] = "", sql[200];
    const char *word = "mario";

    assert_int_equal(pz_store_text_query_add(c, q, sizeof(q), "ab", 2), 0);
    assert_string_equal(q, "");
    assert_int_equal(pz_store_text_query_add(c, q, sizeof(q), word, strlen(word)), 1);
    assert_string_equal(q, "\"mar\" AND \"ari\" AND \"rio\"");
    /* Characters, not bytes: "nicolò" has 6 characters, so 4 trigrams. */
    q[0] = '\0';
    assert_int_equal(pz_store_text_query_add(c, q, sizeof(q), "nicol\xC3\xB2", 7), 1);
    assert_string_equal(q, "\"nic\" AND \"ico\" AND \"col\" AND \"ol\xC3\xB2\"");
    /* A quote is doubled inside its phrase; FTS5's operators are plain text. */
    q[0] = '\0';
    assert_int_equal(pz_store_text_query_add(c, q, sizeof(q), "a\"b*", 4), 1);
    assert_string_equal(q, "\"a\"\"b\" AND \"\"\"b*\"");
    /* A long word gives at most 12 trigrams, from its start to its end. */
    q[0] = '\0';
    assert_int_equal(pz_store_text_query_add(c, q, sizeof(q), "alessandra.pozzi@outlook.it", 27),
                     1);
    assert_non_null(strstr(q, "\"ale\""));
    assert_non_null(strstr(q, "\".it\""));
    {
        int n = 0;
        for (const char *p = q; (p = strstr(p, " AND ")) != NULL; p++)
            n++;
        assert_int_equal(n, 11);
    }
    /* Too small a buffer is said so. */
    q[0] = '\0';
    assert_int_equal(pz_store_text_query_add(c, q, 10, word, strlen(word)), -1);
    assert_int_equal(pz_store_text_candidates(c, "contacts", 31, sql, sizeof(sql)), 0);
    assert_non_null(strstr(sql, "$31"));
    assert_int_equal(pz_store_text_candidates(c, "contacts", 31, sql, 10), PZ_EINVAL);
}

/* A list of ids bound as one parameter comes back as rows. */
static void test_ids_parameter(void **state)
{
    struct pz_conn *c = conn_of(state);
    static const int64_t ids[] = {7, -3, 9000000000LL};
    char sub[200], sql[300];
    struct pz_stmt *st;
    int64_t got[4];
    int n = 0, r;

    assert_int_equal(pz_store_ids_sql(c, 2, sub, sizeof(sub)), 0);
    snprintf(sql, sizeof(sql), "SELECT id FROM (%s) AS f WHERE id <> $1 ORDER BY id", sub);
    st = pz_sql(c, sql);
    assert_non_null(st);
    pz_sql_bind_int(st, 1, 0);
    pz_sql_bind_ids(st, 2, ids, 3);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW && n < 4)
        got[n++] = pz_sql_int(st, 0);
    pz_sql_done(st);
    assert_int_equal(r, PZ_SQL_DONE);
    assert_int_equal(n, 3);
    assert_true(got[0] == -3 && got[1] == 7 && got[2] == 9000000000LL);
    /* No ids: no rows. */
    st = pz_sql(c, sql);
    pz_sql_bind_int(st, 1, 0);
    pz_sql_bind_ids(st, 2, ids, 0);
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);
    assert_int_equal(pz_store_ids_sql(c, 2, sub, 5), PZ_EINVAL);
}

static void test_threads(void **state)
{
    struct fixture *f = *state;
    struct pz_conn *main_conn = conn_of(state);
    pthread_barrier_t barrier;
    pthread_t tids[2];
    struct worker w[2];

    make_table(main_conn);
    pthread_barrier_init(&barrier, NULL, 2);
    for (int i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].store = f->store;
        w[i].barrier = &barrier;
        w[i].index = i;
        assert_int_equal(pthread_create(&tids[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(tids[i], NULL);
    pthread_barrier_destroy(&barrier);

    for (int i = 0; i < 2; i++) {
        assert_non_null(w[i].conn);
        assert_int_equal(w[i].failures, 0);
        assert_ptr_not_equal(w[i].conn, main_conn);
    }
    assert_ptr_not_equal(w[0].conn, w[1].conn);
    /* This thread still has its own connection, and sees both threads' rows. */
    assert_ptr_equal(pz_store_conn(f->store), main_conn);
    assert_int_equal(count_rows(main_conn), 400);
    assert_int_equal(one_int(main_conn, "SELECT COUNT(*) FROM t WHERE a = 1 AND b = 'second'"),
                     200);
}

static void test_two_stores_one_thread(void **state)
{
    struct fixture *f = *state;
    struct pz_store *other = NULL;
    struct pz_conn *ca, *cb;
    char path[160];

    snprintf(path, sizeof(path), "%s/second.db", f->dir);
    assert_int_equal(pz_store_open(&other, path), 0);
    ca = pz_store_conn(f->store);
    cb = pz_store_conn(other);
    assert_non_null(ca);
    assert_non_null(cb);
    assert_ptr_not_equal(ca, cb);
    /* Alternating between stores gives each store's own connection. */
    assert_int_equal(pz_sql_exec(pz_store_conn(f->store), "CREATE TABLE only_in_a (x)"), 0);
    assert_int_equal(pz_store_table_exists(pz_store_conn(other), "only_in_a"), 0);
    assert_int_equal(pz_store_table_exists(pz_store_conn(f->store), "only_in_a"), 1);
    assert_ptr_equal(pz_store_conn(f->store), ca);
    assert_ptr_equal(pz_store_conn(other), cb);
    pz_store_close(other);

    /* A store opened after another was closed gets a working connection. */
    assert_int_equal(pz_store_open(&other, path), 0);
    cb = pz_store_conn(other);
    assert_non_null(cb);
    assert_int_equal(pz_store_table_exists(cb, "only_in_a"), 0);
    assert_int_equal(pz_sql_exec(cb, "CREATE TABLE only_in_b (x)"), 0);
    assert_int_equal(pz_store_table_exists(pz_store_conn(f->store), "only_in_b"), 0);
    pz_store_close(other);
    unlink(path);
    snprintf(path, sizeof(path), "%s/second.db-wal", f->dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/second.db-shm", f->dir);
    unlink(path);
}

/* A skippable write does not wait for another connection's write lock, and works once the
 * lock is gone. */
static void test_step_nowait(void **state)
{
    struct fixture *f = *state;
    struct pz_store *other = NULL;
    struct pz_conn *ca = conn_of(state), *cb;
    struct pz_stmt *st;

    assert_int_equal(pz_sql_exec(ca, "CREATE TABLE t (x INTEGER)"), 0);
    assert_int_equal(pz_store_open(&other, f->path), 0);
    cb = pz_store_conn(other);
    assert_non_null(cb);
    assert_int_equal(pz_tx_begin(cb), 0); /* the long write: holds the lock */
    st = pz_sql(ca, "INSERT INTO t (x) VALUES (1)");
    assert_non_null(st);
    assert_int_equal(pz_sql_step_nowait(st), PZ_EBUSY);
    pz_sql_done(st);
    assert_int_equal(one_int(ca, "SELECT COUNT(*) FROM t"), 0); /* reads go on */
    assert_int_equal(pz_tx_commit(cb), 0);
    st = pz_sql(ca, "INSERT INTO t (x) VALUES (1)");
    assert_int_equal(pz_sql_step_nowait(st), PZ_SQL_DONE);
    pz_sql_done(st);
    assert_int_equal(one_int(ca, "SELECT COUNT(*) FROM t"), 1);
    pz_store_close(other);
}

/* The text of the single row and column that SQL yields (static buffer). */
static const char *one_text(struct pz_conn *c, const char *sql)
{
    static char out[64];
    struct pz_stmt *st = pz_sql(c, sql);

    assert_non_null(st);
    assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
    snprintf(out, sizeof(out), "%s", pz_sql_text(st, 0) ? pz_sql_text(st, 0) : "(null)");
    pz_sql_done(st);
    return out;
}

/* A connection takes the database to itself only when nobody else has it open, writes and
 * rolls back under the rollback journal, and gives it back to WAL mode. */
static void test_alone(void **state)
{
    struct fixture *f = *state;
    struct pz_store *other = NULL;
    struct pz_conn *ca = conn_of(state), *cb;
    char journal[200];
    FILE *err;
    int saved, n;
    size_t got;
    char text[400];

    assert_int_equal(pz_sql_exec(ca, "CREATE TABLE t (x INTEGER)"), 0);
    assert_string_equal(one_text(ca, "PRAGMA journal_mode"), "wal");

    /* Shared: nothing changes, and at once (no wait for the others). */
    assert_int_equal(pz_store_open(&other, f->path), 0);
    cb = pz_store_conn(other);
    assert_non_null(cb);
    assert_int_equal(pz_store_alone(ca, 1), 0);
    assert_string_equal(one_text(ca, "PRAGMA journal_mode"), "wal");
    assert_int_equal(pz_sql_exec(cb, "INSERT INTO t (x) VALUES (1)"), 0);
    pz_store_close(other);

    /* Alone: the rollback journal, synced in full; a rollback undoes, a commit keeps. */
    assert_int_equal(pz_store_alone(ca, 1), 1);
    assert_string_equal(one_text(ca, "PRAGMA journal_mode"), "delete");
    assert_int_equal(one_int(ca, "PRAGMA synchronous"), 2);
    assert_int_equal(pz_tx_begin(ca), 0);
    assert_int_equal(pz_sql_exec(ca, "INSERT INTO t (x) VALUES (2)"), 0);
    assert_int_equal(pz_tx_rollback(ca), 0);
    assert_int_equal(pz_tx_begin(ca), 0);
    assert_int_equal(pz_sql_exec(ca, "INSERT INTO t (x) VALUES (3)"), 0);

    /* Another program opening it meanwhile is refused, and told why. */
    fflush(stderr);
    saved = dup(2);
    err = tmpfile();
    assert_non_null(err);
    dup2(fileno(err), 2);
    pz_log_set_level(PZ_LOG_ERROR);
    n = pz_store_open(&other, f->path);
    pz_log_set_level(PZ_LOG_OFF);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(err);
    got = fread(text, 1, sizeof(text) - 1, err);
    text[got] = '\0';
    fclose(err);
    assert_int_equal(n, PZ_EDB);
    assert_non_null(strstr(text, "another program is writing it on its own"));

    assert_int_equal(pz_tx_commit(ca), 0);
    assert_int_equal(one_int(ca, "SELECT group_concat(x) = '1,3' FROM t"), 1);
    snprintf(journal, sizeof(journal), "%s-journal", f->path);
    assert_int_equal(access(journal, F_OK), -1); /* the journal goes with the commit */

    /* Given back: WAL mode, and others open it again. */
    assert_int_equal(pz_store_alone(ca, 0), 0);
    assert_string_equal(one_text(ca, "PRAGMA journal_mode"), "wal");
    assert_int_equal(one_int(ca, "PRAGMA synchronous"), 1);
    assert_int_equal(pz_store_open(&other, f->path), 0);
    cb = pz_store_conn(other);
    assert_non_null(cb);
    assert_int_equal(one_int(cb, "SELECT COUNT(*) FROM t"), 2);
    pz_store_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test_setup_teardown(test_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_sqlite_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ids_parameter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_persists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_refuses_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_fills_gaps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache_keyed_by_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_same_sql_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_text_copied_and_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_and_one_int, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_stores_one_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_step_nowait, setup, teardown),
    };

    /* Expected failures log errors; keep the output to cmocka's lines. */
    pz_log_set_level(PZ_LOG_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
