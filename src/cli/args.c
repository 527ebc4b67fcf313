/*
 * args.c — strict, table-driven flag parsing and the help text made from the
 * same tables (so help can never drift from what is accepted).
 *
 * Every value is checked completely: "12abc", "1e400", "-3", "4.5" for a
 * count, and repeated flags are errors that name the flag and the rule.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


void cli_error(const command_spec *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "shoplab%s%s: error: ", cmd ? " " : "", cmd ? cmd->name : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (cmd)
        fprintf(stderr, "Try 'shoplab %s --help'.\n", cmd->name);
}

void cli_fail(const command_spec *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "shoplab %s: error: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
}

int cli_exit_code(sl_status status)
{
    return sl_status_exit_code(status); /* the library's one status table */
}

/* A FLAG_TEXT or FLAG_CHOICE value.  Returns -1 on success or an exit code
 * after printing the error. */
static int parse_text_value(const command_spec *cmd, const flag_spec *f, const char *text,
                            flag_value *out)
{
    if (f->kind == FLAG_TEXT) {
        if (!*text) {
            cli_error(cmd, "--%s: give a %s, not an empty text", f->name, f->metavar);
            return EXIT_USAGE;
        }
        out->text = text;
        return -1;
    }
    for (const char *const *c = f->choices; *c; c++)
        if (strcmp(*c, text) == 0) {
            out->text = *c;
            return -1;
        }
    char list[256] = "";
    for (const char *const *c = f->choices; *c; c++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 c == f->choices ? "" : ", ", *c);
    cli_error(cmd, "--%s: '%s' is not one of: %s", f->name, text, list);
    return EXIT_USAGE;
}

/* A number flag, by the library's rule for typed numbers (the web's forms
 * follow the same).  Text that is not a number is a usage error (exit 2);
 * a number that breaks its kind's rule is invalid (exit 3). */
static int parse_number_value(const command_spec *cmd, const flag_spec *f, const char *text,
                              flag_value *out)
{
    static const sl_number_kind kinds[] = {
        [FLAG_COUNT] = SL_NUMBER_COUNT,
        [FLAG_REAL] = SL_NUMBER_AMOUNT,
        [FLAG_RATE] = SL_NUMBER_RATE,
        [FLAG_LIFT] = SL_NUMBER_LIFT,
        [FLAG_SIGNED_LIFT] = SL_NUMBER_SIGNED_LIFT,
    };
    char label[64];
    snprintf(label, sizeof label, "--%s", f->name);
    sl_error err;
    sl_status st = sl_parse_number(kinds[f->kind], text, label, &out->number, &err);
    if (st == SL_OK)
        return -1;
    cli_error(cmd, "%s", err.message);
    return st == SL_ERR_PARSE ? EXIT_USAGE : EXIT_INVALID;
}

/* Parses one flag value.  Returns -1 on success or an exit code after
 * printing the error. */
static int parse_value(const command_spec *cmd, const flag_spec *f, const char *text,
                       flag_value *out)
{
    if (f->kind == FLAG_TEXT || f->kind == FLAG_CHOICE)
        return parse_text_value(cmd, f, text, out);
    return parse_number_value(cmd, f, text, out);
}

