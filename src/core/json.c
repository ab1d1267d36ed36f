/*
 * The JSON writer and request-body helpers. See json.h.
 */
#include "core/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "core/banned.h"

void pz_json_init(struct pz_json *j, struct pz_buf *out)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
}

static void put(struct pz_json *j, const char *s, size_t n)
{
    if (!j->error && pz_buf_add(j->out, s, n) < 0)
        j->error = PZ_ETOOBIG;
}

/* Writes the comma that separates this value from the previous one. */
static void before_value(struct pz_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth > 0) {
        if (j->need_comma[j->depth - 1])
            put(j, ",", 1);
        j->need_comma[j->depth - 1] = 1;
    }
}

static void open_level(struct pz_json *j, const char *c)
{
    before_value(j);
    put(j, c, 1);
    if (j->depth >= PZ_JSON_MAX_DEPTH) {
        j->error = PZ_EINVAL;
        return;
    }
    j->need_comma[j->depth++] = 0;
}

static void close_level(struct pz_json *j, const char *c)
{
    if (j->depth <= 0) {
        j->error = PZ_EINVAL;
        return;
    }
    j->depth--;
    put(j, c, 1);
}

void pz_json_begin_object(struct pz_json *j)
{
    open_level(j, "{");
}

void pz_json_end_object(struct pz_json *j)
{
    close_level(j, "}");
}

void pz_json_begin_array(struct pz_json *j)
{
    open_level(j, "[");
}

void pz_json_end_array(struct pz_json *j)
{
    close_level(j, "]");
}

static void put_escaped(struct pz_json *j, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;

    put(j, "\"", 1);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t clen;
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            run++;
            continue;
        }
        put(j, s + i - run, run);
        run = 0;
        if (c < 0x80) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            switch (c) {
            case '"':
                put(j, "\\\"", 2);
                break;
            case '\\':
                put(j, "\\\\", 2);
                break;
            case '\n':
                put(j, "\\n", 2);
                break;
            case '\r':
                put(j, "\\r", 2);
                break;
            case '\t':
                put(j, "\\t", 2);
                break;
            default:
                put(j, esc, 6);
            }
            i++;
            continue;
        }
        clen = pz_utf8_char_len(s + i, n - i);
        if (clen == 0) {
            put(j, "\xEF\xBF\xBD", 3); /* U+FFFD for a byte that is not UTF-8 */
            i++;
        } else {
            put(j, s + i, clen);
            i += clen;
        }
    }
    put(j, s + i - run, run);
    put(j, "\"", 1);
}

void pz_json_key(struct pz_json *j, const char *key)
{
    before_value(j);
    put_escaped(j, key, strlen(key));
    put(j, ":", 1);
    j->after_key = 1;
}

void pz_json_str(struct pz_json *j, const char *s)
{
    if (!s) {
        pz_json_null(j);
        return;
    }
    pz_json_strn(j, s, strlen(s));
}

void pz_json_strn(struct pz_json *j, const char *s, size_t n)
{
    before_value(j);
    put_escaped(j, s, n);
}

void pz_json_int(struct pz_json *j, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%" PRId64, v);
    before_value(j);
    put(j, num, (size_t)n);
}

void pz_json_fixed(struct pz_json *j, int64_t v, int decimals)
{
    char num[40];
    int64_t scale = 1;
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n;

    if (decimals < 0 || decimals > 6) {
        j->error = PZ_EINVAL;
        return;
    }
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    if (decimals == 0)
        n = snprintf(num, sizeof(num), "%s%" PRIu64, v < 0 ? "-" : "", a);
    else
        n = snprintf(num, sizeof(num), "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "",
                     a / (uint64_t)scale, decimals, a % (uint64_t)scale);
    before_value(j);
    put(j, num, (size_t)n);
}

void pz_json_kfixed(struct pz_json *j, const char *key, int64_t v, int decimals)
{
    pz_json_key(j, key);
    pz_json_fixed(j, v, decimals);
}

void pz_json_bool(struct pz_json *j, int v)
{
    before_value(j);
    if (v)
        put(j, "true", 4);
    else
        put(j, "false", 5);
}

void pz_json_null(struct pz_json *j)
{
    before_value(j);
    put(j, "null", 4);
}

void pz_json_kstr(struct pz_json *j, const char *key, const char *s)
{
    pz_json_key(j, key);
    pz_json_str(j, s);
}

