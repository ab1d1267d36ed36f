/*
 * Unit tests of the WhatsApp reader (src/import/whatsapp.c), the chat
 * format table (src/import/chat.c) and time zones (src/core/tz.c). Every
 * reader test renders what the reader handed to the sink (conversation,
 * participants, messages with their UTC and local times, attachments,
 * skipped records, notes, refusal) as text and compares it with the
 * expectation written out by hand from the file: the shared corpus
 * (../shared/corpus) and this project's fixtures (tests/fixtures/chats, one
 * per quirk of docs/formats.md; see the README there). Tests run from the
 * repository's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "core/tz.h"
#include "import/chat.h"
#include "import/chat_pipe.h"
#include "import/whatsapp.h"

#define CORPUS "../shared/corpus/whatsapp/"
#define FIX    "tests/fixtures/chats/"

/* --- rendering what the reader produced ----------------------------------- */

struct render {
    struct pz_buf out;
    int messages, stop_after;
};

static void put_text(struct pz_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            pz_buf_addstr(b, "\\n");
        else if (s[i] == '\r')
            pz_buf_addstr(b, "\\r");
        else
            pz_buf_addch(b, s[i]);
    }
}

static int on_begin(const struct chat_conversation *c, void *arg)
{
    struct render *r = arg;
    pz_buf_printf(&r->out, "conv %s key=%s title=%s group=%d\n", c->channel, c->key, c->title,
                  c->is_group);
    return 0;
}

static int on_participant(const struct chat_participant *p, void *arg)
{
    struct render *r = arg;
    pz_buf_printf(&r->out, "part %s", p->key);
    if (p->identity_kind)
        pz_buf_printf(&r->out, " %s=%s", p->identity_kind, p->identity_value);
    pz_buf_addch(&r->out, '\n');
    return 0;
}

static int on_message(const struct chat_message *m, void *arg)
{
    struct render *r = arg;
    static const char *const kinds[] = {"text", "system", "media"};
    char iso[32];

    assert_true(pz_utf8_valid(m->text, m->text_len));
    assert_int_equal(strlen(m->text), m->text_len);
    pz_time_iso(m->sent_at, iso, sizeof(iso));
    pz_buf_printf(&r->out, "@%ld %s %s (%s) %s%s%s: ", m->line, kinds[m->kind], iso,
                  m->local_time ? m->local_time : "-", m->sender_key ? m->sender_key : "-",
                  m->edited ? " edited" : "", m->deleted ? " deleted" : "");
    put_text(&r->out, m->text, m->text_len);
    pz_buf_addch(&r->out, '\n');
    r->messages++;
    return r->stop_after && r->messages == r->stop_after ? 9 : 0;
}

static int on_attachment(const struct chat_attachment *a, void *arg)
{
    struct render *r = arg;
    char buf[4096];
    long n, total = 0;

    pz_buf_printf(&r->out, " + %s %s", a->name[0] ? a->name : "(no name)",
                  a->mime_type ? a->mime_type : chat_mime_type(a->name));
    if (a->read) {
        while ((n = a->read(a->ctx, buf, sizeof(buf))) > 0)
            total += n;
        assert_true(n == 0);
        assert_int_equal(total, a->size);
        pz_buf_printf(&r->out, " file %ld bytes", total);
    }
    pz_buf_addch(&r->out, '\n');
    return 0;
}

static int on_end(void *arg)
{
    struct render *r = arg;
    pz_buf_addstr(&r->out, "end\n");
    return 0;
}

static void on_skip(const struct import_problem *p, void *arg)
{
    struct render *r = arg;
    pz_buf_printf(&r->out, "!%ld %s\n", p->line, p->message);
}

static void on_note(const char *file, const char *message, void *arg)
{
    struct render *r = arg;
    (void)file;
    pz_buf_printf(&r->out, "note %s\n", message);
}

/* Whether render reads through chat_read_pipelined (the reader on a thread of its own). */
static int pipelined;

static char *render(const char *path, const char *tz, int stop_after, int *rc_out)
{
    struct render r;
    struct chat_sink sink = {on_begin, on_participant, on_message, on_attachment, on_end, on_skip,
                             on_note,  NULL,           &r};
    struct chat_options o = {tz, "it"};
    struct import_problem fatal;
    int rc;

    memset(&r, 0, sizeof(r));
    r.stop_after = stop_after;
    memset(&fatal, 0, sizeof(fatal));
    pz_buf_init(&r.out, 1 << 20);
    pz_buf_addstr(&r.out, "");
    rc = pipelined ? chat_read_pipelined(NULL, path, &o, &sink, &fatal)
                   : chat_read(NULL, path, &o, &sink, &fatal);
    if (rc < 0)
        pz_buf_printf(&r.out, "=%ld: %s\n", fatal.line, fatal.message);
    *rc_out = rc;
    return pz_buf_detach(&r.out, NULL);
}

