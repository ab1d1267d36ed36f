/*
 * Unit tests of the conversations writer (src/inbox/import.c) against a real
 * SQLite database: what the WhatsApp reader hands out is stored once
 * (re-import stores nothing, an overlapping newer export adds only what is
 * new), participants become contacts or are matched to the ones that hold
 * their phone number, "me" gives messages their direction, messages reach
 * the contacts' timelines (one entry per day and direction), attachments are
 * copied under the data folder and a rolled-back file leaves neither rows nor
 * files. Tests run from the repository's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "accounts/workspace.h"
#include "contacts/contact.h"
#include "core/error.h"
#include "core/log.h"
#include "import/chat.h"
#include "inbox/import.h"
#include "store/store.h"

#define CORPUS "../shared/corpus/whatsapp/"
#define FIX    "tests/fixtures/chats/"

static struct {
    char dir[64];
    char path[128];
    char data[128];
    struct pz_store *store;
    struct workspace ws1, ws2;
} g;

static struct pz_conn *conn(void)
{
    struct pz_conn *c = pz_store_conn(g.store);
    assert_non_null(c);
    return c;
}

static int group_setup(void **state)
{
    struct pz_err err = {0};
    struct pz_conn *c;
    (void)state;

    snprintf(g.dir, sizeof(g.dir), "/tmp/pz-test-inbox-XXXXXX");
    if (!mkdtemp(g.dir))
        return -1;
    snprintf(g.path, sizeof(g.path), "%s/inbox.db", g.dir);
    snprintf(g.data, sizeof(g.data), "%s/data", g.dir);
    if (pz_store_open(&g.store, g.path) != 0 || pz_store_migrate(g.store, NULL) != 0)
        return -1;
    c = pz_store_conn(g.store);
    if (workspace_create(c, "Uno", "uno", NULL, NULL, &g.ws1, &err) != 0 ||
        workspace_create(c, "Due", "due", NULL, NULL, &g.ws2, &err) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    char cmd[200];
    (void)state;

    pz_store_close(g.store);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g.dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int wipe(void **state)
{
    char cmd[200];
    (void)state;

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g.data);
    if (system(cmd) != 0)
        return -1;
    return pz_sql_exec(conn(), "DELETE FROM conversations; DELETE FROM contacts;"
                               " DELETE FROM import_runs") == 0
               ? 0
               : -1;
}

static int64_t count(const char *sql)
{
    int64_t n = -1;
    assert_int_equal(pz_sql_one_int(conn(), sql, 0, &n), PZ_SQL_ROW);
    return n;
}

static int64_t count1(const char *sql, int64_t p1)
{
    int64_t n = -1;
    assert_int_equal(pz_sql_one_int(conn(), sql, p1, &n), PZ_SQL_ROW);
    return n;
}

struct run {
    struct inbox_import_counts c;
    int skipped_reports;
    int notes;
};

static void on_skip(const struct import_problem *p, void *arg)
{
    struct run *r = arg;
    (void)p;
    r->skipped_reports++;
}

static void on_note(const char *file, const char *message, void *arg)
{
    struct run *r = arg;
    (void)file;
    (void)message;
    r->notes++;
}

static const struct inbox_import_me *chosen; /* the company's side by key, when set */
static size_t n_chosen;

/* Imports PATH into WS in one transaction (committed unless ROLLBACK); returns the counts. */
static struct run import_as(int64_t ws, const char *path, const char *const *me, size_t n_me,
                            int rollback)
{
    struct inbox_import_options o;
    struct inbox_import *w;
    struct chat_sink sink;
    struct run r;
    struct inbox_import_hooks hooks = {on_skip, on_note, NULL, &r};
    struct chat_options co = {"Europe/Rome", "it"};
    struct import_problem fatal;

    memset(&r, 0, sizeof(r));
    memset(&o, 0, sizeof(o));
    o.workspace_id = ws;
    o.me = me;
    o.n_me = n_me;
    o.data_dir = g.data;
    o.me_chosen = chosen != NULL;
    o.me_keys = chosen;
    o.n_me_keys = n_chosen;
    w = inbox_import_new(conn(), &o);
    inbox_import_sink(w, &sink, &hooks);
    assert_int_equal(pz_tx_begin(conn()), 0);
    assert_int_equal(chat_read(NULL, path, &co, &sink, &fatal), 0);
    assert_int_equal(inbox_import_failed(w), 0);
    if (rollback) {
        assert_int_equal(pz_tx_rollback(conn()), 0);
        inbox_import_file_counts(w, &r.c);
        inbox_import_discard_files(w);
        /* The counts go back to what they were before the file. */
        assert_int_equal(inbox_import_counts(w)->messages, 0);
    } else {
        assert_int_equal(pz_tx_commit(conn()), 0);
        inbox_import_file_counts(w, &r.c);
        inbox_import_file_done(w);
    }
    inbox_import_free(w);
    return r;
}

