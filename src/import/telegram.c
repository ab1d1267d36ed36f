/*
 * The Telegram Desktop reader. See telegram.h for what it accepts and what
 * it makes of it.
 */
#include "import/telegram.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/tz.h"
#include "import/charset.h"
#include "import/jsonpos.h"
#include "core/banned.h"

#define ID_MAX    64
#define NAME_MAX_ 300

struct reader {
    const char *name;
    const char *dir;
    const struct chat_sink *sink;
    struct pz_tz *tz;
    char me[ID_MAX]; /* "user123" of the account, "" when unknown */
    struct pz_buf text;
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

/* A string or integer member KEY of O as text into OUT ("" when absent or not UTF-8). */
static const char *text_of(json_t *o, const char *key, char *out, size_t outsz)
{
    json_t *v = json_object_get(o, key);
    size_t n;

    out[0] = '\0';
    if (json_is_string(v))
        snprintf(out, outsz, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, outsz, "%lld", (long long)json_integer_value(v));
    n = strlen(out);
    while (n > 0 && !pz_utf8_valid(out, n))
        out[--n] = '\0';
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    return out;
}

/* "2024-01-15T10:30:00" into local seconds; -1 when it is not such a time. */
static int64_t local_seconds(const char *s)
{
    int v[6] = {0};
    static const int len[6] = {4, 2, 2, 2, 2, 2};
    static const char seps[6] = {'-', '-', 'T', ':', ':', '\0'};

    for (int k = 0; k < 6; k++) {
        for (int i = 0; i < len[k]; i++, s++) {
            if (*s < '0' || *s > '9')
                return -1;
            v[k] = v[k] * 10 + (*s - '0');
        }
        if (seps[k] && *s++ != seps[k])
            return -1;
    }
    if (*s || !pz_date_valid(v[0], v[1], v[2]) || v[3] > 23 || v[4] > 59 || v[5] > 60)
        return -1;
    return pz_civil_to_days(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
}

/* The UTC ms of a message's time: its *_unixtime member UNIX, else the local DATE. */
static int64_t when(struct reader *r, json_t *m, const char *unix_key, const char *date_key)
{
    char buf[40];
    int64_t local, utc;

    text_of(m, unix_key, buf, sizeof(buf));
    if (buf[0]) {
        int64_t v = 0;
        if (pz_parse_int64(buf, 0, 100000000000LL, &v) == 0)
            return v * 1000;
    }
    local = local_seconds(text_of(m, date_key, buf, sizeof(buf)));
    if (local < 0)
        return -1;
    pz_tz_to_utc(r->tz, local, 0, &utc);
    return utc * 1000;
}

/* The plain text of a "text" member: a string, or an array of strings and {text} objects. */
static void plain_text(struct reader *r, json_t *t)
{
    size_t i;
    json_t *part;

    pz_buf_reset(&r->text);
    pz_buf_addstr(&r->text, "");
    if (json_is_string(t)) {
        charset_utf8_repair(json_string_value(t), json_string_length(t), &r->text);
        return;
    }
    json_array_foreach(t, i, part)
    {
        json_t *s = json_is_object(part) ? json_object_get(part, "text") : part;
        if (json_is_string(s))
            charset_utf8_repair(json_string_value(s), json_string_length(s), &r->text);
    }
}

static long read_file(void *ctx, char *buf, size_t n)
{
    size_t got = fread(buf, 1, n, ctx);
    return ferror((FILE *)ctx) ? -1 : (long)got;
}

/* Hands out the photo or file at PATH (relative to result.json) as an attachment. */
static int give_media(struct reader *r, const char *rel, const char *name_hint, const char *mime)
{
    struct chat_attachment a;
    const char *base = rel;
    char name[NAME_MAX_ + 1], path[4096];
    int included = rel[0] && rel[0] != '(';
    FILE *f = NULL;
    int rc;

    for (const char *s = rel; *s; s++)
        if (*s == '/')
            base = s + 1;
    snprintf(name, sizeof(name), "%s",
             name_hint && name_hint[0] ? name_hint : (included ? base : ""));
    memset(&a, 0, sizeof(a));
    a.name = name;
    a.mime_type = mime && mime[0] ? mime : NULL;
    a.size = -1;
    if (included && r->dir && !strstr(rel, "..") && rel[0] != '/' && !strchr(rel, '\\')) {
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", r->dir, rel);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (f = fopen(path, "rb")) != NULL) {
            a.size = (int64_t)st.st_size;
            a.read = read_file;
            a.ctx = f;
        }
    }
    rc = r->sink->attachment(&a, r->sink->arg);
    if (f)
        fclose(f);
    return rc;
}

/* A service message in words: "Alice: invite_members Bob, Carol". */
static void service_text(struct reader *r, json_t *m)
{
    char actor[NAME_MAX_ + 1], action[64], title[NAME_MAX_ + 1];
    json_t *members = json_object_get(m, "members"), *v;
    size_t i;

    text_of(m, "actor", actor, sizeof(actor));
    text_of(m, "action", action, sizeof(action));
    pz_buf_printf(&r->text, "%s%s%s", actor, actor[0] ? ": " : "", action[0] ? action : "service");
    if (text_of(m, "title", title, sizeof(title))[0])
        pz_buf_printf(&r->text, " \"%s\"", title);
    json_array_foreach(members, i, v)
    {
        if (json_is_string(v) && pz_utf8_valid(json_string_value(v), json_string_length(v)))
            pz_buf_printf(&r->text, "%s%s", i ? ", " : " ", json_string_value(v));
    }
}

/* How many reactions a message's "reactions" holds: [{"type", "count", "emoji"}...]. */
static long reaction_count(json_t *list)
{
    json_t *v;
    size_t i;
    long n = 0;

    json_array_foreach(list, i, v)
    {
        json_t *c = json_object_get(v, "count");
        n += json_is_integer(c) && json_integer_value(c) > 0 && json_integer_value(c) < 1000000
                 ? (long)json_integer_value(c)
                 : 1;
    }
    return n;
}

static int emit_message(struct reader *r, const char *data, const struct jsonpos_span *sp,
                        long line)
{
    struct chat_message cm;
    json_error_t jerr;
    json_t *m = json_loadb(data + sp->start, sp->end - sp->start, 0, &jerr);
    char id[ID_MAX], type[32], from[NAME_MAX_ + 1], from_id[ID_MAX], reply[ID_MAX], date[40];
    char photo[1024], file[1024], fname[NAME_MAX_ + 1], mime[128];
    int rc = 0;

    if (!json_is_object(m)) {
        skip(r, line, "a message that is not a JSON object: skipped");
        json_decref(m);
        return 0;
    }
    text_of(m, "id", id, sizeof(id));
    text_of(m, "type", type, sizeof(type));
    memset(&cm, 0, sizeof(cm));
    cm.sent_at = when(r, m, "date_unixtime", "date");
    if (!id[0] || cm.sent_at < 0) {
        skip(r, line, "message without %s: skipped", id[0] ? "a readable date" : "an id");
        json_decref(m);
        return 0;
    }
    text_of(m, "from", from, sizeof(from));
    text_of(m, "from_id", from_id, sizeof(from_id));
    if (strcmp(type, "service") == 0) {
        text_of(m, "actor", from, sizeof(from));
        text_of(m, "actor_id", from_id, sizeof(from_id));
    }
    if (from_id[0] || from[0]) {
        struct chat_participant p;
        memset(&p, 0, sizeof(p));
        p.key = from_id[0] ? from_id : from;
        p.name = from[0] ? from : p.key;
        p.is_me = r->me[0] && strcmp(p.key, r->me) == 0;
        if ((rc = r->sink->participant(&p, r->sink->arg)) != 0) {
            json_decref(m);
            return rc;
        }
    }
    cm.file = r->name;
    cm.line = line;
    cm.source_id = id;
    text_of(m, "date", date, sizeof(date));
    cm.local_time = local_seconds(date) >= 0 ? date : NULL;
    cm.time_zone = json_object_get(m, "date_unixtime") ? NULL : pz_tz_name(r->tz);
    plain_text(r, json_object_get(m, "text"));
    text_of(m, "photo", photo, sizeof(photo));
    text_of(m, "file", file, sizeof(file));
    text_of(m, "file_name", fname, sizeof(fname));
    text_of(m, "mime_type", mime, sizeof(mime));
    if (!fname[0] && file[0] == '(')
        text_of(m, "media_type", fname, sizeof(fname)); /* "voice_message": not in the export */
    if (strcmp(type, "service") == 0) {
        cm.kind = CHAT_SYSTEM;
        if (r->text.len == 0)
            service_text(r, m);
    } else {
        cm.kind = photo[0] || file[0] ? CHAT_MEDIA : CHAT_TEXT;
        cm.sender_key = from_id[0] ? from_id : (from[0] ? from : NULL);
        cm.sender_name = from[0] ? from : cm.sender_key;
        if (!cm.sender_key)
            cm.kind = CHAT_SYSTEM; /* a channel post without author */
    }
    if (text_of(m, "reply_to_message_id", reply, sizeof(reply))[0])
        cm.reply_to_source_id = reply;
    cm.edited = json_object_get(m, "edited") != NULL;
    cm.edited_at = cm.edited ? when(r, m, "edited_unixtime", "edited") : -1;
    cm.text = pz_buf_str(&r->text);
    cm.text_len = r->text.len;
    r->reactions += reaction_count(json_object_get(m, "reactions"));
    rc = r->sink->message(&cm, r->sink->arg);
    if (rc == 0 && photo[0])
        rc = give_media(r, photo, NULL, "image/jpeg");
    if (rc == 0 && file[0])
        rc = give_media(r, file, fname, mime);
    json_decref(m);
    return rc;
}

/* A scalar member KEY of the chat at [start, end) (found without parsing the chat). */
static json_t *chat_member(const char *data, size_t start, size_t end, const char *key)
{
    const char *path[1] = {key};
    size_t n;
    struct jsonpos_span *sp = jsonpos_spans(data + start, end - start, path, 1, &n, NULL);
    json_t *v = NULL;

    if (n > 0)
        v = json_loadb(data + start + sp[0].start, sp[0].end - sp[0].start, JSON_DECODE_ANY, NULL);
    free(sp);
    return v;
}

static int emit_chat(struct reader *r, const char *data, size_t start, size_t end, long line0)
{
    static const char *const msgs_path[] = {"messages", "*"};
    static const char *const one_to_one[] = {"personal_chat", "saved_messages", "bot_chat"};
    struct chat_conversation c;
    json_t *jname = chat_member(data, start, end, "name");
    json_t *jtype = chat_member(data, start, end, "type");
    json_t *jid = chat_member(data, start, end, "id");
    char key[ID_MAX], title[NAME_MAX_ + 1], type[40];
    struct jsonpos_span *sp;
    size_t n;
    int rc;

    key[0] = title[0] = type[0] = '\0';
    if (json_is_integer(jid))
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(jid));
    else if (json_is_string(jid))
        snprintf(key, sizeof(key), "%s", json_string_value(jid));
    if (json_is_string(jname))
        snprintf(title, sizeof(title), "%s", json_string_value(jname));
    if (json_is_string(jtype))
        snprintf(type, sizeof(type), "%s", json_string_value(jtype));
    json_decref(jname);
    json_decref(jtype);
    json_decref(jid);
    {
        size_t tn = strlen(title);
        while (tn > 0 && !pz_utf8_valid(title, tn))
            title[--tn] = '\0';
        if (!pz_utf8_valid(key, strlen(key)))
            key[0] = '\0';
    }
    if (!key[0]) {
        skip(r, line0, "chat without an id: skipped");
        return 0;
    }
    memset(&c, 0, sizeof(c));
    c.file = r->name;
    c.line = line0;
    c.channel = "telegram";
    c.key = key;
    c.title = title;
    c.is_group = 1;
    for (size_t i = 0; i < sizeof(one_to_one) / sizeof(one_to_one[0]); i++)
        if (strcmp(type, one_to_one[i]) == 0)
            c.is_group = 0;
    rc = r->sink->begin(&c, r->sink->arg);
    sp = jsonpos_spans(data + start, end - start, msgs_path, 2, &n, NULL);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct jsonpos_span abs = {start + sp[i].start, start + sp[i].end, sp[i].line};
        rc = emit_message(r, data, &abs, line0 + sp[i].line - 1);
        if (r->sink->on_progress && (i & 1023) == 0)
            r->sink->on_progress((long long)abs.start, -1, r->sink->arg);
    }
    free(sp);
    if (rc == 0)
        rc = r->sink->end(r->sink->arg);
    return rc;
}

