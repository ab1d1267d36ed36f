/*
 * Message search. See search.h. The query the user typed never reaches the
 * index as syntax: it is cut into items (a bare word, with a trailing * for a
 * prefix, or a "quoted phrase"), and each item goes to the backend as one
 * quoted string (pz_store_search_query_add) that the tokenizer splits into
 * words; items are ANDed. Quotes without a partner, operators and
 * punctuation are just separators.
 *
 * Speed on a large archive: one statement reads the index newest match first
 * (the index's own order, no sort), keeps the first INBOX_SEARCH_WINDOW that
 * belong to the workspace and pass the filters, scores only those, and sorts
 * that small set. A word found in half a million messages thus costs the same
 * as one found in a few thousand. The snippet is cut here, in C, from the
 * message's text and the query's words (src/core/words.h), so it matches
 * what the index matched without the index storing any text.
 */
#include "inbox/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/text.h"
#include "core/words.h"
#include "core/banned.h"

#define FTS_QUERY_MAX 2048
#define SCAN_WORDS    20000 /* words of a long message looked at for the snippet */
#define CONTEXT_BYTES 60    /* text shown before the first match */
#define PREFIX_MIN    3     /* bytes a prefix needs (shorter: the whole word) */

enum { W_STEM, W_EXACT, W_PREFIX };

struct qword {
    char w[PZ_WORD_MAX];
    size_t n;
    int kind;
    char stem[2][PZ_WORD_MAX];
    size_t stem_len[2];
    int n_stems;
};

struct inbox_search_terms {
    struct pz_stemmer *stemmer;
    struct qword words[INBOX_SEARCH_WORDS_MAX];
    int n;
};

/* --- parsing ---------------------------------------------------------------------------- */

struct item_words {
    char w[INBOX_SEARCH_WORDS_MAX + 1][PZ_WORD_MAX];
    size_t n_w[INBOX_SEARCH_WORDS_MAX + 1];
    int n;
};

static int item_word(void *arg, const char *w, size_t n, size_t start, size_t end)
{
    struct item_words *iw = arg;

    (void)start;
    (void)end;
    if (iw->n > INBOX_SEARCH_WORDS_MAX)
        return 1; /* too many already */
    memcpy(iw->w[iw->n], w, n);
    iw->n_w[iw->n] = n;
    iw->n++;
    return 0;
}

