/*
 * Unit tests of src/core: bounded buffers, arenas, the JSON writer and the
 * request-body readers, and the text helpers (UTF-8, base64url, hex, strict
 * integers, e-mail and slug normalization, FNV-1a). Every expectation is a
 * known value worked out by hand or from the relevant RFC, never the output
 * of the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"

/* --- pz_buf ---------------------------------------------------------------- */

static void test_buf_empty(void **state)
{
    struct pz_buf b;
    (void)state;

    pz_buf_init(&b, 16);
    assert_string_equal(pz_buf_str(&b), "");
    assert_int_equal(b.len, 0);
    pz_buf_release(&b);
    assert_null(b.data);
}

static void test_buf_bounded(void **state)
{
    struct pz_buf b;
    (void)state;

    pz_buf_init(&b, 10);
    assert_int_equal(pz_buf_addstr(&b, "hello"), 0);
    /* 5 + 6 > 10: refused, and what was there stays intact. */
    assert_int_equal(pz_buf_addstr(&b, "world!"), PZ_ETOOBIG);
    assert_string_equal(pz_buf_str(&b), "hello");
    assert_int_equal(b.len, 5);
    /* Exactly to the maximum is fine. */
    assert_int_equal(pz_buf_add(&b, "world", 5), 0);
    assert_string_equal(pz_buf_str(&b), "helloworld");
    assert_int_equal(b.len, 10);
    assert_int_equal(pz_buf_addch(&b, 'x'), PZ_ETOOBIG);
    assert_int_equal(pz_buf_printf(&b, "%d", 1), PZ_ETOOBIG);
    assert_int_equal(pz_buf_add(&b, "", 0), 0);
    assert_string_equal(pz_buf_str(&b), "helloworld");
    assert_int_equal(b.len, 10);
    assert_true(b.cap <= 11);
    pz_buf_release(&b);
}

static void test_buf_huge_add_refused(void **state)
{
    struct pz_buf b;
    (void)state;

    pz_buf_init(&b, 100);
    assert_int_equal(pz_buf_addstr(&b, "abc"), 0);
    /* A length near SIZE_MAX must not wrap around the bound check. */
    assert_int_equal(pz_buf_add(&b, "x", SIZE_MAX - 1), PZ_ETOOBIG);
    assert_int_equal(pz_buf_add(&b, "x", SIZE_MAX), PZ_ETOOBIG);
    assert_string_equal(pz_buf_str(&b), "abc");
    pz_buf_release(&b);
}

static void test_buf_zero_max(void **state)
{
    struct pz_buf b;
    (void)state;

    pz_buf_init(&b, 0);
    assert_int_equal(pz_buf_add(&b, "", 0), 0);
    assert_string_equal(pz_buf_str(&b), "");
    assert_int_equal(pz_buf_addch(&b, 'a'), PZ_ETOOBIG);
    assert_string_equal(pz_buf_str(&b), "");
    pz_buf_release(&b);
}

static void test_buf_growth(void **state)
{
    struct pz_buf b;
    char chunk[100];
    (void)state;

    pz_buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++) {
        memset(chunk, 'a' + i % 26, sizeof(chunk));
        assert_int_equal(pz_buf_add(&b, chunk, sizeof(chunk)), 0);
    }
    assert_int_equal(b.len, 100000);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(strlen(pz_buf_str(&b)), 100000);
    for (int i = 0; i < 1000; i++)
        for (int k = 0; k < 100; k++)
            assert_int_equal(b.data[i * 100 + k], 'a' + i % 26);
    pz_buf_release(&b);
}

static void test_buf_printf(void **state)
{
    struct pz_buf b;
    char big[300];
    (void)state;

    pz_buf_init(&b, 64);
    assert_int_equal(pz_buf_printf(&b, "%s-%d", "x", 42), 0);
    assert_int_equal(pz_buf_printf(&b, "/%05.1f/%c", 3.25, 'z'), 0);
    assert_string_equal(pz_buf_str(&b), "x-42/003.2/z");
    assert_int_equal(b.len, strlen("x-42/003.2/z"));
    /* Too long for what is left: refused whole, nothing half-written. */
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(pz_buf_printf(&b, "%s", big), PZ_ETOOBIG);
    assert_string_equal(pz_buf_str(&b), "x-42/003.2/z");
    /* Filling exactly up to the maximum works. */
    assert_int_equal(pz_buf_printf(&b, "%.*s", (int)(64 - b.len), big), 0);
    assert_int_equal(b.len, 64);
    assert_int_equal(strlen(pz_buf_str(&b)), 64);
    pz_buf_release(&b);
}

static void test_buf_reset_detach(void **state)
{
    struct pz_buf b;
    size_t len = 99;
    char *p;
    (void)state;

    pz_buf_init(&b, 32);
    assert_int_equal(pz_buf_addstr(&b, "abc"), 0);
    pz_buf_reset(&b);
    assert_string_equal(pz_buf_str(&b), "");
    assert_int_equal(b.len, 0);
    assert_int_equal(pz_buf_addstr(&b, "de"), 0);
    p = pz_buf_detach(&b, &len);
    assert_string_equal(p, "de");
    assert_int_equal(len, 2);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(pz_buf_str(&b), "");
    free(p);

    /* Detaching an empty buffer still hands back a string to free. */
    p = pz_buf_detach(&b, &len);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);
    /* The buffer keeps its maximum after a detach. */
    assert_int_equal(pz_buf_addstr(&b, "0123456789012345678901234567890123"), PZ_ETOOBIG);
    pz_buf_release(&b);
}

/* --- arenas ---------------------------------------------------------------- */

