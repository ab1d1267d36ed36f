/*
 * The contacts CSV reader. See contacts_csv.h.
 *
 * lines.c hands out physical lines; each is fed to libcsv (strict mode) with
 * a "\n" after it, so a row can only end at the end of a line and the reader
 * always knows the line a row started on. The lines of the row being parsed
 * are kept (at most CONTACTS_CSV_MAX_ROW bytes): when the row turns out to be
 * broken, it is reported, the parser is reset, and its lines after the first
 * are fed again through a small queue, so that a stray quote does not swallow
 * the rows after it.
 */
#include "import/contacts_csv.h"

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
#include "import/charset.h"
#include "import/lines.h"
#include "import/values.h"
#include "core/banned.h"

enum role {
    R_NONE = 0,
    R_FULL,
    R_GIVEN,
    R_MIDDLE,
    R_FAMILY,
    R_ORG,
    R_TITLE,
    R_NOTE,
    R_TAGS,
    R_EMAIL,
    R_PHONE,
    R_URL,
    R_LINKEDIN,
    R_CONNECTED,
};

struct colname {
    const char *name;
    enum role role;
    const char *label;
};

struct col {
    enum role role;
    int label_col;     /* the column holding this value's label, or -1 */
    const char *label; /* a label fixed by the column itself */
};

/* The fields of one row, NUL-terminated one after the other. */
struct fields {
    struct pz_buf buf;
    size_t offs[CONTACTS_CSV_MAX_FIELDS];
    size_t n;
    int too_many;
};

struct span {
    size_t off, len;
    long lineno;
};

/* Lines kept for a row, or queued to be fed again. */
struct linelist {
    struct pz_buf text;
    struct span *items;
    size_t n_items, cap, pos;
};

enum text_mode { TEXT_UTF8 = 0, TEXT_CP1252, TEXT_GUESS };

struct creader {
    const char *name;
    const struct import_sink *sink;
    struct import_problem *fatal;
    int fatal_rc, stop_rc, sniff_only;
    struct lines in;
    enum text_mode mode;
    struct pz_buf conv; /* a line converted to UTF-8 */
    struct csv_parser parser;
    unsigned char delim;
    struct fields row;
    int row_ended, in_row;
    long row_line;
    struct linelist row_lines, queue;
    /* The header. */
    const char *kind;
    struct col cols[CONTACTS_CSV_MAX_FIELDS];
    size_t n_cols;
    int header_rows;
    long first_row_line;
    struct pz_buf name_buf;
};

/* --- reporting ----------------------------------------------------------- */

