/*
 * The store: the one place piazza talks to a database. Capabilities see only
 * this interface; the backends (SQLite now, PostgreSQL later) live behind it
 * and are the only files that include a driver header.
 *
 * Model: a struct pz_store is an opened database. Each thread that uses it
 * gets its own struct pz_conn (pz_store_conn), created on first use and kept
 * until the store is closed, with a cache of prepared statements. SQL is
 * written in the subset SQLite and PostgreSQL share: parameters are $1, $2...,
 * ids come back with RETURNING, conflicts are handled with ON CONFLICT.
 *
 * A statement from pz_sql() is bound, stepped and then handed back with
 * pz_sql_done(), which resets it for the next user; text returned by
 * pz_sql_text() is borrowed and valid until the next step or done.
 */
#ifndef PZ_STORE_H
#define PZ_STORE_H

#include <stddef.h>
#include <stdint.h>

struct pz_store;
struct pz_conn;
struct pz_stmt;

enum { PZ_SQL_DONE = 0, PZ_SQL_ROW = 1 };

/*
 * Opens the database named by URL: a file path (or "sqlite:PATH") for SQLite.
 * The file is created when missing, but not its folder. Returns 0 and sets
 * *OUT, or a negative PZ_E* code (logged).
 */
int pz_store_open(struct pz_store **out, const char *url);

/* Closes every connection and frees the store. */
void pz_store_close(struct pz_store *store);

/* Returns a short name of the backend, "sqlite" or "postgresql". */
const char *pz_store_backend(const struct pz_store *store);

/* Returns this thread's connection, opening it on first use; NULL on failure (logged). */
struct pz_conn *pz_store_conn(struct pz_store *store);

/*
 * Applies every embedded migration (sql/NNNN_name.sql) not yet applied, each
 * in its own transaction, and records it. *APPLIED (may be NULL) gets how
 * many ran. Returns 0 or a negative PZ_E* code.
 */
int pz_store_migrate(struct pz_store *store, int *applied);

/* Returns the highest migration applied, 0 for an empty database, or a negative code. */
int pz_store_schema_version(struct pz_store *store);

/* Returns the highest migration embedded in this binary. */
int pz_store_latest_version(void);

/* Returns 1 when TABLE exists, 0 when not, or a negative code. */
int pz_store_table_exists(struct pz_conn *conn, const char *table);

/*
 * Returns a prepared statement for SQL from the connection's cache (its
 * text is the cache key). NULL on a syntax or
 * database error, which is logged.
 */
struct pz_stmt *pz_sql(struct pz_conn *conn, const char *sql);

/* Binds parameter $IDX (1-based). Bound text is copied. */
void pz_sql_bind_int(struct pz_stmt *st, int idx, int64_t v);
void pz_sql_bind_text(struct pz_stmt *st, int idx, const char *s); /* NULL binds null */
void pz_sql_bind_null(struct pz_stmt *st, int idx);

/* Runs one step: PZ_SQL_ROW, PZ_SQL_DONE, or a negative PZ_E* code (PZ_EEXIST for a
 * uniqueness violation; other errors are logged). */
int pz_sql_step(struct pz_stmt *st);

/*
 * pz_sql_step for a write that may be skipped (bookkeeping such as when a
 * token was last used): when another connection holds the write lock (a
 * large import holds it for a whole file) it gives PZ_EBUSY at once, not
 * after the busy timeout, and logs nothing. Outside a transaction only.
 */
int pz_sql_step_nowait(struct pz_stmt *st);

/* Column readers for the current row; COL is 0-based. */
int64_t pz_sql_int(struct pz_stmt *st, int col);
const char *pz_sql_text(struct pz_stmt *st, int col); /* NULL for null */
int pz_sql_is_null(struct pz_stmt *st, int col);

/* Resets the statement and returns it to the cache. Accepts NULL. */
void pz_sql_done(struct pz_stmt *st);

/* Runs SQL with no parameters and no rows (may hold several statements). */
int pz_sql_exec(struct pz_conn *conn, const char *sql);

/* Rows changed by the last INSERT, UPDATE or DELETE on this connection. */
int64_t pz_sql_changes(struct pz_conn *conn);

