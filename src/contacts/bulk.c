/*
 * Bulk changes to contacts. See bulk.h. The ids a filter matches are read
 * page by page through contact_list, so a bulk change sees exactly what the
 * list shows; the change itself goes through the same per-contact functions
 * as a single edit (tag, owner, stage), inside one transaction.
 */
#include "contacts/bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/banned.h"

struct collect {
    int64_t *ids;
    size_t n, cap, max;
    int over;
};

static void collect_one(const struct contact *c, void *arg)
{
    struct collect *col = arg;

    if (col->n == col->max) {
        col->over = 1;
        return;
    }
    if (col->n == col->cap) {
        col->cap = col->cap ? col->cap * 2 : 256;
        col->ids = xrealloc(col->ids, col->cap * sizeof(*col->ids));
    }
    col->ids[col->n++] = c->id;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int contact_ids_matching(struct pz_conn *conn, int64_t ws, const struct contact_query *q,
                         size_t max, int64_t **ids, size_t *n_ids, struct pz_err *err)
{
    struct contact_query page = *q;
    struct collect col = {0};
    char next[CONTACT_CURSOR_MAX] = "";
    int r;

    *ids = NULL;
    *n_ids = 0;
    col.max = max;
    page.sort = CONTACT_SORT_NEWEST; /* the cheapest keyset: ids only */
    page.limit = CONTACT_LIST_MAX;
    page.cursor = NULL;
    if (page.now <= 0)
        page.now = pz_now_ms(); /* every page judges "going cold" at the same time */
    do {
        r = contact_list(conn, ws, &page, collect_one, &col, next, sizeof(next), err);
        page.cursor = next;
    } while (r == 0 && !col.over && next[0]);
    if (r == 0 && col.over)
        r = pz_err_set(err, "bulk.too_many", "filter",
                       "more than %zu contacts match; narrow the filter", max);
    if (r < 0) {
        free(col.ids);
        return r;
    }
    if (col.n > 1)
        qsort(col.ids, col.n, sizeof(*col.ids), cmp_id);
    *ids = col.ids;
    *n_ids = col.n;
    return 0;
}

void contact_bulk_set_init(struct contact_bulk_set *set)
{
    memset(set, 0, sizeof(*set));
    set->owner_user_id = -1;
}

/* One contact's share of the change. */
static int apply_one(struct pz_conn *conn, int64_t ws, int64_t id,
                     const struct contact_bulk_set *set, int64_t actor_id, int *changed,
                     struct pz_err *err)
{
    int r = 0, c = 0;

    *changed = 0;
    for (size_t i = 0; r == 0 && i < set->n_tags_add; i++) {
        r = contact_tag_add(conn, ws, id, set->tags_add[i], &c, err);
        *changed |= c;
    }
    for (size_t i = 0; r == 0 && i < set->n_tags_remove; i++) {
        r = contact_tag_remove(conn, ws, id, set->tags_remove[i]);
        if (r == 0)
            *changed = 1;
        else if (r == PZ_ENOTFOUND)
            r = 0; /* was not tagged so */
    }
    if (r == 0 && set->owner_user_id >= 0) {
        r = contact_owner_set(conn, ws, id, set->owner_user_id, &c, err);
        *changed |= c;
    }
    if (r == 0 && set->stage) {
        r = contact_stage_set(conn, ws, id, set->stage, actor_id, &c, err);
        *changed |= c;
    }
    return r;
}

/* What the audit log says about SET: what was done and to how many, not to whom. */
static void describe(const struct contact_bulk_set *set, long n, char *out, size_t outsz)
{
    struct pz_buf b;

    pz_buf_init(&b, outsz - 1);
    pz_buf_printf(&b, "%ld contacts", n);
    if (set->stage)
        pz_buf_printf(&b, "; stage %s", set->stage);
    if (set->owner_user_id == 0)
        pz_buf_addstr(&b, "; owner none");
    else if (set->owner_user_id > 0)
        pz_buf_printf(&b, "; owner user:%lld", (long long)set->owner_user_id);
    for (size_t i = 0; i < set->n_tags_add; i++)
        pz_buf_printf(&b, "; +tag %.60s", set->tags_add[i]);
    for (size_t i = 0; i < set->n_tags_remove; i++)
        pz_buf_printf(&b, "; -tag %.60s", set->tags_remove[i]);
    snprintf(out, outsz, "%s", pz_buf_str(&b));
    pz_buf_release(&b);
}

static int bulk_in_tx(struct pz_conn *conn, int64_t ws, const int64_t *ids, size_t n,
                      const struct contact_bulk_set *set, int64_t actor_id,
                      struct contact_bulk_result *res, struct pz_err *err)
{
    char detail[256];
    int r = 0;

    for (size_t i = 0; r == 0 && i < n; i++) {
        int64_t found = 0;
        r = pz_sql_int_query(conn,
                             "SELECT COUNT(*) FROM contacts WHERE workspace_id = $1 AND id = $2",
                             &found, "ii", ws, ids[i]);
        if (r >= 0 && found == 0)
            return pz_err_set(err, "bulk.unknown_contact", "ids",
                              "there is no contact %lld in this workspace", (long long)ids[i]);
        r = r < 0 ? r : 0;
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        int changed = 0;
        r = apply_one(conn, ws, ids[i], set, actor_id, &changed, err);
        res->changed += changed;
    }
    if (r < 0)
        return r;
    describe(set, (long)n, detail, sizeof(detail));
    return audit_add(conn, ws, actor_id, "contact.bulk", "contacts", NULL, detail);
}

int contact_bulk_apply(struct pz_conn *conn, int64_t ws, const int64_t *ids, size_t n_ids,
                       const struct contact_bulk_set *set, int64_t actor_id,
                       struct contact_bulk_result *res, struct pz_err *err)
{
    int64_t *sorted;
    size_t n = 0;
    int r;

    memset(res, 0, sizeof(*res));
    if (!set->stage && set->owner_user_id < 0 && set->n_tags_add == 0 && set->n_tags_remove == 0)
        return pz_err_set(err, "bulk.nothing_to_do", "set",
                          "say what to change: tags_add, tags_remove, owner or stage");
    if (set->stage && !contact_stage_valid(set->stage))
        return pz_err_set(err, "request.invalid", "stage",
                          "stage must be stranger, lead, prospect, customer, advocate or former");
    if (n_ids > CONTACT_BULK_MAX)
        return pz_err_set(err, "bulk.too_many", "ids", "at most %d contacts at a time",
                          CONTACT_BULK_MAX);
    sorted = xmalloc((n_ids ? n_ids : 1) * sizeof(*sorted));
    if (n_ids)
        memcpy(sorted, ids, n_ids * sizeof(*ids));
    qsort(sorted, n_ids, sizeof(*sorted), cmp_id);
    for (size_t i = 0; i < n_ids; i++)
        if (n == 0 || sorted[n - 1] != sorted[i])
            sorted[n++] = sorted[i];
    res->matched = (long)n;
    r = pz_tx_begin(conn);
    if (r == 0)
        r = bulk_in_tx(conn, ws, sorted, n, set, actor_id, res, err);
    if (r == 0)
        r = pz_tx_commit(conn);
    else
        pz_tx_rollback(conn);
    if (r < 0)
        res->changed = 0;
    free(sorted);
    return r;
}
