/*
 * Unit tests of the contacts readers (src/import): the line reader, charset
 * conversions, shared value helpers, the vCard and contacts CSV readers and
 * format detection. Every reader test renders what the reader produced
 * (records, skipped records, refusal) as text and compares it with the
 * expectation written out by hand from the file: the shared corpus
 * (../shared/corpus, beside the checkout) and this project's own fixtures
 * (tests/fixtures/contacts, one per quirk of docs/formats.md; see the
 * README there). Tests run from the repository's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "import/charset.h"
#include "import/contacts_csv.h"
#include "import/detect.h"
#include "import/lines.h"
#include "import/problems.h"
#include "import/record_pipe.h"
#include "import/values.h"
#include "import/vcard.h"

#define CORPUS "../shared/corpus/"
#define FIX    "tests/fixtures/contacts/"

/* --- rendering what a reader produced ------------------------------------ */

struct render {
    struct pz_buf out;
    int records, skipped;
    int stop_after; /* on_record returns 7 at this record (1-based); 0: never */
};

static void render_str(struct pz_buf *b, const char *key, const char *v)
{
    if (!v)
        return;
    pz_buf_printf(b, " %s: ", key);
    for (; *v; v++) {
        if (*v == '\n')
            pz_buf_addstr(b, "\\n");
        else
            pz_buf_addch(b, *v);
    }
    pz_buf_addch(b, '\n');
}

static int on_record(const struct import_contact *rec, void *arg)
{
    struct render *r = arg;
    struct pz_buf *b = &r->out;

    r->records++;
    /* Only an organization's own card has no person's name. */
    if (!rec->full_name)
        assert_non_null(rec->organization);
    assert_true(!rec->full_name || pz_utf8_valid(rec->full_name, strlen(rec->full_name)));
    pz_buf_printf(b, "@%ld %s\n", rec->line, rec->full_name ? rec->full_name : "(organization)");
    render_str(b, "given", rec->given_name);
    render_str(b, "family", rec->family_name);
    render_str(b, "org", rec->organization);
    render_str(b, "title", rec->title);
    render_str(b, "note", rec->note);
    if (rec->n_tags) {
        pz_buf_addstr(b, " tags:");
        for (size_t i = 0; i < rec->n_tags; i++)
            pz_buf_printf(b, "%s%s", i ? " | " : " ", rec->tags[i]);
        pz_buf_addch(b, '\n');
    }
    for (size_t i = 0; i < rec->n_identities; i++) {
        const struct import_identity *id = &rec->identities[i];
        assert_true(pz_utf8_valid(id->value, strlen(id->value)));
        pz_buf_printf(b, " %s: %s", id->kind, id->value);
        if (id->label)
            pz_buf_printf(b, " [%s]", id->label);
        pz_buf_addch(b, '\n');
    }
    if (rec->connected_on >= 0) {
        char iso[32];
        pz_time_iso(rec->connected_on, iso, sizeof(iso));
        pz_buf_printf(b, " connected: %s\n", iso);
    }
    return r->stop_after && r->records == r->stop_after ? 7 : 0;
}

static void on_skip(const struct import_problem *p, void *arg)
{
    struct render *r = arg;

    r->skipped++;
    pz_buf_printf(&r->out, "!%ld %s\n", p->line, p->message);
}

enum reader { VCARD, CSV, ANY, PIPED };

/* Reads PATH with READER and returns everything it produced as text (the caller frees); the
 * sink stops at record STOP_AFTER (0: never). */
static char *render_file_stop(enum reader reader, const char *path, int stop_after, int *rc_out)
{
    struct render r;
    struct import_sink sink = {on_record, on_skip, &r};
    struct import_problem fatal;
    int rc;

    memset(&r, 0, sizeof(r));
    memset(&fatal, 0, sizeof(fatal));
    r.stop_after = stop_after;
    pz_buf_init(&r.out, 1 << 20);
    pz_buf_addstr(&r.out, "");
    if (reader == VCARD)
        rc = vcard_read(path, &sink, &fatal);
    else if (reader == CSV)
        rc = contacts_csv_read(path, &sink, &fatal);
    else if (reader == PIPED)
        rc = import_read_pipelined(NULL, path, &sink, &fatal);
    else
        rc = import_read(NULL, path, &sink, &fatal);
    if (rc < 0) {
        assert_non_null(fatal.file);
        assert_string_equal(fatal.file, path);
        pz_buf_printf(&r.out, "=%s:%ld: %s\n", strrchr(path, '/') + 1, fatal.line, fatal.message);
    }
    if (rc_out)
        *rc_out = rc;
    return pz_buf_detach(&r.out, NULL);
}

static char *render_file(enum reader reader, const char *path, int *rc_out)
{
    return render_file_stop(reader, path, 0, rc_out);
}

static void expect_file(enum reader reader, const char *path, int want_rc, const char *want)
{
    int rc;
    char *got = render_file(reader, path, &rc);

    assert_string_equal(got, want);
    assert_int_equal(rc, want_rc);
    free(got);
}

/* How many lines of TEXT start with C. */
static int count_lines_starting(const char *text, char c)
{
    int n = 0;

    for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
        n += *p == c;
    return n;
}

/* --- lines ---------------------------------------------------------------- */

/* Reads DATA line by line; returns the lines joined by '|' (the caller frees). */
static char *all_lines(const char *data, size_t n, size_t max)
{
    FILE *f = fmemopen((void *)data, n, "rb");
    struct lines l;
    struct pz_buf b;
    const char *p;
    size_t len;
    int r;

    assert_non_null(f);
    pz_buf_init(&b, 1 << 22);
    pz_buf_addstr(&b, "");
    lines_init(&l, f, max);
    while ((r = lines_next(&l, &p, &len)) > 0) {
        if (l.lineno > 1)
            pz_buf_addch(&b, '|');
        pz_buf_add(&b, p, len);
        if (l.truncated)
            pz_buf_addstr(&b, "<cut>");
    }
    assert_int_equal(r, 0);
    lines_release(&l);
    fclose(f);
    return pz_buf_detach(&b, NULL);
}

static void test_lines_endings(void **state)
{
    static const char mixed[] = "a\r\nb\nc\rd\r\r\ne";
    char *s;
    (void)state;

    s = all_lines(mixed, sizeof(mixed) - 1, 100);
    assert_string_equal(s, "a|b|c|d||e");
    free(s);
    /* A final terminator adds no empty line; a BOM is dropped. */
    s = all_lines("\xEF\xBB\xBFx\ny\n", 7, 100);
    assert_string_equal(s, "x|y");
    free(s);
    s = all_lines("", 0, 100);
    assert_string_equal(s, "");
    free(s);
    s = all_lines("abcdef\nxy", 9, 4);
    assert_string_equal(s, "abcd<cut>|xy");
    free(s);
}

static void test_lines_block_boundaries(void **state)
{
    /* CRLF split across two blocks, and a line crossing a block, cut at its maximum. */
    size_t n = LINES_BLOCK * 2 + 10;
    char *data = malloc(n);
    char *s;
    (void)state;

    assert_non_null(data);
    memset(data, 'x', n);
    data[LINES_BLOCK - 1] = '\r';
    data[LINES_BLOCK] = '\n';
    data[LINES_BLOCK + 5] = '\n';
    s = all_lines(data, n, LINES_BLOCK * 4);
    assert_int_equal(strlen(s), (LINES_BLOCK - 1) + 1 + 4 + 1 + (n - LINES_BLOCK - 6));
    assert_int_equal(s[LINES_BLOCK - 1], '|');
    assert_memory_equal(s + LINES_BLOCK, "xxxx|", 5);
    free(s);
    s = all_lines(data, n, 100);
    {
        /* Both long lines cut at 100: the first inside one block, the last across two. */
        char want[256];
        snprintf(want, sizeof(want), "%.100s<cut>|xxxx|%.100s<cut>", data, data);
        assert_string_equal(s, want);
    }
    free(s);
    free(data);
}

