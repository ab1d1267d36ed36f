/*
 * Every API error code in one place, with its HTTP status and a default
 * English message. The web UI translates by code; clients should too.
 */
#include <string.h>

#include "api/api.h"
#include "core/banned.h"

static const struct {
    const char *code;
    int status;
    const char *message;
} errors[] = {
    {"auth.bad_credentials", 401, "wrong e-mail or password"},
    {"auth.bad_token", 401, "the API token is not valid or was revoked"},
    {"auth.forbidden", 403, "your role does not allow this"},
    {"auth.rate_limited", 429, "too many failed sign-ins; wait before trying again"},
    {"auth.required", 401, "sign in first"},
    {"bulk.nothing_to_do", 422, "the bulk change says nothing to change"},
    {"bulk.too_many", 422, "too many contacts for one bulk change; narrow the selection"},
    {"bulk.unknown_contact", 422, "a contact of the selection does not exist"},
    {"consent.withdrawn", 409, "this consent was already withdrawn"},
    {"contact.field_exists", 409, "a custom field with this name already exists"},
    {"contact.field_invalid", 422, "the value does not fit the custom field"},
    {"contact.field_unknown", 422, "no such custom field"},
    {"contact.identity_invalid", 422, "the identity is not valid"},
    {"contact.identity_taken", 409, "another contact already has this identity"},
    {"contact.merge_invalid", 422, "these contacts cannot be merged"},
    {"contact.not_organization", 422, "the contact is not an organization"},
    {"contact.not_person", 422, "the contact is not a person"},
    {"contact.organization_exists", 409, "an organization with this name already exists"},
    {"csrf.missing", 403, "the X-CSRF-Token header is missing or wrong"},
    {"goals.bad_amount", 400, "the amount is negative, zero or absurd"},
    {"goals.bad_currency", 400, "unknown currency"},
    {"goals.bad_date", 400, "the date is not valid"},
    {"goals.invalid_field", 400, "a field is invalid"},
    {"goals.missing_field", 400, "a required field is missing"},
    {"goals.no_timer", 409, "no timer is running"},
    {"goals.queue_full", 503, "too many tracking hits at once; try again"},
    {"goals.timer_running", 409, "a timer is already running; stop it first"},
    {"goals.unknown_reference", 400, "the id does not name anything in this workspace"},
    {"http.bad_host", 421, "this server does not answer for that host name"},
    {"http.body_too_large", 413, "the request body is too large"},
    {"http.method_not_allowed", 405, "this path does not accept that method"},
    {"http.not_found", 404, "no such API route"},
    {"import.bad_format", 422, "unknown import format"},
    {"import.bad_kind", 422, "unknown kind of import"},
    {"import.bad_upload", 400, "the body is not a multipart/form-data upload"},
    {"import.bad_user", 422, "not a user of this workspace"},
    {"import.empty_record", 422, "the record has neither a name nor an identity"},
    {"import.finished", 409, "the import has already ended"},
    {"import.no_file", 400, "the upload has no file"},
    {"import.not_ready", 409, "the import is not waiting for confirmation"},
    {"import.too_many_files", 413, "too many files in one upload"},
    {"import.unavailable", 503, "imports are not available on this server"},
    {"import.unknown_participant", 422, "no such participant in the import's preview"},
    {"inbox.bad_assignee", 422, "the assignee is not a user of this workspace who may answer"},
    {"inbox.bad_filter", 400, "unknown filter value"},
    {"inbox.bad_hours", 422, "the business hours are not valid"},
    {"inbox.bad_kind", 422, "kind must be note or reply"},
    {"inbox.bad_label", 422, "a label must have 1 to 60 characters"},
    {"inbox.bad_priority", 422, "priority must be low, normal, high or urgent"},
    {"inbox.bad_status", 422, "status must be open, pending, snoozed or resolved"},
    {"inbox.bad_target", 422, "a target is a number of minutes from 1 to 525600, or null"},
    {"inbox.bad_team", 422, "the team is not a team of this workspace"},
    {"inbox.bad_time_zone", 422, "unknown time zone"},
    {"inbox.bad_variable", 422, "unknown variable in the canned reply"},
    {"inbox.body_too_long", 422, "the message is over 20000 bytes"},
    {"inbox.duplicate_shortcut", 409, "a canned reply with this shortcut already exists"},
    {"inbox.empty_body", 422, "the message is empty"},
    {"inbox.not_found", 404, "no such conversation"},
    {"inbox.snooze_needs_time", 422, "snoozing needs a snoozed_until in the future"},
    {"inbox.team_exists", 409, "a team with this name already exists"},
    {"internal", 500, "internal error; the server log says more"},
    {"not_found", 404, "not found"},
    {"password.same_as_email", 422, "the password must not be your e-mail address"},
    {"password.too_common", 422, "this password is too common"},
    {"password.too_long", 422, "the password is too long"},
    {"password.too_short", 422, "the password is too short"},
    {"password.wrong", 422, "the current password is wrong"},
    {"request.bad_json", 400, "the body is not a valid JSON object"},
    {"request.invalid", 422, "a field is missing or invalid"},
    {"search.bad_cursor", 400, "the cursor is not valid"},
    {"search.bad_filter", 400, "a search filter is not valid"},
    {"search.empty_query", 400, "type a word to search for"},
    {"search.query_too_long", 400, "the search is too long"},
    {"setup.bad_code", 403, "the set-up code is wrong"},
    {"setup.done", 409, "piazza is already set up; sign in"},
    {"store.busy", 503,
     "the database is busy with a long write (such as a large import); try again in a few "
     "seconds"},
    {"stream.too_many", 503, "too many live update streams are open; try again later"},
    {"user.disabled", 403, "this account is disabled; ask an owner"},
    {"user.exists", 409, "a user with this e-mail already exists"},
    {"user.last_owner", 422, "a workspace needs at least one active owner"},
    {"view.exists", 409, "you already have a saved view with this name"},
    {"view.too_many", 422, "you have too many saved views; delete some first"},
    {"workspace.slug_taken", 409, "the short name is already used"},
};

static int find(const char *code)
{
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        if (strcmp(errors[i].code, code) == 0)
            return (int)i;
    return -1;
}

int pz_error_status(const char *code)
{
    int i = find(code);
    return i < 0 ? 500 : errors[i].status;
}

const char *pz_error_message(const char *code)
{
    int i = find(code);
    return i < 0 ? "error" : errors[i].message;
}
