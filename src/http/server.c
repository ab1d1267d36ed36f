/*
 * libmicrohttpd glue. See server.h.
 *
 * libmicrohttpd calls the access handler several times per request: first
 * with the headers (we allocate the request and ask for its body limit),
 * then with each piece of body, then once more with no data, when we run the
 * application and queue the answer. A request whose Content-Length already
 * exceeds the limit is answered 413 at once and the connection closed; a
 * chunked body that grows past it is dropped and answered 413 at the end.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "core/banned.h"

/*
 * Per-connection memory for headers and buffers. libmicrohttpd zeroes it
 * between requests, so bigger costs time on every request.
 */
#define PZ_HTTP_CONN_MEMORY (16 * 1024)

struct pz_http_server {
    struct MHD_Daemon *daemon;
    struct pz_http_app app;
    int port;
    _Atomic int in_flight; /* requests between their headers and their completion */
    /* Streams that may wait (pz_http_stream_waker), and whether the server is stopping. */
    pthread_mutex_t wait_lock;
    struct pz_http_waker *waitable;
    int stopping;
};

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;
    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    pz_log(PZ_LOG_WARN, "http: %s", msg);
}

/* Writes an IPv4 address as dotted decimal (what inet_ntop does, without its formatted printing,
 * which showed in the profile of the tracking pixel). OUTSZ is at least 16. */
static void ipv4_text(uint32_t host_order, char *out)
{
    size_t o = 0;

    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned v = (host_order >> shift) & 0xffu;
        if (v >= 100)
            out[o++] = (char)('0' + v / 100);
        if (v >= 10)
            out[o++] = (char)('0' + v / 10 % 10);
        out[o++] = (char)('0' + v % 10);
        if (shift)
            out[o++] = '.';
    }
    out[o] = '\0';
}

static void client_ip(struct MHD_Connection *c, char *out, size_t outsz)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const char *real;
    int loopback = 0;

    snprintf(out, outsz, "?");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
            if (outsz >= 16)
                ipv4_text(ntohl(in->sin_addr.s_addr), out);
            else
                inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)outsz);
            loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        } else if (sa->sa_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
            inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)outsz);
            loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        }
    }
    /* Behind a reverse proxy on this machine, the proxy names the real client. */
    real = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Real-IP");
    if (loopback && real && *real && strlen(real) < outsz && !strpbrk(real, " ,;\r\n"))
        snprintf(out, outsz, "%s", real);
}

struct pz_http_prebuilt {
    struct MHD_Response *resp;
    int status;
    size_t len;
};

struct pz_http_prebuilt *pz_http_prebuilt_new(int status, const char *type, const void *body,
                                              size_t len, const struct pz_http_header *headers,
                                              int n)
{
    struct pz_http_prebuilt *p = xcalloc(1, sizeof(*p));

    p->resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!p->resp) {
        free(p);
        return NULL;
    }
    if (type)
        MHD_add_response_header(p->resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    for (int i = 0; i < n; i++)
        MHD_add_response_header(p->resp, headers[i].name, headers[i].value);
    p->status = status;
    p->len = len;
    return p;
}

void pz_http_prebuilt_free(struct pz_http_prebuilt *p)
{
    if (!p)
        return;
    MHD_destroy_response(p->resp);
    free(p);
}

/*
 * What libmicrohttpd holds for a streamed body: it may outlive the request.
 * A stream that may wait is also on its server's list (SERVER set), so that
 * stopping can wake it; WAITING and WOKEN are read and written under the
 * server's wait_lock.
 */
struct pz_http_waker {
    long (*fn)(void *arg, char *buf, size_t max);
    void (*free_fn)(void *arg);
    void *arg;
    struct pz_http_server *server; /* NULL for a stream that never waits */
    struct MHD_Connection *conn;
    int waiting; /* suspended by stream_read, until woken */
    int woken;   /* a wake came while the callback ran */
    struct pz_http_waker *prev, *next;
};

