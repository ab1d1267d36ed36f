/*
 * Unit tests of the API routes table and its matcher (src/api/routes.c) and
 * of the error-code table (src/api/errors.c): the table is sorted and
 * complete, every route is found by its own path, parameters are captured
 * into the match, and a known path with the wrong method is told apart from
 * an unknown path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/log.h"

/* Writes ROUTE's path with every "{name}" replaced by VALUE into OUT. */
static void fill_params(const char *pattern, const char *value, char *out, size_t outsz)
{
    size_t o = 0;

    while (*pattern && o + 1 < outsz) {
        if (*pattern == '{') {
            const char *end = strchr(pattern, '}');
            assert_non_null(end);
            for (const char *v = value; *v && o + 1 < outsz; v++)
                out[o++] = *v;
            pattern = end + 1;
        } else {
            out[o++] = *pattern++;
        }
    }
    out[o] = '\0';
}

static int count_params(const char *pattern)
{
    int n = 0;
    for (; *pattern; pattern++)
        n += *pattern == '{';
    return n;
}

static void test_table_sorted(void **state)
{
    (void)state;

    assert_true(pz_n_routes > 0);
    for (size_t i = 1; i < pz_n_routes; i++) {
        const struct pz_route *a = &pz_routes[i - 1], *b = &pz_routes[i];
        int c = strcmp(a->path, b->path);
        if (c > 0 || (c == 0 && strcmp(a->method, b->method) >= 0))
            fail_msg("routes %zu and %zu out of order: %s %s, %s %s", i - 1, i, a->method, a->path,
                     b->method, b->path);
    }
}

static void test_table_rows(void **state)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    (void)state;

    for (size_t i = 0; i < pz_n_routes; i++) {
        const struct pz_route *r = &pz_routes[i];
        int known = 0;
        assert_non_null(r->handler);
        assert_non_null(r->path);
        assert_int_equal(r->path[0], '/');
        for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++)
            known |= strcmp(r->method, methods[k]) == 0;
        if (!known)
            fail_msg("route %s %s: unknown method", r->method, r->path);
        assert_true(count_params(r->path) <= PZ_MAX_PARAMS);
        assert_true(r->min_role >= ROLE_NONE && r->min_role <= ROLE_OWNER);
        /* Reads take no body; whatever takes a body changes state. */
        if (strcmp(r->method, "GET") == 0) {
            assert_int_equal(r->body_limit, 0);
            if (r->flags & PZ_ROUTE_CHANGES_STATE)
                fail_msg("GET %s marked as changing state", r->path);
        } else if (!(r->flags & PZ_ROUTE_CHANGES_STATE)) {
            fail_msg("%s %s does not say it changes state", r->method, r->path);
        }
        /* SELF only makes sense on a state-changing route. */
        if ((r->flags & PZ_ROUTE_SELF) && !(r->flags & PZ_ROUTE_CHANGES_STATE))
            fail_msg("%s %s: SELF without CHANGES_STATE", r->method, r->path);
        /* A body is held in memory, so it is small; an upload streams to files instead. */
        if (r->flags & PZ_ROUTE_UPLOAD) {
            if (strcmp(r->method, "POST") != 0 || !(r->flags & PZ_ROUTE_CHANGES_STATE))
                fail_msg("%s %s: an upload is a state-changing POST", r->method, r->path);
            assert_true(r->body_limit <= PZ_BODY_UPLOAD);
        } else if (r->body_limit > 0) {
            assert_true(r->body_limit <= 1024 * 1024);
        }
    }
}

static void test_every_route_found(void **state)
{
    (void)state;

    for (size_t i = 0; i < pz_n_routes; i++) {
        const struct pz_route *r = &pz_routes[i];
        struct pz_route_match m;
        char path[256];
        int n = count_params(r->path);

        fill_params(r->path, "42", path, sizeof(path));
        if (pz_route_find(r->method, path, &m) != 0)
            fail_msg("%s %s not found", r->method, path);
        assert_ptr_equal(m.route, r);
        assert_int_equal(m.path_known, 1);
        assert_int_equal(m.n_params, n);
        for (int k = 0; k < n; k++) {
            assert_string_equal(m.params[k], "42");
            /* Values live in the match itself, not in memory that is gone. */
            assert_true(m.params[k] >= m.buf && m.params[k] < m.buf + sizeof(m.buf));
        }
    }
}

static void test_head_finds_get(void **state)
{
    struct pz_route_match m;
    (void)state;

    for (size_t i = 0; i < pz_n_routes; i++) {
        const struct pz_route *r = &pz_routes[i];
        char path[256];
        if (strcmp(r->method, "GET") != 0)
            continue;
        fill_params(r->path, "7", path, sizeof(path));
        assert_int_equal(pz_route_find("HEAD", path, &m), 0);
        assert_ptr_equal(m.route, r);
    }
    /* HEAD where only POST exists is a wrong method, not a match. */
    assert_int_equal(pz_route_find("HEAD", "/api/v1/me/password", &m), PZ_ENOTFOUND);
    assert_null(m.route);
    assert_int_equal(m.path_known, 1);
}

