/*
 * Click ids, hit details and the hit queue's writer thread. See track.h.
 *
 * The queue is two growing arrays: producers append to one under the lock
 * while the writer writes the other, then they swap. Sequence numbers (hits
 * pushed, hits written) let a reader wait for what was pushed before it.
 */
#include "goals/track.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts/workspace.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/banned.h"

/* --- click ids ------------------------------------------------------------------------- */

void track_key_derive(const unsigned char secret[32], unsigned char key[TRACK_KEY_LEN])
{
    static const char label[] = "piazza click id";
    crypto_generichash(key, TRACK_KEY_LEN, (const unsigned char *)label, sizeof(label) - 1, secret,
                       32);
}

static int put_b36(char *out, size_t outsz, uint64_t v)
{
    char tmp[16];
    int n = 0;

    do {
        tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
        v /= 36;
    } while (v && n < (int)sizeof(tmp));
    if ((size_t)n >= outsz)
        return -1;
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

/* Reads base-36 digits up to '.' or the end; returns the characters read, or -1. */
static int get_b36(const char *s, uint64_t *v)
{
    int n = 0;

    *v = 0;
    while (s[n] && s[n] != '.') {
        char c = s[n];
        int d = c >= '0' && c <= '9' ? c - '0' : (c >= 'a' && c <= 'z' ? c - 'a' + 10 : -1);
        if (d < 0 || n >= 12)
            return -1;
        *v = *v * 36 + (uint64_t)d;
        n++;
    }
    return n > 0 ? n : -1;
}

static void pz_mac(const unsigned char key[TRACK_KEY_LEN], const char *body, size_t n, char *out,
                   size_t outsz)
{
    unsigned char mac[crypto_shorthash_BYTES];
    crypto_shorthash(mac, (const unsigned char *)body, n, key);
    pz_b64url_encode(mac, sizeof(mac), out, outsz);
}

/*
 * The nonce only has to differ between clicks of one link in one second (the
 * signature, not the nonce, makes a click id unforgeable): a counter from a
 * random start serves, without a system call per click.
 */
static _Atomic uint32_t nonce_counter;
static pthread_once_t nonce_once = PTHREAD_ONCE_INIT;

static void nonce_init(void)
{
    nonce_counter = randombytes_random();
}

void track_pz_make(const unsigned char key[TRACK_KEY_LEN], int64_t ws, int64_t link_id,
                   int64_t at_ms, char *out)
{
    uint32_t nonce;
    size_t o = 0;
    int n;

    pthread_once(&nonce_once, nonce_init);
    nonce = nonce_counter++;
    n = put_b36(out + o, TRACK_PZ_MAX - o, (uint64_t)ws);
    o += (size_t)n;
    out[o++] = '.';
    n = put_b36(out + o, TRACK_PZ_MAX - o, (uint64_t)link_id);
    o += (size_t)n;
    out[o++] = '.';
    n = put_b36(out + o, TRACK_PZ_MAX - o, (uint64_t)(at_ms / 1000));
    o += (size_t)n;
    out[o++] = '.';
    n = put_b36(out + o, TRACK_PZ_MAX - o, nonce);
    o += (size_t)n;
    out[o++] = '.';
    pz_mac(key, out, o - 1, out + o, TRACK_PZ_MAX - o);
}

int track_pz_read(const unsigned char key[TRACK_KEY_LEN], const char *pz, int64_t *ws,
                  int64_t *link_id, int64_t *at_ms)
{
    uint64_t v[4];
    const char *p = pz;
    char mac[16];
    size_t body;

    if (!pz || strlen(pz) >= TRACK_PZ_MAX)
        return PZ_EINVAL;
    for (int i = 0; i < 4; i++) {
        int n = get_b36(p, &v[i]);
        if (n < 0 || p[n] != '.')
            return PZ_EINVAL;
        p += n + 1;
    }
    body = (size_t)(p - pz - 1);
    pz_mac(key, pz, body, mac, sizeof(mac));
    if (strlen(p) != strlen(mac) || sodium_memcmp(p, mac, strlen(mac)) != 0)
        return PZ_EINVAL;
    if (v[0] == 0 || v[1] == 0 || v[0] > INT64_MAX || v[1] > INT64_MAX ||
        v[2] > (uint64_t)INT64_MAX / 1000)
        return PZ_EINVAL;
    *ws = (int64_t)v[0];
    *link_id = (int64_t)v[1];
    *at_ms = (int64_t)v[2] * 1000;
    return 0;
}

int track_pz_in_window(int64_t click_ms, int64_t at_ms)
{
    /* A little slack for clocks: the click may be reported a minute "after" the conversion. */
    return at_ms - click_ms <= (int64_t)TRACK_ATTRIBUTION_DAYS * PZ_DAY_MS &&
           click_ms - at_ms <= 60 * 1000;
}

/* --- hit details ------------------------------------------------------------------------ */

const char *track_device(const char *ua)
{
    char low[512];
    size_t n = 0;

    if (!ua || !*ua)
        return "other";
    /* Lower-case (a prefix of) it once; then each question is one strstr. */
    for (; n < sizeof(low) - 1 && ua[n]; n++)
        low[n] = (char)tolower((unsigned char)ua[n]);
    low[n] = '\0';
    if (strstr(low, "bot") || strstr(low, "crawler") || strstr(low, "spider") ||
        strstr(low, "preview") || strstr(low, "curl/") || strstr(low, "wget/") ||
        strstr(low, "python-") || strstr(low, "wrk"))
        return "bot";
    if (strstr(low, "ipad") || strstr(low, "tablet") ||
        (strstr(low, "android") && !strstr(low, "mobile")))
        return "tablet";
    if (strstr(low, "mobi") || strstr(low, "iphone") || strstr(low, "android"))
        return "mobile";
    if (strstr(low, "windows") || strstr(low, "macintosh") || strstr(low, "x11") ||
        strstr(low, "cros"))
        return "desktop";
    return "other";
}

void track_referrer_domain(const char *ref, char *out, size_t outsz)
{
    const char *host;
    size_t n, o = 0;

    out[0] = '\0';
    if (!ref)
        return;
    if (strncasecmp(ref, "https://", 8) == 0)
        host = ref + 8;
    else if (strncasecmp(ref, "http://", 7) == 0)
        host = ref + 7;
    else
        return;
    /* Skip any user:password@ before the host. */
    {
        const char *at = memchr(host, '@', strcspn(host, "/?#"));
        if (at)
            host = at + 1;
    }
    n = strcspn(host, ":/?#");
    if (n >= 4 && strncasecmp(host, "www.", 4) == 0) {
        host += 4;
        n -= 4;
    }
    if (n == 0 || n >= outsz || n > TRACK_REFERRER_MAX)
        return;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)host[i];
        if (!isalnum(c) && c != '.' && c != '-' && c != '[' && c != ']') {
            out[0] = '\0';
            return;
        }
        out[o++] = (char)tolower(c);
    }
    out[o] = '\0';
}

