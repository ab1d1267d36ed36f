/*
 * Investments, hourly rates and timers. See invest.h.
 */
#include "goals/invest.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "goals/conversion.h"
#include "core/banned.h"

static void copy(char *out, size_t outsz, const char *s)
{
    snprintf(out, outsz, "%s", s ? s : "");
}

void investment_in_init(struct investment_in *in)
{
    memset(in, 0, sizeof(*in));
    in->objective_id = in->campaign_id = -1;
    in->amount_cents = -1;
    in->user_id = -1;
    in->minutes = -1;
}

static int text_ok(const char *s, const char *field, struct pz_err *err)
{
    if (s && (strlen(s) > INVEST_TEXT_MAX || !pz_utf8_valid(s, strlen(s))))
        return pz_err_set(err, "goals.invalid_field", field, "%s must be text of at most %d bytes",
                          field, INVEST_TEXT_MAX);
    return 0;
}

/* Checks the objective and campaign ids; fills the objective from the campaign. */
static int refs_ok(struct pz_conn *conn, int64_t ws, int64_t *objective_id, int64_t campaign_id,
                   struct pz_err *err)
{
    int64_t v = 0;
    int r;

    if (campaign_id > 0) {
        r = pz_sql_int_query(
            conn, "SELECT objective_id FROM campaigns WHERE workspace_id = $1 AND id = $2", &v,
            "ii", ws, campaign_id);
        if (r < 0)
            return r;
        if (r != PZ_SQL_ROW)
            return pz_err_set(err, "goals.unknown_reference", "campaign_id",
                              "no campaign %lld in this workspace", (long long)campaign_id);
        if (*objective_id > 0 && *objective_id != v)
            return pz_err_set(err, "goals.invalid_field", "objective_id",
                              "the campaign belongs to objective %lld", (long long)v);
        *objective_id = v;
        return 0;
    }
    if (*objective_id > 0) {
        r = pz_sql_int_query(conn, "SELECT 1 FROM objectives WHERE workspace_id = $1 AND id = $2",
                             &v, "ii", ws, *objective_id);
        if (r < 0)
            return r;
        if (r != PZ_SQL_ROW)
            return pz_err_set(err, "goals.unknown_reference", "objective_id",
                              "no objective %lld in this workspace", (long long)*objective_id);
        return 0;
    }
    return pz_err_set(err, "goals.missing_field", "campaign_id",
                      "say what this is for: campaign_id or objective_id");
}

