/*
 * The e-mail reader: an mbox (a whole mailbox, Google Takeout's included) or
 * one .eml message, parsed with GMime, into the chat sink (chat.h) on the
 * "email" channel. Mail is grouped into conversations by thread:
 * Message-ID, In-Reply-To and References tie a reply to the first message of
 * its thread, whose Message-ID is the conversation's key (stable across
 * exports: a newer mailbox continues the same conversations).
 *
 * A file is read twice, streaming: first to learn where each message starts
 * and which thread it belongs to (about 100 bytes of memory per message,
 * nothing of their content), then thread by thread, one message at a time,
 * each conversation begun once.
 *
 * What it makes of a message:
 *  - the sender (From, else Sender) and every To and Cc address become
 *    participants keyed by their lower-cased address, with an "email"
 *    identity and the display name as written (RFC 2047 words decoded);
 *  - the text is the first text/plain part that is not an attachment
 *    (multipart/alternative prefers it), else the HTML one without its tags;
 *    quoted-printable and base64 are decoded and any charset made UTF-8; an
 *    mbox's escaped body lines (">From ") are given back their "From ";
 *  - every other part is an attachment (name, type, decoded size, and its
 *    bytes for the writer to keep); an attached message (message/rfc822)
 *    is one too, named after its file name or subject;
 *  - Italian certified mail (PEC, "X-Trasporto: posta-certificata"): the
 *    message imported is the real one inside, postacert.eml; the
 *    certification (daticert.xml and the signature) is kept as its
 *    attachments; PEC receipts (X-Ricevuta) are system notices in the thread
 *    of the message they certify;
 *  - the Date header gives sent_at, local_time and its offset as time zone
 *    (the mbox "From " line's date when the header is missing); Google's
 *    X-Gmail-Labels "Sent" makes a message outgoing.
 *
 * A message without any date is skipped and reported; a file in which no
 * message can be found is refused (file:line).
 */
#ifndef PZ_IMPORT_EMAIL_H
#define PZ_IMPORT_EMAIL_H

#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "import/chat.h"

/* Reads the mbox at PATH (format "mbox"). See chat.h for the contract. */
int email_read_mbox(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                    struct import_problem *fatal);

/* Reads the message at PATH (format "eml"); an .eml that starts with an mbox "From " line is
 * read as the one-message mailbox it is. */
int email_read_eml(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                   struct import_problem *fatal);

/*
 * Reads mail from F (seekable; the caller keeps it). MBOX non-zero: a
 * mailbox, refused when it does not start with a "From " line; zero: one
 * message (or a mailbox, when F starts with "From "). NAME is what problems
 * call the file.
 */
int email_read_stream(FILE *f, const char *name, int mbox, const struct chat_options *opts,
                      const struct chat_sink *sink, struct import_problem *fatal);

/* Non-zero when the LEN bytes at DATA start like an mbox ("From " line, then headers). */
int email_sniff_mbox(const char *data, size_t len);

/* Non-zero when the LEN bytes at DATA start like one message (mail headers up to a blank line). */
int email_sniff_eml(const char *data, size_t len);

/*
 * The text of HTML IN (N bytes) into OUT: tags dropped (script and style with
 * their content), line breaks for <br>, </p>, </div>, </tr>, </li> and headings,
 * entities decoded, runs of spaces collapsed. Returns 0 or PZ_ETOOBIG when OUT
 * is full.
 */
int email_html_text(const char *in, size_t n, struct pz_buf *out);

#endif