static void expect(const char *path, const char *tz, int want_rc, const char *want)
{
    int rc;
    char *got = render(path, tz, 0, &rc);

    if (getenv("PZ_DUMP"))
        fprintf(stderr, "---- %s\n%s", path, got);
    assert_string_equal(got, want);
    assert_int_equal(rc, want_rc);
    free(got);
}

/* --- time zones ----------------------------------------------------------- */

static int64_t local(int y, int m, int d, int hh, int mm)
{
    return pz_civil_to_days(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static int64_t utc(int y, int m, int d, int hh, int mm)
{
    return local(y, m, d, hh, mm);
}

static void test_tz_rome(void **state)
{
    struct pz_tz *tz;
    int64_t t;
    (void)state;

    assert_int_equal(pz_tz_load("Europe/Rome", &tz), 0);
    assert_string_equal(pz_tz_name(tz), "Europe/Rome");
    /* Winter +1, summer +2. */
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 1, 15, 12, 0), 0, &t), PZ_TZ_UNIQUE);
    assert_int_equal(t, utc(2024, 1, 15, 11, 0));
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 7, 1, 12, 0), 0, &t), PZ_TZ_UNIQUE);
    assert_int_equal(t, utc(2024, 7, 1, 10, 0));
    /* 31 March 2024: 02:00 -> 03:00; 02:30 never happens, read with the winter offset. */
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 3, 31, 1, 59), 0, &t), PZ_TZ_UNIQUE);
    assert_int_equal(t, utc(2024, 3, 31, 0, 59));
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 3, 31, 2, 30), 0, &t), PZ_TZ_GAP);
    assert_int_equal(t, utc(2024, 3, 31, 1, 30));
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 3, 31, 3, 0), 0, &t), PZ_TZ_UNIQUE);
    assert_int_equal(t, utc(2024, 3, 31, 1, 0));
    /* 27 October 2024: 03:00 -> 02:00; 02:30 happens twice. */
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 10, 27, 2, 30), 0, &t), PZ_TZ_AMBIGUOUS);
    assert_int_equal(t, utc(2024, 10, 27, 0, 30));
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 10, 27, 2, 30), 1, &t), PZ_TZ_AMBIGUOUS);
    assert_int_equal(t, utc(2024, 10, 27, 1, 30));
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 10, 27, 3, 0), 0, &t), PZ_TZ_UNIQUE);
    assert_int_equal(t, utc(2024, 10, 27, 2, 0));
    /* Offsets at instants, and a year past the last transition of the file (2037). */
    assert_int_equal(pz_tz_offset(tz, utc(2024, 10, 27, 0, 59)), 7200);
    assert_int_equal(pz_tz_offset(tz, utc(2024, 10, 27, 1, 0)), 3600);
    assert_int_equal(pz_tz_to_utc(tz, local(1950, 1, 1, 12, 0), 0, &t), PZ_TZ_UNIQUE);
    assert_int_equal(t, utc(1950, 1, 1, 11, 0));
    pz_tz_free(tz);

    assert_int_equal(pz_tz_load("UTC", &tz), 0);
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 10, 27, 2, 30), 0, &t), PZ_TZ_UNIQUE);
    assert_int_equal(t, utc(2024, 10, 27, 2, 30));
    pz_tz_free(tz);
    assert_int_equal(pz_tz_load("America/New_York", &tz), 0);
    assert_int_equal(pz_tz_to_utc(tz, local(2024, 11, 3, 1, 30), 1, &t), PZ_TZ_AMBIGUOUS);
    assert_int_equal(t, utc(2024, 11, 3, 6, 30));
    pz_tz_free(tz);

    assert_int_equal(pz_tz_load("Europe/Nowhere", &tz), PZ_ENOTFOUND);
    assert_int_equal(pz_tz_load("../etc/passwd", &tz), PZ_EINVAL);
    assert_int_equal(pz_tz_load("/etc/passwd", &tz), PZ_EINVAL);
    assert_int_equal(pz_tz_load("", &tz), PZ_EINVAL);
    assert_null(tz);
}

