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
    const struct jsonpos_doc *doc;
    const char *name;
    const char *dir;
    const struct chat_sink *sink;
    struct pz_tz *tz;
    char me[ID_MAX]; /* "user123" of the account, "" when unknown */
    struct pz_buf text;
    long reactions; /* on the messages handed out: counted, not imported */
    int chats;      /* chats of the lists met */
    char **seen;    /* the participants this chat announced: a set, cap_seen slots */
    size_t n_seen, cap_seen;
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

/* Announces the participant KEY (NAME) unless this chat already did: once each. */
static int announce(struct reader *r, const char *key, const char *name)
{
    struct chat_participant p;
    size_t mask, i;

    if (r->n_seen * 2 >= r->cap_seen) {
        size_t cap = r->cap_seen ? 2 * r->cap_seen : 64;
        char **old = r->seen, **fresh = xcalloc(cap, sizeof(*fresh));
        for (size_t k = 0; k < r->cap_seen; k++) {
            if (!old[k])
                continue;
            for (i = pz_hash64(old[k], strlen(old[k])) & (cap - 1); fresh[i];
                 i = (i + 1) & (cap - 1))
                ;
            fresh[i] = old[k];
        }
        free(old);
        r->seen = fresh;
        r->cap_seen = cap;
    }
    mask = r->cap_seen - 1;
    for (i = pz_hash64(key, strlen(key)) & mask; r->seen[i]; i = (i + 1) & mask)
        if (strcmp(r->seen[i], key) == 0)
            return 0;
    r->seen[i] = xstrdup(key);
    r->n_seen++;
    memset(&p, 0, sizeof(p));
    p.key = key;
    p.name = name;
    p.is_me = r->me[0] && strcmp(key, r->me) == 0;
    return r->sink->participant(&p, r->sink->arg);
}

static void forget_participants(struct reader *r)
{
    for (size_t k = 0; k < r->cap_seen; k++)
        free(r->seen[k]);
    free(r->seen);
    r->seen = NULL;
    r->n_seen = r->cap_seen = 0;
}

