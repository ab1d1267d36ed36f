/*
 * Unit tests of the LinkedIn messages reader (src/import/linkedin_messages.c):
 * the shared corpus (../shared/corpus/linkedin) and this project's fixture
 * (tests/fixtures/chats/linkedin), rendered through chat_render.h and
 * compared with what was counted by hand; how "linkedin" tells messages.csv
 * from Connections.csv. Tests run from the repository's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chat_render.h"
#include "core/error.h"
#include "import/linkedin_messages.h"

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

/* The corpus file (2 messages in 2 conversations, a body with a newline inside quotes, a last
 * line "BADROW" reported); the fixture: a BOM, CRLF, two columns newer exports add, a SENT
 * folder, doubled quotes, a date LinkedIn never writes (skipped), a group with two recipients
 * paired with their profile URLs, a row with a stray quote (skipped, the next row read). */
static void test_files(void **state)
{
    (void)state;
    expect(NULL, CORPUS "linkedin/messages_multiline_badrow.csv", 0,
           "conv linkedin key=abc123 title=Coffee? group=0\n"
           "part https://www.linkedin.com/in/analopez name=Ana Lopez "
           "linkedin=https://www.linkedin.com/in/analopez\n"
           "part https://www.linkedin.com/in/pedro name=Pedro Fuentes "
           "linkedin=https://www.linkedin.com/in/pedro\n"
           "@2 text 2024-03-15T09:30:00Z (- -) https://www.linkedin.com/in/analopez id=2024-03-15 "
           "09:30:00 UTC|https://www.linkedin.com/in/analopez: Hey Pedro, let's grab coffee, maybe "
           "Tuesday?\n"
           "end\n"
           "conv linkedin key=def456 title=Re: Coffee? group=0\n"
           "part https://www.linkedin.com/in/pedro name=Pedro Fuentes "
           "linkedin=https://www.linkedin.com/in/pedro\n"
           "part https://www.linkedin.com/in/analopez name=Ana Lopez "
           "linkedin=https://www.linkedin.com/in/analopez\n"
           "@3 text 2024-03-15T10:00:00Z (- -) https://www.linkedin.com/in/pedro id=2024-03-15 "
           "10:00:00 UTC|https://www.linkedin.com/in/pedro: Sounds great!\\nTuesday at 3pm works.\n"
           "!5 row has 1 field, the header 10: skipped\n"
           "end\n");
    expect(
        NULL, FIX "linkedin/messages.csv", 0,
        "conv linkedin key=2-ZmE1 title=Proposta group=0\n"
        "part https://www.linkedin.com/in/giuliaverdi name=Giulia Verdi "
        "linkedin=https://www.linkedin.com/in/giuliaverdi\n"
        "part https://www.linkedin.com/in/marcobianchi name=Marco Bianchi "
        "linkedin=https://www.linkedin.com/in/marcobianchi\n"
        "@2 text 2024-04-10T08:15:00Z (- -) https://www.linkedin.com/in/giuliaverdi out "
        "id=2024-04-10 08:15:00 UTC|https://www.linkedin.com/in/giuliaverdi: Buongiorno "
        "Marco,\\nle scrivo per la fiera di Bologna: perché non ci vediamo?\n"
        "part https://www.linkedin.com/in/marcobianchi name=Marco Bianchi "
        "linkedin=https://www.linkedin.com/in/marcobianchi\n"
        "part https://www.linkedin.com/in/giuliaverdi name=Giulia Verdi "
        "linkedin=https://www.linkedin.com/in/giuliaverdi\n"
        "@4 text 2024-04-10T09:00:00Z (- -) https://www.linkedin.com/in/marcobianchi id=2024-04-10 "
        "09:00:00 UTC|https://www.linkedin.com/in/marcobianchi: Volentieri, \"martedì\" alle 10?\n"
        "!5 DATE '10/04/2024 09:05' is not a date: skipped\n"
        "end\n"
        "conv linkedin key=2-Z3J1 title=Gruppo fiera group=1\n"
        "part https://www.linkedin.com/in/annaneri name=Anna Neri "
        "linkedin=https://www.linkedin.com/in/annaneri\n"
        "part https://www.linkedin.com/in/giuliaverdi name=Giulia Verdi "
        "linkedin=https://www.linkedin.com/in/giuliaverdi\n"
        "part https://www.linkedin.com/in/marcobianchi name=Marco Bianchi "
        "linkedin=https://www.linkedin.com/in/marcobianchi\n"
        "@6 text 2024-04-11T17:30:00Z (- -) https://www.linkedin.com/in/annaneri id=2024-04-11 "
        "17:30:00 UTC|https://www.linkedin.com/in/annaneri: Ci siamo tutti?\n"
        "!7 broken quoting: row skipped\n"
        "part https://www.linkedin.com/in/giuliaverdi name=Giulia Verdi "
        "linkedin=https://www.linkedin.com/in/giuliaverdi\n"
        "part https://www.linkedin.com/in/annaneri name=Anna Neri "
        "linkedin=https://www.linkedin.com/in/annaneri\n"
        "part https://www.linkedin.com/in/marcobianchi name=Marco Bianchi "
        "linkedin=https://www.linkedin.com/in/marcobianchi\n"
        "@8 text 2024-04-11T17:45:00Z (- -) https://www.linkedin.com/in/giuliaverdi out "
        "id=2024-04-11 17:45:00 UTC|https://www.linkedin.com/in/giuliaverdi: Sì!\n"
        "end\n");
}

static void test_refused(void **state)
{
    (void)state;
    expect("linkedin", FIX "linkedin/not_messages.csv", PZ_EINVAL,
           "=1: not a LinkedIn messages.csv (no CONVERSATION ID, FROM, DATE, CONTENT header)\n");
    expect("linkedin", CORPUS "linkedin/Connections_kawsay.csv", PZ_EINVAL,
           "=1: not a LinkedIn messages.csv (no CONVERSATION ID, FROM, DATE, CONTENT header)\n");
    expect("linkedin", FIX "linkedin/no_such.csv", PZ_EIO,
           "=0: cannot open: No such file or directory\n");
}

static void test_time(void **state)
{
    (void)state;
    assert_int_equal(linkedin_messages_time("2023-05-01 14:22:10 UTC"), 1682950930000LL);
    assert_int_equal(linkedin_messages_time("2023-05-01 14:22:10"), 1682950930000LL);
    assert_int_equal(linkedin_messages_time("2023-02-29 14:22:10 UTC"), -1);
    assert_int_equal(linkedin_messages_time("2023-05-01 14:22 UTC"), -1);
    assert_int_equal(linkedin_messages_time("2023-05-01 14:22:10 CET"), -1);
    assert_int_equal(linkedin_messages_time(NULL), -1);
}

static void test_claims(void **state)
{
    char f[32];
    (void)state;

    assert_true(chat_claims("linkedin", CORPUS "linkedin/messages_multiline_badrow.csv"));
    assert_false(chat_claims("linkedin", CORPUS "linkedin/Connections_kawsay.csv"));
    assert_true(chat_claims("mbox", CORPUS "linkedin/Connections_kawsay.csv"));
    assert_false(chat_claims("vcard", CORPUS "linkedin/Connections_kawsay.csv"));
    assert_int_equal(chat_detect(CORPUS "linkedin/messages_multiline_badrow.csv", f, sizeof(f)), 0);
    assert_string_equal(f, "linkedin");
    assert_int_equal(chat_detect(CORPUS "linkedin/Connections_kawsay.csv", f, sizeof(f)),
                     PZ_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
