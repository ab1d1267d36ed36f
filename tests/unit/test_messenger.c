/*
 * Unit tests of the Messenger and Instagram reader (src/import/messenger.c)
 * and of the JSON line scanner (src/import/jsonpos.c): the shared corpus
 * (../shared/corpus/facebook) and this project's fixtures
 * (tests/fixtures/chats/messenger, laid out as the exports lay them out),
 * rendered through chat_render.h and compared with what was counted by hand.
 * Tests run from the repository's root.
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
#include "import/messenger.h"

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

/* The corpus file: mojibake repaired ("José García", "¡Hola! ¿Cómo estás? 😀"), 3 messages
 * (José García 2, Me 1), one with a photo that the export does not hold, one with neither text
 * nor media. */
static void test_corpus(void **state)
{
    (void)state;
    expect(NULL, CORPUS "facebook/message_1_mojibake.json", 0,
           "conv messenger key=inbox/jose_abc title=José García group=0\n"
           "part José García name=José García\n"
           "part Me name=Me\n"
           "@11 text 2023-01-02T00:00:00Z (- -) José García: ¡Hola! ¿Cómo estás? 😀\n"
           "@16 media 2023-01-02T00:01:00Z (- -) Me: Mira esta foto 📸\n"
           " + pic.jpg image/jpeg\n"
           "@27 text 2023-01-02T00:02:00Z (- -) José García: \n"
           "end\n");
}

/* A group newest first: a "Subscribe" notice, a call, a photo the export holds and one it
 * lacks, a message without timestamp_ms (skipped, reported at its line), a shared link, a
 * sticker, an unsent message, a reaction (counted in a note, not imported), Italian accents and
 * emoji; an Instagram thread told by its path. */
static void test_fixtures(void **state)
{
    (void)state;
    expect(
        NULL, FIX "messenger/messages/inbox/gruppofiera_8x2/message_1.json", 0,
        "conv messenger key=inbox/gruppofiera_8x2 title=Fiera 2024 – Bologna group=1\n"
        "part Giulia Bianchi name=Giulia Bianchi\n"
        "part Luca Ferrari name=Luca Ferrari\n"
        "part Maria Rossi name=Maria Rossi\n"
        "@83 text 2024-06-10T06:13:20Z (- -) Giulia Bianchi: Benvenuti nel gruppo Fiera 2024! "
        "Città: Bologna\n"
        "@72 system 2024-06-10T06:15:00Z (- -) Maria Rossi: Maria Rossi ha aggiunto Luca Ferrari "
        "al gruppo.\n"
        "@57 media 2024-06-10T06:16:40Z (- -) Maria Rossi: Ecco il volantino, perché lo stampiate\n"
        " + volantino.jpg image/jpeg file 22 bytes\n"
        " + manca.jpg image/jpeg\n"
        "!53 message without timestamp_ms: skipped\n"
        "@46 system 2024-06-10T06:17:30Z (- -) Luca Ferrari: Luca ha avviato una chiamata.\n"
        "@39 text 2024-06-10T06:18:20Z (- -) Giulia Bianchi: https://www.fiera.example/espositori\n"
        "@32 media 2024-06-10T06:20:00Z (- -) Giulia Bianchi: \n"
        " + 39178562_1505197616293642_5411344281094848512_n.png image/png\n"
        "@26 text 2024-06-10T06:21:40Z (- -) Luca Ferrari deleted: \n"
        "@14 text 2024-06-10T06:23:20Z (- -) Maria Rossi: Ci vediamo allo stand 12 🙂\n"
        "end\n"
        "note 1 reaction not imported: piazza keeps the messages, not the reactions to them\n");
    expect(NULL, FIX "messenger/your_instagram_activity/messages/inbox/anna_123/message_1.json", 0,
           "conv instagram key=inbox/anna_123 title=anna.design group=0\n"
           "part anna.design name=anna.design\n"
           "part piazza_shop name=piazza_shop\n"
           "@16 text 2024-06-10T06:13:20Z (- -) anna.design: Ciao, è ancora disponibile la borsa?\n"
           "@11 text 2024-06-10T06:14:20Z (- -) piazza_shop: Certo! Te lo spedisco lunedì\n"
           "end\n");
}

