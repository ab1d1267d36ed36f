/*
 * Chat exports imported as a job. See chat_job.h. The writer
 * (src/inbox/import.h) does the work; this file wraps its sink to learn
 * what the preview shows (participants and their messages, the dates, the
 * company's side as the writer decided it), runs files in transactions and
 * writes the preview and summary.
 */
#include "jobs/chat_job.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts/workspace.h"
#include "contacts/import_batch.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/text.h"
#include "import/chat.h"
#include "import/chat_pipe.h"
#include "import/detect.h"
#include "import/linkedin_zip.h"
#include "import/problems.h"
#include "inbox/import.h"
#include "core/banned.h"

#define PROBLEMS_MAX     1000  /* per file */
#define PARTICIPANTS_MAX 20000 /* told apart per file; more are counted, not listed */
#define STOP_EVERY       64    /* messages between two looks at ctl->stop */

struct problem {
    char *file;
    long line;
    char *message;
};

/* A participant as the preview shows it. */
struct seen {
    char *key, *name, *handle;
    long messages;
    int me;
};

/* What one file did (a zip's members are files of their own). */
struct result {
    char *name;
    char format[32];
    int contacts; /* a contacts file (import_batch) rather than a chat export */
    int refused;
    char *error;         /* "file:line: why" */
    char *error_message; /* why, alone (its code and values are derived from it) */
    struct inbox_import_counts c;
    long records, updated, unchanged, suggested; /* contacts files */
    int64_t first_at, last_at;                   /* -1 when no message */
    struct problem *problems;
    size_t n_problems;
    long problems_more;
    char **notes;
    size_t n_notes;
    struct seen *seen;
    size_t n_seen, cap_seen;
    size_t *index; /* open addressing over seen by key; slot value is index + 1 */
    size_t index_cap;
    long seen_more;
    int64_t conv_ids[CHAT_JOB_CONVERSATION_IDS];
    size_t n_conv_ids;
};

struct run {
    struct pz_conn *conn;
    const struct import_job *job;
    const struct chat_job_ctl *ctl;
    const char *data_dir, *tmp_dir;
    int commit;
    json_t *options;
    struct chat_options chat_opts;
    struct workspace ws;
    struct result *results;
    size_t n_results;
    struct result *cur;
    /* The chat being read, for the wrapped sink. */
    struct chat_sink inner;
    char channel[16];
    char *conv_key;
    long since_check;
    int stopped;
    /* Files as the reader names them (FROM, a path) and as the user knows them (TO). */
    const char *from, *to;
    /* Progress in bytes of the uploaded files. */
    int64_t bytes_before, file_size, total;
};

/* --- results ------------------------------------------------------------------------------- */

static struct result *result_add(struct run *rn, const char *name, const char *format)
{
    struct result *r;

    rn->results = xrealloc(rn->results, (rn->n_results + 1) * sizeof(*rn->results));
    r = &rn->results[rn->n_results++];
    memset(r, 0, sizeof(*r));
    r->name = xstrdup(name);
    snprintf(r->format, sizeof(r->format), "%s", format ? format : "");
    r->first_at = r->last_at = -1;
    return r;
}

/* FILE as the user knows it (owned): the reader's path of the upload replaced by its name. */
static char *shown_name(const struct run *rn, const struct result *r, const char *file)
{
    size_t n = rn->from ? strlen(rn->from) : 0, len;
    char *out;

    if (!file)
        return xstrdup(r->name);
    if (!n || strncmp(file, rn->from, n) != 0)
        return xstrdup(file);
    len = strlen(rn->to) + strlen(file + n) + 1;
    out = xmalloc(len);
    snprintf(out, len, "%s%s", rn->to, file + n);
    return out;
}

static void add_problem(const struct run *rn, struct result *r, const char *file, long line,
                        const char *message)
{
    if (r->n_problems >= PROBLEMS_MAX) {
        r->problems_more++;
        return;
    }
    r->problems = xrealloc(r->problems, (r->n_problems + 1) * sizeof(*r->problems));
    r->problems[r->n_problems].file = shown_name(rn, r, file);
    r->problems[r->n_problems].line = line;
    r->problems[r->n_problems].message = xstrdup(message);
    r->n_problems++;
}

