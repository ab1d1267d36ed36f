/*
 * The job runner's thread and the work of each kind. See job_runner.h.
 */
#include "jobs/job_runner.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "contacts/import_batch.h"
#include "jobs/chat_job.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "jobs/import_job.h"
#include "core/banned.h"

#define MAX_JOB_FILES     32
#define SWEEP_INTERVAL_MS (10LL * 60 * 1000)
/* How often an idle runner looks for contacts a command-line import left to be indexed. */
#define INDEX_CHECK_S 5
#define MSG_RESTARTED                                                                              \
    "the server stopped before this import finished; nothing was imported: upload the files "      \
    "again"

struct job_runner {
    struct pz_store *store;
    char upload_dir[4096];
    pthread_t thread;
    int started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stopping, woken;
    /* The running job, under lock. */
    int64_t current;
    int cancel;
    char unit[12];
    int64_t done, total;
    /* The running job's import.progress events: its workspace, status, what was last said. */
    int64_t current_ws;
    char state[12];
    int said_percent;
    int64_t said_us;
};

/* One file of a job. */
struct job_file {
    const char *name; /* borrowed from the parsed files JSON */
    char path[4400];
    int64_t lines_before; /* lines of the files before it, for progress */
};

/* A record of a contacts preview's sample. */
struct sample {
    char *name, *organization, *title;
    char *kinds[4], *values[4];
    int n_identities;
};

/* The state of one contacts job while it runs. */
struct contacts_run {
    struct job_runner *runner;
    struct job_file *files;
    size_t n_files, file;
    int commit;
    struct sample samples[JOB_SAMPLE_MAX];
    int n_samples;
};

/* --- files --------------------------------------------------------------------------------- */

/* Non-zero when NAME is a name the server gives stored files (hex digits only). */
static int stored_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return 0;
    return 1;
}

void job_runner_remove_files(const struct job_runner *r, const char *files)
{
    json_t *arr = files ? json_loads(files, 0, NULL) : NULL;
    size_t i;
    json_t *f;

    json_array_foreach(arr, i, f)
    {
        const char *stored = json_string_value(json_object_get(f, "stored"));
        char path[4400];
        if (!stored_name_ok(stored))
            continue;
        snprintf(path, sizeof(path), "%s/%s", r->upload_dir, stored);
        if (unlink(path) < 0 && errno != ENOENT)
            pz_log(PZ_LOG_WARN, "jobs: cannot delete '%s': %s", path, strerror(errno));
    }
    json_decref(arr);
}

/* Lines in the file at PATH (a last line without a newline counts); -1 when unreadable. */
static int64_t count_lines(const char *path)
{
    char buf[65536];
    int64_t lines = 0;
    size_t n;
    char last = '\n';
    FILE *f = fopen(path, "rb");

    if (!f)
        return -1;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p))); p++)
            lines++;
        last = buf[n - 1];
    }
    fclose(f);
    return lines + (last != '\n');
}

/* --- progress ------------------------------------------------------------------------------ */

/*
 * With r->lock held: the running job's percent when it is to be announced
 * (it changed, and at most about 4 times a second), else -1.
 */
static int progress_due(struct job_runner *r)
{
    int percent = r->total > 0 ? (int)(r->done * 100 / r->total) : 0;
    int64_t now = pz_mono_us();

    if (!r->current_ws || percent == r->said_percent || now - r->said_us < 250 * 1000)
        return -1;
    r->said_percent = percent;
    r->said_us = now;
    return percent;
}

/* Called on the runner's thread, without the lock: the progress event, when due. */
static void progress_announce(struct job_runner *r, int due)
{
    if (due >= 0)
        import_job_announce(r->current_ws, r->current, r->state, due);
}

static void set_progress(struct job_runner *r, const char *unit, int64_t done, int64_t total)
{
    int due;

    pthread_mutex_lock(&r->lock);
    snprintf(r->unit, sizeof(r->unit), "%s", unit);
    r->done = done;
    r->total = total;
    due = progress_due(r);
    pthread_mutex_unlock(&r->lock);
    progress_announce(r, due);
}

