/*
 * Ad-hoc measures of message search (not part of `make bench`; see
 * bench/search/run.sh, which builds this against the release objects):
 *
 *   search_bench tokens [N]        words/s and terms/s of the tokenizer's core
 *                                  (pz_words + pz_word_terms) over N generated
 *                                  chat messages (default 1,000,000)
 *   search_bench fill DB N [WS]    a database with N generated messages spread
 *                                  over 2,000 conversations (channels mixed) in
 *                                  WS workspaces (default 1), through the real
 *                                  schema and its triggers; prints messages/s
 *   search_bench query DB Q...     runs each query Q through inbox_search 200
 *                                  times (in workspace 1) and prints min/p50/p95/max
 *
 * fill reads BENCH_ROW_BY_ROW=1 (index each insert through the trigger, as
 * without pz_store_search_defer), BENCH_NO_INDEX=1 (no index at all, for
 * comparison) and BENCH_FTS_SQL (SQL run first, to try index settings).
 *
 * The text is pseudo-Italian chat from a fixed vocabulary with a Zipf-like
 * spread and a fixed seed, so runs compare.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/workspace.h"
#include "core/error.h"
#include "core/log.h"
#include "core/words.h"
#include "inbox/search.h"
#include "store/store.h"

static const char *const vocab[] = {
    "ciao", "grazie", "perché", "ok", "sì", "no", "domani", "oggi", "ordine", "scarpe",
    "scarpa", "consegna", "fattura", "pagamento", "bonifico", "prezzo", "sconto", "taglia",
    "colore", "rosso", "nero", "bianco", "negozio", "Milano", "Roma", "Torino", "arrivato",
    "spedizione", "corriere", "numero", "tracking", "quando", "dove", "come", "va", "bene",
    "perfetto", "allora", "però", "città", "più", "già", "è", "l'ordine", "dell'articolo",
    "vorrei", "sapere", "disponibile", "magazzino", "giorni", "settimana", "prossima",
    "buongiorno", "buonasera", "cordiali", "saluti", "appuntamento", "ufficio", "telefono",
    "chiamami", "richiamo", "problema", "reso", "rimborso", "cambio", "misura", "il", "la",
    "di", "che", "e", "a", "per", "un", "una", "con", "non", "mi", "ti", "ci", "se", "del",
    "della", "shoes", "delivery", "invoice", "thanks", "please", "order", "😀", "👍", "2024",
    "ordinazione", "preventivo", "contratto", "firmato", "documenti", "allegato", "email",
};
#define N_VOCAB (sizeof(vocab) / sizeof(vocab[0]))

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A word index with a Zipf-like spread: small indexes far more often. */
static size_t pick(void)
{
    double u = (double)(next() % 1000000) / 1000000.0;
    return (size_t)(u * u * u * N_VOCAB) % N_VOCAB;
}

