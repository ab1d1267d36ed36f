/*
 * The bounded line reader. See lines.h.
 *
 * Lines that lie inside one block are handed out in place; only a line that
 * crosses a block boundary is copied, into a buffer capped at the maximum.
 * UTF-16 input is converted block by block into the same block buffer, so the
 * line splitting below never sees anything but bytes.
 */
#include "import/lines.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "import/charset.h"
#include "core/banned.h"

void lines_init(struct lines *l, FILE *f, size_t max)
{
    memset(l, 0, sizeof(*l));
    l->f = f;
    l->max = max;
    l->block = xmalloc(LINES_BLOCK);
    pz_buf_init(&l->joined, max);
}

void lines_release(struct lines *l)
{
    free(l->block);
    free(l->raw);
    l->block = NULL;
    l->raw = NULL;
    pz_buf_release(&l->joined);
}

static uint32_t unit_at(const struct lines *l, size_t i)
{
    if (l->encoding == LINES_UTF16LE)
        return (uint32_t)l->raw[i] | (uint32_t)l->raw[i + 1] << 8;
    return (uint32_t)l->raw[i] << 8 | (uint32_t)l->raw[i + 1];
}

/*
 * Converts as much of the UTF-16 input in raw as fits into block. A unit
 * that needs the next one (a high surrogate at the end of raw) waits for more
 * input, unless the input has ended (AT_EOF), when it becomes U+FFFD.
 */
static void decode_utf16(struct lines *l, int at_eof)
{
    size_t i = 0, o = 0;

    while (i + 2 <= l->raw_len && o + 4 <= LINES_BLOCK) {
        uint32_t u = unit_at(l, i);
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 4 > l->raw_len) {
                if (!at_eof)
                    break;
                u = 0xFFFD;
                i += 2;
            } else {
                uint32_t lo = unit_at(l, i + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    i += 4;
                } else {
                    u = 0xFFFD;
                    i += 2;
                }
            }
        } else {
            if (u >= 0xDC00 && u <= 0xDFFF)
                u = 0xFFFD;
            i += 2;
        }
        o += charset_put_utf8(l->block + o, u);
    }
    if (at_eof && i + 2 > l->raw_len && i < l->raw_len && o + 4 <= LINES_BLOCK) {
        o += charset_put_utf8(l->block + o, 0xFFFD); /* an odd byte at the end */
        i = l->raw_len;
    }
    memmove(l->raw, l->raw + i, l->raw_len - i);
    l->raw_len -= i;
    l->pos = 0;
    l->end = o;
}

static int refill_utf16(struct lines *l)
{
    for (;;) {
        if (!l->eof && l->raw_len < LINES_BLOCK) {
            size_t n = fread(l->raw + l->raw_len, 1, LINES_BLOCK - l->raw_len, l->f);
            if (n == 0) {
                if (ferror(l->f))
                    return PZ_EIO;
                l->eof = 1;
            }
            l->raw_len += n;
            l->offset += (long long)n;
        }
        decode_utf16(l, l->eof);
        if (l->end > 0)
            return 1;
        if (l->eof)
            return 0;
    }
}

/* Reads the first block and settles the encoding from its byte order mark. */
static int start(struct lines *l)
{
    size_t n = fread(l->block, 1, LINES_BLOCK, l->f);
    const unsigned char *b = (const unsigned char *)l->block;

    l->started = 1;
    if (n == 0) {
        if (ferror(l->f))
            return PZ_EIO;
        l->eof = 1;
        return 0;
    }
    l->offset += (long long)n;
    l->pos = 0;
    l->end = n;
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        l->pos = 3;
        l->had_bom = 1;
    } else if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
        l->encoding = b[0] == 0xFF ? LINES_UTF16LE : LINES_UTF16BE;
        l->had_bom = 1;
        l->raw = xmalloc(LINES_BLOCK);
        l->raw_len = n - 2;
        memcpy(l->raw, l->block + 2, n - 2);
        l->pos = l->end = 0;
        return refill_utf16(l);
    }
    return 1;
}

/* Makes unread bytes available: returns 1, 0 at the end, or PZ_EIO. */
static int refill(struct lines *l)
{
    size_t n;

    if (!l->started)
        return start(l);
    if (l->encoding != LINES_BYTES)
        return refill_utf16(l); /* converted text may remain after the input ended */
    if (l->eof)
        return 0;
    n = fread(l->block, 1, LINES_BLOCK, l->f);
    if (n == 0) {
        if (ferror(l->f))
            return PZ_EIO;
        l->eof = 1;
        return 0;
    }
    l->offset += (long long)n;
    l->pos = 0;
    l->end = n;
    return 1;
}

/* Appends to the joined line what still fits under the maximum. */
static void join(struct lines *l, const char *p, size_t n)
{
    size_t room = l->max - l->joined.len;

    if (n > room) {
        n = room;
        l->truncated = 1;
    }
    if (n > 0)
        pz_buf_add(&l->joined, p, n);
}

int lines_next(struct lines *l, const char **line, size_t *len)
{
    int joined = 0;

    pz_buf_reset(&l->joined);
    l->truncated = 0;
    for (;;) {
        size_t i;

        if (l->pos == l->end) {
            int r = refill(l);
            if (r < 0) {
                l->error = 1;
                return r;
            }
            if (r == 0) {
                if (!joined)
                    return 0;
                l->lineno++;
                *line = pz_buf_str(&l->joined);
                *len = l->joined.len;
                return 1;
            }
            continue;
        }
        if (l->skip_lf) {
            /* The last block ended with CR: an LF starting this one belongs to it. */
            l->skip_lf = 0;
            if (l->block[l->pos] == '\n') {
                l->pos++;
                continue;
            }
        }
        {
            /* memchr runs many bytes at a time; a CR alone ends a line too (old Macs). */
            const char *nl = memchr(l->block + l->pos, '\n', l->end - l->pos);
            const char *cr;
            i = nl ? (size_t)(nl - l->block) : l->end;
            cr = memchr(l->block + l->pos, '\r', i - l->pos);
            if (cr)
                i = (size_t)(cr - l->block);
        }
        if (i == l->end) {
            join(l, l->block + l->pos, i - l->pos);
            joined = 1;
            l->pos = l->end;
            continue;
        }
        {
            const char *seg = l->block + l->pos;
            size_t n = i - l->pos;

            l->pos = i + 1;
            if (l->block[i] == '\r') {
                if (l->pos < l->end) {
                    if (l->block[l->pos] == '\n')
                        l->pos++;
                } else {
                    l->skip_lf = 1;
                }
            }
            l->lineno++;
            if (!joined) {
                if (n > l->max) {
                    n = l->max;
                    l->truncated = 1;
                }
                *line = seg;
                *len = n;
                return 1;
            }
            join(l, seg, n);
            *line = pz_buf_str(&l->joined);
            *len = l->joined.len;
            return 1;
        }
    }
}
