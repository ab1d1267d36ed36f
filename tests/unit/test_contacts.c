/*
 * Unit tests of src/contacts: identity normalization (phones in every way
 * Italians write them, e-mail, profile and website addresses, folding),
 * contacts and their identities, organizations, tags, custom fields,
 * consents and notes, listing with filters, search and cursors, erasure,
 * the timeline, relationship strength and the going-cold list, duplicate
 * suggestions and merging, and the import writer, over a real migrated
 * SQLite database in a temporary folder.
 *
 * The database is shared by the tests; each one starts from a workspace
 * without contacts (wipe()). Times in score tests are fixed, so every number
 * and sentence is exact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/audit.h"
#include "accounts/user.h"
#include "accounts/workspace.h"
#include "contacts/contact.h"
#include "contacts/dedup.h"
#include "contacts/import.h"
#include "contacts/import_batch.h"
#include "contacts/normalize.h"
#include "contacts/score.h"
#include "contacts/timeline.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/buf.h"
#include "import/problems.h"
#include "store/backend.h"
#include "store/store.h"

#define DAY   SCORE_DAY_MS
#define NOW   1795392000000LL /* 2026-11-23T00:00:00Z */
#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static struct {
    char dir[64];
    char path[128];
    struct pz_store *store;
    struct workspace ws1, ws2;
    struct user owner1, agent1, owner2;
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
    struct pz_conn *c;
    (void)state;

    snprintf(g.dir, sizeof(g.dir), "/tmp/pz-test-contacts-XXXXXX");
    if (!mkdtemp(g.dir))
        return -1;
    snprintf(g.path, sizeof(g.path), "%s/contacts.db", g.dir);
    if (pz_store_open(&g.store, g.path) != 0 || pz_store_migrate(g.store, NULL) != 0)
        return -1;
    c = pz_store_conn(g.store);
    if (workspace_create(c, "Uno", "uno", NULL, NULL, &g.ws1, &err) != 0 ||
        workspace_create(c, "Due", "due", NULL, NULL, &g.ws2, &err) != 0)
        return -1;
    if (user_create(c, g.ws1.id, "owner@uno.it", "Owner", ROLE_OWNER, "correct horse 42", 0,
                    &g.owner1, &err) != 0 ||
        user_create(c, g.ws1.id, "agent@uno.it", "Agent", ROLE_AGENT, "correct horse 42", 0,
                    &g.agent1, &err) != 0 ||
        user_create(c, g.ws2.id, "owner@due.it", "Owner", ROLE_OWNER, "correct horse 42", 0,
                    &g.owner2, &err) != 0)
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
    rmdir(g.dir);
    return 0;
}

/* Every test starts without contacts and with default settings. */
static int wipe(void **state)
{
    (void)state;
    return pz_sql_exec(conn(), "DELETE FROM contacts; DELETE FROM tags; DELETE FROM custom_fields;"
                               " DELETE FROM import_runs; DELETE FROM audit_log;"
                               " DELETE FROM settings WHERE key LIKE 'cold_days.%'") == 0
               ? 0
               : -1;
}

/* --- helpers ---------------------------------------------------------------------------- */

static void assert_err(const struct pz_err *err, const char *code, const char *field)
{
    assert_non_null(err->code);
    if (strcmp(err->code, code) != 0)
        fail_msg("error code %s, want %s (%s)", err->code, code, err->message);
    if (field) {
        assert_non_null(err->field);
        assert_string_equal(err->field, field);
    }
    assert_true(err->message[0] != '\0');
}

static int64_t make_contact(int64_t ws, const char *kind, const char *given, const char *family,
                            const char *display)
{
    struct contact_fields f;
    struct contact c;
    struct pz_err err = {0};
    int64_t id;

    contact_fields_init(&f);
    f.kind = kind;
    f.given_name = given;
    f.family_name = family;
    f.display_name = display;
    if (contact_create(conn(), ws, &f, &c, &err) != 0)
        fail_msg("cannot create %s %s: %s", given ? given : "", family ? family : "", err.message);
    id = c.id;
    contact_release(&c);
    return id;
}

static int64_t person(const char *given, const char *family)
{
    return make_contact(g.ws1.id, NULL, given, family, NULL);
}

static int64_t organization(const char *name)
{
    return make_contact(g.ws1.id, "organization", NULL, NULL, name);
}

static void set_stage(int64_t id, const char *stage, int64_t owner)
{
    struct contact_fields f;
    struct pz_err err = {0};

    contact_fields_init(&f);
    f.stage = stage;
    f.owner_user_id = owner;
    assert_int_equal(contact_update(conn(), g.ws1.id, id, &f, 0, NULL, &err), 0);
}

static void add_identity(int64_t id, const char *kind, const char *value)
{
    struct pz_err err = {0};
    int r = contact_identity_add(conn(), g.ws1.id, id, kind, value, NULL, NULL, NULL, NULL, &err);
    if (r != 0)
        fail_msg("cannot add %s %s: %s", kind, value, err.message);
}

static void member(int64_t person_id, int64_t org_id, const char *title)
{
    struct pz_err err = {0};
    assert_int_equal(contact_membership_set(conn(), g.ws1.id, person_id, org_id, title, &err), 0);
}

/* Adds an interaction to contact ID DAYS_AGO days before NOW. */
static void interaction(int64_t id, int64_t now, double days_ago, const char *kind,
                        const char *channel, const char *direction)
{
    struct timeline_new e;
    struct pz_err err = {0};

    timeline_new_init(&e);
    e.contact_id = id;
    e.at = now - (int64_t)(days_ago * (double)DAY);
    e.kind = kind;
    e.channel = channel;
    e.direction = direction;
    if (timeline_add(conn(), g.ws1.id, &e, NULL, &err) != 0)
        fail_msg("cannot add %s: %s", kind, err.message);
}

/* Counts rows of TABLE whose COLUMN is ID in workspace 1. */
static int64_t count_rows(const char *table, const char *column, int64_t id)
{
    char sql[200];
    struct pz_stmt *st;
    int64_t n = -1;

    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s WHERE workspace_id = $1 AND %s = $2", table,
             column);
    st = pz_sql(conn(), sql);
    assert_non_null(st);
    pz_sql_bind_int(st, 1, g.ws1.id);
    pz_sql_bind_int(st, 2, id);
    assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
    n = pz_sql_int(st, 0);
    pz_sql_done(st);
    return n;
}

/* Collected list results. */
struct found {
    int n;
    int64_t ids[64];
    char names[64][CONTACT_NAME_MAX + 1];
};

static void collect(const struct contact *c, void *arg)
{
    struct found *f = arg;
    if (f->n < 64) {
        f->ids[f->n] = c->id;
        snprintf(f->names[f->n], sizeof(f->names[0]), "%s", c->display_name);
    }
    f->n++;
}

static int has_id(const struct found *f, int64_t id)
{
    for (int i = 0; i < f->n && i < 64; i++)
        if (f->ids[i] == id)
            return 1;
    return 0;
}

/* Lists workspace 1 with Q and returns the rows in *F. */
static void list(const struct contact_query *q, struct found *f)
{
    char next[CONTACT_CURSOR_MAX];
    struct pz_err err = {0};

    memset(f, 0, sizeof(*f));
    if (contact_list(conn(), g.ws1.id, q, collect, f, next, sizeof(next), &err) != 0)
        fail_msg("list failed: %s", err.message);
}

static struct found search(const char *text)
{
    struct contact_query q;
    struct found f;

    contact_query_init(&q);
    q.q = text;
    list(&q, &f);
    return f;
}

/* --- normalization ---------------------------------------------------------------------- */

static void check_identity(const char *kind, const char *in, const char *region, const char *want)
{
    char out[NORMALIZE_MAX];
    struct pz_err err = {0};
    int r = normalize_identity(kind, in, region, out, sizeof(out), &err);

    if (r < 0)
        fail_msg("%s '%s' refused: %s", kind, in, err.message);
    if (strcmp(out, want) != 0)
        fail_msg("%s '%s' -> '%s', want '%s'", kind, in, out, want);
    assert_int_equal(r, (int)strlen(want));
}

static void check_refused(const char *kind, const char *in, const char *region, const char *says)
{
    char out[NORMALIZE_MAX];
    struct pz_err err = {0};
    int r = normalize_identity(kind, in, region, out, sizeof(out), &err);

    if (r != PZ_EINVAL)
        fail_msg("%s '%s' accepted as '%s'", kind, in, r >= 0 ? out : "?");
    assert_err(&err, "contact.identity_invalid", NULL);
    if (says && !strstr(err.message, says))
        fail_msg("%s '%s': message '%s' does not say '%s'", kind, in, err.message, says);
}

static void test_phone_italian_forms(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        /* one mobile number, every way it gets written */
        {"333 1234567", "+393331234567"},
        {"3331234567", "+393331234567"},
        {"333.123.4567", "+393331234567"},
        {"333-123-4567", "+393331234567"},
        {"333/1234567", "+393331234567"},
        {"(333) 1234567", "+393331234567"},
        {"+39 333 123 4567", "+393331234567"},
        {"+393331234567", "+393331234567"},
        {"0039 333 1234567", "+393331234567"},
        {"0039-333-1234567", "+393331234567"},
        {"(+39) 333-123.4567", "+393331234567"},
        {"(0039) 333 1234567", "+393331234567"},
        {"+39/333/1234567", "+393331234567"},
        {"  \t333 1234567 \t", "+393331234567"},
        {"333\xC2\xA0"
         "1234567",
         "+393331234567"}, /* no-break space */
        {"tel:+39-333-1234567", "+393331234567"},
        {"TEL:333 1234567", "+393331234567"},
        {"39 333 1234567", "+393331234567"}, /* +39 without the plus: 12 digits */
        {"393331234567", "+393331234567"},
        {"393 1234567", "+393931234567"}, /* a 393 mobile, not a country code */
        {"333 123456", "+39333123456"},   /* old 9-digit mobile */
        /* landlines keep their 0 after +39 */
        {"06 12345678", "+390612345678"},
        {"06/1234.5678", "+390612345678"},
        {"(06) 1234 5678", "+390612345678"},
        {"+39 06 1234 5678", "+390612345678"},
        {"+39 (0)6 1234 5678", "+390612345678"},
        {"0039 06 12345678", "+390612345678"},
        {"39 06 1234 5678", "+390612345678"},
        {"02 1234 5678", "+390212345678"},
        {"0461 123456", "+390461123456"},
        {"0571 12345", "+39057112345"},
        /* toll-free and services */
        {"800 123 456", "+39800123456"},
        {"800123456", "+39800123456"},
        {"+39 800 123456", "+39800123456"},
        {"803 116", "+39803116"},
        {"199 123 456", "+39199123456"},
        /* other countries with an explicit code stay as they are */
        {"+44 20 7946 0958", "+442079460958"},
        {"+44 (0)20 7946 0958", "+442079460958"},
        {"0044 20 7946 0958", "+442079460958"},
        {"+1 (212) 555-0100", "+12125550100"},
        {"+41 44 668 18 00", "+41446681800"},
        {"+49 30 1234567", "+49301234567"},
        {"+378 0549 123456", "+3780549123456"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_identity("phone", cases[i].in, NULL, cases[i].want);
    /* WhatsApp and Telegram numbers are phones too. */
    check_identity("whatsapp", "333 1234567", "IT", "+393331234567");
    check_identity("whatsapp", "https://wa.me/393331234567", "IT", "+393331234567");
    check_identity("whatsapp", "wa.me/393331234567?text=ciao", "IT", "+393331234567");
    check_identity("telegram", "+39 333 1234567", "IT", "+393331234567");
}

/*
 * Every reason normalize gives for leaving an identity out has a code of its own
 * (src/import/problems.c), so that the web UI says it in Italian too: the message the
 * importer writes (import_batch.c: "KIND 'VALUE' left out: REASON") is found under it.
 */
static void test_left_out_codes(void **state)
{
    static const struct {
        const char *kind, *value, *code;
    } cases[] = {
        {"phone", "+0 123 4567890", "identity.phone_country"},
        {"phone", "+39", "identity.phone_no_digits"},
        {"phone", "+39 612 345678", "identity.phone_not_italian"},
        {"phone", "+39 333 12", "identity.phone_short"},
        {"phone", "+39 333 123456789012", "identity.phone_long"},
        {"phone", "", "identity.phone_empty"},
        {"phone", "chiamami", "identity.phone_letters"},
        {"phone", "333*1234567", "identity.phone_characters"},
        {"email", "mario.rossi", "identity.not_email"},
        {"telegram", "ab", "identity.not_telegram"},
        {"linkedin", "https://example.com/in/mario", "identity.not_linkedin"},
        {"linkedin", "https://www.linkedin.com/feed/", "identity.not_linkedin_profile"},
        {"x", "https://example.com/mario", "identity.not_x"},
        {"instagram", "https://example.com/mario", "identity.not_instagram"},
        {"facebook", "https://example.com/mario", "identity.not_facebook"},
        {"website", "", "identity.address_empty"},
        {"website", "https://mario@example.com/", "identity.url_user"},
        {"website", "https://example.com:8o8o/", "identity.url_port"},
        {"website", "localhost", "identity.url_no_host"},
        {"website", "https://exa mple.com/", "identity.url_characters"},
        {"website", "ftp://example.com/", "identity.url_scheme"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char norm[NORMALIZE_MAX], msg[400];
        struct pz_err err = {0};
        struct import_problem_code c;
        if (normalize_identity(cases[i].kind, cases[i].value, "IT", norm, sizeof(norm), &err) >= 0)
            fail_msg("%s '%s' was accepted as '%s'", cases[i].kind, cases[i].value, norm);
        snprintf(msg, sizeof(msg), "%s '%s' left out: %s", cases[i].kind, cases[i].value,
                 err.message);
        import_problem_code(msg, &c);
        if (strcmp(c.code, cases[i].code) != 0)
            fail_msg("\"%s\" has code %s, not %s", msg, c.code, cases[i].code);
        assert_string_equal(c.args[0], cases[i].kind);
        assert_string_equal(c.args[1], cases[i].value);
    }
}

static void test_phone_junk(void **state)
{
    static const struct {
        const char *in, *says;
    } cases[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"abc", "letters"},
        {"333 123456x", "letters"},
        {"333 1234567 int. 12", "letters"},
        {"n/a", "letters"},
        {"333#1234567", "only digits"},
        {"333_1234567", "only digits"},
        {"+", "no digits"},
        {"()", "no digits"},
        {"12345", "too short"},
        {"333 12345", "too short"},
        {"112", "too short"},
        {"+39 333 12345678901", "too long"},
        {"333 12345678", "too long"},
        {"0612345678901", "too long"},
        {"+12 3456 7890 1234 56", "too long"},
        {"12345678901234567890", "too long"},
        {"2 1234 5678", "not a possible Italian number"},
        {"9 1234 5678", "not a possible Italian number"},
        {"+39 2 1234 5678", "not a possible Italian number"},
        {"+0 123 4567", "country code"},
        {"+44 12", "too short"},
        {"33+3 1234567", "only digits"},
    };
    char out[NORMALIZE_MAX];
    struct pz_err err = {0};
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_refused("phone", cases[i].in, NULL, cases[i].says);
    check_refused("whatsapp", "call me", NULL, "letters");
    check_refused("whatsapp", "https://wa.me/", NULL, "WhatsApp");
    assert_int_equal(normalize_phone("333 1234567", "XX", out, sizeof(out), &err), PZ_EINVAL);
    assert_err(&err, "contact.identity_invalid", "region");
}

static void test_phone_regions(void **state)
{
    (void)state;
    check_identity("phone", "079 123 45 67", "CH", "+41791234567");
    check_identity("phone", "(212) 555-0100", "US", "+12125550100");
    check_identity("phone", "1 212 555 0100", "US", "+12125550100");
    check_identity("phone", "0549 123456", "SM", "+3780549123456");
    check_identity("phone", "030 1234567", "de", "+49301234567");
    check_identity("phone", "020 7946 0958", "GB", "+442079460958");
    check_identity("phone", "06 698 12345", "VA", "+390669812345");
    /* An explicit country code wins over the region. */
    check_identity("phone", "+39 333 1234567", "GB", "+393331234567");
    check_identity("phone", "333 1234567", "", "+393331234567");
}

static void test_email_and_urls(void **state)
{
    static const struct {
        const char *kind, *in, *want;
    } cases[] = {
        {"email", " Mario.Rossi@Example.IT ", "mario.rossi@example.it"},
        {"email", "mailto:Anna@Studio-Bianchi.it", "anna@studio-bianchi.it"},
        {"linkedin", "https://www.linkedin.com/in/Mario-Rossi-123/?utm_source=share&trk=abc#top",
         "https://linkedin.com/in/mario-rossi-123"},
        {"linkedin", "http://it.linkedin.com/in/mariorossi", "https://linkedin.com/in/mariorossi"},
        {"linkedin", "linkedin.com/in/MarioRossi/", "https://linkedin.com/in/mariorossi"},
        {"linkedin", "https://www.linkedin.com/in/mariorossi/details/experience/",
         "https://linkedin.com/in/mariorossi"},
        {"linkedin", "https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa?originalSubdomain=es",
         "https://linkedin.com/in/jos\xC3\xA9-garc\xC3\xAD"
         "a"},
        {"linkedin",
         "https://linkedin.com/in/jos\xC3\xA9-garc\xC3\xAD"
         "a/",
         "https://linkedin.com/in/jos\xC3\xA9-garc\xC3\xAD"
         "a"},
        {"linkedin", "Mario-Rossi", "https://linkedin.com/in/mario-rossi"},
        {"linkedin", "https://www.linkedin.com/company/Acme-Srl/about/",
         "https://linkedin.com/company/acme-srl"},
        {"x", "https://twitter.com/MarioRossi?s=20&t=abc", "https://x.com/mariorossi"},
        {"x", "https://mobile.twitter.com/mariorossi/status/123", "https://x.com/mariorossi"},
        {"x", "@MarioRossi", "https://x.com/mariorossi"},
        {"x", "www.x.com/mario_rossi/", "https://x.com/mario_rossi"},
        {"instagram", "https://www.instagram.com/mario.rossi/?igshid=abc",
         "https://instagram.com/mario.rossi"},
        {"instagram", "@Mario.Rossi", "https://instagram.com/mario.rossi"},
        {"facebook", "https://m.facebook.com/Mario.Rossi?fref=nf",
         "https://facebook.com/mario.rossi"},
        {"facebook", "https://www.facebook.com/profile.php?id=100012345678&ref=bookmarks",
         "https://facebook.com/profile.php?id=100012345678"},
        {"facebook", "https://www.facebook.com/people/Mario-Rossi/100012345678/",
         "https://facebook.com/people/mario-rossi/100012345678"},
        {"website", "WWW.Example.IT/", "https://www.example.it"},
        {"website", "http://Example.it/Chi-Siamo/?utm_source=x&lang=it&fbclid=1#top",
         "http://example.it/Chi-Siamo?lang=it"},
        {"website", "https://example.it:443/shop/", "https://example.it/shop"},
        {"website", "https://example.it:8080/", "https://example.it:8080"},
        {"website", "example.it", "https://example.it"},
        {"telegram", "@Mario_Rossi", "@mario_rossi"},
        {"telegram", "https://t.me/Mario_Rossi", "@mario_rossi"},
        {"telegram", "mario_rossi", "@mario_rossi"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_identity(cases[i].kind, cases[i].in, NULL, cases[i].want);
    check_refused("email", "mario@", NULL, "e-mail");
    check_refused("email", "mario rossi@example.it", NULL, "e-mail");
    check_refused("linkedin", "https://example.com/in/mario", NULL, "LinkedIn");
    check_refused("linkedin", "https://www.linkedin.com/feed/", NULL, "LinkedIn profile");
    check_refused("x", "https://x.com/home", NULL, "X profile");
    check_refused("instagram", "https://instagram.com/p/abc123", NULL, "Instagram profile");
    check_refused("facebook", "https://facebook.com/profile.php", NULL, "profile id");
    check_refused("website", "ftp://files.example.it", NULL, "http");
    check_refused("website", "not a url", NULL, "web address");
    check_refused("website", "https://user@example.it", NULL, "user name");
    check_refused("website", "https://example", NULL, "no host");
    check_refused("website", "https://example.it:80a/", NULL, "port");
    check_refused("telegram", "ab", NULL, "Telegram");
    {
        char out[NORMALIZE_MAX];
        struct pz_err err = {0};
        assert_int_equal(normalize_identity("fax", "06 1234567", NULL, out, sizeof(out), &err),
                         PZ_EINVAL);
        assert_err(&err, "contact.identity_invalid", "kind");
        assert_true(normalize_kind_valid("website"));
        assert_false(normalize_kind_valid("fax"));
        assert_true(normalize_is_phone("whatsapp", "+39333"));
        assert_true(normalize_is_phone("telegram", "+39333"));
        assert_false(normalize_is_phone("telegram", "@mario"));
    }
}

static void test_fold_and_names(void **state)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"Jos\xC3\xA9 \xC3\x91\xC3\xBA\xC3\xB1"
         "ez",
         "jose nunez"},
        {"Stra\xC3\x9F"
         "e",
         "strasse"},
        {"  \xC5\x81\xC3\xB3"
         "d\xC5\xBA   M\xC3\xBCller  ",
         "lodz muller"},
        {"Caff\xC3\xA8 Societ\xC3\xA0", "caffe societa"},
        {"Jose\xCC\x81", "jose"}, /* decomposed accent */
        {"\xC8\x98TEFAN \xC8\x9A"
         "ARA",
         "stefan tara"},
        {"D\xE2\x80\x99"
         "Angelo",
         "d'angelo"},
        {"\xD0\x98\xD0\x92\xD0\x90\xD0\x9D", "\xD0\xB8\xD0\xB2\xD0\xB0\xD0\xBD"},
        {"\xC3\x86sop \xC5\x92uvre", "aesop oeuvre"},
        {"a\tb\nc", "a b c"},
        {"bad \xFF byte", "bad byte"},
        {"", ""},
    };
    char out[256], a[256], b[256];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(normalize_fold(cases[i].in, out, sizeof(out)), strlen(cases[i].want));
        assert_string_equal(out, cases[i].want);
    }
    /* A full buffer stops at a character boundary. */
    assert_int_equal(normalize_fold("\xC3\xA0\xC3\xA0\xC3\xA0", out, 3), 2);
    assert_string_equal(out, "aa");

    normalize_name_key("Rossi, Mario", 1, a, sizeof(a));
    normalize_name_key("mario ROSSI", 1, b, sizeof(b));
    assert_string_equal(a, "mario rossi");
    assert_string_equal(a, b);
    normalize_name_key("Acme S.r.l.", 1, a, sizeof(a));
    normalize_name_key("ACME srl", 1, b, sizeof(b));
    assert_string_equal(a, b);
    normalize_name_key("D'Angelo-Russo", 0, a, sizeof(a));
    assert_string_equal(a, "dangelo russo");
    assert_int_equal(normalize_name_key("...", 1, a, sizeof(a)), 0);

    assert_int_equal(normalize_distance("mario rossi", "mario rossi", 1), 0);
    assert_int_equal(normalize_distance("mario rossi", "mario rosi", 1), 1);
    assert_int_equal(normalize_distance("mario rossi", "maria rossa", 1), 2);
    assert_int_equal(normalize_distance("abc", "abcdef", 1), 2);
    /* Limit 1 has a one-pass path: the same answers as the full programme (limit 2, capped). */
    {
        static const char *const words[] = {"",      "a",    "ab",    "ba",     "abc",
                                            "acb",   "abd",  "xbc",   "abcd",   "abdc",
                                            "rossi", "rosi", "rossa", "rossii", "orssi",
                                            "ross",  "osi",  "rossj", "xrossi", "rossix"};
        size_t n = sizeof(words) / sizeof(words[0]);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                int full = normalize_distance(words[i], words[j], 2);
                int fast = normalize_distance(words[i], words[j], 1);
                if (fast != (full > 1 ? 2 : full))
                    fail_msg("distance '%s' '%s': %d with limit 1, %d with limit 2", words[i],
                             words[j], fast, full);
            }
    }
}