static void test_arena_many(void **state)
{
    struct pz_arena a = PZ_ARENA_INIT;
    enum { N = 3000 };
    unsigned char **ptrs = calloc(N, sizeof(*ptrs));
    size_t *sizes = calloc(N, sizeof(*sizes));
    (void)state;

    assert_non_null(ptrs);
    assert_non_null(sizes);
    for (int i = 0; i < N; i++) {
        /* Mostly small, some larger than half a block, one very large. */
        sizes[i] = (size_t)(i % 7 == 0 ? 3000 + i : 1 + (i * 37) % 200);
        if (i == N / 2)
            sizes[i] = 100000;
        ptrs[i] = pz_arena_alloc(&a, sizes[i]);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % _Alignof(max_align_t), 0);
        memset(ptrs[i], i & 0xFF, sizes[i]);
    }
    /* Nothing overlapped: every block still holds its own pattern. */
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < sizes[i]; k++)
            if (ptrs[i][k] != (unsigned char)(i & 0xFF))
                fail_msg("allocation %d byte %zu was overwritten", i, k);
    pz_arena_release(&a);
    assert_null(a.head);
    /* Usable again after a release. */
    assert_non_null(pz_arena_alloc(&a, 10));
    pz_arena_release(&a);
    free(ptrs);
    free(sizes);
}