static void test_lines_utf16(void **state)
{
    /* "Aé\r\n😀" in UTF-16LE and BE with BOMs; a lone surrogate becomes U+FFFD. */
    static const char le[] = "\xFF\xFE"
                             "A\0\xE9\0\r\0\n\0\x3D\xD8\x00\xDE";
    static const char be[] = "\xFE\xFF"
                             "\0A\0\xE9\0\r\0\n\xD8\x3D\xDE\x00";
    static const char lone[] = "\xFF\xFE\x3D\xD8"
                               "A\0";
    char *s;
    (void)state;

    s = all_lines(le, sizeof(le) - 1, 100);
    assert_string_equal(s, "A\xC3\xA9|\xF0\x9F\x98\x80");
    free(s);
    s = all_lines(be, sizeof(be) - 1, 100);
    assert_string_equal(s, "A\xC3\xA9|\xF0\x9F\x98\x80");
    free(s);
    s = all_lines(lone, sizeof(lone) - 1, 100);
    assert_string_equal(s, "\xEF\xBF\xBD"
                           "A");
    free(s);
    /* An odd byte at the end. */
    s = all_lines("\xFF\xFE"
                  "A\0B",
                  5, 100);
    assert_string_equal(s, "A\xEF\xBF\xBD");
    free(s);
}

static void test_lines_utf16_large(void **state)
{
    /* More UTF-16 than one block: every line comes back whole. */
    static const char unit[8] = {'\xE8', 0, 'x', 0, 'y', 0, '\n', 0}; /* "èxy\n" */
    size_t lines = 30000, n = 2 + lines * 8;
    char *data = malloc(n), *s, *p;
    size_t count = 0;
    (void)state;

    assert_non_null(data);
    data[0] = '\xFF';
    data[1] = '\xFE';
    for (size_t i = 0; i < lines; i++)
        memcpy(data + 2 + i * 8, unit, sizeof(unit));
    s = all_lines(data, n, 100);
    for (p = s; *p; p++)
        count += *p == '|';
    assert_int_equal(count, lines - 1);
    assert_memory_equal(s, "\xC3\xA8xy|\xC3\xA8xy|", 10);
    assert_int_equal(strlen(s), lines * 4 + (lines - 1));
    free(s);
    free(data);
}

/* --- charset -------------------------------------------------------------- */

static void test_charset(void **state)
{
    struct charset cs;
    struct pz_buf b;
    (void)state;

    charset_init(&cs);
    pz_buf_init(&b, 1024);
    /* Windows-1252: € and curly quotes; ISO-8859-1 read the same way. */
    assert_int_equal(charset_to_utf8(&cs, "windows-1252", "\x80 \x93x\x94 \xE8", 7, &b), 0);
    assert_string_equal(pz_buf_str(&b), "\xE2\x82\xAC \xE2\x80\x9Cx\xE2\x80\x9D \xC3\xA8");
    pz_buf_reset(&b);
    assert_int_equal(charset_to_utf8(&cs, "ISO-8859-1", "Citt\xE0", 5, &b), 0);
    assert_string_equal(pz_buf_str(&b), "Citt\xC3\xA0");
    pz_buf_reset(&b);
    /* Unassigned Windows-1252 bytes and NUL become U+FFFD. */
    assert_int_equal(charset_cp1252_to_utf8("a\x81"
                                            "b\0c",
                                            5, &b),
                     0);
    assert_string_equal(pz_buf_str(&b), "a\xEF\xBF\xBD"
                                        "b\xEF\xBF\xBD"
                                        "c");
    pz_buf_reset(&b);
    /* Declared UTF-8 that is not: each bad byte becomes U+FFFD. */
    assert_int_equal(charset_to_utf8(&cs, "UTF-8", "\xC3\x91\x80\xC3", 4, &b), 0);
    assert_string_equal(pz_buf_str(&b), "\xC3\x91\xEF\xBF\xBD\xEF\xBF\xBD");
    pz_buf_reset(&b);
    /* No charset: valid UTF-8 stays, anything else is Windows-1252. */
    assert_int_equal(charset_to_utf8(&cs, NULL, "\xC3\xA8", 2, &b), 0);
    assert_int_equal(charset_to_utf8(&cs, "", "\xE8", 1, &b), 0);
    assert_string_equal(pz_buf_str(&b), "\xC3\xA8\xC3\xA8");
    pz_buf_reset(&b);
    /* Through iconv: ISO-8859-15 has € at 0xA4; an unknown charset is guessed. */
    assert_int_equal(charset_to_utf8(&cs, "ISO-8859-15", "\xA4 5", 3, &b), 0);
    assert_string_equal(pz_buf_str(&b), "\xE2\x82\xAC 5");
    pz_buf_reset(&b);
    assert_int_equal(charset_to_utf8(&cs, "SHIFT_JIS", "\x83\x4E", 2, &b), 0);
    assert_string_equal(pz_buf_str(&b), "\xE3\x82\xAF"); /* katakana KU */
    pz_buf_reset(&b);
    assert_int_equal(charset_to_utf8(&cs, "X-NO-SUCH-CHARSET", "\xE8", 1, &b), 0);
    assert_string_equal(pz_buf_str(&b), "\xC3\xA8");
    pz_buf_reset(&b);
    /* A full buffer is reported. */
    b.max = 3;
    assert_int_equal(charset_cp1252_to_utf8("\x80\x80", 2, &b), PZ_ETOOBIG);
    pz_buf_release(&b);
    charset_release(&cs);
}

/* --- values ---------------------------------------------------------------- */

static void test_values_url_kind(void **state)
{
    (void)state;
    assert_string_equal(values_url_kind("https://www.linkedin.com/in/josegarcia"), "linkedin");
    assert_string_equal(values_url_kind("it.linkedin.com/in/x/"), "linkedin");
    assert_string_equal(values_url_kind("http://linkedin.com/pub/x/1/2/3"), "linkedin");
    assert_string_equal(values_url_kind("https://www.linkedin.com/company/acme"), "website");
    assert_string_equal(values_url_kind("https://m.facebook.com/someone"), "facebook");
    assert_string_equal(values_url_kind("fb.com/someone"), "facebook");
    assert_string_equal(values_url_kind("https://instagram.com/someone"), "instagram");
    assert_string_equal(values_url_kind("https://x.com/someone"), "x");
    assert_string_equal(values_url_kind("HTTPS://Twitter.COM/someone"), "x");
    assert_string_equal(values_url_kind("https://notx.com/a"), "website");
    assert_string_equal(values_url_kind("https://linkedin.com.evil.example/in/x"), "website");
    assert_string_equal(values_url_kind("www.company.com"), "website");
    assert_string_equal(values_url_kind(""), "website");
}

static void test_values_labels_tags(void **state)
{
    char a[] = "* Mobile", b[] = "_$!<Other>!$_", c[] = " Work Fax ", d[] = "Profilo", e[] = "*",
         f[] = "* myContacts", g[] = "My Contacts", h[] = "* starred", i[] = "  ";
    (void)state;

    assert_string_equal(values_label(a), "cell");
    assert_string_equal(values_label(b), "other");
    assert_string_equal(values_label(c), "fax");
    assert_string_equal(values_label(d), "Profilo");
    assert_null(values_label(e));
    assert_null(values_tag(f));
    assert_null(values_tag(g));
    assert_string_equal(values_tag(h), "starred");
    assert_null(values_tag(i));
}

