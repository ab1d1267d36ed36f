/*
 * Workspaces. See workspace.h.
 */
#include "accounts/workspace.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

int workspace_timezone_valid(const char *tz)
{
    char path[256], magic[4];
    struct stat st;
    size_t n = strlen(tz);
    FILE *f;
    int ok;

    if (n == 0 || n > 60 || strstr(tz, "..") || tz[0] == '/')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = tz[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return 0;
    }
    if (strcmp(tz, "UTC") == 0)
        return 1;
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    /* The folder also holds data files (leapseconds, zone.tab): a zone starts with TZif. */
    f = fopen(path, "rb");
    if (!f)
        return 0;
    ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return ok;
}

static void read_row(struct pz_stmt *st, struct workspace *w)
{
    const char *s;
    memset(w, 0, sizeof(*w));
    w->id = pz_sql_int(st, 0);
    snprintf(w->name, sizeof(w->name), "%s", (s = pz_sql_text(st, 1)) ? s : "");
    snprintf(w->slug, sizeof(w->slug), "%s", (s = pz_sql_text(st, 2)) ? s : "");
    snprintf(w->locale, sizeof(w->locale), "%s", (s = pz_sql_text(st, 3)) ? s : "it");
    snprintf(w->timezone, sizeof(w->timezone), "%s", (s = pz_sql_text(st, 4)) ? s : "");
    w->created_at = pz_sql_int(st, 5);
}

#define WS_COLUMNS "workspace_id, name, slug, locale, timezone, created_at"

int workspace_create(struct pz_conn *conn, const char *name, const char *slug, const char *locale,
                     const char *timezone, struct workspace *out, struct pz_err *err)
{
    char derived[64];
    struct pz_stmt *st;
    size_t name_len = name ? strlen(name) : 0;
    int r;

    if (name_len == 0 || name_len > 120 || !pz_utf8_valid(name, name_len))
        return pz_err_set(err, "request.invalid", "workspace_name",
                          "the workspace name must be 1 to 120 characters");
    if (!slug || !*slug) {
        if (pz_slugify(name, derived, sizeof(derived)) <= 0)
            return pz_err_set(err, "request.invalid", "workspace_slug",
                              "no short name can be derived from '%s'; give one", name);
        slug = derived;
    }
    if (!pz_slug_valid(slug))
        return pz_err_set(err, "request.invalid", "workspace_slug",
                          "the short name may use a-z, 0-9 and '-' (1 to 63 characters)");
    if (!locale)
        locale = "it";
    if (strcmp(locale, "it") != 0 && strcmp(locale, "en") != 0)
        return pz_err_set(err, "request.invalid", "locale", "the language must be 'it' or 'en'");
    if (!timezone || !*timezone)
        timezone = "Europe/Rome";
    if (!workspace_timezone_valid(timezone))
        return pz_err_set(err, "request.invalid", "timezone",
                          "'%s' is not a known time zone (e.g. Europe/Rome)", timezone);
    st = pz_sql(conn, "INSERT INTO workspaces (name, slug, locale, timezone, created_at) "
                      "VALUES ($1, $2, $3, $4, $5) RETURNING " WS_COLUMNS);
    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, name);
    pz_sql_bind_text(st, 2, slug);
    pz_sql_bind_text(st, 3, locale);
    pz_sql_bind_text(st, 4, timezone);
    pz_sql_bind_int(st, 5, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_row(st, out);
    pz_sql_done(st);
    if (r == PZ_EEXIST)
        return pz_err_set(err, "workspace.slug_taken", "workspace_slug",
                          "the short name '%s' is already used by another workspace", slug);
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

static int get_by(struct pz_conn *conn, const char *sql, int64_t id, const char *slug,
                  struct workspace *out)
{
    struct pz_stmt *st = pz_sql(conn, sql);
    int r;

    if (!st)
        return PZ_EDB;
    if (slug)
        pz_sql_bind_text(st, 1, slug);
    else
        pz_sql_bind_int(st, 1, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_row(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int workspace_get(struct pz_conn *conn, int64_t id, struct workspace *out)
{
    return get_by(conn, "SELECT " WS_COLUMNS " FROM workspaces WHERE workspace_id = $1", id, NULL,
                  out);
}

int workspace_find_slug(struct pz_conn *conn, const char *slug, struct workspace *out)
{
    return get_by(conn, "SELECT " WS_COLUMNS " FROM workspaces WHERE slug = $1", 0, slug, out);
}

int64_t workspace_count(struct pz_conn *conn)
{
    int64_t n = 0;
    int r = pz_sql_one_int(conn, "SELECT COUNT(*) FROM workspaces", 0, &n);
    return r < 0 ? r : n;
}