static void refuse(const struct run *rn, struct result *r, const char *file, long line,
                   const char *message)
{
    char *shown = shown_name(rn, r, file);
    size_t len = strlen(shown) + strlen(message) + 32;

    r->refused = 1;
    free(r->error_message);
    r->error_message = xstrdup(message);
    free(r->error);
    r->error = xmalloc(len);
    snprintf(r->error, len, "%s:%ld: %s", shown, line, message);
    free(shown);
}

static void result_release(struct result *r)
{
    free(r->name);
    free(r->error);
    free(r->error_message);
    for (size_t i = 0; i < r->n_problems; i++) {
        free(r->problems[i].file);
        free(r->problems[i].message);
    }
    free(r->problems);
    for (size_t i = 0; i < r->n_notes; i++)
        free(r->notes[i]);
    free(r->notes);
    for (size_t i = 0; i < r->n_seen; i++) {
        free(r->seen[i].key);
        free(r->seen[i].name);
        free(r->seen[i].handle);
    }
    free(r->seen);
    free(r->index);
}

/* The participant KEY of R, added when new; NULL past PARTICIPANTS_MAX. */
static struct seen *seen_get(struct result *r, const char *key, const char *name,
                             const char *handle)
{
    size_t mask, i;
    struct seen *s;

    if (r->index_cap) {
        mask = r->index_cap - 1;
        for (i = pz_fnv1a64(key, strlen(key)) & mask; r->index[i]; i = (i + 1) & mask) {
            s = &r->seen[r->index[i] - 1];
            if (strcmp(s->key, key) == 0) {
                if (!s->name[0] && name && name[0]) {
                    free(s->name);
                    s->name = xstrdup(name);
                }
                if (!s->handle && handle)
                    s->handle = xstrdup(handle);
                return s;
            }
        }
    }
    if (r->n_seen >= PARTICIPANTS_MAX) {
        r->seen_more++;
        return NULL;
    }
    if (r->n_seen == r->cap_seen) {
        r->cap_seen = r->cap_seen ? 2 * r->cap_seen : 16;
        r->seen = xrealloc(r->seen, r->cap_seen * sizeof(*r->seen));
    }
    if (2 * (r->n_seen + 1) > r->index_cap) {
        free(r->index);
        r->index_cap = r->index_cap ? 2 * r->index_cap : 64;
        r->index = xcalloc(r->index_cap, sizeof(*r->index));
        mask = r->index_cap - 1;
        for (size_t k = 0; k < r->n_seen; k++) {
            for (i = pz_fnv1a64(r->seen[k].key, strlen(r->seen[k].key)) & mask; r->index[i];
                 i = (i + 1) & mask)
                ;
            r->index[i] = k + 1;
        }
    }
    s = &r->seen[r->n_seen];
    memset(s, 0, sizeof(*s));
    s->key = xstrdup(key);
    s->name = xstrdup(name ? name : "");
    s->handle = handle ? xstrdup(handle) : NULL;
    mask = r->index_cap - 1;
    for (i = pz_fnv1a64(key, strlen(key)) & mask; r->index[i]; i = (i + 1) & mask)
        ;
    r->index[i] = ++r->n_seen;
    return s;
}

/* --- the wrapped sink ---------------------------------------------------------------------- */

static int stop_now(struct run *rn)
{
    if (!rn->stopped && rn->ctl && rn->ctl->stop && rn->ctl->stop(rn->ctl->arg))
        rn->stopped = 1;
    return rn->stopped;
}

static int w_begin(const struct chat_conversation *c, void *arg)
{
    struct run *rn = arg;

    snprintf(rn->channel, sizeof(rn->channel), "%s", c->channel ? c->channel : "");
    free(rn->conv_key);
    rn->conv_key = xstrdup(c->key ? c->key : "");
    return rn->inner.begin(c, rn->inner.arg);
}

static int w_participant(const struct chat_participant *p, void *arg)
{
    struct run *rn = arg;

    if (p->key && p->key[0])
        seen_get(rn->cur, p->key, p->name, p->identity_value);
    return rn->inner.participant(p, rn->inner.arg);
}

static int w_message(const struct chat_message *m, void *arg)
{
    struct run *rn = arg;
    struct result *r = rn->cur;

    if (++rn->since_check >= STOP_EVERY) {
        rn->since_check = 0;
        if (stop_now(rn))
            return IMPORT_BATCH_STOPPED;
    }
    if (m->sender_key && m->sender_key[0]) {
        struct seen *s = seen_get(r, m->sender_key, m->sender_name, NULL);
        if (s)
            s->messages++;
    }
    if (r->first_at < 0 || m->sent_at < r->first_at)
        r->first_at = m->sent_at;
    if (m->sent_at > r->last_at)
        r->last_at = m->sent_at;
    return rn->inner.message(m, rn->inner.arg);
}

