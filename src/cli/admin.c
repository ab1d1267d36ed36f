/*
 * Administrative commands: migrate, stats, workspace add, user add, token
 * create, routes. They share --db handling and pick the workspace the same
 * way (cli_workspace).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts/audit.h"
#include "accounts/token.h"
#include "accounts/user.h"
#include "accounts/workspace.h"
#include "api/api.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/banned.h"

/* Creates every missing folder above the file PATH. */
static int make_parent_dirs(const char *path)
{
    char *copy = xstrdup(path);
    int r = 0;

    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0750) != 0 && errno != EEXIST) {
            fprintf(stderr, "piazza: cannot create folder '%s': %s\n", copy, strerror(errno));
            r = -1;
            break;
        }
        *p = '/';
    }
    free(copy);
    return r;
}

int cli_open_db(const char *path, struct pz_store **out)
{
    int applied = 0;

    *out = NULL;
    if (make_parent_dirs(path) < 0)
        return PZ_EIO;
    if (pz_store_open(out, path) < 0) {
        fprintf(stderr, "piazza: cannot open the database '%s'\n", path);
        return PZ_EDB;
    }
    if (pz_store_migrate(*out, &applied) < 0) {
        fprintf(stderr, "piazza: cannot migrate the database '%s'\n", path);
        pz_store_close(*out);
        *out = NULL;
        return PZ_EDB;
    }
    return 0;
}

int cli_workspace(struct pz_conn *conn, const char *slug, int create_default, struct workspace *out)
{
    struct pz_stmt *st;
    int64_t n;
    int r;

    if (slug) {
        r = workspace_find_slug(conn, slug, out);
        if (r == PZ_ENOTFOUND)
            fprintf(stderr, "piazza: no workspace with the short name '%s'\n", slug);
        return r;
    }
    n = workspace_count(conn);
    if (n < 0)
        return (int)n;
    if (n == 0 && create_default) {
        struct pz_err err = {0};
        r = workspace_create(conn, "piazza", "piazza", "it", "Europe/Rome", out, &err);
        if (r == 0)
            fprintf(stderr, "piazza: created the workspace 'piazza' (no workspace existed)\n");
        return r;
    }
    if (n != 1) {
        fprintf(stderr, "piazza: %s; name one with --workspace SLUG\n",
                n == 0 ? "there is no workspace yet" : "there are several workspaces");
        return PZ_EINVAL;
    }
    st = pz_sql(conn, "SELECT MIN(workspace_id) FROM workspaces");
    if (!st)
        return PZ_EDB;
    r = pz_sql_step(st);
    n = r == PZ_SQL_ROW ? pz_sql_int(st, 0) : 0;
    pz_sql_done(st);
    return workspace_get(conn, n, out);
}

/* Parses the options every admin command shares plus the command's own. */
struct admin_opts {
    const char *db, *workspace, *email, *name, *role, *slug, *locale, *timezone;
    int json, password_stdin;
};

