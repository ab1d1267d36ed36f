/*
 * The vCard reader. See vcard.h.
 *
 * Three layers. lines.c hands out physical lines. Here they are assembled
 * into logical lines: a line starting with a space or tab continues the one
 * before (a fold); a quoted-printable value ending in "=" continues on the
 * next line whatever it starts with (a soft line break); inside a card a line
 * that is no "NAME:" or "NAME;" continues the one before after a newline.
 * Because a logical line is complete only when the next physical line has
 * been seen, each is processed one line late. Finally each logical line is
 * split into group, name, parameters and value, and the card being read takes
 * what it needs; its strings live in an arena released after each card.
 */
#include "import/vcard.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/text.h"
#include "import/charset.h"
#include "import/lines.h"
#include "import/values.h"
#include "core/banned.h"

#define MAX_ABLABELS 16

/* Parameter types a label is made of. */
enum {
    T_CELL = 1 << 0,
    T_HOME = 1 << 1,
    T_WORK = 1 << 2,
    T_FAX = 1 << 3,
    T_PAGER = 1 << 4,
    T_MAIN = 1 << 5,
    T_OTHER = 1 << 6,
};

struct params {
    int qp, b64;
    unsigned types;
    const char *service; /* an identity kind named by TYPE= or X-SERVICE-TYPE= */
    char charset[48];
};

struct prop {
    const char *group;
    size_t group_len;
    const char *name;
    size_t name_len;
    const char *params; /* from the first ';' after the name up to the ':' */
    size_t params_len;
    const char *value;
    size_t value_len;
};

struct card_identity {
    const char *kind, *value, *label, *group;
};

struct card {
    long line;
    int version; /* 21, 30 or 40 */
    const char *fn, *given, *family, *org, *title, *note;
    const char *tags[IMPORT_MAX_TAGS];
    size_t n_tags;
    struct card_identity ids[IMPORT_MAX_IDENTITIES];
    size_t n_ids;
    struct {
        const char *group, *label;
    } ablabels[MAX_ABLABELS];
    size_t n_ablabels;
    size_t bytes;
    const char *bad;   /* why the card will be skipped, or NULL */
    int agent_pending; /* the last property was an empty AGENT: a nested card follows */
    int is_org;        /* KIND:org (4.0) or X-ABShowAs:COMPANY (Apple): an organization's card */
};

struct vreader {
    const char *name;
    const struct import_sink *sink;
    struct lines in;
    struct pz_buf logical; /* the logical line being assembled */
    long logical_line;
    int have_logical, logical_truncated;
    int in_card, agent_depth, saw_begin;
    struct card card;
    struct pz_arena arena;
    struct pz_buf raw;  /* a value after quoted-printable decoding */
    struct pz_buf text; /* a value in UTF-8 */
    struct charset cs;
};

/* --- small helpers ------------------------------------------------------- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int slice_ieq(const char *s, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n && word[i]; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)word[i]))
            return 0;
    return i == n && word[i] == '\0';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static void trim_slice(const char **s, size_t *n)
{
    while (*n > 0 && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_space((*s)[*n - 1]))
        (*n)--;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static void report(struct vreader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(struct vreader *r, long line, const char *fmt, ...)
{
    struct import_problem p;
    va_list ap;

    if (!r->sink->on_skip)
        return;
    p.file = r->name;
    p.line = line;
    va_start(ap, fmt);
    vsnprintf(p.message, sizeof(p.message), fmt, ap);
    va_end(ap);
    r->sink->on_skip(&p, r->sink->arg);
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

/* Returns N bytes of the card's arena, counting them against the card's limit. */
static char *card_alloc(struct vreader *r, size_t n)
{
    r->card.bytes += n;
    if (r->card.bytes > VCARD_MAX_CARD && !r->card.bad)
        r->card.bad = "card holds more than 1 MiB of text";
    return pz_arena_alloc(&r->arena, n);
}

