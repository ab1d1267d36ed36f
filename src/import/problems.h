/*
 * Import problems in any language. Readers and writers word a problem in
 * English ("row has 3 fields, the header has 5"), which the CLI prints and
 * every client has always had as "message". For a client that speaks another
 * language, each known wording also has a stable code and the values that
 * were put into it ("csv.fields", ["3", "5"]): the web UI turns them into
 * Italian (web/src/i18n.ts, keys problem.CODE, values {0} {1}...). The
 * wordings live in one table (problems.c); a message that none of them
 * matches has the code "import.other" and only its English message.
 */
#ifndef PZ_IMPORT_PROBLEMS_H
#define PZ_IMPORT_PROBLEMS_H

#include <stddef.h>

#include "core/json.h"

#define IMPORT_PROBLEM_ARGS 4 /* values at most in one wording */

struct import_problem_code {
    const char *code;                    /* static: "csv.fields", or "import.other" */
    char args[IMPORT_PROBLEM_ARGS][128]; /* the values, in the wording's order */
    int n_args;
};

/* Finds the code of the English MESSAGE (NULL: none) and the values in it into *OUT. */
void import_problem_code(const char *message, struct import_problem_code *out);

/* Writes one problem as the JSON object {"file", "line", "message", "code", "args"}. */
void import_problem_json(struct pz_json *j, const char *file, long line, const char *message);

/* Writes the members CODE_KEY (the code) and ARGS_KEY (the values) of MESSAGE into the
 * object being written (both null when MESSAGE is NULL). */
void import_problem_code_json(struct pz_json *j, const char *code_key, const char *args_key,
                              const char *message);

/* The wording in LOCATED, "file:line: wording" (the first ":LINE: " ends the place), or
 * NULL when it has no such place. */
const char *import_problem_located(const char *located);

/* The table, for tests: code and English wording of entry I (NULL past the end). */
const char *import_problem_wording(size_t i, const char **code);

#endif
