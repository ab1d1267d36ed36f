/*
 * Unit tests of the inbox's clock (src/inbox/workflow.c): business time
 * between two instants and a deadline so many business minutes after a
 * start, across a weekend, across the changes to and from summer time in
 * Europe/Rome, on closed days, and always open when no hours are set; the
 * "HH:MM" and ISO 8601 readers; canned replies' variables (src/inbox/canned.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/tz.h"
#include "inbox/canned.h"
#include "inbox/workflow.h"

#define MIN 60000LL

static struct pz_tz *rome;

/* UTC ms of Y-M-D HH:MM UTC. */
static int64_t utc(int y, int m, int d, int hh, int mm)
{
    return (pz_civil_to_days(y, m, d) * 86400 + hh * 3600 + mm * 60) * 1000;
}

/* Monday to Friday 09:00-13:00 and 14:00-18:00 in Rome. */
static void office(struct inbox_hours *h)
{
    memset(h, 0, sizeof(*h));
    h->tz = rome;
    for (int wd = 0; wd < 5; wd++) {
        h->items[h->n_items++] = (struct inbox_interval){wd, 9 * 60, 13 * 60};
        h->items[h->n_items++] = (struct inbox_interval){wd, 14 * 60, 18 * 60};
    }
}

static int setup(void **state)
{
    (void)state;
    return pz_tz_load("Europe/Rome", &rome) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pz_tz_free(rome);
    return 0;
}

static void test_always_open(void **state)
{
    struct inbox_hours h = {.tz = rome, .n_items = 0};
    int64_t a = utc(2026, 11, 20, 16, 0);
    (void)state;
    assert_int_equal(inbox_business_ms(&h, a, a + 90 * MIN), 90 * MIN);
    assert_int_equal(inbox_business_ms(&h, a, a), 0);
    assert_int_equal(inbox_business_ms(&h, a + MIN, a), 0);
    assert_int_equal(inbox_business_add(&h, a, 3 * 24 * 60), a + 3 * 24 * 60 * MIN);
}

static void test_weekend(void **state)
{
    struct inbox_hours h;
    /* Friday 20 November 2026 17:00 in Rome (winter, UTC+1) = 16:00Z. */
    int64_t fri = utc(2026, 11, 20, 16, 0);
    /* Monday 23 November 10:00 in Rome = 09:00Z. */
    int64_t mon = utc(2026, 11, 23, 9, 0);
    (void)state;
    office(&h);
    /* Friday 17-18 and Monday 9-10: two hours, nothing on Saturday and Sunday. */
    assert_int_equal(inbox_business_ms(&h, fri, mon), 120 * MIN);
    assert_int_equal(inbox_business_add(&h, fri, 120), mon);
    /* One hour: due at Friday 18:00 exactly. */
    assert_int_equal(inbox_business_add(&h, fri, 60), utc(2026, 11, 20, 17, 0));
    /* 61 minutes: Monday 09:01. */
    assert_int_equal(inbox_business_add(&h, fri, 61), utc(2026, 11, 23, 8, 1));
    /* A message on Saturday waits for Monday 09:00 to start counting. */
    assert_int_equal(inbox_business_add(&h, utc(2026, 11, 21, 10, 0), 30),
                     utc(2026, 11, 23, 8, 30));
    assert_int_equal(inbox_business_ms(&h, utc(2026, 11, 21, 10, 0), utc(2026, 11, 22, 22, 0)), 0);
    /* The lunch break does not count: 12:30 to 14:30 is one hour. */
    assert_int_equal(inbox_business_ms(&h, utc(2026, 11, 23, 11, 30), utc(2026, 11, 23, 13, 30)),
                     60 * MIN);
    /* A whole week of office hours: 5 days x 8 hours. */
    assert_int_equal(inbox_business_ms(&h, utc(2026, 11, 23, 0, 0), utc(2026, 11, 30, 0, 0)),
                     40 * 60 * MIN);
}

