/*
 * Import jobs as rows. See import_job.h.
 */
#include "jobs/import_job.h"

#include <inttypes.h>
#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/events.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/banned.h"

#define JOB_COLUMNS                                                                                \
    "SELECT id, workspace_id, kind, COALESCE(format, ''), status, progress_unit,"                  \
    " progress_done, progress_total, COALESCE(created_by, 0), created_at, updated_at,"             \
    " COALESCE(finished_at, -1), files, preview, options, summary, error FROM import_jobs"

void import_job_release(struct import_job *job)
{
    if (!job)
        return;
    free(job->files);
    free(job->preview);
    free(job->options);
    free(job->summary);
    free(job->error);
    job->files = job->preview = job->options = job->summary = job->error = NULL;
}

int import_job_finished(const char *status)
{
    return strcmp(status, "done") == 0 || strcmp(status, "failed") == 0 ||
           strcmp(status, "discarded") == 0;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void read_job(struct pz_stmt *st, struct import_job *job)
{
    const char *t;

    memset(job, 0, sizeof(*job));
    job->id = pz_sql_int(st, 0);
    job->workspace_id = pz_sql_int(st, 1);
    snprintf(job->kind, sizeof(job->kind), "%s", (t = pz_sql_text(st, 2)) ? t : "");
    snprintf(job->format, sizeof(job->format), "%s", (t = pz_sql_text(st, 3)) ? t : "");
    snprintf(job->status, sizeof(job->status), "%s", (t = pz_sql_text(st, 4)) ? t : "");
    snprintf(job->progress_unit, sizeof(job->progress_unit), "%s",
             (t = pz_sql_text(st, 5)) ? t : "");
    job->progress_done = pz_sql_int(st, 6);
    job->progress_total = pz_sql_int(st, 7);
    job->created_by = pz_sql_int(st, 8);
    job->created_at = pz_sql_int(st, 9);
    job->updated_at = pz_sql_int(st, 10);
    job->finished_at = pz_sql_int(st, 11);
    job->files = xstrdup((t = pz_sql_text(st, 12)) ? t : "[]");
    job->preview = dup_or_null(pz_sql_text(st, 13));
    job->options = dup_or_null(pz_sql_text(st, 14));
    job->summary = dup_or_null(pz_sql_text(st, 15));
    job->error = dup_or_null(pz_sql_text(st, 16));
}

int import_job_create(struct pz_conn *conn, int64_t ws, int64_t user_id, const char *kind,
                      const char *format, const char *files, int64_t *id)
{
    struct pz_stmt *st = pz_sql(conn, "INSERT INTO import_jobs (workspace_id, kind, format, files,"
                                      " created_by, created_at, updated_at)"
                                      " VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, kind);
    pz_sql_bind_text(st, 3, format && *format ? format : NULL);
    pz_sql_bind_text(st, 4, files);
    if (user_id > 0)
        pz_sql_bind_int(st, 5, user_id);
    else
        pz_sql_bind_null(st, 5);
    pz_sql_bind_int(st, 6, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        *id = pz_sql_int(st, 0);
    pz_sql_done(st);
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

int import_job_get(struct pz_conn *conn, int64_t ws, int64_t id, struct import_job *out)
{
    struct pz_stmt *st = pz_sql(conn, JOB_COLUMNS " WHERE workspace_id = $1 AND id = $2");
    int r;

    memset(out, 0, sizeof(*out));
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_job(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

static int each(struct pz_stmt *st, void (*fn)(const struct import_job *job, void *arg), void *arg)
{
    struct import_job job;
    int r;

    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_job(st, &job);
        fn(&job, arg);
        import_job_release(&job);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int import_job_list(struct pz_conn *conn, int64_t ws, int64_t before_id, int limit,
                    void (*fn)(const struct import_job *job, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, JOB_COLUMNS " WHERE workspace_id = $1"
                                                  " AND ($2 = 0 OR id < $2) ORDER BY id DESC"
                                                  " LIMIT $3");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, before_id);
    pz_sql_bind_int(st, 3, limit);
    return each(st, fn, arg);
}

int import_job_next(struct pz_conn *conn, int64_t *ws, int64_t *id)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT workspace_id, id FROM import_jobs"
                                      " WHERE status IN ('parsing', 'importing')"
                                      " ORDER BY updated_at, id LIMIT 1");
    int r;

    if (!st)
        return PZ_EDB;
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        *ws = pz_sql_int(st, 0);
        *id = pz_sql_int(st, 1);
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

void import_job_announce(int64_t ws, int64_t id, const char *status, int percent)
{
    struct pz_buf buf;
    struct pz_json j;

    pz_buf_init(&buf, 256);
    pz_json_init(&j, &buf);
    pz_json_begin_object(&j);
    pz_json_kint(&j, "import_id", id);
    pz_json_kstr(&j, "state", status);
    pz_json_kint(&j, "percent", percent < 0 ? 0 : percent > 100 ? 100 : percent);
    pz_json_end_object(&j);
    if (pz_json_error(&j) == 0)
        pz_events_publish(ws, "import.progress", pz_buf_str(&buf));
    pz_buf_release(&buf);
}

void import_job_announce_chats(int64_t ws, int64_t id, const char *summary)
{
    json_t *v = summary ? json_loads(summary, 0, NULL) : NULL;
    int64_t conversations = json_integer_value(json_object_get(v, "conversations"));
    int64_t messages = json_integer_value(json_object_get(v, "messages"));
    char data[200];

    json_decref(v);
    if (messages <= 0 && conversations <= 0)
        return;
    snprintf(data, sizeof(data),
             "{\"conversation_id\":null,\"import_id\":%" PRId64 ",\"conversations\":%" PRId64
             ",\"messages\":%" PRId64 "}",
             id, conversations, messages);
    if (conversations > 0)
        pz_events_publish(ws, "conversation.created", data);
    if (messages > 0)
        pz_events_publish(ws, "message.created", data);
}

int import_job_move(struct pz_conn *conn, int64_t ws, int64_t id, const char *from, const char *to,
                    const struct import_job_change *ch)
{
    static const struct import_job_change none = {NULL, 0, 0, NULL, NULL, NULL, NULL};
    struct pz_stmt *st;
    int64_t now = pz_now_ms();
    int r;

    if (!ch)
        ch = &none;
    st = pz_sql(conn, "UPDATE import_jobs SET status = $4, updated_at = $5,"
                      " finished_at = CASE WHEN $6 = 1 THEN $5 ELSE finished_at END,"
                      " progress_unit = COALESCE($7, progress_unit),"
                      " progress_done = CASE WHEN $7 IS NULL THEN progress_done ELSE $8 END,"
                      " progress_total = CASE WHEN $7 IS NULL THEN progress_total ELSE $9 END,"
                      " preview = COALESCE($10, preview), options = COALESCE($11, options),"
                      " summary = COALESCE($12, summary), error = COALESCE($13, error)"
                      " WHERE workspace_id = $1 AND id = $2 AND status = $3");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_text(st, 3, from);
    pz_sql_bind_text(st, 4, to);
    pz_sql_bind_int(st, 5, now);
    pz_sql_bind_int(st, 6, import_job_finished(to));
    pz_sql_bind_text(st, 7, ch->unit);
    pz_sql_bind_int(st, 8, ch->done);
    pz_sql_bind_int(st, 9, ch->total);
    pz_sql_bind_text(st, 10, ch->preview);
    pz_sql_bind_text(st, 11, ch->options);
    pz_sql_bind_text(st, 12, ch->summary);
    pz_sql_bind_text(st, 13, ch->error);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return pz_sql_changes(conn) > 0 ? 0 : PZ_ENOTFOUND;
}

int import_job_fail_unfinished(struct pz_conn *conn, const char *message, int64_t *n)
{
    struct pz_stmt *st = pz_sql(conn, "UPDATE import_jobs SET status = 'failed', error = $1,"
                                      " updated_at = $2, finished_at = $2"
                                      " WHERE status IN ('parsing', 'importing')");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, message);
    pz_sql_bind_int(st, 2, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (n)
        *n = pz_sql_changes(conn);
    return 0;
}

int import_job_each_open(struct pz_conn *conn, void (*fn)(const struct import_job *job, void *arg),
                         void *arg)
{
    struct pz_stmt *st =
        pz_sql(conn, JOB_COLUMNS " WHERE status IN ('parsing', 'ready', 'importing') ORDER BY id");
    if (!st)
        return PZ_EDB;
    return each(st, fn, arg);
}