int track_event_valid(const char *e)
{
    size_t n = e ? strlen(e) : 0;

    if (n == 0 || n > TRACK_EVENT_MAX || !islower((unsigned char)e[0]))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)e[i];
        if (!islower(c) && !isdigit(c) && c != '_' && c != '.' && c != '-')
            return 0;
    }
    return 1;
}

/* Returns 1 when the query part Q (without '?') has a parameter NAME. */
static int query_has(const char *q, size_t qlen, const char *name)
{
    size_t n = strlen(name);
    const char *p = q, *end = q + qlen;

    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        size_t len = amp ? (size_t)(amp - p) : (size_t)(end - p);
        if (len >= n && memcmp(p, name, n) == 0 && (len == n || p[n] == '='))
            return 1;
        p += len + 1;
    }
    return 0;
}

/* Appends "<SEP>NAME=VALUE" with VALUE percent-encoded where needed; SEP becomes '&'. */
static int add_param(char *out, size_t outsz, size_t *o, char *sep, const char *name,
                     const char *value)
{
    size_t n = strlen(name);

    if (*o + n + 3 >= outsz)
        return PZ_ETOOBIG;
    if (*sep)
        out[(*o)++] = *sep;
    *sep = '&';
    for (size_t i = 0; i < n; i++)
        out[(*o)++] = name[i];
    out[(*o)++] = '=';
    for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
        if (isalnum(*v) || *v == '-' || *v == '_' || *v == '.' || *v == '~') {
            if (*o + 1 >= outsz)
                return PZ_ETOOBIG;
            out[(*o)++] = (char)*v;
        } else {
            if (*o + 3 >= outsz)
                return PZ_ETOOBIG;
            out[(*o)++] = '%';
            out[(*o)++] = "0123456789ABCDEF"[*v >> 4];
            out[(*o)++] = "0123456789ABCDEF"[*v & 15];
        }
    }
    return 0;
}