/*
 * The id of the row the last successful INSERT on this connection made (its
 * INTEGER PRIMARY KEY). Cheaper than RETURNING id, which makes SQLite keep a
 * temporary table per statement: for bulk writers.
 */
int64_t pz_sql_last_id(struct pz_conn *conn);

/*
 * Substring search through a text index (DESIGN: full-text search is where
 * SQLite and PostgreSQL differ, so the difference lives here). A migration
 * gives TABLE's derived column search_text an index for finding words
 * anywhere in it: in SQLite the FTS5 trigram table TABLE_search (see
 * sql/0006), in PostgreSQL a pg_trgm index.
 *
 * pz_store_text_query_add adds WORD (N bytes, folded as search_text is) to
 * the index query being built in Q (QSZ bytes; start with ""). Returns 1 when
 * the index can narrow a search by it, 0 when it cannot (fewer than 3
 * characters: trigrams need 3) and Q is unchanged, or -1 when Q is full.
 *
 * pz_store_text_candidates writes into OUT the SQL of a subquery giving, in
 * a column named id, the ids of TABLE's rows whose search_text may hold
 * every word of the query Q bound as $PARAM: every row that does and perhaps
 * some that do not (the index sees the pieces of a word, not their order),
 * so the caller keeps its own exact test. Returns 0, or PZ_EINVAL when OUTSZ
 * is too small.
 */
int pz_store_text_query_add(struct pz_conn *conn, char *q, size_t qsz, const char *word, size_t n);
int pz_store_text_candidates(struct pz_conn *conn, const char *table, int param, char *out,
                             size_t outsz);

/* Rebuilds TABLE's text index from its rows (the index is derived data). Returns 0 or a
 * negative code. */
int pz_store_text_rebuild(struct pz_conn *conn, const char *table);

/*
 * For a long write that adds many rows to TABLE (an import): inside the
 * caller's transaction, pz_store_text_defer stops the text index from
 * following each row added from now on, and pz_store_text_catch_up indexes
 * all of them in one pass, which costs a fraction of row by row (in SQLite
 * each row written into the FTS5 table inside a transaction writes a
 * segment of its own; see sql/0013). Rows that existed before are still
 * kept in step one by one when they change. Both must run in the same
 * transaction, and catch_up before it commits: until then search does not
 * see the new rows. *DEFERRED is 0 when indexing was already deferred (by
 * an outer caller, who catches up) or the backend has nothing to defer;
 * call catch_up only when it is 1. Return 0 or a negative code.
 */
int pz_store_text_defer(struct pz_conn *conn, const char *table, int *deferred);
int pz_store_text_catch_up(struct pz_conn *conn, const char *table);

/*
 * Indexing later. A write that added very many rows (a big import) may call
 * pz_store_text_leave instead of pz_store_text_catch_up: the deferral ends
 * for the caller, but its new rows stay out of the index, and stay so when
 * changed, until someone catches up in a transaction of their own
 * (pz_tx_begin, pz_store_text_catch_up, pz_tx_commit; the server's job
 * runner does it within seconds). Meanwhile pz_store_text_pending sets
 * *WAITING to how many rows wait (0: none), and while any do, a search must
 * not take the index's candidates for all the rows that can match: it reads
 * the rows themselves. A deferral started
 * while rows are left behind (pz_store_text_defer with *DEFERRED 0) leaves
 * its rows to the same catch-up. Return 0 or a negative code.
 */
int pz_store_text_leave(struct pz_conn *conn, const char *table);
int pz_store_text_pending(struct pz_conn *conn, const char *table, int64_t *waiting);

/*
 * A list of ids as one parameter, to narrow a query to rows found first by
 * another (such as pz_store_text_candidates). pz_store_ids_sql writes into
 * OUT a subquery giving, in a column named id, the ids bound as $PARAM by
 * pz_sql_bind_ids (N_IDS of them, copied). Returns 0, or PZ_EINVAL when OUTSZ
 * is too small.
 */
int pz_store_ids_sql(struct pz_conn *conn, int param, char *out, size_t outsz);
void pz_sql_bind_ids(struct pz_stmt *st, int idx, const int64_t *ids, size_t n_ids);

