/*
 * The WhatsApp chat export reader: the `.txt` a phone writes ("Esporta
 * chat"), alone or in the `.zip` that also holds the media, in the layouts
 * of every locale (docs/formats.md): Android "dd/mm/yy, HH:MM - Author: text"
 * and iOS "[dd/mm/yy, HH:MM:SS] Author: text", any of / . - as separators,
 * 2- or 4-digit years, year first, 24 h or 12 h clocks (AM, p. m., with any
 * kind of space before), left-to-right marks.
 *
 * A file is read twice: first to learn the day/month order (any day above 12
 * decides; when nothing does, the locale's order is used and a note says so),
 * who the authors are and whether it is a group; then to hand out the
 * messages through the chat sink (chat.h), one conversation per file, keyed
 * by the chat's name as the export's file name gives it ("WhatsApp Chat with
 * Mario.txt", "Chat WhatsApp con Mario.zip" -> "Mario").
 *
 * What it makes of the text:
 *  - a line that does not start with a header continues the message before;
 *  - a header without "Author: " is a system notice, and so is an iOS notice
 *    under a person's name (text starting with U+200E that is not media);
 *  - media placeholders ("<Media omessi>", "immagine omessa", "<attached:
 *    NAME>", "NAME (file allegato)") make a media message with an attachment;
 *    the file itself is handed out when the zip (or the .txt's folder) has it;
 *  - "Questo messaggio è stato eliminato" and its kin mark the message deleted;
 *    the "<Questo messaggio è stato modificato>" marker WhatsApp appends marks it
 *    edited and is taken off the text; a leading U+200E is taken off too;
 *    everything else is kept exactly as written;
 *  - times are local: converted to UTC in the chosen zone; in the repeated
 *    autumn hour the earlier instant is taken until the file's times go back,
 *    which shows the clocks went back; a time in the skipped spring hour is
 *    read as the clocks that were not yet moved showed it (and noted).
 *
 * A file where no line starts with a date and time is refused; a message
 * whose date does not exist (31/02) is skipped and reported.
 */
#ifndef PZ_IMPORT_WHATSAPP_H
#define PZ_IMPORT_WHATSAPP_H

#include <stddef.h>
#include <stdio.h>

#include "import/chat.h"

/* Reads the .txt or .zip at PATH (told apart by content). See chat.h for the contract. */
int whatsapp_read(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                  struct import_problem *fatal);

/*
 * Reads a chat .txt from F, which must be seekable (it is read twice). NAME
 * is what problems call the file, TITLE the chat's name (NULL: derived from
 * NAME), MEDIA_DIR a folder where attached files may be found (NULL: none).
 */
int whatsapp_read_stream(FILE *f, const char *name, const char *title, const char *media_dir,
                         const struct chat_options *opts, const struct chat_sink *sink,
                         struct import_problem *fatal);

/* Non-zero when the LEN bytes at DATA start like a WhatsApp chat .txt. */
int whatsapp_sniff(const char *data, size_t len);

/* Non-zero when the file at PATH is a zip holding a WhatsApp chat. */
int whatsapp_sniff_zip(const char *path);

/*
 * The chat's name from an export's file name into OUT: the base name
 * without extension, copy suffixes (" (1)") and WhatsApp's own prefixes
 * ("WhatsApp Chat with ", "Chat WhatsApp con "...). Returns OUT.
 */
char *whatsapp_title(const char *file_name, char *out, size_t outsz);

#endif
