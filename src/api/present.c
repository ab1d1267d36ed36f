/*
 * How account objects look in the API. One writer per object, so every
 * route shows a user the same way.
 */
#include "api/api.h"
#include "core/banned.h"

void present_workspace(struct pz_json *j, const struct workspace *w)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "id", w->id);
    pz_json_kstr(j, "name", w->name);
    pz_json_kstr(j, "slug", w->slug);
    pz_json_kstr(j, "locale", w->locale);
    pz_json_kstr(j, "timezone", w->timezone);
    pz_json_end_object(j);
}

void present_user(struct pz_json *j, const struct user *u, const struct workspace *w)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "id", u->id);
    pz_json_kstr(j, "email", u->email);
    pz_json_kstr(j, "name", u->name);
    pz_json_kstr(j, "role", role_name(u->role));
    pz_json_kstr(j, "locale", u->locale[0] ? u->locale : NULL);
    pz_json_kbool(j, "disabled", u->disabled);
    pz_json_kbool(j, "must_change_password", u->must_change_password);
    pz_json_kint(j, "created_at", u->created_at);
    pz_json_kint_or_null(j, "last_sign_in_at", u->last_sign_in_at);
    if (w) {
        pz_json_key(j, "workspace");
        present_workspace(j, w);
    }
    pz_json_end_object(j);
}