/* Copies N bytes of S into the card's arena as a string. */
static char *card_strndup(struct vreader *r, const char *s, size_t n)
{
    char *p = card_alloc(r, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Joins A and B with SEP between them, in the card's arena. */
static char *card_join(struct vreader *r, const char *a, char sep, const char *b)
{
    size_t an = strlen(a), bn = strlen(b);
    char *p = card_alloc(r, an + bn + 2);

    memcpy(p, a, an + 1);
    p[an] = sep; /* in place of A's terminator */
    memcpy(p + an + 1, b, bn + 1);
    return p;
}

/* --- logical lines ------------------------------------------------------- */

static void logical_add(struct vreader *r, const char *p, size_t n)
{
    size_t room = r->logical.max - r->logical.len;

    if (n > room) {
        n = room;
        r->logical_truncated = 1;
    }
    if (n > 0)
        pz_buf_add(&r->logical, p, n);
}

/* Length of the part before the ':' that starts the value (quotes respected), or N. */
static size_t header_len(const char *s, size_t n)
{
    int quoted = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == ':' && !quoted)
            return i;
    }
    return n;
}

/* Does the logical line end in a quoted-printable soft line break? */
static int continues_qp(const struct vreader *r)
{
    const char *s = r->logical.data;
    size_t n = r->logical.len, h;

    if (n == 0 || s[n - 1] != '=')
        return 0;
    h = header_len(s, n);
    if (h == n)
        return 0;
    for (size_t i = 0; i + 16 <= h; i++)
        if (slice_ieq(s + i, 16, "QUOTED-PRINTABLE"))
            return 1;
    return 0;
}

/* Does a physical line start like a property ("NAME:", "NAME;", "group.NAME:")? */
static int looks_like_property(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
                     (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '_' || p[i] == '.'))
        i++;
    return i > 0 && i < n && (p[i] == ':' || p[i] == ';');
}

/* Is the logical line a BEGIN or END line (which nothing continues)? */
static int begin_or_end(const struct vreader *r)
{
    const char *s = r->logical.data;
    size_t n = r->logical.len;

    return (n >= 6 && slice_ieq(s, 6, "BEGIN:")) || (n >= 4 && slice_ieq(s, 4, "END:"));
}

/* --- properties ---------------------------------------------------------- */

static int parse_prop(const char *s, size_t n, struct prop *pr)
{
    size_t i = 0, h, dot = 0;
    int has_dot = 0;

    memset(pr, 0, sizeof(*pr));
    while (i < n && s[i] != ';' && s[i] != ':') {
        if (s[i] == '.') {
            dot = i;
            has_dot = 1;
        }
        i++;
    }
    if (i == n)
        return -1;
    h = header_len(s, n);
    if (h == n || h < i)
        return -1;
    if (has_dot) {
        pr->group = s;
        pr->group_len = dot;
        pr->name = s + dot + 1;
        pr->name_len = i - dot - 1;
    } else {
        pr->name = s;
        pr->name_len = i;
    }
    pr->params = s + i;
    pr->params_len = h - i;
    pr->value = s + h + 1;
    pr->value_len = n - h - 1;
    return pr->name_len > 0 ? 0 : -1;
}

static void param_type(struct params *pp, const char *w, size_t n)
{
    static const struct {
        const char *word;
        unsigned bit;
    } types[] = {
        {"cell", T_CELL},   {"mobile", T_CELL}, {"iphone", T_CELL},
        {"home", T_HOME},   {"work", T_WORK},   {"fax", T_FAX},
        {"pager", T_PAGER}, {"main", T_MAIN},   {"other", T_OTHER},
    };
    const char *service;

    trim_slice(&w, &n);
    if (n >= 2 && w[0] == '"' && w[n - 1] == '"') {
        w++;
        n -= 2;
    }
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (slice_ieq(w, n, types[i].word)) {
            pp->types |= types[i].bit;
            return;
        }
    }
    if ((service = values_service_kind(w, n)) != NULL && !pp->service)
        pp->service = service;
}

/* Calls param_type for each comma-separated word of a TYPE= value (quotes removed). */
static void param_types(struct params *pp, const char *v, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i == n || v[i] == ',') {
            const char *w = v + start;
            size_t wn = i - start;
            /* Strip the quotes of a quoted list: TYPE="voice,cell". */
            while (wn > 0 && *w == '"') {
                w++;
                wn--;
            }
            while (wn > 0 && w[wn - 1] == '"')
                wn--;
            param_type(pp, w, wn);
            start = i + 1;
        }
    }
}

