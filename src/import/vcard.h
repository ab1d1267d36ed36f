/*
 * The vCard reader: versions 2.1, 3.0 and 4.0, any number of cards per file,
 * one struct import_contact per card.
 *
 * Lines are unfolded before anything is decoded (a fold may split a UTF-8
 * character), then vCard 2.1 quoted-printable values are joined across soft
 * line breaks and decoded, then converted to UTF-8 from their CHARSET (UTF-8,
 * ISO-8859-1, Windows-1252 by hand, others through iconv; without CHARSET,
 * UTF-8 when valid, else Windows-1252), then unescaped (\, \; \\ and, from
 * 3.0, \n). A line inside a card that is not a property line (a note's raw
 * newline, as some exporters write) continues the previous value.
 *
 * What a card gives: FN, N (family and given), the first ORG component, TITLE,
 * NOTE (several joined by newlines), TEL and EMAIL as identities labelled from
 * their types (CELL, HOME, WORK, FAX... or an Apple item's X-ABLabel), URL and
 * X-SOCIALPROFILE as linkedin, facebook, instagram, x or website identities,
 * IMPP as telegram or whatsapp when it says so, CATEGORIES as tags (without
 * "My Contacts", which every phone contact is in). PHOTO, LOGO, SOUND and KEY
 * are skipped whatever their size. A card that says it is an organization's
 * (4.0 KIND:org, Apple's X-ABShowAs:COMPANY) gives no person's name: its ORG
 * (else its FN) is the organization, as the contacts writer expects.
 * Values are trimmed, otherwise as written: identities are neither
 * validated nor deduplicated here (src/contacts normalizes them). The full name is FN, else N's
 * given and family names, else the first e-mail, else the organization, else the first identity.
 *
 * Problems: a card without END:VCARD (the next BEGIN or the end of the file
 * comes first), an END:VCARD without BEGIN, a card with no name, organization
 * or identity, a property longer than VCARD_MAX_LINE that the card needs, or
 * a card holding more than VCARD_MAX_CARD bytes of text are skipped and
 * reported through sink->on_skip with the line of their BEGIN (or END). A
 * file without any BEGIN:VCARD is refused: "not a vCard file" (or "empty
 * file") at line 1.
 */
#ifndef PZ_IMPORT_VCARD_H
#define PZ_IMPORT_VCARD_H

#include <stdio.h>

#include "import/record.h"

#define VCARD_MAX_LINE (1024 * 1024) /* longest unfolded property kept */
#define VCARD_MAX_CARD (1024 * 1024) /* most decoded text in one card */

/*
 * Reads the vCard file at PATH, calling sink->on_record once per card (in
 * file order; the record and its strings are borrowed for the call). Returns
 * 0 when the file was read (bad cards skipped and reported), the non-zero
 * value on_record returned to stop, or a negative PZ_E* code with *FATAL
 * (when not NULL) filled when the file cannot be read as vCard at all:
 * PZ_EIO (cannot open or read it), PZ_EINVAL (not a vCard file). Memory
 * stays bounded whatever the file size.
 */
int vcard_read(const char *path, const struct import_sink *sink, struct import_problem *fatal);

/*
 * The same on an open stream (which the caller keeps and closes); NAME is
 * the file name put in records and problems.
 */
int vcard_read_stream(FILE *f, const char *name, const struct import_sink *sink,
                      struct import_problem *fatal);

#endif
