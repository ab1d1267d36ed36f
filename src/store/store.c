/*
 * Backend-neutral half of the store: per-thread connections, the prepared
 * statement cache, transactions and migrations. See store.h. Each connection
 * belongs to the thread that opened it; the store keeps a list of them so
 * that closing the store closes them all.
 */
#include "store/store.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "store/backend.h"
#include "core/banned.h"

#define STMT_CACHE 96

struct pz_stmt {
    struct pz_conn *conn;
    void *handle;
    uint64_t hash;         /* of the SQL text, to skip most string compares */
    char *sql;             /* our copy of the SQL text */
    const char *last_text; /* the caller's pointer it was last asked for by */
    int in_use;
};

struct pz_conn {
    struct pz_store *store;
    pthread_t owner;
    void *db;
    struct pz_conn *next;
    int n_stmts;
    int evict; /* where the next eviction looks first */
    struct pz_stmt stmts[STMT_CACHE];
};

struct pz_store {
    const struct pz_store_ops *ops;
    char *target;
    unsigned long serial;
    pthread_mutex_t lock;
    struct pz_conn *conns;
};

static _Thread_local struct pz_conn *tl_conn;
static _Thread_local unsigned long tl_serial;
static unsigned long next_serial = 1;
static pthread_mutex_t serial_lock = PTHREAD_MUTEX_INITIALIZER;

int pz_store_open(struct pz_store **out, const char *url)
{
    struct pz_store *s;
    struct pz_conn *c;
    const char *target = url;

    *out = NULL;
    if (!url || !*url)
        return pz_error(PZ_EINVAL, "no database given (use --db PATH)");
    if (pz_str_starts(url, "postgres://") || pz_str_starts(url, "postgresql://"))
        return pz_error(PZ_EINVAL,
                        "PostgreSQL is not supported by this build yet; use --db PATH for SQLite");
    if (strncmp(url, "sqlite:", 7) == 0)
        target = url + 7;
    s = xcalloc(1, sizeof(*s));
    s->ops = &pz_sqlite_ops;
    s->target = xstrdup(target);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_lock(&serial_lock);
    s->serial = next_serial++;
    pthread_mutex_unlock(&serial_lock);
    /* Open the first connection now so that a bad path fails here, clearly. */
    c = pz_store_conn(s);
    if (!c) {
        pz_store_close(s);
        return PZ_EDB;
    }
    *out = s;
    return 0;
}

static void conn_free(struct pz_conn *c)
{
    const struct pz_store_ops *ops = c->store->ops;
    for (int i = 0; i < c->n_stmts; i++) {
        ops->finalize(c->stmts[i].handle);
        free(c->stmts[i].sql);
    }
    ops->disconnect(c->db);
    free(c);
}

void pz_store_close(struct pz_store *s)
{
    struct pz_conn *c;

    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    c = s->conns;
    s->conns = NULL;
    pthread_mutex_unlock(&s->lock);
    while (c) {
        struct pz_conn *next = c->next;
        conn_free(c);
        c = next;
    }
    if (tl_serial == s->serial) {
        tl_conn = NULL;
        tl_serial = 0;
    }
    pthread_mutex_destroy(&s->lock);
    free(s->target);
    free(s);
}

const char *pz_store_backend(const struct pz_store *s)
{
    return s->ops->name;
}

struct pz_conn *pz_store_conn(struct pz_store *s)
{
    struct pz_conn *c;
    pthread_t self = pthread_self();

    if (tl_conn && tl_serial == s->serial)
        return tl_conn;
    pthread_mutex_lock(&s->lock);
    for (c = s->conns; c; c = c->next)
        if (pthread_equal(c->owner, self))
            break;
    pthread_mutex_unlock(&s->lock);
    if (!c) {
        void *db = s->ops->connect(s->target);
        if (!db)
            return NULL;
        c = xcalloc(1, sizeof(*c));
        c->store = s;
        c->owner = self;
        c->db = db;
        pthread_mutex_lock(&s->lock);
        c->next = s->conns;
        s->conns = c;
        pthread_mutex_unlock(&s->lock);
    }
    tl_conn = c;
    tl_serial = s->serial;
    return c;
}

struct pz_stmt *pz_sql(struct pz_conn *c, const char *sql)
{
    struct pz_stmt *st;
    uint64_t hash;
    void *h;
    int i;

