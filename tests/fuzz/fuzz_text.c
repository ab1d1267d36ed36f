/*
 * libFuzzer target for the text helpers (src/core/text.c). Each input is
 * used whole, as bytes and as a NUL-terminated string, and each result is
 * checked against an independent reference written here:
 *
 *  - pz_utf8_char_len against a small decoder that computes the code point
 *    and applies the Unicode rules (shortest form, no surrogates, at most
 *    U+10FFFF); pz_utf8_valid and pz_utf8_count against walking with it;
 *  - pz_b64url_encode and pz_hex_encode: output sizes, the size refusal,
 *    the alphabet, and decoding back to the input;
 *  - pz_email_normalize: the result is one address that normalizes to itself;
 *  - pz_slugify: the result, when not empty, is a valid slug that fits OUT;
 *  - pz_parse_int64 against a reference parser using 128-bit arithmetic;
 *  - pz_str_ieq against a byte-wise ASCII case-insensitive compare.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_text: check failed at line %d: %s\n", __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Reference UTF-8 decoder: the sequence length at S (N bytes), or 0. */
static size_t ref_char_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;

    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
        return 0; /* not the shortest form */
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp > 0x10FFFF)
        return 0;
    return len;
}

static void check_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    int valid = 1;
    size_t count = 0;

    for (size_t i = 0; i < n; i++) {
        size_t want = ref_char_len(u + i, n - i);
        size_t got = pz_utf8_char_len(s + i, n - i);
        if (got != want) {
            fprintf(stderr, "fuzz_text: char_len at %zu: got %zu, want %zu\n", i, got, want);
            abort();
        }
        /* Never more than N bytes. */
        CHECK(pz_utf8_char_len(s + i, 0) == 0);
    }
    for (size_t i = 0; i < n;) {
        size_t l = ref_char_len(u + i, n - i);
        if (l == 0 || s[i] == '\0') {
            valid = 0;
            break;
        }
        count++;
        i += l;
    }
    CHECK(!!pz_utf8_valid(s, n) == valid);
    if (valid)
        CHECK(pz_utf8_count(s) == count);
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

