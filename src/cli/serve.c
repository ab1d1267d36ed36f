/*
 * piazza serve: opens and migrates the database, starts the HTTP server and
 * waits for SIGTERM or SIGINT, then stops accepting, lets requests in flight
 * finish, closes the database and exits 0. Uploaded imports wait in the
 * folder "uploads" next to the database file. The signals are blocked before
 * any thread starts and taken with sigwait(), so no handler runs in a
 * worker and shutdown happens in one place.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/text.h"
#include "http/server.h"
#include "core/banned.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"

static void serve_help(void)
{
    printf("usage: piazza serve [OPTIONS]\n\n"
           "Runs the web UI and API. Flags win over PIAZZA_* environment variables,\n"
           "which win over the defaults.\n\n"
           "  --db PATH            SQLite database file (PIAZZA_DB; default %s)\n"
           "  --listen HOST:PORT   address to listen on (PIAZZA_LISTEN; default %s;\n"
           "                       port 0 picks a free one)\n"
           "  --public-url URL     the address people use, e.g. https://piazza.example.com\n"
           "                       (PIAZZA_PUBLIC_URL); its host is allowed and https makes\n"
           "                       cookies Secure\n"
           "  --web-dir DIR        serve the UI from DIR instead of the embedded copy\n"
           "                       (PIAZZA_WEB_DIR; for development)\n"
           "  --log-level LEVEL    debug, info, warn, error or off (PIAZZA_LOG_LEVEL;\n"
           "                       default info: one line per request)\n"
           "  --threads N          worker threads (PIAZZA_THREADS; default: one per core)\n"
           "  --max-streams N      live update streams open at once (PIAZZA_MAX_STREAMS;\n"
           "                       default %d); each holds a connection, not a thread\n"
           "  --stream-keepalive S seconds between keep-alive comments on live update\n"
           "                       streams (PIAZZA_STREAM_KEEPALIVE; default %d)\n",
           DEFAULT_DB, DEFAULT_LISTEN, PZ_STREAM_MAX_DEFAULT, PZ_STREAM_KEEPALIVE_S);
}

/* Splits "HOST:PORT", "[V6]:PORT" or "PORT" into a numeric host and a port. */
static int parse_listen(const char *s, char *host, size_t hostsz, int *port)
{
    const char *colon;
    int64_t p;

    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':' || (size_t)(end - s - 1) >= hostsz)
            return -1;
        memcpy(host, s + 1, (size_t)(end - s - 1));
        host[end - s - 1] = '\0';
        colon = end + 1;
    } else if ((colon = strrchr(s, ':'))) {
        if ((size_t)(colon - s) >= hostsz)
            return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        if (!host[0] || strcmp(host, "localhost") == 0)
            snprintf(host, hostsz, "127.0.0.1");
    } else {
        snprintf(host, hostsz, "127.0.0.1");
        colon = s - 1;
    }
    if (pz_parse_int64(colon + 1, 0, 65535, &p) < 0)
        return -1;
    *port = (int)p;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"public-url", required_argument, NULL, 'u'},
        {"web-dir", required_argument, NULL, 'w'},
        {"log-level", required_argument, NULL, 'v'},
        {"threads", required_argument, NULL, 't'},
        {"max-streams", required_argument, NULL, 'm'},
        {"stream-keepalive", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *listen = NULL, *public_url = NULL, *web_dir = NULL, *level = NULL,
               *threads = NULL, *max_streams = NULL, *keepalive = NULL;
    struct pz_http_config hc = {0};
    struct pz_api_config ac = {0};
    struct pz_http_app app;
    struct pz_store *store = NULL;
    struct pz_api *api = NULL;
    struct pz_http_server *server = NULL;
    enum pz_log_level lvl;
    char host[64], shown[80], uploads[4096], data_dir[4096];
    const char *slash;
    int port, opt, sig;
    int64_t n_threads = 0, n_streams = PZ_STREAM_MAX_DEFAULT, keepalive_s = PZ_STREAM_KEEPALIVE_S;
    sigset_t set;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'u':
            public_url = optarg;
            break;
        case 'w':
            web_dir = optarg;
            break;
        case 'v':
            level = optarg;
            break;
        case 't':
            threads = optarg;
            break;
        case 'm':
            max_streams = optarg;
            break;
        case 'k':
            keepalive = optarg;
            break;
        case 'h':
            serve_help();
            return EXIT_OK;
        default:
            return cli_usage("see 'piazza serve --help'");
        }
    }
    if (optind < argc)
        return cli_usage("serve takes no argument '%s'", argv[optind]);
    db = cli_opt(db, "PIAZZA_DB", DEFAULT_DB);
    listen = cli_opt(listen, "PIAZZA_LISTEN", DEFAULT_LISTEN);
    public_url = cli_opt(public_url, "PIAZZA_PUBLIC_URL", NULL);
    web_dir = cli_opt(web_dir, "PIAZZA_WEB_DIR", NULL);
    level = cli_opt(level, "PIAZZA_LOG_LEVEL", "info");
    threads = cli_opt(threads, "PIAZZA_THREADS", NULL);
    max_streams = cli_opt(max_streams, "PIAZZA_MAX_STREAMS", NULL);
    keepalive = cli_opt(keepalive, "PIAZZA_STREAM_KEEPALIVE", NULL);
    if (pz_log_parse_level(level, &lvl) < 0)
        return cli_usage("--log-level must be debug, info, warn, error or off, not '%s'", level);
    pz_log_set_level(lvl);
    if (parse_listen(listen, host, sizeof(host), &port) < 0)
        return cli_usage("--listen must be HOST:PORT with a numeric host, not '%s'", listen);
    if (threads && pz_parse_int64(threads, 1, 256, &n_threads) < 0)
        return cli_usage("--threads must be a number from 1 to 256");
    if (max_streams && pz_parse_int64(max_streams, 1, 100000, &n_streams) < 0)
        return cli_usage("--max-streams must be a number from 1 to 100000");
    if (keepalive && pz_parse_int64(keepalive, 1, 300, &keepalive_s) < 0)
        return cli_usage("--stream-keepalive must be a number of seconds from 1 to 300");

    /* Block the stop signals now, so every thread started from here inherits the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (cli_open_db(db, &store) < 0)
        return EXIT_FAIL;
    ac.public_url = public_url;
    ac.web_dir = web_dir;
    /* Uploads wait for their import job in the data folder, next to the database. */
    slash = strrchr(db, '/');
    snprintf(uploads, sizeof(uploads), "%.*s%suploads", slash ? (int)(slash - db) : 1,
             slash ? db : ".", "/");
    ac.upload_dir = uploads;
    /* Imported attachments are in the data folder too (see piazza import). */
    snprintf(data_dir, sizeof(data_dir), "%.*s", slash ? (int)(slash - db) : 1, slash ? db : ".");
    ac.data_dir = data_dir[0] ? data_dir : "/";
    ac.max_streams = (unsigned)n_streams;
    ac.stream_keepalive_s = (int)keepalive_s;
    api = pz_api_new(store, &ac);
    if (!api) {
        pz_store_close(store);
        return EXIT_FAIL;
    }
    hc.host = host;
    hc.port = port;
    hc.threads = (unsigned)n_threads;
    /* Open streams hold connections (behind nginx all from loopback): room for them on top. */
    hc.connection_limit = 1024 + (unsigned)n_streams;
    hc.per_ip_limit = 256 + (unsigned)n_streams;
    app.body_limit = pz_api_body_limit;
    app.handle = pz_api_handle;
    app.ctx = api;
    if (pz_http_start(&server, &hc, &app) < 0) {
        pz_api_free(api);
        pz_store_close(store);
        return EXIT_FAIL;
    }
    if (strchr(host, ':'))
        snprintf(shown, sizeof(shown), "[%s]:%d", host, pz_http_port(server));
    else
        snprintf(shown, sizeof(shown), "%s:%d", host, pz_http_port(server));
    printf("piazza listening on http://%s/ (database %s)\n", shown, db);
    if (pz_api_setup_code(api)) {
        printf("First run: open http://%s/ and enter the set-up code %s\n", shown,
               pz_api_setup_code(api));
        printf("Primo avvio: apri http://%s/ e inserisci il codice di configurazione %s\n", shown,
               pz_api_setup_code(api));
    }
    fflush(stdout);

    do {
        if (sigwait(&set, &sig) != 0)
            sig = SIGTERM;
    } while (sig != SIGTERM && sig != SIGINT);
    pz_log(PZ_LOG_INFO, "%s received: finishing requests in flight",
           sig == SIGTERM ? "SIGTERM" : "SIGINT");
    pz_http_stop(server, 10000);
    pz_api_free(api);
    pz_store_close(store);
    pz_log(PZ_LOG_INFO, "stopped");
    return EXIT_OK;
}
