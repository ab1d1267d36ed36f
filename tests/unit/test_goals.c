/*
 * Unit tests of src/goals: click ids (made, read, refused when altered, the
 * 30-day last-touch window at its edges), the redirect URL (utm_* and pz
 * added, existing parameters and fragments kept), device classes, referrer
 * domains, event names, calendar days, ROI rounding, and the hit queue over
 * a real migrated database (every pushed hit written, also at stop). The
 * expectations are worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "goals/qr.h"
#include "goals/report.h"
#include "goals/track.h"
#include "store/store.h"

static const unsigned char key1[TRACK_KEY_LEN] = "0123456789abcdef";
static const unsigned char key2[TRACK_KEY_LEN] = "fedcba9876543210";

static void test_pz_roundtrip(void **state)
{
    char pz[TRACK_PZ_MAX];
    int64_t ws, link, at;
    (void)state;

    track_pz_make(key1, 3, 1234, 1795447384614LL, pz);
    assert_true(strlen(pz) < TRACK_PZ_MAX);
    /* "3.ya.<seconds>.<nonce>.<11-character mac>": 1234 is "ya" in base 36. */
    assert_memory_equal(pz, "3.ya.", 5);
    assert_int_equal(track_pz_read(key1, pz, &ws, &link, &at), 0);
    assert_int_equal(ws, 3);
    assert_int_equal(link, 1234);
    assert_int_equal(at, 1795447384000LL);
    /* Another installation's key, or any changed character, is refused. */
    assert_int_equal(track_pz_read(key2, pz, &ws, &link, &at), PZ_EINVAL);
    for (size_t i = 0; pz[i]; i++) {
        char bad[TRACK_PZ_MAX];
        memcpy(bad, pz, sizeof(bad));
        bad[i] = bad[i] == 'z' ? 'y' : 'z';
        assert_int_equal(track_pz_read(key1, bad, &ws, &link, &at), PZ_EINVAL);
    }
    assert_int_equal(track_pz_read(key1, "", &ws, &link, &at), PZ_EINVAL);
    assert_int_equal(track_pz_read(key1, "1.2.3", &ws, &link, &at), PZ_EINVAL);
    assert_int_equal(track_pz_read(key1, "....", &ws, &link, &at), PZ_EINVAL);
}

static void test_pz_unique(void **state)
{
    char a[TRACK_PZ_MAX], b[TRACK_PZ_MAX];
    (void)state;

    track_pz_make(key1, 1, 1, 1000, a);
    track_pz_make(key1, 1, 1, 1000, b);
    assert_string_not_equal(a, b);
}

static void test_window(void **state)
{
    int64_t click = 1795447384000LL;
    (void)state;

    assert_true(track_pz_in_window(click, click));
    assert_true(track_pz_in_window(click, click + 30 * PZ_DAY_MS));
    assert_false(track_pz_in_window(click, click + 30 * PZ_DAY_MS + 1));
    assert_true(track_pz_in_window(click, click - 60 * 1000));
    assert_false(track_pz_in_window(click, click - 60 * 1000 - 1));
}

static void check_url(const char *target, const char *campaign, const char *want)
{
    char out[512];
    int n =
        track_redirect_url(target, "linkedin", "social", campaign, "1.2.3.4.x", out, sizeof(out));
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(out, want);
}

