/*
 * piazza import and piazza rebuild.
 *
 * import reads each file with the reader of its format (given, or detected
 * from the content), writes every record through the contacts writer (address
 * books) or the conversations writer (chat exports, src/inbox/import.h), and
 * prints one summary. Each file is one transaction: a file that cannot be
 * read is refused whole (file:line: reason) and nothing of it stays; a bad
 * record in a good file is skipped and reported. Every run is a row of
 * import_runs, refused ones included; --dry-run does everything and keeps
 * nothing. On a terminal a counter shows progress; on a pipe nothing does.
 * Exit 0 when every file was read, 1 when a file was refused or the database
 * failed, 2 on usage errors.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "contacts/contact.h"
#include "contacts/import.h"
#include "contacts/import_batch.h"
#include "contacts/normalize.h"
#include "contacts/score.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/tz.h"
#include "import/chat.h"
#include "import/chat_pipe.h"
#include "import/detect.h"
#include "import/linkedin_zip.h"
#include "import/problems.h"
#include "inbox/import.h"
#include "core/banned.h"

#define MAX_ERRORS     1000
#define DEFAULT_REGION "IT"

struct problem {
    char *file;
    long line;
    char *message;
};

struct run_state {
    struct pz_conn *conn;
    int64_t workspace_id;
    int64_t run_id;
    const char *file;
    int progress; /* standard error is a terminal */
    /* Contact files: the one path from files to contacts, shared with the web's import jobs. */
    struct import_batch batch;
    long records_before; /* the batch's records before the file being read */
    /* Problems of this file, and of all files. */
    struct problem *problems;
    size_t n_problems, cap_problems;
    long problems_dropped;
    /* Chat exports: the conversations writer (made at the first chat file) and its notes. */
    struct inbox_import *chat;
    struct chat_options chat_opts;
    const char **me;
    size_t n_me;
    const char *data_dir;
    char **notes;
    size_t n_notes;
    long notes_dropped;
    int chat_files;
    long long progress_at; /* last progress shown, in tenths of a percent */
};

static void add_problem(struct run_state *s, const char *file, long line, const char *message)
{
    if (s->n_problems >= MAX_ERRORS) {
        s->problems_dropped++;
        return;
    }
    if (s->n_problems == s->cap_problems) {
        s->cap_problems = s->cap_problems ? s->cap_problems * 2 : 16;
        s->problems = xrealloc(s->problems, s->cap_problems * sizeof(*s->problems));
    }
    s->problems[s->n_problems].file = xstrdup(file);
    s->problems[s->n_problems].line = line;
    s->problems[s->n_problems].message = xstrdup(message);
    s->n_problems++;
}

/*
 * The contacts batch's progress: a counter on a terminal. Problems of a
 * contacts file are moved into the run's list after the file, in order.
 */
static int on_contacts_progress(void *arg, const char *label, long line, long records)
{
    struct run_state *s = arg;

    (void)line;
    if (s->progress && records % 500 == 0)
        fprintf(stderr, "\r%s: %ld records", label, records - s->records_before);
    return 0;
}

