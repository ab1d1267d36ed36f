/*
 * The common record every contacts reader produces (vCard, Google and
 * Outlook CSV, LinkedIn Connections.csv) and the one writer consumes. A
 * reader streams a file and calls its callback once per record; strings
 * in a record are borrowed and valid only during that call, already decoded
 * to UTF-8 but not normalized (normalization belongs to src/contacts).
 */
#ifndef PZ_IMPORT_RECORD_H
#define PZ_IMPORT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define IMPORT_MAX_IDENTITIES 64
#define IMPORT_MAX_TAGS       32

/* Identity kinds, as stored: "email", "phone", "whatsapp", "telegram", "linkedin",
 * "facebook", "instagram", "x", "website". */
struct import_identity {
    const char *kind;
    const char *value; /* as written in the file */
    const char *label; /* "cell", "home", "work"... or NULL */
};

struct import_contact {
    const char *file; /* the file name as given */
    long line;        /* 1-based line where the record starts */
    const char *full_name;
    const char *given_name;
    const char *family_name;
    const char *organization;
    const char *title;
    const char *note;
    const char *tags[IMPORT_MAX_TAGS];
    size_t n_tags;
    struct import_identity identities[IMPORT_MAX_IDENTITIES];
    size_t n_identities;
    int64_t connected_on; /* LinkedIn "Connected On", UTC ms at midnight; -1 when absent */
};

/* A problem with one record (skipped) or with the whole file (refused). */
struct import_problem {
    const char *file;
    long line;
    char message[200];
};

/*
 * What a reader calls. on_record returns 0 to go on, non-zero to stop
 * (the reader then returns that value). on_skip reports a bad record that
 * was skipped; the reader goes on.
 */
struct import_sink {
    int (*on_record)(const struct import_contact *rec, void *arg);
    void (*on_skip)(const struct import_problem *p, void *arg);
    void *arg;
};

#endif
