/*
 * A LinkedIn data export .zip: the archive LinkedIn sends holds, among many
 * other files, Connections.csv (contacts) and messages.csv (conversations).
 * This module tells such a zip by its members (their base names, any case,
 * in any folder) and unpacks those two into a fresh temporary folder, so
 * that the ordinary readers can take them as files: `piazza import` and the
 * web's import jobs both go through it. Only these members are read and
 * they are written under names of our own, never under the names the zip
 * gives (an archive is not trusted).
 */
#ifndef PZ_IMPORT_LINKEDIN_ZIP_H
#define PZ_IMPORT_LINKEDIN_ZIP_H

#include <stddef.h>

#define LINKEDIN_ZIP_MEMBERS 2 /* Connections.csv, then messages.csv */

struct linkedin_zip_member {
    int present;     /* the zip has it */
    int unpacked;    /* it was written to PATH (0: cannot be unpacked) */
    char name[512];  /* its name in the zip, as written there */
    char path[4200]; /* the unpacked copy */
};

struct linkedin_zip {
    char dir[4096]; /* the temporary folder; "" when none was made */
    struct linkedin_zip_member members[LINKEDIN_ZIP_MEMBERS];
};

/*
 * When the file at PATH is a zip holding Connections.csv or messages.csv,
 * makes a temporary folder under TMP_PARENT (NULL: $TMPDIR, else /tmp),
 * unpacks each member it has into it and returns 1; a member that cannot
 * be unpacked has unpacked 0. Returns 0 when PATH is no such zip (or not a
 * zip), PZ_EIO when the folder cannot be made. Call linkedin_zip_cleanup
 * after a return of 1.
 */
int linkedin_zip_unpack(const char *path, const char *tmp_parent, struct linkedin_zip *out);

/* Deletes the unpacked files and their folder. Accepts a zip that was never unpacked. */
void linkedin_zip_cleanup(struct linkedin_zip *z);

/* Non-zero when the file at PATH is such a zip (members only looked at, nothing unpacked). */
int linkedin_zip_is(const char *path);

#endif
