/*
 * Content types by file extension, for the embedded UI and --web-dir.
 * Shared with the build-time embed tool so both agree.
 */
#ifndef PZ_MIME_H
#define PZ_MIME_H

/* Returns the Content-Type for PATH's extension; application/octet-stream when unknown. */
const char *pz_mime_type(const char *path);

#endif
