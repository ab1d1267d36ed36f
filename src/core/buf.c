/*
 * Bounded buffers. See buf.h.
 */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/banned.h"

void pz_buf_init(struct pz_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

static int grow(struct pz_buf *b, size_t extra)
{
    size_t need, cap;

    if (extra > b->max || b->len > b->max - extra)
        return PZ_ETOOBIG;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int pz_buf_add(struct pz_buf *b, const void *p, size_t n)
{
    if (grow(b, n) < 0)
        return PZ_ETOOBIG;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int pz_buf_addstr(struct pz_buf *b, const char *s)
{
    return pz_buf_add(b, s, strlen(s));
}

int pz_buf_addch(struct pz_buf *b, char c)
{
    return pz_buf_add(b, &c, 1);
}

int pz_buf_vprintf(struct pz_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return PZ_EINVAL;
    if (grow(b, (size_t)n) < 0)
        return PZ_ETOOBIG;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int pz_buf_printf(struct pz_buf *b, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = pz_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

const char *pz_buf_str(const struct pz_buf *b)
{
    return b->data ? b->data : "";
}

void pz_buf_reset(struct pz_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *pz_buf_detach(struct pz_buf *b, size_t *len)
{
    char *p = b->data ? b->data : xstrdup("");
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void pz_buf_release(struct pz_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