static void param_one(struct params *pp, const char *p, size_t n)
{
    const char *eq = memchr(p, '=', n);
    const char *v;
    size_t kn, vn;

    trim_slice(&p, &n);
    if (!eq) {
        /* vCard 2.1 bare parameters: TEL;CELL;PREF, NOTE;QUOTED-PRINTABLE. */
        if (slice_ieq(p, n, "QUOTED-PRINTABLE"))
            pp->qp = 1;
        else if (slice_ieq(p, n, "BASE64"))
            pp->b64 = 1;
        else
            param_type(pp, p, n);
        return;
    }
    kn = (size_t)(eq - p);
    v = eq + 1;
    vn = n - kn - 1;
    trim_slice(&p, &kn);
    trim_slice(&v, &vn);
    if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"' && !slice_ieq(p, kn, "TYPE")) {
        v++;
        vn -= 2;
    }
    if (slice_ieq(p, kn, "TYPE")) {
        param_types(pp, v, vn);
    } else if (slice_ieq(p, kn, "ENCODING")) {
        if (slice_ieq(v, vn, "QUOTED-PRINTABLE"))
            pp->qp = 1;
        else if (slice_ieq(v, vn, "BASE64") || slice_ieq(v, vn, "B"))
            pp->b64 = 1;
    } else if (slice_ieq(p, kn, "CHARSET")) {
        if (vn < sizeof(pp->charset)) {
            memcpy(pp->charset, v, vn);
            pp->charset[vn] = '\0';
        }
    } else if (slice_ieq(p, kn, "X-SERVICE-TYPE")) {
        const char *service = values_service_kind(v, vn);
        if (service)
            pp->service = service;
    }
}

static void parse_params(const char *s, size_t n, struct params *pp)
{
    size_t i = 0;

    memset(pp, 0, sizeof(*pp));
    while (i < n) {
        size_t start;
        int quoted = 0;

        if (s[i] == ';') {
            i++;
            continue;
        }
        start = i;
        while (i < n && (quoted || s[i] != ';')) {
            if (s[i] == '"')
                quoted = !quoted;
            i++;
        }
        param_one(pp, s + start, i - start);
    }
}

static const char *types_label(unsigned types)
{
    if (types & T_CELL)
        return "cell";
    if (types & T_FAX)
        return "fax";
    if (types & T_PAGER)
        return "pager";
    if (types & T_HOME)
        return "home";
    if (types & T_WORK)
        return "work";
    if (types & T_MAIN)
        return "main";
    if (types & T_OTHER)
        return "other";
    return NULL;
}

/*
 * Decodes a property's value into r->text as UTF-8: quoted-printable first
 * (bytes), then the charset. Returns 0, or -1 when the value is binary.
 */
static int decode_value(struct vreader *r, const struct prop *pr, const struct params *pp)
{
    const char *v = pr->value;
    size_t n = pr->value_len;

    if (pp->b64)
        return -1;
    pz_buf_reset(&r->text);
    if (pp->qp) {
        pz_buf_reset(&r->raw);
        for (size_t i = 0; i < n; i++) {
            int hi, lo;
            char c = v[i];
            if (c == '=' && i + 2 < n && (hi = hexval(v[i + 1])) >= 0 &&
                (lo = hexval(v[i + 2])) >= 0) {
                c = (char)(hi << 4 | lo);
                i += 2;
            } else if (c == '=' && i + 1 == n) {
                break; /* a soft line break left at the very end */
            }
            if (pz_buf_addch(&r->raw, c) < 0)
                break;
        }
        v = pz_buf_str(&r->raw);
        n = r->raw.len;
    }
    charset_to_utf8(&r->cs, pp->charset, v, n, &r->text);
    return 0;
}

/*
 * Splits the UTF-8 text S (N bytes) at unescaped SEP (0: do not split) into
 * at most MAX parts, unescaped and trimmed, copied into the card's arena;
 * parts past MAX are dropped. Returns the number of parts.
 */