static void test_arena_zero_and_alignment(void **state)
{
    struct pz_arena a = PZ_ARENA_INIT;
    (void)state;

    for (int i = 0; i < 50; i++) {
        void *p = pz_arena_alloc(&a, (size_t)i % 3);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    {
        double *d = pz_arena_alloc(&a, sizeof(double) * 4);
        long double *ld = pz_arena_alloc(&a, sizeof(long double));
        d[3] = 1.5;
        *ld = 2.5L;
        assert_true(d[3] == 1.5);
        assert_true(*ld == 2.5L);
    }
    pz_arena_release(&a);
}

static void test_arena_strings(void **state)
{
    struct pz_arena a = PZ_ARENA_INIT;
    char src[] = "caffè";
    char *s, *t, *u, *long_s;
    char big[6000];
    (void)state;

    s = pz_arena_strdup(&a, src);
    assert_string_equal(s, "caffè");
    assert_ptr_not_equal(s, src);
    src[0] = 'C';
    assert_string_equal(s, "caffè"); /* a copy, not an alias */
    assert_null(pz_arena_strdup(&a, NULL));
    t = pz_arena_strndup(&a, "abcdef", 3);
    assert_string_equal(t, "abc");
    u = pz_arena_printf(&a, "%s=%d;%05.2f", "n", -7, 1.5);
    assert_string_equal(u, "n=-7;01.50");
    assert_string_equal(pz_arena_printf(&a, "%s", ""), "");
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    long_s = pz_arena_printf(&a, "<%s>", big);
    assert_int_equal(strlen(long_s), sizeof(big) + 1);
    assert_int_equal(long_s[0], '<');
    assert_int_equal(long_s[sizeof(big)], '>');
    /* Earlier strings survive later big allocations. */
    assert_string_equal(s, "caffè");
    assert_string_equal(t, "abc");
    assert_string_equal(u, "n=-7;01.50");
    pz_arena_release(&a);
}

static void test_xstrndup(void **state)
{
    char *p;
    (void)state;

    p = xstrndup("hello", 4);
    assert_string_equal(p, "hell");
    free(p);
    p = xstrdup("");
    assert_string_equal(p, "");
    free(p);
}

/* --- the JSON writer --------------------------------------------------------- */

/* Parses TEXT with jansson (which must accept it) and checks it equals EXPECTED. */
static void assert_json_equals(const char *text, const char *expected)
{
    json_error_t e1, e2;
    json_t *got = json_loads(text, JSON_ALLOW_NUL, &e1);
    json_t *want = json_loads(expected, JSON_ALLOW_NUL, &e2);

    if (!got)
        fail_msg("writer output is not JSON (%s): %s", e1.text, text);
    if (!want)
        fail_msg("bad expectation (%s): %s", e2.text, expected);
    if (!json_equal(got, want))
        fail_msg("got %s, want %s", text, expected);
    json_decref(got);
    json_decref(want);
}

static void test_json_nesting(void **state)
{
    struct pz_buf b;
    struct pz_json j;
    const char *want = "{\"id\":7,\"name\":\"Ada\",\"tags\":[\"a\",\"b\",[],{}],"
                       "\"ok\":true,\"no\":false,\"nothing\":null,"
                       "\"inner\":{\"x\":-1,\"y\":[1,2,3]},\"maybe\":null,\"ms\":12,"
                       "\"s\":null,\"big\":-9223372036854775808}";
    (void)state;

    pz_buf_init(&b, 4096);
    pz_json_init(&j, &b);
    pz_json_begin_object(&j);
    pz_json_kint(&j, "id", 7);
    pz_json_kstr(&j, "name", "Ada");
    pz_json_key(&j, "tags");
    pz_json_begin_array(&j);
    pz_json_str(&j, "a");
    pz_json_str(&j, "b");
    pz_json_begin_array(&j);
    pz_json_end_array(&j);
    pz_json_begin_object(&j);
    pz_json_end_object(&j);
    pz_json_end_array(&j);
    pz_json_kbool(&j, "ok", 1);
    pz_json_kbool(&j, "no", 0);
    pz_json_knull(&j, "nothing");
    pz_json_key(&j, "inner");
    pz_json_begin_object(&j);
    pz_json_kint(&j, "x", -1);
    pz_json_key(&j, "y");
    pz_json_begin_array(&j);
    pz_json_int(&j, 1);
    pz_json_int(&j, 2);
    pz_json_int(&j, 3);
    pz_json_end_array(&j);
    pz_json_end_object(&j);
    pz_json_kint_or_null(&j, "maybe", -1);
    pz_json_kint_or_null(&j, "ms", 12);
    pz_json_kstr(&j, "s", NULL);
    pz_json_kint(&j, "big", INT64_MIN);
    pz_json_end_object(&j);
    assert_int_equal(pz_json_error(&j), 0);
    /* Compact output, byte for byte, and equal as JSON. */
    assert_string_equal(pz_buf_str(&b), want);
    assert_json_equals(pz_buf_str(&b), want);
    pz_buf_release(&b);
}

static void test_json_top_level_array(void **state)
{
    struct pz_buf b;
    struct pz_json j;
    (void)state;

    pz_buf_init(&b, 256);
    pz_json_init(&j, &b);
    pz_json_begin_array(&j);
    for (int i = 0; i < 3; i++) {
        pz_json_begin_object(&j);
        pz_json_kint(&j, "i", i);
        pz_json_end_object(&j);
    }
    pz_json_null(&j);
    pz_json_end_array(&j);
    assert_int_equal(pz_json_error(&j), 0);
    assert_string_equal(pz_buf_str(&b), "[{\"i\":0},{\"i\":1},{\"i\":2},null]");
    pz_buf_release(&b);
}

/* Stored JSON written again through the writer: same text, nested containers in order. */
static void test_json_value(void **state)
{
    static const char text[] = "{\"a\":[1,{\"b\":null,\"c\":[]},\"x\\u00e8\"],\"d\":{},\"e\":true,"
                               "\"f\":false,\"g\":-7}";
    json_t *v = json_loads(text, JSON_PRESERVE_ORDER, NULL);
    struct pz_buf b;
    struct pz_json j;
    (void)state;

    assert_non_null(v);
    pz_buf_init(&b, 1024);
    pz_json_init(&j, &b);
    pz_json_begin_object(&j);
    pz_json_key(&j, "stored");
    pz_json_value(&j, v);
    pz_json_key(&j, "none");
    pz_json_value(&j, NULL);
    pz_json_end_object(&j);
    assert_int_equal(pz_json_error(&j), 0);
    assert_string_equal(pz_buf_str(&b), "{\"stored\":{\"a\":[1,{\"b\":null,\"c\":[]},\"x\u00e8\"],"
                                        "\"d\":{},\"e\":true,\"f\":false,\"g\":-7},\"none\":null}");
    json_decref(v);
    pz_buf_release(&b);
}

/* Writes S as one string value and returns the writer's output (to free). */
static char *write_one(const char *s, size_t n)
{
    struct pz_buf b;
    struct pz_json j;

    pz_buf_init(&b, 1 << 16);
    pz_json_init(&j, &b);
    pz_json_strn(&j, s, n);
    assert_int_equal(pz_json_error(&j), 0);
    return pz_buf_detach(&b, NULL);
}

static void test_json_escaping(void **state)
{
    static const char in[] = "q\"b\\s/\n\r\t\b\f\x01\x1f\x7f end";
    char *out;
    json_t *back;
    json_error_t e;
    (void)state;

    out = write_one(in, sizeof(in) - 1);
    assert_string_equal(out, "\"q\\\"b\\\\s/\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\x7f end\"");
    back = json_loads(out, JSON_DECODE_ANY, &e);
    assert_non_null(back);
    assert_true(json_is_string(back));
    assert_int_equal(json_string_length(back), sizeof(in) - 1);
    assert_memory_equal(json_string_value(back), in, sizeof(in) - 1);
    json_decref(back);
    free(out);

    /* An embedded NUL is escaped, not a terminator. */
    out = write_one("a\0b", 3);
    assert_string_equal(out, "\"a\\u0000b\"");
    free(out);

    /* Keys are escaped too. */
    {
        struct pz_buf b;
        struct pz_json j;
        pz_buf_init(&b, 256);
        pz_json_init(&j, &b);
        pz_json_begin_object(&j);
        pz_json_kstr(&j, "k\"\\\n", "v");
        pz_json_end_object(&j);
        assert_int_equal(pz_json_error(&j), 0);
        assert_string_equal(pz_buf_str(&b), "{\"k\\\"\\\\\\n\":\"v\"}");
        assert_json_equals(pz_buf_str(&b), "{\"k\\\"\\\\\\n\": \"v\"}");
        pz_buf_release(&b);
    }
}

static void test_json_utf8(void **state)
{
    char *out;
    (void)state;

    /* Valid UTF-8 of every length passes through untouched. */
    out = write_one("caffè € 𝄞 ü", strlen("caffè € 𝄞 ü"));
    assert_string_equal(out, "\"caffè € 𝄞 ü\"");
    free(out);

    /* Each byte that is not part of a well-formed sequence becomes U+FFFD. */
    out = write_one("a\xff"
                    "b",
                    3);
    assert_string_equal(out, "\"a\xEF\xBF\xBD"
                             "b\"");
    free(out);
    out = write_one("\xC3", 1); /* truncated two-byte sequence */
    assert_string_equal(out, "\"\xEF\xBF\xBD\"");
    free(out);
    out = write_one("\xC0\x80", 2); /* overlong NUL */
    assert_string_equal(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    free(out);
    out = write_one("\xED\xA0\x80", 3); /* a surrogate */
    assert_string_equal(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    free(out);
    out = write_one("\xF4\x90\x80\x80", 4); /* past U+10FFFF */
    assert_string_equal(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    free(out);
    out = write_one("x\xE2\x82", 3); /* truncated euro sign at the end */
    assert_string_equal(out, "\"x\xEF\xBF\xBD\xEF\xBF\xBD\"");
    free(out);

    /* Whatever came in, jansson reads the output back. */
    {
        json_error_t e;
        json_t *v;
        out = write_one("\x80\xBF\xFE\xC3(\xE0\x80\xAF\"\\", 10);
        v = json_loads(out, JSON_DECODE_ANY, &e);
        assert_non_null(v);
        json_decref(v);
        free(out);
    }
}

static void test_json_full_buffer(void **state)
{
    struct pz_buf b;
    struct pz_json j;
    (void)state;

    pz_buf_init(&b, 16);
    pz_json_init(&j, &b);
    pz_json_begin_object(&j);
    pz_json_kstr(&j, "name", "a string much longer than sixteen bytes");
    pz_json_end_object(&j);
    assert_int_equal(pz_json_error(&j), PZ_ETOOBIG);
    assert_true(b.len <= 16);
    pz_buf_release(&b);
}

static void test_json_structure_errors(void **state)
{
    struct pz_buf b;
    struct pz_json j;
    (void)state;

    /* An object left open. */
    pz_buf_init(&b, 1024);
    pz_json_init(&j, &b);
    pz_json_begin_object(&j);
    assert_int_equal(pz_json_error(&j), PZ_EINVAL);
    pz_buf_release(&b);

    /* Closing what was never opened. */
    pz_buf_init(&b, 1024);
    pz_json_init(&j, &b);
    pz_json_end_array(&j);
    assert_int_equal(pz_json_error(&j), PZ_EINVAL);
    pz_buf_release(&b);

    /* Exactly the maximum depth is fine; one more is an error. */
    pz_buf_init(&b, 1024);
    pz_json_init(&j, &b);
    for (int i = 0; i < PZ_JSON_MAX_DEPTH; i++)
        pz_json_begin_array(&j);
    for (int i = 0; i < PZ_JSON_MAX_DEPTH; i++)
        pz_json_end_array(&j);
    assert_int_equal(pz_json_error(&j), 0);
    assert_int_equal(b.len, 2 * PZ_JSON_MAX_DEPTH);
    pz_buf_release(&b);

    pz_buf_init(&b, 1024);
    pz_json_init(&j, &b);
    for (int i = 0; i < PZ_JSON_MAX_DEPTH + 1; i++)
        pz_json_begin_array(&j);
    for (int i = 0; i < PZ_JSON_MAX_DEPTH + 1; i++)
        pz_json_end_array(&j);
    assert_int_not_equal(pz_json_error(&j), 0);
    pz_buf_release(&b);
}

/* --- reading request bodies -------------------------------------------------- */

static json_t *parse_ok(const char *text)
{
    struct pz_err err = {0};
    json_t *o = pz_json_parse_object(text, strlen(text), &err);
    if (!o)
        fail_msg("'%s' refused: %s", text, err.message);
    return o;
}

static void assert_bad_json(const char *data, size_t len)
{
    struct pz_err err = {0};
    json_t *o = pz_json_parse_object(data, len, &err);
    if (o) {
        json_decref(o);
        fail_msg("accepted '%.*s'", (int)len, data ? data : "");
    }
    assert_non_null(err.code);
    assert_string_equal(err.code, "request.bad_json");
    assert_null(err.field);
    assert_true(err.message[0] != '\0');
}

static void test_json_parse_object(void **state)
{
    json_t *o;
    (void)state;

    o = parse_ok("{\"email\": \"a@b.it\", \"n\": 1}");
    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), 2);
    json_decref(o);
    o = parse_ok(" {} ");
    assert_int_equal(json_object_size(o), 0);
    json_decref(o);

    assert_bad_json(NULL, 0);
    assert_bad_json("", 0);
    assert_bad_json("   ", 3);
    assert_bad_json("[]", 2);
    assert_bad_json("\"str\"", 5);
    assert_bad_json("42", 2);
    assert_bad_json("null", 4);
    assert_bad_json("{", 1);
    assert_bad_json("{\"a\":1,}", 8);
    assert_bad_json("{\"a\":1} {}", 10);
    assert_bad_json("{\"a\":1,\"a\":2}", 13); /* duplicate keys are ambiguous */
    assert_bad_json("{\"a\":\"\xff\"}", 9);   /* not UTF-8 */
    /* LEN is honoured: the text past it is not read. */
    assert_bad_json("{\"a\":1}", 6);
    {
        struct pz_err err = {0};
        o = pz_json_parse_object("{\"a\":1}xxxx", 7, &err);
        assert_non_null(o);
        json_decref(o);
    }
}

static void test_json_get_str(void **state)
{
    struct pz_err err;
    const char *s = "sentinel";
    json_t *o = parse_ok("{\"name\": \"Ada\", \"nul\": null, \"num\": 5, \"arr\": [],"
                         " \"t\": true, \"ten\": \"0123456789\", \"empty\": \"\"}");
    (void)state;

    memset(&err, 0, sizeof(err));
    assert_int_equal(pz_json_get_str(o, "name", 0, 100, &s, &err), 0);
    assert_string_equal(s, "Ada");
    assert_null(err.code);

    /* Absent or null: fine when optional (NULL out), an error when required. */
    s = "sentinel";
    assert_int_equal(pz_json_get_str(o, "missing", 1, 100, &s, &err), 0);
    assert_null(s);
    s = "sentinel";
    assert_int_equal(pz_json_get_str(o, "nul", 1, 100, &s, &err), 0);
    assert_null(s);
    assert_null(err.code);

    memset(&err, 0, sizeof(err));
    assert_int_equal(pz_json_get_str(o, "missing", 0, 100, &s, &err), PZ_EINVAL);
    assert_null(s);
    assert_string_equal(err.code, "request.invalid");
    assert_string_equal(err.field, "missing");
    assert_non_null(strstr(err.message, "missing"));

    memset(&err, 0, sizeof(err));
    assert_int_equal(pz_json_get_str(o, "nul", 0, 100, &s, &err), PZ_EINVAL);
    assert_string_equal(err.code, "request.invalid");
    assert_string_equal(err.field, "nul");

    /* Wrong types are errors even when optional. */
    static const char *const wrong[] = {"num", "arr", "t"};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        for (int optional = 0; optional <= 1; optional++) {
            memset(&err, 0, sizeof(err));
            s = "sentinel";
            assert_int_equal(pz_json_get_str(o, wrong[i], optional, 100, &s, &err), PZ_EINVAL);
            assert_null(s);
            assert_string_equal(err.code, "request.invalid");
            assert_string_equal(err.field, wrong[i]);
        }
    }

    /* MAX_LEN is in bytes, inclusive. */
    memset(&err, 0, sizeof(err));
    assert_int_equal(pz_json_get_str(o, "ten", 0, 10, &s, &err), 0);
    assert_string_equal(s, "0123456789");
    assert_int_equal(pz_json_get_str(o, "ten", 0, 9, &s, &err), PZ_EINVAL);
    assert_null(s);
    assert_string_equal(err.code, "request.invalid");
    assert_string_equal(err.field, "ten");
    assert_int_equal(pz_json_get_str(o, "empty", 0, 0, &s, &err), 0);
    assert_string_equal(s, "");

    /* A NULL err is allowed. */
    assert_int_equal(pz_json_get_str(o, "num", 0, 10, &s, NULL), PZ_EINVAL);
    json_decref(o);
}

static void test_json_get_str_embedded_nul(void **state)
{
    struct pz_err err = {0};
    const char *s = "sentinel";
    json_t *o = json_object();
    (void)state;

    /* jansson refuses \u0000 when parsing, but an object may hold one. */
    json_object_set_new(o, "pw", json_stringn("ab\0cd", 5));
    assert_int_equal(pz_json_get_str(o, "pw", 0, 100, &s, &err), PZ_EINVAL);
    assert_null(s);
    assert_string_equal(err.code, "request.invalid");
    assert_string_equal(err.field, "pw");
    json_decref(o);

    /* And so a body carrying \u0000 is refused one way or the other. */
    {
        static const char body[] = "{\"pw\": \"ab\\u0000cd\"}";
        struct pz_err e2 = {0};
        json_t *p = pz_json_parse_object(body, sizeof(body) - 1, &e2);
        if (p) {
            assert_int_equal(pz_json_get_str(p, "pw", 0, 100, &s, &e2), PZ_EINVAL);
            json_decref(p);
        } else {
            assert_string_equal(e2.code, "request.bad_json");
        }
    }
}

static void test_json_get_bool(void **state)
{
    struct pz_err err = {0};
    int present = 7, v = 7;
    json_t *o = parse_ok("{\"yes\": true, \"no\": false, \"nul\": null, \"s\": \"true\","
                         " \"n\": 1}");
    (void)state;

    assert_int_equal(pz_json_get_bool(o, "yes", &present, &v, &err), 0);
    assert_int_equal(present, 1);
    assert_int_equal(v, 1);
    assert_int_equal(pz_json_get_bool(o, "no", &present, &v, &err), 0);
    assert_int_equal(present, 1);
    assert_int_equal(v, 0);
    present = v = 7;
    assert_int_equal(pz_json_get_bool(o, "missing", &present, &v, &err), 0);
    assert_int_equal(present, 0);
    assert_int_equal(v, 0);
    present = v = 7;
    assert_int_equal(pz_json_get_bool(o, "nul", &present, &v, &err), 0);
    assert_int_equal(present, 0);
    assert_null(err.code);

    assert_int_equal(pz_json_get_bool(o, "s", &present, &v, &err), PZ_EINVAL);
    assert_int_equal(present, 0);
    assert_string_equal(err.code, "request.invalid");
    assert_string_equal(err.field, "s");
    memset(&err, 0, sizeof(err));
    assert_int_equal(pz_json_get_bool(o, "n", &present, &v, &err), PZ_EINVAL);
    assert_string_equal(err.field, "n");
    json_decref(o);
}

/* --- UTF-8 ------------------------------------------------------------------- */

static void test_utf8_char_len(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        size_t want;
    } cases[] = {
        {"A", 1, 1},
        {"\x7f", 1, 1},
        {"\0", 1, 1}, /* NUL is one well-formed byte; pz_utf8_valid refuses it */
        {"\xC2\x80", 2, 2},
        {"\xDF\xBF", 2, 2},
        {"\xC3\xA8", 2, 2},
        {"\xC3\xA8", 1, 0}, /* N limits what is read */
        {"\xC0\x80", 2, 0}, /* overlong */
        {"\xC1\xBF", 2, 0}, /* overlong */
        {"\xC3(", 2, 0},    /* bad continuation */
        {"\x80", 1, 0},     /* lone continuation */
        {"\xBF", 1, 0},
        {"\xE0\xA0\x80", 3, 3},
        {"\xE0\x9F\xBF", 3, 0}, /* overlong */
        {"\xE2\x82\xAC", 3, 3}, /* euro sign */
        {"\xE2\x82\xAC", 2, 0},
        {"\xED\x9F\xBF", 3, 3}, /* U+D7FF, last before the surrogates */
        {"\xED\xA0\x80", 3, 0}, /* U+D800 */
        {"\xED\xBF\xBF", 3, 0}, /* U+DFFF */
        {"\xEE\x80\x80", 3, 3}, /* U+E000 */
        {"\xEF\xBF\xBF", 3, 3},
        {"\xE2\x28\xA1", 3, 0},
        {"\xF0\x90\x80\x80", 4, 4}, /* U+10000 */
        {"\xF0\x8F\xBF\xBF", 4, 0}, /* overlong */
        {"\xF0\x9D\x84\x9E", 4, 4}, /* G clef */
        {"\xF0\x9D\x84\x9E", 3, 0},
        {"\xF4\x8F\xBF\xBF", 4, 4}, /* U+10FFFF */
        {"\xF4\x90\x80\x80", 4, 0}, /* U+110000 */
        {"\xF5\x80\x80\x80", 4, 0},
        {"\xF8\x88\x80\x80\x80", 5, 0},
        {"\xFF", 1, 0},
        {"\xFE", 1, 0},
        {"A", 0, 0},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t got = pz_utf8_char_len(cases[i].s, cases[i].n);
        if (got != cases[i].want)
            fail_msg("case %zu: got %zu, want %zu", i, got, cases[i].want);
    }
}