/* --- contacts --------------------------------------------------------------------------- */

struct entries {
    int n;
    int64_t ids[64];
    int64_t at[64];
    char kinds[64][33];
    char bodies[64][300];
    char outcomes[64][256];
    int64_t authors[64];
    int64_t contacts[64];
};

static void collect_entry(const struct timeline_entry *e, void *arg)
{
    struct entries *es = arg;
    if (es->n < 64) {
        es->ids[es->n] = e->id;
        es->at[es->n] = e->at;
        snprintf(es->kinds[es->n], sizeof(es->kinds[0]), "%s", e->kind);
        snprintf(es->bodies[es->n], sizeof(es->bodies[0]), "%s", e->body ? e->body : "");
        snprintf(es->outcomes[es->n], sizeof(es->outcomes[0]), "%s", e->outcome);
        es->authors[es->n] = e->author_user_id;
        es->contacts[es->n] = e->contact_id;
    }
    es->n++;
}

/* The first page (up to 64 entries) of contact ID's timeline. */
static struct entries timeline_of(int64_t id)
{
    struct entries es;
    char next[TIMELINE_CURSOR_MAX];
    struct pz_err err = {0};

    memset(&es, 0, sizeof(es));
    assert_int_equal(
        timeline_list(conn(), g.ws1.id, id, NULL, 64, collect_entry, &es, next, sizeof(next), &err),
        0);
    return es;
}

static int count_kind(const struct entries *es, const char *kind)
{
    int n = 0;
    for (int i = 0; i < es->n && i < 64; i++)
        n += strcmp(es->kinds[i], kind) == 0;
    return n;
}

static void test_create_get_update(void **state)
{
    struct contact_fields f;
    struct contact c;
    struct pz_err err = {0};
    struct entries es;
    int64_t id;
    (void)state;

    contact_fields_init(&f);
    f.given_name = "  Mario ";
    f.family_name = "Rossi";
    f.relationship = "supplier";
    f.owner_user_id = g.agent1.id;
    f.notes_md = "Conosciuto alla **fiera** di Verona.\n";
    assert_int_equal(contact_create(conn(), g.ws1.id, &f, &c, &err), 0);
    id = c.id;
    assert_true(id > 0);
    assert_string_equal(c.kind, "person");
    assert_string_equal(c.display_name, "Mario Rossi");
    assert_string_equal(c.given_name, "Mario");
    assert_string_equal(c.family_name, "Rossi");
    assert_string_equal(c.stage, "stranger");
    assert_string_equal(c.relationship, "supplier");
    assert_int_equal(c.owner_user_id, g.agent1.id);
    assert_string_equal(c.notes_md, "Conosciuto alla **fiera** di Verona.");
    assert_int_equal(c.strength, -1);
    assert_int_equal(c.last_contact_at, -1);
    contact_release(&c);

    /* A stage change leaves a stage_change entry by its author. */
    contact_fields_init(&f);
    f.stage = "lead";
    assert_int_equal(contact_update(conn(), g.ws1.id, id, &f, g.owner1.id, &c, &err), 0);
    assert_string_equal(c.stage, "lead");
    assert_string_equal(c.relationship, "supplier"); /* untouched */
    assert_non_null(strstr(c.notes_md, "fiera"));
    contact_release(&c);
    es = timeline_of(id);
    assert_int_equal(es.n, 1);
    assert_string_equal(es.kinds[0], "stage_change");
    assert_string_equal(es.bodies[0], "stranger \xE2\x86\x92 lead");
    assert_string_equal(es.outcomes[0], "lead");
    assert_int_equal(es.authors[0], g.owner1.id);

    /* Other changes write no entry; "" clears optional text, 0 the owner. */
    contact_fields_init(&f);
    f.display_name = "Mario Rossi (Acme)";
    f.relationship = "";
    f.owner_user_id = 0;
    f.stage = "lead";
    assert_int_equal(contact_update(conn(), g.ws1.id, id, &f, g.owner1.id, &c, &err), 0);
    assert_string_equal(c.display_name, "Mario Rossi (Acme)");
    assert_string_equal(c.relationship, "");
    assert_int_equal(c.owner_user_id, 0);
    contact_release(&c);
    assert_int_equal(timeline_of(id).n, 1);
    set_stage(id, "customer", -1);
    es = timeline_of(id);
    assert_int_equal(es.n, 2);
    assert_string_equal(es.bodies[0], "lead \xE2\x86\x92 customer");

    /* Validation. */
    contact_fields_init(&f);
    f.stage = "friend";
    assert_int_equal(contact_update(conn(), g.ws1.id, id, &f, 0, NULL, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "stage");
    contact_fields_init(&f);
    f.owner_user_id = g.owner2.id; /* a user of another workspace */
    assert_int_equal(contact_update(conn(), g.ws1.id, id, &f, 0, NULL, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "owner_user_id");
    contact_fields_init(&f);
    f.display_name = "Amico";
    f.relationship = "friend";
    assert_int_equal(contact_create(conn(), g.ws1.id, &f, NULL, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "relationship");
    contact_fields_init(&f);
    assert_int_equal(contact_create(conn(), g.ws1.id, &f, NULL, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "display_name");
    f.kind = "robot";
    f.display_name = "R2";
    assert_int_equal(contact_create(conn(), g.ws1.id, &f, NULL, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "kind");
    contact_fields_init(&f);
    f.given_name = "Bad\x01name";
    assert_int_equal(contact_create(conn(), g.ws1.id, &f, NULL, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "given_name");
    contact_fields_init(&f);
    f.stage = "former";
    assert_int_equal(contact_update(conn(), g.ws1.id, 999999, &f, 0, NULL, &err), PZ_ENOTFOUND);
    assert_int_equal(contact_get(conn(), g.ws1.id, 999999, &c), PZ_ENOTFOUND);
    contact_release(&c);

    /* A failed update changed nothing. */
    assert_int_equal(contact_get(conn(), g.ws1.id, id, &c), 0);
    assert_string_equal(c.stage, "customer");
    contact_release(&c);
}

static void test_identity_uniqueness(void **state)
{
    struct pz_err err = {0};
    int64_t a = person("Anna", "Bianchi"), b = person("Bruno", "Verdi"), found = 0, other = 0;
    int64_t first = 0, again = 0;
    char want[64];
    (void)state;

    assert_int_equal(contact_identity_add(conn(), g.ws1.id, a, "email", "Anna@Bianchi.IT", "work",
                                          NULL, &first, NULL, &err),
                     0);
    /* The same identity again on the same contact changes nothing. */
    assert_int_equal(contact_identity_add(conn(), g.ws1.id, a, "email", " anna@bianchi.it ", NULL,
                                          NULL, &again, NULL, &err),
                     0);
    assert_int_equal(again, first);
    assert_int_equal(count_rows("identities", "contact_id", a), 1);
    /* On another contact it is taken, and the message names who has it. */
    assert_int_equal(contact_identity_add(conn(), g.ws1.id, b, "email", "ANNA@bianchi.it", NULL,
                                          NULL, NULL, &other, &err),
                     PZ_EEXIST);
    assert_err(&err, "contact.identity_taken", "value");
    snprintf(want, sizeof(want), "contact %lld", (long long)a);
    assert_non_null(strstr(err.message, want));
    assert_int_equal(other, a);

    /* Phones are one number across phone, WhatsApp and Telegram. */
    add_identity(a, "phone", "333 1234567");
    assert_int_equal(contact_identity_add(conn(), g.ws1.id, b, "whatsapp", "+39 333 123 4567", NULL,
                                          NULL, NULL, NULL, &err),
                     PZ_EEXIST);
    assert_err(&err, "contact.identity_taken", "value");
    add_identity(a, "whatsapp", "0039 333 1234567"); /* the same person may have both */
    assert_int_equal(
        contact_find_identity(conn(), g.ws1.id, "phone", "(+39) 333-123.4567", NULL, &found, &err),
        0);
    assert_int_equal(found, a);
    assert_int_equal(
        contact_find_identity(conn(), g.ws1.id, "telegram", "+393331234567", NULL, &found, &err),
        0);
    assert_int_equal(found, a);
    assert_int_equal(
        contact_find_identity(conn(), g.ws1.id, "email", "nobody@bianchi.it", NULL, &found, &err),
        PZ_ENOTFOUND);
    assert_int_equal(contact_find_identity(conn(), g.ws1.id, "phone", "abc", NULL, &found, &err),
                     PZ_EINVAL);

    /* Bad values and unknown contacts. */
    assert_int_equal(
        contact_identity_add(conn(), g.ws1.id, b, "phone", "333 abc", NULL, NULL, NULL, NULL, &err),
        PZ_EINVAL);
    assert_err(&err, "contact.identity_invalid", "value");
    assert_int_equal(contact_identity_add(conn(), g.ws1.id, 999999, "email", "x@y.it", NULL, NULL,
                                          NULL, NULL, &err),
                     PZ_ENOTFOUND);

    /* Removed, it is free for another contact. */
    assert_int_equal(contact_identity_remove(conn(), g.ws1.id, a, first), 0);
    assert_int_equal(contact_identity_remove(conn(), g.ws1.id, a, first), PZ_ENOTFOUND);
    add_identity(b, "email", "anna@bianchi.it");
    assert_int_equal(
        contact_find_identity(conn(), g.ws1.id, "email", "anna@bianchi.it", NULL, &found, &err), 0);
    assert_int_equal(found, b);
}

static void test_list_filters_and_search(void **state)
{
    struct contact_query q;
    struct found f;
    struct pz_err err = {0};
    struct contact_fields cf;
    int64_t jose = person("Jos\xC3\xA9", "Garc\xC3\xAD"
                                         "a");
    int64_t mario = person("Mario", "Rossi");
    int64_t anna = person("Anna", "Bianchi");
    int64_t acme = organization("Acme S.r.l.");
    (void)state;

    set_stage(jose, "customer", g.owner1.id);
    set_stage(mario, "prospect", g.agent1.id);
    set_stage(anna, "lead", -1);
    contact_fields_init(&cf);
    cf.relationship = "supplier";
    assert_int_equal(contact_update(conn(), g.ws1.id, mario, &cf, 0, NULL, &err), 0);
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, jose, "Fiera 2026", NULL, &err), 0);
    member(mario, acme, "Direttore");
    add_identity(anna, "phone", "333 1234567");
    add_identity(anna, "email", "anna@studio-bianchi.it");

    /* Accent- and case-insensitive, every word must match. */
    f = search("jose");
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], jose);
    assert_string_equal(f.names[0], "Jos\xC3\xA9 Garc\xC3\xAD"
                                    "a");
    assert_int_equal(search("GARCIA").n, 1);
    assert_int_equal(search("Jos\xC3\xA9 garc").n, 1);
    assert_int_equal(search("garcia jose").n, 1);
    assert_int_equal(search("jose rossi").n, 0);
    /* The organization finds its people and itself. */
    f = search("acme");
    assert_int_equal(f.n, 2);
    assert_true(has_id(&f, mario) && has_id(&f, acme));
    assert_int_equal(search("ACME srl").n, 2);
    /* Any identity, a phone however it is typed. */
    assert_int_equal(search("333 1234").ids[0], anna);
    assert_int_equal(search("+39 333-123").n, 1);
    assert_int_equal(search("0039 3331234567").n, 1);
    assert_int_equal(search("anna@studio").n, 1);
    assert_int_equal(search("studio-bianchi").n, 1);
    /* LIKE wildcards are plain characters. */
    assert_int_equal(search("%").n, 0);
    assert_int_equal(search("_").n, 0);

    contact_query_init(&q);
    q.stage = "customer";
    list(&q, &f);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], jose);
    contact_query_init(&q);
    q.relationship = "supplier";
    list(&q, &f);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], mario);
    contact_query_init(&q);
    q.owner_user_id = g.agent1.id;
    list(&q, &f);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], mario);
    contact_query_init(&q);
    q.tag = "fiera 2026";
    list(&q, &f);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], jose);
    contact_query_init(&q);
    q.kind = "organization";
    list(&q, &f);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], acme);
    contact_query_init(&q);
    q.kind = "person";
    q.stage = "lead";
    q.q = "bianchi";
    list(&q, &f);
    assert_int_equal(f.n, 1);

    /* Strength: a scored contact, the others count as 0. */
    interaction(anna, NOW, 1, "call", NULL, NULL);
    assert_int_equal(score_update(conn(), g.ws1.id, anna, NOW, NULL), 0);
    contact_query_init(&q);
    q.strength_min = 20;
    list(&q, &f);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], anna);
    contact_query_init(&q);
    q.strength_max = 10;
    list(&q, &f);
    assert_int_equal(f.n, 3);
    assert_false(has_id(&f, anna));

    /* Junk filters are refused. */
    contact_query_init(&q);
    q.stage = "friend";
    {
        char next[CONTACT_CURSOR_MAX];
        assert_int_equal(contact_list(conn(), g.ws1.id, &q, collect, &f, next, sizeof(next), &err),
                         PZ_EINVAL);
        assert_err(&err, "request.invalid", "stage");
        contact_query_init(&q);
        q.strength_min = 50;
        q.strength_max = 10;
        assert_int_equal(contact_list(conn(), g.ws1.id, &q, collect, &f, next, sizeof(next), &err),
                         PZ_EINVAL);
        contact_query_init(&q);
        q.limit = CONTACT_LIST_MAX + 1;
        assert_int_equal(contact_list(conn(), g.ws1.id, &q, collect, &f, next, sizeof(next), &err),
                         PZ_EINVAL);
        assert_err(&err, "request.invalid", "limit");
    }
}

