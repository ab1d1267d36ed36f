/*
 * The WhatsApp chat export reader. See whatsapp.h for what it accepts and
 * what it makes of it.
 *
 * Lines come from the bounded line reader (lines.c), which also settles
 * byte order marks and UTF-16. A header is recognised by parse_head, one
 * hand-written scanner for every locale's layout; everything after it
 * (author, text) is looked at only once the day/month order is known. A zip
 * is opened with libzip: its chat member is copied to a temporary file (the
 * reader needs two passes; memory stays bounded), and its media are read
 * straight from the archive when a message names them.
 */
#include "import/whatsapp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <strings.h>
#include <zip.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/tz.h"
#include "import/charset.h"
#include "import/lines.h"
#include "core/banned.h"

#define AUTHOR_MAX   200
#define AUTHOR_MEMO  32   /* raw author spellings remembered with their cleaned form */
#define AUTHORS_MAX  4096 /* authors announced up front; later ones are named by their messages */
#define TITLE_MAX    200
#define SNIFF_LINES  3           /* lines that are not blank looked at for the first header */
#define ZIP_CHAT_MAX (1LL << 32) /* a chat .txt inside a zip (4 GiB) */

/* A parsed header: the three date numbers as written, the time, where the rest begins. */
struct head {
    int n[3];
    int digits[3];
    int hour, min, sec;
    int ampm; /* 0 none, 1 am, 2 pm */
    size_t rest;
};

/* --- scanning ------------------------------------------------------------------------ */

/* Length of an invisible mark at S (LRM, RLM, bidi embeddings and isolates, BOM), or 0. */
static size_t mark_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;

    if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x8E || u[2] == 0x8F))
        return 3; /* U+200E, U+200F */
    if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0xAA && u[2] <= 0xAE)
        return 3; /* U+202A..U+202E */
    if (n >= 3 && u[0] == 0xE2 && u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)
        return 3; /* U+2066..U+2069 */
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return 3; /* U+FEFF */
    return 0;
}

/* Length of a space at S: ASCII space, U+00A0, U+202F, U+2009; 0 when none. */
static size_t space_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;

    if (n >= 1 && u[0] == ' ')
        return 1;
    if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xAF || u[2] == 0x89))
        return 3;
    return 0;
}

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
    size_t k;

    while (i < n && (k = space_len(s + i, n - i)) > 0)
        i += k;
    return i;
}

static size_t skip_marks(const char *s, size_t n, size_t i)
{
    size_t k;

    while (i < n && (k = mark_len(s + i, n - i)) > 0)
        i += k;
    return i;
}

/* Reads 1..MAX digits at S[*I]; returns the value or -1. */
static int number(const char *s, size_t n, size_t *i, int max, int *digits)
{
    int v = 0, d = 0;

    while (*i < n && d < max && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        d++;
    }
    if (d == 0 || (*i < n && s[*i] >= '0' && s[*i] <= '9'))
        return -1;
    if (digits)
        *digits = d;
    return v;
}

/* An AM/PM marker at S[*I] ("AM", "pm", "a. m.", "p.m." with any spaces): 1 am, 2 pm, 0 none. */
static int ampm(const char *s, size_t n, size_t *i)
{
    size_t j = *i;
    int which;

    if (j >= n)
        return 0;
    if (s[j] == 'a' || s[j] == 'A')
        which = 1;
    else if (s[j] == 'p' || s[j] == 'P')
        which = 2;
    else
        return 0;
    j++;
    if (j < n && s[j] == '.')
        j++;
    j = skip_spaces(s, n, j);
    if (j >= n || (s[j] != 'm' && s[j] != 'M'))
        return 0;
    j++;
    if (j < n && s[j] == '.')
        j++;
    *i = j;
    return which;
}

/*
 * Recognises a message header at the start of line S (N bytes). Returns 1
 * and fills *H, or 0 when the line is not a header.
 */
static int two_digits(const char *s)
{
    return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' ? (s[0] - '0') * 10 + s[1] - '0'
                                                                    : -1;
}

/*
 * The commonest header, Android's "dd/mm/yy, HH:MM - " (the Italian layout), read at fixed
 * places: 1 with *H filled as the general reading below would fill it, 0 to read it that way.
 */
static int parse_head_android(const char *s, size_t n, struct head *h)
{
    int d, m, y, hh, mm;

    if (n < 18 || s[2] != '/' || s[5] != '/' || s[8] != ',' || s[9] != ' ' || s[12] != ':' ||
        s[15] != ' ' || s[16] != '-' || s[17] != ' ' || (d = two_digits(s)) < 0 ||
        (m = two_digits(s + 3)) < 0 || (y = two_digits(s + 6)) < 0 ||
        (hh = two_digits(s + 10)) < 0 || (mm = two_digits(s + 13)) < 0 || hh > 23 || mm > 59)
        return 0;
    memset(h, 0, sizeof(*h));
    h->n[0] = d;
    h->n[1] = m;
    h->n[2] = y;
    h->digits[0] = h->digits[1] = h->digits[2] = 2;
    h->hour = hh;
    h->min = mm;
    h->rest = skip_spaces(s, n, 17);
    return 1;
}

