/*
 * Contacts: the people and organizations a workspace knows, as one record
 * across every channel. A contact has a kind (person or organization), a
 * lifecycle stage, a relationship type, an owner (a user), Markdown notes,
 * identities (normalized and unique in the workspace, see normalize.h),
 * memberships (a person's organizations, with a title), tags, custom field
 * values and consent records. What happened with a contact lives in its
 * timeline (timeline.h); how strong the relationship is, in score.h.
 *
 * Validation failures fill a struct pz_err and return PZ_EINVAL (or
 * PZ_EEXIST for a taken identity). The codes are: request.invalid (with the
 * field), contact.identity_invalid, contact.identity_taken,
 * contact.not_organization, contact.not_person, contact.field_unknown,
 * contact.field_exists, contact.field_invalid. A missing contact is
 * PZ_ENOTFOUND without ERR. Every function takes the workspace and never
 * sees another workspace's rows.
 *
 * Transactions: contact_update and contact_delete run in their own
 * transaction, so they must not be called inside one; everything else runs
 * in whatever transaction the caller holds (or none).
 */
#ifndef PZ_CONTACTS_CONTACT_H
#define PZ_CONTACTS_CONTACT_H

#include <stddef.h>
#include <stdint.h>

#include "contacts/normalize.h"
#include "core/error.h"
#include "store/store.h"

#define CONTACT_NAME_MAX        200         /* bytes of a display, given or family name */
#define CONTACT_NOTES_MAX       (64 * 1024) /* bytes of Markdown notes */
#define CONTACT_TEXT_MAX        200         /* titles, tags, purposes, labels, field names */
#define CONTACT_FIELD_VALUE_MAX 1000        /* bytes of a custom field value */
#define CONTACT_CURSOR_MAX      900         /* room for any cursor contact_list returns */
#define CONTACT_LIST_MAX        500         /* the most rows one page may hold */

struct contact {
    int64_t id;
    int64_t workspace_id;
    char kind[16]; /* "person" or "organization" */
    char display_name[CONTACT_NAME_MAX + 1];
    char given_name[CONTACT_NAME_MAX + 1];  /* "" when unknown */
    char family_name[CONTACT_NAME_MAX + 1]; /* "" when unknown */
    char stage[16];        /* stranger, lead, prospect, customer, advocate, former */
    char relationship[16]; /* customer, supplier, partner, ... or "" */
    int64_t owner_user_id; /* 0 when nobody owns the relationship */
    char *notes_md;        /* owned (contact_release); NULL in list rows */
    int64_t created_at;
    int64_t updated_at;
    /* Derived, for lists: the stored score (score.h) and the last interaction. */
    int strength;            /* 0-100, -1 when never computed */
    int previous_strength;   /* before the last change, -1 when none */
    int64_t last_contact_at; /* -1 when never */
};

/* Frees what a struct contact owns (notes_md); the struct may be reused. Accepts NULL. */
void contact_release(struct contact *c);

/* Returns non-zero when S names a stage, or a relationship type ("" is not one). */
int contact_stage_valid(const char *s);
int contact_relationship_valid(const char *s);

/*
 * What create and update take. NULL means "not given": unchanged on update,
 * the default on create. For optional text, "" clears it.
 */
struct contact_fields {
    const char *kind;         /* create only: "person" (default) or "organization" */
    const char *display_name; /* create: derived from given + family names when NULL */
    const char *given_name;
    const char *family_name;
    const char *stage;        /* create default "stranger" */
    const char *relationship; /* "" for none */
    int64_t owner_user_id;    /* -1 not given; 0 nobody; else a user of the workspace */
    const char *notes_md;
};

/* Sets every field of F to "not given". */
void contact_fields_init(struct contact_fields *f);

/*
 * Creates a contact from F. Returns 0 and fills *OUT (may be NULL; the
 * caller releases it), or PZ_EINVAL with ERR (request.invalid with field
 * kind, display_name, given_name, family_name, stage, relationship,
 * owner_user_id or notes_md), or another negative code.
 */