/* Suspends a stream whose callback has nothing to send; returns what to tell libmicrohttpd. */
static ssize_t stream_wait(struct pz_http_waker *st, int *again)
{
    struct pz_http_server *s = st->server;
    ssize_t ret = 0;

    *again = 0;
    pthread_mutex_lock(&s->wait_lock);
    if (s->stopping) {
        ret = MHD_CONTENT_READER_END_OF_STREAM;
    } else if (st->woken) {
        *again = 1;
    } else {
        /* Returning 0 with the connection suspended is libmicrohttpd's way of "no data yet". */
        st->waiting = 1;
        MHD_suspend_connection(st->conn);
    }
    pthread_mutex_unlock(&s->wait_lock);
    return ret;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct pz_http_waker *st = cls;
    long n;
    int again;
    (void)pos;

    do {
        if (st->server) {
            int stopping;
            pthread_mutex_lock(&st->server->wait_lock);
            st->woken = 0;
            stopping = st->server->stopping;
            pthread_mutex_unlock(&st->server->wait_lock);
            if (stopping)
                return MHD_CONTENT_READER_END_OF_STREAM;
        }
        n = st->fn(st->arg, buf, max);
        if (n != PZ_HTTP_STREAM_WAIT)
            break;
        if (!st->server) {
            pz_log(PZ_LOG_ERROR, "http: a stream without a waker asked to wait");
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        {
            ssize_t ret = stream_wait(st, &again);
            if (!again)
                return ret;
        }
    } while (again);
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)n;
}

/* Takes a waitable stream off its server's list and frees it. */
static void waker_free(struct pz_http_waker *st)
{
    struct pz_http_server *s = st->server;

    if (s) {
        pthread_mutex_lock(&s->wait_lock);
        if (st->prev)
            st->prev->next = st->next;
        else
            s->waitable = st->next;
        if (st->next)
            st->next->prev = st->prev;
        pthread_mutex_unlock(&s->wait_lock);
    }
    free(st);
}

static void stream_done(void *cls)
{
    struct pz_http_waker *st = cls;

    /* First the application, which stops waking this stream, then the server's list. */
    if (st->free_fn)
        st->free_fn(st->arg);
    waker_free(st);
}

struct pz_http_waker *pz_http_stream_waker(struct pz_http_req *r)
{
    struct pz_http_server *s = r->server;
    struct pz_http_waker *st = r->waker;

    if (st)
        return st;
    st = xcalloc(1, sizeof(*st));
    st->server = s;
    st->conn = r->conn;
    pthread_mutex_lock(&s->wait_lock);
    st->next = s->waitable;
    if (s->waitable)
        s->waitable->prev = st;
    s->waitable = st;
    pthread_mutex_unlock(&s->wait_lock);
    r->waker = st;
    return st;
}

void pz_http_wake(struct pz_http_waker *st)
{
    pthread_mutex_lock(&st->server->wait_lock);
    if (st->waiting) {
        st->waiting = 0;
        MHD_resume_connection(st->conn);
    } else {
        st->woken = 1;
    }
    pthread_mutex_unlock(&st->server->wait_lock);
}

/* A response whose body R's stream callback makes; NULL (the stream freed) on failure. */
static struct MHD_Response *stream_response(struct pz_http_req *r)
{
    struct pz_http_waker *st = r->waker ? r->waker : xcalloc(1, sizeof(*st));
    struct MHD_Response *resp;

