/*
 * cmd_serve.c — `shoplab serve`: checks the flags, then replaces this
 * process with the web server program, shoplab-serve (src/web/main.c),
 * given the same arguments.
 *
 * The server lives in a program of its own because libmicrohttpd and the
 * TLS stack it links would otherwise load at the start of every command.
 * shoplab-serve is looked up in the directory of the running shoplab
 * (/proc/self/exe), where the build and `meson install` put it, never on
 * PATH, so a `shoplab` always runs the server it was built with.  If it is
 * missing, `shoplab serve` names the path it tried and exits 1 (a damaged
 * installation).  exec keeps the process id, so Ctrl+C and SIGTERM reach
 * the server directly.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVER_NAME "shoplab-serve"

/* DIR/shoplab-serve, DIR being the directory of this executable. */
static bool server_path(char *out, size_t size)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return snprintf(out, size, "%s/%s", self, SERVER_NAME) < (int)size;
}

int cmd_serve(int argc, char **argv)
{
    serve_config config;
    int rc = serve_parse(argc, argv, &config);
    if (rc >= 0)
        return rc;
    char path[4200];
    if (!server_path(path, sizeof path)) {
        cli_fail(&serve_spec, "cannot find the web server program %s: /proc/self/exe: %s",
                 SERVER_NAME, strerror(errno));
        return EXIT_INTERNAL;
    }
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args) {
        cli_fail(&serve_spec, "out of memory");
        return EXIT_INTERNAL;
    }
    args[0] = path;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    fflush(NULL);
    execv(path, args);
    int e = errno;
    free(args);
    cli_fail(&serve_spec, "cannot start the web server %s: %s (it is installed next to shoplab)",
             path, strerror(e));
    return EXIT_INTERNAL;
}
