/*
 * The shared inbox over HTTP (docs/api/openapi.yaml, tag inbox): the list of
 * conversations with its filters and cursor, the sidebar's counts, one
 * conversation, its workflow changes, its messages, notes and replies, and
 * the files of imported attachments. The rules are in src/inbox; this file
 * reads requests and writes answers. Outside consultants read no chats:
 * every route here answers them 403.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/events.h"
#include "core/mem.h"
#include "core/text.h"
#include "inbox/conversation.h"
#include "core/banned.h"

int inbox_staff_only(struct pz_ctx *c)
{
    if (c->who.user.role == ROLE_CONSULTANT) {
        reply_error(c, "auth.forbidden", "outside consultants do not read the company's chats");
        return 0;
    }
    return 1;
}

static void ktime(struct pz_json *j, const char *key, int64_t ms)
{
    char buf[32];
    if (ms < 0) {
        pz_json_knull(j, key);
        return;
    }
    pz_json_kstr(j, key, pz_time_iso(ms, buf, sizeof(buf)));
}

static void kref(struct pz_json *j, const char *key, const struct inbox_ref *r)
{
    pz_json_key(j, key);
    if (!r->id) {
        pz_json_null(j);
        return;
    }
    pz_json_begin_object(j);
    pz_json_kint(j, "id", r->id);
    pz_json_kstr(j, "name", r->name);
    pz_json_end_object(j);
}

/* Writes the conversation object's members (the caller opened the object). */
static void conv_members(struct pz_json *j, const struct inbox_conv *cv)
{
    pz_json_kint(j, "id", cv->id);
    pz_json_kstr(j, "channel", cv->channel);
    pz_json_kstr(j, "title", cv->title);
    pz_json_kbool(j, "is_group", cv->is_group);
    kref(j, "contact", &cv->contact);
    pz_json_kstr(j, "status", cv->status);
    ktime(j, "snoozed_until", strcmp(cv->status, "snoozed") == 0 ? cv->snoozed_until : -1);
    kref(j, "assignee", &cv->assignee);
    kref(j, "team", &cv->team);
    pz_json_kstr(j, "priority", cv->priority);
    pz_json_key(j, "labels");
    pz_json_begin_array(j);
    for (int i = 0; i < cv->n_labels; i++)
        pz_json_str(j, cv->labels[i]);
    pz_json_end_array(j);
    pz_json_kint(j, "message_count", cv->message_count);
    ktime(j, "first_message_at", cv->first_message_at);
    ktime(j, "last_message_at", cv->last_message_at);
    pz_json_key(j, "last_message");
    if (cv->has_last) {
        pz_json_begin_object(j);
        pz_json_kstr(j, "direction", cv->last_direction);
        pz_json_kstr(j, "kind", cv->last_kind);
        pz_json_kstr(j, "sender_name", cv->last_sender[0] ? cv->last_sender : NULL);
        pz_json_kstr(j, "body", cv->last_body);
        pz_json_end_object(j);
    } else {
        pz_json_null(j);
    }
    pz_json_kbool(j, "awaiting_reply", cv->awaiting_reply);
    ktime(j, "first_response_at", cv->first_response_at);
    ktime(j, "resolved_at", cv->resolved_at);
    pz_json_key(j, "sla");
    pz_json_begin_object(j);
    ktime(j, "due_at", cv->sla_due_at);
    pz_json_kbool(j, "breached", cv->sla_breached);
    pz_json_kint_or_null(j, "first_response_minutes", cv->first_response_minutes);
    pz_json_kint_or_null(j, "resolution_minutes", cv->resolution_minutes);
    pz_json_end_object(j);
}

struct conv_list {
    struct pz_json *j;
    int n;
    int64_t last_at, last_id;
};

static void list_one(const struct inbox_conv *cv, void *arg)
{
    struct conv_list *ls = arg;
    pz_json_begin_object(ls->j);
    conv_members(ls->j, cv);
    pz_json_end_object(ls->j);
    ls->n++;
    ls->last_at = cv->last_message_at;
    ls->last_id = cv->id;
}

