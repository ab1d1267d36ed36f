/*
 * The e-mail reader. See email.h for what it accepts and what it makes of it.
 *
 * GMime does the parsing. The file is one GMime stream; pass 1 runs GMime's
 * parser over it (in mbox mode for a mailbox) and keeps, for each message,
 * only where it starts and the thread it joins (a table from Message-ID
 * hashes to threads). Pass 2 walks the threads in the order they first
 * appear and parses each of their messages again from a substream of the
 * file, so a conversation is begun once and only one message is in memory.
 * GMime keeps the parts' contents as substreams of the file too (its
 * persistent-stream mode), so a large attachment is never held whole: the
 * text is read up to CHAT_TEXT_MAX, attachments are streamed to the writer.
 */
#include "import/email.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/tz.h"
#include "import/charset.h"
#include "core/banned.h"

#define MAIL_MESSAGES_MAX (4u * 1024 * 1024) /* messages in one file */
#define ADDR_MAX          320
#define NAME_MAX_LEN      300
#define TITLE_MAX         300
#define ID_MAX            998 /* a header line's limit (RFC 5322) */
#define PART_DEPTH_MAX    16
#define ATTACH_MAX        1000 /* attachments of one message */

/* One message of the file: where it starts, its line, the thread it joins. */
struct mail_pos {
    int64_t start;
    long line;
    uint32_t thread;
    uint32_t next; /* the next message of the same thread, UINT32_MAX at the end */
};

struct thread {
    char *key;
    uint32_t first, last;
};

struct id_slot {
    uint64_t hash; /* 0: empty */
    uint32_t thread;
};

struct reader {
    const char *name;
    const struct chat_sink *sink;
    struct import_problem *fatal;
    int mbox; /* the stream is a mailbox (messages start with "From ") */
    GMimeStream *stream;
    int64_t length;

    struct mail_pos *msgs;
    size_t n_msgs, cap_msgs;
    struct thread *threads;
    size_t n_threads, cap_threads;
    struct id_slot *ids;
    size_t n_ids, cap_ids;

    /* Pass 2. */
    struct charset cs;
    struct pz_buf raw, text, html;
    int text_cut;
};

/* --- problems ------------------------------------------------------------------------ */

