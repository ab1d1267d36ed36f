/*
 * libFuzzer target for JSON: the request-body readers and the writer.
 *
 *  1. The input is parsed as a request body (pz_json_parse_object). A refusal
 *     must say request.bad_json; an object is read with pz_json_get_str and
 *     pz_json_get_bool on the fields the API reads, whose results must agree
 *     with what the object holds (length bound, embedded NUL, type).
 *  2. Every member of a parsed object is written back through the writer
 *     (key and string value), and jansson must read the output back to the
 *     same key and value.
 *  3. The raw input bytes are written as one JSON string: the output must
 *     always be valid JSON, decoding to the input with each byte that is not
 *     part of well-formed UTF-8 replaced by U+FFFD. A writer over a small
 *     buffer must report PZ_ETOOBIG and never pass its maximum.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_json: check failed at line %d: %s\n", __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const struct {
    const char *key;
    size_t max;
} str_fields[] = {
    {"email", 300},
    {"password", 1024},
    {"workspace", 64},
    {"name", 200},
    {"role", 32},
    {"locale", 8},
    {"code", 32},
    {"workspace_name", 200},
    {"workspace_slug", 100},
    {"timezone", 64},
    {"new_password", 1024},
};

static void check_get_str(json_t *obj, const char *key, size_t max)
{
    json_t *v = json_object_get(obj, key);

    for (int optional = 0; optional <= 1; optional++) {
        struct pz_err err;
        const char *out = (const char *)1;
        int r;

        memset(&err, 0, sizeof(err));
        r = pz_json_get_str(obj, key, optional, max, &out, &err);
        if (r == 0) {
            CHECK(err.code == NULL);
            if (!v || json_is_null(v)) {
                CHECK(optional);
                CHECK(out == NULL);
            } else {
                CHECK(json_is_string(v));
                CHECK(out == json_string_value(v));
                CHECK(strlen(out) == json_string_length(v));
                CHECK(strlen(out) <= max);
                CHECK(pz_utf8_valid(out, strlen(out)));
            }
        } else {
            CHECK(r == PZ_EINVAL);
            CHECK(out == NULL);
            CHECK(err.code && strcmp(err.code, "request.invalid") == 0);
            CHECK(err.field && strcmp(err.field, key) == 0);
            CHECK(memchr(err.message, '\0', sizeof(err.message)) != NULL);
            CHECK(!json_is_string(v) || json_string_length(v) > max ||
                  strlen(json_string_value(v)) != json_string_length(v));
            CHECK(v || !optional);
        }
    }
}

static void check_get_bool(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    struct pz_err err;
    int present = 5, out = 5;
    int r;

    memset(&err, 0, sizeof(err));
    r = pz_json_get_bool(obj, key, &present, &out, &err);
    if (r == 0) {
        CHECK(!v || json_is_null(v) || json_is_boolean(v));
        CHECK(present == (v && json_is_boolean(v)));
        CHECK(out == (v && json_is_true(v)));
    } else {
        CHECK(r == PZ_EINVAL);
        CHECK(v && !json_is_null(v) && !json_is_boolean(v));
        CHECK(present == 0);
        CHECK(err.field && strcmp(err.field, key) == 0);
    }
}

/* Writes {KEY: VALUE} and checks that jansson reads back the same pair. */
static void round_trip_member(const char *key, json_t *value)
{
    struct pz_buf b;
    struct pz_json j;
    json_error_t jerr;
    json_t *back, *v;

    pz_buf_init(&b, 16 * 1024 * 1024);
    pz_json_init(&j, &b);
    pz_json_begin_object(&j);
    pz_json_key(&j, key);
    if (json_is_string(value))
        pz_json_strn(&j, json_string_value(value), json_string_length(value));
    else if (json_is_integer(value))
        pz_json_int(&j, json_integer_value(value));
    else if (json_is_boolean(value))
        pz_json_bool(&j, json_is_true(value));
    else
        pz_json_null(&j);
    pz_json_end_object(&j);
    CHECK(pz_json_error(&j) == 0);

    back = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &jerr);
    if (!back) {
        fprintf(stderr, "fuzz_json: writer output not JSON (%s): %s\n", jerr.text, b.data);
        abort();
    }
    CHECK(json_object_size(back) == 1);
    v = json_object_get(back, key);
    CHECK(v != NULL);
    if (json_is_string(value)) {
        CHECK(json_is_string(v));
        CHECK(json_string_length(v) == json_string_length(value));
        CHECK(memcmp(json_string_value(v), json_string_value(value), json_string_length(v)) == 0);
    } else if (json_is_integer(value)) {
        CHECK(json_is_integer(v) && json_integer_value(v) == json_integer_value(value));
    } else if (json_is_boolean(value)) {
        CHECK(json_is_boolean(v) && json_is_true(v) == json_is_true(value));
    } else {
        CHECK(json_is_null(v));
    }
    json_decref(back);
    pz_buf_release(&b);
}

