/*
 * Imports over HTTP, as jobs: an upload (multipart/form-data, one or more
 * files and an optional format) becomes an import job that the job runner
 * reads in the background as a dry run; the caller watches its progress,
 * reads the preview, and confirms (the real import) or discards it. The
 * files stream to the upload folder as they arrive, under names the server
 * makes, and are deleted when the job ends or the upload fails. The work
 * lives in src/jobs; this file only reads requests and writes answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/user.h"
#include "api/api.h"
#include "core/log.h"
#include "core/text.h"
#include "import/chat.h"
#include "import/detect.h"
#include "jobs/chat_job.h"
#include "jobs/import_job.h"
#include "jobs/job_runner.h"
#include "import/problems.h"
#include "core/banned.h"

#define UPLOAD_MAX_FILES 20
#define FILE_NAME_MAX    200
#define FIELD_MAX        32

struct upload_file {
    char name[FILE_NAME_MAX + 1]; /* as the client called it, tidied */
    char stored[33];              /* the server's name for it */
    int64_t size;
    int fd;
};

/* An upload while its body streams; freed with the request. */
struct upload {
    char dir[4096];
    struct upload_file files[UPLOAD_MAX_FILES];
    int n_files;
    struct upload_file *cur; /* the file being written, or NULL */
    char format[FIELD_MAX + 1], kind[FIELD_MAX + 1];
    size_t format_len, kind_len;
    const char *long_field; /* a field past FIELD_MAX, or NULL */
    char cur_client_name[256];
    const char *error; /* an error code that refuses the upload */
    int kept;          /* the files belong to a job now */
};

/* --- the upload ---------------------------------------------------------------------------- */

/*
 * The client's file name as users will see it: its last path component
 * (browsers on Windows once sent whole paths), control characters as
 * spaces, cut at a character boundary; "file N" when nothing is left.
 */
static void tidy_name(const char *in, int n, char *out, size_t outsz)
{
    const char *base = in ? in : "";
    size_t len, o = 0;

    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    len = strlen(base);
    if (len >= outsz)
        len = outsz - 1;
    while (len > 0 && !pz_utf8_valid(base, len))
        len--;
    for (size_t i = 0; i < len; i++)
        out[o++] = ((unsigned char)base[i] < 0x20 || base[i] == 0x7F) ? ' ' : base[i];
    out[o] = '\0';
    while (o > 0 && out[o - 1] == ' ')
        out[--o] = '\0';
    if (!out[0])
        snprintf(out, outsz, "file %d", n);
}

static int new_file(struct upload *u, const char *client_name)
{
    struct upload_file *f;
    unsigned char rnd[16];
    char path[4200];

    if (u->n_files == UPLOAD_MAX_FILES) {
        u->error = "import.too_many_files";
        return -1;
    }
    f = &u->files[u->n_files];
    randombytes_buf(rnd, sizeof(rnd));
    pz_hex_encode(rnd, sizeof(rnd), f->stored, sizeof(f->stored));
    snprintf(path, sizeof(path), "%s/%s", u->dir, f->stored);
    f->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (f->fd < 0) {
        pz_log(PZ_LOG_ERROR, "imports: cannot create '%s': %s", path, strerror(errno));
        u->error = "internal";
        return -1;
    }
    tidy_name(client_name, u->n_files + 1, f->name, sizeof(f->name));
    f->size = 0;
    u->n_files++;
    u->cur = f;
    return 0;
}

static int write_all(struct upload *u, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(u->cur->fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            pz_log(PZ_LOG_ERROR, "imports: cannot write an upload: %s", strerror(errno));
            u->error = "internal";
            return -1;
        }
        data += n;
        len -= (size_t)n;
        u->cur->size += n;
    }
    return 0;
}

/* A small text field (format, kind), collected up to FIELD_MAX bytes. */
static void add_field(struct upload *u, const char *field, char *buf, size_t *len, const char *data,
                      size_t n)
{
    if (*len + n > FIELD_MAX) {
        u->long_field = field;
        return;
    }
    memcpy(buf + *len, data, n);
    *len += n;
    buf[*len] = '\0';
}

