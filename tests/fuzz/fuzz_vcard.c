/*
 * libFuzzer target for the vCard reader (src/import/vcard.c). Each input is
 * read as a vCard file from memory (vcard_read_stream over fmemopen), and
 * everything the reader hands out is checked:
 *
 *  - the result is 0, PZ_EINVAL with a refusal naming the file and a line,
 *    or the value the sink returned to stop (every 5th record stops, so the
 *    early exit is exercised too);
 *  - every record names the file, a line from 1, a non-empty full name; all
 *    its strings are well-formed UTF-8 without surrounding white space; its
 *    identities have a known kind and a non-empty value, within the limits;
 *    tags are non-empty and unique; connected_on is -1;
 *  - every skipped card comes with a line from 1 and a message;
 *  - format detection on the same bytes never fails in another way than
 *    "not recognised", and a file that is read says "vcard".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "import/detect.h"
#include "import/vcard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_vcard: check failed at line %d: %s\n", __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define NAME "fuzz.vcf"
#define STOP 99

struct seen {
    int records, skipped, stop_every;
};

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* NULL, or a non-empty, trimmed, well-formed UTF-8 string. */
static void check_text(const char *s)
{
    size_t n;

    if (!s)
        return;
    n = strlen(s);
    CHECK(n > 0);
    CHECK(pz_utf8_valid(s, n));
    CHECK(!is_ws(s[0]) && !is_ws(s[n - 1]));
}

static int known_kind(const char *k)
{
    static const char *const kinds[] = {"email",    "phone",     "whatsapp", "telegram", "linkedin",
                                        "facebook", "instagram", "x",        "website"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(k, kinds[i]) == 0)
            return 1;
    return 0;
}

static int on_record(const struct import_contact *rec, void *arg)
{
    struct seen *seen = arg;

    CHECK(rec->file && strcmp(rec->file, NAME) == 0);
    CHECK(rec->line >= 1);
    CHECK(rec->full_name != NULL);
    check_text(rec->full_name);
    check_text(rec->given_name);
    check_text(rec->family_name);
    check_text(rec->organization);
    check_text(rec->title);
    check_text(rec->note);
    CHECK(rec->n_tags <= IMPORT_MAX_TAGS);
    for (size_t i = 0; i < rec->n_tags; i++) {
        check_text(rec->tags[i]);
        CHECK(rec->tags[i] != NULL);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(rec->tags[i], rec->tags[j]) != 0);
    }
    CHECK(rec->n_identities <= IMPORT_MAX_IDENTITIES);
    for (size_t i = 0; i < rec->n_identities; i++) {
        const struct import_identity *id = &rec->identities[i];
        CHECK(id->kind && known_kind(id->kind));
        CHECK(id->value != NULL);
        check_text(id->value);
        if (id->label)
            CHECK(pz_utf8_valid(id->label, strlen(id->label)));
    }
    CHECK(rec->connected_on == -1);
    seen->records++;
    return seen->stop_every && seen->records % seen->stop_every == 0 ? STOP : 0;
}

static void on_skip(const struct import_problem *p, void *arg)
{
    struct seen *seen = arg;

    CHECK(p->file && strcmp(p->file, NAME) == 0);
    CHECK(p->line >= 1);
    CHECK(memchr(p->message, '\0', sizeof(p->message)) != NULL);
    CHECK(p->message[0] != '\0');
    seen->skipped++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pz_log_set_level(PZ_LOG_OFF);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen seen;
    struct import_sink sink = {on_record, on_skip, &seen};
    struct import_problem fatal;
    char format[32];
    int rc, detected;
    FILE *f;

    if (size == 0 || size > 1 << 20)
        return 0;
    for (int stop = 0; stop <= 5; stop += 5) {
        memset(&seen, 0, sizeof(seen));
        memset(&fatal, 0, sizeof(fatal));
        seen.stop_every = stop;
        f = fmemopen((void *)data, size, "rb");
        CHECK(f != NULL);
        rc = vcard_read_stream(f, NAME, &sink, &fatal);
        fclose(f);
        if (rc < 0) {
            CHECK(rc == PZ_EINVAL);
            CHECK(fatal.file && strcmp(fatal.file, NAME) == 0);
            CHECK(fatal.line == 1);
            CHECK(seen.records == 0);
        } else if (rc != 0) {
            CHECK(rc == STOP && stop && seen.records > 0 && seen.records % stop == 0);
        }
    }
    detected = import_detect_buffer((const char *)data, size, format, sizeof(format));
    CHECK(detected == 0 || detected == PZ_EINVAL);
    if (detected == 0 && strcmp(format, "vcard") == 0) {
        /* What detection calls a vCard has its first BEGIN:VCARD: it is never refused. */
        memset(&seen, 0, sizeof(seen));
        f = fmemopen((void *)data, size, "rb");
        CHECK(f != NULL);
        CHECK(vcard_read_stream(f, NAME, &sink, &fatal) == 0);
        fclose(f);
    }
    return 0;
}
