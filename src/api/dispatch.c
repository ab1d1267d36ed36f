/*
 * The dispatcher: every request passes here. In order it checks the Host
 * (421), finds the route (404/405), the body size (413), who is calling
 * (401), the CSRF token of cookie-authenticated changes (403), and the role
 * (403). Only then does a handler run. Requests outside /api/ and /healthz
 * are for the web UI.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "accounts/token.h"
#include "accounts/user.h"
#include "core/log.h"
#include "core/text.h"
#include "jobs/job_runner.h"
#include "core/banned.h"

#define SETUP_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

static void make_setup_code(char out[16])
{
    for (int i = 0, o = 0; i < 8; i++) {
        if (i == 4)
            out[o++] = '-';
        out[o++] = SETUP_ALPHABET[randombytes_uniform(sizeof(SETUP_ALPHABET) - 1)];
        out[o] = '\0';
    }
}

static int parse_public_url(struct pz_api *api, const char *url)
{
    const char *host;
    size_t n;

    if (!url || !*url)
        return 0;
    if (pz_str_starts(url, "https://")) {
        api->public_https = 1;
        host = url + 8;
    } else if (pz_str_starts(url, "http://")) {
        host = url + 7;
    } else {
        return pz_error(PZ_EINVAL, "the public URL '%s' must start with http:// or https://", url);
    }
    n = strcspn(host, "/?#");
    if (n == 0 || n >= sizeof(api->public_host))
        return pz_error(PZ_EINVAL, "the public URL '%s' has no host name", url);
    for (size_t i = 0; i < n; i++)
        api->public_host[i] = (char)tolower((unsigned char)host[i]);
    api->public_host[n] = '\0';
    return 0;
}

/* Headers on every answer. */
static const struct pz_http_header security_headers[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
};
#define N_SECURITY_HEADERS ((int)(sizeof(security_headers) / sizeof(security_headers[0])))

static const char healthz_body[] = "{\"status\":\"ok\"}";

struct pz_api *pz_api_new(struct pz_store *store, const struct pz_api_config *cfg)
{
    struct pz_api *api = xcalloc(1, sizeof(*api));
    struct pz_conn *conn = pz_store_conn(store);
    int64_t users;

    api->store = store;
    api->web_dir = cfg->web_dir;
    if (cfg->data_dir)
        snprintf(api->data_dir, sizeof(api->data_dir), "%s", cfg->data_dir);
    pthread_mutex_init(&api->setup_lock, NULL);
    api->rl_account = ratelimit_new(5, 15 * 60, 4096);
    api->rl_address = ratelimit_new(20, 15 * 60, 4096);
    api->rl_setup = ratelimit_new(10, 15 * 60, 1024);
    if (!conn || parse_public_url(api, cfg->public_url) < 0 ||
        accounts_secret(conn, api->secret) < 0 || (users = user_count(conn)) < 0) {
        pz_api_free(api);
        return NULL;
    }
    if (users == 0)
        make_setup_code(api->setup_code);
    if (cfg->upload_dir && job_runner_start(&api->jobs, store, cfg->upload_dir) < 0) {
        pz_api_free(api);
        return NULL;
    }
    /* The health check is asked often (load balancers, monitors): answer it from a response made
     * once. */
    api->healthz =
        pz_http_prebuilt_new(200, "application/json", healthz_body, sizeof(healthz_body) - 1,
                             security_headers, N_SECURITY_HEADERS);
    /* The tracking pixel is answered as often: made once too, never to be cached. */
    {
        struct pz_http_header h[N_SECURITY_HEADERS + 1];
        memcpy(h, security_headers, sizeof(security_headers));
        h[N_SECURITY_HEADERS].name = "Cache-Control";
        h[N_SECURITY_HEADERS].value = "no-store";
        api->pixel = pz_http_prebuilt_new(200, "image/gif", pz_pixel_gif, sizeof(pz_pixel_gif), h,
                                          N_SECURITY_HEADERS + 1);
    }
    api->streams = stream_hub_start(cfg->max_streams, cfg->stream_keepalive_s);
    if (!api->streams) {
        pz_api_free(api);
        return NULL;
    }
    track_key_derive(api->secret, api->track_key);
    api->hits = hitq_start(store, 0);
    if (!api->hits) {
        pz_api_free(api);
        return NULL;
    }
    return api;
}