int investment_create(struct pz_conn *conn, int64_t ws, int64_t creator,
                      const struct investment_in *in, struct investment *out, struct pz_err *err)
{
    int64_t day, objective_id = in->objective_id, one = 0;
    struct pz_stmt *st;
    int money, r;

    memset(out, 0, sizeof(*out));
    if (!in->kind)
        return pz_err_set(err, "goals.missing_field", "kind", "kind is required: money or time");
    money = strcmp(in->kind, "money") == 0;
    if (!money && strcmp(in->kind, "time") != 0)
        return pz_err_set(err, "goals.invalid_field", "kind", "kind must be money or time");
    if (!in->day || !*in->day)
        return pz_err_set(err, "goals.missing_field", "date", "date is required (YYYY-MM-DD)");
    if (strlen(in->day) > 10 || pz_day_parse(in->day, &day) < 0)
        return pz_err_set(err, "goals.bad_date", "date", "date must be YYYY-MM-DD");
    if (day > pz_now_ms() / PZ_DAY_MS + 366)
        return pz_err_set(err, "goals.bad_date", "date", "date is more than a year ahead");
    if (text_ok(in->activity, "activity", err) < 0 || text_ok(in->note, "note", err) < 0)
        return PZ_EINVAL;
    if (money) {
        const char *currency = in->currency ? in->currency : "EUR";
        if (in->amount_cents == -1)
            return pz_err_set(err, "goals.missing_field", "amount", "amount is required");
        if (in->amount_cents <= 0 || in->amount_cents > INVEST_AMOUNT_MAX)
            return pz_err_set(err, "goals.bad_amount", "amount",
                              "amount must be more than 0 and at most 1,000,000,000");
        if (strlen(currency) != 3 || !goal_currency_valid(currency))
            return pz_err_set(err, "goals.bad_currency", "currency",
                              "currency must be an ISO 4217 code piazza knows, such as EUR");
        if (!in->category)
            return pz_err_set(err, "goals.missing_field", "category",
                              "category is required: ads, consultant, tools, content or training");
        if (strcmp(in->category, "ads") != 0 && strcmp(in->category, "consultant") != 0 &&
            strcmp(in->category, "tools") != 0 && strcmp(in->category, "content") != 0 &&
            strcmp(in->category, "training") != 0)
            return pz_err_set(err, "goals.invalid_field", "category",
                              "category must be ads, consultant, tools, content or training");
        copy(out->currency, sizeof(out->currency), currency);
        copy(out->category, sizeof(out->category), in->category);
        out->amount_cents = in->amount_cents;
        out->user_id = -1;
    } else {
        int64_t user = in->user_id > 0 ? in->user_id : creator;
        if (in->minutes == -1)
            return pz_err_set(err, "goals.missing_field", "hours", "hours is required");
        if (in->minutes <= 0 || in->minutes > INVEST_MINUTES_MAX)
            return pz_err_set(err, "goals.bad_amount", "hours",
                              "hours must be more than 0 and at most 24 for one entry");
        r = pz_sql_int_query(conn, "SELECT 1 FROM users WHERE workspace_id = $1 AND id = $2", &one,
                             "ii", ws, user);
        if (r < 0)
            return r;
        if (r != PZ_SQL_ROW)
            return pz_err_set(err, "goals.unknown_reference", "user_id",
                              "no user %lld in this workspace", (long long)user);
        out->user_id = user;
        out->minutes = in->minutes;
    }
    r = refs_ok(conn, ws, &objective_id, in->campaign_id, err);
    if (r < 0)
        return r;
    copy(out->kind, sizeof(out->kind), money ? "money" : "time");
    copy(out->day, sizeof(out->day), in->day);
    out->objective_id = objective_id;
    out->campaign_id = in->campaign_id > 0 ? in->campaign_id : -1;
    copy(out->activity, sizeof(out->activity), in->activity);
    copy(out->note, sizeof(out->note), in->note);
    out->created_by = creator;
    out->created_at = pz_now_ms();
    st = pz_sql(conn, "INSERT INTO investments (workspace_id, kind, day, objective_id, campaign_id,"
                      " amount_cents, currency, category, user_id, minutes, activity, note,"
                      " created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                      " $11, $12, $13, $14) RETURNING id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, out->kind);
    pz_sql_bind_text(st, 3, out->day);
    pz_sql_bind_int(st, 4, out->objective_id);
    if (out->campaign_id > 0)
        pz_sql_bind_int(st, 5, out->campaign_id);
    if (money) {
        pz_sql_bind_int(st, 6, out->amount_cents);
        pz_sql_bind_text(st, 7, out->currency);
        pz_sql_bind_text(st, 8, out->category);
    } else {
        pz_sql_bind_int(st, 9, out->user_id);
        pz_sql_bind_int(st, 10, out->minutes);
    }
    pz_sql_bind_text(st, 11, out->activity[0] ? out->activity : NULL);
    pz_sql_bind_text(st, 12, out->note);
    pz_sql_bind_int(st, 13, creator);
    pz_sql_bind_int(st, 14, out->created_at);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        out->id = pz_sql_int(st, 0);
    pz_sql_done(st);
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

#define INVESTMENT_COLUMNS                                                                         \
    "id, kind, day, objective_id, campaign_id, amount_cents, currency, category, user_id,"         \
    " minutes, activity, note, created_by, created_at"

static void read_investment(struct pz_stmt *st, struct investment *i)
{
    memset(i, 0, sizeof(*i));
    i->id = pz_sql_int(st, 0);
    copy(i->kind, sizeof(i->kind), pz_sql_text(st, 1));
    copy(i->day, sizeof(i->day), pz_sql_text(st, 2));
    i->objective_id = pz_sql_is_null(st, 3) ? -1 : pz_sql_int(st, 3);
    i->campaign_id = pz_sql_is_null(st, 4) ? -1 : pz_sql_int(st, 4);
    i->amount_cents = pz_sql_is_null(st, 5) ? 0 : pz_sql_int(st, 5);
    copy(i->currency, sizeof(i->currency), pz_sql_text(st, 6));
    copy(i->category, sizeof(i->category), pz_sql_text(st, 7));
    i->user_id = pz_sql_is_null(st, 8) ? -1 : pz_sql_int(st, 8);
    i->minutes = pz_sql_is_null(st, 9) ? 0 : pz_sql_int(st, 9);
    copy(i->activity, sizeof(i->activity), pz_sql_text(st, 10));
    copy(i->note, sizeof(i->note), pz_sql_text(st, 11));
    i->created_by = pz_sql_is_null(st, 12) ? -1 : pz_sql_int(st, 12);
    i->created_at = pz_sql_int(st, 13);
}

