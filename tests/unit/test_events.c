/*
 * Unit tests of the live events bus (src/core/events.c): ids in order,
 * replay from an id, workspace isolation, the ring's wrap (an old id is a
 * gap), refused events, subscribers, and publishers on several threads at
 * once losing and repeating nothing. The bus is process-wide, so every test
 * works from the newest id when it starts.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/events.h"
#include "core/log.h"

static struct pz_event ev; /* big (4 KiB of data): not on the stack of every test */

static void test_ids_follow_and_replay(void **state)
{
    uint64_t start = pz_events_last_id(), scanned = 0;
    int gap = -1;
    (void)state;

    assert_int_equal(pz_events_publish(1, "message.created", "{\"message_id\":1}"), 0);
    assert_int_equal(pz_events_publish(1, "conversation.updated", "{\"conversation_id\":2}"), 0);
    assert_int_equal(pz_events_publish(1, "import.progress", NULL), 0);
    assert_true(pz_events_last_id() == start + 3);

    /* From the id before them, the three come back in order. */
    assert_int_equal(pz_events_next(1, start, &ev, &gap, &scanned), 1);
    assert_int_equal(gap, 0);
    assert_true(ev.id == start + 1);
    assert_int_equal(ev.workspace_id, 1);
    assert_string_equal(ev.type, "message.created");
    assert_string_equal(ev.data, "{\"message_id\":1}");
    assert_int_equal(ev.data_len, 16);
    assert_int_equal(pz_events_next(1, ev.id, &ev, &gap, &scanned), 1);
    assert_string_equal(ev.type, "conversation.updated");
    assert_int_equal(pz_events_next(1, ev.id, &ev, &gap, &scanned), 1);
    assert_string_equal(ev.type, "import.progress");
    assert_string_equal(ev.data, "{}"); /* NULL data is an empty object */
    assert_true(ev.id == start + 3);
    /* Nothing after the newest; the reader is told it searched up to it. */
    assert_int_equal(pz_events_next(1, ev.id, &ev, &gap, &scanned), 0);
    assert_int_equal(gap, 0);
    assert_true(scanned == start + 3);

    /* Replay from the middle (a Last-Event-ID) starts right after it. */
    assert_int_equal(pz_events_next(1, start + 1, &ev, NULL, NULL), 1);
    assert_true(ev.id == start + 2);
}

static void test_workspaces_are_isolated(void **state)
{
    uint64_t start = pz_events_last_id(), scanned = 0;
    int gap = -1;
    (void)state;

    assert_int_equal(pz_events_publish(2, "message.created", "{\"secret\":\"of two\"}"), 0);
    assert_int_equal(pz_events_publish(3, "message.created", "{\"of\":3}"), 0);
    assert_int_equal(pz_events_publish(2, "conversation.created", "{\"conversation_id\":9}"), 0);

    /* Workspace 3 sees only its one event, and is told it searched past the others. */
    assert_int_equal(pz_events_next(3, start, &ev, &gap, &scanned), 1);
    assert_int_equal(ev.workspace_id, 3);
    assert_string_equal(ev.data, "{\"of\":3}");
    assert_int_equal(pz_events_next(3, ev.id, &ev, &gap, &scanned), 0);
    assert_int_equal(gap, 0);
    assert_true(scanned == start + 3);
    /* Workspace 2 sees its two, skipping 3's. */
    assert_int_equal(pz_events_next(2, start, &ev, NULL, NULL), 1);
    assert_string_equal(ev.data, "{\"secret\":\"of two\"}");
    assert_int_equal(pz_events_next(2, ev.id, &ev, NULL, NULL), 1);
    assert_true(ev.id == start + 3);
    assert_string_equal(ev.type, "conversation.created");
    /* A workspace with no events sees none. */
    assert_int_equal(pz_events_next(4, start, &ev, &gap, NULL), 0);
    assert_int_equal(gap, 0);
}

