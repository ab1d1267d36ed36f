/*
 * Import jobs as rows (table import_jobs, sql/0003_imports.sql): an import
 * started from the web, its uploaded files, its status, progress, preview
 * and summary. Every change of status is conditional on the status it
 * leaves, so the job runner and the API (confirm, discard) never undo each
 * other's work: whoever moves first wins and the other gets PZ_ENOTFOUND.
 *
 * The job's files are a JSON array of {"name" (as the client called it,
 * shown to users), "stored" (the server's file name in the upload folder),
 * "size"}; preview, options and summary are JSON objects whose members
 * depend on the kind.
 */
#ifndef PZ_JOBS_IMPORT_JOB_H
#define PZ_JOBS_IMPORT_JOB_H

#include <stdint.h>

#include "store/store.h"

#define IMPORT_JOB_STALE_MS (24LL * 3600 * 1000) /* a preview nobody confirmed is discarded */

struct import_job {
    int64_t id;
    int64_t workspace_id;
    char kind[16];
    char format[32]; /* "" when detected per file */
    char status[12]; /* parsing, ready, importing, done, failed, discarded */
    char progress_unit[12];
    int64_t progress_done, progress_total;
    int64_t created_by; /* 0 when none */
    int64_t created_at, updated_at;
    int64_t finished_at; /* -1 while not finished */
    /* Owned JSON text (import_job_release); NULL when not set. */
    char *files;
    char *preview;
    char *options;
    char *summary;
    char *error;
};

/* Frees what a job owns. Accepts NULL. */
void import_job_release(struct import_job *job);

/* Non-zero when STATUS is final (done, failed, discarded). */
int import_job_finished(const char *status);

/*
 * Tells the workspace's live streams (core/events.h) that job ID is in
 * STATUS at PERCENT: an `import.progress` event {"import_id", "state",
 * "percent"}. Call it after the change is committed.
 */
void import_job_announce(int64_t workspace_id, int64_t id, const char *status, int percent);

/*
 * After a chats job's import is committed: one `conversation.created` and one
 * `message.created` event for the whole job (not one per message), from its
 * SUMMARY's counts, {"conversation_id": null, "import_id", "conversations",
 * "messages"}, so open inboxes reload their list. Nothing when nothing was
 * stored.
 */
void import_job_announce_chats(int64_t workspace_id, int64_t id, const char *summary);

/*
 * Makes a job of KIND with FORMAT (NULL: detect), FILES (a JSON array, see
 * above) by USER_ID, status "parsing". Sets *ID. Returns 0 or a code.
 */
int import_job_create(struct pz_conn *conn, int64_t workspace_id, int64_t user_id, const char *kind,
                      const char *format, const char *files, int64_t *id);

/* Loads job ID into *OUT (released by the caller). Returns 0, PZ_ENOTFOUND or a code. */
int import_job_get(struct pz_conn *conn, int64_t workspace_id, int64_t id, struct import_job *out);

/*
 * Calls FN for up to LIMIT jobs with id < BEFORE_ID (0: the newest first),
 * newest first; the job is borrowed for the call. Returns 0 or a code.
 */
int import_job_list(struct pz_conn *conn, int64_t workspace_id, int64_t before_id, int limit,
                    void (*fn)(const struct import_job *job, void *arg), void *arg);

/*
 * The oldest job with work to do (status parsing or importing), in any
 * workspace: sets *WORKSPACE_ID and *ID. Returns 0, PZ_ENOTFOUND when there
 * is none, or a code.
 */
int import_job_next(struct pz_conn *conn, int64_t *workspace_id, int64_t *id);

/*
 * Moves job ID from status FROM to TO, with PROGRESS (done, total, unit;
 * UNIT NULL keeps the progress), and sets each of PREVIEW, OPTIONS,
 * SUMMARY, ERROR that is not NULL. A final TO sets finished_at. Returns 0,
 * PZ_ENOTFOUND when the job is not (any more) in FROM, or a code.
 */
struct import_job_change {
    const char *unit;
    int64_t done, total;
    const char *preview, *options, *summary, *error;
};
int import_job_move(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *from,
                    const char *to, const struct import_job_change *change);

/*
 * At start-up: every job left parsing or importing (the server stopped
 * under it) becomes failed with MESSAGE. Sets *N (may be NULL) to how many.
 * Returns 0 or a code.
 */
int import_job_fail_unfinished(struct pz_conn *conn, const char *message, int64_t *n);

/*
 * Calls FN for every job, in any workspace, whose files are still kept:
 * parsing, importing, or ready (waiting for the user). Returns 0 or a code.
 */
int import_job_each_open(struct pz_conn *conn, void (*fn)(const struct import_job *job, void *arg),
                         void *arg);

#endif
