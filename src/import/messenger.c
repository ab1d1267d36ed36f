/*
 * The Messenger and Instagram reader. See messenger.h for what it accepts
 * and what it makes of it. The file is streamed (jsonpos.h): the top
 * object's small members parsed as they come, the messages located in one
 * pass and parsed one at a time by jansson in the next, so memory stays
 * bounded whatever the file's size.
 */
#include "import/messenger.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/text.h"
#include "import/charset.h"
#include "import/jsonpos.h"
#include "core/banned.h"

#define NAME_MAX_LEN 300
#define KEY_MAX      600

struct reader {
    const char *name;
    const char *dir; /* the JSON's folder, where media may be; NULL none */
    const struct chat_sink *sink;
    struct pz_buf tmp;
    long reactions; /* on the messages handed out: counted, not imported */
};

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

static void skip(const struct reader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void skip(const struct reader *r, long line, const char *fmt, ...)
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

int messenger_unmojibake(const char *s, size_t n, struct pz_buf *out)
{
    size_t start = out->len, i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (pz_buf_addch(out, (char)c) < 0)
                return PZ_ETOOBIG;
            i++;
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < n) {
            /* U+0080..U+00FF: the byte it stands for. */
            unsigned char b = (unsigned char)(((c & 0x03) << 6) | ((unsigned char)s[i + 1] & 0x3F));
            if (pz_buf_addch(out, (char)b) < 0)
                return PZ_ETOOBIG;
            i += 2;
        } else {
            break; /* a code point above U+00FF: not mojibake */
        }
    }
    if (i == n && pz_utf8_valid(pz_buf_str(out) + start, out->len - start))
        return 0;
    out->len = start;
    if (out->len == 0)
        pz_buf_reset(out);
    return charset_utf8_repair(s, n, out);
}

/* The repaired string member KEY of O into r->tmp; returns it ("" when absent). */
static const char *str(struct reader *r, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    pz_buf_reset(&r->tmp);
    pz_buf_addstr(&r->tmp, "");
    if (json_is_string(v))
        messenger_unmojibake(json_string_value(v), json_string_length(v), &r->tmp);
    return pz_buf_str(&r->tmp);
}

/* Copies the repaired string member KEY of O into OUT (cut at a character). */
static void str_into(struct reader *r, json_t *o, const char *key, char *out, size_t outsz)
{
    const char *s = str(r, o, key);
    size_t n = strlen(s);

    if (n >= outsz)
        n = outsz - 1;
    while (n > 0 && !pz_utf8_valid(s, n))
        n--;
    memcpy(out, s, n);
    out[n] = '\0';
}

static long read_file(void *ctx, char *buf, size_t n)
{
    size_t got = fread(buf, 1, n, ctx);
    return ferror((FILE *)ctx) ? -1 : (long)got;
}

/* Hands out the media at URI (relative to the export's root) as an attachment. */
static int give_media(struct reader *r, const char *uri)
{
    struct chat_attachment a;
    const char *base = uri, *prev = NULL;
    char name[NAME_MAX_LEN + 1], path[4096];
    FILE *f = NULL;
    int rc;

    for (const char *s = uri; *s; s++) {
        if (*s == '/') {
            prev = base;
            base = s + 1;
        }
    }
    snprintf(name, sizeof(name), "%s", base);
    memset(&a, 0, sizeof(a));
    a.name = name;
    a.size = -1;
    if (r->dir && name[0] && name[0] != '.' && !strstr(uri, "..") && !strchr(uri, '\\') &&
        uri[0] != '/') {
        /* Beside the JSON as the export lays it out ("photos/x.jpg"), or right beside it. */
        const char *cands[2] = {prev ? prev : base, base};
        for (int i = 0; i < 2 && !f; i++) {
            struct stat st;
            snprintf(path, sizeof(path), "%s/%s", r->dir, cands[i]);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (f = fopen(path, "rb")) != NULL)
                a.size = (int64_t)st.st_size;
        }
    }
    if (f) {
        a.read = read_file;
        a.ctx = f;
    }
    rc = r->sink->attachment(&a, r->sink->arg);
    if (f)
        fclose(f);
    return rc;
}

