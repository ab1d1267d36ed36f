/*
 * The LinkedIn messages reader. See linkedin_messages.h. libcsv parses the
 * rows, fed one physical line at a time from the bounded line reader
 * (lines.c), so a row knows the line it starts on and memory holds one row.
 */
#include "import/linkedin_messages.h"

#include <csv.h>
#include <errno.h>
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
#include "import/lines.h"
#include "core/banned.h"

#define FIELDS_MAX 64
#define KEY_MAX    512
#define PEOPLE_MAX 100

enum col {
    C_ID,
    C_TITLE,
    C_FROM,
    C_FROM_URL,
    C_TO,
    C_TO_URLS,
    C_DATE,
    C_SUBJECT,
    C_CONTENT,
    C_FOLDER,
    N_COLS
};

static const char *const col_names[N_COLS] = {"CONVERSATION ID",
                                              "CONVERSATION TITLE",
                                              "FROM",
                                              "SENDER PROFILE URL",
                                              "TO",
                                              "RECIPIENT PROFILE URLS",
                                              "DATE",
                                              "SUBJECT",
                                              "CONTENT",
                                              "FOLDER"};

struct reader {
    const char *name;
    const struct chat_sink *sink;
    struct import_problem *fatal;
    struct csv_parser parser;
    /* The row being parsed: fields as offsets into buf. */
    struct pz_buf buf;
    size_t starts[FIELDS_MAX + 1];
    size_t n_fields;
    int too_many;
    int row_ended;
    long row_line;
    int in_row;
    /* The header. */
    int have_header;
    long header_rows;
    size_t n_header;
    int col[N_COLS]; /* -1: absent */
    /* The conversation being read. */
    char conv[KEY_MAX];
    int in_conv;
    int rc; /* what a sink call returned, or a refusal */
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

    if (!r->sink || !r->sink->on_skip)
        return;
    memset(&p, 0, sizeof(p));
    p.file = r->name;
    p.line = line;
    va_start(ap, fmt);
    vsnprintf(p.message, sizeof(p.message), fmt, ap);
    va_end(ap);
    r->sink->on_skip(&p, r->sink->arg);
}

int64_t linkedin_messages_time(const char *s)
{
    int v[6] = {0};
    static const int len[6] = {4, 2, 2, 2, 2, 2};
    static const char seps[6] = {'-', '-', ' ', ':', ':', '\0'};

    if (!s)
        return -1;
    for (int k = 0; k < 6; k++) {
        for (int i = 0; i < len[k]; i++, s++) {
            if (*s < '0' || *s > '9')
                return -1;
            v[k] = v[k] * 10 + (*s - '0');
        }
        if (seps[k] && *s++ != seps[k])
            return -1;
    }
    if (*s && strcmp(s, " UTC") != 0)
        return -1;
    if (!pz_date_valid(v[0], v[1], v[2]) || v[3] > 23 || v[4] > 59 || v[5] > 60)
        return -1;
    return (pz_civil_to_days(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5]) * 1000;
}

static const char *field(const struct reader *r, enum col c)
{
    int i = r->col[c];

    if (i < 0 || (size_t)i >= r->n_fields)
        return "";
    return pz_buf_str(&r->buf) + r->starts[i];
}

/* Copies S into OUT trimmed, valid UTF-8, without control characters. */
static void tidy(const char *s, char *out, size_t outsz)
{
    size_t n, o = 0;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n >= outsz)
        n = outsz - 1;
    while (n > 0 && !pz_utf8_valid(s, n))
        n--;
    for (size_t i = 0; i < n; i++)
        out[o++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
    out[o] = '\0';
}

/* The I-th item of a comma-separated list S into OUT; 0, or -1 when there is none. */
static int item(const char *s, size_t i, char *out, size_t outsz)
{
    for (size_t k = 0; k < i; k++) {
        s = strchr(s, ',');
        if (!s)
            return -1;
        s++;
    }
    {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        char tmp[KEY_MAX];
        if (n >= sizeof(tmp))
            n = sizeof(tmp) - 1;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        tidy(tmp, out, outsz);
    }
    return out[0] ? 0 : -1;
}

static int announce(struct reader *r, const char *name, const char *url, char *key, size_t keysz)
{
    struct chat_participant p;

    snprintf(key, keysz, "%s", url[0] ? url : name);
    if (!key[0])
        return 0;
    memset(&p, 0, sizeof(p));
    p.key = key;
    p.name = name[0] ? name : url;
    if (url[0]) {
        p.identity_kind = "linkedin";
        p.identity_value = url;
    }
    return r->sink->participant(&p, r->sink->arg);
}

