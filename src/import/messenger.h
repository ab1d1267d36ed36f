/*
 * The Facebook Messenger and Instagram reader: one `message_N.json` of a
 * "Download your information" export (messages/inbox/<thread>/, or under
 * your_facebook_activity/ or your_instagram_activity/ in newer exports),
 * one conversation per file, into the chat sink (chat.h).
 *
 * Every string of these exports is mojibake: the bytes of its UTF-8 were
 * written as \u00XX escapes one by one. After jansson decodes the JSON, a
 * string whose code points are all below 256 is read back as those bytes
 * when they make valid UTF-8 ("JosÃ©" becomes "José"); any other string is
 * kept as it is.
 *
 * The conversation's key is the export's thread_path ("inbox/jose_abc"), the
 * same in a newer export, its title the export's title; the channel is
 * "instagram" when the file's path names Instagram, else "messenger". The
 * participants are keyed by name (these exports have no ids). Messages,
 * newest first in the file, are handed out oldest first: text as written;
 * photos, videos, audio, files, GIFs and stickers as attachments (the files
 * themselves when the export has them beside the JSON); a shared link with
 * no words as its link; "Subscribe"/"Unsubscribe" (people added or gone)
 * and calls as system notices; unsent messages as deleted. Reactions are
 * not messages: counted and left out, with a note (chat_note_reactions).
 *
 * A file that is not such JSON is refused (file:line of the JSON error); a
 * message without sender or time is skipped and reported with its line.
 * The file is streamed, whatever its size (Facebook splits long chats into
 * files of about 10,000 messages, but nothing forbids larger ones): memory
 * holds one message and the position of every JSONPOS_CHUNK-th; the JSON
 * error that refuses a file may be met after messages were handed out
 * (the caller keeps nothing of a refused file, chat.h).
 */
#ifndef PZ_IMPORT_MESSENGER_H
#define PZ_IMPORT_MESSENGER_H

#include <stddef.h>

#include "core/buf.h"
#include "import/chat.h"

/* Reads the message_N.json at PATH. See chat.h for the contract. */
int messenger_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                   struct import_problem *fatal);

/* Reads LEN bytes of JSON at DATA as if they were the file NAME (for tests and fuzzing). */
int messenger_read_buffer(const char *data, size_t len, const char *name,
                          const struct chat_options *opts, const struct chat_sink *sink,
                          struct import_problem *fatal);

/* Non-zero when the LEN bytes at DATA start like a Messenger/Instagram message_N.json. */
int messenger_sniff(const char *data, size_t len);

/*
 * Appends the repaired S (N bytes of UTF-8) to OUT: the bytes its code
 * points stand for when all are below 256 and make valid UTF-8, else S as
 * it is. Returns 0 or PZ_ETOOBIG.
 */
int messenger_unmojibake(const char *s, size_t n, struct pz_buf *out);

#endif