    /*
     * Most SQL is a string literal asked for again and again from the same place (an
     * importer asks for the same INSERT a million times): the same pointer, then one
     * string compare, finds it without hashing the text. A pointer alone proves nothing
     * (a buffer may hold other SQL now), hence the compare.
     */
    for (i = 0; i < c->n_stmts; i++) {
        st = &c->stmts[i];
        if (!st->in_use && st->last_text == sql && strcmp(st->sql, sql) == 0) {
            st->in_use = 1;
            return st;
        }
    }
    hash = pz_fnv1a64(sql, strlen(sql));
    for (i = 0; i < c->n_stmts; i++) {
        st = &c->stmts[i];
        if (!st->in_use && st->hash == hash && strcmp(st->sql, sql) == 0) {
            st->in_use = 1;
            st->last_text = sql;
            return st;
        }
    }
    h = c->store->ops->prepare(c->db, sql);
    if (!h)
        return NULL;
    if (c->n_stmts < STMT_CACHE) {
        st = &c->stmts[c->n_stmts++];
    } else {
        /* Cache full: replace a statement nobody is using, round robin. */
        st = NULL;
        for (i = 0; i < STMT_CACHE && !st; i++) {
            c->evict = (c->evict + 1) % STMT_CACHE;
            if (!c->stmts[c->evict].in_use)
                st = &c->stmts[c->evict];
        }
        if (!st) {
            c->store->ops->finalize(h);
            pz_error(PZ_EBUSY, "more than %d statements in use at once", STMT_CACHE);
            return NULL;
        }
        c->store->ops->finalize(st->handle);
        free(st->sql);
    }
    st->conn = c;
    st->handle = h;
    st->hash = hash;
    st->sql = xstrdup(sql);
    st->last_text = sql;
    st->in_use = 1;
    return st;
}

void pz_sql_bind_int(struct pz_stmt *st, int idx, int64_t v)
{
    st->conn->store->ops->bind_int(st->handle, idx, v);
}

void pz_sql_bind_text(struct pz_stmt *st, int idx, const char *s)
{
    st->conn->store->ops->bind_text(st->handle, idx, s);
}

void pz_sql_bind_null(struct pz_stmt *st, int idx)
{
    st->conn->store->ops->bind_null(st->handle, idx);
}

int pz_sql_step(struct pz_stmt *st)
{
    return st->conn->store->ops->step(st->handle);
}

int pz_sql_step_nowait(struct pz_stmt *st)
{
    return st->conn->store->ops->step_nowait(st->handle);
}

int64_t pz_sql_int(struct pz_stmt *st, int col)
{
    return st->conn->store->ops->col_int(st->handle, col);
}

const char *pz_sql_text(struct pz_stmt *st, int col)
{
    return st->conn->store->ops->col_text(st->handle, col);
}

int pz_sql_is_null(struct pz_stmt *st, int col)
{
    return st->conn->store->ops->col_is_null(st->handle, col);
}

void pz_sql_done(struct pz_stmt *st)
{
    const struct pz_store_ops *ops;

    if (!st)
        return;
    ops = st->conn->store->ops;
    ops->reset(st->handle);
    st->in_use = 0;
}

int pz_sql_exec(struct pz_conn *c, const char *sql)
{
    return c->store->ops->exec(c->db, sql);
}

int64_t pz_sql_changes(struct pz_conn *c)
{
    return c->store->ops->changes(c->db);
}

int pz_store_bulk(struct pz_conn *c, int on)
{
    const char *sql = on ? c->store->ops->bulk_on_sql : c->store->ops->bulk_off_sql;
    return sql ? c->store->ops->exec(c->db, sql) : 0;
}

int pz_store_alone(struct pz_conn *c, int on)
{
    return c->store->ops->alone ? c->store->ops->alone(c->db, on) : 0;
}

int pz_store_references_trusted(struct pz_conn *c, int on)
{
    const char *sql = on ? c->store->ops->refs_trusted_sql : c->store->ops->refs_checked_sql;
    return sql ? c->store->ops->exec(c->db, sql) : 0;
}

int pz_store_text_query_add(struct pz_conn *c, char *q, size_t qsz, const char *word, size_t n)
{
    return c->store->ops->text_query_add(q, qsz, word, n);
}

int pz_store_text_candidates(struct pz_conn *c, const char *table, int param, char *out,
                             size_t outsz)
{
    return c->store->ops->text_candidates(table, param, out, outsz);
}

