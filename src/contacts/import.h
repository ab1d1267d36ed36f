/*
 * The writer side of contact imports: one record (struct import_contact,
 * from any reader in src/import) into the contacts of a workspace, and the
 * import_runs row that says who imported which file, when, and with what
 * result.
 *
 * Matching: every identity of the record is normalized; the record is the
 * contact that holds any of them (phones match across phone, WhatsApp and
 * Telegram numbers). If they point at two or more contacts, the first one
 * (in the record's order) is updated and a duplicate suggestion is made for
 * each other: contacts are never merged by an import. A record with no
 * identity at all is recognized only as the same record of the same file
 * (the file's hash, its folded name and organization), never by name across
 * files. An organization's own card (no person's name) finds the
 * organization of that name, as memberships do. Otherwise a new person is
 * created (an organization for an organization's card), owned by the user
 * who runs the import; organizations created on the way for memberships are
 * not counted.
 *
 * Re-import rule: a matched record only adds what the contact lacks
 * (identities, given and family names, organization and title, tags, the
 * note, the LinkedIn "connected" entry). If it adds nothing the contact is
 * "unchanged" and nothing is written, not even a timeline entry; so
 * re-importing a file changes nothing and counts 0 created, 0 updated.
 * A created or updated contact gets one "import" timeline entry pointing at
 * the run (source_kind "import_run").
 *
 * Speed: between import_run_begin and import_run_finish the connection is
 * tuned for a long write (pz_store_bulk: a bigger page cache); a file's
 * records go through one contacts_importer, which keeps what it learns
 * between them (see below).
 *
 * Transactions: contacts_import_record runs in the caller's transaction
 * (one per file, rolled back when the file is refused). import_run_begin
 * and import_run_finish must run outside it, so that a refused run is
 * still recorded.
 */
#ifndef PZ_CONTACTS_IMPORT_H
#define PZ_CONTACTS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "import/record.h"
#include "store/store.h"

struct contacts_import_counts {
    long created;
    long updated;
    long unchanged;
    long duplicates_suggested;
};

/*
 * Writes record REC of import run IMPORT_RUN_ID, reading national phone
 * numbers in DEFAULT_REGION (NULL for "IT"), and adds one to the matching
 * member of *COUNTS (duplicates_suggested by how many new suggestions it
 * made). A record with a bad identity (ERR contact.identity_invalid), or
 * with neither a name nor an identity (import.empty_record), is not
 * written: PZ_EINVAL with ERR saying why (the caller skips it and reports
 * file:line: message). Returns 0, PZ_EINVAL, PZ_ENOTFOUND (no
 * such run) or a negative code.
 */
int contacts_import_record(struct pz_conn *conn, int64_t workspace_id, int64_t import_run_id,
                           const char *default_region, const struct import_contact *rec,
                           struct contacts_import_counts *counts, struct pz_err *err);

/*
 * The same for many records of one file: an importer keeps what it learns
 * between records (the run, which identity values exist, organizations and
 * their people; bounded) so that a large file costs a fraction of as many
 * calls of contacts_import_record. It is only valid inside one transaction
 * that holds the write lock, the one the records are written in.
 * contacts_importer_new sets *OUT (freed with contacts_importer_free) and
 * returns 0, PZ_ENOTFOUND (no such run) or a negative code;
 * contacts_importer_record returns as contacts_import_record. Some writing is
 * gathered (the "import" timeline entries of the contacts created):
 * contacts_importer_finish writes what is left, and must be called, before
 * the commit, once the last record is in (0 or a negative code).
 */
struct contacts_importer;
int contacts_importer_new(struct pz_conn *conn, int64_t workspace_id, int64_t import_run_id,
                          const char *default_region, struct contacts_importer **out);
int contacts_importer_record(struct contacts_importer *im, const struct import_contact *rec,
                             struct contacts_import_counts *counts, struct pz_err *err);
int contacts_importer_finish(struct contacts_importer *im);
void contacts_importer_free(struct contacts_importer *im);

/*
 * contacts_importer_record for a caller that has normalized the record's
 * identities already (to check them): NORMALIZED[i] is what
 * normalize_identity gave for identity i in the importer's region (NULL: not
 * known), so that it is not done twice. NORMALIZED may be NULL.
 */
int contacts_importer_record_normalized(struct contacts_importer *im,
                                        const struct import_contact *rec,
                                        const char *const *normalized,
                                        struct contacts_import_counts *counts, struct pz_err *err);

/*
 * Opens an import run: USER_ID (0 when none, as from the CLI without a
 * user), FORMAT ("vcard", "contacts-csv", "linkedin"...), FILE_NAME as
 * given, SHA256 of the file as 64 hex digits. Sets *RUN_ID. Returns 0,
 * PZ_EINVAL with ERR (request.invalid fields format, file_name, sha256), or
 * a negative code.
 */
int import_run_begin(struct pz_conn *conn, int64_t workspace_id, int64_t user_id,
                     const char *format, const char *file_name, const char *sha256, int64_t *run_id,
                     struct pz_err *err);

/*
 * Closes run RUN_ID with STATUS ("done", "refused" or "failed"), RECORDS
 * read, COUNTS (may be NULL), SKIPPED records and ERRORS_JSON, a JSON array
 * of {"file", "line", "message"} objects written by the caller (NULL for
 * "[]"). Returns 0, PZ_ENOTFOUND, PZ_EINVAL (a bad status or errors that are
 * not a JSON array, logged), or a negative code.
 */
int import_run_finish(struct pz_conn *conn, int64_t workspace_id, int64_t run_id,
                      const char *status, long records, const struct contacts_import_counts *counts,
                      long skipped, const char *errors_json);

struct import_run {
    int64_t id;
    int64_t user_id; /* 0 when none */
    int64_t started_at;
    int64_t finished_at; /* -1 while running */
    char status[12];     /* running, done, refused, failed */
    char format[32];
    char file_name[256];
    char sha256[65];
    long records, created, updated, unchanged, duplicates, skipped;
    char *errors_json; /* owned (import_run_release); a JSON array */
};

/* Frees what a struct import_run owns. Accepts NULL. */
void import_run_release(struct import_run *run);

/* Loads run RUN_ID into *OUT (released by the caller). Returns 0, PZ_ENOTFOUND or a code. */
int import_run_get(struct pz_conn *conn, int64_t workspace_id, int64_t run_id,
                   struct import_run *out);

/*
 * Calls FN for up to LIMIT runs with id < BEFORE_ID (0: from the newest),
 * newest first; the run passed to FN is borrowed (errors_json too). Returns
 * 0 or a negative code.
 */
int import_run_list(struct pz_conn *conn, int64_t workspace_id, int64_t before_id, int limit,
                    void (*fn)(const struct import_run *run, void *arg), void *arg);

/*
 * Finds the latest finished ("done") run of a file with SHA256, to tell a
 * user the file was imported before. Sets *RUN_ID. Returns 0, PZ_ENOTFOUND
 * or a negative code.
 */
int import_run_find_sha256(struct pz_conn *conn, int64_t workspace_id, const char *sha256,
                           int64_t *run_id);

#endif