static int bad_filter(struct pz_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad_filter(struct pz_ctx *c, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    reply_error(c, "inbox.bad_filter", msg);
    return -1;
}

/* Reads query parameter NAME as a positive id into *OUT (0 when absent). */
static int query_id(struct pz_ctx *c, const char *name, int64_t *out)
{
    const char *v = pz_http_query(c->req, name);
    *out = 0;
    if (!v)
        return 0;
    if (pz_parse_int64(v, 1, INT64_MAX, out) < 0)
        return bad_filter(c, "%s must be an id", name);
    return 0;
}

/* "AT:ID": the last conversation of the previous page (AT -1 when it had no messages). */
static int parse_cursor(const char *s, struct inbox_cursor *cur)
{
    const char *colon = s ? strchr(s, ':') : NULL;
    char at[24];

    if (!colon || colon == s || (size_t)(colon - s) >= sizeof(at))
        return -1;
    memcpy(at, s, (size_t)(colon - s));
    at[colon - s] = '\0';
    if (pz_parse_int64(at, -1, INT64_MAX, &cur->at) < 0 ||
        pz_parse_int64(colon + 1, 1, INT64_MAX, &cur->id) < 0)
        return -1;
    return 0;
}

static int read_limit(struct pz_ctx *c, int *limit)
{
    const char *l = pz_http_query(c->req, "limit");
    int64_t v;
    *limit = 50;
    if (!l)
        return 0;
    if (pz_parse_int64(l, 1, INBOX_PAGE_MAX, &v) < 0)
        return bad_filter(c, "%s must be a number from 1 to 200", "limit");
    *limit = (int)v;
    return 0;
}

void h_conversations_list(struct pz_ctx *c)
{
    struct inbox_filter f;
    struct inbox_cursor cur = {0, 0};
    struct conv_list ls = {0};
    const char *v;
    int limit, r;

    if (!inbox_staff_only(c))
        return;
    memset(&f, 0, sizeof(f));
    f.me = c->who.user.id;
    f.now = pz_now_ms();
    if ((v = pz_http_query(c->req, "view"))) {
        if (strcmp(v, "all") == 0)
            f.view = 0;
        else if (strcmp(v, "mine") == 0)
            f.view = 1;
        else if (strcmp(v, "unassigned") == 0)
            f.view = 2;
        else {
            bad_filter(c, "view must be all, mine or unassigned, not '%.60s'", v);
            return;
        }
    }
    if ((v = pz_http_query(c->req, "status")) && inbox_status_parse(v, &f.status) < 0) {
        bad_filter(
            c, "status must be a comma list of open, pending, snoozed, resolved, or all: '%.60s'",
            v);
        return;
    }
    if ((v = pz_http_query(c->req, "channel"))) {
        if (!inbox_channel_valid(v)) {
            bad_filter(c, "unknown channel '%.60s'", v);
            return;
        }
        f.channel = v;
    }
    if ((v = pz_http_query(c->req, "label"))) {
        char key[INBOX_LABEL_CHARS_MAX * 4 + 1];
        struct pz_err err = {0};
        if (inbox_label_key(v, key, sizeof(key), &err) < 0) {
            bad_filter(c, "label must have 1 to %d characters", INBOX_LABEL_CHARS_MAX);
            return;
        }
        f.label = v;
    }
    if ((v = pz_http_query(c->req, "sla"))) {
        if (strcmp(v, "breaching") != 0) {
            bad_filter(c, "sla must be breaching, not '%.60s'", v);
            return;
        }
        f.breaching = 1;
    }
    if (query_id(c, "team", &f.team_id) < 0 || query_id(c, "assignee", &f.assignee_id) < 0 ||
        query_id(c, "contact", &f.contact_id) < 0 || read_limit(c, &limit) < 0)
        return;
    if ((v = pz_http_query(c->req, "cursor")) && *v && parse_cursor(v, &cur) < 0) {
        bad_filter(c, "the cursor '%.60s' is not one this list gave", v);
        return;
    }
    ls.j = reply_begin(c, 200);
    pz_json_begin_object(ls.j);
    pz_json_key(ls.j, "items");
    pz_json_begin_array(ls.j);
    r = inbox_conv_list(c->conn, c->who.workspace.id, &f, &cur, limit, list_one, &ls);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    pz_json_end_array(ls.j);
    pz_json_key(ls.j, "next");
    if (ls.n == limit) {
        char buf[48];
        snprintf(buf, sizeof(buf), "%lld:%lld", (long long)ls.last_at, (long long)ls.last_id);
        pz_json_str(ls.j, buf);
    } else {
        pz_json_null(ls.j);
    }
    pz_json_end_object(ls.j);
    reply_end(c);
}

static void summary_label(const char *name, int64_t count, void *arg)
{
    struct pz_json *j = arg;
    pz_json_begin_object(j);
    pz_json_kstr(j, "name", name);
    pz_json_kint(j, "count", count);
    pz_json_end_object(j);
}

void h_inbox_summary(struct pz_ctx *c)
{
    struct inbox_summary s;
    struct pz_json *j;
    int64_t now = pz_now_ms();
    int r;

    if (!inbox_staff_only(c))
        return;
    r = inbox_summary_get(c->conn, c->who.workspace.id, c->who.user.id, now, &s);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_key(j, "views");
    pz_json_begin_object(j);
    pz_json_kint(j, "mine", s.mine);
    pz_json_kint(j, "unassigned", s.unassigned);
    pz_json_kint(j, "all", s.all);
    pz_json_kint(j, "breaching", s.breaching);
    pz_json_end_object(j);
    pz_json_key(j, "status");
    pz_json_begin_object(j);
    pz_json_kint(j, "open", s.open);
    pz_json_kint(j, "pending", s.pending);
    pz_json_kint(j, "snoozed", s.snoozed);
    pz_json_kint(j, "resolved", s.resolved);
    pz_json_end_object(j);
    pz_json_key(j, "channels");
    pz_json_begin_object(j);
    for (int i = 0; inbox_channels[i]; i++)
        if (s.channels[i])
            pz_json_kint(j, inbox_channels[i], s.channels[i]);
    pz_json_end_object(j);
    pz_json_key(j, "labels");
    pz_json_begin_array(j);
    r = inbox_summary_labels(c->conn, c->who.workspace.id, now, summary_label, j);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    pz_json_end_array(j);
    pz_json_end_object(j);
    reply_end(c);
}

static void participant_one(const struct inbox_participant *p, void *arg)
{
    struct pz_json *j = arg;
    pz_json_begin_object(j);
    pz_json_kint(j, "id", p->id);
    pz_json_kstr(j, "name", p->name);
    pz_json_kstr(j, "handle", p->handle[0] ? p->handle : NULL);
    pz_json_kbool(j, "is_me", p->is_me);
    pz_json_kint_or_null(j, "contact_id", p->contact_id ? p->contact_id : -1);
    pz_json_kint_or_null(j, "user_id", p->user_id ? p->user_id : -1);
    pz_json_end_object(j);
}

/* Answers STATUS with conversation ID and its participants (404 when it is not there). */
static void reply_conversation(struct pz_ctx *c, int status, int64_t id)
{
    struct inbox_conv *cv = xmalloc(sizeof(*cv));
    struct pz_json *j;
    int r = inbox_conv_get(c->conn, c->who.workspace.id, id, pz_now_ms(), cv);

    if (r == PZ_ENOTFOUND) {
        free(cv);
        reply_error(c, "inbox.not_found", NULL);
        return;
    }
    if (r < 0) {
        free(cv);
        reply_internal(c, r);
        return;
    }
    j = reply_begin(c, status);
    pz_json_begin_object(j);
    conv_members(j, cv);
    free(cv);
    pz_json_key(j, "participants");
    pz_json_begin_array(j);
    r = inbox_participants_each(c->conn, c->who.workspace.id, id, participant_one, j);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    pz_json_end_array(j);
    pz_json_end_object(j);
    reply_end(c);
}

/*
 * Tells the workspace's live streams that conversation ID changed (after the change is
 * committed): `conversation.updated` {"conversation_id", "status", "assignee_id", "labels"}
 * as it stands now.
 */
static void announce_conversation(struct pz_ctx *c, int64_t id)
{
    struct inbox_conv *cv = xmalloc(sizeof(*cv));
    struct pz_buf buf;
    struct pz_json j;

    if (inbox_conv_get(c->conn, c->who.workspace.id, id, pz_now_ms(), cv) == 0) {
        pz_buf_init(&buf, PZ_EVENTS_DATA_MAX);
        pz_json_init(&j, &buf);
        pz_json_begin_object(&j);
        pz_json_kint(&j, "conversation_id", id);
        pz_json_kstr(&j, "status", cv->status);
        pz_json_kint_or_null(&j, "assignee_id", cv->assignee.id > 0 ? cv->assignee.id : -1);
        pz_json_key(&j, "labels");
        pz_json_begin_array(&j);
        for (int i = 0; i < cv->n_labels; i++)
            pz_json_str(&j, cv->labels[i]);
        pz_json_end_array(&j);
        pz_json_end_object(&j);
        if (pz_json_error(&j) == 0)
            pz_events_publish(c->who.workspace.id, "conversation.updated", pz_buf_str(&buf));
        pz_buf_release(&buf);
    }
    free(cv);
}

/* Reads path parameter 0 as a conversation id; answers 404 inbox.not_found on junk. */
static int64_t conv_param(struct pz_ctx *c)
{
    int64_t id;
    if (c->match->n_params < 1 || pz_parse_int64(c->match->params[0], 1, INT64_MAX, &id) < 0) {
        reply_error(c, "inbox.not_found", NULL);
        return -1;
    }
    return id;
}

void h_conversations_get(struct pz_ctx *c)
{
    int64_t id;

    if (!inbox_staff_only(c) || (id = conv_param(c)) < 0)
        return;
    reply_conversation(c, 200, id);
}

/* Reads member KEY as an id or null into *OUT (0 for null); *HAS says it was there. */
static int get_id_or_null(json_t *body, const char *key, int *has, int64_t *out)
{
    json_t *v = json_object_get(body, key);
    *has = v != NULL;
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return -1;
    *out = json_integer_value(v);
    return 0;
}

void h_conversations_patch(struct pz_ctx *c)
{
    json_t *body, *v;
    struct inbox_patch p;
    struct pz_err err = {0};
    const char *labels[INBOX_LABELS_MAX];
    int64_t id, now = pz_now_ms();
    int r;

    if (!inbox_staff_only(c) || (id = conv_param(c)) < 0 || !(body = ctx_body(c)))
        return;
    memset(&p, 0, sizeof(p));
    if ((v = json_object_get(body, "status"))) {
        if (!json_is_string(v)) {
            reply_error(c, "inbox.bad_status", NULL);
            return;
        }
        p.has_status = 1;
        p.status = json_string_value(v);
    }
    if ((v = json_object_get(body, "snoozed_until"))) {
        p.has_snoozed_until = 1;
        p.snoozed_until = -1;
        if (!json_is_null(v) &&
            (!json_is_string(v) || pz_time_parse_iso(json_string_value(v), &p.snoozed_until) < 0)) {
            reply_error(c, "inbox.snooze_needs_time",
                        "snoozed_until must be a time such as 2026-11-24T09:00:00Z, or null");
            return;
        }
    }
    if (get_id_or_null(body, "assignee_id", &p.has_assignee, &p.assignee_id) < 0) {
        reply_error(c, "inbox.bad_assignee", "assignee_id must be a user id or null");
        return;
    }
    if (get_id_or_null(body, "team_id", &p.has_team, &p.team_id) < 0) {
        reply_error(c, "inbox.bad_team", "team_id must be a team id or null");
        return;
    }
    if ((v = json_object_get(body, "priority"))) {
        if (!json_is_string(v)) {
            reply_error(c, "inbox.bad_priority", NULL);
            return;
        }
        p.has_priority = 1;
        p.priority = json_string_value(v);
    }
    if ((v = json_object_get(body, "labels"))) {
        size_t i;
        json_t *item;
        if (!json_is_array(v) || json_array_size(v) > INBOX_LABELS_MAX) {
            reply_error(c, "inbox.bad_label", "labels must be a list of at most 32 names");
            return;
        }
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item)) {
                reply_error(c, "inbox.bad_label", "every label must be a name");
                return;
            }
            labels[i] = json_string_value(item);
        }
        p.has_labels = 1;
        p.labels = labels;
        p.n_labels = json_array_size(v);
    }
    r = inbox_conv_patch(c->conn, c->who.workspace.id, id, &p, now, &err);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "inbox.not_found", NULL);
        return;
    }
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    announce_conversation(c, id);
    reply_conversation(c, 200, id);
}

