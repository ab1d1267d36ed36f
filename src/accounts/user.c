/*
 * Users, roles and passwords. See user.h.
 *
 * argon2id parameters: 2 passes over 19 MiB, the OWASP recommendation for
 * argon2id, which keeps a sign-in near 50 ms and bounds memory per sign-in
 * (libsodium's "interactive" preset would take 64 MiB each).
 */
#include "accounts/user.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u * 1024 * 1024)

static const char *const role_names[] = {"none",  "consultant", "member",
                                         "agent", "manager",    "owner"};

enum role role_parse(const char *name)
{
    for (int i = ROLE_CONSULTANT; i <= ROLE_OWNER; i++)
        if (name && strcmp(name, role_names[i]) == 0)
            return (enum role)i;
    return ROLE_NONE;
}

const char *role_name(enum role r)
{
    return (r >= ROLE_NONE && r <= ROLE_OWNER) ? role_names[r] : "none";
}

int role_allows(enum role have, enum role need, int changes_state)
{
    if (have == ROLE_NONE)
        return 0;
    if (have == ROLE_CONSULTANT) {
        if (changes_state)
            return 0;
        have = ROLE_MANAGER;
    }
    return have >= need;
}

/* Passwords people pick first; a short list catches the worst. */
static const char *const common_passwords[] = {
    "password123",   "password1234", "passwordpassword", "qwertyuiop",   "1234567890",
    "12345678910",   "123456789012", "0123456789",       "iloveyou123",  "admin12345",
    "administrator", "welcome123",   "letmein123",       "qwerty12345",  "asdfghjkl1",
    "abcdefghij",    "abc1234567",   "passw0rd123",      "1q2w3e4r5t",   "1qaz2wsx3edc",
    "changeme123",   "piazza12345",  "piazzapiazza",     "benvenuto1",   "ciaociao123",
    "forzainter",    "forzamilan",   "forzajuve1",       "juventus123",  "napoli1926",
    "1111111111",    "0000000000",   "aaaaaaaaaa",       "qwertyqwerty", "trustno1234",
};

int password_check(const char *pw, const char *email, const char *field, struct pz_err *err)
{
    size_t n = pw ? strlen(pw) : 0;
    char lower[PZ_PASSWORD_MAX + 1];

    if (n > PZ_PASSWORD_MAX)
        return pz_err_set(err, "password.too_long", field,
                          "the password may be at most %d bytes long", PZ_PASSWORD_MAX);
    if (!pw || !pz_utf8_valid(pw, n) || pz_utf8_count(pw) < PZ_PASSWORD_MIN)
        return pz_err_set(err, "password.too_short", field,
                          "the password must be at least %d characters long", PZ_PASSWORD_MIN);
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)((pw[i] >= 'A' && pw[i] <= 'Z') ? pw[i] + 32 : pw[i]);
    for (size_t i = 0; i < sizeof(common_passwords) / sizeof(common_passwords[0]); i++)
        if (strcmp(lower, common_passwords[i]) == 0)
            return pz_err_set(err, "password.too_common", field,
                              "this password is among the most common ones; choose another");
    if (email && *email) {
        const char *at = strchr(email, '@');
        size_t local = at ? (size_t)(at - email) : strlen(email);
        if (pz_str_ieq(pw, email) || (local == n && strncmp(lower, email, local) == 0))
            return pz_err_set(err, "password.same_as_email", field,
                              "the password must not be your e-mail address");
    }
    return 0;
}

