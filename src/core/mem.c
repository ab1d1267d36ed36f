/*
 * Allocation wrappers and arenas. See mem.h. An arena is a list of blocks;
 * small requests are carved from the newest block, large ones get a block of
 * their own, so a request that allocates little touches malloc once or twice.
 */
#include "core/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define ARENA_BLOCK 4096
#define ARENA_ALIGN 16

struct pz_arena_block {
    struct pz_arena_block *next;
    size_t used, cap;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

static void die_oom(size_t n)
{
    fprintf(stderr, "piazza: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_oom(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die_oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void pz_arena_init_with(struct pz_arena *a, void *mem, size_t size)
{
    a->head = NULL;
    a->first = mem;
    a->first_size = size;
    a->first_used = 0;
}

void *pz_arena_alloc(struct pz_arena *a, size_t n)
{
    struct pz_arena_block *b = a->head;
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

    if (need < n)
        die_oom(n);
    if (a->first && a->first_size - a->first_used >= need) {
        a->first_used += need;
        return a->first + a->first_used - need;
    }
    if (!b || b->cap - b->used < need) {
        size_t cap = need > ARENA_BLOCK / 2 ? need : ARENA_BLOCK;
        b = xmalloc(sizeof(*b) + cap);
        b->used = 0;
        b->cap = cap;
        if (a->head && need > ARENA_BLOCK / 2) {
            /* Keep the current block in front: it may still have room. */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    b->used += need;
    return b->data + b->used - need;
}

char *pz_arena_strdup(struct pz_arena *a, const char *s)
{
    return s ? pz_arena_strndup(a, s, strlen(s)) : NULL;
}

char *pz_arena_strndup(struct pz_arena *a, const char *s, size_t n)
{
    char *p = pz_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *pz_arena_printf(struct pz_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    p = pz_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void pz_arena_release(struct pz_arena *a)
{
    struct pz_arena_block *b = a->head;
    while (b) {
        struct pz_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->first_used = 0;
}