static void test_civil(void **state)
{
    int64_t y;
    int m, d;
    (void)state;

    assert_int_equal(pz_civil_to_days(1970, 1, 1), 0);
    assert_int_equal(pz_civil_to_days(2000, 3, 1), 11017);
    pz_days_to_civil(19887, &y, &m, &d);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 6);
    assert_int_equal(d, 13);
    assert_true(pz_date_valid(2024, 2, 29));
    assert_false(pz_date_valid(2023, 2, 29));
    assert_false(pz_date_valid(2100, 2, 29));
    assert_true(pz_date_valid(2000, 2, 29));
    assert_false(pz_date_valid(2024, 4, 31));
    assert_false(pz_date_valid(2024, 13, 1));
    assert_false(pz_date_valid(2024, 0, 1));
}

/* --- titles and detection --------------------------------------------------- */

static void test_title(void **state)
{
    char t[128];
    (void)state;

    assert_string_equal(whatsapp_title("/x/WhatsApp Chat with Mario Rossi.txt", t, sizeof(t)),
                        "Mario Rossi");
    assert_string_equal(whatsapp_title("Chat WhatsApp con Mario Rossi (2).zip", t, sizeof(t)),
                        "Mario Rossi");
    assert_string_equal(whatsapp_title("WhatsApp Chat - Fiera 2024.zip", t, sizeof(t)),
                        "Fiera 2024");
    assert_string_equal(whatsapp_title("Chat di WhatsApp con Zia.txt", t, sizeof(t)), "Zia");
    assert_string_equal(whatsapp_title("_chat.txt", t, sizeof(t)), "_chat");
    assert_string_equal(whatsapp_title("notes (copy).txt", t, sizeof(t)), "notes (copy)");
    assert_string_equal(whatsapp_title("chat", t, sizeof(t)), "chat");
}

static void test_detect(void **state)
{
    char f[32];
    (void)state;

    assert_int_equal(chat_detect(CORPUS "it_android_multiline.txt", f, sizeof(f)), 0);
    assert_string_equal(f, "whatsapp");
    assert_int_equal(chat_detect(CORPUS "ios_dotdate_attached_poll.txt", f, sizeof(f)), 0);
    assert_int_equal(chat_detect(FIX "WhatsApp Chat with Anna.zip", f, sizeof(f)), 0);
    assert_string_equal(f, "whatsapp");
    assert_int_equal(chat_detect(FIX "ios_export.zip", f, sizeof(f)), 0);
    assert_int_equal(chat_detect(FIX "WhatsApp Chat with John.txt", f, sizeof(f)), 0);
    assert_int_equal(chat_detect(FIX "not_a_chat.txt", f, sizeof(f)), PZ_EINVAL);
    /* Several chats in one zip: still WhatsApp, and the reader refuses it saying why. */
    assert_int_equal(chat_detect(FIX "two_chats.zip", f, sizeof(f)), 0);
    assert_int_equal(
        chat_detect("../shared/corpus/contacts/android_21_qp_photo_multi.vcf", f, sizeof(f)),
        PZ_EINVAL);
    assert_int_equal(chat_detect("../shared/corpus/linkedin/Connections_kawsay.csv", f, sizeof(f)),
                     PZ_EINVAL);
    assert_int_equal(chat_detect(FIX "no_such_file.txt", f, sizeof(f)), PZ_EIO);
    assert_int_equal(chat_detect_buffer("", 0, f, sizeof(f)), PZ_EINVAL);
    assert_int_equal(chat_detect_buffer("12/06/24, 21:34 - A: b\n", 23, f, 4), PZ_ETOOBIG);
    assert_true(chat_format_known("whatsapp"));
    assert_false(chat_format_known("vcard"));
    assert_false(chat_format_known(NULL));
    assert_string_equal(chat_mime_type("a.JPG"), "image/jpeg");
    assert_string_equal(chat_mime_type("PTT-20240613-WA0001.opus"), "audio/ogg");
    assert_string_equal(chat_mime_type("noext"), "application/octet-stream");
}

/* --- the corpus ------------------------------------------------------------- */

static void test_corpus_android_it(void **state)
{
    (void)state;
    expect(CORPUS "it_android_multiline.txt", NULL, 0,
           "note nothing in the file tells day from month: dates read day first (Italian)\n"
           "conv whatsapp key=name:it_android_multiline title=it_android_multiline group=0\n"
           "part Mario\n"
           "part Luigi\n"
           "@1 system 2024-06-12T19:34:00Z (2024-06-12T21:34:00) -: I messaggi sono crittografati "
           "con la crittografia end-to-end\n"
           "@2 text 2024-06-12T19:35:00Z (2024-06-12T21:35:00) Mario: ciao Luigi\n"
           "@3 text 2024-06-12T19:36:00Z (2024-06-12T21:36:00) Luigi: ciao Mario\\ncome stai?\n"
           "end\n");
}