int pz_store_text_rebuild(struct pz_conn *c, const char *table)
{
    return c->store->ops->text_rebuild(c->db, table);
}

int pz_store_text_defer(struct pz_conn *c, const char *table, int *deferred)
{
    *deferred = 0;
    return c->store->ops->text_defer ? c->store->ops->text_defer(c->db, table, deferred) : 0;
}

int pz_store_text_catch_up(struct pz_conn *c, const char *table)
{
    return c->store->ops->text_catch_up ? c->store->ops->text_catch_up(c->db, table) : 0;
}

int pz_store_text_leave(struct pz_conn *c, const char *table)
{
    return c->store->ops->text_leave ? c->store->ops->text_leave(c->db, table) : 0;
}

/* Asked at every contact search: through the connection's statement cache. */
int pz_store_text_pending(struct pz_conn *c, const char *table, int64_t *waiting)
{
    char sql[300];
    int r;

    *waiting = 0;
    if (!c->store->ops->text_pending_sql)
        return 0;
    r = c->store->ops->text_pending_sql(table, sql, sizeof(sql));
    if (r < 0)
        return r;
    r = pz_sql_one_int(c, sql, 0, waiting);
    return r < 0 ? r : 0;
}

int pz_store_ids_sql(struct pz_conn *c, int param, char *out, size_t outsz)
{
    const struct pz_store_ops *ops = c->store->ops;
    int n = snprintf(out, outsz, "%s%d%s", ops->ids_select, param, ops->ids_select_end);

    return n < 0 || (size_t)n >= outsz ? PZ_EINVAL : 0;
}

void pz_sql_bind_ids(struct pz_stmt *st, int idx, const int64_t *ids, size_t n_ids)
{
    const struct pz_store_ops *ops = st->conn->store->ops;
    /* 20 digits, a sign and a comma each. */
    size_t cap = strlen(ops->ids_open) + strlen(ops->ids_close) + 22 * n_ids + 1, o;
    char *text = xmalloc(cap);

    o = (size_t)snprintf(text, cap, "%s", ops->ids_open);
    for (size_t i = 0; i < n_ids; i++)
        o += (size_t)snprintf(text + o, cap - o, "%s%lld", i ? "," : "", (long long)ids[i]);
    snprintf(text + o, cap - o, "%s", ops->ids_close);
    ops->bind_text(st->handle, idx, text);
    free(text);
}

int64_t pz_sql_last_id(struct pz_conn *c)
{
    return c->store->ops->last_id(c->db);
}

int pz_tx_begin(struct pz_conn *c)
{
    return c->store->ops->exec(c->db, c->store->ops->begin_sql);
}

int pz_tx_commit(struct pz_conn *c)
{
    if (c->store->ops->search_sync && c->store->ops->search_sync(c->db, 1) != 0)
        return pz_error(PZ_EDB, "cannot index the messages of this transaction for search");
    return c->store->ops->exec(c->db, "COMMIT");
}

int pz_tx_rollback(struct pz_conn *c)
{
    if (c->store->ops->search_sync)
        c->store->ops->search_sync(c->db, 0);
    return c->store->ops->exec(c->db, "ROLLBACK");
}

int pz_store_search_query_add(struct pz_conn *c, char *q, size_t qsz, const char *text, size_t n,
                              int prefix)
{
    return c->store->ops->search_query_add(q, qsz, text, n, prefix);
}

void pz_store_search_sql(struct pz_conn *c, struct pz_search_sql *out)
{
    *out = c->store->ops->search_sql;
}

void pz_store_search_defer(struct pz_conn *c)
{
    if (c->store->ops->search_defer)
        c->store->ops->search_defer(c->db);
}

int pz_sql_int_query(struct pz_conn *c, const char *sql, int64_t *out, const char *types, ...)
{
    struct pz_stmt *st = pz_sql(c, sql);
    va_list ap;
    int r;

    if (!st)
        return PZ_EDB;
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        if (types[i] == 'i')
            pz_sql_bind_int(st, i + 1, va_arg(ap, int64_t));
        else
            pz_sql_bind_text(st, i + 1, va_arg(ap, const char *));
    }
    va_end(ap);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        *out = pz_sql_int(st, 0);
    pz_sql_done(st);
    return r;
}

int pz_sql_one_int(struct pz_conn *c, const char *sql, int64_t p1, int64_t *out)
{
    return pz_sql_int_query(c, sql, out, strstr(sql, "$1") ? "i" : "", p1);
}

