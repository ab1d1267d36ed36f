/*
 * Import jobs as rows (src/jobs/import_job.c) on a real SQLite database:
 * moves happen only from the status a caller expects (so the runner and the
 * API never undo each other), final moves set finished_at, jobs stay in
 * their workspace, and a start-up fails what a stopped server left running.
 * And the runner (src/jobs/job_runner.c) at start: unfinished jobs failed,
 * files no open job names deleted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts/workspace.h"
#include "core/error.h"
#include "jobs/import_job.h"
#include "jobs/job_runner.h"
#include "store/store.h"

static struct {
    char dir[64];
    char path[128];
    char uploads[128];
    struct pz_store *store;
    struct workspace ws1, ws2;
} g;

static struct pz_conn *conn(void)
{
    struct pz_conn *c = pz_store_conn(g.store);
    assert_non_null(c);
    return c;
}

static int group_setup(void **state)
{
    struct pz_err err = {0};
    (void)state;

    snprintf(g.dir, sizeof(g.dir), "/tmp/pz-test-jobs-XXXXXX");
    if (!mkdtemp(g.dir))
        return -1;
    snprintf(g.path, sizeof(g.path), "%s/jobs.db", g.dir);
    snprintf(g.uploads, sizeof(g.uploads), "%s/uploads", g.dir);
    if (pz_store_open(&g.store, g.path) != 0 || pz_store_migrate(g.store, NULL) != 0)
        return -1;
    if (workspace_create(conn(), "Uno", "uno", NULL, NULL, &g.ws1, &err) != 0 ||
        workspace_create(conn(), "Due", "due", NULL, NULL, &g.ws2, &err) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char p[160];
    (void)state;

    pz_store_close(g.store);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", g.path, suffixes[i]);
        unlink(p);
    }
    rmdir(g.uploads);
    rmdir(g.dir);
    return 0;
}

static int wipe(void **state)
{
    (void)state;
    return pz_sql_exec(conn(), "DELETE FROM import_jobs") == 0 ? 0 : -1;
}

static int64_t make_job(int64_t ws, const char *files)
{
    int64_t id = 0;
    assert_int_equal(import_job_create(conn(), ws, 0, "contacts", NULL, files, &id), 0);
    assert_true(id > 0);
    return id;
}

static void test_create_and_get(void **state)
{
    struct import_job job;
    int64_t id;
    (void)state;

    id = make_job(g.ws1.id, "[{\"name\":\"a.vcf\",\"stored\":\"ab\",\"size\":3}]");
    assert_int_equal(import_job_get(conn(), g.ws1.id, id, &job), 0);
    assert_string_equal(job.kind, "contacts");
    assert_string_equal(job.format, "");
    assert_string_equal(job.status, "parsing");
    assert_string_equal(job.progress_unit, "lines");
    assert_int_equal(job.finished_at, -1);
    assert_int_equal(job.created_by, 0);
    assert_null(job.preview);
    assert_null(job.summary);
    assert_string_equal(job.files, "[{\"name\":\"a.vcf\",\"stored\":\"ab\",\"size\":3}]");
    import_job_release(&job);
    /* Another workspace does not see it. */
    assert_int_equal(import_job_get(conn(), g.ws2.id, id, &job), PZ_ENOTFOUND);
    import_job_release(&job);
}

static void test_moves_only_from_the_expected_status(void **state)
{
    struct import_job_change ch = {0};
    struct import_job job;
    int64_t id;
    (void)state;

    id = make_job(g.ws1.id, "[]");
    ch.unit = "lines";
    ch.done = 10;
    ch.total = 10;
    ch.preview = "{\"records\":2}";
    /* Not from a status it is not in. */
    assert_int_equal(import_job_move(conn(), g.ws1.id, id, "ready", "importing", NULL),
                     PZ_ENOTFOUND);
    /* Not in another workspace. */
    assert_int_equal(import_job_move(conn(), g.ws2.id, id, "parsing", "ready", &ch), PZ_ENOTFOUND);
    assert_int_equal(import_job_move(conn(), g.ws1.id, id, "parsing", "ready", &ch), 0);
    assert_int_equal(import_job_get(conn(), g.ws1.id, id, &job), 0);
    assert_string_equal(job.status, "ready");
    assert_string_equal(job.preview, "{\"records\":2}");
    assert_int_equal(job.progress_done, 10);
    assert_int_equal(job.finished_at, -1);
    import_job_release(&job);

    /* Confirm and discard race: whoever moves first wins. */
    assert_int_equal(import_job_move(conn(), g.ws1.id, id, "ready", "importing", NULL), 0);
    assert_int_equal(import_job_move(conn(), g.ws1.id, id, "ready", "discarded", NULL),
                     PZ_ENOTFOUND);
    memset(&ch, 0, sizeof(ch));
    ch.summary = "{\"records\":2,\"dry_run\":false}";
    assert_int_equal(import_job_move(conn(), g.ws1.id, id, "importing", "done", &ch), 0);
    assert_int_equal(import_job_get(conn(), g.ws1.id, id, &job), 0);
    assert_string_equal(job.status, "done");
    assert_true(import_job_finished(job.status));
    assert_true(job.finished_at >= job.created_at);
    /* The preview and progress stay when a move does not name them. */
    assert_string_equal(job.preview, "{\"records\":2}");
    assert_int_equal(job.progress_total, 10);
    assert_string_equal(job.summary, "{\"records\":2,\"dry_run\":false}");
    import_job_release(&job);
}

