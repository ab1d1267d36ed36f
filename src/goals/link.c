/*
 * Tracked links. See link.h.
 */
#include "goals/link.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"
#include "core/text.h"
#include "goals/objective.h"
#include "core/banned.h"

static void copy(char *out, size_t outsz, const char *s)
{
    snprintf(out, outsz, "%s", s ? s : "");
}

static int url_ok(const char *url, struct pz_err *err)
{
    size_t n;

    if (!url || !*url)
        return pz_err_set(err, "goals.missing_field", "url", "url is required");
    n = strlen(url);
    if (n > LINK_URL_MAX)
        return pz_err_set(err, "goals.invalid_field", "url", "url is longer than %d bytes",
                          LINK_URL_MAX);
    if (!pz_str_starts(url, "https://") && !pz_str_starts(url, "http://"))
        return pz_err_set(err, "goals.invalid_field", "url",
                          "url must be an absolute http:// or https:// address");
    {
        const char *host = url + (url[4] == 's' ? 8 : 7);
        if (strcspn(host, "/?#") == 0)
            return pz_err_set(err, "goals.invalid_field", "url", "url has no host name");
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= ' ' || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c >= 0x80)
            return pz_err_set(err, "goals.invalid_field", "url",
                              "url must not hold spaces, quotes or raw non-ASCII characters"
                              " (percent-encode them)");
    }
    return 0;
}

static int name_ok(const char *name, struct pz_err *err)
{
    if (name && (!pz_utf8_valid(name, strlen(name)) || pz_utf8_count(name) > GOAL_NAME_MAX))
        return pz_err_set(err, "goals.invalid_field", "name",
                          "name must be text of at most %d characters", GOAL_NAME_MAX);
    return 0;
}

int link_slug_shape(const char *s)
{
    int upper = 0;
    size_t n = 0;

    for (; s[n]; n++) {
        if (!isalnum((unsigned char)s[n]))
            return 0;
        upper |= isupper((unsigned char)s[n]) != 0;
    }
    return n == LINK_SLUG_LEN && upper;
}