static int on_part(void *arg, const struct pz_http_form_part *part)
{
    struct upload *u = arg;

    if (!part->filename) {
        u->cur = NULL;
        if (strcmp(part->name, "format") == 0)
            add_field(u, "format", u->format, &u->format_len, part->data, part->len);
        else if (strcmp(part->name, "kind") == 0)
            add_field(u, "kind", u->kind, &u->kind_len, part->data, part->len);
        return 0; /* other fields are ignored */
    }
    /* A new file starts at offset 0; an empty first piece of a file may come before its data. */
    if (part->offset == 0 &&
        !(u->cur && u->cur->size == 0 &&
          strncmp(u->cur_client_name, part->filename, sizeof(u->cur_client_name) - 1) == 0)) {
        if (new_file(u, part->filename) < 0)
            return -1;
        snprintf(u->cur_client_name, sizeof(u->cur_client_name), "%s", part->filename);
    }
    if (!u->cur)
        return -1;
    return write_all(u, part->data, part->len);
}

static void upload_close(struct upload *u)
{
    for (int i = 0; i < u->n_files; i++) {
        if (u->files[i].fd >= 0)
            close(u->files[i].fd);
        u->files[i].fd = -1;
    }
}

/* Deletes the files no job took. */
static void upload_discard(struct upload *u)
{
    upload_close(u);
    for (int i = 0; i < u->n_files && !u->kept; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", u->dir, u->files[i].stored);
        unlink(path);
    }
    if (!u->kept)
        u->n_files = 0;
}

/* Frees the upload with its request (answered or cut short). */
static void upload_release(struct pz_http_req *req)
{
    struct pz_route_match *m = req->app_data;
    struct upload *u = m ? m->upload : NULL;

    if (!u)
        return;
    upload_discard(u);
    free(u);
    m->upload = NULL;
}

void h_imports_upload_begin(struct pz_ctx *c)
{
    struct upload *u;

    if (!c->api->jobs) {
        c->req->answer_now = 1; /* the handler answers 503 without reading the body */
        return;
    }
    u = xcalloc(1, sizeof(*u));
    snprintf(u->dir, sizeof(u->dir), "%s", job_runner_upload_dir(c->api->jobs));
    c->match->upload = u;
    c->req->app_release = upload_release;
    pz_http_stream_form(c->req, on_part, u);
}

/* --- presenting a job ---------------------------------------------------------------------- */

/* Writes stored JSON text as a value, leaving out the top-level members in SKIP. */
static void write_stored(struct pz_json *j, const char *text, const char *const *skip)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;

    if (json_is_object(v) && skip) {
        const char *key;
        json_t *member;
        pz_json_begin_object(j);
        json_object_foreach(v, key, member)
        {
            int skipped = 0;
            for (const char *const *s = skip; *s && !skipped; s++)
                skipped = strcmp(*s, key) == 0;
            if (skipped)
                continue;
            pz_json_key(j, key);
            pz_json_value(j, member);
        }
        pz_json_end_object(j);
    } else {
        pz_json_value(j, v);
    }
    json_decref(v);
}

