/*
 * The shared driver of the chat readers' libFuzzer targets (fuzz_telegram,
 * fuzz_messenger, fuzz_xarchive, fuzz_linkedin_messages, fuzz_email). A
 * target describes what its reader may hand out (struct fuzz_chat), says how
 * to read an input (its READ function, called twice: run 0 reads to the end,
 * run 1 stops at every 3rd message) and calls fuzz_chat_run. Everything the
 * reader hands out is checked against the chat sink's contract (chat.h):
 *
 *  - the result is 0, a refusal (PZ_EINVAL) with the file named and a line,
 *    or the value the sink returned to stop;
 *  - calls come in order: each conversation begins, has participants and
 *    messages each followed by its attachments, and ends before the next;
 *  - every string is well-formed UTF-8 and text_len is its length; times,
 *    lines and senders as the target says; skipped records come with a line
 *    and a message.
 *
 * Not a target itself (targets are tests/fuzz/fuzz_*.c): included by them.
 */
#ifndef PZ_FUZZ_CHAT_FUZZ_H
#define PZ_FUZZ_CHAT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "import/chat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum fuzz_attachments {
    FUZZ_ATT_NONE,    /* the format has none */
    FUZZ_ATT_NO_FILE, /* named only: no folder beside a buffer */
    FUZZ_ATT_BYTES,   /* carried in the input: read to the end, their size right */
};

enum fuzz_sender {
    FUZZ_SENDER_ANY,         /* none must */
    FUZZ_SENDER_BUT_NOTICES, /* all but system notices */
    FUZZ_SENDER_ALWAYS,      /* all */
};

/* What a reader promises beyond the sink's contract (struct fuzz_chat's flags). */
enum {
    FUZZ_ONE_CONVERSATION = 1 << 0,    /* a file read to the end is exactly one conversation */
    FUZZ_UNIQUE_KEYS = 1 << 1,         /* no key is begun twice */
    FUZZ_LINES_FROM_1 = 1 << 2,        /* messages and skipped records have a line (else >= 0) */
    FUZZ_SOURCE_ID = 1 << 3,           /* every message has the source's id */
    FUZZ_IDENTITY_REQUIRED = 1 << 4,   /* every participant carries the identity kind */
    FUZZ_KEY_HAS_AT = 1 << 5,          /* participants' keys are addresses */
    FUZZ_END_AFTER_MESSAGE = 1 << 6,   /* a conversation has a message before it ends */
    FUZZ_REFUSE_BEFORE_BEGIN = 1 << 7, /* a refusal comes before any conversation began */
    FUZZ_REFUSE_ON_LINE_1 = 1 << 8,    /* a refusal names line 1 (else any from 1) */
};

struct fuzz_chat {
    const char *target;   /* "fuzz_telegram": names the failed check */
    const char *name;     /* the file name the reader is given */
    const char *channel;  /* every conversation's channel */
    const char *identity; /* the identity kind participants may carry, NULL none */
    unsigned flags;       /* FUZZ_* above */
    int64_t min_sent_at;  /* messages' times are at least this */
    enum fuzz_sender sender;
    enum fuzz_attachments attachments;
};

#define FUZZ_STOP     77
#define FUZZ_KEYS_MAX 64

struct fuzz_seen {
    const struct fuzz_chat *spec;
    int state; /* 0 outside a conversation, 1 begun, 2 after a message */
    int conversations, messages, stop_every;
    uint64_t keys[FUZZ_KEYS_MAX];
};

#define FUZZ_CHECK(spec, cond)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s: check failed at line %d: %s\n", (spec)->target, __LINE__, #cond); \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void fuzz_check_str(const struct fuzz_chat *spec, const char *s)
{
    FUZZ_CHECK(spec, s != NULL);
    FUZZ_CHECK(spec, pz_utf8_valid(s, strlen(s)));
}

