/*
 * The X (Twitter) archive reader for direct messages: data/direct-messages.js
 * and data/direct-messages-group.js, JavaScript files whose value follows
 * "window.YTD.direct_messages.part0 = " (docs/formats.md: skip to the first
 * '=' and parse the rest). Each dmConversation is one conversation of the
 * "x" channel, keyed by its conversationId ("111-222" one-to-one, a number
 * for groups).
 *
 * The archive names people by numeric ids only: participants are keyed and
 * named by id. When the archive's account.js lies beside the file, its
 * accountId is the company's side ("me"), and a one-to-one conversation is
 * titled after the other id. Messages (messageCreate), newest first in the
 * file, are handed out oldest first with the archive's message id as their
 * source id: text as written, mediaUrls as attachments (with the file from
 * direct_messages_media/ when the archive has it). In groups,
 * joinConversation, participantsJoin, participantsLeave and
 * conversationNameUpdate are system notices; a later name titles the group.
 * Reactions are not messages: counted and left out, with a note
 * (chat_note_reactions).
 *
 * A file that is not such a script is refused (file:line of the JSON
 * error); a message without sender or a readable createdAt is skipped and
 * reported with its line. The file is streamed whatever its size, one
 * conversation at a time (jsonpos.h); the JSON error that refuses a file
 * may be met after earlier conversations were handed out (the caller keeps
 * nothing of a refused file, chat.h).
 */
#ifndef PZ_IMPORT_XARCHIVE_H
#define PZ_IMPORT_XARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "import/chat.h"

/* Reads direct-messages.js (or -group.js) at PATH. See chat.h for the contract. */
int xarchive_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                  struct import_problem *fatal);

/* Reads LEN bytes at DATA as the file NAME; ME is the account's id or NULL; DIR where media are
 * (NULL: none). For tests and fuzzing. */
int xarchive_read_buffer(const char *data, size_t len, const char *name, const char *me,
                         const char *dir, const struct chat_sink *sink,
                         struct import_problem *fatal);

/* Non-zero when the LEN bytes at DATA start like an X archive's direct messages file. */
int xarchive_sniff(const char *data, size_t len);

/* "2019-03-21T10:22:33.456Z" as UTC milliseconds, or -1. */
int64_t xarchive_time(const char *s);

#endif