static int set_fatal(struct import_problem *fatal, const char *name, long line, int code,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int set_fatal(struct import_problem *fatal, const char *name, long line, int code,
                     const char *fmt, ...)
{
    va_list ap;

    if (!fatal)
        return code;
    fatal->file = name;
    fatal->line = line;
    va_start(ap, fmt);
    vsnprintf(fatal->message, sizeof(fatal->message), fmt, ap);
    va_end(ap);
    return code;
}

static void skip(struct reader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void skip(struct reader *r, long line, const char *fmt, ...)
{
    struct import_problem p;
    va_list ap;

    if (!r->sink->on_skip)
        return;
    memset(&p, 0, sizeof(p));
    p.file = r->name;
    p.line = line;
    va_start(ap, fmt);
    vsnprintf(p.message, sizeof(p.message), fmt, ap);
    va_end(ap);
    r->sink->on_skip(&p, r->sink->arg);
}

/* --- GMime --------------------------------------------------------------------------- */

static void mime_init(void)
{
    static int done;

    if (!done) {
        g_mime_init();
        done = 1;
    }
}

/* Copies S (may be NULL) into OUT as valid UTF-8 without control characters, trimmed. */
static void clean(const char *s, char *out, size_t outsz)
{
    struct pz_buf b;
    size_t i = 0, n, o = 0;
    const char *t;

    out[0] = '\0';
    if (!s)
        return;
    pz_buf_init(&b, outsz * 4 + 16);
    charset_utf8_repair(s, strnlen(s, outsz * 4), &b);
    t = pz_buf_str(&b);
    n = b.len;
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
        i++;
    while (n > i && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r' || t[n - 1] == '\n'))
        n--;
    for (; i < n && o + 1 < outsz; i++)
        out[o++] = (unsigned char)t[i] < 0x20 || t[i] == 0x7F ? ' ' : t[i];
    out[o] = '\0';
    while (o > 0 && !pz_utf8_valid(out, o))
        out[--o] = '\0';
    pz_buf_release(&b);
}

/* An address lower-cased into OUT; 0, or -1 when it is no usable address. */
static int addr_key(const char *addr, char *out, size_t outsz)
{
    size_t n = 0;

    if (!addr || !strchr(addr, '@'))
        return -1;
    for (const char *s = addr; *s && n + 1 < outsz; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == 0x7F)
            continue;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[n] = '\0';
    return n > 2 && pz_utf8_valid(out, n) ? 0 : -1;
}

/* The first mailbox of LIST (a group's members included), or NULL. */
static InternetAddressMailbox *first_mailbox(InternetAddressList *list)
{
    int n = list ? internet_address_list_length(list) : 0;

    for (int i = 0; i < n; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        InternetAddressList *members;
        int k;
        if (INTERNET_ADDRESS_IS_MAILBOX(ia))
            return INTERNET_ADDRESS_MAILBOX(ia);
        if (!INTERNET_ADDRESS_IS_GROUP(ia))
            continue;
        members = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
        k = members ? internet_address_list_length(members) : 0;
        for (int j = 0; j < k; j++) {
            InternetAddress *m = internet_address_list_get_address(members, j);
            if (INTERNET_ADDRESS_IS_MAILBOX(m))
                return INTERNET_ADDRESS_MAILBOX(m);
        }
    }
    return NULL;
}

/* --- walking a MIME tree ----------------------------------------------------------------- */

#define WALK_ALT 1 /* a direct part of multipart/alternative */
#define WALK_SIG 2 /* inside the signature of multipart/signed */

/*
 * Calls FN for every part of ROOT that is not a multipart, in order, with
 * the WALK_* flags that say where it sits; stops when FN returns non-zero
 * and returns that. Parts nested deeper than PART_DEPTH_MAX are left out.
 */
static int walk(GMimeObject *root, int (*fn)(GMimeObject *part, int flags, void *arg), void *arg)
{
    struct {
        GMimeMultipart *mp;
        int next, count, alt, sig, inherited;
    } st[PART_DEPTH_MAX];
    int top = 0;

    if (!root)
        return 0;
    if (!GMIME_IS_MULTIPART(root))
        return fn(root, 0, arg);
    st[0].mp = GMIME_MULTIPART(root);
    st[0].next = 0;
    st[0].count = g_mime_multipart_get_count(st[0].mp);
    st[0].alt = g_mime_content_type_is_type(g_mime_object_get_content_type(root), "multipart",
                                            "alternative");
    st[0].sig = GMIME_IS_MULTIPART_SIGNED(root);
    st[0].inherited = 0;
    top = 1;
    while (top > 0) {
        GMimeObject *child;
        int flags, rc;
        if (st[top - 1].next >= st[top - 1].count) {
            top--;
            continue;
        }
        child = g_mime_multipart_get_part(st[top - 1].mp, st[top - 1].next);
        flags = st[top - 1].inherited | (st[top - 1].alt ? WALK_ALT : 0) |
                (st[top - 1].sig && st[top - 1].next > 0 ? WALK_SIG : 0);
        st[top - 1].next++;
        if (!child)
            continue;
        if (GMIME_IS_MULTIPART(child)) {
            if (top == PART_DEPTH_MAX)
                continue;
            st[top].mp = GMIME_MULTIPART(child);
            st[top].next = 0;
            st[top].count = g_mime_multipart_get_count(st[top].mp);
            st[top].alt = g_mime_content_type_is_type(g_mime_object_get_content_type(child),
                                                      "multipart", "alternative");
            st[top].sig = GMIME_IS_MULTIPART_SIGNED(child);
            st[top].inherited = flags & WALK_SIG;
            top++;
            continue;
        }
        rc = fn(child, flags, arg);
        if (rc)
            return rc;
    }
    return 0;
}

/* --- pass 1: where messages are, which thread each joins ------------------------------ */

static uint64_t id_hash(const char *id)
{
    uint64_t h = pz_fnv1a64(id, strlen(id));
    return h ? h : 1;
}

static uint32_t id_find(const struct reader *r, const char *id)
{
    uint64_t h = id_hash(id);

    if (!r->cap_ids)
        return UINT32_MAX;
    for (size_t i = h & (r->cap_ids - 1); r->ids[i].hash; i = (i + 1) & (r->cap_ids - 1))
        if (r->ids[i].hash == h)
            return r->ids[i].thread;
    return UINT32_MAX;
}

static void id_put(struct reader *r, const char *id, uint32_t thread)
{
    uint64_t h = id_hash(id);
    size_t i;

    if (2 * (r->n_ids + 1) > r->cap_ids) {
        size_t cap = r->cap_ids ? 2 * r->cap_ids : 1024;
        struct id_slot *old = r->ids;
        r->ids = xcalloc(cap, sizeof(*r->ids));
        for (size_t k = 0; k < r->cap_ids; k++) {
            if (!old[k].hash)
                continue;
            for (i = old[k].hash & (cap - 1); r->ids[i].hash; i = (i + 1) & (cap - 1))
                ;
            r->ids[i] = old[k];
        }
        free(old);
        r->cap_ids = cap;
    }
    for (i = h & (r->cap_ids - 1); r->ids[i].hash; i = (i + 1) & (r->cap_ids - 1))
        if (r->ids[i].hash == h)
            return; /* the first thread that named it keeps it */
    r->ids[i].hash = h;
    r->ids[i].thread = thread;
    r->n_ids++;
}

/* The first message id of header VALUE ("<a@b> <c@d>") into OUT; 0 or -1 when none. */
static int first_id(const char *value, char *out, size_t outsz)
{
    GMimeReferences *refs;
    int ok = -1;

    if (!value)
        return -1;
    refs = g_mime_references_parse(NULL, value);
    if (refs && g_mime_references_length(refs) > 0) {
        clean(g_mime_references_get_message_id(refs, 0), out, outsz);
        ok = out[0] ? 0 : -1;
    }
    if (refs)
        g_mime_references_free(refs);
    return ok;
}

/* The message id of a PEC receipt's or envelope's original, or of the message itself. */
static void message_id(GMimeMessage *msg, char *out, size_t outsz)
{
    clean(g_mime_message_get_message_id(msg), out, outsz);
}

/* Whether MSG is an Italian certified mail envelope or receipt (PEC). */
static int pec_kind(GMimeMessage *msg)
{
    const char *t = g_mime_object_get_header(GMIME_OBJECT(msg), "X-Trasporto");
    const char *rc = g_mime_object_get_header(GMIME_OBJECT(msg), "X-Ricevuta");

    if (t && strncasecmp(t, "posta-certificata", 17) == 0)
        return 1;
    if (rc && rc[0])
        return 2;
    return 0;
}

static int find_postacert(GMimeObject *part, int flags, void *arg)
{
    const char *fn, *nm;

    (void)flags;
    if (!GMIME_IS_MESSAGE_PART(part))
        return 0;
    fn = g_mime_object_get_content_disposition_parameter(part, "filename");
    nm = g_mime_object_get_content_type_parameter(part, "name");
    if ((fn && strcasecmp(fn, "postacert.eml") == 0) ||
        (nm && strcasecmp(nm, "postacert.eml") == 0)) {
        *(GMimeMessage **)arg = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
        return *(GMimeMessage **)arg != NULL;
    }
    return 0;
}

/* Finds the postacert.eml message inside a PEC envelope, or NULL. */
static GMimeMessage *pec_inner(GMimeObject *root)
{
    GMimeMessage *m = NULL;

    walk(root, find_postacert, &m);
    return m;
}

/*
 * The ids a message is threaded by: its own, and those it answers (References
 * first to last, then In-Reply-To; a PEC receipt answers X-Riferimento-Message-ID).
 * Calls FN for each answered id until it returns non-zero.
 */
static void answered_ids(GMimeMessage *msg, int (*fn)(const char *id, void *arg), void *arg)
{
    static const char *const headers[] = {"References", "In-Reply-To", "X-Riferimento-Message-ID"};
    char id[ID_MAX + 1];

    for (size_t h = 0; h < sizeof(headers) / sizeof(headers[0]); h++) {
        const char *v = g_mime_object_get_header(GMIME_OBJECT(msg), headers[h]);
        GMimeReferences *refs;
        int n;
        if (!v || (h == 2 && pec_kind(msg) != 2))
            continue;
        refs = g_mime_references_parse(NULL, v);
        n = refs ? g_mime_references_length(refs) : 0;
        for (int i = 0; i < n; i++) {
            clean(g_mime_references_get_message_id(refs, i), id, sizeof(id));
            if (id[0] && fn(id, arg)) {
                g_mime_references_free(refs);
                return;
            }
        }
        if (refs)
            g_mime_references_free(refs);
    }
}

struct find_ctx {
    struct reader *r;
    uint32_t thread;
};

static int find_known(const char *id, void *arg)
{
    struct find_ctx *f = arg;

    f->thread = id_find(f->r, id);
    return f->thread != UINT32_MAX;
}

static int remember(const char *id, void *arg)
{
    struct find_ctx *f = arg;

    id_put(f->r, id, f->thread);
    return 0;
}

/* The thread key of a message without a known thread: the first id it answers, else its own,
 * else one made of its sender, date and subject. */
static void new_thread_key(GMimeMessage *msg, char *out, size_t outsz)
{
    const char *refs = g_mime_object_get_header(GMIME_OBJECT(msg), "References");
    const char *irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
    const char *ref = pec_kind(msg) == 2
                          ? g_mime_object_get_header(GMIME_OBJECT(msg), "X-Riferimento-Message-ID")
                          : NULL;

    if (first_id(refs, out, outsz) == 0 || first_id(irt, out, outsz) == 0 ||
        first_id(ref, out, outsz) == 0)
        return;
    message_id(msg, out, outsz);
    if (out[0])
        return;
    {
        InternetAddressMailbox *from = first_mailbox(g_mime_message_get_from(msg));
        GDateTime *d = g_mime_message_get_date(msg);
        const char *subj = g_mime_message_get_subject(msg);
        char buf[1200];
        unsigned char h[8];
        char hex[17];
        uint64_t v;
        snprintf(buf, sizeof(buf), "%s\n%lld\n%s",
                 from ? internet_address_mailbox_get_addr(from) : "",
                 d ? (long long)g_date_time_to_unix(d) : 0LL, subj ? subj : "");
        v = pz_fnv1a64(buf, strlen(buf));
        for (int i = 0; i < 8; i++)
            h[i] = (unsigned char)(v >> (8 * i));
        pz_hex_encode(h, sizeof(h), hex, sizeof(hex));
        snprintf(out, outsz, "no-message-id:%s", hex);
    }
}

static int add_message(struct reader *r, int64_t start, GMimeMessage *msg)
{
    struct find_ctx f = {r, UINT32_MAX};
    GMimeMessage *inner = pec_kind(msg) == 1 ? pec_inner(g_mime_message_get_mime_part(msg)) : NULL;
    GMimeMessage *m = inner ? inner : msg;
    char own[ID_MAX + 1];
    struct mail_pos *p;

    if (r->n_msgs >= MAIL_MESSAGES_MAX)
        return PZ_ETOOBIG;
    message_id(m, own, sizeof(own));
    if (own[0])
        f.thread = id_find(r, own);
    if (f.thread == UINT32_MAX)
        answered_ids(m, find_known, &f);
    if (f.thread == UINT32_MAX) {
        char key[ID_MAX + 1];
        new_thread_key(m, key, sizeof(key));
        /* The key may be an id seen before under another thread's root. */
        f.thread = id_find(r, key);
        if (f.thread == UINT32_MAX) {
            if (r->n_threads == r->cap_threads) {
                r->cap_threads = r->cap_threads ? 2 * r->cap_threads : 64;
                r->threads = xrealloc(r->threads, r->cap_threads * sizeof(*r->threads));
            }
            f.thread = (uint32_t)r->n_threads;
            r->threads[r->n_threads].key = xstrdup(key);
            r->threads[r->n_threads].first = (uint32_t)r->n_msgs;
            r->threads[r->n_threads].last = UINT32_MAX;
            r->n_threads++;
            id_put(r, key, f.thread);
        }
    }
    if (f.thread >= r->n_threads)
        return PZ_EINVAL; /* cannot happen: every id names a thread made before */
    if (own[0])
        id_put(r, own, f.thread);
    answered_ids(m, remember, &f);
    if (r->n_msgs == r->cap_msgs) {
        r->cap_msgs = r->cap_msgs ? 2 * r->cap_msgs : 256;
        r->msgs = xrealloc(r->msgs, r->cap_msgs * sizeof(*r->msgs));
    }
    p = &r->msgs[r->n_msgs];
    p->start = start;
    p->line = 0;
    p->thread = f.thread;
    p->next = UINT32_MAX;
    if (r->threads[f.thread].last != UINT32_MAX)
        r->msgs[r->threads[f.thread].last].next = (uint32_t)r->n_msgs;
    else
        r->threads[f.thread].first = (uint32_t)r->n_msgs;
    r->threads[f.thread].last = (uint32_t)r->n_msgs;
    r->n_msgs++;
    return 0;
}

/* Pass 1. Returns 0, or a negative code with the refusal set. */
static int scan(struct reader *r)
{
    GMimeParser *parser = g_mime_parser_new_with_stream(r->stream);
    int rc = 0;

    g_mime_parser_set_format(parser, r->mbox ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_respect_content_length(parser, FALSE);
    while (rc == 0 && !g_mime_parser_eos(parser)) {
        GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
        int64_t start;
        if (!msg)
            break;
        if (!r->mbox && !g_mime_object_get_header(GMIME_OBJECT(msg), "From") &&
            !g_mime_object_get_header(GMIME_OBJECT(msg), "Date") &&
            !g_mime_object_get_header(GMIME_OBJECT(msg), "Message-ID") &&
            !g_mime_object_get_header(GMIME_OBJECT(msg), "Subject")) {
            g_object_unref(msg); /* text without mail headers */
            break;
        }
        start = r->mbox ? g_mime_parser_get_mbox_marker_offset(parser) : 0;
        if (start < 0)
            start = 0;
        rc = add_message(r, start, msg);
        g_object_unref(msg);
        if (!r->mbox)
            break;
        if (r->sink->on_progress && (r->n_msgs & 255) == 0)
            r->sink->on_progress(g_mime_parser_tell(parser) / 2, r->length, r->sink->arg);
    }
    g_object_unref(parser);
    if (rc == PZ_ETOOBIG)
        return set_fatal(r->fatal, r->name, 0, PZ_ETOOBIG,
                         "more than %u messages in one file: split the mailbox", MAIL_MESSAGES_MAX);
    if (r->n_msgs == 0)
        return set_fatal(r->fatal, r->name, 1, PZ_EINVAL,
                         r->mbox ? "not an mbox: no message found"
                                 : "not an e-mail message: no headers found");
    return 0;
}

/* Numbers the line each message starts on, reading the stream once more. */
static int number_lines(struct reader *r)
{
    char buf[65536];
    int64_t pos = 0;
    long line = 1;
    size_t next = 0;
    ssize_t got;

    if (g_mime_stream_reset(r->stream) < 0)
        return PZ_EIO;
    while (next < r->n_msgs && (got = g_mime_stream_read(r->stream, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < got; i++) {
            while (next < r->n_msgs && r->msgs[next].start <= pos + i)
                r->msgs[next++].line = line;
            if (buf[i] == '\n')
                line++;
        }
        pos += got;
    }
    while (next < r->n_msgs)
        r->msgs[next++].line = line;
    return 0;
}

/* --- pass 2: text ---------------------------------------------------------------------- */

/* A stream of PART's decoded content (the caller unrefs it), or NULL. */
static GMimeStream *decoded(GMimePart *part)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *src, *f;
    GMimeContentEncoding enc;

    if (!w || !(src = g_mime_data_wrapper_get_stream(w)))
        return NULL;
    enc = g_mime_data_wrapper_get_encoding(w);
    g_mime_stream_reset(src);
    f = g_mime_stream_filter_new(src);
    if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
        enc == GMIME_CONTENT_ENCODING_UUENCODE) {
        GMimeFilter *dec = g_mime_filter_basic_new(enc, FALSE);
        g_mime_stream_filter_add(GMIME_STREAM_FILTER(f), dec);
        g_object_unref(dec);
    }
    return f;
}

/* Reads PART's decoded text as UTF-8 into r->text (replacing it). */
static void part_text(struct reader *r, GMimePart *part)
{
    GMimeStream *s = decoded(part);
    const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    char buf[16384];
    ssize_t got;

    pz_buf_reset(&r->raw);
    pz_buf_reset(&r->text);
    if (!s)
        return;
    while ((got = g_mime_stream_read(s, buf, sizeof(buf))) > 0) {
        if (pz_buf_add(&r->raw, buf, (size_t)got) < 0) {
            r->text_cut = 1;
            break;
        }
    }
    g_object_unref(s);
    if (charset_to_utf8(&r->cs, charset, pz_buf_str(&r->raw), r->raw.len, &r->text) < 0)
        r->text_cut = 1;
}

static int is_attachment(GMimeObject *part)
{
    const char *disp = g_mime_object_get_disposition(part);

    if (disp && strcasecmp(disp, "attachment") == 0)
        return 1;
    return GMIME_IS_PART(part) && g_mime_part_get_filename(GMIME_PART(part)) != NULL;
}

struct body {
    GMimePart *plain, *html;
};

static int body_part(GMimeObject *o, int flags, void *arg)
{
    struct body *b = arg;
    GMimeContentType *ct;

    if ((flags & WALK_SIG) || !GMIME_IS_PART(o) || is_attachment(o))
        return 0;
    ct = g_mime_object_get_content_type(o);
    if (g_mime_content_type_is_type(ct, "text", "plain")) {
        b->plain = GMIME_PART(o);
        return 1;
    }
    if (!b->html && g_mime_content_type_is_type(ct, "text", "html"))
        b->html = GMIME_PART(o);
    return 0;
}

/* The body: the first text/plain leaf that is not an attachment, else the first text/html. */
static void find_body(GMimeObject *o, GMimePart **plain, GMimePart **html)
{
    struct body b = {NULL, NULL};

    walk(o, body_part, &b);
    *plain = b.plain;
    *html = b.html;
}

/* Drops one '>' from lines of the form ">From " (mbox escaping), in place. */
static size_t unescape_from(char *s, size_t n)
{
    size_t o = 0;

    for (size_t i = 0; i < n;) {
        int at_line = i == 0 || s[i - 1] == '\n';
        if (at_line && s[i] == '>') {
            size_t j = i;
            while (j < n && s[j] == '>')
                j++;
            if (n - j >= 5 && memcmp(s + j, "From ", 5) == 0) {
                i++; /* drop one '>' */
                continue;
            }
        }
        s[o++] = s[i++];
    }
    return o;
}

/* The message text into r->text; trailing blank lines go. */
static void message_text(struct reader *r, GMimeMessage *msg)
{
    GMimePart *plain = NULL, *html = NULL;

    r->text_cut = 0;
    find_body(g_mime_message_get_mime_part(msg), &plain, &html);
    pz_buf_reset(&r->text);
    if (plain) {
        part_text(r, plain);
    } else if (html) {
        part_text(r, html);
        pz_buf_reset(&r->html);
        if (email_html_text(pz_buf_str(&r->text), r->text.len, &r->html) < 0)
            r->text_cut = 1;
        pz_buf_reset(&r->text);
        pz_buf_add(&r->text, pz_buf_str(&r->html), r->html.len);
    }
    if (r->text.len) {
        char *t = (char *)pz_buf_str(&r->text);
        size_t n = r->text.len;
        size_t k = 0;
        /* CRLF as LF: the text as the person wrote it, not as the wire carried it. */
        for (size_t i = 0; i < n; i++)
            if (!(t[i] == '\r' && i + 1 < n && t[i + 1] == '\n'))
                t[k++] = t[i];
        n = k;
        if (r->mbox)
            n = unescape_from(t, n);
        while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
            n--;
        while (n > 0 && !pz_utf8_valid(t, n))
            n--;
        t[n] = '\0';
        r->text.len = n;
    }
}

/* --- HTML to text ---------------------------------------------------------------------- */

static int tag_is(const char *s, size_t n, const char *name)
{
    size_t k = strlen(name);
    return n >= k && strncasecmp(s, name, k) == 0 &&
           (n == k || s[k] == ' ' || s[k] == '>' || s[k] == '/' || s[k] == '\t' || s[k] == '\n' ||
            s[k] == '\r');
}

static int put_newline(struct pz_buf *out)
{
    while (out->len > 0 && pz_buf_str(out)[out->len - 1] == ' ')
        out->len--;
    return pz_buf_addch(out, '\n');
}

/* Decodes the entity at S (after '&', up to N bytes); appends it; returns bytes used or 0. */
static size_t entity(const char *s, size_t n, struct pz_buf *out)
{
    static const struct {
        const char *name;
        uint32_t cp;
    } named[] = {
        {"amp", '&'},      {"lt", '<'},       {"gt", '>'},        {"quot", '"'},
        {"apos", '\''},    {"nbsp", 0xA0},    {"egrave", 0xE8},   {"eacute", 0xE9},
        {"agrave", 0xE0},  {"aacute", 0xE1},  {"igrave", 0xEC},   {"iacute", 0xED},
        {"ograve", 0xF2},  {"oacute", 0xF3},  {"ugrave", 0xF9},   {"uacute", 0xFA},
        {"Egrave", 0xC8},  {"Eacute", 0xC9},  {"Agrave", 0xC0},   {"ccedil", 0xE7},
        {"euro", 0x20AC},  {"laquo", 0xAB},   {"raquo", 0xBB},    {"copy", 0xA9},
        {"ndash", 0x2013}, {"mdash", 0x2014}, {"hellip", 0x2026}, {"rsquo", 0x2019},
        {"lsquo", 0x2018}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
    };
    char tmp[8];
    uint32_t cp = 0;
    size_t i = 0;

    if (n > 0 && s[0] == '#') {
        int hex = n > 1 && (s[1] == 'x' || s[1] == 'X');
        i = hex ? 2 : 1;
        while (i < n && i < 10) {
            char c = s[i];
            int d = c >= '0' && c <= '9'          ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
            if (d < 0)
                break;
            cp = cp * (hex ? 16 : 10) + (uint32_t)d;
            i++;
        }
        if (i == (hex ? 2u : 1u) || i >= n || s[i] != ';')
            return 0;
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        pz_buf_add(out, tmp, charset_put_utf8(tmp, cp));
        return i + 1;
    }
    for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
        size_t len = strlen(named[k].name);
        if (n > len && memcmp(s, named[k].name, len) == 0 && s[len] == ';') {
            pz_buf_add(out, tmp, charset_put_utf8(tmp, named[k].cp));
            return len + 1;
        }
    }
    return 0;
}

int email_html_text(const char *in, size_t n, struct pz_buf *out)
{
    static const char *const breaks[] = {"br",  "/p",  "p",   "/div", "/tr", "/li", "li",    "/h1",
                                         "/h2", "/h3", "/h4", "/h5",  "/h6", "hr",  "/table"};
    size_t i = 0;
    int space = 0;

    while (i < n) {
        char c = in[i];
        if (c == '<') {
            const char *gt = memchr(in + i, '>', n - i);
            const char *t = in + i + 1;
            size_t tl = gt ? (size_t)(gt - t) : 0;
            if (!gt)
                break;
            if (tl >= 3 && memcmp(t, "!--", 3) == 0) {
                const char *end = memmem(t, n - (size_t)(t - in), "-->", 3);
                i = end ? (size_t)(end - in) + 3 : n;
                continue;
            }
            if (tag_is(t, tl, "script") || tag_is(t, tl, "style") || tag_is(t, tl, "head")) {
                const char *name = tag_is(t, tl, "script")  ? "</script"
                                   : tag_is(t, tl, "style") ? "</style"
                                                            : "</head";
                size_t k = (size_t)(gt - in) + 1;
                size_t nl = strlen(name);
                while (k + nl <= n && strncasecmp(in + k, name, nl) != 0)
                    k++;
                gt = k + nl <= n ? memchr(in + k, '>', n - k) : NULL;
                i = gt ? (size_t)(gt - in) + 1 : n;
                continue;
            }
            for (size_t b = 0; b < sizeof(breaks) / sizeof(breaks[0]); b++) {
                if (tag_is(t, tl, breaks[b])) {
                    if (out->len > 0 && put_newline(out) < 0)
                        return PZ_ETOOBIG;
                    space = 0;
                    break;
                }
            }
            if (tag_is(t, tl, "/td") || tag_is(t, tl, "/th"))
                space = 1;
            i = (size_t)(gt - in) + 1;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = 1;
            i++;
            continue;
        }
        if (space && out->len > 0 && pz_buf_str(out)[out->len - 1] != '\n' &&
            pz_buf_addch(out, ' ') < 0)
            return PZ_ETOOBIG;
        space = 0;
        if (c == '&') {
            size_t used = entity(in + i + 1, n - i - 1, out);
            if (used) {
                i += used + 1;
                continue;
            }
        }
        if (pz_buf_addch(out, c) < 0)
            return PZ_ETOOBIG;
        i++;
    }
    /* No blank lines beyond one, none at the ends. */
    if (out->len > 0) {
        char *s = (char *)pz_buf_str(out);
        size_t o = 0, len = out->len;
        for (size_t k = 0; k < len; k++) {
            if (s[k] == '\n' && (o == 0 || (o >= 2 && s[o - 1] == '\n' && s[o - 2] == '\n')))
                continue;
            s[o++] = s[k];
        }
        while (o > 0 && s[o - 1] == '\n')
            o--;
        s[o] = '\0';
        out->len = o;
    }
    return 0;
}

/* --- pass 2: attachments --------------------------------------------------------------- */

struct att_ctx {
    GMimeStream *s;
};

static long att_read(void *ctx, char *buf, size_t n)
{
    struct att_ctx *a = ctx;
    ssize_t got = g_mime_stream_read(a->s, buf, n);

    if (got < 0)
        return g_mime_stream_eos(a->s) ? 0 : -1;
    return (long)got;
}

/* Hands out stream S (decoded content) as attachment NAME of TYPE; counts its size first. */
static int give_stream(struct reader *r, GMimeStream *s, const char *name, const char *type)
{
    struct chat_attachment a;
    struct att_ctx ctx = {s};
    char buf[16384];
    int64_t size = 0;
    ssize_t got;

    while ((got = g_mime_stream_read(s, buf, sizeof(buf))) > 0)
        size += got;
    g_mime_stream_reset(s);
    memset(&a, 0, sizeof(a));
    a.name = name;
    a.mime_type = type;
    a.size = size;
    a.read = att_read;
    a.ctx = &ctx;
    return r->sink->attachment(&a, r->sink->arg);
}

static int give_part(struct reader *r, GMimeObject *o)
{
    char name[NAME_MAX_LEN + 1], type[128];
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    char *mt = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    int rc;

    clean(mt ? mt : "application/octet-stream", type, sizeof(type));
    g_free(mt);
    for (char *c = type; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    if (GMIME_IS_MESSAGE_PART(o)) {
        GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
        const char *fn = g_mime_object_get_content_disposition_parameter(o, "filename");
        GMimeStream *mem;
        if (!fn)
            fn = g_mime_object_get_content_type_parameter(o, "name");
        if (fn)
            clean(fn, name, sizeof(name));
        else {
            char subj[NAME_MAX_LEN - 8];
            clean(m ? g_mime_message_get_subject(m) : NULL, subj, sizeof(subj));
            snprintf(name, sizeof(name), "%s.eml", subj[0] ? subj : "message");
        }
        if (!m)
            return 0;
        mem = g_mime_stream_mem_new();
        g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, mem);
        g_mime_stream_reset(mem);
        rc = give_stream(r, mem, name, "message/rfc822");
        g_object_unref(mem);
        return rc;
    }
    if (!GMIME_IS_PART(o))
        return 0;
    clean(g_mime_part_get_filename(GMIME_PART(o)), name, sizeof(name));
    {
        GMimeStream *s = decoded(GMIME_PART(o));
        if (!s)
            return 0;
        rc = give_stream(r, s, name, type);
        g_object_unref(s);
    }
    return rc;
}

struct give {
    struct reader *r;
    GMimeObject *body;
    GMimeMessage *skip_msg;
    int count;
};

static int give_one(GMimeObject *o, int flags, void *arg)
{
    struct give *g = arg;

    if (o == g->body || (flags & WALK_ALT))
        return 0; /* the text, or one of its alternatives */
    if (GMIME_IS_MESSAGE_PART(o) && g->skip_msg &&
        g_mime_message_part_get_message(GMIME_MESSAGE_PART(o)) == g->skip_msg)
        return 0;
    if (GMIME_IS_PART(o) && !is_attachment(o)) {
        GMimeContentType *ct = g_mime_object_get_content_type(o);
        /* Inline text next to the body (a footer, the PEC notice) is no file. */
        if (g_mime_content_type_is_type(ct, "text", "plain") ||
            g_mime_content_type_is_type(ct, "text", "html"))
            return 0;
    }
    if (++g->count > ATTACH_MAX)
        return 0;
    return give_part(g->r, o);
}

/* Hands out every leaf of O that is not BODY (nor an alternative of it) nor SKIP_MSG; adds to
 * *COUNT. */
static int give_parts(struct reader *r, GMimeObject *o, GMimeObject *body, int *count,
                      GMimeMessage *skip_msg)
{
    struct give g = {r, body, skip_msg, *count};
    int rc = walk(o, give_one, &g);

    *count = g.count;
    return rc;
}

/* --- pass 2: messages ------------------------------------------------------------------ */

static int announce_one(struct reader *r, InternetAddress *ia)
{
    char key[ADDR_MAX + 1], name[NAME_MAX_LEN + 1], value[ADDR_MAX + 1];
    struct chat_participant p;

    if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
        return 0;
    clean(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), value, sizeof(value));
    if (addr_key(value, key, sizeof(key)) < 0)
        return 0;
    clean(internet_address_get_name(ia), name, sizeof(name));
    memset(&p, 0, sizeof(p));
    p.key = key;
    p.name = name[0] ? name : value;
    p.identity_kind = "email";
    p.identity_value = value;
    return r->sink->participant(&p, r->sink->arg);
}

/* Announces every mailbox of LIST (a group's members included) as a participant. */
static int announce(struct reader *r, InternetAddressList *list)
{
    int n = list ? internet_address_list_length(list) : 0, rc = 0;

    for (int i = 0; rc == 0 && i < n && i < 500; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            InternetAddressList *members =
                internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
            int k = members ? internet_address_list_length(members) : 0;
            for (int j = 0; rc == 0 && j < k && j < 500; j++)
                rc = announce_one(r, internet_address_list_get_address(members, j));
        } else {
            rc = announce_one(r, ia);
        }
    }
    return rc;
}

