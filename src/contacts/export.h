/*
 * Contacts written out for other programs: one vCard 4.0 (RFC 6350) or one
 * CSV row per contact, appended to a bounded buffer so that a list of any
 * length can be streamed a page at a time.
 *
 * vCard: CRLF lines folded at 75 bytes without splitting a UTF-8 character,
 * text escaped (\\ \, \; \n), KIND (individual or org), FN, N, ORG and TITLE
 * (a person's first organization), EMAIL, TEL as tel: URIs, WhatsApp and
 * Telegram as IMPP with X-SERVICE-TYPE, LinkedIn, Facebook, Instagram and X
 * as X-SOCIALPROFILE (and URL, which every reader knows), websites as URL,
 * NOTE (the Markdown as written), CATEGORIES (the tags), REV and a UID.
 * Known labels become TYPE parameters; other labels an Apple-style
 * itemN.X-ABLabel. src/import/vcard.c reads it all back.
 *
 * CSV: RFC 4180 (CRLF, quoted where needed), the columns of a Google
 * Contacts export so any address book reads it (Name, Given Name, Family
 * Name, Notes, Group Membership, E-mail 1 - Value, Phone 1 - Value, Website
 * 1 - Value, Organization 1 - Name and Title; several values in one cell
 * joined by " ::: "), then piazza's own: Kind, Stage, Type, Owner,
 * Strength, Last contact, WhatsApp, Telegram, piazza ID. A cell that a
 * spreadsheet would run as a formula (=, @, or + and - not followed by a
 * digit) starts with an apostrophe.
 */
#ifndef PZ_CONTACTS_EXPORT_H
#define PZ_CONTACTS_EXPORT_H

#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

/* Appends contact ID of the workspace as one vCard 4.0. Returns 0, PZ_ENOTFOUND,
 * PZ_ETOOBIG (OUT is full) or a negative code. */
int contact_export_vcard(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                         struct pz_buf *out);

/* Appends the CSV header row. Returns 0 or PZ_ETOOBIG. */
int contact_export_csv_header(struct pz_buf *out);

/* Appends contact ID as one CSV row. Returns as contact_export_vcard. */
int contact_export_csv_row(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                           struct pz_buf *out);

#endif
