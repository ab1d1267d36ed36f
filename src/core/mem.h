/*
 * Memory: allocation wrappers that never return NULL (an allocation failure
 * ends the process with a message: piazza has no sensible way to continue),
 * and arenas, which hand out memory that is all released at once. Every
 * request gets an arena; what a handler allocates there dies with the request.
 */
#ifndef PZ_MEM_H
#define PZ_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns a copy of S, the caller's to free. */
char *xstrdup(const char *s);
/* Returns a copy of the first N bytes of S plus a terminator, the caller's to free. */
char *xstrndup(const char *s, size_t n);

struct pz_arena_block;

struct pz_arena {
    struct pz_arena_block *head;
    unsigned char *first; /* optional memory the owner provides, used before any block */
    size_t first_size, first_used;
};

#define PZ_ARENA_INIT                                                                              \
    {                                                                                              \
        NULL, NULL, 0, 0                                                                           \
    }

/*
 * Prepares an arena that hands out MEM (SIZE bytes, owned by the caller and
 * 16-byte aligned) before it allocates anything: a request that needs little
 * never calls malloc. A zeroed struct pz_arena is an arena without it.
 */
void pz_arena_init_with(struct pz_arena *a, void *mem, size_t size);

/* Returns N bytes aligned for any type, owned by the arena. */
void *pz_arena_alloc(struct pz_arena *a, size_t n);
/* Returns a copy of S (NULL stays NULL), owned by the arena. */
char *pz_arena_strdup(struct pz_arena *a, const char *s);
char *pz_arena_strndup(struct pz_arena *a, const char *s, size_t n);
/* Returns a formatted string owned by the arena. */
char *pz_arena_printf(struct pz_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Frees everything the arena handed out; the arena can be used again. */
void pz_arena_release(struct pz_arena *a);

#endif
