/*
 * The Telegram Desktop export reader: result.json of "Export chat history"
 * (one chat: {name, type, id, messages[]}) or of "Export Telegram data" (the
 * whole account: chats.list[] and left_chats.list[] of those, with
 * personal_information), into the chat sink (chat.h) on the "telegram"
 * channel, one conversation per chat keyed by the chat's id.
 *
 * Exports reach hundreds of MB, so the file is mapped, not read into the
 * heap, and never parsed whole: it is walked once whole (jsonpos.c's
 * iterator: JSON to its end, or refused before anything is handed out), then
 * chat by chat and message by message, jansson parsing one message at a time
 * and the pages behind let go. Each participant is announced once per chat.
 *
 * Messages: the source id is the message id, replies name theirs
 * (reply_to_message_id); "from"/"from_id" are the sender ("user123": the
 * account's own id in a whole-account export is the company's side); text
 * is the "text" string, or the concatenation of its parts when it is an
 * array of strings and {type, text} objects; date_unixtime gives the time
 * when present, else "date" (local time, no offset) is read in the chosen
 * time zone; "edited" marks it edited (edited_unixtime its time); photos
 * and files are attachments, with the file when the export holds it
 * beside result.json ("(File not included...)" when it does not); service
 * messages (actor, action) are system notices, worded from their action.
 * Chats of type personal_chat, saved_messages and bot_chat are one-to-one,
 * the others groups and channels. Reactions are not messages: counted and
 * left out, with a note (chat_note_reactions).
 *
 * A file that is not such JSON is refused (file:line); a message without id
 * or date is skipped and reported with its line.
 */
#ifndef PZ_IMPORT_TELEGRAM_H
#define PZ_IMPORT_TELEGRAM_H

#include <stddef.h>

#include "import/chat.h"

/* Reads the result.json at PATH. See chat.h for the contract. */
int telegram_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                  struct import_problem *fatal);

/* Reads LEN bytes at DATA as the file NAME, its media looked for in DIR (NULL: none). */
int telegram_read_buffer(const char *data, size_t len, const char *name, const char *dir,
                         const struct chat_options *opts, const struct chat_sink *sink,
                         struct import_problem *fatal);

/* Non-zero when the LEN bytes at DATA start like a Telegram Desktop result.json. */
int telegram_sniff(const char *data, size_t len);

#endif