/* The files of a job, without the server's names for them. */
static void write_files(struct pz_json *j, const char *files)
{
    json_t *arr = json_loads(files ? files : "[]", 0, NULL);
    size_t i;
    json_t *f;

    pz_json_begin_array(j);
    json_array_foreach(arr, i, f)
    {
        pz_json_begin_object(j);
        pz_json_kstr(j, "name", json_string_value(json_object_get(f, "name")));
        pz_json_kint(j, "size", json_integer_value(json_object_get(f, "size")));
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
    json_decref(arr);
}

/* Writes a job; BRIEF (lists) leaves out the preview and the summary's long arrays. */
static void present_job(struct pz_json *j, struct pz_api *api, const struct import_job *job,
                        int brief)
{
    static const char *const long_members[] = {"errors", "sample", "per_file", NULL};
    char unit[12];
    int64_t done = job->progress_done, total = job->progress_total;

    snprintf(unit, sizeof(unit), "%s", job->progress_unit);
    if (api->jobs)
        job_runner_progress(api->jobs, job->id, unit, &done, &total);
    pz_json_begin_object(j);
    pz_json_kint(j, "id", job->id);
    pz_json_kstr(j, "kind", job->kind);
    pz_json_kstr(j, "format", job->format[0] ? job->format : NULL);
    pz_json_kstr(j, "status", job->status);
    pz_json_key(j, "files");
    write_files(j, job->files);
    pz_json_key(j, "progress");
    pz_json_begin_object(j);
    pz_json_kstr(j, "unit", unit);
    pz_json_kint(j, "done", done);
    pz_json_kint(j, "total", total);
    pz_json_end_object(j);
    pz_json_key(j, "preview");
    write_stored(j, job->preview, brief ? long_members : NULL);
    pz_json_key(j, "summary");
    write_stored(j, job->summary, brief ? long_members : NULL);
    pz_json_kstr(j, "error", job->error);
    import_problem_code_json(j, "error_code", "error_args", import_problem_located(job->error));
    pz_json_kint_or_null(j, "created_by", job->created_by > 0 ? job->created_by : -1);
    pz_json_kint(j, "created_at", job->created_at);
    pz_json_kint(j, "updated_at", job->updated_at);
    pz_json_kint_or_null(j, "finished_at", job->finished_at);
    pz_json_end_object(j);
}

static void write_user(const struct user *u, void *arg)
{
    struct pz_json *j = arg;

    if (u->disabled)
        return;
    pz_json_begin_object(j);
    pz_json_kint(j, "id", u->id);
    pz_json_kstr(j, "name", u->name[0] ? u->name : u->email);
    pz_json_kstr(j, "email", u->email);
    pz_json_end_object(j);
}

/* Answers STATUS with {"job": ...} for job ID (and, for chats waiting to be confirmed, the
 * workspace's users the company's participants may be mapped to). */
static void reply_job(struct pz_ctx *c, int status, int64_t id)
{
    struct import_job job;
    struct pz_json *j;
    int r = import_job_get(c->conn, c->who.workspace.id, id, &job);

    if (r < 0) {
        if (r == PZ_ENOTFOUND)
            reply_error(c, "not_found", "no such import in this workspace");
        else
            reply_internal(c, r);
        return;
    }
    j = reply_begin(c, status);
    pz_json_begin_object(j);
    pz_json_key(j, "job");
    present_job(j, c->api, &job, 0);
    if (strcmp(job.kind, "chats") == 0 && strcmp(job.status, "ready") == 0) {
        /* Who the company's participants may be mapped to. */
        pz_json_key(j, "users");
        pz_json_begin_array(j);
        user_list(c->conn, c->who.workspace.id, 0, 1000, write_user, j);
        pz_json_end_array(j);
    }
    pz_json_end_object(j);
    reply_end(c);
    import_job_release(&job);
}

/* --- handlers ------------------------------------------------------------------------------ */

/* Answers why upload U cannot become a job and returns -1, or returns 0 when it can. */
static int upload_refused(struct pz_ctx *c, struct upload *u)
{
    struct pz_err err = {0};

    if (u->error) {
        if (strcmp(u->error, "internal") == 0)
            reply_internal(c, PZ_EIO);
        else
            reply_error(c, u->error,
                        strcmp(u->error, "import.too_many_files") == 0
                            ? "at most 20 files in one upload"
                            : NULL);
    } else if (c->req->form_bad) {
        reply_error(c, "import.bad_upload",
                    "the body is not well-formed multipart/form-data (Content-Type "
                    "multipart/form-data with a boundary, every part closed)");
    } else if (u->long_field) {
        pz_err_set(&err, "request.invalid", u->long_field, "the %s field is too long",
                   u->long_field);
        reply_err(c, &err);
    } else if (u->kind[0] && strcmp(u->kind, "contacts") != 0 && strcmp(u->kind, "chats") != 0) {
        reply_error(c, "import.bad_kind", "the kind of import must be contacts or chats");
    } else if (u->format[0] && !import_format_known(u->format) && !chat_format_known(u->format)) {
        pz_err_set(&err, "import.bad_format", "format",
                   "the format must be vcard, contacts-csv, linkedin, whatsapp, telegram, "
                   "messenger, x, mbox or eml (or none, to detect it)");
        reply_err(c, &err);
    } else if (u->n_files == 0) {
        reply_error(c, "import.no_file", "the upload has no file: send one or more file fields");
    } else {
        return 0;
    }
    return -1;
}

/* The kind the client named, else the one the files' content tells (chats or contacts). */
static const char *upload_kind(const struct upload *u)
{
    char paths[UPLOAD_MAX_FILES][4200];
    const char *p[UPLOAD_MAX_FILES];

    if (u->kind[0])
        return u->kind;
    for (int i = 0; i < u->n_files; i++) {
        snprintf(paths[i], sizeof(paths[i]), "%s/%s", u->dir, u->files[i].stored);
        p[i] = paths[i];
    }
    return chat_job_kind(u->format, p, (size_t)u->n_files);
}

void h_imports_create(struct pz_ctx *c)
{
    struct upload *u = c->match->upload;
    struct pz_buf files;
    struct pz_json j;
    int64_t id = 0;
    int r;

    if (!c->api->jobs || !u) {
        reply_error(c, "import.unavailable", NULL);
        return;
    }
    upload_close(u);
    if (upload_refused(c, u) < 0) {
        /* Now, not when the connection is done with: the answer says nothing was kept. */
        upload_discard(u);
        return;
    }
    pz_buf_init(&files, 256 * 1024);
    pz_json_init(&j, &files);
    pz_json_begin_array(&j);
    for (int i = 0; i < u->n_files; i++) {
        pz_json_begin_object(&j);
        pz_json_kstr(&j, "name", u->files[i].name);
        pz_json_kstr(&j, "stored", u->files[i].stored);
        pz_json_kint(&j, "size", u->files[i].size);
        pz_json_end_object(&j);
    }
    pz_json_end_array(&j);
    r = pz_json_error(&j);
    if (r == 0)
        r = import_job_create(c->conn, c->who.workspace.id, c->who.user.id, upload_kind(u),
                              u->format, pz_buf_str(&files), &id);
    pz_buf_release(&files);
    if (r < 0) {
        upload_discard(u);
        reply_internal(c, r);
        return;
    }
    u->kept = 1;
    job_runner_wake(c->api->jobs);
    reply_job(c, 202, id);
}

struct list_arg {
    struct reply_list *ls;
    struct pz_api *api;
};

static void list_one(const struct import_job *job, void *arg)
{
    struct list_arg *la = arg;
    present_job(la->ls->j, la->api, job, 1);
    reply_list_item(la->ls, job->id);
}

void h_imports_list(struct pz_ctx *c)
{
    struct reply_list ls;
    struct list_arg la;
    int r;

    if (reply_list_begin(c, &ls) < 0)
        return;
    la.ls = &ls;
    la.api = c->api;
    r = import_job_list(c->conn, c->who.workspace.id, ls.cursor, ls.limit, list_one, &la);
    reply_list_end(c, &ls, r);
}

void h_imports_get(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    if (id > 0)
        reply_job(c, 200, id);
}

/* Answers 409 import.finished for a job in final STATUS. */
static void reply_finished(struct pz_ctx *c, const char *status)
{
    char msg[120];
    snprintf(msg, sizeof(msg), "the import is already %s", status);
    reply_error(c, "import.finished", msg);
}

/* The participants of preview file INDEX (a JSON array, borrowed from PREVIEW), or NULL. */
static json_t *preview_participants(json_t *preview, json_int_t index)
{
    json_t *files = json_object_get(preview, "per_file");

    if (index < 0 || (size_t)index >= json_array_size(files))
        return NULL;
    return json_object_get(json_array_get(files, (size_t)index), "participants");
}

/*
 * The options of a chats job's confirm, as JSON text (the caller's): the
 * body's {"me": [{"file", "key", "user_id"}]} checked against the preview
 * and the workspace's users, or without a body (or "me") the participants
 * the preview marked "me", with no user. Answers the error and returns
 * NULL when the body is wrong.
 */
static char *chats_options(struct pz_ctx *c, const struct import_job *job)
{
    json_t *preview = json_loads(job->preview ? job->preview : "{}", 0, NULL);
    json_t *body = NULL, *me, *out = json_array(), *e;
    struct pz_err err = {0};
    char *text = NULL;
    size_t i;

    if (c->req->body.len > 0 && !(body = ctx_body(c)))
        goto done;
    me = body ? json_object_get(body, "me") : NULL;
    if (body && (!json_is_object(body) || (me && !json_is_array(me)))) {
        pz_err_set(&err, "request.invalid", "me",
                   "the body is {\"me\": [{\"file\", \"key\", \"user_id\"}]}");
        reply_err(c, &err);
        goto done;
    }
    if (!me) {
        /* The preview's choice: every participant marked "me", no user. */
        json_t *files = json_object_get(preview, "per_file"), *f;
        size_t k;
        json_array_foreach(files, i, f)
        {
            json_array_foreach(json_object_get(f, "participants"), k, e)
            {
                if (json_is_true(json_object_get(e, "me")))
                    json_array_append_new(out,
                                          json_pack("{s:I,s:O,s:n}", "file", (json_int_t)i, "key",
                                                    json_object_get(e, "key"), "user_id"));
            }
        }
    }
    json_array_foreach(me, i, e)
    {
        json_t *file = json_object_get(e, "file"), *user = json_object_get(e, "user_id"), *p;
        const char *key = json_string_value(json_object_get(e, "key"));
        json_t *parts;
        size_t k;
        int known = 0;
        if (!json_is_object(e) || !json_is_integer(file) || !key ||
            (user && !json_is_null(user) && !json_is_integer(user))) {
            pz_err_set(&err, "request.invalid", "me",
                       "each item of me is {\"file\": index, \"key\": participant key, "
                       "\"user_id\": user id or null}");
            reply_err(c, &err);
            goto done;
        }
        parts = preview_participants(preview, json_integer_value(file));
        json_array_foreach(parts, k, p)
        {
            const char *pk = json_string_value(json_object_get(p, "key"));
            known = known || (pk && strcmp(pk, key) == 0);
        }
        if (!known) {
            pz_err_set(&err, "import.unknown_participant", "me",
                       "file %lld of the preview has no participant '%.80s'",
                       (long long)json_integer_value(file), key);
            reply_err(c, &err);
            goto done;
        }
        if (json_is_integer(user)) {
            struct user u;
            int r = json_integer_value(user) > 0
                        ? user_get(c->conn, c->who.workspace.id, json_integer_value(user), &u)
                        : PZ_ENOTFOUND;
            if (r == PZ_ENOTFOUND || (r == 0 && u.disabled)) {
                pz_err_set(&err, "import.bad_user", "me",
                           "user %lld is not an active user of this workspace",
                           (long long)json_integer_value(user));
                reply_err(c, &err);
                goto done;
            }
            if (r < 0) {
                reply_internal(c, r);
                goto done;
            }
        }
        json_array_append_new(out, json_pack("{s:O,s:s,s:O}", "file", file, "key", key, "user_id",
                                             json_is_integer(user) ? user : json_null()));
    }
    {
        json_t *o = json_pack("{s:O}", "me", out);
        text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
    }
done:
    json_decref(out);
    json_decref(preview);
    return text;
}

void h_imports_confirm(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0), ws = c->who.workspace.id;
    struct import_job job;
    struct import_job_change ch = {0};
    char *options = NULL;
    int r;

    if (id < 0)
        return;
    if (!c->api->jobs) {
        reply_error(c, "import.unavailable", NULL);
        return;
    }
    r = import_job_get(c->conn, ws, id, &job);
    /* The body is optional: the answers a kind asks for before committing. */
    if (r == 0 && strcmp(job.kind, "chats") == 0 && strcmp(job.status, "ready") == 0) {
        options = chats_options(c, &job);
        if (!options) {
            import_job_release(&job);
            return;
        }
    } else if (c->req->body.len > 0) {
        json_t *body = ctx_body(c);
        if (!body) {
            import_job_release(&job);
            return;
        }
        options = json_dumps(body, JSON_COMPACT);
    }
    if (r == 0) {
        ch.options = options;
        r = import_job_move(c->conn, ws, id, "ready", "importing", &ch);
        if (r == PZ_ENOTFOUND) {
            if (import_job_finished(job.status))
                reply_finished(c, job.status);
            else
                reply_error(c, "import.not_ready",
                            strcmp(job.status, "parsing") == 0
                                ? "the preview is not ready yet; wait until the status is ready"
                                : "the import is already running");
        }
    } else if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such import in this workspace");
    }
    import_job_release(&job);
    free(options);
    if (r == 0) {
        job_runner_wake(c->api->jobs);
        reply_job(c, 202, id);
    } else if (r != PZ_ENOTFOUND) {
        reply_internal(c, r);
    }
}