static void test_dst_spring(void **state)
{
    struct inbox_hours h;
    /* Sunday 29 March 2026: clocks go from 02:00 to 03:00 in Rome. Open all Sunday. */
    (void)state;
    memset(&h, 0, sizeof(h));
    h.tz = rome;
    h.items[h.n_items++] = (struct inbox_interval){6, 0, 1440};
    /* Local midnight to midnight is 23 hours that day (23:00Z Saturday to 22:00Z Sunday). */
    assert_int_equal(inbox_business_ms(&h, utc(2026, 3, 28, 0, 0), utc(2026, 3, 31, 0, 0)),
                     23 * 60 * MIN);
    assert_int_equal(inbox_business_add(&h, utc(2026, 3, 28, 12, 0), 23 * 60),
                     utc(2026, 3, 29, 22, 0));
    /* Office hours keep their local times on both sides of the change: Saturday is closed,
     * so Friday 17:00 (UTC+1, 16:00Z) plus two hours is Monday 10:00 (UTC+2, 08:00Z). */
    office(&h);
    assert_int_equal(inbox_business_add(&h, utc(2026, 3, 27, 16, 0), 120), utc(2026, 3, 30, 8, 0));
    assert_int_equal(inbox_business_ms(&h, utc(2026, 3, 27, 16, 0), utc(2026, 3, 30, 8, 0)),
                     120 * MIN);
    /* A week across the change still has 40 office hours. */
    assert_int_equal(inbox_business_ms(&h, utc(2026, 3, 25, 0, 0), utc(2026, 4, 1, 0, 0)),
                     40 * 60 * MIN);
}

static void test_dst_autumn(void **state)
{
    struct inbox_hours h;
    /* Sunday 25 October 2026: clocks go back from 03:00 to 02:00. Open all Sunday: 25 hours. */
    (void)state;
    memset(&h, 0, sizeof(h));
    h.tz = rome;
    h.items[h.n_items++] = (struct inbox_interval){6, 0, 1440};
    assert_int_equal(inbox_business_ms(&h, utc(2026, 10, 24, 0, 0), utc(2026, 10, 27, 0, 0)),
                     25 * 60 * MIN);
    /* Saturday 22:00Z is Sunday 00:00 in Rome (UTC+2): 25 hours later is Sunday 23:00Z. */
    assert_int_equal(inbox_business_add(&h, utc(2026, 10, 24, 22, 0), 25 * 60),
                     utc(2026, 10, 25, 23, 0));
    office(&h);
    /* Friday 23 October 17:00 (UTC+2, 15:00Z) + 2 hours = Monday 26 October 10:00 (UTC+1). */
    assert_int_equal(inbox_business_add(&h, utc(2026, 10, 23, 15, 0), 120),
                     utc(2026, 10, 26, 9, 0));
}

static void test_closed_days(void **state)
{
    struct inbox_hours h;
    (void)state;
    memset(&h, 0, sizeof(h));
    h.tz = rome;
    /* Open only on Wednesdays, 10:00-12:00. */
    h.items[h.n_items++] = (struct inbox_interval){2, 600, 720};
    /* From Thursday 26 November to Thursday 10 December: two Wednesdays. */
    assert_int_equal(inbox_business_ms(&h, utc(2026, 11, 26, 0, 0), utc(2026, 12, 10, 0, 0)),
                     240 * MIN);
    /* Three hours of work from a Thursday: Wednesday 2 December's two, then one on the 9th,
     * ending at 11:00 in Rome (10:00Z). */
    assert_int_equal(inbox_business_add(&h, utc(2026, 11, 26, 8, 0), 180), utc(2026, 12, 9, 10, 0));
    /* Starting inside the interval counts from the start. */
    assert_int_equal(inbox_business_add(&h, utc(2026, 12, 2, 10, 30), 15),
                     utc(2026, 12, 2, 10, 45));
}

static void test_without_zone(void **state)
{
    struct inbox_hours h;
    (void)state;
    memset(&h, 0, sizeof(h));
    h.tz = NULL; /* a zone that could not be loaded: read as UTC */
    h.items[h.n_items++] = (struct inbox_interval){0, 540, 1080};
    /* Monday 23 November 2026 08:00Z to 10:00Z: from 09:00, one hour. */
    assert_int_equal(inbox_business_ms(&h, utc(2026, 11, 23, 8, 0), utc(2026, 11, 23, 10, 0)),
                     60 * MIN);
}

