/*
 * The HTTP server, on libmicrohttpd, behind an interface that knows nothing
 * of piazza's business so it could be swapped. It reads a request's headers,
 * asks the application how many body bytes the request may carry, collects
 * the body within that bound, then hands the whole request to the
 * application's handler and sends what the handler set. It logs one line
 * per request (method, path, status, duration, bytes) at info level.
 *
 * Threads: an epoll listener feeding a pool of worker threads; a handler
 * runs on a worker and may block briefly (the database). A long-lived
 * stream (server-sent events) holds no thread while it waits for news: see
 * PZ_HTTP_STREAM_WAIT.
 */
#ifndef PZ_HTTP_SERVER_H
#define PZ_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/mem.h"

#define PZ_HTTP_MAX_HEADERS 16
#define PZ_HTTP_SCRATCH     2048 /* bytes of request arena that need no malloc */

struct pz_http_server;
struct pz_http_prebuilt;

struct pz_http_header {
    const char *name, *value;
};

/* A piece of one field of a multipart/form-data body (pz_http_stream_form). */
struct pz_http_form_part {
    const char *name;         /* the field's name */
    const char *filename;     /* the file name the client sent, or NULL for a plain field */
    const char *content_type; /* as the client sent it, or NULL */
    const char *data;         /* LEN bytes of the field's value */
    size_t len;
    uint64_t offset; /* where DATA starts in the field's value: 0 begins a new field */
};

struct pz_http_req {
    /* The request, read-only for the application. */
    const char *method;
    const char *path; /* decoded, without the query */
    char ip[48];      /* client address (X-Real-IP when sent by a proxy on loopback) */
    struct pz_buf body;
    size_t body_limit;
    int body_too_large; /* the body went past body_limit; its bytes were dropped */
    struct pz_arena arena;
    void *app_data; /* for the application, set while the body is read */
    /*
     * Set by the application while it answers body_limit: answer at once,
     * from the headers alone, without reading the body (the connection
     * closes after the answer). For refusing a large upload before it is
     * sent.
     */
    int answer_now;
    /* Called when the request ends, answered or aborted, to free what the application kept in
     * app_data. May be NULL. */
    void (*app_release)(struct pz_http_req *req);
    /* With pz_http_stream_form: the body was not well-formed multipart/form-data. */
    int form_bad;

    /* The response, set by the application's handler. */
    int status;
    const char *content_type;
    struct pz_buf out;       /* a body built for this response */
    const void *static_body; /* or a body that outlives the request (embedded files) */
    size_t static_len;
    const struct pz_http_prebuilt *prebuilt; /* or a whole answer made once (all else ignored) */
    /*
     * Or a body made piece by piece after the handler returned (large
     * exports), sent chunked: stream(stream_arg, buf, max) writes up to MAX
     * bytes and returns how many, 0 at the end, or -1 to cut the answer off
     * (a failure after the status went out), or PZ_HTTP_STREAM_WAIT (below).
     * stream_free(stream_arg) is called exactly once, when the answer is done or abandoned, and may
     * run after the request is gone. They run on a server worker thread.
     */
    long (*stream)(void *arg, char *buf, size_t max);
    void (*stream_free)(void *arg);
    void *stream_arg;
    struct pz_http_waker *waker; /* made by pz_http_stream_waker for this stream, or NULL */
    struct pz_http_header headers[PZ_HTTP_MAX_HEADERS];
    int n_headers;

    /* Private to the server. */
    void *conn;
    struct pz_http_server *server;
    void *form; /* the multipart parser, while the body streams through it */
    int (*on_form)(void *arg, const struct pz_http_form_part *part);
    void *form_arg;
    size_t form_bytes;
    int64_t start_us;
    size_t bytes;
    _Alignas(16) unsigned char scratch[PZ_HTTP_SCRATCH];
};

struct pz_http_app {
    /* Called once the headers are in; returns the most body bytes the request may carry. */
    size_t (*body_limit)(void *ctx, struct pz_http_req *req);
    /* Called with the whole request; sets the response fields. */
    void (*handle)(void *ctx, struct pz_http_req *req);
    void *ctx;
};

