/*
 * out.c — output helpers for the CLI: number formatting, colour, word
 * wrapping to 80 columns, and a checked close of stdout.
 *
 * Colour is used only when stdout is a terminal and NO_COLOR is unset
 * (https://no-color.org), so pipes and golden tests see plain text.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WIDTH 80

bool cli_color(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *no = getenv("NO_COLOR");
        cached = isatty(STDOUT_FILENO) && !(no && *no);
    }
    return cached;
}

const char *cli_bold(void)
{
    return cli_color() ? "\033[1m" : "";
}

const char *cli_reset(void)
{
    return cli_color() ? "\033[0m" : "";
}

const char *cli_verdict_color(sl_verdict v)
{
    if (!cli_color())
        return "";
    switch (v) {
    case SL_VERDICT_WEAK:
        return "\033[31m";
    case SL_VERDICT_STRONG:
        return "\033[32m";
    case SL_VERDICT_TOO_EARLY:
        return "\033[33m";
    default:
        return "";
    }
}

const char *cli_count(char *buf, double v)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v);
    size_t len = strlen(digits), o = 0;
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

const char *cli_percent(char *buf, double fraction)
{
    double pct = fraction * 100;
    /* Tiny rates would print as 0.00%; show enough digits to be non-zero. */
    if (pct != 0 && fabs(pct) < 0.01)
        snprintf(buf, 32, "%.2g%%", pct);
    else
        snprintf(buf, 32, "%.2f%%", pct);
    return buf;
}

void cli_wrap(FILE *out, int indent, const char *first, const char *text)
{
    int col = fprintf(out, "%s", first);
    if (col < indent) {
        fprintf(out, "%*s", indent - col, "");
        col = indent;
    }
    bool line_empty = true;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t word = strcspn(p, " ");
        if (!line_empty && col + 1 + (int)word > WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            line_empty = true;
        }
        if (!line_empty) {
            fputc(' ', out);
            col++;
        }
        for (size_t i = 0; i < word; i++)
            fputc(p[i] == CLI_NBSP ? ' ' : p[i], out);
        col += (int)word;
        line_empty = false;
        p += word;
    }
    fputc('\n', out);
}

int cli_finish(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        fprintf(stderr, "shoplab: error: could not write the output (disk full or pipe "
                        "closed?)\n");
        return EXIT_IO;
    }
    return code;
}

int cli_print_json(char *json)
{
    if (!json) {
        fprintf(stderr, "shoplab: error: out of memory while writing JSON\n");
        return EXIT_INTERNAL;
    }
    fputs(json, stdout);
    fputc('\n', stdout);
    sl_free(json);
    return cli_finish(EXIT_OK);
}

int cli_write_file(const command_spec *cmd, const char *path,
                   sl_status (*write)(FILE *out, void *ctx), void *ctx)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp)
        return EXIT_INTERNAL;
    snprintf(tmp, len + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!out) {
        cli_fail(cmd, "--output: cannot write %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return EXIT_IO;
    }
    sl_status st = write(out, ctx);
    bool ok = st == SL_OK && fflush(out) == 0 && fsync(fileno(out)) == 0;
    ok = fclose(out) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        cli_fail(cmd, "--output: cannot write %s: %s", path,
                 st == SL_ERR_NO_MEMORY ? "out of memory" : strerror(errno));
        unlink(tmp);
        free(tmp);
        return st == SL_ERR_NO_MEMORY ? EXIT_INTERNAL : EXIT_IO;
    }
    free(tmp);
    return EXIT_OK;
}
