/*
 * A bounded line reader for importers. It reads a stream in large blocks
 * and hands out one physical line at a time, without its terminator (LF,
 * CRLF or a lone CR all end a line), so a reader never holds more than one
 * line of a file however big the file is. A line longer than the maximum is
 * cut at the maximum and the rest of it is dropped, with a flag saying so.
 *
 * The encoding is settled on the first bytes: a UTF-8 byte order mark is
 * dropped; a UTF-16 mark (LE or BE) makes the reader convert the whole stream
 * to UTF-8 as it goes (broken surrogates become U+FFFD), so every reader above
 * sees UTF-8 or the file's own single-byte text.
 */
#ifndef PZ_IMPORT_LINES_H
#define PZ_IMPORT_LINES_H

#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"

#define LINES_BLOCK 65536

enum lines_encoding { LINES_BYTES = 0, LINES_UTF16LE, LINES_UTF16BE };

struct lines {
    FILE *f;
    enum lines_encoding encoding;
    char *block;          /* LINES_BLOCK bytes (UTF-8 after conversion) */
    size_t pos, end;      /* unread part of block */
    unsigned char *raw;   /* UTF-16 input before conversion, or NULL */
    size_t raw_len;       /* bytes carried over in raw (odd byte, lone high surrogate) */
    struct pz_buf joined; /* a line that crosses blocks */
    size_t max;           /* longest line handed out */
    long lineno;          /* number of the line last handed out, 1-based */
    long long offset;     /* input bytes consumed so far */
    int started, eof, skip_lf, error;
    int truncated; /* the line last handed out was longer than max */
    int had_bom;   /* the stream began with a byte order mark */
};

/* Prepares to read F (which the caller keeps and closes) in lines of at most MAX bytes. */
void lines_init(struct lines *l, FILE *f, size_t max);

/*
 * Hands out the next line: returns 1 and sets *LINE (borrowed, valid until
 * the next call, not NUL-terminated) and *LEN; returns 0 at the end of the
 * stream, or PZ_EIO when reading failed. l->lineno is the line's number and
 * l->truncated says whether it was cut at the maximum.
 */
int lines_next(struct lines *l, const char **line, size_t *len);

/* Frees what the reader allocated (not the stream). */
void lines_release(struct lines *l);

#endif
