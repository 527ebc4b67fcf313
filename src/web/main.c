/*
 * main.c — entry point of shoplab-serve, the web server program that
 * `shoplab serve` execs with its own arguments (src/cli/cmd_serve.c).
 *
 * It reads the flags with the same table as `shoplab serve`
 * (src/cli/serve_args.c) and prints errors under the same name, so run
 * either way it behaves as `shoplab serve`.  Only this program links
 * libmicrohttpd.
 */
#include "../cli/cli.h"
#include "web.h"

int main(int argc, char **argv)
{
    serve_config config;
    int rc = argc < 1 ? EXIT_USAGE : serve_parse(argc - 1, argv + 1, &config);
    if (rc >= 0)
        return rc;
    size_t route_count;
    const web_route *routes = web_routes(&route_count);
    web_options o = {
        .listen = config.listen,
        .db_path = config.db_path,
        .max_upload = config.max_upload,
        .threads = config.threads,
        .log = stdout,
        .routes = routes,
        .route_count = route_count,
        .refuse = web_refuse,
    };
    sl_error err;
    sl_error_clear(&err);
    sl_status st = web_serve(&o, &err);
    if (st == SL_OK)
        return cli_finish(EXIT_OK);
    if (st == SL_ERR_INVALID_ARGUMENT) {
        cli_error(&serve_spec, "%s", err.message);
        return EXIT_USAGE;
    }
    cli_fail(&serve_spec, "%s", err.message);
    if (st == SL_ERR_IO)
        return EXIT_LISTEN;
    return cli_exit_code(st);
}
