/*
 * Importing contact files as a batch. See import_batch.h.
 */
#include "contacts/import_batch.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts/normalize.h"
#include "core/buf.h"
#include "core/mem.h"
#include "import/detect.h"
#include "import/record_pipe.h"
#include "import/problems.h"
#include "core/banned.h"

#define DEFAULT_REGION "IT"

void import_batch_problem(struct import_batch *b, const char *file, long line, const char *message)
{
    if (b->n_problems >= IMPORT_BATCH_MAX_PROBLEMS) {
        b->problems_dropped++;
        return;
    }
    if (b->n_problems == b->cap_problems) {
        b->cap_problems = b->cap_problems ? b->cap_problems * 2 : 16;
        b->problems = xrealloc(b->problems, b->cap_problems * sizeof(*b->problems));
    }
    b->problems[b->n_problems].file = xstrdup(file ? file : "");
    b->problems[b->n_problems].line = line;
    b->problems[b->n_problems].message = xstrdup(message);
    b->n_problems++;
}

static void on_skip(const struct import_problem *p, void *arg)
{
    struct import_batch *b = arg;
    b->skipped++;
    import_batch_problem(b, b->label, p->line, p->message);
}

/*
 * Writes one record. An identity that cannot be normalized is dropped and
 * reported, so that one bad e-mail does not lose a person with three good
 * phone numbers.
 */
static int on_record(const struct import_contact *rec, void *arg)
{
    struct import_batch *b = arg;
    const char *region = b->default_region ? b->default_region : DEFAULT_REGION;
    struct import_contact kept = *rec;
    struct pz_err err = {0};
    /* The values normalized here are handed on, so the importer does not normalize again. */
    char(*norms)[NORMALIZE_MAX] = xmalloc((rec->n_identities + 1) * sizeof(*norms));
    const char *kept_norms[IMPORT_MAX_IDENTITIES];
    char msg[400];
    long created = b->counts.created;
    int r;

    b->records++;
    kept.n_identities = 0;
    for (size_t i = 0; i < rec->n_identities && i < IMPORT_MAX_IDENTITIES; i++) {
        struct pz_err ierr = {0};
        char *norm = norms[kept.n_identities];
        if (normalize_identity(rec->identities[i].kind, rec->identities[i].value, region, norm,
                               NORMALIZE_MAX, &ierr) < 0) {
            snprintf(msg, sizeof(msg), "%s '%s' left out: %s", rec->identities[i].kind,
                     rec->identities[i].value, ierr.message);
            import_batch_problem(b, b->label, rec->line, msg);
            continue;
        }
        kept_norms[kept.n_identities] = norm;
        kept.identities[kept.n_identities++] = rec->identities[i];
    }
    r = contacts_importer_record_normalized(b->importer, &kept, kept_norms, &b->counts, &err);
    free(norms);
    if (r == PZ_EINVAL) {
        b->skipped++;
        import_batch_problem(b, b->label, rec->line,
                             err.message[0] ? err.message : "record skipped");
    } else if (r < 0) {
        b->db_error = r;
        return 1; /* stop: the database failed */
    }
    if (b->on_created && b->counts.created > created)
        b->on_created(b->arg, &kept);
    if (b->on_progress && b->on_progress(b->arg, b->label, rec->line, b->records)) {
        b->stopped = 1;
        return 1;
    }
    return 0;
}

