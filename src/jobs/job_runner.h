/*
 * The job runner: one thread, with its own database connection, that does
 * the long work of import jobs (import_job.h) so that no request waits for
 * it. It takes the oldest job with work to do: a "parsing" job gets a dry
 * run (everything is read and matched in a transaction that is rolled
 * back) and becomes "ready" with a preview; an "importing" job (confirmed
 * by the user) is done again for real, in one transaction together with
 * its move to "done", so a job is either wholly imported or not at all. A
 * refused file fails the job with "file:line: reason" and keeps nothing.
 *
 * The running job's progress lives in memory (its transaction hides writes
 * from everyone else) and is read through job_runner_progress. Uploaded
 * files live in the upload folder until their job ends; at start-up the
 * runner fails the jobs a stopped server left unfinished, deletes files no
 * open job names, and it discards previews nobody confirmed within
 * IMPORT_JOB_STALE_MS.
 *
 * Kinds: "contacts" (src/contacts/import_batch) and "chats" (chat and mail
 * exports, src/jobs/chat_job.h: parsed in one rolled-back transaction,
 * imported one transaction per file, progress in bytes). Another kind is
 * one more branch in run_job, reading its files and writing its preview
 * and summary.
 */
#ifndef PZ_JOBS_JOB_RUNNER_H
#define PZ_JOBS_JOB_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define JOB_SAMPLE_MAX 20 /* records a contacts preview shows */

struct job_runner;

/*
 * Prepares UPLOAD_DIR (created when missing), fails unfinished jobs,
 * deletes orphan files, and starts the thread. Returns 0 and sets *OUT, or
 * a negative code (logged).
 */
int job_runner_start(struct job_runner **out, struct pz_store *store, const char *upload_dir);

/*
 * Stops the running job (rolled back, then failed: the server is stopping),
 * joins the thread and frees the runner. Accepts NULL.
 */
void job_runner_stop(struct job_runner *r);

/* The folder uploads are stored in (borrowed). */
const char *job_runner_upload_dir(const struct job_runner *r);

/* Tells the thread there is work (a new or confirmed job). */
void job_runner_wake(struct job_runner *r);

/*
 * Asks job ID to stop if it is the one running (its transaction rolls back;
 * the runner then deletes its files). Returns 1 when it was running, 0 when
 * not (the caller deletes the files).
 */
int job_runner_cancel(struct job_runner *r, int64_t id);

/*
 * When job ID is the one running, copies its live progress into UNIT (12
 * bytes), *DONE and *TOTAL and returns 1; else returns 0.
 */
int job_runner_progress(struct job_runner *r, int64_t id, char unit[12], int64_t *done,
                        int64_t *total);

/* Deletes the stored files a job's FILES JSON names. */
void job_runner_remove_files(const struct job_runner *r, const char *files);

#endif
