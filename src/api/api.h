/*
 * The HTTP API: the routes table, the dispatcher that enforces the rules of
 * every route before its handler runs, and the handlers. This header is the
 * contract between those parts; the outside world (cli/serve.c) sees only
 * pz_api_new / pz_api_free and the two callbacks given to the HTTP server.
 */
#ifndef PZ_API_H
#define PZ_API_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "accounts/ratelimit.h"
#include "accounts/session.h"
#include "core/error.h"
#include "core/json.h"
#include "goals/track.h"
#include "http/server.h"
#include "store/store.h"

#define PZ_BODY_DEFAULT (64 * 1024)
#define PZ_MAX_PARAMS   4

/* Route flags. */
#define PZ_ROUTE_CHANGES_STATE                                                                     \
    1u                   /* needs CSRF when cookie-authenticated; denied to consultants            \
                          */
#define PZ_ROUTE_SELF 2u /* acts on the caller's own account: allowed to consultants */
/* A multipart/form-data upload, streamed to files as it arrives: the caller's rights are
 * checked from the headers, before any byte of the body is read. */
#define PZ_ROUTE_UPLOAD 4u
#define PZ_BODY_UPLOAD  (256u * 1024 * 1024)

struct pz_ctx;
struct job_runner;
struct stream_hub;

struct pz_route {
    const char *method;
    const char *path; /* "/api/v1/users/{id}" */
    void (*handler)(struct pz_ctx *c);
    enum role min_role; /* ROLE_NONE: public */
    size_t body_limit;
    unsigned flags;
};

/* The routes, sorted by path then method. */
extern const struct pz_route pz_routes[];
extern const size_t pz_n_routes;

struct pz_route_match {
    const struct pz_route *route;
    int path_known; /* some route has this path, maybe not with this method */
    char allow[96]; /* the methods that path accepts, for a 405's Allow header */
    char buf[512];  /* holds the parameter values */
    const char *params[PZ_MAX_PARAMS];
    int n_params;
    void *upload; /* an upload route's state while its body streams (h_imports.c) */
};

/*
 * Finds the route for METHOD and PATH (HEAD finds GET routes). Returns 0 and
 * fills M, or PZ_ENOTFOUND (M->path_known tells 404 from 405).
 */
int pz_route_find(const char *method, const char *path, struct pz_route_match *m);

struct pz_api_config {
    const char *public_url; /* may be NULL */
    const char *web_dir;    /* may be NULL: serve the embedded UI */
    const char *upload_dir; /* where uploads wait for their import job; NULL: no imports */
    const char *data_dir;   /* the data folder, where imported attachments are; NULL: none */
    unsigned max_streams;   /* concurrent live event streams; 0: PZ_STREAM_MAX_DEFAULT */
    int stream_keepalive_s; /* seconds between keep-alive comments; 0: PZ_STREAM_KEEPALIVE_S */
};

struct pz_api {
    struct pz_store *store;
    char public_host[256]; /* host[:port] of the public URL, lower-case; "" when none */
    int public_https;
    const char *web_dir;
    unsigned char secret[32];
    pthread_mutex_t setup_lock;
    char setup_code[16]; /* "" when set-up is finished */
    struct ratelimit *rl_account, *rl_address, *rl_setup;
    struct pz_http_prebuilt *healthz;
    struct pz_http_prebuilt *pixel;         /* the tracking GIF, with its headers */
    struct hit_queue *hits;                 /* tracking hits waiting for the writer */
    unsigned char track_key[TRACK_KEY_LEN]; /* signs click ids */
    struct job_runner *jobs;                /* NULL when uploads are off */
    char data_dir[4096];                    /* "" when attachments are not served */
    struct stream_hub *streams;             /* the live event streams (h_stream.c) */
};

/*
 * The live event streams of GET /api/v1/stream (h_stream.c): at most
 * MAX_STREAMS open at once (503 stream.too_many beyond), each woken when its
 * workspace has news and every KEEPALIVE_S seconds. Stop it after the HTTP
 * server has stopped. stream_hub_count returns how many are open.
 */