int pz_store_table_exists(struct pz_conn *c, const char *table)
{
    struct pz_stmt *st = pz_sql(c, c->store->ops->table_exists_sql);
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, table);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW;
}

static int ensure_migrations_table(struct pz_conn *c)
{
    return pz_sql_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          " version INTEGER PRIMARY KEY,"
                          " name TEXT NOT NULL,"
                          " applied_at INTEGER NOT NULL)");
}

int pz_store_schema_version(struct pz_store *s)
{
    struct pz_conn *c = pz_store_conn(s);
    int64_t v = 0;
    int r;

    if (!c)
        return PZ_EDB;
    r = pz_store_table_exists(c, "schema_migrations");
    if (r <= 0)
        return r;
    r = pz_sql_one_int(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", 0, &v);
    if (r < 0)
        return r;
    return (int)v;
}

int pz_store_latest_version(void)
{
    return pz_n_migrations ? pz_migrations[pz_n_migrations - 1].version : 0;
}

/* The line of a migration that asks for references unchecked while it runs. */
#define REFS_UNCHECKED_MARK "-- piazza: references unchecked\n"

int pz_store_migrate(struct pz_store *s, int *applied)
{
    struct pz_conn *c = pz_store_conn(s);
    int count = 0, r, current;

    if (applied)
        *applied = 0;
    if (!c)
        return PZ_EDB;
    r = ensure_migrations_table(c);
    if (r < 0)
        return r;
    current = pz_store_schema_version(s);
    if (current < 0)
        return current;
    if (current > pz_store_latest_version())
        return pz_error(PZ_EINVAL,
                        "the database is at schema version %d, newer than this piazza (%d); "
                        "upgrade piazza",
                        current, pz_store_latest_version());
    for (int i = 0; i < pz_n_migrations; i++) {
        const struct pz_migration *m = &pz_migrations[i];
        struct pz_stmt *st;
        char *ddl;
        int64_t exists = 0;
        int unchecked;

        /* Every migration not recorded is applied, not only those above the
         * highest recorded: branches land numbers out of order, and a database
         * that has 0008 must still get a 0007 that arrived later. */
        r = pz_sql_one_int(c, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
                           m->version, &exists);
        if (r < 0)
            return r;
        if (exists)
            continue;
        /* A migration that rebuilds a table others reference runs with references
         * unchecked (sql/0018 says why); they are checked again once it has ended. */
        unchecked = strstr(m->sql, REFS_UNCHECKED_MARK) != NULL;
        if (unchecked) {
            r = pz_store_references_trusted(c, 1);
            if (r < 0)
                return r;
        }
        r = pz_tx_begin(c);
        if (r < 0) {
            if (unchecked)
                pz_store_references_trusted(c, 0);
            return r;
        }
        /* Another process may have applied it while we waited for the lock. */
        r = pz_sql_one_int(c, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
                           m->version, &exists);
        if (r < 0 || exists) {
            pz_tx_rollback(c);
            if (unchecked)
                pz_store_references_trusted(c, 0);
            if (r < 0)
                return r;
            continue;
        }
        ddl = s->ops->translate_ddl(m->sql);
        r = pz_sql_exec(c, ddl);
        free(ddl);
        if (r == 0) {
            st = pz_sql(c, "INSERT INTO schema_migrations (version, name, applied_at) "
                           "VALUES ($1, $2, $3)");
            if (!st) {
                r = PZ_EDB;
            } else {
                pz_sql_bind_int(st, 1, m->version);
                pz_sql_bind_text(st, 2, m->name);
                pz_sql_bind_int(st, 3, pz_now_ms());
                r = pz_sql_step(st);
                pz_sql_done(st);
            }
        }
        if (r < 0) {
            pz_tx_rollback(c);
            if (unchecked)
                pz_store_references_trusted(c, 0);
            return pz_error(r, "migration %04d_%s failed; nothing of it was applied", m->version,
                            m->name);
        }
        r = pz_tx_commit(c);
        if (unchecked) {
            int back = pz_store_references_trusted(c, 0);
            if (r == 0 && back < 0)
                r = back;
        }
        if (r < 0)
            return r;
        pz_log(PZ_LOG_INFO, "applied migration %04d_%s", m->version, m->name);
        count++;
    }
    if (applied)
        *applied = count;
    return 0;
}