static int parse_head(const char *s, size_t n, struct head *h)
{
    size_t i = skip_marks(s, n, 0);
    int ios = 0;
    char sep;

    if (parse_head_android(s, n, h))
        return 1;
    memset(h, 0, sizeof(*h));
    if (i < n && s[i] == '[') {
        ios = 1;
        i++;
    }
    if ((h->n[0] = number(s, n, &i, 4, &h->digits[0])) < 0 || i >= n)
        return 0;
    sep = s[i];
    if (sep != '/' && sep != '.' && sep != '-')
        return 0;
    i++;
    if ((h->n[1] = number(s, n, &i, 2, &h->digits[1])) < 0 || i >= n || s[i] != sep)
        return 0;
    i++;
    if ((h->n[2] = number(s, n, &i, 4, &h->digits[2])) < 0)
        return 0;
    if (h->digits[2] == 3 || (h->digits[0] == 4 && h->digits[2] > 2) ||
        (h->digits[0] != 4 && h->digits[0] > 2) || (h->digits[0] == 3))
        return 0;
    if (i < n && s[i] == '.')
        i++; /* "20.06.2019." */
    if (i < n && s[i] == ',')
        i++;
    {
        size_t j = skip_spaces(s, n, i);
        if (j == i)
            return 0;
        i = j;
    }
    if ((h->hour = number(s, n, &i, 2, NULL)) < 0 || i >= n || (s[i] != ':' && s[i] != '.'))
        return 0;
    i++;
    if ((h->min = number(s, n, &i, 2, NULL)) < 0)
        return 0;
    if (i + 1 < n && s[i] == ':' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        if ((h->sec = number(s, n, &i, 2, NULL)) < 0)
            return 0;
    }
    {
        size_t j = skip_spaces(s, n, i);
        int m = ampm(s, n, &j);
        if (m) {
            h->ampm = m;
            i = j;
        }
    }
    if (h->hour > (h->ampm ? 12 : 23) || h->min > 59 || h->sec > 59 || (h->ampm && h->hour == 0))
        return 0;
    if (ios) {
        if (i >= n || s[i] != ']')
            return 0;
        i++;
        i = skip_spaces(s, n, i);
    } else {
        i = skip_spaces(s, n, i);
        if (i < n && s[i] == '-')
            i++;
        else if (i + 2 < n && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
                 (unsigned char)s[i + 2] == 0x93)
            i += 3; /* en dash */
        else
            return 0;
        if (i < n) {
            size_t j = skip_spaces(s, n, i);
            if (j == i)
                return 0;
            i = j;
        }
    }
    h->rest = i;
    return 1;
}

/* --- day/month order and time -------------------------------------------------------- */

enum order { ORDER_DMY = 0, ORDER_MDY, ORDER_YMD };

/* Writes V (0 <= V < 10^WIDTH) as WIDTH decimal digits. */
static void put_digits(char *out, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Turns header H into a local time in the calendar (seconds since 1970-01-01 local). */
static int head_local(const struct head *h, enum order order, int64_t *local, char iso[24])
{
    int64_t y;
    int m, d, hour = h->hour;

    if (h->digits[0] == 4) {
        y = h->n[0];
        m = h->n[1];
        d = h->n[2];
    } else {
        y = h->n[2];
        d = order == ORDER_MDY ? h->n[1] : h->n[0];
        m = order == ORDER_MDY ? h->n[0] : h->n[1];
    }
    if (y < 100)
        y += 2000;
    if (!pz_date_valid(y, m, d) || y < 2000 || y > 2200)
        return -1;
    if (h->ampm == 1 && hour == 12)
        hour = 0;
    else if (h->ampm == 2 && hour < 12)
        hour += 12;
    *local = pz_civil_to_days(y, m, d) * 86400 + hour * 3600 + h->min * 60 + h->sec;
    /* "YYYY-MM-DDTHH:MM:SS" by hand: snprintf was a sixth of the reader's time. */
    put_digits(iso, (int)y, 4);
    iso[4] = '-';
    put_digits(iso + 5, m, 2);
    iso[7] = '-';
    put_digits(iso + 8, d, 2);
    iso[10] = 'T';
    put_digits(iso + 11, hour, 2);
    iso[13] = ':';
    put_digits(iso + 14, h->min, 2);
    iso[16] = ':';
    put_digits(iso + 17, h->sec, 2);
    iso[19] = '\0';
    return 0;
}

/* --- text classification ------------------------------------------------------------- */

/* The longest placeholder or notice below, in bytes: longer texts are none of them. */
#define NOTICE_MAX 48

/* A fixed text with its length, so most candidates are told apart by the length alone. */
struct lit {
    const char *s;
    size_t n;
};
#define LIT(x)                                                                                     \
    {                                                                                              \
        x, sizeof(x) - 1                                                                           \
    }

/* Whether S (N bytes) is one of the COUNT texts of LIST. */
static int one_of(const char *s, size_t n, const struct lit *list, size_t count)
{
    if (n == 0 || n > NOTICE_MAX)
        return 0;
    for (size_t i = 0; i < count; i++)
        if (list[i].n == n && memcmp(s, list[i].s, n) == 0)
            return 1;
    return 0;
}

static int ends_with(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s + n - k, lit, k) == 0;
}

/* Whole-text media placeholders without a file name. */
static const struct lit omitted[] = {
    LIT("<Media omessi>"),
    LIT("<Media omitted>"),
    LIT("<Media weggelassen>"),
    LIT("<Multimedia omitido>"),
    LIT("<Médias omis>"),
    LIT("<Mídia oculta>"),
    LIT("image omitted"),
    LIT("video omitted"),
    LIT("audio omitted"),
    LIT("sticker omitted"),
    LIT("GIF omitted"),
    LIT("document omitted"),
    LIT("Contact card omitted"),
    LIT("immagine omessa"),
    LIT("video omesso"),
    LIT("audio omesso"),
    LIT("sticker omesso"),
    LIT("GIF omessa"),
    LIT("documento omesso"),
    LIT("scheda contatto omessa"),
    LIT("foto omessa"),
    LIT("vocale omesso"),
    LIT("messaggio vocale omesso"),
};

static const struct lit deleted_texts[] = {
    LIT("Questo messaggio è stato eliminato"),
    LIT("Hai eliminato questo messaggio"),
    LIT("This message was deleted"),
    LIT("You deleted this message"),
    LIT("This message was deleted."),
    LIT("You deleted this message."),
    LIT("Questo messaggio è stato eliminato."),
    LIT("Hai eliminato questo messaggio."),
};