static void test_values_dates(void **state)
{
    (void)state;
    assert_int_equal(values_date_ms("15 Jan 2024"), INT64_C(1705276800000));
    assert_int_equal(values_date_ms("5 mar 2019"), INT64_C(1551744000000));
    assert_int_equal(values_date_ms("29 Feb 2024"), INT64_C(1709164800000));
    assert_int_equal(values_date_ms("2024-01-15"), INT64_C(1705276800000));
    assert_int_equal(values_date_ms("01 Jan 1970"), 0);
    /* Before 1970 a date would be negative milliseconds: no LinkedIn connection is that old. */
    assert_int_equal(values_date_ms("5 Mar 1930"), -1);
    assert_int_equal(values_date_ms("31 Dec 1969"), -1);
    assert_int_equal(values_date_ms("29 Feb 2023"), -1);
    assert_int_equal(values_date_ms("31 Apr 2024"), -1);
    assert_int_equal(values_date_ms("15 Foo 2024"), -1);
    assert_int_equal(values_date_ms("15 Jan 2024 x"), -1);
    assert_int_equal(values_date_ms("2024-1-15"), -1);
    assert_int_equal(values_date_ms(""), -1);
    assert_int_equal(values_date_ms("1"), -1);
}

/* --- vCard: the shared corpus ----------------------------------------------- */

static void test_vcard_corpus_android(void **state)
{
    /*
     * Six cards, CRLF, vCard 2.1. Cards 1-2 have only an e-mail (the full name
     * falls back to it); card 3's N has only a family name, "Ñ Ñ Ñ Ñ " trimmed;
     * card 4's N and FN continue after a soft line break ("=C3=91=" + "=20..."),
     * its two NOTEs are joined; card 5 has a folded base64 PHOTO that leaves no
     * trace, three TELs of the same number, an e-mail that is no address
     * (14 Ñ, kept as written) and two ORGs (the first wins, 12 Ñ); card 6's
     * ORGs end in blank lines after soft breaks, the second with a bad byte.
     * "My Contacts" is no tag. 9 TEL, 5 EMAIL in all.
     */
    static const char want[] = "@1 john.doe@company.com\n"
                               " email: john.doe@company.com\n"
                               "@6 jane.doe@company.com\n"
                               " email: jane.doe@company.com\n"
                               "@11 Ñ Ñ Ñ Ñ Ñ\n"
                               " family: Ñ Ñ Ñ Ñ\n"
                               " phone: 123456789 [cell]\n"
                               "@18 Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ\n"
                               " family: Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ\n"
                               " note: Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ\\n"
                               "Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ\n"
                               " phone: 123456 [cell]\n"
                               " phone: 234567 [home]\n"
                               " phone: 3456789 [cell]\n"
                               " phone: 45678901 [home]\n"
                               "@36 Ñ Ñ Ñ Ñ\n"
                               " given: Ñ Ñ Ñ\n"
                               " family: Ñ Ñ\n"
                               " org: ÑÑÑÑÑÑÑÑÑÑÑÑ\n"
                               " phone: 123456 [cell]\n"
                               " phone: 123456 [work]\n"
                               " phone: 123456 [fax]\n"
                               " email: bob@company.com [work]\n"
                               " email: ÑÑÑÑÑÑÑÑÑÑÑÑÑÑ\n"
                               " website: www.company.com\n"
                               " website: http://www.company.com\n"
                               "@71 ÑÑÑÑ\n"
                               " family: ÑÑÑÑ\n"
                               " org: ÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑÑ\n"
                               " phone: 55556666 [cell]\n"
                               " email: henry@company.com\n";
    (void)state;

    expect_file(VCARD, CORPUS "contacts/android_21_qp_photo_multi.vcf", 0, want);
}

/* Counts records and identities by kind, independently of the rendering. */
struct counts {
    int records, phones, emails, websites;
    int phones_per_card[8];
};

static int count_record(const struct import_contact *rec, void *arg)
{
    struct counts *c = arg;

    for (size_t i = 0; i < rec->n_identities; i++) {
        const char *k = rec->identities[i].kind;
        if (strcmp(k, "phone") == 0) {
            c->phones++;
            if (c->records < 8)
                c->phones_per_card[c->records]++;
        }
        c->emails += strcmp(k, "email") == 0;
        c->websites += strcmp(k, "website") == 0;
    }
    c->records++;
    return 0;
}

static void test_vcard_corpus_counts(void **state)
{
    struct counts c;
    struct import_sink sink = {count_record, NULL, &c};
    static const int phones[6] = {0, 0, 1, 4, 3, 1};
    (void)state;

    memset(&c, 0, sizeof(c));
    assert_int_equal(vcard_read(CORPUS "contacts/android_21_qp_photo_multi.vcf", &sink, NULL), 0);
    assert_int_equal(c.records, 6);
    assert_int_equal(c.phones, 9);
    assert_int_equal(c.emails, 5);
    assert_int_equal(c.websites, 2);
    for (int i = 0; i < 6; i++)
        assert_int_equal(c.phones_per_card[i], phones[i]);
}

/* --- vCard: fixtures -------------------------------------------------------- */

static void test_vcard_30_folded(void **state)
{
    /*
     * CRLF, folded at 75 octets: the FN fold falls inside "à" of "già", the
     * TITLE fold inside "–", NOTE's inside "“"; escaped \, and \; in NOTE; ORG's
     * first component only; TYPE=WORK,VOICE is "work". The second card's
     * folded base64 PHOTO leaves no trace.
     */
    static const char want[] =
        "@1 Maria Vittoria Giuseppina Benedetta Caterina Dell'Acqua-Sforza è già qui ✓ così\n"
        " given: Maria Vittoria Giuseppina Benedetta Caterina\n"
        " family: Dell'Acqua-Sforza\n"
        " org: Società Cooperativa Agricola Ortofrutticola dell'Alto Adige Südtirol\n"
        " title: Responsabile acquisti e relazioni con i fornitori della cooperativa – sede di "
        "Bolzano\n"
        " note: Conosciuta alla fiera di Verona, padiglione 7; interessata ai nostri prodotti "
        "biologici. Richiamare a settembre: “vendemmia” prima è impossibile.\n"
        " tags: Fornitori | Alto Adige | Bio\n"
        " phone: +39 333 123 4567 [cell]\n"
        " phone: 0471 123456 [work]\n"
        " email: maria.dellacqua@example.it [work]\n"
        "@18 Åse Ødegård\n"
        " given: Åse\n"
        " family: Ødegård\n"
        " email: ase@example.no\n";
    (void)state;

    expect_file(VCARD, FIX "v30_folded_utf8_crlf.vcf", 0, want);
}

static void test_vcard_40_escapes_groups(void **state)
{
    /*
     * LF. Escapes \n \, \; \\ in NOTE, \, inside ORG and CATEGORIES (and a
     * repeated category kept once); tel: URIs with a quoted TYPE list; Apple
     * items: item1's X-ABLabel "_$!<Other>!$_" is "other", item2's custom
     * "Ufficio" is "work"; URLs classified; X-SOCIALPROFILE by URL and by
     * TYPE; IMPP Telegram kept, Skype not. Card 2: the full name is FN; a
     * LinkedIn company page is a website.
     */
    static const char want[] = "@1 Luca Bianchi\n"
                               " given: Luca\n"
                               " family: Bianchi\n"
                               " org: Bianchi, Rossi & C. S.r.l.\n"
                               " title: Direttore commerciale\n"
                               " note: Prima riga\\nseconda riga: prezzo 10,50 €; sconto 5%\\anno\n"
                               " tags: Clienti | VIP, importanti\n"
                               " phone: +39-347-555-0101 [cell]\n"
                               " phone: +39-06-555-0102 [home]\n"
                               " email: luca@bianchirossi.example [other]\n"
                               " email: l.bianchi@example.com [work]\n"
                               " email: Luca.Bianchi@Example.ORG [home]\n"
                               " linkedin: https://it.linkedin.com/in/lucabianchi/\n"
                               " website: https://www.bianchirossi.example [work]\n"
                               " x: https://twitter.com/lucab\n"
                               " facebook: https://www.facebook.com/luca.bianchi.77\n"
                               " instagram: lucab\n"
                               " telegram: lucabianchi\n"
                               "@25 Studio Verdi\n"
                               " org: Studio Verdi\n"
                               " x: x.com/studioverdi\n"
                               " instagram: https://www.instagram.com/studioverdi/\n"
                               " website: https://www.linkedin.com/company/studio-verdi\n";
    (void)state;

    expect_file(VCARD, FIX "v40_escapes_groups_lf.vcf", 0, want);
}