static int w_attachment(const struct chat_attachment *a, void *arg)
{
    struct run *rn = arg;
    return rn->inner.attachment(a, rn->inner.arg);
}

/*
 * After the writer ended a conversation: in a dry run, which participants
 * it took as the company's side (its rows say, inside the transaction);
 * when importing, the conversation's id.
 */
static int w_end(void *arg)
{
    struct run *rn = arg;
    struct pz_stmt *st;
    int r = rn->inner.end(rn->inner.arg);

    if (r != 0 || !rn->conv_key)
        return r;
    if (rn->commit) {
        int64_t id = 0;
        if (rn->cur->n_conv_ids < CHAT_JOB_CONVERSATION_IDS &&
            pz_sql_int_query(rn->conn,
                             "SELECT id FROM conversations WHERE workspace_id = $1"
                             " AND channel = $2 AND external_key = $3",
                             &id, "itt", rn->job->workspace_id, (const char *)rn->channel,
                             (const char *)rn->conv_key) == PZ_SQL_ROW)
            rn->cur->conv_ids[rn->cur->n_conv_ids++] = id;
        return 0;
    }
    st = pz_sql(rn->conn, "SELECT p.handle_key FROM conversation_participants p"
                          " JOIN conversations c ON c.workspace_id = p.workspace_id"
                          " AND c.id = p.conversation_id WHERE c.workspace_id = $1"
                          " AND c.channel = $2 AND c.external_key = $3 AND p.is_me = 1");
    if (!st)
        return 0;
    pz_sql_bind_int(st, 1, rn->job->workspace_id);
    pz_sql_bind_text(st, 2, rn->channel);
    pz_sql_bind_text(st, 3, rn->conv_key);
    while (pz_sql_step(st) == PZ_SQL_ROW) {
        const char *key = pz_sql_text(st, 0);
        struct seen *s = key ? seen_get(rn->cur, key, NULL, NULL) : NULL;
        if (s)
            s->me = 1;
    }
    pz_sql_done(st);
    return 0;
}

static void w_skip(const struct import_problem *p, void *arg)
{
    struct run *rn = arg;
    rn->inner.on_skip(p, rn->inner.arg);
}

static void w_note(const char *file, const char *message, void *arg)
{
    struct run *rn = arg;
    rn->inner.on_note(file, message, rn->inner.arg);
}

static void w_progress(long long done, long long total, void *arg)
{
    struct run *rn = arg;
    rn->inner.on_progress(done, total, rn->inner.arg);
}

/* The writer's reports. */
static void on_skip(const struct import_problem *p, void *arg)
{
    struct run *rn = arg;
    add_problem(rn, rn->cur, p->file, p->line, p->message);
}

static void on_note(const char *file, const char *message, void *arg)
{
    struct run *rn = arg;
    struct result *r = rn->cur;
    char *shown;
    size_t len;

    if (r->n_notes >= PROBLEMS_MAX)
        return;
    shown = shown_name(rn, r, file);
    len = strlen(shown) + strlen(message) + 3;
    r->notes = xrealloc(r->notes, (r->n_notes + 1) * sizeof(*r->notes));
    r->notes[r->n_notes] = xmalloc(len);
    snprintf(r->notes[r->n_notes], len, "%s: %s", shown, message);
    r->n_notes++;
    free(shown);
}

static void on_progress(long long done, long long total, void *arg)
{
    struct run *rn = arg;
    int64_t at = rn->bytes_before;

    if (total > 0 && done > 0)
        at += (int64_t)((double)rn->file_size * (double)(done < total ? done : total) /
                        (double)total);
    if (rn->ctl && rn->ctl->progress)
        rn->ctl->progress(rn->ctl->arg, at, rn->total);
}

/* --- one file ------------------------------------------------------------------------------ */

/* Starts a file's work: its own transaction when importing, a savepoint in a dry run. */
static int file_begin(struct run *rn)
{
    return rn->commit ? pz_tx_begin(rn->conn) : pz_sql_exec(rn->conn, "SAVEPOINT chat_file");
}

