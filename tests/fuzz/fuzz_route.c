/*
 * libFuzzer target for the route matcher (pz_route_find). The input is split
 * into a method and a path at its first space ("GET /api/v1/me"); an input
 * without a space picks a method by its first byte and uses the rest as the
 * path. Both are copied into exactly-sized heap buffers, so any read past the
 * terminator is caught by AddressSanitizer.
 *
 * Invariants checked on every input:
 *  - found: the route's method is the method asked for (GET for HEAD); its
 *    pattern with the captured parameters put back is the path, byte for
 *    byte; parameters are non-empty, terminated inside the match, free of '/';
 *  - not found: PZ_ENOTFOUND and no route; path_known exactly when some row
 *    matches the path with another method, which Allow then lists.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_route: check failed at line %d: %s\n", __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static char *copy(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Returns 1 when NUL-terminated S lies wholly inside [BASE, BASE + SIZE). */
static int terminated_inside(const char *s, const char *base, size_t size)
{
    if (s < base || s >= base + size)
        return 0;
    return memchr(s, '\0', (size_t)(base + size - s)) != NULL;
}

/* Rebuilds a path from PATTERN and the match's parameters; returns 0 if it does not fit. */
static int rebuild(const char *pattern, const struct pz_route_match *m, char *out, size_t outsz)
{
    size_t o = 0;
    int k = 0;

    while (*pattern) {
        if (*pattern == '{') {
            const char *end = strchr(pattern, '}');
            size_t n;
            if (!end || k >= m->n_params)
                return 0;
            n = strlen(m->params[k]);
            if (o + n >= outsz)
                return 0;
            memcpy(out + o, m->params[k++], n);
            o += n;
            pattern = end + 1;
            continue;
        }
        if (o + 1 >= outsz)
            return 0;
        out[o++] = *pattern++;
    }
    out[o] = '\0';
    return k == m->n_params;
}

static int method_in_allow(const char *allow, const char *method)
{
    size_t n = strlen(method);
    const char *p = allow;

    if (n == 0)
        return 0;
    while ((p = strstr(p, method)) != NULL) {
        int starts = p == allow || p[-1] == ' ';
        int ends = p[n] == '\0' || p[n] == ',';
        if (starts && ends)
            return 1;
        p += n;
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pz_log_set_level(PZ_LOG_OFF);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET",    "HEAD", "POST",   "PATCH",
                                          "DELETE", "PUT",  "OPTIONS"};
    const uint8_t *space = memchr(data, ' ', size);
    struct pz_route_match m;
    char *method, *path;
    int r;

    if (space) {
        method = copy(data, (size_t)(space - data));
        path = copy(space + 1, size - (size_t)(space - data) - 1);
    } else if (size > 0) {
        method = copy((const uint8_t *)methods[data[0] % 7], strlen(methods[data[0] % 7]));
        path = copy(data + 1, size - 1);
    } else {
        method = copy(data, 0);
        path = copy(data, 0);
    }

    memset(&m, 0xA5, sizeof(m)); /* the matcher must not rely on a zeroed match */
    r = pz_route_find(method, path, &m);
    CHECK(terminated_inside(m.allow, m.allow, sizeof(m.allow)));
    if (r == 0) {
        const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
        char rebuilt[1024];
        int n_braces = 0;

        CHECK(m.route != NULL);
        CHECK(m.route >= pz_routes && m.route < pz_routes + pz_n_routes);
        CHECK(m.path_known == 1);
        CHECK(strcmp(m.route->method, want) == 0);
        for (const char *p = m.route->path; *p; p++)
            n_braces += *p == '{';
        CHECK(m.n_params == n_braces);
        CHECK(m.n_params >= 0 && m.n_params <= PZ_MAX_PARAMS);
        for (int k = 0; k < m.n_params; k++) {
            CHECK(terminated_inside(m.params[k], m.buf, sizeof(m.buf)));
            CHECK(m.params[k][0] != '\0');
            CHECK(strchr(m.params[k], '/') == NULL);
        }
        CHECK(rebuild(m.route->path, &m, rebuilt, sizeof(rebuilt)));
        CHECK(strcmp(rebuilt, path) == 0);
    } else {
        int other_method_matches = 0;

        CHECK(r == PZ_ENOTFOUND);
        CHECK(m.route == NULL);
        CHECK(m.path_known == 0 || m.path_known == 1);
        /* Ask again with each method of the table: path_known must agree. */
        for (size_t i = 0; i < pz_n_routes; i++) {
            struct pz_route_match m2;
            if (pz_route_find(pz_routes[i].method, path, &m2) == 0)
                other_method_matches = 1;
        }
        CHECK(m.path_known == other_method_matches);
        if (m.path_known) {
            const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
            CHECK(m.allow[0] != '\0');
            CHECK(!method_in_allow(m.allow, want));
        } else {
            CHECK(m.allow[0] == '\0');
        }
    }
    free(method);
    free(path);
    return 0;
}
