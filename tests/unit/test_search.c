/*
 * Unit tests of message search: how text is cut into words and folded
 * (src/core/words.c), which terms a word gives, and the FTS5 index on a real
 * SQLite database (sql/0009, src/store/fts.c): "perche" finds "perché",
 * "scarpa" finds "scarpe", "shoe" finds "shoes", prefixes and phrases, and
 * the index follows inserts, edits and deletions, deferred or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "accounts/workspace.h"
#include "core/error.h"
#include "core/words.h"
#include "store/backend.h"
#include "store/store.h"

/* --- words ------------------------------------------------------------------------------- */

struct collect {
    char out[1024]; /* words joined by '|', each as folded */
    size_t n;
    char spans[512];
};

static int collect_word(void *arg, const char *w, size_t n, size_t start, size_t end)
{
    struct collect *c = arg;
    size_t used = strlen(c->out), su = strlen(c->spans);

    snprintf(c->out + used, sizeof(c->out) - used, "%s%.*s", c->n ? "|" : "", (int)n, w);
    snprintf(c->spans + su, sizeof(c->spans) - su, "%s%zu-%zu", c->n ? "," : "", start, end);
    c->n++;
    return 0;
}

static const char *words_of(const char *text, struct collect *c)
{
    memset(c, 0, sizeof(*c));
    assert_int_equal(pz_words(text, strlen(text), collect_word, c), 0);
    return c->out;
}

static void test_words_fold(void **state)
{
    struct collect c;
    (void)state;

    assert_string_equal(words_of("Perché NON è arrivato?", &c), "perche|non|e|arrivato");
    assert_string_equal(words_of("l'ordine dell’articolo", &c), "l|ordine|dell|articolo");
    assert_string_equal(words_of("CITTÀ Società", &c), "citta|societa");
    assert_string_equal(words_of("Straße ﬁne ＡＢＣ", &c), "strasse|fine|abc");
    assert_string_equal(words_of("e-mail: info@negozio.it", &c), "e|mail|info|negozio|it");
    assert_string_equal(words_of("ordine n.2024/15", &c), "ordine|n|2024|15");
    /* Emoji separate words and are not words. */
    assert_string_equal(words_of("grazie😀👍🏽ciao", &c), "grazie|ciao");
    assert_string_equal(words_of("😀 👍 !!!", &c), "");
    /* A soft hyphen inside a word is ignored; a combining accent is dropped. */
    assert_string_equal(words_of("con\xc2\xadsegna perche\xcc\x81", &c), "consegna|perche");
    /* Each Han or Kana character is a word; Cyrillic and Greek fold case. */
    assert_string_equal(words_of("東京タワー", &c), "東|京|タ|ワ|ー");
    assert_string_equal(words_of("ПРИВЕТ Ωμέγα", &c), "привет|ωμεγα");
    /* Spans are bytes of the original text. */
    words_of("Sì, è ok", &c);
    assert_string_equal(c.spans, "0-3,5-7,8-10");
    /* Ill-formed UTF-8 separates words, never crashes. */
    assert_string_equal(words_of("ab\xff\xfe"
                                 "cd\xc3",
                                 &c),
                        "ab|cd");
    assert_string_equal(words_of("", &c), "");
}

static void test_words_long(void **state)
{
    char text[300];
    struct collect c;
    (void)state;

    memset(text, 'a', 200);
    memcpy(text + 200, " b", 3);
    words_of(text, &c);
    assert_int_equal(c.n, 2);
    assert_int_equal(strchr(c.out, '|') - c.out, PZ_WORD_MAX);
    assert_string_equal(c.spans, "0-200,201-202");
    /* Cut at a character boundary: 40 two-byte letters are 80 bytes, 32 fit. */
    text[0] = '\0';
    for (int i = 0; i < 40; i++)
        memcpy(text + 2 * i, "\xc3\xa8", 3); /* è, folded to e (1 byte) */
    words_of(text, &c);
    assert_int_equal(strlen(c.out), 40);
    for (int i = 0; i < 40; i++)
        memcpy(text + 2 * i, "\xc3\xb8", 3); /* ø stays two bytes */
    words_of(text, &c);
    assert_int_equal(strlen(c.out), PZ_WORD_MAX);
}