struct pz_http_config {
    const char *host; /* numeric IPv4 or IPv6 address to bind */
    int port;         /* 0 picks a free port */
    unsigned threads; /* worker threads; 0 means one per core */
    unsigned connection_limit;
    unsigned per_ip_limit; /* connections from one address; 0 means 256 */
    unsigned timeout_seconds;
};

/*
 * Starts listening. Returns 0 and sets *OUT, or a negative PZ_E* code with
 * the cause logged (address in use, bad address).
 */
int pz_http_start(struct pz_http_server **out, const struct pz_http_config *cfg,
                  const struct pz_http_app *app);

/* Returns the bound port (useful after asking for port 0). */
int pz_http_port(const struct pz_http_server *s);

/*
 * Stops accepting new connections, waits up to GRACE_MS for requests in
 * flight to finish, then stops the workers and frees the server.
 */
void pz_http_stop(struct pz_http_server *s, int grace_ms);

/*
 * Called from the application's body_limit callback: the body is a
 * multipart/form-data form to be handed to FN piece by piece as it arrives
 * (files are never held whole in memory), instead of collected in
 * req->body. FN returns 0 to go on, non-zero to stop reading the form (the
 * rest of the body is dropped). When the body is not well-formed
 * multipart/form-data (another content type, a missing boundary, a
 * truncated part), req->form_bad is set by the time the handler runs.
 * Bytes past the body limit set body_too_large as usual.
 */
void pz_http_stream_form(struct pz_http_req *req,
                         int (*fn)(void *arg, const struct pz_http_form_part *part), void *arg);

/*
 * Streams that wait for news (server-sent events). A stream callback may
 * return PZ_HTTP_STREAM_WAIT when it has nothing to send yet: the
 * connection is then suspended, holding no worker thread, until
 * pz_http_wake is called with the stream's waker, after which the callback
 * is called again. A wake that comes while the callback runs is not lost
 * (the callback is called once more instead of suspending).
 *
 * pz_http_stream_waker makes the waker of the stream that REQ's handler is
 * setting up (call it from the handler, once; the same waker comes back if
 * called again). It is valid until the stream's stream_free is called:
 * the application must stop waking it there, under the same lock it wakes
 * under. pz_http_wake may be called from any thread.
 *
 * While suspended, a connection notices neither a client that went away
 * nor its idle timeout: wake waiting streams every few seconds (keep-alive
 * comments). When the server stops, waiting streams are woken and ended
 * (the chunked answer closed properly) without their callback being called
 * again, so an open stream never holds up shutdown.
 */
#define PZ_HTTP_STREAM_WAIT (-2L)
struct pz_http_waker;
struct pz_http_waker *pz_http_stream_waker(struct pz_http_req *req);
void pz_http_wake(struct pz_http_waker *w);

/* Request accessors; returned strings are borrowed for the request's life. */
const char *pz_http_header(struct pz_http_req *req, const char *name);
const char *pz_http_query(struct pz_http_req *req, const char *name);
const char *pz_http_cookie(struct pz_http_req *req, const char *name);

/* Adds a response header; NAME must be static, VALUE is copied into the request's arena. */
void pz_http_add_header(struct pz_http_req *req, const char *name, const char *value);
/* Adds a response header whose NAME and VALUE both outlive the request (no copy). */
void pz_http_add_header_static(struct pz_http_req *req, const char *name, const char *value);

/*
 * Makes an answer once, to be sent as it is by many requests (health checks,
 * fixed errors): STATUS, TYPE, BODY (which must outlive it) and N headers
 * (copied). Returns NULL when libmicrohttpd refuses. Free with
 * pz_http_prebuilt_free after the server has stopped.
 */
struct pz_http_prebuilt *pz_http_prebuilt_new(int status, const char *type, const void *body,
                                              size_t len, const struct pz_http_header *headers,
                                              int n);
void pz_http_prebuilt_free(struct pz_http_prebuilt *p);

#endif