/* Ends it: KEEP commits (importing) or releases the savepoint; else everything goes back. */
static int file_end(struct run *rn, int keep)
{
    int r;

    if (rn->commit)
        return keep ? pz_tx_commit(rn->conn) : pz_tx_rollback(rn->conn);
    r = keep ? 0 : pz_sql_exec(rn->conn, "ROLLBACK TO SAVEPOINT chat_file");
    return r < 0 ? r : pz_sql_exec(rn->conn, "RELEASE SAVEPOINT chat_file");
}

/* The company's side the user chose for result INDEX, into *OUT (the caller frees it). */
static size_t chosen_me(struct run *rn, size_t index, struct inbox_import_me **out)
{
    json_t *arr = json_object_get(rn->options, "me"), *e;
    size_t i, n = 0;

    *out = xcalloc(json_array_size(arr) + 1, sizeof(**out));
    json_array_foreach(arr, i, e)
    {
        const char *key = json_string_value(json_object_get(e, "key"));
        if (!key || json_integer_value(json_object_get(e, "file")) != (json_int_t)index)
            continue;
        (*out)[n].key = key;
        (*out)[n].user_id = json_integer_value(json_object_get(e, "user_id"));
        n++;
    }
    return n;
}

/* SHA-256 of the file at PATH into SHA, "" when unreadable (the reader then says why). */
static void sha_of(const char *path, char sha[65])
{
    if (import_batch_sha256(path, sha) < 0)
        sha[0] = '\0';
}

/* Reads chat export PATH as FORMAT into result R. Returns 0, or a negative code (database). */
static int do_chat(struct run *rn, struct result *r, const char *path, const char *format)
{
    struct inbox_import_options o;
    struct inbox_import_hooks hooks = {on_skip, on_note, on_progress, rn};
    struct inbox_import_me *me = NULL;
    struct inbox_import *w;
    struct import_problem fatal;
    struct chat_sink wrapped;
    struct pz_err err = {0};
    int64_t run_id = 0;
    char sha[65];
    int rc, failed;

    memset(&o, 0, sizeof(o));
    o.workspace_id = rn->job->workspace_id;
    o.user_id = rn->job->created_by;
    o.data_dir = rn->commit ? rn->data_dir : NULL;
    if (rn->commit && rn->options) {
        o.me_chosen = 1;
        o.n_me_keys = chosen_me(rn, (size_t)(r - rn->results), &me);
        o.me_keys = me;
    }
    if (rn->commit) {
        sha_of(path, sha);
        if (import_run_begin(rn->conn, o.workspace_id, rn->job->created_by, format, r->name, sha,
                             &run_id, &err) < 0) {
            free(me);
            return PZ_EDB;
        }
        o.import_run_id = run_id;
    }
    w = inbox_import_new(rn->conn, &o);
    inbox_import_sink(w, &rn->inner, &hooks);
    wrapped = rn->inner;
    wrapped.begin = w_begin;
    wrapped.participant = w_participant;
    wrapped.message = w_message;
    wrapped.attachment = w_attachment;
    wrapped.end = w_end;
    wrapped.on_skip = w_skip;
    wrapped.on_note = w_note;
    wrapped.on_progress = w_progress;
    wrapped.arg = rn;
    memset(&fatal, 0, sizeof(fatal));
    rc = file_begin(rn);
    /* Importing, the file's messages are indexed for search at its commit, in one go; a dry
     * run defers them for the whole run (chat_job_run), since it keeps nothing. */
    if (rc == 0 && rn->commit)
        pz_store_search_defer(rn->conn);
    if (rc == 0)
        rc = chat_read_pipelined(format, path, &rn->chat_opts, &wrapped, &fatal);
    failed = inbox_import_failed(w);
    inbox_import_file_counts(w, &r->c);
    if (rc == 0 && !failed) {
        rc = file_end(rn, 1);
        if (rc == 0)
            inbox_import_file_done(w);
        else
            inbox_import_discard_files(w);
        failed = rc;
    } else {
        file_end(rn, 0);
        inbox_import_discard_files(w);
        if (!failed && !rn->stopped) {
            /* Refused: nothing of it counts. */
            for (size_t i = 0; i < r->n_problems; i++) {
                free(r->problems[i].file);
                free(r->problems[i].message);
            }
            r->n_problems = 0;
            memset(&r->c, 0, sizeof(r->c));
            refuse(rn, r, fatal.file, fatal.line,
                   fatal.message[0] ? fatal.message : "the file cannot be read");
        }
    }
    if (run_id) {
        struct pz_buf b;
        struct pz_json j;
        pz_buf_init(&b, 16 * 1024 * 1024);
        pz_json_init(&j, &b);
        pz_json_begin_array(&j);
        for (size_t i = 0; i < r->n_problems; i++)
            import_problem_json(&j, r->problems[i].file, r->problems[i].line,
                                r->problems[i].message);
        if (r->refused)
            import_problem_json(&j, r->name, 0, r->error);
        pz_json_end_array(&j);
        import_run_finish(rn->conn, o.workspace_id, run_id,
                          failed ? "failed" : (r->refused || rn->stopped ? "refused" : "done"),
                          r->c.messages + r->c.duplicates_skipped, NULL, r->c.skipped,
                          pz_buf_str(&b));
        pz_buf_release(&b);
        if (!failed && !r->refused && !rn->stopped)
            inbox_import_run_record(rn->conn, o.workspace_id, run_id, &r->c);
    }
    inbox_import_free(w);
    free(me);
    free(rn->conv_key);
    rn->conv_key = NULL;
    return failed < 0 ? failed : 0;
}