static int emit_message(struct reader *r, const struct jsonpos_span *sp)
{
    struct chat_message cm;
    json_t *m = jsonpos_parse(r->doc, sp, 0, NULL);
    char id[ID_MAX], type[32], from[NAME_MAX_ + 1], from_id[ID_MAX], reply[ID_MAX], date[40];
    char photo[1024], file[1024], fname[NAME_MAX_ + 1], mime[128];
    long line = sp->line;
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
    if ((from_id[0] || from[0]) &&
        (rc = announce(r, from_id[0] ? from_id : from, from[0] ? from : from_id)) != 0) {
        json_decref(m);
        return rc;
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

/* A string or integer value at SP as text into OUT ("" otherwise). */
static void scalar_at(const struct reader *r, const struct jsonpos_span *sp, char *out,
                      size_t outsz)
{
    json_t *v = jsonpos_parse(r->doc, sp, 0, NULL);

    out[0] = '\0';
    if (json_is_integer(v))
        snprintf(out, outsz, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        snprintf(out, outsz, "%s", json_string_value(v));
    json_decref(v);
}

/*
 * The chat whose object is at CHAT: its members walked once for its name, type and id and
 * where its messages are (they may come in any order), then its messages walked and parsed
 * one at a time, the pages behind let go. The file was walked whole before (read_doc), so
 * the walks here meet no broken JSON.
 */
static int emit_chat(struct reader *r, const struct jsonpos_span *chat)
{
    static const char *const one_to_one[] = {"personal_chat", "saved_messages", "bot_chat"};
    struct chat_conversation c;
    struct jsonpos_iter it;
    struct jsonpos_span sp, msgs = {0, 0, 0};
    char key[ID_MAX], title[NAME_MAX_ + 1], type[40];
    size_t dropped, n = 0;
    int rc, have_msgs = 0;

    key[0] = title[0] = type[0] = '\0';
    if (jsonpos_iter_begin(&it, r->doc, chat->start, chat->line, NULL) < 0)
        return 0; /* not an object: nothing to read in it */
    while (jsonpos_iter_next(&it, &sp, NULL) == 1) {
        if (strcmp(it.key, "name") == 0)
            scalar_at(r, &sp, title, sizeof(title));
        else if (strcmp(it.key, "type") == 0)
            scalar_at(r, &sp, type, sizeof(type));
        else if (strcmp(it.key, "id") == 0)
            scalar_at(r, &sp, key, sizeof(key));
        else if (strcmp(it.key, "messages") == 0 && r->doc->s[sp.start] == '[') {
            msgs = sp;
            have_msgs = 1;
        }
    }
    {
        size_t tn = strlen(title);
        while (tn > 0 && !pz_utf8_valid(title, tn))
            title[--tn] = '\0';
        if (!pz_utf8_valid(key, strlen(key)))
            key[0] = '\0';
    }
    if (!key[0]) {
        skip(r, chat->line, "chat without an id: skipped");
        return 0;
    }
    memset(&c, 0, sizeof(c));
    c.file = r->name;
    c.line = chat->line;
    c.channel = "telegram";
    c.key = key;
    c.title = title;
    c.is_group = 1;
    for (size_t i = 0; i < sizeof(one_to_one) / sizeof(one_to_one[0]); i++)
        if (strcmp(type, one_to_one[i]) == 0)
            c.is_group = 0;
    forget_participants(r);
    rc = r->sink->begin(&c, r->sink->arg);
    dropped = msgs.start;
    if (rc == 0 && have_msgs && jsonpos_iter_begin(&it, r->doc, msgs.start, msgs.line, NULL) == 0) {
        while (rc == 0 && jsonpos_iter_next(&it, &sp, NULL) == 1) {
            rc = emit_message(r, &sp);
            if ((++n & 1023) == 0) {
                if (r->sink->on_progress)
                    r->sink->on_progress((long long)sp.start, (long long)r->doc->len, r->sink->arg);
                jsonpos_drop(r->doc, dropped, sp.start);
                dropped = sp.start;
            }
        }
        jsonpos_drop(r->doc, dropped, it.at);
    }
    if (rc == 0)
        rc = r->sink->end(r->sink->arg);
    return rc;
}

/* The chats of the list at SP (an object {about, list: [...]}), one after another. */
static int emit_list(struct reader *r, const struct jsonpos_span *sp)
{
    struct jsonpos_iter it, items;
    struct jsonpos_span m, chat;
    int rc = 0;

    if (jsonpos_iter_begin(&it, r->doc, sp->start, sp->line, NULL) < 0 || it.closer != '}')
        return 0;
    while (rc == 0 && jsonpos_iter_next(&it, &m, NULL) == 1) {
        if (strcmp(it.key, "list") != 0 || r->doc->s[m.start] != '[' ||
            jsonpos_iter_begin(&items, r->doc, m.start, m.line, NULL) < 0)
            continue;
        while (rc == 0 && jsonpos_iter_next(&items, &chat, NULL) == 1) {
            r->chats++;
            rc = emit_chat(r, &chat);
        }
    }
    return rc;
}

/*
 * Reads DOC. Its top object is walked first, member by member: that checks the whole file
 * as JSON (a file cut short is refused before anything is handed out) and finds the parts,
 * without parsing the large ones. Then the chats are read one at a time (emit_chat).
 */
static int read_doc(const struct jsonpos_doc *doc, const char *name, const char *dir,
                    const struct chat_options *opts, const struct chat_sink *sink,
                    struct import_problem *fatal)
{
    const char *zone = opts && opts->time_zone ? opts->time_zone : "Europe/Rome";
    struct reader r;
    struct jsonpos_iter it;
    struct jsonpos_span sp, lists[2], top;
    struct jsonpos_error err = {1, ""};
    size_t i = 0;
    long line = 1;
    int rc, n_lists = 0, have_msgs = 0;

    while (i < doc->len &&
           (doc->s[i] == ' ' || doc->s[i] == '\n' || doc->s[i] == '\r' || doc->s[i] == '\t'))
        line += doc->s[i++] == '\n';
    if (i >= doc->len || doc->s[i] != '{')
        return set_fatal(fatal, name, line, PZ_EINVAL, "not a Telegram export: not a JSON object");
    memset(&r, 0, sizeof(r));
    top.start = i;
    top.line = line;
    jsonpos_iter_begin(&it, doc, i, line, &err);
    while ((rc = jsonpos_iter_next(&it, &sp, &err)) == 1) {
        if ((strcmp(it.key, "chats") == 0 || strcmp(it.key, "left_chats") == 0) &&
            doc->s[sp.start] == '{' && n_lists < 2) {
            /* chats before left_chats, whichever the file gives first */
            int at = strcmp(it.key, "chats") == 0 ? 0 : n_lists;
            if (at == 0 && n_lists == 1)
                lists[1] = lists[0];
            lists[at] = sp;
            n_lists++;
        } else if (strcmp(it.key, "messages") == 0) {
            have_msgs = 1;
        } else if (strcmp(it.key, "personal_information") == 0 && doc->s[sp.start] == '{') {
            struct jsonpos_iter pi;
            struct jsonpos_span v;
            char id[ID_MAX - 8];
            jsonpos_iter_begin(&pi, doc, sp.start, sp.line, NULL);
            while (jsonpos_iter_next(&pi, &v, NULL) == 1)
                if (strcmp(pi.key, "user_id") == 0 && doc->s[v.start] >= '0' &&
                    doc->s[v.start] <= '9') {
                    r.doc = doc;
                    scalar_at(&r, &v, id, sizeof(id));
                    snprintf(r.me, sizeof(r.me), "user%s", id);
                }
        }
    }
    if (rc == 0) {
        size_t at = it.at;
        long l = it.line;
        while (at < doc->len && (doc->s[at] == ' ' || doc->s[at] == '\n' || doc->s[at] == '\r' ||
                                 doc->s[at] == '\t'))
            l += doc->s[at++] == '\n';
        if (at < doc->len) {
            err.line = l;
            snprintf(err.message, sizeof(err.message), "not valid JSON: text after the end");
            rc = -1;
        }
    }
    if (rc != 0)
        return set_fatal(fatal, name, err.line > 0 ? err.line : 1, PZ_EINVAL, "%s", err.message);
    top.end = it.at;
    jsonpos_drop(doc, 0, doc->len);
    r.doc = doc;
    r.name = name;
    r.dir = dir;
    r.sink = sink;
    if (pz_tz_load(zone, &r.tz) < 0)
        return set_fatal(fatal, name, 0, PZ_EINVAL, "unknown time zone '%s'", zone);
    pz_buf_init(&r.text, CHAT_TEXT_MAX);
    rc = 0;
    for (int l = 0; rc == 0 && l < n_lists; l++)
        rc = emit_list(&r, &lists[l]);
    if (rc == 0 && r.chats == 0) {
        if (!have_msgs) /* One chat: the top object is the chat. */
            rc = set_fatal(fatal, name, 1, PZ_EINVAL,
                           "not a Telegram Desktop export (no messages and no chats.list)");
        else
            rc = emit_chat(&r, &top);
    }
    if (rc == 0)
        chat_note_reactions(sink, name, r.reactions);
    forget_participants(&r);
    pz_buf_release(&r.text);
    pz_tz_free(r.tz);
    return rc;
}

int telegram_read_buffer(const char *data, size_t len, const char *name, const char *dir,
                         const struct chat_options *opts, const struct chat_sink *sink,
                         struct import_problem *fatal)
{
    struct jsonpos_doc doc = {data, len, 0};

    return read_doc(&doc, name, dir, opts, sink, fatal);
}

int telegram_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                  struct import_problem *fatal)
{
    struct jsonpos_doc doc;
    const char *slash = strrchr(path, '/');
    char *dir;
    int rc;

    if (jsonpos_map(path, &doc) < 0)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    if (doc.len == 0) {
        jsonpos_unmap(&doc);
        return set_fatal(fatal, path, 1, PZ_EINVAL, "not a Telegram export: the file is empty");
    }
    /* Mapped, not read: pages of a large export come and go as the walks pass. */
    dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    rc = read_doc(&doc, path, dir, opts, sink, fatal);
    free(dir);
    jsonpos_unmap(&doc);
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
