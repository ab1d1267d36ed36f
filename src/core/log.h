/*
 * Logging: one line per event on standard error, with a UTC timestamp and a
 * level. The level threshold is process-wide and set once at start-up
 * (piazza serve --log-level). Lines are written with a single write(2) so
 * that lines from different worker threads never interleave.
 */
#ifndef PZ_LOG_H
#define PZ_LOG_H

enum pz_log_level { PZ_LOG_DEBUG = 0, PZ_LOG_INFO, PZ_LOG_WARN, PZ_LOG_ERROR, PZ_LOG_OFF };

/* Sets the threshold; events below it are dropped. */
void pz_log_set_level(enum pz_log_level level);

/* Returns the current threshold. */
enum pz_log_level pz_log_get_level(void);

/* Parses "debug", "info", "warn", "error" or "off"; returns 0, or -1 for anything else. */
int pz_log_parse_level(const char *name, enum pz_log_level *out);

/* Returns non-zero when an event at LEVEL would be written. */
int pz_log_enabled(enum pz_log_level level);

/* Writes one line. The message is truncated at 2 KiB. */
void pz_log(enum pz_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