static void test_hhmm(void **state)
{
    int m = -1;
    (void)state;
    assert_int_equal(inbox_hhmm_parse("09:00", &m), 0);
    assert_int_equal(m, 540);
    assert_int_equal(inbox_hhmm_parse("00:00", &m), 0);
    assert_int_equal(m, 0);
    assert_int_equal(inbox_hhmm_parse("24:00", &m), 0);
    assert_int_equal(m, 1440);
    assert_int_equal(inbox_hhmm_parse("23:59", &m), 0);
    assert_int_equal(m, 1439);
    assert_int_equal(inbox_hhmm_parse("24:01", &m), PZ_EINVAL);
    assert_int_equal(inbox_hhmm_parse("9:00", &m), PZ_EINVAL);
    assert_int_equal(inbox_hhmm_parse("09:60", &m), PZ_EINVAL);
    assert_int_equal(inbox_hhmm_parse("09-00", &m), PZ_EINVAL);
    assert_int_equal(inbox_hhmm_parse("", &m), PZ_EINVAL);
    assert_int_equal(inbox_hhmm_parse(NULL, &m), PZ_EINVAL);
}

static void test_iso(void **state)
{
    int64_t ms = 0;
    (void)state;
    assert_int_equal(pz_time_parse_iso("2026-11-23T18:04:05Z", &ms), 0);
    assert_int_equal(ms, utc(2026, 11, 23, 18, 4) + 5000);
    assert_int_equal(pz_time_parse_iso("2026-11-23T19:04+01:00", &ms), 0);
    assert_int_equal(ms, utc(2026, 11, 23, 18, 4));
    assert_int_equal(pz_time_parse_iso("2026-11-23T18:04:05.250Z", &ms), 0);
    assert_int_equal(ms, utc(2026, 11, 23, 18, 4) + 5250);
    assert_int_equal(pz_time_parse_iso("2026-11-23T18:04:05-05:30", &ms), 0);
    assert_int_equal(ms, utc(2026, 11, 23, 23, 34) + 5000);
    assert_int_equal(pz_time_parse_iso("2026-11-23 18:04:05Z", &ms), PZ_EINVAL);
    assert_int_equal(pz_time_parse_iso("2026-11-23T18:04:05", &ms), PZ_EINVAL);
    assert_int_equal(pz_time_parse_iso("2026-02-30T18:04:05Z", &ms), PZ_EINVAL);
    assert_int_equal(pz_time_parse_iso("2026-11-23T25:04:05Z", &ms), PZ_EINVAL);
    assert_int_equal(pz_time_parse_iso("tomorrow", &ms), PZ_EINVAL);
    assert_int_equal(pz_time_parse_iso("2026-11-23T18:04:05.Z", &ms), PZ_EINVAL);
}

static void test_canned(void **state)
{
    struct pz_err err = {0};
    struct canned_vars v = {"Franco", "Rossi", "Franco Rossi", "Giulia", "Acme Srl"};
    struct canned_vars none = {0};
    char *out;
    (void)state;

    assert_int_equal(
        canned_check("Ciao {{first_name}}, sono {{ agent_name }} di {{company}}", &err), 0);
    assert_int_equal(canned_check("no variables {here}", &err), 0);
    assert_int_equal(canned_check("Gentile {{nome}}", &err), PZ_EINVAL);
    assert_string_equal(err.code, "inbox.bad_variable");
    assert_non_null(strstr(err.message, "{{nome}}"));

    out = canned_render("Ciao {{first_name}}, sono {{ agent_name }} di {{company}}. "
                        "Sig. {{last_name}} ({{name}}) {{first_name}}!",
                        &v);
    assert_string_equal(out,
                        "Ciao Franco, sono Giulia di Acme Srl. Sig. Rossi (Franco Rossi) Franco!");
    free(out);
    /* Without values the variables vanish; unknown ones stay as written; braces left open too. */
    out = canned_render("Ciao {{first_name}}! {{unknown}} {{ open", &none);
    assert_string_equal(out, "Ciao ! {{unknown}} {{ open");
    free(out);
    out = canned_render("", &v);
    assert_string_equal(out, "");
    free(out);
    /* Many uses of a long value grow the buffer. */
    {
        char body[2000] = "";
        struct canned_vars big = {0};
        char longname[300];
        memset(longname, 'x', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        big.name = longname;
        for (int i = 0; i < 100; i++)
            memcpy(body + i * 8, "{{name}}", 9);
        out = canned_render(body, &big);
        assert_int_equal(strlen(out), 100 * 299);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_always_open), cmocka_unit_test(test_weekend),
        cmocka_unit_test(test_dst_spring),  cmocka_unit_test(test_dst_autumn),
        cmocka_unit_test(test_closed_days), cmocka_unit_test(test_without_zone),
        cmocka_unit_test(test_hhmm),        cmocka_unit_test(test_iso),
        cmocka_unit_test(test_canned),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