/* What the writer should make of raw bytes: each ill-formed byte becomes U+FFFD. */
static size_t expected_string(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t l;
        if (c < 0x80) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        l = pz_utf8_char_len(s + i, n - i);
        if (l == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, s + i, l);
            o += l;
            i += l;
        }
    }
    return o;
}

static void raw_string(const char *s, size_t n)
{
    struct pz_buf b;
    struct pz_json j;
    json_error_t jerr;
    json_t *back;
    char *want = malloc(3 * n + 1);
    size_t want_len;

    if (!want)
        abort();
    want_len = expected_string(s, n, want);
    pz_buf_init(&b, 6 * n + 16);
    pz_json_init(&j, &b);
    pz_json_strn(&j, s, n);
    CHECK(pz_json_error(&j) == 0);
    CHECK(b.len >= 2 && b.data[0] == '"' && b.data[b.len - 1] == '"');
    back = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!back) {
        fprintf(stderr, "fuzz_json: writer output not JSON (%s)\n", jerr.text);
        abort();
    }
    CHECK(json_is_string(back));
    CHECK(json_string_length(back) == want_len);
    CHECK(memcmp(json_string_value(back), want, want_len) == 0);
    json_decref(back);

    /* The same string in an array, inside an object, twice: commas in place. */
    pz_buf_release(&b);
    pz_buf_init(&b, 16 * n + 64);
    pz_json_init(&j, &b);
    pz_json_begin_object(&j);
    pz_json_key(&j, "a");
    pz_json_begin_array(&j);
    pz_json_strn(&j, s, n);
    pz_json_strn(&j, s, n);
    pz_json_end_array(&j);
    pz_json_kint(&j, "n", (int64_t)n);
    pz_json_end_object(&j);
    CHECK(pz_json_error(&j) == 0);
    back = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &jerr);
    CHECK(back != NULL);
    CHECK(json_array_size(json_object_get(back, "a")) == 2);
    CHECK(json_integer_value(json_object_get(back, "n")) == (json_int_t)n);
    json_decref(back);
    pz_buf_release(&b);

    /* A writer over a buffer too small fails cleanly and stays within bounds. */
    if (want_len > 4) {
        size_t max = want_len / 2;
        pz_buf_init(&b, max);
        pz_json_init(&j, &b);
        pz_json_strn(&j, s, n);
        CHECK(pz_json_error(&j) == PZ_ETOOBIG);
        CHECK(b.len <= max);
        pz_buf_release(&b);
    }
    free(want);
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
    struct pz_err err;
    char *copy = malloc(size ? size : 1);
    json_t *obj;

    if (!copy)
        abort();
    if (size)
        memcpy(copy, data, size);

    memset(&err, 0, sizeof(err));
    obj = pz_json_parse_object(copy, size, &err);
    if (!obj) {
        CHECK(err.code && strcmp(err.code, "request.bad_json") == 0);
        CHECK(memchr(err.message, '\0', sizeof(err.message)) != NULL);
    } else {
        const char *key;
        json_t *value;

        CHECK(json_is_object(obj));
        for (size_t i = 0; i < sizeof(str_fields) / sizeof(str_fields[0]); i++)
            check_get_str(obj, str_fields[i].key, str_fields[i].max);
        check_get_bool(obj, "disabled");
        check_get_bool(obj, "must_change_password");
        json_object_foreach(obj, key, value)
        {
            check_get_str(obj, key, 16);
            check_get_bool(obj, key);
            round_trip_member(key, value);
        }
        json_decref(obj);
    }

    if (size <= 64 * 1024)
        raw_string(copy, size);
    free(copy);
    return 0;
}
