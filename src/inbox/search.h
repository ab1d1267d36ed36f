/*
 * Full-text search over a workspace's messages (GET /api/v1/search): the
 * user's query parsed safely into the index's syntax, filters, best match
 * first with a stable cursor, and a snippet of each message cut around the
 * words that matched, as segments the UI highlights without HTML. How words
 * match is src/core/words.h and src/store/fts.c; docs/search.md tells users.
 */
#ifndef PZ_INBOX_SEARCH_H
#define PZ_INBOX_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define INBOX_SEARCH_Q_MAX      500 /* bytes of a query */
#define INBOX_SEARCH_WORDS_MAX  32  /* words in a query */
#define INBOX_SEARCH_LIMIT_MAX  100
#define INBOX_SEARCH_CURSOR_MAX 48

struct inbox_search_query {
    int64_t workspace_id;
    const char *q;
    const char *channel;   /* NULL: any */
    int64_t contact_id;    /* 0: any; the conversation's contact or a message's sender */
    int64_t from_ms;       /* sent at or after; 0: no bound */
    int64_t to_ms;         /* sent before; 0: no bound */
    const char *direction; /* "incoming", "outgoing", "note"; NULL: any */
    int limit;             /* 1..INBOX_SEARCH_LIMIT_MAX */
    const char *cursor;    /* from a previous page's next; NULL: the first page */
};

struct inbox_search_segment {
    char *text;
    int match;
};

struct inbox_search_hit {
    int64_t message_id;
    int64_t conversation_id;
    char *channel;
    char *conversation_title;
    int64_t contact_id; /* 0: none */
    char *contact_name;
    char *direction;
    int64_t sent_at;
    char *sender_name; /* NULL: none */
    struct inbox_search_segment *segments;
    size_t n_segments;
};

struct inbox_search_result {
    struct inbox_search_hit *hits;
    size_t n_hits;
    char next[INBOX_SEARCH_CURSOR_MAX]; /* "" on the last page */
};

/*
 * Runs query Q in its workspace and fills RES (release with
 * inbox_search_result_release, also after a failure). Bad input is PZ_EINVAL
 * with ERR set: search.empty_query (no word in q), search.query_too_long,
 * search.bad_filter, search.bad_cursor. Returns 0 or a negative code.
 *
 * Ranking: among the newest INBOX_SEARCH_WINDOW messages that match (and pass
 * the filters), best match first (BM25), ties newest first. A query matching
 * fewer messages is ranked whole; a very common word is ranked within its
 * most recent matches, which keeps every search fast on a large archive.
 */
#define INBOX_SEARCH_WINDOW 1000
int inbox_search(struct pz_conn *conn, const struct inbox_search_query *q,
                 struct inbox_search_result *res, struct pz_err *err);
void inbox_search_result_release(struct inbox_search_result *res);

/*
 * The query's words, for highlighting: parses Q as inbox_search does and
 * writes the backend query into FTS (FTS_SIZE bytes). Returns the number of
 * words (0: none), or PZ_EINVAL with ERR when the query is too long. For the
 * fuzz target and tests; inbox_search calls it.
 */
struct inbox_search_terms;
int inbox_search_parse(struct pz_conn *conn, const char *q, char *fts, size_t fts_size,
                       struct inbox_search_terms **terms, struct pz_err *err);
void inbox_search_terms_free(struct inbox_search_terms *t);

/*
 * Cuts a snippet of BODY around the words that match TERMS: at most about
 * INBOX_SNIPPET_BYTES of text, whitespace runs made one space, "…" where the
 * text was cut. Puts the segments (malloc'd, with their texts) in *OUT and
 * their count in *N.
 */
#define INBOX_SNIPPET_BYTES 200
void inbox_search_snippet(struct inbox_search_terms *terms, const char *body,
                          struct inbox_search_segment **out, size_t *n);

#endif
