/*
 * The table of chat formats: detection and dispatch to each reader. A new
 * reader (Telegram, Messenger, X, LinkedIn messages, mbox...) is one more
 * row: its name, a sniffer on the head of a file (and one on the path, for
 * archives), and its read function. Rows are tried in order, most specific
 * first. See chat.h.
 */
#include "import/chat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/mem.h"
#include "import/detect.h"
#include "import/email.h"
#include "import/linkedin_messages.h"
#include "import/messenger.h"
#include "import/telegram.h"
#include "import/xarchive.h"
#include "import/whatsapp.h"
#include "core/banned.h"

static const struct {
    const char *format;
    int (*sniff)(const char *data, size_t len);
    int (*sniff_path)(const char *path); /* archives: NULL when the head is enough */
    int (*read)(const char *path, const struct chat_options *opts, const struct chat_sink *sink,
                struct import_problem *fatal);
} formats[] = {
    {"whatsapp", whatsapp_sniff, whatsapp_sniff_zip, whatsapp_read},
    {"mbox", email_sniff_mbox, NULL, email_read_mbox},
    {"eml", email_sniff_eml, NULL, email_read_eml},
    {"messenger", messenger_sniff, NULL, messenger_read},
    {"telegram", telegram_sniff, NULL, telegram_read},
    {"x", xarchive_sniff, NULL, xarchive_read},
    {"linkedin", linkedin_messages_sniff, NULL, linkedin_messages_read},
};

#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

int chat_format_known(const char *format)
{
    for (size_t i = 0; format && i < N_FORMATS; i++)
        if (strcmp(formats[i].format, format) == 0)
            return 1;
    return 0;
}

static int put(const char *name, char *format, size_t n)
{
    size_t len = strlen(name);

    if (len >= n)
        return PZ_ETOOBIG;
    memcpy(format, name, len + 1);
    return 0;
}

int chat_claims(const char *format, const char *path)
{
    char *head;
    size_t len;
    int ok;
    FILE *f;

    if (!chat_format_known(format))
        return 0;
    if (strcmp(format, "linkedin") != 0)
        return 1;
    /* "linkedin" names Connections.csv (contacts) too: messages.csv is told by its header. */
    f = fopen(path, "rb");
    if (!f)
        return 1; /* the reader says it cannot be opened */
    head = xmalloc(IMPORT_SNIFF_BYTES);
    len = fread(head, 1, IMPORT_SNIFF_BYTES, f);
    fclose(f);
    ok = linkedin_messages_sniff(head, len);
    free(head);
    return ok;
}

int chat_detect_buffer(const char *data, size_t len, char *format, size_t n)
{
    if (len == 0)
        return PZ_EINVAL;
    for (size_t i = 0; i < N_FORMATS; i++)
        if (formats[i].sniff && formats[i].sniff(data, len))
            return put(formats[i].format, format, n);
    return PZ_EINVAL;
}

int chat_detect(const char *path, char *format, size_t n)
{
    char *head;
    size_t len;
    int rc;
    FILE *f = fopen(path, "rb");

    if (!f)
        return PZ_EIO;
    head = xmalloc(IMPORT_SNIFF_BYTES);
    len = fread(head, 1, IMPORT_SNIFF_BYTES, f);
    rc = ferror(f) ? PZ_EIO : 0;
    fclose(f);
    if (rc == 0) {
        rc = PZ_EINVAL;
        for (size_t i = 0; rc == PZ_EINVAL && i < N_FORMATS; i++) {
            int archive = formats[i].sniff_path && formats[i].sniff_path(path);
            if (archive || (len > 0 && formats[i].sniff && formats[i].sniff(head, len)))
                rc = put(formats[i].format, format, n);
        }
    }
    free(head);
    return rc;
}

int chat_read(const char *format, const char *path, const struct chat_options *opts,
              const struct chat_sink *sink, struct import_problem *fatal)
{
    char detected[32];

    if (!format) {
        int rc = chat_detect(path, detected, sizeof(detected));
        if (rc < 0) {
            if (fatal) {
                fatal->file = path;
                fatal->line = rc == PZ_EIO ? 0 : 1;
                snprintf(fatal->message, sizeof(fatal->message), "%s",
                         rc == PZ_EIO ? "cannot open the file" : "not a chat export piazza reads");
            }
            return rc == PZ_EIO ? PZ_EIO : PZ_EINVAL;
        }
        format = detected;
    }
    for (size_t i = 0; i < N_FORMATS; i++)
        if (strcmp(formats[i].format, format) == 0)
            return formats[i].read(path, opts, sink, fatal);
    if (fatal) {
        fatal->file = path;
        fatal->line = 0;
        snprintf(fatal->message, sizeof(fatal->message), "unknown chat format '%s'", format);
    }
    return PZ_EINVAL;
}

void chat_note_reactions(const struct chat_sink *sink, const char *file, long count)
{
    char msg[160];

    if (count <= 0 || !sink->on_note)
        return;
    snprintf(msg, sizeof(msg),
             "%ld reaction%s not imported: piazza keeps the messages, not the reactions to them",
             count, count == 1 ? "" : "s");
    sink->on_note(file, msg, sink->arg);
}

const char *chat_mime_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"png", "image/png"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"heic", "image/heic"},
        {"mp4", "video/mp4"},
        {"3gp", "video/3gpp"},
        {"mov", "video/quicktime"},
        {"opus", "audio/ogg"},
        {"ogg", "audio/ogg"},
        {"mp3", "audio/mpeg"},
        {"m4a", "audio/mp4"},
        {"aac", "audio/aac"},
        {"wav", "audio/wav"},
        {"pdf", "application/pdf"},
        {"zip", "application/zip"},
        {"txt", "text/plain"},
        {"vcf", "text/vcard"},
        {"csv", "text/csv"},
        {"json", "application/json"},
        {"doc", "application/msword"},
        {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"xls", "application/vnd.ms-excel"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"ppt", "application/vnd.ms-powerpoint"},
        {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    };
    const char *dot = name ? strrchr(name, '.') : NULL;

    if (dot && dot[1])
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcasecmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}