static const char *const edited_marks[] = {
    "<Questo messaggio è stato modificato>",
    "<This message was edited>",
};

/* Finds an attachment's file name in the first line of a media message. */
static int media_name(const char *s, size_t n, char *out, size_t outsz)
{
    static const char *const opens[] = {"<attached: ", "<allegato: ", "<allegati: "};
    static const char *const closes[] = {" (file attached)",   " (file allegato)",
                                         " (archivo adjunto)", " (Datei angehängt)",
                                         " (fichier joint)",   " (arquivo anexado)"};
    size_t first = n;
    const char *nl = memchr(s, '\n', n);

    if (nl)
        first = (size_t)(nl - s);
    /* Every opening starts with '<' and every closing ends with ')': most texts are neither. */
    for (size_t i = 0; n > 0 && s[0] == '<' && i < sizeof(opens) / sizeof(opens[0]); i++) {
        size_t k = strlen(opens[i]);
        const char *gt;
        if (first > k && memcmp(s, opens[i], k) == 0 &&
            (gt = memchr(s + k, '>', first - k)) != NULL) {
            size_t len = (size_t)(gt - s) - k;
            if (len == 0 || len >= outsz)
                return 0;
            memcpy(out, s + k, len);
            out[len] = '\0';
            return 1;
        }
    }
    for (size_t i = 0; first > 0 && s[first - 1] == ')' && i < sizeof(closes) / sizeof(closes[0]);
         i++) {
        if (ends_with(s, first, closes[i])) {
            size_t len = first - strlen(closes[i]);
            size_t j = skip_marks(s, len, 0);
            if (len <= j || len - j >= outsz)
                return 0;
            memcpy(out, s + j, len - j);
            out[len - j] = '\0';
            return 1;
        }
    }
    return 0;
}

/* Whether TEXT (after an author) is one of the media placeholders without a name. */
static int media_omitted(const char *s, size_t n)
{
    if (one_of(s, n, omitted, sizeof(omitted) / sizeof(omitted[0])))
        return 1;
    /* "report.pdf • 3 pagine document omitted" */
    return ends_with(s, n, "document omitted") || ends_with(s, n, "documento omesso");
}

/* --- authors ------------------------------------------------------------------------- */

/*
 * Splits the rest of a header line into author and text: the author is
 * what comes before the first ": " when that looks like a name (not too
 * long, no quotes, which system notices about subjects and descriptions
 * have). Returns the author's length (0: no author) and sets *TEXT_AT.
 */
static size_t split_author(const char *s, size_t n, size_t *text_at)
{
    /* A ": " past AUTHOR_MAX bytes means no author whatever comes before: look no further. */
    size_t end = n < AUTHOR_MAX + 2 ? n : AUTHOR_MAX + 2, stop, i = 0;
    int quoted = 0;

    *text_at = 0;
    if (end < 2)
        return 0;
    stop = end - 1; /* a ':' needs its ' ' after it */
#ifdef __SSE2__
    /* Sixteen bytes at a time: only a ':', a '"' or the lead byte of a curly quote (0xE2)
     * needs a look, and a name has one or two of them. */
    for (; i + 16 <= end; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned mask = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE2))));
        while (mask) {
            size_t j = i + (size_t)__builtin_ctz(mask);
            mask &= mask - 1;
            if (j >= stop) {
                i = stop;
                goto found;
            }
            if (s[j] == ':') {
                if (s[j + 1] == ' ') {
                    i = j;
                    goto found;
                }
            } else if (s[j] == '"' ||
                       (j + 2 < end && (unsigned char)s[j + 1] == 0x80 &&
                        ((unsigned char)s[j + 2] == 0x9C || (unsigned char)s[j + 2] == 0x9D))) {
                quoted = 1;
            }
        }
    }
#endif
    /* One pass over the few bytes of a name (three memchr calls a header cost more). */
    for (; i < stop; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':' && s[i + 1] == ' ')
            break;
        /* straight or curly quotes (U+201C, U+201D) */
        if (c == '"' || (c == 0xE2 && i + 2 < end && (unsigned char)s[i + 1] == 0x80 &&
                         ((unsigned char)s[i + 2] == 0x9C || (unsigned char)s[i + 2] == 0x9D)))
            quoted = 1;
    }
#ifdef __SSE2__
found:
#endif
    if (i + 1 >= end || i == 0 || i > AUTHOR_MAX || quoted)
        return 0;
    *text_at = i + 2;
    return i;
}

/* Copies author A (N bytes) without bidi marks around it into OUT. */
static void clean_author(const char *a, size_t n, char *out, size_t outsz)
{
    size_t i = skip_marks(a, n, 0), end = n, o = 0;

    while (end > i) {
        size_t k = 0;
        /* trailing marks: all are 3 bytes */
        if (end - i >= 3)
            k = mark_len(a + end - 3, 3);
        if (!k)
            break;
        end -= k;
    }
    while (end > i && a[end - 1] == ' ')
        end--;
    for (; i < end && o + 1 < outsz; i++)
        out[o++] = a[i];
    while (o > 0 && !pz_utf8_valid(out, o))
        o--;
    out[o] = '\0';
}

/* Whether AUTHOR is written as a phone number ("+39 333 123 4567"). */
static int author_is_phone(const char *a)
{
    int digits = 0;

    if (*a == '+')
        a++;
    for (; *a; a++) {
        if (*a >= '0' && *a <= '9')
            digits++;
        else if (*a != ' ' && *a != '-' && *a != '(' && *a != ')' && *a != '.' &&
                 !((unsigned char)a[0] == 0xC2 && (unsigned char)a[1] == 0xA0 && (a++, 1)))
            return 0;
    }
    return digits >= 6 && digits <= 15;
}

