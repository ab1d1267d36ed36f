/*
 * Format detection and the table of readers. See detect.h.
 *
 * Sniffers look at a memory buffer holding the start of the file, through
 * the same line reader the importers use (fmemopen), so byte order marks and
 * UTF-16 are handled once, in lines.c.
 */
#include "import/detect.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/mem.h"
#include "import/contacts_csv.h"
#include "import/lines.h"
#include "import/vcard.h"
#include "core/banned.h"

static int stop_at_first(const struct import_contact *rec, void *arg)
{
    (void)rec;
    (void)arg;
    return 1;
}

/*
 * A vCard starts with BEGIN (its first line that is not blank), and the vCard
 * reader finds a card in it: so what is called a vCard here is never refused
 * by vcard_read as "not a vCard file".
 */
static int sniff_vcard(const char *data, size_t len)
{
    struct lines l;
    struct import_sink sink = {stop_at_first, NULL, NULL};
    const char *p;
    size_t n;
    int begins = 0;
    FILE *f = fmemopen((void *)data, len, "rb");

    if (!f)
        return 0;
    lines_init(&l, f, IMPORT_SNIFF_BYTES);
    while (lines_next(&l, &p, &n) > 0) {
        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        if (n == 0)
            continue;
        begins = n >= 5 && strncasecmp(p, "BEGIN", 5) == 0;
        break;
    }
    lines_release(&l);
    if (begins) {
        rewind(f);
        begins = vcard_read_stream(f, "", &sink, NULL) >= 0;
    }
    fclose(f);
    return begins;
}

static int sniff_linkedin(const char *data, size_t len)
{
    const char *kind = contacts_csv_sniff(data, len);
    return kind && strcmp(kind, "linkedin") == 0;
}

static int sniff_contacts_csv(const char *data, size_t len)
{
    return contacts_csv_sniff(data, len) != NULL;
}

static int read_linkedin(const char *path, const struct import_sink *sink,
                         struct import_problem *fatal);

static const struct {
    const char *format;
    int (*sniff)(const char *data, size_t len);
    int (*read)(const char *path, const struct import_sink *sink, struct import_problem *fatal);
} formats[] = {
    {"vcard", sniff_vcard, vcard_read},
    {"linkedin", sniff_linkedin, read_linkedin},
    {"contacts-csv", sniff_contacts_csv, contacts_csv_read},
};

int import_detect_buffer(const char *data, size_t len, char *format, size_t n)
{
    if (len == 0)
        return PZ_EINVAL;
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (formats[i].sniff(data, len)) {
            size_t fl = strlen(formats[i].format);
            if (fl >= n)
                return PZ_ETOOBIG;
            memcpy(format, formats[i].format, fl + 1);
            return 0;
        }
    }
    return PZ_EINVAL;
}

/* Reads up to IMPORT_SNIFF_BYTES of PATH into a new buffer; returns its length or PZ_EIO. */
static long read_head(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t len;

    *out = NULL;
    if (!f)
        return PZ_EIO;
    buf = xmalloc(IMPORT_SNIFF_BYTES);
    len = fread(buf, 1, IMPORT_SNIFF_BYTES, f);
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return PZ_EIO;
    }
    fclose(f);
    *out = buf;
    return (long)len;
}

int import_detect(const char *path, char *format, size_t n)
{
    char *head;
    long len = read_head(path, &head);
    int rc;

    if (len < 0)
        return (int)len;
    rc = import_detect_buffer(head, (size_t)len, format, n);
    free(head);
    return rc;
}

int import_format_known(const char *name)
{
    for (size_t i = 0; name && i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(formats[i].format, name) == 0)
            return 1;
    return 0;
}

static int set_fatal(struct import_problem *fatal, const char *name, long line, int code,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int set_fatal(struct import_problem *fatal, const char *name, long line, int code,
                     const char *fmt, ...)
{
    va_list ap;

    if (!fatal)
        return code;
    fatal->file = name;
    fatal->line = line;
    va_start(ap, fmt);
    vsnprintf(fatal->message, sizeof(fatal->message), fmt, ap);
    va_end(ap);
    return code;
}

/* Connections.csv only: a Google or Outlook CSV named "linkedin" is refused before reading. */
static int read_linkedin(const char *path, const struct import_sink *sink,
                         struct import_problem *fatal)
{
    char *head;
    long len = read_head(path, &head);
    int ok;

    if (len < 0)
        return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
    ok = sniff_linkedin(head, (size_t)len);
    free(head);
    if (!ok)
        return set_fatal(fatal, path, 1, PZ_EINVAL,
                         "not a LinkedIn Connections.csv (header not recognised)");
    return contacts_csv_read(path, sink, fatal);
}

int import_read(const char *format, const char *path, const struct import_sink *sink,
                struct import_problem *fatal)
{
    char detected[32];

    if (!format) {
        int rc = import_detect(path, detected, sizeof(detected));
        if (rc == PZ_EIO)
            return set_fatal(fatal, path, 0, PZ_EIO, "cannot open: %s", strerror(errno));
        if (rc < 0)
            return set_fatal(fatal, path, 1, PZ_EINVAL,
                             "format not recognised (not a vCard, contacts CSV or LinkedIn "
                             "Connections.csv)");
        format = detected;
    }
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(formats[i].format, format) == 0)
            return formats[i].read(path, sink, fatal);
    return set_fatal(fatal, path, 0, PZ_EINVAL, "unknown format '%s'", format);
}