static int parse_admin(int argc, char **argv, struct admin_opts *o, const char *usage)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"workspace", required_argument, NULL, 'w'},
        {"email", required_argument, NULL, 'e'},  {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'},   {"slug", required_argument, NULL, 's'},
        {"locale", required_argument, NULL, 'l'}, {"timezone", required_argument, NULL, 'z'},
        {"json", no_argument, NULL, 'j'},         {"password-stdin", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int opt;

    memset(o, 0, sizeof(*o));
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            o->db = optarg;
            break;
        case 'w':
            o->workspace = optarg;
            break;
        case 'e':
            o->email = optarg;
            break;
        case 'n':
            o->name = optarg;
            break;
        case 'r':
            o->role = optarg;
            break;
        case 's':
            o->slug = optarg;
            break;
        case 'l':
            o->locale = optarg;
            break;
        case 'z':
            o->timezone = optarg;
            break;
        case 'j':
            o->json = 1;
            break;
        case 'p':
            o->password_stdin = 1;
            break;
        case 'h':
            printf("usage: %s\n", usage);
            return 1;
        default:
            return cli_usage("usage: %s", usage);
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'; usage: %s", argv[optind], usage);
    o->db = cli_opt(o->db, "PIAZZA_DB", DEFAULT_DB);
    return 0;
}

int cmd_migrate(int argc, char **argv)
{
    struct admin_opts o;
    struct pz_store *store;
    int r = parse_admin(argc, argv, &o, "piazza migrate [--db PATH]");

    if (r)
        return r == 1 ? EXIT_OK : r;
    if (cli_open_db(o.db, &store) < 0)
        return EXIT_FAIL;
    printf("database %s is at schema version %d\n", o.db, pz_store_schema_version(store));
    pz_store_close(store);
    return EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
    static const char *const tables[] = {"workspaces", "users",    "contacts",   "conversations",
                                         "messages",   "sessions", "api_tokens", "audit_log"};
    struct admin_opts o;
    struct pz_store *store;
    struct pz_conn *conn;
    struct pz_buf out;
    struct pz_json j;
    int r = parse_admin(argc, argv, &o, "piazza stats [--db PATH] [--json]");

    if (r)
        return r == 1 ? EXIT_OK : r;
    if (access(o.db, F_OK) != 0) {
        fprintf(stderr, "piazza: no database at '%s'\n", o.db);
        return EXIT_FAIL;
    }
    if (cli_open_db(o.db, &store) < 0)
        return EXIT_FAIL;
    conn = pz_store_conn(store);
    pz_buf_init(&out, 1 << 20);
    pz_json_init(&j, &out);
    pz_json_begin_object(&j);
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        int64_t n = 0;
        char sql[128];
        /* Tables of capabilities not built yet count as empty. */
        if (pz_store_table_exists(conn, tables[i]) == 1) {
            snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", tables[i]);
            struct pz_stmt *st = pz_sql(conn, sql);
            if (st && pz_sql_step(st) == PZ_SQL_ROW)
                n = pz_sql_int(st, 0);
            pz_sql_done(st);
        }
        if (o.json)
            pz_json_kint(&j, tables[i], n);
        else
            printf("%-14s %lld\n", tables[i], (long long)n);
    }
    {
        /* Contacts a big import left for the server to index for search (store.h). */
        int64_t waiting = 0;
        if (pz_store_table_exists(conn, "contacts") == 1)
            pz_store_text_pending(conn, "contacts", &waiting);
        if (o.json)
            pz_json_kint(&j, "contacts_awaiting_index", waiting);
        else
            printf("%-14s %lld\n", "contacts awaiting the search index", (long long)waiting);
    }
    pz_json_end_object(&j);
    if (o.json)
        printf("%s\n", pz_buf_str(&out));
    pz_buf_release(&out);
    pz_store_close(store);
    return EXIT_OK;
}

int cmd_workspace(int argc, char **argv)
{
    static const char usage[] = "piazza workspace add --name NAME [--slug SLUG] [--locale it|en]"
                                " [--timezone ZONE] [--db PATH]";
    struct admin_opts o;
    struct pz_store *store;
    struct workspace w;
    struct pz_err err = {0};
    int r;

    if (argc < 2 || strcmp(argv[1], "add") != 0)
        return cli_usage("usage: %s", usage);
    r = parse_admin(argc - 1, argv + 1, &o, usage);
    if (r)
        return r == 1 ? EXIT_OK : r;
    if (!o.name)
        return cli_usage("--name is required; usage: %s", usage);
    if (cli_open_db(o.db, &store) < 0)
        return EXIT_FAIL;
    r = workspace_create(pz_store_conn(store), o.name, o.slug, o.locale, o.timezone, &w, &err);
    pz_store_close(store);
    if (r < 0) {
        fprintf(stderr, "piazza: %s\n", err.code ? err.message : "cannot create the workspace");
        return EXIT_FAIL;
    }
    printf("workspace %s (%s) created\n", w.slug, w.name);
    return EXIT_OK;
}

/* Reads one line from standard input into OUT, without its newline. */
static int read_password(char *out, size_t outsz)
{
    size_t n;
    if (!fgets(out, (int)outsz, stdin))
        return -1;
    n = strlen(out);
    if (n == outsz - 1 && out[n - 1] != '\n')
        return -1;
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return 0;
}

