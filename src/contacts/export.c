/*
 * Contacts as vCard 4.0 and CSV. See export.h. Everything about one contact
 * is read first (its row, identities, first organization, tags, owner),
 * then written; the writers never see the database.
 */
#include "contacts/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contacts/contact.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/banned.h"

#define EXPORT_IDENTITIES_MAX 64
#define EXPORT_TAGS_MAX       64

/* One contact, read whole. */
struct xcontact {
    struct contact c;
    struct contact_identity *ids;
    size_t n_ids;
    char org[CONTACT_NAME_MAX + 1];
    char title[CONTACT_TEXT_MAX + 1];
    char *tags[EXPORT_TAGS_MAX];
    size_t n_tags;
    char owner[128];
};

static void take_identity(const struct contact_identity *ident, void *arg)
{
    struct xcontact *x = arg;

    if (x->n_ids < EXPORT_IDENTITIES_MAX)
        x->ids[x->n_ids++] = *ident;
}

/* Reads person X's first organization (by name) and title, through the person's own index
 * (a person has few; the lowest sort name is picked here, as an ORDER BY would walk every
 * contact of the workspace): a whole list is exported a contact at a time. */
static int first_organization(struct pz_conn *conn, int64_t ws, struct xcontact *x)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT o.display_name, COALESCE(m.title, ''), o.sort_name"
                                      " FROM memberships m JOIN contacts o"
                                      " ON o.workspace_id = m.workspace_id"
                                      " AND o.id = m.organization_id"
                                      " WHERE m.workspace_id = $1 AND m.person_id = $2");
    char best[256] = "";
    const char *t;
    int r, found = 0;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, x->c.id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        const char *key = (t = pz_sql_text(st, 2)) ? t : "";
        if (found && strcmp(key, best) >= 0)
            continue;
        found = 1;
        snprintf(best, sizeof(best), "%s", key);
        snprintf(x->org, sizeof(x->org), "%s", (t = pz_sql_text(st, 0)) ? t : "");
        snprintf(x->title, sizeof(x->title), "%s", (t = pz_sql_text(st, 1)) ? t : "");
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

static void take_tag(const char *name, void *arg)
{
    struct xcontact *x = arg;

    if (x->n_tags < EXPORT_TAGS_MAX)
        x->tags[x->n_tags++] = xstrdup(name ? name : "");
}

static void xcontact_release(struct xcontact *x)
{
    contact_release(&x->c);
    free(x->ids);
    for (size_t i = 0; i < x->n_tags; i++)
        free(x->tags[i]);
}

static int xcontact_load(struct pz_conn *conn, int64_t ws, int64_t id, struct xcontact *x)
{
    int r;

    memset(x, 0, sizeof(*x));
    x->ids = xcalloc(EXPORT_IDENTITIES_MAX, sizeof(*x->ids));
    r = contact_get(conn, ws, id, &x->c);
    if (r == 0)
        r = contact_identities_each(conn, ws, id, take_identity, x);
    if (r == 0 && strcmp(x->c.kind, "person") == 0)
        r = first_organization(conn, ws, x);
    if (r == 0)
        r = contact_tags_each(conn, ws, id, take_tag, x);
    if (r == 0 && x->c.owner_user_id > 0) {
        struct pz_stmt *st =
            pz_sql(conn, "SELECT name FROM users WHERE workspace_id = $1 AND id = $2");
        if (!st)
            return PZ_EDB;
        pz_sql_bind_int(st, 1, ws);
        pz_sql_bind_int(st, 2, x->c.owner_user_id);
        if ((r = pz_sql_step(st)) == PZ_SQL_ROW && pz_sql_text(st, 0))
            snprintf(x->owner, sizeof(x->owner), "%s", pz_sql_text(st, 0));
        pz_sql_done(st);
        r = r < 0 ? r : 0;
    }
    return r;
}

/* --- vCard ------------------------------------------------------------------------------ */

/* A vCard line being built, folded when it is ended. */
struct vline {
    struct pz_buf b;
};

/* Appends S escaped as vCard text; in a structured value (N, ORG) ';' separates
 * components, so it is escaped too, as ',' always is. */