static void test_vcard_40_kind_org(void **state)
{
    /*
     * KIND:org (4.0) and X-ABShowAs:COMPANY (Apple) are an organization's
     * own card: no person's name, the ORG (else the FN) is the organization.
     * KIND:individual is a person as usual.
     */
    static const char want[] = "@1 (organization)\n"
                               " org: Acme S.r.l.\n"
                               " phone: +39021234567 [main]\n"
                               " website: https://acme.it\n"
                               "@9 (organization)\n"
                               " org: Bottega Verdi\n"
                               " email: info@bottegaverdi.it\n"
                               "@15 Mario Rossi\n"
                               " given: Mario\n"
                               " family: Rossi\n"
                               " org: Acme S.r.l.\n"
                               " title: Buyer\n";
    (void)state;

    expect_file(VCARD, FIX "v40_kind_org.vcf", 0, want);
}

static void test_vcard_21_latin1(void **state)
{
    /*
     * CRLF, 2.1. ISO-8859-1 quoted-printable N, FN and ORG (bare
     * QUOTED-PRINTABLE parameter on ORG); a Windows-1252 NOTE (€ and curly
     * quotes) with two soft line breaks, the second followed by a line that
     * starts with a space (part of the value, not a fold); a raw Latin-1
     * TITLE without CHARSET; bare types (CELL;PREF, WORK;FAX, HOME;VOICE); an
     * AGENT's nested card is not a contact of its own.
     */
    static const char want[] = "@1 Niccolò Nicolò\n"
                               " given: Niccolò\n"
                               " family: Nicolò\n"
                               " org: Caffè Società di Forlì\n"
                               " title: Proprietà\n"
                               " note: Prezzo € 10, “offerta” valida fino a giovedì sera\n"
                               " tags: Bar\n"
                               " phone: +39 333 1234567 [cell]\n"
                               " phone: 0543 123456 [fax]\n"
                               " phone: 0543 654321 [home]\n"
                               " email: niccolo@caffe.example\n";
    (void)state;

    expect_file(VCARD, FIX "v21_latin1_qp_crlf.vcf", 0, want);
}

static void test_vcard_bad_cards(void **state)
{
    /*
     * Line 6 starts a card that never ends (the BEGIN at line 10 comes
     * first); line 17 is an END without BEGIN; the card at 18 has only a
     * note; the card at 26 runs into the end of the file. Bruno's NOTE goes
     * on, unfolded, on the next line; Carla's full name comes from N.
     */
    static const char want[] = "@1 Anna Primo\n"
                               " phone: 111\n"
                               "!6 card has no END:VCARD\n"
                               "@10 Bruno Secondo\n"
                               " note: prima riga\\nseconda riga senza piegatura\n"
                               " email: bruno@example.com\n"
                               "!17 END:VCARD without BEGIN:VCARD\n"
                               "!18 card has no name, organization or identity\n"
                               "@22 Carla Terzo\n"
                               " given: Carla\n"
                               " family: Terzo\n"
                               "!26 card has no END:VCARD\n";
    (void)state;

    expect_file(VCARD, FIX "bad_cards_lf.vcf", 0, want);
}

static void test_vcard_refused(void **state)
{
    (void)state;
    expect_file(VCARD, FIX "not_a_vcard.vcf", PZ_EINVAL, "=not_a_vcard.vcf:1: not a vCard file\n");
    expect_file(VCARD, FIX "empty.vcf", PZ_EINVAL, "=empty.vcf:1: empty file\n");
    expect_file(VCARD, FIX "google_new.csv", PZ_EINVAL, "=google_new.csv:1: not a vCard file\n");
    {
        struct import_problem fatal;
        struct import_sink sink = {on_record, on_skip, NULL};
        assert_int_equal(vcard_read(FIX "no-such-file.vcf", &sink, &fatal), PZ_EIO);
        assert_string_equal(fatal.file, FIX "no-such-file.vcf");
        assert_non_null(strstr(fatal.message, "cannot open"));
    }
}

/* Reads a vCard held in memory. */
static char *render_vcard_mem(const char *data, size_t n, int *rc_out)
{
    struct render r;
    struct import_sink sink = {on_record, on_skip, &r};
    struct import_problem fatal;
    FILE *f = fmemopen((void *)data, n, "rb");
    int rc;

    assert_non_null(f);
    memset(&r, 0, sizeof(r));
    memset(&fatal, 0, sizeof(fatal));
    pz_buf_init(&r.out, 1 << 20);
    pz_buf_addstr(&r.out, "");
    rc = vcard_read_stream(f, "mem.vcf", &sink, &fatal);
    fclose(f);
    if (rc < 0)
        pz_buf_printf(&r.out, "=%s:%ld: %s\n", fatal.file, fatal.line, fatal.message);
    *rc_out = rc;
    return pz_buf_detach(&r.out, NULL);
}

static void test_vcard_stop(void **state)
{
    struct render r;
    struct import_sink sink = {on_record, on_skip, &r};
    (void)state;

    memset(&r, 0, sizeof(r));
    pz_buf_init(&r.out, 1 << 20);
    r.stop_after = 2;
    assert_int_equal(vcard_read(CORPUS "contacts/android_21_qp_photo_multi.vcf", &sink, NULL), 7);
    assert_int_equal(r.records, 2);
    pz_buf_release(&r.out);
}

static void test_vcard_long_lines(void **state)
{
    /*
     * A PHOTO far past VCARD_MAX_LINE on one line is skipped whatever its
     * size; a NOTE past it costs its card, reported, and the next card is read.
     */
    size_t big = VCARD_MAX_LINE + 1000, n = 0;
    char *data = malloc(2 * big + 400), *got;
    int rc;
    (void)state;

    assert_non_null(data);
#define PUT(s) (memcpy(data + n, s, strlen(s)), n += strlen(s))
    PUT("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Foto Grande\r\nPHOTO;ENCODING=b:");
    memset(data + n, 'A', big);
    n += big;
    PUT("\r\n AAAA\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Nota Lunga\r\nNOTE:");
    memset(data + n, 'n', big);
    n += big;
    PUT("\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Dopo\r\nEND:VCARD\r\n");
#undef PUT
    got = render_vcard_mem(data, n, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "@1 Foto Grande\n"
                             "!7 a property is longer than 1 MiB\n"
                             "@11 Dopo\n");
    free(got);
    free(data);
}

static void test_vcard_many_cards(void **state)
{
    /* 20,000 cards streamed from memory: every one comes out, in order. */
    size_t cards = 20000, cap = cards * 64, n = 0;
    char *data = malloc(cap);
    struct counts c;
    struct import_sink sink = {count_record, NULL, &c};
    FILE *f;
    (void)state;

    assert_non_null(data);
    for (size_t i = 0; i < cards; i++)
        n +=
            (size_t)snprintf(data + n, cap - n, "BEGIN:VCARD\nFN:N%zu\nTEL:%zu\nEND:VCARD\n", i, i);
    memset(&c, 0, sizeof(c));
    f = fmemopen(data, n, "rb");
    assert_non_null(f);
    assert_int_equal(vcard_read_stream(f, "many.vcf", &sink, NULL), 0);
    fclose(f);
    assert_int_equal(c.records, (int)cards);
    assert_int_equal(c.phones, (int)cards);
    free(data);
}