/* ---- messages ---- */

static void attachment_one(const struct inbox_attachment *a, void *arg)
{
    struct pz_json *j = arg;
    pz_json_begin_object(j);
    pz_json_kint(j, "id", a->id);
    pz_json_kstr(j, "name", a->name);
    pz_json_kstr(j, "mime_type", a->mime_type);
    pz_json_kint_or_null(j, "size", a->size);
    if (a->stored_path[0]) {
        char url[64];
        snprintf(url, sizeof(url), "/api/v1/attachments/%lld", (long long)a->id);
        pz_json_kstr(j, "url", url);
    } else {
        pz_json_knull(j, "url");
    }
    pz_json_end_object(j);
}

struct msg_writer {
    struct pz_ctx *c;
    struct pz_json *j;
    int failed;
};

static void message_write(struct pz_ctx *c, struct pz_json *j, const struct inbox_message *m,
                          int *failed)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "id", m->id);
    pz_json_kstr(j, "direction", m->direction);
    pz_json_kstr(j, "kind", m->kind);
    pz_json_kstr(j, "body", m->body);
    ktime(j, "sent_at", m->sent_at);
    pz_json_kstr(j, "local_time", m->local_time[0] ? m->local_time : NULL);
    pz_json_kstr(j, "time_zone", m->time_zone[0] ? m->time_zone : NULL);
    pz_json_key(j, "sender");
    if (m->has_sender) {
        pz_json_begin_object(j);
        pz_json_kstr(j, "name", m->sender_name);
        pz_json_kint_or_null(j, "participant_id", m->participant_id ? m->participant_id : -1);
        pz_json_kint_or_null(j, "contact_id", m->sender_contact_id ? m->sender_contact_id : -1);
        pz_json_end_object(j);
    } else {
        pz_json_null(j);
    }
    kref(j, "author", &m->author);
    pz_json_kbool(j, "sent_outside", m->sent_outside);
    pz_json_kbool(j, "edited", m->edited);
    pz_json_kbool(j, "deleted", m->deleted);
    pz_json_kint_or_null(j, "reply_to_id", m->reply_to_id ? m->reply_to_id : -1);
    pz_json_key(j, "attachments");
    pz_json_begin_array(j);
    if (inbox_attachments_each(c->conn, c->who.workspace.id, m->id, attachment_one, j) < 0)
        *failed = 1;
    pz_json_end_array(j);
    pz_json_end_object(j);
}