static struct run import(const char *path, const char *const *me, size_t n_me)
{
    return import_as(g.ws1.id, path, me, n_me, 0);
}

static void test_corpus_and_reimport(void **state)
{
    struct run r;
    (void)state;

    r = import(CORPUS "it_android_multiline.txt", NULL, 0);
    assert_int_equal(r.c.conversations, 1);
    assert_int_equal(r.c.messages, 3);
    assert_int_equal(r.c.system_messages, 1);
    assert_int_equal(r.c.duplicates_skipped, 0);
    assert_int_equal(r.c.contacts_created, 2);
    assert_int_equal(r.c.contacts_matched, 0);
    assert_int_equal(r.notes, 1); /* day first, nothing decided */
    assert_int_equal(count("SELECT COUNT(*) FROM contacts"), 2);
    /* No --me and no name to tell: every message is incoming. */
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE direction = 'incoming'"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM timeline_entries WHERE kind = 'message'"
                           " AND channel = 'whatsapp' AND direction = 'in'"),
                     2);
    assert_int_equal(count("SELECT COUNT(*) FROM timeline_entries t JOIN contacts c"
                           " ON c.id = t.contact_id WHERE c.display_name = 'Luigi'"
                           " AND t.body = 'ciao Mario' || char(10) || 'come stai?'"),
                     1);
    assert_int_equal(count("SELECT message_count FROM conversations"), 3);
    assert_int_equal(count("SELECT first_message_at FROM conversations"), 1718220840000LL);
    assert_int_equal(count("SELECT last_message_at FROM conversations"), 1718220960000LL);
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE sent_at = 1718220960000"
                           " AND local_time = '2024-06-12T21:36:00'"
                           " AND time_zone = 'Europe/Rome' AND sender_name = 'Luigi'"),
                     1);
    /* The relationship strength was refreshed from the new interactions. */
    assert_int_equal(count("SELECT COUNT(*) FROM contact_scores"), 2);

    r = import(CORPUS "it_android_multiline.txt", NULL, 0);
    assert_int_equal(r.c.messages, 0);
    assert_int_equal(r.c.duplicates_skipped, 3);
    assert_int_equal(r.c.contacts_created, 0);
    assert_int_equal(r.c.contacts_matched, 2);
    assert_int_equal(count("SELECT COUNT(*) FROM messages"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM contacts"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM timeline_entries"), 2);
    assert_int_equal(count("SELECT message_count FROM conversations"), 3);

    /* Another workspace keeps its own copy. */
    r = import_as(g.ws2.id, CORPUS "it_android_multiline.txt", NULL, 0, 0);
    assert_int_equal(r.c.messages, 3);
    assert_int_equal(r.c.contacts_created, 2);
    assert_int_equal(count1("SELECT COUNT(*) FROM messages WHERE workspace_id = $1", g.ws2.id), 3);
}