/* The terms of WORD (folded by pz_words first), joined by '|'. */
static const char *terms_of(struct pz_stemmer *s, const char *word, int what, char *buf,
                            size_t size)
{
    struct collect c;
    struct pz_terms t;

    words_of(word, &c);
    assert_int_equal(c.n, 1);
    pz_word_terms(s, c.out, strlen(c.out), what, &t);
    buf[0] = '\0';
    for (int i = 0; i < t.n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%.*s", i ? "|" : "", (int)t.len[i], t.term[i]);
    }
    return buf;
}

/* Non-zero when the stems of A and B share a term. */
static int meet(struct pz_stemmer *s, const char *a, const char *b)
{
    char ta[200], tb[200], *save = NULL;

    terms_of(s, a, PZ_TERMS_STEMS, ta, sizeof(ta));
    terms_of(s, b, PZ_TERMS_STEMS, tb, sizeof(tb));
    for (char *t = strtok_r(ta, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
        char *save2 = NULL, copy[200];
        snprintf(copy, sizeof(copy), "%s", tb);
        for (char *u = strtok_r(copy, "|", &save2); u; u = strtok_r(NULL, "|", &save2))
            if (strcmp(t, u) == 0)
                return 1;
    }
    return 0;
}

static void test_terms(void **state)
{
    struct pz_stemmer *s = pz_stemmer_new();
    char buf[200];
    (void)state;

    assert_non_null(s);
    assert_true(meet(s, "scarpa", "scarpe"));
    assert_true(meet(s, "Scarpe", "SCARPA"));
    assert_true(meet(s, "perché", "perche"));
    assert_true(meet(s, "shoes", "shoe"));
    assert_true(meet(s, "deliveries", "delivery"));
    assert_true(meet(s, "ordini", "ordine"));
    assert_true(meet(s, "consegnato", "consegnati"));
    assert_true(meet(s, "città", "citta"));
    assert_false(meet(s, "scarpa", "sconto"));
    assert_false(meet(s, "fattura", "ordine"));
    /* The folded word, then its stems, each once. */
    assert_string_equal(terms_of(s, "Scarpe", PZ_TERMS_WORD | PZ_TERMS_STEMS, buf, sizeof(buf)),
                        "scarpe|scarp");
    assert_string_equal(terms_of(s, "Scarpe", PZ_TERMS_WORD, buf, sizeof(buf)), "scarpe");
    /* Short words, numbers and other scripts are not stemmed. */
    assert_string_equal(terms_of(s, "ok", PZ_TERMS_STEMS, buf, sizeof(buf)), "ok");
    assert_string_equal(terms_of(s, "2024", PZ_TERMS_STEMS, buf, sizeof(buf)), "2024");
    assert_string_equal(terms_of(s, "a4s", PZ_TERMS_STEMS, buf, sizeof(buf)), "a4s");
    assert_string_equal(terms_of(s, "привет", PZ_TERMS_STEMS, buf, sizeof(buf)), "привет");
    /* The cache answers the same as the stemmer, for long words too. */
    for (int i = 0; i < 3; i++) {
        assert_string_equal(terms_of(s, "precisazioni", PZ_TERMS_STEMS, buf, sizeof(buf)),
                            "precis|precisazioni");
        assert_string_equal(
            terms_of(s, "precipitevolissimevolmente", PZ_TERMS_STEMS, buf, sizeof(buf)),
            "precipitevolissimevol|precipitevolissimevolment");
    }
    pz_stemmer_free(s);
    pz_stemmer_free(NULL);
}

/* --- the index --------------------------------------------------------------------------- */

static struct {
    char dir[64];
    char path[128];
    struct pz_store *store;
    int64_t ws, conv, conv2;
} g;

static struct pz_conn *conn(void)
{
    struct pz_conn *c = pz_store_conn(g.store);
    assert_non_null(c);
    return c;
}

static int64_t conversation(const char *key)
{
    struct pz_stmt *st = pz_sql(conn(), "INSERT INTO conversations (workspace_id, channel,"
                                        " external_key, created_at, updated_at)"
                                        " VALUES ($1, 'whatsapp', $2, 0, 0)");
    assert_non_null(st);
    pz_sql_bind_int(st, 1, g.ws);
    pz_sql_bind_text(st, 2, key);
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);
    return pz_sql_last_id(conn());
}