static int fuzz_on_begin(const struct chat_conversation *c, void *arg)
{
    struct fuzz_seen *s = arg;
    const struct fuzz_chat *spec = s->spec;
    uint64_t h;

    FUZZ_CHECK(spec, s->state == 0);
    s->state = 1;
    FUZZ_CHECK(spec, strcmp(c->channel, spec->channel) == 0);
    FUZZ_CHECK(spec, c->key && c->key[0]);
    fuzz_check_str(spec, c->key);
    fuzz_check_str(spec, c->title);
    FUZZ_CHECK(spec, c->is_group == 0 || c->is_group == 1);
    h = pz_fnv1a64(c->key, strlen(c->key));
    for (int i = 0; (spec->flags & FUZZ_UNIQUE_KEYS) && i < s->conversations && i < FUZZ_KEYS_MAX;
         i++)
        FUZZ_CHECK(spec, s->keys[i] != h);
    if (s->conversations < FUZZ_KEYS_MAX)
        s->keys[s->conversations] = h;
    s->conversations++;
    return 0;
}

static int fuzz_on_participant(const struct chat_participant *p, void *arg)
{
    struct fuzz_seen *s = arg;
    const struct fuzz_chat *spec = s->spec;

    FUZZ_CHECK(spec, s->state == 1 || s->state == 2);
    FUZZ_CHECK(spec, p->key && p->key[0]);
    FUZZ_CHECK(spec, !(spec->flags & FUZZ_KEY_HAS_AT) || strchr(p->key, '@'));
    fuzz_check_str(spec, p->key);
    fuzz_check_str(spec, p->name);
    if ((spec->flags & FUZZ_IDENTITY_REQUIRED))
        FUZZ_CHECK(spec, p->identity_kind != NULL);
    if (p->identity_kind) {
        FUZZ_CHECK(spec, spec->identity && strcmp(p->identity_kind, spec->identity) == 0);
        fuzz_check_str(spec, p->identity_value);
    }
    return 0;
}

static int fuzz_on_message(const struct chat_message *m, void *arg)
{
    struct fuzz_seen *s = arg;
    const struct fuzz_chat *spec = s->spec;

    FUZZ_CHECK(spec, s->state == 1 || s->state == 2);
    s->state = 2;
    FUZZ_CHECK(spec, m->file && strcmp(m->file, spec->name) == 0);
    FUZZ_CHECK(spec, m->line >= ((spec->flags & FUZZ_LINES_FROM_1) ? 1 : 0));
    FUZZ_CHECK(spec, !(spec->flags & FUZZ_SOURCE_ID) || m->source_id != NULL);
    FUZZ_CHECK(spec, m->sent_at >= spec->min_sent_at);
    FUZZ_CHECK(spec, spec->sender == FUZZ_SENDER_ANY ||
                         (spec->sender == FUZZ_SENDER_BUT_NOTICES && m->kind == CHAT_SYSTEM) ||
                         (m->sender_key && m->sender_key[0]));
    FUZZ_CHECK(spec, m->text != NULL && strlen(m->text) == m->text_len);
    FUZZ_CHECK(spec, m->text_len == 0 || pz_utf8_valid(m->text, m->text_len));
    FUZZ_CHECK(spec, m->text_len <= CHAT_TEXT_MAX);
    FUZZ_CHECK(spec, m->kind == CHAT_TEXT || m->kind == CHAT_SYSTEM || m->kind == CHAT_MEDIA);
    if (m->sender_key)
        fuzz_check_str(spec, m->sender_key);
    if (m->sender_name)
        fuzz_check_str(spec, m->sender_name);
    if (m->source_id)
        fuzz_check_str(spec, m->source_id);
    if (m->reply_to_source_id)
        fuzz_check_str(spec, m->reply_to_source_id);
    if (m->local_time)
        FUZZ_CHECK(spec, strlen(m->local_time) == 19);
    s->messages++;
    return s->stop_every && s->messages % s->stop_every == 0 ? FUZZ_STOP : 0;
}