/* Pages through workspace 1's contacts matching TEXT and TAG (may be NULL), LIMIT rows a page;
 * checks the order by name and returns how many there were. */
static int search_tagged(const char *text, const char *tag, int limit)
{
    struct contact_query q;
    char cursor[CONTACT_CURSOR_MAX] = "", next[CONTACT_CURSOR_MAX];
    char last[CONTACT_NAME_MAX + 1] = "";
    struct pz_err err = {0};
    int n = 0, pages = 0;

    do {
        struct found f;
        memset(&f, 0, sizeof(f));
        contact_query_init(&q);
        q.q = text;
        q.tag = tag;
        q.limit = limit;
        q.cursor = cursor;
        assert_int_equal(contact_list(conn(), g.ws1.id, &q, collect, &f, next, sizeof(next), &err),
                         0);
        for (int i = 0; i < f.n && i < 64; i++) {
            assert_true(strcmp(last, f.names[i]) <= 0);
            snprintf(last, sizeof(last), "%s", f.names[i]);
        }
        n += f.n;
        pages++;
        snprintf(cursor, sizeof(cursor), "%s", next);
    } while (cursor[0] && pages < 100);
    return n;
}

static int search_all(const char *text, int limit)
{
    return search_tagged(text, NULL, limit);
}

/*
 * Search goes through the trigram index of sql/0006 when it narrows the rows
 * enough: its answers are the scan's, its query syntax is never the user's,
 * and it follows every change of the search text.
 */
static void test_search_index(void **state)
{
    struct contact_fields cf;
    struct pz_err err = {0};
    char given[16];
    int64_t quoted = make_contact(g.ws1.id, NULL, NULL, NULL, "Mario \"Super\" Rossi");
    int64_t lucia = person("Lucia", "Zappal\xC3\xA0");
    int64_t bakery = organization("Pastificio Bari S.r.l.");
    (void)state;

    make_contact(g.ws2.id, NULL, "Lucia", "Zappala", NULL);
    /* Quotes and FTS5 operators are text to look for, never query syntax. */
    assert_int_equal(search("\"super\"").ids[0], quoted);
    assert_int_equal(search("\"super\"").n, 1);
    assert_int_equal(search("super*").n, 0);
    assert_int_equal(search("(rossi)").n, 0);
    assert_int_equal(search("rossi OR bari").n, 0);
    assert_int_equal(search("NOT rossi").n, 0);
    /* Accents, and words too short for trigrams (left to the scan), one workspace only. */
    assert_int_equal(search("zappala").n, 1);
    assert_int_equal(search("zappala").ids[0], lucia);
    assert_int_equal(search("ZAPPAL\xC3\x80").n, 1);
    assert_int_equal(search("za").n, 1);
    assert_int_equal(search("lu za").n, 1);
    assert_int_equal(search("s.r.l.").ids[0], bakery);

    /* The index follows names, identities, memberships, renamed organizations, erasure. */
    contact_fields_init(&cf);
    cf.family_name = "Cant\xC3\xB9";
    cf.display_name = "Lucia Cant\xC3\xB9";
    assert_int_equal(contact_update(conn(), g.ws1.id, lucia, &cf, 0, NULL, &err), 0);
    assert_int_equal(search("zappala").n, 0);
    assert_int_equal(search("cantu").ids[0], lucia);
    add_identity(lucia, "email", "lucia@forno-bari.it");
    assert_int_equal(search("forno-bari").ids[0], lucia);
    member(quoted, bakery, "Titolare");
    assert_int_equal(search("pastificio").n, 2);
    contact_fields_init(&cf);
    cf.display_name = "Panificio Bari";
    assert_int_equal(contact_update(conn(), g.ws1.id, bakery, &cf, 0, NULL, &err), 0);
    assert_int_equal(search("pastificio").n, 0);
    assert_int_equal(search("panificio").n, 2);
    assert_int_equal(contact_delete(conn(), g.ws1.id, quoted, 0), 0);
    assert_int_equal(search("\"super\"").n, 0);
    assert_int_equal(search("panificio").n, 1);
    /* An index out of step with the rows is mended by a rebuild (piazza rebuild search). */
    assert_int_equal(
        pz_sql_exec(conn(), "INSERT INTO contacts_search (contacts_search) VALUES ('delete-all')"),
        0);
    assert_int_equal(search("panificio").n, 0);
    assert_int_equal(contact_reindex_all(conn(), g.ws1.id, NULL), 0);
    assert_int_equal(search("panificio").n, 1);

    /* More rows than the index narrows a page to (2,000): the list is read in order instead,
     * page after page, with the same answers. */
    assert_int_equal(pz_tx_begin(conn()), 0);
    for (int i = 0; i < 2100; i++) {
        int64_t id;
        snprintf(given, sizeof(given), "P%04d", i);
        id = person(given, "Comune");
        assert_int_equal(contact_tag_add(conn(), g.ws1.id, id, "Tutti", NULL, &err), 0);
        if (i % 700 == 77)
            assert_int_equal(contact_tag_add(conn(), g.ws1.id, id, "Fiera", NULL, &err), 0);
    }
    assert_int_equal(pz_tx_commit(conn()), 0);
    /* A tag few carry narrows the page by itself, or with the words; one many carry does not. */
    assert_int_equal(search_tagged(NULL, "fiera", 50), 3);
    assert_int_equal(search_tagged("p0777", "fiera", 50), 1);
    assert_int_equal(search_tagged("p0778", "fiera", 50), 0);
    assert_int_equal(search_tagged("comune", "fiera", 2), 3);
    assert_int_equal(search_tagged(NULL, "tutti", 500), 2100);
    assert_int_equal(search_tagged("p2077", "tutti", 50), 1);
    assert_int_equal(search_tagged("lucia", "tutti", 50), 0);
    assert_int_equal(search_all("comune", 500), 2100);
    assert_int_equal(search_all("omun", 500), 2100);
    assert_int_equal(search_all("comune p2077", 50), 1);
    assert_int_equal(search_all("p20", 500), 100);
    assert_int_equal(search_all("comune lucia", 50), 0);
    assert_int_equal(search("p2077").n, 1);
    /* Narrowed pages in the other orders too. */
    {
        struct contact_query q;
        struct found f;
        char next[CONTACT_CURSOR_MAX];
        for (int sort = CONTACT_SORT_NEWEST; sort <= CONTACT_SORT_STRENGTH; sort++) {
            contact_query_init(&q);
            q.q = "p20";
            q.sort = (enum contact_sort)sort;
            memset(&f, 0, sizeof(f));
            assert_int_equal(
                contact_list(conn(), g.ws1.id, &q, collect, &f, next, sizeof(next), &err), 0);
            assert_int_equal(f.n, 50);
            assert_true(next[0] != '\0');
            if (sort == CONTACT_SORT_NEWEST)
                assert_true(f.ids[0] > f.ids[49]);
        }
    }
}

/* Pages through workspace 1 with SORT, LIMIT rows a page; returns the ids in order. */
static int page_all(enum contact_sort sort, int limit, int64_t *ids, int *pages)
{
    struct contact_query q;
    char cursor[CONTACT_CURSOR_MAX] = "", next[CONTACT_CURSOR_MAX];
    struct pz_err err = {0};
    int n = 0;

    *pages = 0;
    do {
        struct found f;
        memset(&f, 0, sizeof(f));
        contact_query_init(&q);
        q.sort = sort;
        q.limit = limit;
        q.cursor = cursor;
        assert_int_equal(contact_list(conn(), g.ws1.id, &q, collect, &f, next, sizeof(next), &err),
                         0);
        assert_true(f.n <= limit);
        for (int i = 0; i < f.n; i++)
            ids[n++] = f.ids[i];
        (*pages)++;
        snprintf(cursor, sizeof(cursor), "%s", next);
    } while (cursor[0] && *pages < 20);
    return n;
}

static void test_list_cursor_paging(void **state)
{
    static const char *const names[] = {"Zeta", "\xC3\x89lodie", "alfa",   "Beta",
                                        "beta", "Delta",         "Charlie"};
    int64_t ids[16], got[16];
    int pages, n;
    struct found f;
    struct contact_query q;
    char next[CONTACT_CURSOR_MAX];
    struct pz_err err = {0};
    (void)state;

    for (int i = 0; i < 7; i++)
        ids[i] = make_contact(g.ws1.id, NULL, NULL, NULL, names[i]);
    /* By folded name: alfa, Beta, beta, Charlie, Delta, Élodie, Zeta. */
    n = page_all(CONTACT_SORT_NAME, 3, got, &pages);
    assert_int_equal(n, 7);
    assert_int_equal(pages, 3);
    assert_int_equal(got[0], ids[2]);
    assert_int_equal(got[1], ids[3]);
    assert_int_equal(got[2], ids[4]);
    assert_int_equal(got[3], ids[6]);
    assert_int_equal(got[4], ids[5]);
    assert_int_equal(got[5], ids[1]);
    assert_int_equal(got[6], ids[0]);
    /* An exact multiple of the page ends without an empty page. */
    n = page_all(CONTACT_SORT_NAME, 7, got, &pages);
    assert_int_equal(n, 7);
    assert_int_equal(pages, 1);
    /* Newest first. */
    n = page_all(CONTACT_SORT_NEWEST, 2, got, &pages);
    assert_int_equal(n, 7);
    assert_int_equal(pages, 4);
    for (int i = 0; i < 7; i++)
        assert_int_equal(got[i], ids[6 - i]);
    /* Strongest first, then by id; never scored last. */
    interaction(ids[3], NOW, 1, "call", NULL, NULL);
    interaction(ids[5], NOW, 100, "call", NULL, NULL);
    assert_int_equal(score_update(conn(), g.ws1.id, ids[3], NOW, NULL), 0);
    assert_int_equal(score_update(conn(), g.ws1.id, ids[5], NOW, NULL), 0);
    assert_int_equal(score_update(conn(), g.ws1.id, ids[0], NOW, NULL), 0);
    n = page_all(CONTACT_SORT_STRENGTH, 2, got, &pages);
    assert_int_equal(n, 7);
    assert_int_equal(got[0], ids[3]);
    assert_int_equal(got[1], ids[5]);
    assert_int_equal(got[2], ids[0]); /* scored 0 */
    assert_int_equal(got[3], ids[1]);
    assert_int_equal(got[6], ids[6]);

    /* Bad cursors. */
    contact_query_init(&q);
    q.cursor = "i12"; /* a newest-first cursor for the name order */
    assert_int_equal(contact_list(conn(), g.ws1.id, &q, collect, &f, next, sizeof(next), &err),
                     PZ_EINVAL);
    assert_err(&err, "request.invalid", "cursor");
    q.cursor = "n12.zz";
    assert_int_equal(contact_list(conn(), g.ws1.id, &q, collect, &f, next, sizeof(next), &err),
                     PZ_EINVAL);
    q.cursor = "garbage";
    assert_int_equal(contact_list(conn(), g.ws1.id, &q, collect, &f, next, sizeof(next), &err),
                     PZ_EINVAL);
}

static void test_organizations_and_memberships(void **state)
{
    struct pz_err err = {0};
    int64_t org = 0, same = 0, mario = person("Mario", "Rossi");
    int created = 0;
    struct contact_fields f;
    (void)state;

    assert_int_equal(
        contact_org_find_or_create(conn(), g.ws1.id, "Acme S.r.l.", &org, &created, &err), 0);
    assert_true(created);
    assert_int_equal(
        contact_org_find_or_create(conn(), g.ws1.id, "  ACME srl ", &same, &created, &err), 0);
    assert_false(created);
    assert_int_equal(same, org);
    assert_int_equal(contact_org_find(conn(), g.ws1.id, "acme, s.r.l.", &same), 0);
    assert_int_equal(same, org);
    assert_int_equal(contact_org_find(conn(), g.ws1.id, "Beta", &same), PZ_ENOTFOUND);
    assert_int_equal(contact_org_find(conn(), g.ws2.id, "Acme srl", &same), PZ_ENOTFOUND);
    assert_int_equal(contact_org_find_or_create(conn(), g.ws1.id, "...", &same, NULL, &err),
                     PZ_EINVAL);
    assert_err(&err, "request.invalid", "organization");

    member(mario, org, "CEO");
    member(mario, org, "Founder & CEO"); /* a new title replaces the old */
    assert_int_equal(count_rows("memberships", "person_id", mario), 1);
    assert_int_equal(contact_membership_set(conn(), g.ws1.id, org, mario, NULL, &err), PZ_EINVAL);
    assert_err(&err, "contact.not_person", NULL);
    assert_int_equal(contact_membership_set(conn(), g.ws1.id, mario, mario, NULL, &err), PZ_EINVAL);
    assert_err(&err, "contact.not_organization", NULL);
    assert_int_equal(contact_membership_set(conn(), g.ws1.id, mario, 999999, NULL, &err),
                     PZ_ENOTFOUND);

    /* Renaming the organization re-indexes its people. */
    contact_fields_init(&f);
    f.display_name = "Acme Italia";
    assert_int_equal(contact_update(conn(), g.ws1.id, org, &f, 0, NULL, &err), 0);
    assert_true(has_id((const struct found[]){search("italia")}, mario));
    assert_int_equal(contact_membership_remove(conn(), g.ws1.id, mario, org), 0);
    assert_int_equal(contact_membership_remove(conn(), g.ws1.id, mario, org), PZ_ENOTFOUND);
    assert_false(has_id((const struct found[]){search("italia")}, mario));
}

struct memberships {
    int n;
    char lines[8][700];
};