static int group_setup(void **state)
{
    struct pz_err err = {0};
    struct workspace w;
    (void)state;

    snprintf(g.dir, sizeof(g.dir), "/tmp/pz-test-search-XXXXXX");
    if (!mkdtemp(g.dir))
        return -1;
    snprintf(g.path, sizeof(g.path), "%s/search.db", g.dir);
    if (pz_store_open(&g.store, g.path) != 0 || pz_store_migrate(g.store, NULL) != 0)
        return -1;
    if (workspace_create(pz_store_conn(g.store), "Uno", "uno", NULL, NULL, &w, &err) != 0)
        return -1;
    g.ws = w.id;
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
    (void)state;
    if (pz_sql_exec(conn(), "DELETE FROM conversations") != 0)
        return -1;
    g.conv = conversation("a");
    g.conv2 = conversation("b");
    return 0;
}

static int64_t add_message(int64_t conv, const char *body)
{
    static int serial;
    char key[32];
    struct pz_stmt *st = pz_sql(conn(), "INSERT INTO messages (workspace_id, conversation_id,"
                                        " dedup_key, direction, kind, sent_at, body, created_at)"
                                        " VALUES ($1, $2, $3, 'incoming', 'text', 0, $4, 0)");
    assert_non_null(st);
    snprintf(key, sizeof(key), "k%d", ++serial);
    pz_sql_bind_int(st, 1, g.ws);
    pz_sql_bind_int(st, 2, conv);
    pz_sql_bind_text(st, 3, key);
    pz_sql_bind_text(st, 4, body);
    assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
    pz_sql_done(st);
    return pz_sql_last_id(conn());
}

/* How many messages the FTS5 query Q matches. */
static int64_t matches(const char *q)
{
    int64_t n = -1;
    assert_int_equal(pz_sql_int_query(conn(),
                                      "SELECT count(*) FROM messages_search"
                                      " WHERE messages_search MATCH $1",
                                      &n, "t", q),
                     PZ_SQL_ROW);
    return n;
}

static void assert_index_sound(void)
{
    assert_int_equal(pz_sql_exec(conn(), "INSERT INTO messages_search (messages_search, rank)"
                                         " VALUES ('integrity-check', 1)"),
                     0);
}

static void test_index_matches(void **state)
{
    (void)state;
    add_message(g.conv, "Perché l'ordine non è arrivato?");
    add_message(g.conv, "Vorrei cambiare le SCARPE, taglia 42");
    add_message(g.conv, "The shoes were delivered yesterday");
    add_message(g.conv, "Ordinazione confermata 😀");
    add_message(g.conv, "");

    assert_int_equal(matches("perche"), 1);
    assert_int_equal(matches("PERCHÉ"), 1);
    /* The Italian stemmer joins "ordine" and "ordinazione" (both ordin). */
    assert_int_equal(matches("ordine"), 2);
    assert_int_equal(matches("ordini"), 2);
    assert_int_equal(matches("arrivati"), 1);
    assert_int_equal(matches("scarpa"), 1);
    assert_int_equal(matches("shoe"), 1);
    assert_int_equal(matches("deliver"), 1);
    assert_int_equal(matches("42"), 1);
    assert_int_equal(matches("\"ordine non\""), 1);
    assert_int_equal(matches("\"non ordine\""), 0);
    assert_int_equal(matches("\"ordin\" *"), 2); /* prefix: ordine, ordinazione */
    assert_int_equal(matches("\"ordinazio\" *"), 1);
    assert_int_equal(matches("\"arriv\" * \"perche\""), 1);
    assert_int_equal(matches("sconto"), 0);
    assert_index_sound();
}

