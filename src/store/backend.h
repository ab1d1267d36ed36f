/*
 * The contract between store.c and a database backend. Only store.c and the
 * backends include this file. A backend fills a struct pz_store_ops; store.c
 * keeps per-thread connections and calls through the table.
 */
#ifndef PZ_STORE_BACKEND_H
#define PZ_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct pz_store_ops {
    const char *name;
    const char *begin_sql; /* how this backend starts a write transaction */
    /* A query with one parameter, the table name, that returns a row when it exists. */
    const char *table_exists_sql;
    /* Opens a new connection for the calling thread; returns its handle or NULL. */
    void *(*connect)(const char *target);
    void (*disconnect)(void *db);
    /* Prepares SQL; returns a statement handle or NULL (logged). */
    void *(*prepare)(void *db, const char *sql);
    void (*finalize)(void *stmt);
    void (*reset)(void *stmt);
    void (*bind_int)(void *stmt, int idx, int64_t v);
    void (*bind_text)(void *stmt, int idx, const char *s);
    void (*bind_null)(void *stmt, int idx);
    int (*step)(void *stmt);
    int (*step_nowait)(void *stmt); /* pz_sql_step_nowait */
    int64_t (*col_int)(void *stmt, int col);
    const char *(*col_text)(void *stmt, int col);
    int (*col_is_null)(void *stmt, int col);
    int (*exec)(void *db, const char *sql);
    int64_t (*changes)(void *db);
    int64_t (*last_id)(void *db);
    /* pz_store_text_candidates and pz_store_text_query_add. */
    int (*text_candidates)(const char *table, int param, char *out, size_t outsz);
    int (*text_query_add)(char *q, size_t qsz, const char *word, size_t n);
    int (*text_rebuild)(void *db, const char *table);
    /* pz_store_text_defer and pz_store_text_catch_up; NULL: indexes follow rows by themselves. */
    int (*text_defer)(void *db, const char *table, int *deferred);
    int (*text_catch_up)(void *db, const char *table);
    /* pz_store_text_leave, and the query pz_store_text_pending runs: how many rows wait (NULL:
     * nothing is ever left behind). */
    int (*text_leave)(void *db, const char *table);
    int (*text_pending_sql)(const char *table, char *out, size_t outsz);
    /* pz_store_ids_sql writes ids_select, the parameter number, ids_select_end; the bound
     * value is the ids between ids_open and ids_close, separated by commas. */
    const char *ids_select;
    const char *ids_select_end;
    const char *ids_open;
    const char *ids_close;
    /* Run by pz_store_bulk: settings for a long write (NULL: none) and back to normal. */
    const char *bulk_on_sql;
    const char *bulk_off_sql;
    /* pz_store_alone (NULL: a connection never has the database to itself). */
    int (*alone)(void *db, int on);
    /* Run by pz_store_references_trusted: foreign keys unchecked, and checked again (NULL: none).
     */
    const char *refs_trusted_sql;
    const char *refs_checked_sql;
    /* pz_store_search_query_add and pz_store_search_sql. */
    int (*search_query_add)(char *q, size_t qsz, const char *text, size_t n, int prefix);
    struct pz_search_sql search_sql;
    /* pz_store_search_defer, and what commit and rollback do about it (NULL: nothing to do). */
    void (*search_defer)(void *db);
    int (*search_sync)(void *db, int commit);
    /* Turns a migration written in the shared dialect into this backend's SQL (malloc'd). */
    char *(*translate_ddl)(const char *sql);
};

extern const struct pz_store_ops pz_sqlite_ops;

/* Registers the "piazza" FTS5 tokenizer (src/store/fts.c) on a SQLite connection; returns
 * SQLITE_OK or an SQLite error code. */
int sq_fts_register(void *db);
/* pz_store_search_defer; and the end of a deferral at commit (COMMIT non-zero: index the
 * rows let in meanwhile) or rollback. Returns SQLITE_OK or an SQLite error code. */
void sq_search_defer(void *db);
int sq_search_query_add(char *q, size_t qsz, const char *text, size_t n, int prefix);
int sq_search_sync(void *db, int commit);
/* Runs SQL — a long INSERT ... SELECT that brings a text index up to date — with the page
 * cache made small while it runs (FTS5 gathers its terms in memory of its own; the cache a
 * bulk write filled would add up with it) and restored after. Logs a failure; returns
 * SQLITE_OK or an SQLite error code. */
int sq_exec_small_cache(void *db, const char *sql);

/* The embedded migrations, generated at build time from sql/ (sorted by version). */
struct pz_migration {
    int version;
    const char *name;
    const char *sql;
};
extern const struct pz_migration pz_migrations[];
extern const int pz_n_migrations;

#endif