    st->fn = r->stream;
    st->free_fn = r->stream_free;
    st->arg = r->stream_arg;
    r->stream = NULL;
    r->stream_free = NULL;
    r->stream_arg = NULL;
    r->waker = NULL;
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, st,
                                             stream_done);
    if (!resp)
        stream_done(st);
    return resp;
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct pz_http_req *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (r->prebuilt) {
        r->status = r->prebuilt->status;
        r->bytes = r->prebuilt->len;
        return MHD_queue_response(c, (unsigned)r->status, r->prebuilt->resp);
    }
    if (r->stream) {
        resp = stream_response(r);
    } else if (r->static_body) {
        resp = MHD_create_response_from_buffer(r->static_len, (void *)r->static_body,
                                               MHD_RESPMEM_PERSISTENT);
        r->bytes = r->static_len;
    } else {
        size_t len;
        char *body = pz_buf_detach(&r->out, &len);
        resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!resp)
            free(body);
        r->bytes = len;
    }
    if (!resp)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    for (int i = 0; i < r->n_headers; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    ret = MHD_queue_response(c, (unsigned)(r->status ? r->status : 500), resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The multipart parser's field callback, handing each piece to the application. */
static enum MHD_Result on_form_data(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *filename, const char *content_type,
                                    const char *transfer_encoding, const char *data, uint64_t off,
                                    size_t size)
{
    struct pz_http_req *r = cls;
    struct pz_http_form_part part;
    (void)kind;
    (void)transfer_encoding;

    part.name = key ? key : "";
    part.filename = filename;
    part.content_type = content_type;
    part.data = data;
    part.len = size;
    part.offset = off;
    return r->on_form(r->form_arg, &part) == 0 ? MHD_YES : MHD_NO;
}

void pz_http_stream_form(struct pz_http_req *r,
                         int (*fn)(void *arg, const struct pz_http_form_part *part), void *arg)
{
    const char *type =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

    r->on_form = fn;
    r->form_arg = arg;
    /* libmicrohttpd's parser also reads URL-encoded forms; uploads are multipart only. */
    if (!type || strncasecmp(type, "multipart/form-data", 19) != 0) {
        r->form_bad = 1;
        return;
    }
    r->form = MHD_create_post_processor(r->conn, 16 * 1024, on_form_data, r);
    if (!r->form)
        r->form_bad = 1; /* no boundary */
}

/* Feeds a piece of body to the form parser; LEN 0 ends the body. */
static void form_feed(struct pz_http_req *r, const char *data, size_t len)
{
    if (!r->form)
        return;
    if (len == 0) {
        /* Says no when the body ended inside a part. */
        if (MHD_destroy_post_processor(r->form) != MHD_YES)
            r->form_bad = 1;
        r->form = NULL;
        return;
    }
    r->form_bytes += len;
    if (r->form_bytes > r->body_limit)
        r->body_too_large = 1;
    else if (MHD_post_process(r->form, data, len) != MHD_YES)
        r->form_bad = 1; /* malformed, or the application stopped it */
    else
        return;
    MHD_destroy_post_processor(r->form);
    r->form = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct pz_http_server *s = cls;
    struct pz_http_req *r = *con_cls;
    (void)version;

    if (!r) {
        const char *cl;
        int64_t length = 0;

        r = xmalloc(sizeof(*r));
        memset(r, 0, offsetof(struct pz_http_req, scratch));
        pz_arena_init_with(&r->arena, r->scratch, sizeof(r->scratch));
        s->in_flight++;
        r->start_us = pz_mono_us();
        r->conn = c;
        r->server = s;
        r->method = method;
        r->path = url;
        client_ip(c, r->ip, sizeof(r->ip));
        r->body_limit = s->app.body_limit(s->app.ctx, r);
        pz_buf_init(&r->body, r->body_limit);
        pz_buf_init(&r->out, 64 * 1024 * 1024);
        *con_cls = r;
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (r->answer_now || (cl && pz_parse_int64(cl, 0, INT64_MAX, &length) == 0 &&
                              (uint64_t)length > r->body_limit)) {
            /* Answer now: the body is never read and the connection closes after. */
            if (!r->answer_now)
                r->body_too_large = 1;
            s->app.handle(s->app.ctx, r);
            return send_response(c, r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->on_form) {
            if (!r->body_too_large && !r->form_bad)
                form_feed(r, upload, *upload_size);
        } else if (!r->body_too_large && pz_buf_add(&r->body, upload, *upload_size) < 0) {
            r->body_too_large = 1;
            pz_buf_release(&r->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->on_form && !r->body_too_large && !r->form_bad)
        form_feed(r, NULL, 0);
    s->app.handle(s->app.ctx, r);
    return send_response(c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct pz_http_server *s = cls;
    struct pz_http_req *r = *con_cls;
    (void)c;

    if (!r)
        return;
    s->in_flight--;
    if (r->form)
        MHD_destroy_post_processor(r->form);
    if (r->app_release)
        r->app_release(r);
    if (pz_log_enabled(PZ_LOG_INFO)) {
        int64_t us = pz_mono_us() - r->start_us;
        pz_log(PZ_LOG_INFO, "%s %s %d %" PRId64 ".%03dms %zuB%s", r->method, r->path, r->status,
               us / 1000, (int)(us % 1000), r->bytes,
               toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    }
    if (r->stream_free) /* a stream that was set but never sent */
        r->stream_free(r->stream_arg);
    if (r->waker) /* a waker made for a stream that was never sent */
        waker_free(r->waker);
    pz_buf_release(&r->body);
    pz_buf_release(&r->out);
    pz_arena_release(&r->arena);
    free(r);
    *con_cls = NULL;
}

static int parse_address(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    if (strchr(host, ':')) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
            return PZ_EINVAL;
        *len = sizeof(*in6);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
            return PZ_EINVAL;
        *len = sizeof(*in);
    }
    return 0;
}

int pz_http_start(struct pz_http_server **out, const struct pz_http_config *cfg,
                  const struct pz_http_app *app)
{
    struct pz_http_server *s;
    struct sockaddr_storage ss;
    socklen_t sslen;
    unsigned threads = cfg->threads;
    /* TURBO: read, write and accept before polling, which pays off under load. */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
    const union MHD_DaemonInfo *info;

    *out = NULL;
    if (parse_address(cfg->host, cfg->port, &ss, &sslen) < 0)
        return pz_error(PZ_EINVAL, "'%s' is not a numeric IP address to listen on", cfg->host);
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    s = xcalloc(1, sizeof(*s));
    s->app = *app;
    pthread_mutex_init(&s->wait_lock, NULL);
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
        s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->connection_limit ? cfg->connection_limit : 1024,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_seconds ? cfg->timeout_seconds : 30,
        /* Generous, since behind nginx every connection comes from loopback. */
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit ? cfg->per_ip_limit : 256u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PZ_HTTP_CONN_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->daemon) {
        pthread_mutex_destroy(&s->wait_lock);
        free(s);
        return pz_error(PZ_EIO, "cannot listen on %s:%d (address in use, or not allowed)",
                        cfg->host, cfg->port);
    }
    info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    *out = s;
    return 0;
}

int pz_http_port(const struct pz_http_server *s)
{
    return s->port;
}

void pz_http_stop(struct pz_http_server *s, int grace_ms)
{
    MHD_socket fd;

    if (!s)
        return;
    fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    /* Streams waiting for news end now; none waits again (and libmicrohttpd must not be
     * stopped with a connection suspended). */
    pthread_mutex_lock(&s->wait_lock);
    s->stopping = 1;
    for (struct pz_http_waker *st = s->waitable; st; st = st->next) {
        if (st->waiting) {
            st->waiting = 0;
            MHD_resume_connection(st->conn);
        }
    }
    pthread_mutex_unlock(&s->wait_lock);
    /* Idle keep-alive connections do not hold us back; requests in flight do. */
    for (int waited = 0; waited < grace_ms && s->in_flight > 0; waited += 10)
        usleep(10 * 1000);
    MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->wait_lock);
    free(s);
}

const char *pz_http_header(struct pz_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *pz_http_query(struct pz_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *pz_http_cookie(struct pz_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void pz_http_add_header_static(struct pz_http_req *r, const char *name, const char *value)
{
    if (r->n_headers >= PZ_HTTP_MAX_HEADERS) {
        pz_log(PZ_LOG_WARN, "too many response headers; dropped %s", name);
        return;
    }
    r->headers[r->n_headers].name = name;
    r->headers[r->n_headers].value = value;
    r->n_headers++;
}

void pz_http_add_header(struct pz_http_req *r, const char *name, const char *value)
{
    pz_http_add_header_static(r, name, pz_arena_strdup(&r->arena, value));
}