int cli_parse(const command_spec *cmd, int argc, char **argv, flag_value *values,
              cli_args *args)
{
    if (args)
        args->count = 0;
    size_t nflags = 0;
    while (cmd->flags[nflags].name)
        nflags++;
    memset(values, 0, nflags * sizeof *values);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_print_help(cmd, stdout);
            return cli_finish(EXIT_OK);
        }
        if (arg[0] == '-' && arg[1] != '-' && arg[1] != '\0') {
            /* "-x": short flags do not exist here (only -h); a file whose
             * name starts with a dash goes after "--". */
            cli_error(cmd, "unknown flag '%s' (flags are spelt --name; put a file whose name "
                           "starts with '-' after --)",
                      arg);
            return EXIT_USAGE;
        }
        if (strncmp(arg, "--", 2) != 0 || strcmp(arg, "--") == 0) {
            if (strcmp(arg, "--") == 0 && i + 1 < argc)
                arg = argv[++i]; /* "--" lets an argument start with dashes */
            if (!args || args->count >= cmd->max_args ||
                args->count >= (int)(sizeof args->items / sizeof *args->items)) {
                cli_error(cmd, "unexpected argument '%s'", arg);
                return EXIT_USAGE;
            }
            args->items[args->count++] = arg;
            continue;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        size_t k = 0;
        while (k < nflags && !(strlen(cmd->flags[k].name) == name_len &&
                               strncmp(cmd->flags[k].name, name, name_len) == 0))
            k++;
        if (k == nflags) {
            cli_error(cmd, "unknown flag '--%.*s'", (int)name_len, name);
            return EXIT_USAGE;
        }
        const flag_spec *f = &cmd->flags[k];
        if (values[k].set) {
            cli_error(cmd, "--%s is given twice; give it once", f->name);
            return EXIT_USAGE;
        }
        values[k].set = true;
        if (f->kind == FLAG_SWITCH) {
            if (eq) {
                cli_error(cmd, "--%s takes no value", f->name);
                return EXIT_USAGE;
            }
            continue;
        }
        const char *text = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!text) {
            cli_error(cmd, "--%s needs a value (%s)", f->name, f->metavar);
            return EXIT_USAGE;
        }
        int rc = parse_value(cmd, f, text, &values[k]);
        if (rc >= 0)
            return rc;
    }
    if (args && args->count < cmd->min_args) {
        cli_error(cmd, "missing %s", cmd->args_usage);
        return EXIT_USAGE;
    }
    for (size_t k = 0; k < nflags; k++)
        if (cmd->flags[k].required && !values[k].set) {
            cli_error(cmd, "missing --%s %s (%s)", cmd->flags[k].name, cmd->flags[k].metavar,
                      cmd->flags[k].help);
            return EXIT_USAGE;
        }
    return -1;
}

void cli_print_help(const command_spec *cmd, FILE *out)
{
    char usage[1024];
    size_t o = (size_t)snprintf(usage, sizeof usage, "shoplab %s%s%s", cmd->name,
                                cmd->args_usage ? " " : "", cmd->args_usage ? cmd->args_usage : "");
    for (const flag_spec *f = cmd->flags; f->name && o < sizeof usage; f++) {
        if (f->kind == FLAG_SWITCH)
            o += (size_t)snprintf(usage + o, sizeof usage - o, " [--%s]", f->name);
        else
            o += (size_t)snprintf(usage + o, sizeof usage - o,
                                  f->required ? " --%s\x1f%s" : " [--%s\x1f%s]", f->name, f->metavar);
    }
    cli_wrap(out, 4, "Usage: ", usage);
    fprintf(out, "\n");
    cli_wrap(out, 0, "", cmd->summary);
    fprintf(out, "\nFlags:\n");
    for (const flag_spec *f = cmd->flags; f->name; f++) {
        char head[64];
        if (f->kind == FLAG_SWITCH)
            snprintf(head, sizeof head, "  --%s", f->name);
        else
            snprintf(head, sizeof head, "  --%s %s", f->name, f->metavar);
        char help[512];
        snprintf(help, sizeof help, "%s%s", f->help, f->required ? " (required)" : "");
        if (strlen(head) < 26) {
            char first[64];
            snprintf(first, sizeof first, "%-26s", head);
            cli_wrap(out, 26, first, help);
        } else {
            fprintf(out, "%s\n", head);
            cli_wrap(out, 26, "", help);
        }
    }
    fprintf(out, "  %-24s%s\n", "--help", "show this help and exit");
    if (cmd->usage_extra) {
        fprintf(out, "\n");
        cli_wrap(out, 0, "", cmd->usage_extra);
    }
}