/* SHA-256 of the file at PATH as hex into OUT (65 bytes). Returns 0 or PZ_EIO. */
static int file_sha256(const char *path, char out[65])
{
    crypto_hash_sha256_state st;
    unsigned char buf[65536], h[crypto_hash_sha256_BYTES];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (!f)
        return PZ_EIO;
    crypto_hash_sha256_init(&st);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        crypto_hash_sha256_update(&st, buf, n);
    if (ferror(f)) {
        fclose(f);
        return PZ_EIO;
    }
    fclose(f);
    crypto_hash_sha256_final(&st, h);
    for (size_t i = 0; i < sizeof(h); i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    return 0;
}

/* Writes problems FROM.. of S as a JSON array of {"file", "line", "message", "code", "args"}. */
static void write_problems(struct pz_json *j, const struct run_state *s, size_t from)
{
    pz_json_begin_array(j);
    for (size_t i = from; i < s->n_problems; i++)
        import_problem_json(j, s->problems[i].file, s->problems[i].line, s->problems[i].message);
    pz_json_end_array(j);
}

/* The JSON array of this file's problems, from index FROM. Returned string is the caller's. */
static char *problems_json(const struct run_state *s, size_t from)
{
    struct pz_buf b;
    struct pz_json j;

    pz_buf_init(&b, 16 * 1024 * 1024);
    pz_json_init(&j, &b);
    write_problems(&j, s, from);
    return pz_buf_detach(&b, NULL);
}

/* --- chat exports ---------------------------------------------------------------------- */

static void on_chat_skip(const struct import_problem *p, void *arg)
{
    struct run_state *s = arg;
    add_problem(s, p->file ? p->file : s->file, p->line, p->message);
}

static void on_chat_note(const char *file, const char *message, void *arg)
{
    struct run_state *s = arg;
    size_t len;
    char *n;

    if (s->n_notes >= MAX_ERRORS) {
        s->notes_dropped++;
        return;
    }
    len = strlen(file ? file : s->file) + strlen(message) + 3;
    n = xmalloc(len);
    snprintf(n, len, "%s: %s", file ? file : s->file, message);
    s->notes = xrealloc(s->notes, (s->n_notes + 1) * sizeof(*s->notes));
    s->notes[s->n_notes++] = n;
}

/* A bar on standard error: "file [#####.....]  42%  12345 messages". */
static void on_chat_progress(long long done, long long total, void *arg)
{
    struct run_state *s = arg;
    const struct inbox_import_counts *c;
    char bar[31];
    long long permille;
    int fill;

    if (!s->progress || total <= 0)
        return;
    permille = done >= total ? 1000 : done * 1000 / total;
    if (permille == s->progress_at)
        return;
    s->progress_at = permille;
    fill = (int)(permille * 30 / 1000);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    c = inbox_import_counts(s->chat);
    fprintf(stderr, "\r%s [%s] %3lld%%  %ld messages", s->file, bar, permille / 10,
            c->messages + c->duplicates_skipped);
    if (permille == 1000)
        fputc('\n', stderr);
}

/* Forgets the problems of this file from FIRST on (a refused file counts nothing). */
static void drop_problems(struct run_state *s, size_t first)
{
    while (s->n_problems > first) {
        s->n_problems--;
        free(s->problems[s->n_problems].file);
        free(s->problems[s->n_problems].message);
    }
}

/*
 * Imports one chat export in FORMAT (NULL: detect). Returns 0 when read, 1
 * when refused, or a negative code when the database failed.
 */
static int import_chat_file(struct run_state *s, const char *path, const char *format,
                            const char *sha, int dry_run)
{
    struct chat_sink sink;
    struct inbox_import_hooks hooks = {on_chat_skip, on_chat_note, on_chat_progress, s};
    struct import_problem fatal;
    struct inbox_import_counts fc;
    struct pz_err err = {0};
    size_t first_problem = s->n_problems;
    char *errors;
    int r, failed;

    if (!s->chat) {
        struct inbox_import_options o;
        memset(&o, 0, sizeof(o));
        o.workspace_id = s->workspace_id;
        o.me = s->me;
        o.n_me = s->n_me;
        o.region = DEFAULT_REGION;
        o.data_dir = dry_run ? NULL : s->data_dir;
        s->chat = inbox_import_new(s->conn, &o);
    }
    s->chat_files++;
    s->progress_at = -1;
    if (!dry_run &&
        import_run_begin(s->conn, s->workspace_id, 0, format, path, sha, &s->run_id, &err) < 0)
        return PZ_EDB;
    pz_store_bulk(s->conn, 1); /* a speed-up only: the import goes on without it */
    r = pz_tx_begin(s->conn);
    if (r < 0) {
        pz_store_bulk(s->conn, 0);
        return r;
    }
    /* Its messages are indexed for search at the commit, in one go (store.h). */
    pz_store_search_defer(s->conn);
    inbox_import_sink(s->chat, &sink, &hooks);
    memset(&fatal, 0, sizeof(fatal));
    r = chat_read_pipelined(format, path, &s->chat_opts, &sink, &fatal);
    failed = inbox_import_failed(s->chat);
    if (r != 0 || failed || dry_run) {
        pz_tx_rollback(s->conn);
        pz_store_bulk(s->conn, 0);
        if (dry_run && r == 0 && !failed) {
            inbox_import_file_done(s->chat); /* what it would have done counts */
            return 0;
        }
        inbox_import_discard_files(s->chat);
        drop_problems(s, first_problem);
        if (failed)
            add_problem(s, path, 0, "the database failed; nothing of this file was kept");
        else
            add_problem(s, fatal.file ? fatal.file : path, fatal.line,
                        fatal.message[0] ? fatal.message : "cannot be read");
        if (!dry_run) {
            errors = problems_json(s, first_problem);
            import_run_finish(s->conn, s->workspace_id, s->run_id, failed ? "failed" : "refused", 0,
                              NULL, 0, errors);
            free(errors);
        }
        return failed ? failed : 1;
    }
    r = pz_tx_commit(s->conn);
    pz_store_bulk(s->conn, 0);
    if (r < 0) {
        inbox_import_discard_files(s->chat);
        return r;
    }
    inbox_import_file_counts(s->chat, &fc);
    inbox_import_file_done(s->chat);
    errors = problems_json(s, first_problem);
    r = import_run_finish(s->conn, s->workspace_id, s->run_id, "done",
                          fc.messages + fc.duplicates_skipped, NULL, fc.skipped, errors);
    free(errors);
    if (r == 0)
        r = inbox_import_run_record(s->conn, s->workspace_id, s->run_id, &fc);
    return r < 0 ? r : 0;
}

/*
 * Imports one contacts file through the batch (one transaction; a refused
 * file keeps only its run row, "refused"; a dry run keeps nothing) and moves
 * its problems into the run's list. Returns as import_batch_file, the
 * batch's stop (never asked for here) counting as a database failure.
 */
static int import_contacts_file(struct run_state *s, const char *path, const char *label,
                                const char *format, int dry_run)
{
    struct import_batch *b = &s->batch;
    size_t first = b->n_problems;
    int left, r;

    b->dry_run = dry_run;
    s->records_before = b->records;
    left = b->index_left;
    b->index_left = 0;
    r = import_batch_file(b, path, label, format);
    if (s->progress && b->records - s->records_before >= 500)
        fputc('\n', stderr);
    for (size_t i = first; i < b->n_problems; i++)
        add_problem(s, b->problems[i].file, b->problems[i].line, b->problems[i].message);
    if (r == 0 && b->index_left)
        on_chat_note(label ? label : path,
                     "the new contacts are indexed for search by the server (piazza serve) as "
                     "it starts, or within seconds when it runs; until then search reads them "
                     "directly, more slowly",
                     s);
    b->index_left |= left;
    return r == IMPORT_BATCH_STOPPED ? PZ_EDB : r;
}

/*
 * Imports one file, named LABEL in problems and runs (NULL: PATH). Returns 0
 * when read, 1 when refused, or a negative code when the database failed.
 */
static int import_file(struct run_state *s, const char *path, const char *label,
                       const char *given_format, int dry_run, char *format, size_t format_sz)
{
    char sha[65];
    int r;

    s->file = path;
    snprintf(format, format_sz, "%s", given_format ? given_format : "");
    if (!given_format) {
        r = chat_detect(path, format, format_sz);
        if (r < 0)
            r = import_detect(path, format, format_sz);
        if (r < 0) {
            add_problem(s, label ? label : path, r == PZ_EIO ? 0 : 1,
                        r == PZ_EIO
                            ? "cannot read the file"
                            : "format not recognised (a WhatsApp chat, mbox, .eml, Messenger "
                              "JSON, X direct messages, Telegram JSON, LinkedIn messages.csv, "
                              "vCard, contacts CSV or LinkedIn Connections.csv expected)");
            return 1;
        }
    }
    if (!chat_claims(format, path))
        return import_contacts_file(s, path, label, format, dry_run);
    if (file_sha256(path, sha) < 0) {
        add_problem(s, path, 0, "cannot read the file");
        return 1;
    }
    return import_chat_file(s, path, format, sha, dry_run);
}

/* --- LinkedIn export zip ------------------------------------------------------------------ */

/*
 * A LinkedIn data export .zip (src/import/linkedin_zip.h): imports its
 * Connections.csv (contacts) and messages.csv (conversations), each as its
 * own file named "ZIP:MEMBER" in problems. Returns 2 when PATH is no such
 * zip (the caller imports it as a file), else as import_file.
 */
static int linkedin_zip(struct run_state *s, const char *path, const char *given, int dry_run,
                        struct pz_buf *formats)
{
    struct linkedin_zip z;
    int rc = 0, r;

    if (given && strcmp(given, "linkedin") != 0)
        return 2;
    r = linkedin_zip_unpack(path, NULL, &z);
    if (r == 0)
        return 2;
    if (r < 0) {
        add_problem(s, path, 0, "cannot make a temporary folder to unpack the zip");
        return 1;
    }
    for (int k = 0; k < LINKEDIN_ZIP_MEMBERS && rc >= 0; k++) {
        const struct linkedin_zip_member *m = &z.members[k];
        char shown[4800], format[32];
        size_t first_problem = s->n_problems;
        if (!m->present)
            continue;
        snprintf(shown, sizeof(shown), "%s:%s", path, m->name);
        if (!m->unpacked) {
            add_problem(s, shown, 0, "cannot be unpacked from the zip");
            rc = rc ? rc : 1;
            continue;
        }
        r = import_file(s, m->path, shown, given, dry_run, format, sizeof(format));
        s->file = path; /* not the temporary copy, gone at the end */
        /* Problems name the member as the user knows it. */
        for (size_t i = first_problem; i < s->n_problems; i++) {
            if (strcmp(s->problems[i].file, m->path) == 0) {
                free(s->problems[i].file);
                s->problems[i].file = xstrdup(shown);
            }
        }
        if (format[0] && !strstr(pz_buf_str(formats), format)) {
            if (formats->len)
                pz_buf_addch(formats, ',');
            pz_buf_addstr(formats, format);
        }
        if (r < 0 || (r > 0 && rc == 0))
            rc = r;
    }
    linkedin_zip_cleanup(&z);
    return rc;
}

static void import_help(void)
{
    printf("usage: piazza import [FORMAT] FILE... [--db PATH] [--workspace SLUG] [--tz ZONE]\n"
           "                     [--me NAME]... [--json] [--dry-run]\n\n"
           "Imports contacts and conversations. FORMAT is whatsapp (a chat .txt or .zip),\n"
           "mbox (a mailbox, Google Takeout's too), eml (one e-mail message, PEC included),\n"
           "messenger (a Facebook or Instagram message_N.json), x (an X archive's\n"
           "direct-messages.js), telegram (Telegram Desktop's result.json), vcard,\n"
           "contacts-csv (Google or Outlook) or linkedin\n"
           "(Connections.csv or messages.csv, or the export's .zip for both); without it\n"
           "each file's format is detected from its content. A file that cannot be read is\n"
           "refused whole; a bad record is skipped and reported. Importing the same file\n"
           "again stores nothing twice; a newer export of a chat adds only what is new.\n\n"
           "  --db PATH         database (PIAZZA_DB; default %s)\n"
           "  --workspace SLUG  the workspace (needed when there are several)\n"
           "  --tz ZONE         time zone of chat times (default: the workspace's)\n"
           "  --me NAME         a name the company's side uses in chats (repeatable):\n"
           "                    their messages are outgoing\n"
           "  --json            print one JSON summary on standard output\n"
           "  --dry-run         read and match everything, keep nothing\n\n"
           "Exit status: 0 every file read, 1 a file refused, 2 usage error.\n",
           DEFAULT_DB);
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"workspace", required_argument, NULL, 'w'},
        {"json", no_argument, NULL, 'j'},     {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},     {"tz", required_argument, NULL, 'z'},
        {"me", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *ws_slug = NULL, *given = NULL, *tz = NULL;
    const char **me = xcalloc((size_t)argc + 1, sizeof(*me));
    size_t n_me = 0;
    int json = 0, dry_run = 0, opt, refused = 0, failed = 0, first, alone;
    struct pz_store *store = NULL;
    struct run_state s;
    struct workspace w;
    struct pz_buf out, formats;
    struct pz_json j;
    struct pz_tz *zone = NULL;
    struct inbox_import_counts cc;
    char data_dir[4096];

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'z':
            tz = optarg;
            break;
        case 'm':
            if (!optarg[0]) {
                free(me);
                return cli_usage("--me needs a name");
            }
            me[n_me++] = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 'w':
            ws_slug = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'n':
            dry_run = 1;
            break;
        case 'h':
            free(me);
            import_help();
            return EXIT_OK;
        default:
            free(me);
            return cli_usage("see 'piazza import --help'");
        }
    }
    first = optind;
    if (first < argc && (import_format_known(argv[first]) || chat_format_known(argv[first])) &&
        access(argv[first], F_OK) != 0)
        given = argv[first++];
    if (first >= argc) {
        free(me);
        return cli_usage("no file to import; see 'piazza import --help'");
    }
    if (tz) {
        if (pz_tz_load(tz, &zone) < 0) {
            free(me);
            return cli_usage("unknown time zone '%s' (an IANA name such as Europe/Rome)", tz);
        }
        pz_tz_free(zone);
    }
    db = cli_opt(db, "PIAZZA_DB", DEFAULT_DB);
    if (cli_open_db(db, &store) < 0) {
        free(me);
        return EXIT_FAIL;
    }
    memset(&s, 0, sizeof(s));
    s.conn = pz_store_conn(store);
    s.progress = !json && isatty(STDERR_FILENO);
    if (!s.conn || cli_workspace(s.conn, ws_slug, 0, &w) < 0) {
        pz_store_close(store);
        free(me);
        return EXIT_FAIL;
    }
    /* With the database to itself, the import writes each page once (store.h). */
    alone = !dry_run && pz_store_alone(s.conn, 1) == 1;
    s.workspace_id = w.id;
    s.batch.conn = s.conn;
    s.batch.workspace_id = w.id;
    s.batch.default_region = DEFAULT_REGION;
    s.batch.own_tx = 1;
    s.batch.index_later_min = IMPORT_INDEX_LATER_MIN;
    s.batch.on_progress = on_contacts_progress;
    s.batch.arg = &s;
    s.me = me;
    s.n_me = n_me;
    s.chat_opts.time_zone = tz ? tz : w.timezone;
    s.chat_opts.locale = w.locale;
    /* Attachments go beside the database, in its data folder. */
    {
        const char *slash = strrchr(db, '/');
        if (slash)
            snprintf(data_dir, sizeof(data_dir), "%.*s", (int)(slash - db), db);
        else
            snprintf(data_dir, sizeof(data_dir), ".");
        if (!data_dir[0])
            snprintf(data_dir, sizeof(data_dir), "/");
        s.data_dir = data_dir;
    }
    pz_buf_init(&formats, 4096);
    for (int i = first; i < argc; i++) {
        char format[32];
        int r = linkedin_zip(&s, argv[i], given, dry_run, &formats);
        if (r == 2)
            r = import_file(&s, argv[i], NULL, given, dry_run, format, sizeof(format));
        else
            format[0] = '\0';
        if (r < 0) {
            failed = 1;
            break;
        }
        if (r > 0)
            refused = 1;
        if (format[0] && !strstr(pz_buf_str(&formats), format)) {
            if (formats.len)
                pz_buf_addch(&formats, ',');
            pz_buf_addstr(&formats, format);
        }
    }
    memset(&cc, 0, sizeof(cc));
    if (s.chat)
        cc = *inbox_import_counts(s.chat);
    if (json) {
        pz_buf_init(&out, 32 * 1024 * 1024);
        pz_json_init(&j, &out);
        pz_json_begin_object(&j);
        pz_json_kstr(&j, "format", pz_buf_str(&formats));
        pz_json_kint(&j, "files", argc - first);
        pz_json_kint(&j, "records", s.batch.records);
        pz_json_kint(&j, "conversations", cc.conversations);
        pz_json_kint(&j, "messages", cc.messages);
        pz_json_kint(&j, "system_messages", cc.system_messages);
        pz_json_kint(&j, "duplicates_skipped", cc.duplicates_skipped);
        pz_json_kint(&j, "attachments", cc.attachments);
        pz_json_kint(&j, "attachment_files", cc.files_stored);
        pz_json_kint(&j, "contacts_created", s.batch.counts.created + cc.contacts_created);
        pz_json_kint(&j, "contacts_matched", cc.contacts_matched);
        pz_json_kint(&j, "contacts_updated", s.batch.counts.updated);
        pz_json_kint(&j, "contacts_unchanged", s.batch.counts.unchanged);
        pz_json_kint(&j, "duplicates_suggested", s.batch.counts.duplicates_suggested);
        pz_json_kint(&j, "skipped", s.batch.skipped + cc.skipped);
        pz_json_kbool(&j, "dry_run", dry_run);
        pz_json_key(&j, "notes");
        pz_json_begin_array(&j);
        for (size_t i = 0; i < s.n_notes; i++)
            pz_json_str(&j, s.notes[i]);
        pz_json_end_array(&j);
        pz_json_key(&j, "errors");
        write_problems(&j, &s, 0);
        pz_json_end_object(&j);
        printf("%s\n", pz_buf_str(&out));
        pz_buf_release(&out);
    } else {
        for (size_t i = 0; i < s.n_problems; i++)
            fprintf(stderr, "%s:%ld: %s\n", s.problems[i].file, s.problems[i].line,
                    s.problems[i].message);
        for (size_t i = 0; i < s.n_notes; i++)
            fprintf(stderr, "note: %s\n", s.notes[i]);
        if (s.chat_files)
            printf("%s%ld conversations: %ld messages stored (%ld system notices), %ld already "
                   "there, %ld attachments (%ld files kept); %ld contacts created, %ld matched, "
                   "%ld skipped\n",
                   dry_run ? "dry run (nothing kept): " : "", cc.conversations, cc.messages,
                   cc.system_messages, cc.duplicates_skipped, cc.attachments, cc.files_stored,
                   cc.contacts_created, cc.contacts_matched, cc.skipped);
        if (s.chat_files < argc - first)
            printf("%s%ld records: %ld contacts created, %ld updated, %ld unchanged, %ld possible "
                   "duplicates, %ld skipped\n",
                   dry_run ? "dry run (nothing kept): " : "", s.batch.records,
                   s.batch.counts.created, s.batch.counts.updated, s.batch.counts.unchanged,
                   s.batch.counts.duplicates_suggested, s.batch.skipped);
    }
    if (s.problems_dropped)
        fprintf(stderr, "piazza: %ld more problems not listed\n", s.problems_dropped);
    for (size_t i = 0; i < s.n_problems; i++) {
        free(s.problems[i].file);
        free(s.problems[i].message);
    }
    free(s.problems);
    import_batch_release(&s.batch);
    if (s.notes_dropped)
        fprintf(stderr, "piazza: %ld more notes not listed\n", s.notes_dropped);
    for (size_t i = 0; i < s.n_notes; i++)
        free(s.notes[i]);
    free(s.notes);
    inbox_import_free(s.chat);
    free(me);
    pz_buf_release(&formats);
    if (alone) /* should it fail, the next open of the database shares it again */
        pz_store_alone(s.conn, 0);
    pz_store_close(store);
    return failed || refused ? EXIT_FAIL : EXIT_OK;
}