static void test_redirect_url(void **state)
{
    char small[40];
    (void)state;

    check_url(
        "https://ex.it/p", "autumn",
        "https://ex.it/p?utm_source=linkedin&utm_medium=social&utm_campaign=autumn&pz=1.2.3.4.x");
    check_url("https://ex.it/p?a=1#top", "autumn",
              "https://ex.it/p?a=1&utm_source=linkedin&utm_medium=social&utm_campaign=autumn"
              "&pz=1.2.3.4.x#top");
    check_url("https://ex.it/p?", NULL,
              "https://ex.it/p?utm_source=linkedin&utm_medium=social&pz=1.2.3.4.x");
    check_url("https://ex.it/p?a=1&", NULL,
              "https://ex.it/p?a=1&utm_source=linkedin&utm_medium=social&pz=1.2.3.4.x");
    /* What the owner set stays. */
    check_url("https://ex.it/?utm_source=flyer&utm_campaign=x", "autumn",
              "https://ex.it/?utm_source=flyer&utm_campaign=x&utm_medium=social&pz=1.2.3.4.x");
    /* A parameter that only starts like one is not it. */
    check_url("https://ex.it/?utm_sourcex=1", NULL,
              "https://ex.it/?utm_sourcex=1&utm_source=linkedin&utm_medium=social&pz=1.2.3.4.x");
    /* Values are percent-encoded. */
    check_url("https://ex.it/", "a b&c",
              "https://ex.it/?utm_source=linkedin&utm_medium=social&utm_campaign=a%20b%26c"
              "&pz=1.2.3.4.x");
    assert_int_equal(track_redirect_url("https://example.it/a/long/path", "linkedin", "social", "c",
                                        "pz", small, sizeof(small)),
                     PZ_ETOOBIG);
}

static void test_device(void **state)
{
    (void)state;
    assert_string_equal(track_device(NULL), "other");
    assert_string_equal(track_device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148"),
                        "mobile");
    assert_string_equal(track_device("Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari"),
                        "mobile");
    assert_string_equal(track_device("Mozilla/5.0 (Linux; Android 13; SM-X200) Safari"), "tablet");
    assert_string_equal(track_device("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)"), "tablet");
    assert_string_equal(track_device("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"), "desktop");
    assert_string_equal(track_device("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)"), "desktop");
    assert_string_equal(track_device("LinkedInBot/1.0"), "bot");
    assert_string_equal(track_device("curl/7.88.1"), "bot");
    assert_string_equal(track_device("SomethingElse/1"), "other");
}

static void check_ref(const char *ref, const char *want)
{
    char out[TRACK_REFERRER_MAX + 1];
    track_referrer_domain(ref, out, sizeof(out));
    assert_string_equal(out, want);
}

static void test_referrer(void **state)
{
    (void)state;
    check_ref(NULL, "");
    check_ref("https://www.LinkedIn.com/feed/update/1?x=y", "linkedin.com");
    check_ref("http://news.example.it:8080/a", "news.example.it");
    check_ref("https://user:pw@mail.example.com/x", "mail.example.com");
    check_ref("android-app://com.google.android.gm/", "");
    check_ref("https:///nohost", "");
    check_ref("https://bad host.it/", "");
}