#define PZ_STREAM_MAX_DEFAULT 500
#define PZ_STREAM_KEEPALIVE_S 15
struct stream_hub *stream_hub_start(unsigned max_streams, int keepalive_s);
void stream_hub_stop(struct stream_hub *h);
unsigned stream_hub_count(struct stream_hub *h);

/* The 43-byte transparent GIF the pixel answers (h_track.c). */
extern const unsigned char pz_pixel_gif[43];

/* Prepares the API over STORE (migrated). Returns NULL with the cause logged. */
struct pz_api *pz_api_new(struct pz_store *store, const struct pz_api_config *cfg);
void pz_api_free(struct pz_api *api);

/* The set-up code while no user exists, else NULL (borrowed). */
const char *pz_api_setup_code(struct pz_api *api);

/* The callbacks for struct pz_http_app. */
size_t pz_api_body_limit(void *api, struct pz_http_req *req);
void pz_api_handle(void *api, struct pz_http_req *req);

/* Per-request state handed to handlers. */
struct pz_ctx {
    struct pz_api *api;
    struct pz_http_req *req;
    struct pz_route_match *match;
    struct pz_conn *conn;
    struct principal who; /* via VIA_NONE on public routes */
    const char *session_token;
    json_t *body;
    struct pz_json json;
};

/* Handler helpers (reply.c). */

/* Parses the body as a JSON object into c->body; on failure answers 400 and returns NULL. */
json_t *ctx_body(struct pz_ctx *c);
/* Reads path parameter I as a positive id; on failure answers 404 and returns -1. */
int64_t ctx_param_id(struct pz_ctx *c, int i);
/* Reads ?limit= (default 50, 1..200) and ?cursor= (an id, default 0); answers 422 on junk. */
int ctx_page(struct pz_ctx *c, int *limit, int64_t *cursor);

/* Starts a JSON answer with STATUS; returns the writer. Finish with reply_end. */
struct pz_json *reply_begin(struct pz_ctx *c, int status);
void reply_end(struct pz_ctx *c);
/* Answers STATUS with no body. */
void reply_empty(struct pz_ctx *c, int status);
/* Answers an error by code (status from the table); MESSAGE NULL uses the table's. */
void reply_error(struct pz_ctx *c, const char *code, const char *message);
/* Answers from a struct pz_err (a validation failure). */
void reply_err(struct pz_ctx *c, const struct pz_err *err);
/* Answers 500 for an internal failure code (already logged). */
void reply_internal(struct pz_ctx *c, int code);
/*
 * A paged list answer, {"items": [...], "next": cursor}. reply_list_begin reads
 * ?limit and ?cursor (answering 422 and returning -1 when they are junk) and
 * opens "items"; the caller writes each item with ls->j and calls
 * reply_list_item with its id; reply_list_end closes the envelope, or
 * answers 500 when R (the listing's result) is negative.
 */
struct reply_list {
    struct pz_json *j;
    int limit;
    int64_t cursor;
    int n;
    int64_t last;
};
int reply_list_begin(struct pz_ctx *c, struct reply_list *ls);
void reply_list_item(struct reply_list *ls, int64_t id);
void reply_list_end(struct pz_ctx *c, struct reply_list *ls, int r);
/*
 * A whole list in one answer, for the short ones that are never paged (tags,
 * fields, labels, teams, rates): {"items": [...], "next": null}.
 * reply_all_begin opens "items" and returns the writer for the items;
 * reply_all_end closes the envelope, or answers 500 when R (the listing's
 * result) is negative.
 */
struct pz_json *reply_all_begin(struct pz_ctx *c);
void reply_all_end(struct pz_ctx *c, struct pz_json *j, int r);

/* The HTTP status of an API error code (errors.c). */
int pz_error_status(const char *code);
/* The default English message of an API error code. */
const char *pz_error_message(const char *code);

/* Object writers (present.c). */
void present_user(struct pz_json *j, const struct user *u, const struct workspace *w);
void present_workspace(struct pz_json *j, const struct workspace *w);

