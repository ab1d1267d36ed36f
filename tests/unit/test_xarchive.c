/*
 * Unit tests of the X archive reader (src/import/xarchive.c) on this
 * project's fixtures (tests/fixtures/chats/x, laid out as an archive's data/
 * folder with account.js and direct_messages_media/), rendered through
 * chat_render.h and compared with what was counted by hand. Tests run from
 * the repository's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "chat_render.h"
#include "core/error.h"
#include "import/jsonpos.h"
#include "import/xarchive.h"

#define FIX "tests/fixtures/chats/"

static void expect(const char *format, const char *path, int want_rc, const char *want)
{
    int rc;
    char *got = render_file(format, path, 0, &rc);

    if (getenv("PZ_DUMP"))
        fprintf(stderr, "---- %s\n%s", path, got);
    assert_string_equal(got, want);
    assert_int_equal(rc, want_rc);
    free(got);
}

/* One-to-one conversations newest first, the account (1111) from account.js as "me", a photo
 * the archive holds in direct_messages_media/, a multi-line text, a message without createdAt
 * (skipped, reported at its line), a reaction (counted in a note, not imported); a group with its
 * join, add and rename events as notices and titled by its last name. */
static void test_fixtures(void **state)
{
    (void)state;
    expect(NULL, FIX "x/data/direct-messages.js", 0,
           "conv x key=1111-2222 title=2222 group=0\n"
           "part 1111 name=1111 me\n"
           "part 2222 name=2222\n"
           "@50 text 2024-05-01T16:30:00Z (- -) 1111 out id=1786000000000000001: Buongiorno "
           "Sara,\\nposso presentarle piazza?\n"
           "!39 no readable createdAt: skipped\n"
           "part 2222 name=2222\n"
           "part 1111 name=1111 me\n"
           "@25 media 2024-05-02T09:00:00Z (- -) 2222 in id=1786000000000000003: Ecco la brochure "
           "https://t.co/abc\n"
           " + brochure.jpg image/jpeg file 12 bytes\n"
           "part 1111 name=1111 me\n"
           "part 2222 name=2222\n"
           "@6 text 2024-05-02T09:05:00Z (- -) 1111 out id=1786000000000000004: Perfetto, ci "
           "vediamo martedì alle 15 🙂\n"
           "end\n"
           "conv x key=3333-1111 title=3333 group=0\n"
           "part 3333 name=3333\n"
           "part 1111 name=1111 me\n"
           "@69 text 2024-06-01T08:00:00Z (- -) 3333 in id=1786000000000000010: Info su prezzi & "
           "sconti? <3\n"
           "end\n"
           "note 1 reaction not imported: piazza keeps the messages, not the reactions to them\n");
    expect(
        NULL, FIX "x/data/direct-messages-group.js", 0,
        "conv x key=1790000000000000000 title=Fornitori 2024 group=1\n"
        "part 1111 name=1111 me\n"
        "@35 system 2024-07-01T10:00:00Z (- -) -: joinConversation by 1111\n"
        "part 2222 name=2222\n"
        "part 3333 name=3333\n"
        "part 1111 name=1111 me\n"
        "@25 system 2024-07-01T10:00:30Z (- -) -: participantsJoin by 1111: 2222, 3333\n"
        "part 1111 name=1111 me\n"
        "@18 system 2024-07-01T10:01:00Z (- -) -: conversationNameUpdate by 1111: Fornitori 2024\n"
        "part 1111 name=1111 me\n"
        "@6 text 2024-07-01T10:02:00Z (- -) 1111 out id=1790000000000000005: Benvenuti!\n"
        "end\n");
}

static void test_refused(void **state)
{
    (void)state;
    expect("x", FIX "x/not_x.js", PZ_EINVAL,
           "=1: not an X direct messages file (no list of dmConversation)\n");
    expect("x", FIX "x/broken.js", PZ_EINVAL,
           "=5: not valid JSON after '=': '}' expected near ']'\n");
    expect("x", FIX "x/no_such.js", PZ_EIO, "=0: cannot open: No such file or directory\n");
}

/* Two conversations, the first longer than one chunk of positions (jsonpos.h), newest first:
 * every message handed out oldest first with its line, from the mapped file; the second
 * conversation broken: refused with the line, after the first was handed out. */
