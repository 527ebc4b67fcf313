/*
 * out.c — output helpers for the CLI: number formatting, colour, word
 * wrapping to 80 columns, and a checked close of stdout.
 *
 * Colour is used only when stdout is a terminal and NO_COLOR is unset
 * (https://no-color.org), so pipes and golden tests see plain text.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* A temporary file older than this is stale even if a process with its
 * pid runs (the pid was reused): writing a report takes seconds. */
#define STALE_TMP_SECONDS (60 * 60)

/* Removes PATH.tmp-* files that killed runs left (a killed process never
 * reaches its unlink).  A name carries its writer's pid
 * (PATH.tmp-PID-XXXXXX): the file is stale when no process has that pid, or
 * when it is older than STALE_TMP_SECONDS.  Names without a pid (older
 * ShopLab) go by age alone.  Only this user's regular files are touched,
 * so a pid is checked on this machine only: a live writer on another
 * machine sharing the directory keeps its file until it is an hour old. */
static void remove_stale_temporaries(const command_spec *cmd, const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    else
        return;
    char prefix[512];
    if (snprintf(prefix, sizeof prefix, "%s.tmp-", slash ? slash + 1 : path) >=
        (int)sizeof prefix)
        return;
    size_t plen = strlen(prefix);
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, plen) != 0)
            continue;
        const char *rest = e->d_name + plen;
        struct stat sb;
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(sb.st_mode) || sb.st_uid != geteuid())
            continue;
        bool old = now - sb.st_mtime > STALE_TMP_SECONDS;
        char *end;
        long pid = strtol(rest, &end, 10);
        bool named = end != rest && *end == '-' && strlen(end + 1) == 6 && pid > 0;
        if (!named && strlen(rest) != 6)
            continue; /* not a name cli_write_file makes */
        bool dead = named && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 &&
                    errno == ESRCH;
        if ((dead || old) && unlinkat(dirfd(d), e->d_name, 0) == 0)
            fprintf(stderr, "shoplab %s: removed %s/%s, left by a run that was stopped\n",
                    cmd->name, dir, e->d_name);
    }
    closedir(d);
}

/* --output to something that is not a file (/dev/null, a terminal, a
 * FIFO): written straight to it.  Writing beside it and renaming would
 * replace the device itself — as root, /dev/null with a report. */
static int write_to_device(const command_spec *cmd, const char *path,
                           sl_status (*write)(FILE *out, void *ctx), void *ctx)
{
    FILE *out = fopen(path, "w");
    if (!out) {
        cli_fail(cmd, "--output: cannot write %s: %s", path, strerror(errno));
        return EXIT_IO;
    }
    sl_status st = write(out, ctx);
    bool ok = st == SL_OK && fflush(out) == 0;
    ok = fclose(out) == 0 && ok;
    if (!ok) {
        cli_fail(cmd, "--output: cannot write %s: %s", path,
                 st == SL_ERR_NO_MEMORY ? "out of memory" : strerror(errno));
        return st == SL_ERR_NO_MEMORY ? EXIT_INTERNAL : EXIT_IO;
    }
    return EXIT_OK;
}

int cli_write_file(const command_spec *cmd, const char *path,
                   sl_status (*write)(FILE *out, void *ctx), void *ctx)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        if (S_ISDIR(sb.st_mode)) {
            cli_fail(cmd, "--output: %s is a directory; give a file name", path);
            return EXIT_IO;
        }
        return write_to_device(cmd, path, write, ctx);
    }
    remove_stale_temporaries(cmd, path);
    size_t len = strlen(path);
    char *tmp = malloc(len + 40);
    if (!tmp)
        return EXIT_INTERNAL;
    /* The pid in the name lets the next run tell a killed writer's file
     * from a running one's. */
    snprintf(tmp, len + 40, "%s.tmp-%ld-XXXXXX", path, (long)getpid());
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
