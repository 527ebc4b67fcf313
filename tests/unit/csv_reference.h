/*
 * csv_reference.h — a deliberately simple CSV reader, RFC 4180 by the letter,
 * one byte at a time with the whole input in memory: what the fast reader
 * (src/lib/csv.c) is checked against in test_import.c and the CSV fuzz
 * target.  Rows come out as cells joined by \x1f, each row ended by \x1e.
 */
#ifndef SL_CSV_REFERENCE_H
#define SL_CSV_REFERENCE_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static inline char *reference_parse(const char *s, size_t n, char delim)
{
    size_t cap = n * 2 + 16, len = 0;
    char *out = malloc(cap);
    size_t i = 0;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    bool quoted = false, cell_start = true, any = false;
    for (; i < n; i++) {
        char c = s[i];
        if (len + 4 > cap)
            out = realloc(out, cap *= 2);
        if (quoted) {
            if (c == '"' && i + 1 < n && s[i + 1] == '"')
                out[len++] = '"', i++;
            else if (c == '"')
                quoted = false;
            else
                out[len++] = c;
            continue;
        }
        if (c == '"' && cell_start) {
            quoted = true, cell_start = false, any = true;
        } else if (c == delim) {
            out[len++] = '\x1f', cell_start = true, any = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
                i++;
            out[len++] = '\x1e', cell_start = true, any = false;
        } else {
            out[len++] = c, cell_start = false, any = true;
        }
    }
    if (any)
        out[len++] = '\x1e';
    out[len] = '\0';
    return out;
}


#endif