static int fuzz_on_attachment(const struct chat_attachment *a, void *arg)
{
    struct fuzz_seen *s = arg;
    const struct fuzz_chat *spec = s->spec;
    char buf[4096];
    long n, total = 0;

    FUZZ_CHECK(spec, spec->attachments != FUZZ_ATT_NONE);
    FUZZ_CHECK(spec, s->state == 2);
    fuzz_check_str(spec, a->name);
    FUZZ_CHECK(spec, strchr(a->name, '\n') == NULL);
    if (spec->attachments == FUZZ_ATT_NO_FILE) {
        FUZZ_CHECK(spec, a->read == NULL);
        FUZZ_CHECK(spec, a->size == -1);
    } else {
        FUZZ_CHECK(spec, a->read != NULL);
        while ((n = a->read(a->ctx, buf, sizeof(buf))) > 0)
            total += n;
        FUZZ_CHECK(spec, n == 0 && total == a->size);
    }
    return 0;
}

static int fuzz_on_end(void *arg)
{
    struct fuzz_seen *s = arg;
    const struct fuzz_chat *spec = s->spec;

    FUZZ_CHECK(spec, s->state == 2 || (s->state == 1 && !(spec->flags & FUZZ_END_AFTER_MESSAGE)));
    s->state = 0;
    return 0;
}

static void fuzz_on_skip(const struct import_problem *p, void *arg)
{
    const struct fuzz_seen *s = arg;
    const struct fuzz_chat *spec = s->spec;

    FUZZ_CHECK(spec, p->file && strcmp(p->file, spec->name) == 0);
    FUZZ_CHECK(spec, p->line >= ((spec->flags & FUZZ_LINES_FROM_1) ? 1 : 0));
    FUZZ_CHECK(spec, memchr(p->message, '\0', sizeof(p->message)) != NULL);
    FUZZ_CHECK(spec, p->message[0] != '\0');
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pz_log_set_level(PZ_LOG_OFF);
    return 0;
}

/* DATA as a stream (for the readers that take a FILE *): never NULL. */
static inline FILE *fuzz_stream(const struct fuzz_chat *spec, const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "rb");

    FUZZ_CHECK(spec, f != NULL);
    return f;
}

/* Reads DATA for run RUN (0 or 1) into SINK; returns as a chat reader. */
typedef int (*fuzz_read_fn)(const uint8_t *data, size_t size, int run, const struct chat_sink *sink,
                            struct import_problem *fatal);

static void fuzz_chat_run(const struct fuzz_chat *spec, const uint8_t *data, size_t size,
                          fuzz_read_fn read)
{
    struct fuzz_seen seen;
    struct chat_sink sink = {fuzz_on_begin,
                             fuzz_on_participant,
                             fuzz_on_message,
                             fuzz_on_attachment,
                             fuzz_on_end,
                             fuzz_on_skip,
                             NULL,
                             NULL,
                             &seen};
    struct import_problem fatal;

    for (int run = 0; run < 2; run++) {
        int rc;

        memset(&seen, 0, sizeof(seen));
        memset(&fatal, 0, sizeof(fatal));
        seen.spec = spec;
        seen.stop_every = run ? 3 : 0;
        rc = read(data, size, run, &sink, &fatal);
        if (rc < 0) {
            FUZZ_CHECK(spec, rc == PZ_EINVAL);
            FUZZ_CHECK(spec, fatal.file && strcmp(fatal.file, spec->name) == 0);
            FUZZ_CHECK(spec,
                       (spec->flags & FUZZ_REFUSE_ON_LINE_1) ? fatal.line == 1 : fatal.line >= 1);
            FUZZ_CHECK(spec, !(spec->flags & FUZZ_REFUSE_BEFORE_BEGIN) || seen.conversations == 0);
            FUZZ_CHECK(spec, !(spec->flags & FUZZ_ONE_CONVERSATION) || seen.conversations <= 1);
        } else if (rc == 0) {
            FUZZ_CHECK(spec, seen.state == 0);
            FUZZ_CHECK(spec, !(spec->flags & FUZZ_ONE_CONVERSATION) || seen.conversations == 1);
        } else {
            FUZZ_CHECK(spec, rc == FUZZ_STOP && seen.messages % 3 == 0);
        }
    }
}

#endif
