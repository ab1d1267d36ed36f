/*
 * Conversions. See conversion.h.
 */
#include "goals/conversion.h"

#include <stdio.h>
#include <string.h>

#include "contacts/normalize.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

static const char *const currencies[] = {
    "EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN",
    "ISK", "TRY", "JPY", "CNY", "CAD", "AUD", "NZD", "BRL", "MXN", "INR", "ZAR", "AED",
};

int goal_currency_valid(const char *code)
{
    for (size_t i = 0; code && i < sizeof(currencies) / sizeof(currencies[0]); i++)
        if (strcmp(currencies[i], code) == 0)
            return 1;
    return 0;
}

static void copy(char *out, size_t outsz, const char *s)
{
    snprintf(out, outsz, "%s", s ? s : "");
}

#define CONVERSION_COLUMNS                                                                         \
    "v.id, v.event, v.at, v.value_cents, v.currency, v.link_id, l.campaign_id, v.contact_id,"      \
    " v.idempotency_key, v.created_at"
#define CONVERSION_FROM                                                                            \
    " FROM conversions v LEFT JOIN links l ON l.workspace_id = v.workspace_id AND l.id = "         \
    "v.link_id"

static void read_conversion(struct pz_stmt *st, struct conversion *c)
{
    memset(c, 0, sizeof(*c));
    c->id = pz_sql_int(st, 0);
    copy(c->event, sizeof(c->event), pz_sql_text(st, 1));
    c->at = pz_sql_int(st, 2);
    c->value_cents = pz_sql_int(st, 3);
    copy(c->currency, sizeof(c->currency), pz_sql_text(st, 4));
    c->link_id = pz_sql_is_null(st, 5) ? -1 : pz_sql_int(st, 5);
    c->campaign_id = pz_sql_is_null(st, 6) ? -1 : pz_sql_int(st, 6);
    c->contact_id = pz_sql_is_null(st, 7) ? -1 : pz_sql_int(st, 7);
    copy(c->idempotency_key, sizeof(c->idempotency_key), pz_sql_text(st, 8));
    c->created_at = pz_sql_int(st, 9);
}

static int find_by_key(struct pz_conn *conn, int64_t ws, const char *key, struct conversion *out)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " CONVERSION_COLUMNS CONVERSION_FROM
                                      " WHERE v.workspace_id = $1 AND v.idempotency_key = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, key);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_conversion(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

/* The link PZ names, when genuine, of WS, existing, and within the window before AT; else -1. */
static int64_t link_of_pz(struct pz_conn *conn, const unsigned char key[TRACK_KEY_LEN], int64_t ws,
                          const char *pz, int64_t at)
{
    int64_t pws, link, click_ms, one = 0;

    if (!pz || track_pz_read(key, pz, &pws, &link, &click_ms) < 0 || pws != ws ||
        !track_pz_in_window(click_ms, at))
        return -1;
    if (pz_sql_int_query(conn, "SELECT 1 FROM links WHERE workspace_id = $1 AND id = $2", &one,
                         "ii", ws, link) != PZ_SQL_ROW)
        return -1;
    return link;
}

/* Last touch through the contact: the pz of its latest attributed conversion, if still in the
 * window. */
static int64_t link_of_contact(struct pz_conn *conn, const unsigned char key[TRACK_KEY_LEN],
                               int64_t ws, int64_t contact_id, int64_t at)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT pz FROM conversions WHERE workspace_id = $1"
                                      " AND contact_id = $2 AND link_id IS NOT NULL AND at <= $3"
                                      " ORDER BY at DESC, id DESC LIMIT 1");
    char pz[TRACK_PZ_MAX];
    int r;

    if (!st)
        return -1;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, contact_id);
    pz_sql_bind_int(st, 3, at);
    r = pz_sql_step(st);
    copy(pz, sizeof(pz), r == PZ_SQL_ROW ? pz_sql_text(st, 0) : NULL);
    pz_sql_done(st);
    return pz[0] ? link_of_pz(conn, key, ws, pz, at) : -1;
}

static int resolve_contact(struct pz_conn *conn, int64_t ws, const struct conversion_in *in,
                           int64_t *out, struct pz_err *err)
{
    int64_t id = -1;
    int r;

    *out = -1;
    if (in->contact_id > 0) {
        r = pz_sql_int_query(conn, "SELECT id FROM contacts WHERE workspace_id = $1 AND id = $2",
                             &id, "ii", ws, in->contact_id);
        if (r < 0)
            return r;
        if (r != PZ_SQL_ROW)
            return pz_err_set(err, "goals.unknown_reference", "contact",
                              "no contact %lld in this workspace", (long long)in->contact_id);
        *out = id;
    } else if (in->contact_email) {
        char email[320];
        struct pz_err ignored = {0};
        /* An address nobody has is simply not linked: the conversion still counts. */
        if (normalize_email(in->contact_email, email, sizeof(email), &ignored) < 0)
            return pz_err_set(err, "goals.invalid_field", "contact",
                              "contact must be a contact id or an e-mail address");
        r = pz_sql_int_query(conn,
                             "SELECT contact_id FROM identities WHERE workspace_id = $1"
                             " AND kind = 'email' AND value_normalized = $2",
                             &id, "it", ws, email);
        if (r < 0)
            return r;
        if (r == PZ_SQL_ROW)
            *out = id;
    }
    return 0;
}

