/*
 * Unit tests of src/accounts: workspaces, users and roles, passwords,
 * sessions and CSRF tokens, API tokens, the audit log and the sign-in rate
 * limiter, over a real migrated SQLite database in a temporary folder.
 *
 * Password hashing is argon2id at 19 MiB (about 50 ms a hash), so the users
 * most tests need are made once, in the group set-up, and each test that
 * changes one of them puts it back as it was.
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
#include "accounts/ratelimit.h"
#include "accounts/session.h"
#include "accounts/token.h"
#include "accounts/user.h"
#include "accounts/workspace.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "store/store.h"

#define PASSWORD "correct horse 42"

static struct {
    char dir[64];
    char path[128];
    struct pz_store *store;
    struct workspace ws1, ws2;
    struct user owner1;  /* owner in ws1 */
    struct user member1; /* member in ws1 */
    struct user member2; /* member in ws2 */
} g;

static struct pz_conn *conn(void)
{
    struct pz_conn *c = pz_store_conn(g.store);
    assert_non_null(c);
    return c;
}

static int make_workspace(const char *name, const char *slug, struct workspace *w)
{
    struct pz_err err = {0};
    return workspace_create(pz_store_conn(g.store), name, slug, NULL, NULL, w, &err);
}

static int make_user(const struct workspace *w, const char *email, enum role role, struct user *u)
{
    struct pz_err err = {0};
    return user_create(pz_store_conn(g.store), w->id, email, "Test User", role, PASSWORD, 0, u,
                       &err);
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(g.dir, sizeof(g.dir), "/tmp/pz-test-accounts-XXXXXX");
    if (!mkdtemp(g.dir))
        return -1;
    snprintf(g.path, sizeof(g.path), "%s/accounts.db", g.dir);
    if (pz_store_open(&g.store, g.path) != 0 || pz_store_migrate(g.store, NULL) != 0)
        return -1;
    if (make_workspace("Workspace One", "ws-one", &g.ws1) != 0 ||
        make_workspace("Workspace Two", "ws-two", &g.ws2) != 0)
        return -1;
    if (make_user(&g.ws1, "owner@one.it", ROLE_OWNER, &g.owner1) != 0 ||
        make_user(&g.ws1, "member@one.it", ROLE_MEMBER, &g.member1) != 0 ||
        make_user(&g.ws2, "member@two.it", ROLE_MEMBER, &g.member2) != 0)
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

/* Checks that ERR says CODE about FIELD. */
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

/* --- workspaces ------------------------------------------------------------------ */

static void test_workspace_create(void **state)
{
    struct pz_err err = {0};
    struct workspace w, back;
    int64_t before = workspace_count(conn());
    int64_t t0 = pz_now_ms();
    (void)state;

    assert_int_equal(workspace_create(conn(), "Caffè Società Srl", NULL, NULL, NULL, &w, &err), 0);
    assert_true(w.id > 0);
    assert_string_equal(w.name, "Caffè Società Srl");
    assert_string_equal(w.slug, "caffe-societa-srl");
    assert_string_equal(w.locale, "it");
    assert_string_equal(w.timezone, "Europe/Rome");
    assert_true(w.created_at >= t0 - 1000 && w.created_at <= pz_now_ms() + 1000);
    assert_int_equal(workspace_count(conn()), before + 1);

    assert_int_equal(workspace_get(conn(), w.id, &back), 0);
    assert_int_equal(back.id, w.id);
    assert_string_equal(back.slug, w.slug);
    assert_string_equal(back.name, w.name);
    assert_int_equal(back.created_at, w.created_at);
    memset(&back, 0, sizeof(back));
    assert_int_equal(workspace_find_slug(conn(), "caffe-societa-srl", &back), 0);
    assert_int_equal(back.id, w.id);

    assert_int_equal(workspace_get(conn(), 999999, &back), PZ_ENOTFOUND);
    assert_int_equal(workspace_find_slug(conn(), "no-such-slug", &back), PZ_ENOTFOUND);

    /* Explicit slug, locale and zone; an empty slug is derived too. */
    assert_int_equal(workspace_create(conn(), "Acme", "acme-it", "en", "UTC", &w, &err), 0);
    assert_string_equal(w.slug, "acme-it");
    assert_string_equal(w.locale, "en");
    assert_string_equal(w.timezone, "UTC");
    assert_int_equal(workspace_create(conn(), "Beta Gamma", "", "it", "America/New_York", &w, &err),
                     0);
    assert_string_equal(w.slug, "beta-gamma");
    assert_string_equal(w.timezone, "America/New_York");
}

static void test_workspace_validation(void **state)
{
    static const struct {
        const char *name, *slug, *locale, *tz, *field;
    } bad[] = {
        {"", "ok-slug", NULL, NULL, "workspace_name"},
        {NULL, "ok-slug", NULL, NULL, "workspace_name"},
        {"Bad \xff name", "ok-slug", NULL, NULL, "workspace_name"},
        {"!!!", NULL, NULL, NULL, "workspace_slug"}, /* nothing to derive */
        {"Fine", "Bad Slug", NULL, NULL, "workspace_slug"},
        {"Fine", "-lead", NULL, NULL, "workspace_slug"},
        {"Fine", "trail-", NULL, NULL, "workspace_slug"},
        {"Fine", "under_score", NULL, NULL, "workspace_slug"},
        {"Fine", "fine-1", "fr", NULL, "locale"},
        {"Fine", "fine-1", "IT", NULL, "locale"},
        {"Fine", "fine-1", "", NULL, "locale"},
        {"Fine", "fine-1", "it", "Mars/Olympus_Mons", "timezone"},
        {"Fine", "fine-1", "it", "Europe", "timezone"}, /* a folder, not a zone */
        {"Fine", "fine-1", "it", "../../../etc/passwd", "timezone"},
        {"Fine", "fine-1", "it", "/etc/localtime", "timezone"},
        {"Fine", "fine-1", "it", "Europe/Rome ", "timezone"},
        {"Fine", "fine-1", "it", "Europe/Rome\n", "timezone"},
    };
    struct workspace w;
    int64_t before = workspace_count(conn());
    char long_name[200];
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct pz_err err = {0};
        int r =
            workspace_create(conn(), bad[i].name, bad[i].slug, bad[i].locale, bad[i].tz, &w, &err);
        if (r != PZ_EINVAL)
            fail_msg("case %zu accepted (%d)", i, r);
        assert_err(&err, "request.invalid", bad[i].field);
    }
    {
        /* 121 bytes of name, and a 64-character slug. */
        struct pz_err err = {0};
        memset(long_name, 'n', 121);
        long_name[121] = '\0';
        assert_int_equal(workspace_create(conn(), long_name, "ok", NULL, NULL, &w, &err),
                         PZ_EINVAL);
        assert_err(&err, "request.invalid", "workspace_name");
        memset(long_name, 's', 64);
        long_name[64] = '\0';
        assert_int_equal(workspace_create(conn(), "Fine", long_name, NULL, NULL, &w, &err),
                         PZ_EINVAL);
        assert_err(&err, "request.invalid", "workspace_slug");
    }
    assert_int_equal(workspace_count(conn()), before);
}