static void test_ring_wraps(void **state)
{
    uint64_t start = pz_events_last_id(), scanned = 0;
    int gap = -1;
    char data[64];
    (void)state;

    /* One and a half rings: the first half ring is pushed out. */
    for (int i = 0; i < PZ_EVENTS_RING + PZ_EVENTS_RING / 2; i++) {
        snprintf(data, sizeof(data), "{\"n\":%d}", i);
        assert_int_equal(pz_events_publish(5, "message.created", data), 0);
    }
    /* The oldest still held is number RING/2; from just before it there is no gap. */
    assert_int_equal(pz_events_next(5, start + PZ_EVENTS_RING / 2, &ev, &gap, &scanned), 1);
    assert_int_equal(gap, 0);
    snprintf(data, sizeof(data), "{\"n\":%d}", PZ_EVENTS_RING / 2);
    assert_string_equal(ev.data, data);
    assert_true(ev.id == start + PZ_EVENTS_RING / 2 + 1);
    /* One before that was pushed out: a gap, nothing handed, and the reader moved to the end. */
    assert_int_equal(pz_events_next(5, start + PZ_EVENTS_RING / 2 - 1, &ev, &gap, &scanned), 0);
    assert_int_equal(gap, 1);
    assert_true(scanned == pz_events_last_id());
    assert_int_equal(pz_events_next(5, scanned, &ev, &gap, NULL), 0);
    assert_int_equal(gap, 0);
    /* An id from the future (another run, a made-up header) is a gap too; so is 0. */
    assert_int_equal(pz_events_next(5, pz_events_last_id() + 1000, &ev, &gap, NULL), 0);
    assert_int_equal(gap, 1);
    assert_int_equal(pz_events_next(5, 0, &ev, &gap, NULL), 0);
    assert_int_equal(gap, 1);
    /* The newest is still right. */
    assert_int_equal(pz_events_next(5, pz_events_last_id() - 1, &ev, &gap, NULL), 1);
    snprintf(data, sizeof(data), "{\"n\":%d}", PZ_EVENTS_RING + PZ_EVENTS_RING / 2 - 1);
    assert_string_equal(ev.data, data);
}

static void test_refused(void **state)
{
    uint64_t start = pz_events_last_id();
    static char big[PZ_EVENTS_DATA_MAX + 2];
    (void)state;

    pz_log_set_level(PZ_LOG_OFF);
    assert_int_equal(pz_events_publish(0, "message.created", "{}"), PZ_EINVAL);
    assert_int_equal(pz_events_publish(1, "", "{}"), PZ_EINVAL);
    assert_int_equal(pz_events_publish(1, NULL, "{}"), PZ_EINVAL);
    assert_int_equal(pz_events_publish(1, "Message Created", "{}"), PZ_EINVAL);
    assert_int_equal(pz_events_publish(1, "x\ndata: forged", "{}"), PZ_EINVAL);
    /* A line break in the data would end the SSE data line and forge fields. */
    assert_int_equal(pz_events_publish(1, "message.created", "{}\n\nevent: x"), PZ_EINVAL);
    assert_int_equal(pz_events_publish(1, "message.created", "{}\revent: x"), PZ_EINVAL);
    memset(big, 'a', PZ_EVENTS_DATA_MAX + 1);
    assert_int_equal(pz_events_publish(1, "message.created", big), PZ_ETOOBIG);
    /* Exactly the most is fine. */
    big[PZ_EVENTS_DATA_MAX] = '\0';
    assert_int_equal(pz_events_publish(6, "message.created", big), 0);
    pz_log_set_level(PZ_LOG_WARN);
    /* Only the good one took an id. */
    assert_true(pz_events_last_id() == start + 1);
    assert_int_equal(pz_events_next(6, start, &ev, NULL, NULL), 1);
    assert_int_equal(ev.data_len, PZ_EVENTS_DATA_MAX);
}