/* Records progress; returns non-zero when the job is to stop. */
static int on_progress(void *arg, const char *label, long line, long records)
{
    struct contacts_run *cr = arg;
    struct job_runner *r = cr->runner;
    int stop, due;
    (void)label;

    pthread_mutex_lock(&r->lock);
    if (cr->commit)
        r->done = records;
    else
        r->done = cr->files[cr->file].lines_before + line;
    if (r->done > r->total)
        r->total = r->done;
    stop = r->cancel || r->stopping;
    due = progress_due(r);
    pthread_mutex_unlock(&r->lock);
    progress_announce(r, due);
    return stop;
}

static char *dup_opt(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

static void on_created(void *arg, const struct import_contact *rec)
{
    struct contacts_run *cr = arg;
    struct sample *s;
    char name[400];

    if (cr->commit || cr->n_samples >= JOB_SAMPLE_MAX)
        return;
    s = &cr->samples[cr->n_samples++];
    memset(s, 0, sizeof(*s));
    if (rec->full_name && *rec->full_name)
        snprintf(name, sizeof(name), "%s", rec->full_name);
    else
        snprintf(name, sizeof(name), "%s%s%s", rec->given_name ? rec->given_name : "",
                 rec->given_name && rec->family_name ? " " : "",
                 rec->family_name ? rec->family_name : "");
    s->name = dup_opt(name);
    s->organization = dup_opt(rec->organization);
    s->title = dup_opt(rec->title);
    for (size_t i = 0; i < rec->n_identities && s->n_identities < 4; i++) {
        s->kinds[s->n_identities] = xstrdup(rec->identities[i].kind);
        s->values[s->n_identities] = xstrdup(rec->identities[i].value);
        s->n_identities++;
    }
}

static void samples_release(struct contacts_run *cr)
{
    for (int i = 0; i < cr->n_samples; i++) {
        struct sample *s = &cr->samples[i];
        free(s->name);
        free(s->organization);
        free(s->title);
        for (int k = 0; k < s->n_identities; k++) {
            free(s->kinds[k]);
            free(s->values[k]);
        }
    }
    cr->n_samples = 0;
}

/* --- the contacts kind --------------------------------------------------------------------- */

/* The batch's summary (with the sample of a preview) as a JSON string, the caller's. */
static char *summary_json(const struct import_batch *b, const struct contacts_run *cr, int preview)
{
    struct pz_buf buf;
    struct pz_json j;

    pz_buf_init(&buf, 32 * 1024 * 1024);
    pz_json_init(&j, &buf);
    import_batch_summary(b, &j, preview, 1);
    if (preview) {
        pz_json_key(&j, "sample");
        pz_json_begin_array(&j);
        for (int i = 0; i < cr->n_samples; i++) {
            const struct sample *s = &cr->samples[i];
            pz_json_begin_object(&j);
            pz_json_kstr(&j, "name", s->name);
            pz_json_kstr(&j, "organization", s->organization);
            pz_json_kstr(&j, "title", s->title);
            pz_json_key(&j, "identities");
            pz_json_begin_array(&j);
            for (int k = 0; k < s->n_identities; k++) {
                pz_json_begin_object(&j);
                pz_json_kstr(&j, "kind", s->kinds[k]);
                pz_json_kstr(&j, "value", s->values[k]);
                pz_json_end_object(&j);
            }
            pz_json_end_array(&j);
            pz_json_end_object(&j);
        }
        pz_json_end_array(&j);
    }
    pz_json_end_object(&j);
    if (pz_json_error(&j) < 0) {
        pz_buf_release(&buf);
        return xstrdup("{}");
    }
    return pz_buf_detach(&buf, NULL);
}

/* "file:line: message" of the batch's last problem (the reason a file was refused). */
static void refusal(const struct import_batch *b, char *out, size_t outsz)
{
    const struct import_batch_problem *p;

    if (b->n_problems == 0) {
        snprintf(out, outsz, "the file cannot be read");
        return;
    }
    p = &b->problems[b->n_problems - 1];
    snprintf(out, outsz, "%s:%ld: %s", p->file, p->line, p->message);
}

/* The number of records a job's preview counted (the total of its import). */
static int64_t preview_records(const char *preview)
{
    json_t *v = preview ? json_loads(preview, 0, NULL) : NULL;
    int64_t n = json_integer_value(json_object_get(v, "records"));
    json_decref(v);
    return n;
}

/*
 * Runs contacts job JOB (a dry run when parsing, the import when
 * importing) over its N files and moves it to its next status.
 */
static void run_contacts(struct job_runner *r, struct pz_conn *conn, const struct import_job *job,
                         struct job_file *files, size_t n)
{
    struct contacts_run cr;
    struct import_batch b;
    struct import_job_change ch = {0};
    const char *from = job->status;
    char *summary = NULL, error[600];
    int rc = 0, stopping;

    memset(&cr, 0, sizeof(cr));
    cr.runner = r;
    cr.files = files;
    cr.n_files = n;
    cr.commit = strcmp(job->status, "importing") == 0;
    if (cr.commit) {
        set_progress(r, "records", 0, preview_records(job->preview));
    } else {
        int64_t total = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t lines = count_lines(files[i].path);
            files[i].lines_before = total;
            total += lines > 0 ? lines : 0;
        }
        set_progress(r, "lines", 0, total);
    }
    memset(&b, 0, sizeof(b));
    b.conn = conn;
    b.workspace_id = job->workspace_id;
    b.user_id = job->created_by;
    b.on_progress = on_progress;
    b.on_created = on_created;
    b.arg = &cr;
    b.index_later_min = IMPORT_INDEX_LATER_MIN; /* index_left_behind, right after */
    rc = pz_tx_begin(conn);
    for (cr.file = 0; rc == 0 && cr.file < n; cr.file++)
        rc = import_batch_file(&b, files[cr.file].path, files[cr.file].name,
                               job->format[0] ? job->format : NULL);
    pthread_mutex_lock(&r->lock);
    ch.unit = r->unit;
    ch.done = r->done;
    ch.total = r->total;
    stopping = r->stopping;
    pthread_mutex_unlock(&r->lock);
    if (rc == 0 && cr.commit) {
        summary = summary_json(&b, &cr, 0);
        ch.summary = summary;
        ch.done = ch.total = b.records;
        rc = import_job_move(conn, job->workspace_id, job->id, from, "done", &ch);
        rc = rc == 0 ? pz_tx_commit(conn) : rc;
        if (rc < 0)
            pz_tx_rollback(conn);
    } else {
        pz_tx_rollback(conn);
    }
    if (rc == 0 && !cr.commit) {
        summary = summary_json(&b, &cr, 1);
        ch.preview = summary;
        ch.done = ch.total;
        import_job_move(conn, job->workspace_id, job->id, from, "ready", &ch);
    } else if (rc == IMPORT_BATCH_STOPPED) {
        /* Discarded by the user (the API moves it too), or the server is stopping. */
        ch.error = stopping ? MSG_RESTARTED : NULL;
        import_job_move(conn, job->workspace_id, job->id, from, stopping ? "failed" : "discarded",
                        &ch);
    } else if (rc != 0) {
        if (rc > 0)
            refusal(&b, error, sizeof(error));
        else
            snprintf(error, sizeof(error), "the database failed; nothing was imported");
        summary = summary_json(&b, &cr, 0);
        ch.summary = summary;
        ch.error = error;
        import_job_move(conn, job->workspace_id, job->id, from, "failed", &ch);
    }
    free(summary);
    samples_release(&cr);
    import_batch_release(&b);
}

