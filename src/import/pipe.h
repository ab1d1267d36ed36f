/*
 * A reader on a thread of its own, handing events over to the caller's
 * thread: the machinery under chat_read_pipelined (chat_pipe.h) and
 * import_read_pipelined (record_pipe.h), so that a big import's parsing
 * costs no time on the database writer's thread when a second core is free.
 *
 * The reader's thread records each event (a tag, then its fields: integers
 * as 8 bytes, strings as a length, -1 for NULL, and their bytes with a NUL)
 * into the batch being filled; a full batch goes to a queue, from which the
 * caller's thread replays its events in order, the strings pointing into the
 * batch for the length of the replay. Batches are reused, PIPE_BATCHES of
 * them at most: memory stays bounded whatever the file's size. When a replay
 * returns non-zero the reader is stopped at its next event, and the events
 * it recorded past that point are dropped.
 *
 * An event the reader must wait on (an attachment read through the reader's
 * own archive, say) ends with event_pipe_end_sync: its batch is handed over
 * at once and the reader waits until it has been replayed, then gets the
 * replay's answer.
 */
#ifndef PZ_IMPORT_PIPE_H
#define PZ_IMPORT_PIPE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "import/record.h"

#define PIPE_BATCHES 4

struct pipe_batch {
    char *data;
    size_t len, cap;
};

struct pipe_cursor {
    const char *at, *end;
};

struct event_pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pipe_batch slots[PIPE_BATCHES];
    int ready[PIPE_BATCHES]; /* queue of filled slots, in order */
    int n_ready, head;
    int free_slots[PIPE_BATCHES];
    int n_free;
    int filling; /* the reader's slot, -1 none */
    int done;    /* the reader returned */
    int stop;    /* a replay's non-zero answer: the reader stops */
    int sync_waiting, sync_answered, sync_result;
};

/* --- the reader's thread --- */

/*
 * Starts recording an event with TAG (> 0): returns the batch to put its
 * fields into, the pipe locked; or NULL, unlocked, when a replay has asked
 * to stop (*STOP then its answer). End with event_pipe_end or
 * event_pipe_end_sync.
 */
struct pipe_batch *event_pipe_begin(struct event_pipe *p, int tag, int *stop);
void event_pipe_end(struct event_pipe *p);
/* Hands the batch over now and waits for the event's replay; returns its answer. */
int event_pipe_end_sync(struct event_pipe *p);

void pipe_put_int(struct pipe_batch *b, int64_t v);
void pipe_put_strn(struct pipe_batch *b, const char *s, size_t n); /* S may be NULL */
void pipe_put_str(struct pipe_batch *b, const char *s);            /* S may be NULL */
/* A problem the reader reported (its on_skip), read back by pipe_get_problem. */
void pipe_put_problem(struct pipe_batch *b, const struct import_problem *ip);

/* --- the caller's thread --- */

int64_t pipe_get_int(struct pipe_cursor *c);
const char *pipe_get_strn(struct pipe_cursor *c, size_t *n); /* NULL for a NULL */
const char *pipe_get_str(struct pipe_cursor *c);
void pipe_get_problem(struct pipe_cursor *c, struct import_problem *ip);

/*
 * Runs READ(P, ARG) on a thread of its own, recording events into P, and
 * replays them here with REPLAY(ARG, TAG, CURSOR), which reads the event's
 * fields from CURSOR in the order they were put and returns 0 to go on.
 * Sets *READ_RESULT to what READ returned and *STOP to the first non-zero
 * answer of REPLAY (0 when none). Returns 0, or -1 when no thread could be
 * started: then nothing was read, and the caller reads on its own thread.
 */
int event_pipe_run(struct event_pipe *p, int (*read)(struct event_pipe *p, void *arg),
                   int (*replay)(void *arg, int tag, struct pipe_cursor *c), void *arg,
                   int *read_result, int *stop);

#endif