static int distinct_addresses(GMimeMessage *m)
{
    InternetAddressList *all = internet_address_list_new();
    char seen[8][ADDR_MAX + 1];
    int n_seen = 0, n;

    internet_address_list_append(all, g_mime_message_get_from(m));
    internet_address_list_append(all, g_mime_message_get_to(m));
    internet_address_list_append(all, g_mime_message_get_cc(m));
    n = internet_address_list_length(all);
    for (int i = 0; i < n && n_seen < 8; i++) {
        InternetAddress *ia = internet_address_list_get_address(all, i);
        char key[ADDR_MAX + 1];
        int dup = 0;
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia) ||
            addr_key(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), key,
                     sizeof(key)) < 0)
            continue;
        for (int k = 0; k < n_seen; k++)
            dup |= strcmp(seen[k], key) == 0;
        if (!dup)
            snprintf(seen[n_seen++], ADDR_MAX + 1, "%s", key);
    }
    g_object_unref(all);
    return n_seen;
}

/* The subject without its reply and forward prefixes, for a conversation's title. */
static void thread_title(GMimeMessage *m, char *out, size_t outsz)
{
    static const char *const prefixes[] = {
        "re:", "r:", "fwd:", "fw:", "i:", "inoltro:", "rif:", "aw:", "wg:", "tr:"};
    char subj[TITLE_MAX + 1];
    const char *s = subj;
    int again = 1;

    clean(g_mime_message_get_subject(m), subj, sizeof(subj));
    while (again) {
        again = 0;
        while (*s == ' ')
            s++;
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
            size_t k = strlen(prefixes[i]);
            if (strncasecmp(s, prefixes[i], k) == 0) {
                s += k;
                again = 1;
                break;
            }
        }
    }
    snprintf(out, outsz, "%s", s);
}