static size_t split_text(struct vreader *r, const char *s, size_t n, char sep, const char **parts,
                         size_t max)
{
    size_t count = 0, i = 0;
    int v21 = r->card.version == 21;

    while (count < max) {
        size_t end = i, o = 0;
        char *out;

        /* Find where the part ends, stepping over escaped characters. */
        while (end < n && s[end] != sep)
            end += s[end] == '\\' && end + 1 < n ? 2 : 1;
        out = card_alloc(r, end - i + 1);
        while (i < end) {
            if (s[i] == '\\' && i + 1 < end) {
                char e = s[i + 1];
                if (e == ';' || e == ',' || e == '\\') {
                    out[o++] = e;
                    i += 2;
                    continue;
                }
                if (!v21 && (e == 'n' || e == 'N')) {
                    out[o++] = '\n';
                    i += 2;
                    continue;
                }
            }
            out[o++] = s[i++];
        }
        out[o] = '\0';
        parts[count++] = values_trim(out);
        if (i >= n)
            break;
        i++; /* the separator */
    }
    return count;
}

/* Decodes a text property as one unescaped, trimmed string; NULL when empty or binary. */
static const char *text_value(struct vreader *r, const struct prop *pr, const struct params *pp)
{
    const char *part;

    if (decode_value(r, pr, pp) < 0)
        return NULL;
    if (split_text(r, pz_buf_str(&r->text), r->text.len, 0, &part, 1) != 1 || !*part)
        return NULL;
    return part;
}

static void add_identity(struct vreader *r, const struct prop *pr, const char *kind,
                         const char *value, const char *label)
{
    struct card_identity *id;

    if (!value || !*value || r->card.n_ids == IMPORT_MAX_IDENTITIES)
        return;
    id = &r->card.ids[r->card.n_ids++];
    id->kind = kind;
    id->value = value;
    id->label = label;
    id->group = pr->group ? card_strndup(r, pr->group, pr->group_len) : NULL;
}

/* Skips a URI scheme prefix such as "tel:" or "mailto:" (case-insensitive). */
static const char *skip_scheme(const char *v, const char *scheme)
{
    size_t n = strlen(scheme);

    if (strlen(v) >= n && slice_ieq(v, n, scheme))
        return values_trim((char *)v + n);
    return v;
}

static void prop_impp(struct vreader *r, const struct prop *pr, const struct params *pp)
{
    const char *v = text_value(r, pr, pp), *colon, *kind = pp->service;

    if (!v)
        return;
    colon = strchr(v, ':');
    if (colon && !kind)
        kind = values_service_kind(v, (size_t)(colon - v));
    if (colon && !kind && (size_t)(colon - v) == 2 && slice_ieq(v, 2, "tg"))
        kind = "telegram";
    if (!kind || (strcmp(kind, "telegram") != 0 && strcmp(kind, "whatsapp") != 0))
        return;
    if (colon) {
        v = colon + 1;
        while (*v == '/')
            v++;
        v = values_trim((char *)v); /* our own copy, in the arena */
    }
    add_identity(r, pr, kind, v, types_label(pp->types));
}

static void prop_social(struct vreader *r, const struct prop *pr, const struct params *pp)
{
    const char *v = text_value(r, pr, pp), *kind;

    if (!v)
        return;
    v = skip_scheme(v, "x-apple:");
    kind = values_url_kind(v);
    if (strcmp(kind, "website") == 0 && pp->service)
        kind = pp->service;
    add_identity(r, pr, kind, v, NULL);
}

static void prop_categories(struct vreader *r, const struct prop *pr, const struct params *pp)
{
    const char *parts[IMPORT_MAX_TAGS];
    size_t n;

    if (decode_value(r, pr, pp) < 0)
        return;
    n = split_text(r, pz_buf_str(&r->text), r->text.len, ',', parts, IMPORT_MAX_TAGS);
    for (size_t i = 0; i < n && r->card.n_tags < IMPORT_MAX_TAGS; i++) {
        const char *tag = values_tag((char *)parts[i]);
        int seen = 0;
        if (!tag)
            continue;
        for (size_t j = 0; j < r->card.n_tags; j++)
            seen |= strcmp(r->card.tags[j], tag) == 0;
        if (!seen)
            r->card.tags[r->card.n_tags++] = tag;
    }
}

