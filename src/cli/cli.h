/*
 * cli.h — shared declarations of the `shoplab` command (private to src/cli).
 *
 * The CLI only parses arguments, calls the public library API in
 * include/shoplab.h and prints.  Exit codes are documented in the README and
 * in `shoplab --help`; they come from sl_status through cli_exit_code().
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include "shoplab.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes (README "Exit codes"). */
enum {
    EXIT_OK = 0,
    EXIT_INTERNAL = 1,     /* out of memory, malformed embedded content */
    EXIT_USAGE = 2,        /* unknown command or flag, missing flag, not a number */
    EXIT_INVALID = 3,      /* a value breaks a rule: negative, too large, inconsistent */
    EXIT_NO_DATA = 4,      /* zero trials where a rate is needed */
    EXIT_CANNOT = 5,       /* cannot be computed: infeasible, above a method's cap */
    EXIT_NOT_FOUND = 6,    /* an unknown glossary term or guide */
    EXIT_IO = 7,           /* output could not be written */
    EXIT_READ = 8,         /* an input file cannot be opened or read */
    EXIT_STORE = 9,        /* the database cannot be opened or written */
    EXIT_LISTEN = 10,      /* serve: the address cannot be listened on */
    EXIT_REFUSED = 11      /* team mode: wrong name or password, no session, rate limited */
};

int cli_exit_code(sl_status status);

/* ---- flags (args.c) ---- */

typedef enum flag_kind {
    FLAG_COUNT,   /* whole number ≥ 0, "8000" or "8,000" */
    FLAG_REAL,    /* finite number ≥ 0 (money, variance) */
    FLAG_RATE,    /* fraction in (0, 1): "0.04" or "4%" */
    FLAG_LIFT,    /* relative change > 0: "0.2" or "20%" */
    FLAG_SIGNED_LIFT, /* relative change, a rise or a drop: "0.2", "-10%" (not 0, above -1) */
    FLAG_CHOICE,  /* one of `choices` (NULL-terminated) */
    FLAG_SWITCH,  /* no value */
    FLAG_TEXT     /* any text: a path, a sheet name */
} flag_kind;

typedef struct flag_spec {
    const char *name;         /* without the leading "--" */
    flag_kind kind;
    bool required;
    const char *metavar;      /* shown in help, e.g. "N" */
    const char *help;
    const char *const *choices;
} flag_spec;

typedef struct flag_value {
    bool set;
    double number;            /* COUNT, REAL, RATE, LIFT */
    const char *text;         /* CHOICE: the chosen word; TEXT: the text */
} flag_value;

typedef struct command_spec {
    const char *name;         /* e.g. "decode" or "stats interval" */
    const char *summary;
    const char *usage_extra;  /* extra help paragraph, or NULL */
    const flag_spec *flags;   /* terminated by {NULL} */
    int min_args, max_args;   /* positional arguments accepted */
    const char *args_usage;   /* e.g. "TERM", shown in the usage line */
} command_spec;

/* Positional arguments found by cli_parse. */
typedef struct cli_args {
    const char *items[64];
    int count;
} cli_args;

/* Parses argv against `cmd` into values[] (same order as cmd->flags) and
 * positional arguments into *args (may be NULL when max_args is 0).
 * Returns -1 when the caller should continue, or an exit code (help printed
 * → 0; error printed → 2 or 3). */
int cli_parse(const command_spec *cmd, int argc, char **argv, flag_value *values,
              cli_args *args);
void cli_print_help(const command_spec *cmd, FILE *out);

/* Prints "shoplab CMD: error: MESSAGE" and a hint to stderr. */
void cli_error(const command_spec *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same without the --help hint: for errors in the data, not the command. */
void cli_fail(const command_spec *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- output (out.c) ---- */

bool cli_color(void);                 /* stdout is a TTY and NO_COLOR is unset */
const char *cli_bold(void);
const char *cli_reset(void);
const char *cli_verdict_color(sl_verdict v);
/* "8,000"; buf must hold 32 bytes. */
const char *cli_count(char *buf, double v);
/* "4.00%"; buf must hold 32 bytes. */
const char *cli_percent(char *buf, double fraction);
/* A byte cli_wrap prints as a space but never breaks a line at. */
#define CLI_NBSP '\x1f'

/* Prints `text` word-wrapped to 80 columns, every line indented by `indent`
 * spaces, the first line after `first` (which must be `indent` wide or less). */
void cli_wrap(FILE *out, int indent, const char *first, const char *text);
/* Flushes and closes stdout; a failure (full disk, closed pipe) is an error. */
int cli_finish(int code);
/* Writes a file through PATH.tmp-XXXXXX and a rename, so a failure (full
 * disk, killed process) leaves no half-written file; errors name --output.
 * Returns an exit code. */
int cli_write_file(const command_spec *cmd, const char *path,
                   sl_status (*write)(FILE *out, void *ctx), void *ctx);
/* Prints a library-allocated JSON document and a newline, then frees it. */
int cli_print_json(char *json);

/* ---- commands ---- */
int cmd_decode(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_define(int argc, char **argv);
int cmd_terms(int argc, char **argv);
int cmd_same(int argc, char **argv);
int cmd_guide(int argc, char **argv);
int cmd_drill(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_forget(int argc, char **argv);
int cmd_store(int argc, char **argv);
int cmd_journal(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_creator(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/* ---- serve: the flags `shoplab serve` checks and shoplab-serve uses ---- */

/* What `shoplab serve` was asked for, after every flag passed its checks. */
typedef struct serve_config {
    const char *listen;        /* "127.0.0.1:8080" unless --listen */
    char db_path[4096];        /* --db, else $SHOPLAB_DB or the XDG default */
    uint64_t max_upload;       /* bytes; 0: the server's default */
    unsigned threads;          /* 0: one per core */
    const char *tls_cert;      /* --tls-cert/--tls-key: PEM files, or NULL */
    const char *tls_key;
    const char *trusted_proxy; /* --trusted-proxy ADDR, or NULL */
    const char *public_url;    /* --public-url URL, or NULL */
} serve_config;

extern const command_spec serve_spec;

/* Parses the arguments after "serve" (serve_args.c).  Returns -1 with *out
 * filled, or an exit code after printing help (0) or the error (2, 9).
 * Both programs call it on the same arguments, so `shoplab serve --help`
 * and every usage error behave the same whichever program prints them. */
int serve_parse(int argc, char **argv, serve_config *out);

/* Opens the store at --db, else $SHOPLAB_DB or the XDG default (cmd_read.c).
 * Prints the error and returns an exit code, or -1 with *store set. */
int cli_open_store(const command_spec *cmd, const char *db_flag, sl_store **store);
/* The same for commands that only read: the store is opened read-only, so
 * a read-only store (file or directory) still answers; no store yet reads
 * as an empty one, and nothing is created. */
int cli_open_store_readonly(const command_spec *cmd, const char *db_flag, sl_store **store);

/* The built-in content, or NULL after printing why (a damaged build). */
const sl_content *cli_content(void);

#endif