/* The header: the first row that names the columns messages.csv has. */
static void header_row(struct reader *r)
{
    int found = 0;

    r->header_rows++;
    for (int c = 0; c < N_COLS; c++)
        r->col[c] = -1;
    for (size_t i = 0; i < r->n_fields; i++) {
        char cell[64];
        tidy(pz_buf_str(&r->buf) + r->starts[i], cell, sizeof(cell));
        for (int c = 0; c < N_COLS; c++)
            if (r->col[c] < 0 && strcasecmp(cell, col_names[c]) == 0) {
                r->col[c] = (int)i;
                found++;
            }
    }
    if (r->col[C_ID] >= 0 && r->col[C_FROM] >= 0 && r->col[C_DATE] >= 0 && r->col[C_CONTENT] >= 0) {
        r->have_header = 1;
        r->n_header = r->n_fields;
    }
    (void)found;
}

static void data_row(struct reader *r)
{
    char id[KEY_MAX], from[KEY_MAX], from_url[KEY_MAX], date[64], skey[KEY_MAX];
    char source[KEY_MAX + 80];
    struct chat_message m;
    const char *to = field(r, C_TO), *to_urls = field(r, C_TO_URLS), *text;
    int64_t at;
    size_t n_to = 0;

    if (r->n_fields == 1 && !field(r, C_ID)[0] && r->col[C_ID] == 0)
        return; /* a blank row */
    if (r->n_fields != r->n_header) {
        skip(r, r->row_line, "row has %zu field%s, the header %zu: skipped", r->n_fields,
             r->n_fields == 1 ? "" : "s", r->n_header);
        return;
    }
    tidy(field(r, C_ID), id, sizeof(id));
    tidy(field(r, C_DATE), date, sizeof(date));
    at = linkedin_messages_time(date);
    if (!id[0]) {
        skip(r, r->row_line, "row without CONVERSATION ID: skipped");
        return;
    }
    if (at < 0) {
        skip(r, r->row_line, "DATE '%s' is not a date: skipped", date);
        return;
    }
    if (!r->in_conv || strcmp(id, r->conv) != 0) {
        struct chat_conversation c;
        char title[KEY_MAX];
        if (r->in_conv && (r->rc = r->sink->end(r->sink->arg)) != 0)
            return;
        snprintf(r->conv, sizeof(r->conv), "%s", id);
        tidy(field(r, C_TITLE), title, sizeof(title));
        if (!title[0])
            tidy(field(r, C_SUBJECT), title, sizeof(title));
        memset(&c, 0, sizeof(c));
        c.file = r->name;
        c.line = r->row_line;
        c.channel = "linkedin";
        c.key = id;
        c.title = title;
        c.is_group = strchr(to, ',') ? 1 : 0;
        r->in_conv = 1;
        if ((r->rc = r->sink->begin(&c, r->sink->arg)) != 0)
            return;
    }
    tidy(field(r, C_FROM), from, sizeof(from));
    tidy(field(r, C_FROM_URL), from_url, sizeof(from_url));
    if ((r->rc = announce(r, from, from_url, skey, sizeof(skey))) != 0)
        return;
    for (size_t i = 0; i < PEOPLE_MAX; i++) {
        char name[KEY_MAX], url[KEY_MAX], key[KEY_MAX];
        int has_name = item(to, i, name, sizeof(name)) == 0;
        int has_url = item(to_urls, i, url, sizeof(url)) == 0;
        if (!has_name && !has_url)
            break;
        if (!has_name)
            name[0] = '\0';
        if (!has_url)
            url[0] = '\0';
        n_to++;
        if ((r->rc = announce(r, name, url, key, sizeof(key))) != 0)
            return;
    }
    (void)n_to;
    if (!skey[0]) {
        skip(r, r->row_line, "row without FROM: skipped");
        return;
    }
    text = field(r, C_CONTENT);
    if (!text[0])
        text = field(r, C_SUBJECT);
    memset(&m, 0, sizeof(m));
    m.file = r->name;
    m.line = r->row_line;
    snprintf(source, sizeof(source), "%s|%s", date, skey);
    m.source_id = source;
    m.sender_key = skey;
    m.sender_name = from[0] ? from : skey;
    m.kind = CHAT_TEXT;
    m.direction =
        strcasecmp(field(r, C_FOLDER), "SENT") == 0 ? CHAT_DIR_OUTGOING : CHAT_DIR_UNKNOWN;
    m.sent_at = at;
    m.edited_at = -1;
    {
        /* Text as written; CRLF inside quotes as LF. */
        struct pz_buf t;
        pz_buf_init(&t, CHAT_TEXT_MAX);
        for (const char *s = text; *s; s++)
            if (!(s[0] == '\r' && s[1] == '\n'))
                pz_buf_addch(&t, *s);
        pz_buf_addstr(&t, "");
        m.text = pz_buf_str(&t);
        m.text_len = t.len;
        r->rc = r->sink->message(&m, r->sink->arg);
        pz_buf_release(&t);
    }
}

static void on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;

    if (r->n_fields >= FIELDS_MAX) {
        r->too_many = 1;
        return;
    }
    r->starts[r->n_fields++] = r->buf.len;
    if (s && len)
        charset_utf8_repair(s, len, &r->buf);
    pz_buf_addch(&r->buf, '\0');
}