static void test_utf8_valid(void **state)
{
    (void)state;

    assert_true(pz_utf8_valid("", 0));
    assert_true(pz_utf8_valid("plain", 5));
    assert_true(pz_utf8_valid("caffè società €𝄞", strlen("caffè società €𝄞")));
    assert_false(pz_utf8_valid("a\0b", 3));
    assert_false(pz_utf8_valid("caff\xE8", 5)); /* Latin-1 è */
    assert_false(pz_utf8_valid("\xC0\xAF", 2));
    assert_false(pz_utf8_valid("\xED\xA0\x80", 3));
    assert_false(pz_utf8_valid("ok\xE2\x82", 4));
    /* Only N bytes are looked at. */
    assert_true(pz_utf8_valid("ok\xff", 2));
    /* Past the sixteen- and eight-byte steps of the ASCII fast path, at every offset. */
    for (size_t at = 0; at < 38; at++) {
        char b[40];
        memset(b, 'a', sizeof(b));
        b[at] = '\0';
        assert_false(pz_utf8_valid(b, sizeof(b)));
        assert_int_equal(pz_ascii_span(b, sizeof(b)), at);
        b[at] = (char)0xE8;
        assert_false(pz_utf8_valid(b, sizeof(b)));
        assert_int_equal(pz_ascii_span(b, sizeof(b)), at);
        memcpy(b + at, "\xC3\xA8", 2);
        assert_true(pz_utf8_valid(b, sizeof(b)));
    }
    assert_int_equal(pz_ascii_span("", 0), 0);
    assert_int_equal(pz_ascii_span("abcdefghijk", 11), 11);
    assert_int_equal(pz_ascii_span("abcdefghijk\x7F", 12), 12);

    assert_int_equal(pz_utf8_count(""), 0);
    assert_int_equal(pz_utf8_count("abc"), 3);
    assert_int_equal(pz_utf8_count("caffè"), 5);
    assert_int_equal(pz_utf8_count("€𝄞"), 2);
}