/* --- the chats kind ------------------------------------------------------------------------ */

static void chat_progress(void *arg, int64_t done, int64_t total)
{
    set_progress(arg, "bytes", done, total);
}

static int chat_stop(void *arg)
{
    struct job_runner *r = arg;
    int stop;

    pthread_mutex_lock(&r->lock);
    stop = r->cancel || r->stopping;
    pthread_mutex_unlock(&r->lock);
    return stop;
}

/* Runs chats job JOB (src/jobs/chat_job.h) and moves it to its next status. */
static void run_chats(struct job_runner *r, struct pz_conn *conn, const struct import_job *job,
                      const struct job_file *files, size_t n)
{
    struct chat_job_file cf[MAX_JOB_FILES];
    struct chat_job_ctl ctl = {chat_progress, chat_stop, r};
    struct import_job_change ch = {0};
    char *result = NULL, *error = NULL, data_dir[4096], unit[12];
    const char *slash = strrchr(r->upload_dir, '/');
    enum chat_job_outcome out;
    const char *to = "failed";
    int stopping;

    for (size_t i = 0; i < n; i++) {
        cf[i].name = files[i].name;
        cf[i].path = files[i].path;
    }
    /* Attachments go to the data folder, the upload folder's parent (as the CLI's go beside
     * the database). */
    snprintf(data_dir, sizeof(data_dir), "%.*s", slash ? (int)(slash - r->upload_dir) : 1,
             slash ? r->upload_dir : ".");
    set_progress(r, "bytes", 0, 0);
    out = chat_job_run(conn, job, cf, n, data_dir, r->upload_dir, &ctl, &result, &error);
    pthread_mutex_lock(&r->lock);
    snprintf(unit, sizeof(unit), "%s", r->unit);
    ch.unit = unit;
    ch.done = r->done;
    ch.total = r->total;
    stopping = r->stopping;
    pthread_mutex_unlock(&r->lock);
    switch (out) {
    case CHAT_JOB_READY:
        ch.preview = result;
        ch.done = ch.total;
        to = "ready";
        break;
    case CHAT_JOB_DONE:
        ch.summary = result;
        ch.done = ch.total;
        to = "done";
        break;
    case CHAT_JOB_STOPPED:
        /* Discarded by the user (the API moves it too), or the server is stopping. */
        ch.error = stopping ? MSG_RESTARTED : NULL;
        to = stopping ? "failed" : "discarded";
        break;
    case CHAT_JOB_REFUSED:
    case CHAT_JOB_FAILED:
        ch.summary = result;
        ch.error = error;
        break;
    }
    import_job_move(conn, job->workspace_id, job->id, job->status, to, &ch);
    free(result);
    free(error);
}