static void test_workspace_slug_taken(void **state)
{
    struct pz_err err = {0};
    struct workspace w;
    int64_t before = workspace_count(conn());
    (void)state;

    assert_int_equal(workspace_create(conn(), "Another One", "ws-one", NULL, NULL, &w, &err),
                     PZ_EINVAL);
    assert_err(&err, "workspace.slug_taken", "workspace_slug");
    /* A derived slug can be taken too. */
    memset(&err, 0, sizeof(err));
    assert_int_equal(workspace_create(conn(), "Ws One", NULL, NULL, NULL, &w, &err), PZ_EINVAL);
    assert_err(&err, "workspace.slug_taken", "workspace_slug");
    assert_int_equal(workspace_count(conn()), before);
}

static void test_workspace_long_name_slug(void **state)
{
    struct pz_err err = {0};
    struct workspace w;
    char name[100];
    (void)state;

    /* A long name with a space near the 63rd character still derives a slug. */
    memset(name, 'L', 62);
    memcpy(name + 62, " Holding", 9);
    if (workspace_create(conn(), name, NULL, NULL, NULL, &w, &err) != 0)
        fail_msg("'%s' refused: %s %s", name, err.code ? err.code : "?", err.message);
    assert_true(pz_slug_valid(w.slug));
    assert_true(strlen(w.slug) <= 63);
}

static void test_timezone_valid(void **state)
{
    (void)state;

    assert_true(workspace_timezone_valid("Europe/Rome"));
    assert_true(workspace_timezone_valid("UTC"));
    assert_true(workspace_timezone_valid("America/Argentina/Buenos_Aires"));
    assert_true(workspace_timezone_valid("Etc/GMT+1"));
    assert_false(workspace_timezone_valid(""));
    assert_false(workspace_timezone_valid("Europe/"));
    assert_false(workspace_timezone_valid("Europe/Atlantis"));
    assert_false(workspace_timezone_valid("Europe/../Europe/Rome"));
    assert_false(workspace_timezone_valid("/usr/share/zoneinfo/Europe/Rome"));
    assert_false(workspace_timezone_valid("Europe/Rome;rm"));
}

static void test_timezone_not_a_zone_file(void **state)
{
    (void)state;

    /* The zoneinfo folder also holds data files that are not zones. */
    if (access("/usr/share/zoneinfo/leapseconds", F_OK) == 0)
        assert_false(workspace_timezone_valid("leapseconds"));
    if (access("/usr/share/zoneinfo/SECURITY", F_OK) == 0)
        assert_false(workspace_timezone_valid("SECURITY"));
}

/* --- roles ------------------------------------------------------------------------ */

static void test_roles_parse(void **state)
{
    static const char *const names[] = {"consultant", "member", "agent", "manager", "owner"};
    static const enum role roles[] = {ROLE_CONSULTANT, ROLE_MEMBER, ROLE_AGENT, ROLE_MANAGER,
                                      ROLE_OWNER};
    (void)state;

    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(role_parse(names[i]), roles[i]);
        assert_string_equal(role_name(roles[i]), names[i]);
    }
    assert_int_equal(role_parse("Owner"), ROLE_NONE);
    assert_int_equal(role_parse("none"), ROLE_NONE);
    assert_int_equal(role_parse(""), ROLE_NONE);
    assert_int_equal(role_parse("admin"), ROLE_NONE);
    assert_int_equal(role_parse("owner "), ROLE_NONE);
    assert_int_equal(role_parse(NULL), ROLE_NONE);
    assert_string_equal(role_name(ROLE_NONE), "none");
    assert_string_equal(role_name((enum role)42), "none");
}

static void test_roles_allow(void **state)
{
    /* Rows: what a user has; columns: what is needed (consultant..owner). */
    static const enum role order[] = {ROLE_CONSULTANT, ROLE_MEMBER, ROLE_AGENT, ROLE_MANAGER,
                                      ROLE_OWNER};
    static const int read_ok[5][5] = {
        /* consultant reads as a manager */
        {1, 1, 1, 1, 0},
        /* member: "consultant" is the lowest need, any signed-in role meets it */
        {1, 1, 0, 0, 0},
        /* agent */
        {1, 1, 1, 0, 0},
        /* manager */
        {1, 1, 1, 1, 0},
        /* owner */
        {1, 1, 1, 1, 1},
    };
    static const int write_ok[5][5] = {
        {0, 0, 0, 0, 0}, /* a consultant changes nothing */
        {1, 1, 0, 0, 0}, {1, 1, 1, 0, 0}, {1, 1, 1, 1, 0}, {1, 1, 1, 1, 1},
    };
    (void)state;

    for (int h = 0; h < 5; h++) {
        for (int n = 0; n < 5; n++) {
            int r = role_allows(order[h], order[n], 0);
            int w = role_allows(order[h], order[n], 1);
            if (!!r != read_ok[h][n])
                fail_msg("read: %s needing %s gave %d", role_name(order[h]), role_name(order[n]),
                         r);
            if (!!w != write_ok[h][n])
                fail_msg("write: %s needing %s gave %d", role_name(order[h]), role_name(order[n]),
                         w);
        }
        /* Having no role allows nothing. */
        assert_false(role_allows(ROLE_NONE, order[h], 0));
        assert_false(role_allows(ROLE_NONE, order[h], 1));
    }
}

/* --- passwords ---------------------------------------------------------------------- */