static void test_index_follows_changes(void **state)
{
    int64_t a, b;
    (void)state;

    a = add_message(g.conv, "fattura di ottobre");
    b = add_message(g.conv2, "fattura di novembre");
    assert_int_equal(matches("fattura"), 2);

    assert_int_equal(pz_sql_int_query(conn(), "UPDATE messages SET body = $2 WHERE id = $1", NULL,
                                      "it", a, "ricevuta di ottobre"),
                     PZ_SQL_DONE);
    assert_int_equal(matches("fattura"), 1);
    assert_int_equal(matches("ricevute"), 1);

    assert_int_equal(pz_sql_one_int(conn(), "DELETE FROM messages WHERE id = $1", b, NULL),
                     PZ_SQL_DONE);
    assert_int_equal(matches("fattura"), 0);
    assert_int_equal(matches("novembre"), 0);

    /* A conversation deleted takes its messages out of the index. */
    add_message(g.conv2, "preventivo per il giardino");
    assert_int_equal(matches("giardino"), 1);
    assert_int_equal(
        pz_sql_one_int(conn(), "DELETE FROM conversations WHERE id = $1", g.conv2, NULL),
        PZ_SQL_DONE);
    assert_int_equal(matches("giardino"), 0);
    assert_index_sound();
}

static int64_t trigger_count(const char *name)
{
    int64_t n = -1;
    assert_int_equal(pz_sql_int_query(conn(),
                                      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"
                                      " AND name = $1",
                                      &n, "t", name),
                     PZ_SQL_ROW);
    return n;
}

static void test_index_deferred(void **state)
{
    (void)state;
    /* Deferred inserts are indexed at the commit, all of them. */
    assert_int_equal(pz_tx_begin(conn()), 0);
    pz_store_search_defer(conn());
    for (int i = 0; i < 50; i++)
        add_message(g.conv, i % 2 ? "consegna domani mattina" : "consegne in ritardo");
    assert_int_equal(matches("consegna"), 0); /* not yet */
    assert_int_equal(pz_tx_commit(conn()), 0);
    assert_int_equal(matches("consegna"), 50);
    assert_int_equal(matches("mattina"), 25);
    /* The deferral dropped the insert trigger for its transaction; the commit made it again,
     * so a plain insert is indexed at once. */
    assert_int_equal(trigger_count("messages_search_insert"), 1);
    add_message(g.conv, "armadio nuovo");
    assert_int_equal(matches("armadio"), 1);

    /* A rollback leaves nothing, and ends the deferral. */
    assert_int_equal(pz_tx_begin(conn()), 0);
    pz_store_search_defer(conn());
    add_message(g.conv, "magazzino vuoto");
    assert_int_equal(pz_tx_rollback(conn()), 0);
    assert_int_equal(matches("magazzino"), 0);
    assert_int_equal(trigger_count("messages_search_insert"), 1);
    add_message(g.conv, "magazzino pieno");
    assert_int_equal(matches("magazzino"), 1);
    assert_index_sound();
}

static int64_t count_of(struct pz_conn *c, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(pz_sql_one_int(c, sql, 0, &n), PZ_SQL_ROW);
    return n;
}

/*
 * A database made before sql/0015 (which rebuilt messages and their attachments) upgrades
 * with every message, its id, its attachments and its search index as they were.
 */