void pz_json_kint(struct pz_json *j, const char *key, int64_t v)
{
    pz_json_key(j, key);
    pz_json_int(j, v);
}

void pz_json_kbool(struct pz_json *j, const char *key, int v)
{
    pz_json_key(j, key);
    pz_json_bool(j, v);
}

void pz_json_knull(struct pz_json *j, const char *key)
{
    pz_json_key(j, key);
    pz_json_null(j);
}

void pz_json_kint_or_null(struct pz_json *j, const char *key, int64_t v)
{
    pz_json_key(j, key);
    if (v < 0)
        pz_json_null(j);
    else
        pz_json_int(j, v);
}

/* A container pz_json_value has opened and not yet closed. */
struct value_frame {
    const json_t *v;
    void *iter;   /* an object's next member */
    size_t index; /* an array's next item */
};

/* Writes a scalar, or opens a container and pushes it on STACK; returns the new depth. */
static int value_open(struct pz_json *j, const json_t *v, struct value_frame *stack, int n)
{
    if (!v) {
        pz_json_null(j);
        return n;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (n == PZ_JSON_MAX_DEPTH) {
            pz_json_null(j); /* deeper than any answer may be */
            return n;
        }
        if (json_is_object(v))
            pz_json_begin_object(j);
        else
            pz_json_begin_array(j);
        stack[n].v = v;
        stack[n].iter = json_is_object(v) ? json_object_iter((json_t *)v) : NULL;
        stack[n].index = 0;
        return n + 1;
    case JSON_STRING:
        pz_json_strn(j, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        pz_json_int(j, json_integer_value(v));
        break;
    case JSON_REAL: /* none of piazza's stored JSON has fractions; keep the whole part */
        pz_json_int(j, (int64_t)json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        pz_json_bool(j, json_is_true(v));
        break;
    default:
        pz_json_null(j);
        break;
    }
    return n;
}

void pz_json_value(struct pz_json *j, const json_t *v)
{
    struct value_frame stack[PZ_JSON_MAX_DEPTH];
    int n = value_open(j, v, stack, 0);

    /* Depth first without recursion: the stack holds the open containers. */
    while (n > 0) {
        struct value_frame *f = &stack[n - 1];
        if (json_is_object(f->v)) {
            if (f->iter) {
                void *it = f->iter;
                f->iter = json_object_iter_next((json_t *)f->v, it);
                pz_json_key(j, json_object_iter_key(it));
                n = value_open(j, json_object_iter_value(it), stack, n);
                continue;
            }
            pz_json_end_object(j);
        } else {
            if (f->index < json_array_size(f->v)) {
                n = value_open(j, json_array_get(f->v, f->index++), stack, n);
                continue;
            }
            pz_json_end_array(j);
        }
        n--;
    }
}

int pz_json_error(const struct pz_json *j)
{
    if (j->error)
        return j->error;
    return j->depth == 0 ? 0 : PZ_EINVAL;
}

json_t *pz_json_parse_object(const char *data, size_t len, struct pz_err *err)
{
    json_error_t jerr;
    json_t *root;

    if (!data || len == 0) {
        pz_err_set(err, "request.bad_json", NULL,
                   "the request body is empty; a JSON object is expected");
        return NULL;
    }
    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        pz_err_set(err, "request.bad_json", NULL,
                   "the body is not valid JSON: %s at line %d column %d", jerr.text, jerr.line,
                   jerr.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        pz_err_set(err, "request.bad_json", NULL, "the body must be a JSON object");
        return NULL;
    }
    return root;
}

int pz_json_get_str(json_t *obj, const char *key, int optional, size_t max_len, const char **out,
                    struct pz_err *err)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (optional)
            return 0;
        return pz_err_set(err, "request.invalid", key, "'%s' is required", key);
    }
    if (!json_is_string(v))
        return pz_err_set(err, "request.invalid", key, "'%s' must be a string", key);
    if (json_string_length(v) > max_len)
        return pz_err_set(err, "request.invalid", key, "'%s' is longer than %zu bytes", key,
                          max_len);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return pz_err_set(err, "request.invalid", key, "'%s' contains a NUL character", key);
    *out = json_string_value(v);
    return 0;
}

int pz_json_get_bool(json_t *obj, const char *key, int *present, int *out, struct pz_err *err)
{
    json_t *v = json_object_get(obj, key);

    *present = 0;
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return pz_err_set(err, "request.invalid", key, "'%s' must be true or false", key);
    *present = 1;
    *out = json_is_true(v);
    return 0;
}
