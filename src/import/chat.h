/*
 * The common records every chat and mail reader produces (WhatsApp,
 * Telegram, Messenger, X, LinkedIn messages.csv, mbox/eml...) and the one
 * writer (src/inbox/import.h) consumes, plus the table of chat formats.
 *
 * A reader streams a file and calls the sink, in this order, for each
 * conversation the file holds (a whole Telegram account holds many):
 *
 *   begin(conversation)
 *     participant(p)...          any number, any time before the messages
 *                                that name them (a message may also name a
 *                                sender never announced: the writer then
 *                                takes the sender's name as written)
 *     message(m)                 then, for that message only:
 *       attachment(a)...
 *   end()
 *
 * Every string is borrowed, valid only during the call, UTF-8 already
 * decoded (a reader repairs invalid bytes with U+FFFD), NUL-terminated. A
 * callback returns 0 to go on, non-zero to stop: the reader then returns
 * that value at once. on_skip reports a bad record that was skipped; the
 * reader goes on. A reader returns 0 when the file was read, the value a
 * callback stopped it with, or a negative PZ_E* code with *FATAL filled
 * (file, line, message) when the file is refused whole: the caller then
 * keeps nothing of it (one transaction per file).
 *
 * Readers keep memory bounded whatever the file size: one message at a
 * time, attachments streamed through their read function.
 *
 * Dedup (done by the writer): a message with a source_id (the source's own
 * id: Telegram message id, Message-ID...) is keyed by channel, conversation
 * key and that id; without one, by channel, conversation key, local time as
 * written (else sent_at), sender, text, and how many identical messages came
 * before it in the file. So the reader must give a conversation key that is
 * the same in a newer export of the same chat.
 */
#ifndef PZ_IMPORT_CHAT_H
#define PZ_IMPORT_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "import/record.h"

/* Bytes of one message's text a reader hands out at most (longer ones are cut and reported). */
#define CHAT_TEXT_MAX (256 * 1024)

enum chat_kind { CHAT_TEXT = 0, CHAT_SYSTEM, CHAT_MEDIA };

/* Direction as the source tells it; most sources do not (the writer decides from "me"). */
enum chat_direction { CHAT_DIR_UNKNOWN = 0, CHAT_DIR_INCOMING, CHAT_DIR_OUTGOING };

struct chat_conversation {
    const char *file;    /* the file as named to the user (a zip member: "a.zip:_chat.txt") */
    long line;           /* where it starts; 0 when it does not apply */
    const char *channel; /* whatsapp, telegram, email, linkedin, messenger, instagram, x, sms */
    const char *key;     /* the chat's identity within the channel, stable across exports */
    const char *title;   /* what people call the chat (group name, other person); may be "" */
    int is_group;        /* 1 group, 0 one-to-one, -1 unknown */
};

struct chat_participant {
    const char *key;            /* how messages name this participant (sender_key) */
    const char *name;           /* display name as written; may be "" */
    const char *identity_kind;  /* "phone", "whatsapp", "telegram", "email"... or NULL */
    const char *identity_value; /* as written; NULL when none */
    int is_me;                  /* the source says it is the account's owner */
};

struct chat_message {
    const char *file;
    long line;               /* where the message starts, 1-based */
    const char *source_id;   /* the source's own id, or NULL */
    const char *sender_key;  /* a participant's key; NULL for system notices */
    const char *sender_name; /* the sender as written; NULL when none */
    enum chat_kind kind;
    enum chat_direction direction;
    int64_t sent_at;        /* UTC milliseconds */
    const char *local_time; /* "YYYY-MM-DDTHH:MM:SS" as the source wrote it, or NULL */
    const char *time_zone;  /* the zone local_time was read in, or NULL */
    const char *text;       /* exactly as written (decoded); "" when none */
    size_t text_len;
    const char *reply_to_source_id; /* source_id of the message answered, or NULL */
    int edited;
    int64_t edited_at; /* UTC ms, -1 when unknown */
    int deleted;       /* "this message was deleted" */
};

struct chat_attachment {
    const char *name;      /* file name as the export gives it (never trusted as a path) */
    const char *mime_type; /* or NULL: guessed from the name */
    int64_t size;          /* bytes, -1 when unknown */
    /* The file itself when the export has it, else NULL: read(ctx, buf, n) returns bytes
     * read, 0 at the end, negative on failure. */
    long (*read)(void *ctx, char *buf, size_t n);
    void *ctx;
};

struct chat_sink {
    int (*begin)(const struct chat_conversation *c, void *arg);
    int (*participant)(const struct chat_participant *p, void *arg);
    int (*message)(const struct chat_message *m, void *arg);
    int (*attachment)(const struct chat_attachment *a, void *arg);
    int (*end)(void *arg);
    void (*on_skip)(const struct import_problem *p, void *arg);
    /* A remark for the summary that is not an error ("dates read day first: nothing in the
     * file decides"). May be NULL. */
    void (*on_note)(const char *file, const char *message, void *arg);
    /* How far the reader is: DONE of TOTAL bytes of the file (TOTAL -1 when unknown), called
     * now and then. May be NULL. */
    void (*on_progress)(long long done, long long total, void *arg);
    void *arg;
};

/* What the user told the import. */
struct chat_options {
    const char *time_zone; /* zone of local times without one; NULL: "Europe/Rome" */
    const char *locale;    /* "it" or "en": day/month order when nothing decides; NULL "it" */
};

/* The chat formats piazza reads: "whatsapp", then the ones added later. */
int chat_format_known(const char *format);

/*
 * Whether the file at PATH, said to be FORMAT, is for the chat readers:
 * always for a chat format of its own; for "linkedin", which also names the
 * contacts file Connections.csv, only when the file is a messages.csv.
 */
int chat_claims(const char *format, const char *path);

/*
 * Finds the chat format of the file at PATH from its content (a zip by its
 * members). Writes its name into FORMAT (N bytes) and returns 0; PZ_EINVAL
 * when it is not a chat export piazza reads; PZ_EIO when unreadable.
 */
int chat_detect(const char *path, char *format, size_t n);

/* The same on the first LEN bytes of a file (a zip cannot be told from its head alone). */
int chat_detect_buffer(const char *data, size_t len, char *format, size_t n);

/*
 * Reads the file at PATH as chat FORMAT (NULL: detect) into SINK, with the
 * reader contract above.
 */
int chat_read(const char *format, const char *path, const struct chat_options *opts,
              const struct chat_sink *sink, struct import_problem *fatal);

/*
 * Reactions (Telegram's, Messenger's, X's; WhatsApp's .txt has none) are not
 * imported: a reaction is not a message (it would count as an answer in
 * response times and in a contact's reciprocity), and the message model
 * has no place for them. A reader counts the reactions on the messages it
 * hands out and, when there were any, says so with this note at the end of
 * the file ("3 reactions not imported: ..."), so that leaving them out is
 * never silent.
 */
void chat_note_reactions(const struct chat_sink *sink, const char *file, long count);

/* A MIME type for an attachment named NAME, from its extension (never NULL). */
const char *chat_mime_type(const char *name);

#endif
