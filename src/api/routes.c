/*
 * The routes table: every API route in one sorted list, each row carrying
 * the rule the dispatcher enforces before the handler runs (who may call it,
 * how big its body may be, whether it changes state). A unit test checks
 * the order and the OpenAPI file is checked against `piazza routes`.
 */
#include <string.h>

#include "api/api.h"
#include "core/banned.h"

#define CHANGES PZ_ROUTE_CHANGES_STATE
#define SELF    (PZ_ROUTE_CHANGES_STATE | PZ_ROUTE_SELF)

const struct pz_route pz_routes[] = {
    {"GET", "/api/v1/attachments/{id}", h_attachments_get, ROLE_MEMBER, 0, 0},
    {"GET", "/api/v1/audit", h_audit_list, ROLE_OWNER, 0, 0},
    {"GET", "/api/v1/campaigns", h_campaigns_list, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/campaigns", h_campaigns_create, ROLE_MANAGER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/campaigns/{id}", h_campaigns_get, ROLE_MEMBER, 0, 0},
    {"PATCH", "/api/v1/campaigns/{id}", h_campaigns_patch, ROLE_MANAGER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/canned-replies", h_canned_list, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/canned-replies", h_canned_create, ROLE_MANAGER, PZ_BODY_DEFAULT, CHANGES},
    {"DELETE", "/api/v1/canned-replies/{id}", h_canned_delete, ROLE_MANAGER, 0, CHANGES},
    {"PATCH", "/api/v1/canned-replies/{id}", h_canned_patch, ROLE_MANAGER, PZ_BODY_DEFAULT,
     CHANGES},
    {"GET", "/api/v1/contacts", h_contacts_list, ROLE_CONSULTANT, 0, 0},
    {"POST", "/api/v1/contacts", h_contacts_create, ROLE_AGENT, PZ_BODY_DEFAULT, CHANGES},
    {"POST", "/api/v1/contacts/bulk", h_contacts_bulk, ROLE_AGENT, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/contacts/export", h_contacts_export, ROLE_MANAGER, 0, 0},
    {"GET", "/api/v1/contacts/owners", h_contacts_owners, ROLE_CONSULTANT, 0, 0},
    {"DELETE", "/api/v1/contacts/{id}", h_contacts_delete, ROLE_MANAGER, 0, CHANGES},
    {"GET", "/api/v1/contacts/{id}", h_contacts_get, ROLE_CONSULTANT, 0, 0},
    {"PATCH", "/api/v1/contacts/{id}", h_contacts_patch, ROLE_AGENT, PZ_BODY_DEFAULT, CHANGES},
    {"POST", "/api/v1/contacts/{id}/consents", h_consents_create, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"POST", "/api/v1/contacts/{id}/consents/{cid}/withdraw", h_consents_withdraw, ROLE_AGENT,
     PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/contacts/{id}/export", h_contact_export, ROLE_MANAGER, 0, 0},
    {"PATCH", "/api/v1/contacts/{id}/fields", h_contact_fields_patch, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"POST", "/api/v1/contacts/{id}/identities", h_identities_create, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"DELETE", "/api/v1/contacts/{id}/identities/{identity_id}", h_identities_delete, ROLE_AGENT, 0,
     CHANGES},
    {"POST", "/api/v1/contacts/{id}/merge", h_contacts_merge, ROLE_MANAGER, PZ_BODY_DEFAULT,
     CHANGES},
    {"POST", "/api/v1/contacts/{id}/organizations", h_memberships_set, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"DELETE", "/api/v1/contacts/{id}/organizations/{org_id}", h_memberships_delete, ROLE_AGENT, 0,
     CHANGES},
    {"PATCH", "/api/v1/contacts/{id}/tags", h_contact_tags_patch, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"GET", "/api/v1/contacts/{id}/timeline", h_timeline_list, ROLE_CONSULTANT, 0, 0},
    {"POST", "/api/v1/contacts/{id}/timeline", h_timeline_create, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"GET", "/api/v1/conversations", h_conversations_list, ROLE_MEMBER, 0, 0},
    {"GET", "/api/v1/conversations/{id}", h_conversations_get, ROLE_MEMBER, 0, 0},
    {"PATCH", "/api/v1/conversations/{id}", h_conversations_patch, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"GET", "/api/v1/conversations/{id}/messages", h_messages_list, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/conversations/{id}/messages", h_messages_create, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"GET", "/api/v1/conversions", h_conversions_list, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/conversions", h_conversions_create, ROLE_MEMBER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/duplicates", h_duplicates_list, ROLE_CONSULTANT, 0, 0},
    {"POST", "/api/v1/duplicates/{id}/dismiss", h_duplicates_dismiss, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"GET", "/api/v1/fields", h_fields_list, ROLE_CONSULTANT, 0, 0},
    {"POST", "/api/v1/fields", h_fields_create, ROLE_MANAGER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/going-cold", h_going_cold_list, ROLE_CONSULTANT, 0, 0},
    {"GET", "/api/v1/imports", h_imports_list, ROLE_AGENT, 0, 0},
    {"POST", "/api/v1/imports", h_imports_create, ROLE_AGENT, PZ_BODY_UPLOAD,
     CHANGES | PZ_ROUTE_UPLOAD},
    {"DELETE", "/api/v1/imports/{id}", h_imports_delete, ROLE_AGENT, 0, CHANGES},
    {"GET", "/api/v1/imports/{id}", h_imports_get, ROLE_AGENT, 0, 0},
    {"POST", "/api/v1/imports/{id}/confirm", h_imports_confirm, ROLE_AGENT, PZ_BODY_DEFAULT,
     CHANGES},
    {"GET", "/api/v1/inbox/summary", h_inbox_summary, ROLE_MEMBER, 0, 0},
    {"GET", "/api/v1/investments", h_investments_list, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/investments", h_investments_create, ROLE_MEMBER, PZ_BODY_DEFAULT, CHANGES},
    {"DELETE", "/api/v1/investments/{id}", h_investments_delete, ROLE_MEMBER, 0, CHANGES},
    {"GET", "/api/v1/labels", h_labels_list, ROLE_MEMBER, 0, 0},
    {"GET", "/api/v1/links", h_links_list, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/links", h_links_create, ROLE_MEMBER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/links/{id}", h_links_get, ROLE_MEMBER, 0, 0},
    {"PATCH", "/api/v1/links/{id}", h_links_patch, ROLE_MEMBER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/links/{id}/qr.png", h_links_qr_png, ROLE_MEMBER, 0, 0},
    {"GET", "/api/v1/links/{id}/qr.svg", h_links_qr_svg, ROLE_MEMBER, 0, 0},
    {"GET", "/api/v1/me", h_me_get, ROLE_CONSULTANT, 0, 0},
    {"PATCH", "/api/v1/me", h_me_patch, ROLE_CONSULTANT, PZ_BODY_DEFAULT, SELF},
    {"POST", "/api/v1/me/password", h_me_password, ROLE_CONSULTANT, PZ_BODY_DEFAULT, SELF},
    {"GET", "/api/v1/objectives", h_objectives_list, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/objectives", h_objectives_create, ROLE_MANAGER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/objectives/{id}", h_objectives_get, ROLE_MEMBER, 0, 0},
    {"PATCH", "/api/v1/objectives/{id}", h_objectives_patch, ROLE_MANAGER, PZ_BODY_DEFAULT,
     CHANGES},
    {"GET", "/api/v1/objectives/{id}/report", h_objectives_report, ROLE_MEMBER, 0, 0},
    {"GET", "/api/v1/organizations", h_organizations_list, ROLE_CONSULTANT, 0, 0},
    {"POST", "/api/v1/organizations", h_organizations_create, ROLE_AGENT, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/organizations/{id}", h_organizations_get, ROLE_CONSULTANT, 0, 0},
    {"GET", "/api/v1/organizations/{id}/timeline", h_organizations_timeline, ROLE_CONSULTANT, 0, 0},
    {"GET", "/api/v1/rates", h_rates_list, ROLE_MANAGER, 0, 0},
    {"PUT", "/api/v1/rates", h_rates_put, ROLE_OWNER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/search", h_search, ROLE_MEMBER, 0, 0},
    {"DELETE", "/api/v1/session", h_session_delete, ROLE_CONSULTANT, 0, SELF},
    {"POST", "/api/v1/session", h_session_post, ROLE_NONE, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/settings/going-cold", h_going_cold_settings_get, ROLE_MANAGER, 0, 0},
    {"PUT", "/api/v1/settings/going-cold", h_going_cold_settings_put, ROLE_MANAGER, PZ_BODY_DEFAULT,
     CHANGES},
    {"GET", "/api/v1/settings/inbox", h_inbox_settings_get, ROLE_MEMBER, 0, 0},
    {"PUT", "/api/v1/settings/inbox", h_inbox_settings_put, ROLE_MANAGER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/setup", h_setup_get, ROLE_NONE, 0, 0},
    {"POST", "/api/v1/setup", h_setup_post, ROLE_NONE, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/stream", h_stream, ROLE_MEMBER, 0, 0},
    {"GET", "/api/v1/tags", h_tags_list, ROLE_CONSULTANT, 0, 0},
    {"GET", "/api/v1/teams", h_teams_list, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/teams", h_teams_create, ROLE_MANAGER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/timer", h_timer_get, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/timer/start", h_timer_start, ROLE_MEMBER, PZ_BODY_DEFAULT, SELF},
    {"POST", "/api/v1/timer/stop", h_timer_stop, ROLE_MEMBER, PZ_BODY_DEFAULT, SELF},
    {"GET", "/api/v1/tokens", h_tokens_list, ROLE_MEMBER, 0, 0},
    {"POST", "/api/v1/tokens", h_tokens_create, ROLE_MEMBER, PZ_BODY_DEFAULT, CHANGES},
    {"DELETE", "/api/v1/tokens/{id}", h_tokens_delete, ROLE_MEMBER, 0, CHANGES},
    {"GET", "/api/v1/users", h_users_list, ROLE_OWNER, 0, 0},
    {"POST", "/api/v1/users", h_users_create, ROLE_OWNER, PZ_BODY_DEFAULT, CHANGES},
    {"PATCH", "/api/v1/users/{id}", h_users_patch, ROLE_OWNER, PZ_BODY_DEFAULT, CHANGES},
    {"GET", "/api/v1/version", h_version, ROLE_NONE, 0, 0},
    {"GET", "/api/v1/views", h_views_list, ROLE_CONSULTANT, 0, 0},
    {"POST", "/api/v1/views", h_views_create, ROLE_MEMBER, PZ_BODY_DEFAULT, CHANGES},
    {"DELETE", "/api/v1/views/{id}", h_views_delete, ROLE_MEMBER, 0, CHANGES},
    {"GET", "/api/v1/workspace", h_workspace_get, ROLE_CONSULTANT, 0, 0},
    {"GET", "/healthz", h_healthz, ROLE_NONE, 0, 0},
    {"GET", "/l/{slug}", h_link_follow, ROLE_NONE, 0, 0},
    {"GET", "/t/piazza.js", h_script, ROLE_NONE, 0, 0},
    {"GET", "/t/{file}", h_pixel, ROLE_NONE, 0, 0},
};

const size_t pz_n_routes = sizeof(pz_routes) / sizeof(pz_routes[0]);

/*
 * Matches PATH against PATTERN; "{name}" matches one non-empty segment,
 * whose value is copied into M->buf. Returns 1 on a match.
 */
static int match_path(const char *pattern, const char *path, struct pz_route_match *m)
{
    size_t used = 0;

    m->n_params = 0;
    while (*pattern) {
        if (*pattern == '{') {
            const char *end = strchr(path, '/');
            size_t n = end ? (size_t)(end - path) : strlen(path);
            if (n == 0 || m->n_params == PZ_MAX_PARAMS || used + n + 1 > sizeof(m->buf))
                return 0;
            memcpy(m->buf + used, path, n);
            m->buf[used + n] = '\0';
            m->params[m->n_params++] = m->buf + used;
            used += n + 1;
            path += n;
            pattern = strchr(pattern, '}');
            if (!pattern)
                return 0;
            pattern++;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    return *path == '\0';
}

int pz_route_find(const char *method, const char *path, struct pz_route_match *m)
{
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    size_t allow_len = 0;

    memset(m, 0, sizeof(*m));
    for (size_t i = 0; i < pz_n_routes; i++) {
        const struct pz_route *r = &pz_routes[i];
        /* A failed attempt only leaves scratch in buf and params. */
        if (!match_path(r->path, path, m))
            continue;
        m->path_known = 1;
        if (strcmp(r->method, want) == 0) {
            m->route = r;
            return 0;
        }
        {
            size_t n = strlen(r->method);
            if (allow_len + n + 3 < sizeof(m->allow)) {
                if (allow_len) {
                    memcpy(m->allow + allow_len, ", ", 2);
                    allow_len += 2;
                }
                memcpy(m->allow + allow_len, r->method, n + 1);
                allow_len += n;
            }
        }
    }
    m->n_params = 0;
    return PZ_ENOTFOUND;
}