static void report(struct creader *c, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(struct creader *c, long line, const char *fmt, ...)
{
    struct import_problem p;
    va_list ap;

    if (c->sniff_only || !c->sink || !c->sink->on_skip)
        return;
    p.file = c->name;
    p.line = line;
    va_start(ap, fmt);
    vsnprintf(p.message, sizeof(p.message), fmt, ap);
    va_end(ap);
    c->sink->on_skip(&p, c->sink->arg);
}

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

/* --- fields and line lists ----------------------------------------------- */

static void fields_init(struct fields *f)
{
    pz_buf_init(&f->buf, CONTACTS_CSV_MAX_ROW + CONTACTS_CSV_MAX_FIELDS);
    f->n = 0;
    f->too_many = 0;
}

static void fields_reset(struct fields *f)
{
    pz_buf_reset(&f->buf);
    f->n = 0;
    f->too_many = 0;
}

static char *field(const struct fields *f, size_t i)
{
    return f->buf.data + f->offs[i];
}

static void fields_add(struct fields *f, const void *s, size_t len)
{
    if (f->n == CONTACTS_CSV_MAX_FIELDS) {
        f->too_many = 1;
        return;
    }
    f->offs[f->n] = f->buf.len;
    if ((len > 0 && pz_buf_add(&f->buf, s, len) < 0) || pz_buf_addch(&f->buf, '\0') < 0) {
        f->too_many = 1; /* cannot happen: a row's fields fit in the row */
        return;
    }
    f->n++;
}

static void list_init(struct linelist *l)
{
    pz_buf_init(&l->text, CONTACTS_CSV_MAX_ROW * 2);
    l->items = NULL;
    l->n_items = l->cap = l->pos = 0;
}

static void list_reset(struct linelist *l)
{
    pz_buf_reset(&l->text);
    l->n_items = l->pos = 0;
}

static void list_release(struct linelist *l)
{
    pz_buf_release(&l->text);
    free(l->items);
    l->items = NULL;
}

/* Appends a line; returns 0, or -1 when the list is full. */
static int list_add(struct linelist *l, const char *p, size_t n, long lineno)
{
    if (l->n_items == CONTACTS_CSV_MAX_ROW_LINES * 2 || pz_buf_add(&l->text, p, n) < 0)
        return -1;
    if (l->n_items == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = xrealloc(l->items, l->cap * sizeof(l->items[0]));
    }
    l->items[l->n_items].off = l->text.len - n;
    l->items[l->n_items].len = n;
    l->items[l->n_items].lineno = lineno;
    l->n_items++;
    return 0;
}

/* --- the header ---------------------------------------------------------- */

static const struct colname linkedin_cols[] = {
    {"First Name", R_GIVEN, NULL},
    {"Last Name", R_FAMILY, NULL},
    {"URL", R_LINKEDIN, NULL},
    {"Email Address", R_EMAIL, NULL},
    {"E-mail Address", R_EMAIL, NULL},
    {"Company", R_ORG, NULL},
    {"Position", R_TITLE, NULL},
    {"Connected On", R_CONNECTED, NULL},
    {NULL, R_NONE, NULL},
};

static const struct colname google_cols[] = {
    {"First Name", R_GIVEN, NULL},
    {"Middle Name", R_MIDDLE, NULL},
    {"Last Name", R_FAMILY, NULL},
    {"Organization Name", R_ORG, NULL},
    {"Organization Title", R_TITLE, NULL},
    {"Notes", R_NOTE, NULL},
    {"Labels", R_TAGS, NULL},
    {NULL, R_NONE, NULL},
};

static const struct colname google_old_cols[] = {
    {"Name", R_FULL, NULL},
    {"Given Name", R_GIVEN, NULL},
    {"Additional Name", R_MIDDLE, NULL},
    {"Family Name", R_FAMILY, NULL},
    {"Notes", R_NOTE, NULL},
    {"Group Membership", R_TAGS, NULL},
    {NULL, R_NONE, NULL},
};

/*
 * Outlook's English column names, then the Italian ones as an Italian Outlook
 * writes them (from memory of such exports, not from a sample file).
 */
static const struct colname outlook_cols[] = {
    {"First Name", R_GIVEN, NULL},
    {"Middle Name", R_MIDDLE, NULL},
    {"Last Name", R_FAMILY, NULL},
    {"Company", R_ORG, NULL},
    {"Job Title", R_TITLE, NULL},
    {"Notes", R_NOTE, NULL},
    {"Categories", R_TAGS, NULL},
    {"E-mail Address", R_EMAIL, NULL},
    {"E-mail 2 Address", R_EMAIL, NULL},
    {"E-mail 3 Address", R_EMAIL, NULL},
    {"Mobile Phone", R_PHONE, "cell"},
    {"Business Phone", R_PHONE, "work"},
    {"Business Phone 2", R_PHONE, "work"},
    {"Company Main Phone", R_PHONE, "work"},
    {"Home Phone", R_PHONE, "home"},
    {"Home Phone 2", R_PHONE, "home"},
    {"Primary Phone", R_PHONE, "main"},
    {"Other Phone", R_PHONE, "other"},
    {"Car Phone", R_PHONE, "car"},
    {"Business Fax", R_PHONE, "fax"},
    {"Home Fax", R_PHONE, "fax"},
    {"Other Fax", R_PHONE, "fax"},
    {"Pager", R_PHONE, "pager"},
    {"Assistant's Phone", R_PHONE, "assistant"},
    {"Callback", R_PHONE, "callback"},
    {"Radio Phone", R_PHONE, "radio"},
    {"ISDN", R_PHONE, "isdn"},
    {"Telex", R_PHONE, "telex"},
    {"TTY/TDD Phone", R_PHONE, "tty"},
    {"Web Page", R_URL, NULL},
    {"Personal Web Page", R_URL, "home"},
    {"Nome", R_GIVEN, NULL},
    {"Secondo nome", R_MIDDLE, NULL},
    {"Cognome", R_FAMILY, NULL},
    {"Societ\xC3\xA0", R_ORG, NULL},
    {"Posizione", R_TITLE, NULL},
    {"Note", R_NOTE, NULL},
    {"Categorie", R_TAGS, NULL},
    {"Indirizzo posta elettronica", R_EMAIL, NULL},
    {"Indirizzo posta elettronica 2", R_EMAIL, NULL},
    {"Indirizzo posta elettronica 3", R_EMAIL, NULL},
    {"Cellulare", R_PHONE, "cell"},
    {"Telefono ufficio", R_PHONE, "work"},
    {"Telefono ufficio 2", R_PHONE, "work"},
    {"Abitazione", R_PHONE, "home"},
    {"Abitazione 2", R_PHONE, "home"},
    {"Telefono abitazione", R_PHONE, "home"},
    {"Fax (uff.)", R_PHONE, "fax"},
    {"Fax (ab.)", R_PHONE, "fax"},
    {"Pagina Web", R_URL, NULL},
    {NULL, R_NONE, NULL},
};

/* Compares a header cell with a column name: case-insensitive, spaces around ignored. */
static int header_is(const char *cell, const char *name)
{
    return pz_str_ieq(cell, name);
}

static int has(const struct fields *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (header_is(field(h, i), name))
            return 1;
    return 0;
}

/*
 * Google's numbered columns, "E-mail 2 - Value": sets *KIND (an index in
 * the list below), *NUM and *PART; returns 0, or -1 for any other name.
 */
static const char *const numbered_kinds[] = {"E-mail", "Phone", "Website", "Organization"};

static int numbered(const char *cell, int *kind, long *num, const char **part)
{
    for (int k = 0; k < 4; k++) {
        size_t kl = strlen(numbered_kinds[k]);
        const char *p = cell + kl;
        long v = 0;
        int digits = 0;

        if (strncasecmp(cell, numbered_kinds[k], kl) != 0 || *p != ' ')
            continue;
        p++;
        while (*p >= '0' && *p <= '9' && digits < 6) {
            v = v * 10 + (*p - '0');
            p++;
            digits++;
        }
        if (digits == 0 || strncmp(p, " - ", 3) != 0)
            return -1;
        *kind = k;
        *num = v;
        *part = p + 3;
        return 0;
    }
    return -1;
}

static int has_numbered_part(const struct fields *h, const char *want)
{
    for (size_t i = 0; i < h->n; i++) {
        int k;
        long num;
        const char *part;
        if (numbered(field(h, i), &k, &num, &part) == 0 && pz_str_ieq(part, want))
            return 1;
    }
    return 0;
}

static const char *header_kind(const struct fields *h)
{
    int first = has(h, "First Name"), last = has(h, "Last Name");

    if (h->too_many || h->n < 2)
        return NULL;
    if (first && last && has(h, "Connected On"))
        return "linkedin";
    if (has(h, "Given Name") && has(h, "Family Name") &&
        (has(h, "Group Membership") || has_numbered_part(h, "Type") || has(h, "Name")))
        return "google-old";
    if (first && last && (has(h, "Labels") || has_numbered_part(h, "Label")))
        return "google";
    if ((first || has(h, "Nome")) && (last || has(h, "Cognome")) &&
        (has(h, "E-mail Address") || has(h, "Mobile Phone") || has(h, "Business Phone") ||
         has(h, "Home Phone") || has(h, "Company") || has(h, "Job Title") ||
         has(h, "Indirizzo posta elettronica") || has(h, "Cellulare") || has(h, "Societ\xC3\xA0")))
        return "outlook";
    return NULL;
}

/* Maps each header column to what it holds, for KIND. */
static void map_columns(struct creader *c, const struct fields *h, const char *kind)
{
    const struct colname *names = strcmp(kind, "linkedin") == 0     ? linkedin_cols
                                  : strcmp(kind, "google") == 0     ? google_cols
                                  : strcmp(kind, "google-old") == 0 ? google_old_cols
                                                                    : outlook_cols;
    int is_google = kind[0] == 'g';

    c->n_cols = h->n;
    for (size_t i = 0; i < h->n; i++) {
        const char *cell = field(h, i);
        struct col *col = &c->cols[i];
        int k;
        long num;
        const char *part;

        col->role = R_NONE;
        col->label_col = -1;
        col->label = NULL;
        for (const struct colname *n = names; n->name; n++) {
            if (header_is(cell, n->name)) {
                col->role = n->role;
                col->label = n->label;
                break;
            }
        }
        if (col->role != R_NONE || !is_google || numbered(cell, &k, &num, &part) < 0)
            continue;
        if (k == 3) {
            /* Organization N - Name / - Title (old generation). */
            if (pz_str_ieq(part, "Name"))
                col->role = R_ORG;
            else if (pz_str_ieq(part, "Title"))
                col->role = R_TITLE;
            continue;
        }
        if (!pz_str_ieq(part, "Value"))
            continue;
        col->role = k == 0 ? R_EMAIL : k == 1 ? R_PHONE : R_URL;
        for (size_t j = 0; j < h->n; j++) {
            int k2;
            long num2;
            const char *part2;
            if (numbered(field(h, j), &k2, &num2, &part2) == 0 && k2 == k && num2 == num &&
                (pz_str_ieq(part2, "Label") || pz_str_ieq(part2, "Type"))) {
                col->label_col = (int)j;
                break;
            }
        }
    }
}

/* --- rows ---------------------------------------------------------------- */

/* Splits S in place at each SEP; calls nothing, returns the pieces through PARTS. */
static size_t split_multi(char *s, const char *sep, char **parts, size_t max)
{
    size_t n = 0, sl = strlen(sep);

    while (n < max) {
        char *next = strstr(s, sep);
        if (next)
            *next = '\0';
        parts[n++] = values_trim(s);
        if (!next)
            break;
        s = next + sl;
    }
    return n;
}

static void add_identity(struct import_contact *rec, const char *kind, const char *value,
                         const char *label)
{
    struct import_identity *id;

    if (!*value || rec->n_identities == IMPORT_MAX_IDENTITIES)
        return;
    id = &rec->identities[rec->n_identities++];
    id->kind = kind;
    id->value = value;
    id->label = label;
}

static void add_tag(struct import_contact *rec, char *s)
{
    const char *tag = values_tag(s);

    if (!tag || rec->n_tags == IMPORT_MAX_TAGS)
        return;
    for (size_t i = 0; i < rec->n_tags; i++)
        if (strcmp(rec->tags[i], tag) == 0)
            return;
    rec->tags[rec->n_tags++] = tag;
}

static const char *first_identity(const struct import_contact *rec, const char *kind)
{
    for (size_t i = 0; i < rec->n_identities; i++)
        if (!kind || strcmp(rec->identities[i].kind, kind) == 0)
            return rec->identities[i].value;
    return NULL;
}

/* Builds "given middle family" in name_buf; NULL when all are empty. */
static const char *join_names(struct creader *c, const char *given, const char *middle,
                              const char *family)
{
    const char *parts[3] = {given, middle, family};

    pz_buf_reset(&c->name_buf);
    for (int i = 0; i < 3; i++) {
        if (!parts[i] || !*parts[i])
            continue;
        if (c->name_buf.len > 0)
            pz_buf_addch(&c->name_buf, ' ');
        pz_buf_addstr(&c->name_buf, parts[i]);
    }
    return c->name_buf.len > 0 ? pz_buf_str(&c->name_buf) : NULL;
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* Turns a data row into a record and hands it on. */
static void data_row(struct creader *c)
{
    struct import_contact rec;
    const char *middle = NULL, *full = NULL;
    int outlook = strcmp(c->kind, "outlook") == 0, empty = 1;

    if (c->row.too_many || c->row.n != c->n_cols) {
        if (c->row.too_many)
            report(c, c->row_line, "row has more than %d fields", CONTACTS_CSV_MAX_FIELDS);
        else
            report(c, c->row_line, "row has %zu fields, the header has %zu", c->row.n, c->n_cols);
        return;
    }
    memset(&rec, 0, sizeof(rec));
    rec.file = c->name;
    rec.line = c->row_line;
    rec.connected_on = -1;
    /* Labels first: value columns read them already cleaned. */
    for (size_t i = 0; i < c->n_cols; i++)
        values_trim(field(&c->row, i));
    for (size_t i = 0; i < c->n_cols; i++)
        empty &= field(&c->row, i)[0] == '\0';
    if (empty)
        return; /* a row of empty cells is no record and no problem */
    for (size_t i = 0; i < c->n_cols; i++) {
        const struct col *col = &c->cols[i];
        char *v = field(&c->row, i);
        char *parts[IMPORT_MAX_IDENTITIES];
        size_t n;
        const char *label = col->label;

        if (!*v)
            continue;
        switch (col->role) {
        case R_FULL:
            full = full ? full : v;
            break;
        case R_GIVEN:
            rec.given_name = rec.given_name ? rec.given_name : v;
            break;
        case R_MIDDLE:
            middle = middle ? middle : v;
            break;
        case R_FAMILY:
            rec.family_name = rec.family_name ? rec.family_name : v;
            break;
        case R_ORG:
            rec.organization = rec.organization ? rec.organization : v;
            break;
        case R_TITLE:
            rec.title = rec.title ? rec.title : v;
            break;
        case R_NOTE:
            rec.note = rec.note ? rec.note : v;
            break;
        case R_CONNECTED:
            rec.connected_on = values_date_ms(v);
            break;
        case R_TAGS:
            n = split_multi(v, outlook ? ";" : " ::: ", parts, IMPORT_MAX_IDENTITIES);
            for (size_t j = 0; j < n; j++)
                add_tag(&rec, parts[j]);
            break;
        case R_EMAIL:
        case R_PHONE:
        case R_URL:
        case R_LINKEDIN:
            if (col->label_col >= 0)
                label = values_label(field(&c->row, (size_t)col->label_col));
            n = split_multi(v, " ::: ", parts, IMPORT_MAX_IDENTITIES);
            for (size_t j = 0; j < n; j++) {
                const char *kind = col->role == R_EMAIL      ? "email"
                                   : col->role == R_PHONE    ? "phone"
                                   : col->role == R_LINKEDIN ? "linkedin"
                                                             : values_url_kind(parts[j]);
                add_identity(&rec, kind, parts[j], label);
            }
            break;
        case R_NONE:
            break;
        }
    }
    rec.given_name = nonempty(rec.given_name);
    rec.family_name = nonempty(rec.family_name);
    if (!full)
        full = join_names(c, rec.given_name, middle, rec.family_name);
    if (!full)
        full = first_identity(&rec, "email");
    if (!full)
        full = rec.organization;
    if (!full)
        full = first_identity(&rec, NULL);
    if (!full) {
        report(c, c->row_line, "row has no name, organization or identity");
        return;
    }
    rec.full_name = full;
    if (c->sink && c->sink->on_record)
        c->stop_rc = c->sink->on_record(&rec, c->sink->arg);
}

/* Collects fields from a throw-away parse (trying another delimiter on a header). */
static void tmp_field(void *s, size_t len, void *data)
{
    fields_add(data, s ? s : "", s ? len : 0);
}

static void tmp_row(int ch, void *data)
{
    (void)ch;
    (void)data;
}

/* Tries the current row's lines with another delimiter; returns the kind found or NULL. */
static const char *try_delimiter(struct creader *c, unsigned char delim, struct fields *out)
{
    struct csv_parser p;
    const char *kind = NULL;

    if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0)
        return NULL;
    csv_set_delim(&p, delim);
    fields_reset(out);
    for (size_t i = 0; i < c->row_lines.n_items; i++) {
        const struct span *s = &c->row_lines.items[i];
        csv_parse(&p, c->row_lines.text.data + s->off, s->len, tmp_field, tmp_row, out);
        csv_parse(&p, "\n", 1, tmp_field, tmp_row, out);
    }
    if (csv_error(&p) == CSV_SUCCESS)
        kind = header_kind(out);
    csv_free(&p);
    return kind;
}

/*
 * Tries the current row as a header with the delimiters other than the
 * current one; when one gives a known header, switches to it, maps the
 * columns and returns non-zero.
 */
static int try_other_delimiters(struct creader *c)
{
    static const unsigned char delims[] = {',', ';', '\t'};
    struct fields alt;
    const char *kind = NULL;

    fields_init(&alt);
    for (size_t i = 0; !kind && i < sizeof(delims); i++) {
        if (delims[i] == c->delim)
            continue;
        kind = try_delimiter(c, delims[i], &alt);
        if (kind) {
            c->delim = delims[i];
            c->kind = kind;
            map_columns(c, &alt, kind);
        }
    }
    pz_buf_release(&alt.buf);
    return kind != NULL;
}

static void header_row(struct creader *c)
{
    const char *kind;

    c->header_rows++;
    for (size_t i = 0; i < c->row.n; i++)
        values_trim(field(&c->row, i));
    kind = header_kind(&c->row);
    if (kind) {
        c->kind = kind;
        map_columns(c, &c->row, kind);
    } else if (try_other_delimiters(c)) {
        csv_set_delim(&c->parser, c->delim);
    } else if (c->header_rows >= CONTACTS_CSV_HEADER_ROWS && !c->fatal_rc) {
        c->fatal_rc = set_fatal(c->fatal, c->name, c->first_row_line, PZ_EINVAL,
                                "not a contacts CSV (header not recognised)");
    }
}

static void on_field(void *s, size_t len, void *data)
{
    struct creader *c = data;

    fields_add(&c->row, s ? s : "", s ? len : 0);
}

static void on_row(int ch, void *data)
{
    struct creader *c = data;

    (void)ch;
    c->row_ended = 1;
    if (!c->fatal_rc && !c->stop_rc) {
        if (c->kind)
            data_row(c);
        else
            header_row(c);
    }
    fields_reset(&c->row);
}

/* --- feeding lines ------------------------------------------------------- */

static int parser_start(struct creader *c)
{
    if (csv_init(&c->parser, CSV_STRICT | CSV_APPEND_NULL) != 0)
        return PZ_ENOMEM;
    csv_set_delim(&c->parser, c->delim);
    return 0;
}

/*
 * The current row is broken: reports it, resets the parser, and queues the
 * row's lines after its first, then EXTRA (a line not yet fed, or NULL), to
 * be read again before the rest of the file.
 */
static void fail_row(struct creader *c, const char *why, const struct span *extra,
                     const char *extra_text)
{
    struct linelist next;

    if (c->kind) {
        report(c, c->row_line, "%s", why);
    } else if (try_other_delimiters(c)) {
        /* The header, written with another delimiter: nothing to read again. */
        list_reset(&c->row_lines);
        fields_reset(&c->row);
        c->in_row = 0;
        csv_free(&c->parser);
        if (parser_start(c) < 0 && !c->fatal_rc)
            c->fatal_rc = set_fatal(c->fatal, c->name, c->row_line, PZ_ENOMEM, "out of memory");
        return;
    } else {
        c->header_rows++; /* a broken row before the header counts as one looked at */
    }
    list_init(&next);
    for (size_t i = 1; i < c->row_lines.n_items; i++) {
        const struct span *s = &c->row_lines.items[i];
        list_add(&next, c->row_lines.text.data + s->off, s->len, s->lineno);
    }
    if (extra)
        list_add(&next, extra_text, extra->len, extra->lineno);
    for (size_t i = c->queue.pos; i < c->queue.n_items; i++) {
        const struct span *s = &c->queue.items[i];
        list_add(&next, c->queue.text.data + s->off, s->len, s->lineno);
    }
    list_release(&c->queue);
    c->queue = next;
    list_reset(&c->row_lines);
    fields_reset(&c->row);
    c->in_row = 0;
    csv_free(&c->parser);
    if (parser_start(c) < 0 && !c->fatal_rc)
        c->fatal_rc = set_fatal(c->fatal, c->name, c->row_line, PZ_ENOMEM, "out of memory");
    if (!c->kind && c->header_rows >= CONTACTS_CSV_HEADER_ROWS && !c->fatal_rc)
        c->fatal_rc = set_fatal(c->fatal, c->name, c->first_row_line ? c->first_row_line : 1,
                                PZ_EINVAL, "not a contacts CSV (header not recognised)");
}

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return 0;
    return 1;
}

