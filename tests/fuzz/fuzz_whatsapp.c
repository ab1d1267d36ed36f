/*
 * libFuzzer target for the WhatsApp reader (src/import/whatsapp.c). Each
 * input is read as a chat .txt from memory (whatsapp_read_stream over
 * fmemopen), in Europe/Rome and in UTC, and everything the reader hands out
 * is checked:
 *
 *  - the result is 0, PZ_EINVAL with a refusal on line 1 when no line is a
 *    header, or the value the sink returned to stop (every 7th message stops
 *    in one of the runs, so the early exit is exercised too);
 *  - the calls come in order: begin, participants, messages each followed by
 *    its attachments, end; one conversation with a non-empty key;
 *  - every string is well-formed UTF-8 and text_len is its length; message
 *    lines grow from 1; local_time is "YYYY-MM-DDTHH:MM:SS"; UTC and local
 *    time differ by at most 26 hours; system notices have no sender unless
 *    the text was marked (iOS); participants have keys;
 *  - skipped records and notes come with a line and a message;
 *  - a buffer the sniffer calls WhatsApp is never refused.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "core/tz.h"
#include "import/chat.h"
#include "import/whatsapp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_whatsapp: check failed at line %d: %s\n", __LINE__, #cond);      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define NAME "fuzz.txt"
#define STOP 77

struct seen {
    int state; /* 0 nothing, 1 begun, 2 messages, 3 ended */
    int messages, stop_every;
    long last_line;
};

static void check_str(const char *s)
{
    CHECK(s != NULL);
    CHECK(pz_utf8_valid(s, strlen(s)) || s[0] == '\0');
}

static int on_begin(const struct chat_conversation *c, void *arg)
{
    struct seen *s = arg;

    CHECK(s->state == 0);
    s->state = 1;
    CHECK(strcmp(c->channel, "whatsapp") == 0);
    CHECK(c->key && c->key[0]);
    check_str(c->key);
    check_str(c->title);
    CHECK(c->is_group == 0 || c->is_group == 1);
    return 0;
}

static int on_participant(const struct chat_participant *p, void *arg)
{
    struct seen *s = arg;

    CHECK(s->state == 1);
    CHECK(p->key && p->key[0]);
    check_str(p->key);
    check_str(p->name);
    if (p->identity_kind) {
        CHECK(strcmp(p->identity_kind, "whatsapp") == 0);
        check_str(p->identity_value);
    }
    return 0;
}

static int on_message(const struct chat_message *m, void *arg)
{
    struct seen *s = arg;
    long y;
    int mo, d, hh, mi, ss;
    int n = 0;

    CHECK(s->state == 1 || s->state == 2);
    s->state = 2;
    CHECK(m->file && strcmp(m->file, NAME) == 0);
    CHECK(m->line >= 1 && m->line > s->last_line);
    s->last_line = m->line;
    CHECK(m->text != NULL && strlen(m->text) == m->text_len);
    CHECK(m->text_len == 0 || pz_utf8_valid(m->text, m->text_len));
    CHECK(m->text_len <= CHAT_TEXT_MAX);
    CHECK(m->kind == CHAT_TEXT || m->kind == CHAT_SYSTEM || m->kind == CHAT_MEDIA);
    if (m->sender_key) {
        check_str(m->sender_key);
        CHECK(m->sender_key[0]);
    } else {
        CHECK(m->kind == CHAT_SYSTEM);
    }
    CHECK(m->local_time && strlen(m->local_time) == 19);
    CHECK(sscanf(m->local_time, "%4ld-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &hh, &mi, &ss, &n) == 6);
    CHECK(n == 19);
    CHECK(pz_date_valid(y, mo, d) && hh < 24 && mi < 60 && ss < 60);
    {
        int64_t local = (pz_civil_to_days(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss) * 1000;
        int64_t diff = local - m->sent_at;
        CHECK(diff >= -26LL * 3600000 && diff <= 26LL * 3600000);
    }
    CHECK(m->source_id == NULL && m->reply_to_source_id == NULL);
    s->messages++;
    return s->stop_every && s->messages % s->stop_every == 0 ? STOP : 0;
}

static int on_attachment(const struct chat_attachment *a, void *arg)
{
    struct seen *s = arg;

    CHECK(s->state == 2);
    CHECK(a->name != NULL);
    check_str(a->name);
    CHECK(strchr(a->name, '\n') == NULL);
    CHECK(a->read == NULL); /* no media folder, no zip */
    return 0;
}

static int on_end(void *arg)
{
    struct seen *s = arg;

    CHECK(s->state == 1 || s->state == 2);
    s->state = 3;
    return 0;
}

static void on_skip(const struct import_problem *p, void *arg)
{
    (void)arg;
    CHECK(p->file && strcmp(p->file, NAME) == 0);
    CHECK(p->line >= 1);
    CHECK(memchr(p->message, '\0', sizeof(p->message)) != NULL);
    CHECK(p->message[0] != '\0');
}

static void on_note(const char *file, const char *message, void *arg)
{
    (void)arg;
    CHECK(file && strcmp(file, NAME) == 0);
    CHECK(message && message[0]);
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
    static const char *const zones[] = {"Europe/Rome", "UTC"};
    struct seen seen;
    struct chat_sink sink = {on_begin, on_participant, on_message, on_attachment, on_end,
                             on_skip,  on_note,        NULL,       &seen};
    struct import_problem fatal;
    int sniffed;

    if (size == 0 || size > 1 << 20)
        return 0;
    sniffed = whatsapp_sniff((const char *)data, size);
    for (int run = 0; run < 2; run++) {
        struct chat_options o = {zones[run], run ? "en" : "it"};
        FILE *f = fmemopen((void *)data, size, "rb");
        int rc;

        CHECK(f != NULL);
        memset(&seen, 0, sizeof(seen));
        memset(&fatal, 0, sizeof(fatal));
        seen.stop_every = run ? 7 : 0;
        rc = whatsapp_read_stream(f, NAME, NULL, NULL, &o, &sink, &fatal);
        fclose(f);
        if (rc < 0) {
            CHECK(rc == PZ_EINVAL);
            CHECK(fatal.file && strcmp(fatal.file, NAME) == 0 && fatal.line == 1);
            CHECK(seen.state == 0);
            CHECK(!sniffed);
        } else if (rc == 0) {
            CHECK(seen.state == 3);
        } else {
            CHECK(rc == STOP && seen.messages % 7 == 0);
        }
    }
    return 0;
}