int conversion_record(struct pz_conn *conn, const unsigned char key[TRACK_KEY_LEN], int64_t ws,
                      int64_t user_id, const struct conversion_in *in, struct conversion *out,
                      int *duplicate, struct pz_err *err)
{
    const char *currency = in->currency ? in->currency : "EUR";
    int64_t now = pz_now_ms(), at = in->at >= 0 ? in->at : now, contact, link;
    struct pz_stmt *st;
    int r;

    *duplicate = 0;
    memset(out, 0, sizeof(*out));
    if (!in->event || !*in->event)
        return pz_err_set(err, "goals.missing_field", "event", "event is required");
    if (!track_event_valid(in->event))
        return pz_err_set(err, "goals.invalid_field", "event",
                          "event must be 1-48 of a-z, 0-9, _ . - starting with a letter");
    if (!in->idempotency_key || !*in->idempotency_key)
        return pz_err_set(err, "goals.missing_field", "idempotency_key",
                          "idempotency_key is required, so that a retry does not count twice");
    if (strlen(in->idempotency_key) > CONVERSION_KEY_MAX ||
        !pz_utf8_valid(in->idempotency_key, strlen(in->idempotency_key)))
        return pz_err_set(err, "goals.invalid_field", "idempotency_key",
                          "idempotency_key must be text of at most %d bytes", CONVERSION_KEY_MAX);
    if (in->value_cents < 0 || in->value_cents > CONVERSION_VALUE_MAX)
        return pz_err_set(err, "goals.bad_amount", "value",
                          "value must be between 0 and 1,000,000,000");
    if (!goal_currency_valid(currency))
        return pz_err_set(err, "goals.bad_currency", "currency",
                          "currency must be an ISO 4217 code piazza knows, such as EUR");
    if (at > now + 5 * 60 * 1000 || at < now - 3650LL * PZ_DAY_MS)
        return pz_err_set(err, "goals.bad_date", "at",
                          "at must be a time in the last ten years, not in the future");
    if (in->pz && strlen(in->pz) >= TRACK_PZ_MAX)
        return pz_err_set(err, "goals.invalid_field", "pz", "pz is not a click id");

    /* Same key: answer with the first, whatever this one says. */
    r = find_by_key(conn, ws, in->idempotency_key, out);
    if (r == 0) {
        *duplicate = 1;
        return 0;
    }
    if (r != PZ_ENOTFOUND)
        return r;
    r = resolve_contact(conn, ws, in, &contact, err);
    if (r < 0)
        return r;
    link = link_of_pz(conn, key, ws, in->pz, at);
    if (link < 0 && contact > 0)
        link = link_of_contact(conn, key, ws, contact, at);

    st = pz_sql(conn, "INSERT INTO conversions (workspace_id, event, at, value_cents, currency, pz,"
                      " link_id, contact_id, idempotency_key, created_by, created_at)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, in->event);
    pz_sql_bind_int(st, 3, at);
    pz_sql_bind_int(st, 4, in->value_cents);
    pz_sql_bind_text(st, 5, currency);
    /* The pz is kept only when it was honoured: it is what a later touch through the contact reads.
     */
    pz_sql_bind_text(st, 6, link > 0 ? in->pz : NULL);
    if (link > 0)
        pz_sql_bind_int(st, 7, link);
    if (contact > 0)
        pz_sql_bind_int(st, 8, contact);
    pz_sql_bind_text(st, 9, in->idempotency_key);
    if (user_id > 0)
        pz_sql_bind_int(st, 10, user_id);
    pz_sql_bind_int(st, 11, now);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r == PZ_EEXIST) {
        /* Another request with the same key won the race: that one counts. */
        r = find_by_key(conn, ws, in->idempotency_key, out);
        if (r == 0)
            *duplicate = 1;
        return r;
    }
    if (r != PZ_SQL_ROW)
        return r < 0 ? r : PZ_EDB;
    return find_by_key(conn, ws, in->idempotency_key, out);
}

int conversion_list(struct pz_conn *conn, int64_t ws, const char *event, int64_t campaign_id,
                    int64_t after, int limit, void (*fn)(const struct conversion *c, void *arg),
                    void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " CONVERSION_COLUMNS CONVERSION_FROM
                                      " WHERE v.workspace_id = $1 AND ($2 IS NULL OR v.event = $2)"
                                      " AND ($3 = 0 OR l.campaign_id = $3) AND v.id > $4"
                                      " ORDER BY v.id LIMIT $5");
    struct conversion c;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, event && *event ? event : NULL);
    pz_sql_bind_int(st, 3, campaign_id > 0 ? campaign_id : 0);
    pz_sql_bind_int(st, 4, after);
    pz_sql_bind_int(st, 5, limit);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_conversion(st, &c);
        fn(&c, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}
