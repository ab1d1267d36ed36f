/*
 * Bounded growable buffers (after curl's dynbuf). A buffer grows on demand up
 * to the maximum given at init and refuses to grow past it, so anything filled
 * from the network or a file has a ceiling. The data is always NUL-terminated,
 * so it can be read as a string when it holds text.
 */
#ifndef PZ_BUF_H
#define PZ_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct pz_buf {
    char *data; /* NULL until the first append; then NUL-terminated */
    size_t len;
    size_t cap;
    size_t max; /* the most bytes it may hold */
};

/* Prepares an empty buffer that will hold at most MAX bytes. */
void pz_buf_init(struct pz_buf *b, size_t max);

/* Appends N bytes; returns 0, or PZ_ETOOBIG leaving the buffer unchanged. */
int pz_buf_add(struct pz_buf *b, const void *p, size_t n);
int pz_buf_addstr(struct pz_buf *b, const char *s);
int pz_buf_addch(struct pz_buf *b, char c);
int pz_buf_printf(struct pz_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pz_buf_vprintf(struct pz_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Returns the contents as a string ("" when empty); borrowed. */
const char *pz_buf_str(const struct pz_buf *b);

/* Empties the buffer, keeping its memory. */
void pz_buf_reset(struct pz_buf *b);

/* Hands the memory to the caller (to free) and empties the buffer. */
char *pz_buf_detach(struct pz_buf *b, size_t *len);

/* Frees the memory. */
void pz_buf_release(struct pz_buf *b);

#endif
