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

/*
 * Streaming a large JSON file (Messenger's message_N.json, X's
 * direct-messages.js) with bounded memory: the file is mapped, walked with
 * the iterator below container by container, and the pages already read
 * are handed back to the kernel (jsonpos_drop), so that the resident size
 * stays that of a few chunks whatever the file's size. Every byte the
 * iterator walks is checked as JSON (separators, keys, brackets); the
 * values it hands out are parsed by jansson, which checks the rest: a
 * broken file is refused with the line of its first error met.
 */
struct jsonpos_doc {
    const char *s;
    size_t len;
    int mapped; /* s is a mapping of ours: jsonpos_drop may release its pages */
};

/* Maps the file at PATH. Returns 0, PZ_EIO (errno set) when it cannot be read. */
int jsonpos_map(const char *path, struct jsonpos_doc *doc);
void jsonpos_unmap(struct jsonpos_doc *doc);

/* Lets the pages wholly inside [FROM, TO) of a mapped document leave memory. */
void jsonpos_drop(const struct jsonpos_doc *doc, size_t from, size_t to);

/* What is wrong with a file, and on which line. */
struct jsonpos_error {
    long line;
    char message[160];
};

/* Walks the members of an object or the elements of an array, one at a time. */
struct jsonpos_iter {
    const struct jsonpos_doc *doc;
    size_t at; /* the next byte to read */
    long line; /* its line */
    char closer;
    int state;    /* 0 before the first item, 1 after an item, 2 ended */
    char key[64]; /* an object's member key, decoded (cut at 63 bytes) */
};

/*
 * Begins the container that starts at OPEN (on LINE), '{' or '['. Returns
 * 0, or -1 with ERR filled when no container starts there.
 */
int jsonpos_iter_begin(struct jsonpos_iter *it, const struct jsonpos_doc *doc, size_t open,
                       long line, struct jsonpos_error *err);

/*
 * The next item into *SP (its key into it->key for an object): returns 1,
 * 0 after the closing bracket (it->at is past it), -1 with ERR filled when
 * the text is not JSON there (a missing ',', a file cut short...).
 */
int jsonpos_iter_next(struct jsonpos_iter *it, struct jsonpos_span *sp, struct jsonpos_error *err);

/* How many elements of an array one chunk holds (jsonpos_array). */
#define JSONPOS_CHUNK 512

/*
 * A large array read twice: once to count its elements and remember where
 * every JSONPOS_CHUNK-th one starts, then element by element in file order
 * or in reverse (a chat written newest first, handed out oldest first),
 * with one chunk of positions in memory.
 */
struct jsonpos_array {
    size_t open; /* its '[' */
    long line;
    size_t n;                   /* elements */
    size_t end;                 /* past its ']' */
    struct jsonpos_span *marks; /* element k * JSONPOS_CHUNK */
    size_t n_marks;
    struct jsonpos_span first, last;
};

typedef int (*jsonpos_each)(const struct jsonpos_span *sp, size_t index, void *arg);

/*
 * Scans the array at OPEN (on LINE) of DOC into *A, calling EACH (may be
 * NULL) on every element. Returns 0, -1 with ERR filled when it is not
 * JSON, or the non-zero value EACH returned.
 */
int jsonpos_array_scan(const struct jsonpos_doc *doc, size_t open, long line,
                       struct jsonpos_array *a, jsonpos_each each, void *arg,
                       struct jsonpos_error *err);

/* Hands every element of the scanned array to EACH again, in reverse when REVERSE. */
int jsonpos_array_walk(const struct jsonpos_doc *doc, const struct jsonpos_array *a, int reverse,
                       jsonpos_each each, void *arg, struct jsonpos_error *err);

void jsonpos_array_free(struct jsonpos_array *a);

/* The JSON value at SP parsed by jansson (FLAGS as json_loadb); on failure NULL with ERR filled
 * (the line counted from SP's). */
struct json_t;
struct json_t *jsonpos_parse(const struct jsonpos_doc *doc, const struct jsonpos_span *sp,
                             size_t flags, struct jsonpos_error *err);

#endif
