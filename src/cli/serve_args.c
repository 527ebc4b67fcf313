/*
 * serve_args.c — the flags of `shoplab serve`, shared by the two programs
 * that read them: `shoplab` checks them (so --help and usage errors need
 * no web server) and then execs shoplab-serve, which reads the same
 * arguments again with the same table and serves.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

enum { S_LISTEN, S_DB, S_MAX_UPLOAD, S_THREADS, S_TLS_CERT, S_TLS_KEY, S_TRUSTED_PROXY,
       S_PUBLIC_URL, S__COUNT };

static const flag_spec flags[] = {
    [S_LISTEN] = {"listen", FLAG_TEXT, false, "HOST:PORT",
                  "address to serve on, default 127.0.0.1:8080 (port 0: any free port); an "
                  "address other than loopback needs team mode (accounts) and --tls-cert or "
                  "--trusted-proxy",
                  NULL},
    [S_DB] = {"db", FLAG_TEXT, false, "PATH",
              "the store (default $SHOPLAB_DB, else ~/.local/share/shoplab/shoplab.db)", NULL},
    [S_MAX_UPLOAD] = {"max-upload", FLAG_COUNT, false, "MB",
                      "largest export file accepted for upload, default 20", NULL},
    [S_THREADS] = {"threads", FLAG_COUNT, false, "N", "worker threads, default one per core",
                   NULL},
    [S_TLS_CERT] = {"tls-cert", FLAG_TEXT, false, "FILE",
                    "serve HTTPS with this PEM certificate (chain); needs --tls-key", NULL},
    [S_TLS_KEY] = {"tls-key", FLAG_TEXT, false, "FILE", "the certificate's PEM private key",
                   NULL},
    [S_TRUSTED_PROXY] = {"trusted-proxy", FLAG_TEXT, false, "ADDR",
                         "a reverse proxy's address: its X-Forwarded-For and "
                         "X-Forwarded-Proto are believed, from that address only",
                         NULL},
    [S_PUBLIC_URL] = {"public-url", FLAG_TEXT, false, "URL",
                      "the address people open (https://shop.example.com): its host is "
                      "accepted in the Host header",
                      NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

const command_spec serve_spec = {
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

int serve_parse(int argc, char **argv, serve_config *out)
{
    flag_value v[S__COUNT];
    int rc = cli_parse(&serve_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    sl_error err;
    sl_error_clear(&err);
    if (v[S_DB].set) {
        snprintf(out->db_path, sizeof out->db_path, "%s", v[S_DB].text);
    } else if (sl_store_default_path(out->db_path, sizeof out->db_path, &err) != SL_OK) {
        cli_fail(&serve_spec, "%s", err.message);
        return EXIT_STORE;
    }
    if (v[S_MAX_UPLOAD].set && (v[S_MAX_UPLOAD].number < 1 || v[S_MAX_UPLOAD].number > 4096)) {
        cli_error(&serve_spec, "--max-upload: give a size from 1 to 4096 MB");
        return EXIT_USAGE;
    }
    if (v[S_THREADS].set && (v[S_THREADS].number < 1 || v[S_THREADS].number > 16)) {
        cli_error(&serve_spec, "--threads: give 1 to 16");
        return EXIT_USAGE;
    }
    if (v[S_TLS_CERT].set != v[S_TLS_KEY].set) {
        cli_error(&serve_spec, "--tls-cert and --tls-key go together: give both");
        return EXIT_USAGE;
    }
    if (v[S_PUBLIC_URL].set && strncmp(v[S_PUBLIC_URL].text, "https://", 8) != 0 &&
        strncmp(v[S_PUBLIC_URL].text, "http://", 7) != 0) {
        cli_error(&serve_spec, "--public-url: give an http:// or https:// address");
        return EXIT_USAGE;
    }
    out->tls_cert = v[S_TLS_CERT].set ? v[S_TLS_CERT].text : NULL;
    out->tls_key = v[S_TLS_KEY].set ? v[S_TLS_KEY].text : NULL;
    out->trusted_proxy = v[S_TRUSTED_PROXY].set ? v[S_TRUSTED_PROXY].text : NULL;
    out->public_url = v[S_PUBLIC_URL].set ? v[S_PUBLIC_URL].text : NULL;
    out->listen = v[S_LISTEN].set ? v[S_LISTEN].text : "127.0.0.1:8080";
    out->max_upload = v[S_MAX_UPLOAD].set ? (uint64_t)v[S_MAX_UPLOAD].number * 1024 * 1024 : 0;
    out->threads = v[S_THREADS].set ? (unsigned)v[S_THREADS].number : 0;
    return -1;
}