int import_batch_sha256(const char *path, char out[65])
{
    crypto_hash_sha256_state st;
    unsigned char buf[65536], h[crypto_hash_sha256_BYTES];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (!f)
        return PZ_EIO;
    crypto_hash_sha256_init(&st);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        crypto_hash_sha256_update(&st, buf, n);
    if (ferror(f)) {
        fclose(f);
        return PZ_EIO;
    }
    fclose(f);
    crypto_hash_sha256_final(&st, h);
    for (size_t i = 0; i < sizeof(h); i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    return 0;
}

/* Writes problems FROM.. of B as a JSON array of {"file", "line", "message", "code", "args"}. */
static void write_problems(struct pz_json *j, const struct import_batch *b, size_t from)
{
    pz_json_begin_array(j);
    for (size_t i = from; i < b->n_problems; i++)
        import_problem_json(j, b->problems[i].file, b->problems[i].line, b->problems[i].message);
    pz_json_end_array(j);
}

/* The JSON array of problems from index FROM. Returned string is the caller's. */
static char *problems_json(const struct import_batch *b, size_t from)
{
    struct pz_buf buf;
    struct pz_json j;

    pz_buf_init(&buf, 16 * 1024 * 1024);
    pz_json_init(&j, &buf);
    write_problems(&j, b, from);
    return pz_buf_detach(&buf, NULL);
}

static void note_format(struct import_batch *b, const char *format)
{
    size_t n = strlen(b->formats);

    if (!format[0] || strstr(b->formats, format))
        return;
    snprintf(b->formats + n, sizeof(b->formats) - n, "%s%s", n ? "," : "", format);
}

/* Undoes what a refused file added to the counts and problems, then says why it was refused. */
static void forget_file(struct import_batch *b, size_t first_problem, long records_before,
                        long skipped_before, const struct contacts_import_counts *before,
                        const struct import_problem *fatal)
{
    b->counts = *before;
    b->records = records_before;
    b->skipped = skipped_before;
    while (b->n_problems > first_problem) {
        b->n_problems--;
        free(b->problems[b->n_problems].file);
        free(b->problems[b->n_problems].message);
    }
    if (b->db_error)
        import_batch_problem(b, b->label, 0, "the database failed; nothing of this file was kept");
    else if (b->stopped)
        import_batch_problem(b, b->label, 0, "stopped; nothing of this file was kept");
    else /* readers name the path they were given; the label is the name the user knows */
        import_batch_problem(b, b->label, fatal->line,
                             fatal->message[0] ? fatal->message : "cannot be read");
}

static int batch_file(struct import_batch *b, const char *path, const char *label,
                      const char *given_format);

/*
 * With a transaction of its own per file, the file is written with foreign keys unchecked
 * (pz_store_references_trusted): every row the importer writes points at a contact, an
 * organization or a tag it has just found or made in that transaction, and it deletes
 * nothing. Inside a caller's transaction they stay checked.
 */
int import_batch_file(struct import_batch *b, const char *path, const char *label,
                      const char *given_format)
{
    int trusted = b->own_tx && pz_store_references_trusted(b->conn, 1) == 0;
    int r = batch_file(b, path, label, given_format);

    if (trusted && pz_store_references_trusted(b->conn, 0) < 0 && r == 0)
        r = PZ_EDB;
    /* import_run_begin made the connection's page cache large for the file and
     * import_run_finish makes it small again; a dry run, or a file that failed in between,
     * never reaches the finish. */
    pz_store_bulk(b->conn, 0);
    return r;
}

/* A file that failed after its run was recorded outside its transaction: the run says so. */
static int run_failed(struct import_batch *b, int early_run, int code)
{
    if (early_run)
        import_run_finish(b->conn, b->workspace_id, b->run_id, "failed", 0, NULL, 0, "[]");
    return code;
}

static int batch_file(struct import_batch *b, const char *path, const char *label,
                      const char *given_format)
{
    struct import_sink sink = {on_record, on_skip, b};
    struct import_problem fatal;
    struct pz_err err = {0};
    char sha[65], format[32];
    size_t first_problem = b->n_problems;
    long records_before = b->records, skipped_before = b->skipped;
    struct contacts_import_counts before = b->counts, delta;
    const char *region = b->default_region ? b->default_region : DEFAULT_REGION;
    int early_run = b->own_tx && !b->dry_run, deferred = 0;
    char *errors;
    int r;

    b->label = label ? label : path;
    b->files++;
    b->db_error = 0;
    b->stopped = 0;
    snprintf(format, sizeof(format), "%s", given_format ? given_format : "");
    note_format(b, format);
    if (import_batch_sha256(path, sha) < 0) {
        import_batch_problem(b, b->label, 0, "cannot read the file");
        return 1;
    }
    if (!given_format) {
        r = import_detect(path, format, sizeof(format));
        if (r < 0) {
            import_batch_problem(b, b->label, 1,
                                 r == PZ_EIO ? "cannot read the file"
                                             : "format not recognised (vCard, contacts CSV or "
                                               "LinkedIn Connections.csv expected)");
            return 1;
        }
    }
    note_format(b, format);
    /* A refused file's run is kept as "refused" only when the run is recorded outside the
     * file's transaction; a dry run keeps nothing, not even its run row. */
    if (early_run && import_run_begin(b->conn, b->workspace_id, b->user_id, format, b->label, sha,
                                      &b->run_id, &err) < 0)
        return PZ_EDB;
    if (b->own_tx) {
        r = pz_tx_begin(b->conn);
        if (r < 0)
            return run_failed(b, early_run, r);
    }
    if (!early_run && import_run_begin(b->conn, b->workspace_id, b->user_id, format, b->label, sha,
                                       &b->run_id, &err) < 0) {
        if (b->own_tx)
            pz_tx_rollback(b->conn);
        return PZ_EDB;
    }
    /* New contacts join the search index in one pass at the end (see pz_store_text_defer). */
    if (pz_store_text_defer(b->conn, "contacts", &deferred) < 0) {
        if (b->own_tx)
            pz_tx_rollback(b->conn);
        return run_failed(b, early_run, PZ_EDB);
    }
    r = contacts_importer_new(b->conn, b->workspace_id, b->run_id, region, &b->importer);
    if (r < 0) {
        if (b->own_tx)
            pz_tx_rollback(b->conn);
        return run_failed(b, early_run, r);
    }
    memset(&fatal, 0, sizeof(fatal));
    r = import_read_pipelined(format, path, &sink, &fatal); /* parsed on a second thread */
    if (r == 0 && !b->db_error && !b->stopped) {
        int fr = contacts_importer_finish(b->importer);
        if (fr < 0)
            b->db_error = fr;
    }
    contacts_importer_free(b->importer);
    b->importer = NULL;
    if (r == 0 && !b->db_error && !b->stopped && deferred && !(b->own_tx && b->dry_run)) {
        int later =
            b->index_later_min > 0 && b->counts.created - before.created >= b->index_later_min;
        int cr = later ? pz_store_text_leave(b->conn, "contacts")
                       : pz_store_text_catch_up(b->conn, "contacts");
        if (cr < 0)
            b->db_error = cr;
        else if (later && !b->dry_run)
            b->index_left = 1;
    }
    if (r != 0 || b->db_error || b->stopped) {
        if (b->own_tx)
            pz_tx_rollback(b->conn);
        forget_file(b, first_problem, records_before, skipped_before, &before, &fatal);
        if (early_run) {
            errors = problems_json(b, first_problem);
            import_run_finish(b->conn, b->workspace_id, b->run_id,
                              b->db_error ? "failed" : "refused", 0, NULL, 0, errors);
            free(errors);
        }
        if (b->db_error)
            return b->db_error;
        return b->stopped ? IMPORT_BATCH_STOPPED : 1;
    }
    if (b->own_tx && b->dry_run) {
        pz_tx_rollback(b->conn);
        return 0;
    }
    if (b->own_tx) {
        r = pz_tx_commit(b->conn);
        if (r < 0)
            return run_failed(b, early_run, r);
    }
    delta.created = b->counts.created - before.created;
    delta.updated = b->counts.updated - before.updated;
    delta.unchanged = b->counts.unchanged - before.unchanged;
    delta.duplicates_suggested = b->counts.duplicates_suggested - before.duplicates_suggested;
    errors = problems_json(b, first_problem);
    r = import_run_finish(b->conn, b->workspace_id, b->run_id, "done", b->records - records_before,
                          &delta, b->skipped - skipped_before, errors);
    free(errors);
    return r < 0 ? r : 0;
}

void import_batch_summary(const struct import_batch *b, struct pz_json *j, int dry_run,
                          int leave_open)
{
    pz_json_begin_object(j);
    pz_json_kstr(j, "format", b->formats);
    pz_json_kint(j, "files", b->files);
    pz_json_kint(j, "records", b->records);
    pz_json_kint(j, "contacts_created", b->counts.created);
    pz_json_kint(j, "contacts_updated", b->counts.updated);
    pz_json_kint(j, "contacts_unchanged", b->counts.unchanged);
    pz_json_kint(j, "duplicates_suggested", b->counts.duplicates_suggested);
    pz_json_kint(j, "skipped", b->skipped);
    pz_json_kbool(j, "dry_run", dry_run);
    pz_json_key(j, "errors");
    write_problems(j, b, 0);
    if (!leave_open)
        pz_json_end_object(j);
}

void import_batch_release(struct import_batch *b)
{
    for (size_t i = 0; i < b->n_problems; i++) {
        free(b->problems[i].file);
        free(b->problems[i].message);
    }
    free(b->problems);
    b->problems = NULL;
    b->n_problems = b->cap_problems = 0;
}