static void feed_line(struct creader *c, const char *p, size_t n, long lineno, int truncated)
{
    if (!c->in_row) {
        if (blank(p, n))
            return;
        c->row_line = lineno;
        if (c->first_row_line == 0)
            c->first_row_line = lineno;
        list_reset(&c->row_lines);
    }
    if (truncated) {
        /* Not kept for reading again: what was cut off is lost either way. */
        fail_row(c, "line longer than 1 MiB", NULL, NULL);
        return;
    }
    if (c->row_lines.text.len + n > CONTACTS_CSV_MAX_ROW ||
        c->row_lines.n_items >= CONTACTS_CSV_MAX_ROW_LINES ||
        list_add(&c->row_lines, p, n, lineno) < 0) {
        /* This line may well start a good row: it is read again. */
        struct span line = {0, n, lineno};
        fail_row(c, "row longer than 1 MiB or 1000 lines (a quote not closed?)", &line, p);
        return;
    }
    c->row_ended = 0;
    if (csv_parse(&c->parser, p, n, on_field, on_row, c) != n ||
        csv_parse(&c->parser, "\n", 1, on_field, on_row, c) != 1) {
        fail_row(c, "broken quoting", NULL, NULL);
        return;
    }
    if (c->row_ended) {
        c->in_row = 0;
        list_reset(&c->row_lines);
    } else {
        c->in_row = 1;
    }
}