static void test_vcard_edge_cases(void **state)
{
    static const char text[] =
        /* Lower-case names, a BOM, no VERSION, parameters in quotes with ':' and ';'. */
        "\xEF\xBB\xBF"
        "begin:vcard\n"
        "fn;x-odd=\"a:b;c\":Ada Lovelace\n"
        "tel;type=\"cell\":  +44 20 0000  \n"
        "email:mailto:ada@example.org\n"
        "email:\n"
        "tel;type=cell:tel:\n"
        "end:vcard\n"
        /* Junk between cards is ignored; an indented line outside a card too. */
        "garbage line\n"
        " indented junk\n"
        /* A card with only an organization; an empty FN does not count. */
        "BEGIN:VCARD\nFN:\nORG:;Dept only\nORG:Acme Srl;Sales\nEND:VCARD\n"
        /* Only a phone. */
        "BEGIN:VCARD\nTEL:555\nEND:VCARD\n"
        /* Nested AGENT card needs an empty AGENT right before it. */
        "BEGIN:VCARD\nFN:Outer\nAGENT:\nBEGIN:VCARD\nFN:Inner\nEND:VCARD\nEND:VCARD\n";
    static const char want[] = "@1 Ada Lovelace\n"
                               " phone: +44 20 0000 [cell]\n"
                               " email: ada@example.org\n"
                               "@10 Acme Srl\n"
                               " org: Acme Srl\n"
                               "@15 555\n"
                               " phone: 555\n"
                               "@18 Outer\n";
    int rc;
    char *got = render_vcard_mem(text, sizeof(text) - 1, &rc);
    (void)state;

    assert_int_equal(rc, 0);
    assert_string_equal(got, want);
    free(got);
}

static void test_vcard_limits(void **state)
{
    /* More than IMPORT_MAX_IDENTITIES phones and IMPORT_MAX_TAGS tags: the extra ones drop. */
    struct pz_buf b;
    struct render r;
    struct import_sink sink = {on_record, on_skip, &r};
    FILE *f;
    (void)state;

    pz_buf_init(&b, 1 << 20);
    pz_buf_addstr(&b, "BEGIN:VCARD\nFN:Molti\nCATEGORIES:");
    for (int i = 0; i < 40; i++)
        pz_buf_printf(&b, "%st%d", i ? "," : "", i);
    pz_buf_addch(&b, '\n');
    for (int i = 0; i < 70; i++)
        pz_buf_printf(&b, "TEL:%d\n", i);
    pz_buf_addstr(&b, "END:VCARD\n");
    memset(&r, 0, sizeof(r));
    pz_buf_init(&r.out, 1 << 20);
    f = fmemopen(b.data, b.len, "rb");
    assert_non_null(f);
    assert_int_equal(vcard_read_stream(f, "m.vcf", &sink, NULL), 0);
    fclose(f);
    assert_int_equal(r.records, 1);
    assert_non_null(strstr(pz_buf_str(&r.out), " phone: 63\n"));
    assert_null(strstr(pz_buf_str(&r.out), " phone: 64\n"));
    assert_non_null(strstr(pz_buf_str(&r.out), "| t31\n"));
    pz_buf_release(&r.out);
    pz_buf_release(&b);
}

/* --- contacts CSV ------------------------------------------------------------ */

static void test_csv_corpus_linkedin(void **state)
{
    /* BOM, the 3-line "Notes:" preamble and a blank line, then the header at line 4. */
    static const char want[] = "@5 José García\n"
                               " given: José\n"
                               " family: García\n"
                               " org: Acme, Inc.\n"
                               " title: Senior Engineer\n"
                               " linkedin: https://www.linkedin.com/in/josegarcia\n"
                               " connected: 2024-01-15T00:00:00Z\n"
                               "@6 Æsop Fontaine\n"
                               " given: Æsop\n"
                               " family: Fontaine\n"
                               " org: Globex\n"
                               " title: Director, Operations\n"
                               " linkedin: https://www.linkedin.com/in/aesop\n"
                               " email: aesop@example.com\n"
                               " connected: 2024-02-03T00:00:00Z\n";
    FILE *f;
    const char *kind = "unset";
    (void)state;

    expect_file(CSV, CORPUS "linkedin/Connections_kawsay.csv", 0, want);
    expect_file(ANY, CORPUS "linkedin/Connections_kawsay.csv", 0, want);
    f = fopen(CORPUS "linkedin/Connections_kawsay.csv", "rb");
    assert_non_null(f);
    assert_int_equal(contacts_csv_read_stream(f, "c.csv", NULL, NULL, &kind), 0);
    assert_string_equal(kind, "linkedin");
    fclose(f);
}

static void test_csv_google_new(void **state)
{
    /*
     * CRLF. Row 1 has a note with a newline inside quotes (lines 2-3),
     * e-mails and phones joined by " ::: " (the label goes to each), the
     * "* Work" primary marker, Labels without "myContacts", a LinkedIn
     * website. Row 2 (line 4) has no name: the first e-mail is the full name.
     */
    static const char want[] = "@2 Giulia Maria Rossi\n"
                               " given: Giulia\n"
                               " family: Rossi\n"
                               " org: Trattoria Da Mario\n"
                               " title: Titolare\n"
                               " note: Cliente storica.\\nPreferisce WhatsApp.\n"
                               " tags: Clienti | VIP\n"
                               " email: giulia@trattoria.example [work]\n"
                               " email: giulia.rossi@gmail.example [work]\n"
                               " email: g.rossi@libero.example [home]\n"
                               " phone: +39 340 111 2233 [cell]\n"
                               " phone: +39 340 111 4455 [cell]\n"
                               " phone: 06 1234567 [work]\n"
                               " linkedin: https://www.linkedin.com/in/giuliarossi [Profile]\n"
                               "@4 info@ferramentabassi.example\n"
                               " org: Ferramenta Bassi\n"
                               " email: info@ferramentabassi.example\n"
                               " phone: 051 998877 [work]\n"
                               "@5 Zoë Ünal\n"
                               " given: Zoë\n"
                               " family: Ünal\n"
                               " tags: starred | Amici\n"
                               " email: zoe@example.com [other]\n"
                               " website: https://zoe.example/blog [Blog]\n";
    (void)state;

    expect_file(CSV, FIX "google_new.csv", 0, want);
}

static const char google_old_want[] =
    "@2 Paolo De Luca\n"
    " given: Paolo\n"
    " family: De Luca\n"
    " org: Torrefazione De Luca\n"
    " title: Agente\n"
    " note: Fornitore di caffè\n"
    " tags: Fornitori\n"
    " email: paolo@deluca.example [work]\n"
    " email: ordini@deluca.example [work]\n"
    " phone: 333 7654321 [cell]\n"
    " phone: 081 5551234 [fax]\n"
    " facebook: https://www.facebook.com/torrefazionedeluca [home]\n"
    "@3 Chiara Neri\n"
    " given: Chiara\n"
    " family: Neri\n"
    " phone: 0039 02 1234567 [home]\n";

static void test_csv_google_old(void **state)
{
    /* Name is the full name; "E-mail 1 - Type" labels; Organization 1 - Name/Title. */
    (void)state;
    expect_file(CSV, FIX "google_old.csv", 0, google_old_want);
    /* The same file in UTF-16LE with a BOM. */
    expect_file(CSV, FIX "google_old_utf16.csv", 0, google_old_want);
}

static void test_csv_outlook(void **state)
{
    /*
     * Every field quoted, Outlook's column order; "Title" is a courtesy title,
     * not the job; phones labelled by their column; Categories split at ';';
     * a doubled quote inside Notes.
     */
    static const char want[] = "@2 Marco Esposito\n"
                               " given: Marco\n"
                               " family: Esposito\n"
                               " org: Esposito Impianti S.n.c.\n"
                               " title: Socio\n"
                               " note: Preventivo \"caldaia\" inviato\n"
                               " tags: Clienti | Napoli\n"
                               " phone: 081 111111 [fax]\n"
                               " phone: 081 222222 [work]\n"
                               " phone: +39 338 333 4444 [cell]\n"
                               " email: marco@espositoimpianti.example\n"
                               " email: m.esposito@pec.example\n"
                               " website: www.espositoimpianti.example\n"
                               "@3 Sara Galli\n"
                               " given: Sara\n"
                               " family: Galli\n"
                               " phone: 02 7654321 [home]\n"
                               " email: sara.galli@example.com\n";
    (void)state;

    expect_file(CSV, FIX "outlook.csv", 0, want);
}