int password_hash(const char *pw, char *out, size_t outsz)
{
    if (outsz < crypto_pwhash_STRBYTES)
        return PZ_ETOOBIG;
    if (crypto_pwhash_str_alg(out, pw, strlen(pw), PW_OPSLIMIT, PW_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return pz_error(PZ_ENOMEM, "cannot hash a password (out of memory)");
    return 0;
}

int password_verify(const char *hash, const char *pw)
{
    static char dummy[crypto_pwhash_STRBYTES];
    static int have_dummy;

    if (!hash) {
        /* Spend the same effort for an unknown account, so timing tells nothing. */
        if (!have_dummy) {
            password_hash("piazza-dummy-password", dummy, sizeof(dummy));
            have_dummy = 1;
        }
        if (crypto_pwhash_str_verify(dummy, pw, strlen(pw)) == 0)
            return 0; /* the dummy matched, which still signs nobody in */
        return 0;
    }
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void password_generate(char *out, size_t outsz)
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    size_t n = 16;
    if (outsz < n + 4)
        n = outsz > 4 ? outsz - 4 : 0;
    for (size_t i = 0, o = 0; i < n; i++) {
        out[o++] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
        if (i % 4 == 3 && i + 1 < n)
            out[o++] = '-';
        out[o] = '\0';
    }
}

#define USER_COLUMNS                                                                               \
    "id, workspace_id, email, name, role, COALESCE(locale, ''), disabled, must_change_password,"   \
    " created_at, COALESCE(last_sign_in_at, -1), password_hash"

static void read_row(struct pz_stmt *st, struct user *u)
{
    const char *s;
    memset(u, 0, sizeof(*u));
    u->id = pz_sql_int(st, 0);
    u->workspace_id = pz_sql_int(st, 1);
    snprintf(u->email, sizeof(u->email), "%s", (s = pz_sql_text(st, 2)) ? s : "");
    snprintf(u->name, sizeof(u->name), "%s", (s = pz_sql_text(st, 3)) ? s : "");
    u->role = role_parse(pz_sql_text(st, 4));
    snprintf(u->locale, sizeof(u->locale), "%s", (s = pz_sql_text(st, 5)) ? s : "");
    u->disabled = (int)pz_sql_int(st, 6);
    u->must_change_password = (int)pz_sql_int(st, 7);
    u->created_at = pz_sql_int(st, 8);
    u->last_sign_in_at = pz_sql_int(st, 9);
    snprintf(u->password_hash, sizeof(u->password_hash), "%s", (s = pz_sql_text(st, 10)) ? s : "");
}

int user_create(struct pz_conn *conn, int64_t ws, const char *email, const char *name,
                enum role role, const char *password, int must_change, struct user *out,
                struct pz_err *err)
{
    char norm[256], hash[128];
    size_t name_len = name ? strlen(name) : 0;
    struct pz_stmt *st;
    int r;

    if (!email || pz_email_normalize(email, norm, sizeof(norm)) < 0)
        return pz_err_set(err, "request.invalid", "email", "'%s' is not a valid e-mail address",
                          email ? email : "");
    if (name_len == 0 || name_len > 120 || !pz_utf8_valid(name, name_len))
        return pz_err_set(err, "request.invalid", "name", "the name must be 1 to 120 characters");
    if (role == ROLE_NONE)
        return pz_err_set(err, "request.invalid", "role",
                          "the role must be owner, manager, agent, member or consultant");
    r = password_check(password, norm, "password", err);
    if (r < 0)
        return r;
    r = password_hash(password, hash, sizeof(hash));
    if (r < 0)
        return r;
    st = pz_sql(conn, "INSERT INTO users (workspace_id, email, name, role, password_hash,"
                      " must_change_password, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                      " RETURNING " USER_COLUMNS);
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, norm);
    pz_sql_bind_text(st, 3, name);
    pz_sql_bind_text(st, 4, role_name(role));
    pz_sql_bind_text(st, 5, hash);
    pz_sql_bind_int(st, 6, must_change ? 1 : 0);
    pz_sql_bind_int(st, 7, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_row(st, out);
    pz_sql_done(st);
    if (r == PZ_EEXIST)
        return pz_err_set(err, "user.exists", "email",
                          "a user with the e-mail %s already exists in this workspace", norm);
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

int user_get(struct pz_conn *conn, int64_t ws, int64_t id, struct user *out)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT " USER_COLUMNS " FROM users WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_row(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int user_find_email(struct pz_conn *conn, int64_t ws, const char *email, struct user *out)
{
    char norm[256];
    struct pz_stmt *st;
    int r;

    if (pz_email_normalize(email, norm, sizeof(norm)) < 0)
        return PZ_ENOTFOUND;
    st = pz_sql(conn, "SELECT " USER_COLUMNS " FROM users WHERE workspace_id = $1 AND email = $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, norm);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_row(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int user_each_with_email(struct pz_conn *conn, const char *email,
                         int (*fn)(const struct user *u, void *arg), void *arg)
{
    char norm[256];
    struct pz_stmt *st;
    struct user u;
    int r, stop = 0;

    if (pz_email_normalize(email, norm, sizeof(norm)) < 0)
        return 0;
    st = pz_sql(conn, "SELECT " USER_COLUMNS " FROM users WHERE email = $1 ORDER BY id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, norm);
    while (!stop && (r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_row(st, &u);
        stop = fn(&u, arg);
    }
    pz_sql_done(st);
    if (stop)
        return stop;
    return r < 0 ? r : 0;
}

int user_list(struct pz_conn *conn, int64_t ws, int64_t after_id, int limit,
              void (*fn)(const struct user *u, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " USER_COLUMNS " FROM users WHERE workspace_id = $1"
                                      " AND id > $2 ORDER BY id LIMIT $3");
    struct user u;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, after_id);
    pz_sql_bind_int(st, 3, limit);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_row(st, &u);
        fn(&u, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int64_t user_count(struct pz_conn *conn)
{
    int64_t n = 0;
    int r = pz_sql_one_int(conn, "SELECT COUNT(*) FROM users", 0, &n);
    return r < 0 ? r : n;
}

int64_t user_count_active_owners(struct pz_conn *conn, int64_t ws)
{
    int64_t n = 0;
    int r = pz_sql_one_int(conn,
                           "SELECT COUNT(*) FROM users WHERE workspace_id = $1 AND role = 'owner'"
                           " AND disabled = 0",
                           ws, &n);
    return r < 0 ? r : n;
}

/* Runs an UPDATE of one user whose $1 is the workspace, $2 the id, $3 the value. */
static int update_one(struct pz_conn *conn, const char *sql, int64_t ws, int64_t id,
                      const char *text, int64_t num)
{
    struct pz_stmt *st = pz_sql(conn, sql);
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    if (text)
        pz_sql_bind_text(st, 3, text);
    else
        pz_sql_bind_int(st, 3, num);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return pz_sql_changes(conn) > 0 ? 0 : PZ_ENOTFOUND;
}

int user_set_role(struct pz_conn *conn, int64_t ws, int64_t id, enum role role)
{
    return update_one(conn, "UPDATE users SET role = $3 WHERE workspace_id = $1 AND id = $2", ws,
                      id, role_name(role), 0);
}

int user_set_disabled(struct pz_conn *conn, int64_t ws, int64_t id, int disabled)
{
    return update_one(conn, "UPDATE users SET disabled = $3 WHERE workspace_id = $1 AND id = $2",
                      ws, id, NULL, disabled ? 1 : 0);
}

int user_set_locale(struct pz_conn *conn, int64_t ws, int64_t id, const char *locale)
{
    return update_one(conn, "UPDATE users SET locale = $3 WHERE workspace_id = $1 AND id = $2", ws,
                      id, locale, 0);
}

int user_set_name(struct pz_conn *conn, int64_t ws, int64_t id, const char *name)
{
    return update_one(conn, "UPDATE users SET name = $3 WHERE workspace_id = $1 AND id = $2", ws,
                      id, name, 0);
}

int user_set_password(struct pz_conn *conn, const struct user *u, const char *password,
                      struct pz_err *err)
{
    char hash[128];
    int r = password_check(password, u->email, "new_password", err);

    if (r < 0)
        return r;
    r = password_hash(password, hash, sizeof(hash));
    if (r < 0)
        return r;
    return update_one(conn,
                      "UPDATE users SET password_hash = $3, must_change_password = 0"
                      " WHERE workspace_id = $1 AND id = $2",
                      u->workspace_id, u->id, hash, 0);
}

int user_touch_sign_in(struct pz_conn *conn, int64_t ws, int64_t id)
{
    return update_one(conn,
                      "UPDATE users SET last_sign_in_at = $3 WHERE workspace_id = $1 AND id = $2",
                      ws, id, NULL, pz_now_ms());
}