/* Counts lines of RENDERED starting with PREFIX. */
static int count_prefix(const char *rendered, const char *prefix)
{
    int n = 0;
    size_t k = strlen(prefix);

    for (const char *s = rendered; s && *s;) {
        if (strncmp(s, prefix, k) == 0)
            n++;
        s = strchr(s, '\n');
        if (s)
            s++;
    }
    return n;
}

static void test_corpus_ios(void **state)
{
    int rc;
    char *got = render(CORPUS "ios_dotdate_attached_poll.txt", NULL, 0, &rc);
    (void)state;

    assert_int_equal(rc, 0);
    /* 52 entries: 4 system, 48 messages (Loris 29, John 12, Emily 7), 4 attachments. */
    assert_int_equal(count_prefix(got, "@"), 52);
    {
        int sys = 0, loris = 0, john = 0, emily = 0, media = 0;
        for (const char *line = got; line && *line;) {
            if (*line == '@') {
                char kind[16] = "";
                const char *who = strstr(line, ") ");
                assert_int_equal(sscanf(line, "@%*d %15s", kind), 1);
                sys += strcmp(kind, "system") == 0;
                media += strcmp(kind, "media") == 0;
                assert_non_null(who);
                loris += strncmp(who + 2, "Loris:", 6) == 0;
                john += strncmp(who + 2, "John:", 5) == 0;
                emily += strncmp(who + 2, "Emily:", 6) == 0;
            }
            line = strchr(line, '\n');
            if (line)
                line++;
        }
        assert_int_equal(sys, 4);
        assert_int_equal(loris, 29);
        assert_int_equal(john, 12);
        assert_int_equal(emily, 7);
        assert_int_equal(media, 4);
    }
    assert_int_equal(count_prefix(got, " + "), 4);
    /* A group: created, added; three authors. */
    assert_non_null(strstr(got, "conv whatsapp key=name:ios_dotdate_attached_poll "
                                "title=ios_dotdate_attached_poll group=1\n"
                                "part John\npart Loris\npart Emily\n"));
    /* Day first from 20.06.19; seconds kept; CRLF gone; curly quotes kept. */
    assert_non_null(strstr(got, "@1 system 2019-06-20T13:58:47Z (2019-06-20T15:58:47) -: Messages "
                                "to this group are now secured with end-to-end encryption.\n"));
    assert_non_null(strstr(got,
                           "@2 system 2019-06-20T13:58:47Z (2019-06-20T15:58:47) -: Loris "
                           "created group \xE2\x80\x9CWhatsApp Chat Parser Example\xE2\x80\x9D\n"));
    assert_non_null(strstr(got, "@16 media 2019-06-20T14:00:15Z (2019-06-20T16:00:15) Loris: "
                                "<attached: 00000001-PHOTO-2019-06-20-16-00-15.jpg>\n"
                                " + 00000001-PHOTO-2019-06-20-16-00-15.jpg image/jpeg\n"));
    assert_non_null(strstr(got, " + 00000004-whatsapp-chat-parser-example.zip application/zip\n"));
    assert_non_null(strstr(got, "Emily: Come on...\\ndon't be so mysterious and show us!\n"));
    assert_non_null(strstr(got, "Loris: POLL:\\nWhen can we meet?\\nOPTION: Thursday 15 evening "
                                "(2 votes)\\nOPTION: Friday 16 afternoon (1 vote)\\nOPTION: Friday "
                                "16 evening (2 votes)\\nOPTION: Saturday 17 afternoon (3 "
                                "votes)\\nOPTION: Saturday 17 evening (3 votes)\n"));
    assert_non_null(strstr(got, "(2019-06-20T16:45:28) Loris: Links:\\n- "
                                "https://github.com/Pustur/whatsapp-chat-parser\\n- "
                                "https://github.com/Pustur/whatsapp-chat-parser-website\n"));
    assert_non_null(strstr(got, "John: Hey \xF0\x9F\x91\x8B\n"));
    assert_null(strstr(got, "\\r"));
    assert_null(strstr(got, "note "));
    assert_null(strstr(got, "\n!"));
    free(got);
}

/* --- fixtures, one per quirk ------------------------------------------------ */