static void collect_membership(const struct contact_membership *m, void *arg)
{
    struct memberships *ms = arg;
    if (ms->n < 8)
        snprintf(ms->lines[ms->n], sizeof(ms->lines[0]), "%s|%s|%s", m->person_name,
                 m->organization_name, m->title);
    ms->n++;
}

static void test_memberships_each(void **state)
{
    int64_t acme = organization("Acme"), beta = organization("Beta");
    int64_t mario = person("Mario", "Rossi"), anna = person("Anna", "Bianchi");
    struct memberships ms;
    (void)state;

    member(mario, beta, NULL);
    member(mario, acme, "CEO");
    member(anna, acme, "CFO");
    memset(&ms, 0, sizeof(ms));
    assert_int_equal(contact_memberships_each(conn(), g.ws1.id, mario, collect_membership, &ms), 0);
    assert_int_equal(ms.n, 2);
    assert_string_equal(ms.lines[0], "Mario Rossi|Acme|CEO");
    assert_string_equal(ms.lines[1], "Mario Rossi|Beta|");
    memset(&ms, 0, sizeof(ms));
    assert_int_equal(contact_memberships_each(conn(), g.ws1.id, acme, collect_membership, &ms), 0);
    assert_int_equal(ms.n, 2);
    assert_string_equal(ms.lines[0], "Anna Bianchi|Acme|CFO");
    assert_string_equal(ms.lines[1], "Mario Rossi|Acme|CEO");
}

struct strings {
    int n;
    char items[16][2400];
};

static void collect_string(const char *s, void *arg)
{
    struct strings *ss = arg;
    if (ss->n < 16)
        snprintf(ss->items[ss->n], sizeof(ss->items[0]), "%s", s);
    ss->n++;
}

static void collect_tag_count(const char *name, int64_t n, void *arg)
{
    struct strings *ss = arg;
    if (ss->n < 16)
        snprintf(ss->items[ss->n], sizeof(ss->items[0]), "%s=%lld", name, (long long)n);
    ss->n++;
}

static void collect_value(const struct contact_field_value *v, void *arg)
{
    struct strings *ss = arg;
    if (ss->n < 16)
        snprintf(ss->items[ss->n], sizeof(ss->items[0]), "%s=%s", v->name, v->value);
    ss->n++;
}

static void collect_field(const struct contact_field *fl, void *arg)
{
    struct strings *ss = arg;
    if (ss->n < 16)
        snprintf(ss->items[ss->n], sizeof(ss->items[0]), "%s:%s:%s", fl->name, fl->type,
                 fl->choices);
    ss->n++;
}

static void collect_consent(const struct contact_consent *c, void *arg)
{
    struct strings *ss = arg;
    if (ss->n < 16)
        snprintf(ss->items[ss->n], sizeof(ss->items[0]), "%s|%s|%lld|%lld", c->purpose, c->source,
                 (long long)c->given_at, (long long)c->withdrawn_at);
    ss->n++;
}

static void test_tags_fields_consents_notes(void **state)
{
    static const char *const levels[] = {"Gold", "Silver", "Bronze"};
    struct pz_err err = {0};
    struct strings ss;
    struct contact_field fl;
    struct contact c;
    int64_t mario = person("Mario", "Rossi"), anna = person("Anna", "Bianchi"), consent = 0;
    int added = -1, appended = -1;
    (void)state;

    /* Tags: one tag whatever the case or accents, spelled as first written. */
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, mario, "Fiera Verona", &added, &err), 0);
    assert_int_equal(added, 1);
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, mario, "fiera verona", &added, &err), 0);
    assert_int_equal(added, 0);
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, anna, " FIERA VERONA ", &added, &err), 0);
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, anna, "Caff\xC3\xA8", &added, &err), 0);
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, mario, "caffe", &added, &err), 0);
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, mario, "   ", &added, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "tag");
    memset(&ss, 0, sizeof(ss));
    assert_int_equal(contact_tags_each(conn(), g.ws1.id, mario, collect_string, &ss), 0);
    assert_int_equal(ss.n, 2);
    assert_string_equal(ss.items[0], "Caff\xC3\xA8");
    assert_string_equal(ss.items[1], "Fiera Verona");
    memset(&ss, 0, sizeof(ss));
    assert_int_equal(contact_tag_list(conn(), g.ws1.id, collect_tag_count, &ss), 0);
    assert_int_equal(ss.n, 2);
    assert_string_equal(ss.items[0], "Caff\xC3\xA8=2");
    assert_string_equal(ss.items[1], "Fiera Verona=2");
    assert_int_equal(contact_tag_remove(conn(), g.ws1.id, mario, "FIERA verona"), 0);
    assert_int_equal(contact_tag_remove(conn(), g.ws1.id, mario, "fiera verona"), PZ_ENOTFOUND);

    /* Custom fields. */
    assert_int_equal(
        contact_field_define(conn(), g.ws1.id, "Fatturato", "number", NULL, 0, &fl, &err), 0);
    assert_int_equal(
        contact_field_define(conn(), g.ws1.id, "Primo ordine", "date", NULL, 0, NULL, &err), 0);
    assert_int_equal(
        contact_field_define(conn(), g.ws1.id, "Livello", "choice", levels, 3, &fl, &err), 0);
    assert_string_equal(fl.choices, "[\"Gold\",\"Silver\",\"Bronze\"]");
    assert_int_equal(contact_field_define(conn(), g.ws1.id, "Note", "text", NULL, 0, NULL, &err),
                     0);
    assert_int_equal(contact_field_define(conn(), g.ws1.id, "Livello", "text", NULL, 0, NULL, &err),
                     PZ_EINVAL);
    assert_err(&err, "contact.field_exists", "name");
    assert_int_equal(contact_field_define(conn(), g.ws1.id, "Colore", "color", NULL, 0, NULL, &err),
                     PZ_EINVAL);
    assert_err(&err, "request.invalid", "type");
    assert_int_equal(contact_field_define(conn(), g.ws1.id, "Vuoto", "choice", NULL, 0, NULL, &err),
                     PZ_EINVAL);
    assert_err(&err, "request.invalid", "choices");
    memset(&ss, 0, sizeof(ss));
    assert_int_equal(contact_field_list(conn(), g.ws1.id, collect_field, &ss), 0);
    assert_int_equal(ss.n, 4);
    assert_string_equal(ss.items[0], "Fatturato:number:[]");

    assert_int_equal(contact_field_set(conn(), g.ws1.id, mario, "Fatturato", "1250,50", &err), 0);
    assert_int_equal(contact_field_set(conn(), g.ws1.id, mario, "Primo ordine", "5/3/2026", &err),
                     0);
    assert_int_equal(contact_field_set(conn(), g.ws1.id, mario, "Livello", "gold", &err), 0);
    assert_int_equal(contact_field_set(conn(), g.ws1.id, mario, "Note", "paga a 60 giorni", &err),
                     0);
    assert_int_equal(contact_field_set(conn(), g.ws1.id, anna, "Primo ordine", "2024-02-29", &err),
                     0);
    memset(&ss, 0, sizeof(ss));
    assert_int_equal(contact_field_values_each(conn(), g.ws1.id, mario, collect_value, &ss), 0);
    assert_int_equal(ss.n, 4);
    assert_string_equal(ss.items[0], "Fatturato=1250.50");
    assert_string_equal(ss.items[1], "Livello=Gold");
    assert_string_equal(ss.items[2], "Note=paga a 60 giorni");
    assert_string_equal(ss.items[3], "Primo ordine=2026-03-05");
    {
        static const struct {
            const char *field, *value;
        } bad[] = {
            {"Fatturato", "tanto"},         {"Fatturato", "1.234,5"},
            {"Fatturato", "1e5"},           {"Primo ordine", "31/02/2026"},
            {"Primo ordine", "2023-02-29"}, {"Primo ordine", "2026-13-01"},
            {"Primo ordine", "ieri"},       {"Livello", "Platinum"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            if (contact_field_set(conn(), g.ws1.id, mario, bad[i].field, bad[i].value, &err) !=
                PZ_EINVAL)
                fail_msg("%s '%s' accepted", bad[i].field, bad[i].value);
            assert_err(&err, "contact.field_invalid", "value");
        }
    }
    assert_int_equal(contact_field_set(conn(), g.ws1.id, mario, "Altezza", "180", &err), PZ_EINVAL);
    assert_err(&err, "contact.field_unknown", "name");
    assert_int_equal(contact_field_set(conn(), g.ws1.id, mario, "Note", "", &err), 0);
    assert_int_equal(count_rows("contact_field_values", "contact_id", mario), 3);
    assert_int_equal(contact_field_remove(conn(), g.ws1.id, fl.id), 0); /* Livello */
    assert_int_equal(count_rows("contact_field_values", "contact_id", mario), 2);
    assert_int_equal(contact_field_remove(conn(), g.ws1.id, fl.id), PZ_ENOTFOUND);

    /* Consents. */
    assert_int_equal(contact_consent_add(conn(), g.ws1.id, mario, "newsletter", "modulo web",
                                         NOW - 10 * DAY, &consent, &err),
                     0);
    assert_int_equal(contact_consent_add(conn(), g.ws1.id, mario, "", "x", NOW, NULL, &err),
                     PZ_EINVAL);
    assert_err(&err, "request.invalid", "purpose");
    assert_int_equal(contact_consent_withdraw(conn(), g.ws1.id, consent, NOW), 0);
    assert_int_equal(contact_consent_withdraw(conn(), g.ws1.id, consent, NOW), PZ_ENOTFOUND);
    memset(&ss, 0, sizeof(ss));
    assert_int_equal(contact_consents_each(conn(), g.ws1.id, mario, collect_consent, &ss), 0);
    assert_int_equal(ss.n, 1);
    {
        char want[100];
        snprintf(want, sizeof(want), "newsletter|modulo web|%lld|%lld", (long long)(NOW - 10 * DAY),
                 (long long)NOW);
        assert_string_equal(ss.items[0], want);
    }

    /* Notes are appended once, as their own paragraph. */
    assert_int_equal(contact_note_append(conn(), g.ws1.id, mario, "Prima nota.", &appended, &err),
                     0);
    assert_int_equal(appended, 1);
    assert_int_equal(contact_note_append(conn(), g.ws1.id, mario, "Seconda.", &appended, &err), 0);
    assert_int_equal(contact_note_append(conn(), g.ws1.id, mario, " Prima nota. ", &appended, &err),
                     0);
    assert_int_equal(appended, 0);
    assert_int_equal(contact_get(conn(), g.ws1.id, mario, &c), 0);
    assert_string_equal(c.notes_md, "Prima nota.\n\nSeconda.");
    contact_release(&c);
}

static void copy_audit(const struct audit_row *row, void *arg)
{
    *(struct audit_row *)arg = *row;
}

static void test_delete_removes_everything(void **state)
{
    static const char *const tables[][2] = {
        {"contacts", "id"},
        {"identities", "contact_id"},
        {"memberships", "person_id"},
        {"contact_tags", "contact_id"},
        {"contact_field_values", "contact_id"},
        {"consents", "contact_id"},
        {"timeline_entries", "contact_id"},
        {"contact_scores", "contact_id"},
        {"duplicate_suggestions", "contact_a"},
        {"duplicate_suggestions", "contact_b"},
        {"contact_import_keys", "contact_id"},
    };
    struct pz_err err = {0};
    int64_t acme = organization("Acme"), mario = person("Mario", "Rossi");
    int64_t anna = person("Anna", "Bianchi"), other = person("Zeno", "Zeta");
    struct audit_row row;
    char target[32], sql[160];
    (void)state;

    member(mario, acme, "CEO");
    member(anna, acme, "CFO");
    add_identity(mario, "email", "mario@acme.it");
    add_identity(mario, "phone", "333 1234567");
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, mario, "vip", NULL, &err), 0);
    assert_int_equal(contact_field_define(conn(), g.ws1.id, "Codice", "text", NULL, 0, NULL, &err),
                     0);
    assert_int_equal(contact_field_set(conn(), g.ws1.id, mario, "Codice", "A-1", &err), 0);
    assert_int_equal(
        contact_consent_add(conn(), g.ws1.id, mario, "newsletter", "web", NOW, NULL, &err), 0);
    interaction(mario, NOW, 3, "call", NULL, "out");
    interaction(mario, NOW, 2, "note", NULL, NULL);
    assert_int_equal(score_update(conn(), g.ws1.id, mario, NOW, NULL), 0);
    assert_int_equal(dedup_suggest(conn(), g.ws1.id, other, mario, "identity", "x", NULL), 0);
    assert_int_equal(dedup_suggest(conn(), g.ws1.id, mario, anna, "name", "Acme", NULL), 0);
    snprintf(sql, sizeof(sql), "INSERT INTO contact_import_keys VALUES (%lld, 'k', %lld)",
             (long long)g.ws1.id, (long long)mario);
    assert_int_equal(pz_sql_exec(conn(), sql), 0);
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        if (strcmp(tables[i][0], "duplicate_suggestions") != 0)
            assert_true(count_rows(tables[i][0], tables[i][1], mario) > 0);

    assert_int_equal(contact_delete(conn(), g.ws1.id, mario, g.owner1.id), 0);
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        if (count_rows(tables[i][0], tables[i][1], mario) != 0)
            fail_msg("%s still has rows of the erased contact", tables[i][0]);
    assert_int_equal(search("mario").n, 0);
    assert_int_equal(search("333").n, 0);
    /* The audit log says that it happened, not what. */
    memset(&row, 0, sizeof(row));
    assert_int_equal(audit_list(conn(), g.ws1.id, 0, 1, copy_audit, &row), 0);
    snprintf(target, sizeof(target), "contact:%lld", (long long)mario);
    assert_string_equal(row.action, "contact.delete");
    assert_string_equal(row.target, target);
    assert_string_equal(row.detail, "");
    assert_int_equal(row.actor_id, g.owner1.id);
    assert_int_equal(contact_delete(conn(), g.ws1.id, mario, g.owner1.id), PZ_ENOTFOUND);

    /* Erasing an organization leaves its people, without its name. */
    assert_true(has_id((const struct found[]){search("acme")}, anna));
    assert_int_equal(contact_delete(conn(), g.ws1.id, acme, 0), 0);
    assert_int_equal(search("acme").n, 0);
    assert_int_equal(count_rows("contacts", "id", anna), 1);
    assert_int_equal(count_rows("memberships", "person_id", anna), 0);
}

static void test_workspace_isolation(void **state)
{
    struct pz_err err = {0};
    struct contact c;
    struct timeline_new e;
    struct score sc;
    struct found f;
    struct contact_query q;
    char next[CONTACT_CURSOR_MAX];
    int64_t a = person("Anna", "Condivisa"), b, found = 0;
    (void)state;

    add_identity(a, "email", "shared@example.it");
    b = make_contact(g.ws2.id, NULL, "Anna", "Condivisa", NULL);
    /* The same identity is free in another workspace. */
    assert_int_equal(contact_identity_add(conn(), g.ws2.id, b, "email", "shared@example.it", NULL,
                                          NULL, NULL, NULL, &err),
                     0);
    assert_int_equal(
        contact_find_identity(conn(), g.ws2.id, "email", "shared@example.it", NULL, &found, &err),
        0);
    assert_int_equal(found, b);
    /* A contact of workspace 1 does not exist for workspace 2. */
    assert_int_equal(contact_get(conn(), g.ws2.id, a, &c), PZ_ENOTFOUND);
    contact_release(&c);
    contact_query_init(&q);
    q.q = "condivisa";
    memset(&f, 0, sizeof(f));
    assert_int_equal(contact_list(conn(), g.ws2.id, &q, collect, &f, next, sizeof(next), &err), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], b);
    timeline_new_init(&e);
    e.contact_id = a;
    e.kind = "note";
    assert_int_equal(timeline_add(conn(), g.ws2.id, &e, NULL, &err), PZ_ENOTFOUND);
    assert_int_equal(contact_identity_add(conn(), g.ws2.id, a, "phone", "333 7654321", NULL, NULL,
                                          NULL, NULL, &err),
                     PZ_ENOTFOUND);
    assert_int_equal(contact_tag_add(conn(), g.ws2.id, a, "x", NULL, &err), PZ_ENOTFOUND);
    assert_int_equal(score_compute(conn(), g.ws2.id, a, NOW, &sc), PZ_ENOTFOUND);
    assert_int_equal(contact_merge(conn(), g.ws2.id, b, a, 0, &err), PZ_ENOTFOUND);
    assert_int_equal(contact_delete(conn(), g.ws2.id, a, 0), PZ_ENOTFOUND);
    assert_int_equal(contact_get(conn(), g.ws1.id, a, &c), 0);
    contact_release(&c);
    assert_int_equal(search("condivisa").n, 1);
}