/*
 * Tunes this connection for one long write, such as an import (ON 1), or
 * back to normal (ON 0): SQLite keeps more of the database in memory (24 MB
 * of page cache at most) instead of spilling pages it will need again. Returns
 * 0 or a negative code.
 */
int pz_store_bulk(struct pz_conn *conn, int on);

/*
 * For a command-line writer such as `piazza import`, which may be the only
 * program using the database: ON 1 takes the database for this connection,
 * but only when no other connection, in this process or another, has it
 * open, and then returns 1. Its writes go to the database file once, under a
 * rollback journal synced at every commit, instead of into the write-ahead
 * log first and again into the file at the checkpoint (SQLite: journal_mode
 * DELETE, synchronous FULL; a tenth of a large import's time). A program that
 * opens the database during a write is refused with a message that says so.
 * Returns 0, changing nothing, when the database is shared or the backend has
 * no such mode. ON 0 gives the database back to sharing (the write-ahead log
 * again); call it before closing. Outside a transaction only.
 */
int pz_store_alone(struct pz_conn *conn, int on);

/*
 * For a writer that makes every row's references itself, such as the
 * contacts importer (the identities, memberships and entries it writes point
 * at contacts it has just found or made, in the same transaction): ON 1 stops
 * this connection from checking foreign keys, ON 0 checks them again. Call it
 * outside any transaction (inside one, SQLite leaves the setting as it is,
 * so the checks go on: safe, only slower), and call it with 0 before the
 * connection does anything else: unchecked, a delete does not cascade
 * either, so the writer must delete nothing. Returns 0 or a negative code.
 */
int pz_store_references_trusted(struct pz_conn *conn, int on);

/*
 * For a bulk writer of messages, such as an import: inside a transaction,
 * lets the messages it inserts into the table unindexed for search, and
 * pz_tx_commit indexes them all at once before committing, which is several
 * times faster than row by row (see src/store/fts.c). Only inserts: a
 * deferring transaction must not edit or delete messages. pz_tx_rollback ends
 * the deferral too.
 */
void pz_store_search_defer(struct pz_conn *conn);

/*
 * Full-text search of messages (sql/0009, src/store/fts.c; the SQL differs
 * by backend, so it lives here). pz_store_search_query_add adds TEXT (N
 * bytes: one word or one phrase as the user typed it, which the index's
 * tokenizer cuts into words) to the query being built in Q (QSZ bytes; start
 * with ""), as a phrase that every match must hold, its last word as a prefix
 * when PREFIX. User text is always quoted: it never becomes operators.
 * Returns 0, or -1 when Q is full.
 *
 * pz_store_search_sql gives the pieces of a statement that uses the query,
 * bound as $1: FROM joins the index to messages (aliased m), MATCH is the
 * condition, SCORE an integer expression (higher is a better match; only in
 * a query reading FROM), NEWEST an ORDER BY reading matches newest id first
 * straight from the index.
 */
struct pz_search_sql {
    const char *from;
    const char *match;
    const char *score;
    const char *newest;
};
int pz_store_search_query_add(struct pz_conn *conn, char *q, size_t qsz, const char *text, size_t n,
                              int prefix);
void pz_store_search_sql(struct pz_conn *conn, struct pz_search_sql *out);

/* Transactions. begin/commit/rollback return 0 or a negative code. */
int pz_tx_begin(struct pz_conn *conn);
int pz_tx_commit(struct pz_conn *conn);
int pz_tx_rollback(struct pz_conn *conn);

/*
 * For the many lookups that want one number: runs SQL with parameters $1,
 * $2... described by TYPES, one character each ('i' an int64_t argument, 't'
 * a const char * argument, NULL binding null), and puts the first column of
 * the first row in *OUT (left alone when there is no row). Returns
 * PZ_SQL_ROW, PZ_SQL_DONE (no row) or a negative code. Integer arguments must
 * really be int64_t: they are read as such from the variable arguments.
 */
int pz_sql_int_query(struct pz_conn *conn, const char *sql, int64_t *out, const char *types, ...);

/* pz_sql_int_query with at most one integer parameter, $1 = P1 when SQL names it. */
int pz_sql_one_int(struct pz_conn *conn, const char *sql, int64_t p1, int64_t *out);

#endif
