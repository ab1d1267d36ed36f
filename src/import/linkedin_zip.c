/*
 * Unpacking a LinkedIn data export .zip. See linkedin_zip.h.
 */
#include "import/linkedin_zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#include "core/error.h"
#include "core/banned.h"

static const char *const member_names[LINKEDIN_ZIP_MEMBERS] = {"Connections.csv", "messages.csv"};

/* Which of the LinkedIn files member NAME of a zip is (by its base name), or -1. */
static int member_index(const char *name)
{
    const char *base = strrchr(name, '/');

    base = base ? base + 1 : name;
    for (int i = 0; i < LINKEDIN_ZIP_MEMBERS; i++)
        if (strcasecmp(base, member_names[i]) == 0)
            return i;
    return -1;
}

/* Opens PATH when it starts like a zip; NULL otherwise. */
static zip_t *open_zip(const char *path)
{
    unsigned char magic[4] = {0};
    int err = 0, is_zip;
    FILE *f = fopen(path, "rb");

    if (!f)
        return NULL;
    is_zip = fread(magic, 1, 4, f) == 4 && memcmp(magic, "PK\3\4", 4) == 0;
    fclose(f);
    return is_zip ? zip_open(path, ZIP_RDONLY, &err) : NULL;
}

/* The index of each LinkedIn member of Z in FOUND (-1 when absent); non-zero when any. */
static int find_members(zip_t *z, zip_int64_t found[LINKEDIN_ZIP_MEMBERS])
{
    int any = 0;

    for (int k = 0; k < LINKEDIN_ZIP_MEMBERS; k++)
        found[k] = -1;
    for (zip_int64_t i = 0, n = zip_get_num_entries(z, 0); i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        int which = name ? member_index(name) : -1;
        if (which >= 0 && found[which] < 0) {
            found[which] = i;
            any = 1;
        }
    }
    return any;
}

/* Copies member IDX of Z to the file OUT. Returns 0 or PZ_EIO. */
static int extract(zip_t *z, zip_uint64_t idx, const char *out)
{
    zip_file_t *zf = zip_fopen_index(z, idx, 0);
    FILE *f = zf ? fopen(out, "wb") : NULL;
    char buf[65536];
    zip_int64_t got = 0;
    int rc = 0;

    if (!f) {
        if (zf)
            zip_fclose(zf);
        return PZ_EIO;
    }
    while ((got = zip_fread(zf, buf, sizeof(buf))) > 0)
        if (fwrite(buf, 1, (size_t)got, f) != (size_t)got)
            rc = PZ_EIO;
    if (got < 0)
        rc = PZ_EIO;
    if (fclose(f) != 0)
        rc = PZ_EIO;
    zip_fclose(zf);
    return rc;
}

int linkedin_zip_is(const char *path)
{
    zip_int64_t found[LINKEDIN_ZIP_MEMBERS];
    zip_t *z = open_zip(path);
    int any;

    if (!z)
        return 0;
    any = find_members(z, found);
    zip_discard(z);
    return any;
}

int linkedin_zip_unpack(const char *path, const char *tmp_parent, struct linkedin_zip *out)
{
    zip_int64_t found[LINKEDIN_ZIP_MEMBERS];
    const char *parent = tmp_parent && *tmp_parent ? tmp_parent : getenv("TMPDIR");
    zip_t *z;

    memset(out, 0, sizeof(*out));
    z = open_zip(path);
    if (!z)
        return 0;
    if (!find_members(z, found)) {
        zip_discard(z);
        return 0;
    }
    snprintf(out->dir, sizeof(out->dir), "%s/piazza-linkedin-XXXXXX",
             parent && *parent ? parent : "/tmp");
    if (!mkdtemp(out->dir)) {
        zip_discard(z);
        out->dir[0] = '\0';
        return pz_error(PZ_EIO, "cannot make a temporary folder to unpack '%s'", path);
    }
    for (int k = 0; k < LINKEDIN_ZIP_MEMBERS; k++) {
        struct linkedin_zip_member *m = &out->members[k];
        char where[sizeof(m->path)]; /* not straight into OUT, which holds the folder too */
        if (found[k] < 0)
            continue;
        m->present = 1;
        snprintf(m->name, sizeof(m->name), "%s", zip_get_name(z, (zip_uint64_t)found[k], 0));
        snprintf(where, sizeof(where), "%s/%s", out->dir, member_names[k]);
        memcpy(m->path, where, sizeof(where));
        m->unpacked = extract(z, (zip_uint64_t)found[k], m->path) == 0;
        if (!m->unpacked)
            unlink(m->path);
    }
    zip_discard(z);
    return 1;
}

void linkedin_zip_cleanup(struct linkedin_zip *z)
{
    for (int k = 0; k < LINKEDIN_ZIP_MEMBERS; k++)
        if (z->members[k].unpacked)
            unlink(z->members[k].path);
    if (z->dir[0])
        rmdir(z->dir);
    memset(z, 0, sizeof(*z));
}
