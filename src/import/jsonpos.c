/*
 * The line scanner of JSON values. See jsonpos.h. One pass, an explicit
 * stack of open containers (no recursion), each remembering whether the
 * path matches down to it and, for objects, the key just read.
 */
#include "import/jsonpos.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
