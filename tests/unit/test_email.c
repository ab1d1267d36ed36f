/*
 * Unit tests of the e-mail reader (src/import/email.c): the shared corpus
 * (../shared/corpus/email) and this project's fixtures (tests/fixtures/chats/mail,
 * one per quirk of docs/formats.md "E-mail"), each rendered through
 * chat_render.h and compared with what was counted by hand from the file;
 * detection, refusals, the HTML to text conversion, and a sink that stops.
 * Tests run from the repository's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chat_render.h"
#include "core/error.h"
#include "import/email.h"

#define CORPUS "../shared/corpus/email/"
#define FIX    "tests/fixtures/chats/mail/"

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

/* The three e-mail files of the shared corpus, as counted in its SOURCES.md: the .eml that
 * starts with an mbox line (RFC 2047 ISO-8859-1 subject, an empty text part beside an HTML one
 * that says nothing, one attachment), the PEC envelope (the inner postacert.eml is imported,
 * daticert.xml and the signature go with it), Google Takeout's 3 messages. */
static void test_corpus(void **state)
{
    (void)state;
    expect(NULL, CORPUS "m0001.eml", 0,
           "conv email key=CAH_ZkVmUSM8t2JxgqcuLCQ8d+R_hkKpNHTubJOQK07y=36+d4Q@mail.gmail.com "
           "title=Mail avec fichier attaché de 1ko group=0\n"
           "part name@company.com name=Name email=name@company.com\n"
           "part name@company2.com name=name@company2.com email=name@company2.com\n"
           "@1 media 2013-06-16T15:50:12Z (2013-06-16T17:50:12 +02:00) name@company.com "
           "id=CAH_ZkVmUSM8t2JxgqcuLCQ8d+R_hkKpNHTubJOQK07y=36+d4Q@mail.gmail.com: \n"
           " + attach01 application/octet-stream file 2 bytes\n"
           "end\n");
    expect(NULL, CORPUS "pec_postacert_it.eml", 0,
           "conv email key=CZPXCJRZKQDRVYXFAZYUIAWNACDAAHEVAEXAKN@example.com title=POSTA "
           "CERTIFICATA: SUBJECT group=0\n"
           "part no-reply@example.com name=no-reply@example.com email=no-reply@example.com\n"
           "part no-reply@example.com name=no-reply@example.com email=no-reply@example.com\n"
           "@1 text 2021-05-14T10:02:08Z (2021-05-14T12:02:08 +02:00) no-reply@example.com "
           "id=CZPXCJRZKQDRVYXFAZYUIAWNACDAAHEVAEXAKN@example.com: text\n"
           " + daticert.xml application/xml file 791 bytes\n"
           " + smime.p7s application/pkcs7-signature file 4 bytes\n"
           "end\n");
    expect(NULL, CORPUS "takeout_gmail_labels.mbox", 0,
           "conv email key=test001@example.com title=Hello Bob group=0\n"
           "part alice@example.com name=Alice email=alice@example.com\n"
           "part bob@example.com name=Bob email=bob@example.com\n"
           "@1 text 2024-01-01T11:00:00Z (2024-01-01T12:00:00 +01:00) alice@example.com "
           "id=test001@example.com: Hey Bob, happy new year!\n"
           "end\n"
           "conv email key=test002@facebook.com title=You have a new friend request group=0\n"
           "part noreply@facebookmail.com name=Facebook email=noreply@facebookmail.com\n"
           "part user@example.com name=user@example.com email=user@example.com\n"
           "@12 text 2024-01-02T07:00:00Z (2024-01-02T08:00:00 +01:00) noreply@facebookmail.com "
           "id=test002@facebook.com: Someone wants to be your friend.\n"
           "end\n"
           "conv email key=test003@boursorama.com title=Votre releve de compte group=0\n"
           "part alert@boursorama.com name=Boursorama email=alert@boursorama.com\n"
           "part client@example.com name=client@example.com email=client@example.com\n"
           "@23 text 2024-01-03T09:00:00Z (2024-01-03T10:00:00 +01:00) alert@boursorama.com "
           "id=test003@boursorama.com: Votre releve est disponible.\n"
           "end\n");
}

/* One fixture per quirk: threads by In-Reply-To alone and by References, interleaved with
 * another thread; ">From " escapes; a Sent label; a date from the "From " line only; a message
 * without any date (skipped, reported); Windows-1252 quoted-printable with soft breaks and RFC
 * 2047 in both B and Q forms; HTML only, base64, ISO-8859-1, entities, script, style, comment;
 * Windows-1251 8-bit; a forwarded message/rfc822 and an RFC 2231 file name; a PEC receipt. */
