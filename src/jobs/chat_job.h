/*
 * The "chats" kind of import job: chat and mail exports uploaded from the
 * web (any format of src/import/chat.h, a LinkedIn export .zip with its
 * Connections.csv too, and contact files uploaded with them), read by the
 * job runner's thread.
 *
 * Parsing is a dry run of the real import: all files in one transaction
 * that is rolled back, each file under a savepoint so a refused file takes
 * back only its own rows. The preview tells, per file: its format,
 * conversations, messages (system notices among them), the first and last
 * message's time, messages already stored (duplicates that would be
 * skipped), contacts that would be created or matched, the problems as
 * file:line, and its participants (key, name, handle, messages sent) with
 * the ones the writer takes as the company's side ("me") marked.
 *
 * Importing reads every file again, one transaction per file as `piazza
 * import` does (a refused file leaves nothing; the others are kept), with
 * the company's side exactly as the user chose it in the job's options:
 *
 *   {"me": [{"file": INDEX, "key": "participant key", "user_id": ID|null}]}
 *
 * FILE indexes the preview's per_file list; a participant mapped to a user
 * is stored with that user (conversation_participants.user_id, and as the
 * author of its messages). Without options the writer decides as the CLI
 * does. The summary has the preview's members and, per file, the ids of
 * the first conversations stored (for a link to the inbox).
 */
#ifndef PZ_JOBS_CHAT_JOB_H
#define PZ_JOBS_CHAT_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/import_job.h"
#include "store/store.h"

#define CHAT_JOB_PARTICIPANTS_SHOWN 200 /* per file in the preview, "me" always shown */
#define CHAT_JOB_CONVERSATION_IDS   20  /* per file in the summary */

struct chat_job_file {
    const char *name; /* as the user named it */
    const char *path; /* the stored upload */
};

/* How the job runner follows and stops the work; every member may be NULL. */
struct chat_job_ctl {
    void (*progress)(void *arg, int64_t done, int64_t total); /* bytes of the job's files */
    int (*stop)(void *arg); /* non-zero: stop now (the job is discarded or the server stops) */
    void *arg;
};

/* What chat_job_run did. */
enum chat_job_outcome {
    CHAT_JOB_READY = 0, /* a preview (dry run) */
    CHAT_JOB_DONE,      /* imported */
    CHAT_JOB_REFUSED,   /* every file refused (ERROR says why) */
    CHAT_JOB_STOPPED,   /* stopped through ctl->stop */
    CHAT_JOB_FAILED     /* the database failed */
};

/*
 * Runs JOB (kind "chats"; a dry run when its status is "parsing", the
 * import when "importing") over its N FILES. DATA_DIR is where attachments
 * are kept; TMP_DIR, on the uploads' file system, holds for the time of a
 * file a link to it under the user's name (readers take a chat's title from
 * it) and what a zip unpacks to (in folders whose names start with '.'). Sets *RESULT to the
 * preview or summary JSON and *ERROR to "file:line: reason" (both the caller's to free, NULL when
 * none) and returns the outcome; the caller moves the job.
 */
enum chat_job_outcome chat_job_run(struct pz_conn *conn, const struct import_job *job,
                                   const struct chat_job_file *files, size_t n,
                                   const char *data_dir, const char *tmp_dir,
                                   const struct chat_job_ctl *ctl, char **result, char **error);

/* The kind a new upload gets from its files' content: "chats" when any is a chat export or a
 * LinkedIn export .zip, else "contacts". FORMAT ("" or NULL: detect) is the one given. */
const char *chat_job_kind(const char *format, const char *const *paths, size_t n);

#endif
