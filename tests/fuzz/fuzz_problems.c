/*
 * libFuzzer target for the codes of import problems (src/import/problems.c).
 * A problem's message holds text from the file being imported (a date, a
 * value, a parser's complaint), so any bytes may reach the matcher. Each input
 * is a message; checked: a code always comes back, the values fit their room
 * and are pieces of the message in order, and a message made from a wording
 * with the input as its values is found again under that wording's code
 * or an earlier wording of the table that also fits it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/problems.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_problems: check failed at line %d: %s\n", __LINE__, #cond);      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[1024], made[2048];
    struct import_problem_code c;
    const char *code, *text, *at;
    size_t n = size < sizeof(msg) - 1 ? size : sizeof(msg) - 1, o = 0;

    memcpy(msg, data, n);
    msg[n] = '\0';
    import_problem_code(msg, &c);
    CHECK(c.code != NULL && c.code[0]);
    CHECK(c.n_args >= 0 && c.n_args <= IMPORT_PROBLEM_ARGS);
    at = msg;
    for (int k = 0; k < c.n_args; k++) {
        size_t len = strlen(c.args[k]);
        CHECK(len < sizeof(c.args[k]));
        /* each value is a piece of the message, after the one before (when not cut) */
        if (len + 1 < sizeof(c.args[k]) && len > 0) {
            const char *p = strstr(at, c.args[k]);
            CHECK(p != NULL);
            at = p + len;
        }
    }
    (void)import_problem_located(msg);

    /* A wording chosen by the first byte, its values the input without '%' (at most 40). */
    if (size > 0) {
        size_t count = 0;
        while (import_problem_wording(count, &code))
            count++;
        text = import_problem_wording(data[0] % count, &code);
        for (const char *t = text; *t && o < sizeof(made) - 64; t++) {
            if (*t != '%') {
                made[o++] = *t;
                continue;
            }
            made[o++] = 'v';
            for (size_t i = 1; i < size && i < 40 && o < sizeof(made) - 64; i++)
                if (data[i] && data[i] != '%')
                    made[o++] = (char)data[i];
        }
        made[o] = '\0';
        import_problem_code(made, &c);
        CHECK(strcmp(c.code, "import.other") != 0 || strlen(made) > 600);
    }
    return 0;
}
