/*
 * The "piazza" FTS5 tokenizer: full-text search over messages in Italian and
 * English, accents and case ignored (sql/0009 indexes messages.body with it).
 * Words and their terms come from src/core/words.c, shared with the snippets
 * and with any other backend; this file only speaks FTS5.
 *
 * Design. A document word is indexed as up to three terms at one position
 * (FTS5_TOKEN_COLOCATED): its folded form, its Italian stem and its English
 * stem, each only when distinct ("Scarpe" -> scarpe, scarp; "grazie" ->
 * grazie, graz, grazi). A query word (FTS5_TOKENIZE_QUERY) is its two stems,
 * colocated: FTS5 treats colocated query terms as alternatives, so a query
 * word matches a document word when any of their stems agree. Neither
 * language has to be guessed: "perche" finds "perché" (folding), "scarpa"
 * finds "scarpe" (Italian stems), "shoe" finds "shoes" (English stems). The
 * price is some extra recall across languages (an Italian stem may equal an
 * unrelated English one), which ranking mostly buries.
 *
 * Prefix queries ("ordinaz"*, FTS5_TOKENIZE_PREFIX) are the folded text as
 * typed, unstemmed: a stem may be shorter than the word ("ordinazione" ->
 * ordin) and would miss a longer prefix, but the folded word is in the index,
 * so a prefix matches the start of any word as written, accents ignored.
 * Quoted phrases work as usual: colocated terms share their word's position.
 *
 * Keeping in step. Triggers on messages (sql/0009) index every insert, edit
 * and deletion. One cost of that: a statement that fires a trigger runs in a
 * statement savepoint, and FTS5 writes its pending terms to disk at every
 * savepoint, so row-by-row inserts each make a tiny index segment that must
 * then be merged (measured: 3 to 4 times slower than indexing in batches). A
 * bulk writer therefore calls pz_store_search_defer inside its transaction:
 * the insert trigger is dropped for the transaction (sq_search_defer says
 * why; its WHEN, piazza_search_now(), false while deferred on this thread,
 * is the fallback should the drop fail), its rows go in unindexed, and
 * pz_tx_commit indexes them all with one INSERT ... SELECT (rows above the
 * index's highest id) and makes the trigger again before committing;
 * pz_tx_rollback just ends the deferral.
 *
 * Ranking. FTS5's bm25() first counts, for each query term, every message
 * holding it (to weigh rare terms above common ones): for a word in most of
 * a million messages that alone takes seconds. piazza_rank() is BM25 from
 * what the current row and the index's totals give at once: each term's
 * occurrences in the message, saturated (k1 = 1.2) and weighed by the
 * message's length against the average (b = 0.75), without the rarity
 * weight. Every result holds every term of the query anyway, so that weight
 * mostly decided between terms, not between messages.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/words.h"
#include "store/backend.h"
#include "core/banned.h"

struct tok {
    struct pz_stemmer *stemmer;
};

struct tok_call {
    struct tok *t;
    void *ctx;
    int what; /* PZ_TERMS_* */
    int (*emit)(void *, int, const char *, int, int, int);
};

static int tok_create(void *user, const char **args, int n_args, Fts5Tokenizer **out)
{
    struct tok *t;

    (void)user;
    (void)args;
    if (n_args != 0)
        return SQLITE_ERROR; /* the tokenizer takes no options */
    t = calloc(1, sizeof(*t));
    if (!t)
        return SQLITE_NOMEM;
    t->stemmer = pz_stemmer_new();
    if (!t->stemmer) {
        free(t);
        return SQLITE_ERROR;
    }
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *ft)
{
    struct tok *t = (struct tok *)ft;

    pz_stemmer_free(t->stemmer);
    free(t);
}

static int tok_word(void *arg, const char *word, size_t n, size_t start, size_t end)
{
    struct tok_call *c = arg;
    struct pz_terms terms;

    pz_word_terms(c->t->stemmer, word, n, c->what, &terms);
    for (int i = 0; i < terms.n; i++) {
        int r = c->emit(c->ctx, i ? FTS5_TOKEN_COLOCATED : 0, terms.term[i], (int)terms.len[i],
                        (int)start, (int)end);
        if (r != SQLITE_OK)
            return r;
    }
    return 0;
}

static int tok_tokenize(Fts5Tokenizer *ft, void *ctx, int flags, const char *text, int n_text,
                        int (*emit)(void *, int, const char *, int, int, int))
{
    struct tok_call c = {(struct tok *)ft, ctx, PZ_TERMS_WORD | PZ_TERMS_STEMS, emit};

    if (flags & FTS5_TOKENIZE_PREFIX)
        c.what = PZ_TERMS_WORD;
    else if (flags & FTS5_TOKENIZE_QUERY)
        c.what = PZ_TERMS_STEMS;
    if (!text || n_text <= 0)
        return SQLITE_OK;
    return pz_words(text, (size_t)n_text, tok_word, &c);
}

/* A phrase: "TEXT" with quotes doubled, then " *" for a prefix; items ANDed. */
int sq_search_query_add(char *q, size_t qsz, const char *text, size_t n, int prefix)
{
    size_t o = strlen(q);

    if (o + 2 * n + 16 >= qsz)
        return -1;
    if (o > 0) {
        memcpy(q + o, " AND ", 5);
        o += 5;
    }
    q[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '"')
            q[o++] = '"';
        q[o++] = text[i];
    }
    q[o++] = '"';
    if (prefix) {
        memcpy(q + o, " *", 2);
        o += 2;
    }
    q[o] = '\0';
    return 0;
}