static void test_password_check(void **state)
{
    static const struct {
        const char *pw, *email, *code;
    } bad[] = {
        {"short", NULL, "password.too_short"},
        {"", NULL, "password.too_short"},
        {NULL, NULL, "password.too_short"},
        {"123456789", NULL, "password.too_short"},
        {"èèèèèèèèè", NULL, "password.too_short"}, /* 18 bytes but 9 characters */
        {"abc\xff"
         "defghijkl",
         NULL, "password.too_short"}, /* not UTF-8 */
        {"Password123", NULL, "password.too_common"},
        {"QWERTYUIOP", NULL, "password.too_common"},
        {"forzainter", NULL, "password.too_common"},
        {"mario.rossi@example.it", "mario.rossi@example.it", "password.same_as_email"},
        {"Mario.Rossi@Example.IT", "mario.rossi@example.it", "password.same_as_email"},
        {"mario.rossi", "mario.rossi@example.it", "password.same_as_email"},
        {"MARIO.ROSSI", "mario.rossi@example.it", "password.same_as_email"},
    };
    struct pz_err err;
    char long_pw[300];
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&err, 0, sizeof(err));
        if (password_check(bad[i].pw, bad[i].email, "password", &err) != PZ_EINVAL)
            fail_msg("case %zu ('%s') accepted", i, bad[i].pw ? bad[i].pw : "(null)");
        assert_err(&err, bad[i].code, "password");
    }
    /* The field name given is the one reported. */
    memset(&err, 0, sizeof(err));
    assert_int_equal(password_check("short", NULL, "new_password", &err), PZ_EINVAL);
    assert_err(&err, "password.too_short", "new_password");

    /* 256 bytes is the most; 257 is too long. */
    memset(long_pw, 'k', 256);
    long_pw[256] = '\0';
    assert_int_equal(password_check(long_pw, NULL, "password", NULL), 0);
    long_pw[256] = 'k';
    long_pw[257] = '\0';
    memset(&err, 0, sizeof(err));
    assert_int_equal(password_check(long_pw, NULL, "password", &err), PZ_EINVAL);
    assert_err(&err, "password.too_long", "password");

    assert_int_equal(password_check("correct horse 42", "mario@example.it", "password", NULL), 0);
    assert_int_equal(password_check("èèèèèèèèèè", NULL, "password", NULL), 0);
    assert_int_equal(password_check("password1234x", NULL, "password", NULL), 0);
    /* Containing the local part is not being it. */
    assert_int_equal(password_check("mario.rossi!!", "mario.rossi@example.it", "password", NULL),
                     0);
}

static void test_password_hash_verify(void **state)
{
    char hash[128];
    (void)state;

    assert_int_equal(password_hash("correct horse 42", hash, sizeof(hash)), 0);
    assert_true(pz_str_starts(hash, "$argon2id$"));
    assert_true(password_verify(hash, "correct horse 42"));
    assert_false(password_verify(hash, "correct horse 43"));
    assert_false(password_verify(hash, "Correct horse 42"));
    assert_false(password_verify(hash, ""));
    assert_false(password_verify("not a hash", "correct horse 42"));
    /* No hash (unknown account): never a match. */
    assert_false(password_verify(NULL, "correct horse 42"));
    assert_false(password_verify(NULL, "piazza-dummy-password"));
    {
        char small[16];
        assert_true(password_hash("correct horse 42", small, sizeof(small)) < 0);
    }
}

static void test_password_generate(void **state)
{
    char a[20], b[20];
    (void)state;

    password_generate(a, sizeof(a));
    password_generate(b, sizeof(b));
    /* xxxx-xxxx-xxxx-xxxx from an alphabet without look-alikes. */
    assert_int_equal(strlen(a), 19);
    for (int i = 0; i < 19; i++) {
        if (i % 5 == 4) {
            assert_int_equal(a[i], '-');
        } else {
            assert_non_null(
                strchr("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", a[i]));
            assert_true(a[i] != '\0');
        }
    }
    assert_string_not_equal(a, b);
    assert_int_equal(password_check(a, NULL, "password", NULL), 0);
}

/* --- users ---------------------------------------------------------------------------- */

static void test_user_validation(void **state)
{
    static const struct {
        const char *email, *name;
        enum role role;
        const char *pw, *code, *field;
    } bad[] = {
        {"not-an-email", "Ada", ROLE_MEMBER, PASSWORD, "request.invalid", "email"},
        {NULL, "Ada", ROLE_MEMBER, PASSWORD, "request.invalid", "email"},
        {"a@b", "Ada", ROLE_MEMBER, PASSWORD, "request.invalid", "email"},
        {"ada@example.it", "", ROLE_MEMBER, PASSWORD, "request.invalid", "name"},
        {"ada@example.it", NULL, ROLE_MEMBER, PASSWORD, "request.invalid", "name"},
        {"ada@example.it", "Bad\xc3", ROLE_MEMBER, PASSWORD, "request.invalid", "name"},
        {"ada@example.it", "Ada", ROLE_NONE, PASSWORD, "request.invalid", "role"},
        {"ada@example.it", "Ada", ROLE_MEMBER, "short", "password.too_short", "password"},
        {"ada@example.it", "Ada", ROLE_MEMBER, "Password123", "password.too_common", "password"},
        {"Ada@Example.it", "Ada", ROLE_MEMBER, "ada@example.it", "password.same_as_email",
         "password"},
        {" ADA@example.it ", "Ada", ROLE_MEMBER, "AdA@eXample.IT", "password.same_as_email",
         "password"},
        {"ada.lovelace@example.it", "Ada", ROLE_MEMBER, "Ada.Lovelace", "password.same_as_email",
         "password"},
    };
    struct user u;
    char long_name[200];
    int64_t before = user_count(conn());
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct pz_err err = {0};
        int r = user_create(conn(), g.ws1.id, bad[i].email, bad[i].name, bad[i].role, bad[i].pw, 0,
                            &u, &err);
        if (r != PZ_EINVAL)
            fail_msg("case %zu accepted (%d)", i, r);
        assert_err(&err, bad[i].code, bad[i].field);
    }
    {
        struct pz_err err = {0};
        memset(long_name, 'n', 121);
        long_name[121] = '\0';
        assert_int_equal(user_create(conn(), g.ws1.id, "ada@example.it", long_name, ROLE_MEMBER,
                                     PASSWORD, 0, &u, &err),
                         PZ_EINVAL);
        assert_err(&err, "request.invalid", "name");
    }
    assert_int_equal(user_count(conn()), before);
}