static int batch_progress(void *arg, const char *label, long line, long records)
{
    (void)label;
    (void)line;
    (void)records;
    return stop_now(arg);
}

/* Reads contact file PATH (FORMAT NULL: detect) into R. Returns 0, or a negative code. */
static int do_contacts(struct run *rn, struct result *r, const char *path, const char *format)
{
    struct import_batch b;
    int rc;

    r->contacts = 1;
    memset(&b, 0, sizeof(b));
    b.conn = rn->conn;
    b.workspace_id = rn->job->workspace_id;
    b.user_id = rn->job->created_by;
    b.on_progress = batch_progress;
    b.arg = rn;
    rc = file_begin(rn);
    if (rc == 0)
        rc = import_batch_file(&b, path, r->name, format);
    if (rc < 0 || rc == IMPORT_BATCH_STOPPED) {
        file_end(rn, 0);
    } else if (rc == 1) {
        const struct import_batch_problem *p = b.n_problems ? &b.problems[b.n_problems - 1] : NULL;
        file_end(rn, 0);
        refuse(rn, r, p ? p->file : NULL, p ? p->line : 0,
               p ? p->message : "the file cannot be read");
        rc = 0;
    } else {
        rc = file_end(rn, 1);
        snprintf(r->format, sizeof(r->format), "%.*s", (int)sizeof(r->format) - 1, b.formats);
        r->records = b.records;
        r->c.contacts_created = b.counts.created;
        r->updated = b.counts.updated;
        r->unchanged = b.counts.unchanged;
        r->suggested = b.counts.duplicates_suggested;
        r->c.skipped = b.skipped;
        for (size_t i = 0; i < b.n_problems; i++)
            add_problem(rn, r, b.problems[i].file, b.problems[i].line, b.problems[i].message);
    }
    import_batch_release(&b);
    return rc < 0 ? rc : 0;
}

/* Reads the uploaded file at PATH (already under its user's NAME) into results. */
static int read_upload(struct run *rn, const char *name, const char *path, const char *tmp)
{
    const char *given = rn->job->format[0] ? rn->job->format : NULL;
    struct linkedin_zip z;
    char format[32];
    int rc = 0, r;

    rn->from = path;
    rn->to = name;
    if (!given || strcmp(given, "linkedin") == 0) {
        r = linkedin_zip_unpack(path, tmp, &z);
        if (r < 0) {
            refuse(rn, result_add(rn, name, "linkedin"), name, 0, "cannot be unpacked");
            return 0;
        }
        if (r == 1) {
            for (int k = 0; k < LINKEDIN_ZIP_MEMBERS && rc == 0 && !rn->stopped; k++) {
                const struct linkedin_zip_member *m = &z.members[k];
                char shown[800];
                if (!m->present)
                    continue;
                snprintf(shown, sizeof(shown), "%s:%s", name, m->name);
                rn->from = m->path;
                rn->to = shown;
                rn->cur = result_add(rn, shown, "linkedin");
                if (!m->unpacked)
                    refuse(rn, rn->cur, shown, 0, "cannot be unpacked from the zip");
                else if (k == 0)
                    rc = do_contacts(rn, rn->cur, m->path, "linkedin");
                else
                    rc = do_chat(rn, rn->cur, m->path, "linkedin");
            }
            linkedin_zip_cleanup(&z);
            rn->from = rn->to = NULL; /* they named the zip's members, gone now */
            return rc;
        }
    }
    snprintf(format, sizeof(format), "%s", given ? given : "");
    if (!given && chat_detect(path, format, sizeof(format)) < 0 &&
        import_detect(path, format, sizeof(format)) < 0) {
        refuse(rn, result_add(rn, name, NULL), name, 1,
               "format not recognised (a WhatsApp chat, mbox, .eml, Messenger JSON, X direct "
               "messages, Telegram JSON, LinkedIn messages.csv or export .zip, vCard, contacts "
               "CSV or LinkedIn Connections.csv expected)");
        return 0;
    }
    rn->cur = result_add(rn, name, format);
    if (chat_claims(format, path))
        return do_chat(rn, rn->cur, path, format);
    return do_contacts(rn, rn->cur, path, format);
}

