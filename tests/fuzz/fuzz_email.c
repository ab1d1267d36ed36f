/*
 * libFuzzer target for the e-mail reader (src/import/email.c): each input
 * read from memory (email_read_stream over fmemopen) as one .eml message,
 * then as an mbox (stopping at every 3rd message, so the early exit runs
 * too), checked by the shared driver (chat_fuzz.h). Participants are
 * addresses with an "email" identity; attachments are in the input, their
 * bytes add up to their size; a refusal is on line 1, before anything.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "import/email.h"

#include "chat_fuzz.h"

static const struct fuzz_chat spec = {
    "fuzz_email",
    "fuzz.mbox",
    "email",
    "email",
    FUZZ_UNIQUE_KEYS | FUZZ_LINES_FROM_1 | FUZZ_IDENTITY_REQUIRED | FUZZ_KEY_HAS_AT |
        FUZZ_END_AFTER_MESSAGE | FUZZ_REFUSE_BEFORE_BEGIN | FUZZ_REFUSE_ON_LINE_1,
    INT64_MIN,
    FUZZ_SENDER_ANY,
    FUZZ_ATT_BYTES};

static int read_input(const uint8_t *data, size_t size, int run, const struct chat_sink *sink,
                      struct import_problem *fatal)
{
    FILE *f = fuzz_stream(&spec, data, size);
    int rc = email_read_stream(f, spec.name, run, NULL, sink, fatal);

    fclose(f);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 1 << 20)
        return 0;
    (void)email_sniff_mbox((const char *)data, size);
    (void)email_sniff_eml((const char *)data, size);
    fuzz_chat_run(&spec, data, size, read_input);
    return 0;
}