/* --- the reader ---------------------------------------------------------------------- */

struct author {
    char *name;
    uint64_t hash;
};

struct reader {
    const char *name; /* file name for problems */
    const char *media_dir;
    zip_t *zip;
    const struct chat_options *o;
    const struct chat_sink *sink;
    struct import_problem *fatal;
    struct pz_tz *tz;
    enum order order;
    int is_group;

    /* Pass 1 */
    long headers, dated; /* headers, and of them those with day and month to tell apart */
    int day_first_seen, month_first_seen;
    struct author *authors;
    size_t n_authors;
    size_t *aindex; /* open addressing: index + 1 */
    size_t aindex_cap;

    /* Authors as written on header lines, with their cleaned form: a chat has few people
     * writing many times, so most headers name one met a moment ago (see author_memo). */
    struct {
        size_t raw_len; /* 0: empty slot */
        char raw[AUTHOR_MAX];
        char clean[AUTHOR_MAX + 1];
    } memo[AUTHOR_MEMO];
    unsigned memo_next; /* the slot the next new spelling takes, round the table */

    /* Pass 2: the message being gathered. */
    int have;
    long line;
    struct head head;
    char author[AUTHOR_MAX + 1];
    int has_author;
    struct pz_buf text;
    int text_cut;
    int64_t prev_local;
    int prev_ambiguous, second_pass;
    long long total;       /* bytes of the file, for progress */
    int64_t gap_day_noted; /* the day of the last skipped-hour note, -1 none */
    long orphan_line;      /* first text line before any header, 0 when none */
    int64_t tz_day;        /* a local day with one offset all through it, or INT64_MIN */
    int64_t tz_day_off;    /* that offset, seconds */
};

