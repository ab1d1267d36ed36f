/*
 * The public tracking endpoints: /l/{slug} (a tracked link: 302 to its URL
 * with utm_* and a click id added), /t/{slug}.gif?e=EVENT (the 43-byte pixel)
 * and /t/piazza.js (the script for the company's site). No cookie is read or
 * set; the client address only enters the day-salted visitor hash. Each hit
 * is queued before the answer is sent and written by the tracking writer.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "accounts/workspace.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "goals/link.h"
#include "goals/track.h"
#include "core/banned.h"

/* The smallest transparent GIF: 1x1, one colour, 43 bytes. */
const unsigned char pz_pixel_gif[43] = {
    'G',  'I',  'F',  '8',  '9',  'a',  0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
};

/* The site script: piazza.track("event") sends the pixel with the landing page's pz. */
static const char script_js[] =
    "/* piazza tracking: no cookies, no storage, nothing sent elsewhere.\n"
    " * <script src=\"https://YOUR-PIAZZA/t/piazza.js\" data-site=\"WORKSPACE\"></script>\n"
    " * then piazza.track(\"newsletter_signup\"); piazza.pz() gives the click id for a form. */\n"
    "(function (w, d) {\n"
    "  var s = d.currentScript, src = s ? s.src : '';\n"
    "  var base = src.replace(/\\/t\\/piazza\\.js([?#].*)?$/, '');\n"
    "  var site = s ? s.getAttribute('data-site') || '' : '';\n"
    "  var m = /[?&]pz=([^&#]*)/.exec(w.location.search);\n"
    "  var pz = m ? decodeURIComponent(m[1]) : '';\n"
    "  function track(e) {\n"
    "    if (!base || !site || !/^[a-z][a-z0-9_.-]{0,47}$/.test(e)) return false;\n"
    "    var i = new Image(1, 1);\n"
    "    i.src = base + '/t/' + encodeURIComponent(site) + '.gif?e=' + encodeURIComponent(e) +\n"
    "      (pz ? '&pz=' + encodeURIComponent(pz) : '');\n"
    "    return true;\n"
    "  }\n"
    "  var queued = w.piazza && w.piazza.q ? w.piazza.q : [];\n"
    "  w.piazza = { track: track, pz: function () { return pz; } };\n"
    "  if (s && s.getAttribute('data-visit') !== 'off') track('visit');\n"
    "  for (var k = 0; k < queued.length; k++) track(queued[k]);\n"
    "})(window, document);\n";

/* Fills the parts of a hit every endpoint shares. Returns 0 or a code. */
static int hit_common(struct pz_ctx *c, struct pz_conn *conn, struct hit *h, int64_t now)
{
    const char *ua = pz_http_header(c->req, "User-Agent");

    h->at = now;
    h->device = track_device(ua);
    track_referrer_domain(pz_http_header(c->req, "Referer"), h->referrer, sizeof(h->referrer));
    return track_visitor(conn, now / PZ_DAY_MS, c->req->ip, ua, h->visitor);
}

static void reply_queue_full(struct pz_ctx *c)
{
    pz_http_add_header_static(c->req, "Retry-After", "1");
    reply_error(c, "goals.queue_full", NULL);
}

void h_link_follow(struct pz_ctx *c)
{
    const char *slug = c->match->params[0];
    struct pz_conn *conn;
    struct link_target t;
    struct hit h;
    char *url;
    int64_t now = pz_now_ms();
    int r;

    pz_http_add_header_static(c->req, "Cache-Control", "no-store");
    if (!link_slug_shape(slug)) {
        reply_error(c, "not_found", "no such link");
        return;
    }
    conn = pz_store_conn(c->api->store);
    if (!conn) {
        reply_internal(c, PZ_EDB);
        return;
    }
    r = link_resolve_cached(conn, slug, &t);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such link");
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    memset(&h, 0, sizeof(h));
    h.kind = HIT_CLICK;
    h.workspace_id = t.workspace_id;
    h.link_id = t.id;
    track_pz_make(c->api->track_key, t.workspace_id, t.id, now, h.pz);
    r = hit_common(c, conn, &h, now);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    url = pz_arena_alloc(&c->req->arena, LINK_URL_MAX + 400);
    if (track_redirect_url(t.url, t.utm_source, t.utm_medium,
                           t.utm_campaign[0] ? t.utm_campaign : NULL, h.pz, url,
                           LINK_URL_MAX + 400) < 0) {
        reply_internal(c, PZ_ETOOBIG);
        return;
    }
    if (hitq_push(c->api->hits, &h) < 0) {
        reply_queue_full(c);
        return;
    }
    /* An empty 302 is neither framed nor sniffed: of the usual headers it keeps what
     * says how much of the click's origin the target learns. */
    reply_empty(c, 302);
    c->req->n_headers = 0;
    pz_http_add_header_static(c->req, "Referrer-Policy", "same-origin");
    pz_http_add_header_static(c->req, "Cache-Control", "no-store");
    pz_http_add_header_static(c->req, "Location", url);
}

void h_pixel(struct pz_ctx *c)
{
    const char *file = c->match->params[0];
    const char *event = pz_http_query(c->req, "e");
    const char *pz = pz_http_query(c->req, "pz");
    size_t n = strlen(file);
    char slug[80];
    struct pz_conn *conn;
    struct hit h;
    int64_t now = pz_now_ms(), pws, plink, pat;
    int r;

    pz_http_add_header_static(c->req, "Cache-Control", "no-store");
    if (n <= 4 || n - 4 >= sizeof(slug) || strcmp(file + n - 4, ".gif") != 0) {
        reply_error(c, "not_found", "no such tracking pixel");
        return;
    }
    memcpy(slug, file, n - 4);
    slug[n - 4] = '\0';
    if (!event || !*event)
        event = "visit";
    if (!track_event_valid(event)) {
        reply_error(c, "goals.invalid_field",
                    "e must be an event name: 1-48 of a-z, 0-9, _ . - starting with a letter");
        return;
    }
    conn = pz_store_conn(c->api->store);
    if (!conn) {
        reply_internal(c, PZ_EDB);
        return;
    }
    memset(&h, 0, sizeof(h));
    h.kind = HIT_EVENT;
    /* A link's slug: the hit is that link's (an e-mail opened); else a workspace's site. */
    if (link_slug_shape(slug)) {
        struct link_target t = {0};
        r = link_resolve_cached(conn, slug, &t);
        h.workspace_id = t.workspace_id;
        h.link_id = t.id;
    } else {
        r = track_site(conn, slug, &h.workspace_id);
    }
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such tracking pixel");
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    /* The click that brought the visitor, when genuine, of this workspace and recent (last touch).
     */
    if (pz && track_pz_read(c->api->track_key, pz, &pws, &plink, &pat) == 0 &&
        pws == h.workspace_id && track_pz_in_window(pat, now)) {
        h.link_id = plink;
        snprintf(h.pz, sizeof(h.pz), "%s", pz);
    }
    snprintf(h.event, sizeof(h.event), "%s", event);
    r = hit_common(c, conn, &h, now);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    if (hitq_push(c->api->hits, &h) < 0) {
        reply_queue_full(c);
        return;
    }
    c->req->prebuilt = c->api->pixel;
}

void h_script(struct pz_ctx *c)
{
    c->req->status = 200;
    c->req->content_type = "text/javascript; charset=utf-8";
    c->req->static_body = script_js;
    c->req->static_len = sizeof(script_js) - 1;
    pz_http_add_header_static(c->req, "Cache-Control", "public, max-age=3600");
    pz_http_add_header_static(c->req, "Access-Control-Allow-Origin", "*");
}
