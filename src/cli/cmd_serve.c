/*
 * cmd_serve.c — `shoplab serve`: the local web app (src/web) on loopback,
 * over the same store as `read`, until Ctrl+C (SIGINT) or SIGTERM.
 */
#include "cli.h"
#include "../web/web.h"

#include <math.h>

enum { S_LISTEN, S_DB, S_MAX_UPLOAD, S_THREADS, S__COUNT };

static const flag_spec flags[] = {
    [S_LISTEN] = {"listen", FLAG_TEXT, false, "HOST:PORT",
                  "address to serve on, default 127.0.0.1:8080 (port 0: any free port); an "
                  "address other than loopback prints a warning",
                  NULL},
    [S_DB] = {"db", FLAG_TEXT, false, "PATH",
              "the store (default $SHOPLAB_DB, else ~/.local/share/shoplab/shoplab.db)", NULL},
    [S_MAX_UPLOAD] = {"max-upload", FLAG_COUNT, false, "MB",
                      "largest export file accepted for upload, default 20", NULL},
    [S_THREADS] = {"threads", FLAG_COUNT, false, "N", "worker threads, default one per core",
                   NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec spec = {
    "serve",
    "Serve the web app: glossary, guides, Metrics Decoder, compare, drills and reports of "
    "your imports, as pages in your browser. It listens on loopback only unless told "
    "otherwise, makes no request to the internet, and stops cleanly on Ctrl+C.",
    "Example: shoplab serve --listen 127.0.0.1:8080",
    flags,
    0,
    0,
    NULL,
};

int cmd_serve(int argc, char **argv)
{
    flag_value v[S__COUNT];
    int rc = cli_parse(&spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    char path[4096];
    sl_error err;
    sl_error_clear(&err);
    if (v[S_DB].set) {
        snprintf(path, sizeof path, "%s", v[S_DB].text);
    } else if (sl_store_default_path(path, sizeof path, &err) != SL_OK) {
        cli_fail(&spec, "%s", err.message);
        return EXIT_STORE;
    }
    if (v[S_MAX_UPLOAD].set && (v[S_MAX_UPLOAD].number < 1 || v[S_MAX_UPLOAD].number > 4096)) {
        cli_error(&spec, "--max-upload: give a size from 1 to 4096 MB");
        return EXIT_USAGE;
    }
    if (v[S_THREADS].set && (v[S_THREADS].number < 1 || v[S_THREADS].number > 16)) {
        cli_error(&spec, "--threads: give 1 to 16");
        return EXIT_USAGE;
    }
    web_options o = {
        .listen = v[S_LISTEN].set ? v[S_LISTEN].text : "127.0.0.1:8080",
        .db_path = path,
        .max_upload = v[S_MAX_UPLOAD].set ? (uint64_t)v[S_MAX_UPLOAD].number * 1024 * 1024 : 0,
        .threads = v[S_THREADS].set ? (unsigned)v[S_THREADS].number : 0,
        .log = stdout,
    };
    sl_status st = web_serve(&o, &err);
    if (st == SL_OK)
        return cli_finish(EXIT_OK);
    if (st == SL_ERR_INVALID_ARGUMENT) {
        cli_error(&spec, "%s", err.message);
        return EXIT_USAGE;
    }
    cli_fail(&spec, "%s", err.message);
    if (st == SL_ERR_IO)
        return EXIT_LISTEN;
    return st == SL_ERR_STORE ? EXIT_STORE : cli_exit_code(st);
}
