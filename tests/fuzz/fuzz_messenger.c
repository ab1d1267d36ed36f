/*
 * libFuzzer target for the Messenger/Instagram reader (src/import/messenger.c)
 * and the JSON streaming under it (src/import/jsonpos.c): each input read
 * from memory (messenger_read_buffer), checked by the shared driver
 * (chat_fuzz.h). One conversation per file; a broken message may refuse the
 * file after the conversation began (the caller keeps nothing of it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "import/jsonpos.h"
#include "import/messenger.h"

#include "chat_fuzz.h"

static const struct fuzz_chat spec = {"fuzz_messenger",
                                      "fuzz.json",
                                      "messenger",
                                      NULL,
                                      FUZZ_ONE_CONVERSATION | FUZZ_UNIQUE_KEYS,
                                      1,
                                      FUZZ_SENDER_ALWAYS,
                                      FUZZ_ATT_NO_FILE};

static int read_input(const uint8_t *data, size_t size, int run, const struct chat_sink *sink,
                      struct import_problem *fatal)
{
    (void)run;
    return messenger_read_buffer((const char *)data, size, spec.name, NULL, sink, fatal);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const path[] = {"messages", "*"};
    size_t n;

    if (size == 0 || size > 1 << 20)
        return 0;
    (void)messenger_sniff((const char *)data, size);
    free(jsonpos_lines((const char *)data, size, path, 2, &n));
    fuzz_chat_run(&spec, data, size, read_input);
    return 0;
}