int contact_create(struct pz_conn *conn, int64_t workspace_id, const struct contact_fields *f,
                   struct contact *out, struct pz_err *err);

/*
 * For bulk writers (the importer): creates a contact from F as contact_create
 * does, with its derived search columns made at once from what the caller is
 * about to write for it — the display names of the organizations it will
 * belong to (ORGS, N_ORGS) and its identities (IDENTS holds 2 * N_IDENTS
 * strings: each normalized value, then the value as stored, see
 * contact_identity_stored_original), in the order they will be written — so
 * that writing them with contact_identity_add_normalized and
 * contact_membership_add_new needs no re-index. Sets *ID. Returns as
 * contact_create.
 */
int contact_create_indexed(struct pz_conn *conn, int64_t workspace_id,
                           const struct contact_fields *f, const char *const *orgs, size_t n_orgs,
                           const char *const *idents, size_t n_idents, int64_t *id,
                           struct pz_err *err);

/* Loads contact ID with its notes into *OUT (released by the caller). Returns 0,
 * PZ_ENOTFOUND or a negative code. */
int contact_get(struct pz_conn *conn, int64_t workspace_id, int64_t id, struct contact *out);

/*
 * Changes the fields F gives. A stage change writes a "stage_change"
 * timeline entry ("lead -> customer") authored by ACTOR_ID (0 for none). In
 * its own transaction. Returns 0 and fills *OUT (may be NULL), PZ_ENOTFOUND,
 * PZ_EINVAL with ERR as contact_create, or a negative code.
 */
int contact_update(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                   const struct contact_fields *f, int64_t actor_id, struct contact *out,
                   struct pz_err *err);

/*
 * For bulk changes, in the caller's transaction: sets the stage of contact
 * ID (writing the stage_change entry, authored by ACTOR_ID, when it
 * changes), or its owner (OWNER_USER_ID 0 for nobody). *CHANGED says
 * whether the contact changed. Returns 0, PZ_ENOTFOUND (stage; the owner
 * setter changes nothing for a missing contact), PZ_EINVAL with ERR
 * (request.invalid field stage or owner_user_id), or a negative code.
 */
int contact_stage_set(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *stage,
                      int64_t actor_id, int *changed, struct pz_err *err);
int contact_owner_set(struct pz_conn *conn, int64_t workspace_id, int64_t id, int64_t owner_user_id,
                      int *changed, struct pz_err *err);

/*
 * Erases contact ID and everything of it (identities, memberships, tags,
 * field values, consents, timeline, score, suggestions), for GDPR. The audit
 * log gets "contact.delete" with the id only: that it happened, not what.
 * People who belonged to an erased organization stay. In its own
 * transaction. Returns 0, PZ_ENOTFOUND or a negative code.
 */
int contact_delete(struct pz_conn *conn, int64_t workspace_id, int64_t id, int64_t actor_id);

enum contact_sort {
    CONTACT_SORT_NAME = 0, /* by folded display name */
    CONTACT_SORT_NEWEST,   /* newest first */
    CONTACT_SORT_STRENGTH, /* strongest first; never computed last */
};

/* A list request. Empty strings and the values contact_query_init sets mean "any". */
struct contact_query {
    const char *q;    /* search: names, organizations, any identity; accent-insensitive */
    const char *kind; /* "person" or "organization" */
    const char *stage;
    const char *relationship;
    int64_t owner_user_id; /* 0: anyone's */
    const char *tag;
    int strength_min; /* -1: no bound; contacts never scored count as 0 */
    int strength_max;
    int going_cold; /* only customers and prospects going cold (score.h) */
    int64_t now;    /* the time going_cold is judged at; 0 for the clock */
    enum contact_sort sort;
    const char *cursor; /* "next" from the previous page, or NULL */
    int limit;          /* 1..CONTACT_LIST_MAX; 0 for 50 */
};

void contact_query_init(struct contact_query *q);

/*
 * Calls FN for each contact of one page matching Q (rows without notes;
 * borrowed for the call). Writes the cursor of the next page into NEXT
 * (NEXTSZ >= CONTACT_CURSOR_MAX), "" when this was the last. Search words
 * must all match (AND); a query that looks like a phone number matches its
 * digits. Returns 0, PZ_EINVAL with ERR (request.invalid: cursor, limit,
 * stage, relationship, kind, strength_min), or a negative code.
 */
