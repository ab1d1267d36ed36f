/*
 * chat_read on two threads: the reader parses the file on a thread of its
 * own while the caller's thread runs the sink (the database writer), so a big
 * import's parsing costs no time on the writer's thread when a second core
 * is free.
 *
 * Same contract as chat_read (chat.h), with the sink called on the caller's
 * thread only, in the reader's order. The reader's events are copied into
 * batches of a bounded size (a few at most in flight: memory stays bounded
 * whatever the file size). An attachment whose file the export has (a read
 * function, which reads the reader's archive) is handed over synchronously:
 * the reader waits while the sink reads it. When a sink call returns
 * non-zero, the reader is stopped at its next event and that value is
 * returned, as chat_read does; events it read past that point are dropped.
 * Without a thread (pthread_create failing) it is chat_read itself.
 */
#ifndef PZ_IMPORT_CHAT_PIPE_H
#define PZ_IMPORT_CHAT_PIPE_H

#include "import/chat.h"

int chat_read_pipelined(const char *format, const char *path, const struct chat_options *opts,
                        const struct chat_sink *sink, struct import_problem *fatal);

#endif