struct seen {
    int calls;
    int64_t workspace_id;
    uint64_t id;
};

static void on_event(void *arg, int64_t workspace_id, uint64_t id)
{
    struct seen *s = arg;
    s->calls++;
    s->workspace_id = workspace_id;
    s->id = id;
}

static void test_subscribers(void **state)
{
    struct seen a = {0}, b = {0};
    int ha, hb;
    (void)state;

    ha = pz_events_subscribe(on_event, &a);
    hb = pz_events_subscribe(on_event, &b);
    assert_true(ha >= 0 && hb >= 0 && ha != hb);
    assert_int_equal(pz_events_publish(7, "conversation.updated", "{}"), 0);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.workspace_id, 7);
    assert_true(a.id == pz_events_last_id());
    assert_int_equal(b.calls, 1);
    pz_events_unsubscribe(ha);
    assert_int_equal(pz_events_publish(8, "conversation.updated", "{}"), 0);
    assert_int_equal(a.calls, 1); /* gone */
    assert_int_equal(b.calls, 2);
    assert_int_equal(b.workspace_id, 8);
    pz_events_unsubscribe(hb);
    /* The slots can be taken again, up to the limit. */
    {
        int h[PZ_EVENTS_MAX_SUBS];
        for (int i = 0; i < PZ_EVENTS_MAX_SUBS; i++)
            assert_true((h[i] = pz_events_subscribe(on_event, &a)) >= 0);
        pz_log_set_level(PZ_LOG_OFF);
        assert_int_equal(pz_events_subscribe(on_event, &a), PZ_ELIMIT);
        pz_log_set_level(PZ_LOG_WARN);
        for (int i = 0; i < PZ_EVENTS_MAX_SUBS; i++)
            pz_events_unsubscribe(h[i]);
    }
}

#define N_THREADS  4
#define PER_THREAD 100 /* 4 x 100 < the ring, so every one stays readable */

static void *publisher(void *arg)
{
    int t = (int)(intptr_t)arg;
    char data[64];

    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(data, sizeof(data), "{\"t\":%d,\"i\":%d}", t, i);
        if (pz_events_publish(t % 2 ? 10 : 11, "message.created", data) != 0)
            return (void *)1;
    }
    return NULL;
}

static void test_concurrent_publishers(void **state)
{
    pthread_t th[N_THREADS];
    uint64_t start = pz_events_last_id(), after;
    int next_i[N_THREADS] = {0}, n = 0;
    (void)state;

    for (int t = 0; t < N_THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, publisher, (void *)(intptr_t)t), 0);
    for (int t = 0; t < N_THREADS; t++) {
        void *ret;
        assert_int_equal(pthread_join(th[t], &ret), 0);
        assert_null(ret);
    }
    assert_true(pz_events_last_id() == start + N_THREADS * PER_THREAD);
    /* Each workspace sees exactly its threads' events, each thread's in the order it sent them. */
    for (int64_t ws = 10; ws <= 11; ws++) {
        after = start;
        while (pz_events_next(ws, after, &ev, NULL, NULL)) {
            int t, i;
            assert_true(ev.id > after);
            assert_int_equal(sscanf(ev.data, "{\"t\":%d,\"i\":%d}", &t, &i), 2);
            assert_int_equal(t % 2 ? 10 : 11, ws);
            assert_int_equal(i, next_i[t]);
            next_i[t]++;
            after = ev.id;
            n++;
        }
    }
    assert_int_equal(n, N_THREADS * PER_THREAD);
    for (int t = 0; t < N_THREADS; t++)
        assert_int_equal(next_i[t], PER_THREAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_follow_and_replay),
        cmocka_unit_test(test_workspaces_are_isolated),
        cmocka_unit_test(test_ring_wraps),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_subscribers),
        cmocka_unit_test(test_concurrent_publishers),
    };
    pz_log_set_level(PZ_LOG_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