int track_redirect_url(const char *target, const char *utm_source, const char *utm_medium,
                       const char *utm_campaign, const char *pz, char *out, size_t outsz)
{
    size_t frag = strcspn(target, "#");
    const char *q = memchr(target, '?', frag);
    size_t qlen = q ? frag - (size_t)(q - target) - 1 : 0;
    const char *names[] = {"utm_source", "utm_medium", "utm_campaign", "pz"};
    const char *values[] = {utm_source, utm_medium, utm_campaign, pz};
    /* "page" needs '?'; "page?" and "page?a=1&" need nothing; "page?a=1" needs '&'. */
    char sep = !q ? '?' : (qlen == 0 || target[frag - 1] == '&') ? '\0' : '&';
    size_t o = frag;

    if (frag + 1 >= outsz)
        return PZ_ETOOBIG;
    memcpy(out, target, frag);
    for (int i = 0; i < 4; i++) {
        if (!values[i] || !*values[i] || (q && query_has(q + 1, qlen, names[i])))
            continue;
        if (add_param(out, outsz, &o, &sep, names[i], values[i]) < 0)
            return PZ_ETOOBIG;
    }
    if (target[frag]) {
        size_t n = strlen(target + frag);
        if (o + n + 1 > outsz)
            return PZ_ETOOBIG;
        memcpy(out + o, target + frag, n);
        o += n;
    }
    out[o] = '\0';
    return (int)o;
}

/* --- visitor hash under the day's salt ---------------------------------------------------- */

static pthread_mutex_t salt_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t salt_day = -1;
static unsigned char salt[crypto_generichash_KEYBYTES];

