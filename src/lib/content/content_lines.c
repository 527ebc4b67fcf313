/*
 * content_lines.c — the one reader of the content files' lines: terms,
 * guides, drills, checklists, the practice reference, the importer's
 * columns.txt and the export vocabulary.
 *
 * Every one of those files is lines of text where blank lines and lines
 * starting with '#' are ignored, and most are `key: value` lines.  Reading
 * them in one place keeps one rule for what a comment, a blank and a value
 * are, and one message, at file:line, for a line that breaks it.
 */
#include "base/internal.h"

#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

char *sl_lines_next(sl_lines *r)
{
    while (r->rest) {
        char *line = r->rest;
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        r->rest = nl ? nl + 1 : NULL;
        r->line++;
        size_t len = strlen(line);
        while (len && blank(line[len - 1]))
            line[--len] = '\0';
        while (blank(*line))
            line++;
        if (*line && *line != '#')
            return line;
    }
    return NULL;
}

int sl_lines_entry(sl_lines *r, sl_entry *out, sl_error *err)
{
    char *line = sl_lines_next(r);
    if (!line)
        return 0;
    char *colon = strchr(line, ':');
    sl_place at = {r->file, r->line, 0, NULL};
    if (!colon || colon == line) {
        sl_fail_at(err, SL_ERR_CONTENT, at, "expected 'key: value', got '%.60s'", line);
        return -1;
    }
    *colon = '\0';
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (!*value) {
        at.header = line;
        sl_fail_at(err, SL_ERR_CONTENT, at, "'%s:' has no value", line);
        return -1;
    }
    *out = (sl_entry){line, value, r->line};
    return 1;
}