static void test_timeline_order_and_paging(void **state)
{
    int64_t p = person("Paola", "Timeline"), q = person("Quinto", "Timeline");
    int64_t org = organization("Timeline Spa");
    struct entries es;
    struct timeline_new e;
    struct pz_err err = {0};
    char cursor[TIMELINE_CURSOR_MAX] = "", next[TIMELINE_CURSOR_MAX];
    int64_t entry = 0;
    int pages = 0, total = 0;
    (void)state;

    interaction(p, NOW, 5, "call", NULL, "out");
    interaction(p, NOW, 1, "note", NULL, NULL);
    interaction(p, NOW, 3, "meeting", NULL, NULL);
    interaction(p, NOW, 1, "email", NULL, "in"); /* same time as the note, written later */
    interaction(p, NOW, 10, "message", "whatsapp", "in");
    es = timeline_of(p);
    assert_int_equal(es.n, 5);
    assert_string_equal(es.kinds[0], "email");
    assert_string_equal(es.kinds[1], "note");
    assert_string_equal(es.kinds[2], "meeting");
    assert_string_equal(es.kinds[3], "call");
    assert_string_equal(es.kinds[4], "message");
    assert_true(es.ids[0] > es.ids[1]);

    /* Pages of two. */
    do {
        struct entries page;
        memset(&page, 0, sizeof(page));
        assert_int_equal(timeline_list(conn(), g.ws1.id, p, cursor, 2, collect_entry, &page, next,
                                       sizeof(next), &err),
                         0);
        for (int i = 0; i < page.n; i++)
            assert_int_equal(page.ids[i], es.ids[total + i]);
        total += page.n;
        pages++;
        snprintf(cursor, sizeof(cursor), "%s", next);
    } while (cursor[0] && pages < 10);
    assert_int_equal(total, 5);
    assert_int_equal(pages, 3);

    /* An organization's timeline holds its people's entries too. */
    member(p, org, NULL);
    member(q, org, NULL);
    interaction(q, NOW, 2, "call", NULL, "in");
    interaction(org, NOW, 4, "meeting", NULL, NULL);
    memset(&es, 0, sizeof(es));
    assert_int_equal(timeline_list_organization(conn(), g.ws1.id, org, NULL, 0, collect_entry, &es,
                                                next, sizeof(next), &err),
                     0);
    assert_int_equal(es.n, 7);
    assert_int_equal(es.contacts[0], p); /* the e-mail, a day ago */
    assert_int_equal(es.contacts[2], q);
    assert_int_equal(es.contacts[4], org);
    assert_string_equal(next, "");
    assert_int_equal(timeline_list_organization(conn(), g.ws1.id, p, NULL, 0, collect_entry, &es,
                                                next, sizeof(next), &err),
                     PZ_EINVAL);
    assert_err(&err, "contact.not_organization", NULL);

    /* Validation. */
    timeline_new_init(&e);
    e.contact_id = p;
    e.kind = "Call!";
    assert_int_equal(timeline_add(conn(), g.ws1.id, &e, NULL, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "kind");
    e.kind = "call";
    e.direction = "up";
    assert_int_equal(timeline_add(conn(), g.ws1.id, &e, NULL, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "direction");
    e.direction = "out";
    e.duration_s = -5;
    assert_int_equal(timeline_add(conn(), g.ws1.id, &e, NULL, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "duration_s");
    e.duration_s = 300;
    e.outcome = "answered";
    e.body = "Parlato del preventivo.";
    e.author_user_id = g.agent1.id;
    e.contact_id = 999999;
    assert_int_equal(timeline_add(conn(), g.ws1.id, &e, NULL, &err), PZ_ENOTFOUND);
    e.contact_id = p;
    assert_int_equal(timeline_add(conn(), g.ws1.id, &e, &entry, &err), 0);
    assert_true(entry > 0);
    assert_int_equal(
        timeline_list(conn(), g.ws1.id, p, "abc", 2, collect_entry, &es, next, sizeof(next), &err),
        PZ_EINVAL);
    assert_err(&err, "request.invalid", "cursor");
    assert_int_equal(timeline_list(conn(), g.ws1.id, 999999, NULL, 2, collect_entry, &es, next,
                                   sizeof(next), &err),
                     PZ_ENOTFOUND);
    assert_int_equal(timeline_remove(conn(), g.ws1.id, entry), 0);
    assert_int_equal(timeline_remove(conn(), g.ws1.id, entry), PZ_ENOTFOUND);
    assert_int_equal(timeline_of(p).n, 5);
}

/* Computes contact ID's score at NOW and checks it against the expected figures and words. */
static void check_score(int64_t id, int64_t now, int strength, const char *en, const char *it)
{
    struct score s;

    assert_int_equal(score_compute(conn(), g.ws1.id, id, now, &s), 0);
    if (s.strength != strength || strcmp(s.explanation_en, en) != 0 ||
        strcmp(s.explanation_it, it) != 0)
        fail_msg("strength %d (%d+%d+%d+%d) '%s' / '%s', want %d '%s' / '%s'", s.strength,
                 s.recency_points, s.frequency_points, s.reciprocity_points, s.channel_points,
                 s.explanation_en, s.explanation_it, strength, en, it);
}

static void test_score_cases(void **state)
{
    int64_t a = person("A", "Score"), b = person("B", "Score"), c = person("C", "Score");
    int64_t d = person("D", "Score"), e = person("E", "Score"), f = person("F", "Score");
    int64_t gg = person("G", "Score");
    struct score s;
    int previous = 0;
    long n = 0;
    (void)state;

    /* Ten e-mails sent 190..100 days ago; the last eight answered six days later, the last
     * answer by phone, 94 days ago. */
    for (int k = 0; k < 10; k++)
        interaction(a, NOW, 190 - 10 * k, "email", NULL, "out");
    for (int k = 2; k < 10; k++)
        interaction(a, NOW, 184 - 10 * k, k == 9 ? "call" : "email", NULL, "in");
    interaction(a, NOW, 1, "note", NULL, NULL); /* not contact */
    check_score(a, NOW, 61,
                "last contact 94 days ago; 18 contacts in the last year; answered 8 of 10 times; 2 "
                "channels",
                "ultimo contatto 94 giorni fa; 18 contatti nell'ultimo anno; ha risposto 8 volte "
                "su 10; 2 canali");
    assert_int_equal(score_compute(conn(), g.ws1.id, a, NOW, &s), 0);
    assert_int_equal(s.recency_points, 19);
    assert_int_equal(s.frequency_points, 18);
    assert_int_equal(s.reciprocity_points, 16);
    assert_int_equal(s.channel_points, 8);
    assert_int_equal(s.days_since, 94);
    assert_int_equal(s.contacts_90, 0);
    assert_int_equal(s.contacts_365, 18);
    assert_int_equal(s.outgoing, 10);
    assert_int_equal(s.answered, 8);
    assert_int_equal(s.incoming, 8);
    assert_int_equal(s.channels, 2);
    assert_int_equal(s.last_contact_at, NOW - 94 * DAY);

    /* Recent, no directions: reciprocity counts half. */
    interaction(b, NOW, 0.5, "note", NULL, NULL);
    interaction(b, NOW, 1, "meeting", NULL, NULL);
    interaction(b, NOW, 30, "call", NULL, NULL);
    interaction(b, NOW, 60, "call", NULL, NULL);
    interaction(b, NOW, 400, "call", NULL, NULL);
    check_score(b, NOW, 66, "last contact yesterday; 3 contacts in the last year; 2 channels",
                "ultimo contatto ieri; 3 contatti nell'ultimo anno; 2 canali");

    /* Only they wrote, an hour ago; an entry after NOW does not count. */
    interaction(c, NOW, 1.0 / 24, "message", "whatsapp", "in");
    interaction(c, NOW, -1, "call", NULL, "out");
    check_score(
        c, NOW, 67, "last contact today; 1 contact in the last year; reached out 1 time; 1 channel",
        "ultimo contatto oggi; 1 contatto nell'ultimo anno; ci ha cercato 1 volta; 1 canale");

    /* Never. */
    check_score(d, NOW, 0, "no contact yet", "nessun contatto finora");

    /* Only long ago. */
    interaction(e, NOW, 400, "call", NULL, "out");
    check_score(e, NOW, 0, "last contact 400 days ago; 0 contacts in the last year",
                "ultimo contatto 400 giorni fa; 0 contatti nell'ultimo anno");

    /* Frequency is capped at 30. */
    for (int k = 1; k <= 12; k++)
        interaction(f, NOW, k, "meeting", NULL, NULL);
    check_score(f, NOW, 83, "last contact yesterday; 12 contacts in the last year; 1 channel",
                "ultimo contatto ieri; 12 contatti nell'ultimo anno; 1 canale");

    /* One question, one answer. */
    interaction(gg, NOW, 10, "email", NULL, "out");
    interaction(gg, NOW, 9, "email", NULL, "in");
    check_score(
        gg, NOW, 68,
        "last contact 9 days ago; 2 contacts in the last year; answered 1 of 1 time; 1 channel",
        "ultimo contatto 9 giorni fa; 2 contatti nell'ultimo anno; ha risposto 1 volta su 1; 1 "
        "canale");

    /* Stored scores remember the strength before the last change. */
    assert_int_equal(score_get(conn(), g.ws1.id, a, &s, &previous), PZ_ENOTFOUND);
    assert_int_equal(score_update(conn(), g.ws1.id, a, NOW, &s), 0);
    assert_int_equal(s.strength, 61);
    assert_int_equal(score_get(conn(), g.ws1.id, a, &s, &previous), 0);
    assert_int_equal(s.strength, 61);
    assert_int_equal(previous, -1);
    assert_string_equal(s.explanation_it, "ultimo contatto 94 giorni fa; 18 contatti nell'ultimo "
                                          "anno; ha risposto 8 volte su 10; 2 canali");
    assert_int_equal(score_update(conn(), g.ws1.id, a, NOW + 30 * DAY, &s), 0);
    assert_int_equal(s.strength, 54); /* 12 + 18 + 16 + 8 */
    assert_int_equal(score_get(conn(), g.ws1.id, a, &s, &previous), 0);
    assert_int_equal(previous, 61);
    assert_int_equal(score_update(conn(), g.ws1.id, a, NOW + 30 * DAY, &s), 0);
    assert_int_equal(score_get(conn(), g.ws1.id, a, &s, &previous), 0);
    assert_int_equal(s.strength, 54);
    assert_int_equal(previous, 61); /* unchanged strength keeps the previous one */

    /* Rebuild computes every contact. */
    assert_int_equal(score_rebuild_all(conn(), g.ws1.id, NOW, &n), 0);
    assert_int_equal(n, 7);
    assert_int_equal(score_get(conn(), g.ws1.id, gg, &s, NULL), 0);
    assert_int_equal(s.strength, 68);
    assert_int_equal(score_get(conn(), g.ws1.id, a, &s, &previous), 0);
    assert_int_equal(s.strength, 61);
    assert_int_equal(previous, 54);
    assert_int_equal(score_compute(conn(), g.ws1.id, 999999, NOW, &s), PZ_ENOTFOUND);
}

/* Why a contact is on the going-cold list: silence wins over a fall once the stage's days passed.
 */
static void test_cold_reason(void **state)
{
    const int64_t now = 1800000000000LL, day = SCORE_DAY_MS;
    struct contact c;
    int64_t days = -1;
    (void)state;

    memset(&c, 0, sizeof(c));
    c.created_at = now - 400 * day;
    c.last_contact_at = now - 100 * day - 5; /* 100 days and a bit */
    c.strength = 20;
    c.previous_strength = -1;
    assert_string_equal(score_cold_reason(&c, 60, now, &days), "silent");
    assert_int_equal(days, 100);
    /* a fall within the stage's days is why; past them, the silence is */
    c.last_contact_at = now - 10 * day;
    c.previous_strength = 45;
    assert_string_equal(score_cold_reason(&c, 60, now, &days), "fell");
    assert_int_equal(days, 10);
    c.last_contact_at = now - 60 * day;
    assert_string_equal(score_cold_reason(&c, 60, now, &days), "silent");
    assert_int_equal(days, 60);
    /* a rise is not a fall; never contacted counts from creation */
    c.previous_strength = 10;
    c.last_contact_at = -1;
    c.created_at = now - 31 * day;
    assert_string_equal(score_cold_reason(&c, 30, now, &days), "silent");
    assert_int_equal(days, 31);
    /* never scored, or a time after NOW: no fall, 0 days */
    c.strength = -1;
    c.previous_strength = 50;
    c.created_at = now + day;
    assert_string_equal(score_cold_reason(&c, 30, now, NULL), "silent");
    assert_string_equal(score_cold_reason(&c, 30, now, &days), "silent");
    assert_int_equal(days, 0);
}

static void test_going_cold(void **state)
{
    int64_t now = pz_now_ms();
    int64_t c1 = person("A", "Uno"), p1 = person("B", "Due"), p2 = person("C", "Tre");
    int64_t c2 = person("D", "Quattro"), l1 = person("E", "Cinque"), c3 = person("F", "Sei");
    int64_t c4 = person("G", "Sette");
    struct found f;
    struct contact_query q;
    struct pz_err err = {0};
    char next[CONTACT_CURSOR_MAX];
    struct entries es;
    int days = 0;
    (void)state;

    set_stage(c1, "customer", g.owner1.id);
    set_stage(c2, "customer", g.owner1.id);
    set_stage(c4, "customer", g.owner1.id);
    set_stage(p1, "prospect", g.owner1.id);
    set_stage(p2, "prospect", g.owner1.id);
    set_stage(l1, "lead", g.owner1.id);
    set_stage(c3, "customer", g.agent1.id);
    interaction(c1, now, 70, "call", NULL, NULL);
    interaction(c2, now, 10, "call", NULL, NULL);
    interaction(p1, now, 40, "call", NULL, NULL);
    interaction(p2, now, 5, "call", NULL, NULL);
    interaction(p2, now, 6, "call", NULL, NULL);
    interaction(l1, now, 200, "call", NULL, NULL);
    interaction(c3, now, 100, "call", NULL, NULL);
    assert_int_equal(score_update(conn(), g.ws1.id, c2, now, NULL), 0);
    assert_int_equal(score_update(conn(), g.ws1.id, c2, now, NULL), 0);
    /* P2's strength falls: a call logged by mistake is removed. */
    assert_int_equal(score_update(conn(), g.ws1.id, p2, now, NULL), 0);
    es = timeline_of(p2);
    for (int i = 0; i < es.n; i++)
        if (strcmp(es.kinds[i], "call") == 0) {
            assert_int_equal(timeline_remove(conn(), g.ws1.id, es.ids[i]), 0);
            break;
        }
    assert_int_equal(score_update(conn(), g.ws1.id, p2, now, NULL), 0);

    memset(&f, 0, sizeof(f));
    assert_int_equal(score_going_cold(conn(), g.ws1.id, g.owner1.id, now, NULL, 0, collect, &f,
                                      next, sizeof(next), &err),
                     0);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.ids[0], c1);
    assert_int_equal(f.ids[1], p1);
    assert_int_equal(f.ids[2], p2);
    memset(&f, 0, sizeof(f));
    assert_int_equal(
        score_going_cold(conn(), g.ws1.id, 0, now, NULL, 0, collect, &f, next, sizeof(next), &err),
        0);
    assert_int_equal(f.n, 4);
    assert_true(has_id(&f, c3));
    /* The same through the list's filter, with a search. */
    contact_query_init(&q);
    q.going_cold = 1;
    q.now = now;
    q.q = "tre";
    list(&q, &f);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], p2);

    /* Managers set N per stage. */
    assert_int_equal(score_cold_days(conn(), g.ws1.id, "customer", &days), 0);
    assert_int_equal(days, 60);
    assert_int_equal(score_cold_days(conn(), g.ws1.id, "prospect", &days), 0);
    assert_int_equal(days, 30);
    assert_int_equal(score_set_cold_days(conn(), g.ws1.id, "customer", 80, &err), 0);
    assert_int_equal(score_set_cold_days(conn(), g.ws1.id, "prospect", 50, &err), 0);
    assert_int_equal(score_set_cold_days(conn(), g.ws1.id, "prospect", 45, &err), 0);
    assert_int_equal(score_cold_days(conn(), g.ws1.id, "customer", &days), 0);
    assert_int_equal(days, 80);
    assert_int_equal(score_cold_days(conn(), g.ws2.id, "customer", &days), 0);
    assert_int_equal(days, 60); /* per workspace */
    memset(&f, 0, sizeof(f));
    assert_int_equal(score_going_cold(conn(), g.ws1.id, g.owner1.id, now, NULL, 0, collect, &f,
                                      next, sizeof(next), &err),
                     0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.ids[0], p2);
    assert_int_equal(score_set_cold_days(conn(), g.ws1.id, "lead", 10, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "stage");
    assert_int_equal(score_set_cold_days(conn(), g.ws1.id, "customer", 0, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "days");
    assert_int_equal(score_cold_days(conn(), g.ws1.id, "lead", &days), PZ_EINVAL);
}

struct suggestions {
    int n;
    int64_t a[16], b[16], ids[16];
    char reasons[16][16];
    char details[16][NORMALIZE_MAX];
};

static void collect_suggestion(const struct dedup_suggestion *s, void *arg)
{
    struct suggestions *ss = arg;
    if (ss->n < 16) {
        ss->ids[ss->n] = s->id;
        ss->a[ss->n] = s->contact_a;
        ss->b[ss->n] = s->contact_b;
        snprintf(ss->reasons[ss->n], sizeof(ss->reasons[0]), "%s", s->reason);
        snprintf(ss->details[ss->n], sizeof(ss->details[0]), "%s", s->detail);
    }
    ss->n++;
}

static struct suggestions suggestions(int include_dismissed)
{
    struct suggestions ss;

    memset(&ss, 0, sizeof(ss));
    assert_int_equal(
        dedup_list(conn(), g.ws1.id, include_dismissed, 0, 100, collect_suggestion, &ss), 0);
    return ss;
}

static void test_dedup_suggestions(void **state)
{
    int64_t acme = organization("Acme"), beta = organization("Beta");
    int64_t a = person("Anna", "Bianchi"), b = person("Annina", "Bianchi");
    int64_t m1 = person("Giuseppe", "Verdi"),
            m2 = make_contact(g.ws1.id, NULL, NULL, NULL, "Verdi, Giuseppe");
    int64_t m3 = person("Gino", "Verdi");
    int64_t n1 = person("Luca", "Neri"), n2 = person("Luca", "Neri");
    int64_t s1 = person("Sara", "Blu"), s2 = person("Sara", "Blu");
    struct suggestions ss;
    long added = -1;
    (void)state;
    (void)s1;
    (void)s2;

    add_identity(a, "phone", "333 1234567");
    /* The same number as another contact's WhatsApp: only a merge of old data does this. */
    assert_int_equal(contact_identity_add_normalized(conn(), g.ws1.id, b, "whatsapp",
                                                     "+393331234567", "333 1234567", NULL, NULL),
                     0);
    member(m1, acme, NULL);
    member(m2, acme, NULL);
    member(m3, acme, NULL);
    member(n1, acme, NULL);
    member(n2, beta, NULL);
    /* One digit apart is not one name written two ways. */
    member(person("Agente 1", "Verdi"), acme, NULL);
    member(person("Agente 2", "Verdi"), acme, NULL);

    assert_int_equal(dedup_scan(conn(), g.ws1.id, &added), 0);
    assert_int_equal(added, 2);
    ss = suggestions(0);
    assert_int_equal(ss.n, 2);
    assert_int_equal(ss.a[0], a);
    assert_int_equal(ss.b[0], b);
    assert_string_equal(ss.reasons[0], "identity");
    assert_string_equal(ss.details[0], "+393331234567");
    assert_int_equal(ss.a[1], m1);
    assert_int_equal(ss.b[1], m2);
    assert_string_equal(ss.reasons[1], "name");
    assert_string_equal(ss.details[1], "Acme");
    /* Nothing on a name alone: the Luca Neri of two organizations, the two Sara Blu. */
    for (int i = 0; i < ss.n; i++)
        assert_false(ss.a[i] == n1 || ss.b[i] == n2 || ss.b[i] == s2);

    /* One edit apart, same organization. */
    {
        int64_t m4 = person("Giuseppe", "Verde");
        member(m4, acme, NULL);
        assert_int_equal(dedup_check_contact(conn(), g.ws1.id, m4, &added), 0);
        assert_int_equal(added, 2); /* with m1 and m2 */
    }
    assert_int_equal(dedup_scan(conn(), g.ws1.id, &added), 0);
    assert_int_equal(added, 0);

    /* Dismissed suggestions stay dismissed. */
    ss = suggestions(0);
    assert_int_equal(ss.n, 4);
    assert_int_equal(dedup_dismiss(conn(), g.ws1.id, ss.ids[1]), 0);
    assert_int_equal(suggestions(0).n, 3);
    assert_int_equal(suggestions(1).n, 4);
    assert_int_equal(dedup_scan(conn(), g.ws1.id, &added), 0);
    assert_int_equal(added, 0);
    assert_int_equal(suggestions(0).n, 3);
    assert_int_equal(dedup_dismiss(conn(), g.ws1.id, 999999), PZ_ENOTFOUND);
    assert_int_equal(dedup_dismiss(conn(), g.ws2.id, ss.ids[0]), PZ_ENOTFOUND);
}

static void collect_identity(const struct contact_identity *ident, void *arg)
{
    struct strings *ss = arg;
    if (ss->n < 16)
        snprintf(ss->items[ss->n], sizeof(ss->items[0]), "%s:%s", ident->kind, ident->value);
    ss->n++;
}

static void test_merge_keeps_everything(void **state)
{
    static const char *const levels[] = {"Gold", "Silver"};
    int64_t acme = organization("Acme"), beta = organization("Beta");
    int64_t keep = make_contact(g.ws1.id, NULL, "Mario", NULL, "Mario Rossi");
    int64_t gone = person("M.", "Rossi"), other = person("Zeno", "Altro");
    struct pz_err err = {0};
    struct contact_fields cf;
    struct contact c;
    struct strings ss;
    struct memberships ms;
    struct entries es;
    struct audit_row row;
    char want[64];
    int note = -1, merge = -1;
    (void)state;

    assert_int_equal(
        contact_field_define(conn(), g.ws1.id, "Livello", "choice", levels, 2, NULL, &err), 0);
    assert_int_equal(contact_field_define(conn(), g.ws1.id, "Codice", "text", NULL, 0, NULL, &err),
                     0);
    add_identity(keep, "email", "mario@acme.it");
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, keep, "vip", NULL, &err), 0);
    assert_int_equal(contact_field_set(conn(), g.ws1.id, keep, "Livello", "Gold", &err), 0);
    assert_int_equal(contact_note_append(conn(), g.ws1.id, keep, "Note di K.", NULL, &err), 0);
    interaction(keep, NOW, 10, "call", NULL, "out");
    member(keep, acme, "CEO");

    add_identity(gone, "email", "m.rossi@gmail.com");
    add_identity(gone, "phone", "333 1234567");
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, gone, "fiera", NULL, &err), 0);
    assert_int_equal(contact_tag_add(conn(), g.ws1.id, gone, "VIP", NULL, &err), 0);
    assert_int_equal(contact_field_set(conn(), g.ws1.id, gone, "Livello", "Silver", &err), 0);
    assert_int_equal(contact_field_set(conn(), g.ws1.id, gone, "Codice", "A-12", &err), 0);
    assert_int_equal(
        contact_consent_add(conn(), g.ws1.id, gone, "newsletter", "fiera", NOW, NULL, &err), 0);
    assert_int_equal(contact_note_append(conn(), g.ws1.id, gone, "Note di G.", NULL, &err), 0);
    interaction(gone, NOW, 20, "meeting", NULL, NULL);
    member(gone, acme, "CTO");
    member(gone, beta, "Socio");
    contact_fields_init(&cf);
    cf.owner_user_id = g.agent1.id;
    cf.relationship = "partner";
    assert_int_equal(contact_update(conn(), g.ws1.id, gone, &cf, 0, NULL, &err), 0);
    assert_int_equal(dedup_suggest(conn(), g.ws1.id, keep, gone, "name", "Acme", NULL), 0);
    assert_int_equal(dedup_suggest(conn(), g.ws1.id, gone, other, "identity", "x", NULL), 0);

    /* Refusals first: nothing changes. */
    assert_int_equal(contact_merge(conn(), g.ws1.id, keep, keep, 0, &err), PZ_EINVAL);
    assert_err(&err, "contact.merge_invalid", NULL);
    assert_int_equal(contact_merge(conn(), g.ws1.id, keep, acme, 0, &err), PZ_EINVAL);
    assert_err(&err, "contact.merge_invalid", NULL);
    assert_int_equal(contact_merge(conn(), g.ws1.id, keep, 999999, 0, &err), PZ_ENOTFOUND);
    assert_int_equal(count_rows("identities", "contact_id", gone), 2);

    assert_int_equal(contact_merge(conn(), g.ws1.id, keep, gone, g.owner1.id, &err), 0);
    assert_int_equal(contact_get(conn(), g.ws1.id, gone, &c), PZ_ENOTFOUND);
    contact_release(&c);
    memset(&ss, 0, sizeof(ss));
    assert_int_equal(contact_identities_each(conn(), g.ws1.id, keep, collect_identity, &ss), 0);
    assert_int_equal(ss.n, 3);
    assert_string_equal(ss.items[0], "email:m.rossi@gmail.com");
    assert_string_equal(ss.items[1], "email:mario@acme.it");
    assert_string_equal(ss.items[2], "phone:+393331234567");
    memset(&ss, 0, sizeof(ss));
    assert_int_equal(contact_tags_each(conn(), g.ws1.id, keep, collect_string, &ss), 0);
    assert_int_equal(ss.n, 2);
    assert_string_equal(ss.items[0], "fiera");
    assert_string_equal(ss.items[1], "vip");
    memset(&ss, 0, sizeof(ss));
    assert_int_equal(contact_field_values_each(conn(), g.ws1.id, keep, collect_value, &ss), 0);
    assert_int_equal(ss.n, 2);
    assert_string_equal(ss.items[0], "Codice=A-12");
    assert_string_equal(ss.items[1], "Livello=Gold");
    assert_int_equal(count_rows("consents", "contact_id", keep), 1);
    memset(&ms, 0, sizeof(ms));
    assert_int_equal(contact_memberships_each(conn(), g.ws1.id, keep, collect_membership, &ms), 0);
    assert_int_equal(ms.n, 2);
    assert_string_equal(ms.lines[0], "Mario Rossi|Acme|CEO");
    assert_string_equal(ms.lines[1], "Mario Rossi|Beta|Socio");

    es = timeline_of(keep);
    assert_int_equal(count_kind(&es, "call"), 1);
    assert_int_equal(count_kind(&es, "meeting"), 1);
    assert_int_equal(count_kind(&es, "merge"), 1);
    assert_int_equal(count_kind(&es, "note"), 1);
    for (int i = 0; i < es.n; i++) {
        if (strcmp(es.kinds[i], "note") == 0)
            note = i;
        if (strcmp(es.kinds[i], "merge") == 0)
            merge = i;
    }
    assert_non_null(strstr(es.bodies[note], "- Livello: Silver"));
    assert_non_null(strstr(es.bodies[note], "- Acme: CTO"));
    snprintf(want, sizeof(want), "M. Rossi (#%lld)", (long long)gone);
    assert_string_equal(es.bodies[merge], want);
    assert_int_equal(es.authors[merge], g.owner1.id);

    assert_int_equal(contact_get(conn(), g.ws1.id, keep, &c), 0);
    assert_string_equal(c.display_name, "Mario Rossi");
    assert_string_equal(c.given_name, "Mario");
    assert_string_equal(c.family_name, "Rossi");
    assert_string_equal(c.notes_md, "Note di K.\n\nNote di G.");
    assert_int_equal(c.owner_user_id, g.agent1.id);
    assert_string_equal(c.relationship, "partner");
    assert_true(c.strength > 0); /* recomputed */
    contact_release(&c);
    assert_true(has_id((const struct found[]){search("gmail")}, keep));
    /* Suggestions of the merged contact are gone, and none points at KEEP itself. */
    {
        struct suggestions s = suggestions(1);
        for (int i = 0; i < s.n; i++)
            assert_false(s.a[i] == gone || s.b[i] == gone);
    }
    memset(&row, 0, sizeof(row));
    assert_int_equal(audit_list(conn(), g.ws1.id, 0, 1, copy_audit, &row), 0);
    assert_string_equal(row.action, "contact.merge");
    snprintf(want, sizeof(want), "contact:%lld", (long long)keep);
    assert_string_equal(row.target, want);
    snprintf(want, sizeof(want), "merged contact:%lld", (long long)gone);
    assert_string_equal(row.detail, want);

    /* Two organizations: the people of the merged one move, with their search text. */
    member(other, beta, "Socio");
    assert_int_equal(contact_merge(conn(), g.ws1.id, acme, beta, 0, &err), 0);
    memset(&ms, 0, sizeof(ms));
    assert_int_equal(contact_memberships_each(conn(), g.ws1.id, acme, collect_membership, &ms), 0);
    assert_int_equal(ms.n, 2);
    assert_false(has_id((const struct found[]){search("beta")}, other));
    assert_true(has_id((const struct found[]){search("acme")}, other));
}