static void message_one(const struct inbox_message *m, void *arg)
{
    struct msg_writer *w = arg;
    message_write(w->c, w->j, m, &w->failed);
}

void h_messages_list(struct pz_ctx *c)
{
    struct inbox_cursor cur = {0, 0};
    struct msg_writer w = {c, NULL, 0};
    const char *v;
    int64_t id, oldest_at, oldest_id;
    int limit, more, r;

    if (!inbox_staff_only(c) || (id = conv_param(c)) < 0 || read_limit(c, &limit) < 0)
        return;
    if ((v = pz_http_query(c->req, "cursor")) && *v && parse_cursor(v, &cur) < 0) {
        bad_filter(c, "the cursor '%.60s' is not one this list gave", v);
        return;
    }
    w.j = reply_begin(c, 200);
    pz_json_begin_object(w.j);
    pz_json_key(w.j, "items");
    pz_json_begin_array(w.j);
    r = inbox_messages_page(c->conn, c->who.workspace.id, id, cur.at, cur.id, limit, message_one,
                            &w, &more, &oldest_at, &oldest_id);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "inbox.not_found", NULL);
        return;
    }
    if (r < 0 || w.failed) {
        reply_internal(c, r < 0 ? r : PZ_EDB);
        return;
    }
    pz_json_end_array(w.j);
    pz_json_key(w.j, "next");
    if (more) {
        char buf[48];
        snprintf(buf, sizeof(buf), "%lld:%lld", (long long)oldest_at, (long long)oldest_id);
        pz_json_str(w.j, buf);
    } else {
        pz_json_null(w.j);
    }
    pz_json_end_object(w.j);
    reply_end(c);
}