void h_imports_delete(struct pz_ctx *c)
{
    static const char *const open_states[] = {"parsing", "ready", "importing"};
    int64_t id = ctx_param_id(c, 0), ws = c->who.workspace.id;
    struct import_job job;
    int r, running = 0;

    if (id < 0)
        return;
    r = import_job_get(c->conn, ws, id, &job);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such import in this workspace");
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    if (import_job_finished(job.status)) {
        reply_finished(c, job.status);
        import_job_release(&job);
        return;
    }
    /* Stop it first if it runs: its transaction rolls back and frees the database. */
    if (c->api->jobs)
        running = job_runner_cancel(c->api->jobs, id);
    r = PZ_ENOTFOUND;
    for (size_t i = 0; i < 3 && r == PZ_ENOTFOUND; i++)
        r = import_job_move(c->conn, ws, id, open_states[i], "discarded", NULL);
    if (r == 0 && !running && c->api->jobs)
        job_runner_remove_files(c->api->jobs, job.files);
    if (r == 0)
        import_job_announce(ws, id, "discarded", 0);
    import_job_release(&job);
    if (r == PZ_ENOTFOUND) {
        /* It ended while we were asking. */
        if (import_job_get(c->conn, ws, id, &job) == 0)
            reply_finished(c, job.status);
        else
            reply_error(c, "not_found", "no such import in this workspace");
        import_job_release(&job);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_job(c, 200, id);
}