/* --- base64url and hex ----------------------------------------------------- */

static void test_b64url(void **state)
{
    /* RFC 4648 section 10, without padding. */
    static const struct {
        const char *in, *want;
    } vectors[] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    char out[64];
    (void)state;

    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        size_t n = strlen(vectors[i].in);
        int r = pz_b64url_encode((const unsigned char *)vectors[i].in, n, out, sizeof(out));
        assert_int_equal(r, (int)strlen(vectors[i].want));
        assert_string_equal(out, vectors[i].want);
        /* The documented size is enough, and one less is refused. */
        size_t need = (n * 4 + 2) / 3 + 1;
        memset(out, '#', sizeof(out));
        assert_int_equal(pz_b64url_encode((const unsigned char *)vectors[i].in, n, out, need),
                         (int)strlen(vectors[i].want));
        assert_string_equal(out, vectors[i].want);
        assert_int_equal(pz_b64url_encode((const unsigned char *)vectors[i].in, n, out, need - 1),
                         PZ_ETOOBIG);
    }
    /* The URL alphabet: '-' and '_' where standard base64 has '+' and '/'. */
    {
        static const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
        assert_int_equal(pz_b64url_encode(bytes, 3, out, sizeof(out)), 4);
        assert_string_equal(out, "-_-_");
        assert_int_equal(pz_b64url_encode(bytes, 2, out, sizeof(out)), 3);
        assert_string_equal(out, "-_8");
    }
    {
        unsigned char zeros[32] = {0};
        assert_int_equal(pz_b64url_encode(zeros, 32, out, sizeof(out)), 43);
        assert_string_equal(out, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    }
}