/* The next line: from the queue of lines to read again, else from the file, in UTF-8. */
static int next_line(struct creader *c, const char **p, size_t *n, long *lineno, int *truncated)
{
    int r;

    *truncated = 0;
    if (c->queue.pos < c->queue.n_items) {
        const struct span *s = &c->queue.items[c->queue.pos++];
        *p = c->queue.text.data + s->off;
        *n = s->len;
        *lineno = s->lineno;
        return 1;
    }
    list_reset(&c->queue);
    if ((r = lines_next(&c->in, p, n)) <= 0)
        return r;
    *lineno = c->in.lineno;
    *truncated = c->in.truncated;
    if (c->mode == TEXT_UTF8 || c->in.encoding != LINES_BYTES || charset_is_ascii(*p, *n))
        return 1;
    pz_buf_reset(&c->conv);
    if (c->mode == TEXT_CP1252 || !pz_utf8_valid(*p, *n))
        charset_cp1252_to_utf8(*p, *n, &c->conv);
    else
        charset_utf8_repair(*p, *n, &c->conv);
    *p = pz_buf_str(&c->conv);
    *n = c->conv.len;
    return 1;
}

/*
 * First pass: is the file UTF-8? Sets c->mode, or returns PZ_EINVAL with the
 * line of the first bad byte when the file is UTF-8 with errors in it.
 */
