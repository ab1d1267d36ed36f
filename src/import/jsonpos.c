/*
 * The line scanner of JSON values. See jsonpos.h. One pass, an explicit
 * stack of open containers (no recursion), each remembering whether the
 * path matches down to it and, for objects, the key just read.
 */
#include "import/jsonpos.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/banned.h"

#define DEPTH_MAX 64
#define KEY_MAX   64

struct level {
    size_t span; /* the span this container is, SIZE_MAX when none */
    int is_object;
    int matched;  /* the path matches down to this container */
    int want_key; /* in an object: the next string is a key */
    char key[KEY_MAX];
};

/* Skips a string starting at S[*I] == '"'; copies up to KEY_MAX-1 bytes of it into KEY. */
static int skip_string(const char *s, size_t len, size_t *i, char *key, long *line)
{
    size_t k = 0;

    (*i)++;
    while (*i < len && s[*i] != '"') {
        if (s[*i] == '\\')
            (*i)++;
        else if (s[*i] == '\n')
            (*line)++;
        if (key && k + 1 < KEY_MAX && *i < len)
            key[k++] = s[*i];
        (*i)++;
    }
    if (key)
        key[k] = '\0';
    if (*i >= len)
        return -1;
    (*i)++;
    return 0;
}

struct jsonpos_span *jsonpos_spans(const char *s, size_t len, const char *const *path,
                                   size_t n_path, size_t *n, int *complete)
{
    struct level st[DEPTH_MAX];
    size_t depth = 0, i = 0, cap = 0;
    long line = 1;
    struct jsonpos_span *out = NULL;
    int done = 0;

    *n = 0;
    while (i < len && s[i] != '[' && s[i] != '{') {
        if (s[i] == '\n')
            line++;
        i++;
    }
    while (i < len) {
        char c = s[i];
        int matched, record = 0;
        if (c == '\n') {
            line++;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ':') {
            if (c == ',' && depth > 0 && st[depth - 1].is_object)
                st[depth - 1].want_key = 1;
            i++;
            continue;
        }
        if (c == '}' || c == ']') {
            if (depth == 0)
                break;
            depth--;
            i++;
            if (out && st[depth].span != SIZE_MAX)
                out[st[depth].span].end = i;
            if (depth == 0) {
                done = 1;
                break;
            }
            continue;
        }
        if (c == '"' && depth > 0 && st[depth - 1].is_object && st[depth - 1].want_key) {
            if (skip_string(s, len, &i, st[depth - 1].key, &line) < 0)
                break;
            st[depth - 1].want_key = 0;
            continue;
        }
        /* A value starts here: does its path match? */
        if (depth == 0) {
            matched = 1;
        } else {
            const struct level *p = &st[depth - 1];
            matched = p->matched && depth <= n_path &&
                      (p->is_object ? strcmp(path[depth - 1], p->key) == 0
                                    : strcmp(path[depth - 1], "*") == 0);
            record = matched && depth == n_path;
        }
        if (record) {
            if (*n == cap) {
                cap = cap ? 2 * cap : 64;
                out = xrealloc(out, cap * sizeof(*out));
            }
            out[*n].start = i;
            out[*n].end = i;
            out[*n].line = line;
            (*n)++;
        }
        if (c == '{' || c == '[') {
            if (depth == DEPTH_MAX)
                break;
            st[depth].is_object = c == '{';
            st[depth].matched = matched && depth < n_path;
            st[depth].want_key = c == '{';
            st[depth].key[0] = '\0';
            st[depth].span = record ? *n - 1 : SIZE_MAX;
            depth++;
            i++;
            continue;
        }
        if (c == '"') {
            if (skip_string(s, len, &i, NULL, &line) < 0)
                break;
        } else {
            while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != '\n' &&
                   s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
                i++;
        }
        if (record)
            out[*n - 1].end = i;
        if (depth == 0)
            break;
    }
    if (complete)
        *complete = done;
    return out;
}

long *jsonpos_lines(const char *s, size_t len, const char *const *path, size_t n_path, size_t *n)
{
    struct jsonpos_span *sp = jsonpos_spans(s, len, path, n_path, n, NULL);
    long *out = *n ? xmalloc(*n * sizeof(*out)) : NULL;

    for (size_t i = 0; i < *n; i++)
        out[i] = sp[i].line;
    free(sp);
    return out;
}