static void prop_n(struct vreader *r, const struct prop *pr, const struct params *pp)
{
    const char *parts[5];
    size_t n;

    if (r->card.given || r->card.family || decode_value(r, pr, pp) < 0)
        return;
    n = split_text(r, pz_buf_str(&r->text), r->text.len, ';', parts, 5);
    if (n >= 1 && *parts[0])
        r->card.family = parts[0];
    if (n >= 2 && *parts[1])
        r->card.given = parts[1];
}

static void prop_note(struct vreader *r, const struct prop *pr, const struct params *pp)
{
    const char *v = text_value(r, pr, pp);

    if (!v)
        return;
    r->card.note = r->card.note ? card_join(r, r->card.note, '\n', v) : v;
}

/* Takes what the card needs from one property. */
static void card_property(struct vreader *r, const struct prop *pr, int truncated)
{
    struct params pp;
    const char *name = pr->name, *v;
    size_t nn = pr->name_len;
    int agent = 0;

    /* Binary properties, and anything once the card is to be skipped, take no memory. */
    if (slice_ieq(name, nn, "PHOTO") || slice_ieq(name, nn, "LOGO") ||
        slice_ieq(name, nn, "SOUND") || slice_ieq(name, nn, "KEY") ||
        (r->card.bad && !slice_ieq(name, nn, "AGENT"))) {
        r->card.agent_pending = 0;
        return;
    }
    parse_params(pr->params, pr->params_len, &pp);
    if (slice_ieq(name, nn, "VERSION")) {
        const char *ver = pr->value;
        size_t vn = pr->value_len;
        trim_slice(&ver, &vn);
        r->card.version = slice_ieq(ver, vn, "2.1") ? 21 : slice_ieq(ver, vn, "4.0") ? 40 : 30;
    } else if (truncated) {
        if (!r->card.bad)
            r->card.bad = "a property is longer than 1 MiB";
    } else if (slice_ieq(name, nn, "FN")) {
        if (!r->card.fn)
            r->card.fn = text_value(r, pr, &pp);
    } else if (slice_ieq(name, nn, "N")) {
        prop_n(r, pr, &pp);
    } else if (slice_ieq(name, nn, "ORG")) {
        const char *part;
        if (!r->card.org && decode_value(r, pr, &pp) == 0 &&
            split_text(r, pz_buf_str(&r->text), r->text.len, ';', &part, 1) == 1 && *part)
            r->card.org = part;
    } else if (slice_ieq(name, nn, "TITLE")) {
        if (!r->card.title)
            r->card.title = text_value(r, pr, &pp);
    } else if (slice_ieq(name, nn, "NOTE")) {
        prop_note(r, pr, &pp);
    } else if (slice_ieq(name, nn, "TEL")) {
        if ((v = text_value(r, pr, &pp)) != NULL)
            add_identity(r, pr, "phone", skip_scheme(v, "tel:"), types_label(pp.types));
    } else if (slice_ieq(name, nn, "EMAIL")) {
        if ((v = text_value(r, pr, &pp)) != NULL)
            add_identity(r, pr, "email", skip_scheme(v, "mailto:"), types_label(pp.types));
    } else if (slice_ieq(name, nn, "URL")) {
        if ((v = text_value(r, pr, &pp)) != NULL)
            add_identity(r, pr, values_url_kind(v), v, types_label(pp.types));
    } else if (slice_ieq(name, nn, "X-SOCIALPROFILE")) {
        prop_social(r, pr, &pp);
    } else if (slice_ieq(name, nn, "IMPP")) {
        prop_impp(r, pr, &pp);
    } else if (slice_ieq(name, nn, "CATEGORIES")) {
        prop_categories(r, pr, &pp);
    } else if (slice_ieq(name, nn, "KIND") || slice_ieq(name, nn, "X-ABSHOWAS")) {
        if ((v = text_value(r, pr, &pp)) != NULL &&
            (pz_str_ieq(v, "org") || pz_str_ieq(v, "company")))
            r->card.is_org = 1;
    } else if (slice_ieq(name, nn, "X-ABLABEL")) {
        if (pr->group && r->card.n_ablabels < MAX_ABLABELS && (v = text_value(r, pr, &pp))) {
            r->card.ablabels[r->card.n_ablabels].group = card_strndup(r, pr->group, pr->group_len);
            r->card.ablabels[r->card.n_ablabels++].label = v;
        }
    } else if (slice_ieq(name, nn, "AGENT")) {
        const char *val = pr->value;
        size_t vn = pr->value_len;
        trim_slice(&val, &vn);
        agent = vn == 0;
    }
    r->card.agent_pending = agent;
}