/* --- the thread ---------------------------------------------------------------------------- */

/* Reads a job's files JSON into FILES; returns how many, or -1 when it is not what we wrote. */
static int load_files(const struct job_runner *r, json_t *arr, struct job_file *files)
{
    size_t i;
    json_t *f;
    int n = 0;

    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > MAX_JOB_FILES)
        return -1;
    json_array_foreach(arr, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *stored = json_string_value(json_object_get(f, "stored"));
        if (!name || !stored_name_ok(stored))
            return -1;
        files[n].name = name;
        snprintf(files[n].path, sizeof(files[n].path), "%s/%s", r->upload_dir, stored);
        files[n].lines_before = 0;
        n++;
    }
    return n;
}

static void run_job(struct job_runner *r, struct pz_conn *conn, int64_t ws, int64_t id)
{
    struct import_job job;
    struct job_file *files = NULL;
    json_t *arr = NULL;
    int n;

    pthread_mutex_lock(&r->lock);
    r->current = id;
    r->cancel = 0;
    r->done = r->total = 0;
    snprintf(r->unit, sizeof(r->unit), "lines");
    pthread_mutex_unlock(&r->lock);
    if (import_job_get(conn, ws, id, &job) < 0)
        goto done;
    if (strcmp(job.status, "parsing") != 0 && strcmp(job.status, "importing") != 0)
        goto finished;
    pthread_mutex_lock(&r->lock);
    r->current_ws = ws;
    snprintf(r->state, sizeof(r->state), "%s", job.status);
    r->said_percent = 0;
    r->said_us = pz_mono_us();
    pthread_mutex_unlock(&r->lock);
    import_job_announce(ws, id, r->state, 0);
    arr = json_loads(job.files, 0, NULL);
    files = xcalloc(MAX_JOB_FILES, sizeof(*files));
    n = load_files(r, arr, files);
    if (n >= 0 && strcmp(job.kind, "contacts") == 0) {
        run_contacts(r, conn, &job, files, (size_t)n);
    } else if (n >= 0 && strcmp(job.kind, "chats") == 0) {
        run_chats(r, conn, &job, files, (size_t)n);
    } else {
        struct import_job_change ch = {0};
        ch.error = n < 0 ? "the job's files are not readable" : "unknown kind of import";
        import_job_move(conn, ws, id, job.status, "failed", &ch);
    }
finished:
    /* Whoever ended the job, its files go with it. */
    import_job_release(&job);
    if (import_job_get(conn, ws, id, &job) == 0) {
        if (import_job_finished(job.status))
            job_runner_remove_files(r, job.files);
        /* Where the job ended up, now that it is committed (the API announces its own moves). */
        if (r->current_ws) {
            int ok = strcmp(job.status, "ready") == 0 || strcmp(job.status, "done") == 0;
            import_job_announce(ws, id, job.status, ok ? 100 : r->said_percent);
            if (strcmp(job.status, "done") == 0 && strcmp(job.kind, "chats") == 0)
                import_job_announce_chats(ws, id, job.summary);
        }
    }
    import_job_release(&job);
done:
    json_decref(arr);
    free(files);
    pthread_mutex_lock(&r->lock);
    r->current = 0;
    r->current_ws = 0;
    r->cancel = 0;
    pthread_mutex_unlock(&r->lock);
}