static int give_media_list(struct reader *r, json_t *msg, const char *key, int *count)
{
    json_t *list = json_object_get(msg, key), *item;
    size_t i;
    int rc = 0;

    if (json_is_object(list)) { /* "sticker": {"uri": ...} */
        (*count)++;
        return give_media(r, str(r, list, "uri"));
    }
    json_array_foreach(list, i, item)
    {
        char uri[2048];
        if (rc)
            break;
        if (!json_is_object(item))
            continue;
        str_into(r, item, "uri", uri, sizeof(uri));
        (*count)++;
        rc = give_media(r, uri);
    }
    return rc;
}

static int has_media(json_t *msg)
{
    static const char *const keys[] = {"photos", "videos", "audio_files",
                                       "files",  "gifs",   "sticker"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(msg, keys[i]);
        if ((json_is_array(v) && json_array_size(v) > 0) || json_is_object(v))
            return 1;
    }
    return 0;
}

static int emit_message(struct reader *r, json_t *msg, long line)
{
    static const char *const media_keys[] = {"photos", "videos", "audio_files",
                                             "files",  "gifs",   "sticker"};
    struct chat_message m;
    char sender[NAME_MAX_LEN + 1], type[32];
    json_t *ts = json_object_get(msg, "timestamp_ms");
    struct pz_buf text;
    int rc = 0, count = 0;

    if (!json_is_object(msg)) {
        skip(r, line, "a message that is not a JSON object: skipped");
        return 0;
    }
    str_into(r, msg, "sender_name", sender, sizeof(sender));
    if (!json_is_integer(ts) || json_integer_value(ts) <= 0) {
        skip(r, line, "message without timestamp_ms: skipped");
        return 0;
    }
    if (!sender[0]) {
        skip(r, line, "message without sender_name: skipped");
        return 0;
    }
    str_into(r, msg, "type", type, sizeof(type));
    pz_buf_init(&text, CHAT_TEXT_MAX);
    pz_buf_addstr(&text, str(r, msg, "content"));
    if (text.len == 0) {
        json_t *share = json_object_get(msg, "share");
        if (json_is_object(share))
            pz_buf_addstr(&text, str(r, share, "link"));
    }
    memset(&m, 0, sizeof(m));
    m.file = r->name;
    m.line = line;
    m.sender_key = sender;
    m.sender_name = sender;
    m.sent_at = (int64_t)json_integer_value(ts);
    m.edited_at = -1;
    m.kind = CHAT_TEXT;
    if (strcmp(type, "Subscribe") == 0 || strcmp(type, "Unsubscribe") == 0 ||
        strcmp(type, "Call") == 0)
        m.kind = CHAT_SYSTEM;
    else if (has_media(msg))
        m.kind = CHAT_MEDIA;
    m.deleted = json_is_true(json_object_get(msg, "is_unsent"));
    m.text = pz_buf_str(&text);
    m.text_len = text.len;
    r->reactions += (long)json_array_size(json_object_get(msg, "reactions"));
    rc = r->sink->message(&m, r->sink->arg);
    for (size_t i = 0; rc == 0 && i < sizeof(media_keys) / sizeof(media_keys[0]); i++)
        rc = give_media_list(r, msg, media_keys[i], &count);
    pz_buf_release(&text);
    return rc;
}

static int fail_dup(struct jsonpos_error *err, long line, const char *key)
{
    err->line = line;
    snprintf(err->message, sizeof(err->message), "not valid JSON: duplicate object key \"%.60s\"",
             key);
    return -1;
}

static void skip_blanks(const struct jsonpos_doc *doc, size_t *at, long *line)
{
    while (*at < doc->len && (doc->s[*at] == ' ' || doc->s[*at] == '\t' || doc->s[*at] == '\r' ||
                              doc->s[*at] == '\n')) {
        *line += doc->s[*at] == '\n';
        (*at)++;
    }
}