static void test_csv_outlook_cp1252(void **state)
{
    /* Not UTF-8 anywhere: read as Windows-1252 (€, – and curly quotes included). */
    static const char want[] = "@2 Niccolò Càrpeni\n"
                               " given: Niccolò\n"
                               " family: Càrpeni\n"
                               " org: Caffè Società Srl\n"
                               " title: Amministratore\n"
                               " note: Sconto 10 € – “cliente d’oro”\n"
                               " phone: 0543 111222 [work]\n"
                               " email: niccolo@caffe.example\n"
                               "@3 Renée Dupré\n"
                               " given: Renée\n"
                               " family: Dupré\n"
                               " phone: 347 0001112 [cell]\n"
                               " email: renee@example.fr\n";
    (void)state;

    expect_file(CSV, FIX "outlook_cp1252.csv", 0, want);
}

static void test_csv_outlook_it_semicolon(void **state)
{
    /* Italian column names, ';' as the delimiter, a quoted field holding ';'. */
    static const char want[] = "@2 Elena Fabbri\n"
                               " given: Elena\n"
                               " family: Fabbri\n"
                               " org: Fabbri & Figli\n"
                               " title: Titolare\n"
                               " note: Conosciuta a \"Rimini Wellness\"; da richiamare\n"
                               " tags: Clienti | Romagna\n"
                               " phone: 329 1112223 [cell]\n"
                               " phone: 0541 223344 [work]\n"
                               " email: elena@fabbri.example\n";
    (void)state;

    expect_file(CSV, FIX "outlook_it_semicolon.csv", 0, want);
}

static void test_csv_linkedin_no_url(void **state)
{
    /* Older export: no URL column, no BOM, no preamble, LF; a quoted comma; "5 Mar 2019". */
    static const char want[] = "@2 Francesca Moretti\n"
                               " given: Francesca\n"
                               " family: Moretti\n"
                               " org: Moretti, Neri & Associati\n"
                               " title: Partner\n"
                               " connected: 2019-03-05T00:00:00Z\n"
                               "@3 Omar Haddad\n"
                               " given: Omar\n"
                               " family: Haddad\n"
                               " org: Globex\n"
                               " title: CTO\n"
                               " email: omar@example.com\n"
                               " connected: 2020-02-28T00:00:00Z\n";
    (void)state;

    expect_file(CSV, FIX "linkedin_no_url.csv", 0, want);
}

static void test_csv_broken_rows(void **state)
{
    /*
     * Line 4 has four fields of five; line 5 has text after a closing quote;
     * line 6 opens a quote that the '"' of line 8 closes, so line 6 is
     * reported and reading starts again at line 7 (Elsa is kept); line 8 has a
     * quote inside an unquoted field; line 9 is all empty (nothing to say);
     * line 10 has only a note.
     */
    static const char want[] = "@2 Alba Uno\n"
                               " given: Alba\n"
                               " family: Uno\n"
                               " org: Acme\n"
                               " note: nota\\n su due righe\n"
                               " email: alba@example.com\n"
                               "!4 row has 4 fields, the header has 5\n"
                               "!5 broken quoting\n"
                               "!6 broken quoting\n"
                               "@7 Elsa Cinque\n"
                               " given: Elsa\n"
                               " family: Cinque\n"
                               " org: Acme\n"
                               " note: ok\n"
                               " email: elsa@example.com\n"
                               "!8 broken quoting\n"
                               "!10 row has no name, organization or identity\n"
                               "@11 Gina Sette\n"
                               " given: Gina\n"
                               " family: Sette\n"
                               " org: Acme\n"
                               " note: ultima\n"
                               " email: gina@example.com\n";
    (void)state;

    expect_file(CSV, FIX "broken_rows.csv", 0, want);
}

static void test_csv_refused(void **state)
{
    (void)state;
    expect_file(CSV, FIX "empty.csv", PZ_EINVAL, "=empty.csv:1: empty file\n");
    expect_file(CSV, FIX "not_contacts.csv", PZ_EINVAL,
                "=not_contacts.csv:1: not a contacts CSV (header not recognised)\n");
    expect_file(CSV, FIX "utf8_invalid.csv", PZ_EINVAL, "=utf8_invalid.csv:3: invalid UTF-8\n");
    expect_file(CSV, FIX "v40_escapes_groups_lf.vcf", PZ_EINVAL,
                "=v40_escapes_groups_lf.vcf:1: not a contacts CSV (header not recognised)\n");
    expect_file(CSV, CORPUS "linkedin/messages_multiline_badrow.csv", PZ_EINVAL,
                "=messages_multiline_badrow.csv:1: not a contacts CSV (header not recognised)\n");
}

/* Reads a CSV held in memory. */
static char *render_csv_mem(const char *data, int *rc_out, const char **kind)
{
    struct render r;
    struct import_sink sink = {on_record, on_skip, &r};
    struct import_problem fatal;
    FILE *f = fmemopen((void *)data, strlen(data), "rb");
    int rc;

    assert_non_null(f);
    memset(&r, 0, sizeof(r));
    memset(&fatal, 0, sizeof(fatal));
    pz_buf_init(&r.out, 1 << 20);
    pz_buf_addstr(&r.out, "");
    rc = contacts_csv_read_stream(f, "mem.csv", &sink, &fatal, kind);
    fclose(f);
    if (rc < 0)
        pz_buf_printf(&r.out, "=%s:%ld: %s\n", fatal.file, fatal.line, fatal.message);
    *rc_out = rc;
    return pz_buf_detach(&r.out, NULL);
}

static void test_csv_edge_cases(void **state)
{
    int rc;
    const char *kind;
    char *got;
    (void)state;

    /* A quote never closed at the end of the file: reported, the lines after it read again. */
    got = render_csv_mem("First Name,Last Name,E-mail Address\n"
                         "A,\"B,a@x.example\n"
                         "C,D,c@x.example\n",
                         &rc, &kind);
    assert_int_equal(rc, 0);
    assert_string_equal(kind, "outlook");
    assert_string_equal(got, "!2 a quoted field is not closed\n"
                             "@3 C D\n"
                             " given: C\n"
                             " family: D\n"
                             " email: c@x.example\n");
    free(got);
    /* A header alone: nothing to read, not an error. */
    got = render_csv_mem("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n",
                         &rc, &kind);
    assert_int_equal(rc, 0);
    assert_string_equal(kind, "linkedin");
    assert_string_equal(got, "");
    free(got);
    /* No header within the first rows. */
    got = render_csv_mem("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nFirst Name,Last Name,Company\n", &rc,
                         &kind);
    assert_int_equal(rc, PZ_EINVAL);
    assert_null(kind);
    assert_string_equal(got, "=mem.csv:1: not a contacts CSV (header not recognised)\n");
    free(got);
    /* Blank lines, an unparseable date, tabs as the delimiter. */
    got = render_csv_mem("\n\nFirst Name\tLast Name\tConnected On\n\n"
                         "Ugo\tFoscolo\tyesterday\n",
                         &rc, &kind);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "@5 Ugo Foscolo\n"
                             " given: Ugo\n"
                             " family: Foscolo\n");
    free(got);
    /* Mostly valid UTF-8 with one bad byte and no BOM: refused at that line. */
    got = render_csv_mem("First Name,Last Name,Company\n"
                         "Jos\xC3\xA9,N\xC3\xBA\xC3\xB1\x65z,\xC3\x80\n"
                         "Ana,Mu\xF1oz,X\n",
                         &rc, &kind);
    assert_int_equal(rc, PZ_EINVAL);
    assert_string_equal(got, "=mem.csv:3: invalid UTF-8\n");
    free(got);
}

