/*
 * libFuzzer target for the Telegram Desktop reader (src/import/telegram.c)
 * and the JSON spans it walks (src/import/jsonpos.c): each input read from
 * memory (telegram_read_buffer, in Europe/Rome then in UTC), checked by the
 * shared driver (chat_fuzz.h). Messages carry Telegram's ids; a file is
 * refused before any conversation begins.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "import/telegram.h"

#include "chat_fuzz.h"

static const struct fuzz_chat spec = {"fuzz_telegram",
                                      "fuzz.json",
                                      "telegram",
                                      NULL,
                                      FUZZ_LINES_FROM_1 | FUZZ_SOURCE_ID | FUZZ_REFUSE_BEFORE_BEGIN,
                                      0,
                                      FUZZ_SENDER_BUT_NOTICES,
                                      FUZZ_ATT_NO_FILE};

static int read_input(const uint8_t *data, size_t size, int run, const struct chat_sink *sink,
                      struct import_problem *fatal)
{
    struct chat_options o = {run ? "UTC" : "Europe/Rome", "it"};

    return telegram_read_buffer((const char *)data, size, spec.name, NULL, &o, sink, fatal);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 1 << 20)
        return 0;
    (void)telegram_sniff((const char *)data, size);
    fuzz_chat_run(&spec, data, size, read_input);
    return 0;
}
