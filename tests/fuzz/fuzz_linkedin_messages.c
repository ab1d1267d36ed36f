/*
 * libFuzzer target for the LinkedIn messages.csv reader
 * (src/import/linkedin_messages.c): each input read from memory
 * (linkedin_messages_read_stream over fmemopen), checked by the shared
 * driver (chat_fuzz.h). messages.csv has no attachments; participants may
 * carry a LinkedIn identity.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "import/linkedin_messages.h"

#include "chat_fuzz.h"

static const struct fuzz_chat spec = {"fuzz_linkedin_messages",
                                      "fuzz.csv",
                                      "linkedin",
                                      "linkedin",
                                      FUZZ_LINES_FROM_1 | FUZZ_SOURCE_ID | FUZZ_REFUSE_BEFORE_BEGIN,
                                      1,
                                      FUZZ_SENDER_BUT_NOTICES,
                                      FUZZ_ATT_NONE};

static int read_input(const uint8_t *data, size_t size, int run, const struct chat_sink *sink,
                      struct import_problem *fatal)
{
    FILE *f = fuzz_stream(&spec, data, size);
    int rc = linkedin_messages_read_stream(f, spec.name, sink, fatal);

    (void)run;
    fclose(f);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 1 << 20)
        return 0;
    (void)linkedin_messages_sniff((const char *)data, size);
    fuzz_chat_run(&spec, data, size, read_input);
    return 0;
}
