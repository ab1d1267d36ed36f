/*
 * piazza's entry point: finds the subcommand in the table and runs it.
 * Exit codes: 0 success, 1 failure or refused input, 2 usage error.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/banned.h"

#ifndef PZ_VERSION
#define PZ_VERSION "0.0.0-dev"
#endif

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"serve", cmd_serve, "run the web server and API"},
    {"migrate", cmd_migrate, "create or upgrade the database"},
    {"stats", cmd_stats, "row counts of the main tables"},
    {"user", cmd_user, "add a user: user add --email E --name N --role R"},
    {"token", cmd_token, "create an API token: token create --email E"},
    {"workspace", cmd_workspace, "add a workspace: workspace add --name N --slug S"},
    {"import", cmd_import,
     "import contacts and chats: import [FORMAT] FILE... (vCard, CSV, LinkedIn, WhatsApp)"},
    {"rebuild", cmd_rebuild, "recompute derived data: rebuild scores|search"},
    {"routes", cmd_routes, "list the HTTP API routes"},
};

static void usage(FILE *f)
{
    fprintf(f, "piazza %s: the social business hub\n\nusage: piazza COMMAND [OPTIONS]\n\n",
            PZ_VERSION);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f,
            "\n'piazza COMMAND --help' tells more. Every command takes --db PATH "
            "(or PIAZZA_DB; default %s).\n",
            DEFAULT_DB);
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    fputs("piazza: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

const char *cli_opt(const char *value, const char *env, const char *default_value)
{
    const char *e;
    if (value)
        return value;
    e = env ? getenv(env) : NULL;
    if (e && *e)
        return e;
    return default_value;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "piazza: libsodium could not start\n");
        return EXIT_FAIL;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("piazza %s\n", PZ_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "piazza: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
