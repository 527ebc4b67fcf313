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

#include <string.h>

/* `shoplab-serve --list-routes` (not in the help: for the tests): the route
 * table as JSON, so a test walks every route the server answers. */
static int list_routes(void)
{
    size_t n;
    const web_route *r = web_routes(&n);
    static const char *const access[] = {"session", "public", "import", "test", "owner"};
    printf("[");
    for (size_t i = 0; i < n; i++) {
        char methods[48];
        web_methods_text(r[i].methods, methods, sizeof methods);
        printf("%s\n{\"path\":\"%s\",\"match\":\"%s\",\"suffix\":\"%s\","
               "\"methods\":\"%s\",\"api\":%s,\"object\":%s%s%s,\"access\":\"%s\","
               "\"writes\":%s}",
               i ? "," : "", r[i].path,
               r[i].match == WEB_PATH_EXACT ? "exact" : r[i].match == WEB_PATH_ID ? "id" : "rest",
               r[i].suffix ? r[i].suffix : "", methods, r[i].api ? "true" : "false",
               r[i].object ? "\"" : "", r[i].object ? r[i].object : "null",
               r[i].object ? "\"" : "", access[r[i].access], r[i].writes ? "true" : "false");
    }
    printf("\n]\n");
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list-routes") == 0)
        return list_routes();
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
        .tls_cert = config.tls_cert,
        .tls_key = config.tls_key,
        .trusted_proxy = config.trusted_proxy,
        .public_url = config.public_url,
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
