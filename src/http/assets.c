/*
 * Lookup of embedded UI files and loading from --web-dir. See assets.h.
 */
#include "http/assets.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/text.h"
#include "http/mime.h"
#include "core/banned.h"

#define MAX_ASSET (16 * 1024 * 1024)

const struct pz_asset *pz_asset_find(const char *path)
{
    size_t lo = 0, hi = pz_n_web_assets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, pz_web_assets[mid].path);
        if (c == 0)
            return &pz_web_assets[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

int pz_asset_is_hashed(const char *path)
{
    /* Vite puts content-hashed files under /assets/. */
    return pz_str_starts(path, "/assets/");
}

int pz_asset_load(const char *dir, const char *path, struct pz_asset *out)
{
    char full[PATH_MAX], real_dir[PATH_MAX], real_file[PATH_MAX];
    FILE *f;
    long n;
    unsigned char *data;
    char etag[24];
    size_t dl;

    memset(out, 0, sizeof(*out));
    if (strstr(path, "..") || path[0] != '/')
        return PZ_ENOTFOUND;
    if (!realpath(dir, real_dir))
        return pz_error(PZ_EIO, "web folder '%s' cannot be read", dir);
    if (snprintf(full, sizeof(full), "%s%s", real_dir, path) >= (int)sizeof(full))
        return PZ_ENOTFOUND;
    if (!realpath(full, real_file))
        return PZ_ENOTFOUND;
    dl = strlen(real_dir);
    if (strncmp(real_file, real_dir, dl) != 0 || real_file[dl] != '/')
        return PZ_ENOTFOUND;
    f = fopen(real_file, "rb");
    if (!f)
        return PZ_ENOTFOUND;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > MAX_ASSET ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return PZ_ENOTFOUND; /* a folder, or too big to serve */
    }
    data = xmalloc((size_t)n + 1);
    if (fread(data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(data);
        return PZ_EIO;
    }
    fclose(f);
    snprintf(etag, sizeof(etag), "\"%016" PRIx64 "\"", pz_fnv1a64(data, (size_t)n));
    out->path = path;
    out->data = data;
    out->len = (size_t)n;
    out->type = pz_mime_type(path);
    out->etag = xstrdup(etag);
    return 0;
}

void pz_asset_free_loaded(struct pz_asset *a)
{
    free((void *)a->data);
    free((void *)a->etag);
    a->data = NULL;
    a->etag = NULL;
}
