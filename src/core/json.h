/*
 * JSON: the one writer every JSON byte piazza emits goes through, and a thin
 * layer over jansson for reading request bodies.
 *
 * The writer appends to a bounded pz_buf and keeps track of commas itself,
 * so callers say what they mean (begin an object, a key, a value) and never
 * format JSON with printf. Strings are escaped; invalid UTF-8 becomes U+FFFD,
 * so the output is always valid JSON. A write error (the buffer is full)
 * is remembered and reported once by pz_json_error().
 */
#ifndef PZ_JSON_H
#define PZ_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define PZ_JSON_MAX_DEPTH 32

struct pz_json {
    struct pz_buf *out;
    int depth;
    int error;
    unsigned char need_comma[PZ_JSON_MAX_DEPTH];
    unsigned char after_key;
};

/* Starts writing into OUT (which the caller owns). */
void pz_json_init(struct pz_json *j, struct pz_buf *out);

void pz_json_begin_object(struct pz_json *j);
void pz_json_end_object(struct pz_json *j);
void pz_json_begin_array(struct pz_json *j);
void pz_json_end_array(struct pz_json *j);
/* Writes an object key; the next call writes its value. */
void pz_json_key(struct pz_json *j, const char *key);
/* A NULL string is written as null. */
void pz_json_str(struct pz_json *j, const char *s);
void pz_json_strn(struct pz_json *j, const char *s, size_t n);
void pz_json_int(struct pz_json *j, int64_t v);
void pz_json_bool(struct pz_json *j, int v);
void pz_json_null(struct pz_json *j);

/* Key and value in one call. */
void pz_json_kstr(struct pz_json *j, const char *key, const char *s);
void pz_json_kint(struct pz_json *j, const char *key, int64_t v);
void pz_json_kbool(struct pz_json *j, const char *key, int v);
void pz_json_knull(struct pz_json *j, const char *key);
/* Writes the integer, or null when V is negative (for optional ids and times). */
void pz_json_kint_or_null(struct pz_json *j, const char *key, int64_t v);

/*
 * Writes V / 10^DECIMALS as a JSON number with exactly DECIMALS digits after
 * the point (0-6): amounts kept as integer cents are written as 12.50.
 */
void pz_json_fixed(struct pz_json *j, int64_t v, int decimals);
void pz_json_kfixed(struct pz_json *j, const char *key, int64_t v, int decimals);

/*
 * Writes a jansson value (NULL as null) through the writer, for JSON that was
 * stored as text and is sent on as part of an answer.
 */
void pz_json_value(struct pz_json *j, const json_t *v);

/* Returns 0, or PZ_ETOOBIG / PZ_EINVAL if anything went wrong while writing. */
int pz_json_error(const struct pz_json *j);

/*
 * Parses LEN bytes as one JSON object. Returns a new reference (the caller
 * json_decref()s it), or NULL with ERR filled ("request.bad_json") when the
 * text is not JSON or not an object. Depth is capped by jansson.
 */
json_t *pz_json_parse_object(const char *data, size_t len, struct pz_err *err);

/*
 * Reads member KEY of OBJ as a string. Returns 0 and sets *OUT (borrowed from
 * OBJ) when present; when absent or null, returns 0 with *OUT = NULL if
 * OPTIONAL, else fills ERR ("request.invalid", field KEY). A non-string value
 * always fills ERR. MAX_LEN bounds the length in bytes.
 */
int pz_json_get_str(json_t *obj, const char *key, int optional, size_t max_len, const char **out,
                    struct pz_err *err);

/* Reads member KEY as a boolean; *PRESENT says whether it was there. */
int pz_json_get_bool(json_t *obj, const char *key, int *present, int *out, struct pz_err *err);

#endif