static int author_known(struct reader *r, const char *a, int add)
{
    uint64_t h = pz_fnv1a64(a, strlen(a));
    size_t mask, i;

    if (r->aindex_cap) {
        mask = r->aindex_cap - 1;
        for (i = h & mask; r->aindex[i]; i = (i + 1) & mask)
            if (r->authors[r->aindex[i] - 1].hash == h &&
                strcmp(r->authors[r->aindex[i] - 1].name, a) == 0)
                return 1;
    }
    if (!add || r->n_authors >= AUTHORS_MAX)
        return 0;
    if (2 * (r->n_authors + 1) > r->aindex_cap) {
        size_t cap = r->aindex_cap ? 2 * r->aindex_cap : 64;
        free(r->aindex);
        r->aindex = xcalloc(cap, sizeof(*r->aindex));
        r->aindex_cap = cap;
        r->authors = xrealloc(r->authors, cap * sizeof(*r->authors));
        for (size_t k = 0; k < r->n_authors; k++) {
            for (i = r->authors[k].hash & (cap - 1); r->aindex[i]; i = (i + 1) & (cap - 1))
                ;
            r->aindex[i] = k + 1;
        }
    }
    mask = r->aindex_cap - 1;
    for (i = h & mask; r->aindex[i]; i = (i + 1) & mask)
        ;
    r->authors[r->n_authors].name = xstrdup(a);
    r->authors[r->n_authors].hash = h;
    r->aindex[i] = ++r->n_authors;
    return 0;
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

static void note(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct reader *r, const char *fmt, ...)
{
    char msg[300];
    va_list ap;

    if (!r->sink->on_note)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->sink->on_note(r->name, msg, r->sink->arg);
}

/* Whether a system notice says a group was made or people were added. */
static int group_notice(const char *s, size_t n)
{
    static const char *const words[] = {
        " created group ", " ha creato il gruppo ", " added ",       " ha aggiunto ",
        " joined using ",  " si è unito tramite ",  "created group", " left",
        " è uscito"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (memmem(s, n, words[i], strlen(words[i])))
            return 1;
    return 0;
}

/*
 * The cleaned form of author RAW (ALEN bytes, at most AUTHOR_MAX) as clean_author gives it,
 * remembered by its raw bytes. Sets *SEEN when RAW was met before (in this pass or the one
 * before it). The answer lives in R until another author takes its slot.
 */
static const char *author_memo(struct reader *r, const char *raw, size_t alen, int *seen)
{
    unsigned slot;

    /* Looked for in every slot (a few dozen length compares): a hash of the first and last
     * bytes put two of a dozen people in one slot often enough to miss on every turn. */
    for (slot = 0; slot < AUTHOR_MEMO; slot++)
        if (r->memo[slot].raw_len == alen && memcmp(r->memo[slot].raw, raw, alen) == 0) {
            *seen = 1;
            return r->memo[slot].clean;
        }
    *seen = 0;
    slot = r->memo_next++ % AUTHOR_MEMO;
    clean_author(raw, alen, r->memo[slot].clean, sizeof(r->memo[slot].clean));
    memcpy(r->memo[slot].raw, raw, alen);
    r->memo[slot].raw_len = alen;
    return r->memo[slot].clean;
}

/* Pass 1: day/month evidence, authors, group. Returns 0 or PZ_EIO. */
static int scan(struct reader *r, FILE *f)
{
    struct lines l;
    const char *s;
    size_t n;
    int rc;

    lines_init(&l, f, CHAT_TEXT_MAX);
    while ((rc = lines_next(&l, &s, &n)) > 0) {
        struct head h;
        size_t at, alen;
        const char *a;
        int seen;
        if (!parse_head(s, n, &h))
            continue;
        r->headers++;
        if (h.digits[0] != 4) {
            r->dated++;
            if (h.n[0] > 12)
                r->day_first_seen++;
            if (h.n[1] > 12)
                r->month_first_seen++;
        }
        alen = split_author(s + h.rest, n - h.rest, &at);
        if (!alen) {
            if (group_notice(s + h.rest, n - h.rest))
                r->is_group = 1;
            continue;
        }
        a = author_memo(r, s + h.rest, alen, &seen);
        if (!seen && a[0] && pz_utf8_valid(a, strlen(a)))
            author_known(r, a, 1);
    }
    lines_release(&l);
    if (rc < 0)
        return PZ_EIO;
    if (r->n_authors > 2)
        r->is_group = 1;
    return 0;
}

/* --- attachments --------------------------------------------------------------------- */

static long read_file(void *ctx, char *buf, size_t n)
{
    size_t got = fread(buf, 1, n, ctx);
    return ferror((FILE *)ctx) ? -1 : (long)got;
}

static long read_zip(void *ctx, char *buf, size_t n)
{
    zip_int64_t got = zip_fread(ctx, buf, n);
    return got < 0 ? -1 : (long)got;
}

/* Hands out attachment NAME (may be NULL), with its file when the export has it. */
static int give_attachment(struct reader *r, const char *name)
{
    struct chat_attachment a;
    int rc;

    memset(&a, 0, sizeof(a));
    a.name = name ? name : "";
    a.size = -1;
    if (name && name[0] && !strchr(name, '/') && !strchr(name, '\\') && name[0] != '.') {
        if (r->zip) {
            zip_int64_t idx = zip_name_locate(r->zip, name, ZIP_FL_NODIR);
            zip_stat_t st;
            zip_file_t *zf;
            if (idx >= 0 && zip_stat_index(r->zip, (zip_uint64_t)idx, 0, &st) == 0 &&
                (zf = zip_fopen_index(r->zip, (zip_uint64_t)idx, 0)) != NULL) {
                if (st.valid & ZIP_STAT_SIZE)
                    a.size = (int64_t)st.size;
                a.read = read_zip;
                a.ctx = zf;
                rc = r->sink->attachment(&a, r->sink->arg);
                zip_fclose(zf);
                return rc;
            }
        } else if (r->media_dir) {
            char path[4096];
            FILE *f;
            snprintf(path, sizeof(path), "%s/%s", r->media_dir, name);
            f = fopen(path, "rb");
            if (f) {
                if (fseek(f, 0, SEEK_END) == 0)
                    a.size = ftell(f);
                rewind(f);
                a.read = read_file;
                a.ctx = f;
                rc = r->sink->attachment(&a, r->sink->arg);
                fclose(f);
                return rc;
            }
        }
    }
    return r->sink->attachment(&a, r->sink->arg);
}

/* --- pass 2 -------------------------------------------------------------------------- */

/* Takes off a leading U+200E and a trailing edited marker; sets *EDITED. Returns the new
 * start and length through S and N. */
static void tidy_text(const char **s, size_t *n, int *edited)
{
    size_t i = 0;

    while (*n - i >= 3 && (mark_len(*s + i, *n - i) == 3) && (unsigned char)(*s)[i + 2] == 0x8E)
        i += 3;
    *s += i;
    *n -= i;
    *edited = 0;
    for (size_t k = 0;
         *n > 0 && (*s)[*n - 1] == '>' && k < sizeof(edited_marks) / sizeof(edited_marks[0]); k++) {
        if (ends_with(*s, *n, edited_marks[k])) {
            *n -= strlen(edited_marks[k]);
            while (*n >= 3 && mark_len(*s + *n - 3, 3))
                *n -= 3;
            while (*n > 0 && (*s)[*n - 1] == ' ')
                (*n)--;
            *edited = 1;
            break;
        }
    }
}

/*
 * pz_tz_to_utc (earlier reading) with a cache: most days have one offset from
 * start to end, and a chat's messages come many to a day, so a local time in
 * the same such day as the one before needs no look-up.
 */
static enum pz_tz_kind to_utc(struct reader *r, int64_t local, int64_t *utc)
{
    int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t a, b;

    if (day == r->tz_day) {
        *utc = local - r->tz_day_off;
        return PZ_TZ_UNIQUE;
    }
    if (pz_tz_to_utc(r->tz, day * 86400, 0, &a) == PZ_TZ_UNIQUE &&
        pz_tz_to_utc(r->tz, day * 86400 + 86399, 0, &b) == PZ_TZ_UNIQUE &&
        day * 86400 - a == day * 86400 + 86399 - b) {
        r->tz_day = day;
        r->tz_day_off = day * 86400 - a;
        *utc = local - r->tz_day_off;
        return PZ_TZ_UNIQUE;
    }
    r->tz_day = INT64_MIN;
    return pz_tz_to_utc(r->tz, local, 0, utc);
}

static const struct chat_message no_message;

/* Emits the gathered message. */
static int flush(struct reader *r)
{
    struct chat_message m;
    char iso[24], name[512];
    const char *text;
    size_t n;
    int64_t local, utc;
    int edited, is_media = 0, has_name = 0, rc;
    enum pz_tz_kind kind;

    if (!r->have)
        return 0;
    r->have = 0;
    if (r->text_cut)
        skip(r, r->line, "message longer than %d bytes: the rest was left out", CHAT_TEXT_MAX);
    if (head_local(&r->head, r->order, &local, iso) < 0) {
        skip(r, r->line, "no such date (%d/%d/%d): message skipped", r->head.n[0], r->head.n[1],
             r->head.n[2]);
        return 0;
    }
    kind = to_utc(r, local, &utc);
    if (kind == PZ_TZ_AMBIGUOUS) {
        /* In the repeated hour: the second time round once the file's times go back. */
        if (r->prev_ambiguous && (r->second_pass || local < r->prev_local))
            r->second_pass = 1;
        if (r->second_pass)
            pz_tz_to_utc(r->tz, local, 1, &utc);
        r->prev_ambiguous = 1;
    } else {
        r->prev_ambiguous = 0;
        r->second_pass = 0;
        /* One note per skipped hour, not one per message in it. */
        if (kind == PZ_TZ_GAP && local / 86400 != r->gap_day_noted) {
            r->gap_day_noted = local / 86400;
            note(r,
                 "line %ld: %s does not exist in %s (the clocks went forward); read as "
                 "the time before the change, as are later times of that hour",
                 r->line, iso, pz_tz_name(r->tz));
        }
    }
    r->prev_local = local;

    text = pz_buf_str(&r->text);
    n = r->text.len;
    tidy_text(&text, &n, &edited);
    m = no_message; /* a copy, not memset: that compiled to a slow "rep stos" per message */
    m.file = r->name;
    m.line = r->line;
    m.sent_at = utc * 1000;
    m.local_time = iso;
    m.time_zone = pz_tz_name(r->tz);
    m.edited = edited;
    m.edited_at = -1;
    m.kind = CHAT_TEXT;
    if (r->has_author) {
        m.sender_key = r->author;
        m.sender_name = r->author;
        has_name = media_name(text, n, name, sizeof(name));
        is_media = has_name || media_omitted(text, n);
        m.deleted =
            one_of(text, n, deleted_texts, sizeof(deleted_texts) / sizeof(deleted_texts[0]));
        if (is_media) {
            m.kind = CHAT_MEDIA;
        } else if (text != pz_buf_str(&r->text)) {
            /* An iOS notice under a person's name: its text began with U+200E. */
            if (!m.deleted && !edited)
                m.kind = CHAT_SYSTEM;
        }
    } else {
        m.kind = CHAT_SYSTEM;
    }
    /* The text handed out ends where tidy_text said; keep it NUL-terminated. */
    {
        char saved = text[n];
        ((char *)text)[n] = '\0';
        m.text = text;
        m.text_len = n;
        rc = r->sink->message(&m, r->sink->arg);
        ((char *)text)[n] = saved;
    }
    if (rc == 0 && is_media)
        rc = give_attachment(r, has_name ? name : NULL);
    return rc;
}

/* Appends line S (N bytes) to the message text, repairing invalid UTF-8. */
static void add_text(struct reader *r, const char *s, size_t n, int newline)
{
    if (r->text_cut)
        return;
    if (newline && pz_buf_addch(&r->text, '\n') < 0) {
        r->text_cut = 1;
        return;
    }
    if (charset_utf8_repair(s, n, &r->text) < 0)
        r->text_cut = 1;
}

static int emit(struct reader *r, FILE *f)
{
    struct lines l;
    const char *s;
    size_t n;
    int rc = 0, lr;

    lines_init(&l, f, CHAT_TEXT_MAX);
    pz_buf_init(&r->text, CHAT_TEXT_MAX);
    while (rc == 0 && (lr = lines_next(&l, &s, &n)) > 0) {
        struct head h;
        if (r->sink->on_progress && (l.lineno & 4095) == 0)
            r->sink->on_progress(l.offset, r->total, r->sink->arg);
        if (parse_head(s, n, &h)) {
            size_t at = 0, alen;
            rc = flush(r);
            if (rc)
                break;
            r->have = 1;
            r->line = l.lineno;
            r->head = h;
            r->text_cut = 0;
            pz_buf_reset(&r->text);
            alen = split_author(s + h.rest, n - h.rest, &at);
            r->has_author = 0;
            if (alen) {
                int seen;
                const char *a = author_memo(r, s + h.rest, alen, &seen);
                memcpy(r->author, a, strlen(a) + 1);
                r->has_author = r->author[0] != '\0';
            }
            if (!r->has_author)
                at = 0;
            add_text(r, s + h.rest + at, n - h.rest - at, 0);
            if (l.truncated)
                r->text_cut = 1;
        } else if (r->have) {
            add_text(r, s, n, 1);
            if (l.truncated)
                r->text_cut = 1;
        } else if (skip_spaces(s, n, skip_marks(s, n, 0)) < n && !r->orphan_line) {
            r->orphan_line = l.lineno;
        }
    }
    if (rc == 0 && lr < 0)
        rc = PZ_EIO;
    if (rc == 0)
        rc = flush(r);
    pz_buf_release(&r->text);
    lines_release(&l);
    return rc;
}

char *whatsapp_title(const char *file_name, char *out, size_t outsz)
{
    static const char *const prefixes[] = {
        "WhatsApp Chat with ",       "WhatsApp Chat - ",          "Chat WhatsApp con ",
        "Chat di WhatsApp con ",     "Chat de WhatsApp con ",     "WhatsApp-Chat mit ",
        "Discussion WhatsApp avec ", "Conversa do WhatsApp com ",
    };
    const char *base = file_name ? file_name : "";
    size_t n;
    char *dot;

    for (const char *s = base; *s; s++)
        if (*s == '/')
            base = s + 1;
    snprintf(out, outsz, "%s", base);
    dot = strrchr(out, '.');
    if (dot && dot != out && (strcasecmp(dot, ".txt") == 0 || strcasecmp(dot, ".zip") == 0))
        *dot = '\0';
    n = strlen(out);
    /* " (1)", " (2)"...: copies the browser or the phone made. */
    if (n > 4 && out[n - 1] == ')') {
        size_t i = n - 2;
        while (i > 0 && out[i] >= '0' && out[i] <= '9')
            i--;
        if (i < n - 2 && i >= 1 && out[i] == '(' && out[i - 1] == ' ')
            out[i - 1] = '\0';
    }
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t k = strlen(prefixes[i]);
        if (strncasecmp(out, prefixes[i], k) == 0 && out[k]) {
            memmove(out, out + k, strlen(out + k) + 1);
            break;
        }
    }
    n = strlen(out);
    while (n > 0 && !pz_utf8_valid(out, n))
        out[--n] = '\0';
    return out;
}

static int read_stream(FILE *f, const char *name, const char *title, const char *media_dir,
                       zip_t *zip, const struct chat_options *opts, const struct chat_sink *sink,
                       struct import_problem *fatal)
{
    static const struct chat_options defaults = {NULL, NULL};
    struct reader r;
    struct chat_conversation c;
    char ttl[TITLE_MAX + 1], key[TITLE_MAX + 16];
    const char *zone, *locale;
    int rc;

    if (!opts)
        opts = &defaults;
    zone = opts->time_zone ? opts->time_zone : "Europe/Rome";
    locale = opts->locale ? opts->locale : "it";
    memset(&r, 0, sizeof(r));
    r.name = name;
    r.media_dir = media_dir;
    r.zip = zip;
    r.gap_day_noted = -1;
    r.tz_day = INT64_MIN;
    r.o = opts;
    r.sink = sink;
    r.fatal = fatal;
    if (pz_tz_load(zone, &r.tz) < 0)
        return set_fatal(fatal, name, 0, PZ_EINVAL, "unknown time zone '%s'", zone);
    rc = scan(&r, f);
    if (rc < 0) {
        rc = set_fatal(fatal, name, 0, PZ_EIO, "cannot read: %s", strerror(errno));
        goto done;
    }
    if (r.headers == 0) {
        rc = set_fatal(fatal, name, 1, PZ_EINVAL,
                       "not a WhatsApp chat export: no line starts with a date and time");
        goto done;
    }
    if (r.day_first_seen && !r.month_first_seen)
        r.order = ORDER_DMY;
    else if (r.month_first_seen && !r.day_first_seen)
        r.order = ORDER_MDY;
    else if (r.month_first_seen && r.day_first_seen) {
        r.order = r.day_first_seen >= r.month_first_seen ? ORDER_DMY : ORDER_MDY;
        note(&r, "dates are written both day first and month first; read %s first",
             r.order == ORDER_DMY ? "day" : "month");
    } else {
        r.order = strcmp(locale, "en") == 0 ? ORDER_MDY : ORDER_DMY;
        if (r.dated)
            note(&r, "nothing in the file tells day from month: dates read %s first (%s)",
                 r.order == ORDER_DMY ? "day" : "month",
                 strcmp(locale, "en") == 0 ? "English" : "Italian");
    }
    if (title)
        snprintf(ttl, sizeof(ttl), "%s", title);
    else
        whatsapp_title(name, ttl, sizeof(ttl));
    {
        size_t tn = strlen(ttl);
        while (tn > 0 && !pz_utf8_valid(ttl, tn))
            ttl[--tn] = '\0';
    }
    snprintf(key, sizeof(key), "name:%s", ttl);
    memset(&c, 0, sizeof(c));
    c.file = name;
    c.line = 1;
    c.channel = "whatsapp";
    c.key = key;
    c.title = ttl;
    c.is_group = r.is_group;
    r.total = ftell(f);
    rewind(f);
    rc = sink->begin(&c, sink->arg);
    for (size_t i = 0; rc == 0 && i < r.n_authors; i++) {
        struct chat_participant p;
        memset(&p, 0, sizeof(p));
        p.key = r.authors[i].name;
        p.name = r.authors[i].name;
        if (author_is_phone(p.name)) {
            p.identity_kind = "whatsapp";
            p.identity_value = p.name;
        }
        rc = sink->participant(&p, sink->arg);
    }
    if (rc == 0)
        rc = emit(&r, f);
    if (rc == PZ_EIO) {
        rc = set_fatal(fatal, name, 0, PZ_EIO, "cannot read: %s", strerror(errno));
        goto done;
    }
    if (rc == 0 && r.orphan_line)
        skip(&r, r.orphan_line, "text before the first message: left out");
    if (rc == 0 && sink->on_progress)
        sink->on_progress(r.total, r.total, sink->arg);
    if (rc == 0)
        rc = sink->end(sink->arg);
done:
    for (size_t i = 0; i < r.n_authors; i++)
        free(r.authors[i].name);
    free(r.authors);
    free(r.aindex);
    pz_tz_free(r.tz);
    return rc;
}

int whatsapp_read_stream(FILE *f, const char *name, const char *title, const char *media_dir,
                         const struct chat_options *opts, const struct chat_sink *sink,
                         struct import_problem *fatal)
{
    return read_stream(f, name, title, media_dir, NULL, opts, sink, fatal);
}

int whatsapp_sniff(const char *data, size_t len)
{
    struct lines l;
    const char *s;
    size_t n;
    int seen = 0, found = 0;
    FILE *f = fmemopen((void *)data, len, "rb");

    if (!f)
        return 0;
    lines_init(&l, f, len + 1);
    /* Every export starts with a header; a stray line or two before it is forgiven. */
    while (!found && seen < SNIFF_LINES && lines_next(&l, &s, &n) > 0) {
        struct head h;
        if (skip_spaces(s, n, skip_marks(s, n, 0)) >= n)
            continue;
        seen++;
        found = parse_head(s, n, &h);
    }
    lines_release(&l);
    fclose(f);
    return found;
}

/* --- zip ----------------------------------------------------------------------------- */

static int zip_magic(const char *path)
{
    unsigned char m[4] = {0};
    FILE *f = fopen(path, "rb");
    size_t got;

    if (!f)
        return 0;
    got = fread(m, 1, 4, f);
    fclose(f);
    return got == 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4;
}

static int chat_member_name(const char *name)
{
    const char *base = name;
    size_t n;

    for (const char *s = name; *s; s++)
        if (*s == '/')
            base = s + 1;
    n = strlen(base);
    if (n < 5 || strcasecmp(base + n - 4, ".txt") != 0)
        return 0;
    if (strcmp(base, "_chat.txt") == 0)
        return 2;
    return strncasecmp(base, "WhatsApp", 8) == 0 || strncasecmp(base, "Chat WhatsApp", 13) == 0 ||
                   strncasecmp(base, "Chat di WhatsApp", 16) == 0 ||
                   strncasecmp(base, "Chat de WhatsApp", 16) == 0
               ? 1
               : 0;
}

/* The index of the chat member of Z: _chat.txt, else a "WhatsApp Chat..." .txt, else the only
 * .txt. Returns -1 when none, -2 when several could be it. */
static zip_int64_t find_chat(zip_t *z)
{
    zip_int64_t n = zip_get_num_entries(z, 0), best = -1, only_txt = -1;
    int best_rank = 0, n_txt = 0, ties = 0;

    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        size_t len;
        int rank;
        if (!name)
            continue;
        len = strlen(name);
        if (len > 4 && strcasecmp(name + len - 4, ".txt") == 0) {
            n_txt++;
            only_txt = i;
        }
        rank = chat_member_name(name);
        if (rank > best_rank) {
            best_rank = rank;
            best = i;
            ties = 0;
        } else if (rank && rank == best_rank) {
            ties = 1;
        }
    }
    if (best >= 0)
        return ties ? -2 : best;
    return n_txt == 1 ? only_txt : (n_txt > 1 ? -2 : -1);
}