static int decide_text(struct creader *c, FILE *f)
{
    struct lines scan;
    const char *p;
    size_t n;
    long bad_line = 0, bad = 0, good = 0;
    long pos = ftell(f);
    int r;

    if (pos < 0) {
        c->mode = TEXT_GUESS;
        return 0;
    }
    lines_init(&scan, f, CONTACTS_CSV_MAX_ROW);
    while ((r = lines_next(&scan, &p, &n)) > 0) {
        if (scan.encoding != LINES_BYTES)
            break;
        for (size_t i = 0; i < n;) {
            size_t l = p[i] == '\0' ? 0 : pz_utf8_char_len(p + i, n - i);
            if (l == 0) {
                if (!bad_line)
                    bad_line = scan.lineno;
                bad++;
                i++;
            } else {
                good += l > 1;
                i += l;
            }
        }
    }
    if (r == 0 && bad && (scan.had_bom || good > bad))
        r = set_fatal(c->fatal, c->name, bad_line, PZ_EINVAL, "invalid UTF-8");
    else if (r < 0)
        r = set_fatal(c->fatal, c->name, scan.lineno + 1, PZ_EIO, "cannot read the file");
    c->mode = bad ? TEXT_CP1252 : TEXT_UTF8;
    lines_release(&scan);
    if (r < 0)
        return r;
    clearerr(f);
    if (fseek(f, pos, SEEK_SET) != 0)
        return set_fatal(c->fatal, c->name, 1, PZ_EIO, "cannot read the file");
    return 0;
}