/* Contact answers (h_contacts.c): {"contact": ...} with STATUS, the contact with its
 * identities, memberships, tags and explained strength (404 when it is not in the
 * workspace); and one timeline entry as an object. */
struct timeline_entry;
void reply_contact(struct pz_ctx *c, int status, int64_t id);
void present_timeline_entry(struct pz_json *j, const struct timeline_entry *e);

/* Session cookie helpers (h_session.c). */
void set_session_cookie(struct pz_ctx *c, const char *token);
void reply_signed_in(struct pz_ctx *c, int status, const struct user *u, const struct workspace *w,
                     const char *token);

/*
 * The filters of a contacts list (h_contact_list.c), by name: q, stage,
 * type, kind, owner ("me" or a user id), tag, strength_min, strength_max,
 * going_cold, sort. The list, bulk changes, saved views and exports read
 * them alike. NULL or "" means "any".
 */
#define CONTACT_FILTER_KEYS 10
struct contact_filter {
    const char *v[CONTACT_FILTER_KEYS];
};
/* Takes the filters from the request's query string (borrowed from it). */
void contacts_filter_from_request(struct pz_ctx *c, struct contact_filter *f);
/* Checks F and fills Q (borrowing F's strings); ME is the caller, for owner=me.
 * Returns 0 or PZ_EINVAL with ERR (request.invalid naming the filter). */
struct contact_query;
int contacts_filter_read(const struct contact_filter *f, int64_t me, struct contact_query *q,
                         struct pz_err *err);

/* Handlers. */
void h_healthz(struct pz_ctx *c);
void h_stream(struct pz_ctx *c);
void h_version(struct pz_ctx *c);
void h_setup_get(struct pz_ctx *c);
void h_setup_post(struct pz_ctx *c);
void h_session_post(struct pz_ctx *c);
void h_session_delete(struct pz_ctx *c);
void h_me_get(struct pz_ctx *c);
void h_me_patch(struct pz_ctx *c);
void h_me_password(struct pz_ctx *c);
void h_workspace_get(struct pz_ctx *c);
void h_users_list(struct pz_ctx *c);
void h_users_create(struct pz_ctx *c);
void h_users_patch(struct pz_ctx *c);
void h_tokens_list(struct pz_ctx *c);
void h_tokens_create(struct pz_ctx *c);
void h_tokens_delete(struct pz_ctx *c);
void h_audit_list(struct pz_ctx *c);
void h_contacts_list(struct pz_ctx *c);
void h_contacts_create(struct pz_ctx *c);
void h_contacts_get(struct pz_ctx *c);
void h_contacts_patch(struct pz_ctx *c);
void h_contacts_delete(struct pz_ctx *c);
void h_timeline_list(struct pz_ctx *c);
void h_timeline_create(struct pz_ctx *c);
void h_contacts_merge(struct pz_ctx *c);
void h_memberships_set(struct pz_ctx *c);
void h_memberships_delete(struct pz_ctx *c);
void h_duplicates_list(struct pz_ctx *c);
void h_duplicates_dismiss(struct pz_ctx *c);
void h_organizations_list(struct pz_ctx *c);
void h_organizations_create(struct pz_ctx *c);
void h_organizations_get(struct pz_ctx *c);
void h_organizations_timeline(struct pz_ctx *c);
void h_going_cold_list(struct pz_ctx *c);
void h_going_cold_settings_get(struct pz_ctx *c);
void h_going_cold_settings_put(struct pz_ctx *c);
void h_objectives_list(struct pz_ctx *c);
void h_objectives_create(struct pz_ctx *c);
void h_objectives_get(struct pz_ctx *c);
void h_objectives_patch(struct pz_ctx *c);
void h_objectives_report(struct pz_ctx *c);
void h_campaigns_list(struct pz_ctx *c);
void h_campaigns_create(struct pz_ctx *c);
void h_campaigns_get(struct pz_ctx *c);
void h_campaigns_patch(struct pz_ctx *c);
void h_links_list(struct pz_ctx *c);
void h_links_create(struct pz_ctx *c);
void h_links_get(struct pz_ctx *c);
void h_links_patch(struct pz_ctx *c);
void h_links_qr_png(struct pz_ctx *c);
void h_links_qr_svg(struct pz_ctx *c);
void h_search(struct pz_ctx *c);
void h_investments_list(struct pz_ctx *c);
void h_investments_create(struct pz_ctx *c);
void h_investments_delete(struct pz_ctx *c);
void h_rates_list(struct pz_ctx *c);
void h_rates_put(struct pz_ctx *c);
void h_timer_get(struct pz_ctx *c);
void h_timer_start(struct pz_ctx *c);
void h_timer_stop(struct pz_ctx *c);
void h_conversions_list(struct pz_ctx *c);
void h_conversions_create(struct pz_ctx *c);
void h_link_follow(struct pz_ctx *c);
void h_pixel(struct pz_ctx *c);
void h_script(struct pz_ctx *c);
void h_contacts_owners(struct pz_ctx *c);
void h_tags_list(struct pz_ctx *c);
void h_contacts_bulk(struct pz_ctx *c);
void h_contacts_export(struct pz_ctx *c);
void h_contact_export(struct pz_ctx *c);
void h_views_list(struct pz_ctx *c);
void h_views_create(struct pz_ctx *c);
void h_views_delete(struct pz_ctx *c);
void h_identities_create(struct pz_ctx *c);
void h_identities_delete(struct pz_ctx *c);
void h_contact_tags_patch(struct pz_ctx *c);
void h_fields_list(struct pz_ctx *c);
void h_fields_create(struct pz_ctx *c);
void h_contact_fields_patch(struct pz_ctx *c);
void h_consents_create(struct pz_ctx *c);
void h_consents_withdraw(struct pz_ctx *c);
/* Answers STATUS with {"contact": ...} as GET /contacts/{id} does (h_contacts.c). */
void reply_contact(struct pz_ctx *c, int status, int64_t id);
/*
 * Writes the lists of contact ID (of KIND) as members of the open object J:
 * identities, organizations (a person's) or people (an organization's),
 * tags, custom_fields, consents. Returns 0 or a negative code.
 */