int telegram_read_buffer(const char *data, size_t len, const char *name, const char *dir,
                         const struct chat_options *opts, const struct chat_sink *sink,
                         struct import_problem *fatal)
{
    static const char *const lists[2][3] = {{"chats", "list", "*"}, {"left_chats", "list", "*"}};
    static const char *const msgs_path[] = {"messages", "*"};
    static const char *const me_path[] = {"personal_information", "user_id"};
    const char *zone = opts && opts->time_zone ? opts->time_zone : "Europe/Rome";
    struct reader r;
    struct jsonpos_span *sp;
    size_t n, i = 0;
    int complete = 0, rc = 0, chats = 0;

    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i >= len || data[i] != '{')
        return set_fatal(fatal, name, 1, PZ_EINVAL, "not a Telegram export: not a JSON object");
    /* Is it JSON to the end? (A file cut short is refused, not half imported.) */
    free(jsonpos_spans(data, len, msgs_path, 2, &n, &complete));
    if (!complete)
        return set_fatal(fatal, name, 1, PZ_EINVAL,
                         "not valid JSON: the file ends before its data does (cut short?)");
    memset(&r, 0, sizeof(r));
    r.name = name;
    r.dir = dir;
    r.sink = sink;
    if (pz_tz_load(zone, &r.tz) < 0)
        return set_fatal(fatal, name, 0, PZ_EINVAL, "unknown time zone '%s'", zone);
    pz_buf_init(&r.text, CHAT_TEXT_MAX);
    sp = jsonpos_spans(data, len, me_path, 2, &n, NULL);
    if (n > 0) {
        json_t *v = json_loadb(data + sp[0].start, sp[0].end - sp[0].start, JSON_DECODE_ANY, NULL);
        if (json_is_integer(v))
            snprintf(r.me, sizeof(r.me), "user%lld", (long long)json_integer_value(v));
        json_decref(v);
    }
    free(sp);
    for (int l = 0; rc == 0 && l < 2; l++) {
        sp = jsonpos_spans(data, len, lists[l], 3, &n, NULL);
        for (size_t k = 0; rc == 0 && k < n; k++, chats++)
            rc = emit_chat(&r, data, sp[k].start, sp[k].end, sp[k].line);
        free(sp);
    }
    if (rc == 0 && chats == 0) {
        /* One chat: the top object is the chat. */
        json_t *has = NULL;
        sp = jsonpos_spans(data, len, msgs_path, 1, &n, NULL);
        (void)has;
        if (n == 0)
            rc = set_fatal(fatal, name, 1, PZ_EINVAL,
                           "not a Telegram Desktop export (no messages and no chats.list)");
        else
            rc = emit_chat(&r, data, 0, len, 1);
        free(sp);
    }
    if (rc == 0)
        chat_note_reactions(sink, name, r.reactions);
    pz_buf_release(&r.text);
    pz_tz_free(r.tz);
    return rc;
}

