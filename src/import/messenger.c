/*
 * The Messenger and Instagram reader. See messenger.h for what it accepts
 * and what it makes of it. jansson parses the file; jsonpos gives each
 * message the line it starts on, for the problems it reports.
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
    rc = r->sink->message(&m, r->sink->arg);
    for (size_t i = 0; rc == 0 && i < sizeof(media_keys) / sizeof(media_keys[0]); i++)
        rc = give_media_list(r, msg, media_keys[i], &count);
    pz_buf_release(&text);
    return rc;
}

int messenger_read_buffer(const char *data, size_t len, const char *name,
                          const struct chat_options *opts, const struct chat_sink *sink,
                          struct import_problem *fatal)
{
    static const char *const msg_path[] = {"messages", "*"};
    struct reader r;
    struct chat_conversation c;
    json_error_t jerr;
    json_t *root, *parts, *msgs, *p;
    char key[KEY_MAX + 1], title[NAME_MAX_LEN + 1];
    long *lines;
    size_t n_lines, i, n;
    int rc = 0;

    (void)opts;
    root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!root)
        return set_fatal(fatal, name, jerr.line > 0 ? jerr.line : 1, PZ_EINVAL,
                         "not valid JSON: %s", jerr.text);
    parts = json_object_get(root, "participants");
    msgs = json_object_get(root, "messages");
    if (!json_is_object(root) || !json_is_array(msgs) || !json_is_array(parts)) {
        json_decref(root);
        return set_fatal(fatal, name, 1, PZ_EINVAL,
                         "not a Messenger or Instagram message_N.json (no participants and "
                         "messages)");
    }
    memset(&r, 0, sizeof(r));
    r.name = name;
    r.sink = sink;
    pz_buf_init(&r.tmp, CHAT_TEXT_MAX);
    {
        char *slash = strrchr(name, '/');
        r.dir = NULL;
        if (slash) {
            char *d = xstrndup(name, (size_t)(slash - name));
            r.dir = d;
        }
    }
    lines = jsonpos_lines(data, len, msg_path, 2, &n_lines);

    str_into(&r, root, "thread_path", key, sizeof(key));
    str_into(&r, root, "title", title, sizeof(title));
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
    json_array_foreach(parts, i, p)
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
    /* Newest first in the file (as Facebook writes them): handed out oldest first. */
    n = json_array_size(msgs);
    {
        json_t *first = n ? json_object_get(json_array_get(msgs, 0), "timestamp_ms") : NULL;
        json_t *last = n ? json_object_get(json_array_get(msgs, n - 1), "timestamp_ms") : NULL;
        int newest_first = json_is_integer(first) && json_is_integer(last) &&
                           json_integer_value(first) > json_integer_value(last);
        for (size_t k = 0; rc == 0 && k < n; k++) {
            size_t at = newest_first ? n - 1 - k : k;
            rc = emit_message(&r, json_array_get(msgs, at), lines && n_lines == n ? lines[at] : 0);
            if (sink->on_progress && (k & 1023) == 0)
                sink->on_progress((long long)k, (long long)n, sink->arg);
        }
    }
    if (rc == 0 && sink->on_progress)
        sink->on_progress((long long)n, (long long)n, sink->arg);
    if (rc == 0)
        rc = sink->end(sink->arg);
    free(lines);
    free((char *)r.dir);
    pz_buf_release(&r.tmp);
    json_decref(root);
    return rc;
}

int messenger_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                   struct import_problem *fatal)
{
    char *data;
    size_t len;
    int rc = jsonpos_read_file(path, MESSENGER_FILE_MAX, &data, &len);

    if (rc == PZ_ETOOBIG)
        return set_fatal(fatal, path, 0, PZ_ETOOBIG, "larger than %u MB", MESSENGER_FILE_MAX >> 20);
    if (rc < 0)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    rc = messenger_read_buffer(data, len, path, opts, sink, fatal);
    free(data);
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