static void test_android_it_group(void **state)
{
    (void)state;
    expect(FIX "WhatsApp Chat with Gruppo Fiera.txt", NULL, 0,
           "conv whatsapp key=name:Gruppo Fiera title=Gruppo Fiera group=1\n"
           "part Anna Bianchi\n"
           "part +39 333 123 4567 whatsapp=+39 333 123 4567\n"
           "part Marco \xF0\x9F\x9A\x80 Rossi\n"
           "@1 system 2024-06-13T07:00:00Z (2024-06-13T09:00:00) -: I messaggi e le chiamate "
           "sono crittografati end-to-end. Nessuno al di fuori di questa chat, nemmeno "
           "WhatsApp, può leggerli o ascoltarli. Tocca per saperne di più.\n"
           "@2 system 2024-06-13T07:00:00Z (2024-06-13T09:00:00) -: Anna Bianchi ha creato il "
           "gruppo \"Fiera: Milano 2024\"\n"
           "@3 system 2024-06-13T07:01:00Z (2024-06-13T09:01:00) -: Anna Bianchi ha aggiunto "
           "+39 333 123 4567\n"
           "@4 text 2024-06-13T07:02:00Z (2024-06-13T09:02:00) Anna Bianchi: Benvenuti! Orari: "
           "9-18\n"
           "@5 text 2024-06-13T07:03:00Z (2024-06-13T09:03:00) +39 333 123 4567: Grazie "
           "\xF0\x9F\x99\x8F\n"
           "@6 media 2024-06-13T07:04:00Z (2024-06-13T09:04:00) Marco \xF0\x9F\x9A\x80 Rossi: "
           "<Media omessi>\n"
           " + (no name) application/octet-stream\n"
           "@7 media 2024-06-13T07:04:00Z (2024-06-13T09:04:00) Marco \xF0\x9F\x9A\x80 Rossi: "
           "<Media omessi>\n"
           " + (no name) application/octet-stream\n"
           "@8 text 2024-06-13T07:05:00Z (2024-06-13T09:05:00) Marco \xF0\x9F\x9A\x80 Rossi: "
           "Prima riga\\n\\n12/06/24 alle 10:00 - questa riga sembra una data ma continua il "
           "messaggio\\nterza riga\n"
           "@12 text 2024-06-13T07:06:00Z (2024-06-13T09:06:00) Anna Bianchi deleted: Questo "
           "messaggio è stato eliminato\n"
           "@13 text 2024-06-13T07:07:00Z (2024-06-13T09:07:00) Anna Bianchi edited: Ci vediamo "
           "alle 10\n"
           "@14 media 2024-06-13T07:08:00Z (2024-06-13T09:08:00) +39 333 123 4567: "
           "IMG-20240613-WA0001.jpg (file allegato)\\nLo stand è qui\n"
           " + IMG-20240613-WA0001.jpg image/jpeg\n"
           "@16 system 2024-06-13T07:09:00Z (2024-06-13T09:09:00) -: +39 333 123 4567 ha "
           "abbandonato\n"
           "@17 text 2024-06-13T06:59:00Z (2024-06-13T08:59:00) Anna Bianchi: messaggio spedito "
           "offline, fuori ordine\n"
           "@18 text 2024-06-14T16:30:00Z (2024-06-14T18:30:00) Anna Bianchi: posizione: "
           "https://maps.google.com/?q=45.46,9.19\n"
           "end\n");
}

static void test_ios_it_notices(void **state)
{
    (void)state;
    expect(FIX "ios_it_notices.txt", NULL, 0,
           "conv whatsapp key=name:ios_it_notices title=ios_it_notices group=0\n"
           "part Giulia Verdi\n"
           "part Luca Neri\n"
           "@1 system 2024-06-13T19:34:05Z (2024-06-13T21:34:05) Giulia Verdi: I messaggi e le "
           "chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat, nemmeno "
           "WhatsApp, può leggerli o ascoltarli.\n"
           "@2 text 2024-06-13T19:34:05Z (2024-06-13T21:34:05) Giulia Verdi: Ciao, avete "
           "ricevuto l'ordine?\n"
           "@3 media 2024-06-13T19:35:10Z (2024-06-13T21:35:10) Luca Neri: immagine omessa\n"
           " + (no name) application/octet-stream\n"
           "@4 text 2024-06-13T19:36:00Z (2024-06-13T21:36:00) Luca Neri: Sì: arriva domani\n"
           "@5 media 2024-06-13T19:37:12Z (2024-06-13T21:37:12) Giulia Verdi: <allegato: "
           "00000012-PHOTO-2024-06-13-21-37-12.jpg>\n"
           " + 00000012-PHOTO-2024-06-13-21-37-12.jpg image/jpeg\n"
           "@6 text 2024-06-13T19:38:00Z (2024-06-13T21:38:00) Luca Neri deleted: Hai eliminato "
           "questo messaggio.\n"
           "@7 text 2024-06-13T19:39:00Z (2024-06-13T21:39:00) Giulia Verdi edited: Perfetto\n"
           "@8 system 2024-06-13T19:40:00Z (2024-06-13T21:40:00) Giulia Verdi: Chiamata vocale "
           "persa\n"
           "end\n");
}