static void vesc(struct pz_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '\\':
            pz_buf_addstr(b, "\\\\");
            break;
        case ',':
            pz_buf_addstr(b, "\\,");
            break;
        case ';':
            pz_buf_addstr(b, "\\;");
            break;
        case '\r':
            if (s[1] != '\n')
                pz_buf_addstr(b, "\\n");
            break;
        case '\n':
            pz_buf_addstr(b, "\\n");
            break;
        default:
            pz_buf_addch(b, *s);
        }
    }
}

/*
 * Appends logical line LINE to OUT folded as RFC 6350 says: at most 75 bytes
 * per physical line, continuations starting with a space, never inside a
 * UTF-8 character; every line ends with CRLF.
 */
static int vfold(struct pz_buf *out, const char *line, size_t n)
{
    size_t pos = 0, width = 75;

    while (pos < n) {
        size_t take = n - pos < width ? n - pos : width;
        /* Back off to the start of a character. */
        while (take > 0 && pos + take < n && ((unsigned char)line[pos + take] & 0xC0) == 0x80)
            take--;
        if (pos > 0)
            pz_buf_addch(out, ' ');
        pz_buf_add(out, line + pos, take);
        if (pz_buf_addstr(out, "\r\n") < 0)
            return PZ_ETOOBIG;
        pos += take;
        width = 74; /* the leading space counts */
    }
    return 0;
}

static int vend(struct pz_buf *out, struct pz_buf *line)
{
    int r = vfold(out, pz_buf_str(line), line->len);
    pz_buf_reset(line);
    return r;
}

/* The TYPE a label stands for in vCard 4.0, or NULL when it is a free label. */
static const char *label_type(const char *label)
{
    static const char *const known[] = {"cell", "home", "work", "fax", "pager", "main", "other"};

    for (size_t i = 0; label && i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(label, known[i]) == 0)
            return known[i];
    return NULL;
}

static const char *service_name(const char *kind)
{
    if (strcmp(kind, "whatsapp") == 0)
        return "WhatsApp";
    if (strcmp(kind, "telegram") == 0)
        return "Telegram";
    if (strcmp(kind, "linkedin") == 0)
        return "LinkedIn";
    if (strcmp(kind, "facebook") == 0)
        return "Facebook";
    if (strcmp(kind, "instagram") == 0)
        return "Instagram";
    return "X";
}

/* Writes one identity as its property; free labels go to itemN.X-ABLabel. */
static int videntity(struct pz_buf *out, struct pz_buf *line, const struct contact_identity *id,
                     int *item)
{
    const char *k = id->kind, *type = label_type(id->label);
    char group[16] = "";
    int r;

    if (id->label[0] && !type) {
        snprintf(group, sizeof(group), "item%d.", ++*item);
        pz_buf_addstr(line, group);
    }
    if (strcmp(k, "email") == 0) {
        pz_buf_addstr(line, "EMAIL");
    } else if (strcmp(k, "phone") == 0) {
        pz_buf_addstr(line, "TEL;VALUE=uri");
    } else if (strcmp(k, "whatsapp") == 0 || strcmp(k, "telegram") == 0) {
        pz_buf_printf(line, "IMPP;X-SERVICE-TYPE=%s", service_name(k));
    } else if (strcmp(k, "website") == 0) {
        pz_buf_addstr(line, "URL");
    } else {
        pz_buf_printf(line, "X-SOCIALPROFILE;TYPE=%s", k);
    }
    if (type)
        pz_buf_printf(line, ";TYPE=%s", type);
    pz_buf_addch(line, ':');
    if (strcmp(k, "phone") == 0 || strcmp(k, "whatsapp") == 0 ||
        (strcmp(k, "telegram") == 0 && id->value[0] == '+'))
        pz_buf_printf(line, "tel:%s", id->value);
    else if (strcmp(k, "telegram") == 0)
        pz_buf_printf(line, "https://t.me/%s", id->value[0] == '@' ? id->value + 1 : id->value);
    else if (strcmp(k, "email") == 0)
        vesc(line, id->value);
    else
        pz_buf_addstr(line, id->value); /* a URI: no text escaping */
    r = vend(out, line);
    if (r == 0 && group[0]) {
        pz_buf_printf(line, "%sX-ABLabel:", group);
        vesc(line, id->label);
        r = vend(out, line);
    }
    return r;
}