static void test_user_create_and_find(void **state)
{
    struct pz_err err = {0};
    struct workspace w;
    struct user u, found, other;
    int64_t t0 = pz_now_ms();
    (void)state;

    assert_int_equal(make_workspace("Users Test", "users-test", &w), 0);
    assert_int_equal(user_create(conn(), w.id, "  Mario.Rossi@Example.IT ", "Mario Rossi",
                                 ROLE_MANAGER, PASSWORD, 1, &u, &err),
                     0);
    assert_true(u.id > 0);
    assert_int_equal(u.workspace_id, w.id);
    assert_string_equal(u.email, "mario.rossi@example.it");
    assert_string_equal(u.name, "Mario Rossi");
    assert_int_equal(u.role, ROLE_MANAGER);
    assert_string_equal(u.locale, "");
    assert_int_equal(u.disabled, 0);
    assert_int_equal(u.must_change_password, 1);
    assert_true(u.created_at >= t0 - 1000);
    assert_int_equal(u.last_sign_in_at, -1);
    /* Only a hash is kept, and it verifies. */
    assert_null(strstr(u.password_hash, PASSWORD));
    assert_true(password_verify(u.password_hash, PASSWORD));

    /* Found by any spelling of the address. */
    assert_int_equal(user_find_email(conn(), w.id, " MARIO.rossi@EXAMPLE.it", &found), 0);
    assert_int_equal(found.id, u.id);
    assert_string_equal(found.password_hash, u.password_hash);
    assert_int_equal(user_find_email(conn(), w.id, "luigi@example.it", &found), PZ_ENOTFOUND);
    assert_int_equal(user_find_email(conn(), w.id, "garbage", &found), PZ_ENOTFOUND);
    assert_int_equal(user_find_email(conn(), g.ws1.id, "mario.rossi@example.it", &found),
                     PZ_ENOTFOUND);
    assert_int_equal(user_get(conn(), w.id, u.id, &found), 0);
    assert_string_equal(found.email, "mario.rossi@example.it");
    assert_int_equal(user_get(conn(), g.ws1.id, u.id, &found), PZ_ENOTFOUND);
    assert_int_equal(user_get(conn(), w.id, 999999, &found), PZ_ENOTFOUND);

    /* The same address again, differently written: user.exists. */
    memset(&err, 0, sizeof(err));
    assert_int_equal(user_create(conn(), w.id, "MARIO.ROSSI@example.it", "Mario Bis", ROLE_MEMBER,
                                 "another good one", 0, &other, &err),
                     PZ_EINVAL);
    assert_err(&err, "user.exists", "email");

    /* The same address in another workspace is another user. */
    memset(&err, 0, sizeof(err));
    assert_int_equal(user_create(conn(), g.ws2.id, "mario.rossi@example.it", "Mario Due",
                                 ROLE_AGENT, "another good one", 0, &other, &err),
                     0);
    assert_int_not_equal(other.id, u.id);
    assert_int_equal(other.workspace_id, g.ws2.id);
}

struct collected {
    int n;
    int64_t ids[16];
    int stop_at;
};

