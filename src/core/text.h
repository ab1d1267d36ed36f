/*
 * Text helpers shared by every module: UTF-8 checks, base64url and hex
 * encodings, strict number parsing, e-mail and slug normalization.
 * Functions that write into a caller's buffer take its size and always
 * terminate; they return the length written or a negative PZ_E* code.
 */
#ifndef PZ_TEXT_H
#define PZ_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns the length (1-4) of the well-formed UTF-8 sequence at S, looking at
 * no more than N bytes, or 0 when it is not well formed (overlong forms,
 * surrogates and code points past U+10FFFF are refused).
 */
size_t pz_utf8_char_len(const char *s, size_t n);

/* How many bytes at the start of S (N bytes) are ASCII other than NUL. */
size_t pz_ascii_span(const char *s, size_t n);

/* Returns non-zero when the N bytes at S are well-formed UTF-8 with no NUL. */
int pz_utf8_valid(const char *s, size_t n);

/* Counts code points in a well-formed UTF-8 string. */
size_t pz_utf8_count(const char *s);

/* Base64url without padding. OUT needs (n*4+2)/3+1 bytes. */
int pz_b64url_encode(const unsigned char *in, size_t n, char *out, size_t outsz);

/* Lower-case hex. OUT needs 2n+1 bytes. */
int pz_hex_encode(const unsigned char *in, size_t n, char *out, size_t outsz);

/*
 * Parses S as a whole decimal integer within [MIN, MAX]: no sign games, no
 * trailing text, no overflow. Returns 0 or PZ_EINVAL.
 */
int pz_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* ASCII case-insensitive equality. */
int pz_str_ieq(const char *a, const char *b);

/* Returns non-zero when S starts with PREFIX. */
int pz_str_starts(const char *s, const char *prefix);

/*
 * Normalizes an e-mail address into OUT: surrounding spaces trimmed,
 * lower-cased. Returns the length, or PZ_EINVAL when it does not look like
 * local@domain.tld (one @, no spaces or control characters, at most 254 bytes).
 */
int pz_email_normalize(const char *in, char *out, size_t outsz);

/*
 * Derives a URL slug from a name into OUT: lower-case ASCII letters and
 * digits separated by single dashes; common accented Latin letters lose their
 * accent ("Caffè Società" -> "caffe-societa"). Returns the length (0 when
 * nothing usable remained).
 */
int pz_slugify(const char *in, char *out, size_t outsz);

/* Returns non-zero when S is a valid slug: 1-63 of [a-z0-9-], not starting or ending with '-'. */
int pz_slug_valid(const char *s);

/* FNV-1a 64-bit hash of N bytes, for ETags and cache keys (not for security). */
uint64_t pz_fnv1a64(const void *p, size_t n);

/*
 * A hash of N bytes for tables that live in memory only: eight bytes a step,
 * several times faster than pz_fnv1a64 on words and message texts. Its value
 * depends on the machine's byte order, so it must never be stored or sent:
 * keys that last (dedup keys, ETags) use pz_fnv1a64 or a real digest.
 */
uint64_t pz_hash64(const void *p, size_t n);

#endif