static void rev_time(int64_t ms, char *out, size_t outsz)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, outsz, "%Y%m%dT%H%M%SZ", &tm);
}

static int vcard_write(const struct xcontact *x, int64_t ws, struct pz_buf *out)
{
    const struct contact *c = &x->c;
    int org = strcmp(c->kind, "organization") == 0, item = 0, r = 0;
    struct pz_buf line;
    char rev[32];

    pz_buf_init(&line, 4 * CONTACT_NOTES_MAX);
    pz_buf_addstr(out, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
    pz_buf_printf(&line, "KIND:%s", org ? "org" : "individual");
    r = vend(out, &line);
    pz_buf_addstr(&line, "FN:");
    vesc(&line, c->display_name);
    if (r == 0)
        r = vend(out, &line);
    if (r == 0 && !org) {
        pz_buf_addstr(&line, "N:");
        vesc(&line, c->family_name);
        pz_buf_addch(&line, ';');
        vesc(&line, c->given_name);
        pz_buf_addstr(&line, ";;;");
        r = vend(out, &line);
    }
    if (r == 0 && (org || x->org[0])) {
        pz_buf_addstr(&line, "ORG:");
        vesc(&line, org ? c->display_name : x->org);
        r = vend(out, &line);
    }
    if (r == 0 && !org && x->title[0]) {
        pz_buf_addstr(&line, "TITLE:");
        vesc(&line, x->title);
        r = vend(out, &line);
    }
    for (size_t i = 0; r == 0 && i < x->n_ids; i++)
        r = videntity(out, &line, &x->ids[i], &item);
    if (r == 0 && c->notes_md && c->notes_md[0]) {
        pz_buf_addstr(&line, "NOTE:");
        vesc(&line, c->notes_md);
        r = vend(out, &line);
    }
    if (r == 0 && x->n_tags > 0) {
        pz_buf_addstr(&line, "CATEGORIES:");
        for (size_t i = 0; i < x->n_tags; i++) {
            if (i > 0)
                pz_buf_addch(&line, ',');
            vesc(&line, x->tags[i]);
        }
        r = vend(out, &line);
    }
    rev_time(c->updated_at, rev, sizeof(rev));
    if (r == 0) {
        pz_buf_printf(&line, "REV:%s", rev);
        r = vend(out, &line);
    }
    if (r == 0) {
        pz_buf_printf(&line, "UID:urn:piazza:%lld:contact:%lld", (long long)ws, (long long)c->id);
        r = vend(out, &line);
    }
    if (r == 0 && pz_buf_addstr(out, "END:VCARD\r\n") < 0)
        r = PZ_ETOOBIG;
    pz_buf_release(&line);
    return r;
}

int contact_export_vcard(struct pz_conn *conn, int64_t ws, int64_t id, struct pz_buf *out)
{
    struct xcontact x;
    int r = xcontact_load(conn, ws, id, &x);

    if (r == 0)
        r = vcard_write(&x, ws, out);
    xcontact_release(&x);
    return r;
}

/* --- CSV ------------------------------------------------------------------------------- */

static const char *const csv_columns[] = {
    "Name",
    "Given Name",
    "Family Name",
    "Notes",
    "Group Membership",
    "E-mail 1 - Value",
    "Phone 1 - Value",
    "Website 1 - Value",
    "Organization 1 - Name",
    "Organization 1 - Title",
    "Kind",
    "Stage",
    "Type",
    "Owner",
    "Strength",
    "Last contact",
    "WhatsApp",
    "Telegram",
    "piazza ID",
};

/* Non-zero when a spreadsheet would take S for a formula. */
static int formula_like(const char *s)
{
    if (s[0] == '=' || s[0] == '@')
        return 1;
    if (s[0] == '+' || s[0] == '-')
        return !(s[1] >= '0' && s[1] <= '9') && s[1] != ' ' && s[1] != '\0';
    return 0;
}

/* Appends one CSV field (after a comma unless FIRST). */
static void csv_field(struct pz_buf *b, const char *s, int first)
{
    int quote = 0;

    if (!first)
        pz_buf_addch(b, ',');
    s = s ? s : "";
    for (const char *p = s; *p; p++)
        if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
            quote = 1;
    if (s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' '))
        quote = 1;
    if (quote)
        pz_buf_addch(b, '"');
    if (formula_like(s))
        pz_buf_addch(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            pz_buf_addch(b, '"');
        pz_buf_addch(b, *p);
    }
    if (quote)
        pz_buf_addch(b, '"');
}