void pz_api_free(struct pz_api *api)
{
    if (!api)
        return;
    job_runner_stop(api->jobs);
    stream_hub_stop(api->streams);
    ratelimit_free(api->rl_account);
    ratelimit_free(api->rl_address);
    ratelimit_free(api->rl_setup);
    /* After the server stopped: every hit it answered is written before we go. */
    hitq_stop(api->hits);
    pz_http_prebuilt_free(api->healthz);
    pz_http_prebuilt_free(api->pixel);
    pthread_mutex_destroy(&api->setup_lock);
    sodium_memzero(api->secret, sizeof(api->secret));
    sodium_memzero(api->track_key, sizeof(api->track_key));
    free(api);
}

const char *pz_api_setup_code(struct pz_api *api)
{
    return api->setup_code[0] ? api->setup_code : NULL;
}

/* The API, the health check and the tracking endpoints (/l/ links, /t/ pixel and script). */
static int is_api_path(const char *path)
{
    return pz_str_starts(path, "/api/") || strcmp(path, "/api") == 0 ||
           strcmp(path, "/healthz") == 0 || pz_str_starts(path, "/l/") ||
           pz_str_starts(path, "/t/");
}

/*
 * Splits HOST ("name", "name:port", "[v6]:port") into its lower-case name;
 * returns -1 when the port part is not digits.
 */