int contact_list(struct pz_conn *conn, int64_t workspace_id, const struct contact_query *q,
                 void (*fn)(const struct contact *c, void *arg), void *arg, char *next,
                 size_t nextsz, struct pz_err *err);

/*
 * Recomputes the derived search text and sort name of contact ID (its
 * names, its organizations' names, its identities as normalized and as
 * written). Every function here that changes those calls it; a rebuild
 * calls contact_reindex_all, which also rebuilds the search index of every
 * workspace (store.h, pz_store_text_rebuild). Returns 0 or a negative code.
 */
int contact_reindex(struct pz_conn *conn, int64_t workspace_id, int64_t id);
int contact_reindex_all(struct pz_conn *conn, int64_t workspace_id, long *n_done);
/* Re-indexes the people of organization ORG_ID (its name is in their search text). */
int contact_reindex_members(struct pz_conn *conn, int64_t workspace_id, int64_t org_id);

/*
 * Appends TEXT to the contact's notes as its own paragraph, unless the notes
 * already contain it. *APPENDED (may be NULL) says whether it did. Returns 0,
 * PZ_ENOTFOUND, PZ_EINVAL with ERR (too long), or a negative code.
 */
int contact_note_append(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *text,
                        int *appended, struct pz_err *err);

/* --- organizations and memberships ------------------------------------------------------ */

/*
 * Finds the organization called NAME (compared folded, without punctuation:
 * "ACME S.r.l." finds "Acme srl"), or creates it. Sets *ORG_ID and *CREATED
 * (may be NULL). Returns 0, PZ_EINVAL with ERR (request.invalid, field
 * organization), or a negative code.
 */
int contact_org_find_or_create(struct pz_conn *conn, int64_t workspace_id, const char *name,
                               int64_t *org_id, int *created, struct pz_err *err);

/* contact_org_find_or_create that also copies the organization's display name into DISPLAY
 * (DISPLAYSZ bytes; may be NULL). */
int contact_org_resolve(struct pz_conn *conn, int64_t workspace_id, const char *name,
                        int64_t *org_id, char *display, size_t displaysz, int *created,
                        struct pz_err *err);

/* Finds the organization called NAME as above. Returns 0, PZ_ENOTFOUND or a negative code. */
int contact_org_find(struct pz_conn *conn, int64_t workspace_id, const char *name, int64_t *org_id);

/*
 * Makes person PERSON_ID a member of organization ORG_ID with TITLE (NULL
 * or "" for none; an existing membership gets the new title). Returns 0,
 * PZ_ENOTFOUND, PZ_EINVAL with ERR (contact.not_person,
 * contact.not_organization, request.invalid field title), or a negative code.
 */
int contact_membership_set(struct pz_conn *conn, int64_t workspace_id, int64_t person_id,
                           int64_t org_id, const char *title, struct pz_err *err);

/*
 * For bulk writers (the importer): makes PERSON_ID, a person just made by
 * contact_create_indexed with ORG_ID's name among its organizations, a member
 * of organization ORG_ID with TITLE, without checking kinds, touching or
 * re-indexing. Returns 0, PZ_EINVAL with ERR (field title), PZ_EEXIST when
 * already a member, or a negative code.
 */
int contact_membership_add_new(struct pz_conn *conn, int64_t workspace_id, int64_t person_id,
                               int64_t org_id, const char *title, struct pz_err *err);

/* Ends a membership. Returns 0, PZ_ENOTFOUND or a negative code. */
int contact_membership_remove(struct pz_conn *conn, int64_t workspace_id, int64_t person_id,
                              int64_t org_id);

struct contact_membership {
    int64_t person_id;
    int64_t organization_id;
    char person_name[CONTACT_NAME_MAX + 1];
    char organization_name[CONTACT_NAME_MAX + 1];
    char title[CONTACT_TEXT_MAX + 1]; /* "" when none */
};