void h_messages_create(struct pz_ctx *c)
{
    json_t *body, *kind, *text;
    struct pz_err err = {0};
    struct inbox_message m = {0};
    struct pz_json *j;
    int64_t conv, id = 0;
    int failed = 0, r;

    if (!inbox_staff_only(c) || (conv = conv_param(c)) < 0 || !(body = ctx_body(c)))
        return;
    kind = json_object_get(body, "kind");
    text = json_object_get(body, "body");
    if (!kind || !json_is_string(kind)) {
        reply_error(c, "inbox.bad_kind", NULL);
        return;
    }
    if (text && !json_is_string(text) && !json_is_null(text)) {
        reply_error(c, "inbox.empty_body", "body must be text");
        return;
    }
    r = inbox_message_post(c->conn, c->who.workspace.id, conv, c->who.user.id,
                           json_string_value(kind), text ? json_string_value(text) : NULL,
                           pz_now_ms(), &id, &err);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "inbox.not_found", NULL);
        return;
    }
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r == 0)
        r = inbox_message_get(c->conn, c->who.workspace.id, id, &m);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    {
        char data[160];
        snprintf(data, sizeof(data),
                 "{\"conversation_id\":%lld,\"message_id\":%lld,\"direction\":\"%s\"}",
                 (long long)conv, (long long)id, m.direction);
        pz_events_publish(c->who.workspace.id, "message.created", data);
        /* A reply or note changes the conversation too (first response, last message). */
        announce_conversation(c, conv);
    }
    j = reply_begin(c, 201);
    message_write(c, j, &m, &failed);
    inbox_message_release(&m);
    if (failed) {
        reply_internal(c, PZ_EDB);
        return;
    }
    reply_end(c);
}