static void test_upgrade_keeps_messages(void **state)
{
    char path[160];
    struct pz_store *old = NULL;
    struct pz_conn *c;
    struct pz_err err = {0};
    struct workspace w;
    int64_t n = -1, conv = 0, first = 0;
    int applied = 0;
    (void)state;

    snprintf(path, sizeof(path), "%s/old.db", g.dir);
    assert_int_equal(pz_store_open(&old, path), 0);
    c = pz_store_conn(old);
    assert_non_null(c);
    /* The schema as it was at 0014: every migration below 0015, recorded as applied. */
    assert_int_equal(pz_sql_exec(c, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                                    " name TEXT NOT NULL, applied_at INTEGER NOT NULL)"),
                     0);
    for (int i = 0; i < pz_n_migrations && pz_migrations[i].version < 15; i++) {
        struct pz_stmt *st;
        assert_int_equal(pz_sql_exec(c, pz_migrations[i].sql), 0);
        st = pz_sql(c, "INSERT INTO schema_migrations (version, name, applied_at)"
                       " VALUES ($1, $2, 0)");
        assert_non_null(st);
        pz_sql_bind_int(st, 1, pz_migrations[i].version);
        pz_sql_bind_text(st, 2, pz_migrations[i].name);
        assert_int_equal(pz_sql_step(st), PZ_SQL_DONE);
        pz_sql_done(st);
    }
    assert_int_equal(count_of(c, "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'messages'"
                                 " AND name LIKE 'sqlite_autoindex_%'"),
                     2); /* UNIQUE (workspace_id, dedup_key) and UNIQUE (workspace_id, id) */
    assert_int_equal(workspace_create(c, "Vecchio", "vecchio", NULL, NULL, &w, &err), 0);
    assert_int_equal(pz_sql_int_query(c,
                                      "INSERT INTO conversations (workspace_id, channel,"
                                      " external_key, created_at, updated_at)"
                                      " VALUES ($1, 'whatsapp', 'old', 0, 0) RETURNING id",
                                      &conv, "i", w.id),
                     PZ_SQL_ROW);
    for (int i = 0; i < 30; i++) {
        char key[16];
        int64_t id = 0;
        snprintf(key, sizeof(key), "old%d", i);
        assert_int_equal(pz_sql_int_query(c,
                                          "INSERT INTO messages (workspace_id, conversation_id,"
                                          " dedup_key, direction, kind, sent_at, body, created_at)"
                                          " VALUES ($1, $2, $3, $4, 'text', $5, $6, 0)"
                                          " RETURNING id",
                                          &id, "iittit", w.id, conv, key,
                                          i % 3 ? "incoming" : "outgoing", (int64_t)i * 1000,
                                          i % 2 ? "Le scarpe sono arrivate" : "Perché in ritardo?"),
                         PZ_SQL_ROW);
        if (!first)
            first = id;
    }
    assert_int_equal(pz_sql_int_query(c,
                                      "INSERT INTO message_attachments (workspace_id, message_id,"
                                      " name, created_at) VALUES ($1, $2, 'foto.jpg', 0)"
                                      " RETURNING id",
                                      &n, "ii", w.id, first + 1),
                     PZ_SQL_ROW);

    assert_int_equal(pz_store_migrate(old, &applied), 0);
    assert_true(applied >= 1);
    assert_int_equal(count_of(c, "SELECT COUNT(*) FROM schema_migrations WHERE version = 15"), 1);
    /* Every message, with its id and text; the attachment still on its message. */
    assert_int_equal(count_of(c, "SELECT COUNT(*) FROM messages"), 30);
    assert_int_equal(
        pz_sql_int_query(c,
                         "SELECT COUNT(*) FROM messages WHERE id >= $1 AND id < $1 + 30"
                         " AND body = CASE WHEN (id - $1) % 2 = 1"
                         " THEN 'Le scarpe sono arrivate' ELSE 'Perché in ritardo?' END"
                         " AND direction = CASE WHEN (id - $1) % 3 = 0"
                         " THEN 'outgoing' ELSE 'incoming' END",
                         &n, "i", first),
        PZ_SQL_ROW);
    assert_int_equal(n, 30);
    assert_int_equal(pz_sql_int_query(c, "SELECT message_id FROM message_attachments", &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, first + 1);
    assert_int_equal(count_of(c, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%_0007'"), 0);
    assert_int_equal(count_of(c, "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'messages'"
                                 " AND name LIKE 'sqlite_autoindex_%'"),
                     1);
    /* The search index as it was, and kept in step by the triggers made again. */
    assert_int_equal(pz_sql_exec(c, "INSERT INTO messages_search (messages_search, rank)"
                                    " VALUES ('integrity-check', 1)"),
                     0);
    assert_int_equal(pz_sql_int_query(c,
                                      "SELECT COUNT(*) FROM messages_search"
                                      " WHERE messages_search MATCH 'scarpa'",
                                      &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, 15);
    assert_int_equal(pz_sql_int_query(c,
                                      "SELECT COUNT(*) FROM messages_search"
                                      " WHERE messages_search MATCH 'perche'",
                                      &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, 15);
    assert_int_equal(pz_sql_int_query(c,
                                      "UPDATE messages SET body = 'giardino' WHERE id = $1"
                                      " RETURNING id",
                                      &n, "i", first),
                     PZ_SQL_ROW);
    assert_int_equal(pz_sql_int_query(c,
                                      "SELECT COUNT(*) FROM messages_search"
                                      " WHERE messages_search MATCH 'giardino'",
                                      &n, ""),
                     PZ_SQL_ROW);
    assert_int_equal(n, 1);
    /* The constraints hold: a direction outside the three is refused; deleting a message
     * takes its attachments along. */
    assert_true(pz_sql_int_query(c,
                                 "INSERT INTO messages (workspace_id, conversation_id, dedup_key,"
                                 " direction, kind, sent_at, created_at)"
                                 " VALUES ($1, $2, 'new', $3, 'text', 0, 0)",
                                 &n, "iit", w.id, conv, "sideways") < 0);
    assert_true(pz_sql_int_query(c,
                                 "INSERT INTO messages (workspace_id, conversation_id, dedup_key,"
                                 " direction, kind, sent_at, created_at)"
                                 " VALUES ($1, $2, 'old3', 'incoming', 'text', 0, 0)",
                                 &n, "ii", w.id, conv) < 0);
    assert_int_equal(count_of(c, "SELECT COUNT(*) FROM messages"), 30);
    assert_int_equal(
        pz_sql_int_query(c, "DELETE FROM messages WHERE id = $1 RETURNING id", &n, "i", first + 1),
        PZ_SQL_ROW);
    assert_int_equal(count_of(c, "SELECT COUNT(*) FROM message_attachments"), 0);
    assert_int_equal(pz_sql_exec(c, "INSERT INTO messages_search (messages_search, rank)"
                                    " VALUES ('integrity-check', 1)"),
                     0);
    /* 0018 rebuilt conversations (their CHECKs as comparisons): the conversation keeps its
     * id, every reference holds, a channel outside the list is refused, and deleting the
     * conversation still takes its messages along. */
    assert_int_equal(count_of(c, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
    assert_int_equal(pz_sql_int_query(c,
                                      "SELECT COUNT(*) FROM conversations WHERE id = $1"
                                      " AND channel = 'whatsapp' AND external_key = 'old'",
                                      &n, "i", conv),
                     PZ_SQL_ROW);
    assert_int_equal(n, 1);
    assert_true(pz_sql_int_query(c,
                                 "INSERT INTO conversations (workspace_id, channel, external_key,"
                                 " created_at, updated_at) VALUES ($1, 'fax', 'new', 0, 0)",
                                 &n, "i", w.id) < 0);
    assert_true(pz_sql_exec(c, "UPDATE conversations SET status = 'closed'") < 0);
    assert_true(pz_sql_exec(c, "UPDATE conversations SET priority = 'whenever'") < 0);
    assert_int_equal(pz_sql_exec(c, "UPDATE conversations SET status = 'snoozed',"
                                    " priority = 'urgent'"),
                     0);
    assert_int_equal(
        pz_sql_int_query(c, "DELETE FROM conversations WHERE id = $1 RETURNING id", &n, "i", conv),
        PZ_SQL_ROW);
    assert_int_equal(count_of(c, "SELECT COUNT(*) FROM messages"), 0);
    pz_store_close(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_fold),
        cmocka_unit_test(test_words_long),
        cmocka_unit_test(test_terms),
        cmocka_unit_test_setup(test_index_matches, wipe),
        cmocka_unit_test_setup(test_index_follows_changes, wipe),
        cmocka_unit_test_setup(test_index_deferred, wipe),
        cmocka_unit_test(test_upgrade_keeps_messages),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