static int run(struct creader *c, FILE *f, const char **kind)
{
    const char *p;
    size_t n;
    long lineno;
    int truncated, r;

    if (kind)
        *kind = NULL;
    c->delim = ',';
    if (parser_start(c) < 0)
        return set_fatal(c->fatal, c->name, 1, PZ_ENOMEM, "out of memory");
    lines_init(&c->in, f, CONTACTS_CSV_MAX_ROW);
    for (;;) {
        r = next_line(c, &p, &n, &lineno, &truncated);
        if (r < 0) {
            c->fatal_rc =
                set_fatal(c->fatal, c->name, c->in.lineno + 1, PZ_EIO, "cannot read the file");
            break;
        }
        if (r == 0) {
            if (!c->in_row)
                break;
            /* The file ended inside a quoted field. */
            fail_row(c, "a quoted field is not closed", NULL, NULL);
            continue;
        }
        feed_line(c, p, n, lineno, truncated);
        if (kind)
            *kind = c->kind;
        if (c->fatal_rc || c->stop_rc || (c->sniff_only && c->kind))
            break;
    }
    csv_free(&c->parser);
    lines_release(&c->in);
    if (c->fatal_rc)
        return c->fatal_rc;
    if (c->stop_rc)
        return c->stop_rc;
    if (!c->kind) {
        if (c->first_row_line == 0)
            return set_fatal(c->fatal, c->name, 1, PZ_EINVAL, "empty file");
        return set_fatal(c->fatal, c->name, c->first_row_line, PZ_EINVAL,
                         "not a contacts CSV (header not recognised)");
    }
    return 0;
}