static void test_us_12h(void **state)
{
    (void)state;
    /* Month first (13 is a day in the second place); 12 AM is midnight, 12 PM noon. */
    expect(FIX "WhatsApp Chat with John.txt", NULL, 0,
           "conv whatsapp key=name:John title=John group=0\n"
           "part John Smith\n"
           "part Shop\n"
           "@1 system 2024-06-13T19:05:00Z (2024-06-13T21:05:00) -: Messages and calls are "
           "end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or "
           "listen to them. Tap to learn more.\n"
           "@2 text 2024-06-13T19:05:00Z (2024-06-13T21:05:00) John Smith: Hi, is the shop open "
           "tomorrow?\n"
           "@3 text 2024-06-13T21:59:00Z (2024-06-13T23:59:00) Shop: Yes: 9am to 6pm\n"
           "@4 media 2024-06-13T22:01:00Z (2024-06-14T00:01:00) John Smith: <Media omitted>\n"
           " + (no name) application/octet-stream\n"
           "@5 text 2024-06-14T10:15:00Z (2024-06-14T12:15:00) John Smith deleted: This message "
           "was deleted\n"
           "@6 text 2024-06-14T11:00:00Z (2024-06-14T13:00:00) Shop edited: Thanks\n"
           "end\n");
}

static void test_other_layouts(void **state)
{
    (void)state;
    expect(FIX "es_pm.txt", "UTC", 0,
           "conv whatsapp key=name:es_pm title=es_pm group=0\n"
           "part Ana\n"
           "part Pablo\n"
           "@1 text 2024-06-13T21:05:00Z (2024-06-13T21:05:00) Ana: Hola\n"
           "@2 text 2024-06-13T00:30:00Z (2024-06-13T00:30:00) Ana: medianoche y media\n"
           "@3 text 2024-06-14T12:00:00Z (2024-06-14T12:00:00) Pablo: mediodía\n"
           "end\n");
    expect(FIX "de_dots.txt", "Europe/Berlin", 0,
           "conv whatsapp key=name:de_dots title=de_dots group=0\n"
           "part Klaus\n"
           "@1 text 2024-06-13T19:05:00Z (2024-06-13T21:05:00) Klaus: Hallo\n"
           "@2 text 2024-06-14T05:00:00Z (2024-06-14T07:00:00) Klaus: Guten Morgen\n"
           "end\n");
    expect(FIX "ymd.txt", "Asia/Tokyo", 0,
           "conv whatsapp key=name:ymd title=ymd group=0\n"
           "part Kenji\n"
           "@1 text 2024-06-13T12:05:00Z (2024-06-13T21:05:00) Kenji: Konnichiwa\n"
           "@2 text 2024-06-13T22:00:00Z (2024-06-14T07:00:00) Kenji: Ohayo\n"
           "end\n");
    expect(FIX "ambiguous_order.txt", NULL, 0,
           "note nothing in the file tells day from month: dates read day first (Italian)\n"
           "conv whatsapp key=name:ambiguous_order title=ambiguous_order group=0\n"
           "part Paola\n"
           "@1 text 2024-06-05T08:00:00Z (2024-06-05T10:00:00) Paola: primo\n"
           "@2 text 2024-06-06T08:00:00Z (2024-06-06T10:00:00) Paola: secondo\n"
           "end\n");
}