int jsonpos_read_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    *out = NULL;
    *len = 0;
    if (!f)
        return PZ_EIO;
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            if (cap > max) {
                fclose(f);
                free(buf);
                return PZ_ETOOBIG;
            }
            cap = cap ? 2 * cap : 65536 * 2;
            buf = xrealloc(buf, cap + 1);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > max) {
            fclose(f);
            free(buf);
            return PZ_ETOOBIG;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return PZ_EIO;
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int jsonpos_map(const char *path, struct jsonpos_doc *doc)
{
    struct stat st;
    int fd = open(path, O_RDONLY), e;
    void *map;

    memset(doc, 0, sizeof(*doc));
    if (fd < 0)
        return PZ_EIO;
    if (fstat(fd, &st) != 0) {
        e = errno;
        close(fd);
        errno = e;
        return PZ_EIO;
    }
    if (st.st_size == 0) {
        close(fd);
        doc->s = "";
        return 0;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    e = errno;
    close(fd);
    if (map == MAP_FAILED) {
        errno = e;
        return PZ_EIO;
    }
    doc->s = map;
    doc->len = (size_t)st.st_size;
    doc->mapped = 1;
    return 0;
}

void jsonpos_unmap(struct jsonpos_doc *doc)
{
    if (doc->mapped)
        munmap((void *)doc->s, doc->len);
    memset(doc, 0, sizeof(*doc));
}

void jsonpos_drop(const struct jsonpos_doc *doc, size_t from, size_t to)
{
    static size_t page;
    size_t a, b;

    if (!doc->mapped || to <= from)
        return;
    if (!page)
        page = (size_t)sysconf(_SC_PAGESIZE);
    if (to > doc->len)
        to = doc->len;
    /* The mapping starts on a page: offsets round as addresses do. */
    a = (from + page - 1) / page * page;
    b = to / page * page;
    if (b > a)
        (void)madvise((char *)doc->s + a, b - a, MADV_DONTNEED);
}

static int fail(struct jsonpos_error *err, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct jsonpos_error *err, long line, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        err->line = line;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return -1;
}

static void skip_space(const char *s, size_t len, size_t *i, long *line)
{
    while (*i < len && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r' || s[*i] == '\n')) {
        if (s[*i] == '\n')
            (*line)++;
        (*i)++;
    }
}

#define CUT_SHORT "not valid JSON: the file ends before its data does (cut short?)"

#define NEST_MAX   2048       /* jansson's own limit */
#define DROP_EVERY (4u << 20) /* bytes of a mapped file walked before its pages are let go */

/* Skips the value at S[*I] (nested containers and strings as a whole; jansson checks what is in
 * it later). Returns 0, -1 when there is no value there or the text ends inside it, -2 when a
 * bracket closes what it did not open (*BAD the closer expected, S[*I] the one found). */
static int skip_value(const struct jsonpos_doc *doc, size_t *i, long *line, char *bad)
{
    const char *s = doc->s;
    size_t len = doc->len, depth = 0, dropped = *i;
    char open[NEST_MAX];

    if (*i >= len)
        return -1;
    if (s[*i] != '{' && s[*i] != '[' && s[*i] != '"') {
        size_t at = *i;
        while (*i < len && s[*i] != ',' && s[*i] != '}' && s[*i] != ']' && s[*i] != ':' &&
               s[*i] != '\n' && s[*i] != ' ' && s[*i] != '\t' && s[*i] != '\r' && s[*i] != '"' &&
               s[*i] != '{' && s[*i] != '[')
            (*i)++;
        return *i > at ? 0 : -1;
    }
    do {
        char c = s[*i];
        if (c == '"') {
            if (skip_string(s, len, i, NULL, line) < 0)
                return -1;
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth == NEST_MAX)
                return -1;
            open[depth++] = c == '{' ? '}' : ']';
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return -1; /* (not reached: the loop ends at depth 0) */
            if (open[--depth] != c) {
                *bad = open[depth];
                return -2;
            }
        } else if (c == '\n') {
            (*line)++;
            if (*i - dropped > DROP_EVERY) { /* a large value: read once, let go */
                jsonpos_drop(doc, dropped, *i);
                dropped = *i;
            }
        }
        (*i)++;
    } while (depth > 0 && *i < len);
    return depth == 0 ? 0 : -1;
}

int jsonpos_iter_begin(struct jsonpos_iter *it, const struct jsonpos_doc *doc, size_t open,
                       long line, struct jsonpos_error *err)
{
    memset(it, 0, sizeof(*it));
    it->doc = doc;
    it->line = line;
    if (open >= doc->len || (doc->s[open] != '{' && doc->s[open] != '['))
        return fail(err, line, "not valid JSON: expected '{' or '['");
    it->closer = doc->s[open] == '{' ? '}' : ']';
    it->at = open + 1;
    return 0;
}

int jsonpos_iter_next(struct jsonpos_iter *it, struct jsonpos_span *sp, struct jsonpos_error *err)
{
    const char *s = it->doc->s;
    size_t len = it->doc->len;

    if (it->state == 2)
        return 0;
    skip_space(s, len, &it->at, &it->line);
    if (it->at >= len)
        return fail(err, it->line, CUT_SHORT);
    if (s[it->at] == it->closer) {
        if (it->state == 0 || it->state == 1) {
            it->at++;
            it->state = 2;
            return 0;
        }
    }
    if (it->state == 1) {
        if (s[it->at] != ',')
            return fail(err, it->line, "not valid JSON: expected ',' or '%c'", it->closer);
        it->at++;
        skip_space(s, len, &it->at, &it->line);
        if (it->at >= len)
            return fail(err, it->line, CUT_SHORT);
    } else if (it->state == 3) {
        it->state = 1; /* resumed at an element: no separator before it */
    }
    if (it->closer == '}') {
        size_t k0 = it->at;
        long l0 = it->line;
        json_t *key;
        if (s[it->at] != '"')
            return fail(err, it->line, "not valid JSON: expected a member name in quotes");
        if (skip_string(s, len, &it->at, NULL, &it->line) < 0)
            return fail(err, l0, CUT_SHORT);
        key = json_loadb(s + k0, it->at - k0, JSON_DECODE_ANY, NULL);
        if (!json_is_string(key)) {
            json_decref(key);
            return fail(err, l0, "not valid JSON: a member name that is not a string");
        }
        snprintf(it->key, sizeof(it->key), "%s", json_string_value(key));
        json_decref(key);
        skip_space(s, len, &it->at, &it->line);
        if (it->at >= len || s[it->at] != ':')
            return fail(err, it->line, "not valid JSON: expected ':' after \"%.40s\"", it->key);
        it->at++;
        skip_space(s, len, &it->at, &it->line);
    }
    sp->start = it->at;
    sp->line = it->line;
    {
        char want = 0;
        int r = skip_value(it->doc, &it->at, &it->line, &want);
        if (r == -2)
            return fail(err, it->line, "not valid JSON: '%c' expected near '%c'", want, s[it->at]);
        if (r < 0)
            return fail(err, it->at >= len ? it->line : sp->line,
                        it->at >= len ? CUT_SHORT : "not valid JSON: expected a value");
    }
    sp->end = it->at;
    it->state = 1;
    return 1;
}

int jsonpos_array_scan(const struct jsonpos_doc *doc, size_t open, long line,
                       struct jsonpos_array *a, jsonpos_each each, void *arg,
                       struct jsonpos_error *err)
{
    struct jsonpos_iter it;
    struct jsonpos_span sp;
    size_t cap = 0, dropped = open;
    int rc;

    memset(a, 0, sizeof(*a));
    a->open = open;
    a->line = line;
    if (open >= doc->len || doc->s[open] != '[')
        return fail(err, line, "expected a list ('[')");
    if (jsonpos_iter_begin(&it, doc, open, line, err) < 0)
        return -1;
    while ((rc = jsonpos_iter_next(&it, &sp, err)) == 1) {
        if (a->n % JSONPOS_CHUNK == 0) {
            if (a->n_marks == cap) {
                cap = cap ? 2 * cap : 16;
                a->marks = xrealloc(a->marks, cap * sizeof(*a->marks));
            }
            a->marks[a->n_marks++] = sp;
            if (sp.start - dropped > DROP_EVERY) {
                jsonpos_drop(doc, dropped, sp.start);
                dropped = sp.start;
            }
        }
        if (a->n == 0)
            a->first = sp;
        a->last = sp;
        if (each && (rc = each(&sp, a->n, arg)) != 0)
            return rc;
        a->n++;
    }
    if (rc < 0)
        return -1;
    a->end = it.at;
    jsonpos_drop(doc, dropped, a->end);
    return 0;
}

int jsonpos_array_walk(const struct jsonpos_doc *doc, const struct jsonpos_array *a, int reverse,
                       jsonpos_each each, void *arg, struct jsonpos_error *err)
{
    struct jsonpos_span *chunk = xmalloc(JSONPOS_CHUNK * sizeof(*chunk));
    int rc = 0;

    for (size_t c = 0; rc == 0 && c < a->n_marks; c++) {
        size_t m = reverse ? a->n_marks - 1 - c : c, n = 0;
        struct jsonpos_iter it;
        size_t base = m * JSONPOS_CHUNK;
        memset(&it, 0, sizeof(it));
        it.doc = doc;
        it.closer = ']';
        it.at = a->marks[m].start;
        it.line = a->marks[m].line;
        it.state = 3;
        while (n < JSONPOS_CHUNK && base + n < a->n &&
               (rc = jsonpos_iter_next(&it, &chunk[n], err)) == 1)
            n++;
        if (rc < 0)
            break;
        rc = 0;
        for (size_t k = 0; rc == 0 && k < n; k++) {
            size_t at = reverse ? n - 1 - k : k;
            rc = each(&chunk[at], base + at, arg);
        }
        if (n > 0)
            jsonpos_drop(doc, chunk[0].start, chunk[n - 1].end);
    }
    free(chunk);
    return rc;
}

void jsonpos_array_free(struct jsonpos_array *a)
{
    free(a->marks);
    memset(a, 0, sizeof(*a));
}

json_t *jsonpos_parse(const struct jsonpos_doc *doc, const struct jsonpos_span *sp, size_t flags,
                      struct jsonpos_error *err)
{
    json_error_t jerr;
    json_t *v = json_loadb(doc->s + sp->start, sp->end - sp->start, flags | JSON_DECODE_ANY, &jerr);

    if (!v)
        fail(err, sp->line + (jerr.line > 1 ? jerr.line - 1 : 0), "not valid JSON: %s", jerr.text);
    return v;
}