static int host_name(const char *host, char *name, size_t namesz)
{
    size_t n;
    const char *rest;

    if (host[0] == '[') {
        const char *end = strchr(host, ']');
        if (!end)
            return -1;
        n = (size_t)(end - host) + 1;
    } else {
        n = strcspn(host, ":");
    }
    rest = host + n;
    if (n == 0 || n >= namesz || (*rest && (*rest != ':' || !rest[1])))
        return -1;
    for (const char *p = *rest ? rest + 1 : rest; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    for (size_t i = 0; i < n; i++)
        name[i] = (char)tolower((unsigned char)host[i]);
    name[n] = '\0';
    return 0;
}

/* Accepts localhost, 127.0.0.1 and [::1] on any port, and the public URL's host. */
static int host_allowed(struct pz_api *api, const char *host)
{
    char name[256], pub[256];

    if (!host || host_name(host, name, sizeof(name)) < 0)
        return 0;
    if (strcmp(name, "localhost") == 0 || strcmp(name, "127.0.0.1") == 0 ||
        strcmp(name, "[::1]") == 0)
        return 1;
    if (!api->public_host[0])
        return 0;
    /* The public name is accepted on any port: proxies may or may not add one. */
    return host_name(api->public_host, pub, sizeof(pub)) == 0 && strcmp(name, pub) == 0;
}

/* Works out who is calling. Returns 0 (anonymous or known), or answers 401 and returns -1. */
static int authenticate(struct pz_ctx *c)
{
    const char *auth = pz_http_header(c->req, "Authorization");
    int r;

    if (auth && pz_str_starts(auth, "Bearer ")) {
        r = token_authenticate(c->conn, auth + 7, &c->who);
        if (r == PZ_EAUTH) {
            reply_error(c, "auth.bad_token", NULL);
            return -1;
        }
        if (r < 0) {
            reply_internal(c, r);
            return -1;
        }
        return 0;
    }
    if (auth) {
        reply_error(c, "auth.bad_token", "the Authorization header must be 'Bearer <token>'");
        return -1;
    }
    c->session_token = pz_http_cookie(c->req, "piazza_session");
    if (c->session_token) {
        r = session_authenticate(c->conn, c->session_token, &c->who);
        if (r < 0 && r != PZ_EAUTH) {
            reply_internal(c, r);
            return -1;
        }
        if (r == PZ_EAUTH)
            c->session_token = NULL;
    }
    return 0;
}

/*
 * Checks who calls a route that needs a user: signed in (401), the CSRF
 * token of a cookie-authenticated change (403) and the role (403). Returns
 * 0, or answers and returns -1.
 */
static int check_caller(struct pz_ctx *c)
{
    const struct pz_route *route = c->match->route;
    unsigned flags = route->flags;

    c->conn = pz_store_conn(c->api->store);
    if (!c->conn) {
        reply_internal(c, PZ_EDB);
        return -1;
    }
    if (authenticate(c) < 0)
        return -1;
    if (c->who.via == VIA_NONE) {
        reply_error(c, "auth.required", NULL);
        return -1;
    }
    if ((flags & PZ_ROUTE_CHANGES_STATE) && c->who.via == VIA_COOKIE &&
        !csrf_valid(c->api->secret, c->session_token, pz_http_header(c->req, "X-CSRF-Token"))) {
        reply_error(c, "csrf.missing", NULL);
        return -1;
    }
    if (!role_allows(c->who.user.role, route->min_role,
                     (flags & PZ_ROUTE_CHANGES_STATE) && !(flags & PZ_ROUTE_SELF))) {
        reply_error(c, "auth.forbidden", NULL);
        return -1;
    }
    return 0;
}

static void dispatch_api(struct pz_ctx *c)
{
    const struct pz_route *route;

    if (!c->match->route) {
        if (c->match->path_known) {
            pz_http_add_header_static(c->req, "Allow", c->match->allow);
            reply_error(c, "http.method_not_allowed", NULL);
        } else {
            reply_error(c, "http.not_found", NULL);
        }
        return;
    }
    route = c->match->route;
    if (c->req->body_too_large) {
        reply_error(c, "http.body_too_large", NULL);
        return;
    }
    if (route->min_role == ROLE_NONE) {
        route->handler(c);
        return;
    }
    if (check_caller(c) < 0)
        return;
    route->handler(c);
}

size_t pz_api_body_limit(void *ctx, struct pz_http_req *req)
{
    struct pz_api *api = ctx;
    struct pz_route_match *m = pz_arena_alloc(&req->arena, sizeof(*m));
    struct pz_ctx c;

    req->app_data = m;
    if (pz_route_find(req->method, req->path, m) < 0)
        return is_api_path(req->path) ? PZ_BODY_DEFAULT : 0;
    if (m->route->flags & PZ_ROUTE_UPLOAD) {
        /* Nobody may fill the disk: an upload's caller is checked before its body is read,
         * and a refused one is answered at once. */
        memset(&c, 0, sizeof(c));
        c.api = api;
        c.req = req;
        c.match = m;
        if (!host_allowed(api, pz_http_header(req, "Host")) || check_caller(&c) < 0)
            req->answer_now = 1;
        else
            h_imports_upload_begin(&c);
    }
    return m->route->body_limit;
}

void pz_api_handle(void *ctx, struct pz_http_req *req)
{
    struct pz_api *api = ctx;
    struct pz_ctx c;

    memset(&c, 0, sizeof(c));
    c.api = api;
    c.req = req;
    c.match = req->app_data;
    for (int i = 0; i < N_SECURITY_HEADERS; i++)
        pz_http_add_header_static(req, security_headers[i].name, security_headers[i].value);
    if (!host_allowed(api, pz_http_header(req, "Host"))) {
        reply_error(&c, "http.bad_host", NULL);
    } else if (is_api_path(req->path)) {
        if (pz_str_starts(req->path, "/api"))
            pz_http_add_header_static(req, "Cache-Control", "no-store");
        dispatch_api(&c);
    } else if (req->body_too_large) {
        reply_error(&c, "http.body_too_large", NULL);
    } else if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        pz_http_add_header_static(req, "Allow", "GET, HEAD");
        reply_error(&c, "http.method_not_allowed", NULL);
    } else {
        pz_web_serve(&c);
    }
    if (c.body)
        json_decref(c.body);
}