int cmd_rebuild(int argc, char **argv)
{
    static const char usage[] = "piazza rebuild scores|search [--db PATH] [--workspace SLUG]";
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"workspace", required_argument, NULL, 'w'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *ws_slug = NULL, *what;
    struct pz_store *store;
    struct pz_conn *conn;
    struct workspace w;
    long n = 0;
    int64_t n_messages = 0;
    int opt, r;

    if (argc < 2 || (strcmp(argv[1], "scores") != 0 && strcmp(argv[1], "search") != 0))
        return cli_usage("usage: %s", usage);
    what = argv[1];
    optind = 1;
    while ((opt = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (opt == 'd')
            db = optarg;
        else if (opt == 'w')
            ws_slug = optarg;
        else
            return cli_usage("usage: %s", usage);
    }
    db = cli_opt(db, "PIAZZA_DB", DEFAULT_DB);
    if (cli_open_db(db, &store) < 0)
        return EXIT_FAIL;
    conn = pz_store_conn(store);
    r = cli_workspace(conn, ws_slug, 0, &w);
    if (r == 0)
        r = strcmp(what, "scores") == 0 ? score_rebuild_all(conn, w.id, pz_now_ms(), &n)
                                        : contact_reindex_all(conn, w.id, &n);
    /* The message index is one for every workspace (each search keeps to its own). */
    if (r == 0 && strcmp(what, "search") == 0) {
        r = pz_store_text_rebuild(conn, "messages");
        if (r == 0)
            r = pz_sql_one_int(conn, "SELECT count(*) FROM messages", 0, &n_messages) < 0 ? PZ_EDB
                                                                                          : 0;
    }
    pz_store_close(store);
    if (r < 0) {
        fprintf(stderr, "piazza: rebuilding %s failed\n", what);
        return EXIT_FAIL;
    }
    if (strcmp(what, "search") == 0)
        printf("rebuilt search of %ld contacts in workspace %s and of %lld messages\n", n, w.slug,
               (long long)n_messages);
    else
        printf("rebuilt %s of %ld contacts in workspace %s\n", what, n, w.slug);
    return EXIT_OK;
}
