/*
 * The LinkedIn messages reader: messages.csv of a LinkedIn data export
 * (CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO,
 * RECIPIENT PROFILE URLS, DATE, SUBJECT, CONTENT, FOLDER; newer exports add
 * columns, which are mapped by name), into the chat sink (chat.h) on the
 * "linkedin" channel. The header is found by its content among the first
 * rows, like Connections.csv's (contacts_csv.h), which is how the format
 * "linkedin" tells the two files apart.
 *
 * Each CONVERSATION ID is a conversation (titled by CONVERSATION TITLE, else
 * by the first SUBJECT, else by the other people); its rows, which LinkedIn
 * writes together, are read in one pass. The sender (FROM with its profile
 * URL, a "linkedin" identity) and the recipients (TO and RECIPIENT PROFILE
 * URLS, paired in order) are participants keyed by profile URL, else by
 * name. DATE ("2023-05-01 14:22:10 UTC") is the time; the source id is DATE
 * and sender, as docs/formats.md says; CONTENT is the text (SUBJECT when it
 * is empty); FOLDER "SENT" makes a message outgoing. Bodies with newlines
 * inside quotes are one message.
 *
 * A row with the wrong number of fields, broken quoting, no conversation id
 * or no readable date is skipped and reported with its line; a file without
 * the header is refused.
 */
#ifndef PZ_IMPORT_LINKEDIN_MESSAGES_H
#define PZ_IMPORT_LINKEDIN_MESSAGES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "import/chat.h"

#define LINKEDIN_MAX_ROW     (1024 * 1024) /* bytes in one row, quoted newlines included */
#define LINKEDIN_HEADER_ROWS 10            /* rows searched for the header */

/* Reads messages.csv at PATH. See chat.h for the contract. */
int linkedin_messages_read(const char *path, const struct chat_options *opts,
                           const struct chat_sink *sink, struct import_problem *fatal);

/* The same on an open stream (kept by the caller); NAME is what problems call it. */
int linkedin_messages_read_stream(FILE *f, const char *name, const struct chat_sink *sink,
                                  struct import_problem *fatal);

/* Non-zero when the LEN bytes at DATA hold a messages.csv header among their first rows. */
int linkedin_messages_sniff(const char *data, size_t len);

/* "2023-05-01 14:22:10 UTC" (or without " UTC") as UTC milliseconds, or -1. */
int64_t linkedin_messages_time(const char *s);

#endif