int telegram_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                  struct import_problem *fatal)
{
    struct stat st;
    const char *slash = strrchr(path, '/');
    char *dir;
    void *map;
    int fd = open(path, O_RDONLY), rc;

    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    if (st.st_size == 0) {
        close(fd);
        return set_fatal(fatal, path, 1, PZ_EINVAL, "not a Telegram export: the file is empty");
    }
    /* Mapped, not read: pages of a large export come and go as the scan passes. */
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot read: %s", strerror(errno));
    dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    rc = telegram_read_buffer(map, (size_t)st.st_size, path, dir, opts, sink, fatal);
    free(dir);
    munmap(map, (size_t)st.st_size);
    return rc;
}

/* Whether the LEN bytes at DATA hold LIT. */
static int has(const char *data, size_t len, const char *lit)
{
    return data && memmem(data, len, lit, strlen(lit)) != NULL;
}

int telegram_sniff(const char *data, size_t len)
{
    size_t i = 0;

    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i >= len || data[i] != '{')
        return 0;
    /* A whole account, or a chat whose messages have Telegram's own members. */
    return (has(data, len, "\"personal_information\"") && has(data, len, "\"chats\"")) ||
           (has(data, len, "\"messages\"") &&
            (has(data, len, "\"from_id\"") || has(data, len, "\"date_unixtime\"") ||
             has(data, len, "_chat\"") || has(data, len, "\"private_channel\"")));
}