static int collect_each(const struct user *u, void *arg)
{
    struct collected *c = arg;
    if (c->n < 16)
        c->ids[c->n++] = u->id;
    return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

static void collect_list(const struct user *u, void *arg)
{
    collect_each(u, arg);
}

static void test_user_each_and_list(void **state)
{
    struct collected c;
    struct user u;
    (void)state;

    /* Set up by the previous test: mario.rossi in two workspaces. */
    if (user_find_email(conn(), g.ws2.id, "mario.rossi@example.it", &u) != 0)
        fail_msg("test_user_create_and_find did not leave its users");
    memset(&c, 0, sizeof(c));
    assert_int_equal(user_each_with_email(conn(), "Mario.Rossi@example.it ", collect_each, &c), 0);
    assert_int_equal(c.n, 2);
    assert_true(c.ids[0] < c.ids[1]);
    assert_int_equal(c.ids[1], u.id);
    /* FN stops the walk with its non-zero value. */
    memset(&c, 0, sizeof(c));
    c.stop_at = 1;
    assert_int_equal(user_each_with_email(conn(), "mario.rossi@example.it", collect_each, &c), 7);
    assert_int_equal(c.n, 1);
    memset(&c, 0, sizeof(c));
    assert_int_equal(user_each_with_email(conn(), "nobody@example.it", collect_each, &c), 0);
    assert_int_equal(c.n, 0);

    /* ws1 holds owner1 and member1, in id order, paged. */
    memset(&c, 0, sizeof(c));
    assert_int_equal(user_list(conn(), g.ws1.id, 0, 50, collect_list, &c), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.ids[0], g.owner1.id);
    assert_int_equal(c.ids[1], g.member1.id);
    memset(&c, 0, sizeof(c));
    assert_int_equal(user_list(conn(), g.ws1.id, 0, 1, collect_list, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.ids[0], g.owner1.id);
    memset(&c, 0, sizeof(c));
    assert_int_equal(user_list(conn(), g.ws1.id, g.owner1.id, 1, collect_list, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.ids[0], g.member1.id);
    memset(&c, 0, sizeof(c));
    assert_int_equal(user_list(conn(), g.ws1.id, g.member1.id, 10, collect_list, &c), 0);
    assert_int_equal(c.n, 0);
}

static void test_user_changes(void **state)
{
    struct user u;
    struct pz_err err = {0};
    int64_t ws = g.ws1.id, id = g.member1.id;
    (void)state;

    assert_int_equal(user_count_active_owners(conn(), ws), 1);
    assert_int_equal(user_set_role(conn(), ws, id, ROLE_OWNER), 0);
    assert_int_equal(user_count_active_owners(conn(), ws), 2);
    assert_int_equal(user_set_disabled(conn(), ws, id, 1), 0);
    assert_int_equal(user_count_active_owners(conn(), ws), 1);
    assert_int_equal(user_get(conn(), ws, id, &u), 0);
    assert_int_equal(u.role, ROLE_OWNER);
    assert_int_equal(u.disabled, 1);
    assert_int_equal(user_set_disabled(conn(), ws, id, 0), 0);
    assert_int_equal(user_set_role(conn(), ws, id, ROLE_MEMBER), 0);

    assert_int_equal(user_set_locale(conn(), ws, id, "en"), 0);
    assert_int_equal(user_set_name(conn(), ws, id, "Renamed"), 0);
    assert_int_equal(user_touch_sign_in(conn(), ws, id), 0);
    assert_int_equal(user_get(conn(), ws, id, &u), 0);
    assert_string_equal(u.locale, "en");
    assert_string_equal(u.name, "Renamed");
    assert_true(u.last_sign_in_at > 0);
    assert_int_equal(u.role, ROLE_MEMBER);
    assert_int_equal(u.disabled, 0);
    assert_int_equal(user_set_locale(conn(), ws, id, "it"), 0);
    assert_int_equal(user_get(conn(), ws, id, &u), 0);
    assert_string_equal(u.locale, "it");

    /* A user of another workspace is not found, and not changed. */
    assert_int_equal(user_set_role(conn(), g.ws2.id, id, ROLE_OWNER), PZ_ENOTFOUND);
    assert_int_equal(user_set_disabled(conn(), g.ws2.id, id, 1), PZ_ENOTFOUND);
    assert_int_equal(user_set_name(conn(), g.ws2.id, id, "Hijacked"), PZ_ENOTFOUND);
    assert_int_equal(user_set_role(conn(), ws, 999999, ROLE_OWNER), PZ_ENOTFOUND);
    assert_int_equal(user_get(conn(), ws, id, &u), 0);
    assert_string_equal(u.name, "Renamed");
    assert_int_equal(u.role, ROLE_MEMBER);
    assert_int_equal(u.disabled, 0);

    /* A new password is checked against the rules, then replaces the old. */
    assert_int_equal(user_set_password(conn(), &u, "qwertyuiop", &err), PZ_EINVAL);
    assert_err(&err, "password.too_common", "new_password");
    memset(&err, 0, sizeof(err));
    assert_int_equal(user_set_password(conn(), &u, "member@one.it", &err), PZ_EINVAL);
    assert_err(&err, "password.same_as_email", "new_password");
    assert_int_equal(user_set_password(conn(), &u, "a brand new secret", &err), 0);
    assert_int_equal(user_get(conn(), ws, id, &u), 0);
    assert_true(password_verify(u.password_hash, "a brand new secret"));
    assert_false(password_verify(u.password_hash, PASSWORD));
    assert_int_equal(u.must_change_password, 0);
    g.member1 = u;
}

/* --- sessions and CSRF ------------------------------------------------------------------- */

static int is_b64url(const char *s)
{
    for (; *s; s++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *s))
            return 0;
    return 1;
}

static void test_token_hash(void **state)
{
    char h[65], h2[65];
    (void)state;

    /* BLAKE2b-256 of "abc" (RFC 7693 parameters, 32-byte digest). */
    accounts_token_hash("abc", h);
    assert_string_equal(h, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    accounts_token_hash("abd", h2);
    assert_string_not_equal(h, h2);
    assert_int_equal(strlen(h2), 64);
}

static void test_session_lifecycle(void **state)
{
    char t1[SESSION_TOKEN_LEN], t2[SESSION_TOKEN_LEN], hash[65];
    struct principal p;
    int64_t n = 0;
    const struct user *u = &g.owner1;
    (void)state;

    assert_int_equal(session_create(conn(), u, "192.0.2.1", "Test/1.0", t1), 0);
    assert_int_equal(session_create(conn(), u, NULL, NULL, t2), 0);
    assert_int_equal(strlen(t1), SESSION_TOKEN_LEN - 1);
    assert_true(is_b64url(t1));
    assert_string_not_equal(t1, t2);

    /* The database keeps the hash, never the token. */
    accounts_token_hash(t1, hash);
    {
        struct pz_stmt *st = pz_sql(conn(), "SELECT COUNT(*) FROM sessions WHERE token_hash = $1");
        pz_sql_bind_text(st, 1, t1);
        assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
        assert_int_equal(pz_sql_int(st, 0), 0);
        pz_sql_done(st);
        st = pz_sql(conn(), "SELECT COUNT(*) FROM sessions WHERE token_hash = $1");
        pz_sql_bind_text(st, 1, hash);
        assert_int_equal(pz_sql_step(st), PZ_SQL_ROW);
        assert_int_equal(pz_sql_int(st, 0), 1);
        pz_sql_done(st);
    }

    assert_int_equal(session_authenticate(conn(), t1, &p), 0);
    assert_int_equal(p.via, VIA_COOKIE);
    assert_int_equal(p.user.id, u->id);
    assert_int_equal(p.user.role, ROLE_OWNER);
    assert_int_equal(p.workspace.id, g.ws1.id);
    assert_string_equal(p.workspace.slug, "ws-one");
    assert_true(p.session_id > 0);
    assert_int_equal(p.token_id, 0);

    /* Unknown, malformed and missing tokens. */
    {
        char wrong[SESSION_TOKEN_LEN];
        memcpy(wrong, t1, sizeof(wrong));
        wrong[5] = wrong[5] == 'A' ? 'B' : 'A';
        assert_int_equal(session_authenticate(conn(), wrong, &p), PZ_EAUTH);
        assert_int_equal(p.via, VIA_NONE);
        wrong[42] = '\0';
        assert_int_equal(session_authenticate(conn(), wrong, &p), PZ_EAUTH);
        assert_int_equal(session_authenticate(conn(), "", &p), PZ_EAUTH);
        assert_int_equal(session_authenticate(conn(), NULL, &p), PZ_EAUTH);
        assert_int_equal(session_authenticate(conn(), hash, &p), PZ_EAUTH);
    }

    /* Revoking in another workspace does nothing; in its own, it ends the session. */
    assert_int_equal(session_authenticate(conn(), t1, &p), 0);
    assert_int_equal(session_revoke(conn(), g.ws2.id, p.session_id), 0);
    assert_int_equal(session_authenticate(conn(), t1, &p), 0);
    assert_int_equal(session_revoke(conn(), g.ws1.id, p.session_id), 0);
    assert_int_equal(session_authenticate(conn(), t1, &p), PZ_EAUTH);
    assert_int_equal(session_authenticate(conn(), t2, &p), 0); /* the other one lives */

    /* A disabled user's sessions stop working, and work again when enabled. */
    assert_int_equal(user_set_disabled(conn(), g.ws1.id, u->id, 1), 0);
    assert_int_equal(session_authenticate(conn(), t2, &p), PZ_EAUTH);
    assert_int_equal(user_set_disabled(conn(), g.ws1.id, u->id, 0), 0);
    assert_int_equal(session_authenticate(conn(), t2, &p), 0);

    /* Revoking all of a user's sessions. */
    assert_int_equal(session_create(conn(), u, NULL, NULL, t1), 0);
    assert_int_equal(session_revoke_user(conn(), g.ws1.id, u->id), 0);
    assert_int_equal(session_authenticate(conn(), t1, &p), PZ_EAUTH);
    assert_int_equal(session_authenticate(conn(), t2, &p), PZ_EAUTH);
    assert_int_equal(pz_sql_one_int(conn(),
                                    "SELECT COUNT(*) FROM sessions WHERE user_id = $1"
                                    " AND revoked_at IS NULL",
                                    u->id, &n),
                     PZ_SQL_ROW);
    assert_int_equal(n, 0);
}

static void test_session_expired(void **state)
{
    char t[SESSION_TOKEN_LEN];
    struct principal p;
    struct pz_stmt *st;
    (void)state;

    assert_int_equal(session_create(conn(), &g.member2, NULL, NULL, t), 0);
    assert_int_equal(session_authenticate(conn(), t, &p), 0);
    assert_int_equal(p.workspace.id, g.ws2.id);
    /* Its 30 days are over. */
    st = pz_sql(conn(), "UPDATE sessions SET expires_at = $2 WHERE id = $1");
    assert_non_null(st);
    pz_sql_bind_int(st, 1, p.session_id);
    pz_sql_bind_int(st, 2, pz_now_ms() - 1);
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);
    assert_int_equal(session_authenticate(conn(), t, &p), PZ_EAUTH);
}

static void test_csrf(void **state)
{
    unsigned char secret[32], again[32], other[32];
    char sess[SESSION_TOKEN_LEN], sess2[SESSION_TOKEN_LEN];
    char tok[CSRF_TOKEN_LEN], tok2[CSRF_TOKEN_LEN], bad[CSRF_TOKEN_LEN + 2];
    (void)state;

    /* The installation secret is made once and kept. */
    assert_int_equal(accounts_secret(conn(), secret), 0);
    assert_int_equal(accounts_secret(conn(), again), 0);
    assert_memory_equal(secret, again, 32);
    memcpy(other, secret, 32);
    other[0] ^= 1;

    assert_int_equal(session_create(conn(), &g.owner1, NULL, NULL, sess), 0);
    assert_int_equal(session_create(conn(), &g.owner1, NULL, NULL, sess2), 0);
    csrf_token(secret, sess, tok);
    assert_int_equal(strlen(tok), CSRF_TOKEN_LEN - 1);
    assert_true(is_b64url(tok));
    csrf_token(secret, sess, tok2);
    assert_string_equal(tok, tok2); /* derived, not random */
    assert_true(csrf_valid(secret, sess, tok));

    /* Another session, another secret, a changed or cut token: all refused. */
    csrf_token(secret, sess2, tok2);
    assert_string_not_equal(tok, tok2);
    assert_false(csrf_valid(secret, sess2, tok));
    assert_false(csrf_valid(other, sess, tok));
    memcpy(bad, tok, CSRF_TOKEN_LEN);
    bad[10] = bad[10] == 'x' ? 'y' : 'x';
    assert_false(csrf_valid(secret, sess, bad));
    memcpy(bad, tok, CSRF_TOKEN_LEN);
    bad[CSRF_TOKEN_LEN - 2] = '\0';
    assert_false(csrf_valid(secret, sess, bad));
    memcpy(bad, tok, CSRF_TOKEN_LEN - 1);
    bad[CSRF_TOKEN_LEN - 1] = 'A';
    bad[CSRF_TOKEN_LEN] = '\0';
    assert_false(csrf_valid(secret, sess, bad));
    assert_false(csrf_valid(secret, sess, ""));
    assert_false(csrf_valid(secret, sess, NULL));
    assert_true(csrf_valid(secret, sess, tok));
}

/* --- API tokens ------------------------------------------------------------------------ */

struct token_ids {
    int n;
    int64_t ids[8];
};

static void collect_token(const struct api_token *t, void *arg)
{
    struct token_ids *c = arg;
    if (c->n < 8)
        c->ids[c->n++] = t->id;
}

static void test_token_lifecycle(void **state)
{
    struct pz_err err = {0};
    struct api_token t1, t2, out;
    char s1[TOKEN_SECRET_LEN], s2[TOKEN_SECRET_LEN];
    struct principal p;
    struct token_ids ids;
    const struct user *a = &g.member1;
    (void)state;

    assert_int_equal(token_create(conn(), a, NULL, &t1, s1, &err), 0);
    assert_string_equal(t1.name, "API token");
    assert_int_equal(token_create(conn(), a, "CI deploy", &t2, s2, &err), 0);
    assert_string_equal(t2.name, "CI deploy");
    assert_true(t1.id > 0 && t2.id > t1.id);
    assert_int_equal(t1.workspace_id, g.ws1.id);
    assert_int_equal(t1.user_id, a->id);
    assert_int_equal(t1.revoked, 0);
    assert_int_equal(t1.last_used_at, -1);

    /* "pz_" and 43 base64url characters; the prefix tells them apart. */
    assert_int_equal(strlen(s1), 46);
    assert_true(pz_str_starts(s1, "pz_"));
    assert_true(is_b64url(s1 + 3));
    assert_string_not_equal(s1, s2);
    assert_int_equal(strlen(t1.prefix), 8);
    assert_memory_equal(t1.prefix, s1, 8);

    assert_int_equal(token_authenticate(conn(), s1, &p), 0);
    assert_int_equal(p.via, VIA_TOKEN);
    assert_int_equal(p.token_id, t1.id);
    assert_int_equal(p.user.id, a->id);
    assert_int_equal(p.workspace.id, g.ws1.id);
    assert_int_equal(p.session_id, 0);

    /* Malformed and unknown secrets. */
    {
        char wrong[TOKEN_SECRET_LEN];
        memcpy(wrong, s1, sizeof(wrong));
        wrong[20] = wrong[20] == 'a' ? 'b' : 'a';
        assert_int_equal(token_authenticate(conn(), wrong, &p), PZ_EAUTH);
        memcpy(wrong, s1, sizeof(wrong));
        wrong[0] = 'x';
        assert_int_equal(token_authenticate(conn(), wrong, &p), PZ_EAUTH);
        assert_int_equal(token_authenticate(conn(), "pz_short", &p), PZ_EAUTH);
        assert_int_equal(token_authenticate(conn(), "", &p), PZ_EAUTH);
        assert_int_equal(token_authenticate(conn(), NULL, &p), PZ_EAUTH);
    }

    memset(&ids, 0, sizeof(ids));
    assert_int_equal(token_list(conn(), g.ws1.id, a->id, 0, 10, collect_token, &ids), 0);
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.ids[0], t1.id);
    assert_int_equal(ids.ids[1], t2.id);
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(token_list(conn(), g.ws1.id, a->id, t1.id, 10, collect_token, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.ids[0], t2.id);
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(token_list(conn(), g.ws1.id, g.owner1.id, 0, 10, collect_token, &ids), 0);
    assert_int_equal(ids.n, 0);
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(token_list(conn(), g.ws2.id, a->id, 0, 10, collect_token, &ids), 0);
    assert_int_equal(ids.n, 0);

    /* Another user's token, or another workspace's: not found, and still live. */
    assert_int_equal(token_revoke(conn(), g.ws1.id, g.owner1.id, t1.id, &out), PZ_ENOTFOUND);
    assert_int_equal(token_revoke(conn(), g.ws2.id, 0, t1.id, &out), PZ_ENOTFOUND);
    assert_int_equal(token_revoke(conn(), g.ws2.id, a->id, t1.id, &out), PZ_ENOTFOUND);
    assert_int_equal(token_revoke(conn(), g.ws1.id, a->id, 999999, &out), PZ_ENOTFOUND);
    assert_int_equal(token_authenticate(conn(), s1, &p), 0);

    /* Its owner revokes it. */
    memset(&out, 0, sizeof(out));
    assert_int_equal(token_revoke(conn(), g.ws1.id, a->id, t1.id, &out), 0);
    assert_int_equal(out.id, t1.id);
    assert_int_equal(out.revoked, 1);
    assert_string_equal(out.name, "API token");
    assert_int_equal(token_authenticate(conn(), s1, &p), PZ_EAUTH);
    assert_int_equal(token_revoke(conn(), g.ws1.id, a->id, t1.id, &out), PZ_ENOTFOUND);
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(token_list(conn(), g.ws1.id, a->id, 0, 10, collect_token, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.ids[0], t2.id);

    /* A disabled user's tokens stop working. */
    assert_int_equal(user_set_disabled(conn(), g.ws1.id, a->id, 1), 0);
    assert_int_equal(token_authenticate(conn(), s2, &p), PZ_EAUTH);
    assert_int_equal(user_set_disabled(conn(), g.ws1.id, a->id, 0), 0);
    assert_int_equal(token_authenticate(conn(), s2, &p), 0);
    /* Revoking without a user filter (an owner acting). */
    assert_int_equal(token_revoke(conn(), g.ws1.id, 0, t2.id, &out), 0);
    assert_int_equal(token_authenticate(conn(), s2, &p), PZ_EAUTH);
}

static void test_token_names(void **state)
{
    struct pz_err err = {0};
    struct api_token t;
    char s[TOKEN_SECRET_LEN], name[120];
    (void)state;

    assert_int_equal(token_create(conn(), &g.member2, "", &t, s, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "name");
    memset(name, 'n', 101);
    name[101] = '\0';
    memset(&err, 0, sizeof(err));
    assert_int_equal(token_create(conn(), &g.member2, name, &t, s, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "name");
    memset(&err, 0, sizeof(err));
    assert_int_equal(token_create(conn(), &g.member2, "bad \xff", &t, s, &err), PZ_EINVAL);
    assert_err(&err, "request.invalid", "name");
    name[100] = '\0';
    assert_int_equal(token_create(conn(), &g.member2, name, &t, s, &err), 0);
    assert_string_equal(t.name, name);
    assert_int_equal(token_revoke(conn(), g.ws2.id, g.member2.id, t.id, &t), 0);
}

/* --- audit log ------------------------------------------------------------------------------ */

struct audit_seen {
    int n;
    struct audit_row rows[8];
};

static void collect_audit(const struct audit_row *row, void *arg)
{
    struct audit_seen *s = arg;
    if (s->n < 8)
        s->rows[s->n++] = *row;
}

static void test_audit(void **state)
{
    struct workspace w;
    struct audit_seen s;
    char action[32];
    (void)state;

    assert_int_equal(make_workspace("Audit Test", "audit-test", &w), 0);
    for (int i = 0; i < 5; i++) {
        snprintf(action, sizeof(action), "test.action_%d", i);
        assert_int_equal(audit_add(conn(), w.id, i == 4 ? g.owner1.id : 0, action, "target@x.it",
                                   "192.0.2.7", i == 2 ? "some detail" : NULL),
                         0);
    }
    /* Another workspace's rows never show. */
    assert_int_equal(audit_add(conn(), g.ws2.id, 0, "test.elsewhere", NULL, NULL, NULL), 0);

    memset(&s, 0, sizeof(s));
    assert_int_equal(audit_list(conn(), w.id, 0, 2, collect_audit, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.rows[0].action, "test.action_4");
    assert_string_equal(s.rows[1].action, "test.action_3");
    assert_true(s.rows[0].id > s.rows[1].id);
    assert_true(s.rows[0].at > 0);
    assert_int_equal(s.rows[0].actor_id, g.owner1.id);
    assert_int_equal(s.rows[1].actor_id, 0);
    assert_string_equal(s.rows[1].actor_email, "");
    assert_string_equal(s.rows[1].target, "target@x.it");
    assert_string_equal(s.rows[1].ip, "192.0.2.7");
    assert_string_equal(s.rows[1].detail, "");

    /* The next page starts below the last id seen. */
    {
        int64_t last = s.rows[1].id;
        memset(&s, 0, sizeof(s));
        assert_int_equal(audit_list(conn(), w.id, last, 2, collect_audit, &s), 0);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.rows[0].action, "test.action_2");
        assert_string_equal(s.rows[0].detail, "some detail");
        assert_string_equal(s.rows[1].action, "test.action_1");
        last = s.rows[1].id;
        memset(&s, 0, sizeof(s));
        assert_int_equal(audit_list(conn(), w.id, last, 2, collect_audit, &s), 0);
        assert_int_equal(s.n, 1);
        assert_string_equal(s.rows[0].action, "test.action_0");
        last = s.rows[0].id;
        memset(&s, 0, sizeof(s));
        assert_int_equal(audit_list(conn(), w.id, last, 2, collect_audit, &s), 0);
        assert_int_equal(s.n, 0);
    }
    memset(&s, 0, sizeof(s));
    assert_int_equal(audit_list(conn(), w.id, 0, 100, collect_audit, &s), 0);
    assert_int_equal(s.n, 5);
}

static void test_audit_actor_email(void **state)
{
    struct audit_seen s;
    (void)state;

    /* The actor's e-mail is joined in, but only from the same workspace. */
    assert_int_equal(audit_add(conn(), g.ws1.id, g.owner1.id, "test.own", NULL, NULL, NULL), 0);
    assert_int_equal(audit_add(conn(), g.ws2.id, g.owner1.id, "test.foreign", NULL, NULL, NULL), 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(audit_list(conn(), g.ws1.id, 0, 1, collect_audit, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.rows[0].action, "test.own");
    assert_string_equal(s.rows[0].actor_email, "owner@one.it");
    memset(&s, 0, sizeof(s));
    assert_int_equal(audit_list(conn(), g.ws2.id, 0, 1, collect_audit, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.rows[0].action, "test.foreign");
    assert_string_equal(s.rows[0].actor_email, "");
    /* An action is required. */
    assert_true(audit_add(conn(), g.ws1.id, 0, NULL, NULL, NULL, NULL) < 0);
}

/* --- rate limiting ------------------------------------------------------------------------------
 */

/* Each limiter lives in the test's state, so a failed assertion leaks nothing. */
static int rl_setup_3_16(void **state)
{
    *state = ratelimit_new(3, 60, 16);
    return 0;
}

static int rl_setup_2_2(void **state)
{
    *state = ratelimit_new(2, 60, 2);
    return 0;
}

static int rl_setup_2_8(void **state)
{
    *state = ratelimit_new(2, 60, 8);
    return 0;
}

static int rl_teardown(void **state)
{
    ratelimit_free(*state);
    return 0;
}

static void test_ratelimit(void **state)
{
    struct ratelimit *rl = *state;
    int64_t t = 1000000;

    assert_int_equal(ratelimit_wait(rl, "account:a", t), 0);
    ratelimit_fail(rl, "account:a", t);
    ratelimit_fail(rl, "account:a", t + 1000);
    assert_int_equal(ratelimit_wait(rl, "account:a", t + 1000), 0);
    ratelimit_fail(rl, "account:a", t + 2000);
    /* Three failures in the window: wait until the window (from the first) ends. */
    assert_int_equal(ratelimit_wait(rl, "account:a", t + 2000), 58);
    assert_int_equal(ratelimit_wait(rl, "account:a", t + 59500), 1);
    assert_int_equal(ratelimit_wait(rl, "account:a", t + 59999), 1);
    assert_int_equal(ratelimit_wait(rl, "account:a", t + 60000), 0);
    /* Other keys are untouched. */
    assert_int_equal(ratelimit_wait(rl, "account:b", t + 2000), 0);
    assert_int_equal(ratelimit_wait(rl, "account:", t + 2000), 0);
    assert_int_equal(ratelimit_wait(rl, "account:aa", t + 2000), 0);

    /* After the window a failure starts a new count. */
    ratelimit_fail(rl, "account:a", t + 61000);
    assert_int_equal(ratelimit_wait(rl, "account:a", t + 61000), 0);
    ratelimit_fail(rl, "account:a", t + 61000);
    ratelimit_fail(rl, "account:a", t + 61000);
    assert_int_equal(ratelimit_wait(rl, "account:a", t + 61000), 60);

    /* A success clears it. */
    ratelimit_clear(rl, "account:a");
    assert_int_equal(ratelimit_wait(rl, "account:a", t + 61000), 0);
    ratelimit_fail(rl, "account:a", t + 61000);
    assert_int_equal(ratelimit_wait(rl, "account:a", t + 61000), 0);
    ratelimit_clear(rl, "never-seen"); /* harmless */
    ratelimit_free(NULL);
}

static void test_ratelimit_full_table(void **state)
{
    struct ratelimit *rl = *state;
    int64_t t = 5000000;

    ratelimit_fail(rl, "k1", t);
    ratelimit_fail(rl, "k1", t);
    ratelimit_fail(rl, "k2", t + 10);
    ratelimit_fail(rl, "k2", t + 10);
    assert_true(ratelimit_wait(rl, "k1", t + 20) > 0);
    assert_true(ratelimit_wait(rl, "k2", t + 20) > 0);
    /* A third key takes the slot whose window started first (k1's). */
    ratelimit_fail(rl, "k3", t + 20);
    ratelimit_fail(rl, "k3", t + 20);
    assert_true(ratelimit_wait(rl, "k3", t + 30) > 0);
    assert_true(ratelimit_wait(rl, "k2", t + 30) > 0);
    assert_int_equal(ratelimit_wait(rl, "k1", t + 30), 0);
}

static void test_ratelimit_long_key(void **state)
{
    struct ratelimit *rl = *state;
    char key[400];
    int64_t t = 9000000;

    /* However long the key, its failures count. */
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    ratelimit_fail(rl, key, t);
    ratelimit_fail(rl, key, t);
    ratelimit_fail(rl, key, t);
    assert_true(ratelimit_wait(rl, key, t) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workspace_create),
        cmocka_unit_test(test_workspace_validation),
        cmocka_unit_test(test_workspace_slug_taken),
        cmocka_unit_test(test_workspace_long_name_slug),
        cmocka_unit_test(test_timezone_valid),
        cmocka_unit_test(test_timezone_not_a_zone_file),
        cmocka_unit_test(test_roles_parse),
        cmocka_unit_test(test_roles_allow),
        cmocka_unit_test(test_password_check),
        cmocka_unit_test(test_password_hash_verify),
        cmocka_unit_test(test_password_generate),
        cmocka_unit_test(test_user_validation),
        cmocka_unit_test(test_user_create_and_find),
        cmocka_unit_test(test_user_each_and_list),
        cmocka_unit_test(test_user_changes),
        cmocka_unit_test(test_token_hash),
        cmocka_unit_test(test_session_lifecycle),
        cmocka_unit_test(test_session_expired),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_token_lifecycle),
        cmocka_unit_test(test_token_names),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_audit_actor_email),
        cmocka_unit_test_setup_teardown(test_ratelimit, rl_setup_3_16, rl_teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_full_table, rl_setup_2_2, rl_teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_long_key, rl_setup_2_8, rl_teardown),
    };

    if (sodium_init() < 0) {
        fprintf(stderr, "sodium_init failed\n");
        return 1;
    }
    /* Expected failures log errors; keep the output to cmocka's lines. */
    pz_log_set_level(PZ_LOG_OFF);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
