/*
 * A chat sink for reader tests: renders everything a chat reader (chat.h)
 * hands out (conversations, participants, messages with their UTC and
 * local times, attachments with their bytes counted, skipped records, notes,
 * refusals) as lines of text, so a test compares one string with the
 * expectation written out by hand from the file. Included by the test files
 * of the readers that chat_read dispatches to.
 */
#ifndef PZ_TEST_CHAT_RENDER_H
#define PZ_TEST_CHAT_RENDER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/text.h"
#include "import/chat.h"

struct render {
    struct pz_buf out;
    int messages, stop_after;
};

static void render_text(struct pz_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            pz_buf_addstr(b, "\\n");
        else if (s[i] == '\r')
            pz_buf_addstr(b, "\\r");
        else
            pz_buf_addch(b, s[i]);
    }
}

static int render_begin(const struct chat_conversation *c, void *arg)
{
    struct render *r = arg;
    pz_buf_printf(&r->out, "conv %s key=%s title=%s group=%d\n", c->channel, c->key, c->title,
                  c->is_group);
    return 0;
}

static int render_participant(const struct chat_participant *p, void *arg)
{
    struct render *r = arg;
    pz_buf_printf(&r->out, "part %s name=%s", p->key, p->name ? p->name : "-");
    if (p->identity_kind)
        pz_buf_printf(&r->out, " %s=%s", p->identity_kind, p->identity_value);
    if (p->is_me)
        pz_buf_addstr(&r->out, " me");
    pz_buf_addch(&r->out, '\n');
    return 0;
}

static int render_message(const struct chat_message *m, void *arg)
{
    struct render *r = arg;
    static const char *const kinds[] = {"text", "system", "media"};
    static const char *const dirs[] = {"", " in", " out"};
    char iso[32];

    if (!pz_utf8_valid(m->text, m->text_len) || strlen(m->text) != m->text_len)
        pz_buf_addstr(&r->out, "BAD TEXT ");
    pz_time_iso(m->sent_at, iso, sizeof(iso));
    pz_buf_printf(&r->out, "@%ld %s %s (%s %s) %s%s%s%s", m->line, kinds[m->kind], iso,
                  m->local_time ? m->local_time : "-", m->time_zone ? m->time_zone : "-",
                  m->sender_key ? m->sender_key : "-", dirs[m->direction],
                  m->edited ? " edited" : "", m->deleted ? " deleted" : "");
    if (m->source_id)
        pz_buf_printf(&r->out, " id=%s", m->source_id);
    if (m->reply_to_source_id)
        pz_buf_printf(&r->out, " re=%s", m->reply_to_source_id);
    pz_buf_addstr(&r->out, ": ");
    render_text(&r->out, m->text, m->text_len);
    pz_buf_addch(&r->out, '\n');
    r->messages++;
    return r->stop_after && r->messages == r->stop_after ? 9 : 0;
}

static int render_attachment(const struct chat_attachment *a, void *arg)
{
    struct render *r = arg;
    char buf[4096];
    long n = 0, total = 0;

    pz_buf_printf(&r->out, " + %s %s", a->name[0] ? a->name : "(no name)",
                  a->mime_type ? a->mime_type : chat_mime_type(a->name));
    if (a->read) {
        while ((n = a->read(a->ctx, buf, sizeof(buf))) > 0)
            total += n;
        pz_buf_printf(&r->out, " file %ld bytes%s", total,
                      n == 0 && total == a->size ? "" : " SIZE OR READ WRONG");
    }
    pz_buf_addch(&r->out, '\n');
    return 0;
}

static int render_end(void *arg)
{
    struct render *r = arg;
    pz_buf_addstr(&r->out, "end\n");
    return 0;
}

static void render_skip(const struct import_problem *p, void *arg)
{
    struct render *r = arg;
    pz_buf_printf(&r->out, "!%ld %s\n", p->line, p->message);
}

static void render_note(const char *file, const char *message, void *arg)
{
    struct render *r = arg;
    (void)file;
    pz_buf_printf(&r->out, "note %s\n", message);
}

/* What FORMAT's reader (NULL: detected) makes of PATH; the caller frees it. */
static char *render_file(const char *format, const char *path, int stop_after, int *rc_out)
{
    struct render r;
    struct chat_sink sink = {render_begin,
                             render_participant,
                             render_message,
                             render_attachment,
                             render_end,
                             render_skip,
                             render_note,
                             NULL,
                             &r};
    struct chat_options o = {"Europe/Rome", "it"};
    struct import_problem fatal;
    int rc;

    memset(&r, 0, sizeof(r));
    r.stop_after = stop_after;
    memset(&fatal, 0, sizeof(fatal));
    pz_buf_init(&r.out, 1 << 22);
    pz_buf_addstr(&r.out, "");
    rc = chat_read(format, path, &o, &sink, &fatal);
    if (rc < 0)
        pz_buf_printf(&r.out, "=%ld: %s\n", fatal.line, fatal.message);
    *rc_out = rc;
    return pz_buf_detach(&r.out, NULL);
}

#endif