static int add_item(struct pz_conn *conn, struct inbox_search_terms *t, const char *text, size_t n,
                    int prefix, char *fts, size_t fts_size, struct pz_err *err)
{
    struct item_words iw;

    iw.n = 0;
    pz_words(text, n, item_word, &iw);
    if (iw.n == 0)
        return 0;
    if (t->n + iw.n > INBOX_SEARCH_WORDS_MAX) {
        pz_err_set(err, "search.query_too_long", "q", "a search takes at most %d words",
                   INBOX_SEARCH_WORDS_MAX);
        return PZ_EINVAL;
    }
    /* A prefix of one or two letters would match most of the index: the word itself then. */
    if (prefix && iw.n_w[iw.n - 1] < PREFIX_MIN)
        prefix = 0;
    for (int i = 0; i < iw.n; i++) {
        struct qword *q = &t->words[t->n++];
        struct pz_terms terms;
        memcpy(q->w, iw.w[i], iw.n_w[i]);
        q->n = iw.n_w[i];
        q->kind = !prefix ? W_STEM : i == iw.n - 1 ? W_PREFIX : W_EXACT;
        q->n_stems = 0;
        if (q->kind != W_STEM)
            continue;
        pz_word_terms(t->stemmer, q->w, q->n, PZ_TERMS_STEMS, &terms);
        for (int k = 0; k < terms.n && k < 2; k++) {
            memcpy(q->stem[k], terms.term[k], terms.len[k]);
            q->stem_len[k] = terms.len[k];
            q->n_stems++;
        }
    }
    if (pz_store_search_query_add(conn, fts, fts_size, text, n, prefix) < 0) {
        pz_err_set(err, "search.query_too_long", "q", "the search is too long");
        return PZ_EINVAL;
    }
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int inbox_search_parse(struct pz_conn *conn, const char *q, char *fts, size_t fts_size,
                       struct inbox_search_terms **terms, struct pz_err *err)
{
    struct inbox_search_terms *t;
    size_t len = q ? strlen(q) : 0, i = 0;
    int r = 0;

    *terms = NULL;
    fts[0] = '\0';
    if (len > INBOX_SEARCH_Q_MAX) {
        pz_err_set(err, "search.query_too_long", "q", "a search takes at most %d bytes",
                   INBOX_SEARCH_Q_MAX);
        return PZ_EINVAL;
    }
    t = xcalloc(1, sizeof(*t));
    t->stemmer = pz_stemmer_new();
    if (!t->stemmer) {
        free(t);
        return PZ_EIO; /* logged: libstemmer lacks a language */
    }
    while (i < len && r == 0) {
        size_t j;
        if (is_space(q[i])) {
            i++;
            continue;
        }
        if (q[i] == '"') {
            const char *close = memchr(q + i + 1, '"', len - i - 1);
            if (!close) {
                i++; /* a quote without a partner is a separator */
                continue;
            }
            j = (size_t)(close - q);
            int prefix = j + 1 < len && q[j + 1] == '*';
            r = add_item(conn, t, q + i + 1, j - i - 1, prefix, fts, fts_size, err);
            i = j + 1 + (size_t)prefix;
            continue;
        }
        j = i;
        while (j < len && !is_space(q[j]) && q[j] != '"')
            j++;
        {
            size_t end = j;
            int prefix = 0;
            while (end > i && q[end - 1] == '*') {
                end--;
                prefix = 1;
            }
            r = add_item(conn, t, q + i, end - i, prefix, fts, fts_size, err);
        }
        i = j;
    }
    if (r < 0) {
        inbox_search_terms_free(t);
        return r;
    }
    *terms = t;
    return t->n;
}

void inbox_search_terms_free(struct inbox_search_terms *t)
{
    if (!t)
        return;
    pz_stemmer_free(t->stemmer);
    free(t);
}

/* --- snippets ---------------------------------------------------------------------------- */

struct span {
    size_t start, end;
    int match;
};

struct scan {
    struct inbox_search_terms *t;
    struct span *spans;
    size_t n, cap;
    long first_match; /* index in spans, -1: none yet */
};

static int word_matches(struct inbox_search_terms *t, const char *w, size_t n)
{
    struct pz_terms stems;
    int stemmed = 0;

    for (int i = 0; i < t->n; i++) {
        const struct qword *q = &t->words[i];
        if (q->kind == W_PREFIX) {
            if (n >= q->n && memcmp(w, q->w, q->n) == 0)
                return 1;
            continue;
        }
        if (q->kind == W_EXACT) {
            if (n == q->n && memcmp(w, q->w, n) == 0)
                return 1;
            continue;
        }
        /* Stems start like their word: skip the stemmer when no stem could agree. */
        if (q->stem[0][0] != w[0] && (q->n_stems < 2 || q->stem[1][0] != w[0]))
            continue;
        if (!stemmed) {
            pz_word_terms(t->stemmer, w, n, PZ_TERMS_STEMS, &stems);
            stemmed = 1;
        }
        for (int a = 0; a < stems.n; a++)
            for (int b = 0; b < q->n_stems; b++)
                if (stems.len[a] == q->stem_len[b] &&
                    memcmp(stems.term[a], q->stem[b], stems.len[a]) == 0)
                    return 1;
    }
    return 0;
}

static int scan_word(void *arg, const char *w, size_t n, size_t start, size_t end)
{
    struct scan *s = arg;
    struct span *sp;

    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->spans = xrealloc(s->spans, s->cap * sizeof(*s->spans));
    }
    sp = &s->spans[s->n++];
    sp->start = start;
    sp->end = end;
    sp->match = word_matches(s->t, w, n);
    if (sp->match && s->first_match < 0)
        s->first_match = (long)s->n - 1;
    /* Enough: the first match and a snippet's worth after it, or too long a text. */
    if (s->first_match >= 0 && end > s->spans[s->first_match].start + INBOX_SNIPPET_BYTES)
        return 1;
    return s->n >= SCAN_WORDS;
}