static void test_me_direction(void **state)
{
    static const char *const me[] = {"luigi"}; /* case does not matter */
    struct run r;
    (void)state;

    r = import(CORPUS "it_android_multiline.txt", me, 1);
    assert_int_equal(r.c.messages, 3);
    assert_int_equal(r.c.contacts_created, 1); /* Mario only */
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE direction = 'outgoing'"
                           " AND sender_name = 'Luigi'"),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM conversation_participants WHERE is_me = 1"
                           " AND name = 'Luigi' AND contact_id IS NULL"),
                     1);
    /* One-to-one: Mario's timeline gets his message and the answer to him. */
    assert_int_equal(count("SELECT COUNT(*) FROM timeline_entries t JOIN contacts c"
                           " ON c.id = t.contact_id WHERE c.display_name = 'Mario'"),
                     2);
    assert_int_equal(count("SELECT COUNT(*) FROM timeline_entries WHERE direction = 'out'"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM conversations c JOIN contacts k"
                           " ON k.id = c.contact_id WHERE k.display_name = 'Mario'"),
                     1);
}

/*
 * The web's participants step: the company's side is exactly the keys chosen, each with its
 * user, whatever the reader, --me or the chat's title would say.
 */
static void test_me_chosen(void **state)
{
    static const struct inbox_import_me franco[] = {{"Franco", 42}};
    static const struct inbox_import_me nobody[] = {{"", 0}};
    static const char *const me[] = {"Io Azienda"};
    struct run r;
    (void)state;

    /* The title names Franco, and --me names "Io Azienda": the choice wins over both. */
    chosen = franco;
    n_chosen = 1;
    r = import(FIX "WhatsApp Chat with Franco.txt", me, 1);
    assert_int_equal(r.c.messages, 4);
    assert_int_equal(r.c.contacts_created, 1); /* Io Azienda */
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE direction = 'outgoing'"
                           " AND sender_name = 'Franco' AND author_user_id = 42"),
                     3);
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE direction = 'incoming'"
                           " AND sender_name = 'Io Azienda' AND author_user_id IS NULL"),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM conversation_participants WHERE is_me = 1"
                           " AND handle_key = 'Franco' AND user_id = 42 AND contact_id IS NULL"),
                     1);
    /* Nobody chosen: no one is the company's side, not even the one decided before. */
    chosen = nobody;
    n_chosen = 0;
    r = import(FIX "WhatsApp Chat with Franco.txt", NULL, 0);
    assert_int_equal(r.c.messages, 0);
    assert_int_equal(r.c.duplicates_skipped, 4);
    assert_int_equal(count("SELECT COUNT(*) FROM conversation_participants WHERE is_me = 1"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM conversation_participants WHERE user_id"
                           " IS NOT NULL"),
                     0);
    assert_int_equal(count("SELECT COUNT(*) FROM conversation_participants WHERE contact_id"
                           " IS NOT NULL"),
                     2);
    chosen = NULL;
}

static void test_overlapping_exports(void **state)
{
    struct run r;
    (void)state;

    /* Named after Franco, with two authors: the other one is the company's side. */
    r = import(FIX "WhatsApp Chat with Franco.txt", NULL, 0);
    assert_int_equal(r.c.messages, 4);
    assert_int_equal(r.c.contacts_created, 1);
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE body = '<Media omessi>'"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE direction = 'outgoing'"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM message_attachments"), 2);

    /* The newer export, under another name of the same chat, adds only what is new. */
    r = import(FIX "Chat WhatsApp con Franco (1).txt", NULL, 0);
    assert_int_equal(r.c.conversations, 1);
    assert_int_equal(r.c.messages, 3);
    assert_int_equal(r.c.duplicates_skipped, 4);
    assert_int_equal(r.c.contacts_created, 0);
    assert_int_equal(r.c.contacts_matched, 1);
    assert_int_equal(count("SELECT COUNT(*) FROM conversations"), 1);
    assert_int_equal(count("SELECT message_count FROM conversations"), 7);
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE body = '<Media omessi>'"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM message_attachments"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE direction = 'outgoing'"), 2);
    /*
     * One timeline entry per day and direction: 1 July had Franco's and ours from the older
     * export ("tre" of the same day adds none), 2 July adds one each way.
     */
    assert_int_equal(count("SELECT COUNT(*) FROM timeline_entries"), 4);
    assert_int_equal(count("SELECT COUNT(*) FROM timeline_entries t JOIN messages m"
                           " ON m.id = t.source_id WHERE t.source_kind = 'message'"
                           " AND m.local_time LIKE '2024-07-02%'"),
                     2);
    assert_int_equal(count("SELECT COUNT(*) FROM timeline_entries WHERE body = 'uno'"
                           " AND direction = 'in'"),
                     1);

    /* And the older one again adds nothing. */
    r = import(FIX "WhatsApp Chat with Franco.txt", NULL, 0);
    assert_int_equal(r.c.messages, 0);
    assert_int_equal(r.c.duplicates_skipped, 4);
}

