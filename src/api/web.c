/*
 * Serves the web UI: the embedded build, or files from --web-dir while
 * developing. Content-hashed files under /assets/ are cached for a year;
 * everything else is revalidated with its ETag. Any other path that is not
 * a file is a client-side route and gets index.html.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/text.h"
#include "http/assets.h"
#include "core/banned.h"

#define CSP                                                                                        \
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"                  \
    " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

static void send_asset(struct pz_ctx *c, const struct pz_asset *a, int copy)
{
    const char *inm = pz_http_header(c->req, "If-None-Match");

    pz_http_add_header(c->req, "ETag", a->etag); /* copied: a loaded file's etag dies first */
    pz_http_add_header_static(c->req, "Cache-Control",
                              pz_asset_is_hashed(a->path) ? "public, max-age=31536000, immutable"
                                                          : "no-cache");
    if (strncmp(a->type, "text/html", 9) == 0)
        pz_http_add_header_static(c->req, "Content-Security-Policy", CSP);
    if (inm && strcmp(inm, a->etag) == 0) {
        reply_empty(c, 304);
        return;
    }
    c->req->status = 200;
    c->req->content_type = a->type;
    if (copy) {
        pz_buf_reset(&c->req->out);
        if (pz_buf_add(&c->req->out, a->data, a->len) < 0)
            reply_internal(c, PZ_ETOOBIG);
    } else {
        c->req->static_body = a->data;
        c->req->static_len = a->len;
    }
}

static void not_found(struct pz_ctx *c)
{
    static const char msg[] = "not found\n";
    c->req->status = 404;
    c->req->content_type = "text/plain; charset=utf-8";
    c->req->static_body = msg;
    c->req->static_len = sizeof(msg) - 1;
}

/* A path that looks like a file (has an extension in its last segment) gets no fallback. */
static int looks_like_file(const char *path)
{
    const char *slash = strrchr(path, '/');
    return pz_str_starts(path, "/assets/") || strchr(slash ? slash : path, '.') != NULL;
}

void pz_web_serve(struct pz_ctx *c)
{
    const char *path = strcmp(c->req->path, "/") == 0 ? "/index.html" : c->req->path;

    if (c->api->web_dir) {
        struct pz_asset a;
        int r = pz_asset_load(c->api->web_dir, path, &a);
        if (r == PZ_ENOTFOUND && !looks_like_file(path))
            r = pz_asset_load(c->api->web_dir, "/index.html", &a);
        if (r < 0) {
            not_found(c);
            return;
        }
        send_asset(c, &a, 1);
        pz_asset_free_loaded(&a);
        return;
    }
    {
        const struct pz_asset *a = pz_asset_find(path);
        if (!a && !looks_like_file(path))
            a = pz_asset_find("/index.html");
        if (!a) {
            not_found(c);
            return;
        }
        send_asset(c, a, 0);
    }
}