/* The messages, once through: the timestamps of the first and last tell the order. */
struct walk {
    struct reader *r;
    const struct jsonpos_doc *doc;
    struct jsonpos_error *err;
    size_t n;
    int failed; /* a message is not JSON: the file is refused (err) */
};

static int each_message(const struct jsonpos_span *sp, size_t index, void *arg)
{
    struct walk *w = arg;
    const struct chat_sink *sink = w->r->sink;
    json_t *msg = jsonpos_parse(w->doc, sp, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, w->err);
    int rc;

    if (!msg) {
        w->failed = 1;
        return -1;
    }
    rc = emit_message(w->r, msg, sp->line);
    json_decref(msg);
    if (rc == 0 && sink->on_progress && (index & 1023) == 0)
        sink->on_progress((long long)sp->start, (long long)w->doc->len, sink->arg);
    return rc;
}

/* The timestamp_ms of the message at SP; -1 when it has none (or is not JSON: found later). */
static long long timestamp_at(const struct jsonpos_doc *doc, const struct jsonpos_span *sp)
{
    json_t *m = jsonpos_parse(doc, sp, 0, NULL);
    json_t *ts = json_object_get(m, "timestamp_ms");
    long long v = json_is_integer(ts) ? (long long)json_integer_value(ts) : -1;

    json_decref(m);
    return v;
}

/*
 * Reads DOC: the top object's members one by one (all but "messages" parsed
 * as they come: they are small), the messages scanned once for where they
 * are, then parsed and handed out one at a time, oldest first.
 */
static int read_doc(const struct jsonpos_doc *doc, const char *name, const struct chat_sink *sink,
                    struct import_problem *fatal)
{
    struct reader r;
    struct chat_conversation c;
    struct jsonpos_iter it;
    struct jsonpos_span sp;
    struct jsonpos_array msgs;
    struct jsonpos_error err = {1, ""};
    json_t *parts = NULL, *top = json_object(), *p;
    char key[KEY_MAX + 1], title[NAME_MAX_LEN + 1];
    size_t i = 0, n;
    long line = 1;
    int rc = 0, have_msgs = 0;

