/*
 * The X archive reader. See xarchive.h for what it accepts and what it makes
 * of it. What follows the '=' is streamed (jsonpos.h): one conversation at
 * a time, its messages located in one pass and parsed one by one by jansson
 * in the next, so memory stays bounded whatever the file's size.
 */
#include "import/xarchive.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    const char *me;
    const char *dir;
    const struct chat_sink *sink;
    struct pz_buf text;
    long reactions; /* on the messages handed out: counted, not imported */
    int group;      /* the conversation being read is a group */
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

static int digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int64_t xarchive_time(const char *in)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
    char t[40] = {0};
    const char *s = t;
    size_t n;

    if (!in)
        return -1;
    snprintf(t, sizeof(t), "%s", in);
    n = strlen(t);

    if (n < 20 || digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
        digits(s + 8, 2, &d) < 0 || s[10] != 'T' || digits(s + 11, 2, &h) < 0 || s[13] != ':' ||
        digits(s + 14, 2, &mi) < 0 || s[16] != ':' || digits(s + 17, 2, &sec) < 0)
        return -1;
    s += 19;
    if (*s == '.') {
        int k = 0;
        s++;
        while (*s >= '0' && *s <= '9') {
            if (k < 3)
                ms = ms * 10 + (*s - '0');
            k++;
            s++;
        }
        if (k == 0)
            return -1;
        for (; k < 3; k++)
            ms *= 10;
    }
    if (strcmp(s, "Z") != 0 || !pz_date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 60)
        return -1;
    return (pz_civil_to_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1000 + ms;
}

/* A string or number member KEY of O as text into OUT ("" when absent). */
static const char *idstr(json_t *o, const char *key, char *out, size_t outsz)
{
    json_t *v = json_object_get(o, key);

    out[0] = '\0';
    if (json_is_string(v) && pz_utf8_valid(json_string_value(v), json_string_length(v)))
        snprintf(out, outsz, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, outsz, "%lld", (long long)json_integer_value(v));
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    return out;
}

static long read_file(void *ctx, char *buf, size_t n)
{
    size_t got = fread(buf, 1, n, ctx);
    return ferror((FILE *)ctx) ? -1 : (long)got;
}