static size_t message(char *buf, size_t size)
{
    size_t n = 0, words = 3 + next() % 14;

    for (size_t i = 0; i < words; i++) {
        int k = snprintf(buf + n, size - n, "%s%s", i ? " " : "", vocab[pick()]);
        if (k < 0 || (size_t)k >= size - n)
            break;
        n += (size_t)k;
    }
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct count {
    struct pz_stemmer *st;
    long words, terms;
};

static int count_word(void *arg, const char *w, size_t n, size_t start, size_t end)
{
    struct count *c = arg;
    struct pz_terms t;

    (void)start;
    (void)end;
    c->words++;
    c->terms += pz_word_terms(c->st, w, n, PZ_TERMS_WORD | PZ_TERMS_STEMS, &t);
    return 0;
}

static int bench_tokens(long n)
{
    struct count c = {pz_stemmer_new(), 0, 0};
    size_t bytes = 0, cap = (size_t)n * 200 + 512, *lens = calloc((size_t)n, sizeof(size_t));
    char *text = malloc(cap), *p;
    double t0, dt;

    /* The text is made first: only the tokenizer is timed. */
    for (long i = 0; i < n; i++) {
        lens[i] = message(text + bytes, cap - bytes < 512 ? cap - bytes : 512);
        bytes += lens[i];
    }
    t0 = now_s();
    p = text;
    for (long i = 0; i < n; i++) {
        pz_words(p, lens[i], count_word, &c);
        p += lens[i];
    }
    dt = now_s() - t0;
    printf("tokens: %ld messages, %ld words, %ld terms, %.1f MB in %.2f s: %.0f words/s, "
           "%.0f terms/s, %.0f messages/s, %.1f MB/s\n",
           n, c.words, c.terms, (double)bytes / 1e6, dt, (double)c.words / dt,
           (double)c.terms / dt, (double)n / dt, (double)bytes / 1e6 / dt);
    pz_stemmer_free(c.st);
    free(text);
    free(lens);
    return 0;
}

static const char *const channels[] = {"whatsapp", "telegram", "email", "linkedin", "messenger"};

static int bench_fill(const char *path, long n, long n_ws)
{
    struct pz_store *store;
    struct pz_conn *conn;
    struct pz_err err = {0};
    struct workspace w;
    char buf[512], key[64];
    double t0, dt;
    int64_t conv_base = 0;

    if (pz_store_open(&store, path) != 0 || pz_store_migrate(store, NULL) != 0)
        return 1;
    conn = pz_store_conn(store);
    for (long k = 0; k < n_ws; k++) {
        char name[32], slug[32];
        snprintf(name, sizeof(name), "Bench %ld", k + 1);
        snprintf(slug, sizeof(slug), "bench-%ld", k + 1);
        if (workspace_create(conn, name, slug, NULL, NULL, &w, &err) != 0) {
            fprintf(stderr, "workspace: %s\n", err.message);
            return 1;
        }
    }
    /* BENCH_FTS_SQL: settings to try on the index first. */
    if (getenv("BENCH_FTS_SQL") && pz_sql_exec(conn, getenv("BENCH_FTS_SQL")) != 0)
        return 1;
    /* BENCH_NO_INDEX=1: without the search index, for comparison. */
    if (getenv("BENCH_NO_INDEX") && pz_sql_exec(conn, "DROP TRIGGER messages_search_insert") != 0)
        return 1;
    pz_store_bulk(conn, 1);
    pz_tx_begin(conn);
    for (int64_t ws = 1; ws <= n_ws; ws++)
        for (int i = 0; i < 2000; i++) {
            struct pz_stmt *st = pz_sql(
                conn, "INSERT INTO conversations (workspace_id, channel, external_key, title,"
                      " created_at, updated_at) VALUES ($1, $2, $3, $4, 0, 0)");
            snprintf(key, sizeof(key), "c%d", i);
            pz_sql_bind_int(st, 1, ws);
            pz_sql_bind_text(st, 2, channels[i % 5]);
            pz_sql_bind_text(st, 3, key);
            pz_sql_bind_text(st, 4, key);
            pz_sql_step(st);
            pz_sql_done(st);
            if (ws == 1 && i == 0)
                conv_base = pz_sql_last_id(conn);
        }
    pz_tx_commit(conn);
    t0 = now_s();
    pz_tx_begin(conn);
    if (!getenv("BENCH_ROW_BY_ROW"))
        pz_store_search_defer(conn);
    for (long i = 0; i < n; i++) {
        int64_t ws = 1 + i % n_ws;
        struct pz_stmt *st = pz_sql(
            conn, "INSERT INTO messages (workspace_id, conversation_id, dedup_key, direction, kind,"
                  " sent_at, sender_name, body, created_at) VALUES ($1, $2, $3, $4, 'text', $5,"
                  " 'Bench', $6, 0)");
        size_t len = message(buf, sizeof(buf));
        buf[len] = '\0';
        snprintf(key, sizeof(key), "k%ld", i);
        pz_sql_bind_int(st, 1, ws);
        pz_sql_bind_int(st, 2, conv_base + (ws - 1) * 2000 + (int64_t)(next() % 2000));
        pz_sql_bind_text(st, 3, key);
        pz_sql_bind_text(st, 4, i % 3 ? "incoming" : "outgoing");
        pz_sql_bind_int(st, 5, 1600000000000 + i * 60000);
        pz_sql_bind_text(st, 6, buf);
        if (pz_sql_step(st) < 0)
            return 1;
        pz_sql_done(st);
        if (i % 100000 == 99999) {
            pz_tx_commit(conn);
            pz_tx_begin(conn);
            if (!getenv("BENCH_ROW_BY_ROW"))
                pz_store_search_defer(conn);
        }
    }
    pz_tx_commit(conn);
    dt = now_s() - t0;
    printf("fill: %ld messages in %.2f s: %.0f messages/s\n", n, dt, (double)n / dt);
    pz_store_bulk(conn, 0);
    pz_store_close(store);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bench_query(const char *path, int n_q, char **qs)
{
    struct pz_store *store;
    struct pz_conn *conn;
    double times[200];

    if (pz_store_open(&store, path) != 0)
        return 1;
    conn = pz_store_conn(store);
    for (int q = 0; q < n_q; q++) {
        struct inbox_search_query sq = {0};
        long found = 0;
        sq.workspace_id = 1;
        sq.q = qs[q];
        sq.limit = 20;
        for (int i = 0; i < 200; i++) {
            struct inbox_search_result res = {0};
            struct pz_err err = {0};
            double t0 = now_s();
            if (inbox_search(conn, &sq, &res, &err) != 0) {
                fprintf(stderr, "query '%s': %s\n", qs[q], err.message);
                return 1;
            }
            times[i] = (now_s() - t0) * 1000.0;
            found = (long)res.n_hits;
            inbox_search_result_release(&res);
        }
        qsort(times, 200, sizeof(double), cmp_double);
        printf("query %-24s hits %3ld  min %6.2f ms  p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms\n",
               qs[q], found, times[0], times[100], times[190], times[199]);
    }
    pz_store_close(store);
    return 0;
}

int main(int argc, char **argv)
{
    pz_log_set_level(PZ_LOG_WARN);
    if (argc >= 2 && strcmp(argv[1], "tokens") == 0)
        return bench_tokens(argc > 2 ? strtol(argv[2], NULL, 10) : 1000000);
    if (argc >= 4 && strcmp(argv[1], "fill") == 0)
        return bench_fill(argv[2], strtol(argv[3], NULL, 10),
                          argc > 4 ? strtol(argv[4], NULL, 10) : 1);
    if (argc >= 4 && strcmp(argv[1], "query") == 0)
        return bench_query(argv[2], argc - 3, argv + 3);
    fprintf(stderr, "usage: search_bench tokens [N] | fill DB N [WS] | query DB Q...\n");
    return 2;
}