struct seglist {
    struct inbox_search_segment *items;
    size_t n, cap;
    char *text; /* the text segment being gathered */
    size_t text_n, text_cap;
};

static void text_add(struct seglist *l, const char *s, size_t n, int squash)
{
    if (l->text_n + n + 1 > l->text_cap) {
        l->text_cap = 2 * (l->text_n + n + 1) + 32;
        l->text = xrealloc(l->text, l->text_cap);
    }
    for (size_t i = 0; i < n; i++) {
        if (squash && is_space(s[i])) {
            if (l->text_n == 0 || l->text[l->text_n - 1] != ' ')
                l->text[l->text_n++] = ' ';
            continue;
        }
        l->text[l->text_n++] = s[i];
    }
    l->text[l->text_n] = '\0';
}

static void seg_push(struct seglist *l, char *text, int match)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
    }
    l->items[l->n].text = text;
    l->items[l->n].match = match;
    l->n++;
}

static void text_flush(struct seglist *l)
{
    if (l->text_n == 0)
        return;
    seg_push(l, xstrndup(l->text, l->text_n), 0);
    l->text_n = 0;
}

void inbox_search_snippet(struct inbox_search_terms *terms, const char *body,
                          struct inbox_search_segment **out, size_t *n)
{
    struct scan s = {terms, NULL, 0, 0, -1};
    struct seglist l = {0};
    size_t len = body ? strlen(body) : 0, from = 0, to = len, at;
    size_t anchor;

    pz_words(body ? body : "", len, scan_word, &s);
    anchor = s.first_match >= 0 ? s.spans[s.first_match].start : 0;
    if (len > INBOX_SNIPPET_BYTES) {
        /* Start a few words before the first match, at a word; end at a word. */
        if (anchor > CONTEXT_BYTES)
            for (size_t i = 0; i < s.n; i++)
                if (s.spans[i].start + CONTEXT_BYTES >= anchor) {
                    from = s.spans[i].start;
                    break;
                }
        to = from;
        for (size_t i = 0; i < s.n; i++) {
            if (s.spans[i].start < from)
                continue;
            if (s.spans[i].end > from + INBOX_SNIPPET_BYTES && s.spans[i].start > anchor)
                break;
            to = s.spans[i].end;
        }
        if (to <= from)
            to = len < from + INBOX_SNIPPET_BYTES ? len : from + INBOX_SNIPPET_BYTES;
        while (to < len && (((unsigned char)body[to] & 0xC0) == 0x80))
            to++; /* never cut inside a character */
    }
    if (from > 0)
        text_add(&l, "\xe2\x80\xa6", 3, 0); /* … */
    at = from;
    for (size_t i = 0; i < s.n && s.spans[i].start < to; i++) {
        const struct span *sp = &s.spans[i];
        if (sp->start < from)
            continue;
        text_add(&l, body + at, sp->start - at, 1);
        if (sp->match) {
            text_flush(&l);
            seg_push(&l, xstrndup(body + sp->start, sp->end - sp->start), 1);
        } else {
            text_add(&l, body + sp->start, sp->end - sp->start, 0);
        }
        at = sp->end;
    }
    if (at < to)
        text_add(&l, body + at, to - at, 1);
    if (to < len)
        text_add(&l, "\xe2\x80\xa6", 3, 0);
    text_flush(&l);
    free(l.text);
    free(s.spans);
    *out = l.items;
    *n = l.n;
}

/* --- the query --------------------------------------------------------------------------- */