int contact_write_lists(struct pz_ctx *c, struct pz_json *j, int64_t id, const char *kind);
void h_imports_list(struct pz_ctx *c);
void h_imports_create(struct pz_ctx *c);
void h_imports_get(struct pz_ctx *c);
void h_imports_delete(struct pz_ctx *c);
void h_imports_confirm(struct pz_ctx *c);
/*
 * Prepares the upload of an import (POST /api/v1/imports) once its caller is
 * known to be allowed: the form's files stream into the upload folder
 * (h_imports.c).
 */
void h_imports_upload_begin(struct pz_ctx *c);
/* The shared inbox (h_inbox.c, h_inbox_settings.c). */
void h_conversations_list(struct pz_ctx *c);
void h_conversations_get(struct pz_ctx *c);
void h_conversations_patch(struct pz_ctx *c);
void h_messages_list(struct pz_ctx *c);
void h_messages_create(struct pz_ctx *c);
void h_attachments_get(struct pz_ctx *c);
void h_inbox_summary(struct pz_ctx *c);
void h_inbox_settings_get(struct pz_ctx *c);
void h_inbox_settings_put(struct pz_ctx *c);
void h_canned_list(struct pz_ctx *c);
void h_canned_create(struct pz_ctx *c);
void h_canned_patch(struct pz_ctx *c);
void h_canned_delete(struct pz_ctx *c);
void h_labels_list(struct pz_ctx *c);
void h_teams_list(struct pz_ctx *c);
void h_teams_create(struct pz_ctx *c);
/* Answers 403 to a consultant (outside consultants do not read customers' chats) and
 * returns 0; returns 1 for everyone else. */
int inbox_staff_only(struct pz_ctx *c);
/* Serves the web UI for GET requests outside /api/ (web.c). */
void pz_web_serve(struct pz_ctx *c);

#endif