/* Whether X-Gmail-Labels (comma separated) holds the sent folder. */
static int labelled_sent(GMimeMessage *m)
{
    const char *v = g_mime_object_get_header(GMIME_OBJECT(m), "X-Gmail-Labels");
    static const char *const sent[] = {"Sent", "Inviati", "Posta inviata", "Sent Mail"};

    while (v && *v) {
        const char *comma = strchr(v, ',');
        size_t n = comma ? (size_t)(comma - v) : strlen(v);
        while (n > 0 && *v == ' ') {
            v++;
            n--;
        }
        while (n > 0 && v[n - 1] == ' ')
            n--;
        for (size_t i = 0; i < sizeof(sent) / sizeof(sent[0]); i++)
            if (strlen(sent[i]) == n && strncasecmp(v, sent[i], n) == 0)
                return 1;
        v = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* Reads a decimal number at *S (spaces before it skipped) into *OUT; -1 when there is none. */
static int num_at(const char **s, char stop, long *out)
{
    char *end;

    while (**s == ' ')
        (*s)++;
    if (**s < '0' || **s > '9')
        return -1;
    errno = 0;
    *out = strtol(*s, &end, 10);
    if (errno || end == *s || (stop && *end != stop))
        return -1;
    *s = stop ? end + 1 : end;
    return 0;
}

/* The date of an mbox "From " line ("From a@b Mon Jan  1 12:00:00 2024"), UTC seconds, or -1. */
static int64_t marker_date(const char *marker)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const char *s = NULL;
    long day, h, mi, sec, year;
    int mon = -1;

    if (!marker)
        return -1;
    for (int i = 0; i < 12 && mon < 0; i++) {
        char pat[6];
        snprintf(pat, sizeof(pat), " %s ", months[i]);
        if ((s = strstr(marker, pat)) != NULL)
            mon = i + 1;
    }
    if (mon < 0)
        return -1;
    s += 5;
    if (num_at(&s, ' ', &day) < 0 || num_at(&s, ':', &h) < 0 || num_at(&s, ':', &mi) < 0 ||
        num_at(&s, ' ', &sec) < 0 || num_at(&s, 0, &year) < 0 || year > 9999 ||
        !pz_date_valid(year, mon, (int)day) || h > 23 || mi > 59 || sec > 60)
        return -1;
    return pz_civil_to_days(year, mon, (int)day) * 86400 + h * 3600 + mi * 60 + sec;
}

struct emitted {
    int begun;
    char title[TITLE_MAX + 1];
};

static int emit_message(struct reader *r, const struct mail_pos *pos, struct emitted *e)
{
    GMimeStream *sub;
    GMimeParser *parser;
    GMimeMessage *outer, *m;
    GMimePart *plain = NULL, *html = NULL;
    InternetAddressMailbox *from;
    struct chat_message cm;
    char id[ID_MAX + 1], reply[ID_MAX + 1], sender[ADDR_MAX + 1],
        sender_name[NAME_MAX_LEN + ADDR_MAX + 1];
    char local[32] = "", zone[16] = "";
    char *marker = NULL;
    int64_t end, sent;
    GDateTime *date;
    int pec, rc = 0, count = 0;
    uint32_t idx = (uint32_t)(pos - r->msgs);

    end = idx + 1 < r->n_msgs ? r->msgs[idx + 1].start : r->length;
    sub = g_mime_stream_substream(r->stream, pos->start, end < 0 ? -1 : end);
    parser = g_mime_parser_new_with_stream(sub);
    g_mime_parser_set_format(parser, r->mbox ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_respect_content_length(parser, FALSE);
    outer = g_mime_parser_construct_message(parser, NULL);
    if (r->mbox)
        marker = g_mime_parser_get_mbox_marker(parser);
    g_object_unref(parser);
    if (!outer) {
        skip(r, pos->line, "message cannot be read: skipped");
        g_object_unref(sub);
        g_free(marker);
        return 0;
    }
    pec = pec_kind(outer);
    m = pec == 1 ? pec_inner(g_mime_message_get_mime_part(outer)) : NULL;
    if (!m)
        m = outer;

    date = g_mime_message_get_date(m);
    if (!date && m != outer)
        date = g_mime_message_get_date(outer);
    if (date) {
        gchar *l = g_date_time_format(date, "%Y-%m-%dT%H:%M:%S");
        gchar *z = g_date_time_format(date, "%:z");
        sent = (int64_t)g_date_time_to_unix(date);
        snprintf(local, sizeof(local), "%s", l ? l : "");
        snprintf(zone, sizeof(zone), "%s", z ? z : "");
        g_free(l);
        g_free(z);
    } else {
        sent = marker_date(marker);
    }
    g_free(marker);
    if (sent < 0 && !date) {
        skip(r, pos->line, "message without a date (no Date header): skipped");
        goto done;
    }

    if (!e->begun) {
        struct chat_conversation c;
        thread_title(m, e->title, sizeof(e->title));
        memset(&c, 0, sizeof(c));
        c.file = r->name;
        c.line = pos->line;
        c.channel = "email";
        c.key = r->threads[pos->thread].key;
        c.title = e->title;
        c.is_group = distinct_addresses(m) > 2;
        rc = r->sink->begin(&c, r->sink->arg);
        if (rc)
            goto done;
        e->begun = 1;
    }
    from = first_mailbox(g_mime_message_get_from(m));
    if (!from)
        from = first_mailbox(g_mime_message_get_sender(m));
    rc = announce(r, g_mime_message_get_from(m));
    if (rc == 0 && !first_mailbox(g_mime_message_get_from(m)))
        rc = announce(r, g_mime_message_get_sender(m));
    if (rc == 0)
        rc = announce(r, g_mime_message_get_to(m));
    if (rc == 0)
        rc = announce(r, g_mime_message_get_cc(m));
    if (rc)
        goto done;

    message_text(r, pec == 2 ? outer : m);
    if (r->text_cut)
        skip(r, pos->line, "message longer than %d bytes: the rest was left out", CHAT_TEXT_MAX);

    memset(&cm, 0, sizeof(cm));
    cm.file = r->name;
    cm.line = pos->line;
    message_id(m, id, sizeof(id));
    cm.source_id = id[0] ? id : NULL;
    sender[0] = sender_name[0] = '\0';
    if (from) {
        char value[ADDR_MAX + 1];
        clean(internet_address_mailbox_get_addr(from), value, sizeof(value));
        if (addr_key(value, sender, sizeof(sender)) == 0) {
            clean(internet_address_get_name(INTERNET_ADDRESS(from)), sender_name,
                  sizeof(sender_name));
            if (!sender_name[0])
                snprintf(sender_name, sizeof(sender_name), "%s", value);
        } else {
            sender[0] = '\0';
        }
    }
    cm.sender_key = sender[0] ? sender : NULL;
    cm.sender_name = sender[0] ? sender_name : NULL;
    find_body(g_mime_message_get_mime_part(m), &plain, &html);
    cm.kind = pec == 2 ? CHAT_SYSTEM : CHAT_TEXT;
    cm.direction = labelled_sent(outer) ? CHAT_DIR_OUTGOING : CHAT_DIR_UNKNOWN;
    cm.sent_at = sent * 1000;
    cm.local_time = local[0] ? local : NULL;
    cm.time_zone = zone[0] ? zone : (date ? NULL : "UTC");
    cm.text = pz_buf_str(&r->text);
    cm.text_len = r->text.len;
    cm.reply_to_source_id = first_id(g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To"),
                                     reply, sizeof(reply)) == 0
                                ? reply
                                : NULL;
    cm.edited_at = -1;
    {
        /* A mail with files and no words is media. */
        GMimeObject *body = plain ? GMIME_OBJECT(plain) : (html ? GMIME_OBJECT(html) : NULL);
        if (cm.kind == CHAT_TEXT && cm.text_len == 0 &&
            GMIME_IS_MULTIPART(g_mime_message_get_mime_part(m)))
            cm.kind = CHAT_MEDIA;
        rc = r->sink->message(&cm, r->sink->arg);
        if (rc == 0 && pec != 2)
            rc = give_parts(r, g_mime_message_get_mime_part(m), body, &count, NULL);
        /* PEC: the certification (daticert.xml, the signature) goes with the inner message. */
        if (rc == 0 && m != outer)
            rc = give_parts(r, g_mime_message_get_mime_part(outer), NULL, &count, m);
    }
    if (count > ATTACH_MAX)
        skip(r, pos->line, "more than %d attachments: the rest were left out", ATTACH_MAX);
done:
    g_object_unref(outer);
    g_object_unref(sub);
    return rc;
}

static int emit(struct reader *r)
{
    int rc = 0;

    charset_init(&r->cs);
    pz_buf_init(&r->raw, CHAT_TEXT_MAX);
    pz_buf_init(&r->text, CHAT_TEXT_MAX);
    pz_buf_init(&r->html, CHAT_TEXT_MAX);
    for (size_t t = 0; rc == 0 && t < r->n_threads; t++) {
        struct emitted e;
        memset(&e, 0, sizeof(e));
        for (uint32_t i = r->threads[t].first; rc == 0 && i != UINT32_MAX; i = r->msgs[i].next) {
            rc = emit_message(r, &r->msgs[i], &e);
            if (r->sink->on_progress && (i & 255) == 0)
                r->sink->on_progress(r->length / 2 + r->msgs[i].start / 2, r->length, r->sink->arg);
        }
        if (rc == 0 && e.begun)
            rc = r->sink->end(r->sink->arg);
    }
    pz_buf_release(&r->raw);
    pz_buf_release(&r->text);
    pz_buf_release(&r->html);
    charset_release(&r->cs);
    return rc;
}

/* --- entry points ---------------------------------------------------------------------- */

/* Whether the stream starts with an mbox "From " line. */
static int starts_with_from(GMimeStream *s)
{
    char head[5];
    ssize_t got;

    g_mime_stream_reset(s);
    got = g_mime_stream_read(s, head, sizeof(head));
    g_mime_stream_reset(s);
    return got == 5 && memcmp(head, "From ", 5) == 0;
}

static int read_gstream(GMimeStream *stream, const char *name, int mbox,
                        const struct chat_options *opts, const struct chat_sink *sink,
                        struct import_problem *fatal)
{
    struct reader r;
    int rc;

    (void)opts;
    memset(&r, 0, sizeof(r));
    r.name = name;
    r.sink = sink;
    r.fatal = fatal;
    r.stream = stream;
    r.length = g_mime_stream_length(stream);
    if (starts_with_from(stream))
        r.mbox = 1;
    else if (mbox)
        return set_fatal(fatal, name, 1, PZ_EINVAL,
                         "not an mbox: the file does not start with a \"From \" line");
    rc = scan(&r);
    if (rc == 0)
        rc = number_lines(&r) < 0 ? set_fatal(fatal, name, 0, PZ_EIO, "cannot read the file") : 0;
    if (rc == 0)
        rc = emit(&r);
    if (rc == 0 && sink->on_progress)
        sink->on_progress(r.length, r.length, sink->arg);
    for (size_t i = 0; i < r.n_threads; i++)
        free(r.threads[i].key);
    free(r.threads);
    free(r.msgs);
    free(r.ids);
    return rc;
}

int email_read_stream(FILE *f, const char *name, int mbox, const struct chat_options *opts,
                      const struct chat_sink *sink, struct import_problem *fatal)
{
    GMimeStream *s;
    int rc;

    mime_init();
    s = g_mime_stream_file_new(f);
    g_mime_stream_file_set_owner(GMIME_STREAM_FILE(s), FALSE);
    rc = read_gstream(s, name, mbox, opts, sink, fatal);
    g_object_unref(s);
    return rc;
}

static int read_path(const char *path, int mbox, const struct chat_options *opts,
                     const struct chat_sink *sink, struct import_problem *fatal)
{
    FILE *f = fopen(path, "rb");
    int rc;

    if (!f)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    rc = email_read_stream(f, path, mbox, opts, sink, fatal);
    fclose(f);
    return rc;
}

int email_read_mbox(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                    struct import_problem *fatal)
{
    return read_path(path, 1, opts, sink, fatal);
}

int email_read_eml(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                   struct import_problem *fatal)
{
    return read_path(path, 0, opts, sink, fatal);
}

/* --- sniffing -------------------------------------------------------------------------- */

/* Length of the line at S (up to N), without its end; *NEXT is where the next one starts. */
static size_t line_at(const char *s, size_t n, size_t *next)
{
    const char *nl = memchr(s, '\n', n);
    size_t len = nl ? (size_t)(nl - s) : n;

    *next = nl ? len + 1 : n;
    if (len > 0 && s[len - 1] == '\r')
        len--;
    return len;
}

/* Whether S (N bytes) is a header line "Name: value"; sets *KNOWN for the usual mail headers. */
static int header_line(const char *s, size_t n, int *known)
{
    static const char *const names[] = {
        "from",     "to",           "date",           "subject",      "message-id",
        "received", "return-path",  "mime-version",   "delivered-to", "cc",
        "reply-to", "content-type", "x-gmail-labels", "in-reply-to",  "references"};
    size_t i = 0;

    while (i < n && s[i] > ' ' && s[i] < 0x7F && s[i] != ':')
        i++;
    if (i == 0 || i >= n || s[i] != ':')
        return 0;
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strlen(names[k]) == i && strncasecmp(s, names[k], i) == 0)
            (*known)++;
    return 1;
}

/* Whether DATA (LEN) from offset AT holds a mail header block with two usual headers. */
static int headers_at(const char *data, size_t len, size_t at)
{
    int known = 0, lines = 0;

    while (at < len) {
        size_t next, n = line_at(data + at, len - at, &next);
        const char *s = data + at;
        if (n == 0)
            break;
        if (s[0] == ' ' || s[0] == '\t') {
            if (lines == 0)
                return 0;
        } else if (!header_line(s, n, &known)) {
            return 0;
        }
        lines++;
        at += next;
        if (known >= 2)
            return 1;
    }
    return known >= 2;
}

int email_sniff_mbox(const char *data, size_t len)
{
    size_t next;

    if (len < 6 || memcmp(data, "From ", 5) != 0)
        return 0;
    line_at(data, len, &next);
    return next < len && headers_at(data, len, next);
}

int email_sniff_eml(const char *data, size_t len)
{
    size_t at = 0;

    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        at = 3;
    return headers_at(data, len, at);
}