/* A record as a reader would give it. */
static void record_init(struct import_contact *rec, const char *full, const char *given,
                        const char *family)
{
    memset(rec, 0, sizeof(*rec));
    rec->file = "rubrica.vcf";
    rec->line = 1;
    rec->full_name = full;
    rec->given_name = given;
    rec->family_name = family;
    rec->connected_on = -1;
}

static void record_ident(struct import_contact *rec, const char *kind, const char *value)
{
    rec->identities[rec->n_identities].kind = kind;
    rec->identities[rec->n_identities].value = value;
    rec->identities[rec->n_identities].label = "work";
    rec->n_identities++;
}

static int64_t begin_run(const char *sha)
{
    struct pz_err err = {0};
    int64_t run = 0;
    assert_int_equal(
        import_run_begin(conn(), g.ws1.id, g.owner1.id, "vcard", "rubrica.vcf", sha, &run, &err),
        0);
    return run;
}

/* Imports REC in RUN and checks the counts it added. */
static void import_one(int64_t run, const struct import_contact *rec, long created, long updated,
                       long unchanged, long duplicates)
{
    struct contacts_import_counts counts = {0, 0, 0, 0};
    struct pz_err err = {0};
    int r = contacts_import_record(conn(), g.ws1.id, run, NULL, rec, &counts, &err);

    if (r != 0)
        fail_msg("import of %s failed (%d): %s", rec->full_name ? rec->full_name : "?", r,
                 err.message);
    if (counts.created != created || counts.updated != updated || counts.unchanged != unchanged ||
        counts.duplicates_suggested != duplicates)
        fail_msg("%s: created %ld updated %ld unchanged %ld duplicates %ld, want %ld %ld %ld %ld",
                 rec->full_name ? rec->full_name : "?", counts.created, counts.updated,
                 counts.unchanged, counts.duplicates_suggested, created, updated, unchanged,
                 duplicates);
}

static int64_t by_identity(const char *kind, const char *value)
{
    struct pz_err err = {0};
    int64_t id = 0;
    assert_int_equal(contact_find_identity(conn(), g.ws1.id, kind, value, NULL, &id, &err), 0);
    return id;
}

