/*
 * Import problems in any language. See problems.h.
 *
 * A wording is the English text with "%" where a value goes (any run of
 * characters, the shortest that lets the rest match). Exact wordings come
 * before the general ones they would also match ("message without an id"
 * before "message without %").
 */
#include "import/problems.h"

#include <string.h>

#include "core/banned.h"

static const struct wording {
    const char *code;
    const char *text;
} wordings[] = {
    /* the file as a whole */
    {"file.cannot_open", "cannot open: %"},
    {"file.unreadable", "cannot read the file"},
    {"file.unreadable", "the file cannot be read"},
    {"file.unreadable", "cannot be read"},
    {"file.cannot_read", "cannot read: %"},
    {"file.empty", "empty file"},
    {"file.empty", "not a Telegram export: the file is empty"},
    {"file.invalid_utf8", "invalid UTF-8"},
    {"file.out_of_memory", "out of memory"},
    {"file.unknown_format", "unknown format '%'"},
    {"file.unknown_time_zone", "unknown time zone '%'"},
    {"file.not_contacts", "format not recognised (not a vCard, contacts CSV or LinkedIn "
                          "Connections.csv)"},
    {"file.not_contacts", "format not recognised (vCard, contacts CSV or LinkedIn Connections.csv "
                          "expected)"},
    {"file.not_any_export",
     "format not recognised (a WhatsApp chat, mbox, .eml, Messenger JSON, X "
     "direct messages, Telegram JSON, LinkedIn messages.csv, vCard, contacts "
     "CSV or LinkedIn Connections.csv expected)"},
    {"file.not_any_upload", "format not recognised (a WhatsApp chat, mbox, .eml, Messenger JSON, X "
                            "direct messages, Telegram JSON, LinkedIn messages.csv or export .zip, "
                            "vCard, contacts CSV or LinkedIn Connections.csv expected)"},
    {"file.not_recognised", "format not recognised (%)"},
    {"file.database_failed", "the database failed; nothing of this file was kept"},
    {"file.stopped", "stopped; nothing of this file was kept"},
    {"zip.unreadable", "not a readable zip file"},
    {"zip.cannot_unpack", "cannot be unpacked from the zip"},
    {"zip.cannot_unpack", "cannot be unpacked"},
    {"zip.no_room", "cannot be read (no room to unpack it)"},
    {"zip.no_temp_folder", "cannot make a temporary folder to unpack the zip"},
    {"zip.chat_unreadable", "cannot read the chat in the zip"},
    {"zip.chat_unreadable", "the chat in the zip cannot be read (%)"},
    {"zip.several_chats", "the zip holds several chats (.txt files): import them one at a time"},
    {"json.cut_short", "not valid JSON: the file ends before its data does (cut short?)"},
    {"json.cut_short", "not valid JSON after '=': the file ends before its data does"},
    {"json.invalid", "not valid JSON after '=': %"},
    {"json.invalid", "not valid JSON: %"},
    /* contacts */
    {"vcard.no_end", "card has no END:VCARD"},
    {"vcard.end_without_begin", "END:VCARD without BEGIN:VCARD"},
    {"csv.not_contacts", "not a contacts CSV (header not recognised)"},
    {"csv.not_connections", "not a LinkedIn Connections.csv (header not recognised)"},
    {"csv.fields", "row has % fields, the header has %"},
    {"csv.too_many_fields", "row has more than % fields"},
    {"contact.empty", "row has no name, organization or identity"},
    {"contact.skipped", "record skipped"},
    /* an identity left out, by why (normalize.c's reasons), before the general wording */
    {"identity.phone_country", "% '%' left out: '%' does not start with a valid country code"},
    {"identity.phone_no_digits", "% '%' left out: '%' has no digits after the country code"},
    {"identity.phone_not_italian",
     "% '%' left out: '%' is not a possible Italian number (they start with 0, 3 or 8); write a "
     "foreign number with its country code, like +44 20 7946 0958"},
    {"identity.phone_short", "% '%' left out: '%' is too short for a phone number"},
    {"identity.phone_long", "% '%' left out: '%' is too long for a phone number"},
    {"identity.phone_empty", "% '%' left out: the phone number is empty"},
    {"identity.phone_letters", "% '%' left out: '%' is not a phone number: it contains letters"},
    {"identity.phone_characters",
     "% '%' left out: '%' is not a phone number: only digits, spaces, + - . / ( ) may appear"},
    {"identity.no_digits", "% '%' left out: '%' has no digits"},
    {"identity.not_email", "% '%' left out: '%' is not an e-mail address"},
    {"identity.not_telegram", "% '%' left out: '%' is not a Telegram username (5 to 32 letters, "
                              "digits or _) or phone number"},
    {"identity.not_linkedin", "% '%' left out: '%' is not a LinkedIn address"},
    {"identity.not_linkedin_profile", "% '%' left out: '%' is not a LinkedIn profile address"},
    {"identity.not_x", "% '%' left out: '%' is not an X (Twitter) address"},
    {"identity.not_x_profile", "% '%' left out: '%' is not an X profile address"},
    {"identity.not_instagram", "% '%' left out: '%' is not an Instagram address"},
    {"identity.not_instagram_profile", "% '%' left out: '%' is not an Instagram profile address"},
    {"identity.not_facebook", "% '%' left out: '%' is not a Facebook address"},
    {"identity.facebook_no_id", "% '%' left out: '%' has no profile id"},
    {"identity.not_facebook_profile", "% '%' left out: '%' is not a Facebook profile address"},
    {"identity.address_empty", "% '%' left out: the address is empty"},
    {"identity.too_long", "% '%' left out: '%' is too long"},
    {"identity.url_user", "% '%' left out: '%' has a user name in it"},
    {"identity.url_port", "% '%' left out: '%' has a bad port number"},
    {"identity.url_host_long", "% '%' left out: '%' has a host name that is too long"},
    {"identity.url_host_chars",
     "% '%' left out: '%' has a host name with characters host names cannot have"},
    {"identity.url_no_host", "% '%' left out: '%' is not a web address (no host name)"},
    {"identity.url_characters", "% '%' left out: '%' is not a web address (it has spaces or "
                                "characters addresses cannot have)"},
    {"identity.url_scheme", "% '%' left out: '%' is not an http or https address"},
    {"identity.left_out", "% '%' left out: %"},
    /* chats */
    {"whatsapp.no_messages", "not a WhatsApp chat export: no line starts with a date and time"},
    {"whatsapp.no_such_date", "no such date (%/%/%): message skipped"},
    {"whatsapp.text_before_first", "text before the first message: left out"},
    {"message.too_long", "message longer than % bytes: the rest was left out"},
    {"message.invalid_utf8", "message text is not valid UTF-8; skipped"},
    {"message.not_object", "a message that is not a JSON object: skipped"},
    {"message.no_id", "message without an id: skipped"},
    {"message.no_date", "message without a readable date: skipped"},
    {"message.no_date", "message without a date (no Date header): skipped"},
    {"message.no_date", "message without timestamp_ms: skipped"},
    {"message.no_date", "no readable createdAt: skipped"},
    {"message.no_sender", "message without sender_name: skipped"},
    {"message.no_sender", "message without senderId: skipped"},
    {"message.unreadable", "message cannot be read: skipped"},
    {"conversation.too_many_participants", "more than % participants in one conversation"},
    {"telegram.not_export", "not a Telegram Desktop export (no messages and no chats.list)"},
    {"telegram.not_export", "not a Telegram export: not a JSON object"},
    {"telegram.chat_no_id", "chat without an id: skipped"},
    {"messenger.not_export", "not a Messenger or Instagram message_N.json (%)"},
    {"x.not_archive", "not an X archive file: no \"window.YTD... =\" before the data"},
    {"x.not_dm", "not an X direct messages file (%)"},
    {"x.no_conversation_id", "conversation without conversationId: skipped"},
    {"x.unknown_event", "neither a message nor a conversation event: skipped"},
    {"linkedin.not_messages",
     "not a LinkedIn messages.csv (no CONVERSATION ID, FROM, DATE, CONTENT header)"},
    {"linkedin.no_conversation_id", "row without CONVERSATION ID: skipped"},
    {"linkedin.no_from", "row without FROM: skipped"},
    {"linkedin.bad_date", "DATE '%' is not a date: skipped"},
    {"linkedin.fields", "row has % field%, the header %: skipped"},
    {"linkedin.too_many_fields", "row with more than % fields: skipped"},
    {"linkedin.row_too_long", "row longer than 1 MiB (a quote not closed?): skipped"},
    {"linkedin.broken_quoting", "broken quoting: row skipped"},
    {"mbox.no_message", "not an mbox: no message found"},
    {"mbox.no_from_line", "not an mbox: the file does not start with a \"From \" line"},
    {"mbox.too_many", "more than % messages in one file: split the mailbox"},
    {"email.too_many_attachments", "more than % attachments: the rest were left out"},
};