static void check_b64_hex(const unsigned char *in, size_t n)
{
    size_t need = (n * 4 + 2) / 3 + 1;
    char *out = malloc(need);
    char *hex = malloc(2 * n + 1);
    unsigned char *back = malloc(n + 1);
    size_t blen = 0;
    unsigned acc = 0;
    int bits = 0, r;

    if (!out || !hex || !back)
        abort();
    /* Exactly the documented size is enough; one byte less is refused. */
    r = pz_b64url_encode(in, n, out, need);
    CHECK(r >= 0 && (size_t)r == need - 1);
    CHECK(out[r] == '\0');
    CHECK(pz_b64url_encode(in, n, out, need - 1) == PZ_ETOOBIG);
    CHECK(strlen(out) == need - 1); /* left as it was */
    for (int i = 0; i < r; i++) {
        int v = b64_value(out[i]);
        CHECK(v >= 0);
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            back[blen++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    CHECK(acc == 0); /* unused low bits are zero: one encoding per input */
    CHECK(blen == n);
    CHECK(n == 0 || memcmp(back, in, n) == 0);

    r = pz_hex_encode(in, n, hex, 2 * n + 1);
    CHECK(r >= 0 && (size_t)r == 2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        CHECK(strchr("0123456789abcdef", hex[2 * i]) && hex[2 * i] != '\0');
        CHECK(strchr("0123456789abcdef", hex[2 * i + 1]) && hex[2 * i + 1] != '\0');
        CHECK(sscanf(hex + 2 * i, "%2x", &v) == 1 && v == in[i]);
    }
    CHECK(hex[2 * n] == '\0');
    CHECK(pz_hex_encode(in, n, hex, 2 * n) == PZ_ETOOBIG);
    free(out);
    free(hex);
    free(back);
}

static void check_email(const char *s)
{
    char out[256], again[256];
    int r = pz_email_normalize(s, out, sizeof(out));
    int at = 0;

    if (r < 0) {
        CHECK(r == PZ_EINVAL);
        return;
    }
    CHECK((size_t)r == strlen(out));
    CHECK(r >= 3 && r <= 254);
    for (int i = 0; i < r; i++) {
        unsigned char c = (unsigned char)out[i];
        CHECK(c > ' ' && c != 0x7F);
        CHECK(!(c >= 'A' && c <= 'Z'));
        CHECK(!strchr("<>,;\"", c));
        at += c == '@';
    }
    CHECK(at == 1);
    CHECK(out[0] != '@');
    CHECK(strchr(strchr(out, '@'), '.') != NULL);
    CHECK(out[r - 1] != '.');
    /* Normalizing is idempotent. */
    CHECK(pz_email_normalize(out, again, sizeof(again)) == r);
    CHECK(strcmp(out, again) == 0);
    /* A buffer one byte short is refused, never overrun. */
    {
        char *tight = malloc((size_t)r);
        if (!tight)
            abort();
        CHECK(pz_email_normalize(s, tight, (size_t)r) == PZ_EINVAL);
        free(tight);
    }
}

static void check_slug(const char *s, size_t outsz)
{
    char *out = malloc(outsz ? outsz : 1);
    int r;

    if (!out)
        abort();
    r = pz_slugify(s, out, outsz);
    if (outsz == 0) {
        CHECK(r == PZ_ETOOBIG);
        free(out);
        return;
    }
    CHECK(r >= 0);
    CHECK((size_t)r < outsz);
    CHECK((size_t)r == strlen(out));
    if (r > 0) {
        if (!pz_slug_valid(out)) {
            fprintf(stderr, "fuzz_text: slug '%s' (%d bytes, OUT %zu) is not valid\n", out, r,
                    outsz);
            abort();
        }
    }
    free(out);
}

/* Reference for pz_parse_int64: optional '-', then digits, nothing else. */
static int ref_parse(const char *s, int64_t min, int64_t max, int64_t *out)
{
    __int128 v = 0;
    int neg = 0;

    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (!*s)
        return PZ_EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return PZ_EINVAL;
        v = v * 10 + (*s - '0');
        if (v > (__int128)INT64_MAX + 1)
            return PZ_EINVAL;
    }
    if (neg)
        v = -v;
    if (v < min || v > max)
        return PZ_EINVAL;
    *out = (int64_t)v;
    return 0;
}

static void check_int(const char *s)
{
    static const int64_t bounds[][2] = {{INT64_MIN, INT64_MAX}, {1, 200}, {0, INT64_MAX}, {-5, 5}};

    for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
        int64_t got = 77, want = 77;
        int r = pz_parse_int64(s, bounds[i][0], bounds[i][1], &got);
        int rr = ref_parse(s, bounds[i][0], bounds[i][1], &want);
        if (r != rr || got != want) {
            fprintf(stderr, "fuzz_text: parse_int64('%s', %lld, %lld): %d/%lld, want %d/%lld\n", s,
                    (long long)bounds[i][0], (long long)bounds[i][1], r, (long long)got, rr,
                    (long long)want);
            abort();
        }
    }
}

static void check_ieq(const char *a, const char *b)
{
    int want = 1;
    size_t i;

    for (i = 0; a[i] && b[i]; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y) {
            want = 0;
            break;
        }
    }
    if (want)
        want = a[i] == b[i];
    CHECK(!!pz_str_ieq(a, b) == want);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pz_log_set_level(PZ_LOG_OFF);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;
    size_t half;

    if (size > 4096)
        return 0;
    s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';

    check_utf8(s, size);
    check_b64_hex(data, size);
    check_email(s);
    check_slug(s, 64);  /* what workspace_create gives it */
    check_slug(s, 128); /* a roomier buffer must give a valid slug too */
    check_slug(s, size % 70);
    check_int(s);
    half = strlen(s) / 2;
    {
        char *a = strndup(s, half);
        if (!a)
            abort();
        check_ieq(a, s + half);
        check_ieq(s, s);
        free(a);
    }
    free(s);
    return 0;
}