int contact_export_csv_header(struct pz_buf *out)
{
    for (size_t i = 0; i < sizeof(csv_columns) / sizeof(csv_columns[0]); i++)
        csv_field(out, csv_columns[i], i == 0);
    return pz_buf_addstr(out, "\r\n") < 0 ? PZ_ETOOBIG : 0;
}

/* Joins the values of identities of KIND (or of every profile kind when KIND is NULL)
 * with " ::: " into B (reset first). */
static void join_ids(const struct xcontact *x, const char *kind, struct pz_buf *b)
{
    pz_buf_reset(b);
    for (size_t i = 0; i < x->n_ids; i++) {
        const char *k = x->ids[i].kind;
        int want = kind ? strcmp(k, kind) == 0
                        : strcmp(k, "linkedin") == 0 || strcmp(k, "facebook") == 0 ||
                              strcmp(k, "instagram") == 0 || strcmp(k, "x") == 0 ||
                              strcmp(k, "website") == 0;
        if (!want)
            continue;
        if (b->len)
            pz_buf_addstr(b, " ::: ");
        pz_buf_addstr(b, x->ids[i].value);
    }
}

static int csv_write(const struct xcontact *x, struct pz_buf *out)
{
    const struct contact *c = &x->c;
    int org = strcmp(c->kind, "organization") == 0;
    struct pz_buf cell;
    char num[32], when[32] = "";

    pz_buf_init(&cell, 64 * 1024);
    csv_field(out, c->display_name, 1);
    csv_field(out, c->given_name, 0);
    csv_field(out, c->family_name, 0);
    csv_field(out, c->notes_md, 0);
    for (size_t i = 0; i < x->n_tags; i++) {
        if (cell.len)
            pz_buf_addstr(&cell, " ::: ");
        pz_buf_addstr(&cell, x->tags[i]);
    }
    csv_field(out, pz_buf_str(&cell), 0);
    join_ids(x, "email", &cell);
    csv_field(out, pz_buf_str(&cell), 0);
    join_ids(x, "phone", &cell);
    csv_field(out, pz_buf_str(&cell), 0);
    join_ids(x, NULL, &cell);
    csv_field(out, pz_buf_str(&cell), 0);
    csv_field(out, org ? c->display_name : x->org, 0);
    csv_field(out, org ? "" : x->title, 0);
    csv_field(out, c->kind, 0);
    csv_field(out, c->stage, 0);
    csv_field(out, c->relationship, 0);
    csv_field(out, x->owner, 0);
    snprintf(num, sizeof(num), "%d", c->strength);
    csv_field(out, c->strength >= 0 ? num : "", 0);
    if (c->last_contact_at > 0) {
        time_t t = (time_t)(c->last_contact_at / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    csv_field(out, when, 0);
    join_ids(x, "whatsapp", &cell);
    csv_field(out, pz_buf_str(&cell), 0);
    join_ids(x, "telegram", &cell);
    csv_field(out, pz_buf_str(&cell), 0);
    snprintf(num, sizeof(num), "%lld", (long long)c->id);
    csv_field(out, num, 0);
    pz_buf_release(&cell);
    return pz_buf_addstr(out, "\r\n") < 0 ? PZ_ETOOBIG : 0;
}

int contact_export_csv_row(struct pz_conn *conn, int64_t ws, int64_t id, struct pz_buf *out)
{
    struct xcontact x;
    int r = xcontact_load(conn, ws, id, &x);

    if (r == 0)
        r = csv_write(&x, out);
    xcontact_release(&x);
    return r;
}