static void test_fixtures(void **state)
{
    (void)state;
    expect(NULL, FIX "threads.mbox", 0,
           "conv email key=ordine-1@rossi.example title=Ordine scarpe group=0\n"
           "part marco@rossi.example name=Marco Rossi email=Marco@Rossi.example\n"
           "part vendite@piazza.example name=Vendite Piazza email=vendite@piazza.example\n"
           "@1 text 2024-03-04T09:00:00Z (2024-03-04T10:00:00 +01:00) marco@rossi.example "
           "id=ordine-1@rossi.example: Buongiorno, vorrei 3 paia di scarpe.\\nFrom Milano con "
           "calma.\\n>From here too.\n"
           "part vendite@piazza.example name=Vendite Piazza email=vendite@piazza.example\n"
           "part marco@rossi.example name=Marco Rossi email=marco@rossi.example\n"
           "@22 text 2024-03-04T11:30:00Z (2024-03-04T12:30:00 +01:00) vendite@piazza.example out "
           "id=risposta-1@piazza.example re=ordine-1@rossi.example: Certo, le spediamo domani.\n"
           "part marco@rossi.example name=Marco Rossi email=marco@rossi.example\n"
           "part vendite@piazza.example name=Vendite Piazza email=vendite@piazza.example\n"
           "@33 text 2024-03-05T08:15:00Z (- UTC) marco@rossi.example id=ordine-2@rossi.example "
           "re=risposta-1@piazza.example: Grazie!\n"
           "end\n"
           "conv email key=promo-1@news.example title=Offerte di marzo group=0\n"
           "part news@news.example name=News email=news@news.example\n"
           "part vendite@piazza.example name=vendite@piazza.example email=vendite@piazza.example\n"
           "@13 text 2024-03-04T10:00:00Z (2024-03-04T11:00:00 +01:00) news@news.example "
           "id=promo-1@news.example: Sconti su tutto.\n"
           "end\n"
           "!43 message without a date (no Date header): skipped\n");
    expect(NULL, FIX "latin1_qp.eml", 0,
           "conv email key=preventivo-7@example.it title=Preventivo è pronto ✓ group=1\n"
           "part nicolo@example.it name=Nicolò Rossi email=nicolo@example.it\n"
           "part info@piazza.example name=info@piazza.example email=info@piazza.example\n"
           "part anna@example.it name=Anna B. email=anna@example.it\n"
           "@1 text 2024-07-10T14:45:00Z (2024-07-10T16:45:00 +02:00) nicolo@example.it "
           "id=preventivo-7@example.it: Il totale è € 100, perché lo sconto vale già.\\nQuesta "
           "riga è lunga e va a capo con un soft break che non deve restare nel testo.\n"
           "end\n");
    expect(NULL, FIX "html_only.eml", 0,
           "conv email key=spedizione-9@shop.example title=Ordine spedito group=0\n"
           "part noreply@shop.example name=Shop email=noreply@shop.example\n"
           "part cliente@example.it name=cliente@example.it email=cliente@example.it\n"
           "@1 text 2024-07-11T07:05:00Z (2024-07-11T09:05:00 +02:00) noreply@shop.example "
           "id=spedizione-9@shop.example: Gentile cliente,\\n\\nil suo ordine è stato "
           "spedito.\\nTracking: ABC‑123\\nSaluti & grazie\n"
           "end\n");
    expect(NULL, FIX "cp1251.eml", 0,
           "conv email key=privet@example.ru title=Привет group=0\n"
           "part ivan@example.ru name=Иван Петров email=ivan@example.ru\n"
           "part info@piazza.example name=info@piazza.example email=info@piazza.example\n"
           "@1 text 2024-07-12T07:00:00Z (2024-07-12T10:00:00 +03:00) ivan@example.ru "
           "id=privet@example.ru: Привет, как дела?\n"
           "end\n");
    expect(NULL, FIX "attached_message.eml", 0,
           "conv email key=inoltro-3@piazza.example title=Fattura group=1\n"
           "part giulia@piazza.example name=Giulia Verdi email=giulia@piazza.example\n"
           "part marco@rossi.example name=Marco Rossi email=marco@rossi.example\n"
           "part luca@neri.example name=Luca Neri email=luca@neri.example\n"
           "@1 text 2024-07-15T12:00:00Z (2024-07-15T14:00:00 +02:00) giulia@piazza.example "
           "id=inoltro-3@piazza.example: Vi giro la fattura e il messaggio del fornitore.\n"
           " + fattura n°1.pdf application/pdf file 26 bytes\n"
           " + Fattura luglio.eml message/rfc822 file 200 bytes\n"
           "end\n");
    expect(
        NULL, FIX "pec_ricevuta.eml", 0,
        "conv email key=contratto-1@pec.piazza.example title=ACCETTAZIONE: Contratto firmato "
        "group=0\n"
        "part posta-certificata@pec.example name=accettazione@pec.example "
        "email=posta-certificata@pec.example\n"
        "part azienda@pec.piazza.example name=azienda@pec.piazza.example "
        "email=azienda@pec.piazza.example\n"
        "@1 system 2024-07-16T08:00:05Z (2024-07-16T10:00:05 +02:00) posta-certificata@pec.example "
        "id=opec-accettazione-1@pec.example: Il giorno 16/07/2024 alle ore 10:00:05 (+0200) il "
        "messaggio \"Contratto firmato\" è stato accettato dal sistema.\n"
        "end\n");
}