static void test_refused(void **state)
{
    (void)state;
    expect("messenger", FIX "messenger/broken.json", PZ_EINVAL,
           "=7: not valid JSON: '}' expected near ']'\n");
    expect("messenger", FIX "messenger/not_messenger.json", PZ_EINVAL,
           "=1: not a Messenger or Instagram message_N.json (no participants and messages)\n");
    expect("messenger", FIX "messenger/no_such.json", PZ_EIO,
           "=0: cannot open: No such file or directory\n");
}

/* A generated file of N messages, newest first, one a line from line 5 ("perché" written as
 * Facebook writes it: mojibake); BREAK_AT >= 0 puts a JSON error in that message. */
static void write_big(const char *path, int n, int break_at)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fprintf(f, "{\n  \"participants\": [{\"name\": \"Anna\"}, {\"name\": \"Me\"}],\n"
               "  \"title\": \"Anna\", \"thread_path\": \"inbox/anna_1\",\n  \"messages\": [\n");
    for (int k = n - 1; k >= 0; k--)
        fprintf(f,
                "    {\"sender_name\": \"%s\", \"timestamp_ms\": %lld, \"content\": "
                "\"messaggio %d perch\\u00c3\\u00a9\"%s}%s\n",
                k % 2 ? "Me" : "Anna", 1700000000000LL + k * 1000LL, k,
                k == break_at ? " \"x\": 1" : "", k ? "," : "");
    fprintf(f, "  ]\n}\n");
    fclose(f);
}

/* More messages than one chunk of positions (jsonpos.h): every one handed out, oldest first,
 * each with its own line, read from the mapped file; a JSON error in the middle refuses the
 * file with its line. */
static void test_streamed(void **state)
{
    enum { N = 3 * JSONPOS_CHUNK + 7 };
    char path[] = "/tmp/pz_messenger_XXXXXX.json";
    struct pz_buf want;
    int fd = mkstemps(path, 5), rc;
    char *got;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_big(path, N, -1);
    pz_buf_init(&want, 1 << 24);
    pz_buf_addstr(&want, "conv messenger key=inbox/anna_1 title=Anna group=0\n"
                         "part Anna name=Anna\npart Me name=Me\n");
    for (int k = 0; k < N; k++) {
        char iso[32];
        pz_time_iso(1700000000000LL + k * 1000LL, iso, sizeof(iso));
        pz_buf_printf(&want, "@%d text %s (- -) %s: messaggio %d perch\xc3\xa9\n", 5 + N - 1 - k,
                      iso, k % 2 ? "Me" : "Anna", k);
    }
    pz_buf_addstr(&want, "end\n");
    got = render_file("messenger", path, 0, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, pz_buf_str(&want));
    free(got);
    /* Broken in the 2nd chunk from the end: refused with the line of the error. */
    write_big(path, N, JSONPOS_CHUNK + 3);
    got = render_file("messenger", path, 0, &rc);
    assert_int_equal(rc, PZ_EINVAL);
    {
        char line[128];
        snprintf(line, sizeof(line), "=%d: not valid JSON: '}' expected near '\"x\"'\n",
                 5 + N - 1 - (JSONPOS_CHUNK + 3));
        assert_non_null(strstr(got, line));
    }
    free(got);
    pz_buf_release(&want);
    unlink(path);
}

