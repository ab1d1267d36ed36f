/*
 * import_read on two threads (pipe.h): the contacts file is parsed on a
 * thread of its own while the caller's thread runs the sink (the database
 * writer). Same contract as import_read (detect.h), with the sink called on
 * the caller's thread only, in the reader's order; when on_record returns
 * non-zero the reader stops at its next record and that value is returned,
 * as import_read does. Without a thread it is import_read itself.
 */
#ifndef PZ_IMPORT_RECORD_PIPE_H
#define PZ_IMPORT_RECORD_PIPE_H

#include "import/record.h"

int import_read_pipelined(const char *format, const char *path, const struct import_sink *sink,
                          struct import_problem *fatal);

#endif
