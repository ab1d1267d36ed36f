/*
 * Where things are in a JSON text. jansson, which the JSON chat readers
 * (Messenger, X) parse with, keeps no positions; this scanner walks the
 * same bytes once, without building anything, and gives the line on which
 * each element of one array starts, so that a skipped record can be
 * reported as file:line like in every other importer.
 */
#ifndef PZ_IMPORT_JSONPOS_H
#define PZ_IMPORT_JSONPOS_H

#include <stddef.h>

/*
 * Finds the values at PATH (N_PATH steps from the top value: an object key,
 * or "*" for every element of an array) in the LEN bytes at JSON and returns
 * the 1-based line each starts on, in document order, as a new array (the
 * caller frees it; NULL when none) with its count in *N. Text before the
 * first '[' or '{' is skipped (an X archive's "window.YTD... =" prefix).
 * The scanner trusts the text to be JSON that a parser accepted: on
 * anything else it stops and returns what it found so far.
 */
long *jsonpos_lines(const char *json, size_t len, const char *const *path, size_t n_path,
                    size_t *n);

/* Where a value is: bytes [start, end) of the text, starting on a 1-based line. */
struct jsonpos_span {
    size_t start, end;
    long line;
};

/*
 * The same as jsonpos_lines with each value's bytes, so that a reader can
 * parse one value at a time (a Telegram chat's messages one by one). The
 * array is the caller's to free. *COMPLETE (may be NULL) is set to 1 when
 * the text's top value closes, every string and container ended, and 0 when
 * the scanner stopped early (a file cut short: not JSON).
 */
struct jsonpos_span *jsonpos_spans(const char *json, size_t len, const char *const *path,
                                   size_t n_path, size_t *n, int *complete);

/*
 * Reads the whole file at PATH, at most MAX bytes, into a new NUL-terminated
 * buffer (*OUT, the caller's to free) of *LEN bytes. Returns 0, PZ_EIO when
 * it cannot be read, PZ_ETOOBIG when it is larger than MAX.
 */
int jsonpos_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