/*
 * Imports uploaded file NAME stored at PATH. Readers take a chat's title
 * from its file name ("WhatsApp Chat with Franco.txt"), and a newer export
 * must find the same conversation, so the file is read through a link
 * under the user's name, in a folder of its own under TMP_DIR. Returns 0 or
 * a negative code.
 */
static int do_file(struct run *rn, const char *name, const char *path, const char *tmp_dir)
{
    char dir[4200], linked[4700];
    const char *base = name;
    int rc;

    snprintf(dir, sizeof(dir), "%s/.chat-XXXXXX", tmp_dir && *tmp_dir ? tmp_dir : "/tmp");
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strchr(base, '/'))
        base = "file";
    if (!mkdtemp(dir)) {
        refuse(rn, result_add(rn, name, NULL), name, 0, "cannot be read (no room to unpack it)");
        return 0;
    }
    snprintf(linked, sizeof(linked), "%s/%s", dir, base);
    if (link(path, linked) < 0 && symlink(path, linked) < 0) {
        rmdir(dir);
        refuse(rn, result_add(rn, name, NULL), name, 0, "cannot be read");
        return 0;
    }
    rc = read_upload(rn, name, linked, dir);
    unlink(linked);
    rmdir(dir);
    rn->from = rn->to = NULL;
    return rc;
}

/* --- the preview and the summary ----------------------------------------------------------- */

static int seen_order(const void *a, const void *b)
{
    const struct seen *x = a, *y = b;

    if (x->me != y->me)
        return y->me - x->me;
    if (x->messages != y->messages)
        return x->messages < y->messages ? 1 : -1;
    return strcmp(x->key, y->key);
}

