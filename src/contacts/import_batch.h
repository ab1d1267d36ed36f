/*
 * A batch of contact files imported together: the path from files on disk
 * to contacts that the web's import jobs use (src/jobs). For each file it
 * finds the format (given, or detected from the content), reads it with that
 * format's reader, drops identities that cannot be normalized (reported, so
 * one bad e-mail does not lose a person), writes every record through
 * contacts_import_record, records the file as an import run, and collects
 * counts and problems ({file, line, message}) for one summary, the object
 * `piazza import --json` prints. `piazza import` (src/cli/import.c) sends
 * its contact files through it too: one path for both.
 *
 * Speed: each file gets one contacts_importer (its caches live as long as
 * the file's transaction), and new contacts join the search index in one
 * pass before the file's records are committed (pz_store_text_defer).
 *
 * Transactions: with own_tx each file is one transaction (refused files
 * roll back alone, their run row kept as "refused"; a dry run rolls back
 * every file). Without it everything runs in the caller's transaction, run
 * rows included, and a refused file means the caller rolls back; the import
 * jobs work this way so that nothing of a job stays unless all of it does.
 */
#ifndef PZ_CONTACTS_IMPORT_BATCH_H
#define PZ_CONTACTS_IMPORT_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "contacts/import.h"
#include "core/json.h"
#include "import/record.h"
#include "store/store.h"

#define IMPORT_BATCH_MAX_PROBLEMS 1000

struct import_batch_problem {
    char *file;
    long line;
    char *message;
};

struct import_batch {
    /* Set by the caller before the first file. */
    struct pz_conn *conn;
    int64_t workspace_id;
    int64_t user_id;            /* who imports; 0 for none (the CLI) */
    const char *default_region; /* NULL for "IT" */
    int dry_run;                /* own_tx only: roll every file back */
    int own_tx;                 /* one transaction per file (the CLI) */
    /*
     * Called after every record with the file's label and the record's line;
     * a non-zero return stops the batch (the file counts as refused with
     * "stopped", and import_batch_file returns IMPORT_BATCH_STOPPED). May be NULL.
     */
    int (*on_progress)(void *arg, const char *label, long line, long records);
    /* Called with each record that created a contact (borrowed for the call). May be NULL. */
    void (*on_created)(void *arg, const struct import_contact *rec);
    void *arg;
    /*
     * A file that creates at least this many contacts leaves them to be
     * search-indexed after its commit (pz_store_text_leave), by the server's
     * job runner, instead of before it: the import ends sooner, and search
     * reads the new contacts directly until they are indexed. 0: always
     * before the commit. Callers use IMPORT_INDEX_LATER_MIN.
     */
    long index_later_min;

    /* Results, across files. */
    long files, records, skipped;
    struct contacts_import_counts counts;
    char formats[128]; /* the formats met, comma-separated */
    struct import_batch_problem *problems;
    size_t n_problems, cap_problems;
    long problems_dropped;
    int index_left; /* a file left its new contacts to be indexed later */

    /* Private. */
    struct contacts_importer *importer;
    const char *label;
    int64_t run_id;
    int db_error, stopped;
};

#define IMPORT_BATCH_STOPPED 2

/* Indexing 20,000 new contacts takes about a quarter of a second (bench/contacts). */
#define IMPORT_INDEX_LATER_MIN 20000

/*
 * Imports the file at PATH, named LABEL in problems and in its run row (the
 * name the user knows; NULL for PATH), as FORMAT (NULL: detect it). Returns
 * 0 when the file was read, 1 when it was refused (the reason is the last
 * problem), IMPORT_BATCH_STOPPED when on_progress stopped it, or a negative
 * code when the database failed. Without own_tx, anything but 0 means the
 * caller must roll back.
 */
int import_batch_file(struct import_batch *b, const char *path, const char *label,
                      const char *format);

/* Adds a problem of the batch (for the caller's own refusals). */
void import_batch_problem(struct import_batch *b, const char *file, long line, const char *message);

/*
 * Writes the batch's summary object: {"format", "files", "records",
 * "contacts_created", "contacts_updated", "contacts_unchanged",
 * "duplicates_suggested", "skipped", "dry_run", "errors": [{"file", "line",
 * "message"}]}. DRY_RUN is what "dry_run" says. The object is left open
 * when LEAVE_OPEN, so a caller can add members.
 */
void import_batch_summary(const struct import_batch *b, struct pz_json *j, int dry_run,
                          int leave_open);

/* SHA-256 of the file at PATH as hex into OUT (65 bytes), as import runs record it. Returns 0
 * or PZ_EIO. */
int import_batch_sha256(const char *path, char out[65]);

/* Frees what the batch owns (its problems). */
void import_batch_release(struct import_batch *b);

#endif
