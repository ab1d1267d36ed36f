/*
 * The web UI's files: embedded in the binary at build time (tools/embed.c
 * over web/dist), or read from a folder on disk while developing
 * (--web-dir). Either way a file comes with its content type and an ETag.
 */
#ifndef PZ_ASSETS_H
#define PZ_ASSETS_H

#include <stddef.h>

struct pz_asset {
    const char *path; /* URL path, "/index.html", "/assets/app-3f2a.js" */
    const unsigned char *data;
    size_t len;
    const char *type;
    const char *etag; /* quoted, ready for the header */
};

/* The embedded files, sorted by path. */
extern const struct pz_asset pz_web_assets[];
extern const size_t pz_n_web_assets;

/* Returns the embedded file at PATH, or NULL. */
const struct pz_asset *pz_asset_find(const char *path);

/*
 * Reads PATH below DIR into *OUT (data and etag malloc'd: free both with
 * pz_asset_free_loaded). Refuses paths that climb out of DIR. Returns 0,
 * PZ_ENOTFOUND, or PZ_EIO.
 */
int pz_asset_load(const char *dir, const char *path, struct pz_asset *out);
void pz_asset_free_loaded(struct pz_asset *a);

/* Returns non-zero for a file whose name carries its content hash (long cache). */
int pz_asset_is_hashed(const char *path);

#endif