static void test_params(void **state)
{
    struct pz_route_match m;
    (void)state;

    assert_int_equal(pz_route_find("DELETE", "/api/v1/tokens/12345", &m), 0);
    assert_string_equal(m.route->path, "/api/v1/tokens/{id}");
    assert_int_equal(m.n_params, 1);
    assert_string_equal(m.params[0], "12345");

    /* Any non-empty segment is captured; the handler judges it. */
    assert_int_equal(pz_route_find("PATCH", "/api/v1/users/abc%20def", &m), 0);
    assert_string_equal(m.params[0], "abc%20def");

    /* A long segment fits or is refused, never overflows. */
    {
        char path[700];
        memcpy(path, "/api/v1/users/", 14);
        memset(path + 14, '9', 600);
        path[614] = '\0';
        if (pz_route_find("PATCH", path, &m) == 0) {
            assert_int_equal(strlen(m.params[0]), 600);
        } else {
            assert_null(m.route);
        }
    }
    /* The match is usable after another lookup into a different struct. */
    {
        struct pz_route_match m2;
        assert_int_equal(pz_route_find("DELETE", "/api/v1/tokens/1", &m), 0);
        assert_int_equal(pz_route_find("DELETE", "/api/v1/tokens/2", &m2), 0);
        assert_string_equal(m.params[0], "1");
        assert_string_equal(m2.params[0], "2");
    }
}

static void test_not_found(void **state)
{
    static const char *const unknown[] = {
        "/",
        "",
        "/api",
        "/api/",
        "/api/v1",
        "/api/v1/",
        "/api/v2/me",
        "/api/v1/nope",
        "/api/v1/mee",
        "/api/v1/m",
        "/API/V1/ME",
        "/healthz/",
        "/healthzz",
        "//api/v1/me",
        "/api//v1/me",
        "/api/v1/me/",
        "/api/v1/me?x=1",
        "/api/v1/tokens/",    /* empty parameter */
        "/api/v1/tokens//",   /* empty parameter and segment */
        "/api/v1/tokens/42/", /* trailing slash */
        "/api/v1/tokens/42/x",
        "/api/v1/tokens/4/2",
        "/api/v1/users/42/",
        "/api/v1/users//42",
    };
    struct pz_route_match m;
    (void)state;

    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "HEAD"};
        for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++) {
            int r = pz_route_find(methods[k], unknown[i], &m);
            if (r != PZ_ENOTFOUND || m.route || m.path_known)
                fail_msg("%s '%s': r=%d path_known=%d", methods[k], unknown[i], r, m.path_known);
        }
    }
}

static void test_wrong_method(void **state)
{
    static const struct {
        const char *method, *path, *allow;
    } cases[] = {
        {"DELETE", "/api/v1/users", "GET, POST"},
        {"PUT", "/api/v1/me", "GET, PATCH"},
        {"GET", "/api/v1/session", "DELETE, POST"},
        {"GET", "/api/v1/tokens/42", "DELETE"},
        {"POST", "/api/v1/healthz", NULL}, /* not a route at all */
        {"POST", "/healthz", "GET"},
        {"GET", "/api/v1/me/password", "POST"},
        {"get", "/api/v1/me", "GET, PATCH"}, /* methods are case-sensitive */
        {"", "/api/v1/me", "GET, PATCH"},
    };
    struct pz_route_match m;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(pz_route_find(cases[i].method, cases[i].path, &m), PZ_ENOTFOUND);
        assert_null(m.route);
        if (!cases[i].allow) {
            assert_int_equal(m.path_known, 0);
            continue;
        }
        if (!m.path_known)
            fail_msg("%s %s: path not known", cases[i].method, cases[i].path);
        if (strcmp(m.allow, cases[i].allow) != 0)
            fail_msg("%s %s: Allow '%s', want '%s'", cases[i].method, cases[i].path, m.allow,
                     cases[i].allow);
    }
}

static void test_error_status(void **state)
{
    static const struct {
        const char *code;
        int status;
    } cases[] = {
        {"auth.required", 401},       {"auth.bad_credentials", 401},
        {"auth.forbidden", 403},      {"auth.rate_limited", 429},
        {"csrf.missing", 403},        {"http.bad_host", 421},
        {"http.body_too_large", 413}, {"http.method_not_allowed", 405},
        {"http.not_found", 404},      {"not_found", 404},
        {"request.bad_json", 400},    {"request.invalid", 422},
        {"password.too_short", 422},  {"password.too_common", 422},
        {"password.too_long", 422},   {"password.same_as_email", 422},
        {"user.exists", 409},         {"workspace.slug_taken", 409},
        {"setup.done", 409},          {"internal", 500},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int s = pz_error_status(cases[i].code);
        if (s != cases[i].status)
            fail_msg("%s: %d, want %d", cases[i].code, s, cases[i].status);
        /* Every listed code has its own message. */
        assert_string_not_equal(pz_error_message(cases[i].code), "error");
        assert_true(strlen(pz_error_message(cases[i].code)) > 3);
    }
    /* An unknown code is an internal error. */
    assert_int_equal(pz_error_status("no.such_code"), 500);
    assert_int_equal(pz_error_status(""), 500);
    assert_string_equal(pz_error_message("no.such_code"), "error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted),
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_every_route_found),
        cmocka_unit_test(test_head_finds_get),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_wrong_method),
        cmocka_unit_test(test_error_status),
    };

    pz_log_set_level(PZ_LOG_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