/* Calls FN for each membership of contact ID: a person's organizations, or an
 * organization's people, by name. Returns 0 or a negative code. */
int contact_memberships_each(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                             void (*fn)(const struct contact_membership *m, void *arg), void *arg);

/* --- identities ------------------------------------------------------------------------ */

struct contact_identity {
    int64_t id;
    int64_t contact_id;
    char kind[16];
    char value[NORMALIZE_MAX];    /* normalized */
    char original[NORMALIZE_MAX]; /* as written */
    char label[CONTACT_TEXT_MAX + 1];
    int64_t created_at;
};

/*
 * Adds identity KIND/VALUE (normalized in REGION, NULL for "IT") with LABEL
 * (may be NULL) to contact ID. Adding one the contact already has succeeds
 * and changes nothing. Sets *IDENTITY_ID (may be NULL). Returns 0,
 * PZ_ENOTFOUND, PZ_EINVAL with ERR (contact.identity_invalid), PZ_EEXIST with
 * ERR contact.identity_taken when another contact has it (the message names
 * that contact's id, which *OTHER_ID gets when not NULL), or a negative code.
 */
int contact_identity_add(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *kind,
                         const char *value, const char *label, const char *region,
                         int64_t *identity_id, int64_t *other_id, struct pz_err *err);

/*
 * For bulk writers (the importer): adds identity KIND/NORMALIZED, already
 * normalized and checked to belong to nobody, with ORIGINAL as written
 * (trimmed, cut at NORMALIZE_MAX - 1 bytes) and LABEL (may be NULL). Neither
 * touches nor re-indexes the contact: call contact_reindex once after.
 * Returns 0, PZ_EEXIST if it was taken meanwhile, or a negative code.
 */
int contact_identity_add_normalized(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                                    const char *kind, const char *normalized, const char *original,
                                    const char *label, int64_t *identity_id);

/* How contact_identity_add_normalized stores ORIGINAL (NULL: NORMALIZED): trimmed, cut at a
 * character boundary to fit OUTSZ (NORMALIZE_MAX) bytes. */
void contact_identity_stored_original(const char *original, const char *normalized, char *out,
                                      size_t outsz);

/* Removes identity IDENTITY_ID of contact ID. Returns 0, PZ_ENOTFOUND or a negative code. */
int contact_identity_remove(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                            int64_t identity_id);

/* Calls FN for each identity of contact ID, by kind then value. */
int contact_identities_each(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                            void (*fn)(const struct contact_identity *ident, void *arg), void *arg);

/*
 * Finds the contact holding an already normalized identity. Phone numbers
 * match across the phone-like kinds (a WhatsApp number finds the contact
 * with that phone). Sets *CONTACT_ID. Returns 0, PZ_ENOTFOUND or a negative
 * code.
 */
int contact_find_normalized(struct pz_conn *conn, int64_t workspace_id, const char *kind,
                            const char *normalized, int64_t *contact_id);

/* Normalizes VALUE as KIND in REGION and finds its contact as above. Returns 0,
 * PZ_ENOTFOUND, PZ_EINVAL with ERR, or a negative code. */
int contact_find_identity(struct pz_conn *conn, int64_t workspace_id, const char *kind,
                          const char *value, const char *region, int64_t *contact_id,
                          struct pz_err *err);

/* --- tags ------------------------------------------------------------------------------ */

/*
 * Tags contact ID with NAME (trimmed; compared folded, so "Fiera" and
 * "fiera" are one tag, spelled as first written). *ADDED (may be NULL) says
 * whether the contact was not tagged so before. Returns 0, PZ_ENOTFOUND,
 * PZ_EINVAL with ERR (request.invalid field tag), or a negative code.
 */
int contact_tag_add(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *name,
                    int *added, struct pz_err *err);

/*
 * For bulk writers (the importer): tags ID, a contact just made by
 * contact_create_indexed, with NAME as contact_tag_add does, without
 * checking the contact or touching it. Returns 0, PZ_EINVAL with ERR, or a
 * negative code.
 */
int contact_tag_add_new(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *name,
                        struct pz_err *err);