static int read_cursor(const char *cursor, int64_t *score, int64_t *id)
{
    const char *dot = cursor ? strchr(cursor, '.') : NULL;
    char head[24];

    if (!dot || (size_t)(dot - cursor) >= sizeof(head))
        return PZ_EINVAL;
    memcpy(head, cursor, (size_t)(dot - cursor));
    head[dot - cursor] = '\0';
    if (head[0] == 'm') /* a negative score */
        head[0] = '-';
    if (pz_parse_int64(head, INT64_MIN + 1, INT64_MAX, score) < 0 ||
        pz_parse_int64(dot + 1, 1, INT64_MAX, id) < 0)
        return PZ_EINVAL;
    return 0;
}

static void write_cursor(char *out, size_t size, int64_t score, int64_t id)
{
    /* "m" for minus keeps the cursor free of characters a URL would escape. */
    snprintf(out, size, "%s%lld.%lld", score < 0 ? "m" : "",
             (long long)(score < 0 ? -score : score), (long long)id);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static int check_filters(const struct inbox_search_query *q, struct pz_err *err)
{
    static const char *const channels[] = {"whatsapp",  "telegram",  "email", "linkedin",
                                           "messenger", "instagram", "x",     "website",
                                           "phone",     "sms"};
    int ok = !q->channel;

    for (size_t i = 0; !ok && i < sizeof(channels) / sizeof(channels[0]); i++)
        ok = strcmp(q->channel, channels[i]) == 0;
    if (!ok)
        return pz_err_set(err, "search.bad_filter", "channel", "unknown channel '%.40s'",
                          q->channel);
    if (q->direction && strcmp(q->direction, "incoming") != 0 &&
        strcmp(q->direction, "outgoing") != 0 && strcmp(q->direction, "note") != 0)
        return pz_err_set(err, "search.bad_filter", "direction",
                          "direction is incoming, outgoing or note");
    if (q->contact_id < 0)
        return pz_err_set(err, "search.bad_filter", "contact", "contact is a contact's id");
    if (q->from_ms && q->to_ms && q->to_ms <= q->from_ms)
        return pz_err_set(err, "search.bad_filter", "to", "to is before from");
    if (q->limit < 1 || q->limit > INBOX_SEARCH_LIMIT_MAX)
        return pz_err_set(err, "search.bad_filter", "limit", "limit is 1 to %d",
                          INBOX_SEARCH_LIMIT_MAX);
    return 0;
}

int inbox_search(struct pz_conn *conn, const struct inbox_search_query *q,
                 struct inbox_search_result *res, struct pz_err *err)
{
    char fts[FTS_QUERY_MAX], sql[2048];
    struct inbox_search_terms *terms = NULL;
    struct pz_search_sql pieces;
    struct pz_stmt *st;
    int64_t cur_score = 0, cur_id = 0;
    size_t cap = 0;
    int r, n;

    memset(res, 0, sizeof(*res));
    if (check_filters(q, err) < 0)
        return PZ_EINVAL;
    if (q->cursor && read_cursor(q->cursor, &cur_score, &cur_id) < 0) {
        pz_err_set(err, "search.bad_cursor", "cursor", "the cursor is not valid");
        return PZ_EINVAL;
    }
    r = inbox_search_parse(conn, q->q, fts, sizeof(fts), &terms, err);
    if (r < 0)
        return r;
    if (r == 0) {
        inbox_search_terms_free(terms);
        pz_err_set(err, "search.empty_query", "q", "type a word to search for");
        return PZ_EINVAL;
    }
    pz_store_search_sql(conn, &pieces);
    n = snprintf(
        sql, sizeof(sql),
        "WITH hits AS MATERIALIZED (SELECT m.id AS id, %s AS score FROM %s"
        " CROSS JOIN conversations c ON c.workspace_id = m.workspace_id"
        " AND c.id = m.conversation_id"
        " WHERE %s AND m.workspace_id = $2 AND ($3 IS NULL OR c.channel = $3)"
        " AND ($4 = 0 OR c.contact_id = $4 OR m.participant_id IN (SELECT p.id FROM"
        " conversation_participants p WHERE p.workspace_id = $2 AND p.contact_id = $4))"
        " AND ($5 = 0 OR m.sent_at >= $5) AND ($6 = 0 OR m.sent_at < $6)"
        " AND ($7 IS NULL OR m.direction = $7) ORDER BY %s LIMIT $8)"
        " SELECT h.id, h.score, m.conversation_id, c.channel, c.title, c.contact_id,"
        " ct.display_name, m.direction, m.sent_at, m.sender_name, m.body"
        " FROM hits h JOIN messages m ON m.id = h.id"
        " JOIN conversations c ON c.workspace_id = m.workspace_id AND c.id = m.conversation_id"
        " LEFT JOIN contacts ct ON ct.id = c.contact_id"
        " WHERE ($9 IS NULL OR h.score < $9 OR (h.score = $9 AND h.id < $10))"
        " ORDER BY h.score DESC, h.id DESC LIMIT $11",
        pieces.score, pieces.from, pieces.match, pieces.newest);
    if (n < 0 || (size_t)n >= sizeof(sql)) {
        inbox_search_terms_free(terms);
        return pz_error(PZ_ETOOBIG, "search: the statement does not fit");
    }
    st = pz_sql(conn, sql);
    if (!st) {
        inbox_search_terms_free(terms);
        return PZ_EDB;
    }
    pz_sql_bind_text(st, 1, fts);
    pz_sql_bind_int(st, 2, q->workspace_id);
    pz_sql_bind_text(st, 3, q->channel);
    pz_sql_bind_int(st, 4, q->contact_id);
    pz_sql_bind_int(st, 5, q->from_ms);
    pz_sql_bind_int(st, 6, q->to_ms);
    pz_sql_bind_text(st, 7, q->direction);
    pz_sql_bind_int(st, 8, INBOX_SEARCH_WINDOW);
    if (q->cursor)
        pz_sql_bind_int(st, 9, cur_score);
    else
        pz_sql_bind_null(st, 9);
    pz_sql_bind_int(st, 10, cur_id);
    pz_sql_bind_int(st, 11, q->limit + 1); /* one more says whether a next page exists */
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        struct inbox_search_hit *h;
        if (res->n_hits == (size_t)q->limit) {
            const struct inbox_search_hit *last = &res->hits[res->n_hits - 1];
            write_cursor(res->next, sizeof(res->next), cur_score, last->message_id);
            break;
        }
        if (res->n_hits == cap) {
            cap = cap ? 2 * cap : 16;
            res->hits = xrealloc(res->hits, cap * sizeof(*res->hits));
        }
        h = &res->hits[res->n_hits++];
        memset(h, 0, sizeof(*h));
        h->message_id = pz_sql_int(st, 0);
        cur_score = pz_sql_int(st, 1);
        h->conversation_id = pz_sql_int(st, 2);
        h->channel = dup_or_null(pz_sql_text(st, 3));
        h->conversation_title = xstrdup(pz_sql_text(st, 4) ? pz_sql_text(st, 4) : "");
        h->contact_id = pz_sql_is_null(st, 5) ? 0 : pz_sql_int(st, 5);
        h->contact_name = dup_or_null(pz_sql_text(st, 6));
        h->direction = dup_or_null(pz_sql_text(st, 7));
        h->sent_at = pz_sql_int(st, 8);
        h->sender_name = dup_or_null(pz_sql_text(st, 9));
        inbox_search_snippet(terms, pz_sql_text(st, 10), &h->segments, &h->n_segments);
    }
    pz_sql_done(st);
    inbox_search_terms_free(terms);
    return r < 0 ? r : 0;
}

void inbox_search_result_release(struct inbox_search_result *res)
{
    for (size_t i = 0; i < res->n_hits; i++) {
        struct inbox_search_hit *h = &res->hits[i];
        free(h->channel);
        free(h->conversation_title);
        free(h->contact_name);
        free(h->direction);
        free(h->sender_name);
        for (size_t k = 0; k < h->n_segments; k++)
            free(h->segments[k].text);
        free(h->segments);
    }
    free(res->hits);
    memset(res, 0, sizeof(*res));
}