static void test_event_names(void **state)
{
    (void)state;
    assert_true(track_event_valid("newsletter_signup"));
    assert_true(track_event_valid("a"));
    assert_true(track_event_valid("webinar.registration-2"));
    assert_false(track_event_valid(""));
    assert_false(track_event_valid(NULL));
    assert_false(track_event_valid("Signup"));
    assert_false(track_event_valid("1st"));
    assert_false(track_event_valid("sign up"));
    assert_false(track_event_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 49 */
}

static void test_days(void **state)
{
    int64_t d;
    char out[16];
    (void)state;

    assert_int_equal(pz_day_parse("2000-01-01", &d), 0);
    assert_int_equal(d, 10957);
    assert_int_equal(pz_day_parse("2026-11-23", &d), 0);
    assert_int_equal(d, 20780);
    assert_string_equal(pz_day_format(20780, out, sizeof(out)), "2026-11-23");
    assert_int_equal(pz_day_parse("2024-02-29", &d), 0);
    assert_string_equal(pz_day_format(d, out, sizeof(out)), "2024-02-29");
    assert_int_equal(pz_day_parse("2023-02-29", &d), PZ_EINVAL);
    assert_int_equal(pz_day_parse("2100-02-29", &d), PZ_EINVAL);
    assert_int_equal(pz_day_parse("2026-04-31", &d), PZ_EINVAL);
    assert_int_equal(pz_day_parse("2026-13-01", &d), PZ_EINVAL);
    assert_int_equal(pz_day_parse("26-11-23", &d), PZ_EINVAL);
    assert_int_equal(pz_day_parse("2026/11/23", &d), PZ_EINVAL);
    assert_int_equal(pz_day_parse("2026-11-23x", &d), PZ_EINVAL);
    assert_int_equal(pz_day_parse("1999-12-31", &d), PZ_EINVAL);
}

static void test_roi(void **state)
{
    (void)state;
    assert_true(report_roi_bp(100, 0) == INT64_MIN);
    assert_int_equal(report_roi_bp(20000, 64500), -6899); /* -68.992...% */
    assert_int_equal(report_roi_bp(30000, 10000), 20000); /* +200% */
    assert_int_equal(report_roi_bp(5000, 37500), -8667);  /* -86.666...% */
}

static void test_qr(void **state)
{
    struct pz_buf b;
    (void)state;

    pz_buf_init(&b, 1 << 20);
    assert_int_equal(qr_svg("http://127.0.0.1/l/Abcdefg", &b), 0);
    assert_true(strncmp(b.data, "<svg ", 5) == 0);
    assert_non_null(strstr(b.data, "</svg>"));
    pz_buf_reset(&b);
    assert_int_equal(qr_png("http://127.0.0.1/l/Abcdefg", 4, &b), 0);
    assert_memory_equal(b.data, "\x89PNG\r\n\x1a\n", 8);
    pz_buf_release(&b);
    /* A full buffer is an error, not a truncated image. */
    pz_buf_init(&b, 64);
    assert_int_equal(qr_png("http://127.0.0.1/l/Abcdefg", 4, &b), PZ_ETOOBIG);
    pz_buf_release(&b);
}

/* The queue writes every hit it took, in batches, and all of them at stop. */
static void test_hit_queue(void **state)
{
    char dir[] = "/tmp/pz-test-goals-XXXXXX", path[160], p[200];
    struct pz_store *store;
    struct hit_queue *q;
    struct hit h;
    int64_t n = 0;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/g.db", dir);
    assert_int_equal(pz_store_open(&store, path), 0);
    assert_int_equal(pz_store_migrate(store, NULL), 0);
    q = hitq_start(store, 64);
    assert_non_null(q);
    memset(&h, 0, sizeof(h));
    h.workspace_id = 1;
    h.kind = HIT_CLICK;
    h.device = "desktop";
    memcpy(h.visitor, "0123456789abcdef", 17);
    for (int i = 0; i < 1000; i++) {
        h.at = 1000 + i;
        assert_int_equal(hitq_push(q, &h), 0);
    }
    assert_int_equal(hitq_sync(q, 10000), 0);
    assert_int_equal(hitq_written(q), 1000);
    assert_int_equal(pz_sql_one_int(pz_store_conn(store), "SELECT COUNT(*) FROM hits", 0, &n),
                     PZ_SQL_ROW);
    assert_int_equal(n, 1000);
    for (int i = 0; i < 500; i++)
        assert_int_equal(hitq_push(q, &h), 0);
    hitq_stop(q);
    assert_int_equal(pz_sql_one_int(pz_store_conn(store), "SELECT COUNT(*) FROM hits", 0, &n),
                     PZ_SQL_ROW);
    assert_int_equal(n, 1500);
    pz_store_close(store);
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s%s", path, i == 0 ? "" : i == 1 ? "-wal" : "-shm");
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pz_roundtrip), cmocka_unit_test(test_pz_unique),
        cmocka_unit_test(test_window),       cmocka_unit_test(test_redirect_url),
        cmocka_unit_test(test_device),       cmocka_unit_test(test_referrer),
        cmocka_unit_test(test_event_names),  cmocka_unit_test(test_days),
        cmocka_unit_test(test_roi),          cmocka_unit_test(test_qr),
        cmocka_unit_test(test_hit_queue),
    };

    if (sodium_init() < 0)
        return 1;
    pz_log_set_level(PZ_LOG_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