static void test_refused(void **state)
{
    (void)state;
    expect("eml", FIX "not_mail.eml", PZ_EINVAL, "=1: not an e-mail message: no headers found\n");
    expect("mbox", FIX "not_mail.eml", PZ_EINVAL,
           "=1: not an mbox: the file does not start with a \"From \" line\n");
    expect("mbox", FIX "latin1_qp.eml", PZ_EINVAL,
           "=1: not an mbox: the file does not start with a \"From \" line\n");
    expect("eml", FIX "no_such_file.eml", PZ_EIO, "=0: cannot open: No such file or directory\n");
    expect(NULL, FIX "not_mail.eml", PZ_EINVAL, "=1: not a chat export piazza reads\n");
}

static void test_detect(void **state)
{
    char f[32];
    static const char mbox[] = "From a@b.example Mon Jan  1 00:00:00 2024\nFrom: A <a@b.example>\n"
                               "Subject: x\n\nhi\n";
    static const char eml[] = "Received: from x\n\tby y\nFrom: a@b.example\nDate: Mon, 1 Jan "
                              "2024 00:00:00 +0000\n\nhi\n";
    static const char one_header[] = "Subject: only this\n\nbody\n";
    static const char prose[] = "From Rome with love: a postcard\nDate: tomorrow\n";
    (void)state;

    assert_int_equal(chat_detect_buffer(mbox, sizeof(mbox) - 1, f, sizeof(f)), 0);
    assert_string_equal(f, "mbox");
    assert_int_equal(chat_detect_buffer(eml, sizeof(eml) - 1, f, sizeof(f)), 0);
    assert_string_equal(f, "eml");
    assert_int_equal(chat_detect_buffer(one_header, sizeof(one_header) - 1, f, sizeof(f)),
                     PZ_EINVAL);
    assert_int_equal(chat_detect_buffer(prose, sizeof(prose) - 1, f, sizeof(f)), PZ_EINVAL);
    assert_int_equal(chat_detect(CORPUS "m0001.eml", f, sizeof(f)), 0);
    assert_string_equal(f, "mbox"); /* it starts with a "From " line: a one-message mailbox */
    assert_int_equal(chat_detect(CORPUS "pec_postacert_it.eml", f, sizeof(f)), 0);
    assert_string_equal(f, "eml");
    assert_int_equal(chat_detect(CORPUS "takeout_gmail_labels.mbox", f, sizeof(f)), 0);
    assert_string_equal(f, "mbox");
    assert_true(chat_format_known("mbox") && chat_format_known("eml"));
}

static void test_html(void **state)
{
    static const char html[] = "<p>Uno &amp; due</p>\n<p>tre&nbsp;<b>quattro</b><br/>cinque "
                               "&#233;&#x1F600;&bogus; &#0;</p><style>x{}</style><table><tr><td>a"
                               "</td><td>b</td></tr></table>  <!-- no --> fine";
    struct pz_buf b;
    (void)state;

    pz_buf_init(&b, 4096);
    assert_int_equal(email_html_text(html, sizeof(html) - 1, &b), 0);
    assert_string_equal(pz_buf_str(&b),
                        "Uno & due\n\ntre\xc2\xa0quattro\ncinque "
                        "\xc3\xa9\xf0\x9f\x98\x80&bogus; \xef\xbf\xbd\na b\n\nfine");
    pz_buf_release(&b);
    pz_buf_init(&b, 8);
    assert_int_equal(email_html_text(html, sizeof(html) - 1, &b), PZ_ETOOBIG);
    pz_buf_release(&b);
}

/* A sink that stops at the first message stops the reader with its value. */
static void test_stop(void **state)
{
    int rc;
    char *got = render_file("mbox", FIX "threads.mbox", 1, &rc);
    (void)state;

    assert_int_equal(rc, 9);
    assert_non_null(strstr(got, "Buongiorno"));
    assert_null(strstr(got, "Certo"));
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),  cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_refused), cmocka_unit_test(test_detect),
        cmocka_unit_test(test_html),    cmocka_unit_test(test_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
