/*
 * Which importer reads a file: the format named on the command line, or
 * found from the file's first bytes when none was named. Formats are the
 * names the CLI and API use: "vcard", "contacts-csv" (Google or Outlook),
 * "linkedin" (Connections.csv). Detection is a table of sniffers tried in
 * order, most specific first, so a new format (LinkedIn messages, WhatsApp,
 * Telegram...) is one more row.
 */
#ifndef PZ_IMPORT_DETECT_H
#define PZ_IMPORT_DETECT_H

#include <stddef.h>

#include "import/record.h"

#define IMPORT_SNIFF_BYTES 16384 /* how much of a file detection looks at */

/*
 * Looks at the first IMPORT_SNIFF_BYTES of the file at PATH and writes the
 * name of its format into FORMAT (N bytes). Returns 0; PZ_EINVAL when the
 * format is not recognised (an empty file included); PZ_EIO when the file
 * cannot be read; PZ_ETOOBIG when N is too small for the name.
 */
int import_detect(const char *path, char *format, size_t n);

/* The same on the first LEN bytes of a file, already read. */
int import_detect_buffer(const char *data, size_t len, char *format, size_t n);

/* Returns non-zero when NAME is a format import_read knows. */
int import_format_known(const char *name);

/*
 * Reads the file at PATH as FORMAT (NULL: detect it first) through the
 * matching reader, with that reader's contract: 0 when the file was read
 * (bad records reported through sink->on_skip), the non-zero value
 * on_record returned to stop, or a negative PZ_E* code with *FATAL filled
 * when the file is refused whole (nothing from it should be kept): an
 * unknown format, a format that could not be detected, a file that is not
 * what FORMAT says ("linkedin" given a Google CSV), or the reader's own
 * refusals.
 */
int import_read(const char *format, const char *path, const struct import_sink *sink,
                struct import_problem *fatal);

#endif