/* Connections are per thread (store.h), so the deferral is too. */
static _Thread_local int search_deferred;
/* The insert trigger's own SQL while the deferral has it dropped (NULL: not dropped). */
static _Thread_local char *insert_trigger_sql;

static void fn_search_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int(ctx, !search_deferred);
}

/*
 * Beyond its WHEN, the insert trigger costs by being there: an INSERT into a
 * table with an INSERT trigger may write more than one table, so SQLite runs
 * it in a statement transaction, copying every page the row touches into a
 * statement journal first (about a tenth of an import's CPU time). Inside the
 * deferring transaction the trigger is dropped, and made again from its own
 * SQL before the commit (a rollback brings it back by itself): no other
 * connection ever sees the schema without it.
 */
void sq_search_defer(void *db)
{
    sqlite3_stmt *st = NULL;

    search_deferred = 1;
    if (insert_trigger_sql)
        return;
    if (sqlite3_prepare_v2(db,
                           "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                           " AND name = 'messages_search_insert' AND tbl_name = 'messages'",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        insert_trigger_sql = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (insert_trigger_sql &&
        sqlite3_exec(db, "DROP TRIGGER messages_search_insert", NULL, NULL, NULL) != SQLITE_OK) {
        free(insert_trigger_sql); /* kept: its WHEN still leaves the rows to the commit */
        insert_trigger_sql = NULL;
    }
}

/*
 * FTS5 writes the terms it gathers as a new segment each time they fill its
 * memory, and merges a level's segments into one on the next level once
 * there are `automerge` of them (4 by default), so a large catch-up writes
 * the whole index again at every level it climbs. Merging 16 at a time
 * climbs half as many levels: a tenth of a 1,000,000-message import, whose
 * index then holds more segments per level, which searches read in a few
 * milliseconds more at most (docs/BENCHMARKS.md). The usual 4 is set again
 * in the same transaction, so later writes go on merging as before.
 */
#define AUTOMERGE_BULK  "16"
#define AUTOMERGE_USUAL "4"
#define CATCH_UP_MERGE_SQL(n)                                                                      \
    "INSERT INTO messages_search (messages_search, rank) VALUES ('automerge', " n ");"

int sq_search_sync(void *db, int commit)
{
    char *trigger = insert_trigger_sql;
    int rc = SQLITE_OK;

    if (!search_deferred)
        return SQLITE_OK;
    search_deferred = 0;
    insert_trigger_sql = NULL;
    if (commit) {
        rc = sq_exec_small_cache(
            db,
            CATCH_UP_MERGE_SQL(
                AUTOMERGE_BULK) "INSERT INTO messages_search (rowid, body) SELECT id, body"
                                " FROM messages WHERE id > (SELECT coalesce(max(id), 0)"
                                " FROM messages_search_docsize) ORDER BY id;" CATCH_UP_MERGE_SQL(
                                    AUTOMERGE_USUAL));
        if (rc == SQLITE_OK && trigger)
            rc = sqlite3_exec(db, trigger, NULL, NULL, NULL);
    }
    free(trigger);
    return rc;
}

#define RANK_K1 1.2
#define RANK_B  0.75

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int n_args,
                    sqlite3_value **args)
{
    double *avg = api->xGetAuxdata(fts, 0), score = 0.0, norm;
    int n_phrases = api->xPhraseCount(fts), n_inst = 0, len = 0;
    int counts[64] = {0};

    (void)n_args;
    (void)args;
    if (!avg) {
        sqlite3_int64 rows = 0, tokens = 0;
        avg = sqlite3_malloc(sizeof(*avg));
        if (!avg) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
        if (api->xRowCount(fts, &rows) != SQLITE_OK ||
            api->xColumnTotalSize(fts, -1, &tokens) != SQLITE_OK)
            rows = 0;
        *avg = rows > 0 && tokens > 0 ? (double)tokens / (double)rows : 1.0;
        if (api->xSetAuxdata(fts, avg, sqlite3_free) != SQLITE_OK) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
    }
    if (api->xColumnSize(fts, -1, &len) != SQLITE_OK ||
        api->xInstCount(fts, &n_inst) != SQLITE_OK) {
        sqlite3_result_error(ctx, "piazza_rank: cannot read the row", -1);
        return;
    }
    for (int i = 0; i < n_inst; i++) {
        int phrase = 0, col = 0, off = 0;
        if (api->xInst(fts, i, &phrase, &col, &off) == SQLITE_OK && phrase >= 0 && phrase < 64)
            counts[phrase]++;
    }
    norm = RANK_K1 * (1.0 - RANK_B + RANK_B * (double)len / *avg);
    for (int p = 0; p < n_phrases && p < 64; p++)
        score += (double)counts[p] * (RANK_K1 + 1.0) / ((double)counts[p] + norm);
    sqlite3_result_double(ctx, score);
}

static fts5_api *fts5_api_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

int sq_fts_register(void *vdb)
{
    static fts5_tokenizer tokenizer = {tok_create, tok_delete, tok_tokenize};
    sqlite3 *db = vdb;
    fts5_api *api = fts5_api_of(db);

    if (!api || api->iVersion < 2)
        return SQLITE_ERROR;
    if (sqlite3_create_function(db, "piazza_search_now", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS, NULL,
                                fn_search_now, NULL, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    if (api->xCreateFunction(api, "piazza_rank", NULL, rank_fn, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    return api->xCreateTokenizer(api, "piazza", NULL, &tokenizer, NULL);
}