static int load_salt(struct pz_conn *conn, int64_t day)
{
    char key[40], hex[2 * sizeof(salt) + 1], d[16];
    unsigned char fresh[sizeof(salt)];
    struct pz_stmt *st;
    int r;

    snprintf(key, sizeof(key), "tracking.salt.%s", pz_day_format(day, d, sizeof(d)));
    randombytes_buf(fresh, sizeof(fresh));
    pz_hex_encode(fresh, sizeof(fresh), hex, sizeof(hex));
    sodium_memzero(fresh, sizeof(fresh));
    st = pz_sql(conn, "INSERT INTO settings (workspace_id, key, value) VALUES (0, $1, $2)"
                      " ON CONFLICT (workspace_id, key) DO NOTHING");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, key);
    pz_sql_bind_text(st, 2, hex);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    /* Yesterday's salt goes: a visitor of two days can then never be linked. */
    st = pz_sql(conn, "DELETE FROM settings WHERE workspace_id = 0 AND key LIKE 'tracking.salt.%'"
                      " AND key <> $1");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, key);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    st = pz_sql(conn, "SELECT value FROM settings WHERE workspace_id = 0 AND key = $1");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, key);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        const char *v = pz_sql_text(st, 0);
        size_t bin = 0;
        if (!v || sodium_hex2bin(salt, sizeof(salt), v, strlen(v), NULL, &bin, NULL) != 0 ||
            bin != sizeof(salt))
            r = pz_error(PZ_EDB, "the tracking salt in settings is damaged");
    } else if (r == PZ_SQL_DONE) {
        r = pz_error(PZ_EDB, "the tracking salt vanished");
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int track_visitor(struct pz_conn *conn, int64_t day, const char *ip, const char *ua, char out[17])
{
    /* Each thread keeps its copy of the day's salt (a day's salt never changes once made), so
     * the hit path takes no lock but once a day per thread. */
    static _Thread_local int64_t my_day = -1;
    static _Thread_local unsigned char key[sizeof(salt)];
    unsigned char h[8];
    crypto_generichash_state s;
    int r = 0;

    if (my_day != day) {
        pthread_mutex_lock(&salt_lock);
        if (salt_day != day) {
            r = load_salt(conn, day);
            if (r == 0)
                salt_day = day;
        }
        memcpy(key, salt, sizeof(key));
        pthread_mutex_unlock(&salt_lock);
        if (r < 0)
            return r;
        my_day = day;
    }
    crypto_generichash_init(&s, key, sizeof(key), sizeof(h));
    crypto_generichash_update(&s, (const unsigned char *)ip, strlen(ip) + 1);
    if (ua)
        crypto_generichash_update(&s, (const unsigned char *)ua, strlen(ua));
    crypto_generichash_final(&s, h, sizeof(h));
    pz_hex_encode(h, sizeof(h), out, 17);
    return 0;
}

/* --- sites: workspace slugs of the pixel ---------------------------------------------------- */

#define SITE_SLOTS 64
#define SITE_MS    5000

static struct {
    char slug[64];
    int64_t ws; /* 0: no such workspace */
    int64_t fetched_at;
} sites[SITE_SLOTS];
static pthread_rwlock_t sites_lock = PTHREAD_RWLOCK_INITIALIZER;

int track_site(struct pz_conn *conn, const char *slug, int64_t *ws)
{
    size_t n = strlen(slug), i = (size_t)(pz_fnv1a64(slug, n) % SITE_SLOTS);
    int64_t now = pz_now_ms();
    struct workspace w;
    int r = -1;

    *ws = 0;
    if (!pz_slug_valid(slug))
        return PZ_ENOTFOUND;
    pthread_rwlock_rdlock(&sites_lock);
    if (now - sites[i].fetched_at < SITE_MS && strcmp(sites[i].slug, slug) == 0) {
        *ws = sites[i].ws;
        r = *ws > 0 ? 0 : PZ_ENOTFOUND;
    }
    pthread_rwlock_unlock(&sites_lock);
    if (r != -1)
        return r;
    r = workspace_find_slug(conn, slug, &w);
    if (r != 0 && r != PZ_ENOTFOUND)
        return r;
    pthread_rwlock_wrlock(&sites_lock);
    snprintf(sites[i].slug, sizeof(sites[i].slug), "%s", slug);
    sites[i].ws = r == 0 ? w.id : 0;
    sites[i].fetched_at = now;
    pthread_rwlock_unlock(&sites_lock);
    *ws = r == 0 ? w.id : 0;
    return r;
}

/* --- the queue and its writer ------------------------------------------------------------- */

struct hit_queue {
    struct pz_store *store;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t more;    /* hits arrived, or stop */
    pthread_cond_t written; /* a batch was written */
    struct hit *items;      /* where producers append */
    size_t n_items, cap;
    size_t capacity; /* the most hits queued at once */
    uint64_t pushed, done;
    _Atomic int stop;
    int failing; /* the last batch failed: retried, and logged once */
};

#define HIT_COLUMNS     9
#define GROUP_COMMIT_MS 2 /* how long the writer lets hits gather before a commit */
/* Rows per INSERT: fewer statements to run per hit, while binding (whose cost grows with the
 * number of parameters) stays cheap. */
#define HITS_PER_INSERT 16

static char insert_many[HITS_PER_INSERT * 64 + 128];
static pthread_once_t insert_once = PTHREAD_ONCE_INIT;

static void build_insert_many(void)
{
    size_t o = (size_t)snprintf(insert_many, sizeof(insert_many),
                                "INSERT INTO hits (workspace_id, kind, at, link_id, event, pz,"
                                " referrer, device, visitor) VALUES ");
    for (int r = 0; r < HITS_PER_INSERT; r++) {
        o += (size_t)snprintf(insert_many + o, sizeof(insert_many) - o, "%s(", r ? ", " : "");
        for (int c = 1; c <= HIT_COLUMNS; c++)
            o += (size_t)snprintf(insert_many + o, sizeof(insert_many) - o, "%s$%d",
                                  c > 1 ? ", " : "", r * HIT_COLUMNS + c);
        o += (size_t)snprintf(insert_many + o, sizeof(insert_many) - o, ")");
    }
}

/* The INSERT of N rows (1 or HITS_PER_INSERT). */
static const char *insert_sql(int n)
{
    if (n == 1)
        return "INSERT INTO hits (workspace_id, kind, at, link_id, event, pz, referrer, device,"
               " visitor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    pthread_once(&insert_once, build_insert_many);
    return insert_many;
}

static void bind_hit(struct pz_stmt *st, int base, const struct hit *h)
{
    pz_sql_bind_int(st, base + 1, h->workspace_id);
    pz_sql_bind_text(st, base + 2, h->kind == HIT_CLICK ? "click" : "event");
    pz_sql_bind_int(st, base + 3, h->at);
    if (h->link_id > 0)
        pz_sql_bind_int(st, base + 4, h->link_id);
    else
        pz_sql_bind_null(st, base + 4);
    pz_sql_bind_text(st, base + 5, h->event[0] ? h->event : NULL);
    pz_sql_bind_text(st, base + 6, h->pz[0] ? h->pz : NULL);
    pz_sql_bind_text(st, base + 7, h->referrer[0] ? h->referrer : NULL);
    pz_sql_bind_text(st, base + 8, h->device ? h->device : "other");
    pz_sql_bind_text(st, base + 9, h->visitor);
}

/* Writes N hits in one transaction. Returns 0 or a negative code (nothing written). */
static int write_batch(struct pz_conn *conn, const struct hit *h, size_t n)
{
    int r = pz_tx_begin(conn);
    size_t i = 0;

    while (i < n && r == 0) {
        int rows = n - i >= HITS_PER_INSERT ? HITS_PER_INSERT : 1;
        struct pz_stmt *st = pz_sql(conn, insert_sql(rows));
        if (!st) {
            r = PZ_EDB;
            break;
        }
        for (int k = 0; k < rows; k++)
            bind_hit(st, k * HIT_COLUMNS, &h[i + (size_t)k]);
        r = pz_sql_step(st);
        pz_sql_done(st);
        if (r > 0)
            r = 0;
        i += (size_t)rows;
    }
    if (r == 0)
        r = pz_tx_commit(conn);
    if (r < 0)
        pz_tx_rollback(conn);
    return r;
}

static void deadline_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *writer_main(void *arg)
{
    struct hit_queue *q = arg;
    struct pz_conn *conn = pz_store_conn(q->store);
    struct hit *batch = NULL;
    size_t batch_cap = 0;

    pthread_mutex_lock(&q->lock);
    for (;;) {
        size_t n;
        struct hit *tmp;
        int r;

        while (q->n_items == 0 && !q->stop)
            pthread_cond_wait(&q->more, &q->lock);
        if (q->n_items == 0 && q->stop)
            break;
        /* Group commit: give the hits of the next moment the same transaction (fewer
         * commits, fewer wake-ups), unless stopping or the queue is filling up. */
        if (!q->stop && q->n_items < q->capacity / 4) {
            struct timespec until;
            deadline_in(&until, GROUP_COMMIT_MS);
            while (!q->stop && q->n_items < q->capacity / 4 &&
                   pthread_cond_timedwait(&q->more, &q->lock, &until) == 0)
                ;
        }
        /* Take what gathered; producers go on filling the other array. */
        tmp = q->items;
        q->items = batch;
        batch = tmp;
        n = q->n_items;
        {
            size_t c = q->cap;
            q->cap = batch_cap;
            batch_cap = c;
        }
        q->n_items = 0;
        pthread_cond_broadcast(&q->written); /* room again for waiting producers */
        pthread_mutex_unlock(&q->lock);

        r = conn ? write_batch(conn, batch, n) : PZ_EDB;
        for (int tries = 0; r < 0; tries++) {
            if (q->stop && tries >= 50) {
                pz_log(PZ_LOG_ERROR, "tracking: %zu hits lost: the database refused them", n);
                break;
            }
            /* Keep the hits: they were answered. Retry until the database takes them. */
            if (!q->failing)
                pz_log(PZ_LOG_ERROR, "tracking: cannot write %zu hits; retrying", n);
            q->failing = 1;
            usleep(100 * 1000);
            if (!conn)
                conn = pz_store_conn(q->store);
            r = conn ? write_batch(conn, batch, n) : PZ_EDB;
        }
        if (q->failing)
            pz_log(PZ_LOG_INFO, "tracking: hits written again");
        q->failing = 0;

        pthread_mutex_lock(&q->lock);
        q->done += n;
        pthread_cond_broadcast(&q->written);
    }
    pthread_mutex_unlock(&q->lock);
    free(batch);
    return NULL;
}

struct hit_queue *hitq_start(struct pz_store *store, size_t capacity)
{
    struct hit_queue *q = xcalloc(1, sizeof(*q));
    pthread_condattr_t ca;

    q->store = store;
    q->capacity = capacity ? capacity : 16384; /* about 3.5 MB a side when full */
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->more, &ca);
    pthread_cond_init(&q->written, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&q->thread, NULL, writer_main, q) != 0) {
        pz_error(PZ_EIO, "cannot start the tracking writer thread");
        pthread_cond_destroy(&q->more);
        pthread_cond_destroy(&q->written);
        pthread_mutex_destroy(&q->lock);
        free(q);
        return NULL;
    }
    return q;
}