struct seen {
    int64_t ids[8];
    int n;
};

static void collect(const struct import_job *job, void *arg)
{
    struct seen *s = arg;
    if (s->n < 8)
        s->ids[s->n++] = job->id;
}

static void test_list_next_and_unfinished(void **state)
{
    struct seen s = {{0}, 0};
    struct import_job job;
    int64_t a, b, c, d, ws = 0, id = 0, n = 0;
    (void)state;

    a = make_job(g.ws1.id, "[]");
    b = make_job(g.ws1.id, "[]");
    c = make_job(g.ws2.id, "[]");
    d = make_job(g.ws1.id, "[]");
    assert_int_equal(import_job_move(conn(), g.ws1.id, a, "parsing", "ready", NULL), 0);
    assert_int_equal(import_job_list(conn(), g.ws1.id, 0, 2, collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], d);
    assert_int_equal(s.ids[1], b);
    s.n = 0;
    assert_int_equal(import_job_list(conn(), g.ws1.id, b, 10, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], a);
    /* The runner's next job: the oldest with work, in any workspace. */
    assert_int_equal(import_job_next(conn(), &ws, &id), 0);
    assert_int_equal(id, b);
    assert_int_equal(ws, g.ws1.id);
    /* A restart fails the jobs with work, not the one waiting for the user. */
    assert_int_equal(import_job_fail_unfinished(conn(), "stopped", &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(import_job_next(conn(), &ws, &id), PZ_ENOTFOUND);
    assert_int_equal(import_job_get(conn(), g.ws2.id, c, &job), 0);
    assert_string_equal(job.status, "failed");
    assert_string_equal(job.error, "stopped");
    assert_true(job.finished_at > 0);
    import_job_release(&job);
    assert_int_equal(import_job_get(conn(), g.ws1.id, a, &job), 0);
    assert_string_equal(job.status, "ready");
    import_job_release(&job);
}

static void touch(const char *name)
{
    char p[256];
    FILE *f;
    snprintf(p, sizeof(p), "%s/%s", g.uploads, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("BEGIN:VCARD\n", f);
    fclose(f);
}

static int exists(const char *name)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/%s", g.uploads, name);
    return access(p, F_OK) == 0;
}

static void test_runner_start_cleans_up(void **state)
{
    struct job_runner *r = NULL;
    struct import_job job;
    int64_t ready, left;
    char p[256];
    (void)state;

    mkdir(g.uploads, 0700);
    ready = make_job(g.ws1.id, "[{\"name\":\"a.vcf\",\"stored\":\"aa11\",\"size\":12}]");
    assert_int_equal(import_job_move(conn(), g.ws1.id, ready, "parsing", "ready", NULL), 0);
    left = make_job(g.ws1.id, "[{\"name\":\"b.vcf\",\"stored\":\"bb22\",\"size\":12}]");
    touch("aa11");
    touch("bb22");
    touch("cc33");
    assert_int_equal(job_runner_start(&r, g.store, g.uploads), 0);
    job_runner_stop(r);
    /* The ready job keeps its file; the failed one's and the orphan are gone. */
    assert_true(exists("aa11"));
    assert_false(exists("bb22"));
    assert_false(exists("cc33"));
    assert_int_equal(import_job_get(conn(), g.ws1.id, left, &job), 0);
    assert_string_equal(job.status, "failed");
    assert_non_null(strstr(job.error, "server stopped"));
    import_job_release(&job);
    assert_int_equal(import_job_get(conn(), g.ws1.id, ready, &job), 0);
    assert_string_equal(job.status, "ready");
    import_job_release(&job);
    snprintf(p, sizeof(p), "%s/aa11", g.uploads);
    unlink(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_create_and_get, wipe),
        cmocka_unit_test_setup(test_moves_only_from_the_expected_status, wipe),
        cmocka_unit_test_setup(test_list_next_and_unfinished, wipe),
        cmocka_unit_test_setup(test_runner_start_cleans_up, wipe),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