#define N_WORDINGS  (sizeof(wordings) / sizeof(wordings[0]))
#define MESSAGE_MAX 600

/*
 * Whether MSG matches wording W: returns how many values it holds, their places in STARTS
 * and LENS, or -1. A value is the shortest run of MSG after which the rest of the wording can
 * still match (tried in order, going back to the value before when a later one cannot).
 */
static int match(const char *w, const char *msg, const char **starts, size_t *lens)
{
    const char *lit[IMPORT_PROBLEM_ARGS + 1], *end[IMPORT_PROBLEM_ARGS];
    size_t lit_len[IMPORT_PROBLEM_ARGS + 1], mlen = strlen(msg);
    int n = 0, k = 0;

    lit[0] = w;
    for (const char *p = w;; p++) {
        if (*p && *p != '%')
            continue;
        lit_len[n] = (size_t)(p - lit[n]);
        if (!*p)
            break;
        if (n == IMPORT_PROBLEM_ARGS)
            return -1;
        lit[++n] = p + 1;
    }
    if (mlen < lit_len[0] || memcmp(msg, lit[0], lit_len[0]) != 0)
        return -1;
    if (n == 0)
        return mlen == lit_len[0] ? 0 : -1;
    starts[0] = end[0] = msg + lit_len[0];
    for (;;) {
        const char *e = end[k];
        size_t left = (size_t)(msg + mlen - e);
        int ok = k + 1 == n ? left == lit_len[n] && memcmp(e, lit[n], left) == 0
                            : left >= lit_len[k + 1] && memcmp(e, lit[k + 1], lit_len[k + 1]) == 0;
        if (ok) {
            lens[k] = (size_t)(e - starts[k]);
            if (k + 1 == n)
                return n;
            starts[k + 1] = end[k + 1] = e + lit_len[k + 1];
            k++;
            continue;
        }
        while (*end[k] == '\0') { /* no longer value k: a longer one before it */
            if (k == 0)
                return -1;
            k--;
        }
        end[k]++;
    }
}