static void write_participants(struct pz_json *j, struct result *r)
{
    size_t shown = 0;

    /* Sorting moves entries: the index is of no use after it. */
    if (r->n_seen > 1)
        qsort(r->seen, r->n_seen, sizeof(*r->seen), seen_order);
    pz_json_key(j, "participants");
    pz_json_begin_array(j);
    for (size_t i = 0; i < r->n_seen; i++) {
        const struct seen *s = &r->seen[i];
        if (shown >= CHAT_JOB_PARTICIPANTS_SHOWN && !s->me)
            continue;
        shown++;
        pz_json_begin_object(j);
        pz_json_kstr(j, "key", s->key);
        pz_json_kstr(j, "name", s->name[0] ? s->name : s->key);
        pz_json_kstr(j, "handle", s->handle);
        pz_json_kint(j, "messages", s->messages);
        pz_json_kbool(j, "me", s->me);
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
    pz_json_kint(j, "participants_total", (int64_t)r->n_seen + r->seen_more);
}

static void write_problems(struct pz_json *j, const struct result *r)
{
    pz_json_key(j, "errors");
    pz_json_begin_array(j);
    for (size_t i = 0; i < r->n_problems; i++)
        import_problem_json(j, r->problems[i].file, r->problems[i].line, r->problems[i].message);
    pz_json_end_array(j);
}

/* The preview (dry run) or summary as JSON text, the caller's. */
static char *result_json(struct run *rn)
{
    struct inbox_import_counts t;
    long records = 0, updated = 0, unchanged = 0, suggested = 0, refused = 0;
    int64_t first = -1, last = -1;
    char formats[128] = "";
    struct pz_buf buf;
    struct pz_json j;

    memset(&t, 0, sizeof(t));
    for (size_t i = 0; i < rn->n_results; i++) {
        const struct result *r = &rn->results[i];
        t.conversations += r->c.conversations;
        t.messages += r->c.messages;
        t.system_messages += r->c.system_messages;
        t.duplicates_skipped += r->c.duplicates_skipped;
        t.contacts_created += r->c.contacts_created;
        t.contacts_matched += r->c.contacts_matched;
        t.attachments += r->c.attachments;
        t.skipped += r->c.skipped;
        records += r->records;
        updated += r->updated;
        unchanged += r->unchanged;
        suggested += r->suggested;
        refused += r->refused;
        if (r->first_at >= 0 && (first < 0 || r->first_at < first))
            first = r->first_at;
        if (r->last_at > last)
            last = r->last_at;
        if (r->format[0] && !strstr(formats, r->format)) {
            size_t len = strlen(formats);
            snprintf(formats + len, sizeof(formats) - len, "%s%s", len ? "," : "", r->format);
        }
    }
    pz_buf_init(&buf, 64 * 1024 * 1024);
    pz_json_init(&j, &buf);
    pz_json_begin_object(&j);
    pz_json_kstr(&j, "format", formats);
    pz_json_kint(&j, "files", (int64_t)rn->n_results);
    pz_json_kint(&j, "files_refused", refused);
    pz_json_kint(&j, "conversations", t.conversations);
    pz_json_kint(&j, "messages", t.messages);
    pz_json_kint(&j, "system_messages", t.system_messages);
    pz_json_kint(&j, "duplicates_skipped", t.duplicates_skipped);
    pz_json_kint(&j, "attachments", t.attachments);
    pz_json_kint(&j, "records", records);
    pz_json_kint(&j, "contacts_created", t.contacts_created);
    pz_json_kint(&j, "contacts_matched", t.contacts_matched);
    pz_json_kint(&j, "contacts_updated", updated);
    pz_json_kint(&j, "contacts_unchanged", unchanged);
    pz_json_kint(&j, "duplicates_suggested", suggested);
    pz_json_kint(&j, "skipped", t.skipped);
    pz_json_kint_or_null(&j, "first_message_at", first);
    pz_json_kint_or_null(&j, "last_message_at", last);
    pz_json_kbool(&j, "dry_run", !rn->commit);
    pz_json_key(&j, "errors");
    pz_json_begin_array(&j);
    for (size_t i = 0; i < rn->n_results; i++) {
        const struct result *r = &rn->results[i];
        for (size_t k = 0; k < r->n_problems; k++)
            import_problem_json(&j, r->problems[k].file, r->problems[k].line,
                                r->problems[k].message);
    }
    pz_json_end_array(&j);
    pz_json_key(&j, "per_file");
    pz_json_begin_array(&j);
    for (size_t i = 0; i < rn->n_results; i++) {
        struct result *r = &rn->results[i];
        pz_json_begin_object(&j);
        pz_json_kint(&j, "index", (int64_t)i);
        pz_json_kstr(&j, "name", r->name);
        pz_json_kstr(&j, "format", r->format[0] ? r->format : NULL);
        pz_json_kstr(&j, "kind", r->contacts ? "contacts" : "chats");
        pz_json_kstr(&j, "status", r->refused ? "refused" : "ok");
        pz_json_kstr(&j, "error", r->error);
        import_problem_code_json(&j, "error_code", "error_args", r->error_message);
        pz_json_kint(&j, "conversations", r->c.conversations);
        pz_json_kint(&j, "messages", r->c.messages);
        pz_json_kint(&j, "system_messages", r->c.system_messages);
        pz_json_kint(&j, "duplicates_skipped", r->c.duplicates_skipped);
        pz_json_kint(&j, "attachments", r->c.attachments);
        pz_json_kint(&j, "records", r->records);
        pz_json_kint(&j, "contacts_created", r->c.contacts_created);
        pz_json_kint(&j, "contacts_matched", r->c.contacts_matched);
        pz_json_kint(&j, "contacts_updated", r->updated);
        pz_json_kint(&j, "contacts_unchanged", r->unchanged);
        pz_json_kint(&j, "skipped", r->c.skipped);
        pz_json_kint_or_null(&j, "first_message_at", r->first_at);
        pz_json_kint_or_null(&j, "last_message_at", r->last_at);
        write_problems(&j, r);
        pz_json_kint(&j, "errors_more", r->problems_more);
        pz_json_key(&j, "notes");
        pz_json_begin_array(&j);
        for (size_t k = 0; k < r->n_notes; k++)
            pz_json_str(&j, r->notes[k]);
        pz_json_end_array(&j);
        if (!rn->commit)
            write_participants(&j, r);
        if (rn->commit) {
            pz_json_key(&j, "conversation_ids");
            pz_json_begin_array(&j);
            for (size_t k = 0; k < r->n_conv_ids; k++)
                pz_json_int(&j, r->conv_ids[k]);
            pz_json_end_array(&j);
        }
        pz_json_end_object(&j);
    }
    pz_json_end_array(&j);
    pz_json_end_object(&j);
    if (pz_json_error(&j) < 0) {
        pz_buf_release(&buf);
        return xstrdup("{}");
    }
    return pz_buf_detach(&buf, NULL);
}

/* --- the job ------------------------------------------------------------------------------- */

enum chat_job_outcome chat_job_run(struct pz_conn *conn, const struct import_job *job,
                                   const struct chat_job_file *files, size_t n,
                                   const char *data_dir, const char *tmp_dir,
                                   const struct chat_job_ctl *ctl, char **result, char **error)
{
    struct run rn;
    enum chat_job_outcome out;
    int rc = 0;
    size_t ok = 0;

    *result = *error = NULL;
    memset(&rn, 0, sizeof(rn));
    rn.conn = conn;
    rn.job = job;
    rn.ctl = ctl;
    rn.data_dir = data_dir;
    rn.tmp_dir = tmp_dir;
    rn.commit = strcmp(job->status, "importing") == 0;
    rn.options = rn.commit && job->options ? json_loads(job->options, 0, NULL) : NULL;
    if (rn.options && !json_is_array(json_object_get(rn.options, "me"))) {
        json_decref(rn.options);
        rn.options = NULL;
    }
    if (workspace_get(conn, job->workspace_id, &rn.ws) == 0) {
        rn.chat_opts.time_zone = rn.ws.timezone;
        rn.chat_opts.locale = rn.ws.locale;
    }
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        rn.total += stat(files[i].path, &sb) == 0 ? (int64_t)sb.st_size : 0;
    }
    /* For the dry run: importing, each file's import_run_begin and import_run_finish make the
     * cache large and small again around it. A speed-up only: the run goes on without it. */
    pz_store_bulk(conn, 1);
    if (!rn.commit) {
        rc = pz_tx_begin(conn);
        if (rc == 0) /* before any file's savepoint, so that none brings the trigger back */
            pz_store_search_defer(conn);
    }
    for (size_t i = 0; rc == 0 && i < n && !rn.stopped; i++) {
        struct stat sb;
        rn.file_size = stat(files[i].path, &sb) == 0 ? (int64_t)sb.st_size : 0;
        rc = do_file(&rn, files[i].name, files[i].path, tmp_dir);
        rn.bytes_before += rn.file_size;
        if (ctl && ctl->progress)
            ctl->progress(ctl->arg, rn.bytes_before, rn.total);
    }
    if (!rn.commit)
        pz_tx_rollback(conn);
    pz_store_bulk(conn, 0);
    for (size_t i = 0; i < rn.n_results; i++)
        ok += !rn.results[i].refused;
    if (rc < 0) {
        out = CHAT_JOB_FAILED;
        *error = xstrdup(rn.commit ? "the database failed; files imported before the failure "
                                     "were kept, the others were not"
                                   : "the database failed; nothing was imported");
    } else if (rn.stopped) {
        out = CHAT_JOB_STOPPED;
    } else if (ok == 0 && !rn.commit) {
        out = CHAT_JOB_REFUSED;
        for (size_t i = 0; i < rn.n_results && !*error; i++)
            if (rn.results[i].error)
                *error = xstrdup(rn.results[i].error);
        if (!*error)
            *error = xstrdup("the upload has no file to import");
    } else {
        out = rn.commit ? CHAT_JOB_DONE : CHAT_JOB_READY;
    }
    *result = result_json(&rn);
    for (size_t i = 0; i < rn.n_results; i++)
        result_release(&rn.results[i]);
    free(rn.results);
    free(rn.conv_key);
    json_decref(rn.options);
    return out;
}

const char *chat_job_kind(const char *format, const char *const *paths, size_t n)
{
    char detected[32];

    if (format && *format && strcmp(format, "linkedin") != 0)
        return chat_format_known(format) ? "chats" : "contacts";
    for (size_t i = 0; i < n; i++) {
        if (linkedin_zip_is(paths[i]))
            return "chats";
        if (format && *format ? chat_claims(format, paths[i])
                              : chat_detect(paths[i], detected, sizeof(detected)) == 0)
            return "chats";
    }
    return "contacts";
}
