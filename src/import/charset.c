/*
 * Conversions to UTF-8. See charset.h.
 */
#include "import/charset.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "core/error.h"
#include "core/text.h"
#include "core/banned.h"

/* Windows-1252 0x80-0x9F; 0 marks the five unassigned bytes. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static const char replacement[] = "\xEF\xBF\xBD";

size_t charset_put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int charset_is_ascii(const char *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] >= 0x80)
            return 0;
    return 1;
}

int charset_utf8_repair(const char *in, size_t n, struct pz_buf *out)
{
    size_t i = 0, run = 0;

    /* Copies runs of good characters in one go. */
    while (i < n) {
        size_t l;
        i += pz_ascii_span(in + i, n - i); /* ASCII but NUL: most of any text */
        if (i == n)
            break;
        l = in[i] == '\0' ? 0 : pz_utf8_char_len(in + i, n - i);
        if (l > 0) {
            i += l;
            continue;
        }
        if (pz_buf_add(out, in + run, i - run) < 0 || pz_buf_add(out, replacement, 3) < 0)
            return PZ_ETOOBIG;
        i++;
        run = i;
    }
    return pz_buf_add(out, in + run, n - run);
}

int charset_cp1252_to_utf8(const char *in, size_t n, struct pz_buf *out)
{
    size_t i = 0, run = 0;

    while (i < n) {
        unsigned char c = (unsigned char)in[i];
        char enc[4];
        size_t len;

        if (c < 0x80 && c != 0) {
            i++;
            continue;
        }
        if (pz_buf_add(out, in + run, i - run) < 0)
            return PZ_ETOOBIG;
        if (c >= 0x80 && c < 0xA0)
            len = cp1252_high[c - 0x80] ? charset_put_utf8(enc, cp1252_high[c - 0x80])
                                        : charset_put_utf8(enc, 0xFFFD);
        else if (c == 0)
            len = charset_put_utf8(enc, 0xFFFD);
        else
            len = charset_put_utf8(enc, c);
        if (pz_buf_add(out, enc, len) < 0)
            return PZ_ETOOBIG;
        i++;
        run = i;
    }
    return pz_buf_add(out, in + run, n - run);
}

void charset_init(struct charset *cs)
{
    memset(cs, 0, sizeof(*cs));
}

void charset_release(struct charset *cs)
{
    if (cs->cd)
        iconv_close((iconv_t)cs->cd);
    cs->cd = NULL;
    cs->name[0] = '\0';
}

static int guess(const char *in, size_t n, struct pz_buf *out)
{
    for (size_t i = 0; i < n; i++)
        if (in[i] == '\0')
            return charset_utf8_repair(in, n, out);
    if (pz_utf8_valid(in, n))
        return pz_buf_add(out, in, n);
    return charset_cp1252_to_utf8(in, n, out);
}

static int is_one_of(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (pz_str_ieq(name, *names))
            return 1;
    return 0;
}

/* Opens (or reuses) the iconv converter from NAME; returns 0 or -1. */
static int open_iconv(struct charset *cs, const char *name)
{
    iconv_t cd;

    if (strlen(name) >= sizeof(cs->name))
        return -1;
    if (cs->name[0] && pz_str_ieq(cs->name, name))
        return cs->failed ? -1 : 0;
    charset_release(cs);
    memcpy(cs->name, name, strlen(name) + 1);
    cd = iconv_open("UTF-8", name);
    cs->failed = (intptr_t)cd == -1; /* iconv_open returns (iconv_t)-1 on failure */
    if (cs->failed)
        return -1;
    cs->cd = cd;
    return 0;
}

static int via_iconv(struct charset *cs, const char *in, size_t n, struct pz_buf *out)
{
    iconv_t cd = (iconv_t)cs->cd;
    char *ip = (char *)in; /* iconv's prototype wants it non-const; it does not write */
    size_t left = n;

    iconv(cd, NULL, NULL, NULL, NULL);
    while (left > 0) {
        char chunk[1024];
        char *op = chunk;
        size_t room = sizeof(chunk);
        size_t r = iconv(cd, &ip, &left, &op, &room);
        int err = r == (size_t)-1 ? errno : 0;

        if (pz_buf_add(out, chunk, (size_t)(op - chunk)) < 0)
            return PZ_ETOOBIG;
        if (err == EILSEQ || err == EINVAL) {
            /* Undecodable or cut short: mark it and go on after one byte. */
            if (pz_buf_add(out, replacement, 3) < 0)
                return PZ_ETOOBIG;
            ip++;
            left--;
            iconv(cd, NULL, NULL, NULL, NULL);
        } else if (err != 0 && err != E2BIG) {
            return pz_buf_add(out, replacement, 3);
        }
    }
    {
        /* Flush any shift state. */
        char chunk[64];
        char *op = chunk;
        size_t room = sizeof(chunk);
        iconv(cd, NULL, NULL, &op, &room);
        return pz_buf_add(out, chunk, (size_t)(op - chunk));
    }
}

int charset_to_utf8(struct charset *cs, const char *charset, const char *in, size_t n,
                    struct pz_buf *out)
{
    static const char *const utf8[] = {"UTF-8", "UTF8", NULL};
    static const char *const western[] = {"ISO-8859-1", "ISO8859-1", "ISO_8859-1",   "LATIN1",
                                          "L1",         "CP819",     "WINDOWS-1252", "CP1252",
                                          "X-CP1252",   NULL};
    static const char *const ascii[] = {"US-ASCII", "ASCII", "ANSI_X3.4-1968", NULL};

    if (!charset || !*charset)
        return guess(in, n, out);
    if (is_one_of(charset, utf8))
        return charset_utf8_repair(in, n, out);
    if (is_one_of(charset, western))
        return charset_cp1252_to_utf8(in, n, out);
    if (is_one_of(charset, ascii) || open_iconv(cs, charset) < 0)
        return guess(in, n, out);
    return via_iconv(cs, in, n, out);
}