/* Whether member IDX of Z starts like a WhatsApp chat. */
static int member_sniff(zip_t *z, zip_uint64_t idx)
{
    zip_file_t *zf = zip_fopen_index(z, idx, 0);
    char *head;
    zip_int64_t got;
    int ok;

    if (!zf)
        return 0;
    head = xmalloc(16384);
    got = zip_fread(zf, head, 16384);
    ok = got > 0 && whatsapp_sniff(head, (size_t)got);
    free(head);
    zip_fclose(zf);
    return ok;
}

int whatsapp_sniff_zip(const char *path)
{
    zip_t *z;
    zip_int64_t idx, n;
    int ok = 0, err = 0;

    if (!zip_magic(path))
        return 0;
    z = zip_open(path, ZIP_RDONLY, &err);
    if (!z)
        return 0;
    idx = find_chat(z);
    if (idx >= 0) {
        ok = member_sniff(z, (zip_uint64_t)idx);
    } else if (idx == -2) {
        /* Several candidates: still a WhatsApp export when one of them is a chat (the reader
         * then says which choice the user must make). */
        n = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; !ok && i < n && i < 1000; i++) {
            const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
            size_t len = name ? strlen(name) : 0;
            if (len > 4 && strcasecmp(name + len - 4, ".txt") == 0)
                ok = member_sniff(z, (zip_uint64_t)i);
        }
    }
    zip_discard(z);
    return ok;
}