void import_problem_code(const char *message, struct import_problem_code *out)
{
    const char *starts[IMPORT_PROBLEM_ARGS];
    size_t lens[IMPORT_PROBLEM_ARGS];

    memset(out, 0, sizeof(*out));
    out->code = "import.other";
    /* Wordings are short: a longer text is none of them (and the backtracking of a wording
     * with several values stays small). */
    if (!message || strnlen(message, MESSAGE_MAX + 1) > MESSAGE_MAX)
        return;
    for (size_t i = 0; i < N_WORDINGS; i++) {
        int n = match(wordings[i].text, message, starts, lens);
        if (n < 0)
            continue;
        out->code = wordings[i].code;
        out->n_args = n < IMPORT_PROBLEM_ARGS ? n : IMPORT_PROBLEM_ARGS;
        for (int k = 0; k < out->n_args; k++) {
            size_t len = lens[k] < sizeof(out->args[k]) - 1 ? lens[k] : sizeof(out->args[k]) - 1;
            memcpy(out->args[k], starts[k], len);
            out->args[k][len] = '\0';
        }
        return;
    }
}

void import_problem_code_json(struct pz_json *j, const char *code_key, const char *args_key,
                              const char *message)
{
    struct import_problem_code c;

    if (!message) {
        pz_json_knull(j, code_key);
        pz_json_knull(j, args_key);
        return;
    }
    import_problem_code(message, &c);
    pz_json_kstr(j, code_key, c.code);
    pz_json_key(j, args_key);
    pz_json_begin_array(j);
    for (int i = 0; i < c.n_args; i++)
        pz_json_str(j, c.args[i]);
    pz_json_end_array(j);
}

void import_problem_json(struct pz_json *j, const char *file, long line, const char *message)
{
    pz_json_begin_object(j);
    pz_json_kstr(j, "file", file);
    pz_json_kint(j, "line", line);
    pz_json_kstr(j, "message", message);
    import_problem_code_json(j, "code", "args", message);
    pz_json_end_object(j);
}

const char *import_problem_located(const char *located)
{
    const char *colon;

    if (!located)
        return NULL;
    /* the first ":DIGITS: " of the text (a file name may hold colons, not that) */
    for (const char *p = located; (colon = strchr(p, ':')) != NULL; p = colon + 1) {
        const char *q = colon + 1;
        if (*q < '0' || *q > '9')
            continue;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q[0] == ':' && q[1] == ' ')
            return q + 2;
    }
    return NULL;
}

const char *import_problem_wording(size_t i, const char **code)
{
    if (i >= N_WORDINGS)
        return NULL;
    *code = wordings[i].code;
    return wordings[i].text;
}