int cmd_user(int argc, char **argv)
{
    static const char usage[] = "piazza user add --email E --name N --role R [--workspace SLUG]"
                                " [--password-stdin] [--db PATH]";
    struct admin_opts o;
    struct pz_store *store;
    struct pz_conn *conn;
    struct workspace w = {0};
    struct user u = {0};
    struct pz_err err = {0};
    char password[1100];
    int r, generated = 0;

    if (argc < 2 || strcmp(argv[1], "add") != 0)
        return cli_usage("usage: %s", usage);
    r = parse_admin(argc - 1, argv + 1, &o, usage);
    if (r)
        return r == 1 ? EXIT_OK : r;
    if (!o.email || !o.name || !o.role)
        return cli_usage("--email, --name and --role are required; usage: %s", usage);
    if (role_parse(o.role) == ROLE_NONE)
        return cli_usage("--role must be owner, manager, agent, member or consultant, not '%s'",
                         o.role);
    if (o.password_stdin) {
        if (read_password(password, sizeof(password)) < 0) {
            fprintf(stderr, "piazza: no password on standard input (or longer than 1 KiB)\n");
            return EXIT_FAIL;
        }
    } else {
        password_generate(password, sizeof(password));
        generated = 1;
    }
    if (cli_open_db(o.db, &store) < 0)
        return EXIT_FAIL;
    conn = pz_store_conn(store);
    r = cli_workspace(conn, o.workspace, 1, &w);
    if (r == 0)
        r = user_create(conn, w.id, o.email, o.name, role_parse(o.role), password, generated, &u,
                        &err);
    if (r == 0)
        r = audit_add(conn, w.id, 0, "user.create", u.email, "cli", role_name(u.role));
    pz_store_close(store);
    if (r < 0) {
        if (err.code)
            fprintf(stderr, "piazza: %s\n", err.message);
        return EXIT_FAIL;
    }
    printf("user %s (%s) added to workspace %s\n", u.email, role_name(u.role), w.slug);
    if (generated)
        printf("temporary password (to change at first sign-in): %s\n", password);
    return EXIT_OK;
}

int cmd_token(int argc, char **argv)
{
    static const char usage[] =
        "piazza token create --email E [--name N] [--workspace SLUG] [--db PATH]";
    struct admin_opts o;
    struct pz_store *store;
    struct pz_conn *conn;
    struct workspace w = {0};
    struct user u = {0};
    struct api_token t = {0};
    struct pz_err err = {0};
    char secret[TOKEN_SECRET_LEN];
    int r;

    if (argc < 2 || strcmp(argv[1], "create") != 0)
        return cli_usage("usage: %s", usage);
    r = parse_admin(argc - 1, argv + 1, &o, usage);
    if (r)
        return r == 1 ? EXIT_OK : r;
    if (!o.email)
        return cli_usage("--email is required; usage: %s", usage);
    if (cli_open_db(o.db, &store) < 0)
        return EXIT_FAIL;
    conn = pz_store_conn(store);
    r = cli_workspace(conn, o.workspace, 0, &w);
    if (r == 0) {
        r = user_find_email(conn, w.id, o.email, &u);
        if (r == PZ_ENOTFOUND)
            fprintf(stderr, "piazza: no user %s in workspace %s\n", o.email, w.slug);
    }
    if (r == 0 && u.disabled) {
        fprintf(stderr, "piazza: the user %s is disabled\n", o.email);
        r = PZ_EPERM;
    }
    if (r == 0)
        r = token_create(conn, &u, o.name, &t, secret, &err);
    if (r == 0)
        r = audit_add(conn, w.id, u.id, "token.create", t.name, "cli", t.prefix);
    pz_store_close(store);
    if (r < 0) {
        if (err.code)
            fprintf(stderr, "piazza: %s\n", err.message);
        return EXIT_FAIL;
    }
    printf("token '%s' for %s created; it is shown only now:\n%s\n", t.name, u.email, secret);
    return EXIT_OK;
}

int cmd_routes(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < pz_n_routes; i++) {
        const struct pz_route *r = &pz_routes[i];
        printf("%s %s %s %zu %s\n", r->method, r->path,
               r->min_role == ROLE_NONE         ? "public"
               : r->min_role == ROLE_CONSULTANT ? "any"
                                                : role_name(r->min_role),
               r->body_limit, (r->flags & PZ_ROUTE_CHANGES_STATE) ? "STATE" : "-");
    }
    return EXIT_OK;
}