/* Removes tag NAME from contact ID. Returns 0, PZ_ENOTFOUND (not tagged so) or a negative code. */
int contact_tag_remove(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *name);

/* Calls FN with the name of each tag of contact ID, by name. */
int contact_tags_each(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                      void (*fn)(const char *name, void *arg), void *arg);

/* Calls FN for each tag of the workspace with how many contacts carry it, by name. */
int contact_tag_list(struct pz_conn *conn, int64_t workspace_id,
                     void (*fn)(const char *name, int64_t n_contacts, void *arg), void *arg);

/* --- custom fields --------------------------------------------------------------------- */

struct contact_field {
    int64_t id;
    char name[CONTACT_TEXT_MAX + 1];
    char type[8];       /* text, number, date, choice */
    char choices[2048]; /* JSON array of strings for choice, "[]" otherwise */
};

/*
 * Defines custom field NAME of TYPE for the workspace; CHOICES (N_CHOICES
 * strings) only for type choice. Fills *OUT (may be NULL). Returns 0,
 * PZ_EINVAL with ERR (request.invalid fields name, type, choices;
 * contact.field_exists), or a negative code.
 */
int contact_field_define(struct pz_conn *conn, int64_t workspace_id, const char *name,
                         const char *type, const char *const *choices, size_t n_choices,
                         struct contact_field *out, struct pz_err *err);

/* Calls FN for each custom field of the workspace, by name. */
int contact_field_list(struct pz_conn *conn, int64_t workspace_id,
                       void (*fn)(const struct contact_field *f, void *arg), void *arg);

/* Removes field FIELD_ID and every value of it. Returns 0, PZ_ENOTFOUND or a negative code. */
int contact_field_remove(struct pz_conn *conn, int64_t workspace_id, int64_t field_id);

/*
 * Sets custom field NAME of contact ID to VALUE (NULL or "" clears it).
 * Values are checked and stored in one form: numbers with a '.' decimal
 * point ("1,5" -> "1.5"), dates as YYYY-MM-DD (DD/MM/YYYY accepted), a
 * choice as it was defined (matched case-insensitively). Returns 0,
 * PZ_ENOTFOUND (no such contact), PZ_EINVAL with ERR (contact.field_unknown,
 * contact.field_invalid), or a negative code.
 */
int contact_field_set(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *name,
                      const char *value, struct pz_err *err);

struct contact_field_value {
    int64_t field_id;
    char name[CONTACT_TEXT_MAX + 1];
    char type[8];
    char value[CONTACT_FIELD_VALUE_MAX + 1];
};

/* Calls FN for each custom field value of contact ID, by field name. */
int contact_field_values_each(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                              void (*fn)(const struct contact_field_value *v, void *arg),
                              void *arg);

/* --- consents -------------------------------------------------------------------------- */

struct contact_consent {
    int64_t id;
    int64_t contact_id;
    char purpose[CONTACT_TEXT_MAX + 1]; /* "newsletter", "marketing"... */
    char source[CONTACT_TEXT_MAX + 1];  /* where it was given: "web form", "fair 2026"... */
    int64_t given_at;
    int64_t withdrawn_at; /* -1 while in force */
    int64_t created_at;
};

/*
 * Records that contact ID consented to PURPOSE through SOURCE at GIVEN_AT
 * (UTC ms). Sets *CONSENT_ID (may be NULL). Returns 0, PZ_ENOTFOUND,
 * PZ_EINVAL with ERR (request.invalid fields purpose, source, given_at), or a
 * negative code.
 */
int contact_consent_add(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *purpose,
                        const char *source, int64_t given_at, int64_t *consent_id,
                        struct pz_err *err);

/* Marks consent CONSENT_ID withdrawn at AT. Returns 0, PZ_ENOTFOUND (also when
 * already withdrawn) or a negative code. */
int contact_consent_withdraw(struct pz_conn *conn, int64_t workspace_id, int64_t consent_id,
                             int64_t at);

/* Calls FN for each consent record of contact ID, oldest first. */
int contact_consents_each(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                          void (*fn)(const struct contact_consent *c, void *arg), void *arg);

#endif