/* --- cards --------------------------------------------------------------- */

static void card_begin(struct vreader *r, long line)
{
    pz_arena_release(&r->arena);
    memset(&r->card, 0, sizeof(r->card));
    r->card.line = line;
    r->card.version = 30;
    r->in_card = 1;
    r->agent_depth = 0;
}

/* The label an Apple item (item1.EMAIL + item1.X-ABLabel) gives an identity, or NULL. */
static const char *ablabel_for(struct vreader *r, const char *group)
{
    for (size_t i = 0; i < r->card.n_ablabels; i++) {
        if (pz_str_ieq(r->card.ablabels[i].group, group)) {
            char *copy =
                card_strndup(r, r->card.ablabels[i].label, strlen(r->card.ablabels[i].label));
            return values_label(copy);
        }
    }
    return NULL;
}

static const char *first_identity(const struct card *c, const char *kind)
{
    for (size_t i = 0; i < c->n_ids; i++)
        if (!kind || strcmp(c->ids[i].kind, kind) == 0)
            return c->ids[i].value;
    return NULL;
}

/* Hands the finished card to the sink; returns what on_record returned, or 0. */
static int card_end(struct vreader *r)
{
    struct card *c = &r->card;
    struct import_contact rec;
    const char *full = c->fn;

    r->in_card = 0;
    if (!full && (c->given || c->family)) {
        if (c->given && c->family) {
            full = card_join(r, c->given, ' ', c->family);
        } else {
            full = c->given ? c->given : c->family;
        }
    }
    if (!full)
        full = first_identity(c, "email");
    if (!full)
        full = c->org;
    if (!full)
        full = first_identity(c, NULL);
    if (!full && !c->bad)
        c->bad = "card has no name, organization or identity";
    for (size_t i = 0; i < c->n_ids; i++) {
        const char *label;
        if (c->ids[i].group && (label = ablabel_for(r, c->ids[i].group)) != NULL)
            c->ids[i].label = label;
    }
    if (c->bad) {
        report(r, c->line, "%s", c->bad);
        return 0;
    }
    memset(&rec, 0, sizeof(rec));
    rec.file = r->name;
    rec.line = c->line;
    rec.full_name = full;
    rec.given_name = c->given;
    rec.family_name = c->family;
    rec.organization = c->org;
    rec.title = c->title;
    rec.note = c->note;
    memcpy(rec.tags, c->tags, c->n_tags * sizeof(c->tags[0]));
    rec.n_tags = c->n_tags;
    for (size_t i = 0; i < c->n_ids; i++) {
        rec.identities[i].kind = c->ids[i].kind;
        rec.identities[i].value = c->ids[i].value;
        rec.identities[i].label = c->ids[i].label;
    }
    rec.n_identities = c->n_ids;
    rec.connected_on = -1;
    if (c->is_org && (c->org || c->fn)) {
        /* An organization's own card carries no person's name. */
        rec.organization = c->org ? c->org : c->fn;
        rec.full_name = rec.given_name = rec.family_name = NULL;
        rec.title = NULL;
    }
    return r->sink->on_record ? r->sink->on_record(&rec, r->sink->arg) : 0;
}