static int give_media(struct reader *r, const char *msg_id, const char *url)
{
    struct chat_attachment a;
    const char *base = url;
    char name[NAME_MAX_ + 1], path[4096];
    FILE *f = NULL;
    int rc;

    for (const char *s = url; *s; s++)
        if (*s == '/')
            base = s + 1;
    {
        const char *q = strchr(base, '?');
        size_t n = q ? (size_t)(q - base) : strlen(base);
        if (n > NAME_MAX_)
            n = NAME_MAX_;
        memcpy(name, base, n);
        name[n] = '\0';
        while (n > 0 && !pz_utf8_valid(name, n))
            name[--n] = '\0';
    }
    memset(&a, 0, sizeof(a));
    a.name = name;
    a.size = -1;
    if (r->dir && name[0] && name[0] != '.' && !strchr(name, '\\') && msg_id[0]) {
        struct stat st;
        snprintf(path, sizeof(path), "%s/direct_messages_media/%s-%s", r->dir, msg_id, name);
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

/* The participant ID, announced (is_me when it is the account's). */
static int announce(struct reader *r, const char *id)
{
    struct chat_participant p;

    if (!id[0])
        return 0;
    memset(&p, 0, sizeof(p));
    p.key = id;
    p.name = id;
    p.is_me = r->me && strcmp(r->me, id) == 0;
    return r->sink->participant(&p, r->sink->arg);
}

static const char *const events[] = {"joinConversation", "participantsJoin", "participantsLeave",
                                     "conversationNameUpdate"};

/* One entry of messages[]: a messageCreate or a group event. */
static int emit_entry(struct reader *r, json_t *entry, long line)
{
    struct chat_message m;
    json_t *mc = json_object_get(entry, "messageCreate"), *ev = NULL, *v;
    char sender[ID_MAX], id[ID_MAX], created[40], reply[ID_MAX];
    const char *event = NULL;
    int64_t at;
    size_t i;
    int rc;

    for (size_t k = 0; !mc && !event && k < sizeof(events) / sizeof(events[0]); k++)
        if (json_is_object(ev = json_object_get(entry, events[k])))
            event = events[k];
    if (!json_is_object(mc) && !event) {
        skip(r, line, "neither a message nor a conversation event: skipped");
        return 0;
    }
    if (event)
        mc = ev;
    idstr(mc, "createdAt", created, sizeof(created));
    at = xarchive_time(created);
    if (at < 0) {
        skip(r, line, "no readable createdAt: skipped");
        return 0;
    }
    idstr(mc, event ? "initiatingUserId" : "senderId", sender, sizeof(sender));
    idstr(mc, "id", id, sizeof(id));
    if (!event && !sender[0]) {
        skip(r, line, "message without senderId: skipped");
        return 0;
    }
    memset(&m, 0, sizeof(m));
    m.file = r->name;
    m.line = line;
    m.sent_at = at;
    m.edited_at = -1;
    m.source_id = id[0] ? id : NULL;
    pz_buf_reset(&r->text);
    pz_buf_addstr(&r->text, "");
    if (event) {
        /* "participantsJoin: 111 added 222, 333" in the archive's own words. */
        json_t *ids = json_object_get(mc, "userIds");
        char uid[ID_MAX];
        m.kind = CHAT_SYSTEM;
        pz_buf_printf(&r->text, "%s", event);
        if (sender[0])
            pz_buf_printf(&r->text, " by %s", sender);
        if (strcmp(event, "conversationNameUpdate") == 0)
            pz_buf_printf(&r->text, ": %s", idstr(mc, "name", reply, sizeof(reply)));
        json_array_foreach(ids, i, v)
        {
            if (json_is_string(v) && pz_utf8_valid(json_string_value(v), json_string_length(v)))
                snprintf(uid, sizeof(uid), "%s", json_string_value(v));
            else
                continue;
            pz_buf_printf(&r->text, "%s%s", i ? ", " : ": ", uid);
            if ((rc = announce(r, uid)) != 0)
                return rc;
        }
        if (sender[0] && (rc = announce(r, sender)) != 0)
            return rc;
        m.sender_key = NULL;
    } else {
        json_t *t = json_object_get(mc, "text");
        if (json_is_string(t))
            charset_utf8_repair(json_string_value(t), json_string_length(t), &r->text);
        m.kind = json_array_size(json_object_get(mc, "mediaUrls")) > 0 ? CHAT_MEDIA : CHAT_TEXT;
        r->reactions += (long)json_array_size(json_object_get(mc, "reactions"));
        if ((rc = announce(r, sender)) != 0)
            return rc;
        /* In a group the recipient is the conversation itself. */
        idstr(mc, "recipientId", reply, sizeof(reply));
        if (!r->group && (rc = announce(r, reply)) != 0)
            return rc;
        m.sender_key = sender;
        m.sender_name = sender;
        if (r->me)
            m.direction = strcmp(sender, r->me) == 0 ? CHAT_DIR_OUTGOING : CHAT_DIR_INCOMING;
    }
    m.text = pz_buf_str(&r->text);
    m.text_len = r->text.len;
    rc = r->sink->message(&m, r->sink->arg);
    if (!event) {
        json_array_foreach(json_object_get(mc, "mediaUrls"), i, v)
        {
            if (rc)
                break;
            if (json_is_string(v) && pz_utf8_valid(json_string_value(v), json_string_length(v)))
                rc = give_media(r, id, json_string_value(v));
        }
    }
    return rc;
}

static int64_t entry_time(json_t *entry)
{
    const char *k;
    json_t *v;

    json_object_foreach(entry, k, v)
    {
        char created[40];
        if (json_is_object(v))
            return xarchive_time(idstr(v, "createdAt", created, sizeof(created)));
    }
    return -1;
}

/* One conversation's messages, in the passes over them. */
struct conv_walk {
    struct reader *r;
    const struct jsonpos_doc *doc;
    struct jsonpos_error *err;
    int64_t best; /* the time of the last name a group was given */
    char *title;
    size_t title_sz;
    int failed;
};

/* The scan: the last name a group was given (only entries that name it are parsed). */
static int scan_entry(const struct jsonpos_span *sp, size_t index, void *arg)
{
    struct conv_walk *w = arg;
    json_t *e, *u;
    int64_t t;

    (void)index;
    if (!memmem(w->doc->s + sp->start, sp->end - sp->start, "conversationNameUpdate", 22))
        return 0;
    e = jsonpos_parse(w->doc, sp, 0, NULL);
    u = json_object_get(e, "conversationNameUpdate");
    t = entry_time(e);
    if (json_is_object(u) && t > w->best) {
        w->best = t;
        idstr(u, "name", w->title, w->title_sz);
    }
    json_decref(e);
    return 0;
}

static int each_entry(const struct jsonpos_span *sp, size_t index, void *arg)
{
    struct conv_walk *w = arg;
    json_t *e = jsonpos_parse(w->doc, sp, JSON_ALLOW_NUL, w->err);
    int rc;

    (void)index;
    if (!e) {
        w->failed = 1;
        return -1;
    }
    rc = emit_entry(w->r, e, sp->line);
    json_decref(e);
    return rc;
}

static int64_t time_at(const struct jsonpos_doc *doc, const struct jsonpos_span *sp)
{
    json_t *e = jsonpos_parse(doc, sp, 0, NULL);
    int64_t t = entry_time(e);

    json_decref(e);
    return t;
}

/* Refuses the file: ERR says where and why. */
static int refuse(struct reader *r, const struct jsonpos_error *err, struct import_problem *fatal)
{
    static const char json[] = "not valid JSON: ";
    const char *m = err->message;

    if (strncmp(m, json, sizeof(json) - 1) == 0)
        return set_fatal(fatal, r->name, err->line > 0 ? err->line : 1, PZ_EINVAL,
                         "not valid JSON after '=': %s", m + sizeof(json) - 1);
    return set_fatal(fatal, r->name, err->line > 0 ? err->line : 1, PZ_EINVAL, "%s", m);
}

/* One item of the list, {"dmConversation": {...}} at SP: scanned, then handed out. */
static int emit_item(struct reader *r, const struct jsonpos_doc *doc, const struct jsonpos_span *sp,
                     struct import_problem *fatal)
{
    struct jsonpos_error err = {sp->line, ""};
    struct jsonpos_iter item, conv;
    struct jsonpos_span v, dm = {0, 0, 0};
    struct jsonpos_array msgs;
    struct chat_conversation c;
    char key[ID_MAX * 2], title[NAME_MAX_ + 1];
    struct conv_walk w = {r, doc, &err, -1, title, sizeof(title), 0};
    int rc, newest_first;
    const char *dash;

    memset(&msgs, 0, sizeof(msgs));
    key[0] = title[0] = '\0';
    if (doc->s[sp->start] != '{')
        return set_fatal(fatal, r->name, sp->line, PZ_EINVAL,
                         "not an X direct messages file (an item without dmConversation)");
    jsonpos_iter_begin(&item, doc, sp->start, sp->line, &err);
    while ((rc = jsonpos_iter_next(&item, &v, &err)) == 1) {
        json_t *x;
        if (strcmp(item.key, "dmConversation") == 0 && doc->s[v.start] == '{' && !dm.end) {
            dm = v;
            continue;
        }
        if (!(x = jsonpos_parse(doc, &v, JSON_ALLOW_NUL, &err)))
            return refuse(r, &err, fatal);
        json_decref(x);
    }
    if (rc < 0)
        return refuse(r, &err, fatal);
    if (!dm.end)
        return set_fatal(fatal, r->name, sp->line, PZ_EINVAL,
                         "not an X direct messages file (an item without dmConversation)");
    jsonpos_iter_begin(&conv, doc, dm.start, dm.line, &err);
    while ((rc = jsonpos_iter_next(&conv, &v, &err)) == 1) {
        json_t *x;
        if (strcmp(conv.key, "messages") == 0 && doc->s[v.start] == '[' && !msgs.open) {
            if ((rc = jsonpos_array_scan(doc, v.start, v.line, &msgs, scan_entry, &w, &err)) != 0)
                break;
            continue;
        }
        if (!(x = jsonpos_parse(doc, &v, JSON_ALLOW_NUL, &err))) {
            rc = -1;
            break;
        }
        if (strcmp(conv.key, "conversationId") == 0) {
            json_t *o = json_pack("{sO}", "id", x);
            idstr(o, "id", key, sizeof(key));
            json_decref(o);
        }
        json_decref(x);
    }
    if (rc < 0) {
        jsonpos_array_free(&msgs);
        return refuse(r, &err, fatal);
    }
    if (!key[0]) {
        skip(r, msgs.n ? msgs.first.line : dm.line, "conversation without conversationId: skipped");
        jsonpos_array_free(&msgs);
        return 0;
    }
    memset(&c, 0, sizeof(c));
    c.file = r->name;
    c.line = msgs.n ? msgs.first.line : dm.line;
    c.channel = "x";
    c.key = key;
    dash = strchr(key, '-');
    c.is_group = dash ? 0 : 1;
    r->group = c.is_group;
    if (!c.is_group) {
        title[0] = '\0';
        if (r->me) {
            /* One-to-one: titled after the other side. */
            size_t a = (size_t)(dash - key);
            if (strlen(r->me) == a && strncmp(key, r->me, a) == 0)
                snprintf(title, sizeof(title), "%s", dash + 1);
            else if (strcmp(dash + 1, r->me) == 0)
                snprintf(title, sizeof(title), "%.*s", (int)a, key);
        }
    }
    c.title = title[0] ? title : key;
    rc = r->sink->begin(&c, r->sink->arg);
    newest_first = msgs.n > 1 && time_at(doc, &msgs.first) > time_at(doc, &msgs.last);
    if (rc == 0 && msgs.n) {
        rc = jsonpos_array_walk(doc, &msgs, newest_first, each_entry, &w, &err);
        if (w.failed || rc < 0)
            rc = refuse(r, &err, fatal);
    }
    if (rc == 0)
        rc = r->sink->end(r->sink->arg);
    jsonpos_array_free(&msgs);
    return rc;
}

/* Reads DOC, the list after the '=', one conversation at a time. */
static int read_doc(const struct jsonpos_doc *doc, const char *name, const char *me,
                    const char *dir, const struct chat_sink *sink, struct import_problem *fatal)
{
    const char *eq = memchr(doc->s, '=', doc->len);
    struct reader r;
    struct jsonpos_error err = {1, ""};
    struct jsonpos_iter list;
    struct jsonpos_span sp;
    long line = 1;
    size_t at;
    int rc = 0;

    if (!eq)
        return set_fatal(fatal, name, 1, PZ_EINVAL,
                         "not an X archive file: no \"window.YTD... =\" before the data");
    for (const char *s = doc->s; s < eq; s++)
        line += *s == '\n';
    at = (size_t)(eq + 1 - doc->s);
    while (at < doc->len &&
           (doc->s[at] == ' ' || doc->s[at] == '\t' || doc->s[at] == '\r' || doc->s[at] == '\n'))
        line += doc->s[at++] == '\n';
    if (at >= doc->len)
        return set_fatal(fatal, name, line, PZ_EINVAL,
                         "not valid JSON after '=': the file ends before its data does");
    if (doc->s[at] != '[')
        return set_fatal(fatal, name, line, PZ_EINVAL,
                         "not an X direct messages file (no list of dmConversation)");
    memset(&r, 0, sizeof(r));
    r.name = name;
    r.me = me && me[0] ? me : NULL;
    r.dir = dir;
    r.sink = sink;
    pz_buf_init(&r.text, CHAT_TEXT_MAX);
    jsonpos_iter_begin(&list, doc, at, line, &err);
    while (rc == 0 && (rc = jsonpos_iter_next(&list, &sp, &err)) == 1) {
        rc = emit_item(&r, doc, &sp, fatal);
        /* All before the next conversation is read: its pages may go (those mapped again around
         * a later fault included). */
        jsonpos_drop(doc, 0, sp.end);
        if (rc == 0 && sink->on_progress)
            sink->on_progress((long long)sp.end, (long long)doc->len, sink->arg);
    }
    if (rc < 0 && err.message[0])
        rc = refuse(&r, &err, fatal);
    if (rc == 0)
        chat_note_reactions(sink, name, r.reactions);
    pz_buf_release(&r.text);
    return rc;
}

int xarchive_read_buffer(const char *data, size_t len, const char *name, const char *me,
                         const char *dir, const struct chat_sink *sink,
                         struct import_problem *fatal)
{
    struct jsonpos_doc doc = {data, len, 0};

    return read_doc(&doc, name, me, dir, sink, fatal);
}

/* The accountId of account.js in DIR into OUT ("" when there is none). */
static void account_id(const char *dir, char *out, size_t outsz)
{
    char path[4096], *data;
    size_t len;
    const char *eq;
    json_t *root;

    out[0] = '\0';
    snprintf(path, sizeof(path), "%s/account.js", dir);
    if (jsonpos_read_file(path, 1 << 20, &data, &len) < 0)
        return;
    eq = memchr(data, '=', len);
    root =
        eq ? json_loadb(eq + 1, len - (size_t)(eq + 1 - data), JSON_DISABLE_EOF_CHECK, NULL) : NULL;
    if (root) {
        json_t *acc = json_object_get(json_array_get(root, 0), "account");
        idstr(acc, "accountId", out, outsz);
        json_decref(root);
    }
    free(data);
}

int xarchive_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                  struct import_problem *fatal)
{
    struct jsonpos_doc doc;
    char *dir, me[ID_MAX];
    const char *slash = strrchr(path, '/');
    int rc;

    (void)opts;
    if (jsonpos_map(path, &doc) < 0)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    account_id(dir, me, sizeof(me));
    rc = read_doc(&doc, path, me, dir, sink, fatal);
    free(dir);
    jsonpos_unmap(&doc);
    return rc;
}

int xarchive_sniff(const char *data, size_t len)
{
    static const char prefix[] = "window.YTD.direct_message";
    size_t i = 0;

    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB)
        i = 3;
    return len - i > sizeof(prefix) && memcmp(data + i, prefix, sizeof(prefix) - 1) == 0;
}