/* A random slug: an upper-case letter, then letters and digits without look-alikes. */
static void make_slug(char out[16])
{
    static const char upper[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    static const char any[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    out[0] = upper[randombytes_uniform(sizeof(upper) - 1)];
    for (int i = 1; i < LINK_SLUG_LEN; i++)
        out[i] = any[randombytes_uniform(sizeof(any) - 1)];
    out[LINK_SLUG_LEN] = '\0';
}

int link_create(struct pz_conn *conn, int64_t ws, int64_t campaign_id, const char *url,
                const char *name, int64_t user_id, struct link *out, struct pz_err *err)
{
    int r;

    memset(out, 0, sizeof(*out));
    if (url_ok(url, err) < 0 || name_ok(name, err) < 0)
        return PZ_EINVAL;
    if (campaign_id > 0) {
        int64_t one = 0;
        r = pz_sql_int_query(conn, "SELECT 1 FROM campaigns WHERE workspace_id = $1 AND id = $2",
                             &one, "ii", ws, campaign_id);
        if (r < 0)
            return r;
        if (r != PZ_SQL_ROW)
            return pz_err_set(err, "goals.unknown_reference", "campaign_id",
                              "no campaign %lld in this workspace", (long long)campaign_id);
    }
    out->campaign_id = campaign_id > 0 ? campaign_id : -1;
    copy(out->url, sizeof(out->url), url);
    copy(out->name, sizeof(out->name), name);
    out->created_by = user_id > 0 ? user_id : -1;
    out->created_at = pz_now_ms();
    /* 7 characters from 57 give 10^12 slugs: a clash is rare, and then we draw again. */
    for (int attempt = 0; attempt < 8; attempt++) {
        struct pz_stmt *st =
            pz_sql(conn, "INSERT INTO links (workspace_id, campaign_id, slug, url, name,"
                         " created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                         " RETURNING id");
        if (!st)
            return PZ_EDB;
        make_slug(out->slug);
        pz_sql_bind_int(st, 1, ws);
        if (out->campaign_id > 0)
            pz_sql_bind_int(st, 2, out->campaign_id);
        pz_sql_bind_text(st, 3, out->slug);
        pz_sql_bind_text(st, 4, out->url);
        pz_sql_bind_text(st, 5, out->name);
        if (out->created_by > 0)
            pz_sql_bind_int(st, 6, out->created_by);
        pz_sql_bind_int(st, 7, out->created_at);
        r = pz_sql_step(st);
        if (r == PZ_SQL_ROW)
            out->id = pz_sql_int(st, 0);
        pz_sql_done(st);
        if (r == PZ_SQL_ROW) {
            link_cache_forget(); /* it may have been asked for, and remembered as unknown */
            return 0;
        }
        if (r != PZ_EEXIST)
            return r < 0 ? r : PZ_EDB;
    }
    return pz_error(PZ_EDB, "could not find a free link slug");
}

#define LINK_COLUMNS "id, campaign_id, slug, url, name, created_by, created_at"

static void read_link(struct pz_stmt *st, struct link *l)
{
    memset(l, 0, sizeof(*l));
    l->id = pz_sql_int(st, 0);
    l->campaign_id = pz_sql_is_null(st, 1) ? -1 : pz_sql_int(st, 1);
    copy(l->slug, sizeof(l->slug), pz_sql_text(st, 2));
    copy(l->url, sizeof(l->url), pz_sql_text(st, 3));
    copy(l->name, sizeof(l->name), pz_sql_text(st, 4));
    l->created_by = pz_sql_is_null(st, 5) ? -1 : pz_sql_int(st, 5);
    l->created_at = pz_sql_int(st, 6);
}

int link_get(struct pz_conn *conn, int64_t ws, int64_t id, struct link *out)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT " LINK_COLUMNS " FROM links WHERE workspace_id = $1 AND id = $2");
    int r;

    memset(out, 0, sizeof(*out));
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_link(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int link_update(struct pz_conn *conn, int64_t ws, int64_t id, const char *url, const char *name,
                struct link *out, struct pz_err *err)
{
    struct pz_stmt *st;
    int r = link_get(conn, ws, id, out);

    if (r < 0)
        return r;
    if ((url && url_ok(url, err) < 0) || name_ok(name, err) < 0)
        return PZ_EINVAL;
    if (url)
        copy(out->url, sizeof(out->url), url);
    if (name)
        copy(out->name, sizeof(out->name), name);
    st = pz_sql(conn, "UPDATE links SET url = $3, name = $4 WHERE workspace_id = $1 AND id = $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_text(st, 3, out->url);
    pz_sql_bind_text(st, 4, out->name);
    r = pz_sql_step(st);
    pz_sql_done(st);
    link_cache_forget();
    return r < 0 ? r : 0;
}

int link_list(struct pz_conn *conn, int64_t ws, int64_t campaign_id, int64_t after, int limit,
              void (*fn)(const struct link *l, void *arg), void *arg)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT " LINK_COLUMNS " FROM links WHERE workspace_id = $1"
                     " AND ($2 = 0 OR campaign_id = $2) AND id > $3 ORDER BY id LIMIT $4");
    struct link *l = xmalloc(sizeof(*l));
    int r;

    if (!st) {
        free(l);
        return PZ_EDB;
    }
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, campaign_id > 0 ? campaign_id : 0);
    pz_sql_bind_int(st, 3, after);
    pz_sql_bind_int(st, 4, limit);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_link(st, l);
        fn(l, arg);
    }
    pz_sql_done(st);
    free(l);
    return r < 0 ? r : 0;
}

int link_clicks(struct pz_conn *conn, int64_t ws, int64_t id, int64_t *clicks, int64_t *unique)
{
    int r;

    *clicks = *unique = 0;
    r = pz_sql_int_query(conn,
                         "SELECT COUNT(*) FROM hits WHERE workspace_id = $1 AND link_id = $2"
                         " AND kind = 'click'",
                         clicks, "ii", ws, id);
    if (r < 0)
        return r;
    /* A visitor hash means something within its day only: count per day, then add up. */
    r = pz_sql_int_query(conn,
                         "SELECT COUNT(*) FROM (SELECT DISTINCT at / 86400000, visitor FROM hits"
                         " WHERE workspace_id = $1 AND link_id = $2 AND kind = 'click') AS d",
                         unique, "ii", ws, id);
    return r < 0 ? r : 0;
}

/*
 * Clicks ask for the same few slugs again and again: their answers are kept
 * for a few seconds in a small table (one slot per hash, the newest wins).
 * Creating or changing a link in this process empties it at once; another
 * process's change is seen within LINK_CACHE_MS.
 */
#define LINK_CACHE_SLOTS 512
#define LINK_CACHE_MS    5000

struct cache_slot {
    char slug[16];
    uint64_t gen;
    int64_t fetched_at;
    int found;
    struct link_target t;
};

static struct cache_slot *cache;
static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
static _Atomic uint64_t cache_gen = 1;

void link_cache_forget(void)
{
    cache_gen++;
}

int link_resolve_cached(struct pz_conn *conn, const char *slug, struct link_target *out)
{
    size_t n = strlen(slug), i = (size_t)(pz_fnv1a64(slug, n) % LINK_CACHE_SLOTS);
    int64_t now = pz_now_ms();
    uint64_t gen = cache_gen;
    int r = -1;

    if (n >= sizeof(cache->slug))
        return link_resolve(conn, slug, out);
    pthread_rwlock_rdlock(&cache_lock);
    if (cache && cache[i].gen == gen && now - cache[i].fetched_at < LINK_CACHE_MS &&
        strcmp(cache[i].slug, slug) == 0) {
        r = cache[i].found ? 0 : PZ_ENOTFOUND;
        if (r == 0)
            *out = cache[i].t;
    }
    pthread_rwlock_unlock(&cache_lock);
    if (r != -1)
        return r;
    r = link_resolve(conn, slug, out);
    if (r != 0 && r != PZ_ENOTFOUND)
        return r;
    pthread_rwlock_wrlock(&cache_lock);
    if (!cache)
        cache = xcalloc(LINK_CACHE_SLOTS, sizeof(*cache));
    memcpy(cache[i].slug, slug, n + 1);
    cache[i].gen = gen;
    cache[i].fetched_at = now;
    cache[i].found = r == 0;
    if (r == 0)
        cache[i].t = *out;
    pthread_rwlock_unlock(&cache_lock);
    return r;
}

int link_resolve(struct pz_conn *conn, const char *slug, struct link_target *out)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT l.id, l.workspace_id, l.url, c.channel, c.utm_campaign"
                     " FROM links l LEFT JOIN campaigns c"
                     " ON c.workspace_id = l.workspace_id AND c.id = l.campaign_id"
                     " WHERE l.slug = $1");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, slug);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        const char *channel = pz_sql_text(st, 3);
        const char *medium = goal_channel_medium(channel);
        out->id = pz_sql_int(st, 0);
        out->workspace_id = pz_sql_int(st, 1);
        copy(out->url, sizeof(out->url), pz_sql_text(st, 2));
        /* A link outside any campaign still says where the visit came from. */
        copy(out->utm_source, sizeof(out->utm_source), channel ? channel : "piazza");
        copy(out->utm_medium, sizeof(out->utm_medium), medium ? medium : "link");
        copy(out->utm_campaign, sizeof(out->utm_campaign), pz_sql_text(st, 4));
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}
