/*
 * Parse only, for bench/inbox/run.sh: piazza's own chat reader
 * (src/import/whatsapp.c through chat_read, exactly as `piazza import` calls
 * it) with a sink that counts and writes nothing, so the benchmark can set the
 * reader's rate beside the whatsapp-chat-parser npm package's on the same
 * file. Built by run.sh against the release objects (build/rel).
 *
 *   parse FILE [FORMAT]
 *
 * Prints "messages text_bytes participants seconds" (wall-clock, from opening
 * the file to the end) and exits 0, or 1 when the file was refused.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "import/chat.h"

struct counts {
    long messages, participants, skipped;
    unsigned long long text_bytes;
};

static int on_begin(const struct chat_conversation *c, void *arg)
{
    (void)c;
    (void)arg;
    return 0;
}

static int on_participant(const struct chat_participant *p, void *arg)
{
    struct counts *n = arg;
    (void)p;
    n->participants++;
    return 0;
}

static int on_message(const struct chat_message *m, void *arg)
{
    struct counts *n = arg;
    n->messages++;
    n->text_bytes += m->text_len;
    return 0;
}

static int on_attachment(const struct chat_attachment *a, void *arg)
{
    (void)a;
    (void)arg;
    return 0;
}

static int on_end(void *arg)
{
    (void)arg;
    return 0;
}

static void on_skip(const struct import_problem *p, void *arg)
{
    struct counts *n = arg;
    (void)p;
    n->skipped++;
}

int main(int argc, char **argv)
{
    struct counts n;
    struct chat_sink sink;
    struct chat_options opts;
    struct import_problem fatal;
    struct timespec t0, t1;
    int r;

    if (argc < 2) {
        fprintf(stderr, "usage: parse FILE [FORMAT]\n");
        return 2;
    }
    memset(&n, 0, sizeof(n));
    memset(&sink, 0, sizeof(sink));
    memset(&opts, 0, sizeof(opts));
    memset(&fatal, 0, sizeof(fatal));
    sink.begin = on_begin;
    sink.participant = on_participant;
    sink.message = on_message;
    sink.attachment = on_attachment;
    sink.end = on_end;
    sink.on_skip = on_skip;
    sink.arg = &n;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = chat_read(argc > 2 ? argv[2] : "whatsapp", argv[1], &opts, &sink, &fatal);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r != 0) {
        fprintf(stderr, "%s:%ld: %s\n", fatal.file ? fatal.file : argv[1], fatal.line,
                fatal.message);
        return 1;
    }
    printf("%ld %llu %ld %.3f\n", n.messages, n.text_bytes, n.participants,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
