/*
 * Logging to standard error. See log.h. The line is formatted into a stack
 * buffer and written with one write(2), which POSIX makes atomic for pipes
 * up to PIPE_BUF and which in practice keeps lines whole on files too.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

static volatile enum pz_log_level threshold = PZ_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void pz_log_set_level(enum pz_log_level level)
{
    threshold = level;
}

enum pz_log_level pz_log_get_level(void)
{
    return threshold;
}

int pz_log_parse_level(const char *name, enum pz_log_level *out)
{
    for (int i = 0; i <= (int)PZ_LOG_OFF; i++) {
        if (name && strcmp(name, level_names[i]) == 0) {
            *out = (enum pz_log_level)i;
            return 0;
        }
    }
    return -1;
}

int pz_log_enabled(enum pz_log_level level)
{
    return level >= threshold && level < PZ_LOG_OFF;
}

void pz_log(enum pz_log_level level, const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    size_t n;
    int w;
    va_list ap;

    if (!pz_log_enabled(level))
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    w = snprintf(line + n, sizeof(line) - n, ".%03ldZ %-5s ", ts.tv_nsec / 1000000L,
                 level_names[level]);
    if (w > 0)
        n += (size_t)w;
    va_start(ap, fmt);
    w = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (w < 0)
        w = 0;
    n += (size_t)w;
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, n) < 0) {
        /* Nowhere left to report a failed log write. */
    }
}
