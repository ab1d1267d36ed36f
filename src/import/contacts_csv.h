/*
 * The contacts CSV reader: Google Contacts (both header generations), Outlook
 * and LinkedIn Connections.csv, told apart by their header row and read into
 * one struct import_contact per row. Parsing is libcsv's, fed one line at a
 * time so that memory stays bounded and every row knows its line number.
 *
 * The header is found by its content among the first CONTACTS_CSV_HEADER_ROWS
 * rows (LinkedIn puts a "Notes:" preamble before it), with ',' or, failing
 * that, ';' or a tab as the delimiter (a CSV saved by an Italian Excel). Kinds:
 *  - "google": First Name, Middle Name, Last Name, Organization Name and
 *    Title, Notes, Labels, "E-mail N - Label"/"- Value", "Phone N - ...",
 *    "Website N - ...";
 *  - "google-old": Name, Given Name, Additional Name, Family Name, Notes,
 *    Group Membership, "E-mail N - Type"/"- Value", "Phone N - ...",
 *    "Organization N - Name"/"- Title", "Website N - ...";
 *  - "outlook": First/Middle/Last Name, Company, Job Title, Notes, Categories,
 *    "E-mail Address", "E-mail 2 Address"..., one column per phone kind
 *    (Business Phone is "work", Mobile Phone "cell"...), Web Page; mapped by
 *    name in any order, with the Italian names of the same columns;
 *  - "linkedin": First Name, Last Name, URL (a linkedin identity; older
 *    exports lack it), Email Address, Company, Position, Connected On
 *    ("05 Mar 2024", UTC midnight in connected_on).
 * Several values in one cell are joined by " ::: " (Google) and split here;
 * Outlook's Categories are split at ';'. Labels and tags are cleaned as
 * values.h says. The full name is the Name column, else the given, middle and
 * family names, else the first e-mail, else the organization, else the first
 * identity; a row with none of these is skipped and reported.
 *
 * Text: a file that is valid UTF-8 (with or without a BOM) is read as such;
 * one that is not is read as Windows-1252 (an Outlook export), unless it also
 * holds more well-formed multi-byte UTF-8 than bad bytes, or starts with a
 * UTF-8 BOM: then it is refused with the line of the first bad byte. UTF-16
 * files with a BOM are converted. Deciding needs a first pass over the file;
 * on a stream that cannot seek, each line is decided alone.
 *
 * Problems: a row with the wrong number of fields, broken quoting (a quote
 * inside an unquoted field, text after a closing quote, a quote never closed)
 * or longer than CONTACTS_CSV_MAX_ROW is skipped and reported with the line
 * where it starts; after broken quoting, reading starts again on the line
 * after that one, so one stray quote costs one row. A file whose header is not
 * recognised is refused: "not a contacts CSV (header not recognised)".
 */
#ifndef PZ_IMPORT_CONTACTS_CSV_H
#define PZ_IMPORT_CONTACTS_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "import/record.h"

#define CONTACTS_CSV_MAX_ROW       (1024 * 1024) /* bytes in one row, quoted newlines included */
#define CONTACTS_CSV_MAX_ROW_LINES 1000          /* physical lines in one row */
#define CONTACTS_CSV_MAX_FIELDS    512
#define CONTACTS_CSV_HEADER_ROWS   10 /* rows searched for the header */

/*
 * Reads the contacts CSV at PATH, calling sink->on_record once per row in
 * file order (the record and its strings are borrowed for the call).
 * Returns 0 when the file was read (bad rows skipped and reported), the
 * non-zero value on_record returned to stop, or a negative PZ_E* code with
 * *FATAL (when not NULL) filled when the file cannot be read at all: PZ_EIO
 * (cannot open or read it), PZ_EINVAL (empty, header not recognised, invalid
 * UTF-8).
 */
int contacts_csv_read(const char *path, const struct import_sink *sink,
                      struct import_problem *fatal);

/*
 * The same on an open stream (which the caller keeps and closes), NAME being
 * the file name put in records and problems. When KIND is not NULL it is set
 * to the kind of CSV ("google", "google-old", "outlook", "linkedin"; static)
 * as soon as the header is found, and to NULL until then.
 */
int contacts_csv_read_stream(FILE *f, const char *name, const struct import_sink *sink,
                             struct import_problem *fatal, const char **kind);

/*
 * Looks for a contacts CSV header in the first N bytes of a file (the last
 * line may be cut). Returns the kind as above, or NULL when none was found.
 */
const char *contacts_csv_sniff(const char *data, size_t n);

#endif
