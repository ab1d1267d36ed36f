/*
 * libFuzzer target for message search: the word cutter and folder
 * (src/core/words.c), the FTS5 tokenizer and the query parser
 * (src/inbox/search.c) on a real SQLite database.
 *
 *  - pz_words: spans lie inside the input, in order, without overlap; each
 *    folded word is 1..PZ_WORD_MAX bytes of well-formed UTF-8 with no ASCII
 *    space or punctuation; pz_word_terms gives 1 to 3 distinct terms;
 *  - the input as a message body is indexed and found again by its first word
 *    (as written);
 *  - the input as a user's query never makes the index's syntax fail: the
 *    search answers, or refuses it as empty or too long, never a database
 *    error; each snippet's segments are well-formed UTF-8 and not empty.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/workspace.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "core/words.h"
#include "inbox/search.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_search: check failed at line %d: %s\n", __LINE__, #cond);        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static struct pz_store *store;
static struct pz_stemmer *stemmer;
static int64_t ws_id, conv_id;
static char first_word[4 * PZ_WORD_MAX + 1];

struct walk {
    const char *text;
    size_t size;
    size_t last_end;
    int n;
};

static int check_word(void *arg, const char *w, size_t n, size_t start, size_t end)
{
    struct walk *wk = arg;
    struct pz_terms t;

    CHECK(n > 0 && n <= PZ_WORD_MAX);
    CHECK(start < end && end <= wk->size && start >= wk->last_end);
    CHECK(pz_utf8_char_len(w, n) > 0);
    for (size_t i = 0; i < n;) {
        size_t k = pz_utf8_char_len(w + i, n - i);
        CHECK(k > 0);
        if (k == 1)
            CHECK((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9'));
        i += k;
    }
    pz_word_terms(stemmer, w, n, PZ_TERMS_WORD | PZ_TERMS_STEMS, &t);
    CHECK(t.n >= 1 && t.n <= 3);
    for (int i = 0; i < t.n; i++) {
        CHECK(t.len[i] > 0 && t.len[i] <= PZ_WORD_MAX);
        for (int j = 0; j < i; j++)
            CHECK(t.len[i] != t.len[j] || memcmp(t.term[i], t.term[j], t.len[i]) != 0);
    }
    if (wk->n == 0 && end - start < sizeof(first_word)) {
        memcpy(first_word, wk->text + start, end - start); /* as written */
        first_word[end - start] = '\0';
    }
    wk->last_end = end;
    wk->n++;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char dir[] = "/tmp/pz-fuzz-search-XXXXXX", path[64];
    struct pz_err err = {0};
    struct workspace w;
    struct pz_conn *c;

    (void)argc;
    (void)argv;
    pz_log_set_level(PZ_LOG_OFF);
    stemmer = pz_stemmer_new();
    if (!stemmer || !mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/f.db", dir);
    if (pz_store_open(&store, path) != 0 || pz_store_migrate(store, NULL) != 0)
        abort();
    c = pz_store_conn(store);
    if (workspace_create(c, "Fuzz", "fuzz", NULL, NULL, &w, &err) != 0)
        abort();
    ws_id = w.id;
    if (pz_sql_int_query(c,
                         "INSERT INTO conversations (workspace_id, channel, external_key,"
                         " created_at, updated_at) VALUES ($1, 'whatsapp', 'f', 0, 0)",
                         NULL, "i", ws_id) < 0)
        abort();
    conv_id = pz_sql_last_id(c);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pz_conn *c = pz_store_conn(store);
    struct walk wk = {NULL, size, 0, 0};
    struct inbox_search_query q = {0};
    struct inbox_search_result res;
    struct pz_err err = {0};
    char *s = malloc(size + 1);
    int r;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    wk.text = s;
    first_word[0] = '\0';
    CHECK(pz_words(s, size, check_word, &wk) == 0);

    /* As a message: indexed, and found by its first word (when the text has a word). */
    CHECK(pz_sql_exec(c, "DELETE FROM messages") == 0);
    CHECK(pz_sql_int_query(c,
                           "INSERT INTO messages (workspace_id, conversation_id, dedup_key,"
                           " direction, kind, sent_at, body, created_at)"
                           " VALUES ($1, $2, 'k', 'incoming', 'text', 0, $3, 0)",
                           NULL, "iit", ws_id, conv_id, s) >= 0);
    q.workspace_id = ws_id;
    q.limit = 5;
    if (wk.n > 0 && first_word[0] && strlen(s) == size) {
        q.q = first_word;
        r = inbox_search(c, &q, &res, &err);
        CHECK(r == 0);
        CHECK(res.n_hits == 1);
        inbox_search_result_release(&res);
    }

    /* As a query: an answer or a refusal, never a database error. */
    q.q = s;
    r = inbox_search(c, &q, &res, &err);
    CHECK(r == 0 || r == PZ_EINVAL);
    if (r == PZ_EINVAL)
        CHECK(strcmp(err.code, "search.empty_query") == 0 ||
              strcmp(err.code, "search.query_too_long") == 0);
    for (size_t i = 0; i < res.n_hits; i++)
        for (size_t k = 0; k < res.hits[i].n_segments; k++) {
            const char *t = res.hits[i].segments[k].text;
            CHECK(t[0] != '\0');
            if (pz_utf8_valid(s, strlen(s)))
                CHECK(pz_utf8_valid(t, strlen(t)));
        }
    inbox_search_result_release(&res);
    free(s);
    return 0;
}
