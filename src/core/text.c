/*
 * Text helpers. See text.h.
 */
#include "core/text.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/error.h"
#include "core/banned.h"

size_t pz_utf8_char_len(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c;

    if (n == 0)
        return 0;
    c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] > 0x9F)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xF4 && s[1] > 0x8F)
            return 0; /* past U+10FFFF */
        return 4;
    }
    return 0;
}

size_t pz_ascii_span(const char *s, size_t n)
{
    const uint64_t high = 0x8080808080808080ULL, ones = 0x0101010101010101ULL;
    size_t i = 0;

#ifdef __SSE2__
    /* Sixteen bytes at a time where the processor has SSE2 (every x86-64): one mask of the
     * bytes with the high bit set or zero; chat text is mostly ASCII, so most lines pass whole. */
    {
        const __m128i zero = _mm_setzero_si128();
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            unsigned m = (unsigned)_mm_movemask_epi8(v) |
                         (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero));
            if (m)
                return i + (size_t)__builtin_ctz(m);
        }
    }
#endif
    /* Eight bytes at a time: none with the high bit set, none zero. */
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        if ((v & high) || ((v - ones) & ~v & high))
            break;
    }
    while (i < n && (unsigned char)s[i] - 1u < 0x7Fu)
        i++;
    return i;
}

int pz_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t l;
        i += pz_ascii_span(s + i, n - i);
        if (i == n)
            break;
        if (s[i] == '\0')
            return 0;
        l = pz_utf8_char_len(s + i, n - i);
        if (l == 0)
            return 0;
        i += l;
    }
    return 1;
}

size_t pz_utf8_count(const char *s)
{
    size_t count = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            count++;
    return count;
}

int pz_b64url_encode(const unsigned char *in, size_t n, char *out, size_t outsz)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t need = (n * 4 + 2) / 3 + 1, o = 0, i;

    if (outsz < need)
        return PZ_ETOOBIG;
    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)in[i] << 16;
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
    } else if (n - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
    }
    out[o] = '\0';
    return (int)o;
}

int pz_hex_encode(const unsigned char *in, size_t n, char *out, size_t outsz)
{
    static const char hex[] = "0123456789abcdef";
    if (outsz < 2 * n + 1)
        return PZ_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
    return (int)(2 * n);
}

int pz_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    if (!s || !*s || isspace((unsigned char)*s) || *s == '+')
        return PZ_EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return PZ_EINVAL;
    *out = (int64_t)v;
    return 0;
}

int pz_str_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int pz_str_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int pz_email_normalize(const char *in, char *out, size_t outsz)
{
    const char *end, *at = NULL, *dot = NULL;
    size_t n, i;

    while (*in == ' ' || *in == '\t')
        in++;
    end = in + strlen(in);
    while (end > in && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    n = (size_t)(end - in);
    if (n < 3 || n > 254 || n + 1 > outsz)
        return PZ_EINVAL;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"')
            return PZ_EINVAL;
        if (c == '@') {
            if (at)
                return PZ_EINVAL;
            at = in + i;
        } else if (c == '.' && at) {
            dot = in + i;
        }
        out[i] = (char)tolower(c);
    }
    out[n] = '\0';
    if (!at || at == in || !dot)
        return PZ_EINVAL;
    /* Every label of the domain must be non-empty: no "a@.b.it", "a@b..it" or "a@b.it." */
    for (const char *p = at + 1, *label = at + 1;; p++) {
        if (*p == '.' || p == end) {
            if (p == label)
                return PZ_EINVAL;
            if (p == end)
                break;
            label = p + 1;
        }
    }
    return (int)n;
}

/* Spells a two-byte UTF-8 Latin-1 letter without its accent ("é" -> "e", "ß" -> "ss"); NULL for
 * anything else. */
static const char *unaccent(unsigned char b1, unsigned char b2)
{
    static const char *const map[32] = {"a", "a",  "a", "a", "a", "a", "ae", "c", "e",  "e", "e",
                                        "e", "i",  "i", "i", "i", "d", "n",  "o", "o",  "o", "o",
                                        "o", NULL, "o", "u", "u", "u", "u",  "y", "th", "ss"};
    if (b1 != 0xC3 || b2 < 0x80 || b2 > 0xBF)
        return NULL;
    if (b2 == 0xBF)
        return "y"; /* ÿ, where the upper half has ß */
    return map[(b2 - 0x80) & 31];
}

int pz_slugify(const char *in, char *out, size_t outsz)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0, max;
    int dash = 0;

    if (outsz == 0)
        return PZ_ETOOBIG;
    max = outsz - 1 < 63 ? outsz - 1 : 63;
    while (*s) {
        char one[2] = {0, 0};
        const char *piece = NULL;
        size_t need;

        if (*s < 0x80) {
            if (isalnum(*s)) {
                one[0] = (char)tolower(*s);
                piece = one;
            }
            s++;
        } else if ((s[1] & 0xC0) == 0x80) {
            piece = unaccent(s[0], s[1]);
            s += 2;
        } else {
            s++;
        }
        if (!piece) {
            dash = 1;
            continue;
        }
        need = strlen(piece) + (dash && o > 0);
        if (o + need > max)
            break;
        if (dash && o > 0)
            out[o++] = '-';
        dash = 0;
        while (*piece)
            out[o++] = *piece++;
    }
    out[o] = '\0';
    return (int)o;
}

int pz_slug_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

/* Each 8-byte word (the last one zero-padded) is mixed in by xor, a multiply by an odd
 * constant and a fold of the high half down; the length is mixed in first and the end is the
 * 64-bit finalizer of MurmurHash3 (its published constants), so every input bit reaches every
 * output bit. */
uint64_t pz_hash64(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)n * 0xc2b2ae3d27d4eb4fULL), w;

    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    if (n) {
        w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 32;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t pz_fnv1a64(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}