static void test_streamed(void **state)
{
    enum { N = 2 * JSONPOS_CHUNK + 5 };
    char path[] = "/tmp/pz_xarchive_XXXXXX.js";
    struct pz_buf want;
    int fd = mkstemps(path, 3), rc;
    char *got;
    FILE *f;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    for (int broken = 0; broken < 2; broken++) {
        f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "window.YTD.direct_messages.part0 = [\n  {\"dmConversation\": {"
                   "\"conversationId\": \"1-2\", \"messages\": [\n");
        for (int k = N - 1; k >= 0; k--)
            fprintf(f,
                    "    {\"messageCreate\": {\"id\": \"%d\", \"senderId\": \"%d\", "
                    "\"recipientId\": \"%d\", \"text\": \"n. %d \\u00e8\", \"createdAt\": "
                    "\"2024-01-01T00:%02d:%02d.000Z\"}}%s\n",
                    k, 1 + k % 2, 2 - k % 2, k, k / 60, k % 60, k ? "," : "");
        fprintf(f,
                "  ]}},\n  {\"dmConversation\": {\"conversationId\": \"1-3\", \"messages\": [\n"
                "    {\"messageCreate\": {\"id\": \"x\", \"senderId\": \"3\", \"text\": %s, "
                "\"createdAt\": \"2024-01-02T00:00:00.000Z\"}}\n  ]}}\n]\n",
                broken ? "tru" : "\"ciao\"");
        fclose(f);
        pz_buf_init(&want, 1 << 24);
        pz_buf_addstr(&want, "conv x key=1-2 title=1-2 group=0\n");
        for (int k = 0; k < N; k++) {
            /* Sender and recipient announced before each message (the writer keeps one). */
            pz_buf_printf(&want, "part %d name=%d\npart %d name=%d\n", 1 + k % 2, 1 + k % 2,
                          2 - k % 2, 2 - k % 2);
            pz_buf_printf(&want,
                          "@%d text 2024-01-01T00:%02d:%02dZ (- -) %d id=%d: n. %d \xc3\xa8\n",
                          3 + N - 1 - k, k / 60, k % 60, 1 + k % 2, k, k);
        }
        pz_buf_addstr(&want, "end\n");
        if (broken)
            pz_buf_printf(&want,
                          "conv x key=1-3 title=1-3 group=0\n"
                          "=%d: not valid JSON after '=': invalid token near 'tru'\n",
                          3 + N + 2);
        else
            pz_buf_printf(&want,
                          "conv x key=1-3 title=1-3 group=0\npart 3 name=3\n"
                          "@%d text 2024-01-02T00:00:00Z (- -) 3 id=x: ciao\nend\n",
                          3 + N + 2);
        got = render_file("x", path, 0, &rc);
        if (getenv("PZ_DUMP"))
            fprintf(stderr, "---- got\n%s---- want\n%s", got, pz_buf_str(&want));
        assert_string_equal(got, pz_buf_str(&want));
        assert_int_equal(rc, broken ? PZ_EINVAL : 0);
        free(got);
        pz_buf_release(&want);
    }
    unlink(path);
}

static void test_time(void **state)
{
    (void)state;
    assert_int_equal(xarchive_time("2018-10-10T20:19:24.000Z"), 1539202764000LL);
    assert_int_equal(xarchive_time("2018-10-10T20:19:24.5Z"), 1539202764500LL);
    assert_int_equal(xarchive_time("2018-10-10T20:19:24Z"), 1539202764000LL);
    assert_int_equal(xarchive_time("2018-02-30T20:19:24Z"), -1);
    assert_int_equal(xarchive_time("2018-10-10T20:19:24+02:00"), -1);
    assert_int_equal(xarchive_time("Wed Oct 10 20:19:24 +0000 2018"), -1);
    assert_int_equal(xarchive_time(NULL), -1);
}

static void test_detect(void **state)
{
    char f[32];
    static const char dm[] = "window.YTD.direct_messages.part0 = [ ]";
    static const char tweets[] = "window.YTD.tweets.part0 = [ ]";
    (void)state;

    assert_int_equal(chat_detect_buffer(dm, sizeof(dm) - 1, f, sizeof(f)), 0);
    assert_string_equal(f, "x");
    assert_int_equal(chat_detect_buffer(tweets, sizeof(tweets) - 1, f, sizeof(f)), PZ_EINVAL);
    assert_int_equal(chat_detect(FIX "x/data/direct-messages-group.js", f, sizeof(f)), 0);
    assert_string_equal(f, "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_streamed), cmocka_unit_test(test_time),
        cmocka_unit_test(test_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
