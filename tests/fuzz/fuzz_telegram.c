/*
 * libFuzzer target for the Telegram Desktop reader (src/import/telegram.c)
 * and the JSON spans it walks (src/import/jsonpos.c). Each input is read
 * from memory (telegram_read_buffer) twice, once stopping at every 3rd
 * message, and everything the reader hands out is checked:
 *
 *  - the result is 0, a refusal (PZ_EINVAL) before the conversation began,
 *    or the value the sink returned to stop;
 *  - calls come in order: each conversation begins, has participants and
 *    messages each followed by its attachments, and ends before the next;
 *  - every string is well-formed UTF-8 and text_len is its length; senders
 *    of messages (not notices) are named; times are positive;
 *  - skipped records come with a line and a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "import/chat.h"
#include "import/jsonpos.h"
#include "import/telegram.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_telegram: check failed at line %d: %s\n", __LINE__, #cond);      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define NAME     "fuzz.json"
#define STOP     77
#define KEYS_MAX 64

struct seen {
    int state; /* 0 outside a conversation, 1 begun, 2 after a message */
    int conversations, messages, stop_every;
    uint64_t keys[KEYS_MAX];
};

static void check_str(const char *s)
{
    CHECK(s != NULL);
    CHECK(pz_utf8_valid(s, strlen(s)));
}

static int on_begin(const struct chat_conversation *c, void *arg)
{
    struct seen *s = arg;
    uint64_t h;

    CHECK(s->state == 0);
    s->state = 1;
    CHECK(strcmp(c->channel, "telegram") == 0);
    CHECK(c->key && c->key[0]);
    check_str(c->key);
    check_str(c->title);
    CHECK(c->is_group == 0 || c->is_group == 1);
    h = pz_fnv1a64(c->key, strlen(c->key));
    if (s->conversations < KEYS_MAX)
        s->keys[s->conversations] = h;
    s->conversations++;
    return 0;
}

static int on_participant(const struct chat_participant *p, void *arg)
{
    struct seen *s = arg;

    CHECK(s->state == 1 || s->state == 2);
    CHECK(p->key && p->key[0]);
    check_str(p->key);
    check_str(p->name);
    CHECK(p->identity_kind == NULL);
    return 0;
}

static int on_message(const struct chat_message *m, void *arg)
{
    struct seen *s = arg;

    CHECK(s->state == 1 || s->state == 2);
    s->state = 2;
    CHECK(m->file && strcmp(m->file, NAME) == 0);
    CHECK(m->line >= 1);
    CHECK(m->source_id != NULL);
    CHECK(m->sent_at >= 0);
    CHECK(m->kind == CHAT_SYSTEM || (m->sender_key && m->sender_key[0]));
    CHECK(m->text != NULL && strlen(m->text) == m->text_len);
    CHECK(m->text_len == 0 || pz_utf8_valid(m->text, m->text_len));
    CHECK(m->text_len <= CHAT_TEXT_MAX);
    CHECK(m->kind == CHAT_TEXT || m->kind == CHAT_SYSTEM || m->kind == CHAT_MEDIA);
    if (m->sender_key)
        check_str(m->sender_key);
    if (m->sender_name)
        check_str(m->sender_name);
    if (m->source_id)
        check_str(m->source_id);
    if (m->reply_to_source_id)
        check_str(m->reply_to_source_id);
    if (m->local_time)
        CHECK(strlen(m->local_time) == 19);
    s->messages++;
    return s->stop_every && s->messages % s->stop_every == 0 ? STOP : 0;
}

static int on_attachment(const struct chat_attachment *a, void *arg)
{
    struct seen *s = arg;
    CHECK(s->state == 2);
    check_str(a->name);
    CHECK(strchr(a->name, '\n') == NULL);
    CHECK(a->read == NULL); /* no folder beside a buffer */
    CHECK(a->size == -1);
    return 0;
}

static int on_end(void *arg)
{
    struct seen *s = arg;

    CHECK(s->state == 1 || s->state == 2);
    s->state = 0;
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
    struct chat_sink sink = {on_begin, on_participant, on_message, on_attachment, on_end,
                             on_skip,  NULL,           NULL,       &seen};
    struct import_problem fatal;

    if (size == 0 || size > 1 << 20)
        return 0;
    (void)telegram_sniff((const char *)data, size);
    for (int run = 0; run < 2; run++) {
        int rc;

        memset(&seen, 0, sizeof(seen));
        memset(&fatal, 0, sizeof(fatal));
        seen.stop_every = run ? 3 : 0;
        {
            struct chat_options o = {run ? "UTC" : "Europe/Rome", "it"};
            rc = telegram_read_buffer((const char *)data, size, NAME, NULL, &o, &sink, &fatal);
        }
        if (rc < 0) {
            CHECK(rc == PZ_EINVAL);
            CHECK(fatal.file && strcmp(fatal.file, NAME) == 0 && fatal.line >= 1);
            CHECK(seen.conversations == 0);
        } else if (rc == 0) {
            CHECK(seen.state == 0);
        } else {
            CHECK(rc == STOP && seen.messages % 3 == 0);
        }
    }
    return 0;
}