static void test_hex(void **state)
{
    static const unsigned char in[] = {0x00, 0x01, 0xab, 0x7f, 0xff};
    char out[16];
    (void)state;

    assert_int_equal(pz_hex_encode(in, 5, out, sizeof(out)), 10);
    assert_string_equal(out, "0001ab7fff");
    assert_int_equal(pz_hex_encode(in, 5, out, 11), 10);
    assert_string_equal(out, "0001ab7fff");
    assert_int_equal(pz_hex_encode(in, 5, out, 10), PZ_ETOOBIG);
    assert_int_equal(pz_hex_encode(in, 0, out, 1), 0);
    assert_string_equal(out, "");
}

/* --- integers ------------------------------------------------------------------ */

static void test_parse_int64(void **state)
{
    static const char *const bad[] = {
        "",
        "+1",
        " 1",
        "1 ",
        "1x",
        "x1",
        "-",
        "--1",
        "+-1",
        "-+1",
        "0x10",
        "1e3",
        "1.0",
        "\t1",
        "\n1",
        "1\n",
        "١",
        "1,000",
        "- 1",
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999",
    };
    int64_t v;
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = 12345;
        if (pz_parse_int64(bad[i], INT64_MIN, INT64_MAX, &v) != PZ_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
        assert_int_equal(v, 12345); /* untouched on failure */
    }
    v = 12345;
    assert_int_equal(pz_parse_int64(NULL, 0, 10, &v), PZ_EINVAL);
    assert_int_equal(v, 12345);

    assert_int_equal(pz_parse_int64("0", INT64_MIN, INT64_MAX, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(pz_parse_int64("42", 1, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(pz_parse_int64("-17", -20, 20, &v), 0);
    assert_int_equal(v, -17);
    assert_int_equal(pz_parse_int64("007", 0, 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(pz_parse_int64("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(pz_parse_int64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MIN);

    /* Bounds are inclusive. */
    assert_int_equal(pz_parse_int64("1", 1, 200, &v), 0);
    assert_int_equal(pz_parse_int64("200", 1, 200, &v), 0);
    assert_int_equal(pz_parse_int64("0", 1, 200, &v), PZ_EINVAL);
    assert_int_equal(pz_parse_int64("201", 1, 200, &v), PZ_EINVAL);
    assert_int_equal(pz_parse_int64("-1", 0, 200, &v), PZ_EINVAL);
}

/* --- e-mail ------------------------------------------------------------------------ */

static void test_email_accept(void **state)
{
    static const struct {
        const char *in, *want;
    } ok[] = {
        {"a@b.it", "a@b.it"},
        {"Mario.Rossi@Example.IT", "mario.rossi@example.it"},
        {"  mario@example.com\t", "mario@example.com"},
        {"x@y.z", "x@y.z"},
        {"first+tag@mail.example.co.uk", "first+tag@mail.example.co.uk"},
        {"o'neil@example.ie", "o'neil@example.ie"},
        {"posta@pec.azienda.it", "posta@pec.azienda.it"},
        {"ÀNNA@café.it", "Ànna@café.it"}, /* ASCII is lower-cased, the rest kept */
    };
    char out[256];
    (void)state;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int r = pz_email_normalize(ok[i].in, out, sizeof(out));
        if (r < 0)
            fail_msg("'%s' refused", ok[i].in);
        assert_string_equal(out, ok[i].want);
        assert_int_equal(r, (int)strlen(ok[i].want));
    }
}

static void test_email_reject(void **state)
{
    static const char *const bad[] = {
        "",
        "   ",
        "a",
        "a@b",
        "ab.it",
        "@b.it",
        "a@.it",
        "a@b.",
        "a@b.it.",
        "a@@b.it",
        "a@b@c.it",
        "a b@c.it",
        "a@b c.it",
        "<a@b.it>",
        "a@b.it,c@d.it",
        "a@b.it;c@d.it",
        "\"a\"@b.it",
        "a\x01@b.it",
        "a@b.it\x7f",
        "a\n@b.it",
        "a@b\r\n.it",
    };
    char out[256];
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (pz_email_normalize(bad[i], out, sizeof(out)) != PZ_EINVAL)
            fail_msg("'%s' accepted as '%s'", bad[i], out);
    }
}

static void test_email_domain_labels(void **state)
{
    /* A domain with an empty label is no domain: no mail can reach it. */
    static const char *const bad[] = {"a@.b.it", "a@b..it", "a@b.it..com"};
    char out[256];
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (pz_email_normalize(bad[i], out, sizeof(out)) != PZ_EINVAL)
            fail_msg("'%s' accepted as '%s'", bad[i], out);
    }
}

static void test_email_lengths(void **state)
{
    char in[300], out[300];
    size_t n;
    (void)state;

    /* 254 bytes is the most an address may have. */
    memset(in, 'a', sizeof(in));
    n = 254;
    memcpy(in + n - 7, "@ex.com", 7);
    in[n] = '\0';
    assert_int_equal(pz_email_normalize(in, out, sizeof(out)), 254);
    assert_string_equal(out, in);
    /* Surrounding spaces do not count. */
    {
        char padded[320];
        snprintf(padded, sizeof(padded), "   %s   ", in);
        assert_int_equal(pz_email_normalize(padded, out, sizeof(out)), 254);
    }
    memset(in, 'a', sizeof(in));
    n = 255;
    memcpy(in + n - 7, "@ex.com", 7);
    in[n] = '\0';
    assert_int_equal(pz_email_normalize(in, out, sizeof(out)), PZ_EINVAL);

    /* OUT too small is refused, never overrun. */
    assert_int_equal(pz_email_normalize("abc@ex.com", out, 10), PZ_EINVAL);
    assert_int_equal(pz_email_normalize("abc@ex.com", out, 11), 10);
    assert_string_equal(out, "abc@ex.com");
}

/* --- slugs ------------------------------------------------------------------------- */

static void test_slugify(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"Caffè Società Srl", "caffe-societa-srl"},
        {"Acme", "acme"},
        {"  --Hello,  World!! ", "hello-world"},
        {"ÀÉÌÒÙ àéìòù", "aeiou-aeiou"},
        {"Çà Ñoño", "ca-nono"},
        {"Pizzeria 2000 S.r.l.", "pizzeria-2000-s-r-l"},
        {"a/b\\c_d", "a-b-c-d"},
        {"Prezzo 5 €", "prezzo-5"},
        {"日本 Tea", "tea"},
        {"x × y ÷ z", "x-y-z"},
    };
    char out[128];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int r = pz_slugify(cases[i].in, out, sizeof(out));
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("'%s' -> '%s', want '%s'", cases[i].in, out, cases[i].want);
        assert_int_equal(r, (int)strlen(cases[i].want));
        assert_true(pz_slug_valid(out));
    }
    /* Nothing usable. */
    assert_int_equal(pz_slugify("", out, sizeof(out)), 0);
    assert_string_equal(out, "");
    assert_int_equal(pz_slugify("!!! ---", out, sizeof(out)), 0);
    assert_string_equal(out, "");
    assert_int_equal(pz_slugify("日本", out, sizeof(out)), 0);
    assert_int_equal(pz_slugify("ok", out, 0), PZ_ETOOBIG);
    /* A small OUT is never overrun and stays terminated. */
    memset(out, '#', sizeof(out));
    assert_true(pz_slugify("abcdefgh", out, 4) < 4);
    assert_int_equal(out[strlen(out)], '\0');
    assert_true(strlen(out) < 4);
    assert_int_equal(out[4], '#');
}

static void test_slugify_sharp_s(void **state)
{
    char out[64];
    (void)state;

    /* "ß" is not a "y"; its usual ASCII form is "ss". */
    pz_slugify("Straße", out, sizeof(out));
    if (strchr(out, 'y'))
        fail_msg("'Straße' -> '%s'", out);
    assert_true(pz_str_starts(out, "stra"));
}

static void test_slugify_long(void **state)
{
    char name[200], out[128];
    int r;
    (void)state;

    /* Long names are cut to a valid slug of at most 63 characters. */
    memset(name, 'a', 100);
    name[100] = '\0';
    r = pz_slugify(name, out, sizeof(out));
    assert_int_equal(r, 63);
    assert_true(pz_slug_valid(out));

    /* Whatever the place of the separators near the cut. */
    for (int gap = 55; gap <= 66; gap++) {
        memset(name, 'b', sizeof(name));
        name[gap] = ' ';
        name[120] = '\0';
        r = pz_slugify(name, out, sizeof(out));
        if (r > 63 || !pz_slug_valid(out))
            fail_msg("separator at %d: got %d bytes '%s'", gap, r, out);
        assert_int_equal(r, (int)strlen(out));
    }
}

static void test_slug_valid(void **state)
{
    char s[80];
    (void)state;

    assert_true(pz_slug_valid("a"));
    assert_true(pz_slug_valid("acme"));
    assert_true(pz_slug_valid("a-b"));
    assert_true(pz_slug_valid("a--b"));
    assert_true(pz_slug_valid("2000"));
    assert_false(pz_slug_valid(""));
    assert_false(pz_slug_valid("-a"));
    assert_false(pz_slug_valid("a-"));
    assert_false(pz_slug_valid("-"));
    assert_false(pz_slug_valid("Acme"));
    assert_false(pz_slug_valid("a_b"));
    assert_false(pz_slug_valid("a b"));
    assert_false(pz_slug_valid("a.b"));
    assert_false(pz_slug_valid("caffè"));
    assert_false(pz_slug_valid("a/b"));
    memset(s, 'a', 63);
    s[63] = '\0';
    assert_true(pz_slug_valid(s));
    s[63] = 'a';
    s[64] = '\0';
    assert_false(pz_slug_valid(s));
}

/* --- small string helpers and hashing ---------------------------------------------- */

static void test_str_helpers(void **state)
{
    (void)state;

    assert_true(pz_str_ieq("Host", "hOST"));
    assert_true(pz_str_ieq("", ""));
    assert_false(pz_str_ieq("abc", "abcd"));
    assert_false(pz_str_ieq("abcd", "abc"));
    assert_false(pz_str_ieq("abc", "abd"));
    assert_true(pz_str_starts("/api/v1/me", "/api/"));
    assert_true(pz_str_starts("abc", ""));
    assert_false(pz_str_starts("/ap", "/api/"));
    assert_false(pz_str_starts("/web", "/api/"));
}

static void test_fnv1a64(void **state)
{
    (void)state;

    /* The published FNV-1a 64-bit test vectors. */
    assert_true(pz_fnv1a64("", 0) == 0xcbf29ce484222325ULL);
    assert_true(pz_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(pz_fnv1a64("foobar", 6) == 0x85944171f73967e8ULL);
    /* N counts, not the terminator. */
    assert_true(pz_fnv1a64("ab", 1) == 0xaf63dc4c8601ec8cULL);
}

static void test_hash64(void **state)
{
    char buf[64], word[32];
    static unsigned short load[2048];
    uint64_t h;
    unsigned short most = 0;

    (void)state;
    /* Only N bytes count, wherever they sit in memory, and zero bytes are not padding. */
    memcpy(buf + 1, "scarpe rosse", 12);
    assert_true(pz_hash64("scarpe rosse", 12) == pz_hash64(buf + 1, 12));
    assert_true(pz_hash64("scarpe rosse!", 12) == pz_hash64("scarpe rosse", 12));
    assert_true(pz_hash64("a", 1) != pz_hash64("a\0", 2));
    assert_true(pz_hash64("", 0) != pz_hash64("\0", 1));
    assert_true(pz_hash64("12345678", 8) != pz_hash64("12345679", 8));
    /* Tables take its low bits: 20,480 similar words fall evenly in 2,048 slots (10 each on
     * average; a poor mix of the last bytes would pile them up). */
    for (int i = 0; i < 20480; i++) {
        int n = snprintf(word, sizeof(word), "parola%d", i);
        h = pz_hash64(word, (size_t)n);
        if (++load[h & 2047] > most)
            most = load[h & 2047];
    }
    assert_true(most < 30);
}

static void test_strerror(void **state)
{
    (void)state;

    assert_string_equal(pz_strerror(PZ_OK), "ok");
    assert_string_equal(pz_strerror(PZ_ENOTFOUND), "not found");
    assert_string_equal(pz_strerror(12345), "unknown error");
    {
        struct pz_err err = {0};
        assert_int_equal(pz_err_set(&err, "x.y", "f", "n=%d", 3), PZ_EINVAL);
        assert_string_equal(err.code, "x.y");
        assert_string_equal(err.field, "f");
        assert_string_equal(err.message, "n=3");
        assert_int_equal(pz_err_set(NULL, "x.y", NULL, "no err"), PZ_EINVAL);
    }
    {
        /* A long message is cut, never overrun. */
        struct pz_err err = {0};
        char big[600];
        memset(big, 'm', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        pz_err_set(&err, "x.y", NULL, "%s", big);
        assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_empty),
        cmocka_unit_test(test_buf_bounded),
        cmocka_unit_test(test_buf_huge_add_refused),
        cmocka_unit_test(test_buf_zero_max),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_buf_reset_detach),
        cmocka_unit_test(test_arena_many),
        cmocka_unit_test(test_arena_zero_and_alignment),
        cmocka_unit_test(test_arena_strings),
        cmocka_unit_test(test_xstrndup),
        cmocka_unit_test(test_json_nesting),
        cmocka_unit_test(test_json_top_level_array),
        cmocka_unit_test(test_json_value),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_json_utf8),
        cmocka_unit_test(test_json_full_buffer),
        cmocka_unit_test(test_json_structure_errors),
        cmocka_unit_test(test_json_parse_object),
        cmocka_unit_test(test_json_get_str),
        cmocka_unit_test(test_json_get_str_embedded_nul),
        cmocka_unit_test(test_json_get_bool),
        cmocka_unit_test(test_utf8_char_len),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_b64url),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_parse_int64),
        cmocka_unit_test(test_email_accept),
        cmocka_unit_test(test_email_reject),
        cmocka_unit_test(test_email_domain_labels),
        cmocka_unit_test(test_email_lengths),
        cmocka_unit_test(test_slugify),
        cmocka_unit_test(test_slugify_sharp_s),
        cmocka_unit_test(test_slugify_long),
        cmocka_unit_test(test_slug_valid),
        cmocka_unit_test(test_str_helpers),
        cmocka_unit_test(test_fnv1a64),
        cmocka_unit_test(test_hash64),
        cmocka_unit_test(test_strerror),
    };

    /* Validation failures log; keep the test output to cmocka's lines. */
    pz_log_set_level(PZ_LOG_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