static void test_import_record(void **state)
{
    struct import_contact rec;
    struct contacts_import_counts counts = {0, 0, 0, 0};
    struct pz_err err = {0};
    struct contact c;
    struct entries es;
    struct memberships ms;
    struct strings ss;
    struct import_run run_row;
    int64_t run1 = begin_run(SHA_A), run2, run3, mario, anna, found = 0;
    long before;
    (void)state;

    /* A new person, with organization, title, tag, note and identities. */
    record_init(&rec, "Mario Rossi", "Mario", "Rossi");
    rec.organization = "Acme S.r.l.";
    rec.title = "CEO";
    rec.note = "Conosciuto a Verona";
    rec.tags[0] = "Clienti";
    rec.n_tags = 1;
    record_ident(&rec, "email", "Mario.Rossi@Acme.it");
    record_ident(&rec, "phone", "333 1234567");
    record_ident(&rec, "phone", "   ");
    record_ident(&rec, "whatsapp", "+39 333 123 4567"); /* the same number again */
    record_ident(&rec, "linkedin", "https://www.linkedin.com/in/mariorossi/");
    import_one(run1, &rec, 1, 0, 0, 0);
    mario = by_identity("email", "mario.rossi@acme.it");
    assert_int_equal(contact_get(conn(), g.ws1.id, mario, &c), 0);
    assert_string_equal(c.display_name, "Mario Rossi");
    assert_string_equal(c.family_name, "Rossi");
    assert_string_equal(c.notes_md, "Conosciuto a Verona");
    assert_int_equal(c.owner_user_id, g.owner1.id);
    contact_release(&c);
    assert_int_equal(count_rows("identities", "contact_id", mario), 3);
    memset(&ms, 0, sizeof(ms));
    assert_int_equal(contact_memberships_each(conn(), g.ws1.id, mario, collect_membership, &ms), 0);
    assert_int_equal(ms.n, 1);
    assert_string_equal(ms.lines[0], "Mario Rossi|Acme S.r.l.|CEO");
    memset(&ss, 0, sizeof(ss));
    assert_int_equal(contact_tags_each(conn(), g.ws1.id, mario, collect_string, &ss), 0);
    assert_int_equal(ss.n, 1);
    es = timeline_of(mario);
    assert_int_equal(count_kind(&es, "import"), 1);
    assert_string_equal(es.outcomes[0], "created");
    assert_string_equal(es.bodies[0], "rubrica.vcf");

    /* The same file again: nothing created, nothing written. */
    run2 = begin_run(SHA_A);
    import_one(run2, &rec, 0, 0, 1, 0);
    assert_int_equal(count_kind((const struct entries[]){timeline_of(mario)}, "import"), 1);
    assert_int_equal(count_rows("identities", "contact_id", mario), 3);

    /* Another file writes his mobile differently and adds an address. */
    record_init(&rec, "M. Rossi", NULL, NULL);
    record_ident(&rec, "phone", "(+39) 333-123.4567");
    record_ident(&rec, "email", "mario@gmail.com");
    import_one(run2, &rec, 0, 1, 0, 0);
    assert_int_equal(by_identity("email", "mario@gmail.com"), mario);
    assert_int_equal(count_kind((const struct entries[]){timeline_of(mario)}, "import"), 2);
    assert_int_equal(contact_get(conn(), g.ws1.id, mario, &c), 0);
    assert_string_equal(c.display_name, "Mario Rossi"); /* not renamed */
    contact_release(&c);

    /* Identities of two contacts: the first is updated, a duplicate suggested. */
    anna = person("Anna", "Bianchi");
    add_identity(anna, "phone", "06 1234 5678");
    record_init(&rec, "Mario R.", NULL, NULL);
    record_ident(&rec, "email", "MARIO@gmail.com");
    record_ident(&rec, "phone", "+39 06 1234 5678");
    import_one(run2, &rec, 0, 0, 1, 1);
    assert_int_equal(by_identity("phone", "0612345678"), anna);
    {
        struct suggestions s = suggestions(0);
        assert_int_equal(s.n, 1);
        assert_int_equal(s.a[0], mario);
        assert_int_equal(s.b[0], anna);
        assert_string_equal(s.details[0], "+390612345678");
    }

    /* A bad identity skips the record; so does an empty one. */
    before = count_rows("contacts", "workspace_id", g.ws1.id);
    record_init(&rec, "Chiara Verdi", NULL, NULL);
    record_ident(&rec, "email", "chiara@verdi.it");
    record_ident(&rec, "phone", "chiamami");
    assert_int_equal(contacts_import_record(conn(), g.ws1.id, run2, NULL, &rec, &counts, &err),
                     PZ_EINVAL);
    assert_err(&err, "contact.identity_invalid", NULL);
    assert_non_null(strstr(err.message, "chiamami"));
    record_init(&rec, "  ", NULL, NULL);
    assert_int_equal(contacts_import_record(conn(), g.ws1.id, run2, NULL, &rec, &counts, &err),
                     PZ_EINVAL);
    assert_err(&err, "import.empty_record", NULL);
    assert_int_equal(count_rows("contacts", "workspace_id", g.ws1.id), before);
    assert_int_equal(counts.created + counts.updated + counts.unchanged, 0);
    assert_int_equal(contacts_import_record(conn(), g.ws1.id, 999999, NULL, &rec, &counts, &err),
                     PZ_ENOTFOUND);

    /* No identity: the same record of the same file is recognized, never a name elsewhere. */
    record_init(&rec, "Solo Nome", NULL, NULL);
    import_one(run1, &rec, 1, 0, 0, 0);
    import_one(run2, &rec, 0, 0, 1, 0); /* run2 read the same file (SHA_A) */
    run3 = begin_run(SHA_B);
    import_one(run3, &rec, 1, 0, 0, 0);
    assert_int_equal(search("solo nome").n, 2);

    /* LinkedIn: connected on, once; a new title updates. */
    record_init(&rec, "Giulia Neri", "Giulia", "Neri");
    rec.organization = "Beta";
    rec.title = "CTO";
    rec.connected_on = NOW - 100 * DAY;
    record_ident(&rec, "linkedin", "https://www.linkedin.com/in/giulianeri");
    import_one(run3, &rec, 1, 0, 0, 0);
    found = by_identity("linkedin", "linkedin.com/in/GiuliaNeri");
    es = timeline_of(found);
    assert_int_equal(count_kind(&es, "connected"), 1);
    assert_int_equal(count_kind(&es, "import"), 1);
    assert_int_equal(es.at[1], NOW - 100 * DAY);
    import_one(run3, &rec, 0, 0, 1, 0);
    rec.title = "CEO";
    import_one(run3, &rec, 0, 1, 0, 0);
    memset(&ms, 0, sizeof(ms));
    assert_int_equal(contact_memberships_each(conn(), g.ws1.id, found, collect_membership, &ms), 0);
    assert_string_equal(ms.lines[0], "Giulia Neri|Beta|CEO");

    /* An organization's own card finds the organization. */
    record_init(&rec, NULL, NULL, NULL);
    rec.organization = "ACME srl";
    record_ident(&rec, "website", "www.acme.it");
    import_one(run3, &rec, 0, 1, 0, 0);
    assert_int_equal(contact_org_find(conn(), g.ws1.id, "Acme", &found), PZ_ENOTFOUND);
    assert_int_equal(contact_org_find(conn(), g.ws1.id, "acme s.r.l.", &found), 0);
    assert_int_equal(by_identity("website", "https://www.acme.it/"), found);

    /* A colleague with a similar name is suggested, not merged. */
    record_init(&rec, "Rossi Mario", NULL, NULL);
    rec.organization = "Acme S.r.l.";
    record_ident(&rec, "email", "mr@acme.it");
    import_one(run3, &rec, 1, 0, 0, 1);
    assert_true(by_identity("email", "mr@acme.it") != mario);

    /* The run row. */
    counts.created = 5;
    counts.updated = 3;
    counts.unchanged = 2;
    counts.duplicates_suggested = 2;
    assert_int_equal(import_run_finish(conn(), g.ws1.id, run3, "done", 13, &counts, 1,
                                       "[{\"file\":\"rubrica.vcf\",\"line\":12,"
                                       "\"message\":\"bad\"}]"),
                     0);
    assert_int_equal(import_run_get(conn(), g.ws1.id, run3, &run_row), 0);
    assert_string_equal(run_row.status, "done");
    assert_string_equal(run_row.format, "vcard");
    assert_string_equal(run_row.file_name, "rubrica.vcf");
    assert_string_equal(run_row.sha256, SHA_B);
    assert_int_equal(run_row.user_id, g.owner1.id);
    assert_int_equal(run_row.records, 13);
    assert_int_equal(run_row.created, 5);
    assert_int_equal(run_row.skipped, 1);
    assert_true(run_row.finished_at >= run_row.started_at);
    assert_non_null(strstr(run_row.errors_json, "\"line\":12"));
    import_run_release(&run_row);
    assert_int_equal(import_run_find_sha256(conn(), g.ws1.id, SHA_B, &found), 0);
    assert_int_equal(found, run3);
    assert_int_equal(import_run_find_sha256(conn(), g.ws1.id, SHA_A, &found), PZ_ENOTFOUND);
    assert_int_equal(import_run_finish(conn(), g.ws1.id, run1, "done", 0, NULL, 0, "{}"),
                     PZ_EINVAL);
    assert_int_equal(import_run_finish(conn(), g.ws1.id, run1, "maybe", 0, NULL, 0, NULL),
                     PZ_EINVAL);
    assert_int_equal(import_run_finish(conn(), g.ws1.id, run1, "refused", 0, NULL, 0, NULL), 0);
    assert_int_equal(import_run_finish(conn(), g.ws2.id, run1, "refused", 0, NULL, 0, NULL),
                     PZ_ENOTFOUND);
    assert_int_equal(import_run_begin(conn(), g.ws1.id, 0, "vcard", "x.vcf", "abc", &found, &err),
                     PZ_EINVAL);
    assert_err(&err, "request.invalid", "sha256");
    assert_int_equal(import_run_begin(conn(), g.ws1.id, 0, "VCard!", "x.vcf", SHA_A, &found, &err),
                     PZ_EINVAL);
    assert_err(&err, "request.invalid", "format");
}

static void count_run(const struct import_run *run, void *arg)
{
    (void)run;
    (*(int *)arg)++;
}

static void test_import_runs_list_and_reindex(void **state)
{
    int n = 0;
    long done = 0;
    int64_t a;
    (void)state;

    begin_run(SHA_A);
    begin_run(SHA_B);
    assert_int_equal(import_run_list(conn(), g.ws1.id, 0, 10, count_run, &n), 0);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(import_run_list(conn(), g.ws2.id, 0, 10, count_run, &n), 0);
    assert_int_equal(n, 0);

    /* The search index is derived: wiped, it is rebuilt. */
    a = person("Ren\xC3\xA9", "Rebuild");
    assert_int_equal(pz_sql_exec(conn(), "UPDATE contacts SET search_text = '', sort_name = ''"),
                     0);
    assert_int_equal(search("rene").n, 0);
    assert_int_equal(contact_reindex_all(conn(), g.ws1.id, &done), 0);
    assert_int_equal(done, 1);
    assert_int_equal(search("rene").ids[0], a);
}

/* --- upgrading an older database (migration 0016) -------------------------------------------- */

static void dump_identity(const struct contact_identity *i, void *arg)
{
    pz_buf_printf(arg, "  identity %lld %s %s [%s] %s %lld\n", (long long)i->id, i->kind, i->value,
                  i->original, i->label, (long long)i->created_at);
}

static void dump_entry(const struct timeline_entry *e, void *arg)
{
    pz_buf_printf(arg, "  entry %lld %lld %s %s %s %s %s %lld %s %lld %d\n", (long long)e->id,
                  (long long)e->at, e->kind, e->channel, e->direction, e->outcome,
                  e->body ? e->body : "-", (long long)e->author_user_id, e->source_kind,
                  (long long)e->source_id, e->interaction);
}

static void dump_contact_id(const struct contact *c, void *arg)
{
    struct pz_buf *ids = arg;
    pz_buf_printf(ids, "%lld %s\n", (long long)c->id, c->display_name);
}

/* Every contact of workspace WS with its identities and timeline, as the API reads them, and
 * what searches for each identity find. */
static char *dump_workspace(struct pz_conn *c, int64_t ws)
{
    struct pz_buf out, ids, found;
    struct contact_query q;
    struct pz_err err = {0};
    char next[CONTACT_CURSOR_MAX], tnext[TIMELINE_CURSOR_MAX];
    const char *p;

    pz_buf_init(&out, 1 << 20);
    pz_buf_init(&ids, 1 << 20);
    contact_query_init(&q);
    q.sort = CONTACT_SORT_NEWEST;
    q.limit = CONTACT_LIST_MAX;
    assert_int_equal(contact_list(c, ws, &q, dump_contact_id, &ids, next, sizeof(next), &err), 0);
    assert_string_equal(next, "");
    for (p = pz_buf_str(&ids); *p; p = strchr(p, '\n') + 1) {
        int64_t id = strtoll(p, NULL, 10);
        pz_buf_printf(&out, "contact %.*s\n", (int)(strchr(p, '\n') - p), p);
        assert_int_equal(contact_identities_each(c, ws, id, dump_identity, &out), 0);
        assert_int_equal(
            timeline_list(c, ws, id, NULL, 0, dump_entry, &out, tnext, sizeof(tnext), &err), 0);
        assert_string_equal(tnext, "");
    }
    /* Search by each identity's value finds its contact. */
    pz_buf_init(&found, 1 << 16);
    {
        struct pz_stmt *st = pz_sql(c, "SELECT value_normalized, contact_id FROM identities"
                                       " WHERE workspace_id = $1 ORDER BY id");
        char values[64][128];
        int64_t owners[64];
        int n = 0;
        assert_non_null(st);
        pz_sql_bind_int(st, 1, ws);
        while (pz_sql_step(st) == PZ_SQL_ROW && n < 64) {
            snprintf(values[n], sizeof(values[n]), "%s", pz_sql_text(st, 0));
            owners[n++] = pz_sql_int(st, 1);
        }
        pz_sql_done(st);
        for (int i = 0; i < n; i++) {
            char want[32];
            pz_buf_reset(&found);
            pz_buf_addch(&found, '\n');
            contact_query_init(&q);
            q.q = values[i];
            assert_int_equal(
                contact_list(c, ws, &q, dump_contact_id, &found, next, sizeof(next), &err), 0);
            pz_buf_printf(&out, "search %s ->%s", values[i], pz_buf_str(&found));
            snprintf(want, sizeof(want), "\n%lld ", (long long)owners[i]);
            if (!strstr(pz_buf_str(&found), want))
                fail_msg("searching %s found [%s], not contact %lld", values[i], pz_buf_str(&found),
                         (long long)owners[i]);
        }
    }
    pz_buf_release(&found);
    pz_buf_release(&ids);
    return pz_buf_detach(&out, NULL);
}

