/*
 * libFuzzer target for the X archive reader (src/import/xarchive.c) and the
 * JSON streaming under it (src/import/jsonpos.c): each input read from
 * memory (xarchive_read_buffer; the second run with an account id, so the
 * direction code runs), checked by the shared driver (chat_fuzz.h). A broken
 * conversation may refuse the file after earlier ones were handed out.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "import/xarchive.h"

#include "chat_fuzz.h"

static const struct fuzz_chat spec = {"fuzz_xarchive",         "fuzz.js",       "x", NULL, 0, 1,
                                      FUZZ_SENDER_BUT_NOTICES, FUZZ_ATT_NO_FILE};

static int read_input(const uint8_t *data, size_t size, int run, const struct chat_sink *sink,
                      struct import_problem *fatal)
{
    return xarchive_read_buffer((const char *)data, size, spec.name, run ? "1111" : NULL, NULL,
                                sink, fatal);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 1 << 20)
        return 0;
    (void)xarchive_sniff((const char *)data, size);
    fuzz_chat_run(&spec, data, size, read_input);
    return 0;
}