struct sweep_arg {
    struct job_runner *r;
    struct pz_conn *conn;
    int64_t now;
};

/* Discards a preview nobody confirmed in time. */
static void sweep_one(const struct import_job *job, void *arg)
{
    struct sweep_arg *sa = arg;
    struct import_job_change ch = {0};

    if (strcmp(job->status, "ready") != 0 || job->updated_at > sa->now - IMPORT_JOB_STALE_MS)
        return;
    ch.error = "not confirmed within 24 hours; the uploaded files were deleted";
    if (import_job_move(sa->conn, job->workspace_id, job->id, "ready", "discarded", &ch) == 0)
        job_runner_remove_files(sa->r, job->files);
}

static void sweep(struct job_runner *r, struct pz_conn *conn)
{
    struct sweep_arg sa = {r, conn, pz_now_ms()};
    import_job_each_open(conn, sweep_one, &sa);
}

/*
 * Indexes for search the contacts a big import left behind (pz_store_text_leave), here or in
 * another process such as `piazza import`, in one transaction of their own.
 */
static void index_left_behind(struct pz_conn *conn)
{
    int64_t t0 = pz_now_ms(), waiting = 0;
    int rc = pz_store_text_pending(conn, "contacts", &waiting);

    if (rc < 0 || !waiting)
        return;
    rc = pz_tx_begin(conn);
    if (rc == 0) {
        rc = pz_store_text_catch_up(conn, "contacts");
        rc = rc == 0 ? pz_tx_commit(conn) : rc;
        if (rc < 0)
            pz_tx_rollback(conn);
    }
    if (rc < 0)
        pz_log(PZ_LOG_WARN,
               "search: the contacts an import left to index were not indexed; "
               "trying again in %d s",
               INDEX_CHECK_S);
    else
        pz_log(PZ_LOG_INFO, "search: %lld contacts left by an import indexed in %lld ms",
               (long long)waiting, (long long)(pz_now_ms() - t0));
}