/* ---- attachment files ---- */

struct file_stream {
    int fd;
};

static long file_read(void *arg, char *buf, size_t max)
{
    struct file_stream *fs = arg;
    ssize_t n = read(fs->fd, buf, max);
    return n < 0 ? -1 : (long)n;
}

static void file_free(void *arg)
{
    struct file_stream *fs = arg;
    close(fs->fd);
    free(fs);
}

/* A Content-Disposition naming NAME: an ASCII fallback and the UTF-8 name (RFC 6266). */
static char *disposition(struct pz_ctx *c, const char *name)
{
    char ascii[128], enc[1024];
    size_t a = 0, e = 0;

    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        unsigned char ch = *p;
        int plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
        if (a + 1 < sizeof(ascii))
            ascii[a++] = plain ? (char)ch : '_';
        if (e + 4 < sizeof(enc)) {
            if (plain) {
                enc[e++] = (char)ch;
            } else {
                static const char hex[] = "0123456789ABCDEF";
                enc[e++] = '%';
                enc[e++] = hex[ch >> 4];
                enc[e++] = hex[ch & 15];
            }
        }
    }
    ascii[a] = '\0';
    enc[e] = '\0';
    if (!a)
        return pz_arena_strdup(&c->req->arena, "attachment");
    return pz_arena_printf(&c->req->arena, "attachment; filename=\"%s\"; filename*=UTF-8''%s",
                           ascii, enc);
}

void h_attachments_get(struct pz_ctx *c)
{
    struct inbox_attachment a;
    struct file_stream *fs;
    struct stat st;
    char path[4400];
    int64_t id;
    int r, fd;

    if (!inbox_staff_only(c) || (id = ctx_param_id(c, 0)) < 0)
        return;
    r = inbox_attachment_get(c->conn, c->who.workspace.id, id, &a);
    if (r < 0 && r != PZ_ENOTFOUND) {
        reply_internal(c, r);
        return;
    }
    /* The writer names files attachments/xx/SHA256; anything else is not served. */
    if (r == PZ_ENOTFOUND || !a.stored_path[0] || !c->api->data_dir[0] ||
        !pz_str_starts(a.stored_path, "attachments/") || strstr(a.stored_path, "..")) {
        reply_error(c, "not_found", "the export did not include this file");
        return;
    }
    snprintf(path, sizeof(path), "%s/%s", c->api->data_dir, a.stored_path);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        reply_error(c, "not_found", "the file of this attachment is missing from the data folder");
        return;
    }
    fs = xmalloc(sizeof(*fs));
    fs->fd = fd;
    c->req->status = 200;
    c->req->content_type =
        pz_arena_strdup(&c->req->arena, a.mime_type[0] ? a.mime_type : "application/octet-stream");
    pz_buf_reset(&c->req->out);
    pz_http_add_header(c->req, "Content-Disposition", disposition(c, a.name));
    c->req->stream = file_read;
    c->req->stream_free = file_free;
    c->req->stream_arg = fs;
}