static void reader_init(struct creader *c, const char *name, const struct import_sink *sink,
                        struct import_problem *fatal)
{
    memset(c, 0, sizeof(*c));
    c->name = name;
    c->sink = sink;
    c->fatal = fatal;
    pz_buf_init(&c->conv, 3 * (size_t)CONTACTS_CSV_MAX_ROW);
    pz_buf_init(&c->name_buf, 3 * (size_t)CONTACTS_CSV_MAX_ROW);
    fields_init(&c->row);
    list_init(&c->row_lines);
    list_init(&c->queue);
}

static void reader_release(struct creader *c)
{
    pz_buf_release(&c->conv);
    pz_buf_release(&c->name_buf);
    pz_buf_release(&c->row.buf);
    list_release(&c->row_lines);
    list_release(&c->queue);
}

int contacts_csv_read_stream(FILE *f, const char *name, const struct import_sink *sink,
                             struct import_problem *fatal, const char **kind)
{
    struct creader *c = xmalloc(sizeof(*c));
    int rc;

    reader_init(c, name, sink, fatal);
    rc = decide_text(c, f);
    if (rc == 0)
        rc = run(c, f, kind);
    reader_release(c);
    free(c);
    return rc;
}

int contacts_csv_read(const char *path, const struct import_sink *sink,
                      struct import_problem *fatal)
{
    FILE *f = fopen(path, "rb");
    int rc;

    if (!f)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    rc = contacts_csv_read_stream(f, path, sink, fatal, NULL);
    fclose(f);
    return rc;
}

const char *contacts_csv_sniff(const char *data, size_t n)
{
    struct creader *c;
    const char *kind = NULL;
    FILE *f;

    if (n == 0 || !(f = fmemopen((void *)data, n, "rb")))
        return NULL;
    c = xmalloc(sizeof(*c));
    reader_init(c, "", NULL, NULL);
    c->sniff_only = 1;
    c->mode = TEXT_GUESS;
    run(c, f, &kind);
    reader_release(c);
    free(c);
    fclose(f);
    return kind;
}