static void *runner_main(void *arg)
{
    struct job_runner *r = arg;
    struct pz_conn *conn = pz_store_conn(r->store);
    int64_t last_sweep = pz_now_ms();

    pthread_mutex_lock(&r->lock);
    while (!r->stopping) {
        int64_t ws = 0, id = 0;
        int found;

        pthread_mutex_unlock(&r->lock);
        if (conn && pz_now_ms() - last_sweep > SWEEP_INTERVAL_MS) {
            sweep(r, conn);
            last_sweep = pz_now_ms();
        }
        found = conn && import_job_next(conn, &ws, &id) == 0;
        if (found)
            run_job(r, conn, ws, id);
        else if (conn)
            index_left_behind(conn);
        pthread_mutex_lock(&r->lock);
        if (found || r->stopping)
            continue;
        if (!r->woken) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += INDEX_CHECK_S;
            pthread_cond_timedwait(&r->cond, &r->lock, &ts);
        }
        r->woken = 0;
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* --- start and stop ------------------------------------------------------------------------ */

struct names {
    char **items;
    size_t n_items, cap;
};

static void keep_names(const struct import_job *job, void *arg)
{
    struct names *ns = arg;
    json_t *arr = json_loads(job->files, 0, NULL);
    size_t i;
    json_t *f;

    json_array_foreach(arr, i, f)
    {
        const char *stored = json_string_value(json_object_get(f, "stored"));
        if (!stored)
            continue;
        if (ns->n_items == ns->cap) {
            ns->cap = ns->cap ? ns->cap * 2 : 16;
            ns->items = xrealloc(ns->items, ns->cap * sizeof(*ns->items));
        }
        ns->items[ns->n_items++] = xstrdup(stored);
    }
    json_decref(arr);
}

/* Deletes the files in the upload folder that no open job names (uploads cut short). */
static void remove_orphans(struct job_runner *r, struct pz_conn *conn)
{
    struct names ns = {NULL, 0, 0};
    DIR *d = opendir(r->upload_dir);
    struct dirent *e;

    if (!d || import_job_each_open(conn, keep_names, &ns) < 0)
        goto done;
    while ((e = readdir(d))) {
        int kept = 0;
        char path[4400];
        if (e->d_name[0] == '.')
            continue;
        for (size_t i = 0; i < ns.n_items && !kept; i++)
            kept = strcmp(ns.items[i], e->d_name) == 0;
        if (kept)
            continue;
        snprintf(path, sizeof(path), "%s/%s", r->upload_dir, e->d_name);
        if (unlink(path) < 0)
            pz_log(PZ_LOG_WARN, "jobs: cannot delete '%s': %s", path, strerror(errno));
    }
done:
    if (d)
        closedir(d);
    for (size_t i = 0; i < ns.n_items; i++)
        free(ns.items[i]);
    free(ns.items);
}

int job_runner_start(struct job_runner **out, struct pz_store *store, const char *upload_dir)
{
    struct job_runner *r;
    struct pz_conn *conn = pz_store_conn(store);
    int64_t failed = 0;

    *out = NULL;
    if (!conn)
        return PZ_EDB;
    if (strlen(upload_dir) >= sizeof(r->upload_dir))
        return pz_error(PZ_EINVAL, "the upload folder '%s' is too long a path", upload_dir);
    if (mkdir(upload_dir, 0700) < 0 && errno != EEXIST)
        return pz_error(PZ_EIO, "cannot create the upload folder '%s': %s", upload_dir,
                        strerror(errno));
    r = xcalloc(1, sizeof(*r));
    r->store = store;
    snprintf(r->upload_dir, sizeof(r->upload_dir), "%s", upload_dir);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    if (import_job_fail_unfinished(conn, MSG_RESTARTED, &failed) < 0) {
        job_runner_stop(r);
        return PZ_EDB;
    }
    if (failed)
        pz_log(PZ_LOG_WARN, "jobs: %lld import(s) left unfinished by a stop were marked failed",
               (long long)failed);
    remove_orphans(r, conn);
    sweep(r, conn);
    if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->cond);
        free(r);
        return pz_error(PZ_EIO, "cannot start the job runner thread");
    }
    r->started = 1;
    job_runner_wake(r);
    *out = r;
    return 0;
}

void job_runner_stop(struct job_runner *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stopping = 1;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
    if (r->started)
        pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    free(r);
}

const char *job_runner_upload_dir(const struct job_runner *r)
{
    return r->upload_dir;
}

void job_runner_wake(struct job_runner *r)
{
    pthread_mutex_lock(&r->lock);
    r->woken = 1;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

int job_runner_cancel(struct job_runner *r, int64_t id)
{
    int running;

    pthread_mutex_lock(&r->lock);
    running = r->current == id;
    if (running)
        r->cancel = 1;
    pthread_mutex_unlock(&r->lock);
    return running;
}

int job_runner_progress(struct job_runner *r, int64_t id, char unit[12], int64_t *done,
                        int64_t *total)
{
    int running;

    pthread_mutex_lock(&r->lock);
    running = r->current == id;
    if (running) {
        snprintf(unit, 12, "%s", r->unit);
        *done = r->done;
        *total = r->total;
    }
    pthread_mutex_unlock(&r->lock);
    return running;
}