    memset(&msgs, 0, sizeof(msgs));
    if (doc->len >= 3 && memcmp(doc->s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    skip_blanks(doc, &i, &line);
    if (i >= doc->len || doc->s[i] != '{') {
        json_decref(top);
        return set_fatal(fatal, name, line, PZ_EINVAL,
                         "not a Messenger or Instagram message_N.json (not a JSON object)");
    }
    jsonpos_iter_begin(&it, doc, i, line, &err);
    while ((rc = jsonpos_iter_next(&it, &sp, &err)) == 1) {
        json_t *v;
        if (json_object_get(top, it.key) || (have_msgs && strcmp(it.key, "messages") == 0)) {
            rc = fail_dup(&err, sp.line, it.key);
            break;
        }
        if (strcmp(it.key, "messages") == 0) {
            have_msgs = 1;
            if (doc->s[sp.start] != '[')
                continue; /* refused below, as not a message_N.json */
            if ((rc = jsonpos_array_scan(doc, sp.start, sp.line, &msgs, NULL, NULL, &err)) != 0)
                break;
            continue;
        }
        if (!(v = jsonpos_parse(doc, &sp, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err))) {
            rc = -1;
            break;
        }
        json_object_set_new(top, it.key, v);
    }
    if (rc == 0) {
        /* Nothing but blanks after the object. */
        size_t at = it.at;
        long l = it.line;
        skip_blanks(doc, &at, &l);
        if (at < doc->len) {
            err.line = l;
            snprintf(err.message, sizeof(err.message), "not valid JSON: text after the end");
            rc = -1;
        }
    }
    if (rc != 0) {
        jsonpos_array_free(&msgs);
        json_decref(top);
        return set_fatal(fatal, name, err.line > 0 ? err.line : 1, PZ_EINVAL, "%s", err.message);
    }
    parts = json_object_get(top, "participants");
    if (!json_is_array(parts) || !have_msgs || !msgs.open) {
        jsonpos_array_free(&msgs);
        json_decref(top);
        return set_fatal(fatal, name, 1, PZ_EINVAL,
                         "not a Messenger or Instagram message_N.json (no participants and "
                         "messages)");
    }
    memset(&r, 0, sizeof(r));
    r.name = name;
    r.sink = sink;
    pz_buf_init(&r.tmp, CHAT_TEXT_MAX);
    {
        const char *slash = strrchr(name, '/');
        r.dir = slash ? xstrndup(name, (size_t)(slash - name)) : NULL;
    }
    str_into(&r, top, "thread_path", key, sizeof(key));
    str_into(&r, top, "title", title, sizeof(title));
    if (!key[0]) {
        /* Older exports have no thread_path: the title stands for the chat. */
        char t[NAME_MAX_LEN + 8];
        snprintf(t, sizeof(t), "title:%s", title[0] ? title : "?");
        snprintf(key, sizeof(key), "%s", t);
    }
    memset(&c, 0, sizeof(c));
    c.file = name;
    c.line = 1;
    c.channel = strcasestr(name, "instagram") ? "instagram" : "messenger";
    c.key = key;
    c.title = title;
    c.is_group = json_array_size(parts) > 2 ? 1 : 0;
    rc = sink->begin(&c, sink->arg);
    json_array_foreach(parts, n, p)
    {
        char pname[NAME_MAX_LEN + 1];
        struct chat_participant cp;
        if (rc)
            break;
        if (!json_is_object(p))
            continue;
        str_into(&r, p, "name", pname, sizeof(pname));
        if (!pname[0])
            continue;
        memset(&cp, 0, sizeof(cp));
        cp.key = pname;
        cp.name = pname;
        rc = sink->participant(&cp, sink->arg);
    }
    if (rc == 0) {
        /* Newest first in the file (as Facebook writes them): handed out oldest first. */
        struct walk w = {&r, doc, &err, msgs.n, 0};
        long long first = msgs.n ? timestamp_at(doc, &msgs.first) : -1;
        long long last = msgs.n ? timestamp_at(doc, &msgs.last) : -1;
        int newest_first = first >= 0 && last >= 0 && first > last;
        rc = jsonpos_array_walk(doc, &msgs, newest_first, each_message, &w, &err);
        if (w.failed || rc < 0)
            rc = set_fatal(fatal, name, err.line > 0 ? err.line : 1, PZ_EINVAL, "%s", err.message);
    }
    if (rc == 0 && sink->on_progress)
        sink->on_progress((long long)doc->len, (long long)doc->len, sink->arg);
    if (rc == 0)
        rc = sink->end(sink->arg);
    if (rc == 0)
        chat_note_reactions(sink, name, r.reactions);
    jsonpos_array_free(&msgs);
    free((char *)r.dir);
    pz_buf_release(&r.tmp);
    json_decref(top);
    return rc;
}

int messenger_read_buffer(const char *data, size_t len, const char *name,
                          const struct chat_options *opts, const struct chat_sink *sink,
                          struct import_problem *fatal)
{
    struct jsonpos_doc doc = {data, len, 0};

    (void)opts;
    return read_doc(&doc, name, sink, fatal);
}

int messenger_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                   struct import_problem *fatal)
{
    struct jsonpos_doc doc;
    int rc;

    (void)opts;
    if (jsonpos_map(path, &doc) < 0)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    rc = read_doc(&doc, path, sink, fatal);
    jsonpos_unmap(&doc);
    return rc;
}

int messenger_sniff(const char *data, size_t len)
{
    size_t i = 0;

    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i >= len || data[i] != '{')
        return 0;
    return memmem(data, len, "\"participants\"", 14) &&
           (memmem(data, len, "\"sender_name\"", 13) || memmem(data, len, "\"thread_path\"", 13));
}