/* Handles one complete logical line; returns non-zero to stop. */
static int process_logical(struct vreader *r)
{
    struct prop pr;
    const char *s = pz_buf_str(&r->logical), *v;
    size_t n = r->logical.len, vn;
    long line = r->logical_line;
    int truncated = r->logical_truncated;

    r->have_logical = 0;
    if (parse_prop(s, n, &pr) < 0)
        return 0; /* not a property: nothing to take */
    v = pr.value;
    vn = pr.value_len;
    trim_slice(&v, &vn);
    if (!pr.group && slice_ieq(pr.name, pr.name_len, "BEGIN") && slice_ieq(v, vn, "VCARD")) {
        r->saw_begin = 1;
        if (r->in_card && r->agent_depth > 0) {
            r->agent_depth++;
        } else if (r->in_card && r->card.agent_pending) {
            r->agent_depth = 1; /* vCard 2.1 AGENT: a nested card, ignored */
        } else {
            if (r->in_card)
                report(r, r->card.line, "card has no END:VCARD");
            card_begin(r, line);
        }
        return 0;
    }
    if (!pr.group && slice_ieq(pr.name, pr.name_len, "END") && slice_ieq(v, vn, "VCARD")) {
        if (r->in_card && r->agent_depth > 0) {
            if (--r->agent_depth == 0)
                r->card.agent_pending = 0;
            return 0;
        }
        if (!r->in_card) {
            report(r, line, "END:VCARD without BEGIN:VCARD");
            return 0;
        }
        return card_end(r);
    }
    if (r->in_card && r->agent_depth == 0)
        card_property(r, &pr, truncated);
    return 0;
}

static void logical_start(struct vreader *r, const char *p, size_t n)
{
    pz_buf_reset(&r->logical);
    r->logical_truncated = r->in.truncated;
    r->logical_line = r->in.lineno;
    r->have_logical = 1;
    logical_add(r, p, n);
}

int vcard_read_stream(FILE *f, const char *name, const struct import_sink *sink,
                      struct import_problem *fatal)
{
    struct vreader r;
    const char *p;
    size_t n;
    int rc;

    memset(&r, 0, sizeof(r));
    r.name = name;
    r.sink = sink;
    lines_init(&r.in, f, VCARD_MAX_LINE);
    pz_buf_init(&r.logical, VCARD_MAX_LINE);
    pz_buf_init(&r.raw, VCARD_MAX_LINE);
    pz_buf_init(&r.text, 3 * (size_t)VCARD_MAX_LINE + 16);
    charset_init(&r.cs);

    while ((rc = lines_next(&r.in, &p, &n)) > 0) {
        if (r.have_logical) {
            if (continues_qp(&r)) {
                /* Drop the "=" of the soft line break and take the next line as it is. */
                r.logical.len--;
                r.logical.data[r.logical.len] = '\0';
                r.logical_truncated |= r.in.truncated;
                logical_add(&r, p, n);
                continue;
            }
            if (n > 0 && is_space(p[0])) {
                r.logical_truncated |= r.in.truncated;
                logical_add(&r, p + 1, n - 1);
                continue;
            }
            if (r.in_card && n > 0 && !looks_like_property(p, n) && !begin_or_end(&r)) {
                r.logical_truncated |= r.in.truncated;
                logical_add(&r, "\n", 1);
                logical_add(&r, p, n);
                continue;
            }
            if ((rc = process_logical(&r)) != 0)
                goto done;
        }
        /* Nothing to continue: leading white space is indentation, not a fold. */
        while (n > 0 && is_space(p[0])) {
            p++;
            n--;
        }
        if (n > 0)
            logical_start(&r, p, n);
    }
    if (rc < 0) {
        rc = set_fatal(fatal, name, r.in.lineno + 1, PZ_EIO, "cannot read the file");
        goto done;
    }
    if (r.have_logical && (rc = process_logical(&r)) != 0)
        goto done;
    if (r.in_card)
        report(&r, r.card.line, "card has no END:VCARD");
    if (!r.saw_begin)
        rc = set_fatal(fatal, name, 1, PZ_EINVAL,
                       r.in.lineno == 0 ? "empty file" : "not a vCard file");
done:
    charset_release(&r.cs);
    pz_arena_release(&r.arena);
    pz_buf_release(&r.text);
    pz_buf_release(&r.raw);
    pz_buf_release(&r.logical);
    lines_release(&r.in);
    return rc;
}

int vcard_read(const char *path, const struct import_sink *sink, struct import_problem *fatal)
{
    FILE *f = fopen(path, "rb");
    int rc;

    if (!f)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    rc = vcard_read_stream(f, path, sink, fatal);
    fclose(f);
    return rc;
}
