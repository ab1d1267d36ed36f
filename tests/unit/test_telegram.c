/*
 * Unit tests of the Telegram Desktop reader (src/import/telegram.c) and the
 * value spans of the JSON scanner (src/import/jsonpos.c): the shared corpus
 * (../shared/corpus/telegram, one chat) and this project's fixture
 * (tests/fixtures/chats/telegram/account, a whole-account export with its
 * media), rendered through chat_render.h and compared with what was counted
 * by hand. Tests run from the repository's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chat_render.h"
#include "core/error.h"
#include "import/jsonpos.h"
#include "import/telegram.h"

#define CORPUS "../shared/corpus/"
#define FIX    "tests/fixtures/chats/"

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

/* The corpus chat: an older export without date_unixtime (times read in Europe/Rome), 7
 * messages (Alice 4, Bob 3), id 5 answers id 4, id 7 edited. The account export: the account
 * (user 111) as the company's side, date_unixtime across the spring DST change, a text made of
 * parts (link, bold), a reply, a photo and a file the export holds, a voice message it does
 * not, a message without id (skipped, reported at its line), an edit with its time; a group
 * with create_group and invite_members notices and a forwarded message. Each participant is
 * announced once per chat, before their first message. */
static void test_files(void **state)
{
    (void)state;
    expect(NULL, CORPUS "telegram/reply_edited.json", 0,
           "conv telegram key=123456789 title=Test Chat group=0\n"
           "part user123 name=Alice\n"
           "@6 text 2024-01-15T09:30:00Z (2024-01-15T10:30:00 Europe/Rome) user123 id=1: Hello! "
           "How are you?\n"
           "part user456 name=Bob\n"
           "@14 text 2024-01-15T09:30:15Z (2024-01-15T10:30:15 Europe/Rome) user456 id=2: Hi "
           "Alice! I'm doing great, thanks for asking.\n"
           "@22 text 2024-01-15T09:30:30Z (2024-01-15T10:30:30 Europe/Rome) user123 id=3: That's "
           "wonderful to hear!\n"
           "@30 text 2024-01-15T09:30:31Z (2024-01-15T10:30:31 Europe/Rome) user123 id=4: By the "
           "way, did you see the news?\n"
           "@38 text 2024-01-15T09:31:00Z (2024-01-15T10:31:00 Europe/Rome) user456 id=5 re=4: No, "
           "what happened?\n"
           "@47 text 2024-02-20T13:00:00Z (2024-02-20T14:00:00 Europe/Rome) user123 id=6: This is "
           "a message from February\n"
           "@55 text 2024-03-10T08:15:00Z (2024-03-10T09:15:00 Europe/Rome) user456 edited id=7: "
           "And this one is from March\n"
           "end\n");
    expect(NULL, FIX "telegram/account/result.json", 0,
           "conv telegram key=222 title=Marco Bianchi group=0\n"
           "part user222 name=Marco Bianchi\n"
           "@22 text 2024-03-31T00:59:00Z (2024-03-31T01:59:00 -) user222 id=10: Ciao Giulia, è "
           "tutto pronto?\n"
           "part user111 name=Giulia Verdi me\n"
           "@37 text 2024-03-31T01:01:00Z (2024-03-31T03:01:00 -) user111 id=11 re=10: Sì! Guarda "
           "https://piazza.example/fiera e conferma.\n"
           "@60 media 2024-03-31T08:00:00Z (2024-03-31T10:00:00 Europe/Rome) user222 id=12: \n"
           " + photo_1@31-03-2024_10-00-00.jpg image/jpeg file 8 bytes\n"
           "@71 media 2024-03-31T08:05:00Z (2024-03-31T10:05:00 Europe/Rome) user222 id=13: il "
           "listino\n"
           " + listino prezzi.pdf application/pdf file 17 bytes\n"
           "@82 media 2024-03-31T08:06:00Z (2024-03-31T10:06:00 Europe/Rome) user222 id=14: \n"
           " + voice_message audio/ogg\n"
           "!94 message without an id: skipped\n"
           "@101 text 2024-03-31T08:08:00Z (2024-03-31T10:08:00 Europe/Rome) user111 edited id=15: "
           "A domani 👋\n"
           "end\n"
           "conv telegram key=333 title=Fiera 2024 group=1\n"
           "part user111 name=Giulia Verdi me\n"
           "@118 system 2024-04-01T07:00:00Z (2024-04-01T09:00:00 Europe/Rome) - id=1: Giulia "
           "Verdi: create_group \"Fiera 2024\" Giulia Verdi, Marco Bianchi\n"
           "@132 system 2024-04-01T07:01:00Z (2024-04-01T09:01:00 Europe/Rome) - id=2: Giulia "
           "Verdi: invite_members Anna Neri\n"
           "part user444 name=Anna Neri\n"
           "@144 text 2024-04-01T07:02:00Z (2024-04-01T09:02:00 Europe/Rome) user444 id=3: Orari: "
           "9-18\n"
           "end\n"
           /* Reactions (2 👍 and a ❤ on message 3) are counted, not imported. */
           "note 3 reactions not imported: piazza keeps the messages, not the reactions to them\n");
}

static void test_refused(void **state)
{
    (void)state;
    /* Refused at the line where the file ends, before any message is handed out. */
    expect("telegram", FIX "telegram/cut_short.json", PZ_EINVAL,
           "=7: not valid JSON: the file ends before its data does (cut short?)\n");
    expect("telegram", FIX "telegram/not_telegram.json", PZ_EINVAL,
           "=1: not a Telegram Desktop export (no messages and no chats.list)\n");
    expect("telegram", FIX "telegram/no_such.json", PZ_EIO,
           "=0: cannot open: No such file or directory\n");
}

static void test_spans(void **state)
{
    static const char js[] = "{\"a\": [ {\"b\": \"x]\"},\n 12 ,\"s\"], \"c\": {\"a\": [1]}}";
    static const char *const path[] = {"a", "*"};
    struct jsonpos_span *sp;
    size_t n;
    int complete = 0;
    (void)state;

    sp = jsonpos_spans(js, sizeof(js) - 1, path, 2, &n, &complete);
    assert_int_equal(n, 3);
    assert_true(complete);
    assert_int_equal(sp[0].end - sp[0].start, strlen("{\"b\": \"x]\"}"));
    assert_memory_equal(js + sp[0].start, "{\"b\": \"x]\"}", sp[0].end - sp[0].start);
    assert_memory_equal(js + sp[1].start, "12", 2);
    assert_int_equal(sp[1].end - sp[1].start, 2);
    assert_int_equal(sp[1].line, 2);
    assert_memory_equal(js + sp[2].start, "\"s\"", 3);
    free(sp);
    sp = jsonpos_spans(js, sizeof(js) - 3, path, 2, &n, &complete);
    assert_false(complete);
    free(sp);
}

static void test_detect(void **state)
{
    char f[32];
    (void)state;

    assert_int_equal(chat_detect(CORPUS "telegram/reply_edited.json", f, sizeof(f)), 0);
    assert_string_equal(f, "telegram");
    assert_int_equal(chat_detect(FIX "telegram/account/result.json", f, sizeof(f)), 0);
    assert_string_equal(f, "telegram");
    assert_int_equal(chat_detect(CORPUS "facebook/message_1_mojibake.json", f, sizeof(f)), 0);
    assert_string_equal(f, "messenger");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