static void test_csv_unclosed_quote_long(void **state)
{
    /*
     * A quote opened on line 2 and never closed swallows lines until the row
     * passes CONTACTS_CSV_MAX_ROW_LINES: it is reported, and every line after
     * line 2 is read again as the row it is.
     */
    struct pz_buf b;
    struct render r;
    struct import_sink sink = {on_record, on_skip, &r};
    FILE *f;
    (void)state;

    pz_buf_init(&b, 1 << 22);
    pz_buf_addstr(&b, "First Name,Last Name,E-mail Address\nA,\"B,a@x.example\n");
    for (int i = 0; i < 1500; i++)
        pz_buf_printf(&b, "N%d,S,n%d@x.example\n", i, i);
    memset(&r, 0, sizeof(r));
    pz_buf_init(&r.out, 1 << 22);
    f = fmemopen(b.data, b.len, "rb");
    assert_non_null(f);
    assert_int_equal(contacts_csv_read_stream(f, "long.csv", &sink, NULL, NULL), 0);
    fclose(f);
    assert_int_equal(r.skipped, 1);
    assert_int_equal(r.records, 1500);
    assert_true(pz_str_starts(pz_buf_str(&r.out),
                              "!2 row longer than 1 MiB or 1000 lines (a quote not closed?)\n"
                              "@3 N0 S\n"));
    assert_non_null(strstr(pz_buf_str(&r.out), "@1502 N1499 S\n"));
    pz_buf_release(&r.out);
    pz_buf_release(&b);
}

static void test_csv_stop_and_pipe(void **state)
{
    struct render r;
    struct import_sink sink = {on_record, on_skip, &r};
    FILE *p;
    char *first;
    (void)state;

    memset(&r, 0, sizeof(r));
    pz_buf_init(&r.out, 1 << 20);
    r.stop_after = 1;
    assert_int_equal(contacts_csv_read(FIX "outlook.csv", &sink, NULL), 7);
    assert_int_equal(r.records, 1);
    pz_buf_release(&r.out);

    /* A stream that cannot seek: each line's text is decided alone. */
    first = render_file(CSV, FIX "outlook_cp1252.csv", NULL);
    {
        int fds[2];
        FILE *src = fopen(FIX "outlook_cp1252.csv", "rb");
        char buf[1024];
        size_t len;

        assert_non_null(src);
        len = fread(buf, 1, sizeof(buf), src);
        fclose(src);
        assert_int_equal(pipe(fds), 0);
        assert_int_equal(write(fds[1], buf, len), (ssize_t)len); /* fits in the pipe */
        close(fds[1]);
        p = fdopen(fds[0], "rb");
        assert_non_null(p);
    }
    memset(&r, 0, sizeof(r));
    pz_buf_init(&r.out, 1 << 20);
    pz_buf_addstr(&r.out, "");
    assert_int_equal(contacts_csv_read_stream(p, "pipe.csv", &sink, NULL, NULL), 0);
    fclose(p);
    assert_string_equal(pz_buf_str(&r.out), first);
    pz_buf_release(&r.out);
    free(first);
}

/* --- detection --------------------------------------------------------------- */

static void expect_format(const char *path, int want_rc, const char *want)
{
    char format[32] = "";

    assert_int_equal(import_detect(path, format, sizeof(format)), want_rc);
    if (want)
        assert_string_equal(format, want);
}

static void test_detect(void **state)
{
    char tiny[5], small[6];
    (void)state;

    expect_format(CORPUS "contacts/android_21_qp_photo_multi.vcf", 0, "vcard");
    expect_format(CORPUS "linkedin/Connections_kawsay.csv", 0, "linkedin");
    expect_format(CORPUS "linkedin/messages_multiline_badrow.csv", PZ_EINVAL, NULL);
    expect_format(FIX "v30_folded_utf8_crlf.vcf", 0, "vcard");
    expect_format(FIX "v40_escapes_groups_lf.vcf", 0, "vcard");
    expect_format(FIX "v21_latin1_qp_crlf.vcf", 0, "vcard");
    expect_format(FIX "bad_cards_lf.vcf", 0, "vcard");
    expect_format(FIX "not_a_vcard.vcf", PZ_EINVAL, NULL);
    expect_format(FIX "empty.vcf", PZ_EINVAL, NULL);
    expect_format(FIX "empty.csv", PZ_EINVAL, NULL);
    expect_format(FIX "google_new.csv", 0, "contacts-csv");
    expect_format(FIX "google_old.csv", 0, "contacts-csv");
    expect_format(FIX "google_old_utf16.csv", 0, "contacts-csv");
    expect_format(FIX "outlook.csv", 0, "contacts-csv");
    expect_format(FIX "outlook_cp1252.csv", 0, "contacts-csv");
    expect_format(FIX "outlook_it_semicolon.csv", 0, "contacts-csv");
    expect_format(FIX "broken_rows.csv", 0, "contacts-csv");
    expect_format(FIX "utf8_invalid.csv", 0, "contacts-csv");
    expect_format(FIX "linkedin_no_url.csv", 0, "linkedin");
    expect_format(FIX "not_contacts.csv", PZ_EINVAL, NULL);
    expect_format(FIX "no-such-file", PZ_EIO, NULL);
    assert_int_equal(import_detect(FIX "google_new.csv", tiny, sizeof(tiny)), PZ_ETOOBIG);
    assert_int_equal(import_detect_buffer("  \r\n\tbegin:VCARD\r\n", 18, small, sizeof(small)), 0);
    assert_string_equal(small, "vcard");
    assert_int_equal(import_detect_buffer("BEGIN:VCARD", 11, tiny, sizeof(tiny)), PZ_ETOOBIG);
    assert_string_equal(contacts_csv_sniff("First Name,Last Name,Labels\n", 28), "google");
    assert_string_equal(contacts_csv_sniff("Name,Given Name,Family Name", 27), "google-old");
    assert_null(contacts_csv_sniff("First Name,Last", 15));
    assert_null(contacts_csv_sniff("", 0));
    assert_true(import_format_known("vcard"));
    assert_true(import_format_known("contacts-csv"));
    assert_true(import_format_known("linkedin"));
    assert_false(import_format_known("whatsapp"));
    assert_false(import_format_known(NULL));
}

static void test_import_read(void **state)
{
    struct import_problem fatal;
    struct render r;
    struct import_sink sink = {on_record, on_skip, &r};
    char *got;
    int rc;
    (void)state;

    memset(&r, 0, sizeof(r));
    pz_buf_init(&r.out, 1 << 20);
    /* Named formats. */
    assert_int_equal(import_read("vcard", FIX "bad_cards_lf.vcf", &sink, &fatal), 0);
    assert_int_equal(r.records, 3);
    assert_int_equal(r.skipped, 4);
    assert_int_equal(import_read("contacts-csv", FIX "google_old.csv", &sink, &fatal), 0);
    assert_int_equal(r.records, 5);
    assert_int_equal(import_read("linkedin", FIX "linkedin_no_url.csv", &sink, &fatal), 0);
    assert_int_equal(r.records, 7);
    /* "linkedin" given a Google CSV is refused before any record. */
    assert_int_equal(import_read("linkedin", FIX "google_new.csv", &sink, &fatal), PZ_EINVAL);
    assert_int_equal(r.records, 7);
    assert_int_equal(fatal.line, 1);
    assert_string_equal(fatal.message, "not a LinkedIn Connections.csv (header not recognised)");
    assert_int_equal(import_read("whatsapp", FIX "google_new.csv", &sink, &fatal), PZ_EINVAL);
    assert_string_equal(fatal.message, "unknown format 'whatsapp'");
    assert_int_equal(import_read("vcard", FIX "nope.vcf", &sink, &fatal), PZ_EIO);
    pz_buf_release(&r.out);

    /* Detected: the same output as the reader itself. */
    got = render_file(ANY, FIX "v21_latin1_qp_crlf.vcf", &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(got, "@1 Niccolò Nicolò\n"));
    free(got);
    got = render_file(ANY, FIX "outlook_it_semicolon.csv", &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(got, "@2 Elena Fabbri\n"));
    free(got);
    got = render_file(ANY, FIX "not_contacts.csv", &rc);
    assert_int_equal(rc, PZ_EINVAL);
    assert_string_equal(got, "=not_contacts.csv:1: format not recognised (not a vCard, contacts "
                             "CSV or LinkedIn Connections.csv)\n");
    free(got);
}