static void test_upgrade_keeps_identities(void **state)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    struct pz_store *store = NULL;
    struct pz_conn *c;
    struct workspace ws;
    struct pz_err err = {0};
    struct import_contact rec;
    struct contacts_import_counts counts = {0, 0, 0, 0};
    struct timeline_new e;
    char path[160], *before, *after;
    int64_t run = 0, mario = 0, other = 0, n = 0;
    int applied = 0;
    (void)state;

    snprintf(path, sizeof(path), "%s/upgrade.db", g.dir);
    assert_int_equal(pz_store_open(&store, path), 0);
    c = pz_store_conn(store);
    /* The schema as it was before 0016. */
    assert_int_equal(pz_sql_exec(c, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                                    " name TEXT NOT NULL, applied_at INTEGER NOT NULL)"),
                     0);
    for (int i = 0; i < pz_n_migrations && pz_migrations[i].version < 16; i++) {
        struct pz_stmt *st;
        assert_int_equal(pz_sql_exec(c, pz_migrations[i].sql), 0);
        st = pz_sql(c,
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)");
        assert_non_null(st);
        pz_sql_bind_int(st, 1, pz_migrations[i].version);
        pz_sql_bind_text(st, 2, pz_migrations[i].name);
        assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
        pz_sql_done(st);
    }
    assert_int_equal(pz_sql_int_query(c,
                                      "SELECT COUNT(*) FROM sqlite_master WHERE name ="
                                      " 'identities_value'",
                                      &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, 1);

    /* Contacts with identities of every kind, imported and typed, and their timelines. */
    assert_int_equal(workspace_create(c, "Vecchia", "vecchia", NULL, NULL, &ws, &err), 0);
    assert_int_equal(import_run_begin(c, ws.id, 0, "vcard", "vecchia.vcf", SHA_A, &run, &err), 0);
    record_init(&rec, "Mario Rossi", "Mario", "Rossi");
    rec.organization = "Acme S.r.l.";
    rec.title = "CEO";
    record_ident(&rec, "email", "Mario.Rossi@Acme.it");
    record_ident(&rec, "phone", "333 1234567");
    record_ident(&rec, "linkedin", "https://www.linkedin.com/in/mariorossi/?trk=x");
    assert_int_equal(contacts_import_record(c, ws.id, run, NULL, &rec, &counts, &err), 0);
    record_init(&rec, "Anna Bianchi", "Anna", "Bianchi");
    rec.organization = "Acme S.r.l.";
    record_ident(&rec, "email", "anna@acme.it");
    record_ident(&rec, "telegram", "+39 347 765 4321");
    record_ident(&rec, "website", "https://anna.example.it/");
    rec.connected_on = NOW - 30 * DAY;
    assert_int_equal(contacts_import_record(c, ws.id, run, NULL, &rec, &counts, &err), 0);
    assert_int_equal(counts.created, 2);
    assert_int_equal(pz_sql_int_query(c,
                                      "SELECT contact_id FROM identities WHERE workspace_id = $1"
                                      " AND value_normalized = 'mario.rossi@acme.it'",
                                      &mario, "i", ws.id),
                     PZ_SQL_ROW);
    assert_int_equal(contact_identity_add(c, ws.id, mario, "whatsapp", "+39 333 765 0000",
                                          "personale", NULL, NULL, NULL, &err),
                     0);
    assert_int_equal(
        contact_identity_add(c, ws.id, mario, "x", "@mariorossi", NULL, NULL, NULL, NULL, &err), 0);
    timeline_new_init(&e);
    e.contact_id = mario;
    e.at = NOW - 3 * DAY;
    e.kind = "call";
    e.direction = "out";
    e.duration_s = 120;
    e.outcome = "answered";
    e.body = "Offerta *inviata*";
    assert_int_equal(timeline_add(c, ws.id, &e, NULL, &err), 0);
    assert_int_equal(import_run_finish(c, ws.id, run, "done", 2, &counts, 0, NULL), 0);
    before = dump_workspace(c, ws.id);
    assert_non_null(strstr(before, "identity"));
    assert_non_null(strstr(before, "entry"));

    /* Upgraded: the same contacts, identities, entries and search answers. */
    assert_int_equal(pz_store_migrate(store, &applied), 0);
    assert_true(applied >= 1);
    after = dump_workspace(c, ws.id);
    assert_string_equal(after, before);
    assert_int_equal(pz_sql_int_query(c,
                                      "SELECT COUNT(*) FROM sqlite_master WHERE name ="
                                      " 'identities_value'",
                                      &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, 0);
    /* Identities are still unique in the workspace, across phone-like kinds too. */
    assert_int_equal(pz_sql_int_query(c,
                                      "SELECT contact_id FROM identities WHERE workspace_id = $1"
                                      " AND value_normalized = 'anna@acme.it'",
                                      &other, "i", ws.id),
                     PZ_SQL_ROW);
    assert_int_equal(contact_identity_add(c, ws.id, other, "email", "MARIO.ROSSI@acme.it", NULL,
                                          NULL, NULL, NULL, &err),
                     PZ_EEXIST);
    assert_int_equal(contact_identity_add(c, ws.id, other, "whatsapp", "333 1234567", NULL, NULL,
                                          NULL, NULL, &err),
                     PZ_EEXIST);
    /* 0018 rebuilt contacts, identities and conversations with their CHECKs as comparisons,
     * references unchecked: they are checked again, every reference holds, the constraints
     * still refuse what they refused and deleting a contact still takes its rows along. */
    assert_int_equal(pz_sql_int_query(c, "PRAGMA foreign_keys", &n, ""), PZ_SQL_ROW);
    assert_int_equal(n, 1);
    assert_int_equal(pz_sql_int_query(c, "SELECT COUNT(*) FROM pragma_foreign_key_check", &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, 0);
    assert_int_equal(pz_sql_int_query(c,
                                      "SELECT COUNT(*) FROM sqlite_master WHERE name IN"
                                      " ('contacts', 'identities', 'conversations')"
                                      " AND sql NOT LIKE '%IN (%'",
                                      &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, 3);
    assert_true(pz_sql_exec(c, "UPDATE contacts SET stage = 'amico' WHERE id = (SELECT MIN(id)"
                               " FROM contacts)") < 0);
    assert_true(pz_sql_exec(c, "UPDATE contacts SET relationship = 'amico' WHERE id = (SELECT"
                               " MIN(id) FROM contacts)") < 0);
    assert_true(pz_sql_exec(c, "UPDATE identities SET kind = 'fax' WHERE id = (SELECT MIN(id)"
                               " FROM identities)") < 0);
    assert_int_equal(pz_sql_exec(c, "UPDATE contacts SET stage = 'customer',"
                                    " relationship = 'supplier' WHERE id = (SELECT MIN(id)"
                                    " FROM contacts WHERE kind = 'person')"),
                     0);
    {
        struct pz_stmt *st = pz_sql(c, "DELETE FROM contacts WHERE workspace_id = $1 AND id = $2");
        assert_non_null(st);
        pz_sql_bind_int(st, 1, ws.id);
        pz_sql_bind_int(st, 2, other);
        assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
        pz_sql_done(st);
    }
    assert_int_equal(
        pz_sql_int_query(c,
                         "SELECT (SELECT COUNT(*) FROM identities WHERE contact_id = $1)"
                         " + (SELECT COUNT(*) FROM timeline_entries WHERE"
                         " contact_id = $1) + (SELECT COUNT(*) FROM memberships"
                         " WHERE person_id = $1)",
                         &n, "i", other),
        PZ_SQL_ROW);
    assert_int_equal(n, 0);
    free(before);
    free(after);
    pz_store_close(store);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(path, sizeof(path), "%s/upgrade.db%s", g.dir, suffixes[i]);
        unlink(path);
    }
}

/* --- the search trigger around an import (sq_text_defer drops it for the transaction) ---- */

static int64_t search_trigger_count(void)
{
    int64_t n = -1;
    assert_int_equal(pz_sql_int_query(conn(),
                                      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"
                                      " AND name = 'contacts_search_insert'",
                                      &n, ""),
                     PZ_SQL_ROW);
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* The contacts a search for Q finds, as "id name\n" lines. */
static void search_names(const char *q, struct pz_buf *out)
{
    struct contact_query cq;
    struct pz_err err = {0};
    char next[CONTACT_CURSOR_MAX];

    pz_buf_reset(out);
    contact_query_init(&cq);
    cq.q = q;
    assert_int_equal(
        contact_list(conn(), g.ws1.id, &cq, dump_contact_id, out, next, sizeof(next), &err), 0);
}

static void test_import_keeps_search_trigger(void **state)
{
    struct import_batch b;
    struct pz_buf found;
    char good[160], bad[160];
    int64_t id = make_contact(g.ws1.id, "person", "Prima", "Dopo", NULL);
    (void)state;

    snprintf(good, sizeof(good), "%s/trigger-good.vcf", g.dir);
    snprintf(bad, sizeof(bad), "%s/trigger-bad.vcf", g.dir);
    write_file(good, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ottavio Zanzotto\r\n"
                     "EMAIL:ottavio@zanzotto.it\r\nEND:VCARD\r\n");
    write_file(bad, "questo non e' un vCard\r\n");
    pz_buf_init(&found, 4096);
    assert_int_equal(search_trigger_count(), 1);

    /* A file committed: its contacts are found, and the trigger is back for the next ones. */
    memset(&b, 0, sizeof(b));
    b.conn = conn();
    b.workspace_id = g.ws1.id;
    b.own_tx = 1;
    assert_int_equal(import_batch_file(&b, good, "trigger-good.vcf", "vcard"), 0);
    assert_int_equal(b.counts.created, 1);
    assert_int_equal(search_trigger_count(), 1);
    search_names("zanzotto", &found);
    assert_non_null(strstr(pz_buf_str(&found), "Ottavio Zanzotto"));

    /* A file refused inside its transaction: rolled back, trigger and all. */
    assert_int_equal(import_batch_file(&b, bad, "trigger-bad.vcf", "vcard"), 1);
    assert_int_equal(search_trigger_count(), 1);
    assert_int_equal(
        pz_sql_int_query(conn(), "SELECT COUNT(*) FROM contacts_search_deferred", &id, ""),
        PZ_SQL_ROW);
    assert_int_equal(id, 0);

    /* A contact made afterwards is indexed by the trigger, row by row as before. */
    make_contact(g.ws1.id, "person", "Quirino", "Zanzotto", NULL);
    search_names("quirino", &found);
    assert_non_null(strstr(pz_buf_str(&found), "Quirino Zanzotto"));
    search_names("zanzotto", &found);
    assert_non_null(strstr(pz_buf_str(&found), "Ottavio Zanzotto"));
    assert_non_null(strstr(pz_buf_str(&found), "Quirino Zanzotto"));

    /* A dry run never finishes its run, yet leaves the page cache as it found it. */
    b.dry_run = 1;
    assert_int_equal(import_batch_file(&b, good, "trigger-good.vcf", "vcard"), 0);
    assert_int_equal(pz_sql_int_query(conn(), "PRAGMA cache_size", &id, ""), PZ_SQL_ROW);
    assert_int_equal(id, -2000);
    assert_int_equal(pz_sql_int_query(conn(),
                                      "SELECT COUNT(*) FROM import_runs WHERE status"
                                      " NOT IN ('done', 'refused', 'failed')",
                                      &id, ""),
                     PZ_SQL_ROW);
    assert_int_equal(id, 0);

    import_batch_release(&b);
    pz_buf_release(&found);
    unlink(good);
    unlink(bad);
}

/* How many contacts the search index alone names for WORD (0 when none). */
static int64_t index_names(const char *word)
{
    char q[256] = "", sql[300];
    int64_t n = -1;

    assert_int_equal(pz_store_text_query_add(conn(), q, sizeof(q), word, strlen(word)), 1);
    assert_int_equal(pz_store_text_candidates(conn(), "contacts", 1, sql, sizeof(sql)), 0);
    {
        char count[400];
        snprintf(count, sizeof(count), "SELECT COUNT(*) FROM (%s)", sql);
        assert_int_equal(pz_sql_int_query(conn(), count, &n, "t", q), PZ_SQL_ROW);
    }
    return n;
}

static int64_t text_pending(void)
{
    int64_t waiting = -1;
    assert_int_equal(pz_store_text_pending(conn(), "contacts", &waiting), 0);
    return waiting;
}

/* A big file leaves its contacts to be indexed after its commit (pz_store_text_leave):
 * search still finds them, changes meanwhile are not lost, and a catch-up of its own
 * indexes them all. */
static void test_import_index_later(void **state)
{
    struct import_batch b;
    struct pz_buf found;
    struct pz_err err = {0};
    char big[160], small[160];
    int64_t vera = 0, n = 0;
    (void)state;

    make_contact(g.ws1.id, "person", "Prima", "Dopo", NULL);
    snprintf(big, sizeof(big), "%s/later-big.vcf", g.dir);
    snprintf(small, sizeof(small), "%s/later-small.vcf", g.dir);
    write_file(big, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ottavio Zanzotto\r\n"
                    "EMAIL:ottavio@zanzotto.it\r\nEND:VCARD\r\n"
                    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ugo Zanzotto\r\nEND:VCARD\r\n"
                    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vera Rizzi\r\nTEL:333 1234567\r\n"
                    "END:VCARD\r\n");
    write_file(small, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zeno Zanzotto\r\nEND:VCARD\r\n");
    pz_buf_init(&found, 4096);
    assert_int_equal(text_pending(), 0);

    /* A dry run leaves nothing behind. */
    memset(&b, 0, sizeof(b));
    b.conn = conn();
    b.workspace_id = g.ws1.id;
    b.own_tx = 1;
    b.index_later_min = 2;
    b.dry_run = 1;
    assert_int_equal(import_batch_file(&b, big, "later-big.vcf", "vcard"), 0);
    assert_int_equal(b.index_left, 0);
    assert_int_equal(text_pending(), 0);

    /* Three new contacts, at least two: left to be indexed later, the trigger back. */
    b.dry_run = 0;
    memset(&b.counts, 0, sizeof(b.counts));
    assert_int_equal(import_batch_file(&b, big, "later-big.vcf", "vcard"), 0);
    assert_int_equal(b.counts.created, 3);
    assert_int_equal(b.index_left, 1);
    assert_int_equal(text_pending(), 3);
    assert_int_equal(search_trigger_count(), 1);
    assert_int_equal(index_names("zanzotto"), 0);
    assert_int_equal(index_names("dopo"), 1);
    /* Search reads the rows themselves meanwhile. */
    search_names("zanzotto", &found);
    assert_non_null(strstr(pz_buf_str(&found), "Ottavio Zanzotto"));
    assert_non_null(strstr(pz_buf_str(&found), "Ugo Zanzotto"));
    search_names("3331234567", &found);
    assert_non_null(strstr(pz_buf_str(&found), "Vera Rizzi"));
    search_names("dopo", &found);
    assert_non_null(strstr(pz_buf_str(&found), "Prima Dopo"));

    /* A change to a waiting contact, and a small file while they wait: both wait too. */
    assert_int_equal(pz_sql_int_query(conn(),
                                      "SELECT id FROM contacts WHERE display_name = 'Vera Rizzi'",
                                      &vera, ""),
                     PZ_SQL_ROW);
    assert_int_equal(contact_identity_add(conn(), g.ws1.id, vera, "email", "vera@quercia.it", NULL,
                                          NULL, NULL, NULL, &err),
                     0);
    b.index_later_min = 1000;
    b.index_left = 0;
    assert_int_equal(import_batch_file(&b, small, "later-small.vcf", "vcard"), 0);
    assert_int_equal(b.counts.created, 4);
    assert_int_equal(b.index_left, 0);
    assert_int_equal(text_pending(), 4);
    search_names("zanzotto", &found);
    assert_non_null(strstr(pz_buf_str(&found), "Zeno Zanzotto"));
    search_names("quercia", &found);
    assert_non_null(strstr(pz_buf_str(&found), "Vera Rizzi"));
    assert_int_equal(index_names("quercia"), 0);

    /* The catch-up, in a transaction of its own: everything indexed, as the rows are now. */
    assert_int_equal(pz_tx_begin(conn()), 0);
    assert_int_equal(pz_store_text_catch_up(conn(), "contacts"), 0);
    assert_int_equal(pz_tx_commit(conn()), 0);
    assert_int_equal(text_pending(), 0);
    assert_int_equal(search_trigger_count(), 1);
    assert_int_equal(index_names("zanzotto"), 3);
    assert_int_equal(index_names("quercia"), 1);
    assert_int_equal(index_names("3331234567"), 1);
    assert_int_equal(pz_sql_exec(conn(), "INSERT INTO contacts_search (contacts_search, rank)"
                                         " VALUES ('integrity-check', 1)"),
                     0);
    search_names("zanzotto", &found);
    assert_non_null(strstr(pz_buf_str(&found), "Ottavio Zanzotto"));
    assert_non_null(strstr(pz_buf_str(&found), "Zeno Zanzotto"));
    /* Rows added afterwards are indexed one by one again. */
    make_contact(g.ws1.id, "person", "Quirino", "Zanzotto", NULL);
    assert_int_equal(index_names("quirino"), 1);
    assert_int_equal(pz_sql_int_query(conn(), "SELECT COUNT(*) FROM contacts", &n, ""), PZ_SQL_ROW);
    assert_int_equal(n, 6);

    import_batch_release(&b);
    pz_buf_release(&found);
    unlink(big);
    unlink(small);
}

/* The "import" entries of the contacts a file creates are written in batches
 * (timeline_add_many): every one is there, and a contact the same file then
 * updates has "created" before "updated". */
static void test_import_entries_batched(void **state)
{
    struct import_batch b;
    struct pz_buf cards;
    char path[160], ids[64];
    int64_t n = 0, first = 0;
    const int many = 5000; /* more than one batch */
    (void)state;

    snprintf(path, sizeof(path), "%s/entries.vcf", g.dir);
    pz_buf_init(&cards, 1 << 20);
    pz_buf_addstr(&cards, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna Prima\r\n"
                          "EMAIL:anna@prima.it\r\nEND:VCARD\r\n");
    for (int i = 0; i < many; i++) {
        pz_buf_printf(&cards,
                      "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Persona%d Numero\r\n"
                      "EMAIL:p%d@numero.it\r\nEND:VCARD\r\n",
                      i, i);
        if (i == 10) /* Anna again, while her entry waits in the first batch */
            pz_buf_addstr(&cards, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna Prima\r\n"
                                  "EMAIL:anna@prima.it\r\nTEL:333 7654321\r\nEND:VCARD\r\n");
    }
    write_file(path, pz_buf_str(&cards));
    memset(&b, 0, sizeof(b));
    b.conn = conn();
    b.workspace_id = g.ws1.id;
    b.own_tx = 1;
    assert_int_equal(import_batch_file(&b, path, "entries.vcf", "vcard"), 0);
    assert_int_equal(b.counts.created, many + 1);
    assert_int_equal(b.counts.updated, 1);
    assert_int_equal(pz_sql_int_query(conn(),
                                      "SELECT COUNT(*) FROM timeline_entries WHERE kind = 'import'"
                                      " AND outcome = 'created' AND body = 'entries.vcf'"
                                      " AND source_kind = 'import_run' AND interaction = 0",
                                      &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, many + 1);
    assert_int_equal(pz_sql_int_query(conn(),
                                      "SELECT COUNT(DISTINCT contact_id) FROM timeline_entries"
                                      " WHERE kind = 'import' AND outcome = 'created'",
                                      &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, many + 1);
    assert_int_equal(pz_sql_int_query(conn(),
                                      "SELECT contact_id FROM identities"
                                      " WHERE value_normalized = 'anna@prima.it'",
                                      &first, ""),
                     PZ_SQL_ROW);
    {
        struct pz_stmt *st = pz_sql(conn(), "SELECT group_concat(outcome, ',') FROM (SELECT"
                                            " outcome FROM timeline_entries WHERE contact_id = $1"
                                            " AND kind = 'import' ORDER BY at, id)");
        assert_non_null(st);
        pz_sql_bind_int(st, 1, first);
        assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
        snprintf(ids, sizeof(ids), "%s", pz_sql_text(st, 0));
        pz_sql_done(st);
    }
    assert_string_equal(ids, "created,updated");
    import_batch_release(&b);
    pz_buf_release(&cards);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_italian_forms),
        cmocka_unit_test(test_phone_junk),
        cmocka_unit_test(test_left_out_codes),
        cmocka_unit_test(test_phone_regions),
        cmocka_unit_test(test_email_and_urls),
        cmocka_unit_test(test_fold_and_names),
        cmocka_unit_test_setup(test_create_get_update, wipe),
        cmocka_unit_test_setup(test_identity_uniqueness, wipe),
        cmocka_unit_test_setup(test_list_filters_and_search, wipe),
        cmocka_unit_test_setup(test_list_cursor_paging, wipe),
        cmocka_unit_test_setup(test_search_index, wipe),
        cmocka_unit_test_setup(test_organizations_and_memberships, wipe),
        cmocka_unit_test_setup(test_memberships_each, wipe),
        cmocka_unit_test_setup(test_tags_fields_consents_notes, wipe),
        cmocka_unit_test_setup(test_delete_removes_everything, wipe),
        cmocka_unit_test_setup(test_workspace_isolation, wipe),
        cmocka_unit_test_setup(test_timeline_order_and_paging, wipe),
        cmocka_unit_test_setup(test_score_cases, wipe),
        cmocka_unit_test(test_cold_reason),
        cmocka_unit_test_setup(test_going_cold, wipe),
        cmocka_unit_test_setup(test_dedup_suggestions, wipe),
        cmocka_unit_test_setup(test_merge_keeps_everything, wipe),
        cmocka_unit_test_setup(test_import_record, wipe),
        cmocka_unit_test_setup(test_import_runs_list_and_reindex, wipe),
        cmocka_unit_test(test_upgrade_keeps_identities),
        cmocka_unit_test_setup(test_import_keeps_search_trigger, wipe),
        cmocka_unit_test_setup(test_import_index_later, wipe),
        cmocka_unit_test_setup(test_import_entries_batched, wipe),
    };

    if (sodium_init() < 0) {
        fprintf(stderr, "sodium_init failed\n");
        return 1;
    }
    /* Expected failures log errors; keep the output to cmocka's lines. */
    pz_log_set_level(PZ_LOG_OFF);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