static void on_row(int ch, void *data)
{
    struct reader *r = data;

    (void)ch;
    r->row_ended = 1;
    if (r->rc == 0) {
        if (r->too_many)
            skip(r, r->row_line, "row with more than %d fields: skipped", FIELDS_MAX);
        else if (r->have_header)
            data_row(r);
        else
            header_row(r);
    }
    r->n_fields = 0;
    r->too_many = 0;
    pz_buf_reset(&r->buf);
}

static int parser_start(struct reader *r)
{
    if (csv_init(&r->parser, CSV_STRICT | CSV_APPEND_NULL) != 0)
        return PZ_ENOMEM;
    return 0;
}

static void restart(struct reader *r)
{
    csv_free(&r->parser);
    parser_start(r);
    r->n_fields = 0;
    r->too_many = 0;
    r->in_row = 0;
    pz_buf_reset(&r->buf);
}

static void feed(struct reader *r, const char *p, size_t n, long lineno, int truncated)
{
    if (!r->in_row) {
        size_t k = 0;
        while (k < n && (p[k] == ' ' || p[k] == '\t'))
            k++;
        if (k == n)
            return; /* blank line between rows */
        r->row_line = lineno;
        r->in_row = 1;
    }
    if (truncated || r->buf.len + n > LINKEDIN_MAX_ROW) {
        skip(r, r->row_line, "row longer than 1 MiB (a quote not closed?): skipped");
        restart(r);
        return;
    }
    r->row_ended = 0;
    if (csv_parse(&r->parser, p, n, on_field, on_row, r) != n ||
        csv_parse(&r->parser, "\n", 1, on_field, on_row, r) != 1) {
        skip(r, r->row_line, "broken quoting: row skipped");
        restart(r);
        return;
    }
    if (r->row_ended)
        r->in_row = 0;
}

int linkedin_messages_read_stream(FILE *f, const char *name, const struct chat_sink *sink,
                                  struct import_problem *fatal)
{
    struct reader r;
    struct lines l;
    const char *p;
    size_t n;
    int lr;

    memset(&r, 0, sizeof(r));
    r.name = name;
    r.sink = sink;
    r.fatal = fatal;
    pz_buf_init(&r.buf, LINKEDIN_MAX_ROW + 4 * FIELDS_MAX);
    if (parser_start(&r) < 0)
        return set_fatal(fatal, name, 0, PZ_ENOMEM, "out of memory");
    lines_init(&l, f, LINKEDIN_MAX_ROW);
    while (r.rc == 0 && (lr = lines_next(&l, &p, &n)) > 0) {
        feed(&r, p, n, l.lineno, l.truncated);
        if (!r.have_header && r.header_rows >= LINKEDIN_HEADER_ROWS)
            break;
        if (sink->on_progress && (l.lineno & 4095) == 0)
            sink->on_progress(l.offset, -1, sink->arg);
    }
    if (r.rc == 0 && lr < 0)
        r.rc = set_fatal(fatal, name, l.lineno, PZ_EIO, "cannot read: %s", strerror(errno));
    if (r.rc == 0 && r.in_row && r.have_header) {
        /* The last row has no end of line, or a quote never closed. */
        if (csv_fini(&r.parser, on_field, on_row, &r) != 0 && r.rc == 0)
            skip(&r, r.row_line, "broken quoting: row skipped");
    }
    if (r.rc == 0 && !r.have_header)
        r.rc = set_fatal(fatal, name, 1, PZ_EINVAL,
                         "not a LinkedIn messages.csv (no CONVERSATION ID, FROM, DATE, CONTENT "
                         "header)");
    if (r.rc == 0 && r.in_conv)
        r.rc = sink->end(sink->arg);
    csv_free(&r.parser);
    lines_release(&l);
    pz_buf_release(&r.buf);
    return r.rc;
}

int linkedin_messages_read(const char *path, const struct chat_options *opts,
                           const struct chat_sink *sink, struct import_problem *fatal)
{
    FILE *f = fopen(path, "rb");
    int rc;

    (void)opts;
    if (!f)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    rc = linkedin_messages_read_stream(f, path, sink, fatal);
    fclose(f);
    return rc;
}

static int sniff_begin(const struct chat_conversation *c, void *arg)
{
    (void)c;
    (void)arg;
    return 1; /* a header was found and a row read: enough */
}

static int sniff_nothing(void *arg)
{
    (void)arg;
    return 0;
}

int linkedin_messages_sniff(const char *data, size_t len)
{
    struct chat_sink sink;
    struct import_problem fatal;
    FILE *f = fmemopen((void *)data, len, "rb");
    int rc;

    if (!f || len == 0) {
        if (f)
            fclose(f);
        return 0;
    }
    memset(&sink, 0, sizeof(sink));
    sink.begin = sniff_begin;
    sink.end = sniff_nothing;
    rc = linkedin_messages_read_stream(f, "", &sink, &fatal);
    fclose(f);
    return rc >= 0;
}