/* The iterator's own checks: what it walks must be JSON. */
static void test_iter(void **state)
{
    static const struct {
        const char *json;
        int line;
        const char *message;
    } bad[] = {
        {"[1,\n2\n3]", 3, "not valid JSON: expected ',' or ']'"},
        {"[1,\n2,\n]", 3, "not valid JSON: expected a value"},
        {"[1,\n{\"a\": [2}]", 2, "not valid JSON: ']' expected near '}'"},
        {"[1,\n\"abc", 2, "not valid JSON: the file ends before its data does (cut short?)"},
        {"{\"a\" 1}", 1, "not valid JSON: expected ':' after \"a\""},
        {"{a: 1}", 1, "not valid JSON: expected a member name in quotes"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct jsonpos_doc doc = {bad[i].json, strlen(bad[i].json), 0};
        struct jsonpos_iter it;
        struct jsonpos_span sp;
        struct jsonpos_error err = {0, ""};
        int rc;
        assert_int_equal(jsonpos_iter_begin(&it, &doc, 0, 1, &err), 0);
        while ((rc = jsonpos_iter_next(&it, &sp, &err)) == 1)
            ;
        assert_int_equal(rc, -1);
        assert_int_equal(err.line, bad[i].line);
        assert_string_equal(err.message, bad[i].message);
    }
    {
        static const char ok[] = "{\"a\\u0062\": [1, {\"x\": \"]}\"}], \"c\": null}";
        struct jsonpos_doc doc = {ok, sizeof(ok) - 1, 0};
        struct jsonpos_iter it;
        struct jsonpos_span sp;
        struct jsonpos_error err = {0, ""};
        assert_int_equal(jsonpos_iter_begin(&it, &doc, 0, 1, &err), 0);
        assert_int_equal(jsonpos_iter_next(&it, &sp, &err), 1);
        assert_string_equal(it.key, "ab");
        assert_int_equal(sp.end - sp.start, strlen("[1, {\"x\": \"]}\"}]"));
        assert_int_equal(jsonpos_iter_next(&it, &sp, &err), 1);
        assert_string_equal(it.key, "c");
        assert_int_equal(jsonpos_iter_next(&it, &sp, &err), 0);
        assert_int_equal(it.at, sizeof(ok) - 1);
    }
}

static void test_unmojibake(void **state)
{
    struct pz_buf b;
    (void)state;

    pz_buf_init(&b, 1024);
    assert_int_equal(messenger_unmojibake("Jos\xc3\x83\xc2\xa9", 7, &b), 0);
    assert_string_equal(pz_buf_str(&b), "Jos\xc3\xa9"); /* José */
    pz_buf_reset(&b);
    /* Already right (a code point above U+00FF): kept. */
    assert_int_equal(messenger_unmojibake("caf\xc3\xa9 \xe2\x82\xac", 9, &b), 0);
    assert_string_equal(pz_buf_str(&b), "caf\xc3\xa9 \xe2\x82\xac");
    pz_buf_reset(&b);
    /* Latin-1 code points that make no UTF-8 ("é" alone): kept as they are. */
    assert_int_equal(messenger_unmojibake("\xc3\xa9t\xc3\xa9", 5, &b), 0);
    assert_string_equal(pz_buf_str(&b), "\xc3\xa9t\xc3\xa9");
    pz_buf_release(&b);
}

static void test_jsonpos(void **state)
{
    static const char js[] =
        "window.YTD.x.part0 = [\n {\"a\": {\"m\": [\n  {\"k\": \"[{\\\"\"},\n"
        "  {\"k\": 2}]}},\n {\"a\": {\"m\": [], \"n\": [1]}},\n {\"a\": {\"m\": "
        "[\n\n  3]}}\n]\n";
    static const char *const path[] = {"*", "a", "m", "*"};
    size_t n;
    long *lines = jsonpos_lines(js, sizeof(js) - 1, path, 4, &n);
    (void)state;

    assert_int_equal(n, 3);
    assert_int_equal(lines[0], 3);
    assert_int_equal(lines[1], 4);
    assert_int_equal(lines[2], 8);
    free(lines);
    assert_null(jsonpos_lines("{}", 2, path, 4, &n));
    assert_int_equal(n, 0);
}

static void test_detect(void **state)
{
    char f[32];
    (void)state;

    assert_int_equal(chat_detect(CORPUS "facebook/message_1_mojibake.json", f, sizeof(f)), 0);
    assert_string_equal(f, "messenger");
    assert_int_equal(chat_detect(CORPUS "telegram/reply_edited.json", f, sizeof(f)) == 0 &&
                         strcmp(f, "messenger") == 0,
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),   cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_refused),  cmocka_unit_test(test_unmojibake),
        cmocka_unit_test(test_jsonpos),  cmocka_unit_test(test_detect),
        cmocka_unit_test(test_streamed), cmocka_unit_test(test_iter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