static void test_dst_rome(void **state)
{
    (void)state;
    expect(FIX "dst_rome.txt", "Europe/Rome", 0,
           "conv whatsapp key=name:dst_rome title=dst_rome group=0\n"
           "part Sara\n"
           "@1 text 2024-03-31T00:59:00Z (2024-03-31T01:59:00) Sara: prima del cambio\n"
           "note line 2: 2024-03-31T02:30:00 does not exist in Europe/Rome (the clocks went "
           "forward); read as the time before the change, as are later times of that hour\n"
           "@2 text 2024-03-31T01:30:00Z (2024-03-31T02:30:00) Sara: ora che non esiste\n"
           "@3 text 2024-03-31T01:00:00Z (2024-03-31T03:00:00) Sara: ora legale\n"
           "@4 text 2024-10-26T23:59:00Z (2024-10-27T01:59:00) Sara: ancora ora legale\n"
           "@5 text 2024-10-27T00:15:00Z (2024-10-27T02:15:00) Sara: prima volta delle 2\n"
           "@6 text 2024-10-27T00:45:00Z (2024-10-27T02:45:00) Sara: sempre prima volta\n"
           "@7 text 2024-10-27T01:10:00Z (2024-10-27T02:10:00) Sara: seconda volta delle 2\n"
           "@8 text 2024-10-27T01:50:00Z (2024-10-27T02:50:00) Sara: sempre seconda volta\n"
           "@9 text 2024-10-27T02:00:00Z (2024-10-27T03:00:00) Sara: ora solare\n"
           "end\n");
}

static void test_bad_and_refused(void **state)
{
    (void)state;
    expect(FIX "bad_date.txt", NULL, 0,
           "conv whatsapp key=name:bad_date title=bad_date group=0\n"
           "part Tina\n"
           "@2 text 2024-02-28T09:00:00Z (2024-02-28T10:00:00) Tina: buono\n"
           "!3 no such date (31/2/24): message skipped\n"
           "@5 text 2024-03-01T09:02:00Z (2024-03-01T10:02:00) Tina: di nuovo buono\n"
           "!1 text before the first message: left out\n"
           "end\n");
    expect(FIX "not_a_chat.txt", NULL, PZ_EINVAL, "=1: not a chat export piazza reads\n");
    {
        struct chat_sink sink;
        struct import_problem fatal;
        memset(&sink, 0, sizeof(sink));
        memset(&fatal, 0, sizeof(fatal));
        assert_int_equal(chat_read("whatsapp", FIX "not_a_chat.txt", NULL, &sink, &fatal),
                         PZ_EINVAL);
        assert_int_equal(fatal.line, 1);
        assert_string_equal(fatal.message,
                            "not a WhatsApp chat export: no line starts with a date and time");
        assert_int_equal(chat_read("whatsapp", FIX "two_chats.zip", NULL, &sink, &fatal),
                         PZ_EINVAL);
        assert_string_equal(fatal.message,
                            "the zip holds several chats (.txt files): import them one at a time");
        assert_int_equal(chat_read("whatsapp", FIX "no_such.txt", NULL, &sink, &fatal), PZ_EIO);
        assert_int_equal(chat_read("telegraph", FIX "dst_rome.txt", NULL, &sink, &fatal),
                         PZ_EINVAL);
        assert_string_equal(fatal.message, "unknown chat format 'telegraph'");
    }
    {
        int rc;
        char *got = render(FIX "dst_rome.txt", "Mars/Olympus", 0, &rc);
        assert_int_equal(rc, PZ_EINVAL);
        assert_string_equal(got, "=0: unknown time zone 'Mars/Olympus'\n");
        free(got);
    }
}

static void test_zip(void **state)
{
    (void)state;
    expect(FIX "WhatsApp Chat with Anna.zip", NULL, 0,
           "conv whatsapp key=name:Anna title=Anna group=0\n"
           "part Anna\n"
           "@1 text 2024-06-13T08:00:00Z (2024-06-13T10:00:00) Anna: Ecco il preventivo\n"
           "@2 media 2024-06-13T08:01:00Z (2024-06-13T10:01:00) Anna: preventivo.pdf (file "
           "allegato)\n"
           " + preventivo.pdf application/pdf file 29 bytes\n"
           "@3 media 2024-06-13T08:02:00Z (2024-06-13T10:02:00) Anna: IMG-20240613-WA0002.jpg "
           "(file allegato)\n"
           " + IMG-20240613-WA0002.jpg image/jpeg file 22 bytes\n"
           "@4 media 2024-06-13T08:03:00Z (2024-06-13T10:03:00) Anna: VID-20240613-WA0003.mp4 "
           "(file allegato)\n"
           " + VID-20240613-WA0003.mp4 video/mp4\n"
           "end\n");
    expect(FIX "ios_export.zip", NULL, 0,
           "conv whatsapp key=name:ios_export title=ios_export group=0\n"
           "part Pietro\n"
           "@1 text 2024-06-20T13:58:47Z (2024-06-20T15:58:47) Pietro: Ciao\n"
           "@2 media 2024-06-20T13:59:00Z (2024-06-20T15:59:00) Pietro: <allegato: "
           "00000001-PHOTO-2024-06-20-15-59-00.jpg>\n"
           " + 00000001-PHOTO-2024-06-20-15-59-00.jpg image/jpeg file 16 bytes\n"
           "end\n");
}