int investment_get(struct pz_conn *conn, int64_t ws, int64_t id, struct investment *out)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " INVESTMENT_COLUMNS
                                      " FROM investments WHERE workspace_id = $1 AND id = $2");
    int r;

    memset(out, 0, sizeof(*out));
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_investment(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int investment_delete(struct pz_conn *conn, int64_t ws, int64_t id)
{
    struct pz_stmt *st =
        pz_sql(conn, "DELETE FROM investments WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return pz_sql_changes(conn) > 0 ? 0 : PZ_ENOTFOUND;
}

int investment_list(struct pz_conn *conn, int64_t ws, int64_t objective_id, int64_t campaign_id,
                    const char *kind, int64_t after, int limit,
                    void (*fn)(const struct investment *i, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " INVESTMENT_COLUMNS " FROM investments"
                                      " WHERE workspace_id = $1 AND ($2 = 0 OR objective_id = $2)"
                                      " AND ($3 = 0 OR campaign_id = $3)"
                                      " AND ($4 IS NULL OR kind = $4) AND id > $5"
                                      " ORDER BY id LIMIT $6");
    struct investment i;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, objective_id > 0 ? objective_id : 0);
    pz_sql_bind_int(st, 3, campaign_id > 0 ? campaign_id : 0);
    pz_sql_bind_text(st, 4, kind && *kind ? kind : NULL);
    pz_sql_bind_int(st, 5, after);
    pz_sql_bind_int(st, 6, limit);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_investment(st, &i);
        fn(&i, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* --- rates ------------------------------------------------------------------------------ */

static int subject_ok(struct pz_conn *conn, int64_t ws, const char *scope, const char *subject,
                      struct pz_err *err)
{
    int64_t id, one = 0;
    int r;

    if (strcmp(scope, "role") == 0) {
        if (role_parse(subject) == ROLE_NONE)
            return pz_err_set(err, "goals.invalid_field", "role",
                              "role must be owner, manager, agent, member or consultant");
        return 0;
    }
    if (strcmp(scope, "user") != 0)
        return pz_err_set(err, "goals.missing_field", "user_id", "give user_id or role");
    if (pz_parse_int64(subject, 1, INT64_MAX, &id) < 0)
        return pz_err_set(err, "goals.invalid_field", "user_id", "user_id must be a user id");
    r = pz_sql_int_query(conn, "SELECT 1 FROM users WHERE workspace_id = $1 AND id = $2", &one,
                         "ii", ws, id);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return pz_err_set(err, "goals.unknown_reference", "user_id",
                          "no user %lld in this workspace", (long long)id);
    return 0;
}

int rate_set(struct pz_conn *conn, int64_t ws, const char *scope, const char *subject,
             int64_t rate_cents, struct pz_err *err)
{
    struct pz_stmt *st;
    int r = subject_ok(conn, ws, scope, subject, err);

    if (r < 0)
        return r;
    if (rate_cents < 0 || rate_cents > INVEST_RATE_MAX)
        return pz_err_set(err, "goals.bad_amount", "rate",
                          "rate must be between 0 and 100,000 an hour");
    st = pz_sql(conn, "INSERT INTO hourly_rates (workspace_id, scope, subject, rate_cents,"
                      " updated_at) VALUES ($1, $2, $3, $4, $5)"
                      " ON CONFLICT (workspace_id, scope, subject)"
                      " DO UPDATE SET rate_cents = $4, updated_at = $5");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, scope);
    pz_sql_bind_text(st, 3, subject);
    pz_sql_bind_int(st, 4, rate_cents);
    pz_sql_bind_int(st, 5, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int rate_clear(struct pz_conn *conn, int64_t ws, const char *scope, const char *subject)
{
    struct pz_stmt *st = pz_sql(conn, "DELETE FROM hourly_rates WHERE workspace_id = $1"
                                      " AND scope = $2 AND subject = $3");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, scope);
    pz_sql_bind_text(st, 3, subject);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return pz_sql_changes(conn) > 0 ? 0 : PZ_ENOTFOUND;
}

int rate_list(struct pz_conn *conn, int64_t ws,
              void (*fn)(const char *scope, const char *subject, int64_t rate_cents,
                         int64_t updated_at, void *arg),
              void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT scope, subject, rate_cents, updated_at"
                                      " FROM hourly_rates WHERE workspace_id = $1"
                                      " ORDER BY scope, subject");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        fn(pz_sql_text(st, 0), pz_sql_text(st, 1), pz_sql_int(st, 2), pz_sql_int(st, 3), arg);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int rate_for_user(struct pz_conn *conn, int64_t ws, int64_t user_id, int64_t *rate_cents)
{
    char subject[24];
    int r;

    *rate_cents = -1;
    snprintf(subject, sizeof(subject), "%lld", (long long)user_id);
    r = pz_sql_int_query(conn,
                         "SELECT rate_cents FROM hourly_rates WHERE workspace_id = $1"
                         " AND scope = 'user' AND subject = $2",
                         rate_cents, "it", ws, subject);
    if (r != PZ_SQL_DONE)
        return r < 0 ? r : 0;
    r = pz_sql_int_query(conn,
                         "SELECT h.rate_cents FROM hourly_rates h JOIN users u"
                         " ON u.workspace_id = h.workspace_id AND u.role = h.subject"
                         " WHERE h.workspace_id = $1 AND h.scope = 'role' AND u.id = $2",
                         rate_cents, "ii", ws, user_id);
    return r < 0 ? r : 0;
}

/* --- timers ----------------------------------------------------------------------------- */

int timer_get(struct pz_conn *conn, int64_t ws, int64_t user_id, struct timer *out)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT started_at, objective_id, campaign_id, activity"
                                      " FROM timers WHERE workspace_id = $1 AND user_id = $2");
    int r;

    memset(out, 0, sizeof(*out));
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, user_id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        out->started_at = pz_sql_int(st, 0);
        out->objective_id = pz_sql_is_null(st, 1) ? -1 : pz_sql_int(st, 1);
        out->campaign_id = pz_sql_is_null(st, 2) ? -1 : pz_sql_int(st, 2);
        copy(out->activity, sizeof(out->activity), pz_sql_text(st, 3));
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int timer_start(struct pz_conn *conn, int64_t ws, int64_t user_id, int64_t objective_id,
                int64_t campaign_id, const char *activity, struct timer *out, struct pz_err *err)
{
    struct pz_stmt *st;
    int r;

    memset(out, 0, sizeof(*out));
    if (text_ok(activity, "activity", err) < 0)
        return PZ_EINVAL;
    r = refs_ok(conn, ws, &objective_id, campaign_id, err);
    if (r < 0)
        return r;
    out->started_at = pz_now_ms();
    out->objective_id = objective_id;
    out->campaign_id = campaign_id > 0 ? campaign_id : -1;
    copy(out->activity, sizeof(out->activity), activity);
    st = pz_sql(conn, "INSERT INTO timers (workspace_id, user_id, started_at, objective_id,"
                      " campaign_id, activity) VALUES ($1, $2, $3, $4, $5, $6)");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, user_id);
    pz_sql_bind_int(st, 3, out->started_at);
    pz_sql_bind_int(st, 4, objective_id);
    if (out->campaign_id > 0)
        pz_sql_bind_int(st, 5, out->campaign_id);
    pz_sql_bind_text(st, 6, out->activity);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int timer_stop(struct pz_conn *conn, int64_t ws, int64_t user_id, struct investment *out)
{
    struct investment_in in;
    struct pz_err err = {0};
    struct timer t;
    struct pz_stmt *st;
    char day[16];
    int64_t minutes;
    int r;

    r = pz_tx_begin(conn);
    if (r < 0)
        return r;
    r = timer_get(conn, ws, user_id, &t);
    if (r < 0)
        goto fail;
    st = pz_sql(conn, "DELETE FROM timers WHERE workspace_id = $1 AND user_id = $2");
    if (!st) {
        r = PZ_EDB;
        goto fail;
    }
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, user_id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        goto fail;
    minutes = (pz_now_ms() - t.started_at + 30000) / 60000;
    if (minutes < 1)
        minutes = 1;
    if (minutes > INVEST_MINUTES_MAX)
        minutes = INVEST_MINUTES_MAX;
    investment_in_init(&in);
    in.kind = "time";
    in.day = pz_day_format(t.started_at / PZ_DAY_MS, day, sizeof(day));
    in.objective_id = t.objective_id;
    in.campaign_id = t.campaign_id;
    in.user_id = user_id;
    in.minutes = minutes;
    in.activity = t.activity[0] ? t.activity : NULL;
    r = investment_create(conn, ws, user_id, &in, out, &err);
    if (r < 0) {
        /* The objective or campaign went away meanwhile: the timer ends without an entry. */
        if (r == PZ_EINVAL)
            r = pz_error(PZ_EDB, "timer of user %lld: %s", (long long)user_id, err.message);
        goto fail;
    }
    return pz_tx_commit(conn);
fail:
    pz_tx_rollback(conn);
    return r;
}