static void test_phone_matches_contact(void **state)
{
    struct contact_fields f;
    struct contact c;
    struct pz_err err = {0};
    static const char *const me[] = {"Anna Bianchi"};
    struct run r;
    (void)state;

    contact_fields_init(&f);
    f.display_name = "Paolo Conti";
    assert_int_equal(contact_create(conn(), g.ws1.id, &f, &c, &err), 0);
    assert_int_equal(contact_identity_add(conn(), g.ws1.id, c.id, "phone", "333 1234567", NULL,
                                          NULL, NULL, NULL, &err),
                     0);
    r = import(FIX "WhatsApp Chat with Gruppo Fiera.txt", me, 1);
    assert_int_equal(r.c.messages, 14);
    assert_int_equal(r.c.system_messages, 4);
    assert_int_equal(r.c.contacts_matched, 1);
    assert_int_equal(r.c.contacts_created, 1); /* Marco; Anna is the company */
    assert_int_equal(count1("SELECT COUNT(*) FROM conversation_participants"
                            " WHERE contact_id = $1 AND identity_kind = 'whatsapp'",
                            c.id),
                     1);
    /* A group: outgoing messages reach nobody's timeline; incoming ones their sender's. */
    assert_int_equal(count("SELECT is_group FROM conversations"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM conversations WHERE contact_id IS NULL"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM timeline_entries WHERE direction = 'out'"), 0);
    /* Paolo wrote twice that day: one entry, his first message. */
    assert_int_equal(count1("SELECT COUNT(*) FROM timeline_entries WHERE contact_id = $1", c.id),
                     1);
    assert_int_equal(count1("SELECT COUNT(*) FROM timeline_entries WHERE contact_id = $1"
                            " AND body = 'Grazie 🙏'",
                            c.id),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE deleted = 1"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE edited = 1"
                           " AND body = 'Ci vediamo alle 10'"),
                     1);
    assert_int_equal(count("SELECT COUNT(*) FROM messages WHERE kind = 'media'"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM message_attachments"
                           " WHERE name = 'IMG-20240613-WA0001.jpg' AND mime_type = 'image/jpeg'"
                           " AND stored_path IS NULL"),
                     1);
    contact_release(&c);
}

