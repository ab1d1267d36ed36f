/*
 * Turning the text of an import into UTF-8. Exports name their charset
 * (vCard 2.1 CHARSET=) or leave it to be guessed (an Outlook CSV saved in
 * Windows-1252); either way every string an importer hands on must be
 * well-formed UTF-8. UTF-8, ISO-8859-1 and Windows-1252 are converted here
 * by hand (ISO-8859-1 is read as Windows-1252, its superset in practice, as
 * browsers do); any other charset goes through iconv. Invalid input never
 * fails a conversion: what cannot be decoded becomes U+FFFD.
 */
#ifndef PZ_IMPORT_CHARSET_H
#define PZ_IMPORT_CHARSET_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* A converter remembers the last iconv charset it opened, for speed. */
struct charset {
    char name[48];
    void *cd;   /* iconv_t, or NULL */
    int failed; /* the last charset named is unknown to iconv */
};

void charset_init(struct charset *cs);
void charset_release(struct charset *cs);

/*
 * Appends the N bytes at IN, written in CHARSET, to OUT as UTF-8. A NULL or
 * empty CHARSET, or one nobody knows, means "guess": UTF-8 when the bytes are
 * valid UTF-8, else Windows-1252. Returns 0, or PZ_ETOOBIG when OUT is full
 * (OUT then holds a prefix of the text, not necessarily ending on a character).
 */
int charset_to_utf8(struct charset *cs, const char *charset, const char *in, size_t n,
                    struct pz_buf *out);

/* Appends IN as UTF-8, each ill-formed sequence or NUL replaced by U+FFFD. */
int charset_utf8_repair(const char *in, size_t n, struct pz_buf *out);

/* Appends IN, read as Windows-1252, as UTF-8 (its five unassigned bytes become U+FFFD). */
int charset_cp1252_to_utf8(const char *in, size_t n, struct pz_buf *out);

/* Writes code point CP (at most U+10FFFF, not a surrogate) as 1-4 bytes of UTF-8; returns the
 * count. */
size_t charset_put_utf8(char *out, uint32_t cp);

/* Returns non-zero when every byte of IN is below 0x80. */
int charset_is_ascii(const char *in, size_t n);

#endif