/* --- problems in any language (src/import/problems.c) ---------------------------------------- */

static void test_problem_codes(void **state)
{
    struct import_problem_code c;
    const char *code;
    const char *text;
    char msg[300];

    (void)state;
    import_problem_code("row has 4 fields, the header has 3", &c);
    assert_string_equal(c.code, "csv.fields");
    assert_int_equal(c.n_args, 2);
    assert_string_equal(c.args[0], "4");
    assert_string_equal(c.args[1], "3");
    import_problem_code("no such date (31/2/24): message skipped", &c);
    assert_string_equal(c.code, "whatsapp.no_such_date");
    assert_int_equal(c.n_args, 3);
    assert_string_equal(c.args[0], "31");
    assert_string_equal(c.args[1], "2");
    assert_string_equal(c.args[2], "24");
    /* an exact wording before the general one that would match it too */
    import_problem_code("not valid JSON: the file ends before its data does (cut short?)", &c);
    assert_string_equal(c.code, "json.cut_short");
    assert_int_equal(c.n_args, 0);
    import_problem_code("not valid JSON: expected ',' or '}'", &c);
    assert_string_equal(c.code, "json.invalid");
    assert_string_equal(c.args[0], "expected ',' or '}'");
    /* a value with the wording's own words in it */
    import_problem_code("DATE 'row has' is not a date: skipped", &c);
    assert_string_equal(c.code, "linkedin.bad_date");
    assert_string_equal(c.args[0], "row has");
    /* anything else: its English only */
    import_problem_code("a wording nobody wrote", &c);
    assert_string_equal(c.code, "import.other");
    assert_int_equal(c.n_args, 0);
    import_problem_code(NULL, &c);
    assert_string_equal(c.code, "import.other");
    /* a value longer than the room for it is cut, not overrun */
    memset(msg, 'x', sizeof(msg));
    memcpy(msg, "cannot open: ", 13);
    msg[sizeof(msg) - 1] = '\0';
    import_problem_code(msg, &c);
    assert_string_equal(c.code, "file.cannot_open");
    assert_int_equal(strlen(c.args[0]), sizeof(c.args[0]) - 1);

    /* every wording, its values filled in, is found again under its own code */
    for (size_t i = 0; (text = import_problem_wording(i, &code)) != NULL; i++) {
        size_t o = 0;
        for (const char *t = text; *t && o + 3 < sizeof(msg); t++) {
            if (*t == '%') {
                msg[o++] = '4';
                msg[o++] = '2';
            } else {
                msg[o++] = *t;
            }
        }
        msg[o] = '\0';
        import_problem_code(msg, &c);
        assert_string_equal(c.code, code);
    }

    /* "file:line: wording" */
    assert_string_equal(import_problem_located("spesa.csv:1: format not recognised (x)"),
                        "format not recognised (x)");
    assert_string_equal(import_problem_located("C:/dati/a.csv:12: empty file"), "empty file");
    assert_null(import_problem_located("the database failed"));
    assert_null(import_problem_located(NULL));
}

/*
 * The reader on a thread of its own (record_pipe.c) gives the sink exactly what import_read
 * gives, in the same order, for every contacts file: records, skipped records, a refusal;
 * and a sink that stops stops it with its value.
 */
static void test_pipelined(void **state)
{
    static const char *const files[] = {
        FIX "bad_cards_lf.vcf",
        FIX "broken_rows.csv",
        FIX "empty.csv",
        FIX "empty.vcf",
        FIX "google_new.csv",
        FIX "google_old.csv",
        FIX "google_old_utf16.csv",
        FIX "linkedin_no_url.csv",
        FIX "not_a_vcard.vcf",
        FIX "not_contacts.csv",
        FIX "outlook.csv",
        FIX "outlook_cp1252.csv",
        FIX "outlook_it_semicolon.csv",
        FIX "utf8_invalid.csv",
        FIX "v21_latin1_qp_crlf.vcf",
        FIX "v30_folded_utf8_crlf.vcf",
        FIX "v40_escapes_groups_lf.vcf",
        FIX "v40_kind_org.vcf",
        CORPUS "contacts/android_21_qp_photo_multi.vcf",
        CORPUS "linkedin/Connections_kawsay.csv",
        FIX "no such file.vcf",
    };
    int rc, rc_pipe;
    char *want, *got;
    (void)state;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        want = render_file(ANY, files[i], &rc);
        got = render_file(PIPED, files[i], &rc_pipe);
        assert_string_equal(got, want);
        assert_int_equal(rc_pipe, rc);
        free(want);
        free(got);
    }
    want = render_file_stop(ANY, CORPUS "linkedin/Connections_kawsay.csv", 2, &rc);
    got = render_file_stop(PIPED, CORPUS "linkedin/Connections_kawsay.csv", 2, &rc_pipe);
    assert_int_equal(rc, 7);
    assert_int_equal(rc_pipe, 7);
    assert_string_equal(got, want);
    assert_int_equal(count_lines_starting(got, '@'), 2);
    free(want);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_endings),
        cmocka_unit_test(test_lines_block_boundaries),
        cmocka_unit_test(test_lines_utf16),
        cmocka_unit_test(test_lines_utf16_large),
        cmocka_unit_test(test_charset),
        cmocka_unit_test(test_values_url_kind),
        cmocka_unit_test(test_values_labels_tags),
        cmocka_unit_test(test_values_dates),
        cmocka_unit_test(test_vcard_corpus_android),
        cmocka_unit_test(test_vcard_corpus_counts),
        cmocka_unit_test(test_vcard_30_folded),
        cmocka_unit_test(test_vcard_40_escapes_groups),
        cmocka_unit_test(test_vcard_40_kind_org),
        cmocka_unit_test(test_vcard_21_latin1),
        cmocka_unit_test(test_vcard_bad_cards),
        cmocka_unit_test(test_vcard_refused),
        cmocka_unit_test(test_vcard_stop),
        cmocka_unit_test(test_vcard_long_lines),
        cmocka_unit_test(test_vcard_many_cards),
        cmocka_unit_test(test_vcard_edge_cases),
        cmocka_unit_test(test_vcard_limits),
        cmocka_unit_test(test_csv_corpus_linkedin),
        cmocka_unit_test(test_csv_google_new),
        cmocka_unit_test(test_csv_google_old),
        cmocka_unit_test(test_csv_outlook),
        cmocka_unit_test(test_csv_outlook_cp1252),
        cmocka_unit_test(test_csv_outlook_it_semicolon),
        cmocka_unit_test(test_csv_linkedin_no_url),
        cmocka_unit_test(test_csv_broken_rows),
        cmocka_unit_test(test_csv_refused),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_csv_edge_cases),
        cmocka_unit_test(test_csv_unclosed_quote_long),
        cmocka_unit_test(test_csv_stop_and_pipe),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_import_read),
        cmocka_unit_test(test_problem_codes),
    };

    pz_log_set_level(PZ_LOG_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
