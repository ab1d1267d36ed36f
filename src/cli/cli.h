/*
 * The piazza command line: one table of subcommands (main.c), each a
 * function taking its own arguments. Shared helpers for options that every
 * command has (--db, --workspace) live here too.
 */
#ifndef PZ_CLI_H
#define PZ_CLI_H

#include "accounts/workspace.h"
#include "store/store.h"

/* Exit codes. */
#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

#define DEFAULT_DB "piazza-data/piazza.db"

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_workspace(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_rebuild(int argc, char **argv);

/* Prints "piazza: MSG" on stderr and returns EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Returns VALUE, else the environment variable ENV, else DEFAULT_VALUE. */
const char *cli_opt(const char *value, const char *env, const char *default_value);

/*
 * Opens (creating its folder when missing) and migrates the database at PATH.
 * Returns 0 or prints why not and returns a negative code.
 */
int cli_open_db(const char *path, struct pz_store **out);

/*
 * Picks the workspace for a command: by SLUG when given, else the only one.
 * With CREATE_DEFAULT and no workspace at all, makes one named "piazza".
 * Prints the reason on failure and returns a negative code.
 */
int cli_workspace(struct pz_conn *conn, const char *slug, int create_default,
                  struct workspace *out);

#endif