static int read_zip_chat(const char *path, const struct chat_options *opts,
                         const struct chat_sink *sink, struct import_problem *fatal)
{
    char title[TITLE_MAX + 1], *buf, *zname;
    const char *member;
    zip_t *z;
    zip_file_t *zf;
    zip_int64_t idx, got;
    long long total = 0;
    int err = 0, rc;
    size_t zlen;
    FILE *tmp;

    z = zip_open(path, ZIP_RDONLY, &err);
    if (!z)
        return set_fatal(fatal, path, 0, PZ_EINVAL, "not a readable zip file");
    idx = find_chat(z);
    if (idx < 0) {
        zip_discard(z);
        return set_fatal(fatal, path, 0, PZ_EINVAL,
                         idx == -2 ? "the zip holds several chats (.txt files): import them one "
                                     "at a time"
                                   : "the zip holds no WhatsApp chat (.txt file)");
    }
    member = zip_get_name(z, (zip_uint64_t)idx, 0);
    zf = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    tmp = zf ? tmpfile() : NULL;
    if (!tmp) {
        if (zf)
            zip_fclose(zf);
        zip_discard(z);
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot read the chat in the zip");
    }
    buf = xmalloc(65536);
    while ((got = zip_fread(zf, buf, 65536)) > 0) {
        total += got;
        if (total > ZIP_CHAT_MAX || fwrite(buf, 1, (size_t)got, tmp) != (size_t)got) {
            got = -1;
            break;
        }
    }
    free(buf);
    zip_fclose(zf);
    if (got < 0) {
        fclose(tmp);
        zip_discard(z);
        return set_fatal(fatal, path, 0, PZ_EINVAL, "the chat in the zip cannot be read (%s)",
                         member ? member : "?");
    }
    rewind(tmp);
    whatsapp_title(path, title, sizeof(title));
    if (strcmp(title, "_chat") == 0 || !title[0])
        whatsapp_title(member, title, sizeof(title));
    /* Problems inside name the member: "export.zip:_chat.txt:12: ...". */
    zlen = strlen(path) + strlen(member ? member : "") + 2;
    zname = xmalloc(zlen);
    snprintf(zname, zlen, "%s:%s", path, member ? member : "");
    rc = read_stream(tmp, zname, title, NULL, z, opts, sink, fatal);
    if (rc < 0 && fatal && fatal->file == zname)
        fatal->file = path; /* it must outlive this call */
    free(zname);
    fclose(tmp);
    zip_discard(z);
    return rc;
}

int whatsapp_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                  struct import_problem *fatal)
{
    char dir[4096];
    const char *slash;
    FILE *f;
    int rc;

    if (zip_magic(path))
        return read_zip_chat(path, opts, sink, fatal);
    f = fopen(path, "rb");
    if (!f)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    /* Media saved beside the .txt (an export unzipped by hand) are found there. */
    slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof(dir), ".");
    rc = read_stream(f, path, NULL, dir[0] ? dir : "/", NULL, opts, sink, fatal);
    fclose(f);
    return rc;
}