static void test_attachments_and_rollback(void **state)
{
    struct run r;
    char path[300];
    struct stat st;
    (void)state;

    /* A file rolled back leaves no rows and no files. */
    r = import_as(g.ws1.id, FIX "WhatsApp Chat with Anna.zip", NULL, 0, 1);
    assert_int_equal(r.c.messages, 4);
    assert_int_equal(r.c.files_stored, 2);
    assert_int_equal(count("SELECT COUNT(*) FROM messages"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM contacts"), 0);
    snprintf(path, sizeof(path), "%s/attachments/00", g.data);
    {
        char cmd[400];
        snprintf(cmd, sizeof(cmd), "test -z \"$(find '%s' -type f 2>/dev/null)\"", g.data);
        assert_int_equal(system(cmd), 0);
    }

    r = import(FIX "WhatsApp Chat with Anna.zip", NULL, 0);
    assert_int_equal(r.c.messages, 4);
    assert_int_equal(r.c.attachments, 3);
    assert_int_equal(r.c.files_stored, 2);
    assert_int_equal(count("SELECT COUNT(*) FROM message_attachments WHERE size = 29"
                           " AND mime_type = 'application/pdf' AND length(sha256) = 64"
                           " AND stored_path = 'attachments/' || substr(sha256, 1, 2) || '/'"
                           " || sha256"),
                     1);
    {
        struct pz_stmt *s = pz_sql(conn(), "SELECT stored_path FROM message_attachments"
                                           " WHERE name = 'preventivo.pdf'");
        assert_int_equal(pz_sql_step(s), PZ_SQL_ROW);
        snprintf(path, sizeof(path), "%s/%s", g.data, pz_sql_text(s, 0));
        pz_sql_done(s);
    }
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 29);
    assert_int_equal(count("SELECT COUNT(*) FROM message_attachments WHERE stored_path IS NULL"
                           " AND name = 'VID-20240613-WA0003.mp4'"),
                     1);
    /* Again: nothing new, the files stay. */
    r = import(FIX "WhatsApp Chat with Anna.zip", NULL, 0);
    assert_int_equal(r.c.messages, 0);
    assert_int_equal(r.c.attachments, 0);
    assert_int_equal(stat(path, &st), 0);
}

static void test_dedup_key(void **state)
{
    struct chat_message m;
    char a[INBOX_KEY_SIZE], b[INBOX_KEY_SIZE], c[INBOX_KEY_SIZE];
    (void)state;

    memset(&m, 0, sizeof(m));
    m.local_time = "2024-06-13T09:04:00";
    m.sent_at = 1;
    m.sender_name = "Marco";
    m.text = "<Media omessi>";
    m.text_len = strlen(m.text);
    inbox_dedup_key("whatsapp", "name:Fiera", &m, 0, a);
    inbox_dedup_key("whatsapp", "name:Fiera", &m, 1, b);
    assert_int_equal(strlen(a), 46);
    assert_string_not_equal(a, b);
    assert_memory_equal(a + 8, "20240613090400", 14); /* neighbours in the index */
    assert_memory_equal(a, b, 22);
    m.sent_at = 7200000; /* read in another zone: the local time as written still decides */
    inbox_dedup_key("whatsapp", "name:Fiera", &m, 0, c);
    assert_string_equal(a, c);
    inbox_dedup_key("whatsapp", "name:Altro", &m, 0, c);
    assert_string_not_equal(a, c);
    m.source_id = "42";
    inbox_dedup_key("telegram", "chat:1", &m, 0, a);
    m.text = "edited later";
    m.text_len = strlen(m.text);
    inbox_dedup_key("telegram", "chat:1", &m, 5, b);
    assert_string_equal(a, b);

    /* The keys themselves never change: databases hold them, and a re-import of an export
     * imported by an older piazza must find its messages. */
    memset(&m, 0, sizeof(m));
    m.local_time = "2024-06-13T09:04:00";
    m.sent_at = 1;
    m.sender_name = "Marco";
    m.text = "<Media omessi>";
    m.text_len = strlen(m.text);
    inbox_dedup_key("whatsapp", "name:Fiera", &m, 0, a);
    assert_string_equal(a, "9b281d93202406130904000d3a39609bdef59ad649fdc9");
    inbox_dedup_key("whatsapp", "name:Fiera", &m, 3, a);
    assert_string_equal(a, "9b281d9320240613090400d000de64f177bf58e6d08793");
    m.local_time = NULL;
    m.sent_at = 1718269440000LL;
    m.sender_name = NULL;
    m.sender_key = "+39 333 1234567";
    m.text = "Perch\xC3\xA9\nno?";
    m.text_len = strlen(m.text);
    inbox_dedup_key("email", "mid:<a@b>", &m, 12, a);
    assert_string_equal(a, "0a166720000017182694405186bd3842e5918a0293ef2b");
    memset(&m, 0, sizeof(m));
    m.source_id = "42";
    m.text = "x";
    m.text_len = 1;
    inbox_dedup_key("telegram", "chat:1", &m, 0, a);
    assert_string_equal(a, "f2ed15030000000000000021a82b4e989da91ddcd69ca4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_corpus_and_reimport, wipe),
        cmocka_unit_test_setup(test_me_direction, wipe),
        cmocka_unit_test_setup(test_me_chosen, wipe),
        cmocka_unit_test_setup(test_overlapping_exports, wipe),
        cmocka_unit_test_setup(test_phone_matches_contact, wipe),
        cmocka_unit_test_setup(test_attachments_and_rollback, wipe),
        cmocka_unit_test(test_dedup_key),
    };

    pz_log_set_level(PZ_LOG_OFF);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