int hitq_push(struct hit_queue *q, const struct hit *h)
{
    struct timespec until;
    int waited = 0;

    pthread_mutex_lock(&q->lock);
    while (q->n_items >= q->capacity && !q->stop) {
        if (!waited) {
            deadline_in(&until, 1000);
            waited = 1;
        }
        if (pthread_cond_timedwait(&q->written, &q->lock, &until) != 0)
            break;
    }
    if (q->n_items >= q->capacity || q->stop) {
        pthread_mutex_unlock(&q->lock);
        return PZ_EBUSY;
    }
    if (q->n_items == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        if (q->cap > q->capacity)
            q->cap = q->capacity;
        q->items = xrealloc(q->items, q->cap * sizeof(*q->items));
    }
    q->items[q->n_items++] = *h;
    q->pushed++;
    if (q->n_items == 1 || q->n_items == q->capacity / 4)
        pthread_cond_signal(&q->more);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int hitq_sync(struct hit_queue *q, int timeout_ms)
{
    struct timespec until;
    uint64_t want;
    int r = 0;

    deadline_in(&until, timeout_ms);
    pthread_mutex_lock(&q->lock);
    want = q->pushed;
    while (q->done < want) {
        if (pthread_cond_timedwait(&q->written, &q->lock, &until) != 0) {
            r = q->done < want ? PZ_EBUSY : 0;
            break;
        }
    }
    pthread_mutex_unlock(&q->lock);
    return r;
}

uint64_t hitq_written(struct hit_queue *q)
{
    uint64_t n;
    pthread_mutex_lock(&q->lock);
    n = q->done;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void hitq_stop(struct hit_queue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stop = 1;
    pthread_cond_broadcast(&q->more);
    pthread_cond_broadcast(&q->written);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    if (q->done)
        pz_log(PZ_LOG_INFO, "tracking: %llu hits written", (unsigned long long)q->done);
    free(q->items);
    pthread_cond_destroy(&q->more);
    pthread_cond_destroy(&q->written);
    pthread_mutex_destroy(&q->lock);
    free(q);
}