static void test_stop_and_memory(void **state)
{
    int rc;
    char *got;
    (void)state;

    /* A sink that stops: the reader returns its value at once. */
    got = render(FIX "dst_rome.txt", NULL, 2, &rc);
    assert_int_equal(rc, 9);
    assert_int_equal(count_prefix(got, "@"), 2);
    assert_null(strstr(got, "end\n"));
    free(got);
}

/*
 * The reader on a thread of its own (chat_pipe.c) gives the sink exactly what chat_read
 * gives, in the same order: messages, notes, skipped lines, attachments whose files are read
 * from the archive while the reader waits, a refusal; and a sink that stops stops it.
 */
static void test_pipelined(void **state)
{
    static const char *const files[] = {
        FIX "WhatsApp Chat with Anna.zip",
        FIX "ios_export.zip",
        FIX "two_chats.zip",
        FIX "bad_date.txt",
        FIX "dst_rome.txt",
        FIX "ambiguous_order.txt",
        FIX "not_a_chat.txt",
        FIX "ios_it_notices.txt",
        FIX "WhatsApp Chat with Gruppo Fiera.txt",
        CORPUS "it_android_multiline.txt",
        CORPUS "ios_dotdate_attached_poll.txt",
    };
    int rc, rc_pipe;
    char *want, *got;
    (void)state;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        pipelined = 0;
        want = render(files[i], NULL, 0, &rc);
        pipelined = 1;
        got = render(files[i], NULL, 0, &rc_pipe);
        pipelined = 0;
        assert_string_equal(got, want);
        assert_int_equal(rc_pipe, rc);
        free(want);
        free(got);
    }
    pipelined = 1;
    got = render(FIX "dst_rome.txt", NULL, 2, &rc);
    pipelined = 0;
    assert_int_equal(rc, 9);
    assert_int_equal(count_prefix(got, "@"), 2);
    assert_null(strstr(got, "end\n"));
    free(got);
}

/* A header-shaped line in memory: parse edge cases through the stream reader. */
static void test_stream_edges(void **state)
{
    static const char data[] = "\xEF\xBB\xBF"
                               "1/2/2024, 9:05 am - Zed: a\n"
                               "1/2/2024, 9:05 am - Zed\n"
                               "25:00 - not a header\n"
                               "[1/2/24, 9:05:07 PM] Zed: \xFF bad byte\n";
    struct render r;
    struct chat_sink sink = {on_begin, on_participant, on_message, on_attachment, on_end, on_skip,
                             on_note,  NULL,           &r};
    struct chat_options o = {"UTC", "en"};
    FILE *f = fmemopen((void *)data, sizeof(data) - 1, "rb");
    (void)state;

    memset(&r, 0, sizeof(r));
    pz_buf_init(&r.out, 1 << 16);
    pz_buf_addstr(&r.out, "");
    assert_int_equal(whatsapp_read_stream(f, "mem", "Zed", NULL, &o, &sink, NULL), 0);
    fclose(f);
    assert_string_equal(pz_buf_str(&r.out),
                        "note nothing in the file tells day from month: dates read month first "
                        "(English)\n"
                        "conv whatsapp key=name:Zed title=Zed group=0\n"
                        "part Zed\n"
                        "@1 text 2024-01-02T09:05:00Z (2024-01-02T09:05:00) Zed: a\n"
                        "@2 system 2024-01-02T09:05:00Z (2024-01-02T09:05:00) -: Zed\\n25:00 - "
                        "not a header\n"
                        "@4 text 2024-01-02T21:05:07Z (2024-01-02T21:05:07) Zed: \xEF\xBF\xBD bad "
                        "byte\n"
                        "end\n");
    pz_buf_release(&r.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tz_rome),
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_title),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_corpus_android_it),
        cmocka_unit_test(test_corpus_ios),
        cmocka_unit_test(test_android_it_group),
        cmocka_unit_test(test_ios_it_notices),
        cmocka_unit_test(test_us_12h),
        cmocka_unit_test(test_other_layouts),
        cmocka_unit_test(test_dst_rome),
        cmocka_unit_test(test_bad_and_refused),
        cmocka_unit_test(test_zip),
        cmocka_unit_test(test_stop_and_memory),
        cmocka_unit_test(test_stream_edges),
        cmocka_unit_test(test_pipelined),
    };

    pz_log_set_level(PZ_LOG_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
